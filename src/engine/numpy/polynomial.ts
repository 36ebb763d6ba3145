/**
 * @file NumPy's polynomial functions on coefficient arrays (highest power first), as JAX 0.10.2
 * writes them (jax/_src/numpy/polynomial.py, lax_numpy.py): polyval is Horner's rule as a
 * lax.scan, polyadd/polysub add into the longer array's tail, polymul is a full convolution,
 * polydiv long division, polyder/polyint scale by falling factorials, poly convolves the linear
 * factors, polyfit solves the least-squares Vandermonde system with columns scaled to unit norm,
 * vander builds the Vandermonde matrix, trim_zeros cuts leading/trailing zeros.
 *
 * poly of a square matrix is the polynomial of its eigenvalues (complex, linalg.eigvals); jnp.roots
 * is the eigenvalues of the companion matrix (JAX's _roots_no_zeros / _roots_with_zeros).
 */
import { ArrayImpl, hostScalar } from '../core/array.js';
import { Complex } from '../core/complex.js';
import { complexOf } from '../core/dtype.js';
import { ConcretizationTypeError } from '../core/errors.js';
import { broadcastShapes } from '../core/shape.js';
import { isTracer, type Value } from '../core/trace.js';
import { scan } from '../lax/control.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { fullLike } from '../lax/fill.js';
import { sortKeyVal } from '../lax/sorting.js';
import { dynamicUpdateSlice, expandDims, iota, sliceInDim } from '../lax/structural.js';
import { jit, namedJit } from '../transforms/jit.js';
import { convolve } from './convolve.js';
import { arange, array, full, ones, zeros } from './creation.js';
import { finfo } from './dtypes.js';
import { ValueError } from './errors.js';
import { atUpdate, getitem, sl } from './indexing.js';
import { diag, dot } from './linalg.js';
import { inv } from './linalg-decomp.js';
import { eigvals } from './linalg-eig.js';
import { lstsq } from './linalg-extra.js';
import { all, any, prod, sum } from './reductions.js';
import { atleast_1d, concatenate, expand_dims, roll, transpose } from './shapes.js';
import { argmax, argmin } from './sorting.js';
import * as uf from './ufuncs.js';
import { asValue, promoteArgs, promoteArgsInexact } from './util.js';

const len = (x: Value) => x.shape[0];
const col = (x: Value) => getitem(x, [sl(), null]);
const row = (x: Value) => getitem(x, [null, sl()]);
const reversed = (x: Value) => getitem(x, [sl(null, null, -1)]);

export interface PolyvalOptions {
  unroll?: number;
}

const polyvalJit = namedJit(
  'polyval',
  function polyval(p: Value, x: Value, unroll: number): Value {
    const [pa, xa] = promoteArgs(p, x);
    const shape = broadcastShapes('polyval', pa.shape.slice(1), xa.shape);
    const y0 = fullLike(xa, 0, xa.dtype, shape);
    const [y] = scan((y: Value, c: Value) => [uf.add(uf.multiply(y, xa), c), null], y0, pa, { unroll });
    return y;
  },
  { staticArgnums: [2] },
);

/** jnp.polyval(p, x, {unroll}): the polynomial with coefficients p at x, by Horner's rule. */
export function polyval(p: unknown, x: unknown, opts: PolyvalOptions = {}): Value {
  return polyvalJit(asValue(p), asValue(x), opts.unroll ?? 16);
}

const polyaddJit = namedJit('polyadd', function polyadd(a1: Value, a2: Value): Value {
  const [x, y] = promoteArgs(a1, a2);
  return len(y) <= len(x)
    ? atUpdate(x, [sl(-len(y), null)], y, 'add')
    : atUpdate(y, [sl(-len(x), null)], x, 'add');
});

/** jnp.polyadd(a1, a2): the sum of two polynomials. */
export function polyadd(a1: unknown, a2: unknown): Value {
  return polyaddJit(asValue(a1), asValue(a2));
}

const polysubJit = namedJit('polysub', function polysub(a1: Value, a2: Value): Value {
  const [x, y] = promoteArgs(a1, a2);
  return polyaddJit(x, uf.negative(y));
});

/** jnp.polysub(a1, a2): the difference of two polynomials. */
export function polysub(a1: unknown, a2: unknown): Value {
  return polysubJit(asValue(a1), asValue(a2));
}

/** A concrete integer argument, with JAX's error when it is traced. */
function concreteInt(v: unknown, what: string): number {
  if (isTracer(v)) throw new ConcretizationTypeError((v as Value).aval.toString(), what);
  const n = typeof v === 'number' ? v : Number(hostScalar(asValue(v) as ArrayImpl));
  if (!Number.isInteger(n)) throw new TypeError(`'${typeof v}' object cannot be interpreted as an integer`);
  return n;
}

export interface PolyintOptions {
  m?: number;
  k?: unknown;
}

const polyintJit = namedJit(
  'polyint',
  function polyint(p0: Value, k0: Value, m: number): Value {
    const [p, k1] = promoteArgsInexact(p0, k0);
    if (m < 0) throw new ValueError('Order of integral must be positive (see polyder)');
    let k = atleast_1d(k1) as Value;
    if (len(k) === 1) k = full([m], getitem(k, [0]));
    if (k.ndim !== 1 || k.shape[0] !== m)
      throw new ValueError('k must be a scalar or a rank-1 array of length 1 or m.');
    if (m === 0) return p;
    const grid = uf.subtract(row(arange(len(p) + m, { dtype: p.dtype })), col(arange(m, { dtype: p.dtype })));
    const coeff = reversed(prod(uf.maximum(1, grid), { axis: 0 }));
    return uf.true_divide(concatenate([p, k]), coeff);
  },
  { staticArgnums: [2] },
);

/** jnp.polyint(p, {m, k}): the m-th antiderivative, with integration constants k. */
export function polyint(p: unknown, opts: PolyintOptions = {}): Value {
  const m = concreteInt(opts.m ?? 1, "'m' argument of jnp.polyint");
  return polyintJit(asValue(p), asValue(opts.k ?? 0), m);
}

const polyderJit = namedJit(
  'polyder',
  function polyder(p0: Value, m: number): Value {
    const [p] = promoteArgsInexact(p0);
    if (m < 0) throw new ValueError('Order of derivative must be positive');
    if (m === 0) return p;
    const grid = uf.subtract(row(arange(m, len(p), { dtype: p.dtype })), col(arange(m, { dtype: p.dtype })));
    const coeff = prod(grid, { axis: 0 });
    return uf.multiply(getitem(p, [sl(null, -m)]), reversed(coeff));
  },
  { staticArgnums: [1] },
);

/** jnp.polyder(p, {m}): the m-th derivative. */
export function polyder(p: unknown, opts: { m?: number } = {}): Value {
  return polyderJit(asValue(p), concreteInt(opts.m ?? 1, "'m' argument of jnp.polyder"));
}

export interface TrimLeadingOptions {
  trimLeadingZeros?: boolean;
}

/** jnp.polymul(a1, a2, {trimLeadingZeros}): the product of two polynomials. */
export function polymul(a1: unknown, a2: unknown, opts: TrimLeadingOptions = {}): Value {
  let [x, y] = promoteArgsInexact(a1, a2);
  if (opts.trimLeadingZeros && (len(x) > 1 || len(y) > 1)) {
    x = trim_zeros(x, { trim: 'f' });
    y = trim_zeros(y, { trim: 'f' });
  }
  if (len(x) === 0) x = zeros([1], { dtype: y.dtype });
  if (len(y) === 0) y = zeros([1], { dtype: x.dtype });
  return convolve(x, y, 'full');
}

/** JAX's trim_zeros_tol: strip elements below tol in magnitude (the input must be concrete). */
function trimZerosTol(filt: Value, tol: Value, trim: string): Value {
  if (isTracer(filt)) {
    throw new ConcretizationTypeError(
      filt.aval.toString(),
      'Error arose in the `filt` argument of trim_zeros_tol()',
    );
  }
  const nz = uf.less(uf.abs(filt), tol);
  if (hostScalar(uf.logical_not(any(uf.logical_not(nz))) as ArrayImpl))
    return zeros([0], { dtype: filt.dtype });
  const start = trim.toLowerCase().includes('f') ? Number(hostScalar(argmin(nz) as ArrayImpl)) : 0;
  const end = trim.toLowerCase().includes('b') ? Number(hostScalar(argmin(reversed(nz)) as ArrayImpl)) : 0;
  return getitem(filt, [sl(start, len(filt) - end)]);
}

/** jnp.polydiv(u, v, {trimLeadingZeros}): [quotient, remainder] of polynomial division. */
export function polydiv(u0: unknown, v0: unknown, opts: TrimLeadingOptions = {}): [Value, Value] {
  let [u, v] = promoteArgsInexact(u0, v0);
  const m = len(u) - 1;
  const n = len(v) - 1;
  const scale = uf.true_divide(1.0, getitem(v, [0]));
  let q = zeros([Math.max(m - n + 1, 1)], { dtype: u.dtype });
  for (let k = 0; k < m - n + 1; k++) {
    const d = uf.multiply(scale, getitem(u, [k]));
    q = atUpdate(q, [k], d, 'set');
    u = atUpdate(u, [sl(k, k + n + 1)], uf.multiply(uf.negative(d), v), 'add');
  }
  if (opts.trimLeadingZeros) u = trimZerosTol(u, uf.sqrt(finfo(u.dtype).eps), 'f');
  return [q, u];
}

const polyJit = namedJit('poly', function poly(z0: Value): Value {
  const [z1] = promoteArgsInexact(z0);
  let z = atleast_1d(z1) as Value;
  const sh = z.shape;
  // A square matrix: the polynomial of its (complex) eigenvalues, its characteristic polynomial.
  if (sh.length === 2 && sh[0] === sh[1] && sh[0] !== 0) z = eigvals(z);
  if (z.ndim !== 1) throw new ValueError('input must be 1d or non-empty square 2d array.');
  const dt = z.dtype;
  if (len(z) === 0) return ones([], { dtype: dt });
  let a = ones([1], { dtype: dt });
  for (let k = 0; k < len(z); k++) {
    a = convolve(a, array([1, uf.negative(getitem(z, [k]))], { dtype: dt }), 'full');
  }
  return a;
});

/** jnp.poly(seqOfZeros): the coefficients of the monic polynomial with these roots. */
export function poly(seqOfZeros: unknown): Value {
  return polyJit(asValue(seqOfZeros));
}

export interface VanderOptions {
  N?: number | null;
  increasing?: boolean;
}

const vanderJit = namedJit(
  'vander',
  function vander(x: Value, N0: number | null, increasing: boolean): Value {
    if (x.ndim !== 1) throw new ValueError('x must be a one-dimensional array');
    const N = N0 === null ? x.shape[0] : N0;
    if (N < 0) throw new ValueError('N must be nonnegative');
    let powers = iota(x.dtype, N);
    if (!increasing) powers = lax.sub(convertElementType(N - 1, powers.dtype), powers);
    return uf.power(getitem(x, ['...', null]), expand_dims(powers, [0]));
  },
  { staticArgnums: [1, 2] },
);

/** jnp.vander(x, {N, increasing}): the Vandermonde matrix, powers decreasing by default. */
export function vander(x: unknown, opts: VanderOptions = {}): Value {
  const N =
    opts.N === undefined || opts.N === null ? null : concreteInt(opts.N, "'N' argument of jnp.vander()");
  return vanderJit(asValue(x), N, opts.increasing ?? false);
}

export interface TrimZerosOptions {
  trim?: string;
  axis?: number | readonly number[] | null;
}

/** jnp.trim_zeros(filt, {trim, axis}): drop leading ('f') and trailing ('b') zeros (concrete input). */
export function trim_zeros(filt0: unknown, opts: TrimZerosOptions = {}): Value {
  const filt = asValue(filt0);
  if (isTracer(filt)) {
    throw new ConcretizationTypeError(
      filt.aval.toString(),
      'Error arose in the `filt` argument of trim_zeros()',
    );
  }
  const trim = (opts.trim ?? 'fb').toLowerCase();
  const axes = new Set(
    opts.axis === undefined || opts.axis === null
      ? [...Array(filt.ndim).keys()]
      : (typeof opts.axis === 'number' ? [opts.axis] : [...opts.axis]).map((a) =>
          a < 0 ? a + filt.ndim : a,
        ),
  );
  if (!axes.size || (!trim.includes('f') && !trim.includes('b'))) return filt;
  const slices = [...Array(filt.ndim).keys()].map((ax) => {
    if (!axes.has(ax)) return sl();
    const others = [...Array(filt.ndim).keys()].filter((i) => i !== ax);
    const mask = any(filt, { axis: others });
    if (!hostScalar(any(mask) as ArrayImpl)) return sl(0, 0);
    const start = trim.includes('f') ? Number(hostScalar(argmax(mask) as ArrayImpl)) : null;
    const stop = trim.includes('b')
      ? filt.shape[ax] - Number(hostScalar(argmax(reversed(mask)) as ArrayImpl))
      : null;
    return sl(start, stop);
  });
  return getitem(filt, slices);
}
export const trimZeros = trim_zeros;

export interface PolyfitOptions {
  rcond?: number | null;
  full?: boolean;
  w?: unknown;
  cov?: boolean | 'unscaled';
}

const polyfitJit = namedJit(
  'polyfit',
  function polyfit(
    x: Value,
    y: Value,
    w: Value | null,
    deg: number,
    rcond0: number | null,
    full: boolean,
    cov: boolean | 'unscaled',
  ): Value | Value[] {
    const order = deg + 1;
    if (deg < 0) throw new ValueError('expected deg >= 0');
    if (x.ndim !== 1) throw new TypeError('expected 1D vector for x');
    if (x.size === 0) throw new TypeError('expected non-empty vector for x');
    if (y.ndim < 1 || y.ndim > 2) throw new TypeError('expected 1D or 2D array for y');
    if (x.shape[0] !== y.shape[0]) throw new TypeError('expected x and y to have same length');
    const rcond = rcond0 ?? len(x) * finfo(x.dtype.isFloat ? x.dtype : 'float32').eps;
    let lhs = vanderJit(x, order, false);
    let rhs = y;
    if (w !== null) {
      const [wa] = promoteArgsInexact(w);
      if (wa.ndim !== 1) throw new TypeError('expected a 1-d array for weights');
      if (wa.shape[0] !== y.shape[0]) throw new TypeError('expected w and y to have the same length');
      lhs = uf.multiply(lhs, col(wa));
      rhs = rhs.ndim === 2 ? uf.multiply(rhs, col(wa)) : uf.multiply(rhs, wa);
    }
    const scale = uf.sqrt(sum(uf.multiply(lhs, lhs), { axis: 0 }));
    lhs = uf.true_divide(lhs, row(scale));
    const [c0, resids, rank, s] = lstsq(lhs, rhs, { rcond });
    const c = c0.ndim > 1 ? transpose(uf.true_divide(transpose(c0), row(scale))) : uf.true_divide(c0, scale);
    if (full) return [c, resids, rank, s, asValue(rcond)];
    if (!cov) return c;
    let vbase = inv(dot(transpose(lhs), lhs));
    vbase = uf.true_divide(vbase, uf.multiply(col(scale), row(scale)));
    let fac: Value;
    if (cov === 'unscaled') fac = asValue(1.0);
    else {
      if (len(x) <= order) {
        throw new ValueError('the number of data points must exceed order to scale the covariance matrix');
      }
      fac = uf.true_divide(resids, len(x) - order);
    }
    if (y.ndim === 1) return [c, uf.multiply(vbase, getitem(atleast_1d(fac) as Value, [null]))];
    return [
      c,
      uf.multiply(getitem(vbase, [sl(), sl(), null]), getitem(atleast_1d(fac) as Value, [null, null])),
    ];
  },
  { staticArgnums: [3, 4, 5, 6] },
);

/** jnp.polyfit(x, y, deg, {rcond, full, w, cov}): least-squares polynomial coefficients. */
export function polyfit(x: unknown, y: unknown, deg: number, opts: PolyfitOptions = {}): Value | Value[] {
  const d = concreteInt(deg, 'deg must be int');
  const w = opts.w === undefined || opts.w === null ? null : asValue(opts.w);
  return polyfitJit(asValue(x), asValue(y), w, d, opts.rcond ?? null, opts.full ?? false, opts.cov ?? false);
}

// ---- roots ---------------------------------------------------------------------------------------

/** The companion matrix's eigenvalues: the roots of p (no leading zeros), JAX's _roots_no_zeros. */
const rootsNoZeros = jit(function _roots_no_zeros(p: Value): Value {
  const n = p.shape[0];
  if (n < 2) return array([], { dtype: complexOf(p.dtype) });
  const a = diag(ones([n - 2], { dtype: p.dtype }), -1);
  const row = lax.neg(lax.div(sliceInDim(p, 1, n), sliceInDim(p, 0, 1)));
  return eigvals(dynamicUpdateSlice(a, expandDims(row, [0]), [0, 0]));
});

/** Leading zeros rolled to the end; their roots become NaN (JAX's _roots_with_zeros). */
const rootsWithZeros = jit(function _roots_with_zeros(p: Value, numLeadingZeros: Value): Value {
  const n = p.shape[0];
  const q = uf.where(lax.eq(convertElementType(n, numLeadingZeros.dtype), numLeadingZeros), 1, p);
  let r = rootsNoZeros(roll(q, lax.neg(numLeadingZeros))) as Value;
  r = sortKeyVal(lax.eq(r, 0), r)[1];
  const keep = lax.lt(arange(r.shape[0]), lax.sub(r.shape[0], numLeadingZeros));
  return uf.where(keep, r, new Complex(Number.NaN, Number.NaN));
});

/**
 * jnp.roots(p, {stripZeros = true}): the roots of the polynomial with coefficients p, highest
 * power first. Stripping leading zeros needs their count on the host; under jit pass
 * stripZeros: false, and roots of leading zeros come back as NaN.
 */
export function roots(p: unknown, opts: { stripZeros?: boolean } = {}): Value {
  const [v] = promoteArgsInexact(p);
  const arr = atleast_1d(v) as Value;
  if (arr.ndim !== 1) throw new ValueError('Input must be a rank-1 array.');
  if (arr.size < 2) return array([], { dtype: complexOf(arr.dtype) });
  const isZero = lax.eq(arr, 0);
  const lead = uf.where(all(isZero), arr.size, argmin(isZero));
  if (opts.stripZeros ?? true) {
    if (!(lead instanceof ArrayImpl)) {
      throw new ConcretizationTypeError(
        'the number of leading zeros',
        'The error occurred in the jnp.roots() function. To use this within a JIT-compiled context, pass strip_zeros=False, but be aware that leading zeros will result in some returned roots being set to NaN.',
      );
    }
    const k = Number(hostScalar(lead));
    return rootsNoZeros(sliceInDim(arr, k, arr.size)) as Value;
  }
  return rootsWithZeros(arr, lead) as Value;
}
