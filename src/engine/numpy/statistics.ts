/**
 * @file jnp.average, cov, corrcoef and ptp, as JAX 0.10.2 writes them (jax/_src/numpy/reductions.py
 * `_average`, `_ptp`; lax_numpy.py `cov`, `corrcoef`): a weighted average reshapes 1-d weights
 * onto the reduced axes; cov centres the rows on their (weighted) means and divides X Xᵀ by the
 * degrees of freedom (n - ddof, the weight sum, or the aweights-corrected sum); corrcoef scales
 * cov by the outer product of the standard deviations and clips to [-1, 1].
 */
import { type DTypeLike, requestDType } from '../core/dtype.js';
import { normalizeAxis, shapesEqual } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { full } from '../lax/fill.js';
import { broadcastInDim, reshape, transpose } from '../lax/structural.js';
import { namedJit } from '../transforms/jit.js';
import { NotImplementedError, RuntimeError, ValueError } from './errors.js';
import { getitem, sl } from './indexing.js';
import { diag, dot } from './linalg.js';
import { max, mean, min, sum } from './reductions.js';
import { atleast_2d, concatenate, squeeze } from './shapes.js';
import * as uf from './ufuncs.js';
import { asValue, broadcastTo, promoteArgsInexact, staticAxis } from './util.js';

type Axis = number | readonly number[] | null;

export interface AverageOptions {
  axis?: Axis;
  weights?: unknown;
  returned?: boolean;
  keepdims?: boolean;
}

function axisTuple(axis: Axis | undefined, ndim: number): number[] {
  if (axis === undefined || axis === null) return [...Array(ndim).keys()];
  return (typeof axis === 'number' ? [axis] : [...axis]).map((a) => normalizeAxis(a, ndim));
}

/** jnp.average(a, {axis, weights, returned, keepdims}): [average, sum of weights] if returned. */
export function average(a0: unknown, opts: AverageOptions & { returned: true }): [Value, Value];
export function average(a0: unknown, opts?: AverageOptions): Value;
export function average(a0: unknown, opts: AverageOptions = {}): Value | [Value, Value] {
  const axis = opts.axis ?? null;
  const keepdims = opts.keepdims ?? false;
  let avg: Value;
  let weightsSum: Value;
  if (opts.weights === undefined || opts.weights === null) {
    const [a] = promoteArgsInexact(a0);
    const axes = axisTuple(axis, a.ndim);
    avg = mean(a, { axis, keepdims });
    const n = axis === null ? a.size : axes.reduce((p, d) => p * a.shape[d], 1);
    weightsSum = full([], n, avg.dtype);
  } else {
    let [a, w] = promoteArgsInexact(a0, opts.weights);
    if (!shapesEqual(a.shape, w.shape)) {
      if (axis === null) throw new ValueError('Axis must be specified when shapes of a and weights differ.');
      const axes = axisTuple(axis, a.ndim);
      if (
        !shapesEqual(
          w.shape,
          axes.map((d) => a.shape[d]),
        )
      ) {
        throw new ValueError('Shape of weights must be consistent with shape of a along specified axis.');
      }
      const newShape = a.shape.map((d, i) => (axes.includes(i) ? d : 1));
      const order = axes.map((_, i) => i).sort((i, j) => axes[i] - axes[j]);
      w = reshape(w, newShape, order);
    }
    weightsSum = sum(w, { axis, keepdims });
    avg = uf.true_divide(sum(uf.multiply(a, w), { axis, keepdims }), weightsSum);
  }
  if (opts.returned) {
    if (!shapesEqual(avg.shape, weightsSum.shape)) weightsSum = broadcastTo(weightsSum, avg.shape);
    return [avg, weightsSum];
  }
  return avg;
}

export interface CovOptions {
  /** A second set of variables, stacked under m's. */
  y?: unknown;
  rowvar?: boolean;
  bias?: boolean;
  ddof?: number | null;
  fweights?: unknown;
  aweights?: unknown;
  dtype?: DTypeLike | null;
}

const T = (x: Value) => transpose(x, [...Array(x.ndim).keys()].reverse());

function covCore(
  m0: Value,
  y0: Value | null,
  fw: Value | null,
  aw: Value | null,
  rowvar: boolean,
  bias: boolean,
  ddof0: number | null,
  dtype: string | null,
): Value {
  let m: Value;
  let y: Value | null = null;
  if (y0 !== null) {
    [m, y] = promoteArgsInexact(m0, y0);
    if (y.ndim > 2) throw new ValueError('y has more than 2 dimensions');
  } else [m] = promoteArgsInexact(m0);
  if (m.ndim > 2) throw new ValueError('m has more than 2 dimensions');
  if (dtype !== null && !requestDType(dtype, 'cov').isFloat) {
    throw new ValueError(`cov: dtype must be a subclass of float or complex; got dtype='${dtype}'`);
  }
  let X = atleast_2d(m) as Value;
  if (!rowvar && m.ndim !== 1) X = T(X);
  if (X.shape[0] === 0) return reshape(convertElementType(asValue([]), 'float32'), [0, 0]);
  if (y !== null) {
    let yy = atleast_2d(y) as Value;
    if (!rowvar && yy.shape[0] !== 1) yy = T(yy);
    X = concatenate([X, yy], { axis: 0 });
  }
  if (X.shape[1] === 0) return full(X.shape[0] === 1 ? [] : [X.shape[0], X.shape[0]], Number.NaN, X.dtype);
  const ddof = ddof0 ?? (bias ? 0 : 1);
  let w: Value | null = null;
  let aweights: Value | null = null;
  if (fw !== null) {
    if (fw.ndim > 1) throw new RuntimeError('cannot handle multidimensional fweights');
    if (fw.shape[0] !== X.shape[1]) throw new RuntimeError('incompatible numbers of samples and fweights');
    if (!fw.dtype.isInt) throw new TypeError('fweights must be integer.');
    w = uf.abs(fw);
  }
  if (aw !== null) {
    if (aw.ndim > 1) throw new RuntimeError('cannot handle multidimensional aweights');
    if (aw.shape[0] !== X.shape[1]) throw new RuntimeError('incompatible numbers of samples and aweights');
    aweights = uf.abs(aw);
    w = w === null ? aweights : uf.multiply(w, aweights);
  }
  if (dtype !== null) {
    X = convertElementType(X, dtype);
    if (w !== null) w = convertElementType(w, dtype);
  }
  const [avg, wSum0] = average(X, { axis: 1, weights: w, returned: true });
  const wSum = getitem(wSum0, [0]);
  let f: Value | number;
  if (w === null) f = X.shape[1] - ddof;
  else if (ddof === 0) f = wSum;
  else if (aweights === null) f = uf.subtract(wSum, ddof);
  else f = uf.subtract(wSum, uf.true_divide(uf.multiply(ddof, sum(uf.multiply(w, aweights))), wSum));
  X = uf.subtract(X, getitem(avg, [sl(), null]));
  const XT = w === null ? T(X) : T(uf.multiply(X, broadcastToRank(w, X.ndim)));
  return squeeze(uf.true_divide(dot(X, XT), f));
}

/** lax.broadcast_to_rank: leading unit dimensions up to `rank`. */
function broadcastToRank(x: Value, rank: number): Value {
  const pad = rank - x.ndim;
  return pad <= 0
    ? x
    : broadcastInDim(
        x,
        [...Array(pad).fill(1), ...x.shape],
        x.shape.map((_, i) => i + pad),
      );
}

const covJit = namedJit(
  'cov',
  function cov(
    m: Value,
    y: Value | null,
    fw: Value | null,
    aw: Value | null,
    rowvar: boolean,
    bias: boolean,
    ddof: number | null,
    dtype: string | null,
  ): Value {
    return covCore(m, y, fw, aw, rowvar, bias, ddof, dtype);
  },
  { staticArgnums: [4, 5, 6, 7] },
);

const opt = (v: unknown) => (v === undefined || v === null ? null : asValue(v));
const dtypeName = (d: DTypeLike | null | undefined) => (d === undefined || d === null ? null : String(d));

/** jnp.cov(m, {y, rowvar, bias, ddof, fweights, aweights, dtype}): the covariance matrix. */
export function cov(m: unknown, opts: CovOptions = {}): Value {
  return covJit(
    asValue(m),
    opt(opts.y),
    opt(opts.fweights),
    opt(opts.aweights),
    opts.rowvar ?? true,
    opts.bias ?? false,
    opts.ddof ?? null,
    dtypeName(opts.dtype),
  );
}

export interface CorrcoefOptions {
  y?: unknown;
  rowvar?: boolean;
  dtype?: DTypeLike | null;
}

const corrcoefJit = namedJit(
  'corrcoef',
  function corrcoef(x: Value, y: Value | null, rowvar: boolean, dtype: string | null): Value {
    if (dtype !== null && !requestDType(dtype, 'corrcoef').isFloat) {
      throw new ValueError(`corrcoef: dtype must be a subclass of float or complex; got dtype='${dtype}'`);
    }
    let c = covJit(x, y, null, null, rowvar, false, null, dtype);
    if (c.ndim === 0) return uf.true_divide(c, c);
    const d = diag(c);
    const stddev = convertElementType(uf.sqrt(d), c.dtype);
    c = uf.true_divide(uf.true_divide(c, getitem(stddev, [sl(), null])), getitem(stddev, [null, sl()]));
    return uf.clip(c, -1, 1);
  },
  { staticArgnums: [2, 3] },
);

/** jnp.corrcoef(x, {y, rowvar, dtype}): Pearson correlation coefficients. */
export function corrcoef(x: unknown, opts: CorrcoefOptions = {}): Value {
  return corrcoefJit(asValue(x), opt(opts.y), opts.rowvar ?? true, dtypeName(opts.dtype));
}

export interface PtpOptions {
  axis?: Axis;
  keepdims?: boolean;
  out?: null;
}

const ptpJit = namedJit(
  '_ptp',
  function _ptp(a: Value, axis: Axis, keepdims: boolean): Value {
    return lax.sub(max(a, { axis, keepdims }), min(a, { axis, keepdims }));
  },
  { staticArgnums: [1, 2] },
);

/** jnp.ptp(a, {axis, keepdims}): max - min ("peak to peak"). */
export function ptp(a: unknown, opts: PtpOptions = {}): Value {
  if (opts.out !== undefined && opts.out !== null) {
    throw new NotImplementedError("The 'out' argument to jnp.ptp is not supported.");
  }
  const axis = staticAxis(opts.axis);
  return ptpJit(asValue(a), axis, opts.keepdims ?? false);
}
