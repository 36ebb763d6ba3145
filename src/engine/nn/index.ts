/**
 * @file jax.nn: activation functions and friends (relu, gelu, softmax, logsumexp, one_hot, ...),
 * composed from the numpy namespace with JAX's formulas (jax/_src/nn/functions.py), so they jit,
 * differentiate and vmap like everything else.
 */
import { type DTypeLike, defaultFloat } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { normalizeAxes } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { erf as laxErf, rsqrt as laxRsqrt, select as laxSelect } from '../lax/elementwise.js';
import * as jnp from '../numpy/namespace.js';
import { promoteArgsInexact } from '../numpy/util.js';
import { customJvp, stopGradient } from '../transforms/api.js';
import { namedJit } from '../transforms/jit.js';

/** jax.nn.initializers: `nn.initializers.glorotUniform()(key, shape, dtype)`. */
export * as initializers from './initializers.js';

type In = unknown;
type Axis = number | readonly number[] | null;

const v = (x: In): Value => jnp.asarray(x) as Value;

/** As JAX's: a custom_jvp around a jitted maximum, so the gradient at 0 is 0 (not 0.5). */
const reluCustom = customJvp(
  namedJit('relu', function relu(x: In): Value {
    return jnp.maximum(x, 0);
  }),
);
reluCustom.defjvps((g: Value, _ans: Value, x: Value) => laxSelect(jnp.greater(x, 0), g, jnp.zerosLike(g)));
export function relu(x: In): Value {
  return reluCustom(x);
}
export function relu6(x: In): Value {
  return jnp.minimum(jnp.maximum(x, 0), 6);
}
export function sigmoid(x: In): Value {
  const a = v(x);
  return jnp.true_divide(1, jnp.add(1, jnp.exp(jnp.negative(a))));
}
export function softplus(x: In): Value {
  return jnp.logaddexp(x, 0);
}
export function softSign(x: In): Value {
  return jnp.true_divide(x, jnp.add(jnp.abs(x), 1));
}
export function silu(x: In): Value {
  return jnp.multiply(x, sigmoid(x));
}
export const swish = silu;
export function logSigmoid(x: In): Value {
  return jnp.negative(softplus(jnp.negative(x)));
}
export function elu(x: In, alpha = 1.0): Value {
  const a = v(x);
  const safe = jnp.where(jnp.greater(a, 0), 0, a);
  return jnp.where(jnp.greater(a, 0), a, jnp.multiply(alpha, jnp.expm1(safe)));
}
export function celu(x: In, alpha = 1.0): Value {
  return jnp.add(
    jnp.maximum(x, 0),
    jnp.minimum(0, jnp.multiply(alpha, jnp.expm1(jnp.true_divide(x, alpha)))),
  );
}
export function selu(x: In): Value {
  const alpha = 1.6732632423543772;
  const scale = 1.0507009873554805;
  return jnp.multiply(scale, elu(x, alpha));
}
export function leakyRelu(x: In, negativeSlope = 0.01): Value {
  return jnp.where(jnp.greater_equal(x, 0), x, jnp.multiply(negativeSlope, x));
}
export function hardTanh(x: In): Value {
  return jnp.clip(x, -1, 1);
}
export function hardSigmoid(x: In): Value {
  return jnp.true_divide(relu6(jnp.add(x, 3)), 6);
}
export function hardSilu(x: In): Value {
  return jnp.multiply(x, hardSigmoid(x));
}
export const hardSwish = hardSilu;
/** Gated linear unit: the first half of `axis` times the sigmoid of the second. */
export function glu(x: In, axis = -1): Value {
  const [a, b] = jnp.split(v(x), 2, { axis });
  return jnp.multiply(a, sigmoid(b));
}
/** GELU; `approximate` (default true, as JAX) uses the tanh formula. */
export function gelu(x: In, approximate = true): Value {
  const a = v(x);
  if (approximate) {
    const c = Math.sqrt(2 / Math.PI);
    const inner = jnp.multiply(c, jnp.add(a, jnp.multiply(0.044715, jnp.power(a, 3))));
    return jnp.multiply(jnp.multiply(0.5, a), jnp.add(1, jnp.tanh(inner)));
  }
  return jnp.multiply(jnp.multiply(0.5, a), jnp.add(1, laxErf(jnp.true_divide(a, Math.SQRT2))));
}

export interface AxisOpts {
  axis?: Axis;
  where?: In;
}

/**
 * logsumexp over axes, stable: the max (over the `where` elements) is subtracted and not differentiated, as
 * jax.nn.logsumexp (jax/_src/ops/special.py) does; with `b`, a negative sum gives NaN.
 */
export function logsumexp(x: In, opts: AxisOpts & { keepdims?: boolean; b?: In } = {}): Value {
  let a = v(x);
  if (opts.where !== undefined) a = jnp.where(opts.where, a, 0);
  let bArr: Value | undefined;
  if (opts.b !== undefined) {
    [a, bArr] = promoteArgsInexact(a, opts.b);
    a = jnp.where(jnp.not_equal(bArr, 0), a, Number.NEGATIVE_INFINITY);
  } else [a] = promoteArgsInexact(a);
  const axis = opts.axis === undefined ? null : opts.axis;
  const keepdims = opts.keepdims ?? false;
  const m = jnp.max(a, { axis, keepdims, where: opts.where, initial: Number.NEGATIVE_INFINITY });
  const amax = stopGradient(jnp.where(jnp.isfinite(m), m, jnp.zerosLike(m)));
  const amaxWithDims = keepdims ? amax : jnp.expand_dims(amax, normalizeAxes(axis, a.ndim));
  let e = jnp.exp(jnp.subtract(a, amaxWithDims));
  if (bArr !== undefined) e = jnp.multiply(e, bArr);
  const sumexp = jnp.sum(e, { axis, keepdims, where: opts.where });
  const out = jnp.add(jnp.log(jnp.abs(sumexp)), amax);
  return bArr === undefined ? out : jnp.where(jnp.less(jnp.sign(sumexp), 0), Number.NaN, out);
}

export function softmax(x: In, opts: AxisOpts = {}): Value {
  const a = v(x);
  const axis = opts.axis === undefined ? -1 : opts.axis;
  const m = stopGradient(jnp.max(a, { axis, keepdims: true }));
  const e = jnp.exp(jnp.subtract(a, m));
  return jnp.true_divide(e, jnp.sum(e, { axis, keepdims: true, where: opts.where }));
}

/** log_softmax as jax.nn's: elements outside `where` are left out of the max and the sum, and give -inf. */
export function logSoftmax(x: In, opts: AxisOpts = {}): Value {
  const a = v(x);
  const axis = opts.axis === undefined ? -1 : opts.axis;
  const where = opts.where;
  const xMax = jnp.max(a, { axis, where, initial: Number.NEGATIVE_INFINITY, keepdims: true });
  const xSafe = where === undefined ? a : jnp.where(where, a, Number.NEGATIVE_INFINITY);
  const shifted = jnp.subtract(xSafe, stopGradient(xMax));
  const result = jnp.subtract(shifted, jnp.log(jnp.sum(jnp.exp(shifted), { axis, keepdims: true, where })));
  return where === undefined ? result : jnp.where(where, result, Number.NEGATIVE_INFINITY);
}

/** (x - mean) / sqrt(var + epsilon) over axes. */
export interface StandardizeOptions {
  axis?: Axis;
  /** Statistics to use instead of computing them from x (JAX's `mean=` and `variance=`). */
  mean?: In | null;
  variance?: In | null;
  epsilon?: In;
  /** Which elements the computed statistics use. */
  where?: In | null;
  /** `'fast'`: mean(x^2) - mean(x)^2, clipped at 0; `'stable'`: mean((x - mean)^2). */
  algorithm?: 'fast' | 'stable';
}

/** jax.nn.standardize: (x - mean) * rsqrt(variance + epsilon), the statistics given or computed. */
export function standardize(x: In, opts: StandardizeOptions = {}): Value {
  const a = v(x);
  const axis = opts.axis === undefined ? -1 : opts.axis;
  const where = opts.where ?? undefined;
  const mean = opts.mean ?? jnp.mean(a, { axis, keepdims: true, where });
  let variance = opts.variance;
  if (variance === undefined || variance === null) {
    const algorithm = opts.algorithm ?? 'fast';
    if (algorithm === 'stable') {
      variance = jnp.mean(jnp.square(jnp.subtract(a, mean)), { axis, keepdims: true, where });
    } else if (algorithm === 'fast') {
      // JAX's one-pass variance can come out slightly negative; it clips at 0 before the rsqrt.
      variance = jnp.clip(
        jnp.subtract(jnp.mean(jnp.square(a), { axis, keepdims: true, where }), jnp.square(mean)),
        0,
      );
    } else {
      throw new ValueError(`Unknown algorithm '${String(algorithm)}'. Expected 'fast' or 'stable'.`);
    }
  }
  return jnp.multiply(jnp.subtract(a, mean), laxRsqrt(jnp.add(variance, opts.epsilon ?? 1e-5)));
}

/** one_hot(x, numClasses): compares x[..., None] with arange(numClasses). */
export function oneHot(x: In, numClasses: number, opts: { dtype?: DTypeLike; axis?: number } = {}): Value {
  const a = v(x);
  const axis = opts.axis ?? -1;
  const classes = jnp.arange(numClasses);
  const expanded = jnp.expand_dims(a, axis);
  const shape = new Array(a.ndim + 1).fill(1);
  const ax = axis < 0 ? axis + a.ndim + 1 : axis;
  shape[ax] = numClasses;
  const eq = jnp.equal(expanded, jnp.reshape(classes, shape));
  return jnp.astype(eq, (opts.dtype as string) ?? defaultFloat().name);
}

// JAX's snake_case names, for the expression language (`nn.log_softmax(x)`).
/** jax.nn.identity: the identity activation. */
export function identity(x: In): Value {
  return v(x);
}

// jax.nn.tanh is jnp.tanh.
export { tanh } from '../numpy/namespace.js';
export {
  hardSigmoid as hard_sigmoid,
  hardSilu as hard_silu,
  hardSwish as hard_swish,
  hardTanh as hard_tanh,
  leakyRelu as leaky_relu,
  logSigmoid as log_sigmoid,
  logSoftmax as log_softmax,
  oneHot as one_hot,
  softSign as soft_sign,
};
