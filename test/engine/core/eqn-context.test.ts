/**
 * @file JAX's eqn context as part of jit's trace-cache key (core/eqn-context.ts): a jitted
 * function first traced by user code is traced again when a custom_jvp rule calls it while grad
 * re-evaluates a jit's jaxpr, and that second trace is reused from then on; a rule run by grad
 * of unjitted code is not inside an equation and reuses the user-level trace. JAX's backward pass
 * runs its equations in their contexts too, so a custom_vjp's bwd calling a jit retraces it. The
 * counts are JAX 0.10.2's (a Python counter in the traced function), and the gradients analytic.
 * The jit's jvp and batch caches take the context too: grad and vmap of a jit called at the top
 * level and inside another jit print two jaxprs for it, as JAX's do (fixtures/eqn_context.json,
 * made by fixtures/make_eqn_context.py).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { customJvp, customVjp, grad, jit, numpy as jnp, makeJaxpr, vmap } from '../../../src/engine/index.js';

const fx = JSON.parse(
  readFileSync(new URL('../../../fixtures/eqn_context.json', import.meta.url), 'utf8'),
) as {
  grad: string;
  vmap: string;
  grad_value: number[];
};

describe('jit trace cache and the eqn context', () => {
  it('retraces a jit called by a custom_jvp rule under grad of a jit, once', async () => {
    const g = jit(function g(x: Value) {
      return jnp.sin(x).mul(2);
    });
    const f = customJvp(function f(x: Value) {
      return jnp.sin(x);
    });
    f.defjvp(function f_jvp([x]: Value[], [t]: Value[]) {
      return [f(x), (g(x) as Value).mul(t)];
    });
    const h = jit(function h(x: Value) {
      return (f(x) as Value).mul(3);
    });
    const x = jnp.ones([3], { dtype: 'float32' });
    g(x);
    expect(g.traceCount).toBe(1);
    const viaJit = grad((y: Value) => jnp.sum(h(y) as Value));
    const d1 = (await (viaJit(x) as Value).tolist()) as number[];
    expect(g.traceCount).toBe(2);
    viaJit(x);
    expect(g.traceCount).toBe(2);
    const d2 = (await (grad((y: Value) => jnp.sum(f(y) as Value))(x) as Value).tolist()) as number[];
    expect(g.traceCount).toBe(2);
    g(x);
    expect(g.traceCount).toBe(2);
    for (const v of d1) expect(v).toBeCloseTo(6 * Math.sin(1), 5);
    for (const v of d2) expect(v).toBeCloseTo(2 * Math.sin(1), 5);
  });

  it("retraces a jit that a custom_vjp's bwd calls (the backward pass runs equations), not fwd's", async () => {
    // JAX 0.10.2's counts: 1 after the user call; 2 after grad through bwd (unjitted too), still 2
    // for a second grad, grad of a jit, and grads through a fwd calling g, jitted or not.
    const g = jit(function g(x: Value) {
      return jnp.cos(x).mul(2);
    });
    const f = customVjp(function f(x: Value) {
      return jnp.sin(x);
    });
    f.defvjp(
      (x: Value) => [jnp.sin(x), x],
      (x: Value, ct: Value) => [(g(x) as Value).mul(ct)],
    );
    const f2 = customVjp(function f2(x: Value) {
      return jnp.sin(x);
    });
    f2.defvjp(
      (x: Value) => [g(x), x],
      (_x: Value, ct: Value) => [ct],
    );
    const x = jnp.ones([3], { dtype: 'float32' });
    g(x);
    expect(g.traceCount).toBe(1);
    const d = (await (grad((y: Value) => jnp.sum(f(y) as Value))(x) as Value).tolist()) as number[];
    expect(g.traceCount).toBe(2);
    grad((y: Value) => jnp.sum(f(y) as Value))(x);
    const h = jit((y: Value) => (f(y) as Value).mul(3));
    const dj = (await (grad((y: Value) => jnp.sum(h(y) as Value))(x) as Value).tolist()) as number[];
    grad((y: Value) => jnp.sum(f2(y) as Value))(x);
    grad((y: Value) => jnp.sum(jit(f2)(y) as Value))(x);
    expect(g.traceCount).toBe(2);
    for (const v of d) expect(v).toBeCloseTo(2 * Math.cos(1), 5);
    for (const v of dj) expect(v).toBeCloseTo(6 * Math.cos(1), 5);
  });

  it('differentiates and batches a jit apart at the top level and inside a jit, as JAX prints', async () => {
    const f = jit(function f(x: Value) {
      return jnp.sin(x).mul(x);
    });
    const k = jit(function k(y: Value) {
      return f(y) as Value;
    });
    const h = (x: Value) => jnp.sum(f(x) as Value).add(jnp.sum(k(x) as Value));
    const x = jnp.array([0.5, 1, 2], { dtype: 'float32' });
    expect(String(makeJaxpr(grad(h))(x))).toBe(fx.grad);
    expect(String(makeJaxpr(vmap(h))(jnp.stack([x, x.mul(2)])))).toBe(fx.vmap);
    const d = (await (grad(h)(x) as Value).tolist()) as number[];
    d.forEach((v, i) => {
      expect(v).toBeCloseTo(fx.grad_value[i], 5);
    });
  });
});
