/**
 * @file NumPy's elementwise functions on the lax primitives, with JAX's promotion (weak types)
 * and NumPy's broadcasting. Names follow NumPy; camelCase aliases live in index.ts.
 */
import { config } from '../core/config.js';
import { bool, type DType, defaultFloat, int32 } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { broadcastShapes } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { customJvp } from '../transforms/custom.js';
import { namedJit } from '../transforms/jit.js';
import { asValue, broadcastTo, promoteArgs, promoteArgsInexact, promoteShapes } from './util.js';

type In = unknown;

function binary(name: string, f: (a: Value, b: Value) => Value) {
  const g = (x: In, y: In): Value => {
    const [a, b] = promoteShapes(name, promoteArgs(x, y));
    return f(a, b);
  };
  Object.defineProperty(g, 'name', { value: name });
  return g;
}

function binaryInexact(name: string, f: (a: Value, b: Value) => Value) {
  return (x: In, y: In): Value => {
    const [a, b] = promoteShapes(name, promoteArgsInexact(x, y));
    return f(a, b);
  };
}

function unaryInexact(f: (a: Value) => Value) {
  return (x: In): Value => f(promoteArgsInexact(x)[0]);
}

function unary(f: (a: Value) => Value) {
  return (x: In): Value => f(promoteArgs(x)[0]);
}

export const add = binary('add', (a, b) => (a.dtype.isBool ? lax.bitwiseOr(a, b) : lax.add(a, b)));
// Bools reach lax.sub / lax.neg, which raise JAX's own message for them.
export const subtract = binary('sub', lax.sub);
export const multiply = binary('mul', (a, b) => (a.dtype.isBool ? lax.bitwiseAnd(a, b) : lax.mul(a, b)));
export const true_divide = binaryInexact('div', lax.div);
export const divide = true_divide;
export const maximum = binary('max', lax.max);
export const minimum = binary('min', lax.min);
export const arctan2 = binaryInexact('atan2', lax.atan2);
export const nextafter = binaryInexact('nextafter', lax.nextafter);
export const bitwise_and = binary('and', lax.bitwiseAnd);
export const bitwise_or = binary('or', lax.bitwiseOr);
export const bitwise_xor = binary('xor', lax.bitwiseXor);
export const left_shift = binary('shift_left', lax.shiftLeft);
export const right_shift = binary('shift_right', (a, b) =>
  a.dtype.kind === 'u' ? lax.shiftRightLogical(a, b) : lax.shiftRightArithmetic(a, b),
);
export const equal = binary('eq', lax.eq);
export const not_equal = binary('ne', lax.ne);
export const less = binary('lt', lax.lt);
export const less_equal = binary('le', lax.le);
export const greater = binary('gt', lax.gt);
export const greater_equal = binary('ge', lax.ge);
export const logical_and = (x: In, y: In) => bitwise_and(astypeBool(x), astypeBool(y));
export const logical_or = (x: In, y: In) => bitwise_or(astypeBool(x), astypeBool(y));
export const logical_xor = (x: In, y: In) => bitwise_xor(astypeBool(x), astypeBool(y));
export const logical_not = (x: In) => lax.bitwiseNot(astypeBool(x));

function astypeBool(x: In): Value {
  return convertElementType(asValue(x), bool);
}

/** jnp.floor_divide: floor(x / y) for floats; rounds toward -inf for ints (Python's //). */
export const floor_divide = binary('floor_divide', (a, b) => {
  if (a.dtype.isFloat) return lax.floor(lax.div(a, b));
  if (a.dtype.isBool) throw new TypeError('floor_divide does not accept dtype bool');
  // Integer: truncated quotient, minus one where signs differ and the remainder is nonzero.
  const q = lax.div(a, b);
  if (a.dtype.kind === 'u') return q;
  const r = lax.rem(a, b);
  const fix = lax.bitwiseAnd(lax.ne(r, 0), lax.ne(lax.lt(a, 0), lax.lt(b, 0)));
  return lax.select(fix, lax.sub(q, 1), q);
});

/** jnp.remainder / jnp.mod: the result has the sign of the divisor (Python's %). */
export const remainder = binary('rem', (a, b) => {
  const r = lax.rem(a, b);
  if (a.dtype.kind === 'u') return r;
  const fix = lax.bitwiseAnd(lax.ne(r, 0), lax.ne(lax.lt(r, 0), lax.lt(b, 0)));
  return lax.select(fix, lax.add(r, b), r);
});
export const mod = remainder;
export const fmod = binary('fmod', lax.rem);

/**
 * jnp.power, with JAX's cases: a JS integer exponent is lax.integer_pow; an integer (or bool)
 * base with an integer exponent uses unrolled binary exponentiation (JAX's _pow_int_int: six
 * squarings, as anything more overflows for |x| > 1); a float base with an integer exponent is
 * lax.pow without promotion; otherwise promote and lax.pow.
 */
export function power(x: In, y: In): Value {
  if (typeof y === 'number' && Number.isInteger(y)) {
    const [a] = promoteArgs(x);
    return lax.integerPow(a.dtype.isBool ? convertElementType(a, int32) : a, y);
  }
  const [xs, ys] = promoteShapes('power', [asValue(x), asValue(y)]);
  const [a, b] = promoteArgs(xs, ys);
  if (a.dtype.isInt || a.dtype.isBool)
    return powIntInt(
      a.dtype.isBool ? convertElementType(a, int32) : a,
      a.dtype.isBool ? convertElementType(b, int32) : b,
    );
  if (xs.dtype.isFloat && ys.dtype.isInt) return lax.pow(xs, ys);
  return lax.pow(a, b);
}

function powIntInt(x: Value, y: Value): Value {
  // As JAX's _pow_int_int: _where broadcasts, so (3, 1) ** (1, 3) works as it does in JAX.
  const [zero, one] = [0, 1].map((v) => convertElementType(v, y.dtype));
  let acc = where(lax.bitwiseAnd(lax.eq(x, zero), lax.ne(y, zero)), zero, one);
  let base = x;
  let e = y;
  for (let i = 0; i < 6; i++) {
    acc = where(lax.ne(lax.bitwiseAnd(e, one), zero), lax.mul(acc, base), acc);
    base = lax.mul(base, base);
    e = lax.shiftRightLogical(e, one);
  }
  return acc;
}

export const negative = unary(lax.neg);
export const positive = unary((a) => a);
export const absolute = unary((a) => (a.dtype.kind === 'u' || a.dtype.isBool ? a : lax.abs(a)));
export const abs = absolute;
export const sign = unary((a) => (a.dtype.isBool ? a : lax.sign(a)));
export const floor = unary((a) => (a.dtype.isFloat ? lax.floor(a) : a));
export const ceil = unary((a) => (a.dtype.isFloat ? lax.ceil(a) : a));
export const trunc = unary((a) =>
  a.dtype.isFloat ? lax.select(lax.lt(a, 0), lax.ceil(a), lax.floor(a)) : a,
);
export const rint = unary((a) => (a.dtype.isFloat ? lax.round(a, 1) : a));
export const exp = unaryInexact(lax.exp);
export const exp2 = unaryInexact(lax.exp2);
export const log = unaryInexact(lax.log);
export const log2 = unaryInexact((a) => lax.div(lax.log(a), lax.log(convertElementType(2, a.dtype, true))));
export const log10 = unaryInexact((a) => lax.div(lax.log(a), lax.log(convertElementType(10, a.dtype, true))));
export const log1p = unaryInexact(lax.log1p);
export const expm1 = unaryInexact(lax.expm1);
export const sqrt = unaryInexact(lax.sqrt);
export const rsqrt = unaryInexact(lax.rsqrt);
export const cbrt = unaryInexact(lax.cbrt);
export const sin = unaryInexact(lax.sin);
export const cos = unaryInexact(lax.cos);
export const tan = unaryInexact(lax.tan);
export const arcsin = unaryInexact(lax.asin);
export const arccos = unaryInexact(lax.acos);
export const arctan = unaryInexact(lax.atan);
export const sinh = unaryInexact(lax.sinh);
export const cosh = unaryInexact(lax.cosh);
export const tanh = unaryInexact(lax.tanh);
export const arcsinh = unaryInexact(lax.asinh);
export const arccosh = unaryInexact(lax.acosh);
export const arctanh = unaryInexact(lax.atanh);
export const square = unary((a) => lax.square(a));
export const reciprocal = unaryInexact((a) => lax.integerPow(a, -1));
export const bitwise_not = unary((a) => lax.bitwiseNot(a));
export const invert = bitwise_not;
export const isfinite = unary((a) => (a.dtype.isFloat ? lax.isFinite(a) : fullBool(a, true)));
export const isnan = unary((a) => (a.dtype.isFloat ? lax.ne(a, a) : fullBool(a, false)));
export const isinf = unary((a) =>
  a.dtype.isFloat ? lax.eq(lax.abs(a), Number.POSITIVE_INFINITY) : fullBool(a, false),
);
export const signbit = unary((a) =>
  a.dtype.isFloat
    ? lax.lt(
        lax.bitcastConvertType(
          a,
          a.dtype.itemsize === 8 ? 'int64' : a.dtype.itemsize === 2 ? 'int16' : 'int32',
        ),
        0,
      )
    : lax.lt(a, 0),
);
export const deg2rad = unaryInexact((a) => lax.mul(a, Math.PI / 180));
export const rad2deg = unaryInexact((a) => lax.mul(a, 180 / Math.PI));
export const radians = deg2rad;
export const degrees = rad2deg;
export const hypot = binaryInexact('hypot', (a, b) => lax.sqrt(lax.add(lax.mul(a, a), lax.mul(b, b))));
/** +inf -> 0, for the logaddexp derivative (JAX's _replace_inf). */
function replaceInf(x: Value): Value {
  return lax.select(lax.eq(x, Number.POSITIVE_INFINITY), lax.sub(x, x), x);
}

/**
 * log(exp(a) + exp(b)), as JAX computes it: max + log1p(exp(-|a - b|)), NaN-safe, with JAX's
 * custom derivative `t1 exp(a - out) + t2 exp(b - out)`, which is right at ties and to any order.
 */
const logaddexpCustom = customJvp(function logaddexp(a: Value, b: Value): Value {
  const amax = lax.max(a, b);
  const delta = lax.sub(a, b);
  return lax.select(
    lax.ne(delta, delta),
    lax.add(a, b),
    lax.add(amax, lax.log1p(lax.exp(lax.neg(lax.abs(delta))))),
  );
});
logaddexpCustom.defjvp(function _logaddexp_jvp(primals: Value[], tangents: Value[]) {
  const [a, b] = primals;
  const [t1, t2] = tangents;
  const out = logaddexpCustom(a, b) as Value;
  const o = replaceInf(out);
  const tangent = lax.add(
    lax.mul(t1, lax.exp(lax.sub(replaceInf(a), o))),
    lax.mul(t2, lax.exp(lax.sub(replaceInf(b), o))),
  );
  return [out, tangent];
});

export const logaddexp = binaryInexact('logaddexp', (a, b) => logaddexpCustom(a, b) as Value);
// JAX's _where broadcasts operands of different shapes (a scalar sign, an array of magnitudes).
export const copysign = binaryInexact('copysign', (a, b) =>
  where(signbit(b), lax.neg(lax.abs(a)), lax.abs(a)),
);
export const heaviside = binaryInexact('heaviside', (a, b) => {
  const zero = convertElementType(0, a.dtype);
  return where(
    lax.lt(a, zero),
    zero,
    where(lax.gt(a, zero), convertElementType(1, a.dtype), where(lax.ne(a, a), a, b)),
  );
});
export const fmax = binary('fmax', (a, b) =>
  lax.select(lax.ne(b, b), a, lax.select(lax.ne(a, a), b, lax.max(a, b))),
);
export const fmin = binary('fmin', (a, b) =>
  lax.select(lax.ne(b, b), a, lax.select(lax.ne(a, a), b, lax.min(a, b))),
);

function fullBool(a: Value, v: boolean): Value {
  return lax.ne(lax.convertElementType(a, bool), !v);
}

/** jnp.round(x, decimals): round half to even, as NumPy. */
export function round(x: In, decimals = 0): Value {
  const [a] = promoteArgs(x);
  if (!a.dtype.isFloat) return a;
  if (decimals === 0) return lax.round(a, 1);
  const f = 10 ** decimals;
  return lax.div(lax.round(lax.mul(a, f), 1), f);
}
export const around = round;

/**
 * jnp.clip(x, min, max). As in JAX, a jitted function named `clip` (so jaxprs show
 * `jit[name=clip ...]`), applying `maximum(min, x)` then `minimum(max, x)`.
 */
const clipJit = namedJit('clip', function clip(arr: Value, min: Value | null, max: Value | null): Value {
  let a = arr;
  if (min !== null && min !== undefined) a = maximum(min, a);
  if (max !== null && max !== undefined) a = minimum(max, a);
  return a;
});

export function clip(x?: In | null, min?: In | null, max?: In | null): Value {
  if (x === undefined || x === null) throw new ValueError('No input was provided to the clip function.');
  return clipJit(
    asValue(x),
    min === undefined || min === null ? null : asValue(min),
    max === undefined || max === null ? null : asValue(max),
  );
}

/**
 * JAX's `_where`: jitted (JAX does it to avoid materializing broadcast scalars op by op), so
 * jaxprs show `jit[name=_where ...]`. A non-bool condition is compared with zero; x and y are
 * promoted together, then everything is broadcast to the common shape (a 0-d condition stays).
 */
const whereJit = namedJit('_where', function _where(condition: Value, x: Value, y: Value): Value {
  let c = condition;
  if (!c.dtype.isBool) c = lax.ne(c, 0);
  const [a, b] = promoteArgs(x, y);
  const shape = broadcastShapes('where', ...(c.ndim === 0 ? [a, b] : [c, a, b]).map((v) => v.shape));
  const aa = broadcastTo(a, shape);
  if (shape.includes(0)) return aa;
  return lax.select(c.ndim === 0 ? c : broadcastTo(c, shape), aa, broadcastTo(b, shape));
});

/** jnp.where(cond, x, y): three-argument form. */
export function where(cond: In, x: In, y: In): Value {
  return whereJit(asValue(cond), asValue(x), asValue(y));
}

export function astype(x: In, dtype: DType | string): Value {
  return convertElementType(asValue(x), dtype as DType);
}

export function real(x: In): Value {
  return asValue(x);
}

export function float_(x: In): Value {
  return convertElementType(asValue(x), defaultFloat());
}

export { config, int32 };
