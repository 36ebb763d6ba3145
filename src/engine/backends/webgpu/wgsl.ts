/**
 * @file Render kernel IR (compile/kir.ts) to WGSL compute shaders. The structure mirrors the CPU
 * renderer (backends/cpu/codegen.ts): every hash-consed expression node is emitted once, at the
 * shallowest loop level where its inputs are available; only the output loops become threads.
 *
 * Value types: float32 and float16 values are f32 (float16 rounded after every op through
 * pack2x16float, so it needs no `shader-f16` and is stored widened as f32); int8/16/32 are i32 and
 * uint8/16/32 are u32, wrapped to their width after every op as the CPU does; bools are WGSL bools
 * in expressions and 0/1 u32 words in memory. 64-bit types are refused (WGSL has none).
 *
 * WGSL leaves NaN handling, integer division by zero, shifts past the width and float -> int
 * overflow loosely specified; helpers (prelude below) pin them to XLA's semantics, testing NaN on
 * the bits because implementations may assume finite math. Kernels:
 * - map: one thread per output element;
 * - reduce: one thread per output with loops over the reduced dims when there are many outputs or
 *   few reduced elements; else a workgroup tree reduction per output, in two passes (partials,
 *   then a reduction of those with the epilogue) when the reduced size is large;
 * - argreduce and scan: one thread per output / per line.
 */

import type {
  ArgReduceKernel,
  BinExpr,
  MapKernel,
  ReduceKernel,
  ScanKernel,
  SExpr,
  Table,
  UnExpr,
} from '../../compile/kir.js';
import { walk } from '../../compile/kir.js';
import { type DType, int32 } from '../../core/dtype.js';
import { f16r } from '../cpu/runtime.js';
import { INCOMPLETE_HELPERS } from './wgsl-incomplete.js';

/** Threads per workgroup of elementwise-style kernels. */
export const WG = 64;
/** Threads per workgroup of tree reductions. */
export const RWG = 256;
/** Workgroups per dispatch dimension (WebGPU's default limit). */
const MAX_GROUPS = 65535;

// ---- dtypes -------------------------------------------------------------------------------------

export function unsupported(dt: DType): string | null {
  if (dt.isBig || dt.name === 'float64') {
    return (
      `the webgpu backend does not support ${dt.name}: WGSL has no 64-bit ${dt.isFloat ? 'floats' : 'integers'}. ` +
      `Use ${dt.isFloat ? 'float32' : dt.kind === 'u' ? 'uint32' : 'int32'}, or run on the cpu (--device cpu / devicePut(x, 'cpu'))`
    );
  }
  return null;
}

export function checkDtype(dt: DType): void {
  const msg = unsupported(dt);
  if (msg) throw new TypeError(msg);
}

/** WGSL type of a value of dtype `dt` in expressions. */
export function vtype(dt: DType): string {
  if (dt.isBool) return 'bool';
  if (dt.isFloat) return 'f32';
  return dt.kind === 'u' ? 'u32' : 'i32';
}

/** WGSL element type of a buffer of dtype `dt` (bools are u32 words). */
export function stype(dt: DType): string {
  return dt.isBool ? 'u32' : vtype(dt);
}

function bits(dt: DType): number {
  return dt.itemsize * 8;
}

/** Round/wrap a value expression to the value set of `dt`. */
export function wrap(dt: DType, e: string): string {
  switch (dt.name) {
    case 'float16':
      return `h_f16r(${e})`;
    case 'int8':
      return `((${e}) << 24u) >> 24u`;
    case 'int16':
      return `((${e}) << 16u) >> 16u`;
    case 'uint8':
      return `((${e}) & 255u)`;
    case 'uint16':
      return `((${e}) & 65535u)`;
    default:
      return e;
  }
}

const INT_RANGE: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

function f32Bits(x: number): number {
  F32[0] = x;
  return U32[0];
}

export function literal(v: number | bigint | boolean, dt: DType): string {
  if (dt.isBool) return v ? 'true' : 'false';
  const n = Number(v);
  if (dt.isFloat) {
    const x = dt.name === 'float16' ? f16r(n) : Math.fround(n);
    // Non-finite values must not be const-expressions (WGSL rejects them at shader creation).
    if (!Number.isFinite(x)) return `h_bits(0x${f32Bits(x).toString(16)}u)`;
    if (Object.is(x, -0) || (x !== 0 && Math.abs(x) < 1.1754943508222875e-38)) {
      return `bitcast<f32>(0x${f32Bits(x).toString(16)}u)`;
    }
    const s = `${x}f`;
    return x < 0 ? `(${s})` : s;
  }
  if (dt.kind === 'u') return `${n >>> 0}u`;
  const i = n | 0;
  if (i === -2147483648) return 'bitcast<i32>(0x80000000u)';
  return i < 0 ? `(${i}i)` : `${i}i`;
}

// ---- helper functions ---------------------------------------------------------------------------

/** WGSL helpers, emitted only when used; `deps` are emitted first. */
const HELPERS: Record<string, { deps?: string[]; code: string }> = {
  h_isnan: { code: 'fn h_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }' },
  h_isfinite: {
    code: 'fn h_isfinite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }',
  },
  // A function call is not a const-expression, so NaN and infinities survive shader creation.
  h_bits: { code: 'fn h_bits(u: u32) -> f32 { return bitcast<f32>(u); }' },
  h_nan: { deps: ['h_bits'], code: 'fn h_nan() -> f32 { return h_bits(0x7fc00000u); }' },
  h_inf: { deps: ['h_bits'], code: 'fn h_inf() -> f32 { return h_bits(0x7f800000u); }' },
  h_asin: {
    deps: ['h_nan'],
    code: 'fn h_asin(x: f32) -> f32 { if (abs(x) > 1.0f) { return h_nan(); } return atan2(x, sqrt((1.0f - x) * (1.0f + x))); }',
  },
  h_acos: {
    deps: ['h_nan'],
    code: 'fn h_acos(x: f32) -> f32 { if (abs(x) > 1.0f) { return h_nan(); } return atan2(sqrt((1.0f - x) * (1.0f + x)), x); }',
  },
  h_atan: {
    deps: ['h_isnan'],
    code: 'fn h_atan(x: f32) -> f32 { if (h_isnan(x)) { return x; } return atan(x); }',
  },
  h_atan2: {
    deps: ['h_isnan'],
    code: `fn h_atan2(y: f32, x: f32) -> f32 {
  if (h_isnan(x)) { return x; }
  if (h_isnan(y)) { return y; }
  if (y == 0.0f) {
    // IEEE: atan2(+-0, +0 or x > 0) = +-0; atan2(+-0, -0 or x < 0) = +-pi.
    if (x > 0.0f || (x == 0.0f && bitcast<u32>(x) == 0u)) { return y; }
    return select(3.1415927f, -3.1415927f, bitcast<u32>(y) != 0u);
  }
  return atan2(y, x);
}`,
  },
  h_f16r: {
    code: 'fn h_f16r(x: f32) -> f32 { return unpack2x16float(pack2x16float(vec2<f32>(x, 0.0f))).x; }',
  },
  h_fmax: {
    deps: ['h_isnan'],
    code: 'fn h_fmax(a: f32, b: f32) -> f32 { if (h_isnan(a)) { return a; } if (h_isnan(b)) { return b; } if (a == b) { return bitcast<f32>(bitcast<u32>(a) & bitcast<u32>(b)); } return select(a, b, b > a); }',
  },
  h_fmin: {
    deps: ['h_isnan'],
    code: 'fn h_fmin(a: f32, b: f32) -> f32 { if (h_isnan(a)) { return a; } if (h_isnan(b)) { return b; } if (a == b) { return bitcast<f32>(bitcast<u32>(a) | bitcast<u32>(b)); } return select(a, b, b < a); }',
  },
  h_sign: {
    deps: ['h_isnan'],
    code: 'fn h_sign(x: f32) -> f32 { if (h_isnan(x) || x == 0.0f) { return x; } return select(-1.0f, 1.0f, x > 0.0f); }',
  },
  h_round_away: {
    deps: ['h_isfinite'],
    code: 'fn h_round_away(x: f32) -> f32 { if (!h_isfinite(x)) { return x; } let t = trunc(x); return select(t, t + sign(x), abs(x - t) >= 0.5f); }',
  },
  h_log1p: {
    deps: ['h_isfinite'],
    code: `fn h_log1p(x: f32) -> f32 {
  let u = 1.0f + x;
  if (u == 1.0f || !h_isfinite(u)) { return select(x, log(u), !h_isfinite(u)); }
  return log(u) * x / (u - 1.0f);
}`,
  },
  h_expm1: {
    code: `fn h_expm1(x: f32) -> f32 {
  if (abs(x) < 1e-5f) { return x + 0.5f * x * x; }
  let u = exp(x);
  if (u == 1.0f) { return x; }
  let um1 = u - 1.0f;
  if (um1 == -1.0f) { return -1.0f; }
  if (x > 80.0f) { return u; }
  return um1 * x / log(u);
}`,
  },
  h_cbrt: {
    code: `fn h_cbrt(x: f32) -> f32 {
  if (x == 0.0f || x != x) { return x; }
  let a = abs(x);
  var y = exp2(log2(a) / 3.0f);
  if (y * 0.0f == 0.0f) { y = y - (y * y * y - a) / (3.0f * y * y); }
  return select(y, -y, x < 0.0f);
}`,
  },
  h_sinh: {
    deps: ['h_expm1'],
    code: `fn h_sinh(x: f32) -> f32 {
  let a = abs(x);
  var r: f32;
  if (a > 88.0f) { r = exp(a - 0.6931471805599453f); } else { let e = h_expm1(a); r = 0.5f * (e + e / (e + 1.0f)); }
  return select(r, -r, x < 0.0f);
}`,
  },
  h_cosh: {
    code: `fn h_cosh(x: f32) -> f32 {
  let a = abs(x);
  if (a > 88.0f) { return exp(a - 0.6931471805599453f); }
  let e = exp(a);
  return 0.5f * (e + 1.0f / e);
}`,
  },
  h_tanh: {
    deps: ['h_expm1'],
    code: `fn h_tanh(x: f32) -> f32 {
  let a = abs(x);
  var r = 1.0f;
  if (a < 20.0f) { let e = h_expm1(-2.0f * a); r = -e / (2.0f + e); }
  return select(r, -r, x < 0.0f);
}`,
  },
  h_asinh: {
    deps: ['h_log1p'],
    code: `fn h_asinh(x: f32) -> f32 {
  let a = abs(x);
  var r: f32;
  if (a > 1e18f) { r = log(a) + 0.6931471805599453f; } else { r = h_log1p(a + a * a / (1.0f + sqrt(1.0f + a * a))); }
  return select(r, -r, x < 0.0f);
}`,
  },
  h_acosh: {
    deps: ['h_log1p', 'h_nan'],
    code: `fn h_acosh(x: f32) -> f32 {
  if (x < 1.0f) { return h_nan(); }
  if (x > 1e18f) { return log(x) + 0.6931471805599453f; }
  let t = x - 1.0f;
  return h_log1p(t + sqrt(2.0f * t + t * t));
}`,
  },
  h_atanh: {
    deps: ['h_log1p', 'h_nan', 'h_inf'],
    code: `fn h_atanh(x: f32) -> f32 {
  let a = abs(x);
  if (a > 1.0f) { return h_nan(); }
  var r: f32;
  if (a == 1.0f) { r = h_inf(); } else { r = 0.5f * h_log1p(2.0f * a / (1.0f - a)); }
  return select(r, -r, x < 0.0f);
}`,
  },
  h_logistic: {
    code: `fn h_logistic(x: f32) -> f32 {
  if (x >= 0.0f) { return 1.0f / (1.0f + exp(-x)); }
  let e = exp(x);
  return e / (1.0f + e);
}`,
  },
  h_pow: {
    deps: ['h_isnan', 'h_nan', 'h_inf'],
    code: `fn h_pow(x: f32, y: f32) -> f32 {
  if (y == 0.0f || x == 1.0f) { return 1.0f; }
  if (h_isnan(x) || h_isnan(y)) { return h_nan(); }
  let ay = abs(y);
  if (x == -1.0f && ay == h_inf()) { return 1.0f; }
  let ax = abs(x);
  var r: f32;
  if (ax == 0.0f) { r = select(0.0f, h_inf(), y < 0.0f); }
  else if (ay == h_inf()) { r = select(0.0f, h_inf(), (ax > 1.0f) == (y > 0.0f)); }
  else if (ax == h_inf()) { r = select(0.0f, h_inf(), y > 0.0f); }
  else if (y == 1.0f) { r = ax; }
  else if (y == 2.0f) { r = ax * ax; }
  else if (y == 0.5f) { r = sqrt(ax); }
  else if (y == -1.0f) { r = 1.0f / ax; }
  else { r = exp2(y * log2(ax)); }
  if (x < 0.0f || (x == 0.0f && bitcast<u32>(x) != 0u)) {
    if (trunc(y) != y) { return select(h_nan(), r, x == 0.0f); }
    let odd = ay < 16777216.0f && (u32(ay) & 1u) == 1u;
    return select(r, -r, odd);
  }
  return r;
}`,
  },
  h_erf: {
    deps: ['h_isnan'],
    code: `// W. J. Cody's rational approximations (Math. Comp. 1969), evaluated in f32.
fn h_erfc_big(x: f32) -> f32 {
  // erfc(|x|) for |x| >= 0.46875.
  let y = abs(x);
  var res: f32;
  if (y <= 4.0f) {
    var num = 2.1531153547440383e-8f * y;
    var den = y;
    num = (num + 5.6418849698867008e-1f) * y; den = (den + 1.5744926110709835e1f) * y;
    num = (num + 8.8831497943883759e0f) * y; den = (den + 1.1769395089131750e2f) * y;
    num = (num + 6.6119190637141634e1f) * y; den = (den + 5.3718110186200986e2f) * y;
    num = (num + 2.9863513819740013e2f) * y; den = (den + 1.6213895745666903e3f) * y;
    num = (num + 8.8195222124176909e2f) * y; den = (den + 3.2907992357334597e3f) * y;
    num = (num + 1.7120476126340707e3f) * y; den = (den + 4.3626190901432471e3f) * y;
    num = (num + 2.0510783778260716e3f) * y; den = (den + 3.4393676741437216e3f) * y;
    res = (num + 1.2303393547979972e3f) / (den + 1.2303393548037495e3f);
  } else if (y >= 10.0f) {
    res = 0.0f;
  } else {
    let z = 1.0f / (y * y);
    var num = 1.6315387137302097e-2f * z;
    var den = z;
    num = (num + 3.0532663496123236e-1f) * z; den = (den + 2.5685201922898682e0f) * z;
    num = (num + 3.6034489994980445e-1f) * z; den = (den + 1.8729528499234604e0f) * z;
    num = (num + 1.2578172611122926e-1f) * z; den = (den + 5.2790510295142837e-1f) * z;
    num = (num + 1.6083785148742275e-2f) * z; den = (den + 6.0518341312441320e-2f) * z;
    res = z * (num + 6.5874916152983678e-4f) / (den + 2.3352049762686918e-3f);
    res = (0.5641895835477563f - res) / y;
  }
  if (res != 0.0f) {
    let ysq = trunc(y * 16.0f) / 16.0f;
    let del = (y - ysq) * (y + ysq);
    res = exp(-ysq * ysq) * exp(-del) * res;
  }
  return res;
}
fn h_erf_small(x: f32) -> f32 {
  let y = abs(x);
  var z = 0.0f;
  if (y > 1e-10f) { z = y * y; }
  var num = 1.8577770618460521e-1f * z;
  var den = z;
  num = (num + 3.1611237438705655e0f) * z; den = (den + 2.360129095234412e1f) * z;
  num = (num + 1.1386415415105016e2f) * z; den = (den + 2.4402463793444417e2f) * z;
  num = (num + 3.7748523768530491e2f) * z; den = (den + 1.2826165260773723e3f) * z;
  return x * (num + 3.2093775891384695e3f) / (den + 2.8442368334391706e3f);
}
fn h_erf(x: f32) -> f32 {
  if (h_isnan(x)) { return x; }
  if (abs(x) < 0.46875f) { return h_erf_small(x); }
  let r = h_erfc_big(x);
  return select(1.0f - r, r - 1.0f, x < 0.0f);
}`,
  },
  h_erfc: {
    deps: ['h_erf', 'h_isnan'],
    code: `fn h_erfc(x: f32) -> f32 {
  if (h_isnan(x)) { return x; }
  let a = abs(x);
  if (a < 0.46875f) { return 1.0f - h_erf_small(x); }
  let r = h_erfc_big(a);
  return select(r, 2.0f - r, x < 0.0f);
}`,
  },
  h_erfinv: {
    deps: ['h_erf', 'h_erfc', 'h_nan', 'h_inf'],
    code: `fn h_erfinv(x: f32) -> f32 {
  if (x != x || x < -1.0f || x > 1.0f) { return h_nan(); }
  if (x == 1.0f) { return h_inf(); }
  if (x == -1.0f) { return -h_inf(); }
  if (x == 0.0f) { return x; }
  var w = -log((1.0f - x) * (1.0f + x));
  var p: f32;
  if (w < 5.0f) {
    w = w - 2.5f;
    p = 2.81022636e-8f;
    p = 3.43273939e-7f + p * w; p = -3.5233877e-6f + p * w; p = -4.39150654e-6f + p * w;
    p = 0.00021858087f + p * w; p = -0.00125372503f + p * w; p = -0.00417768164f + p * w;
    p = 0.246640727f + p * w; p = 1.50140941f + p * w;
  } else {
    w = sqrt(w) - 3.0f;
    p = -0.000200214257f;
    p = 0.000100950558f + p * w; p = 0.00134934322f + p * w; p = -0.00367342844f + p * w;
    p = 0.00573950773f + p * w; p = -0.0076224613f + p * w; p = 0.00943887047f + p * w;
    p = 1.00167406f + p * w; p = 2.83297682f + p * w;
  }
  var y = p * x;
  let k = 1.1283791670955126f;
  if (abs(x) > 0.5f) {
    let t = 1.0f - abs(x);
    var z = abs(y);
    z = z + (h_erfc(z) - t) / (k * exp(-z * z));
    return select(z, -z, x < 0.0f);
  }
  y = y - (h_erf(y) - x) / (k * exp(-y * y));
  return y;
}`,
  },
  h_lgamma: {
    deps: ['h_isnan', 'h_inf'],
    code: `fn h_lgamma_pos(x: f32) -> f32 {
  // Lanczos (g = 7, n = 9) for x >= 0.5.
  if (x == 1.0f || x == 2.0f) { return 0.0f; }
  let z = x - 1.0f;
  var a = 0.99999999999980993f;
  a = a + 676.5203681218851f / (z + 1.0f);
  a = a - 1259.1392167224028f / (z + 2.0f);
  a = a + 771.32342877765313f / (z + 3.0f);
  a = a - 176.61502916214059f / (z + 4.0f);
  a = a + 12.507343278686905f / (z + 5.0f);
  a = a - 0.13857109526572012f / (z + 6.0f);
  a = a + 9.9843695780195716e-6f / (z + 7.0f);
  a = a + 1.5056327351493116e-7f / (z + 8.0f);
  let t = z + 7.5f;
  return 0.9189385332046727f + (z + 0.5f) * log(t) - t + log(a);
}
fn h_lgamma(x: f32) -> f32 {
  if (h_isnan(x)) { return x; }
  if (abs(x) == h_inf()) { return h_inf(); }
  if (x <= 0.0f && trunc(x) == x) { return h_inf(); }
  if (x < 0.5f) {
    return log(3.141592653589793f / abs(sin(3.141592653589793f * (x - 2.0f * round(0.5f * x))))) - h_lgamma_pos(1.0f - x);
  }
  return h_lgamma_pos(x);
}`,
  },
  h_digamma: {
    deps: ['h_isnan', 'h_nan', 'h_inf'],
    code: `fn h_digamma(x0: f32) -> f32 {
  var x = x0;
  if (h_isnan(x) || x == h_inf()) { return x; }
  if (x <= 0.0f && trunc(x) == x) { return h_nan(); }
  var r = 0.0f;
  if (x < 0.0f) {
    r = -3.141592653589793f / tan(3.141592653589793f * (x - round(x)));
    x = 1.0f - x;
  }
  for (var i = 0; i < 16 && x < 10.0f; i++) { r = r - 1.0f / x; x = x + 1.0f; }
  let f = 1.0f / (x * x);
  let s = f * (1.0f / 12.0f - f * (1.0f / 120.0f - f * (1.0f / 252.0f - f * (1.0f / 240.0f - f * (1.0f / 132.0f)))));
  return r + log(x) - 0.5f / x - s;
}`,
  },
  h_polygamma: {
    deps: ['h_digamma', 'h_isnan', 'h_nan', 'h_inf'],
    code: `fn h_polygamma(m: f32, x0: f32) -> f32 {
  var x = x0;
  if (h_isnan(m) || h_isnan(x) || m < 0.0f || trunc(m) != m) { return h_nan(); }
  if (m == 0.0f) { return h_digamma(x); }
  let odd = (u32(m) & 1u) == 1u;
  if (x <= 0.0f && trunc(x) == x) { return select(h_nan(), h_inf(), odd); }
  if (x == h_inf()) { return 0.0f; }
  var fact = 1.0f;
  for (var i = 2.0f; i <= m; i = i + 1.0f) { fact = fact * i; }
  var s = 0.0f;
  let lim = 16.0f + m;
  for (var j = 0; j < 64 && x < lim; j++) { s = s + pow(x, -(m + 1.0f)); x = x + 1.0f; }
  var tail = 1.0f / (m * pow(x, m)) + 1.0f / (2.0f * pow(x, m + 1.0f));
  var coef = 1.0f;
  var pw = pow(x, -(m + 2.0f));
  var b = array<f32, 10>(1.0f / 6.0f, -1.0f / 30.0f, 1.0f / 42.0f, -1.0f / 30.0f, 5.0f / 66.0f,
    -691.0f / 2730.0f, 7.0f / 6.0f, -3617.0f / 510.0f, 43867.0f / 798.0f, -174611.0f / 330.0f);
  for (var k = 1; k <= 10; k++) {
    let kf = f32(k);
    if (k == 1) { coef = (m + 1.0f) / 2.0f; } else { coef = coef * (m + 2.0f * kf - 2.0f) * (m + 2.0f * kf - 1.0f) / ((2.0f * kf - 1.0f) * (2.0f * kf)); }
    let t = b[k - 1] * coef * pw;
    tail = tail + t;
    if (abs(t) < 1e-8f * abs(tail)) { break; }
    pw = pw / (x * x);
  }
  return select(-1.0f, 1.0f, odd) * fact * (s + tail);
}`,
  },
  h_nextafter: {
    deps: ['h_isnan', 'h_nan'],
    code: `fn h_nextafter(x: f32, y: f32) -> f32 {
  if (h_isnan(x) || h_isnan(y)) { return h_nan(); }
  if (x == y) { return y; }
  if (x == 0.0f) { return select(bitcast<f32>(0x80000001u), bitcast<f32>(1u), y > 0.0f); }
  let b = bitcast<u32>(x);
  return bitcast<f32>(select(b - 1u, b + 1u, (x < y) == (x > 0.0f)));
}`,
  },
  h_nextafter16: {
    deps: ['h_isnan', 'h_nan'],
    code: `fn h_nextafter16(x: f32, y: f32) -> f32 {
  if (h_isnan(x) || h_isnan(y)) { return h_nan(); }
  if (x == y) { return y; }
  if (x == 0.0f) { return select(-5.960464477539063e-8f, 5.960464477539063e-8f, y > 0.0f); }
  let h = pack2x16float(vec2<f32>(x, 0.0f)) & 0xffffu;
  return unpack2x16float(select(h - 1u, h + 1u, (x < y) == (x > 0.0f))).x;
}`,
  },
  h_f2i: {
    deps: ['h_isnan'],
    code: `fn h_f2i(x: f32, lo: i32, hi: i32) -> i32 {
  if (h_isnan(x)) { return 0i; }
  if (x <= f32(lo)) { return lo; }
  if (x >= f32(hi)) { return hi; }
  return i32(trunc(x));
}`,
  },
  h_f2u: {
    deps: ['h_isnan'],
    code: `fn h_f2u(x: f32, hi: u32) -> u32 {
  if (h_isnan(x) || x <= 0.0f) { return 0u; }
  if (x >= f32(hi)) { return hi; }
  return u32(trunc(x));
}`,
  },
  h_idiv: {
    code: 'fn h_idiv(a: i32, b: i32) -> i32 { if (b == 0i) { return -1i; } if (b == -1i) { return 0i - a; } return a / b; }',
  },
  h_irem: {
    code: 'fn h_irem(a: i32, b: i32) -> i32 { if (b == 0i) { return a; } if (b == -1i) { return 0i; } return a % b; }',
  },
  h_udiv: { code: 'fn h_udiv(a: u32, b: u32) -> u32 { if (b == 0u) { return 0xffffffffu; } return a / b; }' },
  h_urem: { code: 'fn h_urem(a: u32, b: u32) -> u32 { if (b == 0u) { return a; } return a % b; }' },
  h_ipow: {
    code: `fn h_ipow(a: i32, b: i32) -> i32 {
  if (b < 0i) { if (a == 1i) { return 1i; } if (a == -1i) { return select(1i, -1i, (b & 1i) != 0i); } return 0i; }
  var r = 1i; var base = a; var e = u32(b);
  loop { if (e == 0u) { break; } if ((e & 1u) != 0u) { r = r * base; } base = base * base; e = e >> 1u; }
  return r;
}`,
  },
  ...INCOMPLETE_HELPERS,
  h_upow: {
    code: `fn h_upow(a: u32, b: u32) -> u32 {
  var r = 1u; var base = a; var e = b;
  loop { if (e == 0u) { break; } if ((e & 1u) != 0u) { r = r * base; } base = base * base; e = e >> 1u; }
  return r;
}`,
  },
};

// ---- expressions --------------------------------------------------------------------------------

/** Collects the helpers a shader uses. */
export class Helpers {
  readonly used = new Set<string>();
  /** Constant tables the shader reads (TableExpr), declared as private arrays. */
  readonly tables = new Map<string, Table>();
  use(name: string): string {
    if (!this.used.has(name)) {
      for (const d of HELPERS[name].deps ?? []) this.use(d);
      this.used.add(name);
    }
    return name;
  }
  /** The helpers' WGSL, including any that `body` calls without having registered them. */
  code(body = ''): string {
    for (const name of Object.keys(HELPERS)) if (body.includes(`${name}(`)) this.use(name);
    const out: string[] = [];
    const done = new Set<string>();
    const emit = (n: string) => {
      if (done.has(n)) return;
      done.add(n);
      for (const d of HELPERS[n].deps ?? []) emit(d);
      out.push(HELPERS[n].code);
    };
    for (const n of this.used) emit(n);
    for (const t of this.tables.values()) {
      const n = t.values.length;
      out.push(
        `var<private> T_${t.name}: array<i32, ${n}> = array<i32, ${n}>(${[...t.values].map((v) => literal(v, int32)).join(', ')});`,
      );
    }
    return out.join('\n');
  }
}

const FLOAT_UNARY: Record<string, (x: string, h: Helpers) => string> = {
  neg: (x) => `-(${x})`,
  sign: (x, h) => `${h.use('h_sign')}(${x})`,
  floor: (x) => `floor(${x})`,
  ceil: (x) => `ceil(${x})`,
  round_away: (x, h) => `${h.use('h_round_away')}(${x})`,
  round_even: (x) => `round(${x})`,
  abs: (x) => `abs(${x})`,
  exp: (x) => `exp(${x})`,
  exp2: (x) => `exp2(${x})`,
  log: (x) => `log(${x})`,
  log1p: (x, h) => `${h.use('h_log1p')}(${x})`,
  expm1: (x, h) => `${h.use('h_expm1')}(${x})`,
  sqrt: (x) => `sqrt(${x})`,
  rsqrt: (x) => `(1.0f / sqrt(${x}))`,
  cbrt: (x, h) => `${h.use('h_cbrt')}(${x})`,
  sin: (x) => `sin(${x})`,
  cos: (x) => `cos(${x})`,
  tan: (x) => `tan(${x})`,
  asin: (x, h) => `${h.use('h_asin')}(${x})`,
  acos: (x, h) => `${h.use('h_acos')}(${x})`,
  atan: (x, h) => `${h.use('h_atan')}(${x})`,
  sinh: (x, h) => `${h.use('h_sinh')}(${x})`,
  cosh: (x, h) => `${h.use('h_cosh')}(${x})`,
  tanh: (x, h) => `${h.use('h_tanh')}(${x})`,
  asinh: (x, h) => `${h.use('h_asinh')}(${x})`,
  acosh: (x, h) => `${h.use('h_acosh')}(${x})`,
  atanh: (x, h) => `${h.use('h_atanh')}(${x})`,
  logistic: (x, h) => `${h.use('h_logistic')}(${x})`,
  erf: (x, h) => `${h.use('h_erf')}(${x})`,
  erfc: (x, h) => `${h.use('h_erfc')}(${x})`,
  erf_inv: (x, h) => `${h.use('h_erfinv')}(${x})`,
  lgamma: (x, h) => `${h.use('h_lgamma')}(${x})`,
  digamma: (x, h) => `${h.use('h_digamma')}(${x})`,
};

function renderUnary(e: UnExpr, x: string, h: Helpers): string {
  const dt = e.x.dt;
  if (e.op === 'is_finite') return `${h.use('h_isfinite')}(${x})`;
  if (dt.isFloat) {
    const f = FLOAT_UNARY[e.op];
    if (!f) throw new Error(`unary ${e.op} is not defined on ${dt.name}`);
    return wrap(e.dt, f(x, h));
  }
  if (dt.isBool) {
    if (e.op === 'not') return `!(${x})`;
    throw new Error(`unary ${e.op} is not defined on bool`);
  }
  const signed = dt.kind !== 'u';
  const n = bits(dt);
  switch (e.op) {
    case 'neg':
      return wrap(dt, signed ? `(0i - ${x})` : `(0u - ${x})`);
    case 'abs':
      return signed ? wrap(dt, `select(${x}, 0i - ${x}, ${x} < 0i)`) : x;
    case 'sign':
      return signed ? `sign(${x})` : `min(${x}, 1u)`;
    case 'not':
      return wrap(dt, `(~${x})`);
    case 'population_count': {
      const u = signed ? `bitcast<u32>(${x})` : x;
      const m = n === 32 ? u : `(${u} & ${(2 ** n - 1) >>> 0}u)`;
      return signed ? `i32(countOneBits(${m}))` : `countOneBits(${m})`;
    }
    case 'clz': {
      const u = signed ? `bitcast<u32>(${x})` : x;
      const m = n === 32 ? u : `(${u} & ${(2 ** n - 1) >>> 0}u)`;
      const c = `(countLeadingZeros(${m}) - ${32 - n}u)`;
      return signed ? `i32${c}` : c;
    }
    case 'floor':
    case 'ceil':
    case 'round_away':
    case 'round_even':
      return x;
  }
  throw new Error(`unary ${e.op} is not defined on ${dt.name}`);
}

const CMP: Record<string, string> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

function renderBinary(e: BinExpr, a: string, b: string, h: Helpers): string {
  const dt = e.a.dt;
  const out = e.dt;
  if (e.op in CMP) {
    if (dt.isBool) return `(u32(${a}) ${CMP[e.op]} u32(${b}))`;
    return `(${a} ${CMP[e.op]} ${b})`;
  }
  if (dt.isBool) {
    switch (e.op) {
      case 'add':
      case 'or':
      case 'max':
        return `(${a} || ${b})`;
      case 'mul':
      case 'and':
      case 'min':
        return `(${a} && ${b})`;
      case 'xor':
      case 'sub':
        return `(${a} != ${b})`;
    }
    throw new Error(`binary ${e.op} is not defined on bool`);
  }
  if (dt.isFloat) {
    const f = (s: string) => wrap(out, s);
    switch (e.op) {
      case 'add':
        return f(`(${a} + ${b})`);
      case 'sub':
        return f(`(${a} - ${b})`);
      case 'mul':
        return f(`(${a} * ${b})`);
      case 'div':
        return f(`(${a} / ${b})`);
      case 'rem':
        return f(`(${a} % ${b})`);
      case 'pow':
        return f(`${h.use('h_pow')}(${a}, ${b})`);
      case 'max':
        return `${h.use('h_fmax')}(${a}, ${b})`;
      case 'min':
        return `${h.use('h_fmin')}(${a}, ${b})`;
      case 'atan2':
        return f(`${h.use('h_atan2')}(${a}, ${b})`);
      case 'polygamma':
        return f(`${h.use('h_polygamma')}(${a}, ${b})`);
      case 'igamma':
      case 'igammac':
      case 'igamma_grad_a':
      case 'random_gamma_grad':
        return f(`${h.use(`h_${e.op}`)}(${a}, ${b})`);
      case 'nextafter':
        return dt.name === 'float16'
          ? `${h.use('h_nextafter16')}(${a}, ${b})`
          : `${h.use('h_nextafter')}(${a}, ${b})`;
    }
    throw new Error(`binary ${e.op} is not defined on ${dt.name}`);
  }
  const signed = dt.kind !== 'u';
  const n = bits(dt);
  const w = (s: string) => wrap(out, s);
  const shiftIn = (s: string) => (signed ? `u32(${s})` : s);
  switch (e.op) {
    case 'add':
      return w(`(${a} + ${b})`);
    case 'sub':
      return w(`(${a} - ${b})`);
    case 'mul':
      return w(`(${a} * ${b})`);
    case 'div':
      return w(signed ? `${h.use('h_idiv')}(${a}, ${b})` : `${h.use('h_udiv')}(${a}, ${b})`);
    case 'rem':
      return w(signed ? `${h.use('h_irem')}(${a}, ${b})` : `${h.use('h_urem')}(${a}, ${b})`);
    case 'pow':
      return w(signed ? `${h.use('h_ipow')}(${a}, ${b})` : `${h.use('h_upow')}(${a}, ${b})`);
    case 'max':
      return `max(${a}, ${b})`;
    case 'min':
      return `min(${a}, ${b})`;
    case 'and':
      return `(${a} & ${b})`;
    case 'or':
      return `(${a} | ${b})`;
    case 'xor':
      return `(${a} ^ ${b})`;
    case 'shl': {
      const zero = signed ? '0i' : '0u';
      const oob = signed ? `(${b} < 0i || ${b} >= ${n}i)` : `(${b} >= ${n}u)`;
      return `select(${w(`(${a} << ${shiftIn(b)})`)}, ${zero}, ${oob})`;
    }
    case 'shr_logical': {
      const mask = n === 32 ? 'ua' : `(ua & ${(2 ** n - 1) >>> 0}u)`;
      const ua = signed ? `bitcast<u32>(${a})` : a;
      const shifted = `(${mask.replace('ua', ua)} >> ${shiftIn(b)})`;
      const res = signed ? `bitcast<i32>${shifted}` : shifted;
      const zero = signed ? '0i' : '0u';
      const oob = signed ? `(${b} < 0i || ${b} >= ${n}i)` : `(${b} >= ${n}u)`;
      return `select(${w(res)}, ${zero}, ${oob})`;
    }
    case 'shr_arith': {
      // XLA shifts the bits as signed, also for unsigned types (the top bit fills in).
      const sa = signed
        ? a
        : n === 32
          ? `bitcast<i32>(${a})`
          : `((bitcast<i32>(${a}) << ${32 - n}u) >> ${32 - n}u)`;
      const amt = signed
        ? `select(u32(${b}), ${n - 1}u, ${b} < 0i || ${b} >= ${n}i)`
        : `select(${b}, ${n - 1}u, ${b} >= ${n}u)`;
      const r = `(${sa} >> ${amt})`;
      return signed ? w(r) : w(`bitcast<u32>${r}`);
    }
  }
  throw new Error(`binary ${e.op} is not defined on ${dt.name}`);
}

export function renderCast(from: DType, to: DType, x: string, h: Helpers): string {
  if (to.isBool) {
    if (from.isBool) return x;
    return from.isFloat ? `(${x} != 0.0f)` : `(${x} != ${from.kind === 'u' ? '0u' : '0i'})`;
  }
  const tt = vtype(to);
  if (from.isBool) return to.isFloat ? `select(0.0f, 1.0f, ${x})` : `${tt}(${x})`;
  if (to.isFloat) return wrap(to, from.isFloat ? x : `f32(${x})`);
  if (from.isFloat) {
    const [lo, hi] = INT_RANGE[to.name];
    return to.kind === 'u'
      ? `${h.use('h_f2u')}(${x}, ${hi}u)`
      : `${h.use('h_f2i')}(${x}, ${literal(lo, to)}, ${hi}i)`;
  }
  const fromT = vtype(from);
  const conv = fromT === tt ? x : `bitcast<${tt}>(${x})`;
  return wrap(to, conv);
}

function renderBitcast(from: DType, to: DType, x: string): string {
  if (from.name === 'float16') {
    const bitsU = `(pack2x16float(vec2<f32>(${x}, 0.0f)) & 0xffffu)`;
    return to.kind === 'u' ? bitsU : wrap(to, `bitcast<i32>${bitsU}`);
  }
  if (to.name === 'float16') {
    const u = from.kind === 'u' ? x : `bitcast<u32>(${x})`;
    return `unpack2x16float(${u} & 0xffffu).x`;
  }
  if (from.isBool || to.isBool) return renderCast(from, to, x, new Helpers());
  return wrap(to, `bitcast<${vtype(to)}>(${x})`);
}

function renderLoad(dt: DType, buf: string, idx: string): string {
  return dt.isBool ? `(${buf}[${idx}] != 0u)` : `${buf}[${idx}]`;
}

export function renderStore(dt: DType, buf: string, idx: string, v: string): string {
  return dt.isBool ? `${buf}[${idx}] = select(0u, 1u, ${v});` : `${buf}[${idx}] = ${v};`;
}

/**
 * Emits expression nodes into loop levels, as the CPU emitter does. Level -1 is before all loops
 * (after the thread's output indices are known); level k is inside the k-th loop.
 */
export class Emitter {
  readonly names = new Map<number, string>();
  readonly levelOf = new Map<number, number>();
  readonly lines: string[][];
  readonly bufs = new Set<number>();
  private tmp = 0;
  constructor(
    readonly helpers: Helpers,
    private readonly varLevel: Map<string, number>,
    depth: number,
    private readonly prefix = 't',
    private readonly accName: string | null = null,
    private readonly accLevel = -1,
  ) {
    this.lines = Array.from({ length: depth + 1 }, () => []);
  }

  emit(e: SExpr, minLevel = -1): string {
    const h = this.helpers;
    walk(e, (n) => {
      if (this.names.has(n.id)) return;
      let level = -1;
      let code: string;
      const name = (c: SExpr) => this.names.get(c.id)!;
      const lv = (c: SExpr) => this.levelOf.get(c.id)!;
      switch (n.k) {
        case 'const':
          checkDtype(n.dt);
          this.names.set(n.id, literal(n.v, n.dt));
          this.levelOf.set(n.id, -1);
          return;
        case 'var':
          this.names.set(n.id, n.name);
          this.levelOf.set(n.id, this.varLevel.get(n.name) ?? -1);
          return;
        case 'acc':
          if (!this.accName) throw new Error('acc outside a reduce epilogue');
          this.names.set(n.id, this.accName);
          this.levelOf.set(n.id, this.accLevel);
          return;
        case 'load':
          checkDtype(n.dt);
          level = lv(n.idx);
          this.bufs.add(n.buf);
          code = renderLoad(n.dt, `b${n.buf}`, name(n.idx));
          break;
        case 'table':
          level = lv(n.idx);
          h.tables.set(n.table.name, n.table);
          code = `T_${n.table.name}[${name(n.idx)}]`;
          break;
        case 'un':
          level = lv(n.x);
          code = renderUnary(n, name(n.x), h);
          break;
        case 'bin':
          level = Math.max(lv(n.a), lv(n.b));
          code = renderBinary(n, name(n.a), name(n.b), h);
          break;
        case 'ter':
          // betainc, the only ternary op.
          level = Math.max(lv(n.a), lv(n.b), lv(n.c));
          code = wrap(n.dt, `${h.use(`h_${n.op}`)}(${name(n.a)}, ${name(n.b)}, ${name(n.c)})`);
          break;
        case 'sel':
          level = Math.max(lv(n.c), lv(n.a), lv(n.b));
          code = `select(${name(n.b)}, ${name(n.a)}, ${name(n.c)})`;
          break;
        case 'cast':
          checkDtype(n.dt);
          level = lv(n.x);
          code = renderCast(n.x.dt, n.dt, name(n.x), h);
          break;
        case 'bitcast':
          checkDtype(n.dt);
          level = lv(n.x);
          code = renderBitcast(n.x.dt, n.dt, name(n.x));
          break;
      }
      level = Math.max(level, minLevel);
      const t = `${this.prefix}${this.tmp++}`;
      this.lines[level + 1].push(`let ${t}: ${vtype(n.dt)} = ${code};`);
      this.names.set(n.id, t);
      this.levelOf.set(n.id, level);
    });
    return this.names.get(e.id)!;
  }
}

// ---- kernels ------------------------------------------------------------------------------------

/** One compute pass: a shader, its bindings (buffer ids or scratch names) and dispatch size. */
export interface Pass {
  name: string;
  code: string;
  /** Buffer ids (numbers) or kernel-local scratch buffers (strings), in binding order. */
  bindings: (number | string)[];
  groups: [number, number];
}

export interface RenderedKernel {
  passes: Pass[];
  /** Scratch buffers the passes use, by name, in bytes. */
  scratch: Record<string, number>;
}

function indent(lines: string[], n: number): string[] {
  const pad = '  '.repeat(n);
  return lines.map((l) => pad + l);
}

/** Workgroups for `threads` threads of `wg` each, folded into 2-D past the per-dimension limit. */
export function groupsFor(threads: number, wg: number): [number, number] {
  const g = Math.max(1, Math.ceil(threads / wg));
  if (g <= MAX_GROUPS) return [g, 1];
  const y = Math.ceil(g / MAX_GROUPS);
  return [Math.ceil(g / y), y];
}

/** The flat thread id, for a dispatch of `groups` workgroups of `wg` threads. */
function flatId(groups: [number, number], wg: number): string {
  return groups[1] === 1
    ? `let gid = i32(wid.x) * ${wg}i + i32(lid.x);`
    : `let gid = (i32(wid.y) * ${groups[0]}i + i32(wid.x)) * ${wg}i + i32(lid.x);`;
}

/** `let i0 = ...; let i1 = ...;` from a flat index over `shape` (row-major). */
function unflatten(flat: string, shape: readonly number[], prefix: string): string[] {
  const out: string[] = [];
  let stride = 1;
  const strides = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d];
  }
  shape.forEach((n, d) => {
    const q = strides[d] === 1 ? flat : `(${flat} / ${strides[d]}i)`;
    out.push(`let ${prefix}${d}: i32 = ${d === 0 ? q : `${q} % ${n}i`};`);
  });
  return out;
}

const ENTRY = '@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>';

/** Declarations of storage bindings, in the order of `bindings`. */
export function declareBindings(
  bindings: (number | string)[],
  typeOf: (b: number | string) => string,
  writable: ReadonlySet<number | string>,
): string[] {
  return bindings.map((b, i) => {
    const name = typeof b === 'number' ? `b${b}` : b;
    const access = writable.has(b) ? 'read_write' : 'read';
    return `@group(0) @binding(${i}) var<storage, ${access}> ${name}: array<${typeOf(b)}>;`;
  });
}

function shader(bindingsDecl: string[], h: Helpers, extra: string[], wg: number, body: string[]): string {
  return [
    ...bindingsDecl,
    ...extra,
    h.code(body.join('\n')),
    '',
    `@compute @workgroup_size(${wg})`,
    `fn main(${ENTRY}) {`,
    ...indent(body, 1),
    '}',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

function bufDecl(
  em: Emitter,
  dtypeOf: (b: number) => DType,
  out: number,
): { bindings: number[]; decl: string[] } {
  const bindings = [...em.bufs].filter((b) => b !== out).sort((a, b) => a - b);
  bindings.push(out);
  return {
    bindings,
    decl: declareBindings(bindings, (b) => stype(dtypeOf(b as number)), new Set([out])),
  };
}

interface Loop {
  v: string;
  extent: number;
  head?: string[];
}

function loopNest(
  loops: Loop[],
  em: Emitter,
  inner: string[],
  around: Map<number, { before: string[]; after: string[] }> = new Map(),
  levelBase = 0,
): string[] {
  const build = (L: number): string[] => {
    if (L === loops.length) return inner;
    const { v, extent, head = [] } = loops[L];
    const wrapIt = around.get(L + 1);
    const innerPart = wrapIt ? [...wrapIt.before, ...build(L + 1), ...wrapIt.after] : build(L + 1);
    return [
      `for (var ${v}: i32 = 0i; ${v} < ${extent}i; ${v}++) {`,
      ...indent([...head, ...em.lines[L + levelBase + 1], ...innerPart], 1),
      '}',
    ];
  };
  const top = around.get(0);
  return top ? [...top.before, ...build(0), ...top.after] : build(0);
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function renderMap(k: MapKernel, dtypeOf: (b: number) => DType, name: string): RenderedKernel {
  const outDt = dtypeOf(k.out);
  checkDtype(outDt);
  const n = size(k.shape);
  const h = new Helpers();
  const vars = k.shape.map((_, i) => `i${i}`);
  // All output indices are known at level -1: a map kernel is straight-line code per thread.
  const em = new Emitter(h, new Map(vars.map((v) => [v, -1])), 0);
  const v = em.emit(k.expr);
  const groups = groupsFor(n, WG);
  const { bindings, decl } = bufDecl(em, dtypeOf, k.out);
  const body = [
    flatId(groups, WG),
    `if (gid >= ${n}i) { return; }`,
    ...unflatten('gid', k.shape, 'i'),
    ...em.lines[0],
    renderStore(outDt, `b${k.out}`, 'gid', v),
  ];
  return { passes: [{ name, code: shader(decl, h, [], WG, body), bindings, groups }], scratch: {} };
}

// ---- reductions ---------------------------------------------------------------------------------

/** The accumulator's WGSL type: bools accumulate as 0/1 u32. */
function accType(dt: DType): string {
  return dt.isBool ? 'u32' : vtype(dt);
}

function reduceInit(op: string, dt: DType): string {
  const t = accType(dt);
  const lit = (v: number) => (t === 'f32' ? literal(v, dt) : t === 'u32' ? `${v >>> 0}u` : literal(v, dt));
  switch (op) {
    case 'add':
    case 'or':
      return t === 'f32' ? '0.0f' : t === 'u32' ? '0u' : '0i';
    case 'mul':
      return t === 'f32' ? '1.0f' : t === 'u32' ? '1u' : '1i';
    case 'max':
      if (dt.isFloat) return literal(Number.NEGATIVE_INFINITY, dt);
      if (dt.isBool) return '0u';
      return lit(INT_RANGE[dt.name][0]);
    case 'min':
      if (dt.isFloat) return literal(Number.POSITIVE_INFINITY, dt);
      if (dt.isBool) return '1u';
      return lit(INT_RANGE[dt.name][1]);
    case 'and':
      if (dt.isBool) return '1u';
      return t === 'u32' ? '0xffffffffu' : '-1i';
  }
  throw new Error(`unknown reduction ${op}`);
}

function combine(op: string, dt: DType, a: string, b: string, h: Helpers): string {
  if (dt.isBool) {
    if (op === 'add' || op === 'or' || op === 'max') return `(${a} | ${b})`;
    return `(${a} & ${b})`;
  }
  switch (op) {
    case 'add':
      return `(${a} + ${b})`;
    case 'mul':
      return `(${a} * ${b})`;
    case 'max':
      return dt.isFloat ? `${h.use('h_fmax')}(${a}, ${b})` : `max(${a}, ${b})`;
    case 'min':
      return dt.isFloat ? `${h.use('h_fmin')}(${a}, ${b})` : `min(${a}, ${b})`;
    case 'and':
      return `(${a} & ${b})`;
    case 'or':
      return `(${a} | ${b})`;
  }
  throw new Error(`unknown reduction ${op}`);
}

/** The body value as an accumulator operand. */
function toAcc(dt: DType, v: string): string {
  return dt.isBool ? `u32(${v})` : v;
}

/** The accumulated value as a value of `dt` (wrapped/rounded once, as the CPU does). */
function fromAcc(dt: DType, a: string): string {
  return dt.isBool ? `(${a} != 0u)` : wrap(dt, a);
}

/** Threshold above which a reduction runs as a workgroup tree (per output). */
const SERIAL_MAX_RED = 64;
const SERIAL_MIN_OUT = 1024;
/** Reduced elements per workgroup in the first pass of a two-pass reduction. */
const CHUNK = 8192;

export function renderReduce(k: ReduceKernel, dtypeOf: (b: number) => DType, name: string): RenderedKernel {
  const accDt = k.body.dt;
  const outDt = dtypeOf(k.out);
  checkDtype(accDt);
  checkDtype(outDt);
  const nOut = size(k.outShape);
  const nRed = size(k.redShape);
  if (nRed <= SERIAL_MAX_RED || nOut >= SERIAL_MIN_OUT) return serialReduce(k, accDt, outDt, name, dtypeOf);
  return treeReduce(k, accDt, outDt, name, dtypeOf);
}

function epilogueLines(
  k: ReduceKernel,
  h: Helpers,
  accDt: DType,
  outDt: DType,
  accExpr: string,
  oIdx: string,
  em0: Emitter,
): string[] {
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const epi = new Emitter(h, new Map(ovars.map((v) => [v, -1])), 0, 'e', 'accv', -1);
  const result = k.epilogue ? epi.emit(k.epilogue) : 'accv';
  for (const b of epi.bufs) em0.bufs.add(b);
  return [
    `let accv: ${vtype(accDt)} = ${fromAcc(accDt, accExpr)};`,
    ...epi.lines[0],
    renderStore(outDt, `b${k.out}`, oIdx, result),
  ];
}

function serialReduce(
  k: ReduceKernel,
  accDt: DType,
  outDt: DType,
  name: string,
  dtypeOf: (b: number) => DType,
): RenderedKernel {
  const h = new Helpers();
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const rvars = k.redShape.map((_, i) => `r${i}`);
  const levels = new Map<string, number>(ovars.map((v) => [v, -1]));
  rvars.forEach((v, i) => {
    levels.set(v, i);
  });
  const em = new Emitter(h, levels, rvars.length);
  const body = em.emit(k.body);
  const nOut = size(k.outShape);
  const groups = groupsFor(nOut, WG);
  const loops = rvars.map((v, i) => ({ v, extent: k.redShape[i] }));
  const inner = [`acc = ${combine(k.op, accDt, 'acc', toAcc(accDt, body), h)};`];
  const red = loopNest(loops, em, inner);
  const fin = epilogueLines(k, h, accDt, outDt, 'acc', 'gid', em);
  const lines = [
    flatId(groups, WG),
    `if (gid >= ${nOut}i) { return; }`,
    ...unflatten('gid', k.outShape, 'i'),
    ...em.lines[0],
    `var acc: ${accType(accDt)} = ${reduceInit(k.op, accDt)};`,
    ...red,
    ...fin,
  ];
  const { bindings, decl } = bufDecl(em, (b) => (b === k.out ? outDt : dtypeOf(b)), k.out);
  return { passes: [{ name, code: shader(decl, h, [], WG, lines), bindings, groups }], scratch: {} };
}

/** Tree-reduction code: `sh` holds each thread's partial; thread 0 ends with the total in sh[0]. */
function treeLines(op: string, accDt: DType, h: Helpers): string[] {
  const lines = ['sh[lid.x] = acc;', 'workgroupBarrier();'];
  for (let s = RWG / 2; s >= 1; s /= 2) {
    lines.push(
      `if (lid.x < ${s}u) { sh[lid.x] = ${combine(op, accDt, 'sh[lid.x]', `sh[lid.x + ${s}u]`, h)}; }`,
      'workgroupBarrier();',
    );
  }
  return lines;
}

function treeReduce(
  k: ReduceKernel,
  accDt: DType,
  outDt: DType,
  name: string,
  dtypeOf: (b: number) => DType,
): RenderedKernel {
  const nOut = size(k.outShape);
  const nRed = size(k.redShape);
  const at = accType(accDt);
  const parts = nRed > 2 * CHUNK ? Math.min(Math.ceil(nRed / CHUNK), 1024) : 1;
  const per = Math.ceil(nRed / parts);

  // Pass 1 (or the only pass): workgroup (o, p) reduces r in [p*per, min((p+1)*per, nRed)).
  const h = new Helpers();
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const rvars = k.redShape.map((_, i) => `r${i}`);
  const levels = new Map<string, number>(ovars.map((v) => [v, -1]));
  for (const v of rvars) levels.set(v, 0);
  const em = new Emitter(h, levels, 1);
  const body = em.emit(k.body);
  const groups1 = groupsFor(nOut * parts, 1);
  const wgId =
    groups1[1] === 1 ? 'let wg = i32(wid.x);' : `let wg = i32(wid.y) * ${groups1[0]}i + i32(wid.x);`;
  const loop = [
    `let lo = p * ${per}i;`,
    `let hi = min(lo + ${per}i, ${nRed}i);`,
    `for (var r = lo + i32(lid.x); r < hi; r += ${RWG}i) {`,
    ...indent(
      [
        ...unflatten('r', k.redShape, 'r'),
        ...em.lines[1],
        `acc = ${combine(k.op, accDt, 'acc', toAcc(accDt, body), h)};`,
      ],
      1,
    ),
    '}',
  ];
  const head = [
    wgId,
    `if (wg >= ${nOut * parts}i) { return; }`,
    `let o = wg / ${parts}i;`,
    `let p = wg % ${parts}i;`,
    ...unflatten('o', k.outShape, 'i'),
    ...em.lines[0],
    `var acc: ${at} = ${reduceInit(k.op, accDt)};`,
  ];
  const sh = `var<workgroup> sh: array<${at}, ${RWG}>;`;
  if (parts === 1) {
    const fin = epilogueLines(k, h, accDt, outDt, 'sh[0]', 'o', em);
    const lines = [
      ...head,
      ...loop,
      ...treeLines(k.op, accDt, h),
      'if (lid.x == 0u) {',
      ...indent(fin, 1),
      '}',
    ];
    const { bindings, decl } = bufDecl(em, (b) => (b === k.out ? outDt : dtypeOf(b)), k.out);
    return {
      passes: [{ name, code: shader(decl, h, [sh], RWG, lines), bindings, groups: groups1 }],
      scratch: {},
    };
  }
  // Two passes: partials in scratch `part` (accumulator words), then one workgroup per output.
  const lines1 = [...head, ...loop, ...treeLines(k.op, accDt, h), 'if (lid.x == 0u) { part[wg] = sh[0]; }'];
  const b1 = [...em.bufs].sort((a, b) => a - b);
  const bind1: (number | string)[] = [...b1, 'part'];
  const decl1 = declareBindings(
    bind1,
    (b) => (b === 'part' ? at : stype(dtypeOf(b as number))),
    new Set(['part']),
  );
  const pass1: Pass = {
    name: `${name}_partials`,
    code: shader(decl1, h, [sh], RWG, lines1),
    bindings: bind1,
    groups: groups1,
  };

  const h2 = new Helpers();
  const em2 = new Emitter(h2, new Map(ovars.map((v) => [v, -1])), 0);
  const groups2 = groupsFor(nOut, 1);
  const wgId2 =
    groups2[1] === 1 ? 'let o = i32(wid.x);' : `let o = i32(wid.y) * ${groups2[0]}i + i32(wid.x);`;
  const fin = epilogueLines(k, h2, accDt, outDt, 'sh[0]', 'o', em2);
  const lines2 = [
    wgId2,
    `if (o >= ${nOut}i) { return; }`,
    ...unflatten('o', k.outShape, 'i'),
    `var acc: ${at} = ${reduceInit(k.op, accDt)};`,
    `for (var p = i32(lid.x); p < ${parts}i; p += ${RWG}i) {`,
    `  acc = ${combine(k.op, accDt, 'acc', `part[o * ${parts}i + p]`, h2)};`,
    '}',
    ...treeLines(k.op, accDt, h2),
    'if (lid.x == 0u) {',
    ...indent(fin, 1),
    '}',
  ];
  const b2 = [...em2.bufs].filter((b) => b !== k.out).sort((a, b) => a - b);
  const bind2: (number | string)[] = ['part', ...b2, k.out];
  const decl2 = declareBindings(
    bind2,
    (b) => (b === 'part' ? at : stype(b === k.out ? outDt : dtypeOf(b as number))),
    new Set([k.out]),
  );
  const pass2: Pass = { name, code: shader(decl2, h2, [sh], RWG, lines2), bindings: bind2, groups: groups2 };
  return { passes: [pass1, pass2], scratch: { part: 4 * nOut * parts } };
}

export function renderArgReduce(
  k: ArgReduceKernel,
  dtypeOf: (b: number) => DType,
  name: string,
): RenderedKernel {
  const valDt = k.body.dt;
  const outDt = dtypeOf(k.out);
  checkDtype(valDt);
  checkDtype(outDt);
  const h = new Helpers();
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const levels = new Map<string, number>(ovars.map((v) => [v, -1]));
  levels.set('r0', 0);
  const em = new Emitter(h, levels, 1);
  const v = em.emit(k.body);
  const nOut = size(k.outShape);
  const groups = groupsFor(nOut, WG);
  const better = k.op === 'argmax' ? '>' : '<';
  const vv = valDt.isBool ? `u32(${v})` : v;
  const bt = valDt.isBool ? 'u32' : vtype(valDt);
  const bestNan = valDt.isFloat ? `!${h.use('h_isnan')}(best)` : 'true';
  const vNan = valDt.isFloat ? ` || ${h.use('h_isnan')}(${v})` : '';
  const lines = [
    flatId(groups, WG),
    `if (gid >= ${nOut}i) { return; }`,
    ...unflatten('gid', k.outShape, 'i'),
    ...em.lines[0],
    `var best: ${bt} = ${valDt.isFloat ? '0.0f' : bt === 'u32' ? '0u' : '0i'};`,
    'var bi: i32 = 0i;',
    `for (var r0: i32 = 0i; r0 < ${k.redSize}i; r0++) {`,
    ...indent(em.lines[1], 1),
    `  if (r0 == 0i || (${bestNan} && (${vv} ${better} best${vNan}))) { best = ${vv}; bi = r0; }`,
    '}',
    renderStore(outDt, `b${k.out}`, 'gid', outDt.kind === 'u' ? 'u32(bi)' : wrap(outDt, 'bi')),
  ];
  const { bindings, decl } = bufDecl(em, (b) => (b === k.out ? outDt : dtypeOf(b)), k.out);
  return { passes: [{ name, code: shader(decl, h, [], WG, lines), bindings, groups }], scratch: {} };
}

export function renderScan(k: ScanKernel, dtypeOf: (b: number) => DType, name: string): RenderedKernel {
  const dt = dtypeOf(k.out);
  checkDtype(dt);
  const h = new Helpers();
  const rank = k.shape.length;
  const others = [...Array(rank).keys()].filter((d) => d !== k.axis);
  const levels = new Map<string, number>(others.map((d) => [`i${d}`, -1]));
  levels.set(`i${k.axis}`, 0);
  const em = new Emitter(h, levels, 1);
  const v = em.emit(k.body);
  const lineShape = others.map((d) => k.shape[d]);
  const nLines = size(lineShape);
  const groups = groupsFor(nLines, WG);
  const strides: number[] = new Array(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = s;
    s *= k.shape[d];
  }
  const n = k.shape[k.axis];
  const un = unflatten('gid', lineShape, 'q').map((l, j) => l.replace(`let q${j}`, `let i${others[j]}`));
  const idx = [...Array(rank).keys()].map((d) => `i${d} * ${strides[d]}i`).join(' + ') || '0i';
  const at = accType(dt);
  const lines = [
    flatId(groups, WG),
    `if (gid >= ${nLines}i) { return; }`,
    ...un,
    ...em.lines[0],
    `var acc: ${at} = ${reduceInit(k.op, dt)};`,
    `for (var s: i32 = 0i; s < ${n}i; s++) {`,
    `  let i${k.axis}: i32 = ${k.reverse ? `${n - 1}i - s` : 's'};`,
    ...indent(em.lines[1], 1),
    `  acc = ${dt.isBool ? combine(k.op, dt, 'acc', toAcc(dt, v), h) : wrap(dt, combine(k.op, dt, 'acc', v, h))};`,
    `  ${renderStore(dt, `b${k.out}`, idx, fromAcc(dt, 'acc'))}`,
    '}',
  ];
  const { bindings, decl } = bufDecl(em, (b) => (b === k.out ? dt : dtypeOf(b)), k.out);
  return { passes: [{ name, code: shader(decl, h, [], WG, lines), bindings, groups }], scratch: {} };
}
