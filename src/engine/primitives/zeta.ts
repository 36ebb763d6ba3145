/**
 * @file The lax.zeta primitive (its rules: transforms/rules/zeta.ts) and its algorithm, written once in the kernel IR so that every backend renders the same
 * computation (issue 18: no JavaScript copy beside a WGSL copy): the Hurwitz zeta function as XLA's
 * chlo.zeta legalization computes it (nine terms of the series, then a twelve-term Euler-Maclaurin
 * tail, with its pole and domain cases). float16 is computed in float32 and rounded back, as XLA
 * upcasts it. Each operation rounds to the working dtype, so float32 results follow XLA's float32
 * arithmetic step by step. (bessel_i0e/bessel_i1e are primitives/bessel.ts.)
 */
import { bin, cast, constant, type SExpr, sel, un } from '../compile/kir.js';
import { type DType, float32, float64 } from '../core/dtype.js';
import { definePrimitive } from '../core/primitive.js';
import { naryRules } from './common.js';

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
}

/** Compute `f` in float32 for float16 operands (rounding once at the end), else in their dtype. */
function upcast(xs: SExpr[], out: DType, f: (o: Ops, ...xs: SExpr[]) => SExpr): SExpr {
  const work = out === float64 ? float64 : float32;
  const r = f(new Ops(work), ...xs.map((x) => cast(x, work)));
  return cast(r, out);
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
function zetaKir(x: SExpr, q: SExpr, out: DType): SExpr {
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

/** zeta(x, q): the Hurwitz zeta function sum_n (n + q)^-x. */
export const zeta = definePrimitive(
  'zeta',
  naryRules('zeta', 'float', ([x, q], _p, out) => zetaKir(x, q, out.dtype)),
);
