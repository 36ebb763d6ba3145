/**
 * @file The incomplete gamma and beta functions and their derivatives, written once as scalar
 * procedures (compile/proc.ts) for the igamma, igammac, igamma_grad_a, random_gamma_grad and
 * regularized_incomplete_beta primitives. The CPU renders them to JavaScript in float64 and rounds
 * the result once (float32 results within an ulp or so of the correctly rounded value, float64
 * within ~1e-14 of SciPy except where the function itself is ill-conditioned); WebGPU renders them
 * to WGSL in float32 with float32's tolerances, ranges and iteration caps (`PRECISIONS`), as JAX's
 * series and continued fractions run in float32 on GPUs.
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
import type { DType } from '../../core/dtype.js';
import { float32, float64 } from '../../core/dtype.js';
import { type Proc, ProcBuilder, type ProcTable } from '../proc.js';
import { LGAMMA2_C, TEMME_D } from './incomplete-coeffs.js';

/** What differs between the float64 and the float32 rendering: tolerances, ranges, sizes. */
interface Precision {
  /** Names the source text uses. */
  readonly consts: {
    /** Relative tolerance of the series and continued fractions (the dtype's epsilon). */
    readonly EPS: number;
    /** Lentz's stand-in for zero; TINY and HUGE bound a product whose log is exact enough. */
    readonly FPMIN: number;
    readonly TINY: number;
    readonly HUGE: number;
    /** The smallest normal number. */
    readonly NORMAL_MIN: number;
    /** exp(-x) stays normal below this. */
    readonly EXP_MAX: number;
    /** Gamma(a) is finite below this. */
    readonly GAMMA_MAX: number;
    readonly MAXITER: number;
    readonly HALF_LOG_2PI: number;
    readonly PI: number;
  };
  /** Terms of lgamma(2 + s)'s series and of the Stirling correction; Temme's rows and terms. */
  readonly lgam2Terms: number;
  readonly stirlingTerms: number;
  readonly temmeRows: number;
  readonly temmeTerms: number;
}

const SHARED = { HALF_LOG_2PI: 0.9189385332046728, PI: Math.PI };

const PRECISIONS: Readonly<Record<string, Precision>> = {
  float64: {
    consts: {
      ...SHARED,
      EPS: 2.220446049250313e-16,
      FPMIN: 1e-300,
      TINY: 1e-300,
      HUGE: 1e300,
      NORMAL_MIN: 2.2250738585072014e-308,
      EXP_MAX: 700,
      GAMMA_MAX: 170,
      // Reached only for enormous a or b.
      MAXITER: 100000,
    },
    lgam2Terms: LGAMMA2_C.length,
    stirlingTerms: 10,
    temmeRows: TEMME_D.length,
    temmeTerms: TEMME_D[0].length,
  },
  float32: {
    consts: {
      ...SHARED,
      EPS: 2 ** -23,
      FPMIN: 1e-30,
      TINY: 1e-30,
      HUGE: 1e30,
      NORMAL_MIN: 1.1754943508222875e-38,
      EXP_MAX: 80,
      GAMMA_MAX: 34,
      // A shader thread's loops stay short; float32 converges long before.
      MAXITER: 4000,
    },
    lgam2Terms: 16,
    stirlingTerms: 4,
    temmeRows: 8,
    temmeTerms: 14,
  },
};

/** B_2k / (2k (2k - 1)), k = 1..10: the Stirling series of lgamma. */
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

/** The procedures every backend renders, by primitive. */
export interface IncompleteProcs {
  readonly igamma: Proc;
  readonly igammac: Proc;
  readonly igamma_grad_a: Proc;
  readonly random_gamma_grad: Proc;
  readonly betainc: Proc;
}

const cache = new Map<DType, IncompleteProcs>();

/** The procedures in `dt` (float64 or float32). */
export function incompleteProcs(dt: DType): IncompleteProcs {
  let p = cache.get(dt);
  if (!p) {
    p = build(dt);
    cache.set(dt, p);
  }
  return p;
}

function build(dt: DType): IncompleteProcs {
  if (dt !== float64 && dt !== float32) throw new Error(`incomplete gamma/beta procedures in ${dt.name}`);
  const P = PRECISIONS[dt.name];
  const procs = new Map<string, Proc>();
  const scope = { consts: P.consts, procs };
  const def = (name: string, params: string[], body: (b: ProcBuilder) => void): Proc => {
    const b = new ProcBuilder(name, params, dt, scope);
    body(b);
    const p = b.build();
    procs.set(name, p);
    return p;
  };
  const temme: ProcTable = {
    name: `temme_${dt.name}`,
    values: TEMME_D.slice(0, P.temmeRows).flatMap((row) => row.slice(0, P.temmeTerms)),
  };
  const T = P.temmeTerms;
  const clamp01 = (e: string) => `min(1, max(0, ${e}))`;
  const normal = (e: string) => `(${e} >= NORMAL_MIN && ${e} < Infinity)`;
  const lg2 = LGAMMA2_C.slice(0, P.lgam2Terms);
  const st = STIRLING.slice(0, P.stirlingTerms);
  /** Horner's scheme, starting from the highest coefficient, as source text over `s`. */
  /**
   * The loop of a series s += t_n / (d + n), n = 1, 2, ..., t_n = t_(n-1) ratio(n), on locals t and s:
   * until a term is below EPS of the sum, or until n reaches `cap` (then n = cap).
   */
  const seriesLoop = (b: ProcBuilder, ratio: string, d: string, cap?: string) => {
    b.let('n', '1');
    b.loop(cap ? P.consts.MAXITER : P.consts.MAXITER - 1, () => {
      if (cap) b.if(`n >= ${cap}`, () => b.break());
      b.set('t', `t * ${ratio}`);
      b.let('term', `t / (${d} + n)`);
      b.set('s', 's + term');
      b.if('abs(term) <= EPS * abs(s)', () => b.break());
      b.set('n', 'n + 1');
    });
  };
  /**
   * Modified Lentz's loop for a continued fraction b0 + a1 / (b1 + a2 / (b2 + ...)) on locals c, d
   * and the value `f`: `terms` sets an and bn for i = 1, 2, ...; a denominator that `vanishes`
   * becomes FPMIN; until a step changes the value by no more than EPS.
   */
  const lentz = (b: ProcBuilder, f: string, vanishes: (v: string) => string, terms: () => void) => {
    b.let('i', '1');
    b.loop(P.consts.MAXITER - 1, () => {
      terms();
      b.set('d', 'bn + an * d');
      b.if(vanishes('d'), () => b.set('d', 'FPMIN'));
      b.set('c', 'bn + an / c');
      b.if(vanishes('c'), () => b.set('c', 'FPMIN'));
      b.set('d', '1 / d');
      b.let('del', 'd * c');
      b.set(f, `${f} * del`);
      b.if('abs(del - 1) <= EPS', () => b.break());
      b.set('i', 'i + 1');
    });
  };
  const hornerSrc = (c: readonly number[], s: string): string => {
    let r = `${c[c.length - 1]}`;
    for (let k = c.length - 2; k >= 0; k--) r = `(${r}) * ${s} + ${c[k]}`;
    return r;
  };

  // ---- gamma function pieces ----------------------------------------------------------------------

  /** log1p(x) - x, accurate near 0. */
  def('log1pmx', ['x'], (b) => {
    b.if('abs(x) < 0.5', () => {
      // log1p(x) = 2 atanh(u) = 2 (u + u^3/3 + ...), u = x / (2 + x); x - 2u = x u exactly.
      b.let('u', 'x / (2 + x)');
      b.let('u2', 'u * u');
      b.let('p', 'u * u2');
      b.let('s', '0');
      b.let('k', '3');
      b.loop(39, () => {
        b.let('t', 'p / k');
        b.set('s', 's + t');
        b.if('abs(t) <= EPS * abs(s)', () => b.break());
        b.set('p', 'p * u2');
        b.set('k', 'k + 2');
      });
      b.ret('2 * s - x * u');
    });
    b.ret('log1p(x) - x');
  });
  /** lgamma(2 + s) for |s| <= 1/2 (Taylor series with zeta(k) - 1 coefficients). */
  def('lgam2', ['s'], (b) => b.ret(`(${hornerSrc(lg2, 's')}) * s`));
  /** lgamma(z) - ((z - 1/2) log z - z + log(2 pi) / 2), for z >= 10. */
  def('stirling_corr', ['z'], (b) => {
    b.let('r', '1 / z');
    b.let('r2', 'r * r');
    b.ret(`(${hornerSrc(st, 'r2')}) * r`);
  });
  /**
   * z = a shifted down by ones to below 2.5 and p the product of the shifted values, and g =
   * lgamma(2 + s) at the s that each range of a needs (one call, so that a GPU compiler inlines
   * lgam2 once): s = a below 0.5, a - 1 below 1.5, z - 2 above.
   */
  const shiftDown = (b: ProcBuilder) => {
    b.let('p', '1');
    b.let('z', 'a');
    b.loop(8, () => {
      b.if('!(z >= 2.5)', () => b.break());
      b.set('z', 'z - 1');
      b.set('p', 'p * z');
    });
    b.let('g', 'lgam2(a < 0.5 ? a : a < 1.5 ? a - 1 : z - 2)');
  };
  /** lgamma(a) for a > 0, with an absolute error of a few ulps of its magnitude (exact near 1, 2). */
  def('lgamma_pos', ['a'], (b) => {
    b.if('a >= 10', () => b.ret('(a - 0.5) * log(a) - a + HALF_LOG_2PI + stirling_corr(a)'));
    shiftDown(b);
    b.ret('a < 0.5 ? g - log1p(a) - log(a) : a < 1.5 ? g - log(a) : a < 2.5 ? g : log(p) + g');
  });
  /** lgamma(1 + a) for 0 <= a < 1.5, without rounding 1 + a. */
  def('lgamma1p', ['a'], (b) => {
    b.let('g', 'lgam2(a < 0.5 ? a : a - 1)');
    b.ret('a < 0.5 ? g - log1p(a) : g');
  });
  /** Gamma(a) for 0 < a < 10, to a few ulps. */
  def('gamma_small', ['a'], (b) => {
    shiftDown(b);
    b.let('e', 'exp(g)');
    b.ret('a < 0.5 ? e / (a * (1 + a)) : a < 1.5 ? e / a : p * e');
  });
  /** x^a e^-x as a product, split so that e^-x does not underflow early (x <= 2 EXP_MAX). */
  def('pow_exp', ['a', 'x'], (b) => {
    b.if('x <= EXP_MAX', () => b.ret('x ** a * exp(-x)'));
    b.let('h', 'exp(-x / 2)');
    b.ret('x ** a * h * h');
  });
  /** log(x / a) with an absolute error of an ulp or so (not log x - log a, which loses |log a| ulps). */
  def('log_ratio', ['x', 'a'], (b) => {
    b.let('r', 'x / a');
    b.ret('r >= TINY && r < HUGE ? log(r) : log(x) - log(a)');
  });
  /** x^a e^-x / Gamma(a) for a, x > 0 (Cephes' igam_fac). */
  def('igam_fac', ['a', 'x'], (b) => {
    b.let('e', '0');
    b.if('a >= 10', () => {
      b.let('t', '(x - a) / a');
      b.let('d', '0');
      b.if(
        'abs(t) < 0.5',
        () => b.set('d', '-log1pmx(t)'),
        () =>
          b.if(
            't > 0',
            () => b.set('d', 't - log1p(t)'),
            () => b.set('d', 't - log_ratio(x, a)'),
          ),
      );
      b.set('e', '-a * d + 0.5 * log(a / (2 * PI)) - stirling_corr(a)');
    });
    // The Stirling form's error is ~|e| ulps; in the tails, where |e| exceeds lgamma(a), the
    // product of pow and exp (an ulp each) is better when nothing under- or overflows. (One call of
    // lgamma_pos for both of its uses.)
    b.let('tail', 'a >= 10 && e < -30 && a < GAMMA_MAX');
    b.let('lg', '0');
    b.if('tail || (a < 10 && x > 2 * EXP_MAX)', () => b.set('lg', 'lgamma_pos(a)'));
    b.if('a >= 10', () => {
      b.if('tail && lg < -e', () => {
        b.let('xa', 'x ** a');
        b.let('ex', 'exp(-x)');
        b.let('v', '(xa * ex) / exp(lg)');
        b.if(`${normal('xa')} && ${normal('ex')} && ${normal('v')}`, () => b.ret('v'));
      });
      b.ret('exp(e)');
    });
    b.if('x > 2 * EXP_MAX', () => b.ret('exp(a * log(x) - x - lg)'));
    b.ret('pow_exp(a, x) / gamma_small(a)');
  });
  /** x^a e^-x / Gamma(a + 1) (over = 1: igam_fac / a, without overflow for tiny a) or igam_fac (over = 0). */
  def('igam_factor', ['a', 'x', 'over'], (b) => {
    b.if('over == 1 && a < 1', () => {
      b.if('x > 2 * EXP_MAX', () => b.ret('exp(a * log(x) - x - lgamma1p(a))'));
      // 1 / Gamma(1 + a) = (1 + a) exp(-lgamma(2 + a))
      b.ret('pow_exp(a, x) * ((1 + a) * exp(-lgam2(a)))');
    });
    b.let('f', 'igam_fac(a, x)');
    b.ret('over == 1 ? f / a : f');
  });

  // ---- incomplete gamma ---------------------------------------------------------------------------

  /** The power series of P (DLMF 8.11.4): P = x^a e^-x / Gamma(a+1) S; S. */
  def('igam_series', ['a', 'x'], (b) => {
    b.let('c', '1');
    b.let('s', '1');
    b.let('i', '1');
    b.loop(P.consts.MAXITER - 1, () => {
      b.set('c', 'c * (x / (a + i))');
      b.set('s', 's + c');
      b.if('c <= EPS * s', () => b.break());
      b.set('i', 'i + 1');
    });
    b.ret('s');
  });
  /** The continued fraction of Q (DLMF 8.9.2), modified Lentz: Q = x^a e^-x / Gamma(a) H; H. */
  def('igamc_fraction', ['a', 'x'], (b) => {
    b.let('xma', 'x - a');
    b.let('bn', 'xma + 1');
    b.let('c', '1 / FPMIN');
    b.let('d', '1 / bn');
    b.let('h', 'd');
    lentz(
      b,
      'h',
      (v) => `abs(${v}) < FPMIN`,
      () => {
        b.let('an', '-i * (i - a)');
        b.set('bn', 'xma + (2 * i + 1)');
      },
    );
    b.ret('h');
  });
  /** Q(a, x) for small a and x <= 1.1 (DLMF 8.7.3), keeping 1 - x^a / Gamma(a+1) as an expm1. */
  def('igamc_series', ['a', 'x'], (b) => {
    b.let('t', '1');
    b.let('s', '0');
    seriesLoop(b, '(-x / n)', 'a');
    b.let('lx', 'log(x)');
    b.ret('-expm1(a * lx - lgamma1p(a)) - exp(a * lx - lgamma_pos(a)) * s');
  });
  /** P (sgn = -1) or Q (sgn = 1) by Temme's uniform asymptotic expansion (DLMF 8.12.3-8.12.4). */
  def('igam_asymptotic', ['a', 'x', 'sgn'], (b) => {
    b.let('sigma', '(x - a) / a');
    b.let('l1', 'log1pmx(sigma)');
    b.let('eta', 'sigma == 0 ? 0 : sign(sigma) * sqrt(-2 * l1)');
    b.let('sum', '0');
    b.let('afac', '1');
    b.let('old', 'Infinity');
    b.let('k', '0');
    b.loop(P.temmeRows, () => {
      b.read('ck', temme, `k * ${T}`);
      b.let('ep', '1');
      b.let('n', '1');
      b.loop(T - 1, () => {
        b.set('ep', 'ep * eta');
        b.read('dk', temme, `k * ${T} + n`);
        b.let('t', 'dk * ep');
        b.set('ck', 'ck + t');
        b.if('abs(t) < EPS * abs(ck)', () => b.break());
        b.set('n', 'n + 1');
      });
      b.let('term', 'ck * afac');
      b.if('abs(term) > old', () => b.break());
      b.set('sum', 'sum + term');
      b.if('abs(term) < EPS * abs(sum)', () => b.break());
      b.set('old', 'abs(term)');
      b.set('afac', 'afac / a');
      b.set('k', 'k + 1');
    });
    b.ret('0.5 * erfc(sgn * eta * sqrt(a / 2)) + (sgn * exp(a * l1) * sum) / sqrt(2 * PI * a)');
  });
  /**
   * P (wantQ = 0) or Q (wantQ = 1) outside the asymptotic region. Cephes' choice of method: for Q,
   * 1 - P by the series where x < a (or the small-x bounds), else the continued fraction above
   * x = 1.1 and the small-a series below; for P, 1 - Q where x > 1 and x > a, else the series.
   * Each method is called once (a GPU compiler inlines every call).
   */
  def('igam_main', ['a', 'x', 'wantQ'], (b) => {
    b.let(
      'viaP',
      'wantQ == 1 ? (x > 1.1 ? x < a : x <= 0.5 ? -0.4 / log(x) < a : x * 1.1 < a) : !(x > 1 && x > a)',
    );
    b.let('flip', 'wantQ == 1 ? viaP : !viaP');
    b.if('!viaP && x <= 1.1', () => {
      b.let('q', 'igamc_series(a, x)');
      b.ret('flip ? 1 - q : q');
    });
    b.let('f', 'igam_factor(a, x, viaP ? 1 : 0)');
    b.let('r', '0');
    b.if('f != 0', () =>
      b.if(
        'viaP',
        () => b.set('r', 'igam_series(a, x) * f'),
        () => b.set('r', 'f * igamc_fraction(a, x)'),
      ),
    );
    b.ret('flip ? 1 - r : r');
  });
  /** The edge values of P (upper false) or Q, then Temme's region. */
  const gammaEdges = (b: ProcBuilder, upper: boolean) => {
    const [lo, hi] = upper ? ['1', '0'] : ['0', '1'];
    b.if('isnan(a) || isnan(x) || x < 0 || a < 0', () => b.ret('NaN'));
    b.if('a == 0', () => b.ret(`x > 0 ? ${hi} : NaN`));
    b.if('x == 0', () => b.ret(lo));
    b.if('a == Infinity', () => b.ret(`x == Infinity ? NaN : ${lo}`));
    b.if('x == Infinity', () => b.ret(hi));
    b.let('r', 'abs(x - a) / a');
    b.if('(a > 20 && a < 200 && r < 0.3) || (a >= 200 && r < 4.5 / sqrt(a))', () =>
      b.ret(clamp01(`igam_asymptotic(a, x, ${upper ? 1 : -1})`)),
    );
  };
  /** The regularized lower incomplete gamma function P(a, x) (lax.igamma, scipy gammainc). */
  const igamma = def('igamma', ['a', 'x'], (b) => {
    gammaEdges(b, false);
    b.ret(clamp01('igam_main(a, x, 0)'));
  });
  /** The regularized upper incomplete gamma function Q(a, x) (lax.igammac, scipy gammaincc). */
  const igammac = def('igammac', ['a', 'x'], (b) => {
    gammaEdges(b, true);
    b.ret(clamp01('igam_main(a, x, 1)'));
  });
  /** S w + dS/da for the power series of P = x^a e^-x / Gamma(a+1) S. */
  def('igam_series_d', ['a', 'x', 'w'], (b) => {
    b.let('c', '1');
    b.let('s', '1');
    b.let('dc', '0');
    b.let('ds', '0');
    b.let('i', '1');
    b.loop(P.consts.MAXITER - 1, () => {
      b.let('r', 'a + i');
      b.set('dc', 'dc * (x / r) - (c * x) / (r * r)');
      b.set('c', 'c * (x / r)');
      b.set('s', 's + c');
      b.set('ds', 'ds + dc');
      b.if('c <= EPS * s && abs(dc) <= EPS * abs(ds)', () => b.break());
      b.set('i', 'i + 1');
    });
    b.ret('s * w + ds');
  });
  /**
   * F w + dF/da for the continued fraction of Q = x^a e^-x / Gamma(a) F (the convergents' recurrence
   * differentiated, as JAX's _igammac_continued_fraction).
   */
  def('igamc_fraction_d', ['a', 'x', 'w'], (b) => {
    b.let('y', '1 - a');
    b.let('xma', 'x - a');
    b.let('z', 'xma + 2');
    b.let('c', '0');
    b.let('pkm2', '1');
    b.let('qkm2', 'x');
    b.let('pkm1', 'x + 1');
    b.let('qkm1', 'z * x');
    b.let('ans', 'pkm1 / qkm1');
    b.let('dpkm2', '0');
    b.let('dqkm2', '0');
    b.let('dpkm1', '0');
    b.let('dqkm1', '-x');
    b.let('dans', '(dpkm1 - ans * dqkm1) / qkm1');
    b.let('i', '0');
    b.loop(P.consts.MAXITER, () => {
      b.set('c', 'c + 1');
      b.set('y', 'y + 1');
      b.set('z', 'xma + (2 * i + 4)');
      b.let('yc', 'y * c');
      b.let('pk', 'pkm1 * z - pkm2 * yc');
      b.let('qk', 'qkm1 * z - qkm2 * yc');
      b.let('dpk', 'dpkm1 * z - pkm1 - dpkm2 * yc + pkm2 * c');
      b.let('dqk', 'dqkm1 * z - qkm1 - dqkm2 * yc + qkm2 * c');
      b.let('t', '1');
      b.let('dt', '1');
      b.if('qk != 0', () => {
        b.let('r', 'pk / qk');
        b.set('t', 'abs((ans - r) / r)');
        b.set('ans', 'r');
        b.let('dn', '(dpk - ans * dqk) / qk');
        b.set('dt', 'abs(dn - dans)');
        b.set('dans', 'dn');
      });
      b.set('pkm2', 'pkm1');
      b.set('pkm1', 'pk');
      b.set('qkm2', 'qkm1');
      b.set('qkm1', 'qk');
      b.set('dpkm2', 'dpkm1');
      b.set('dpkm1', 'dpk');
      b.set('dqkm2', 'dqkm1');
      b.set('dqkm1', 'dqk');
      b.if('abs(pk) > 1 / EPS', () => {
        for (const n of ['pkm2', 'pkm1', 'qkm2', 'qkm1', 'dpkm2', 'dpkm1', 'dqkm2', 'dqkm1'])
          b.set(n, `${n} * EPS`);
      });
      b.if('t <= EPS && dt <= EPS * abs(dans)', () => b.break());
      b.set('i', 'i + 1');
    });
    b.ret('ans * w + dans');
  });
  /** d/da P(a, x) (lax.igamma_grad_a). */
  const igammaGradA = def('igamma_grad_a', ['a', 'x'], (b) => {
    b.if('isnan(a) || isnan(x) || x < 0 || a <= 0', () => b.ret('NaN'));
    b.if('x == 0 || x == Infinity || a == Infinity', () => b.ret('0'));
    b.let('q', 'x > 1 && x > a');
    b.let('f', 'igam_factor(a, x, q ? 0 : 1)');
    b.if('f == 0', () => b.ret('0'));
    b.let('w', 'log(x) - digamma(q ? a : a + 1)');
    b.if('q', () => b.ret('-f * igamc_fraction_d(a, x, w)'));
    b.ret('f * igam_series_d(a, x, w)');
  });
  /**
   * The derivative of a Gamma(a, 1) sample x with respect to a, -(dP/da) / (dP/dx)
   * (lax.random_gamma_grad): the x^a e^-x / Gamma(a) factor cancels.
   */
  const randomGammaGrad = def('random_gamma_grad', ['a', 'x'], (b) => {
    b.if('isnan(a) || isnan(x) || x < 0 || a <= 0 || x == Infinity', () => b.ret('NaN'));
    b.if('x == 0', () => b.ret('0'));
    b.let('q', 'x > 1 && x > a');
    b.let('w', 'log(x) - digamma(q ? a : a + 1)');
    b.if('q', () => b.ret('x * igamc_fraction_d(a, x, w)'));
    b.ret('(-x / a) * igam_series_d(a, x, w)');
  });

  // ---- incomplete beta ----------------------------------------------------------------------------

  /** lgamma(b) - lgamma(a + b) for b >= 10, without the cancellation. */
  def('lgamma_diff', ['a', 'b'], (b) => {
    b.let('apb', 'a + b');
    b.ret('-(b - 0.5) * log1p(a / b) - a * log(apb) + a + stirling_corr(b) - stirling_corr(apb)');
  });
  /** log B(a, b) for a, b > 0. */
  def('lbeta', ['a', 'b'], (b) => {
    b.let('lo', 'min(a, b)');
    b.let('hi', 'max(a, b)');
    b.if('lo < 10', () => {
      b.let('glo', 'lgamma_pos(lo)');
      b.if('hi < 10', () => b.ret('glo + lgamma_pos(hi) - lgamma_pos(lo + hi)'));
      b.ret('glo + lgamma_diff(lo, hi)');
    });
    b.let('apb', 'lo + hi');
    b.let('r', 'lo / apb');
    b.let('corr', 'stirling_corr(lo) + stirling_corr(hi) - stirling_corr(apb)');
    b.ret('(lo - 0.5) * log(r) + (hi - 0.5) * log1p(-r) - 0.5 * log(apb) + HALF_LOG_2PI + corr');
  });
  /** log(v s) for s >= 1 given lv = log v: from the product when it is normal (an ulp or so). */
  def('log_scaled', ['v', 'lv', 's'], (b) => {
    b.let('p', 'v * s');
    b.ret('p >= TINY && p < HUGE ? log(p) : lv + log(s)');
  });
  /** x^a y^b / B(a, b) with y = 1 - x; lx = log x, ly = log y (both accurate), lb = log B(a, b). */
  def('beta_factor', ['a', 'b', 'x', 'y', 'lx', 'ly', 'lb'], (b) => {
    b.if('a >= 10 && b >= 10', () => {
      // Stirling form around the mean: t1 = ((a+b) x - a) / a, t2 = -((a+b) x - a) / b, and
      // log1p(t1) = log(x (a+b) / a), log1p(t2) = log(y (a+b) / b).
      b.let('apb', 'a + b');
      b.let('d', 'x <= 0.5 ? apb * x - a : b - apb * y');
      b.let('t1', 'd / a');
      b.let('d1', '0');
      b.if(
        'abs(t1) < 0.5',
        () => b.set('d1', '-log1pmx(t1)'),
        () => b.set('d1', 't1 - log_scaled(x, lx, apb / a)'),
      );
      b.let('t2', '-d / b');
      b.let('d2', '0');
      b.if(
        'abs(t2) < 0.5',
        () => b.set('d2', '-log1pmx(t2)'),
        () => b.set('d2', 't2 - log_scaled(y, ly, apb / b)'),
      );
      b.let('corr', 'stirling_corr(a) + stirling_corr(b) - stirling_corr(apb)');
      b.let('e', '-(a * d1 + b * d2) + 0.5 * log((a / apb) * b) - HALF_LOG_2PI - corr');
      // ~|e| ulps; in the tails the pow form below (~|log B| ulps) can be better.
      b.if('e > -30', () => b.ret('exp(e)'));
      b.if('-lb > -e', () => b.ret('exp(e)'));
    });
    b.let('xa', 'x ** a');
    b.let('yb', 'x >= 0.5 ? y ** b : exp(b * ly)');
    b.let('m', 'xa * yb * exp(-lb)');
    b.if(`${normal('xa')} && ${normal('yb')} && ${normal('m')}`, () => b.ret('m'));
    b.ret('exp(a * lx + b * ly - lb)');
  });
  /**
   * x^a / B(a, b) * sum_n (1-b)_n x^n / (n! (a+n)) = I_x(a, b), lb = log B(a, b); NaN if not
   * converged in mi terms.
   */
  def('ibeta_series', ['a', 'b', 'x', 'lx', 'mi', 'lb'], (b) => {
    b.let('s', '1 / a');
    b.let('t', '1');
    seriesLoop(b, '(((n - b) * x) / n)', 'a', 'mi');
    b.if('n >= mi', () => b.ret('NaN'));
    b.let('xa', 'x ** a');
    b.let('pre', 'xa * exp(-lb)');
    b.if(`${normal('xa')} && ${normal('pre')}`, () => b.ret('pre * s'));
    b.ret('exp(a * lx - lb) * s');
  });
  /** lgamma(a + b) - lgamma(a) for b <= 1, accurate relative to b (shifted to a >= 10 for Stirling). */
  def('lgamma_ratio', ['a0', 'b'], (b) => {
    b.let('a', 'a0');
    b.let('r', '0');
    b.loop(11, () => {
      b.if('!(a < 10)', () => b.break());
      b.set('r', 'r - log1p(b / a)');
      b.set('a', 'a + 1');
    });
    // lgamma(a + b) - lgamma(a) = -(lgamma(a) - lgamma(a + b)), Stirling for a >= 10
    b.ret('-lgamma_diff(b, a) + r');
  });
  /**
   * I_x(a, b) = 1 - I_y(b, a) for b <= 1 and a y small, without the cancellation: with
   * A = y^b / (b B(a, b)) and S = b sum_{n>=1} (1-a)_n y^n / (n! (b+n)), I = -expm1(log A) - A S.
   */
  def('ibeta_small_b', ['a', 'b', 'y', 'ly'], (b) => {
    b.let('logA', 'b * ly - (lgamma1p(b) - lgamma_ratio(a, b))');
    b.let('t', '1');
    b.let('s', '0');
    seriesLoop(b, '(((n - a) * y) / n)', 'b');
    b.ret('-expm1(logA) - exp(logA) * (b * s)');
  });
  /**
   * The continued fraction of x^a (1-x)^b / (B(a, b) I_x(a, b)) (DLMF 8.17.22 with its even and odd
   * steps contracted, Boost's ibeta_fraction2): b0 + a1 / (b1 + a2 / (b2 + ...)) with
   * a_m = (a+m-1)(a+b+m-1) m (b-m) x^2 / (a+2m-1)^2,
   * b_m = m + m (b-m) x / (a+2m-1) + (a+m)(a y - b x + 1 + m (2-x)) / (a+2m+1). Below the threshold
   * x < (a+1)/(a+b+2) every b_m is a sum of positive terms, so x near 1 costs no digits; modified
   * Lentz.
   */
  def('ibeta_fraction', ['a', 'b', 'x', 'y'], (b) => {
    b.let('apb', 'a + b');
    b.let('base', 'a * y - b * x + 1');
    b.let('f', '(a * base) / (a + 1)');
    b.if('f == 0', () => b.set('f', 'FPMIN'));
    b.let('c', 'f');
    b.let('d', '0');
    lentz(
      b,
      'f',
      (v) => `${v} == 0`,
      () => {
        b.let('am1', 'a + (2 * i - 1)');
        b.let('an', '((a + (i - 1)) * (apb + (i - 1)) * i * (b - i) * x * x) / (am1 * am1)');
        b.let('bn', 'i + (i * (b - i) * x) / am1 + ((a + i) * (base + i * (2 - x))) / (a + (2 * i + 1))');
      },
    );
    b.ret('f');
  });
  /**
   * I_x(a, b) for finite a, b > 0 and 0 < x < 1, lb = log B(a, b). Each method is called once (a GPU
   * compiler inlines every call): the series or the continued fraction gives the result or, past
   * the symmetry, j = I_{1-x}(b, a), and a result 1 - j with j near 1 (b <= 1, the mass near x = 1)
   * is computed without the cancellation instead.
   */
  def('ibeta', ['a', 'b', 'x', 'lb'], (b) => {
    b.let('y', '1 - x');
    b.let('lx', 'log(x)');
    b.let('ly', 'x < 0.5 ? log1p(-x) : log(y)');
    b.let('inv', 'x > 0.5');
    b.let('b1', 'inv ? a : b');
    b.let('series', 'min(a, b) <= 1 && (b1 <= 1 || b1 * (inv ? y : x) <= 0.7)');
    b.let('j', '0');
    b.if(
      'series',
      () => {
        b.let('s', 'ibeta_series(inv ? b : a, b1, inv ? y : x, inv ? ly : lx, MAXITER, lb)');
        b.if('!inv', () => b.ret('s'));
        b.set('j', 's');
      },
      () => {
        b.let('m', 'beta_factor(a, b, x, y, lx, ly, lb)');
        b.let('below', 'x < (a + 1) / (a + b + 2)');
        b.let('r', 'm / ibeta_fraction(below ? a : b, below ? b : a, below ? x : y, below ? y : x)');
        b.if('below', () => b.ret('r'));
        b.set('j', 'r');
      },
    );
    b.if('j > 0.9 && b <= 1', () => {
      b.if('a * y <= 3', () => b.ret('ibeta_small_b(a, b, y, ly)'));
      b.let('r2', `ibeta_series(a, b, x, lx, ${P.consts.MAXITER / 2}, lb)`);
      b.if('!isnan(r2)', () => b.ret('r2'));
    });
    b.ret('1 - j');
  });
  /** The regularized incomplete beta function I_x(a, b) (lax.betainc, scipy betainc). */
  const betainc = def('betainc', ['a', 'b', 'x'], (b) => {
    b.if('isnan(a) || isnan(b) || isnan(x)', () => b.ret('NaN'));
    b.let('aZero', 'a == 0 || b == Infinity');
    b.let('bZero', 'b == 0 || a == Infinity');
    b.if('a < 0 || b < 0 || x < 0 || x > 1 || (aZero && bZero)', () => b.ret('NaN'));
    b.if('bZero', () => b.ret('x == 1 ? 1 : 0'));
    b.if('aZero', () => b.ret('x == 0 ? 0 : 1'));
    b.if('x == 0', () => b.ret('0'));
    b.if('x == 1', () => b.ret('1'));
    b.ret(clamp01('ibeta(a, b, x, lbeta(a, b))'));
  });
  return { igamma, igammac, igamma_grad_a: igammaGradA, random_gamma_grad: randomGammaGrad, betainc };
}
