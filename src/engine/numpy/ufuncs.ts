/**
 * @file NumPy's elementwise functions on the lax primitives, with JAX's promotion (weak types)
 * and NumPy's broadcasting, written as jax/_src/numpy/ufuncs.py writes them so their jaxprs print
 * as JAX's: the same primitives in the same order, and the same functions jitted (JAX's
 * `@jit` ones, such as rint, signbit, remainder or hypot, print `jit[name=...]`; its
 * `@jit(inline=True)` ones, most of them, leave no trace). Names follow NumPy; camelCase aliases
 * live in index.ts.
 */
import { config } from '../core/config.js';
import { bool, type DType, defaultFloat, int16, int32, int64, promoteTypes } from '../core/dtype.js';
import { NotImplementedError, ValueError } from '../core/errors.js';
import { broadcastShapes } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import * as lc from '../lax/complex.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { logaddexp as laxLogaddexp } from '../lax/other.js';
import { namedJit } from '../transforms/jit.js';
import {
  asValue,
  broadcastTo,
  constantLike,
  fullLike,
  promoteArgs,
  promoteArgsInexact,
  promoteArgsInexactShapes,
  promoteArgsNumeric,
  promoteArgsNumericShapes,
  promoteArgsShapes,
  promoteShapes,
} from './util.js';

type In = unknown;

/** A binary ufunc: `f(*promote_args(x, y))`; `name` is the lax op's, which a shape error names. */
function binary(name: string, f: (a: Value, b: Value) => Value) {
  const g = (x: In, y: In): Value => {
    const [a, b] = promoteArgsShapes(name, x, y);
    return f(a, b);
  };
  Object.defineProperty(g, 'name', { value: name });
  return g;
}

function binaryInexact(name: string, f: (a: Value, b: Value) => Value) {
  return (x: In, y: In): Value => {
    const [a, b] = promoteArgsInexactShapes(name, x, y);
    return f(a, b);
  };
}

function unaryInexact(f: (a: Value) => Value) {
  return (x: In): Value => f(promoteArgsInexact(x)[0]);
}

function unary(f: (a: Value) => Value) {
  return (x: In): Value => f(promoteArgs(x)[0]);
}

/** JAX's `_to_bool`: a comparison with zero unless already bool. */
function toBool(x: Value): Value {
  return x.dtype.isBool ? x : lax.ne(x, constantLike(x, 0));
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
export const float_power = binaryInexact('pow', lax.pow);
export const bitwise_and = binary('and', lax.bitwiseAnd);
export const bitwise_or = binary('or', lax.bitwiseOr);
export const bitwise_xor = binary('xor', lax.bitwiseXor);
export function left_shift(x: In, y: In): Value {
  return lax.shiftLeft(...(promoteArgsNumericShapes('shift_left', x, y) as [Value, Value]));
}
export function right_shift(x: In, y: In): Value {
  const [a, b] = promoteArgsNumericShapes('shift_right', x, y);
  return a.dtype.kind === 'u' ? lax.shiftRightLogical(a, b) : lax.shiftRightArithmetic(a, b);
}
export const equal = binary('eq', lax.eq);
export const not_equal = binary('ne', lax.ne);
export const less = binary('lt', lax.lt);
export const less_equal = binary('le', lax.le);
export const greater = binary('gt', lax.gt);
export const greater_equal = binary('ge', lax.ge);
export const logical_and = binary('and', (a, b) => lax.bitwiseAnd(toBool(a), toBool(b)));
export const logical_or = binary('or', (a, b) => lax.bitwiseOr(toBool(a), toBool(b)));
export const logical_xor = binary('xor', (a, b) => lax.bitwiseXor(toBool(a), toBool(b)));
export const logical_not = unary((a) => lax.bitwiseNot(toBool(a)));

/** CPython's float_divmod, as JAX's _float_divmod: (round(quotient), modulo). */
function floatDivmod(x1: Value, x2: Value): [Value, Value] {
  let mod = lax.rem(x1, x2);
  const corrected = where(equal(x2, 0), x1, lax.sub(x1, mod));
  let div = lax.div(corrected, x2);
  const ind = lax.bitwiseAnd(not_equal(mod, 0), not_equal(lax.sign(x2), lax.sign(mod)));
  mod = lax.select(ind, add(mod, x2), mod);
  div = lax.select(ind, subtract(div, 1.0), div);
  return [lax.round(div, 0), mod];
}

const floorDivideJit = namedJit('floor_divide', function floor_divide(x: Value, y: Value): Value {
  const [x1, x2] = promoteArgsNumericShapes('floor_divide', x, y);
  const d = x1.dtype;
  if (d.kind === 'u') return lax.div(x1, x2);
  if (d.kind === 'i') {
    const quotient = lax.div(x1, x2);
    const select = logical_and(not_equal(lax.sign(x1), lax.sign(x2)), not_equal(lax.rem(x1, x2), 0));
    return where(select, subtract(quotient, 1), quotient);
  }
  return floatDivmod(x1, x2)[0];
});
/** jnp.floor_divide: Python's `//` (floor for floats through CPython's divmod, toward -inf for ints). */
export function floor_divide(x: In, y: In): Value {
  return floorDivideJit(asValue(x), asValue(y));
}

const divmodJit = namedJit('divmod', function divmod(x: Value, y: Value): [Value, Value] {
  const [x1, x2] = promoteArgsNumericShapes('divmod', x, y);
  if (x1.dtype.isInt) return [floor_divide(x1, x2), remainder(x1, x2)];
  return floatDivmod(x1, x2);
});
export function divmod(x: In, y: In): [Value, Value] {
  return divmodJit(asValue(x), asValue(y));
}

const remainderJit = namedJit('remainder', function remainder(x: Value, y: Value): Value {
  let [x1, x2] = promoteArgsNumericShapes('remainder', x, y);
  const zero = constantLike(x1, 0);
  if (x2.dtype.isInt) x2 = where(equal(x2, 0), fullLike(x2, 1), x2);
  const truncMod = lax.rem(x1, x2);
  const notZero = lax.ne(truncMod, zero);
  const doPlus = lax.bitwiseAnd(lax.ne(lax.lt(truncMod, zero), lax.lt(x2, zero)), notZero);
  return lax.select(doPlus, lax.add(truncMod, x2), truncMod);
});
/** jnp.remainder / jnp.mod: the result has the sign of the divisor (Python's %). */
export function remainder(x: In, y: In): Value {
  return remainderJit(asValue(x), asValue(y));
}
export const mod = remainder;

const fmodJit = namedJit('fmod', function fmod(x: Value, y: Value): Value {
  let x2 = y;
  const rt = promoteTypes({ dtype: x.dtype, weakType: x.weakType }, { dtype: y.dtype, weakType: y.weakType });
  if (rt.dtype.isInt) x2 = where(equal(x2, 0), fullLike(x2, 1), x2);
  return lax.rem(...(promoteArgsNumericShapes('fmod', x, x2) as [Value, Value]));
});
export function fmod(x: In, y: In): Value {
  return fmodJit(asValue(x), asValue(y));
}

/**
 * jnp.power, with JAX's cases: a concrete integer exponent is lax.integer_pow; an integer (or
 * bool) base with an integer exponent uses unrolled binary exponentiation (JAX's _pow_int_int:
 * six squarings, as anything more overflows for |x| > 1); a float base with an integer exponent
 * is lax.pow without promotion; otherwise promote and lax.pow.
 */
export function power(x: In, y: In): Value {
  if (typeof y === 'number' && Number.isInteger(y)) return lax.integerPow(promoteArgsNumeric(x)[0], y);
  // JAX's _power: shapes promoted without the dtypes, which stay apart for the float ** int case.
  const [xs, ys] = promoteShapes('power', [asValue(x), asValue(y)]);
  const [a, b] = promoteArgsNumeric(xs, ys);
  if (a.dtype.isInt) return powIntInt(a, b);
  if (xs.dtype.isFloat && ys.dtype.isInt) return lax.pow(xs, ys);
  return lax.pow(a, b);
}
export const pow = power;

function powIntInt(x1: Value, x2: Value): Value {
  let [base, e] = [x1, x2];
  const zero = constantLike(e, 0);
  const one = constantLike(e, 1);
  let acc = where(lax.bitwiseAnd(lax.eq(base, zero), lax.ne(e, zero)), zero, one);
  for (let i = 0; i < 6; i++) {
    acc = where(lax.bitwiseAnd(e, one), lax.mul(acc, base), acc);
    base = lax.mul(base, base);
    e = lax.shiftRightLogical(e, one);
  }
  return acc;
}

export const negative = unary(lax.neg);
export const positive = unary((a) => a);
export function absolute(x: In): Value {
  const a = asValue(x);
  return a.dtype.kind === 'u' || a.dtype.isBool ? a : lax.abs(a);
}
export const abs = absolute;
export const fabs = unaryInexact(lax.abs);
export const sign = unary((a) => (a.dtype.isBool ? a : lax.sign(a)));
export function floor(x: In): Value {
  const a = asValue(x);
  return a.dtype.isInt || a.dtype.isBool ? a : lax.floor(promoteArgsInexact(a)[0]);
}
export function ceil(x: In): Value {
  const a = asValue(x);
  return a.dtype.isInt || a.dtype.isBool ? a : lax.ceil(promoteArgsInexact(a)[0]);
}

const truncJit = namedJit('trunc', function trunc(x: Value): Value {
  if (x.dtype.isInt || x.dtype.isBool) return x;
  return where(lax.lt(x, constantLike(x, 0)), ceil(x), floor(x));
});
export function trunc(x: In): Value {
  return truncJit(asValue(x));
}

const rintJit = namedJit('rint', function rint(x: Value): Value {
  if (x.dtype.isBool || x.dtype.isInt) return convertElementType(x, defaultFloat());
  return lax.round(x, 1);
});
export function rint(x: In): Value {
  return rintJit(asValue(x));
}

export const exp = unaryInexact(lax.exp);
export const exp2 = unaryInexact(lax.exp2);
export const log = unaryInexact(lax.log);
export const log2 = unaryInexact((a) => {
  // Complex: the parts of log(a) each divided by ln 2 of the part dtype, as JAX's log2.
  if (a.dtype.isComplex) return complexParts(lax.log(a), (p) => lax.div(p, lax.log(constantLike(p, 2))));
  return lax.div(lax.log(a), lax.log(constantLike(a, 2)));
});
/** 1 / log(10) in the float's own precision, as JAX multiplies by it. */
export const log10 = unaryInexact((a) => {
  if (a.dtype.isComplex) return complexParts(lax.log(a), (p) => lax.mul(p, constantLike(p, Math.LOG10E)));
  return lax.mul(lax.log(a), constantLike(a, Math.LOG10E));
});

/** complex(f(real z), f(imag z)). */
function complexParts(z: Value, f: (part: Value) => Value): Value {
  return lc.complex(f(lc.real(z)), f(lc.imag(z)));
}
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
const arccoshJit = namedJit('arccosh', function arccosh(x: Value): Value {
  return lax.acosh(promoteArgsInexact(x)[0]);
});
export function arccosh(x: In): Value {
  return arccoshJit(asValue(x));
}
export const arctanh = unaryInexact(lax.atanh);
export const square = (x: In): Value => lax.square(promoteArgsNumeric(x)[0]);
export const reciprocal = unaryInexact((a) => lax.integerPow(a, -1));
export const bitwise_not = unary((a) => lax.bitwiseNot(a));
export const invert = bitwise_not;
export function isfinite(x: In): Value {
  const a = asValue(x);
  if (a.dtype.isComplex) return lax.bitwiseAnd(lax.isFinite(lc.real(a)), lax.isFinite(lc.imag(a)));
  return a.dtype.isFloat ? lax.isFinite(a) : fullLike(a, true, bool);
}
export function isnan(x: In): Value {
  const a = asValue(x);
  return lax.ne(a, a);
}
const isinfJit = namedJit('isinf', function isinf(x: Value): Value {
  if (x.dtype.isComplex) {
    const [re, im] = [lc.real(x), lc.imag(x)];
    const inf = (p: Value) => lax.eq(lax.abs(p), constantLike(p, Number.POSITIVE_INFINITY));
    return lax.bitwiseOr(inf(re), inf(im));
  }
  return x.dtype.isFloat
    ? lax.eq(lax.abs(x), constantLike(x, Number.POSITIVE_INFINITY))
    : fullLike(x, false, bool);
});
export function isinf(x: In): Value {
  return isinfJit(asValue(x));
}
function isposinf(x: In): Value {
  const a = asValue(x);
  if (a.dtype.isComplex) throw new ValueError('isposinf/isneginf are not well defined for complex types');
  return a.dtype.isFloat ? lax.eq(a, constantLike(a, Number.POSITIVE_INFINITY)) : fullLike(a, false, bool);
}

const INT_OF_BITS: Record<number, DType> = { 16: int16, 32: int32, 64: int64 };
const signbitJit = namedJit('signbit', function signbit(x: Value): Value {
  const [a] = promoteArgs(x);
  if (a.dtype.isInt) return lax.lt(a, constantLike(a, 0));
  if (a.dtype.isBool) return fullLike(a, false, bool);
  if (!a.dtype.isFloat) throw new ValueError(`jax.numpy.signbit is not well defined for ${a.dtype.name}`);
  const bits = a.dtype.itemsize * 8;
  const i = lax.bitcastConvertType(a, INT_OF_BITS[bits]);
  return convertElementType(right_shift(i, bits - 1), bool);
});
export function signbit(x: In): Value {
  return signbitJit(asValue(x));
}

export const deg2rad = unaryInexact((a) => lax.mul(a, constantLike(a, Math.PI / 180)));
export const rad2deg = unaryInexact((a) => lax.mul(a, constantLike(a, 180 / Math.PI)));
export const radians = deg2rad;
export const degrees = rad2deg;

const hypotJit = namedJit('hypot', function hypot(x: Value, y: Value): Value {
  let [x1, x2] = promoteArgsInexactShapes('hypot', x, y);
  [x1, x2] = [lax.abs(x1), lax.abs(x2)];
  const idxInf = lax.bitwiseOr(isposinf(x1), isposinf(x2));
  [x1, x2] = [maximum(x1, x2), minimum(x1, x2)];
  const r = where(
    equal(x1, 0),
    x1,
    multiply(x1, lax.sqrt(add(1, lax.square(lax.div(x2, where(equal(x1, 0), fullLike(x1, 1), x1)))))),
  );
  return where(idxInf, constantLike(r, Number.POSITIVE_INFINITY), r);
});
export function hypot(x: In, y: In): Value {
  return hypotJit(asValue(x), asValue(y));
}

export const logaddexp = binaryInexact('logaddexp', (a, b) => laxLogaddexp(a, b) as Value);

const copysignJit = namedJit('copysign', function copysign(x: Value, y: Value): Value {
  const [x1, x2] = promoteArgsInexactShapes('copysign', x, y);
  return where(signbit(x2), negative(lax.abs(x1)), lax.abs(x1));
});
export function copysign(x: In, y: In): Value {
  return copysignJit(asValue(x), asValue(y));
}

const heavisideJit = namedJit('heaviside', function heaviside(x: Value, y: Value): Value {
  const [x1, x2] = promoteArgsInexact(x, y);
  const zero = constantLike(x1, 0);
  const lt = lax.lt(x1, zero);
  const gt = lax.gt(x1, zero);
  const one = constantLike(x1, 1);
  return where(lt, zero, where(gt, one, where(lax.ne(x1, x1), x1, x2)));
});
export function heaviside(x: In, y: In): Value {
  return heavisideJit(asValue(x), asValue(y));
}

const fmaxJit = namedJit('fmax', function fmax(x: Value, y: Value): Value {
  return where(logical_or(greater(x, y), isnan(y)), x, y);
});
export function fmax(x: In, y: In): Value {
  return fmaxJit(asValue(x), asValue(y));
}
const fminJit = namedJit('fmin', function fmin(x: Value, y: Value): Value {
  return where(logical_or(less(x, y), isnan(y)), x, y);
});
export function fmin(x: In, y: In): Value {
  return fminJit(asValue(x), asValue(y));
}

const roundJit = namedJit(
  'round',
  function round(a: Value, decimals: number): Value {
    if (a.dtype.isInt || a.dtype.isBool) {
      if (decimals < 0) throw new NotImplementedError('integer np.round not implemented for decimals < 0');
      return a;
    }
    if (decimals === 0) return lax.round(a, 1);
    if (
      decimals >
      Math.log10(
        a.dtype.itemsize === 8 ? Number.MAX_VALUE : a.dtype.itemsize === 4 ? 3.4028234663852886e38 : 65504,
      )
    )
      return a;
    const x = a.dtype.name === 'float16' ? convertElementType(a, 'float32') : a;
    const factor = constantLike(x, 10 ** decimals);
    const out = lax.div(lax.round(lax.mul(x, factor), 1), factor);
    return a.dtype.name === 'float16' ? convertElementType(out, a.dtype) : out;
  },
  { staticArgnums: [1] },
);

/** jnp.round(x, decimals): round half to even, as NumPy (a jitted `round`, as JAX's). */
export function round(x: In, decimals = 0): Value {
  return roundJit(asValue(x), decimals);
}
const aroundJit = namedJit(
  'around',
  function around(a: Value, decimals: number): Value {
    return round(a, decimals);
  },
  { staticArgnums: [1] },
);
export function around(x: In, decimals = 0): Value {
  return aroundJit(asValue(x), decimals);
}

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
  if (!c.dtype.isBool) c = lax.ne(c, constantLike(c, 0));
  const [a, b] = promoteArgs(x, y);
  const shape = broadcastShapes('where', ...(c.ndim === 0 ? [a, b] : [c, a, b]).map((v) => v.shape));
  // _broadcast_arrays(condition, x, y): broadcast in that order (the condition first).
  const cc = c.ndim === 0 ? c : broadcastTo(c, shape);
  const aa = broadcastTo(a, shape);
  const bb = broadcastTo(b, shape);
  return shape.includes(0) ? aa : lax.select(cc, aa, bb);
});

/** jnp.where(cond, x, y): three-argument form. */
export function where(cond: In, x: In, y: In): Value {
  return whereJit(asValue(cond), asValue(x), asValue(y));
}

export function astype(x: In, dtype: DType | string): Value {
  return convertElementType(asValue(x), dtype as DType);
}

export function float_(x: In): Value {
  return convertElementType(asValue(x), defaultFloat());
}

export { config, int32 };
