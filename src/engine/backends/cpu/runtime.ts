/**
 * @file Scalar helpers that generated CPU kernels call (`rt.erf(x)`, ...). Everything is computed
 * in double precision and rounded to the kernel's dtype by the caller, so float32 results are
 * within an ulp or so of the correctly rounded value.
 */

import { ERFINV32_GE5, ERFINV32_LT5 } from '../../compile/libm/erfinv.js';
import { convUnits } from './conv-units.js';
import { gemmUnits } from './gemm-units.js';
import { adoptHeap, heapMemory, heapOffset, scratchRegion, type WasmMemory } from './heap.js';
import { betainc, igamma, igammac, igammaGradA, randomGammaGrad } from './incomplete.js';
import { digamma, erf, erfc, lgamma, polygamma, pow } from './special64.js';

export { digamma, erf, erfc, lgamma, polygamma, pow } from './special64.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const i64 = new BigInt64Array(f64.buffer);
const hiWord = new Uint32Array(f64.buffer);

/** IEEE half bits -> number. */
export function h2f(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** number -> IEEE half bits, rounding to nearest even. */
export function f2h(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -24 * 0.5) return sign;
  if (a < 2 ** -14) {
    // subnormal: units of 2^-24
    const m = rintHalfEven(a / 2 ** -24);
    return sign | m;
  }
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  let m = rintHalfEven((a / 2 ** e - 1) * 1024);
  if (m === 1024) {
    m = 0;
    e++;
  }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | m;
}

function rintHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Round to the nearest float16 value (as a number). */
export function f16r(x: number): number {
  return h2f(f2h(x));
}

/** Round half to even (lax.round with TO_NEAREST_EVEN, jnp.round). */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r === 0 && x < 0 ? -0 : r;
}

/** Round half away from zero (lax.round default). */
export function roundAway(x: number): number {
  if (!Number.isFinite(x)) return x;
  const t = Math.trunc(x);
  return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
}

export function logistic(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

// Giles' single-precision erfinv polynomials ("Approximating the erfinv function"), in w - 2.5
// for w = -log(1 - x^2) < 5, else in sqrt(w) - 3; highest degree first; float32 values.
export { ERFINV32_GE5, ERFINV32_LT5 };

/** log(1 + u) = 2 atanh(s), s = u / (2 + u): the series' coefficients 2 / (2i + 1), i = 0..10. */
export const LOG1P32_SERIES = Array.from({ length: 11 }, (_, i) => 2 / (2 * i + 1));
/** ln 2 in two parts; the high part has 32 trailing zero bits, so k * LN2_HI is exact. */
export const LN2_HI = 0.6931471803691238;
export const LN2_LO = 1.9082149292705877e-10;
/** Below this |u|, log1p(u) rounds to u in float32 (and 1 + u is exact above it). */
export const TINY_LOG1P = 2 ** -30;

/**
 * log1p of a float32 value u <= 0 (as erf_inv32 takes it, u = -x*x), in double precision: within
 * a few double ulps, so that rounding it to float32 is all but always the correctly rounded result.
 * Written with + - * / and bit fields only, so that the WebAssembly SIMD kernels (wasm/simd.ts)
 * compute the same bits lane by lane: for |u| >= 2^-30, 1 + u is exact; y = 1 + u = 2^k m with m in
 * [sqrt(1/2), sqrt(2)); log m = 2 atanh((m - 1) / (m + 1)) by its series to the 10th power.
 */
export function log1p32(u: number): number {
  if (Math.abs(u) < TINY_LOG1P) return u;
  const y = 1 + u;
  if (!(y > 0)) return y === 0 ? Number.NEGATIVE_INFINITY : Number.NaN;
  f64[0] = y;
  const hi = (hiWord[1] + 0x95f62) | 0;
  const k = (hi >> 20) - 0x3ff;
  hiWord[1] = (hi & 0xfffff) + 0x3fe6a09e;
  const f = f64[0] - 1;
  const s = f / (2 + f);
  const z = s * s;
  const c = LOG1P32_SERIES;
  let p = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) p = p * z + c[i];
  return k * LN2_HI + (k * LN2_LO + s * p);
}

/**
 * float32 erf_inv as XLA computes it (ErfInv32 in xla/hlo/builder/lib/math.cc): w =
 * -log1p(-x*x), Giles' polynomial in float32 without refinement, p*x, and +-inf at +-1. Every op
 * is rounded to float32; `c + p*w` is rounded once, as XLA's CPU code contracts it into a fused
 * multiply-add (p*w of two float32 values is exact in double, so only the sum rounds, to double
 * then float32; that double rounding differs from a true fma in a 2^-29 sliver of cases). float16
 * uses it too, as XLA upcasts float16 to float32 for erf_inv.
 */
export function erfinv32(x: number): number {
  if (x === 1 || x === -1) return x * Number.POSITIVE_INFINITY;
  const fr = Math.fround;
  let w = -fr(log1p32(-fr(x * x)));
  let c: readonly number[];
  if (w < 5) {
    w = fr(w - 2.5);
    c = ERFINV32_LT5;
  } else {
    // NaN (x NaN or |x| > 1) lands here and stays NaN.
    w = fr(fr(Math.sqrt(w)) - 3);
    c = ERFINV32_GE5;
  }
  let p = c[0];
  for (let i = 1; i < 9; i++) p = fr(c[i] + p * w);
  return fr(p * x);
}

/** Inverse error function: Giles' approximation refined by two Newton steps in double. */
export function erfinv(x: number): number {
  if (Number.isNaN(x) || x < -1 || x > 1) return Number.NaN;
  if (x === 1) return Number.POSITIVE_INFINITY;
  if (x === -1) return Number.NEGATIVE_INFINITY;
  if (x === 0) return x;
  let w = -Math.log((1 - x) * (1 + x));
  let p: number;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-8;
    for (const c of [
      3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164,
      0.246640727, 1.50140941,
    ])
      p = c + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -0.000200214257;
    for (const c of [
      0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406,
      2.83297682,
    ])
      p = c + p * w;
  }
  let y = p * x;
  // Newton steps (derivative of erf: 2/sqrt(pi) exp(-y^2)). Near +-1 the step works on erfc and
  // 1 - |x| (exact there), where erf(y) - x would lose the digits that matter.
  const k = 2 / Math.sqrt(Math.PI);
  if (Math.abs(x) > 0.5) {
    const t = 1 - Math.abs(x);
    let z = Math.abs(y);
    for (let i = 0; i < 3; i++) z += (erfc(z) - t) / (k * Math.exp(-z * z));
    return x < 0 ? -z : z;
  }
  for (let i = 0; i < 2; i++) y -= (erf(y) - x) / (k * Math.exp(-y * y));
  return y;
}

export function nextafter32(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (x === y) return y;
  if (x === 0) {
    u32[0] = 1;
    return y > 0 ? f32[0] : -f32[0];
  }
  f32[0] = x;
  if (x < y === x > 0) u32[0] += 1;
  else u32[0] -= 1;
  return f32[0];
}

export function nextafter64(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (x === y) return y;
  if (x === 0) {
    u64[0] = 1n;
    return y > 0 ? f64[0] : -f64[0];
  }
  f64[0] = x;
  if (x < y === x > 0) u64[0] += 1n;
  else u64[0] -= 1n;
  return f64[0];
}

export function nextafter16(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (x === y) return y;
  if (x === 0) return y > 0 ? 2 ** -24 : -(2 ** -24);
  let h = f2h(x);
  if (x < y === x > 0) h += 1;
  else h -= 1;
  return h2f(h);
}

export function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

export function popcount64(x: bigint): bigint {
  let n = 0n;
  let v = BigInt.asUintN(64, x);
  while (v) {
    n += v & 1n;
    v >>= 1n;
  }
  return n;
}

/** Float -> integer conversion: truncate toward zero, saturate at the range, NaN -> 0 (XLA's). */
export function f2i(x: number, lo: number, hi: number): number {
  if (Number.isNaN(x)) return 0;
  if (x <= lo) return lo;
  if (x >= hi) return hi;
  return Math.trunc(x);
}

export function f2big(x: number, signed: boolean): bigint {
  if (Number.isNaN(x)) return 0n;
  const lo = signed ? -(2 ** 63) : 0;
  const hi = signed ? 2 ** 63 : 2 ** 64;
  if (x <= lo) return signed ? -(1n << 63n) : 0n;
  if (x >= hi) return signed ? (1n << 63n) - 1n : (1n << 64n) - 1n;
  return BigInt(Math.trunc(x));
}

/** Integer division as XLA defines it: truncating; x / 0 = -1 (all ones); INT_MIN / -1 = INT_MIN. */
export function idiv(a: number, b: number): number {
  if (b === 0) return -1;
  return Math.trunc(a / b);
}

export function irem(a: number, b: number): number {
  if (b === 0) return a;
  return a % b;
}

export function bdiv(a: bigint, b: bigint): bigint {
  return b === 0n ? -1n : a / b;
}

export function brem(a: bigint, b: bigint): bigint {
  return b === 0n ? a : a % b;
}

/** Shifts with XLA's out-of-range semantics (shift >= bits: 0, or the sign for arithmetic). */
export function shl(a: number, b: number, bits: number): number {
  return b < 0 || b >= bits ? 0 : a << b;
}
export function shrl(a: number, b: number, bits: number): number {
  if (b < 0 || b >= bits) return 0;
  const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  return ((a & mask) >>> b) | 0;
}
export function shra(a: number, b: number, bits: number): number {
  return a >> (b < 0 || b >= bits ? Math.min(bits - 1, 31) : b);
}

export function ipow(a: number, b: number): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 ? -1 : 1) : 0;
  let r = 1;
  let base = a;
  let e = b;
  while (e > 0) {
    if (e & 1) r = Math.imul(r, base);
    base = Math.imul(base, base);
    e >>>= 1;
  }
  return r;
}

export function clz64(x: bigint): bigint {
  const v = BigInt.asUintN(64, x);
  const hi = Number(v >> 32n);
  return BigInt(hi ? Math.clz32(hi) : 32 + Math.clz32(Number(v & 0xffffffffn)));
}

export function clz32(x: number): number {
  return Math.clz32(x);
}

// Bit casts between same-width types.
export function f32bits(x: number): number {
  f32[0] = x;
  return i32[0];
}
export function bitsf32(x: number): number {
  i32[0] = x;
  return f32[0];
}
export function f64bits(x: number): bigint {
  f64[0] = x;
  return i64[0];
}
export function bitsf64(x: bigint): number {
  i64[0] = BigInt.asIntN(64, x);
  return f64[0];
}

let threadHeap: { m: WasmMemory; s: number } | null = null;

/**
 * This thread's view of the CPU heap (heap.ts) for the WebAssembly SIMD kernels: the shared
 * memory their instances import and the thread's scratch region (`s`, a byte offset) for their
 * tiles and small inputs. Kernels run one at a time on a thread, each using the scratch only
 * during its call. Workers are given theirs (setThreadHeap).
 */
export function heap(): { m: WasmMemory; s: number } {
  threadHeap ??= { m: heapMemory(), s: scratchRegion() };
  return threadHeap;
}

export function setThreadHeap(m: WasmMemory, s: number): void {
  adoptHeap(m);
  threadHeap = { m, s };
}

export const runtime = {
  gemmUnits,
  convUnits,
  h2f,
  f2h,
  f16r,
  rint,
  roundAway,
  pow,
  logistic,
  erf,
  erfc,
  erfinv,
  erfinv32,
  lgamma,
  digamma,
  polygamma,
  igamma,
  igammac,
  igammaGradA,
  randomGammaGrad,
  betainc,
  nextafter32,
  nextafter64,
  nextafter16,
  popcount,
  popcount64,
  f2i,
  f2big,
  idiv,
  irem,
  bdiv,
  brem,
  shl,
  shrl,
  shra,
  ipow,
  clz32,
  clz64,
  f32bits,
  bitsf32,
  f64bits,
  bitsf64,
  heap,
  heapOffset,
};
export type Runtime = typeof runtime;
