/**
 * @file float32 exp, expm1, log and log1p as kernel IR, in the shape of fdlibm's expf, expm1f,
 * logf and log1pf (Sun Microsystems, 1993; also in musl and FreeBSD's msun), with this project's
 * own minimax polynomials (scripts/make_libm_coeffs.py) and no fused multiply-add.
 *
 * - exp: x = k ln2 + r, |r| <= ln2/2, ln 2 in two parts (k LN2_HI exact); e^r = 1 + r + r^2 P(r);
 *   times 2^k as two exact power-of-two factors, so that overflow, gradual underflow and the
 *   subnormal results round once.
 * - expm1: the same reduction; for |k| <= 24 the sum (2^k - 1) + 2^k r is added exactly
 *   (TwoSum) before the small terms, which keeps the result within an ulp where 2^k e^r and 1
 *   nearly cancel; otherwise 2^k e^r - 1.
 * - log: x = 2^k (1 + f), 1 + f in [sqrt(1/2), sqrt(2)) from the bits (subnormals scaled up by
 *   2^25 first); log(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))), s = f / (2 + f).
 * - log1p: log of u = 1 + x (rounded) plus the rounding error of u (TwoSum: exact, where fdlibm's
 *   1 - (u - x) is not in float32), divided by u; where 1 + x needs no scaling, f = x exactly; a
 *   series below 2^-7.
 */
import {
  absBits,
  add,
  and,
  bits,
  type DF,
  div,
  type E,
  eq,
  f,
  fastTwoSum,
  fromBits,
  ge,
  gt,
  horner,
  i,
  le,
  lt,
  max,
  min,
  mul,
  or,
  pow2,
  roundEven,
  select,
  shr,
  sub,
  toF,
  toI,
  twoSum,
} from './build.js';
import { EXP, LN2_HI, LN2_LO, LOG, LOG2E } from './coeffs.js';

const INF = Number.POSITIVE_INFINITY;
const INF_BITS = 0x7f800000;
const nan = (x: E): E => gt(absBits(x), i(INF_BITS));

/** x = k ln2 + r: k (float and int32) and r as rh + rl (rh exact). */
function reduceLn2(x: E): { kf: E; k: E; rh: E; rl: E } {
  const kf = roundEven(mul(x, f(LOG2E)));
  return { kf, k: toI(kf), rh: sub(x, mul(kf, f(LN2_HI))), rl: mul(kf, f(-LN2_LO)) };
}

/** p 2^k for p near 1 and k in [-150, 129], rounded once. */
export function scale(p: E, k: E): E {
  const k1 = shr(k, 1);
  return mul(mul(p, pow2(k1)), pow2(sub(k, k1)));
}

/**
 * e^x = (hi + lo) 2^k, hi + lo = e^r to about 2^-30 (1 + rh added exactly), k in [-150, 128]:
 * for exp, and for callers that need e^x to better than its rounding (logistic).
 */
export function expParts(x: E): { hi: E; lo: E; k: E } {
  const xc = min(max(x, f(-104)), f(89));
  const { k, rh, rl } = reduceLn2(xc);
  return { ...expSmall(rh, rl), k };
}

/** e^(rh + rl) = hi + lo, for |rh + rl| <= ln2/2 and |rl| small. */
export function expSmall(rh: E, rl: E): { hi: E; lo: E } {
  const r = add(rh, rl);
  const one = fastTwoSum(f(1), rh);
  return { hi: one.hi, lo: add(one.lo, add(rl, mul(mul(r, r), horner(r, EXP)))) };
}

export function exp32(x: E): E {
  const p = expParts(x);
  return scale(add(p.hi, p.lo), p.k);
}

/**
 * expm1(x) = hi + lo for x >= -26 (hi its float32 rounding within |k| <= 24; past that, where one
 * of 2^k e^r and 1 is negligible, lo = 0): expm1, and tanh's quotient, which needs it unrounded.
 */
export function expm1Parts(x: E): DF {
  const xc = min(max(x, f(-26)), f(89));
  const { k, rh, rl } = reduceLn2(xc);
  const r = add(rh, rl);
  const r2p = mul(mul(r, r), horner(r, EXP));
  // |k| <= 24: (2^k - 1) + 2^k rh exactly, then 2^k (rl + r^2 P) and the error of that sum.
  const kk = min(max(k, i(-24)), i(24));
  const two = pow2(kk);
  const s = twoSum(sub(two, f(1)), mul(two, rh));
  const near = fastTwoSum(s.hi, add(mul(two, add(rl, r2p)), s.lo));
  // Otherwise 2^k e^r - 1, where one of the two is negligible.
  const far = sub(scale(add(f(1), add(r, r2p)), k), f(1));
  const nearK = eq(k, kk);
  return { hi: select(nearK, near.hi, far), lo: select(nearK, near.lo, f(0)) };
}

export function expm1_32(x: E): E {
  const e = expm1Parts(x);
  // Tiny x (and -0, subnormals): x itself.
  return select(lt(absBits(x), i(0x33000000)), x, add(e.hi, e.lo));
}

/** log(1 + f) + (k ln2 + c), for f in [sqrt(1/2) - 1, sqrt(2) - 1) (fdlibm's order of terms). */
function logCore(fm: E, kf: E, c: E): E {
  const s = div(fm, add(f(2), fm));
  const z = mul(s, s);
  const hfsq = mul(f(0.5), mul(fm, fm));
  const rr = mul(z, horner(z, LOG));
  const tail = add(mul(s, add(hfsq, rr)), add(mul(kf, f(LN2_LO)), c));
  return add(mul(kf, f(LN2_HI)), sub(fm, sub(hfsq, tail)));
}

/**
 * For a positive u: k and f with u = 2^k (1 + f), 1 + f in [sqrt(1/2), sqrt(2)). Subnormals are
 * scaled by 2^25 first when `subnormals`.
 */
export function splitLog(u: E, subnormals = false): { k: E; fm: E } {
  const tiny = lt(bits(u), i(0x00800000));
  const us = subnormals ? select(tiny, mul(u, f(2 ** 25)), u) : u;
  const ix = add(bits(us), i(0x3f800000 - 0x3f3504f3));
  const k = sub(shr(ix, 23), i(127));
  const m = fromBits(add(and(ix, i(0x7fffff)), i(0x3f3504f3)));
  return { k: subnormals ? sub(k, select(tiny, i(25), i(0))) : k, fm: sub(m, f(1)) };
}

export function log32(x: E): E {
  const b = bits(x);
  const { k, fm } = splitLog(x, true);
  const v = logCore(fm, toF(k), f(0));
  // log(+-0) = -inf; log(x < 0) = NaN; log(+inf) = +inf; NaN stays NaN.
  const special = select(eq(absBits(x), i(0)), f(-INF), select(lt(b, i(0)), f(Number.NaN), x));
  return select(or(le(b, i(0)), ge(b, i(INF_BITS))), special, v);
}

export function log1p32(x: E): E {
  // u = 1 + x rounded, and its rounding error relative to u: log(1 + x) = log u + err / u.
  const { hi: u, lo: err } = twoSum(f(1), x);
  const { k, fm } = splitLog(u);
  // Where u has no exponent to split off (1 + x in [sqrt(1/2), sqrt(2))), f is x itself, exactly.
  const k0 = eq(k, i(0));
  const v = logCore(select(k0, x, fm), toF(k), select(k0, f(0), div(err, u)));
  // x < -1 (and -inf): NaN; x = -1: -inf; +inf and NaN: x; tiny x (and -0, subnormals): x.
  const b = bits(x);
  const a = absBits(x);
  const negative = lt(b, i(0));
  const special = select(
    nan(x),
    x,
    select(eq(b, i(0xbf800000 | 0)), f(-INF), select(negative, f(Number.NaN), x)),
  );
  const out = select(or(ge(a, i(INF_BITS)), and(negative, ge(a, i(0x3f800000)))), special, v);
  // |x| < 2^-7: x - x^2/2 + x^3/3 - x^4/4 (the next term is below 2^-30 x); x itself below 2^-24.
  const series = add(x, mul(mul(x, x), add(f(-0.5), mul(x, add(f(Math.fround(1 / 3)), mul(x, f(-0.25)))))));
  return select(lt(a, i(0x33800000)), x, select(lt(a, i(0x3c000000)), series, out));
}
