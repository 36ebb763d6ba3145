/**
 * @file Counting and binning: jnp.bincount, digitize, histogram_bin_edges, histogram,
 * histogram2d and histogramdd, as JAX 0.10.2 writes them (jax/_src/numpy/lax_numpy.py). Bins are
 * found by searchsorted on the edges (the last edge closes the last bin), counts are a scatter-add
 * into zeros, and the d-dimensional histogram ravels the per-dimension bin indices (with an
 * underflow and an overflow bin each, cut off at the end) into one bincount.
 *
 * As in JAX, the number of bins, and bincount's length, must be concrete: under jit pass
 * `length=` to bincount.
 */
import { type ArrayImpl, hostScalar } from '../core/array.js';
import { type DType, defaultFloat, defaultInt, int32 } from '../core/dtype.js';
import { ConcretizationTypeError } from '../core/errors.js';
import { isTracer, type Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import { namedJit } from '../transforms/jit.js';
import { array, onesLike, zeros, zerosLike } from './creation.js';
import { NotImplementedError, ValueError } from './errors.js';
import { ix_, ravel_multi_index } from './index-tricks.js';
import { atUpdate, getitem, sl } from './indexing.js';
import { max, min, sum } from './reductions.js';
import { diff, reshape, stack, transpose } from './shapes.js';
import { searchsorted } from './sorting.js';
import { linspace } from './spacing.js';
import { ptp } from './statistics.js';
import * as uf from './ufuncs.js';
import { asValue, promoteArgsInexact } from './util.js';

const toInexact = (d: DType): DType => (d.isFloat ? d : defaultFloat());
const isValueLike = (x: unknown) => x !== null && typeof x === 'object' && 'aval' in (x as object);
const ndimOf = (x: unknown): number =>
  isValueLike(x) ? (x as Value).ndim : Array.isArray(x) ? 1 + (x.length ? ndimOf(x[0]) : 0) : 0;

function concreteInt(x: unknown, what: string): number {
  if (isTracer(x)) throw new ConcretizationTypeError((x as Value).aval.toString(), what);
  const n = isValueLike(x) ? Number(hostScalar(x as ArrayImpl)) : Number(x);
  if (!Number.isInteger(n)) throw new TypeError(`'${typeof x}' object cannot be interpreted as an integer`);
  return n;
}

export interface BincountOptions {
  weights?: unknown;
  minlength?: number;
  /** The output length; required under jit, where x's maximum is not known. */
  length?: number | null;
}

/** jnp.bincount(x, {weights, minlength, length}): the count (or weight sum) of each integer. */
export function bincount(x0: unknown, opts: BincountOptions = {}): Value {
  let x = asValue(x0);
  if (x.dtype.isBool) x = convertElementType(x, int32);
  if (!x.dtype.isInt)
    throw new TypeError(`x argument to bincount must have an integer type; got ${x.dtype.name}`);
  if (x.ndim !== 1) throw new ValueError('only 1-dimensional input supported.');
  const minlength = concreteInt(
    opts.minlength ?? 0,
    "The error occurred because of argument 'minlength' of jnp.bincount.",
  );
  let length: number;
  if (opts.length === undefined || opts.length === null) {
    if (isTracer(x)) {
      throw new ConcretizationTypeError(
        x.aval.toString(),
        "The error occurred because of argument 'x' of jnp.bincount. To avoid this error, pass a static `length` argument.",
      );
    }
    const top = x.size ? Math.max(0, Number(hostScalar(max(x) as ArrayImpl))) + 1 : 0;
    length = Math.max(minlength, top);
  } else
    length = concreteInt(opts.length, "The error occurred because of argument 'length' of jnp.bincount.");
  let weights: Value;
  if (opts.weights === undefined || opts.weights === null) weights = array(1, { dtype: defaultInt() });
  else {
    weights = asValue(opts.weights);
    if (weights.shape.length !== x.shape.length || weights.shape[0] !== x.shape[0]) {
      throw new ValueError(
        `type of weights must match type of x. Got typeof(x)=${x.aval.toString()} and typeof(weights)=${weights.aval.toString()}`,
      );
    }
  }
  return atUpdate(zeros([length], { dtype: weights.dtype }), [uf.clip(x, 0)], weights, 'add', {
    mode: 'drop',
  });
}

export interface DigitizeOptions {
  right?: boolean;
  method?: 'scan' | 'scan_unrolled' | 'sort' | 'compare_all' | null;
}

const digitizeJit = namedJit(
  'digitize',
  function digitize(x: Value, bins: Value, right: boolean, method: DigitizeOptions['method']): Value {
    if (bins.ndim !== 1)
      throw new ValueError(`digitize: bins must be a 1-dimensional array; got bins=${String(bins)}`);
    if (bins.shape[0] === 0) return zerosLike(x, { dtype: int32 });
    const side = right ? 'left' : 'right';
    const kw = method === null || method === undefined ? { side } : { side, method };
    return uf.where(
      uf.greater_equal(getitem(bins, [-1]), getitem(bins, [0])),
      searchsorted(bins, x, kw as { side: 'left' | 'right' }),
      uf.subtract(
        bins.shape[0],
        searchsorted(getitem(bins, [sl(null, null, -1)]), x, kw as { side: 'left' | 'right' }),
      ),
    );
  },
  { staticArgnums: [2, 3] },
);

/** jnp.digitize(x, bins, {right, method}): the index of the bin each x falls in. */
export function digitize(x: unknown, bins: unknown, opts: DigitizeOptions = {}): Value {
  return digitizeJit(asValue(x), asValue(bins), Boolean(opts.right ?? false), opts.method ?? null);
}

export type Bins = number | unknown;
type Range = readonly unknown[] | null | undefined;

export interface HistogramOptions {
  bins?: Bins;
  range?: Range;
  weights?: unknown;
  density?: boolean | null;
}

/** jnp.asarray of a range: a list of scalars that may be traced stacks, as JAX's asarray does. */
function arrayOf(v: unknown): Value {
  return Array.isArray(v) && v.some(isValueLike) ? stack(v) : asValue(v);
}

function binEdges(a0: unknown, bins: Bins, range: Range): Value {
  if (typeof bins === 'string') throw new NotImplementedError('string values for `bins` not implemented.');
  const a = asValue(a0);
  const dtype = toInexact(a.dtype);
  if (ndimOf(bins) === 1) return array(bins, { dtype });
  const n = concreteInt(bins, 'bins argument of histogram_bin_edges');
  const r = range === undefined || range === null ? stack([min(a), max(a)]) : arrayOf(range);
  const rr = convertElementType(r, dtype);
  if (rr.ndim !== 1 || rr.shape[0] !== 2) {
    throw new ValueError(`\`range\` must be either None or a sequence of scalars, got ${String(rr)}`);
  }
  const flat = uf.equal(ptp(rr), 0);
  const lo = uf.where(flat, uf.subtract(getitem(rr, [0]), 0.5), getitem(rr, [0]));
  const hi = uf.where(flat, uf.add(getitem(rr, [1]), 0.5), getitem(rr, [1]));
  return linspace(lo, hi, n + 1, { dtype });
}

/** jnp.histogram_bin_edges(a, {bins, range}): the edges histogram would use. */
export function histogram_bin_edges(a: unknown, opts: Omit<HistogramOptions, 'density'> = {}): Value {
  return binEdges(a, opts.bins ?? 10, opts.range);
}
export const histogramBinEdges = histogram_bin_edges;

/** jnp.histogram(a, {bins, range, weights, density}): [counts, bin edges]. */
export function histogram(a0: unknown, opts: HistogramOptions = {}): [Value, Value] {
  let a: Value;
  let weights: Value;
  if (opts.weights === undefined || opts.weights === null) {
    [a] = promoteArgsInexact(a0);
    weights = onesLike(a);
  } else {
    const w = asValue(opts.weights);
    if (asValue(a0).shape.join() !== w.shape.join())
      throw new ValueError('weights should have the same shape as a.');
    [a, weights] = promoteArgsInexact(a0, w);
  }
  const edges = binEdges(a, opts.bins ?? 10, opts.range);
  const nEdges = edges.shape[0];
  let idx = searchsorted(edges, a, { side: 'right' });
  idx = uf.where(uf.equal(a, getitem(edges, [-1])), nEdges - 1, idx);
  let counts = getitem(atUpdate(zeros([nEdges], { dtype: weights.dtype }), [idx], weights, 'add'), [
    sl(1, null),
  ]);
  if (opts.density) counts = uf.true_divide(uf.true_divide(counts, diff(edges)), sum(counts));
  return [counts, edges];
}

/** jnp.histogramdd(sample, {bins, range, weights, density}): [counts, edges per dimension]. */
export function histogramdd(sample0: unknown, opts: HistogramOptions = {}): [Value, Value[]] {
  let sample: Value;
  let weights: Value | null = null;
  if (opts.weights === undefined || opts.weights === null) [sample] = promoteArgsInexact(sample0);
  else {
    const s = asValue(sample0);
    const w = asValue(opts.weights);
    if (w.ndim !== 1 || w.shape[0] !== s.shape[0])
      throw new ValueError('should have one weight for each sample.');
    [sample, weights] = promoteArgsInexact(s, w);
  }
  const [N, D] = sample.shape;
  const range = opts.range;
  if (
    range !== undefined &&
    range !== null &&
    (range.length !== D || range.some((r) => r !== null && r !== undefined && asValue(r).shape[0] !== 2))
  ) {
    throw new ValueError(
      `For sample.shape=(${N}, ${D}), range must be a sequence of ${D} pairs or Nones; got range=${String(range)}`,
    );
  }
  const bins = opts.bins ?? 10;
  let perDim: unknown[];
  if (Array.isArray(bins)) {
    if (bins.length !== D) throw new ValueError('should be a bin for each dimension.');
    perDim = bins;
  } else if (isValueLike(bins) && (bins as Value).ndim > 0) {
    if ((bins as Value).shape[0] !== D) throw new ValueError('should be a bin for each dimension.');
    perDim = [...Array(D).keys()].map((i) => getitem(bins as Value, [i]));
  } else perDim = new Array(D).fill(bins);
  const idxByDim: Value[] = [];
  const edgesByDim: Value[] = [];
  for (let i = 0; i < D; i++) {
    const col = getitem(sample, [sl(), i]);
    const edges = binEdges(col, perDim[i], range ? (range[i] as Range) : null);
    let idx = searchsorted(edges, col, { side: 'right' });
    idx = uf.where(uf.equal(col, getitem(edges, [-1])), uf.subtract(idx, 1), idx);
    idxByDim.push(idx);
    edgesByDim.push(edges);
  }
  const nbins = edgesByDim.map((e) => e.shape[0] + 1);
  const dedges = edgesByDim.map((e) => diff(e));
  const xy = ravel_multi_index(idxByDim, nbins, { mode: 'clip' });
  let hist = bincount(xy, { weights, length: nbins.reduce((p, q) => p * q, 1) });
  hist = reshape(hist, nbins);
  hist = getitem(
    hist,
    nbins.map(() => sl(1, -1)),
  );
  if (opts.density) {
    hist = convertElementType(hist, sample.dtype);
    hist = uf.true_divide(hist, sum(hist));
    for (const norm of ix_(...dedges)) hist = uf.true_divide(hist, norm);
  }
  return [hist, edgesByDim];
}

/** jnp.histogram2d(x, y, {bins, range, weights, density}): [counts, x edges, y edges]. */
export function histogram2d(x: unknown, y: unknown, opts: HistogramOptions = {}): [Value, Value, Value] {
  const xv = asValue(x);
  const yv = asValue(y);
  let bins = opts.bins ?? 10;
  const n = Array.isArray(bins)
    ? bins.length
    : isValueLike(bins) && (bins as Value).ndim > 0
      ? (bins as Value).shape[0]
      : 1;
  if (n !== 1 && n !== 2) {
    const edges = arrayOf(bins);
    bins = [edges, edges];
  }
  const sample = transpose(stack([xv, yv]));
  const [hist, edges] = histogramdd(sample, { ...opts, bins });
  return [hist, edges[0], edges[1]];
}
