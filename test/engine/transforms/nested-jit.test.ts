/**
 * @file grad of a jitted function that calls a jitted function: partial evaluation splits the
 * inner `jit` equation into a known call and an unknown one, as JAX's does, so the primal outputs
 * stay known (before, linearize failed with "Linearization failed to produce known values").
 * The expected text is what JAX 0.10.2 prints for
 * `jax.make_jaxpr(jax.grad(jax.jit(outer)))(jnp.ones(3))` with
 * `inner = jax.jit(lambda y: y * y)` (named inner_f) and `outer = lambda x: jnp.sum(inner(x))`.
 */
import { describe, expect, it } from 'vitest';
import { grad, jit, numpy as jnp, lax, makeJaxpr, type Value } from '../../../src/engine/index.js';

const JAX = `{ lambda ; a:f32[3]. let
    _:f32[] = jit[
      name=outer
      jaxpr={ lambda ; a:f32[3]. let
          b:f32[3] = jit[
            name=inner_f
            jaxpr={ lambda ; a:f32[3]. let b:f32[3] = mul a a in (b,) }
          ] a
          _:f32[] = reduce_sum[axes=(0,) out_sharding=None] b
        in (_,) }
    ] a
    c:f32[3] = jit[
      name=outer
      jaxpr={ lambda ; a:f32[3] d:f32[]. let
          e:f32[3] = broadcast_in_dim d
          c:f32[3] = jit[
            name=inner_f
            jaxpr={ lambda ; a:f32[3] e:f32[3]. let
                f:f32[3] = mul a e
                g:f32[3] = mul e a
                c:f32[3] = add_any f g
              in (c,) }
          ] a e
        in (c,) }
    ] a 1.0:f32[]
  in (c,) }`;

describe('grad through nested jit', () => {
  const inner = jit(function inner_f(y: Value) {
    return lax.mul(y, y);
  });
  const outer = jit(function outer(x: Value) {
    return jnp.sum(inner(x));
  });

  it('prints the jaxpr JAX prints', () => {
    expect(String(makeJaxpr(grad(outer))(jnp.ones([3])))).toBe(JAX);
  });

  it('computes the gradient, also through jnp functions that are jitted inside', async () => {
    const x = jnp.array([3, -1, 2, 5], { dtype: 'float32' });
    expect(Array.from(await grad(outer)(x).data())).toEqual([6, -2, 4, 10]);
    const masked = jit((v: Value) => jnp.sum(jnp.where(lax.gt(v, 2), v, 0)));
    expect(Array.from(await grad(masked)(x).data())).toEqual([1, 0, 0, 1]);
  });
});
