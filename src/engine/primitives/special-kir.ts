/**
 * @file The special functions that are lax primitives in JAX, written once in the kernel IR so that
 * every backend renders the same algorithm (issue 18: no JavaScript copy beside a WGSL copy): the
 * Hurwitz zeta function (XLA's chlo.zeta legalization: nine terms of the series, then a
 * twelve-term Euler-Maclaurin tail, with its pole and domain cases) and the exponentially scaled
 * modified Bessel functions i0e and i1e (Cephes' Chebyshev expansions on [0, 8] and (8, inf), with
 * the shorter float32 coefficient sets where the dtype is float32, as jax/_src/lax/special.py's
 * `_i0e_impl32`/`_i0e_impl64` and XLA's BesselI1e do). float16 is computed in float32 and rounded
 * back, as XLA upcasts it. Each operation rounds to the working dtype, so float32 results follow
 * XLA's float32 arithmetic step by step.
 */
import { bin, cast, constant, type SExpr, sel, un } from '../compile/kir.js';
import { type DType, float32, float64 } from '../core/dtype.js';

/** Scalar arithmetic on IR expressions of one float dtype. */
class Ops {
  constructor(readonly dt: DType) {}
  c(v: number): SExpr {
    return constant(v, this.dt);
  }
  add(a: SExpr, b: SExpr): SExpr {
    return bin('add', a, b, this.dt);
  }
  sub(a: SExpr, b: SExpr): SExpr {
    return bin('sub', a, b, this.dt);
  }
  mul(a: SExpr, b: SExpr): SExpr {
    return bin('mul', a, b, this.dt);
  }
  div(a: SExpr, b: SExpr): SExpr {
    return bin('div', a, b, this.dt);
  }
  /** Clenshaw's recurrence for a Chebyshev series (Cephes' chbevl): 0.5 (b0 - b2). */
  chebyshev(x: SExpr, coeffs: readonly number[]): SExpr {
    let b0 = this.c(0);
    let b1 = this.c(0);
    let b2 = this.c(0);
    for (const k of coeffs) {
      b2 = b1;
      b1 = b0;
      b0 = this.add(this.sub(this.mul(x, b1), b2), this.c(k));
    }
    return this.mul(this.c(0.5), this.sub(b0, b2));
  }
}

/** Compute `f` in float32 for float16 operands (rounding once at the end), else in their dtype. */
function upcast(xs: SExpr[], out: DType, f: (o: Ops, ...xs: SExpr[]) => SExpr): SExpr {
  const work = out === float64 ? float64 : float32;
  const r = f(new Ops(work), ...xs.map((x) => cast(x, work)));
  return cast(r, out);
}

// Cephes' Chebyshev coefficients of exp(-x) I0(x) on [0, 8] (A) and of exp(-x) sqrt(x) I0(x) on
// (8, inf) in 32/x - 2 (B); the float32 sets are their trailing terms.
export const I0E_A64 = [
  -4.4153416464793395e-18, 3.3307945188222384e-17, -2.431279846547955e-16, 1.715391285555133e-15,
  -1.1685332877993451e-14, 7.676185498604936e-14, -4.856446783111929e-13, 2.95505266312964e-12,
  -1.726826291441556e-11, 9.675809035373237e-11, -5.189795601635263e-10, 2.6598237246823866e-9,
  -1.300025009986248e-8, 6.046995022541919e-8, -2.670793853940612e-7, 0.0000011173875391201037,
  -0.0000044167383584587505, 0.000016448448070728896, -0.00005754195010082104, 0.00018850288509584165,
  -0.0005763755745385824, 0.0016394756169413357, -0.004324309995050576, 0.010546460394594998,
  -0.02373741480589947, 0.04930528423967071, -0.09490109704804764, 0.17162090152220877, -0.3046826723431984,
  0.6767952744094761,
];
export const I0E_B64 = [
  -7.233180487874754e-18, -4.830504485944182e-18, 4.46562142029676e-17, 3.461222867697461e-17,
  -2.8276239805165836e-16, -3.425485619677219e-16, 1.7725601330565263e-15, 3.8116806693526224e-15,
  -9.554846698828307e-15, -4.150569347287222e-14, 1.54008621752141e-14, 3.8527783827421426e-13,
  7.180124451383666e-13, -1.7941785315068062e-12, -1.3215811840447713e-11, -3.1499165279632416e-11,
  1.1889147107846439e-11, 4.94060238822497e-10, 3.3962320257083865e-9, 2.266668990498178e-8,
  2.0489185894690638e-7, 0.0000028913705208347567, 0.00006889758346916825, 0.0033691164782556943,
  0.8044904110141088,
];
const I0E_A32 = I0E_A64.slice(-18);
const I0E_B32 = I0E_B64.slice(-7);

// The same for exp(-x) I1(x) / x (A) and exp(-x) sqrt(x) I1(x) (B).
const I1E_A64 = [
  2.7779141127610464e-18, -2.111421214358166e-17, 1.5536319577362005e-16, -1.1055969477353862e-15,
  7.600684294735408e-15, -5.042185504727912e-14, 3.223793365945575e-13, -1.9839743977649436e-12,
  1.1736186298890901e-11, -6.663489723502027e-11, 3.625590281552117e-10, -1.8872497517228294e-9,
  9.381537386495773e-9, -4.445059128796328e-8, 2.0032947535521353e-7, -8.568720264695455e-7,
  0.0000034702513081376785, -0.000013273163656039436, 0.00004781565107550054, -0.00016176081582589674,
  0.0005122859561685758, -0.0015135724506312532, 0.004156422944312888, -0.010564084894626197,
  0.024726449030626516, -0.05294598120809499, 0.1026436586898471, -0.17641651835783406, 0.25258718644363365,
];
const I1E_B64 = [
  7.517296310842105e-18, 4.414348323071708e-18, -4.6503053684893586e-17, -3.209525921993424e-17,
  2.96262899764595e-16, 3.3082023109209285e-16, -1.8803547755107825e-15, -3.8144030724370075e-15,
  1.0420276984128802e-14, 4.272440016711951e-14, -2.1015418427726643e-14, -4.0835511110921974e-13,
  -7.198551776245908e-13, 2.0356285441470896e-12, 1.4125807436613782e-11, 3.2526035830154884e-11,
  -1.8974958123505413e-11, -5.589743462196584e-10, -3.835380385964237e-9, -2.6314688468895196e-8,
  -2.512236237870209e-7, -0.000003882564808877691, -0.00011058893876262371, -0.009761097491361469,
  0.7785762350182801,
];
const I1E_A32 = I1E_A64.slice(-17);
const I1E_B32 = I1E_B64.slice(-7);

/** exp(-|x|) I0(x). */
export function besselI0eKir(x: SExpr, out: DType): SExpr {
  return upcast([x], out, (o, x0) => {
    const f64 = o.dt === float64;
    const ax = un('abs', x0);
    const low = o.chebyshev(o.sub(o.mul(o.c(0.5), ax), o.c(2)), f64 ? I0E_A64 : I0E_A32);
    const high = o.div(
      o.chebyshev(o.sub(o.div(o.c(32), ax), o.c(2)), f64 ? I0E_B64 : I0E_B32),
      un('sqrt', ax),
    );
    return sel(bin('le', ax, o.c(8)), low, high);
  });
}

/** exp(-|x|) I1(x) (odd in x). */
export function besselI1eKir(x: SExpr, out: DType): SExpr {
  return upcast([x], out, (o, x0) => {
    const f64 = o.dt === float64;
    const z = un('abs', x0);
    const low = o.mul(o.chebyshev(o.sub(o.mul(o.c(0.5), z), o.c(2)), f64 ? I1E_A64 : I1E_A32), z);
    const high = o.div(o.chebyshev(o.sub(o.div(o.c(32), z), o.c(2)), f64 ? I1E_B64 : I1E_B32), un('sqrt', z));
    const r = sel(bin('le', z, o.c(8)), low, high);
    return sel(bin('lt', x0, o.c(0)), un('neg', r), r);
  });
}

// (2k)! / B_2k for k = 12, 11, ..., 1: the Euler-Maclaurin coefficients, as XLA lists them.
const ZETA_COEFFS = [
  -7166165256175667000, 181521054019435460, -4597978722407473, 116467828143500.67, -2950130727918.164,
  7.47242496e10, -1892437580.3183792, 47900160.0, -1209600.0, 30240.0, -720.0, 12.0,
];

/**
 * The Hurwitz zeta function sum_n (n + q)^-x: the first ten terms directly, then the tail by
 * Euler-Maclaurin with Horner's rule over the Bernoulli terms; NaN for x < 1 and for q <= 0 with
 * x not an integer, inf at x = 1 and at the poles q = 0, -1, ... for even x (NaN for odd x).
 */
export function zetaKir(x: SExpr, q: SExpr, out: DType): SExpr {
  return upcast([x, q], out, (o, x0, q0) => {
    const negX = un('neg', x0);
    const one = o.c(1);
    let a = q0;
    let negPower = o.c(0);
    let initial = bin('pow', q0, negX, o.dt);
    for (let i = 0; i < 9; i++) {
      a = o.add(a, one);
      negPower = bin('pow', a, negX, o.dt);
      initial = o.add(initial, negPower);
    }
    a = o.add(a, one);
    negPower = bin('pow', a, negX, o.dt);
    let s = o.add(initial, o.div(o.mul(negPower, a), o.sub(x0, one)));
    const aInvSq = o.div(one, o.mul(a, a));
    // B_2j / (2j)! x (x + 1) ... (x + 2j - 2) / a^(2j - 1), j = 12 down to 2, by Horner's rule: the
    // factor between terms j - 1 and j is (x + 2j - 3)(x + 2j - 2) / a^2.
    let horner = o.c(0);
    for (let i = 0; i < 11; i++) {
      const factor = o.mul(o.add(x0, o.c(22 - 2 * i)), o.add(x0, o.c(21 - 2 * i)));
      horner = o.mul(factor, o.mul(aInvSq, o.add(horner, o.c(1 / ZETA_COEFFS[i]))));
    }
    const tail = o.mul(o.div(x0, a), o.add(o.c(1 / ZETA_COEFFS[11]), horner));
    s = o.add(s, o.mul(negPower, o.add(o.c(0.5), tail)));
    // Where the tenth term is negligible against the sum, the series alone is the answer.
    const smallest = o.dt === float64 ? 2.2250738585072014e-308 : 1.1754943508222875e-38;
    const negligible = bin('lt', un('abs', negPower), o.mul(un('abs', initial), o.c(smallest)));
    let r = sel(negligible, initial, s);
    const nan = o.c(Number.NaN);
    const inf = o.c(Number.POSITIVE_INFINITY);
    r = sel(bin('lt', x0, one), nan, r);
    const qLeZero = bin('le', q0, o.c(0));
    const xIsInt = bin('eq', x0, un('floor', x0));
    r = sel(bin('and', qLeZero, un('not', xIsInt)), nan, r);
    const atPole = bin('and', qLeZero, bin('eq', q0, un('floor', q0)));
    const xEvenInt = bin('and', xIsInt, bin('eq', bin('rem', x0, o.c(2), o.dt), o.c(0)));
    r = sel(atPole, sel(xEvenInt, inf, nan), r);
    return sel(bin('eq', x0, one), inf, r);
  });
}
