/**
 * @file Rearranging, selecting and updating arrays: jnp.block, delete, resize, rollaxis, rot90,
 * unstack, cumulative_sum/cumulative_prod, compress, extract, choose, select, place, put and
 * put_along_axis, as JAX 0.10.2 writes them (jax/_src/numpy/lax_numpy.py, indexing.py,
 * reductions.py). Functions whose result length depends on values (delete with an index array,
 * compress and extract without `size`, choose in mode 'raise') need concrete inputs, as in JAX;
 * the updating functions return a new array and take `inplace: false`, since arrays are immutable.
 */
import { type ArrayImpl, hostScalar } from '../core/array.js';
import { ConcretizationTypeError } from '../core/errors.js';
import { normalizeAxis, shapeTuple } from '../core/shape.js';
import { isTracer, type Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { full } from '../lax/fill.js';
import * as S from '../lax/structural.js';
import { namedJit } from '../transforms/jit.js';
import { nonzero } from './compare.js';
import { arange, array, zerosLike } from './creation.js';
import { NotImplementedError, ValueError } from './errors.js';
import { indices, tileToSize } from './grids.js';
import { unravel_index } from './index-tricks.js';
import { atUpdate, getitem, sl } from './indexing.js';
import { any, sum } from './reductions.js';
import {
  broadcast_arrays,
  broadcast_to,
  concatenate,
  expand_dims,
  flip,
  moveaxis,
  ravel,
  reshape,
  stack,
  tile,
  transpose,
} from './shapes.js';
import { argmax, argsort, cumprod, cumsum, sort } from './sorting.js';
import * as uf from './ufuncs.js';
import { asValue, promoteArgs } from './util.js';

function concrete(x: Value, what: string): void {
  if (isTracer(x)) throw new ConcretizationTypeError(x.aval.toString(), what);
}

type Nested = unknown;

/** JAX's _block: concatenate nested lists along -depth, innermost last. */
function blockRec(xs: Nested): [Value, number] {
  if (!Array.isArray(xs)) return [asValue(xs), 1];
  if (xs.length === 0) throw new ValueError('jax.numpy.block does not allow empty list arguments');
  const parts = xs.map(blockRec);
  const depths = parts.map((p) => p[1]);
  if (depths.some((d) => d !== depths[0])) throw new ValueError('Mismatched list depths in jax.numpy.block');
  const rank = Math.max(depths[0], ...parts.map((p) => p[0].ndim));
  const vals = parts.map(([v]) =>
    v.ndim < rank ? reshape(v, [...new Array(rank - v.ndim).fill(1), ...v.shape]) : v,
  );
  return [concatenate(vals, { axis: -depths[0] }), depths[0] + 1];
}

const blockJit = namedJit('block', function block(arrays: Nested): Value {
  return blockRec(arrays)[0];
});

/** jnp.block(arrays): an array assembled from nested lists of blocks. */
export function block(arrays: Nested): Value {
  return blockJit(arrays);
}

export interface DeleteOptions {
  axis?: number | null;
  assumeUniqueIndices?: boolean;
}

/** jnp.delete(arr, obj, {axis, assumeUniqueIndices}): arr without the entries obj names. */
export function delete_(arr: unknown, obj: unknown, opts: DeleteOptions = {}): Value {
  let a = asValue(arr);
  let axis: number;
  if (opts.axis === undefined || opts.axis === null) {
    a = ravel(a);
    axis = 0;
  } else axis = normalizeAxis(opts.axis, a.ndim);
  const n = a.shape[axis];
  const pre = new Array(axis).fill(sl());
  if (typeof obj === 'number') {
    const i = normalizeAxis(obj, n);
    return concatenate([getitem(a, [...pre, sl(0, i)]), getitem(a, [...pre, sl(i + 1, null)])], { axis });
  }
  let unique = opts.assumeUniqueIndices ?? false;
  let o: Value;
  if (obj !== null && typeof obj === 'object' && 'start' in (obj as object) && !('aval' in (obj as object))) {
    o = getitem(arange(n), [obj as never]);
    unique = true;
  } else o = asValue(obj);
  if (o.dtype.isInt && unique) {
    let idx = ravel(o);
    idx = uf.clip(uf.where(uf.less(idx, 0), uf.add(idx, n), idx), 0, n);
    idx = sort(idx);
    idx = uf.subtract(idx, arange(idx.shape[0], { dtype: idx.dtype }));
    let i = arange(n - idx.size, { dtype: idx.dtype });
    i = uf.add(
      i,
      sum(uf.greater_equal(getitem(i, [null, sl()]), getitem(idx, [sl(), null])), {
        axis: 0,
        dtype: i.dtype,
      }),
    );
    return getitem(a, [...pre, i]);
  }
  concrete(o, "'obj' array argument of jnp.delete()");
  let mask: Value;
  if (o.dtype.isInt) {
    const keep = new Array<boolean>(n).fill(true);
    const data = Array.from((o as ArrayImpl).dataSync() as ArrayLike<number>, Number);
    for (const j of data) keep[j < 0 ? j + n : j] = false;
    mask = array(keep);
  } else if (o.dtype.isBool) {
    if (o.ndim !== 1 || o.shape[0] !== n) {
      throw new ValueError(
        'np.delete(arr, obj): for boolean indices, obj must be one-dimensional with length matching specified axis.',
      );
    }
    mask = uf.logical_not(o);
  } else throw new ValueError(`np.delete(arr, obj): got obj.dtype=${o.dtype.name}; must be integer or bool.`);
  return getitem(a, [...pre, mask]);
}
export { delete_ as delete };

const resizeJit = namedJit(
  'resize',
  function resize(a: Value, shape: number[]): Value {
    if (shape.some((d) => d < 0)) throw new ValueError('all elements of `new_shape` must be non-negative');
    let arr = ravel(a);
    const size = shape.reduce((p, q) => p * q, 1);
    if (arr.size === 0 || size === 0) return zerosLike(arr, { shape });
    arr = getitem(tile(arr, Math.ceil(size / arr.size)), [sl(null, size)]);
    return reshape(arr, shape);
  },
  { staticArgnums: [1] },
);

/** jnp.resize(a, newShape): a repeated (C order) to fill the new shape. */
export function resize(a: unknown, newShape: number | readonly number[]): Value {
  return resizeJit(asValue(a), typeof newShape === 'number' ? [newShape] : [...newShape]);
}

const rollaxisJit = namedJit(
  'rollaxis',
  function rollaxis(a: Value, axis0: number, start0: number): Value {
    const nd = a.ndim;
    const axis = normalizeAxis(axis0, nd);
    if (!(-nd <= start0 && start0 <= nd))
      throw new ValueError(`start=${start0} must satisfy ${-nd}<=start<=${nd}`);
    let start = start0 < 0 ? start0 + nd : start0;
    if (start > axis) start -= 1;
    return moveaxis(a, axis, start);
  },
  { staticArgnums: [1, 2] },
);

/** jnp.rollaxis(a, axis, {start}): move `axis` to before `start`. */
export function rollaxis(a: unknown, axis: number, opts: { start?: number } = {}): Value {
  return rollaxisJit(asValue(a), axis, opts.start ?? 0);
}

const rot90Jit = namedJit(
  'rot90',
  function rot90(m: Value, k0: number, axes: [number, number]): Value {
    if (m.ndim < 2) {
      throw new ValueError(
        `rot90 requires its first argument to have ndim at least two, but got first argument of shape ${shapeTuple(m.shape)}, which has ndim ${m.ndim}`,
      );
    }
    const ax1 = normalizeAxis(axes[0], m.ndim);
    const ax2 = normalizeAxis(axes[1], m.ndim);
    if (ax1 === ax2) throw new ValueError('Axes must be different');
    const k = ((k0 % 4) + 4) % 4;
    if (k === 0) return m;
    if (k === 2) return flip(flip(m, ax1), ax2);
    const perm = [...Array(m.ndim).keys()];
    [perm[ax1], perm[ax2]] = [perm[ax2], perm[ax1]];
    return k === 1 ? transpose(flip(m, ax2), perm) : flip(transpose(m, perm), ax2);
  },
  { staticArgnums: [1, 2] },
);

/** jnp.rot90(m, {k, axes}): rotate by 90 degrees k times in the plane of `axes`. */
export function rot90(m: unknown, opts: { k?: number; axes?: [number, number] } = {}): Value {
  return rot90Jit(asValue(m), opts.k ?? 1, opts.axes ? ([...opts.axes] as [number, number]) : [0, 1]);
}

/** jnp.unstack(x, {axis}): the slices along `axis`, as a list. */
export function unstack(x: unknown, opts: { axis?: number } = {}): Value[] {
  const v = asValue(x);
  const axis = normalizeAxis(opts.axis ?? 0, v.ndim);
  return [...Array(v.shape[axis]).keys()].map((i) => S.squeeze(S.sliceInDim(v, i, i + 1, 1, axis), [axis]));
}

export interface CumulativeOptions {
  axis?: number | null;
  dtype?: string | null;
  includeInitial?: boolean;
}

function cumulativeApi(name: string, kind: 'sum' | 'prod', x0: unknown, opts: CumulativeOptions): Value {
  const x = asValue(x0);
  if (x.ndim === 0) {
    throw new ValueError(
      `The input must be non-scalar to take a cumulative ${kind === 'sum' ? 'sum' : 'product'}, however a scalar value or scalar array was given.`,
    );
  }
  let axis = opts.axis ?? null;
  if (axis === null) {
    axis = 0;
    if (x.ndim > 1) {
      throw new ValueError(
        `The input array has rank ${x.ndim}, however axis was not set to an explicit value. The axis argument is only optional for one-dimensional arrays.`,
      );
    }
  }
  axis = normalizeAxis(axis, x.ndim);
  // cumulative_sum promotes small integers (JAX's _cumsum_with_promotion); cumulative_prod does not.
  const promoted = kind === 'sum' && opts.dtype == null ? promoteSmallInt(x) : x;
  let out = (kind === 'sum' ? cumsum : cumprod)(promoted, { axis, dtype: opts.dtype ?? null });
  if (opts.includeInitial) {
    const shape = [...x.shape];
    shape[axis] = 1;
    out = S.concatenate([full(shape, kind === 'sum' ? 0 : 1, out.dtype), out], axis);
  }
  void name;
  return out;
}

/** Bools and integers narrower than the default int sum in it (unsigned ones in the default uint). */
function promoteSmallInt(x: Value): Value {
  if (x.dtype.isBool) return convertElementType(x, 'int32');
  if (x.dtype.kind === 'i' && x.dtype.itemsize < 4) return convertElementType(x, 'int32');
  if (x.dtype.kind === 'u' && x.dtype.itemsize < 4) return convertElementType(x, 'uint32');
  return x;
}

/** jnp.cumulative_sum(x, {axis, dtype, includeInitial}): the array API's cumsum. */
export function cumulative_sum(x: unknown, opts: CumulativeOptions = {}): Value {
  return cumulativeApi('cumulative_sum', 'sum', x, opts);
}
/** jnp.cumulative_prod(x, {axis, dtype, includeInitial}): the array API's cumprod. */
export function cumulative_prod(x: unknown, opts: CumulativeOptions = {}): Value {
  return cumulativeApi('cumulative_prod', 'prod', x, opts);
}
export const cumulativeSum = cumulative_sum;
export const cumulativeProd = cumulative_prod;

export interface CompressOptions {
  axis?: number | null;
  size?: number | null;
  fillValue?: unknown;
}

/** jnp.compress(condition, a, {axis, size, fillValue}): the slices of a where condition holds. */
export function compress(condition: unknown, a: unknown, opts: CompressOptions = {}): Value {
  let cond = convertElementType(asValue(condition), 'bool');
  let arr = asValue(a);
  if (cond.ndim !== 1) throw new ValueError('condition must be a 1D array');
  let axis: number;
  if (opts.axis === undefined || opts.axis === null) {
    axis = 0;
    arr = ravel(arr);
  } else {
    axis = opts.axis;
    arr = moveaxis(arr, axis, 0);
  }
  const extra = getitem(cond, [sl(arr.shape[0], null)]);
  cond = getitem(cond, [sl(null, arr.shape[0])]);
  arr = getitem(arr, [sl(null, cond.shape[0])]);
  let result: Value;
  const size = opts.size ?? null;
  if (size === null) {
    concrete(cond, 'The error arose in jnp.compress()');
    if (hostScalar(any(extra) as ArrayImpl))
      throw new ValueError('condition contains entries that are out of bounds');
    result = getitem(arr, [cond]);
  } else if (!(size >= 0 && size <= arr.shape[0])) {
    throw new ValueError(
      `size must be positive and not greater than the size of the array axis; got size=${size} for a.shape[axis]=${arr.shape[0]}`,
    );
  } else {
    const mask = expand_dims(
      cond,
      [...Array(arr.ndim - 1).keys()].map((i) => i + 1),
    );
    arr = uf.where(mask, arr, array(opts.fillValue ?? 0, { dtype: arr.dtype }));
    result = getitem(getitem(arr, [argsort(cond, { stable: true, descending: true })]), [sl(null, size)]);
  }
  return moveaxis(result, 0, axis);
}

/** jnp.extract(condition, arr, {size, fillValue}): compress of the flattened arrays. */
export function extract(condition: unknown, arr: unknown, opts: Omit<CompressOptions, 'axis'> = {}): Value {
  return compress(ravel(asValue(condition)), ravel(asValue(arr)), {
    size: opts.size,
    fillValue: opts.fillValue ?? 0,
  });
}

/** jnp.choose(a, choices, {mode}): choices[a[i]][i] for each i (broadcast). */
export function choose(
  a0: unknown,
  choices0: readonly unknown[] | Value,
  opts: { mode?: string; out?: null } = {},
): Value {
  if (opts.out !== undefined && opts.out !== null)
    throw new NotImplementedError("The 'out' argument to jnp.choose is not supported.");
  const a = asValue(a0);
  const choices = Array.isArray(choices0) ? choices0.map(asValue) : unstack(choices0);
  if (!a.dtype.isInt) throw new ValueError('`a` array must be integer typed');
  const N = choices.length;
  const mode = opts.mode ?? 'raise';
  let arr: Value;
  if (mode === 'raise') {
    concrete(
      a,
      "The error occurred because jnp.choose was jit-compiled with mode='raise'. Use mode='wrap' or mode='clip' instead.",
    );
    if (hostScalar(any(uf.logical_or(uf.less(a, 0), uf.greater_equal(a, N))) as ArrayImpl)) {
      throw new ValueError('invalid entry in choice array');
    }
    arr = a;
  } else if (mode === 'wrap') arr = uf.remainder(a, N);
  else if (mode === 'clip') arr = uf.clip(a, 0, N - 1);
  else throw new ValueError(`mode='${mode}' not understood. Must be 'raise', 'wrap', or 'clip'`);
  const [b, ...cs] = broadcast_arrays(arr, ...choices);
  return getitem(stack(cs), [b, ...(indices(b.shape, { sparse: true }) as Value[])]);
}

/** jnp.select(condlist, choicelist, {default}): the first choice whose condition holds. */
export function select(
  condlist: readonly unknown[],
  choicelist: readonly unknown[],
  opts: { default?: unknown } = {},
): Value {
  if (condlist.length !== choicelist.length) {
    throw new ValueError(
      `condlist must have length equal to choicelist (${condlist.length} vs ${choicelist.length})`,
    );
  }
  if (condlist.length === 0) throw new ValueError('condlist must be non-empty');
  const conds = condlist.map(asValue);
  const choices = promoteArgs(opts.default ?? 0, ...choicelist);
  const conditions = stack(broadcast_arrays(asValue(false), ...conds));
  const idx = argmax(convertElementType(conditions, 'bool'), { axis: 0 });
  const [i, ...cs] = broadcast_arrays(idx, ...choices);
  return lax.selectN(i, ...cs);
}

function checkNotInplace(name: string, inplace: boolean | undefined): void {
  if (inplace ?? true) {
    throw new ValueError(
      `jax.numpy.${name} cannot modify arrays in-place, because JAX arrays are immutable. Pass inplace=False to instead return an updated array.`,
    );
  }
}

/** jnp.place(arr, mask, vals, {inplace: false}): arr with vals placed, in order, where mask is true. */
export function place(arr: unknown, mask: unknown, vals: unknown, opts: { inplace?: boolean } = {}): Value {
  const data = asValue(arr);
  const m = asValue(mask);
  let v = ravel(asValue(vals));
  checkNotInplace('place', opts.inplace);
  if (data.size !== m.size) throw new ValueError('place: arr and mask must be the same size');
  if (!v.size) throw new ValueError('Cannot place values from an empty array');
  if (!data.size) return data;
  const idx = nonzero(ravel(m), { size: m.size, fillValue: m.size })[0];
  v = tileToSize(v, idx.shape[0]);
  return reshape(atUpdate(ravel(data), [idx], v, 'set', { mode: 'drop' }), data.shape);
}

/** jnp.put(a, ind, v, {mode, inplace: false}): a with the flat positions ind set to v. */
export function put(
  a: unknown,
  ind: unknown,
  v: unknown,
  opts: { mode?: string | null; inplace?: boolean } = {},
): Value {
  checkNotInplace('put', opts.inplace);
  const arr = asValue(a);
  let idx = ravel(asValue(ind));
  let vv = ravel(asValue(v));
  if (!arr.size || !idx.size || !vv.size) return arr;
  vv = tileToSize(vv, idx.shape[0]);
  const mode = opts.mode ?? null;
  let scatterMode: string;
  if (mode === null) scatterMode = 'drop';
  else if (mode === 'clip') {
    idx = uf.clip(idx, 0, arr.size - 1);
    scatterMode = 'promise_in_bounds';
  } else if (mode === 'wrap') {
    idx = uf.remainder(idx, arr.size);
    scatterMode = 'promise_in_bounds';
  } else if (mode === 'raise') throw new NotImplementedError("The 'raise' mode to jnp.put is not supported.");
  else throw new ValueError(`mode should be one of 'wrap' or 'clip'; got mode='${mode}'`);
  return atUpdate(arr, unravel_index(idx, arr.shape), vv, 'set', { mode: scatterMode });
}

const putAlongAxisJit = namedJit(
  'put_along_axis',
  function put_along_axis(
    arr0: Value,
    ind: Value,
    values0: Value,
    axis0: number | null,
    mode: string | null,
  ): Value {
    let arr = arr0;
    let axis = axis0;
    if (axis === null) {
      arr = ravel(arr);
      axis = 0;
    }
    if (arr.ndim !== ind.ndim) {
      throw new ValueError(
        `put_along_axis arguments 'arr' and 'indices' must have same ndim. Got arr.ndim=${arr.ndim} and indices.ndim=${ind.ndim}.`,
      );
    }
    let values: Value;
    try {
      values = broadcast_to(values0, ind.shape);
    } catch {
      throw new ValueError(
        `put_along_axis argument 'values' must be broadcastable to 'indices'. Got values.shape=${shapeTuple(values0.shape)} and indices.shape=${shapeTuple(ind.shape)}.`,
      );
    }
    const ax = axis < 0 ? axis + arr.ndim : axis;
    const idx = indices(arr.shape, { sparse: true }) as Value[];
    idx[ax] = ind;
    const result = atUpdate(arr, idx, values, 'set', { mode });
    return axis0 === null ? reshape(result, arr0.shape) : result;
  },
  { staticArgnums: [3, 4] },
);

/** jnp.put_along_axis(arr, indices, values, axis, {mode, inplace: false}). */
export function put_along_axis(
  arr: unknown,
  ind: unknown,
  values: unknown,
  axis: number | null,
  opts: { inplace?: boolean; mode?: string | null } = {},
): Value {
  if (opts.inplace ?? true) {
    throw new ValueError(
      // JAX's text, with its missing space ("arraysare").
      'jax.numpy.put_along_axis cannot modify arrays in-place, because JAX arraysare immutable. Pass inplace=False to instead return an updated array.',
    );
  }
  return putAlongAxisJit(asValue(arr), asValue(ind), asValue(values), axis, opts.mode ?? null);
}
export const putAlongAxis = put_along_axis;
