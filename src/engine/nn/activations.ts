/**
 * @file The jax.nn activations added after the first set (nn/index.ts): identity, tanh,
 * log1mexp (custom JVP g / expm1(x)), logmeanexp, mish, sparse_plus, sparse_sigmoid and
 * squareplus, each jitted as JAX 0.10.2 writes it (jax/_src/nn/functions.py).
 */
import { normalizeAxes } from '../core/shape.js';
import { convertElementType } from '../lax/convert.js';
import * as jnp from '../numpy/namespace.js';
import { customJvp } from '../transforms/api.js';
import { jit } from '../transforms/jit.js';
import { logsumexp, softplus } from './index.js';

type In = unknown;
type Value = ReturnType<typeof jnp.asarray>;
type Axis = number | readonly number[] | null;

const asArray = (x: In) => jnp.asarray(x as never) as Value;

const identityJit = jit(function identity(x: Value): Value {
  return x;
});
/** identity(x) = x. */
export function identity(x: In): Value {
  return identityJit(asArray(x));
}

/** tanh, which jax.nn re-exports from jax.numpy. */
export const tanh = jnp.tanh;

const log1mexpCore = customJvp(
  jit(function log1mexp(x: Value): Value {
    return jnp.where(
      jnp.less(x, Math.LN2),
      jnp.log(jnp.negative(jnp.expm1(jnp.negative(x)))),
      jnp.log1p(jnp.negative(jnp.exp(jnp.negative(x)))),
    );
  }),
);
log1mexpCore.defjvps((g: Value, _ans: Value, x: Value) => jnp.true_divide(g, jnp.expm1(x)));
/** log1mexp(x) = log(1 - exp(-x)) for x >= 0, stable on both sides of log 2 (Maechler). */
export function log1mexp(x: In): Value {
  return log1mexpCore(asArray(x));
}

const logmeanexpJit = jit(
  function logmeanexp(x: Value, axis: Axis, keepdims: boolean, where: Value | null): Value {
    const lse = logsumexp(x, { axis, keepdims, ...(where === null ? {} : { where }) });
    let count: Value;
    if (where === null) {
      const axes = normalizeAxes(axis, x.ndim);
      count = convertElementType(
        axes.reduce((n, a) => n * x.shape[a], 1),
        lse.dtype,
      );
    } else {
      count = jnp.sum(jnp.broadcast_to(where, x.shape), { axis, keepdims, dtype: lse.dtype });
    }
    return jnp.subtract(lse, jnp.log(count));
  },
  { staticArgnums: [1, 2] },
);
/** logmeanexp(x, {axis, where, keepdims}) = logsumexp(x) - log(count). */
export function logmeanexp(x: In, opts: { axis?: Axis; where?: In; keepdims?: boolean } = {}): Value {
  const where = opts.where === undefined || opts.where === null ? null : asArray(opts.where);
  return logmeanexpJit(asArray(x), opts.axis ?? null, opts.keepdims ?? false, where);
}

const mishJit = jit(function mish(x: Value): Value {
  return jnp.multiply(x, jnp.tanh(softplus(x)));
});
/** mish(x) = x tanh(softplus(x)). */
export function mish(x: In): Value {
  return mishJit(asArray(x));
}

const sparsePlusJit = jit(function sparse_plus(x: Value): Value {
  return jnp.where(
    jnp.less_equal(x, -1),
    0,
    jnp.where(jnp.greater_equal(x, 1), x, jnp.true_divide(jnp.power(jnp.add(x, 1), 2), 4)),
  );
});
/** sparse_plus(x): 0 below -1, x above 1, (x + 1)^2 / 4 between. */
export function sparsePlus(x: In): Value {
  return sparsePlusJit(asArray(x));
}

const sparseSigmoidJit = jit(function sparse_sigmoid(x: Value): Value {
  return jnp.multiply(0.5, jnp.clip(jnp.add(x, 1), 0, 2));
});
/** sparse_sigmoid(x) = clip((x + 1) / 2, 0, 1), the derivative of sparse_plus. */
export function sparseSigmoid(x: In): Value {
  return sparseSigmoidJit(asArray(x));
}

const squareplusJit = jit(function squareplus(x: Value, b: Value): Value {
  return jnp.true_divide(jnp.add(x, jnp.sqrt(jnp.add(jnp.square(x), b))), 2);
});
/** squareplus(x, b=4) = (x + sqrt(x^2 + b)) / 2. */
export function squareplus(x: In, b: In = 4): Value {
  return squareplusJit(asArray(x), asArray(b));
}

export { sparsePlus as sparse_plus, sparseSigmoid as sparse_sigmoid };
