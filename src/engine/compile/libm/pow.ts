/**
 * @file float32 pow as kernel IR: |x|^y = 2^(y log2|x|), with log2|x| and the product carried as
 * double-floats (float32 pairs, Dekker's arithmetic: build.ts), since an error d in y log2|x|
 * becomes a relative error d ln2 in a result that may be as large as 2^128. The logarithm is
 * fdlibm's 2 atanh(s), s = f / (2 + f), 1 + f in [sqrt(1/2), sqrt(2)), with s, s^3 and 2/3 s^3 as
 * double-floats and the rest a minimax polynomial (scripts/make_libm_coeffs.py); 2^t is exp's
 * polynomial on t ln2. The special cases are C99's (F.9.4.4), as the CPU's `rt.pow` and XLA give
 * them: pow(x, 0) = pow(1, y) = 1, pow(-1, +-inf) = 1, negative x with a non-integer y is NaN, and
 * the sign of an odd integer power.
 */
import {
  abs,
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
  fb,
  fromBits,
  gt,
  horner,
  i,
  lt,
  max,
  min,
  mul,
  ne,
  not,
  or,
  roundEven,
  select,
  sub,
  toF,
  toI,
  twoProd,
  twoProdConst,
} from './build.js';
import { INV_LN2, LN2, LOG_T, TWO_THIRDS } from './coeffs.js';
import { expSmall, scale, splitLog } from './explog.js';

const INF = Number.POSITIVE_INFINITY;
const INF_BITS = 0x7f800000;

/** a * (ch + cl) for a double-float a and a double-float constant. */
function mulConst(a: DF, c: readonly number[]): DF {
  const p = twoProdConst(a.hi, c[0]);
  return fastTwoSum(p.hi, add(p.lo, add(mul(a.hi, f(c[1])), mul(a.lo, f(c[0])))));
}

/** log2 of a positive finite float32 as a double-float (relative error about 2^-40). */
function log2DF(ax: E): DF {
  const { k, fm } = splitLog(ax, true);
  // s = f / (2 + f) = sh + sl: f - 2 sh is exact (Sterbenz), sh f exact as a pair.
  const two = add(f(2), fm);
  const sh = div(fm, two);
  const p = twoProd(sh, fm);
  const sl = div(sub(sub(sub(fm, add(sh, sh)), p.hi), p.lo), two);
  // z = s^2, s^3 and 2/3 s^3 as double-floats; s^5 T(z) in float32 (below 2^-13 of the total).
  const zz = twoProd(sh, sh);
  const zl = add(zz.lo, mul(add(sh, sh), sl));
  const s3 = twoProd(sh, zz.hi);
  const cube = mulConst({ hi: s3.hi, lo: add(s3.lo, add(mul(sh, zl), mul(sl, zz.hi))) }, TWO_THIRDS);
  const tail = mul(mul(s3.hi, zz.hi), horner(zz.hi, LOG_T));
  // log m = 2 sh + cube + (2 sl + tail); then / ln2 and + k.
  const a = fastTwoSum(add(sh, sh), cube.hi);
  const lnm = fastTwoSum(a.hi, add(a.lo, add(add(add(sl, sl), cube.lo), tail)));
  const q = mulConst(lnm, INV_LN2);
  const kf = toF(k);
  const b = fastTwoSum(kf, q.hi);
  return fastTwoSum(b.hi, add(b.lo, q.lo));
}

export function pow32(x: E, y: E): E {
  const ax = abs(x);
  const axb = absBits(x);
  const ayb = absBits(y);
  // |x|^y for finite nonzero x and finite y: 2^(y log2|x|), y log2|x| = ph + pl.
  const l = log2DF(ax);
  const pr = twoProd(y, l.hi);
  // Past 2^129 or 2^-151 the result overflows or underflows whatever the low part is (which may
  // be NaN when the product overflows): clamp, and drop it.
  const hi = min(max(pr.hi, f(-151)), f(129));
  const pp = fastTwoSum(hi, select(eq(hi, pr.hi), add(pr.lo, mul(y, l.lo)), f(0)));
  const kf = roundEven(pp.hi);
  // t = (ph - k) + pl exactly as a pair; r = t ln2.
  const r = mulConst(fastTwoSum(sub(pp.hi, kf), pp.lo), LN2);
  const e = expSmall(r.hi, r.lo);
  const general = scale(add(e.hi, e.lo), toI(kf));
  // Special magnitudes: x = 0, x = inf, y = inf.
  const yNeg = lt(bits(y), i(0));
  const zeroX = eq(axb, i(0));
  const infX = eq(axb, i(INF_BITS));
  const infY = eq(ayb, i(INF_BITS));
  const inf = f(INF);
  const big = select(
    infY,
    select(eq(axb, fb(1)), f(1), select(eq(lt(axb, fb(1)), yNeg), inf, f(0))),
    general,
  );
  const mag = select(zeroX, select(yNeg, inf, f(0)), select(infX, select(yNeg, f(0), inf), big));
  // The sign: negative x to an odd integer power; NaN for negative finite x and non-integer y.
  const yInt = eq(roundEven(y), y);
  const yOdd = and(yInt, and(lt(ayb, i(0x4b800000)), ne(and(toI(y), i(1)), i(0))));
  const xNeg = lt(bits(x), i(0));
  const signed = select(and(xNeg, yOdd), fromBits(or(bits(mag), i(-0x80000000))), mag);
  const bad = and(and(xNeg, not(yInt)), and(gt(axb, i(0)), lt(axb, i(INF_BITS))));
  const nanX = gt(axb, i(INF_BITS));
  const nanY = gt(ayb, i(INF_BITS));
  const v = select(or(or(nanX, nanY), bad), f(Number.NaN), signed);
  // pow(x, +-0) = 1 (even for NaN x), pow(1, y) = 1 (even for NaN y), pow(-1, +-inf) = 1.
  const one = or(or(eq(ayb, i(0)), eq(bits(x), fb(1))), and(eq(bits(x), fb(-1)), infY));
  return select(one, f(1), v);
}
