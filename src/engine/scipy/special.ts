/**
 * @file jax.scipy.special on the lax primitives: erf erfc erfinv ndtr ndtri log_ndtr gammaln
 * digamma gammainc gammaincc betaln betainc xlogy xlog1py logsumexp expit logit entr kl_div
 * rel_entr. Names, argument order and edge-case values follow SciPy/JAX 0.10.2; the algorithms
 * are tjax's own, chosen to stay within a few float32 ulps of SciPy over wide ranges:
 *
 * - Every function is a composition of lax ops (so it traces, jits into one fused kernel and
 *   differentiates with the lax rules). Series and continued fractions run a fixed number of
 *   terms, chosen per dtype, with no data-dependent loop; piecewise formulas compute every
 *   branch on clamped ("safe") inputs and pick one with select, so unused branches cannot turn
 *   gradients into NaN.
 * - Where float32 rounding of an intermediate would dominate (the argument x/sqrt(2) of erfc in
 *   the normal tails, x^2 in log_ndtr's asymptotic form) the rounding error is recovered exactly
 *   with Dekker's two-product (each op rounds to the dtype, which is what makes it exact) and
 *   applied as a first-order correction.
 * - gammainc, gammaincc and betainc bind JAX's primitives igamma, igammac and
 *   regularized_incomplete_beta, whose kernels evaluate Cephes'/Boost's algorithms in double
 *   precision and round once (backends/cpu/incomplete.ts). betaln uses Stirling's correction for
 *   large arguments (as lgamma differences cancel).
 * - float16/bfloat16 inputs are computed in float32 and rounded back.
 */
import { type DType, float32 } from '../core/dtype.js';
import { broadcastShapes } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { logSoftmax as nnLogSoftmax, logsumexp as nnLogsumexp, softmax as nnSoftmax } from '../nn/index.js';
import * as jnp from '../numpy/namespace.js';
import {
  asValue,
  broadcastTo,
  constantLike,
  promoteArgsInexact,
  promoteArgsInexactShapes,
  promoteShapes,
  pyfloat,
} from '../numpy/util.js';
import { customJvp, ValueError } from '../transforms/api.js';

type V = Value;
type Num = V | number;

// ---------------------------------------------------------------------------------------------
// Plumbing

/**
 * Promote to a common inexact dtype and broadcast to a common shape (float16 computes in f32);
 * `back` converts a result to the promoted dtype. Shared with stats/ and divergences.ts.
 */
export function prep(name: string, xs: unknown[]): { vals: V[]; dtype: DType; back: (v: V) => V } {
  const vals = promoteArgsInexact(...xs);
  const shape = broadcastShapes(name, ...vals.map((v) => v.shape));
  const dtype = vals[0].dtype;
  const weak = vals.every((v) => v.weakType);
  let out = vals.map((v) => broadcastTo(v, shape));
  if (dtype.itemsize < 4) out = out.map((v) => convertElementType(v, float32, v.weakType));
  const back = (v: V): V =>
    dtype.itemsize < 4 || v.weakType !== weak ? convertElementType(v, dtype, weak) : v;
  return { vals: out, dtype, back };
}

function elementwise<F extends (...a: V[]) => V>(name: string, f: F, nargs: number) {
  const g = (...xs: unknown[]): V => {
    if (xs.length !== nargs)
      throw new TypeError(`${name}() takes ${nargs} positional arguments but ${xs.length} were given`);
    const { vals, back } = prep(name, xs);
    return back(f(...vals));
  };
  Object.defineProperty(g, 'name', { value: name });
  return g;
}

const add = (a: Num, b: Num) => lax.add(a, b);
const sub = (a: Num, b: Num) => lax.sub(a, b);
const mul = (a: Num, b: Num) => lax.mul(a, b);
const div = (a: Num, b: Num) => lax.div(a, b);
/** select with NumPy-style scalars: a JS number takes the other case's dtype and shape. */
function sel(c: V, t: Num, f: Num): V {
  const ref = (typeof t === 'number' ? f : t) as V;
  const shape = c.ndim ? c.shape : ref.shape;
  const fix = (v: Num) => (typeof v === 'number' ? full(ref, v, shape) : broadcastTo(v, shape));
  return lax.select(c, fix(t), fix(f));
}
const and = (a: V, b: V) => lax.bitwiseAnd(a, b);
const or = (a: V, b: V) => lax.bitwiseOr(a, b);
const isF64 = (x: V) => x.dtype.itemsize === 8;
/** A constant with x's dtype (and weak type), broadcast to x's shape or the given one. */
const full = (x: V, v: number, shape: readonly number[] = x.shape) =>
  broadcastTo(convertElementType(v, x.dtype, x.weakType), shape);
const NAN = Number.NaN;
const INF = Number.POSITIVE_INFINITY;
const HALF_LOG_2PI = 0.9189385332046728;

/** Horner: c[0] x^n + c[1] x^(n-1) + ... + c[n]. */
function poly(x: V, c: readonly number[]): V {
  let acc: V = full(x, c[0]);
  for (let i = 1; i < c.length; i++) acc = add(mul(acc, x), c[i]);
  return acc;
}

/** Veltkamp split of x into hi + lo, each with half the significand (exact in the dtype). */
function split(x: V): [V, V] {
  const t = mul(x, isF64(x) ? 134217729 : 4097);
  const hi = sub(t, sub(t, x));
  return [hi, sub(x, hi)];
}

/** The rounding error of fl(a*b): a*b = p + e exactly (Dekker). */
function twoProdErr(a: V, b: V, p: V): V {
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return add(add(add(sub(mul(ah, bh), p), mul(ah, bl)), mul(al, bh)), mul(al, bl));
}

/** A JS double as hi + lo, hi rounded to the dtype of x. */
function constParts(c: number, cLo64: number, x: V): [number, number] {
  if (isF64(x)) return [c, cLo64];
  const hi = Math.fround(c);
  return [hi, c - hi + cLo64];
}

/** x - log1p(x) for x > -1, accurate near 0 (series in u = x/(2+x)), direct elsewhere. */
export function xMinusLog1p(x: V): V {
  const near = and(lax.gt(x, -0.5), lax.lt(x, 1));
  const xs = sel(near, x, 0.1);
  const u = div(xs, add(xs, 2));
  const u2 = mul(u, u);
  // x - log1p(x) = x u - 2 (u^3/3 + u^5/5 + ...), and x u has no cancellation against the rest.
  const nTerms = isF64(x) ? 16 : 9;
  let s: V = full(x, 1 / (2 * nTerms + 1));
  for (let k = nTerms - 1; k >= 1; k--) s = add(mul(s, u2), 1 / (2 * k + 1));
  const series = sub(mul(xs, u), mul(mul(2, mul(u, u2)), s));
  const xd = sel(near, 1, x);
  return sel(near, series, sub(xd, lax.log1p(xd)));
}

/** Stirling's correction lgamma(z) - [(z - 1/2) log z - z + log(2 pi)/2], for z >= 8 (f32) / 16 (f64). */
function stirlingCorr(z: V): V {
  const r = div(1, z);
  const r2 = mul(r, r);
  // B_2k / (2k (2k-1)), k = 1..6
  const c = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360];
  const n = isF64(z) ? 6 : 4;
  let s: V = full(z, c[n - 1]);
  for (let k = n - 2; k >= 0; k--) s = add(mul(s, r2), c[k]);
  return mul(s, r);
}
const stirlingMin = (x: V) => (isF64(x) ? 16 : 8);

// ---------------------------------------------------------------------------------------------
// Error function family

export const erf = elementwise('erf', (x) => lax.erf(x), 1);
export const erfc = elementwise('erfc', (x) => lax.erfc(x), 1);
/**
 * erfinv to a few float32 ulps. lax.erf_inv of float32 is XLA's single-precision polynomial (so
 * random.normal reproduces JAX's draws), which is up to ~50 ulp off near +-1; one Newton step on
 * erf (on erfc and the exact 1 - |x| where |x| > 1/2, so nothing cancels) brings it within an ulp
 * or two of SciPy. float64's erf_inv is already refined. This adds ops to the jaxpr where JAX's
 * jax.scipy.special.erfinv shows one erf_inv: a deliberate difference, for accuracy.
 */
function erfinvAccurate(x: V): V {
  const y0 = lax.erfInv(x);
  if (isF64(x)) return y0;
  const ax = lax.abs(x);
  const z = lax.abs(y0);
  const dens = mul(2 / Math.sqrt(Math.PI), lax.exp(lax.neg(mul(z, z))));
  const r = sel(lax.gt(ax, 0.5), sub(sub(1, ax), lax.erfc(z)), sub(lax.erf(z), ax));
  const z1 = sub(z, div(r, dens));
  const refined = sel(lax.lt(x, 0), lax.neg(z1), z1);
  // Keep +-0, +-inf (x = +-1) and NaN as erf_inv gives them.
  return sel(or(lax.eq(y0, 0), lax.bitwiseNot(lax.isFinite(y0))), y0, refined);
}
export const erfinv = elementwise('erfinv', erfinvAccurate, 1);

/**
 * erfc(w) and the exact rounding error dw of w = fl(|x| / sqrt 2) (true |x|/sqrt 2 = w + dw), as
 * erfc's first-order correction: erfc(w + dw) = erfc(w) - dw 2/sqrt(pi) e^(-w^2).
 */
function erfcOfScaled(x: V): { w: V; z: V; e: V } {
  const [c, cLo] = constParts(Math.SQRT1_2, -4.833646656726457e-17, x);
  const z = mul(x, c);
  const dz = add(twoProdErr(x, full(x, c), z), mul(x, cLo));
  const w = lax.abs(z);
  const dw = sel(lax.lt(z, 0), lax.neg(dz), dz);
  const e0 = lax.erfc(w);
  const e = sub(e0, mul(mul(dw, 2 / Math.sqrt(Math.PI)), lax.exp(lax.neg(mul(w, w)))));
  return { w, z, e };
}

function ndtrImpl(x: V): V {
  const { w, z, e } = erfcOfScaled(x);
  const center = mul(0.5, add(1, lax.erf(z)));
  const tail = sel(lax.lt(z, 0), mul(0.5, e), sub(1, mul(0.5, e)));
  return sel(lax.lt(w, Math.SQRT1_2), center, tail);
}

/** ndtr(x): the standard normal CDF. */
export const ndtr = elementwise('ndtr', ndtrImpl, 1);

function logNdtrImpl(x: V): V {
  const f64 = isF64(x);
  const lower = f64 ? -20 : -12;
  // Upper half: log1p(-ndtr(-x)) keeps the tiny result's digits.
  const upper = lax.log1p(lax.neg(ndtrImpl(lax.neg(lax.max(x, 0)))));
  const mid = lax.log(ndtrImpl(lax.clamp(lower, x, 0)));
  // Far left tail: -x^2/2 - log(-x) - log(2 pi)/2 + log(1 - 1/x^2 + 3/x^4 - ...), with x^2 = hi + lo exact.
  const xa = lax.min(x, lower);
  const x2 = mul(xa, xa);
  const x2lo = twoProdErr(xa, xa, x2);
  const r = div(1, x2);
  const n = f64 ? 10 : 6;
  let s: V = full(xa, 0);
  let coef = 1;
  for (let k = 1; k <= n; k++) coef *= 2 * k - 1;
  for (let k = n; k >= 1; k--) {
    s = mul(add(s, (k % 2 ? -1 : 1) * coef), r);
    coef /= 2 * k - 1;
  }
  const rest = sub(sub(mul(-0.5, x2lo), lax.log(lax.neg(xa))), sub(HALF_LOG_2PI, lax.log1p(s)));
  const asym = add(mul(-0.5, x2), rest);
  return sel(lax.gt(x, 0), upper, sel(lax.lt(x, lower), asym, mid));
}

/** log_ndtr(x): log of the standard normal CDF, accurate in both tails. */
export const log_ndtr = elementwise('log_ndtr', logNdtrImpl, 1);

// Acklam's rational approximations of the normal quantile (relative error 1.2e-9).
const ACK_A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const ACK_B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
  1,
];
const ACK_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const ACK_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416, 1];

function ndtriImpl(p: V): V {
  const f64 = isF64(p);
  // q = min(p, 1 - p) is exact (Sterbenz) and the quantile of the lower tail is -|x|.
  const upperHalf = lax.gt(p, 0.5);
  const q = sel(upperHalf, sub(1, p), p);
  const qs = lax.clamp(f64 ? 1e-300 : 1e-37, q, 0.5);
  const t = lax.sqrt(mul(-2, lax.log(qs)));
  const tail = div(poly(t, ACK_C), poly(t, ACK_D));
  const c = sub(qs, 0.5);
  const c2 = mul(c, c);
  const central = div(mul(poly(c2, ACK_A), c), poly(c2, ACK_B));
  let x = sel(lax.lt(qs, 0.02425), tail, central);
  // Newton steps on ndtr(x) = q (x < 0): ndtr is accurate to an ulp or two, and there the
  // quantile's relative error shrinks by 1/x^2 through the step.
  const steps = f64 ? 2 : 1;
  for (let i = 0; i < steps; i++) {
    const phi = mul(1 / Math.sqrt(2 * Math.PI), lax.exp(mul(-0.5, mul(x, x))));
    x = sub(x, div(sub(ndtrImpl(x), qs), phi));
  }
  // Around the median, sqrt(2) erfinv(2p - 1) is better: 2p - 1 is exact for p >= 1/4.
  const mid = mul(Math.SQRT2, erfinvAccurate(sub(mul(2, p), 1)));
  const newtonOk = f64 ? lax.gt(q, 1e-300) : lax.gt(q, 1e-36);
  const xt = sel(newtonOk, x, sel(lax.lt(qs, 0.02425), tail, central));
  const lowRes = sel(upperHalf, lax.neg(xt), xt);
  let out = sel(lax.ge(q, 0.25), mid, lowRes);
  out = sel(lax.eq(p, 0), -INF, sel(lax.eq(p, 1), INF, out));
  return sel(or(lax.lt(p, 0), lax.gt(p, 1)), NAN, out);
}

/** ndtri(p): the inverse of ndtr (standard normal quantile). */
export const ndtri = elementwise('ndtri', ndtriImpl, 1);

// ---------------------------------------------------------------------------------------------
// Gamma family

export const gammaln = elementwise('gammaln', (x) => lax.lgamma(x), 1);
export const digamma = elementwise('digamma', (x) => lax.digamma(x), 1);

/**
 * A scipy.special function that is one lax primitive, as in JAX: promote_args_inexact (dtype and
 * rank promotion) and bind; lax broadcasts size-1 dimensions and float16 is computed by the
 * primitive's kernel (in double precision on the CPU) and rounded once.
 */
function laxFunction(name: string, nargs: number, f: (...a: V[]) => V) {
  const g = (...xs: unknown[]): V => {
    if (xs.length !== nargs)
      throw new TypeError(`${name}() takes ${nargs} positional arguments but ${xs.length} were given`);
    return f(...promoteShapes(name, promoteArgsInexact(...xs)));
  };
  Object.defineProperty(g, 'name', { value: name });
  return g;
}

/** gammainc(a, x): the regularized lower incomplete gamma function P(a, x) (lax.igamma). */
export const gammainc = laxFunction('gammainc', 2, (a, x) => lax.igamma(a, x));
/** gammaincc(a, x): the regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x) (lax.igammac). */
export const gammaincc = laxFunction('gammaincc', 2, (a, x) => lax.igammac(a, x));

/** lgamma(b) - lgamma(a + b) for b >= stirlingMin, without cancellation. */
function lgammaDiff(a: V, b: V): V {
  const apb = add(a, b);
  const d = sub(mul(sub(b, 0.5), lax.log1p(div(a, b))), a);
  return sub(sub(sub(stirlingCorr(b), stirlingCorr(apb)), d), mul(a, lax.log(apb)));
}

function betalnImpl(x: V, y: V): V {
  const a = lax.min(x, y);
  const b = lax.max(x, y);
  const m = stirlingMin(a);
  const simple = sub(add(lax.lgamma(a), lax.lgamma(b)), lax.lgamma(add(a, b)));
  const bBig = lax.ge(b, m);
  const bs = sel(bBig, b, m);
  const oneBig = add(lax.lgamma(a), lgammaDiff(a, bs));
  // Both large: the full Stirling form.
  const aBig = lax.ge(a, m);
  const as = sel(aBig, a, m);
  const bb = sel(aBig, bs, m);
  const apb = add(as, bb);
  const ra = div(as, apb);
  const corr = sub(add(stirlingCorr(as), stirlingCorr(bb)), stirlingCorr(apb));
  const main = add(mul(sub(as, 0.5), lax.log(ra)), mul(sub(bb, 0.5), lax.log1p(lax.neg(ra))));
  const both = add(add(sub(main, mul(0.5, lax.log(apb))), HALF_LOG_2PI), corr);
  return sel(aBig, both, sel(bBig, oneBig, simple));
}

/** betaln(a, b) = log|B(a, b)|. */
export const betaln = elementwise('betaln', betalnImpl, 2);

/** betainc(a, b, x): the regularized incomplete beta function I_x(a, b) (lax.betainc). */
export const betainc = laxFunction('betainc', 3, (a, b, x) => lax.betainc(a, b, x));

// ---------------------------------------------------------------------------------------------
// Logs, logistic, entropies

/**
 * JAX's xlogy / xlog1py: custom JVPs over `where(x != 0 | isnan(y), x * log(y), zeros_like(x))`,
 * so the printed program and the derivative (x' log(y) + y' x / y) are JAX's.
 */
function xlogFamily(name: string, log: (y: V) => V, dlog: (y: V) => V) {
  const f = customJvp(
    {
      [name]: (x0: V, y0: V): V => {
        const [x, y] = promoteArgsInexactShapes(name, x0, y0);
        const xOk = jnp.not_equal(x, pyfloat(0));
        return jnp.where(jnp.logical_or(xOk, jnp.isnan(y)), lax.mul(x, log(y)), jnp.zerosLike(x));
      },
    }[name],
  );
  const jvpName = `_${name}_jvp`;
  const rule = {
    [jvpName]: (primals: V[], tangents: V[]) => {
      // Promoted here too (a no-op for float inputs): JAX's rule takes log of an integer y and
      // raises, tjax's differentiates xlogy(x, 2).
      const [x, y] = promoteArgsInexactShapes(name, ...primals);
      const [xDot, yDot] = tangents;
      const result = f(primals[0], primals[1]) as V;
      const t = jnp.add(jnp.multiply(xDot, log(y)), jnp.true_divide(jnp.multiply(yDot, x), dlog(y)));
      return [result, convertElementType(t, result.dtype)];
    },
  }[jvpName];
  f.defjvp(rule);
  return (x: unknown, y: unknown): V => f(asValue(x), asValue(y)) as V;
}

/** xlogy(x, y) = x log(y), 0 where x == 0 (NaN in y propagates). */
export const xlogy = xlogFamily('xlogy', lax.log, (y) => y);
/** xlog1py(x, y) = x log1p(y), 0 where x == 0. */
export const xlog1py = xlogFamily('xlog1py', lax.log1p, (y) => jnp.add(1, y));

export const expit = elementwise('expit', (x) => lax.logistic(x), 1);

/** logit(p) = log(p / (1 - p)); near 1/2 as log1p((2p - 1) / (1 - p)), whose operands are exact. */
export const logit = elementwise(
  'logit',
  (p) => {
    const near = lax.lt(lax.abs(sub(p, 0.5)), 0.25);
    const pn = sel(near, p, 0.5);
    const nearV = lax.log1p(div(sub(mul(2, pn), 1), sub(1, pn)));
    return sel(near, nearV, lax.log(div(p, sub(1, p))));
  },
  1,
);

/**
 * entr(x) = -x log x for x > 0, 0 at 0, -inf for x < 0. A deliberate difference from JAX's
 * `select(x < 0, -inf, -_xlogx(x))`: that gives entr(0) = -0, and SciPy (which tjax's edge values
 * follow) gives +0.
 */
export const entr = elementwise(
  'entr',
  (x) => {
    const pos = lax.gt(x, 0);
    const xs = sel(pos, x, 1);
    return sel(pos, lax.neg(mul(xs, lax.log(xs))), sel(lax.eq(x, 0), full(x, 0), -INF));
  },
  1,
);

/** log(p / q) for p, q > 0: log1p of the exact difference near 1, log of the ratio elsewhere. */
function logRatio(p: V, q: V): V {
  const r = div(p, q);
  const near = and(lax.ge(r, 0.5), lax.le(r, 2));
  const nearV = lax.log1p(div(sub(p, q), q));
  const finite = and(lax.isFinite(r), lax.gt(r, isF64(p) ? 2.2250738585072014e-308 : 1.1754943508222875e-38));
  const far = sel(finite, lax.log(sel(finite, r, 1)), sub(lax.log(p), lax.log(q)));
  return sel(near, nearV, far);
}

/**
 * The frame rel_entr and kl_div share: `f` of p and q where both are positive (evaluated on the
 * stand-in 1 elsewhere), `atZero(f's value)` where p = 0 and q >= 0, inf otherwise.
 */
function entropyTerm(p: V, q: V, f: (ps: V, qs: V) => V, atZero: (v: V) => V): V {
  const both = and(lax.gt(p, 0), lax.gt(q, 0));
  const v = f(sel(both, p, 1), sel(both, q, 1));
  return sel(both, v, sel(and(lax.eq(p, 0), lax.ge(q, 0)), atZero(v), INF));
}

/** rel_entr(p, q) = p log(p / q) for p, q > 0; 0 for p = 0, q >= 0; inf otherwise. */
export const rel_entr = elementwise(
  'rel_entr',
  (p, q) =>
    entropyTerm(
      p,
      q,
      (ps, qs) => mul(ps, logRatio(ps, qs)),
      (v) => full(v, 0),
    ),
  2,
);

/**
 * kl_div(p, q) = p log(p / q) - p + q for p, q > 0; q for p = 0, q >= 0; inf otherwise. Computed
 * as p (r - log1p(r)) with r = (q - p) / p, which has no cancellation when p is close to q.
 */
export const kl_div = elementwise(
  'kl_div',
  (p, q) =>
    entropyTerm(
      p,
      q,
      (ps, qs) => {
        const r = div(sub(qs, ps), ps);
        // Only where r is moderate: near r = -1, 1 + r would lose q/p's digits.
        const near = and(lax.gt(r, -0.5), lax.lt(r, 1));
        const viaR = mul(ps, xMinusLog1p(sel(near, r, 0)));
        const direct = add(sub(mul(ps, logRatio(ps, qs)), ps), qs);
        return sel(near, viaR, direct);
      },
      () => q,
    ),
  2,
);

export interface LogsumexpOptions {
  axis?: number | readonly number[] | null;
  b?: unknown;
  keepdims?: boolean;
  return_sign?: boolean;
  /** camelCase alias of return_sign. */
  returnSign?: boolean;
}

/**
 * logsumexp(a, {axis, b, keepdims, return_sign}): jax.nn.logsumexp (JAX's scipy.special.logsumexp
 * is the same function); with return_sign, [log|sum|, sign].
 */
export function logsumexp(a: unknown, opts: LogsumexpOptions = {}): V | [V, V] {
  const returnSign = opts.return_sign ?? opts.returnSign ?? false;
  const o = { axis: opts.axis, b: opts.b, keepdims: opts.keepdims };
  return returnSign ? nnLogsumexp(a, { ...o, returnSign: true }) : nnLogsumexp(a, o);
}

/** jax.scipy.special.softmax: jax.nn.softmax over all axes by default. */
export function softmax(x: unknown, opts: { axis?: number | readonly number[] | null } = {}): V {
  return nnSoftmax(x, { axis: opts.axis ?? null });
}

/** jax.scipy.special.log_softmax: jax.nn.log_softmax over all axes by default. */
export function log_softmax(x: unknown, opts: { axis?: number | readonly number[] | null } = {}): V {
  return nnLogSoftmax(x, { axis: opts.axis ?? null });
}

/** polygamma(n, x): lax.polygamma after promotion; n must be of an integer dtype. */
export function polygamma(n: unknown, x: unknown): V {
  const nv = asValue(n);
  if (!nv.dtype.isInt && !nv.dtype.isBool)
    throw new ValueError(`Argument \`n\` to polygamma must be of integer type. Got dtype ${nv.dtype.name}.`);
  const [na, xa] = promoteArgsInexactShapes('polygamma', nv, x);
  return lax.polygamma(na, xa);
}

/** multigammaln(a, d): log of the multivariate gamma function of dimension d (JAX's formula). */
export function multigammaln(a: unknown, d: number): V {
  const [av, dv] = promoteArgsInexact(a, d);
  const constant = lax.mul(
    lax.mul(lax.mul(constantLike(av, 0.25), dv), lax.sub(dv, constantLike(av, 1))),
    lax.log(constantLike(av, Math.PI)),
  );
  const b = lax.div(jnp.arange(d, null, null, { dtype: dv.dtype }), constantLike(av, 2));
  const terms = gammaln(
    jnp.subtract(
      jnp.expand_dims(av, -1),
      jnp.expand_dims(
        b,
        Array.from({ length: av.ndim }, (_, i) => i),
      ),
    ),
  );
  return jnp.add(jnp.sum(terms, { axis: -1 }), constant);
}
export * from './bessel.js';
