/**
 * @file More of jax.numpy's elementwise math, as JAX 0.10.2 writes it (jax/_src/numpy/ufuncs.py,
 * lax_numpy.py, lax/other.py): the array-API aliases (acos ... atanh, atan2, bitwise_invert,
 * bitwise_left_shift, bitwise_right_shift, pow), fabs, float_power, copysign-based spacing,
 * bitwise_count, logaddexp2 (with JAX's custom derivative), frexp/ldexp on the float bit fields,
 * modf, isposinf/isneginf, sinc (its Maclaurin derivative at 0), gcd (a while loop of Euclid's
 * steps) and lcm, nan_to_num, and i0 (e^|x| bessel_i0e, derivative 0 at 0).
 */
import { bool, type DType, defaultInt, int32 } from '../core/dtype.js';
import type { Value } from '../core/trace.js';
import { besselI0e } from '../lax/bessel.js';
import { whileLoop } from '../lax/control.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { fullLike } from '../lax/fill.js';
import { jvp } from '../transforms/api.js';
import { customJvp } from '../transforms/custom.js';
import { namedJit } from '../transforms/jit.js';
import { Zero } from '../transforms/jvp.js';
import { finfo } from './dtypes.js';
import { NotImplementedError, ValueError } from './errors.js';
import { any } from './reductions.js';
import { broadcast_arrays } from './shapes.js';
import * as uf from './ufuncs.js';
import { asValue, constantLike, promoteArgs, promoteArgsInexact, pyfloat, replaceInf } from './util.js';

const unaryAlias = (f: (x: unknown) => Value) => (x: unknown) => f(promoteArgs(x)[0]);

/** The array API's names of jnp.arccos etc. */
export const acos = unaryAlias(uf.arccos);
export const acosh = unaryAlias(uf.arccosh);
export const asin = unaryAlias(uf.arcsin);
export const asinh = unaryAlias(uf.arcsinh);
export const atan = unaryAlias(uf.arctan);
export const atanh = unaryAlias(uf.arctanh);
export function atan2(x1: unknown, x2: unknown): Value {
  return uf.arctan2(x1, x2);
}
export function bitwise_invert(x: unknown): Value {
  return lax.bitwiseNot(promoteArgs(x)[0]);
}
export function bitwise_left_shift(x: unknown, y: unknown): Value {
  return uf.left_shift(x, y);
}
export function bitwise_right_shift(x: unknown, y: unknown): Value {
  return uf.right_shift(x, y);
}
export const bitwiseInvert = bitwise_invert;
export const bitwiseLeftShift = bitwise_left_shift;
export const bitwiseRightShift = bitwise_right_shift;

// pow, fabs and float_power are ufuncs.ts's (JAX's ufuncs.py forms).
export const floatPower = uf.float_power;

const SMALLEST_SUBNORMAL: Record<string, number> = { float16: 2 ** -24, float32: 2 ** -149, float64: 5e-324 };

/** jnp.spacing(x): the distance from x to the next float away from zero. */
export function spacing(x: unknown): Value {
  const [arr] = promoteArgsInexact(x);
  const inf = convertElementType(Number.POSITIVE_INFINITY, arr.dtype);
  if (arr.dtype.name === 'float16') return uf.subtract(lax.nextafter(arr, fullLike(arr, inf)), arr);
  const result = uf.subtract(lax.nextafter(arr, uf.copysign(inf, arr)), arr);
  const tiny = convertElementType(SMALLEST_SUBNORMAL[arr.dtype.name], arr.dtype);
  return uf.where(uf.equal(result, 0), uf.copysign(tiny, arr), result);
}

const bitwiseCountJit = namedJit('bitwise_count', function bitwise_count(x: Value): Value {
  // promote_args_numeric: bools count as the default int.
  const [v] = promoteArgs(x.dtype.isBool ? convertElementType(x, defaultInt()) : x);
  return convertElementType(lax.populationCount(uf.abs(v)), 'uint8');
});

/** jnp.bitwise_count(x): the number of 1 bits in |x|, as uint8. */
export function bitwise_count(x: unknown): Value {
  return bitwiseCountJit(asValue(x));
}
export const bitwiseCount = bitwise_count;

const logaddexp2Custom = customJvp(function logaddexp2(a: Value, b: Value): Value {
  const amax = lax.max(a, b);
  const invln2 = constantLike(amax, 1 / Math.log(2));
  const delta = lax.sub(a, b);
  return lax.select(
    lax.ne(delta, delta),
    lax.add(a, b),
    lax.add(amax, lax.mul(invln2, lax.log1p(lax.exp2(lax.neg(lax.abs(delta)))))),
  );
});
logaddexp2Custom.defjvp(function _logaddexp2_jvp(primals: Value[], tangents: Value[]) {
  const [a, b] = primals;
  const [t1, t2] = tangents;
  const out = logaddexp2Custom(a, b);
  return [
    out,
    lax.add(
      lax.mul(t1, lax.exp2(lax.sub(replaceInf(a), replaceInf(out)))),
      lax.mul(t2, lax.exp2(lax.sub(replaceInf(b), replaceInf(out)))),
    ),
  ];
});

/** jnp.logaddexp2(x1, x2): log2(2 ** x1 + 2 ** x2) without overflow. */
export function logaddexp2(x1: unknown, x2: unknown): Value {
  const [a, b] = broadcast_arrays(...promoteArgsInexact(x1, x2));
  return logaddexp2Custom(a, b);
}

const FLOAT_BITS: Record<
  string,
  { bits: number; nmant: number; nexp: number; minexp: number; tiny: number }
> = {
  float16: { bits: 16, nmant: 10, nexp: 5, minexp: -14, tiny: 2 ** -14 },
  float32: { bits: 32, nmant: 23, nexp: 8, minexp: -126, tiny: 2 ** -126 },
  float64: { bits: 64, nmant: 52, nexp: 11, minexp: -1022, tiny: 2 ** -1022 },
};
const INT_OF: Record<number, string> = { 16: 'int16', 32: 'int32', 64: 'int64' };

/** frexp on the bit fields: subnormals are first scaled into the normal range. */
function frexpImpl(x: Value): [Value, Value] {
  const info = FLOAT_BITS[x.dtype.name];
  const it = INT_OF[info.bits];
  const big = info.bits === 64;
  const k = (v: number) => convertElementType(big ? BigInt(v) : v, it);
  const mask = (1 << info.nexp) - 1;
  const bias = 1 - info.minexp;
  const tinyCond = lax.lt(lax.abs(x), info.tiny);
  const x1f = uf.where(tinyCond, lax.mul(x, 2 ** info.nmant), x);
  let e = uf.where(tinyCond, k(-info.nmant), k(0));
  let bits = lax.bitcastConvertType(x1f, it);
  e = lax.add(
    e,
    lax.add(lax.sub(lax.bitwiseAnd(lax.shiftRightArithmetic(bits, k(info.nmant)), k(mask)), k(bias)), k(1)),
  );
  // Python folds ~(mask << nmant) and (bias - 1) << nmant into int literals.
  const shifted = (v: number) => BigInt(v) << BigInt(info.nmant);
  const lit = (v: bigint) =>
    convertElementType(big ? BigInt.asIntN(64, v) : Number(BigInt.asIntN(32, v)), it);
  bits = lax.bitwiseAnd(bits, lit(~shifted(mask)));
  bits = lax.bitwiseOr(bits, lit(shifted(bias - 1)));
  const m = lax.bitcastConvertType(bits, x.dtype);
  const special = uf.logical_or(uf.logical_or(uf.isinf(x), uf.isnan(x)), uf.equal(x, 0));
  e = uf.where(special, fullLike(e, 0), e);
  return [uf.where(special, x, m), convertElementType(e, int32)];
}

const frexpCustom = customJvp(function _frexp(x: Value): Value[] {
  return frexpImpl(x);
});
frexpCustom.defjvp(function _frexp_jvp(primals: Value[], tangents: Value[]) {
  const [x] = primals;
  const [t] = tangents;
  // JAX's rule calls the public, jitted frexp (so the jvp shows a nested jit[name=frexp]).
  const [m, e] = frexpJit(x);
  return [
    [m, e],
    [lax.mul(t, lax.exp2(lax.neg(convertElementType(e, t.dtype)))), new Zero(e.aval)],
  ];
});

const frexpJit = namedJit('frexp', function frexp(x: Value): Value[] {
  const [v] = promoteArgsInexact(x);
  return frexpCustom(v);
});

/** jnp.frexp(x): [mantissa in [0.5, 1), integer exponent] with x = m * 2 ** e. */
export function frexp(x: unknown): [Value, Value] {
  return frexpJit(asValue(x)) as [Value, Value];
}

const ldexpJit = namedJit('ldexp', function ldexp(x1: Value, x2: Value): Value {
  if (x2.dtype.isFloat)
    throw new ValueError(
      `ldexp not supported for input types (dtype('${x1.dtype.name}'), dtype('${x2.dtype.name}'))`,
    );
  const [a] = promoteArgsInexact(x1);
  const n = convertElementType(x2, a.dtype);
  let [m, e] = frexpJit(a) as Value[];
  e = convertElementType(uf.add(convertElementType(e, n.dtype), n), a.dtype);
  m = uf.where(uf.greater(e, 0), uf.multiply(m, 2), m);
  e = uf.where(uf.greater(e, 0), uf.subtract(e, 1), e);
  const x = uf.multiply(m, uf.power(2, convertElementType(e, m.dtype)));
  return uf.where(uf.logical_or(uf.isinf(a), uf.equal(a, 0)), a, x);
});

/** jnp.ldexp(x1, x2): x1 * 2 ** x2 for integer x2. */
export function ldexp(x1: unknown, x2: unknown): Value {
  return ldexpJit(asValue(x1), asValue(x2));
}

const modfJit = namedJit('modf', function modf(x: Value): Value[] {
  const [v] = promoteArgsInexact(x);
  const whole = uf.where(uf.greater_equal(v, 0), uf.floor(v), uf.ceil(v));
  return [uf.subtract(v, whole), whole];
});

/** jnp.modf(x): [fractional part, integral part], both with x's sign. */
export function modf(x: unknown, opts: { out?: null } = {}): [Value, Value] {
  if (opts.out !== undefined && opts.out !== null) {
    throw new NotImplementedError("The 'out' argument to jnp.modf is not supported.");
  }
  return modfJit(asValue(x)) as [Value, Value];
}

function posNegInf(inf: number, x0: unknown): Value {
  const x = asValue(x0);
  if (x.dtype.isFloat) return lax.eq(x, convertElementType(inf, x.dtype, x.weakType));
  return fullLike(x, false, bool);
}

/** jnp.isposinf(x). */
export function isposinf(x: unknown): Value {
  return posNegInf(Number.POSITIVE_INFINITY, x);
}
/** jnp.isneginf(x). */
export function isneginf(x: unknown): Value {
  return posNegInf(Number.NEGATIVE_INFINITY, x);
}

const sincMaclaurin = customJvp(
  function _sinc_maclaurin(k: number, x: Value): Value {
    const zero = lax.mul(x, 0);
    return k % 2 ? zero : lax.add(zero, (-1) ** Math.floor(k / 2) / (k + 1));
  },
  { nondiffArgnums: [0] },
);
sincMaclaurin.defjvp(function _sinc_maclaurin_jvp(k: number, primals: Value[], tangents: Value[]) {
  return [sincMaclaurin(k, primals[0]), lax.mul(sincMaclaurin(k + 1, primals[0]), tangents[0])];
});

const sincJit = namedJit('sinc', function sinc(x0: Value): Value {
  const [x] = promoteArgsInexact(x0);
  const c = (v: number) => convertElementType(v, x.dtype);
  const eqZero = lax.eq(x, c(0));
  const piX = lax.mul(c(Math.PI), x);
  const safe = uf.where(eqZero, c(1), piX);
  return uf.where(eqZero, sincMaclaurin(0, piX), lax.div(lax.sin(safe), safe));
});

/** jnp.sinc(x): sin(pi x) / (pi x), 1 at 0 (with the right derivatives there). */
export function sinc(x: unknown): Value {
  return sincJit(asValue(x));
}

const gcdJit = namedJit('gcd', function gcd(x1: Value, x2: Value): Value {
  const [a0, b0] = promoteArgs(x1, x2);
  if (!a0.dtype.isInt) throw new ValueError('Arguments to jax.numpy.gcd must be integers.');
  const [a, b] = broadcast_arrays(a0, b0);
  const [g] = whileLoop(
    ([, y]: Value[]) => any(uf.not_equal(y, 0)),
    // JAX's _gcd_body_fn, each comparison made where it is used.
    ([x, y]: Value[]) => {
      const p = uf.where(uf.not_equal(y, 0), y, x);
      const q = uf.where(uf.not_equal(y, 0), lax.rem(x, y), constantLike(y, 0));
      return [uf.where(uf.less(p, q), q, p), uf.where(uf.less(p, q), p, q)];
    },
    [uf.abs(a), uf.abs(b)],
  );
  return g;
});

/** jnp.gcd(x1, x2): the greatest common divisor of |x1| and |x2|. */
export function gcd(x1: unknown, x2: unknown): Value {
  return gcdJit(asValue(x1), asValue(x2));
}

const lcmJit = namedJit('lcm', function lcm(x1: Value, x2: Value): Value {
  const [a0, b0] = promoteArgs(x1, x2);
  const [a, b] = [uf.abs(a0), uf.abs(b0)];
  if (!a.dtype.isInt) throw new ValueError('Arguments to jax.numpy.lcm must be integers.');
  const d = gcdJit(a, b);
  return uf.where(uf.equal(d, 0), convertElementType(0, d.dtype), uf.multiply(a, uf.floor_divide(b, d)));
});

/** jnp.lcm(x1, x2): the least common multiple of |x1| and |x2|. */
export function lcm(x1: unknown, x2: unknown): Value {
  return lcmJit(asValue(x1), asValue(x2));
}

export interface NanToNumOptions {
  copy?: boolean;
  nan?: unknown;
  posinf?: unknown;
  neginf?: unknown;
}

// Options not given stay out of the traced arguments (null), as JAX's Python defaults do.
const nanToNumJit = namedJit(
  'nan_to_num',
  function nan_to_num(x: Value, nan: Value | null, posinf: Value | null, neginf: Value | null): Value {
    const dt: DType = x.dtype;
    if (!dt.isFloat) return x;
    const info = finfo(dt);
    const as = (v: Value | number) => convertElementType(v, dt);
    let out = uf.where(uf.isnan(x), nan ? as(nan) : constantLike(x, 0), x);
    out = uf.where(isposinf(out), as(posinf ?? info.max), out);
    return uf.where(isneginf(out), as(neginf ?? info.min), out);
  },
);

/** jnp.nan_to_num(x, {nan, posinf, neginf}): NaN and infinities replaced by finite values. */
export function nan_to_num(x: unknown, opts: NanToNumOptions = {}): Value {
  const opt = (v: unknown) => (v === undefined || v === null ? null : asValue(v));
  return nanToNumJit(asValue(x), opt(opts.nan), opt(opts.posinf), opt(opts.neginf));
}
export const nanToNum = nan_to_num;

function i0Body(x: Value): Value {
  const ax = lax.abs(x);
  return lax.mul(lax.exp(ax), besselI0e(ax));
}
const i0Custom = customJvp(function _i0(x: Value): Value {
  return i0Body(x);
});
// The body's own derivative, made 0 at x = 0 (where |x| has none and I0 is flat).
i0Custom.defjvp(function _i0_jvp(primals: Value[], tangents: Value[]) {
  const [out, t] = jvp(i0Body, primals, tangents) as [Value, Value];
  return [out, uf.where(uf.equal(primals[0], 0), pyfloat(0), t)];
});

const i0Jit = namedJit('i0', function i0(x: Value): Value {
  const [v] = promoteArgsInexact(x);
  if (!v.dtype.isFloat) throw new ValueError(`Unsupported input type to jax.numpy.i0: ${v.dtype.name}`);
  return i0Custom(v);
});

/** jnp.i0(x): the modified Bessel function of the first kind, order 0 (jitted, as JAX's). */
export function i0(x: unknown): Value {
  return i0Jit(asValue(x));
}
