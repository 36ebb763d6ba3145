/**
 * @file float32 erf_inv as kernel IR: XLA's float32 algorithm (ErfInv32 in
 * xla/hlo/builder/lib/math.cc: w = -log1p(-x*x), Giles' polynomial in w - 2.5 or sqrt(w) - 3, times
 * x; M. Giles, "Approximating the erfinv function", GPU Computing Gems, 2011), which is what
 * random.normal samples through. Written once here, it gives the same bits on the CPU (JavaScript
 * and WebAssembly SIMD) and in WGSL, so a normal draw on WebGPU is the CPU's.
 *
 * XLA's CPU code rounds log1p(-x*x) to float32 from a more accurate value and contracts the
 * polynomial's steps into fused multiply-adds. Both are reproduced in float32 operations:
 * - log1p(-t) as a double-float (Dekker's arithmetic, build.ts): 1 - t split exactly (TwoSum),
 *   k ln 2 (ln 2 in three parts) plus log(1 + f) = 2 atanh(s), s = f / (2 + f) as a double-float
 *   (one corrected quotient), the series in s^2 with its leading terms in double-float; within
 *   about 2^-40 relatively, then rounded once to float32.
 * - each step c + p*w rounded once: Boldo and Melquiond's emulated FMA (the exact product, TwoSum,
 *   the low parts added with rounding to odd, one final rounding; "Emulation of FMA and correctly
 *   rounded sums: proved algorithms using rounding to odd", IEEE Trans. Computers 57(4), 2008).
 * Quotients are corrected from exact remainders, so a GPU's division that is off by an ulp does
 * not change the result; sqrt is assumed correctly rounded, as IEEE and WGSL's llvmpipe give it.
 */
import { un } from '../kir.js';
import {
  absBits,
  add,
  and,
  bits,
  copySign,
  type DF,
  div,
  type E,
  eq,
  f,
  fromBits,
  ge,
  i,
  lt,
  mul,
  ne,
  select,
  shl,
  split,
  sub,
  toF,
  xor,
} from './build.js';
import { LN2_HI, LN2_LO } from './coeffs.js';
import { splitLog } from './explog.js';
import { opaque } from './guard.js';

/** Giles' float32 coefficients, highest degree first (w < 5, then w >= 5), as XLA stores them. */
export const ERFINV32_LT5: readonly number[] = [
  2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164,
  0.246640727, 1.50140941,
].map(Math.fround);
export const ERFINV32_GE5: readonly number[] = [
  -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
  1.00167406, 2.83297682,
].map(Math.fround);

/** The rest of ln 2 below LN2_HI + LN2_LO (float64 arithmetic at build time). */
const LN2_LO2 = Math.fround(Math.LN2 - LN2_HI - LN2_LO);

/** v as a double-float constant. */
function dfConst(v: number): DF {
  const hi = Math.fround(v);
  return { hi: f(hi), lo: f(Math.fround(v - hi)) };
}

/**
 * Double-float arithmetic that a GPU compiler cannot rewrite. GLSL and SPIR-V drivers may
 * reassociate float additions and contract a*b+c into fused multiply-adds (Mesa's llvmpipe turns
 * TwoSum's (a + b) - a into b), which destroys error-free transformations. Each sum and product
 * whose exact relation to its operands must not be exploited goes through `o`, a select on a
 * condition the compiler cannot decide (the input's bits equal to one NaN payload, where the result
 * is NaN anyway), so it stays an opaque, already-rounded value (guard.ts, which guards the rest of
 * the libm so for WGSL).
 */
function arithmetic(x: E) {
  const o = opaque(x);
  const fastTwoSum = (a: E, b: E): DF => {
    const s = o(add(a, b));
    return { hi: s, lo: sub(b, o(sub(s, a))) };
  };
  const twoSum = (a: E, b: E): DF => {
    const s = o(add(a, b));
    const bb = o(sub(s, a));
    return { hi: s, lo: add(sub(a, o(sub(s, bb))), sub(b, bb)) };
  };
  /** a * b = p + e exactly (Dekker's product: 12-bit halves, whose products are exact). */
  const twoProd = (a: E, b: E): DF => {
    const p = o(mul(a, b));
    const sa = split(a);
    const sb = split(b);
    const hh = sub(mul(sa.hi, sb.hi), p);
    return { hi: p, lo: add(add(add(hh, mul(sa.hi, sb.lo)), mul(sa.lo, sb.hi)), mul(sa.lo, sb.lo)) };
  };
  const mulR = (a: E, b: E): E => o(mul(a, b));
  const addDF = (a: DF, b: DF): DF => {
    const s = twoSum(a.hi, b.hi);
    return fastTwoSum(s.hi, add(s.lo, add(a.lo, b.lo)));
  };
  const mulDF = (a: DF, b: DF): DF => {
    const p = twoProd(a.hi, b.hi);
    return fastTwoSum(p.hi, add(p.lo, add(mulR(a.hi, b.lo), mulR(a.lo, b.hi))));
  };
  /** a + b rounded to odd: the nearest float, moved off an even significand when inexact. */
  const addOdd = (a: E, b: E): E => {
    const s = twoSum(a, b);
    const sb = bits(s.hi);
    const inexactEven = and(ne(s.lo, f(0)), eq(and(sb, i(1)), i(0)));
    // The exact sum lies beyond s (the error has its sign): one ulp up in magnitude, else down.
    const step = select(ge(xor(sb, bits(s.lo)), i(0)), i(1), i(-1));
    return select(inexactEven, fromBits(add(sb, step)), s.hi);
  };
  /** c + p*w rounded once, as a fused multiply-add (Boldo and Melquiond's emulation). */
  const fma = (p: E, w: E, c: E): E => {
    const u = twoProd(p, w);
    const t = twoSum(c, u.hi);
    return add(t.hi, addOdd(t.lo, u.lo));
  };
  /** Horner's rule with each product rounded on its own. */
  const horner = (z: E, c: readonly number[]): E => {
    let p = f(c[c.length - 1]);
    for (let k = c.length - 2; k >= 0; k--) p = add(f(c[k]), mulR(z, p));
    return p;
  };
  return { o, fastTwoSum, twoSum, twoProd, mulR, addDF, mulDF, fma, horner };
}
type Arithmetic = ReturnType<typeof arithmetic>;

/** 2 atanh(s) / (2 s) - 1 = s^2/3 + s^4/5 + ...: the series' coefficients 1/(2i+1), i = 1..8. */
const ATANH = Array.from({ length: 8 }, (_, k) => 1 / (2 * k + 3));

/**
 * log(1 - t) for a float32 t in [0, 1), rounded once to float32 from a double-float within about
 * 2^-40 of it (what XLA's log1p(-x*x) gives to float32: float64 or better).
 */
function log1mt32(t: E, A: Arithmetic): E {
  const { fastTwoSum, twoSum, twoProd, mulR, addDF, mulDF, horner } = A;
  // y = 1 - t = yh + yl exactly; yh = 2^k m, m in [sqrt(1/2), sqrt(2)); m + yl 2^-k = 1 + f.
  const y = twoSum(f(1), sub(f(0), t));
  const { k, fm } = splitLog(y.hi);
  const ylScaled = mul(y.lo, fromBits(shl(sub(i(127), k), 23)));
  const fd = fastTwoSum(fm, ylScaled);
  // s = f / (2 + f), corrected once from the exact remainder (so a division off by an ulp, as
  // WGSL allows, gives the same s).
  const d = twoSum(f(2), fd.hi);
  const dh = d.hi;
  const dl = add(d.lo, fd.lo);
  const q = A.o(div(fd.hi, dh));
  const qd = twoProd(q, dh);
  const rem = add(sub(sub(fd.hi, qd.hi), qd.lo), sub(fd.lo, mulR(q, dl)));
  const s = fastTwoSum(q, A.o(div(rem, dh)));
  // log(1 + f) = 2 s (1 + z/3 + z^2/5 + ...), z = s^2 <= 0.0295; the three leading terms of the
  // series in double-float, the rest (below 2^-17 of it) in float32.
  const z = mulDF(s, s);
  let series: DF = { hi: horner(z.hi, ATANH.slice(3).map(Math.fround)), lo: f(0) };
  for (let j = 2; j >= 0; j--) series = addDF(dfConst(ATANH[j]), mulDF(z, series));
  const atanh = addDF(s, mulDF(mulDF(s, z), series));
  const logm = { hi: mul(atanh.hi, f(2)), lo: mul(atanh.lo, f(2)) };
  // k ln 2: k LN2_HI is exact; the rest as a double-float.
  const kf = toF(k);
  const kLo = addDF(twoProd(kf, f(LN2_LO)), { hi: mulR(kf, f(LN2_LO2)), lo: f(0) });
  const sum = addDF(fastTwoSum(mul(kf, f(LN2_HI)), kLo.hi), addDF({ hi: f(0), lo: kLo.lo }, logm));
  return add(sum.hi, sum.lo);
}

/** float32 erf_inv: +-inf at +-1, NaN beyond (and for NaN). */
export function erfInv32(x: E): E {
  const A = arithmetic(x);
  const t = mul(x, x);
  const w = A.o(sub(f(0), log1mt32(t, A)));
  const small = lt(w, f(5));
  const ww = select(small, sub(w, f(2.5)), sub(un('sqrt', w), f(3)));
  let p = select(small, f(ERFINV32_LT5[0]), f(ERFINV32_GE5[0]));
  for (let k = 1; k < ERFINV32_LT5.length; k++)
    p = A.fma(p, ww, select(small, f(ERFINV32_LT5[k]), f(ERFINV32_GE5[k])));
  const a = absBits(x);
  const one = 0x3f800000;
  const edge = select(eq(a, i(one)), copySign(f(Number.POSITIVE_INFINITY), x), f(Number.NaN));
  return select(ge(a, i(one)), edge, mul(p, x));
}
