/**
 * @file NumPy's set operations on 1-d arrays: isin, intersect1d, union1d, setdiff1d, setxor1d and
 * the array-API unique_all/unique_counts/unique_inverse/unique_values, following JAX 0.10.2
 * (jax/_src/numpy/setops.py). Membership (`_in1d`) compares every pair by default, or searches the
 * sorted test set, or sorts both together; the set operations sort the (unique) elements and look
 * at neighbours. Without `size` the result's length depends on the values, so the inputs must be
 * concrete, as in JAX; with `size` (and `fill_value`) they work under jit: the results are padded.
 *
 * unique itself is numpy/sorting.ts's; where JAX asks its internal `_unique` for the number of
 * distinct elements, `distinctCount` counts the neighbours that differ in sorted order.
 */
import { defaultInt } from '../core/dtype.js';
import { ConcretizationTypeError } from '../core/errors.js';
import { isTracer, type Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as S from '../lax/sorting.js';
import { dynamicUpdateSlice, iota } from '../lax/structural.js';
import { namedJit } from '../transforms/jit.js';
import { nonzero } from './compare.js';
import { arange, fullLike, ones, zeros } from './creation.js';
import { ValueError } from './errors.js';
import { atGet, atUpdate, getitem, sl } from './indexing.js';
import { all, any, max, min, sum } from './reductions.js';
import { concatenate, ravel, reshape } from './shapes.js';
import { searchsorted, sort, unique } from './sorting.js';
import * as uf from './ufuncs.js';
import { asValue, promoteArgs } from './util.js';

export type In1dMethod = 'auto' | 'compare_all' | 'binary_search' | 'sort';

const first = (x: Value) => getitem(x, [sl(null, -1)]);
const rest = (x: Value) => getitem(x, [sl(1, null)]);
const vec = (...xs: unknown[]) => concatenate(xs.map((x) => ravel(asValue(x))));

function concrete(x: Value, where: string): void {
  if (isTracer(x)) throw new ConcretizationTypeError(x.aval.toString(), `The error arose in ${where}()`);
}

const in1dJit = namedJit(
  '_in1d',
  function _in1d(ar1: Value, ar2: Value, invert: boolean, method: string, assumeUnique: boolean): Value {
    let [a1, a2] = promoteArgs(ar1, ar2);
    a1 = ravel(a1);
    a2 = ravel(a2);
    if (a1.size === 0 || a2.size === 0) return (invert ? ones : zeros)(a1.shape, { dtype: 'bool' });
    if (method === 'auto' || method === 'compare_all') {
      const col = getitem(a1, [sl(), null]);
      const row = getitem(a2, [null, sl()]);
      return invert ? all(uf.not_equal(col, row), { axis: -1 }) : any(uf.equal(col, row), { axis: -1 });
    }
    if (method === 'binary_search') {
      const sorted = S.sort(a2);
      const found = getitem(sorted, [searchsorted(sorted, a1)]);
      return invert ? uf.not_equal(a1, found) : uf.equal(a1, found);
    }
    if (method === 'sort') {
      let indOut: Value | null = null;
      if (!assumeUnique) {
        [a1, indOut] = unique(a1, { size: a1.shape[0], returnInverse: true, fillValue: max(a2) }) as Value[];
      }
      const n = a1.size + a2.size;
      const [aux, ind] = S.sortKeyVal(concatenate([a1, a2]), arange(n));
      const same = invert ? uf.not_equal(rest(aux), first(aux)) : uf.equal(rest(aux), first(aux));
      const base = (invert ? ones : zeros)(a1.shape, { dtype: 'bool' });
      const out = atUpdate(base, [first(ind)], same, 'set', { mode: 'drop' });
      return indOut === null ? out : getitem(out, [indOut]);
    }
    throw new ValueError(
      `method='${method}' is not implemented; options are 'compare_all', 'binary_search', 'sort', and 'auto'`,
    );
  },
  { staticArgnums: [2, 3, 4] },
);

export interface IsinOptions {
  assumeUnique?: boolean;
  invert?: boolean;
  method?: In1dMethod;
}

/** jnp.isin(element, testElements, {assumeUnique, invert, method}): membership, shaped like element. */
export function isin(element: unknown, testElements: unknown, opts: IsinOptions = {}): Value {
  const e = asValue(element);
  const out = in1dJit(
    e,
    asValue(testElements),
    opts.invert ?? false,
    opts.method ?? 'auto',
    opts.assumeUnique ?? false,
  );
  return reshape(out, e.shape);
}

export interface SetOptions {
  assumeUnique?: boolean;
  /** A static output length: the result is padded with fillValue, and works under jit. */
  size?: number | null;
  fillValue?: unknown;
}

/** The number of distinct elements of a 1-d array (NaNs equal), as JAX's _unique(return_true_size). */
function distinctCount(x: Value): Value {
  if (x.size === 0) return convertElementType(0, defaultInt());
  const s = S.sort(x);
  let neq = uf.not_equal(rest(s), first(s));
  if (x.dtype.isFloat)
    neq = uf.logical_and(neq, uf.logical_not(uf.logical_and(uf.isnan(rest(s)), uf.isnan(first(s)))));
  return uf.add(sum(neq), 1);
}

/** jnp.setdiff1d(ar1, ar2, {assumeUnique, size, fillValue}): the unique elements of ar1 not in ar2. */
export function setdiff1d(ar1: unknown, ar2: unknown, opts: SetOptions = {}): Value {
  const assumeUnique = opts.assumeUnique ?? false;
  let a1 = ravel(asValue(ar1));
  const a2 = ravel(asValue(ar2));
  const size = opts.size ?? null;
  if (size === null) concrete(asValue(ar1), 'setdiff1d');
  const fill = fullLike(a1, opts.fillValue ?? 0, { shape: [] });
  if (a1.size === 0) return fullLike(a1, fill, { shape: [size || 0] });
  if (!assumeUnique) a1 = unique(a1, { size: size === null ? null : a1.size }) as Value;
  let mask = in1dJit(a1, a2, true, 'auto', assumeUnique);
  if (size === null) return getitem(a1, [mask]);
  if (!assumeUnique) {
    const nUnique = uf.subtract(a1.size + 1, sum(uf.equal(a1, getitem(a1, [0]))));
    mask = uf.where(uf.less(arange(a1.size), nUnique), mask, false);
  }
  return uf.where(uf.less(arange(size), sum(mask)), getitem(a1, [nonzero(mask, { size })[0]]), fill);
}

/** jnp.union1d(ar1, ar2, {size, fillValue}): the sorted unique elements of both. */
export function union1d(ar1: unknown, ar2: unknown, opts: Omit<SetOptions, 'assumeUnique'> = {}): Value {
  const a1 = asValue(ar1);
  const a2 = asValue(ar2);
  const size = opts.size ?? null;
  if (size === null) {
    concrete(a1, 'union1d');
    concrete(a2, 'union1d');
  }
  return unique(concatenate([a1, a2], { axis: null }), { size, fillValue: opts.fillValue }) as Value;
}

/** JAX's _concat_unique: ar1's distinct elements then ar2's, and how many there are. */
function concatUnique(a1: Value, a2: Value): [Value, Value] {
  const u1 = unique(a1, { size: a1.size }) as Value;
  const u2 = unique(a2, { size: a2.size }) as Value;
  const n1 = distinctCount(a1);
  let arr = zeros([a1.size + a2.size], { dtype: u1.dtype });
  arr = dynamicUpdateSlice(arr, u1, [0]);
  arr = dynamicUpdateSlice(arr, u2, [n1]);
  return [arr, uf.add(n1, distinctCount(a2))];
}

function padded(vals0: Value, numResults: Value, fillValue: unknown): Value {
  const valid = uf.less(arange(vals0.shape[0]), numResults);
  if (fillValue === undefined || fillValue === null) {
    const vals = uf.where(valid, vals0, max(vals0));
    return uf.where(valid, vals, min(vals));
  }
  return uf.where(valid, vals0, fillValue);
}

const setxorSizedJit = namedJit(
  '_setxor1d_size',
  function _setxor1d_size(
    a1: Value,
    a2: Value,
    fillValue: Value | null,
    assumeUnique: boolean,
    size: number,
  ): Value {
    let aux: Value;
    let flag: Value;
    if (assumeUnique) {
      aux = sort(concatenate([a1, a2]));
      flag = vec(aux.size > 0, uf.not_equal(rest(aux), first(aux)), true);
    } else {
      const [arr, numUnique] = concatUnique(a1, a2);
      const mask = uf.less(arange(arr.size + 1), uf.add(numUnique, 1));
      [, aux] = S.sort([uf.logical_not(rest(mask)), arr], { isStable: true, numKeys: 2 });
      flag = uf.logical_and(
        mask,
        atUpdate(vec(aux.size > 0, uf.not_equal(rest(aux), first(aux)), false), [numUnique], true, 'set'),
      );
    }
    const auxMask = uf.logical_and(rest(flag), first(flag));
    const numResults = sum(auxMask);
    let vals: Value;
    if (aux.size) {
      const indices = nonzero(auxMask, { size, fillValue: aux.shape[0] })[0];
      vals = atGet(aux, [indices], { mode: 'fill', fillValue: 0 });
    } else vals = zeros([size], { dtype: aux.dtype });
    return padded(vals, numResults, fillValue);
  },
  { staticArgnums: [3, 4] },
);

/** jnp.setxor1d(ar1, ar2, {assumeUnique, size, fillValue}): elements in exactly one of the two. */
export function setxor1d(ar1: unknown, ar2: unknown, opts: SetOptions = {}): Value {
  let [a1, a2] = promoteArgs(ravel(asValue(ar1)), ravel(asValue(ar2)));
  const size = opts.size ?? null;
  const assumeUnique = opts.assumeUnique ?? false;
  if (size !== null) {
    const fv = opts.fillValue === undefined || opts.fillValue === null ? null : asValue(opts.fillValue);
    return setxorSizedJit(a1, a2, fv, assumeUnique, size);
  }
  if (!assumeUnique) {
    a1 = unique(a1) as Value;
    a2 = unique(a2) as Value;
  }
  let aux = concatenate([a1, a2]);
  if (aux.size === 0) return aux;
  aux = sort(aux);
  const flag = vec(true, uf.not_equal(rest(aux), first(aux)), true);
  return getitem(aux, [uf.logical_and(rest(flag), first(flag))]);
}

export interface Intersect1dOptions extends SetOptions {
  returnIndices?: boolean;
}

const intersectSortedMaskJit = namedJit(
  '_intersect1d_sorted_mask',
  function _intersect1d_sorted_mask(a1: Value, a2: Value, returnIndices: boolean): Value[] {
    const arr = concatenate([a1, a2]);
    if (!returnIndices) {
      const aux = sort(arr);
      return [aux, uf.equal(rest(aux), first(aux))];
    }
    const [aux, indices] = S.sortKeyVal(arr, iota(defaultInt(), arr.shape[0]));
    return [aux, uf.equal(rest(aux), first(aux)), indices];
  },
  { staticArgnums: [2] },
);

function intersectSized(
  a1: Value,
  a2: Value,
  fillValue: Value | null,
  assumeUnique: boolean,
  size: number,
  returnIndices: boolean,
): Value | Value[] {
  let ind1: Value;
  let ind2: Value;
  let n1: Value | number;
  let aux: Value;
  let auxSortIndices: Value;
  let mask: Value;
  if (assumeUnique) {
    ind1 = arange(a1.size);
    ind2 = arange(a2.size);
    n1 = a1.size;
    const arr = concatenate([a1, a2]);
    [aux, auxSortIndices] = S.sort([arr, arange(arr.size)], { isStable: true, numKeys: 1 });
    mask = ones([arr.size], { dtype: 'bool' });
  } else {
    const [u1, i1] = unique(a1, { size: a1.size, returnIndex: true, fillValue: 0 }) as Value[];
    const [u2, i2] = unique(a2, { size: a2.size, returnIndex: true, fillValue: 0 }) as Value[];
    ind1 = i1;
    ind2 = i2;
    n1 = distinctCount(a1);
    let arr = zeros([a1.size + a2.size], { dtype: u1.dtype });
    arr = dynamicUpdateSlice(arr, u1, [0]);
    arr = dynamicUpdateSlice(arr, u2, [n1]);
    mask = uf.less(arange(arr.size), uf.add(n1, distinctCount(a2)));
    [, aux, auxSortIndices] = S.sort([uf.logical_not(mask), arr, arange(arr.size)], {
      isStable: true,
      numKeys: 2,
    });
  }
  const auxMask = uf.logical_and(uf.equal(rest(aux), first(aux)), rest(mask));
  const numResults = sum(auxMask);
  let valIndices: Value;
  let vals: Value;
  if (aux.size) {
    valIndices = nonzero(auxMask, { size, fillValue: aux.size })[0];
    vals = atGet(aux, [valIndices], { mode: 'fill', fillValue: 0 });
  } else {
    valIndices = arange(0);
    vals = zeros([size], { dtype: aux.dtype });
  }
  vals = padded(vals, numResults, fillValue);
  if (!returnIndices) return vals;
  const valid = (x: Value) => uf.less(arange(x.shape[0]), numResults);
  let i1 = atGet(auxSortIndices, [valIndices], { mode: 'fill', fillValue: a1.size });
  i1 = uf.where(valid(i1), i1, a1.size);
  let i2 = uf.subtract(
    atGet(auxSortIndices, [uf.add(valIndices, 1)], { mode: 'fill', fillValue: a2.size }),
    n1,
  );
  i2 = uf.where(valid(i2), i2, a2.size);
  if (!assumeUnique) {
    i1 = atGet(ind1, [i1], { mode: 'fill', fillValue: ind1.size });
    i2 = atGet(ind2, [i2], { mode: 'fill', fillValue: ind2.size });
  }
  return [vals, i1, i2];
}

const intersectSizedJit = namedJit('_intersect1d_size', intersectSized, { staticArgnums: [3, 4, 5] });

/** jnp.intersect1d(ar1, ar2, {assumeUnique, returnIndices, size, fillValue}): common elements. */
export function intersect1d(ar1: unknown, ar2: unknown, opts: Intersect1dOptions = {}): Value | Value[] {
  let [a1, a2] = promoteArgs(ar1, ar2);
  a1 = ravel(a1);
  a2 = ravel(a2);
  const returnIndices = opts.returnIndices ?? false;
  const assumeUnique = opts.assumeUnique ?? false;
  if (opts.size !== undefined && opts.size !== null) {
    const fv = opts.fillValue === undefined || opts.fillValue === null ? null : asValue(opts.fillValue);
    return intersectSizedJit(a1, a2, fv, assumeUnique, opts.size, returnIndices);
  }
  let ind1 = arange(0);
  let ind2 = arange(0);
  if (!assumeUnique) {
    if (returnIndices) {
      [a1, ind1] = unique(a1, { returnIndex: true }) as Value[];
      [a2, ind2] = unique(a2, { returnIndex: true }) as Value[];
    } else {
      a1 = unique(a1) as Value;
      a2 = unique(a2) as Value;
    }
  }
  const [aux, mask, sortIdx] = intersectSortedMaskJit(a1, a2, returnIndices);
  const common = getitem(first(aux), [mask]);
  if (!returnIndices) return common;
  let i1 = getitem(first(sortIdx), [mask]);
  let i2 = uf.subtract(getitem(rest(sortIdx), [mask]), a1.size);
  if (!assumeUnique) {
    i1 = getitem(ind1, [i1]);
    i2 = getitem(ind2, [i2]);
  }
  return [common, i1, i2];
}

export interface UniqueApiOptions {
  size?: number | null;
  fillValue?: unknown;
}

/** A JS array with named fields too, as Python's namedtuple results (`r.values`, `r[0]`). */
function named<T extends string>(names: readonly T[], values: Value[]): Value[] & Record<T, Value> {
  const out = [...values] as Value[] & Record<T, Value>;
  names.forEach((n, i) => {
    Object.defineProperty(out, n, { value: values[i], enumerable: false });
  });
  return out;
}

const apiUnique = (x: unknown, o: UniqueApiOptions, extra: Record<string, boolean>) =>
  unique(x, { ...extra, equalNan: false, size: o.size ?? null, fillValue: o.fillValue });

/** jnp.unique_all(x, {size, fillValue}): [values, indices, inverse_indices, counts]. */
export function unique_all(x: unknown, opts: UniqueApiOptions = {}) {
  const r = apiUnique(x, opts, { returnIndex: true, returnInverse: true, returnCounts: true }) as Value[];
  return named(['values', 'indices', 'inverse_indices', 'counts'], r);
}
/** jnp.unique_counts(x, {size, fillValue}): [values, counts]. */
export function unique_counts(x: unknown, opts: UniqueApiOptions = {}) {
  return named(['values', 'counts'], apiUnique(x, opts, { returnCounts: true }) as Value[]);
}
/** jnp.unique_inverse(x, {size, fillValue}): [values, inverse_indices]. */
export function unique_inverse(x: unknown, opts: UniqueApiOptions = {}) {
  return named(['values', 'inverse_indices'], apiUnique(x, opts, { returnInverse: true }) as Value[]);
}
/** jnp.unique_values(x, {size, fillValue}): the sorted distinct values. */
export function unique_values(x: unknown, opts: UniqueApiOptions = {}): Value {
  return apiUnique(x, opts, {}) as Value;
}
export const uniqueAll = unique_all;
export const uniqueCounts = unique_counts;
export const uniqueInverse = unique_inverse;
export const uniqueValues = unique_values;
