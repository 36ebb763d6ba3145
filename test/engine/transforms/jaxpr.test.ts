/**
 * @file Staged programs of grad / vjp / vmap / jvp: `makeJaxpr(grad(f))` prints what JAX 0.10.2
 * prints (fixtures/transforms.json, cases named after the mirrors below).
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { grad, jit, numpy as jnp, jvp, makeJaxpr, vmap } from '../../../src/engine/index.js';
import { FIX } from './helpers.js';

const expected = new Map(FIX.jaxprs.map((c) => [c.name, c.text]));
const f32 = (...shape: number[]) => jnp.zeros(shape, { dtype: 'float32' });
const one = () => jnp.array(1, { dtype: 'float32' });

function innerJit(x: Value): Value {
  const inner = jit(function inner(y: Value) {
    return jnp.sin(y).mul(y);
  });
  return inner(x);
}

const MIRRORS: Record<string, [(...a: any[]) => unknown, Value[]]> = {
  grad_sin: [grad((x: Value) => jnp.sin(x)), [one()]],
  grad_sum_sin_sq: [grad((x: Value) => jnp.sum(jnp.sin(x).pow(2))), [f32(3)]],
  grad_x_times_x: [grad((x: Value) => x.mul(x)), [one()]],
  grad_sin_times_x: [grad((x: Value) => jnp.sin(x).mul(x)), [one()]],
  grad_tanh_sum: [grad((x: Value) => jnp.sum(jnp.tanh(x).mul(3.0))), [f32(3)]],
  grad_argnums_01: [
    grad((x: Value, y: Value) => jnp.sum(x.mul(y).add(jnp.exp(x))), { argnums: [0, 1] }),
    [f32(3), f32(3)],
  ],
  grad_max: [grad((x: Value) => jnp.max(x)), [f32(3)]],
  grad_jit_inner: [grad(innerJit), [one()]],
  vmap_sin_mul: [vmap((x: Value) => jnp.sin(x).mul(2)), [f32(4, 3)]],
  jvp_sin: [(x: Value, t: Value) => jvp((y: Value) => jnp.sin(y), [x], [t]), [f32(3), f32(3)]],
};

describe('jaxprs of transformed functions match JAX 0.10.2', () => {
  for (const [name, [f, args]] of Object.entries(MIRRORS)) {
    it(name, () => {
      expect(expected.has(name)).toBe(true);
      expect(String(makeJaxpr(f)(...args))).toBe(expected.get(name));
    });
  }
});
