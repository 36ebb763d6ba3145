/**
 * @file NumPy indexing on top of lax, with the semantics and lowering choices of JAX's
 * jax/_src/numpy/indexing.py and ops/scatter.py: `getitem` (`x.index(idx)`, the expression
 * language's `x[idx]`), `atGet` / `atUpdate` (`x.at[idx].get()` / `.set(v)` / `.add(v)` ...),
 * `take`, `take_along_axis`.
 *
 * An index is a number, `null` (newaxis), a slice (`sl(start, stop, step)`), `'...'` (Ellipsis),
 * an integer array (an Array, a tracer, or a nested JS list), a boolean mask (concrete only), or
 * a JS array of those, which plays the part of Python's tuple: `x.index([0, sl(1, 3)])` is
 * `x[0, 1:3]`, and a list inside it is an integer array: `x.index([[0, 2]])` is `x[[0, 2],]`.
 *
 * getitem tries, in JAX's order, static slicing (slice / rev / squeeze / broadcast_in_dim), then
 * dynamic_slice (scalar traced indices, negative ones normalised with lt/add/select_n), then a
 * gather (integer arrays, advanced-index placement as NumPy). Static integers out of bounds do not
 * raise: as in JAX they fall through to dynamic_slice, which clamps. Updates always go through a
 * scatter with the gather's dimension numbers transposed.
 */

import { ArrayImpl, hostScalar } from '../core/array.js';
import { hostArray, toValue } from '../core/coerce.js';
import { type DType, int32 } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { normalizeAxis, sizeOf } from '../core/shape.js';
import { isTracer, type Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import { GatherDimensionNumbers, GatherScatterMode, type ScatterKind } from '../primitives/indexing.js';
import { namedJit } from '../transforms/jit.js';
import { full } from './creation.js';
import { less, remainder, where } from './ufuncs.js';
import { broadcastTo, promoteArgs } from './util.js';

// ---- index objects and errors ---------------------------------------------------------------------

/** Python's IndexError. */
export class IndexError extends Error {
  override name = 'IndexError';
}

/** jax.errors.NonConcreteBooleanIndexError: a boolean mask whose value is not known while tracing. */
export class NonConcreteBooleanIndexError extends IndexError {
  override name = 'NonConcreteBooleanIndexError';
  constructor(aval: string) {
    super(
      `Array boolean indices must be concrete; got ${aval}\n\nSee https://docs.jax.dev/en/latest/errors.html#jax.errors.NonConcreteBooleanIndexError`,
    );
  }
}

type SliceEntry = number | Value | null | undefined;

/** Python's slice object: `sl(1, 3)` is `1:3`, `sl(null, null, -1)` is `::-1`. */
export class Slice {
  readonly start: SliceEntry;
  readonly stop: SliceEntry;
  readonly step: SliceEntry;
  constructor(start?: SliceEntry, stop?: SliceEntry, step?: SliceEntry) {
    this.start = start ?? null;
    this.stop = stop ?? null;
    this.step = step ?? null;
  }
  toString(): string {
    const e = (v: SliceEntry) =>
      v === null || v === undefined ? 'None' : isTracer(v) ? 'Traced' : String(v);
    return `slice(${e(this.start)}, ${e(this.stop)}, ${e(this.step)})`;
  }
}

/** slice(stop) or slice(start, stop[, step]), as Python's builtin. */
export function sl(startOrStop?: SliceEntry, stop?: SliceEntry, step?: SliceEntry): Slice {
  // biome-ignore lint/complexity/noArguments: Python's slice(stop) form depends on the arity.
  if (arguments.length === 1) return new Slice(null, startOrStop, null);
  return new Slice(startOrStop, stop, step);
}

/** NumPy's newaxis (None). */
export const newaxis = null;
/** Python's Ellipsis (`...`); the string '...' is accepted too. */
export const Ellipsis = '...';

export type NumpyIndex = unknown;

// ---- parsing ------------------------------------------------------------------------------------

type IdxType = 'none' | 'ellipsis' | 'slice' | 'integer' | 'boolean' | 'array';

interface Parsed {
  /** number for integer, Slice for slice, Value for array/boolean, boolean for a scalar bool. */
  index: unknown;
  typ: IdxType;
  axes: number[];
}

function isValue(x: unknown): x is Value {
  return x instanceof ArrayImpl || isTracer(x);
}

/** A static Python int from a slice entry (concrete arrays allowed). */
function staticInt(v: SliceEntry): number | null | 'traced' {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (v instanceof ArrayImpl && v.size === 1) return Number(hostScalar(v));
  return 'traced';
}

function classify(idx: unknown): { typ: IdxType; index: unknown } {
  if (idx === null || idx === undefined) return { typ: 'none', index: null };
  if (idx === Ellipsis) return { typ: 'ellipsis', index: idx };
  if (idx instanceof Slice) return { typ: 'slice', index: idx };
  if (typeof idx === 'bigint') return { typ: 'integer', index: Number(idx) };
  if (typeof idx === 'number') {
    if (!Number.isInteger(idx))
      throw new TypeError('Indexer must have integer or boolean type, got indexer with type float64');
    return { typ: 'integer', index: idx };
  }
  if (typeof idx === 'boolean') return { typ: 'boolean', index: idx };
  if (typeof idx === 'string') throw new TypeError(`JAX does not support string indexing; got idx='${idx}'`);
  let v: Value | null = null;
  if (isValue(idx)) v = idx;
  else if (Array.isArray(idx)) v = idx.length === 0 ? hostArray([], { dtype: int32 }) : hostArray(idx);
  else if (ArrayBuffer.isView(idx)) v = hostArray(idx);
  if (v) {
    if (v.dtype.isBool)
      return { typ: 'boolean', index: v.ndim === 0 && v instanceof ArrayImpl ? Boolean(hostScalar(v)) : v };
    if (v.dtype.isInt) return { typ: 'array', index: v };
    throw new TypeError(`Indexer must have integer or boolean type, got indexer with type ${v.dtype.name}`);
  }
  throw new IndexError(
    `only integers, slices (\`:\`), ellipsis (\`...\`), newaxis (\`None\`) and integer or boolean arrays are valid indices. Got ${String(idx)}`,
  );
}

/** The index as a tuple: a JS array is Python's tuple; anything else is a 1-tuple. */
function asTuple(idx: NumpyIndex): unknown[] {
  return Array.isArray(idx) ? idx : [idx];
}

function ndimOf(p: { typ: IdxType; index: unknown }): number {
  return isValue(p.index) ? p.index.ndim : 0;
}

function parseIndices(idx: NumpyIndex, shape: readonly number[]): Parsed[] {
  const items = asTuple(idx).map(classify);
  const consumed = items.map((it) => {
    switch (it.typ) {
      case 'none':
      case 'ellipsis':
        return 0;
      case 'boolean':
        return ndimOf(it);
      default:
        return 1;
    }
  });
  const ellipses = items.flatMap((it, i) => (it.typ === 'ellipsis' ? [i] : []));
  if (ellipses.length > 1) throw new IndexError("an index can only have a single ellipsis ('...')");
  const total = consumed.reduce((a, b) => a + b, 0);
  if (total > shape.length)
    throw new IndexError(`Too many indices: array is ${shape.length}-dimensional, but ${total} were indexed`);
  if (ellipses.length) consumed[ellipses[0]] = shape.length - total;
  let dim = 0;
  return items.map((it, i) => {
    const axes = Array.from({ length: consumed[i] }, (_, k) => dim + k);
    dim += consumed[i];
    return { ...it, axes };
  });
}

function expandEllipses(indices: Parsed[], shape: readonly number[]): Parsed[] {
  const out: Parsed[] = [];
  let consumed = 0;
  for (const p of indices) {
    consumed += p.axes.length;
    if (p.typ === 'ellipsis')
      for (const a of p.axes) out.push({ typ: 'slice', index: new Slice(), axes: [a] });
    else out.push(p);
  }
  for (let a = consumed; a < shape.length; a++) out.push({ typ: 'slice', index: new Slice(), axes: [a] });
  return out;
}

/** Python's slice.indices(size) for static entries. */
function sliceIndices(s: Slice, size: number): [number, number, number] {
  const st = staticInt(s.step);
  const step = st === null ? 1 : (st as number);
  if (step === 0) throw new Error('slice step cannot be zero');
  const lo = step < 0 ? -1 : 0;
  const hi = step < 0 ? size - 1 : size;
  const fix = (v: number | null | 'traced', dflt: number) => {
    if (v === null) return dflt;
    const n = v as number;
    return n < 0 ? Math.max(n + size, lo) : Math.min(n, hi);
  };
  return [fix(staticInt(s.start), step < 0 ? hi : lo), fix(staticInt(s.stop), step < 0 ? lo : hi), step];
}

function sliceIsStatic(s: Slice): boolean {
  return [s.start, s.stop, s.step].every((v) => staticInt(v) !== 'traced');
}

function validateSlices(indices: Parsed[]): void {
  indices.forEach((p, i) => {
    if (p.typ === 'slice' && !sliceIsStatic(p.index as Slice)) {
      throw new IndexError(`Slice entries must be static integers. Got ${String(p.index)} at position ${i}`);
    }
  });
}

// ---- getitem: static slice ----------------------------------------------------------------------

function staticSlice(x: Value, indices: Parsed[], mode: GatherScatterMode, normalize: boolean): Value | null {
  if (mode !== GatherScatterMode.PROMISE_IN_BOUNDS && mode !== GatherScatterMode.CLIP) return null;
  const shape = x.shape;
  for (const p of indices) {
    if (p.typ === 'array' || p.typ === 'boolean') return null;
    if (p.typ === 'slice' && !sliceIsStatic(p.index as Slice)) return null;
    if (p.typ === 'integer' && mode === GatherScatterMode.PROMISE_IN_BOUNDS) {
      const i = p.index as number;
      const size = shape[p.axes[0]];
      const n = normalize && i < 0 ? i + size : i;
      if (n < 0 || n >= size) return null;
    }
  }
  const start: number[] = [];
  const limit: number[] = [];
  const strides: number[] = [];
  const revAxes: number[] = [];
  const squeezeAxes: number[] = [];
  const newaxisDims: number[] = [];
  for (const p of expandEllipses(indices, shape)) {
    if (p.typ === 'none') {
      newaxisDims.push(start.length - squeezeAxes.length + newaxisDims.length);
    } else if (p.typ === 'integer') {
      const axis = p.axes[0];
      if (shape[axis] === 0) return null;
      let s = p.index as number;
      if (normalize && s < 0) s += shape[axis];
      s = Math.min(Math.max(s, 0), shape[axis] - 1);
      start.push(s);
      limit.push(s + 1);
      strides.push(1);
      squeezeAxes.push(axis);
    } else {
      const axis = p.axes[0];
      const size = shape[axis];
      const [b, e, step] = sliceIndices(p.index as Slice, size);
      if (step < 0) {
        const ns = Math.min(size, e + 1 + (Math.abs(b - e - 1) % -step));
        start.push(ns);
        limit.push(Math.max(ns, b + 1));
        strides.push(-step);
        revAxes.push(axis);
      } else {
        start.push(b);
        limit.push(Math.max(b, e));
        strides.push(step);
      }
    }
  }
  const unit = strides.every((s) => s === 1);
  const trivial = unit && start.every((s, d) => s === 0 && limit[d] === shape[d]);
  let y = trivial ? x : lax.slice(x, start, limit, unit ? null : strides);
  if (revAxes.length) y = lax.rev(y, revAxes);
  if (squeezeAxes.length) y = lax.squeeze(y, squeezeAxes);
  if (newaxisDims.length) y = lax.expandDims(y, newaxisDims);
  return y;
}

// ---- getitem: dynamic slice ----------------------------------------------------------------------

/** JAX's _dynamic_slice_indices for one start: select(i < 0, i + size, i) unless unsigned. */
function normalizeStart(i: Value, size: number): Value {
  if (i.dtype.kind === 'u') return i;
  return lax.select(lax.lt(i, 0), lax.add(i, size), i);
}

function dynamicSlice(
  x: Value,
  indices: Parsed[],
  mode: GatherScatterMode,
  normalize: boolean,
): Value | null {
  if (mode !== GatherScatterMode.PROMISE_IN_BOUNDS && mode !== GatherScatterMode.CLIP) return null;
  for (const p of indices) {
    if (p.typ === 'boolean') return null;
    if (p.typ === 'array' && (p.index as Value).ndim !== 0) return null;
    if (p.typ === 'slice') {
      const s = p.index as Slice;
      if (!sliceIsStatic(s)) return null;
      const st = staticInt(s.step);
      if (st !== null && st !== 1 && st !== -1) return null;
    }
  }
  const shape = x.shape;
  let starts: (Value | number)[] = [];
  const sizes: number[] = [];
  const revAxes: number[] = [];
  const squeezeAxes: number[] = [];
  const newaxisDims: number[] = [];
  let trivial = true;
  for (const p of expandEllipses(indices, shape)) {
    if (p.typ === 'none') {
      newaxisDims.push(starts.length - squeezeAxes.length + newaxisDims.length);
    } else if (p.typ === 'integer' || p.typ === 'array') {
      trivial = false;
      const axis = p.axes[0];
      if (shape[axis] === 0) return null;
      starts.push(p.typ === 'integer' ? toValue(p.index as number) : (p.index as Value));
      sizes.push(1);
      squeezeAxes.push(axis);
    } else {
      const s = p.index as Slice;
      if (s.start !== null || s.stop !== null || s.step !== null) trivial = false;
      const size = shape[p.axes[0]];
      const [b, e, step] = sliceIndices(s, size);
      if (step < 0) {
        const ns = e + 1 + (Math.abs(b - e - 1) % -step);
        starts.push(ns);
        sizes.push(Math.max(0, b + 1 - ns));
        revAxes.push(p.axes[0]);
      } else {
        starts.push(b);
        sizes.push(Math.max(0, e - b));
      }
    }
  }
  // dynamic_slice wants one index dtype: JAX converts every start to int32 when there are several.
  if (starts.length > 1) starts = starts.map((i) => lax.convertElementType(i, int32));
  let y = x;
  if (!trivial) {
    const vals = starts.map((i, d) => (normalize ? normalizeStart(toValue(i), shape[d]) : toValue(i)));
    y = lax.dynamicSlice(x, vals, sizes, { allowNegativeIndices: false });
  }
  if (revAxes.length) y = lax.rev(y, revAxes);
  if (squeezeAxes.length) y = lax.squeeze(y, squeezeAxes);
  if (newaxisDims.length) y = lax.expandDims(y, newaxisDims);
  return y;
}

// ---- the gather indexer (JAX's _index_to_gather) --------------------------------------------------

interface GatherIndexer {
  sliceShape: number[];
  gatherSliceShape: number[];
  gatherIndices: Value;
  dnums: GatherDimensionNumbers;
  uniqueIndices: boolean;
  indicesAreSorted: boolean;
  reversedYDims: number[];
  newaxisDims: number[];
  scalarBoolDims: number[];
}

/** Replace boolean masks by the integer arrays of their true positions (concrete masks only). */
function expandBoolIndices(indices: Parsed[], shape: readonly number[]): Parsed[] {
  const out: Parsed[] = [];
  indices.forEach((p, position) => {
    if (p.typ !== 'boolean') {
      out.push(p);
      return;
    }
    if (typeof p.index === 'boolean') {
      out.push(p);
      return;
    }
    const m = p.index as Value;
    if (!(m instanceof ArrayImpl)) throw new NonConcreteBooleanIndexError(m.aval.strShort());
    const expected = p.axes.map((a) => shape[a]);
    if (!m.shape.every((s, i) => s === 0 || s === expected[i])) {
      throw new IndexError(
        `boolean index did not match shape of indexed array in index ${position}: got (${m.shape.join(', ')}${m.ndim === 1 ? ',' : ''}), expected [${expected.join(', ')}]`,
      );
    }
    const data = m.dataSync();
    const strides = m.shape.map((_, d) => sizeOf(m.shape.slice(d + 1)));
    const coords: number[][] = m.shape.map(() => []);
    for (let f = 0; f < data.length; f++) {
      if (!data[f]) continue;
      m.shape.forEach((n, d) => {
        coords[d].push(Math.floor(f / strides[d]) % n);
      });
    }
    coords.forEach((c, d) => {
      out.push({ typ: 'array', index: hostArray(c, { dtype: int32 }), axes: [p.axes[d]] });
    });
  });
  return out;
}

function toGather(
  indices0: Parsed[],
  shape0: readonly number[],
  normalize: boolean,
): { indexer: GatherIndexer; shape: number[] } {
  validateSlices(indices0);
  const isAdvanced = indices0.flatMap((p, i) => (p.typ === 'array' || p.typ === 'integer' ? [i] : []));
  const contiguous = isAdvanced.every((v, i) => i === 0 || v - isAdvanced[i - 1] === 1);
  let indices = expandEllipses(indices0, shape0);
  // Scalar booleans: a new axis of length 1 (True) or 0 (False), indexed by arange(n).
  const scalarBoolDims = indices.flatMap((p, n) => (p.typ === 'boolean' ? [n] : []));
  const shape = [...shape0];
  {
    let cur = 0;
    indices = indices.map((p, i) => {
      if (p.typ === 'boolean') {
        shape.splice(i, 0, 1);
        const n = p.index ? 1 : 0;
        return {
          typ: 'array',
          index: hostArray(
            Array.from({ length: n }, (_, k) => k),
            { dtype: int32 },
          ),
          axes: [cur++],
        };
      }
      const axes = p.axes.map((_, k) => cur + k);
      cur += p.axes.length;
      return { ...p, axes };
    });
  }
  if (normalize) {
    indices = indices.map((p) => {
      if (p.typ === 'integer') {
        const i = p.index as number;
        return { ...p, index: i < 0 ? i + shape[p.axes[0]] : i };
      }
      if (p.typ === 'array') {
        const v = p.index as Value;
        if (v.dtype.kind === 'u') return p;
        return { ...p, index: lax.select(lax.lt(v, 0), lax.add(v, shape[p.axes[0]]), v) };
      }
      return p;
    });
  }
  const advancedInt = indices.some((p) => p.typ === 'array' && (p.index as Value).ndim > 0);
  let advanced: Value[] = [];
  let idxAdvancedAxes: number[] = [];
  let xAdvancedAxes: number[] = [];
  if (advancedInt) {
    let j = 0;
    indices.forEach((p, i) => {
      if (p.typ === 'none') return;
      if (p.typ === 'array' || p.typ === 'integer') {
        advanced.push(toValue(p.index));
        idxAdvancedAxes.push(i);
        xAdvancedAxes.push(j);
      }
      j++;
    });
  } else {
    advanced = [];
    idxAdvancedAxes = [];
    xAdvancedAxes = [];
  }

  let xAxis = 0;
  let yAxis = 0;
  let collapsedYAxis = 0;
  const offsetDims: number[] = [];
  const collapsed: number[] = [];
  const startIndexMap: number[] = [];
  const gatherIndices: [Value, number][] = [];
  const gatherIndicesShape: number[] = [];
  const sliceShape: number[] = [];
  const newaxisDims: number[] = [];
  const reversedYDims: number[] = [];
  const gatherSliceShape: number[] = [];
  const toIdx = (v: Value | number) => lax.convertElementType(v, int32);

  indices.forEach((p, pos) => {
    if (advanced.length && ((contiguous && pos === idxAdvancedAxes[0]) || (!contiguous && pos === 0))) {
      const bshape = advanced.reduce<number[]>((s, a) => broadcastShapesOf(s, a.shape), []);
      const arrs = advanced.map((a) => broadcastTo(a, bshape));
      const start = gatherIndicesShape.length;
      for (const a of arrs) gatherIndices.push([toIdx(a), start]);
      gatherIndicesShape.push(...bshape);
      startIndexMap.push(...xAdvancedAxes);
      collapsed.push(...xAdvancedAxes);
      sliceShape.push(...bshape);
      yAxis += bshape.length;
      collapsedYAxis += bshape.length;
    }
    if (idxAdvancedAxes.includes(pos)) {
      xAxis++;
      gatherSliceShape.push(1);
      return;
    }
    if ((p.typ === 'integer' || p.typ === 'array') && ndimOf(p) === 0) {
      if (shape[xAxis] === 0) throw new IndexError(`index is out of bounds for axis ${xAxis} with size 0`);
      gatherIndices.push([toIdx(p.index as Value | number), gatherIndicesShape.length]);
      collapsed.push(xAxis);
      gatherSliceShape.push(1);
      startIndexMap.push(xAxis);
      xAxis++;
    } else if (p.typ === 'none') {
      sliceShape.push(1);
      newaxisDims.push(yAxis);
      yAxis++;
    } else if (p.typ === 'slice') {
      const size = shape[xAxis];
      const [b, e, step] = sliceIndices(p.index as Slice, size);
      const dist = step > 0 ? e - b : b - e;
      const n = Math.max(0, dist + Math.abs(step) - 1) / Math.abs(step);
      const sliceSize = Math.floor(n);
      sliceShape.push(sliceSize);
      if (step === 1) {
        if (sliceSize !== size) {
          gatherIndices.push([toIdx(b), gatherIndicesShape.length]);
          startIndexMap.push(xAxis);
        }
        gatherSliceShape.push(sliceSize);
        offsetDims.push(collapsedYAxis);
      } else {
        let ix = lax.add(toIdx(b), lax.mul(toIdx(step), lax.iota(int32, sliceSize)));
        if (step < 0) {
          reversedYDims.push(collapsedYAxis);
          ix = lax.rev(ix, [0]);
        }
        gatherSliceShape.push(1);
        gatherIndices.push([ix, gatherIndicesShape.length]);
        startIndexMap.push(xAxis);
        gatherIndicesShape.push(sliceSize);
        collapsed.push(xAxis);
      }
      collapsedYAxis++;
      yAxis++;
      xAxis++;
    } else {
      throw new IndexError(`Got unsupported indexer at position ${pos}: ${String(p.index)}`);
    }
  });

  let gi: Value;
  if (gatherIndices.length === 0) gi = hostArray([], { dtype: int32 });
  else if (gatherIndices.length === 1) {
    const g = gatherIndices[0][0];
    gi = lax.expandDims(g, [g.ndim]);
  } else {
    const last = gatherIndicesShape.length;
    const target = [...gatherIndicesShape, 1];
    gi = lax.concatenate(
      gatherIndices.map(([g, i]) =>
        lax.broadcastInDim(
          g,
          target,
          g.shape.map((_, k) => i + k),
        ),
      ),
      last,
    );
  }
  return {
    shape,
    indexer: {
      sliceShape,
      gatherSliceShape,
      gatherIndices: gi,
      dnums: new GatherDimensionNumbers({
        offset_dims: offsetDims,
        collapsed_slice_dims: [...collapsed].sort((a, b) => a - b),
        start_index_map: startIndexMap,
      }),
      uniqueIndices: advanced.length === 0,
      indicesAreSorted: advanced.length === 0,
      reversedYDims,
      newaxisDims,
      scalarBoolDims,
    },
  };
}

function broadcastShapesOf(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new IndexError(
        `shape mismatch: indexing arrays could not be broadcast together with shapes (${a.join(', ')}) (${b.join(', ')})`,
      );
    }
    out.push(x === 1 ? y : x);
  }
  return out;
}

// ---- getitem / at[].get -------------------------------------------------------------------------

export interface IndexGetOptions {
  mode?: string | GatherScatterMode | null;
  fillValue?: number | boolean | bigint | null;
  indicesAreSorted?: boolean;
  uniqueIndices?: boolean;
  normalizeIndices?: boolean;
}

function gatherPath(x: Value, indices: Parsed[], opts: IndexGetOptions): Value {
  const normalize = opts.normalizeIndices ?? true;
  const { indexer } = toGather(expandBoolIndices(indices, x.shape), x.shape, normalize);
  let y = x;
  const fv = opts.fillValue;
  if (fv !== null && fv !== undefined && typeof fv === 'object') {
    throw new TypeError('fill_value argument to indexed get() must be a scalar');
  }
  if (indexer.scalarBoolDims.length) y = lax.expandDims(y, indexer.scalarBoolDims);
  if (indexer.sliceShape.includes(0)) {
    return full(indexer.sliceShape, 0, { dtype: y.dtype });
  }
  if (!indexer.gatherIndices.shape.includes(0)) {
    y = lax.gather(y, indexer.gatherIndices, indexer.dnums, indexer.gatherSliceShape, {
      uniqueIndices: Boolean(opts.uniqueIndices) || indexer.uniqueIndices,
      indicesAreSorted: Boolean(opts.indicesAreSorted) || indexer.indicesAreSorted,
      mode: opts.mode ?? null,
      fillValue: fv ?? null,
    });
  }
  if (indexer.reversedYDims.length) y = lax.rev(y, indexer.reversedYDims);
  if (indexer.newaxisDims.length) y = lax.expandDims(y, indexer.newaxisDims);
  return y;
}

/** JAX's rewriting_take: `x[idx]`. */
export function getitem(x: unknown, idx: NumpyIndex, opts: IndexGetOptions = {}): Value {
  const arr = toValue(x);
  const indices = parseIndices(idx, arr.shape);
  const mode =
    opts.mode === null || opts.mode === undefined
      ? GatherScatterMode.PROMISE_IN_BOUNDS
      : GatherScatterMode.fromAny(opts.mode);
  const normalize = opts.normalizeIndices ?? true;
  const s = staticSlice(arr, indices, mode, normalize);
  if (s) return s;
  const d = dynamicSlice(arr, indices, mode, normalize);
  if (d) return d;
  return gatherPath(arr, indices, opts);
}

/** `x.at[idx].get(opts)`. */
export function atGet(x: unknown, idx: NumpyIndex, opts: IndexGetOptions = {}): Value {
  return getitem(x, idx, opts);
}

// ---- at[].set / add / mul / min / max ------------------------------------------------------------

export interface IndexUpdateOptions {
  mode?: string | GatherScatterMode | null;
  indicesAreSorted?: boolean;
  uniqueIndices?: boolean;
  normalizeIndices?: boolean;
}

const SCATTER_FNS: Record<ScatterKind, typeof lax.scatter> = {
  set: lax.scatter,
  add: lax.scatterAdd,
  mul: lax.scatterMul,
  min: lax.scatterMin,
  max: lax.scatterMax,
};

function intInRange(v: number, dt: DType): boolean {
  if (!Number.isInteger(v)) return false;
  const bits = dt.itemsize * 8;
  const lo = dt.kind === 'i' ? -(2 ** (bits - 1)) : 0;
  const hi = dt.kind === 'i' ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return v >= lo && v <= hi;
}

/** JAX's _scatter_update: `x.at[idx].<kind>(values)`. */
export function atUpdate(
  x: unknown,
  idx: NumpyIndex,
  values: unknown,
  kind: ScatterKind,
  opts: IndexUpdateOptions = {},
): Value {
  const arr = toValue(x);
  const dtype = arr.dtype;
  const weak = arr.weakType;
  let y: Value;
  if (typeof values === 'number' && dtype.isInt && intInRange(values, dtype))
    y = lax.convertElementType(values, dtype);
  else y = toValue(values);
  const indices = expandBoolIndices(parseIndices(idx, arr.shape), arr.shape);
  const { indexer } = toGather(indices, arr.shape, opts.normalizeIndices ?? true);
  if (indexer.sliceShape.includes(0)) return arr;
  let [xp, yp] = promoteArgs(arr, y);
  yp = broadcastTo(yp, indexer.sliceShape);
  if (indexer.newaxisDims.length) yp = lax.squeeze(yp, indexer.newaxisDims);
  if (indexer.reversedYDims.length) yp = lax.rev(yp, indexer.reversedYDims);
  if (indexer.scalarBoolDims.length) xp = lax.expandDims(xp, indexer.scalarBoolDims);
  const dn = indexer.dnums;
  let out = SCATTER_FNS[kind](
    xp,
    indexer.gatherIndices,
    yp,
    {
      update_window_dims: dn.offset_dims,
      inserted_window_dims: dn.collapsed_slice_dims,
      scatter_dims_to_operand_dims: dn.start_index_map,
      operand_batching_dims: dn.operand_batching_dims,
      scatter_indices_batching_dims: dn.start_indices_batching_dims,
    },
    {
      indicesAreSorted: indexer.indicesAreSorted || Boolean(opts.indicesAreSorted),
      uniqueIndices: indexer.uniqueIndices || Boolean(opts.uniqueIndices),
      mode: opts.mode ?? null,
    },
  );
  if (indexer.scalarBoolDims.length) out = lax.squeeze(out, indexer.scalarBoolDims);
  return lax.convertElementType(out, dtype, weak);
}

// ---- take / take_along_axis ----------------------------------------------------------------------

export interface TakeOptions {
  axis?: number | null;
  mode?: 'fill' | 'clip' | 'wrap' | 'raise' | null;
  fillValue?: number | boolean | null;
  uniqueIndices?: boolean;
  indicesAreSorted?: boolean;
}

const takeJit = namedJit(
  '_take',
  function _take(
    a: Value,
    indices: Value,
    axis: number | null,
    mode: string | null,
    fillValue: number | boolean | null,
    uniqueIndices: boolean,
    indicesAreSorted: boolean,
  ): Value {
    let x = a;
    let ix = indices;
    let ax: number;
    if (axis === null) {
      x = lax.reshape(x, [x.size]);
      ax = 0;
    } else ax = normalizeAxis(axis, x.ndim);
    let gmode: GatherScatterMode;
    if (mode === null || mode === 'fill') {
      gmode = GatherScatterMode.FILL_OR_DROP;
      ix = where(less(ix, 0), ix.add(x.shape[ax]), ix);
    } else if (mode === 'raise') {
      throw new Error("The 'raise' mode to jnp.take is not supported.");
    } else if (mode === 'wrap') {
      ix = remainder(ix, lax.convertElementType(x.shape[ax], ix.dtype));
      gmode = GatherScatterMode.PROMISE_IN_BOUNDS;
    } else if (mode === 'clip') {
      gmode = GatherScatterMode.CLIP;
    } else throw new ValueError(`Invalid mode '${mode}' for np.take`);
    const sizes = [...x.shape];
    if (sizes[ax] === 0) {
      if (ix.size !== 0) throw new IndexError('Cannot do a non-empty jnp.take() from an empty axis.');
      return x;
    }
    if (ix.size === 0) {
      return full([...sizes.slice(0, ax), ...ix.shape, ...sizes.slice(ax + 1)], 0, { dtype: x.dtype });
    }
    sizes[ax] = 1;
    const nd = ix.ndim;
    const offsetDims = [
      ...Array.from({ length: ax }, (_, i) => i),
      ...Array.from({ length: x.ndim - ax - 1 }, (_, i) => ax + nd + i),
    ];
    return lax.gather(
      x,
      lax.expandDims(ix, [nd]),
      { offset_dims: offsetDims, collapsed_slice_dims: [ax], start_index_map: [ax] },
      sizes,
      {
        mode: gmode,
        uniqueIndices,
        indicesAreSorted,
        fillValue,
      },
    );
  },
  { staticArgnums: [2, 3, 4, 5, 6] },
);

/** jnp.take(a, indices, {axis, mode, fillValue}): out-of-bounds indices fill (NaN for floats) by default. */
export function take(a: unknown, indices: unknown, opts: TakeOptions = {}): Value {
  const ix = toValue(indices);
  if (!ix.dtype.isInt) throw new TypeError(`take: indices must be of integer type, got ${ix.dtype.name}`);
  return takeJit(
    toValue(a),
    ix,
    opts.axis ?? null,
    opts.mode ?? null,
    opts.fillValue ?? null,
    Boolean(opts.uniqueIndices),
    Boolean(opts.indicesAreSorted),
  );
}

export interface TakeAlongAxisOptions {
  mode?: string | null;
  fillValue?: number | boolean | null;
}

const takeAlongAxisJit = namedJit(
  'take_along_axis',
  function take_along_axis(
    arr: Value,
    indices: Value,
    axis: number | null,
    mode: string | null,
    fillValue: number | boolean | null,
  ): Value {
    let a = arr;
    let ix = indices;
    const idxShape = ix.shape;
    if (!ix.dtype.isInt)
      throw new TypeError(`take_along_axis indices must be of integer type, got ${ix.dtype.name}`);
    let axisIn = axis;
    if (axisIn === null) {
      if (ix.ndim !== 1)
        throw new Error(
          `take_along_axis indices must be 1D if axis=None, got shape (${idxShape.join(', ')})`,
        );
      a = lax.reshape(a, [a.size]);
      axisIn = 0;
    }
    const rank = a.ndim;
    if (rank !== ix.ndim)
      throw new Error(`indices and arr must have the same number of dimensions; ${ix.ndim} vs. ${a.ndim}`);
    const ax = normalizeAxis(axisIn, rank);
    const arrShape = a.shape.map((n, d) => (d === ax ? 1 : n));
    const outShape = broadcastShapesOf(idxShape, arrShape);
    const axisSize = a.shape[ax];
    if (axisSize === 0) return full(outShape, 0, { dtype: a.dtype });
    const wrap = mode !== 'promise_in_bounds';
    if (wrap && ix.dtype.kind !== 'u') ix = lax.select(lax.lt(ix, 0), lax.add(ix, axisSize), ix);
    const indexDims = idxShape.flatMap((n, i) => (i === ax || n !== 1 ? [i] : []));
    ix = lax.reshape(ix, [...indexDims.map((i) => outShape[i]), 1]);
    const sliceSizes: number[] = [];
    const offsetDims: number[] = [];
    const startIndexMap: number[] = [];
    const collapsed: number[] = [];
    const operandBatching: number[] = [];
    const indicesBatching: number[] = [];
    const squeezeDims: number[] = [];
    let ni = 0;
    let j = 0;
    for (let i = 0; i < rank; i++) {
      if (i === ax) {
        sliceSizes.push(1);
        startIndexMap.push(ni);
        collapsed.push(ni);
        ni++;
        j++;
      } else if (idxShape[i] === 1) {
        offsetDims.push(i);
        sliceSizes.push(arrShape[i]);
        ni++;
      } else if (arrShape[i] === 1) {
        squeezeDims.push(i);
        j++;
      } else {
        sliceSizes.push(arrShape[i] === 0 ? 0 : 1);
        operandBatching.push(ni);
        indicesBatching.push(j);
        ni++;
        j++;
      }
    }
    if (squeezeDims.length) a = lax.squeeze(a, squeezeDims);
    return lax.gather(
      a,
      ix,
      {
        offset_dims: offsetDims,
        collapsed_slice_dims: collapsed,
        start_index_map: startIndexMap,
        operand_batching_dims: operandBatching,
        start_indices_batching_dims: indicesBatching,
      },
      sliceSizes,
      { mode: mode ?? 'fill', fillValue },
    );
  },
  { staticArgnums: [2, 3, 4] },
);

/** jnp.take_along_axis(arr, indices, axis = -1, {mode, fillValue}). */
export function take_along_axis(
  arr: unknown,
  indices: unknown,
  axis: number | null = -1,
  opts: TakeAlongAxisOptions = {},
): Value {
  return takeAlongAxisJit(toValue(arr), toValue(indices), axis, opts.mode ?? null, opts.fillValue ?? null);
}
export const takeAlongAxis = take_along_axis;
