/**
 * @file float32 tanh, erf and the logistic function as kernel IR, built on exp and expm1
 * (explog.ts) and this project's minimax polynomials (scripts/make_libm_coeffs.py):
 * - tanh |x| < 0.625: x + x^3 T(x^2); above: e / (e + 2), e = expm1(2|x|), in double-float
 *   arithmetic (the quotient corrected once); the sign copied back.
 * - erf |x| < 1: x + x E(x^2); 1 <= |x| < 4: 1 - exp(G(|x|) - x^2), where G(x) = x^2 + log erfc(x)
 *   is smooth; beyond: 1. (The split and the exp(-x^2) factor are those of Cody's erf, W. J. Cody,
 *   "Rational Chebyshev approximations for the error function", Math. Comp. 1969, with one
 *   polynomial for the logarithm of the rest instead of a rational function.)
 * - logistic: 1 / (1 + e) for x >= 0 and e / (1 + e) below, e = exp(-|x|), in double-float
 *   arithmetic (the quotient corrected once), since each rounding would count.
 */
import {
  abs,
  absBits,
  add,
  and,
  bits,
  copySign,
  divDF,
  type E,
  f,
  fastTwoSum,
  gt,
  horner,
  i,
  lt,
  mul,
  neg,
  select,
  sub,
} from './build.js';
import { ERF_BIG, ERF_SMALL, TANH, TANH_SMALL } from './coeffs.js';
import { exp32, expm1Parts, expParts, scale } from './explog.js';

const INF_BITS = 0x7f800000;
const f32bits = (v: number): number => new Int32Array(new Float32Array([v]).buffer)[0];

export function tanh32(x: E): E {
  const ax = abs(x);
  const z = mul(ax, ax);
  const small = add(ax, mul(ax, mul(z, horner(z, TANH))));
  // tanh = e / (e + 2), e = expm1(2|x|) (>= 2.49 here), as double-floats: one rounding.
  const e = expm1Parts(add(ax, ax));
  const d = fastTwoSum(e.hi, f(2));
  const big = divDF(e.hi, e.lo, d.hi, add(d.lo, e.lo));
  // Past 9.1, tanh rounds to 1 (and e would overflow past 44); NaN stays NaN.
  const a = absBits(x);
  const v = select(lt(a, i(f32bits(TANH_SMALL))), small, select(lt(a, i(f32bits(9.1))), big, f(1)));
  return select(gt(a, i(INF_BITS)), x, copySign(v, x));
}

export function erf32(x: E): E {
  const ax = abs(x);
  const a = absBits(x);
  const z = mul(ax, ax);
  const small = add(ax, mul(ax, horner(z, ERF_SMALL)));
  const big = sub(f(1), exp32(sub(horner(ax, ERF_BIG), z)));
  const v = select(lt(a, i(f32bits(1))), small, select(lt(a, i(f32bits(4))), big, f(1)));
  return select(gt(a, i(INF_BITS)), x, copySign(v, x));
}

export function logistic32(x: E): E {
  // e = e^-|x| as a double-float (scaled exactly while normal); 1 / (1 + e) or e / (1 + e).
  const p = expParts(neg(abs(x)));
  const eh = scale(p.hi, p.k);
  const el = scale(p.lo, p.k);
  const d = fastTwoSum(f(1), eh);
  const negative = lt(bits(x), i(0));
  const v = divDF(select(negative, eh, f(1)), select(negative, el, f(0)), d.hi, add(d.lo, el));
  // Below -87 the result is e^x (subnormal): rounded once from the double-float.
  return select(and(negative, gt(absBits(x), i(f32bits(87)))), scale(add(p.hi, p.lo), p.k), v);
}
