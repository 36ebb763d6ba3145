/**
 * @file lax's elementwise functions: thin wrappers that bind primitives. Like JAX's lax, they do
 * no implicit promotion (operands must share a dtype; JS scalars take the other operand's dtype
 * as weakly typed constants).
 */
import { toValue } from '../core/coerce.js';
import type { Complex } from '../core/complex.js';
import { type DTypeLike, toDType } from '../core/dtype.js';
import { ArrayMethods } from '../core/methods.js';
import type { Primitive } from '../core/primitive.js';
import { bind1, type Value } from '../core/trace.js';
import * as P from '../primitives/elementwise.js';
import * as PZ from '../primitives/zeta.js';
import { convertElementType } from './convert.js';

type In = Value | number | boolean | bigint | Complex;

/** Operands for a lax n-ary op: JS scalars become constants of the array operands' dtype. */
function operands(xs: In[]): Value[] {
  const arr = xs.find((x) => x instanceof ArrayMethods) as Value | undefined;
  return xs.map((x) => {
    if (x instanceof ArrayMethods) return x as Value;
    const v = toValue(x);
    return arr ? convertElementType(v, arr.dtype, true) : v;
  });
}

function un(p: Primitive) {
  return (x: In): Value => bind1(p, operands([x]));
}
function bin(p: Primitive) {
  return (x: In, y: In): Value => bind1(p, operands([x, y]));
}

export const neg = un(P.neg);
export const sign = un(P.sign);
export const floor = un(P.floor);
export const ceil = un(P.ceil);
export const abs = un(P.abs);
export const exp = un(P.exp);
export const exp2 = un(P.exp2);
export const log = un(P.log);
export const log1p = un(P.log1p);
export const expm1 = un(P.expm1);
export const sqrt = un(P.sqrt);
export const rsqrt = un(P.rsqrt);
export const cbrt = un(P.cbrt);
export const sin = un(P.sin);
export const cos = un(P.cos);
export const tan = un(P.tan);
export const asin = un(P.asin);
export const acos = un(P.acos);
export const atan = un(P.atan);
export const sinh = un(P.sinh);
export const cosh = un(P.cosh);
export const tanh = un(P.tanh);
export const asinh = un(P.asinh);
export const acosh = un(P.acosh);
export const atanh = un(P.atanh);
export const logistic = un(P.logistic);
export const erf = un(P.erf);
export const erfc = un(P.erfc);
export const erfInv = un(P.erf_inv);
export const lgamma = un(P.lgamma);
export const digamma = un(P.digamma);
// biome-ignore lint/suspicious/noShadowRestrictedNames: lax.is_finite in camelCase, inside the lax namespace.
export const isFinite = un(P.is_finite);
export const bitwiseNot = un(P.not);
export const populationCount = un(P.population_count);
export const clz = un(P.clz);

export const add = bin(P.add);
export const sub = bin(P.sub);
export const mul = bin(P.mul);
export const div = bin(P.div);
export const rem = bin(P.rem);
export const pow = bin(P.pow);
export const max = bin(P.max);
export const min = bin(P.min);
export const atan2 = bin(P.atan2);
export const nextafter = bin(P.nextafter);
export const polygamma = bin(P.polygamma);
/** lax.igamma(a, x): the regularized lower incomplete gamma function P(a, x). */
export const igamma = bin(P.igamma);
/** lax.igammac(a, x): the regularized upper incomplete gamma function Q(a, x). */
export const igammac = bin(P.igammac);
/** lax.igamma_grad_a(a, x): d/da P(a, x). */
export const igammaGradA = bin(P.igamma_grad_a);
/** lax.random_gamma_grad(a, x): the derivative in a of a Gamma(a, 1) sample x. */
export const randomGammaGrad = bin(P.random_gamma_grad);
/** lax.zeta(x, q): the Hurwitz zeta function. */
export const zeta = bin(PZ.zeta);
/** lax.betainc(a, b, x): the regularized incomplete beta function I_x(a, b). */
export function betainc(a: In, b: In, x: In): Value {
  return bind1(P.regularized_incomplete_beta, operands([a, b, x]));
}
export const bitwiseAnd = bin(P.and);
export const bitwiseOr = bin(P.or);
export const bitwiseXor = bin(P.xor);
export const shiftLeft = bin(P.shift_left);
export const shiftRightLogical = bin(P.shift_right_logical);
export const shiftRightArithmetic = bin(P.shift_right_arithmetic);
export const eq = bin(P.eq);
export const ne = bin(P.ne);
export const lt = bin(P.lt);
export const le = bin(P.le);
export const gt = bin(P.gt);
export const ge = bin(P.ge);

/** lax.round; roundingMethod 0 = AWAY_FROM_ZERO (default), 1 = TO_NEAREST_EVEN. */
export function round(x: In, roundingMethod: 0 | 1 = 0): Value {
  return bind1(P.round, operands([x]), { rounding_method: roundingMethod });
}

export function integerPow(x: In, y: number): Value {
  if (!Number.isInteger(y)) throw new TypeError(`integer_pow requires an integer exponent, got ${y}`);
  return bind1(P.integer_pow, operands([x]), { y });
}

export function square(x: In): Value {
  return bind1(P.square, operands([x]));
}

export function reciprocal(x: In): Value {
  return integerPow(x, -1);
}

/** lax.select_n(which, ...cases). */
export function selectN(which: In, ...cases: In[]): Value {
  const ops = operands(cases);
  return bind1(P.select_n, [toValue(which), ...ops]);
}

/** lax.select(pred, onTrue, onFalse) = select_n(pred, onFalse, onTrue). */
export function select(pred: In, onTrue: In, onFalse: In): Value {
  return selectN(pred, onFalse, onTrue);
}

export function clamp(lo: In, x: In, hi: In): Value {
  return bind1(P.clamp, operands([lo, x, hi]));
}

export function bitcastConvertType(x: In, newDtype: DTypeLike): Value {
  return bind1(P.bitcast_convert_type, [toValue(x)], { new_dtype: toDType(newDtype) });
}

export { convertElementType };
