/**
 * @file jnp.quantile, percentile, median and their NaN-ignoring forms (nanquantile, nanpercentile,
 * nanmedian), as JAX 0.10.2 computes them (jax/_src/numpy/reductions.py `_quantile`): the data is
 * sorted along the reduced axis (several axes are first moved last and merged), the fractional
 * rank q * (n - 1) gives the two neighbouring order statistics, gathered, and the method combines
 * them (linear, lower, higher, midpoint, nearest). `inverted_cdf` instead counts the cumulative
 * weights below q times the total weight, and is the one method that takes `weights`.
 *
 * The NaN-ignoring forms sort NaNs to the end and use each row's count of numbers for n; the
 * others make a row with a NaN all NaN. quantile/percentile/median are jitted under JAX's names
 * with JAX's static arguments, so jaxprs show `jit[name=quantile]` as JAX's do.
 */
import { scalarArray } from '../core/coerce.js';
import { defaultInt } from '../core/dtype.js';
import { normalizeAxis, shapesEqual, shapeTuple } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { fullLike, indexInDim } from '../lax/fill.js';
import { gather } from '../lax/indexing.js';
import * as S from '../lax/sorting.js';
import {
  broadcastedIota,
  broadcastInDim,
  expandDims,
  reshape,
  squeeze,
  transpose,
} from '../lax/structural.js';
import { namedJit } from '../transforms/jit.js';
import { NotImplementedError, ValueError } from './errors.js';
import { getitem } from './indexing.js';
import { any, sum } from './reductions.js';
import { cumsum } from './sorting.js';
import { take_along_axis } from './take.js';
import * as uf from './ufuncs.js';
import { asValue, promoteArgsInexact } from './util.js';

export type QuantileMethod = 'linear' | 'lower' | 'higher' | 'midpoint' | 'nearest' | 'inverted_cdf';
const METHODS: readonly string[] = ['linear', 'lower', 'higher', 'midpoint', 'nearest', 'inverted_cdf'];

export type Axis = number | readonly number[] | null;

export interface QuantileOptions {
  axis?: Axis;
  method?: QuantileMethod;
  keepdims?: boolean;
  /** Only `inverted_cdf` takes weights: one per element of `a`, or per element along `axis`. */
  weights?: unknown;
  /** Accepted as JAX accepts it: only false. */
  overwriteInput?: boolean;
  out?: null;
}

const isnan = (x: Value) => lax.ne(x, x);

function quantileCore(
  a0: Value,
  q: Value,
  axisArg: Axis,
  method: string,
  keepdims: boolean,
  squashNans: boolean,
  weights0: Value | null,
): Value {
  if (!METHODS.includes(method)) {
    throw new ValueError(
      "method can only be 'linear', 'lower', 'higher', 'midpoint', 'nearest' or 'inverted_cdf'",
    );
  }
  let a: Value;
  let weights: Value | null = null;
  if (weights0 !== null) {
    if (method !== 'inverted_cdf') {
      throw new NotImplementedError(
        `${method} doesn't support weights. Only method 'inverted_cdf' supports weights.`,
      );
    }
    [a, weights] = promoteArgsInexact(a0, weights0);
    if (!shapesEqual(weights.shape, a.shape)) {
      if (axisArg === null) throw new ValueError("Weights shape must match 'a' shape when axis is None.");
      const axes = (typeof axisArg === 'number' ? [axisArg] : [...axisArg]).map((x) =>
        normalizeAxis(x, a.ndim),
      );
      const want = axes.map((x) => a.shape[x]);
      if (!shapesEqual(weights.shape, want)) {
        throw new ValueError(
          `Weights shape ${shapeTuple(weights.shape)} must match reduction axes ${shapeTuple(want)}`,
        );
      }
      weights = broadcastInDim(weights, a.shape, axes);
    }
  } else [a] = promoteArgsInexact(a0);

  let keepdim: number[] = [];
  let axis: number;
  if (axisArg === null) {
    if (keepdims) keepdim = a.shape.map(() => 1);
    a = reshape(a, [a.size]);
    if (weights) weights = reshape(weights, [weights.size]);
    axis = 0;
  } else if (typeof axisArg !== 'number') {
    keepdim = [...a.shape];
    const nd = a.ndim;
    const axes = axisArg.map((x) => normalizeAxis(x, nd));
    if (new Set(axes).size !== axes.length) throw new ValueError('repeated axis');
    for (const ax of axes) keepdim[ax] = 1;
    const keep = [...Array(nd).keys()].filter((d) => !axes.includes(d));
    // JAX builds this permutation by swaps; it is not always "kept axes first, in order".
    const dims = [...Array(nd).keys()];
    keep.forEach((s, i) => {
      [dims[i], dims[s]] = [dims[s], dims[i]];
    });
    const untouched = a.shape.filter((_, d) => !axes.includes(d));
    const touched = a.shape.filter((_, d) => axes.includes(d)).reduce((x, y) => x * y, 1);
    a = reshape(a, [...untouched, touched], dims);
    if (weights) weights = reshape(weights, [...untouched, touched], dims);
    axis = a.ndim - 1;
  } else axis = normalizeAxis(axisArg, a.ndim);

  const qShape = q.shape;
  const qNdim = q.ndim;
  if (qNdim > 1) throw new ValueError(`q must be have rank <= 1, got shape ${shapeTuple(q.shape)}`);
  const aShape = a.shape;
  const qOrig = q;
  let lowValue: Value;
  let highValue: Value;
  let lowWeight: Value;
  let highWeight: Value;
  const int = defaultInt();
  if (squashNans) {
    // NaNs made positive, so that they sort to the end.
    a = uf.where(isnan(a), Number.NaN, a);
    if (weights) [a, weights] = S.sortKeyVal(a, weights, { dimension: axis });
    else a = S.sort(a, { dimension: axis });
    let counts = sum(lax.bitwiseNot(isnan(a)), { axis, dtype: q.dtype, keepdims });
    const after = counts.shape;
    q = expandDims(q, range(qNdim, after.length + qNdim));
    counts = expandDims(counts, range(0, qNdim));
    q = lax.mul(q, lax.sub(counts, 1));
    let low = lax.floor(q);
    let high = lax.ceil(q);
    highWeight = lax.sub(q, low);
    lowWeight = lax.sub(1, highWeight);
    low = lax.max(0, lax.min(low, uf.subtract(counts, 1)));
    high = lax.max(0, lax.min(high, uf.subtract(counts, 1)));
    low = convertElementType(low, int);
    high = convertElementType(high, int);
    const outShape = [...qShape, ...after];
    const index: Value[] = after.map((_, d) => broadcastedIota(int, outShape, d + qNdim));
    if (keepdims) index[axis] = low;
    else index.splice(axis, 0, low);
    lowValue = getitem(a, index);
    index[axis] = high;
    highValue = getitem(a, index);
  } else {
    a = uf.where(any(isnan(a), { axis, keepdims: true }), Number.NaN, a);
    if (weights) [a, weights] = S.sortKeyVal(a, weights, { dimension: axis });
    else a = S.sort(a, { dimension: axis });
    const n = scalarArray(aShape[axis], q.dtype);
    q = lax.mul(q, uf.subtract(n, 1));
    let low = lax.floor(q);
    let high = lax.ceil(q);
    highWeight = lax.sub(q, low);
    lowWeight = lax.sub(1, highWeight);
    low = lax.clamp(scalarArray(0, low.dtype), low, uf.subtract(n, 1));
    high = lax.clamp(scalarArray(0, high.dtype), high, uf.subtract(n, 1));
    low = convertElementType(low, int);
    high = convertElementType(high, int);
    const sliceSizes = [...aShape];
    sliceSizes[axis] = 1;
    const dnums = {
      offset_dims: range(qNdim, keepdims ? aShape.length + qNdim : aShape.length + qNdim - 1),
      collapsed_slice_dims: keepdims ? [] : [axis],
      start_index_map: [axis],
    };
    lowValue = gather(a, getitem(low, ['...', null]), dnums, sliceSizes);
    highValue = gather(a, getitem(high, ['...', null]), dnums, sliceSizes);
    if (qNdim === 1) {
      lowWeight = broadcastInDim(lowWeight, lowValue.shape, [0]);
      highWeight = broadcastInDim(highWeight, highValue.shape, [0]);
    }
  }

  let result: Value;
  if (method === 'linear') {
    result = lax.add(
      lax.mul(convertElementType(lowValue, q.dtype), lowWeight),
      lax.mul(convertElementType(highValue, q.dtype), highWeight),
    );
  } else if (method === 'lower') result = lowValue;
  else if (method === 'higher') result = highValue;
  else if (method === 'nearest') result = lax.select(lax.le(highWeight, 0.5), lowValue, highValue);
  else if (method === 'midpoint') result = lax.mul(lax.add(lowValue, highValue), 0.5);
  else result = invertedCdf(a, weights, qOrig, axis, keepdims, squashNans, aShape);

  if (keepdims && keepdim.length) {
    if (qNdim > 0) keepdim = [qShape[0], ...keepdim];
    result = reshape(result, keepdim);
  }
  return convertElementType(result, a.dtype);
}

/** The `inverted_cdf` method: the first sorted element whose cumulative weight reaches q * total. */
function invertedCdf(
  a: Value,
  weights0: Value | null,
  q: Value,
  axis: number,
  keepdims: boolean,
  squashNans: boolean,
  aShape: readonly number[],
): Value {
  const qNdim = q.ndim;
  const weights = weights0 ?? fullLike(a, 1.0);
  const zeros = fullLike(weights, 0);
  const badWeights = lax.bitwiseOr(lax.lt(weights, zeros), isnan(weights));
  const nanData = isnan(a);
  const cleanWeights = lax.select(lax.bitwiseOr(badWeights, nanData), zeros, weights);
  const cumWeights = cumsum(cleanWeights, { axis });
  const totalWeight = indexInDim(cumWeights, -1, axis, keepdims);
  const twF = expandDims(totalWeight, range(0, qNdim));
  const qF = reshape(q, [...q.shape, ...totalWeight.shape.map(() => 1)]);
  const targetW = lax.mul(qF, twF);
  const aligned = keepdims ? targetW : expandDims(targetW, [axis + qNdim]);
  const cwF = expandDims(cumWeights, range(0, qNdim));
  const isLess = lax.lt(cwF, aligned);
  let idx = sum(convertElementType(isLess, defaultInt()), { axis: axis + qNdim, keepdims });
  const validCounts = squashNans
    ? sum(lax.bitwiseNot(nanData), { axis, dtype: q.dtype, keepdims })
    : fullLike(totalWeight, aShape[axis], q.dtype);
  const limit = lax.sub(validCounts, 1);
  let maxIdx = convertElementType(limit, defaultInt());
  maxIdx = expandDims(maxIdx, range(0, qNdim));
  maxIdx = convertElementType(maxIdx, idx.dtype);
  idx = lax.max(0, lax.min(idx, maxIdx));
  const idxTake = keepdims ? squeeze(idx, [qNdim + axis]) : idx;
  let result: Value;
  if (qNdim === 0) {
    result = take_along_axis(a, expandDims(idxTake, [axis]), axis);
    result = squeeze(result, [axis]);
  } else {
    const perm = [...range(qNdim, qNdim + axis), ...range(0, qNdim), ...range(qNdim + axis, idxTake.ndim)];
    result = take_along_axis(a, transpose(idxTake, perm), axis);
    const inv = perm.map((_, i) => perm.indexOf(i));
    result = transpose(result, inv);
  }
  if (keepdims) result = expandDims(result, [qNdim + axis]);
  const allNan = lax.eq(validCounts, fullLike(validCounts, 0));
  const anyBad = any(badWeights, { axis, keepdims });
  const forceNan = squashNans
    ? lax.bitwiseOr(anyBad, allNan)
    : lax.bitwiseOr(anyBad, any(nanData, { axis, keepdims }));
  const forceNanF = expandDims(forceNan, range(0, qNdim));
  return uf.where(forceNanF, fullLike(result, Number.NaN), result);
}

function range(lo: number, hi: number): number[] {
  return Array.from({ length: Math.max(0, hi - lo) }, (_, i) => lo + i);
}

/** `owner` is the function whose check JAX runs (percentile and median defer to quantile's). */
function checkOverwrite(owner: string, o: { overwriteInput?: boolean; out?: null }): void {
  if (o.overwriteInput || (o.out !== undefined && o.out !== null)) {
    throw new ValueError(`jax.numpy.${owner} does not support overwrite_input=True or out != None`);
  }
}

type Core = (a: Value, q: Value, w: Value | null, axis: Axis, method: string, keepdims: boolean) => Value;

/** The jitted quantile (nan: nanquantile), q in [0, 1]; axis, method and keepdims are static. */
function quantileOf(name: string, nan: boolean) {
  return namedJit(
    name,
    (a: Value, q: Value, w: Value | null, axis: Axis, method: string, keepdims: boolean) =>
      quantileCore(a, q, axis, method, keepdims, nan, w),
    { staticArgnums: [3, 4, 5] },
  );
}

/** The jitted percentile of a jitted quantile: q in [0, 100]. */
function percentileOf(name: string, quantile: ReturnType<typeof quantileOf>) {
  return namedJit(
    name,
    (a: Value, q: Value, w: Value | null, axis: Axis, method: string, keepdims: boolean) => {
      const [qq] = promoteArgsInexact(q);
      return quantile(a, uf.true_divide(qq, 100), w, axis, method, keepdims);
    },
    { staticArgnums: [3, 4, 5] },
  );
}

const quantileJit = quantileOf('quantile', false);
const nanquantileJit = quantileOf('nanquantile', true);
const percentileJit = percentileOf('percentile', quantileJit);
const nanpercentileJit = percentileOf('nanpercentile', nanquantileJit);

function entry(name: string, f: Core) {
  return (a: unknown, q: unknown, opts: QuantileOptions = {}): Value => {
    checkOverwrite(name.replace('percentile', 'quantile'), opts);
    const w = opts.weights === undefined || opts.weights === null ? null : asValue(opts.weights);
    return f(asValue(a), asValue(q), w, normAxis(opts.axis), opts.method ?? 'linear', opts.keepdims ?? false);
  };
}

function normAxis(axis: Axis | undefined): Axis {
  if (axis === undefined || axis === null) return null;
  return typeof axis === 'number' ? axis : [...axis];
}

/** jnp.quantile(a, q, {axis, method, keepdims, weights}): q in [0, 1]. */
export const quantile = entry('quantile', quantileJit);
/** jnp.nanquantile: quantile ignoring NaNs. */
export const nanquantile = entry('nanquantile', nanquantileJit);
/** jnp.percentile(a, q, {axis, method, keepdims, weights}): q in [0, 100]. */
export const percentile = entry('percentile', percentileJit);
/** jnp.nanpercentile: percentile ignoring NaNs. */
export const nanpercentile = entry('nanpercentile', nanpercentileJit);

export interface MedianOptions {
  axis?: Axis;
  keepdims?: boolean;
  overwriteInput?: boolean;
  out?: null;
}

const medianJit = namedJit(
  'median',
  function median(a: Value, axis: Axis, keepdims: boolean) {
    return quantileJit(a, 0.5, null, axis, 'midpoint', keepdims);
  },
  { staticArgnums: [1, 2] },
);
const nanmedianJit = namedJit(
  'nanmedian',
  function nanmedian(a: Value, axis: Axis, keepdims: boolean) {
    return nanquantileJit(a, 0.5, null, axis, 'midpoint', keepdims);
  },
  { staticArgnums: [1, 2] },
);

/** jnp.median(a, {axis, keepdims}): the midpoint quantile 0.5. */
export function median(a: unknown, opts: MedianOptions = {}): Value {
  checkOverwrite('quantile', opts);
  return medianJit(asValue(a), normAxis(opts.axis), opts.keepdims ?? false);
}

/** jnp.nanmedian(a, {axis, keepdims}): median ignoring NaNs. */
export function nanmedian(a: unknown, opts: MedianOptions = {}): Value {
  checkOverwrite('nanquantile', opts);
  return nanmedianJit(asValue(a), normAxis(opts.axis), opts.keepdims ?? false);
}
