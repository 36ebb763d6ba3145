/**
 * @file The WGSL helper functions kernels call (NaN tests on the bits, XLA's integer division,
 * shift and float -> int semantics, the transcendental functions), emitted into a shader only when
 * used, and the `Helpers` set that collects them and the constant tables a shader reads. WGSL leaves
 * these cases loosely specified; the helpers pin them to XLA's semantics, testing NaN on the bits
 * because implementations may assume finite math.
 */

import type { Table } from '../../compile/kir.js';
import { int32 } from '../../core/dtype.js';
import { literal } from './wgsl-dtype.js';
import { INCOMPLETE_HELPERS } from './wgsl-incomplete.js';

/**
 * An odd function of x: `body` (lines, each ending in a newline) sets `var r` to f(a), a = |x|, and
 * the helper returns it with x's sign.
 */
function odd(name: string, deps: string[], body: string): { deps: string[]; code: string } {
  return {
    deps,
    code: `fn ${name}(x: f32) -> f32 {\n  let a = abs(x);${body}  return select(r, -r, x < 0.0f);\n}`,
  };
}

/**
 * nextafter(x, y) on a float format's bits: NaN for a NaN, y where x == y, the smallest subnormal
 * [negative, positive] toward y from zero, else `step` moves x's bits by one toward y.
 */
function nextafter(
  name: string,
  [down, up]: [string, string],
  step: string[],
): { deps: string[]; code: string } {
  return {
    deps: ['h_isnan', 'h_nan'],
    code: [
      `fn ${name}(x: f32, y: f32) -> f32 {`,
      '  if (h_isnan(x) || h_isnan(y)) { return h_nan(); }',
      '  if (x == y) { return y; }',
      `  if (x == 0.0f) { return select(${down}, ${up}, y > 0.0f); }`,
      ...step.map((l) => `  ${l}`),
      '}',
    ].join('\n'),
  };
}

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
  h_sinh: odd(
    'h_sinh',
    ['h_expm1'],
    `
  var r: f32;
  if (a > 88.0f) { r = exp(a - 0.6931471805599453f); } else { let e = h_expm1(a); r = 0.5f * (e + e / (e + 1.0f)); }
`,
  ),
  h_cosh: {
    code: `fn h_cosh(x: f32) -> f32 {
  let a = abs(x);
  if (a > 88.0f) { return exp(a - 0.6931471805599453f); }
  let e = exp(a);
  return 0.5f * (e + 1.0f / e);
}`,
  },
  h_tanh: odd(
    'h_tanh',
    ['h_expm1'],
    `
  var r = 1.0f;
  if (a < 20.0f) { let e = h_expm1(-2.0f * a); r = -e / (2.0f + e); }
`,
  ),
  h_asinh: odd(
    'h_asinh',
    ['h_log1p'],
    `
  var r: f32;
  if (a > 1e18f) { r = log(a) + 0.6931471805599453f; } else { r = h_log1p(a + a * a / (1.0f + sqrt(1.0f + a * a))); }
`,
  ),
  h_acosh: {
    deps: ['h_log1p', 'h_nan'],
    code: `fn h_acosh(x: f32) -> f32 {
  if (x < 1.0f) { return h_nan(); }
  if (x > 1e18f) { return log(x) + 0.6931471805599453f; }
  let t = x - 1.0f;
  return h_log1p(t + sqrt(2.0f * t + t * t));
}`,
  },
  h_atanh: odd(
    'h_atanh',
    ['h_log1p', 'h_nan', 'h_inf'],
    `
  if (a > 1.0f) { return h_nan(); }
  var r: f32;
  if (a == 1.0f) { r = h_inf(); } else { r = 0.5f * h_log1p(2.0f * a / (1.0f - a)); }
`,
  ),
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
  h_nextafter: nextafter(
    'h_nextafter',
    ['bitcast<f32>(0x80000001u)', 'bitcast<f32>(1u)'],
    ['let b = bitcast<u32>(x);', 'return bitcast<f32>(select(b - 1u, b + 1u, (x < y) == (x > 0.0f)));'],
  ),
  h_nextafter16: nextafter(
    'h_nextafter16',
    ['-5.960464477539063e-8f', '5.960464477539063e-8f'],
    [
      'let h = pack2x16float(vec2<f32>(x, 0.0f)) & 0xffffu;',
      'return unpack2x16float(select(h - 1u, h + 1u, (x < y) == (x > 0.0f))).x;',
    ],
  ),
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
