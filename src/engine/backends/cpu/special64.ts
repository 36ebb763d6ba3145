/**
 * @file Special functions in double precision that the CPU's kernels and scalar procedures call
 * (`rt.erfc(x)`, ...): C's pow, erf and erfc (Cody), lgamma (Lanczos), digamma and polygamma
 * (shifted asymptotic series). Below runtime.ts and incomplete.ts, which both use them.
 */

/** C's pow: JS's `**` differs only in pow(+-1, +-inf) (NaN in JS, 1 in C and XLA). */
export function pow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return x ** y;
}

// erf/erfc: W. J. Cody's rational approximations (Math. Comp. 1969), double precision.
const ERF_A = [
  3.1611237438705655, 1.1386415415105016e2, 3.7748523768530491e2, 3.2093775891384695e3, 1.8577770618460521e-1,
];
const ERF_B = [2.360129095234412e1, 2.4402463793444417e2, 1.2826165260773723e3, 2.8442368334391706e3];
const ERF_C = [
  5.6418849698867008e-1, 8.8831497943883759, 6.6119190637141634e1, 2.9863513819740013e2, 8.8195222124176909e2,
  1.7120476126340707e3, 2.0510783778260716e3, 1.2303393547979972e3, 2.1531153547440383e-8,
];
const ERF_D = [
  1.5744926110709835e1, 1.176939508913175e2, 5.3718110186200986e2, 1.6213895745666903e3, 3.2907992357334597e3,
  4.3626190901432471e3, 3.4393676741437216e3, 1.2303393548037495e3,
];
const ERF_P = [
  3.0532663496123236e-1, 3.6034489994980445e-1, 1.2578172611122926e-1, 1.6083785148742275e-2,
  6.5874916152983678e-4, 1.6315387137302097e-2,
];
const ERF_Q = [
  2.5685201922898682, 1.8729528499234604, 5.2790510295142837e-1, 6.051834131244132e-2, 2.3352049762686918e-3,
];

/** Cody's algorithm: returns erfc(|x|) for |x| >= 0.5, and erf(x) for |x| < 0.5 via `which`. */
function erfCore(x: number, wantErfc: boolean): number {
  const y = Math.abs(x);
  if (y < 0.46875) {
    const z = y > 1.11e-16 ? y * y : 0;
    let num = ERF_A[4] * z;
    let den = z;
    for (let i = 0; i < 3; i++) {
      num = (num + ERF_A[i]) * z;
      den = (den + ERF_B[i]) * z;
    }
    const r = (x * (num + ERF_A[3])) / (den + ERF_B[3]);
    return wantErfc ? 1 - r : r;
  }
  let res: number;
  if (y <= 4) {
    let num = ERF_C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + ERF_C[i]) * y;
      den = (den + ERF_D[i]) * y;
    }
    res = (num + ERF_C[7]) / (den + ERF_D[7]);
  } else {
    if (y >= 27) {
      res = 0;
    } else {
      const z = 1 / (y * y);
      let num = ERF_P[5] * z;
      let den = z;
      for (let i = 0; i < 4; i++) {
        num = (num + ERF_P[i]) * z;
        den = (den + ERF_Q[i]) * z;
      }
      res = (z * (num + ERF_P[4])) / (den + ERF_Q[4]);
      res = (1 / Math.sqrt(Math.PI) - res) / y;
    }
  }
  if (res !== 0) {
    const ysq = Math.trunc(y * 16) / 16;
    const del = (y - ysq) * (y + ysq);
    res = Math.exp(-ysq * ysq) * Math.exp(-del) * res;
  }
  // res = erfc(y)
  if (wantErfc) return x < 0 ? 2 - res : res;
  return x < 0 ? res - 1 : 1 - res;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  return erfCore(x, false);
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return x;
  return erfCore(x, true);
}

// Lanczos approximation (g = 7, n = 9), as in Numerical Recipes / Boost's table.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function lgamma(x: number): number {
  if (Number.isNaN(x)) return x;
  if (!Number.isFinite(x)) return Number.POSITIVE_INFINITY;
  if (x <= 0 && Number.isInteger(x)) return Number.POSITIVE_INFINITY;
  if (x < 0.5) {
    // Reflection: lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x)
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  }
  if (x === 1 || x === 2) return 0;
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

export function digamma(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x === Number.POSITIVE_INFINITY) return x;
  if (x <= 0 && Number.isInteger(x)) return Number.NaN;
  let r = 0;
  if (x < 0) {
    // Reflection: psi(1 - x) - psi(x) = pi cot(pi x)
    r = -Math.PI / Math.tan(Math.PI * x);
    x = 1 - x;
  }
  // Shift up far enough that the asymptotic series' first omitted term (~0.021 / x^12) is below
  // double precision.
  while (x < 16) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  const series = f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132)))));
  return r + Math.log(x) - 0.5 / x - series;
}

/** Bernoulli numbers B_2, B_4, ..., B_20 for the asymptotic series of polygamma. */
const BERNOULLI_2K = [
  1 / 6,
  -1 / 30,
  1 / 42,
  -1 / 30,
  5 / 66,
  -691 / 2730,
  7 / 6,
  -3617 / 510,
  43867 / 798,
  -174611 / 330,
];

/**
 * polygamma(m, x), the m-th derivative of digamma, for integer m >= 0 (NaN otherwise, as
 * scipy.special.polygamma / JAX give). x is shifted up by the recurrence
 * psi_m(x) = psi_m(x + 1) - (-1)^m m! / x^(m+1) until the asymptotic series is accurate; the
 * shift also covers negative non-integer x. At the poles (x a non-positive integer) JAX gives
 * +inf for odd m and NaN for even m; so does this.
 */
export function polygamma(m: number, x: number): number {
  if (Number.isNaN(m) || Number.isNaN(x) || m < 0 || !Number.isInteger(m)) return Number.NaN;
  if (m === 0) return digamma(x);
  if (x <= 0 && Number.isInteger(x)) return m % 2 === 1 ? Number.POSITIVE_INFINITY : Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return 0;
  let fact = 1;
  for (let i = 2; i <= m; i++) fact *= i;
  // sum_{k>=0} 1 / (x + k)^(m+1), then scaled by (-1)^(m+1) m!.
  let s = 0;
  const lim = 16 + m;
  while (x < lim) {
    s += x ** -(m + 1);
    x += 1;
  }
  // Tail: 1/(m x^m) + 1/(2 x^(m+1)) + sum_k B_2k (2k+m-1)! / ((2k)! m! x^(2k+m)).
  let tail = 1 / (m * x ** m) + 1 / (2 * x ** (m + 1));
  let coef = 1; // (2k+m-1)! / ((2k)! m!)
  let pw = x ** -(m + 2);
  for (let k = 1; k <= BERNOULLI_2K.length; k++) {
    // coef_k = prod_{j=1..2k} (m-1+j) / j / m, built incrementally.
    coef = k === 1 ? (m + 1) / 2 : (coef * (m + 2 * k - 2) * (m + 2 * k - 1)) / ((2 * k - 1) * (2 * k));
    const t = BERNOULLI_2K[k - 1] * coef * pw;
    tail += t;
    if (Math.abs(t) < 1e-17 * Math.abs(tail)) break;
    pw /= x * x;
  }
  const sign = m % 2 === 1 ? 1 : -1;
  return sign * fact * (s + tail);
}
