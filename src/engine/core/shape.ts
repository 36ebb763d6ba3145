/**
 * @file Shapes: sizes, strides, NumPy broadcasting, axis normalisation, and JAX-style shape text.
 */

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C order) strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * Σ weight(d, c[d]) over the row-major multi-index c of flat index k in `shape` (from the last
 * dimension): the source offset of a strided gather, element by element.
 */
export function indexOffset(k: number, shape: Shape, weight: (d: number, c: number) => number): number {
  let rem = k;
  let off = 0;
  for (let d = shape.length - 1; d >= 0; d--) {
    const c = rem % shape[d];
    rem = Math.floor(rem / shape[d]);
    off += weight(d, c);
  }
  return off;
}

/** A shape as Python prints a tuple: `(3,)`, `(2, 3)`, `()`. */
export function shapeTuple(shape: Shape): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting of several shapes; `op` names the operation for the error, as JAX does. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const off = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i];
      const o = out[off + i];
      if (o === 1) out[off + i] = d;
      else if (d !== 1 && d !== o) {
        throw new TypeError(
          `${op} got incompatible shapes for broadcasting: ${shapes.map(shapeTuple).join(', ')}.`,
        );
      }
    }
  }
  return out;
}

/** Normalise a possibly negative axis against `ndim`, with NumPy's AxisError wording. */
export function normalizeAxis(axis: number, ndim: number): number {
  if (!Number.isInteger(axis)) throw new TypeError(`axis must be an integer, got ${axis}`);
  if (axis < -ndim || axis >= ndim) {
    throw new RangeError(`axis ${axis} is out of bounds for array of dimension ${ndim}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Normalise an axis argument (number, list, or null/undefined for all axes) to sorted unique axes. */
export function normalizeAxes(axis: number | readonly number[] | null | undefined, ndim: number): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const out = list.map((a) => normalizeAxis(a, ndim));
  if (new Set(out).size !== out.length) throw new RangeError('repeated axis');
  return out.sort((a, b) => a - b);
}

export function checkShape(shape: readonly unknown[], what = 'shape'): number[] {
  return shape.map((d) => {
    const n = Number(d);
    if (!Number.isInteger(n) || n < 0) {
      throw new TypeError(
        `${what} must be a sequence of non-negative integers, got (${shape.map(String).join(', ')})`,
      );
    }
    return n;
  });
}

/** A row-major shape seen as lines along one axis: `outer` blocks of `n` steps of stride `inner`. */
export interface LineGeometry {
  outer: number;
  n: number;
  inner: number;
}

export function lineGeometry(shape: Shape, axis: number): LineGeometry {
  return { outer: sizeOf(shape.slice(0, axis)), n: shape[axis], inner: sizeOf(shape.slice(axis + 1)) };
}
