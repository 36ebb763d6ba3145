/**
 * @file jax.nn: activation functions and friends (relu, gelu, softmax, logsumexp, one_hot, ...),
 * composed from the numpy namespace as jax/_src/nn/functions.py writes them, so they jit,
 * differentiate and vmap like everything else and print JAX's jaxprs: the functions JAX jits are
 * jitted under the same names (`jit[name=silu ...]`), an argument JAX's caller passes is a
 * traced argument (elu's alpha, when given) while a default stays a constant of the trace, and
 * relu, relu6 and log1mexp carry JAX's custom JVPs.
 */
import { type DTypeLike, defaultFloat } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { normalizeAxis } from '../core/shape.js';
import { bind1, type Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { broadcastedIota, expandDims } from '../lax/structural.js';
import * as jnp from '../numpy/namespace.js';
import { asValue, pyfloat as F, fullLike, promoteArgsInexact } from '../numpy/util.js';
import { copy } from '../primitives/structural.js';
import { customJvp } from '../transforms/api.js';
import { namedJit } from '../transforms/jit.js';
import { axisKey, logSoftmax } from './softmax.js';

/** jax.nn.initializers: `nn.initializers.glorotUniform()(key, shape, dtype)`. */
export * as initializers from './initializers.js';
export { type AxisOpts, logmeanexp, logSoftmax, logsumexp, softmax } from './softmax.js';

type In = unknown;
type Axis = number | readonly number[] | null;

const v = (x: In): Value => jnp.asarray(x) as Value;

/** A parameter given positionally or in a trailing options object (`elu(x, { alpha })`). */
function param<T>(p: T | Record<string, unknown> | undefined, key: string): T | undefined {
  if (p !== null && typeof p === 'object' && !Array.isArray(p) && !('aval' in (p as object)))
    return (p as Record<string, unknown>)[key] as T | undefined;
  return p as T | undefined;
}

/** An optional parameter as a traced argument, or null so that the default stays a constant of the trace. */
function traced(p: unknown, key: string): Value | null {
  const u = param<In>(p, key);
  return u === undefined ? null : asValue(u);
}

/** A one-argument function that JAX jits under its own name (`jit[name=silu]`), taking anything array-like. */
function jitted(name: string, f: (x: Value) => Value): (x: In) => Value {
  const jf = namedJit(name, f);
  return (x: In) => jf(v(x));
}

export const identity = jitted('identity', function identity(x: Value): Value {
  return x;
});

/** As JAX's: a custom_jvp around a jitted maximum, so the gradient at 0 is 0 (not 0.5). */
const reluCustom = customJvp(
  namedJit('relu', function relu(x: Value): Value {
    return jnp.maximum(x, 0);
  }),
);
reluCustom.defjvps((g: Value, _ans: Value, x: Value) => lax.select(jnp.greater(x, 0), g, fullLike(g, 0)));
export function relu(x: In): Value {
  return reluCustom(v(x));
}

const relu6Custom = customJvp(
  namedJit('relu6', function relu6(x: Value): Value {
    return jnp.minimum(jnp.maximum(x, 0), F(6));
  }),
);
relu6Custom.defjvps((g: Value, _ans: Value, x: Value) =>
  lax.select(jnp.bitwise_and(jnp.greater(x, 0), jnp.less(x, 6)), g, fullLike(g, 0)),
);
export function relu6(x: In): Value {
  return relu6Custom(v(x));
}

const squareplusJit = namedJit('squareplus', function squareplus(x: Value, b: Value | null): Value {
  const y = jnp.add(x, jnp.sqrt(jnp.add(jnp.square(x), b ?? 4)));
  return jnp.true_divide(y, 2);
});
export function squareplus(x: In, b?: In): Value {
  return squareplusJit(v(x), traced(b, 'b'));
}

export const softplus = jitted('softplus', function softplus(x: Value): Value {
  return jnp.logaddexp(x, 0);
});

export const sparsePlus = jitted('sparse_plus', function sparse_plus(x: Value): Value {
  const small = jnp.less_equal(x, F(-1));
  const big = jnp.greater_equal(x, F(1));
  const mid = jnp.true_divide(jnp.power(jnp.add(x, F(1)), 2), 4);
  return jnp.where(small, F(0), jnp.where(big, x, mid));
});

export const softSign = jitted('soft_sign', function soft_sign(x: Value): Value {
  return jnp.true_divide(x, jnp.add(jnp.abs(x), 1));
});

/** JAX's sigmoid is lax.logistic under an inline jit: no equation of its own. */
export function sigmoid(x: In): Value {
  return lax.logistic(v(x));
}

export const sparseSigmoid = jitted('sparse_sigmoid', function sparse_sigmoid(x: Value): Value {
  return jnp.multiply(F(0.5), jnp.clip(jnp.add(x, F(1)), F(0), F(2)));
});

export const silu = jitted('silu', function silu(x: Value): Value {
  return jnp.multiply(x, sigmoid(x));
});
export const swish = silu;

export const mish = jitted('mish', function mish(x: Value): Value {
  return jnp.multiply(x, jnp.tanh(softplus(x)));
});

export const logSigmoid = jitted('log_sigmoid', function log_sigmoid(x: Value): Value {
  return jnp.negative(softplus(jnp.negative(x)));
});

const eluJit = namedJit('elu', function elu(x: Value, alpha: Value | null): Value {
  const pos = jnp.greater(x, 0);
  const safe = jnp.where(jnp.greater(x, 0), F(0), x);
  return jnp.where(pos, x, jnp.multiply(alpha ?? F(1), jnp.expm1(safe)));
});
export function elu(x: In, alpha?: number | In): Value {
  return eluJit(v(x), traced(alpha, 'alpha'));
}

const leakyReluJit = namedJit('leaky_relu', function leaky_relu(x: Value, slope: Value | null): Value {
  return jnp.where(jnp.greater_equal(x, 0), x, jnp.multiply(slope ?? F(1e-2), x));
});
export function leakyRelu(x: In, negativeSlope?: number | In): Value {
  return leakyReluJit(v(x), traced(negativeSlope, 'negativeSlope'));
}

export const hardTanh = jitted('hard_tanh', function hard_tanh(x: Value): Value {
  const above = jnp.greater(x, 1);
  return jnp.where(above, 1, jnp.where(jnp.less(x, -1), -1, x));
});

const celuJit = namedJit('celu', function celu(x: Value, alpha: Value | null): Value {
  const a = alpha ?? F(1);
  return jnp.add(jnp.maximum(x, F(0)), jnp.multiply(a, jnp.expm1(jnp.true_divide(jnp.minimum(x, F(0)), a))));
});
export function celu(x: In, alpha?: number | In): Value {
  return celuJit(v(x), traced(alpha, 'alpha'));
}

export const selu = jitted('selu', function selu(x: Value): Value {
  const alpha = 1.6732632423543772;
  const scale = 1.0507009873554805;
  return jnp.multiply(scale, eluJit(x, asValue(alpha)));
});

export const hardSigmoid = jitted('hard_sigmoid', function hard_sigmoid(x: Value): Value {
  return jnp.true_divide(relu6(jnp.add(x, F(3))), F(6));
});

export const hardSilu = jitted('hard_silu', function hard_silu(x: Value): Value {
  return jnp.multiply(x, hardSigmoid(x));
});
export const hardSwish = hardSilu;

export function tanh(x: In): Value {
  return jnp.tanh(x);
}

const log1mexpCustom = customJvp(
  namedJit('log1mexp', function log1mexp(x: Value): Value {
    const c = jnp.log(F(2));
    return jnp.where(
      jnp.less(x, c),
      jnp.log(jnp.negative(jnp.expm1(jnp.negative(x)))),
      jnp.log1p(jnp.negative(jnp.exp(jnp.negative(x)))),
    );
  }),
);
log1mexpCustom.defjvps((g: Value, _ans: Value, x: Value) => jnp.true_divide(g, jnp.expm1(x)));
/** log(1 - exp(-x)), with JAX's custom derivative g / expm1(x). */
export function log1mexp(x: In): Value {
  return log1mexpCustom(v(x));
}

/** GELU; `approximate` (default true, as JAX) uses the tanh formula. Not jitted, as in JAX. */
export function gelu(x: In, approximate: boolean | { approximate?: boolean } = true): Value {
  const approx = param<boolean>(approximate, 'approximate') ?? true;
  const [a] = promoteArgsInexact(x);
  if (approx) {
    const c = Math.fround(Math.sqrt(2 / Math.PI));
    const inner = jnp.multiply(
      convertElementType(c, a.dtype),
      jnp.add(a, jnp.multiply(F(0.044715), jnp.power(a, 3))),
    );
    const cdf = jnp.multiply(F(0.5), jnp.add(F(1), jnp.tanh(inner)));
    return jnp.multiply(a, cdf);
  }
  const sqrtHalf = convertElementType(Math.SQRT1_2, a.dtype);
  const out = jnp.multiply(jnp.multiply(F(0.5), a), lax.erfc(jnp.multiply(jnp.negative(a), sqrtHalf)));
  // jnp.array(out, dtype) of an array is a copy in JAX.
  return bind1(copy, [convertElementType(out, a.dtype)]);
}

const gluJit = namedJit(
  'glu',
  function glu(x: Value, axis: number): Value {
    if (x.shape[normalizeAxis(axis, x.ndim)] % 2 !== 0) throw new Error('axis size must be divisible by 2');
    const [a, b] = jnp.split(x, 2, { axis });
    return jnp.multiply(a, sigmoid(b));
  },
  { staticArgnums: [1] },
);
/** Gated linear unit: the first half of `axis` times the sigmoid of the second. */
export function glu(x: In, axis: number | { axis?: number } = -1): Value {
  return gluJit(v(x), param<number>(axis, 'axis') ?? -1);
}

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

const standardizeJit = namedJit(
  'standardize',
  function standardize(
    x: Value,
    mean: Value | null,
    variance: Value | null,
    epsilon: Value | null,
    where: Value | null,
    axis: number | number[] | null,
    algorithm: string,
  ): Value {
    const w = where ?? undefined;
    const m = mean ?? jnp.mean(x, { axis, keepdims: true, where: w });
    let va = variance;
    if (va === null) {
      if (algorithm === 'stable') {
        va = jnp.mean(jnp.square(jnp.subtract(x, m)), { axis, keepdims: true, where: w });
      } else if (algorithm === 'fast') {
        // The one-pass variance can come out slightly negative; JAX clips it at 0 before the rsqrt.
        va = jnp.subtract(jnp.mean(jnp.square(x), { axis, keepdims: true, where: w }), jnp.square(m));
        va = jnp.clip(va, 0);
      } else {
        throw new ValueError(`Unknown algorithm '${algorithm}'. Expected 'fast' or 'stable'.`);
      }
    }
    return jnp.multiply(jnp.subtract(x, m), lax.rsqrt(jnp.add(va, epsilon ?? F(1e-5))));
  },
  { staticArgnums: [5, 6] },
);
/** jax.nn.standardize: (x - mean) * rsqrt(variance + epsilon), the statistics given or computed. */
export function standardize(x: In, opts: StandardizeOptions = {}): Value {
  const opt = (u: In) => (u === undefined || u === null ? null : asValue(u));
  return standardizeJit(
    v(x),
    opt(opts.mean),
    opt(opts.variance),
    opt(opts.epsilon),
    opt(opts.where),
    axisKey(opts.axis, -1),
    opts.algorithm ?? 'fast',
  );
}

const oneHotJit = namedJit(
  '_one_hot',
  function _one_hot(x: Value, numClasses: number, dtype: string, axis: number): Value {
    const pos = normalizeAxis(axis, x.ndim + 1);
    const lhs = expandDims(x, [normalizeAxis(axis, x.ndim + 1)]);
    const rhsShape = new Array<number>(x.ndim).fill(1);
    rhsShape.splice(pos, 0, numClasses);
    const rhs = broadcastedIota(x.dtype, rhsShape, pos);
    return jnp.astype(jnp.equal(lhs, rhs), dtype);
  },
  { staticArgnums: [1, 2, 3] },
);
/** one_hot(x, numClasses): x[..., None] == iota, as JAX's jitted `_one_hot`. */
export function oneHot(x: In, numClasses: number, opts: { dtype?: DTypeLike; axis?: number } = {}): Value {
  const dtype = opts.dtype === undefined ? defaultFloat().name : jnp.dtype(opts.dtype).name;
  return oneHotJit(v(x), numClasses, dtype, opts.axis ?? -1);
}

// JAX's snake_case names, for the expression language (`nn.log_softmax(x)`).
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
  sparsePlus as sparse_plus,
  sparseSigmoid as sparse_sigmoid,
};
