/**
 * @file NumPy's shape manipulation on the lax structural wrappers: reshape ravel transpose swapaxes
 * moveaxis squeeze expand_dims concatenate stack hstack vstack dstack column_stack split
 * array_split tile repeat flip fliplr flipud roll broadcast_to broadcast_arrays broadcast_shapes
 * atleast_1d/2d/3d shape ndim size pad triu tril meshgrid append diff ediff1d (insert is in insert.ts).
 *
 * Semantics, argument conventions and error texts follow jax.numpy 0.10.2 (jax/_src/numpy/
 * lax_numpy.py), including its `stack`, `tile` and `split` primitives. Options are passed as a
 * trailing object (`concatenate(xs, { axis: 1 })`).
 */

import { ArrayImpl } from '../core/array.js';
import { isValue, scalarArray } from '../core/coerce.js';
import { type DTypeLike, int32 } from '../core/dtype.js';
import { ConcretizationTypeError } from '../core/errors.js';
import { normalizeAxes, normalizeAxis, shapeTuple, sizeOf } from '../core/shape.js';
import { bind1, isTracer, type Value } from '../core/trace.js';
import { NpInt } from '../ir/pyrepr.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import * as S from '../lax/structural.js';
import { stack as stackP, tile as tileP } from '../primitives/stack.js';
import { jit, namedJit } from '../transforms/jit.js';
import { stackHook } from './creation.js';
import * as uf from './ufuncs.js';
import { alongAxis, asValue, broadcastTo as bcastTo, dtypeOpt, fullLike, promoteArgs } from './util.js';

type In = unknown;
type Axes = number | readonly number[];

function canon(axis: number, ndim: number): number {
  return normalizeAxis(axis, ndim);
}

function axisList(axis: Axes): number[] {
  return typeof axis === 'number' ? [axis] : [...axis];
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

// ---- reshape, ravel, transpose ------------------------------------------------------------------

/** jnp.reshape: one `-1` dimension is inferred from the size. */
export function reshape(a: In, shape: number | readonly number[]): Value {
  const v = asValue(a);
  const req = typeof shape === 'number' ? [shape] : [...shape];
  const unknown = req.filter((d) => d === -1).length;
  if (unknown > 1) {
    throw new TypeError(`can only specify one unknown axis size with a \`-1\` value, got ${shapeTuple(req)}`);
  }
  let out = req;
  if (unknown === 1) {
    const known = sizeOf(req.filter((d) => d !== -1));
    if (known === 0 || v.size % known !== 0) {
      throw new TypeError(
        `cannot reshape array of shape ${shapeTuple(v.shape)} (size ${v.size}) into shape ${shapeTuple(req)} because the product of specified axis sizes (${known}) does not evenly divide ${v.size}`,
      );
    }
    out = req.map((d) => (d === -1 ? v.size / known : d));
  }
  return S.reshape(v, out);
}

export function ravel(a: In): Value {
  const v = asValue(a);
  return S.reshape(v, [v.size]);
}

/** jnp.transpose: reverses the axes by default; an identity permutation is a no-op, as in lax. */
export function transpose(a: In, axes?: readonly number[] | null): Value {
  const v = asValue(a);
  const perm =
    axes === undefined || axes === null ? range(v.ndim).reverse() : axes.map((d) => canon(d, v.ndim));
  if (perm.length === v.ndim && perm.every((d, i) => d === i)) return v;
  return S.transpose(v, perm);
}

/** jnp.permute_dims (the array API's name for transpose with axes). */
export function permute_dims(a: In, axes: readonly number[]): Value {
  return transpose(a, axes);
}
export const permuteDims = permute_dims;

export function swapaxes(a: In, axis1: number, axis2: number): Value {
  const v = asValue(a);
  const n = v.ndim;
  // JAX swaps entries of a NumPy index array, so the error is NumPy's IndexError.
  for (const ax of [axis1, axis2]) {
    if (ax < -n || ax >= n) throw new RangeError(`index ${ax} is out of bounds for axis 0 with size ${n}`);
  }
  const perm = range(n);
  const i = axis1 < 0 ? axis1 + n : axis1;
  const j = axis2 < 0 ? axis2 + n : axis2;
  [perm[i], perm[j]] = [perm[j], perm[i]];
  return transpose(v, perm);
}

export function moveaxis(a: In, source: Axes, destination: Axes): Value {
  const v = asValue(a);
  const src = axisList(source).map((d) => canon(d, v.ndim));
  const dst = axisList(destination).map((d) => canon(d, v.ndim));
  if (src.length !== dst.length) {
    throw new RangeError(`Inconsistent number of elements: ${src.length} vs ${dst.length}`);
  }
  const perm = range(v.ndim).filter((i) => !src.includes(i));
  const pairs = dst.map((d, k) => [d, src[k]] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (const [d, s] of pairs) perm.splice(d, 0, s);
  if (perm.length === v.ndim && perm.every((d, i) => d === i)) return v;
  return S.transpose(v, perm);
}

export function squeeze(a: In, axis?: Axes | null): Value {
  const v = asValue(a);
  const dims =
    axis === undefined || axis === null
      ? range(v.ndim).filter((d) => v.shape[d] === 1)
      : axisList(axis).map((d) => canon(d, v.ndim));
  if (dims.length === 0) return v;
  return S.squeeze(v, dims);
}

export function expand_dims(a: In, axis: Axes): Value {
  const v = asValue(a);
  const dims = axisList(axis);
  const ndim = v.ndim + dims.length;
  const norm = dims.map((d) => canon(d, ndim));
  if (new Set(norm).size !== norm.length) throw new RangeError('repeated axis in lax.expand_dims');
  return S.expandDims(v, norm);
}
export const expandDims = expand_dims;

// ---- joining ------------------------------------------------------------------------------------

export interface JoinOptions {
  axis?: number | null;
  dtype?: DTypeLike | null;
}

function castAll(xs: Value[], dtype: DTypeLike | null | undefined, where: string): Value[] {
  const d = dtypeOpt(dtype, where);
  return d ? xs.map((x) => convertElementType(x, d)) : promoteArgs(...xs);
}

/** jnp.concatenate: dtypes are promoted across the inputs; `axis: null` flattens them first. */
export function concatenate(arrays: readonly In[] | Value, opts: JoinOptions = {}): Value {
  const axis = opts.axis === undefined ? 0 : opts.axis;
  if (isValue(arrays)) return concatenateArray(arrays, axis, opts.dtype);
  if (arrays.length === 0) throw new RangeError('Need at least one array to concatenate.');
  let xs = arrays.map(asValue);
  if (axis === null) return concatenate(xs.map(ravel), { axis: 0, dtype: opts.dtype });
  if (xs[0].ndim === 0) throw new RangeError('Zero-dimensional arrays cannot be concatenated.');
  const ax = canon(axis, xs[0].ndim);
  xs = castAll(xs, opts.dtype, 'concatenate');
  if (xs.length === 1) return xs[0];
  if (xs.some((x) => x.ndim !== xs[0].ndim)) {
    throw new TypeError(
      `Cannot concatenate arrays with different numbers of dimensions: got ${xs.map((x) => shapeTuple(x.shape)).join(', ')}.`,
    );
  }
  return S.concatenate(xs, ax);
}
export const concat = concatenate;

/** concatenate of one array: its leading axis is the list of operands. */
function concatenateArray(arr: Value, axis: number | null, dtype: DTypeLike | null | undefined): Value {
  const d = dtypeOpt(dtype, 'concatenate');
  const v = d ? convertElementType(arr, d) : arr;
  if (v.ndim === 0 || v.shape[0] === 0) throw new RangeError('Need at least one array to concatenate.');
  if (axis === null) return ravel(v);
  if (v.ndim === 1) throw new RangeError('Zero-dimensional arrays cannot be concatenated.');
  const ax = canon(axis, v.ndim - 1);
  const perm = [...range(ax + 1).slice(1), 0, ...range(v.ndim).slice(ax + 1)];
  const shape = [...v.shape.slice(1, ax + 1), v.shape[0] * v.shape[ax + 1], ...v.shape.slice(ax + 2)];
  return S.reshape(transpose(v, perm), shape);
}

/** jnp.stack: join along a new axis (JAX binds its `stack` primitive; this expands and concatenates). */
export function stack(arrays: readonly In[] | Value, opts: JoinOptions = {}): Value {
  const axis = opts.axis ?? 0;
  if (isValue(arrays)) {
    if (arrays.ndim === 0 || arrays.shape[0] === 0) throw new RangeError('Need at least one array to stack.');
    const ax = canon(axis, arrays.ndim);
    return concatenate(expand_dims(arrays, ax + 1), { axis: ax, dtype: opts.dtype });
  }
  if (arrays.length === 0) throw new RangeError('Need at least one array to stack.');
  const xs = castAll(arrays.map(asValue), opts.dtype, 'stack');
  const s0 = xs[0].shape;
  if (xs.some((x) => x.ndim !== s0.length || x.shape.some((n, i) => n !== s0[i]))) {
    throw new RangeError(
      `All input arrays must have the same shape. Got ${xs.map((x) => shapeTuple(x.shape)).join(', ')}.`,
    );
  }
  // JAX 0.10.2's lax.stack: the stack primitive.
  return bind1(stackP, xs, { axis: canon(axis, s0.length + 1) });
}
// jnp.array of a list holding arrays, as JAX's array constructor joins them: each expanded at
// axis 0, then concatenated (in chunks of 16, as JAX forms a tree of concatenations).
stackHook.stack = (xs: Value[]) => {
  let parts = castAll(xs, null, 'array').map((x) => S.expandDims(x, [0]));
  while (parts.length > 16) {
    const chunks: Value[] = [];
    for (let i = 0; i < parts.length; i += 16) chunks.push(S.concatenate(parts.slice(i, i + 16), 0));
    parts = chunks;
  }
  return S.concatenate(parts, 0);
};

export function hstack(arrays: readonly In[], opts: { dtype?: DTypeLike | null } = {}): Value {
  const xs = arrays.map((x) => atleast_1d(x));
  return concatenate(xs, { axis: xs.length && xs[0].ndim === 1 ? 0 : 1, dtype: opts.dtype });
}

export function vstack(arrays: readonly In[], opts: { dtype?: DTypeLike | null } = {}): Value {
  return concatenate(
    arrays.map((x) => atleast_2d(x)),
    { axis: 0, dtype: opts.dtype },
  );
}
export const row_stack = vstack;

export function dstack(arrays: readonly In[], opts: { dtype?: DTypeLike | null } = {}): Value {
  return concatenate(
    arrays.map((x) => atleast_3d(x)),
    { axis: 2, dtype: opts.dtype },
  );
}

export function column_stack(arrays: readonly In[]): Value {
  const xs = arrays.map((x) => {
    const v = asValue(x);
    return v.ndim < 2 ? transpose(atleast_2d(v)) : v;
  });
  return concatenate(xs, { axis: 1 });
}
export const columnStack = column_stack;

const appendJit = namedJit(
  'append',
  function append(arr: Value, values: Value, axis: number | null): Value {
    if (axis === null) return concatenate([ravel(arr), ravel(values)], { axis: 0 });
    return concatenate([arr, values], { axis });
  },
  { staticArgnums: [2] },
);

export function append(arr: In, values: In, opts: { axis?: number | null } = {}): Value {
  return appendJit(asValue(arr), asValue(values), opts.axis ?? null);
}

// ---- splitting ----------------------------------------------------------------------------------

function splitImpl(op: string, a: In, sections: number | readonly number[], axis: number): Value[] {
  const v = asValue(a);
  const ax = canon(axis, v.ndim);
  const n = v.shape[ax];
  let sizes: number[];
  if (typeof sections === 'number') {
    if (!Number.isInteger(sections) || sections <= 0)
      throw new RangeError('number sections must be larger than 0.');
    const part = Math.floor(n / sections);
    const r = n % sections;
    if (r !== 0 && op === 'split')
      throw new RangeError(`array split does not result in an equal division: rest is ${r}`);
    sizes = range(sections).map((i) => part + (i < r ? 1 : 0));
  } else {
    // As JAX: the differences of [0, ...indices, n], unclamped (a decreasing index is an error).
    const bounds = [0, ...sections, n];
    sizes = bounds.slice(1).map((b, k) => b - bounds[k]);
  }
  // JAX computes the sizes with NumPy, so they print as np.int64 in the split equation.
  return S.split(
    v,
    sizes.map((k) => new NpInt(k) as unknown as number),
    ax,
  );
}

/** `split` and `array_split` differ only in whether unequal sections are an error. */
const splitter =
  (op: 'split' | 'array_split') =>
  (a: In, indicesOrSections: number | readonly number[], opts: { axis?: number } = {}): Value[] =>
    splitImpl(op, a, indicesOrSections, opts.axis ?? 0);
export const split = splitter('split');
export const array_split = splitter('array_split');
export const arraySplit = array_split;

export function hsplit(a: In, indicesOrSections: number | readonly number[]): Value[] {
  const v = asValue(a);
  return split(v, indicesOrSections, { axis: v.ndim === 1 ? 0 : 1 });
}
export function vsplit(a: In, indicesOrSections: number | readonly number[]): Value[] {
  return split(a, indicesOrSections, { axis: 0 });
}
export function dsplit(a: In, indicesOrSections: number | readonly number[]): Value[] {
  return split(a, indicesOrSections, { axis: 2 });
}

// ---- tile, repeat -------------------------------------------------------------------------------

/** jnp.tile: reps padded with leading 1s (the array with leading unit axes), then lax.tile. */
export function tile(a: In, reps: number | readonly number[]): Value {
  let v = asValue(a);
  let r = typeof reps === 'number' ? [reps] : [...reps];
  r = [...new Array(Math.max(0, v.ndim - r.length)).fill(1), ...r];
  if (r.length > v.ndim) v = S.expandDims(v, range(r.length - v.ndim));
  return bind1(tileP, [v], { reps: r });
}

function staticInts(x: In, what: string): number[] | number {
  if (typeof x === 'number') return x;
  if (Array.isArray(x)) return x.map(Number);
  if (isTracer(x)) {
    throw new ConcretizationTypeError(
      `${what}`,
      'jnp.repeat with a non-constant `repeats` is not supported.',
    );
  }
  const v = asValue(x);
  const data = (v as ArrayImpl).dataSync();
  return v.ndim === 0 ? Number(data[0]) : Array.from(data as ArrayLike<number | bigint>, Number);
}

/** jnp.repeat with static repeats (an int, or a concrete list/array of ints along the axis). */
export function repeat(
  a: In,
  repeats: In,
  opts: { axis?: number | null; totalRepeatLength?: number | null } = {},
): Value {
  const [v, ax] = alongAxis(asValue(a), opts.axis);
  const n = v.shape[ax];
  let reps = staticInts(repeats, 'repeats');
  if (Array.isArray(reps) && reps.length === 1) reps = reps[0];
  const total = opts.totalRepeatLength ?? null;
  if (typeof reps === 'number') {
    const out = [...v.shape];
    out[ax] = n * reps;
    const wide = [...v.shape.slice(0, ax + 1), reps, ...v.shape.slice(ax + 1)];
    const dims = v.shape.map((_, i) => (i <= ax ? i : i + 1));
    let r = S.reshape(S.broadcastInDim(v, wide, dims), out);
    if (total !== null) r = fitLength(r, ax, total);
    return r;
  }
  if (reps.length !== n) {
    throw new RangeError(`operands could not be broadcast together with shape (${n},) (${reps.length},)`);
  }
  const parts: Value[] = [];
  reps.forEach((k, i) => {
    if (k <= 0) return;
    const sl = S.sliceInDim(v, i, i + 1, 1, ax);
    const shape = [...v.shape];
    shape[ax] = k;
    parts.push(k === 1 ? sl : bcastTo(sl, shape));
  });
  let r: Value;
  if (parts.length === 0) r = S.sliceInDim(v, 0, 0, 1, ax);
  else r = parts.length === 1 ? parts[0] : S.concatenate(parts, ax);
  return total !== null ? fitLength(r, ax, total) : r;
}

/** total_repeat_length: cut the result, or extend it with copies of its last slice. */
function fitLength(r: Value, ax: number, total: number): Value {
  const m = r.shape[ax];
  if (m === total) return r;
  if (m > total) return S.sliceInDim(r, 0, total, 1, ax);
  const last = m > 0 ? S.sliceInDim(r, m - 1, m, 1, ax) : convertElementType(0, r.dtype, r.weakType);
  const shape = [...r.shape];
  shape[ax] = total - m;
  return S.concatenate([r, bcastTo(last, shape)], ax);
}

// ---- flip, roll ---------------------------------------------------------------------------------

/** JAX's `_flip`, jitted with a static axis (jaxprs show `jit[name=_flip ...]`). */
const flipJit = namedJit(
  '_flip',
  function _flip(v: Value, axis: Axes | null): Value {
    return S.rev(v, axis === null ? range(v.ndim) : normalizeAxes(axis, v.ndim));
  },
  { staticArgnums: [1] },
);

export function flip(a: In, opts: { axis?: Axes | null } | number | readonly number[] = {}): Value {
  const axis =
    typeof opts === 'number' || Array.isArray(opts) ? (opts as Axes) : (opts as { axis?: Axes | null }).axis;
  return flipJit(asValue(a), axis ?? null);
}

export function fliplr(a: In): Value {
  return flip(a, { axis: 1 });
}

export function flipud(a: In): Value {
  return flip(a, { axis: 0 });
}

/** jnp.roll: a static shift is two slices and a concatenate per axis, as JAX's _roll_static. */
export function roll(
  a: In,
  shift: number | readonly number[] | Value,
  opts: { axis?: Axes | null } = {},
): Value {
  const v = asValue(a);
  const axis = opts.axis ?? null;
  if (axis === null) return S.reshape(roll(ravel(v), shift, { axis: 0 }), v.shape);
  const axes = axisList(axis).map((d) => canon(d, v.ndim));
  if (isValue(shift) && !(shift instanceof ArrayImpl && shift.hostCache)) return rollDynamic(v, shift, axes);
  const shifts = isValue(shift)
    ? Array.from((shift as ArrayImpl).dataSync() as ArrayLike<number>, Number)
    : axisList(shift as Axes);
  const n = Math.max(axes.length, shifts.length);
  if (axes.length !== n && axes.length !== 1)
    throw new RangeError('shift and axis must have the same length');
  if (shifts.length !== n && shifts.length !== 1)
    throw new RangeError('shift and axis must have the same length');
  return rollStaticJit(v, shifts, axes);
}

/** JAX's `_roll_static`: per axis, two slice_in_dims and a concatenate. */
const rollStaticJit = namedJit(
  '_roll_static',
  function _roll_static(v: Value, shifts: number[], axes: number[]): Value {
    const n = Math.max(axes.length, shifts.length);
    let r = v;
    for (let k = 0; k < n; k++) {
      const ax = axes[axes.length === 1 ? 0 : k];
      const s = shifts[shifts.length === 1 ? 0 : k];
      const size = r.shape[ax];
      if (size === 0) continue;
      const i = ((-s % size) + size) % size;
      r = S.concatenate([S.sliceInDim(r, i, size, 1, ax), S.sliceInDim(r, 0, i, 1, ax)], ax);
    }
    return r;
  },
  { staticArgnums: [1, 2] },
);

/** A traced shift: the array twice, then a dynamic slice at (-shift) mod n (JAX's _roll_dynamic). */
function rollDynamic(v: Value, shift: Value, axes: number[]): Value {
  let r = v;
  const sh =
    shift.ndim === 0
      ? axes.map(() => shift)
      : axes.map((_, k) => S.squeeze(S.sliceInDim(shift, k, k + 1), [0]));
  axes.forEach((ax, k) => {
    const size = r.shape[ax];
    if (size === 0) return;
    const s = convertElementType(sh[k], 'int32');
    const neg = lax.rem(lax.neg(s), size);
    const start = lax.select(lax.lt(neg, 0), lax.add(neg, size), neg);
    const twice = S.concatenate([r, r], ax);
    const starts = r.shape.map((_, d) => (d === ax ? start : 0));
    r = S.dynamicSlice(twice, starts, r.shape, { allowNegativeIndices: false });
  });
  return r;
}

// ---- broadcasting -------------------------------------------------------------------------------

export function broadcast_shapes(...shapes: readonly (number | readonly number[])[]): number[] {
  const ss = shapes.map((s) => (typeof s === 'number' ? [s] : [...s]));
  const rank = Math.max(0, ...ss.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of ss) {
    const off = rank - s.length;
    s.forEach((d, i) => {
      const o = out[off + i];
      if (o === 1) out[off + i] = d;
      else if (d !== 1 && d !== o) {
        throw new RangeError(
          `Incompatible shapes for broadcasting: shapes=[${ss.map(shapeTuple).join(', ')}]`,
        );
      }
    });
  }
  return out;
}
export const broadcastShapes = broadcast_shapes;

export function broadcast_to(a: In, shape: number | readonly number[]): Value {
  const v = asValue(a);
  const target = typeof shape === 'number' ? [shape] : [...shape];
  const off = target.length - v.ndim;
  if (off < 0 || v.shape.some((n, i) => n !== 1 && n !== target[i + off])) {
    throw new RangeError(
      `Incompatible types for broadcasting: input type=${v.dtype.name}[${v.shape.join(',')}] and requested type=${v.dtype.name}[${target.join(',')}]`,
    );
  }
  return bcastTo(v, target);
}
export const broadcastTo = broadcast_to;

export function broadcast_arrays(...arrays: In[]): Value[] {
  const vs = arrays.map(asValue);
  const shape = broadcast_shapes(...vs.map((v) => v.shape));
  return vs.map((v) => bcastTo(v, shape));
}
export const broadcastArrays = broadcast_arrays;

// ---- atleast_nd ---------------------------------------------------------------------------------

/** jnp.array(x, ndmin=n): leading axes of size 1 (an expand_dims). */
function ndmin(v: Value, n: number): Value {
  return v.ndim >= n ? v : S.expandDims(v, range(n - v.ndim));
}
function atleast3(v: Value): Value {
  if (v.ndim === 0) return S.expandDims(v, [0, 1, 2]);
  if (v.ndim === 1) return S.expandDims(v, [0, 2]);
  if (v.ndim === 2) return S.expandDims(v, [2]);
  return v;
}

type AtLeast = {
  (a: In): Value;
  (a: In, b: In, ...rest: In[]): Value[];
};

/** JAX's jitted atleast_Nd: one call over all the arguments (jaxprs show `jit[name=atleast_2d ...]`). */
function atleastFn(name: string, f: (v: Value) => Value): AtLeast {
  const jf = jit({ [name]: (...xs: Value[]) => (xs.length === 1 ? f(xs[0]) : xs.map(f)) }[name]);
  return ((...xs: In[]) => jf(...xs.map(asValue))) as AtLeast;
}

export const atleast_1d = atleastFn('atleast_1d', (v) => ndmin(v, 1));
export const atleast_2d = atleastFn('atleast_2d', (v) => ndmin(v, 2));
export const atleast_3d = atleastFn('atleast_3d', atleast3);
export const atleast1d = atleast_1d;
export const atleast2d = atleast_2d;
export const atleast3d = atleast_3d;

// ---- shape queries ------------------------------------------------------------------------------

export function shape(a: In): number[] {
  return asValue(a).shape;
}

export function ndim(a: In): number {
  return asValue(a).ndim;
}

export function size(a: In, axis?: number | null): number {
  const v = asValue(a);
  return axis === undefined || axis === null ? v.size : v.shape[canon(axis, v.ndim)];
}

// jnp.pad lives in pad.ts (it uses repeat from here), exported by namespace.ts.

// ---- triangles, meshgrid --------------------------------------------------------------------------

/** lax's _tri: `iota(0) + k >= iota(1)` as a bool mask of shape (n, m). */
function triBool(n: number, m: number, k: number): Value {
  const rows = lax.add(S.broadcastedIota('int32', [n, m], 0), scalarArray(k, int32));
  return lax.ge(rows, S.broadcastedIota('int32', [n, m], 1));
}

/** JAX's tril/triu: the tri mask broadcast over leading axes, and a select with zeros_like. */
function triMask(v: Value, k: number, name: string, lower: boolean): Value {
  if (v.ndim < 2) throw new RangeError(`Argument to jax.numpy.${name} must be at least 2D`);
  const [n, m] = v.shape.slice(-2);
  const mask = S.broadcast(triBool(n, m, lower ? k : k - 1), v.shape.slice(0, -2));
  const zero = fullLike(v, 0);
  return lower ? lax.select(mask, v, zero) : lax.select(mask, zero, v);
}

const trilJit = namedJit(
  'tril',
  function tril(m: Value, k: number): Value {
    return triMask(m, k, 'tril', true);
  },
  { staticArgnums: [1] },
);
const triuJit = namedJit(
  'triu',
  function triu(m: Value, k: number): Value {
    return triMask(m, k, 'triu', false);
  },
  { staticArgnums: [1] },
);

export function tril(m: In, k = 0): Value {
  return trilJit(asValue(m), k);
}

export function triu(m: In, k = 0): Value {
  return triuJit(asValue(m), k);
}

export interface MeshgridOptions {
  indexing?: 'xy' | 'ij';
  sparse?: boolean;
}

function isOptions(x: unknown): x is MeshgridOptions {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !isValue(x) && !ArrayBuffer.isView(x);
}

/** jnp.meshgrid(x1, x2, ..., { indexing: 'xy' | 'ij', sparse }). */
export function meshgrid(...args: (In | MeshgridOptions)[]): Value[] {
  const opts: MeshgridOptions =
    args.length && isOptions(args[args.length - 1]) ? (args.pop() as MeshgridOptions) : {};
  const indexing = opts.indexing ?? 'xy';
  if (indexing !== 'xy' && indexing !== 'ij') {
    throw new RangeError(`Valid values for indexing are 'xy' and 'ij', got ${String(indexing)}`);
  }
  const xs = args.map(asValue);
  if (xs.some((x) => x.ndim !== 1)) {
    throw new RangeError(
      `Arguments to jax.numpy.meshgrid must be 1D, got shapes [${xs.map((x) => shapeTuple(x.shape)).join(', ')}]`,
    );
  }
  const lens = xs.map((x) => x.shape[0]);
  const shape = [...lens];
  if (indexing === 'xy' && xs.length >= 2) [shape[0], shape[1]] = [shape[1], shape[0]];
  return xs.map((x, i) => {
    const d = indexing === 'xy' && xs.length >= 2 && i < 2 ? 1 - i : i;
    if (opts.sparse) {
      const s = shape.map((_, j) => (j === d ? lens[i] : 1));
      return S.reshape(x, s);
    }
    return S.broadcastInDim(x, shape, [d]);
  });
}

// ---- differences --------------------------------------------------------------------------------

export interface DiffOptions {
  n?: number;
  axis?: number;
  prepend?: In | null;
  append?: In | null;
}

export function diff(a: In, opts: DiffOptions = {}): Value {
  const edges = [opts.prepend, opts.append].map((e) => (e === undefined || e === null ? null : asValue(e)));
  return diffJit(asValue(a), edges[0], edges[1], opts.n ?? 1, opts.axis ?? -1);
}

/** JAX's jitted diff (static n and axis): `arr[1:] - arr[:-1]` along the axis, n times. */
const diffJit = namedJit(
  'diff',
  function diff(a: Value, prepend: Value | null, append: Value | null, n: number, axis: number): Value {
    return diffImpl(a, { n, axis, prepend, append });
  },
  { staticArgnums: [3, 4] },
);

function diffImpl(a: Value, opts: DiffOptions): Value {
  let v = a;
  const n = opts.n ?? 1;
  if (v.ndim === 0) {
    throw new RangeError(`diff requires input that is at least one dimensional; got ${v.aval.toString()}`);
  }
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`order must be non-negative but got ${n}`);
  if (n === 0) return v;
  const ax = canon(opts.axis ?? -1, v.ndim);
  const edge = (x: In | null | undefined): Value[] => {
    if (x === undefined || x === null) return [];
    let e = asValue(x);
    if (e.ndim === 0) {
      const shape = [...v.shape];
      shape[ax] = 1;
      e = bcastTo(e, shape);
    }
    return [e];
  };
  const pre = edge(opts.prepend);
  const post = edge(opts.append);
  if (pre.length || post.length) v = concatenate([...pre, v, ...post], { axis: ax });
  for (let k = 0; k < n; k++) {
    const m = v.shape[ax];
    // arr[slice1] and arr[slice2]: static slices (strides None), as JAX's indexing binds them.
    const bound = (lo: number, hi: number) =>
      S.slice(
        v,
        v.shape.map((_, d) => (d === ax ? lo : 0)),
        v.shape.map((s, d) => (d === ax ? hi : s)),
      );
    const hi = bound(Math.min(1, m), m);
    const lo = bound(0, Math.max(m - 1, 0));
    v = v.dtype.isBool ? uf.not_equal(hi, lo) : uf.subtract(hi, lo);
  }
  return v;
}

const ediff1dJit = namedJit(
  'ediff1d',
  function ediff1d(ary: Value, toEnd: Value | null, toBegin: Value | null): Value {
    const v = ravel(ary);
    const m = v.shape[0];
    let r = lax.sub(S.slice(v, [Math.min(1, m)], [m]), S.slice(v, [0], [Math.max(m - 1, 0)]));
    if (toBegin !== null) r = concatenate([ravel(convertElementType(toBegin, v.dtype)), r]);
    if (toEnd !== null) r = concatenate([r, ravel(convertElementType(toEnd, v.dtype))]);
    return r;
  },
);

export function ediff1d(ary: In, opts: { toEnd?: In | null; toBegin?: In | null } = {}): Value {
  const opt = (x: In | null | undefined) => (x === undefined || x === null ? null : asValue(x));
  return ediff1dJit(asValue(ary), opt(opts.toEnd), opt(opts.toBegin));
}
