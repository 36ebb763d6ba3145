/**
 * @file The incomplete gamma and beta functions in double precision, for the CPU kernels of the
 * igamma, igammac, igamma_grad_a, random_gamma_grad and regularized_incomplete_beta primitives
 * (`rt.igamma(a, x)`, ...). Kernels of every float dtype call these and round the result once, so
 * float32 results are within an ulp or so of the correctly rounded value; float64 results agree
 * with SciPy to ~1e-14 relative except where the function itself is ill-conditioned.
 *
 * Incomplete gamma (the regions are Cephes'/SciPy's igam.c):
 * - Temme's uniform asymptotic expansion (DLMF 8.12.3-8.12.4) for large a near x, with the
 *   coefficients of incomplete-coeffs.ts (derived by scripts/make_incomplete_coeffs.py);
 * - the power series of P (DLMF 8.11.4) for x < a or x <= 1, the continued fraction of Q (DLMF
 *   8.9.2, modified Lentz) otherwise, and for Q at small a and x the series 1 - x^a / Gamma(a+1)
 *   - ... (DLMF 8.7.3) with the first difference as expm1;
 * - the factor x^a e^-x / Gamma(a): for a >= 10 in Stirling form around x = a,
 *   exp(-a (t - log1p t)) sqrt(a / 2 pi) exp(-stirling correction), t = (x - a) / a, which keeps the
 *   cancellation of a log x - x - lgamma(a) out; below, x^a e^-x / Gamma(a) directly, with a
 *   Gamma accurate to a few ulps (Taylor series of lgamma(2 + s) from zeta values).
 * - igamma_grad_a (dP/da) and random_gamma_grad (-(dP/da) / (dP/dx), the derivative of a
 *   Gamma(a) sample with respect to a) differentiate the series and the continued fraction in a,
 *   as JAX does; random_gamma_grad needs no x^a e^-x factor, so it stays finite in the tails.
 *
 * Incomplete beta:
 * - edge values as JAX 0.10.2 / SciPy (a = 0 or b = inf: the mass is at 0; b = 0 or a = inf: at 1);
 * - the power series I_x(a, b) = x^a / B(a, b) sum (1-b)_n x^n / (n! (a+n)) where it has no
 *   cancellation and converges fast (min(a, b) <= 1, after the symmetry that makes x <= 1/2);
 * - otherwise the continued fraction (DLMF 8.17.22) for x < (a+1)/(a+b+2) and the symmetry
 *   I_x(a, b) = 1 - I_{1-x}(b, a) beyond it; a small result that the symmetry would leave as the
 *   difference of two numbers near 1 (b < 1 with x near 1) is summed directly instead;
 * - the factor x^a (1-x)^b / B(a, b): for a, b >= 10 in Stirling form around the mean, else from
 *   pow and an accurate log Beta; log(1-x) is log1p(-x) when 1 - x is not exact.
 */
import { LGAMMA2_C, TEMME_D } from './incomplete-coeffs.js';
import { digamma, erfc } from './runtime.js';

const EPS = 2.220446049250313e-16;
const HALF_LOG_2PI = 0.9189385332046728;
const FPMIN = 1e-300;
/** Iteration cap of the series and continued fractions (reached only for enormous a or b). */
const MAXITER = 100000;

// ---- gamma function pieces ----------------------------------------------------------------------

/** log1p(x) - x, accurate near 0. */
export function log1pmx(x: number): number {
  if (Math.abs(x) < 0.5) {
    // log1p(x) = 2 atanh(u) = 2 (u + u^3/3 + ...), u = x / (2 + x); x - 2u = x u exactly.
    const u = x / (2 + x);
    const u2 = u * u;
    let p = u * u2;
    let s = 0;
    for (let k = 3; k < 80; k += 2) {
      const t = p / k;
      s += t;
      if (Math.abs(t) <= EPS * Math.abs(s)) break;
      p *= u2;
    }
    return 2 * s - x * u;
  }
  return Math.log1p(x) - x;
}

/** lgamma(2 + s) for |s| <= 1/2 (Taylor series with zeta(k) - 1 coefficients). */
function lgam2(s: number): number {
  let r = 0;
  for (let k = LGAMMA2_C.length - 1; k >= 0; k--) r = r * s + LGAMMA2_C[k];
  return r * s;
}

// B_2k / (2k (2k - 1)), k = 1..10
const STIRLING = [
  1 / 12,
  -1 / 360,
  1 / 1260,
  -1 / 1680,
  1 / 1188,
  -691 / 360360,
  1 / 156,
  -3617 / 122400,
  43867 / 244188,
  -174611 / 125400,
];

/** lgamma(z) - ((z - 1/2) log z - z + log(2 pi) / 2), for z >= 10. */
export function stirlingCorr(z: number): number {
  const r = 1 / z;
  const r2 = r * r;
  let s = STIRLING[STIRLING.length - 1];
  for (let k = STIRLING.length - 2; k >= 0; k--) s = s * r2 + STIRLING[k];
  return s * r;
}

/** lgamma(a) for a > 0, with an absolute error of a few ulps of its magnitude (exact near 1, 2). */
export function lgammaPos(a: number): number {
  if (a < 0.5) return lgam2(a) - Math.log1p(a) - Math.log(a);
  if (a < 1.5) return lgam2(a - 1) - Math.log(a);
  if (a < 2.5) return lgam2(a - 2);
  if (a < 10) {
    let p = 1;
    let z = a;
    while (z >= 2.5) {
      z -= 1;
      p *= z;
    }
    return Math.log(p) + lgam2(z - 2);
  }
  return (a - 0.5) * Math.log(a) - a + HALF_LOG_2PI + stirlingCorr(a);
}

/** lgamma(1 + a) for 0 <= a < 1.5, without rounding 1 + a. */
function lgamma1p(a: number): number {
  return a < 0.5 ? lgam2(a) - Math.log1p(a) : lgam2(a - 1);
}

/** Gamma(a) for 0 < a < 10, to a few ulps. */
function gammaSmall(a: number): number {
  if (a < 0.5) return Math.exp(lgam2(a)) / (a * (1 + a));
  if (a < 1.5) return Math.exp(lgam2(a - 1)) / a;
  let p = 1;
  let z = a;
  while (z >= 2.5) {
    z -= 1;
    p *= z;
  }
  return p * Math.exp(lgam2(z - 2));
}

/** x^a e^-x as a product, split so that e^-x does not underflow early (x <= 1400). */
function powExp(a: number, x: number): number {
  if (x <= 700) return x ** a * Math.exp(-x);
  const h = Math.exp(-x / 2);
  return x ** a * h * h;
}

/** log(x / a) with an absolute error of an ulp or so (not log x - log a, which loses |log a| ulps). */
function logRatio(x: number, a: number): number {
  const r = x / a;
  return r >= 1e-300 && r < 1e300 ? Math.log(r) : Math.log(x) - Math.log(a);
}

/** True when v is a normal, finite, positive double (a product of such keeps full precision). */
const normal = (v: number): boolean => v >= 2.2250738585072014e-308 && v < Number.POSITIVE_INFINITY;

/** x^a e^-x / Gamma(a) for a, x > 0 (Cephes' igam_fac). */
function igamFac(a: number, x: number): number {
  if (a >= 10) {
    const t = (x - a) / a;
    let d: number;
    if (Math.abs(t) < 0.5) d = -log1pmx(t);
    else d = t - (t > 0 ? Math.log1p(t) : logRatio(x, a));
    const e = -a * d + 0.5 * Math.log(a / (2 * Math.PI)) - stirlingCorr(a);
    // The error of this form is ~|e| ulps; in the tails, where |e| exceeds lgamma(a), the
    // product of pow and exp (an ulp each) is better when nothing under- or overflows.
    if (e < -30 && a < 170) {
      const lg = lgammaPos(a);
      if (lg < -e) {
        const xa = x ** a;
        const ex = Math.exp(-x);
        const v = (xa * ex) / Math.exp(lg);
        if (normal(xa) && normal(ex) && normal(v)) return v;
      }
    }
    return Math.exp(e);
  }
  if (x > 1400) return Math.exp(a * Math.log(x) - x - lgammaPos(a));
  return powExp(a, x) / gammaSmall(a);
}

/** x^a e^-x / Gamma(a + 1) (igam_fac / a, without overflow for tiny a). */
function igamFacOverA(a: number, x: number): number {
  if (a >= 1) return igamFac(a, x) / a;
  if (x > 1400) return Math.exp(a * Math.log(x) - x - lgamma1p(a));
  // 1 / Gamma(1 + a) = (1 + a) exp(-lgamma(2 + a))
  return powExp(a, x) * ((1 + a) * Math.exp(-lgam2(a)));
}

// ---- incomplete gamma -----------------------------------------------------------------------------

/** P(a, x) by its power series (DLMF 8.11.4). */
function igamSeries(a: number, x: number): number {
  const f = igamFacOverA(a, x);
  if (f === 0) return 0;
  let c = 1;
  let s = 1;
  for (let i = 1; i < MAXITER; i++) {
    c *= x / (a + i);
    s += c;
    if (c <= EPS * s) break;
  }
  return s * f;
}

/** Q(a, x) by the continued fraction (DLMF 8.9.2), modified Lentz. */
function igamcFraction(a: number, x: number): number {
  const f = igamFac(a, x);
  if (f === 0) return 0;
  const xma = x - a;
  let b = xma + 1;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAXITER; i++) {
    const an = -i * (i - a);
    b = xma + (2 * i + 1);
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) <= EPS) break;
  }
  return f * h;
}

/** Q(a, x) for small a and x <= 1.1 (DLMF 8.7.3), keeping 1 - x^a / Gamma(a+1) as an expm1. */
function igamcSeries(a: number, x: number): number {
  let fac = 1;
  let sum = 0;
  for (let n = 1; n < MAXITER; n++) {
    fac *= -x / n;
    const term = fac / (a + n);
    sum += term;
    if (Math.abs(term) <= EPS * Math.abs(sum)) break;
  }
  const lx = Math.log(x);
  return -Math.expm1(a * lx - lgamma1p(a)) - Math.exp(a * lx - lgammaPos(a)) * sum;
}

/** P (wantQ false) or Q by Temme's uniform asymptotic expansion (DLMF 8.12.3-8.12.4). */
function igamAsymptotic(a: number, x: number, wantQ: boolean): number {
  const sigma = (x - a) / a;
  const l1 = log1pmx(sigma);
  const eta = sigma === 0 ? 0 : Math.sign(sigma) * Math.sqrt(-2 * l1);
  const sgn = wantQ ? 1 : -1;
  let sum = 0;
  let afac = 1;
  let old = Number.POSITIVE_INFINITY;
  for (let k = 0; k < TEMME_D.length; k++) {
    const row = TEMME_D[k];
    let ck = row[0];
    let ep = 1;
    for (let n = 1; n < row.length; n++) {
      ep *= eta;
      const t = row[n] * ep;
      ck += t;
      if (Math.abs(t) < EPS * Math.abs(ck)) break;
    }
    const term = ck * afac;
    if (Math.abs(term) > old) break;
    sum += term;
    if (Math.abs(term) < EPS * Math.abs(sum)) break;
    old = Math.abs(term);
    afac /= a;
  }
  return (
    0.5 * erfc(sgn * eta * Math.sqrt(a / 2)) + (sgn * Math.exp(a * l1) * sum) / Math.sqrt(2 * Math.PI * a)
  );
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

function temmeRegion(a: number, x: number): boolean {
  const r = Math.abs(x - a) / a;
  return (a > 20 && a < 200 && r < 0.3) || (a >= 200 && r < 4.5 / Math.sqrt(a));
}

/** Q(a, x) outside the asymptotic region (Cephes' choice of method). */
function igamcMain(a: number, x: number): number {
  if (x > 1.1) return x < a ? 1 - igamSeries(a, x) : igamcFraction(a, x);
  if (x <= 0.5) return -0.4 / Math.log(x) < a ? 1 - igamSeries(a, x) : igamcSeries(a, x);
  return x * 1.1 < a ? 1 - igamSeries(a, x) : igamcSeries(a, x);
}

/** The regularized lower incomplete gamma function P(a, x) (lax.igamma, scipy gammainc). */
export function igamma(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || x < 0 || a < 0) return Number.NaN;
  if (a === 0) return x > 0 ? 1 : Number.NaN;
  if (x === 0) return 0;
  if (a === Number.POSITIVE_INFINITY) return x === Number.POSITIVE_INFINITY ? Number.NaN : 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  if (temmeRegion(a, x)) return clamp01(igamAsymptotic(a, x, false));
  if (x > 1 && x > a) return clamp01(1 - igamcMain(a, x));
  return clamp01(igamSeries(a, x));
}

/** The regularized upper incomplete gamma function Q(a, x) (lax.igammac, scipy gammaincc). */
export function igammac(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || x < 0 || a < 0) return Number.NaN;
  if (a === 0) return x > 0 ? 0 : Number.NaN;
  if (x === 0) return 1;
  if (a === Number.POSITIVE_INFINITY) return x === Number.POSITIVE_INFINITY ? Number.NaN : 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (temmeRegion(a, x)) return clamp01(igamAsymptotic(a, x, true));
  return clamp01(igamcMain(a, x));
}

/**
 * The power series of P and its derivative in a: returns [S, dS/da] with P = x^a e^-x / Gamma(a+1) S.
 */
function igamSeriesD(a: number, x: number): [number, number] {
  let c = 1;
  let s = 1;
  let dc = 0;
  let ds = 0;
  for (let i = 1; i < MAXITER; i++) {
    const r = a + i;
    dc = dc * (x / r) - (c * x) / (r * r);
    c *= x / r;
    s += c;
    ds += dc;
    if (c <= EPS * s && Math.abs(dc) <= EPS * Math.abs(ds)) break;
  }
  return [s, ds];
}

/**
 * The continued fraction of Q and its derivative in a (the convergents' recurrence differentiated,
 * as JAX's _igammac_continued_fraction): returns [F, dF/da] with Q = x^a e^-x / Gamma(a) F.
 */
function igamcFractionD(a: number, x: number): [number, number] {
  let y = 1 - a;
  const xma = x - a;
  let z = xma + 2;
  let c = 0;
  let pkm2 = 1;
  let qkm2 = x;
  let pkm1 = x + 1;
  let qkm1 = z * x;
  let ans = pkm1 / qkm1;
  let dpkm2 = 0;
  let dqkm2 = 0;
  let dpkm1 = 0;
  let dqkm1 = -x;
  let dans = (dpkm1 - ans * dqkm1) / qkm1;
  for (let i = 0; i < MAXITER; i++) {
    c += 1;
    y += 1;
    z = xma + (2 * i + 4);
    const yc = y * c;
    const pk = pkm1 * z - pkm2 * yc;
    const qk = qkm1 * z - qkm2 * yc;
    const dpk = dpkm1 * z - pkm1 - dpkm2 * yc + pkm2 * c;
    const dqk = dqkm1 * z - qkm1 - dqkm2 * yc + qkm2 * c;
    let t = 1;
    let dt = 1;
    if (qk !== 0) {
      const r = pk / qk;
      t = Math.abs((ans - r) / r);
      ans = r;
      const dn = (dpk - ans * dqk) / qk;
      dt = Math.abs(dn - dans);
      dans = dn;
    }
    pkm2 = pkm1;
    pkm1 = pk;
    qkm2 = qkm1;
    qkm1 = qk;
    dpkm2 = dpkm1;
    dpkm1 = dpk;
    dqkm2 = dqkm1;
    dqkm1 = dqk;
    if (Math.abs(pk) > 1 / EPS) {
      pkm2 *= EPS;
      pkm1 *= EPS;
      qkm2 *= EPS;
      qkm1 *= EPS;
      dpkm2 *= EPS;
      dpkm1 *= EPS;
      dqkm2 *= EPS;
      dqkm1 *= EPS;
    }
    if (t <= EPS && dt <= EPS * Math.abs(dans)) break;
  }
  return [ans, dans];
}

/** d/da P(a, x) (lax.igamma_grad_a). */
export function igammaGradA(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || x < 0 || a <= 0) return Number.NaN;
  if (x === 0 || x === Number.POSITIVE_INFINITY || a === Number.POSITIVE_INFINITY) return 0;
  const lx = Math.log(x);
  if (x > 1 && x > a) {
    const f = igamFac(a, x);
    if (f === 0) return 0;
    const [F, dF] = igamcFractionD(a, x);
    return -f * (F * (lx - digamma(a)) + dF);
  }
  const f = igamFacOverA(a, x);
  if (f === 0) return 0;
  const [s, ds] = igamSeriesD(a, x);
  return f * (s * (lx - digamma(a + 1)) + ds);
}

/**
 * The derivative of a Gamma(a, 1) sample x with respect to a, -(dP/da) / (dP/dx)
 * (lax.random_gamma_grad): the x^a e^-x / Gamma(a) factor cancels.
 */
export function randomGammaGrad(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || x < 0 || a <= 0 || x === Number.POSITIVE_INFINITY)
    return Number.NaN;
  if (x === 0) return 0;
  const lx = Math.log(x);
  if (x > 1 && x > a) {
    const [F, dF] = igamcFractionD(a, x);
    return x * (F * (lx - digamma(a)) + dF);
  }
  const [s, ds] = igamSeriesD(a, x);
  return (-x / a) * (s * (lx - digamma(a + 1)) + ds);
}

// ---- incomplete beta ------------------------------------------------------------------------------

/** lgamma(b) - lgamma(a + b) for b >= 10, without the cancellation. */
function lgammaDiff(a: number, b: number): number {
  const apb = a + b;
  return -(b - 0.5) * Math.log1p(a / b) - a * Math.log(apb) + a + stirlingCorr(b) - stirlingCorr(apb);
}

/** log B(a, b) for a, b > 0. */
export function lbeta(a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (hi < 10) return lgammaPos(lo) + lgammaPos(hi) - lgammaPos(lo + hi);
  if (lo < 10) return lgammaPos(lo) + lgammaDiff(lo, hi);
  const apb = lo + hi;
  const r = lo / apb;
  const corr = stirlingCorr(lo) + stirlingCorr(hi) - stirlingCorr(apb);
  return (lo - 0.5) * Math.log(r) + (hi - 0.5) * Math.log1p(-r) - 0.5 * Math.log(apb) + HALF_LOG_2PI + corr;
}

/** log(v s) for s >= 1 given lv = log v: from the product when it is normal (an ulp or so). */
function logScaled(v: number, lv: number, s: number): number {
  const p = v * s;
  return p >= 1e-300 && p < 1e300 ? Math.log(p) : lv + Math.log(s);
}

/** t - log1p(t), given log1p(t) for |t| >= 1/2. */
function tMinusLog1p(t: number, log1pT: () => number): number {
  return Math.abs(t) < 0.5 ? -log1pmx(t) : t - log1pT();
}

/** x^a y^b / B(a, b) with y = 1 - x; lx = log x, ly = log y (both accurate). */
function betaFactor(a: number, b: number, x: number, y: number, lx: number, ly: number): number {
  if (a >= 10 && b >= 10) {
    // Stirling form around the mean: t1 = ((a+b) x - a) / a, t2 = -((a+b) x - a) / b.
    const apb = a + b;
    const d = x <= 0.5 ? apb * x - a : b - apb * y;
    // log1p(t1) = log(x (a+b) / a), log1p(t2) = log(y (a+b) / b)
    const d1 = tMinusLog1p(d / a, () => logScaled(x, lx, apb / a));
    const d2 = tMinusLog1p(-d / b, () => logScaled(y, ly, apb / b));
    const corr = stirlingCorr(a) + stirlingCorr(b) - stirlingCorr(apb);
    const e = -(a * d1 + b * d2) + 0.5 * Math.log((a / apb) * b) - HALF_LOG_2PI - corr;
    // ~|e| ulps; in the tails the pow form below (~|log B| ulps) can be better.
    if (e > -30 || -lbeta(a, b) > -e) return Math.exp(e);
  }
  const lb = lbeta(a, b);
  const xa = x ** a;
  const yb = x >= 0.5 ? y ** b : Math.exp(b * ly);
  const m = xa * yb * Math.exp(-lb);
  if (normal(xa) && normal(yb) && normal(m)) return m;
  return Math.exp(a * lx + b * ly - lb);
}

/** x^a / B(a, b) * sum_n (1-b)_n x^n / (n! (a+n)) = I_x(a, b); NaN if not converged in maxIter. */
function ibetaSeries(a: number, b: number, x: number, lx: number, maxIter: number): number {
  let s = 1 / a;
  let t = 1;
  let n = 1;
  for (; n < maxIter; n++) {
    t *= ((n - b) * x) / n;
    const term = t / (a + n);
    s += term;
    if (Math.abs(term) <= EPS * Math.abs(s)) break;
  }
  if (n >= maxIter) return Number.NaN;
  const lb = lbeta(a, b);
  const xa = x ** a;
  const pre = xa * Math.exp(-lb);
  return (normal(xa) && normal(pre) ? pre : Math.exp(a * lx - lb)) * s;
}

/** lgamma(a + b) - lgamma(a) for b <= 1, accurate relative to b (shifted to a >= 10 for Stirling). */
function lgammaRatio(a: number, b: number): number {
  let r = 0;
  while (a < 10) {
    r -= Math.log1p(b / a);
    a += 1;
  }
  // lgamma(a + b) - lgamma(a) = -(lgamma(a) - lgamma(a + b)), Stirling for a >= 10
  return -lgammaDiff(b, a) + r;
}

/**
 * I_x(a, b) = 1 - I_y(b, a) for b <= 1 and a y small, without the cancellation: with
 * A = y^b / (b B(a, b)) and S = b sum_{n>=1} (1-a)_n y^n / (n! (b+n)), I = -expm1(log A) - A S.
 */
function ibetaSmallB(a: number, b: number, y: number, ly: number): number {
  const logA = b * ly - (lgamma1p(b) - lgammaRatio(a, b));
  let t = 1;
  let s = 0;
  for (let n = 1; n < MAXITER; n++) {
    t *= ((n - a) * y) / n;
    const term = t / (b + n);
    s += term;
    if (Math.abs(term) <= EPS * Math.abs(s)) break;
  }
  return -Math.expm1(logA) - Math.exp(logA) * (b * s);
}

/**
 * The continued fraction of x^a (1-x)^b / (B(a, b) I_x(a, b)) (DLMF 8.17.22 with its even and odd
 * steps contracted, Boost's ibeta_fraction2): b0 + a1 / (b1 + a2 / (b2 + ...)) with
 * a_m = (a+m-1)(a+b+m-1) m (b-m) x^2 / (a+2m-1)^2,
 * b_m = m + m (b-m) x / (a+2m-1) + (a+m)(a y - b x + 1 + m (2-x)) / (a+2m+1). Below the threshold
 * x < (a+1)/(a+b+2) every b_m is a sum of positive terms, so x near 1 costs no digits; modified
 * Lentz.
 */
function ibetaFraction(a: number, b: number, x: number, y: number): number {
  const apb = a + b;
  const base = a * y - b * x + 1;
  let f = (a * base) / (a + 1);
  if (f === 0) f = FPMIN;
  let c = f;
  let d = 0;
  for (let m = 1; m < MAXITER; m++) {
    const am1 = a + (2 * m - 1);
    const an = ((a + (m - 1)) * (apb + (m - 1)) * m * (b - m) * x * x) / (am1 * am1);
    const bn = m + (m * (b - m) * x) / am1 + ((a + m) * (base + m * (2 - x))) / (a + (2 * m + 1));
    d = bn + an * d;
    if (d === 0) d = FPMIN;
    c = bn + an / c;
    if (c === 0) c = FPMIN;
    d = 1 / d;
    const del = c * d;
    f *= del;
    if (Math.abs(del - 1) <= EPS) break;
  }
  return f;
}

/** I_x(a, b) for finite a, b > 0 and 0 < x < 1. */
function ibeta(a: number, b: number, x: number): number {
  const y = 1 - x;
  const lx = Math.log(x);
  const ly = x < 0.5 ? Math.log1p(-x) : Math.log(y);
  // A result left as 1 - J with J near 1 (b <= 1, the mass near x = 1): without the cancellation.
  const direct = (j: number): number => {
    if (j > 0.9 && b <= 1) {
      if (a * y <= 3) return ibetaSmallB(a, b, y, ly);
      const r = ibetaSeries(a, b, x, lx, MAXITER / 2);
      if (!Number.isNaN(r)) return r;
    }
    return 1 - j;
  };
  if (Math.min(a, b) <= 1) {
    const inv = x > 0.5;
    const [a1, b1, x1, lx1] = inv ? [b, a, y, ly] : [a, b, x, lx];
    if (b1 <= 1 || b1 * x1 <= 0.7) {
      const s = ibetaSeries(a1, b1, x1, lx1, MAXITER);
      return inv ? direct(s) : s;
    }
  }
  const m = betaFactor(a, b, x, y, lx, ly);
  if (x < (a + 1) / (a + b + 2)) return m / ibetaFraction(a, b, x, y);
  return direct(m / ibetaFraction(b, a, y, x));
}

/** The regularized incomplete beta function I_x(a, b) (lax.betainc, scipy betainc). */
export function betainc(a: number, b: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(x)) return Number.NaN;
  const aZero = a === 0 || b === Number.POSITIVE_INFINITY;
  const bZero = b === 0 || a === Number.POSITIVE_INFINITY;
  if (a < 0 || b < 0 || x < 0 || x > 1 || (aZero && bZero)) return Number.NaN;
  if (bZero) return x === 1 ? 1 : 0;
  if (aZero) return x === 0 ? 0 : 1;
  if (x === 0) return 0;
  if (x === 1) return 1;
  return clamp01(ibeta(a, b, x));
}
