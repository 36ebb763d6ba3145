/**
 * @file float32 erf_inv in WebAssembly SIMD: runtime.ts's `erfinv32` (XLA's float32 polynomial
 * on float64 log1p32) repeated operation for operation in float64 lanes, so that the SIMD kernels
 * give the JavaScript kernels' bits. Branch-free: both of Giles' polynomials, selected per lane.
 */

import { ERFINV32_GE5, ERFINV32_LT5, LN2_HI, LN2_LO, LOG1P32_SERIES, TINY_LOG1P } from '../runtime.js';
import { type FuncWriter, SIMD, V128 } from './encode.js';

/** Pushes `fround` of an f64x2 value: demote to float32 lanes and back. */
function fr(f: FuncWriter): FuncWriter {
  return f.simd(SIMD.f32x4DemoteF64x2Zero).simd(SIMD.f64x2PromoteLowF32x4);
}

/** bitselect(a, b, mask) of two constants: b ^ (mask & (a ^ b)), two instructions, not three. */
function selectConst(f: FuncWriter, a: number, b: number, mask: number): FuncWriter {
  const bits = (v: number) => new BigInt64Array(new Float64Array([v]).buffer)[0];
  const xor = bits(a) ^ bits(b);
  return f.get(mask).i64x2(xor).simd(SIMD.and).f64x2(b).simd(SIMD.xor);
}

/**
 * float32 erf_inv of two float32 values held as f64x2 in local `x`; leaves the result (float32
 * values as f64x2) on the stack. Operation for operation runtime.ts's `erfinv32`, with selects for
 * its branches. (Branching on the rare lanes instead, as a scalar loop would, makes V8's code for
 * the loop about twice as slow: no control flow inside the SIMD loop.)
 */
function erfinvHalf(f: FuncWriter, x: number): void {
  const u = f.local(V128);
  const y = f.local(V128);
  const ya = f.local(V128);
  const kf = f.local(V128);
  const fm = f.local(V128);
  const s = f.local(V128);
  const z = f.local(V128);
  const lm = f.local(V128);
  const l = f.local(V128);
  const w = f.local(V128);
  const mask = f.local(V128);
  const ww = f.local(V128);
  const r = f.local(V128);
  // u = -fround(x * x); y = 1 + u
  fr(f.get(x).get(x).simd(SIMD.f64x2Mul)).simd(SIMD.f64x2Neg).set(u);
  f.f64x2(1).get(u).simd(SIMD.f64x2Add).set(y);
  // y = 2^k m, m in [sqrt(1/2), sqrt(2)): shift the exponent field so that it splits there.
  f.get(y)
    .i64x2(0x95f62n << 32n)
    .simd(SIMD.i64x2Add)
    .set(ya);
  // k as a double: (ya >> 52) - 1023 added to the bits of 1.5 * 2^52.
  f.get(ya)
    .i32(52)
    .simd(SIMD.i64x2ShrS)
    .i64x2(0x4338000000000000n - 0x3ffn)
    .simd(SIMD.i64x2Add);
  f.f64x2(1.5 * 2 ** 52)
    .simd(SIMD.f64x2Sub)
    .set(kf);
  f.get(ya)
    .i64x2(0x000fffffffffffffn)
    .simd(SIMD.and)
    .i64x2(0x3fe6a09en << 32n)
    .simd(SIMD.i64x2Add);
  f.f64x2(1).simd(SIMD.f64x2Sub).set(fm);
  // s = f / (2 + f); log m = s * (2 + 2z/3 + 2z^2/5 + ...), z = s^2
  f.get(fm).f64x2(2).get(fm).simd(SIMD.f64x2Add).simd(SIMD.f64x2Div).tee(s).get(s).simd(SIMD.f64x2Mul).set(z);
  const n = LOG1P32_SERIES.length;
  f.f64x2(LOG1P32_SERIES[n - 1]);
  for (let i = n - 2; i >= 0; i--) f.get(z).simd(SIMD.f64x2Mul).f64x2(LOG1P32_SERIES[i]).simd(SIMD.f64x2Add);
  f.get(s).simd(SIMD.f64x2Mul).set(lm);
  // k ln2_hi + (k ln2_lo + log m)
  f.get(kf).f64x2(LN2_HI).simd(SIMD.f64x2Mul);
  f.get(kf).f64x2(LN2_LO).simd(SIMD.f64x2Mul).get(lm).simd(SIMD.f64x2Add);
  f.simd(SIMD.f64x2Add).set(l);
  // |u| tiny: u itself (log1p(u) rounds to u); 1 + u <= 0: -inf at 0, else NaN (NaN stays NaN).
  f.get(u).get(l).get(u).simd(SIMD.f64x2Abs).f64x2(TINY_LOG1P).simd(SIMD.f64x2Lt).simd(SIMD.bitselect).set(l);
  f.get(l).f64x2(Number.NaN).get(y).f64x2(0).simd(SIMD.f64x2Gt).simd(SIMD.bitselect).set(l);
  f.f64x2(Number.NEGATIVE_INFINITY).get(l).get(y).f64x2(0).simd(SIMD.f64x2Eq).simd(SIMD.bitselect);
  // w = -fround(log1p(u)); the two branches of Giles' polynomial, chosen per lane (w < 5 or not).
  fr(f).simd(SIMD.f64x2Neg).set(w);
  f.get(w).f64x2(5).simd(SIMD.f64x2Lt).set(mask);
  fr(f.get(w).f64x2(2.5).simd(SIMD.f64x2Sub));
  fr(fr(f.get(w).simd(SIMD.f64x2Sqrt)).f64x2(3).simd(SIMD.f64x2Sub));
  f.get(mask).simd(SIMD.bitselect).set(ww);
  selectConst(f, ERFINV32_LT5[0], ERFINV32_GE5[0], mask);
  for (let i = 1; i < ERFINV32_LT5.length; i++) {
    f.get(ww).simd(SIMD.f64x2Mul);
    selectConst(f, ERFINV32_LT5[i], ERFINV32_GE5[i], mask);
    fr(f.simd(SIMD.f64x2Add));
  }
  fr(f.get(x).simd(SIMD.f64x2Mul)).set(r);
  // +-1 -> +-inf
  f.get(x).f64x2(Number.POSITIVE_INFINITY).simd(SIMD.f64x2Mul).get(r);
  f.get(x).simd(SIMD.f64x2Abs).f64x2(1).simd(SIMD.f64x2Eq).simd(SIMD.bitselect);
}

/** float32 erf_inv of the f32x4 value in local `x`, left on the stack. */
export function erfinv32x4(f: FuncWriter, x: number): void {
  const lo = f.local(V128);
  const hi = f.local(V128);
  const rlo = f.local(V128);
  f.get(x).simd(SIMD.f64x2PromoteLowF32x4).set(lo);
  f.get(x).get(x).shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
  f.simd(SIMD.f64x2PromoteLowF32x4).set(hi);
  erfinvHalf(f, lo);
  f.simd(SIMD.f32x4DemoteF64x2Zero).set(rlo);
  f.get(rlo);
  erfinvHalf(f, hi);
  f.simd(SIMD.f32x4DemoteF64x2Zero);
  f.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
}
