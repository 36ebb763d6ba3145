/**
 * @file Elementwise primitives: unary math, binary arithmetic and logic, comparisons, select_n,
 * clamp, integer_pow and the dtype conversions. Each lowers to a scalar kernel-IR expression,
 * so chains of them fuse into one kernel.
 */

import {
  type BinOp,
  bin,
  bitcast,
  cast,
  constant,
  type SExpr,
  sel,
  ter,
  type UnOp,
  un,
} from '../compile/kir.js';
import { ShapedArray } from '../core/aval.js';
import { bool, type DType, int16, int32, int64, realPart, toDType } from '../core/dtype.js';
import { definePrimitive, type Params, type Primitive } from '../core/primitive.js';
import {
  broadcastingShape,
  checkDType,
  checkSameDTypes,
  type DTypeClass,
  elementwiseLowering,
  naryRules,
} from './common.js';

function unary(name: string, op: UnOp, cls: DTypeClass, outDType?: (inDt: DType) => DType): Primitive {
  return definePrimitive(
    name,
    naryRules(name, cls, ([x], _p, out) => un(op, x, out.dtype), outDType),
  );
}

export const neg = unary('neg', 'neg', 'numeric');
export const sign = unary('sign', 'sign', 'numeric');
export const floor = unary('floor', 'floor', 'float');
export const ceil = unary('ceil', 'ceil', 'float');
/** abs of a complex number is its (real) magnitude: complex64 -> float32, as JAX's _complex_basetype. */
export const abs = unary('abs', 'abs', 'signed_or_float', realPart);
export const exp = unary('exp', 'exp', 'float_complex');
export const exp2 = unary('exp2', 'exp2', 'float_complex');
export const log = unary('log', 'log', 'float_complex');
export const log1p = unary('log1p', 'log1p', 'float_complex');
export const expm1 = unary('expm1', 'expm1', 'float_complex');
export const sqrt = unary('sqrt', 'sqrt', 'float_complex');
export const rsqrt = unary('rsqrt', 'rsqrt', 'float_complex');
export const cbrt = unary('cbrt', 'cbrt', 'float');
export const sin = unary('sin', 'sin', 'float_complex');
export const cos = unary('cos', 'cos', 'float_complex');
export const tan = unary('tan', 'tan', 'float_complex');
export const asin = unary('asin', 'asin', 'float_complex');
export const acos = unary('acos', 'acos', 'float_complex');
export const atan = unary('atan', 'atan', 'float_complex');
export const sinh = unary('sinh', 'sinh', 'float_complex');
export const cosh = unary('cosh', 'cosh', 'float_complex');
export const tanh = unary('tanh', 'tanh', 'float_complex');
export const asinh = unary('asinh', 'asinh', 'float_complex');
export const acosh = unary('acosh', 'acosh', 'float_complex');
export const atanh = unary('atanh', 'atanh', 'float_complex');
export const logistic = unary('logistic', 'logistic', 'float_complex');
export const erf = unary('erf', 'erf', 'float');
export const erfc = unary('erfc', 'erfc', 'float');
export const erf_inv = unary('erf_inv', 'erf_inv', 'float');
export const lgamma = unary('lgamma', 'lgamma', 'float');
export const digamma = unary('digamma', 'digamma', 'float');
export const not = unary('not', 'not', 'integer_or_bool');
export const population_count = unary('population_count', 'population_count', 'int');
export const clz = unary('clz', 'clz', 'int');

/** lax.round: rounding_method 0 = AWAY_FROM_ZERO (default), 1 = TO_NEAREST_EVEN. */
export const round = definePrimitive(
  'round',
  naryRules('round', 'float', ([x], p, out) =>
    un(Number(p.rounding_method) === 1 ? 'round_even' : 'round_away', x, out.dtype),
  ),
);

export const square = definePrimitive(
  'square',
  naryRules('square', 'numeric', ([x], _p, out) => bin('mul', x, x, out.dtype)),
);

export const is_finite = definePrimitive('is_finite', {
  abstractEval([a]) {
    checkDType('is_finite', a.dtype, 'float');
    return [new ShapedArray(a.shape, bool)];
  },
  lower: elementwiseLowering(([x]) => un('is_finite', x, bool)),
});

function binary(name: string, op: BinOp, cls: DTypeClass): Primitive {
  return definePrimitive(
    name,
    naryRules(name, cls, ([a, b], _p, out) => bin(op, a, b, out.dtype)),
  );
}

export const add = binary('add', 'add', 'numeric');
export const sub = binary('sub', 'sub', 'numeric');
export const mul = binary('mul', 'mul', 'numeric');
export const div = binary('div', 'div', 'numeric');
export const rem = binary('rem', 'rem', 'int_or_float');
export const max = binary('max', 'max', 'any');
export const min = binary('min', 'min', 'any');
export const atan2 = binary('atan2', 'atan2', 'float_complex');
export const nextafter = binary('nextafter', 'nextafter', 'float');
/** polygamma(m, x): the m-th derivative of digamma (m an integer-valued float; NaN otherwise). */
export const polygamma = binary('polygamma', 'polygamma', 'float');
/** igamma(a, x): the regularized lower incomplete gamma function P(a, x). */
export const igamma = binary('igamma', 'igamma', 'float');
/** igammac(a, x): the regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x). */
export const igammac = binary('igammac', 'igammac', 'float');
/** igamma_grad_a(a, x): d/da P(a, x). */
export const igamma_grad_a = binary('igamma_grad_a', 'igamma_grad_a', 'float');
/**
 * random_gamma_grad(a, x): the derivative in a of a Gamma(a, 1) sample x, -(dP/da) / (dP/dx).
 * A primitive here; JAX 0.10.2 expands lax.random_gamma_grad into while loops of lax ops.
 */
export const random_gamma_grad = binary('random_gamma_grad', 'random_gamma_grad', 'float');
/** regularized_incomplete_beta(a, b, x): I_x(a, b) (lax.betainc). */
export const regularized_incomplete_beta = definePrimitive(
  'regularized_incomplete_beta',
  naryRules('regularized_incomplete_beta', 'float', ([a, b, x], _p, out) =>
    ter('betainc', a, b, x, out.dtype),
  ),
);
export const and = binary('and', 'and', 'integer_or_bool');
export const or = binary('or', 'or', 'integer_or_bool');
export const xor = binary('xor', 'xor', 'integer_or_bool');
export const shift_left = binary('shift_left', 'shl', 'int');
export const shift_right_logical = binary('shift_right_logical', 'shr_logical', 'int');
export const shift_right_arithmetic = binary('shift_right_arithmetic', 'shr_arith', 'int');

/**
 * pow(x, y): x is floating; y is an integer of any width or x's dtype (JAX's _pow_dtype_rule).
 * An integer exponent is converted to x's dtype, as JAX's lowering does.
 */
export const pow = definePrimitive('pow', {
  abstractEval([x, y]) {
    checkDType('pow', x.dtype, 'float_complex', 0);
    checkDType('pow', y.dtype, 'numeric', 1);
    if (!(y.dtype.isInt && x.dtype.isInexact) && x.dtype !== y.dtype) {
      throw new TypeError(
        'the first argument to pow must have an inexact dtype (float or complex), and the second argument must have ' +
          `an inexact or integer dtype, and two inexact dtypes must match, but got ${x.dtype.name} and ${y.dtype.name}.`,
      );
    }
    const shape = broadcastingShape('pow', [x.shape, y.shape]);
    return [new ShapedArray(shape, x.dtype, x.weakType && y.weakType)];
  },
  lower: elementwiseLowering(([a, b], _p, out) => bin('pow', a, cast(b, out.dtype), out.dtype)),
});

function comparison(name: string, op: BinOp): Primitive {
  return definePrimitive(
    name,
    naryRules(
      name,
      op === 'eq' || op === 'ne' ? 'any' : 'ordered',
      ([a, b]) => bin(op, a, b, bool),
      () => bool,
    ),
  );
}

export const eq = comparison('eq', 'eq');
export const ne = comparison('ne', 'ne');
export const lt = comparison('lt', 'lt');
export const le = comparison('le', 'le');
export const gt = comparison('gt', 'gt');
export const ge = comparison('ge', 'ge');

/**
 * A float's position in IEEE 754's totalOrder as a signed integer of its width: the bits, with the
 * magnitude bits flipped for negative signs, so -NaN < -inf < ... < -0 < +0 < ... < inf < +NaN
 * compare as integers (XLA's TOTALORDER comparison).
 */
function totalOrderKey(x: SExpr): SExpr {
  const bits = x.dt.itemsize * 8;
  const it = bits === 16 ? int16 : bits === 32 ? int32 : int64;
  const b = bitcast(x, it);
  const sign = bin('shr_arith', b, constant(bits - 1, it), it);
  const magnitude = it === int64 ? (1n << 63n) - 1n : 2 ** (bits - 1) - 1;
  return bin('xor', b, bin('and', sign, constant(magnitude, it), it), it);
}

/**
 * lt_to and le_to: comparisons in the total order (JAX's lax.lt_to_p / le_to_p, which its sort
 * comparators and searchsorted bind): for floats IEEE's totalOrder, for integers plain order.
 */
function totalComparison(name: string, op: 'lt' | 'le'): Primitive {
  return definePrimitive(
    name,
    naryRules(
      name,
      'ordered',
      ([a, b]) => (a.dt.isFloat ? bin(op, totalOrderKey(a), totalOrderKey(b), bool) : bin(op, a, b, bool)),
      () => bool,
    ),
  );
}

export const lt_to = totalComparison('lt_to', 'lt');
export const le_to = totalComparison('le_to', 'le');

/** x ** y for a static integer y, by repeated squaring (as XLA expands it). */
const integerPowRules = naryRules('integer_pow', 'numeric', ([x], p, out) => {
  const y = Number(p.y);
  if (y === 0) return constant(1, out.dtype);
  let acc: SExpr | null = null;
  let base = x;
  let e = Math.abs(y);
  while (e > 0) {
    if (e & 1) acc = acc ? bin('mul', acc, base) : base;
    e >>= 1;
    if (e > 0) base = bin('mul', base, base);
  }
  return y < 0 ? bin('div', constant(1, out.dtype), acc!) : acc!;
});
export const integer_pow = definePrimitive('integer_pow', {
  ...integerPowRules,
  abstractEval(avals, p) {
    const out = integerPowRules.abstractEval(avals, p);
    const y = Number(p.y);
    if (y < 0 && avals[0].dtype.isInt) {
      throw new TypeError(
        `Integers cannot be raised to negative powers, got integer_pow(${avals[0].dtype.name}[${avals[0].shape.join(',')}], ${y})`,
      );
    }
    return out;
  },
});

/** select_n(which, *cases): cases[which]; `which` is bool (2 cases) or int32. */
export const select_n = definePrimitive('select_n', {
  abstractEval([which, ...cases]) {
    if (cases.length === 0) throw new TypeError('select_n requires at least one case');
    const dt = checkSameDTypes('select', cases);
    if (!(which.dtype.isBool || which.dtype.isInt)) {
      throw new TypeError(`select \`which\` must be boolean or integer type, got ${which.dtype.name}.`);
    }
    if (which.dtype.isBool && cases.length > 2) {
      throw new TypeError('select_n with boolean which cannot have > 2 cases');
    }
    const shape = cases[0].shape;
    if (cases.some((c) => c.shape.join() !== shape.join())) {
      throw new TypeError(
        `select_n cases must have the same shapes, got [${cases.map((c) => `(${c.shape.join(', ')})`).join(', ')}].`,
      );
    }
    if (which.shape.length && which.shape.join() !== shape.join()) {
      throw new TypeError(
        `select_n which must be scalar or have the same shape as cases, got which shape (${which.shape.join(', ')}) but case shape (${shape.join(', ')}).`,
      );
    }
    return [
      new ShapedArray(
        shape,
        dt,
        cases.every((c) => c.weakType),
      ),
    ];
  },
  lower: elementwiseLowering(([which, ...cases]) => {
    if (cases.length === 1) return cases[0];
    // Build a balanced chain of selects on `which`.
    if (which.dt.isBool) return sel(which, cases[1], cases[0]);
    let out = cases[cases.length - 1];
    for (let i = cases.length - 2; i >= 0; i--)
      out = sel(bin('eq', which, constant(i, which.dt), bool), cases[i], out);
    return out;
  }),
});

/** clamp(min, x, max). min/max may be 0-d. */
export const clamp = definePrimitive('clamp', {
  abstractEval([lo, x, hi]) {
    const dt = checkSameDTypes('clamp', [lo, x, hi]);
    for (const [b, what] of [
      [lo, 'min'],
      [hi, 'max'],
    ] as const) {
      if (b.shape.length && b.shape.join() !== x.shape.join()) {
        throw new TypeError(
          `clamp requires ${what}.shape == operand.shape or ${what}.shape == (), got (${b.shape.join(', ')}).`,
        );
      }
    }
    return [new ShapedArray(x.shape, dt, x.weakType)];
  },
  lower: elementwiseLowering(([lo, x, hi]) => bin('min', bin('max', x, lo), hi)),
});

function dtypeParam(p: Params, key: string): DType {
  return toDType(p[key] as DType);
}

export const convert_element_type = definePrimitive('convert_element_type', {
  ppParams: (p: Params) => ({ new_dtype: p.new_dtype, weak_type: p.weak_type }),
  abstractEval([a], p) {
    return [new ShapedArray(a.shape, dtypeParam(p, 'new_dtype'), Boolean(p.weak_type))];
  },
  lower: elementwiseLowering(([x], _p, out) => cast(x, out.dtype)),
});

export const bitcast_convert_type = definePrimitive('bitcast_convert_type', {
  abstractEval([a], p) {
    const to = dtypeParam(p, 'new_dtype');
    if (to.itemsize !== a.dtype.itemsize) {
      throw new TypeError(
        `bitcast_convert_type: only bitcasts between types of the same width are supported here, got ${a.dtype.name} -> ${to.name}`,
      );
    }
    return [new ShapedArray(a.shape, to)];
  },
  lower: elementwiseLowering(([x], _p, out) => bitcast(x, out.dtype)),
});

export { broadcastingShape };
