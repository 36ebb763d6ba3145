/**
 * @file jax._src.lax.other's logaddexp: log(exp(a) + exp(b)) as JAX 0.10.2 computes it (max +
 * log1p(exp(-|a - b|)), NaN-safe) under its custom_jvp `_logaddexp_jvp`, with `_replace_inf`.
 * One definition serves jnp.logaddexp and the derivative of lax.cumlogsumexp (JAX's
 * _cumulative_jvp_rule differentiates an associative scan of this function), so both print
 * JAX's `custom_jvp_call[name=logaddexp ...]`.
 */
import { deviceScalar, scalarArray } from '../core/coerce.js';
import type { Value } from '../core/trace.js';
import { customJvp } from '../transforms/custom.js';
import * as L from './elementwise.js';
import { broadcastInDim } from './structural.js';

/** JAX's _replace_inf: +inf -> 0, so the derivative's exp(a - out) is finite at infinities. */
export function replaceInf(x: Value): Value {
  const inf = scalarArray(Number.POSITIVE_INFINITY, x.dtype);
  return L.select(L.eq(x, inf), broadcastInDim(deviceScalar(0, x.dtype), x.shape, []), x);
}

/**
 * log(exp(a) + exp(b)) for real floating a and b of one dtype and shape; the custom derivative
 * `t1 exp(a - out) + t2 exp(b - out)` is right at ties and to any order.
 */
export const logaddexp = customJvp(function logaddexp(a: Value, b: Value): Value {
  const amax = L.max(a, b);
  const delta = L.sub(a, b);
  return L.select(L.ne(delta, delta), L.add(a, b), L.add(amax, L.log1p(L.exp(L.neg(L.abs(delta))))));
});
logaddexp.defjvp(function _logaddexp_jvp(primals: Value[], tangents: Value[]) {
  const [a, b] = primals;
  const [t1, t2] = tangents;
  const out = logaddexp(a, b) as Value;
  const tangent = L.add(
    L.mul(t1, L.exp(L.sub(replaceInf(a), replaceInf(out)))),
    L.mul(t2, L.exp(L.sub(replaceInf(b), replaceInf(out)))),
  );
  return [out, tangent];
});
