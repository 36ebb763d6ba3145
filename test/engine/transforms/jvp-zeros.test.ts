/**
 * @file Which zero tangents a split jit passes as residuals (transforms/jvp.ts `JvpMode`), against
 * JAX 0.10.2's printouts (fixtures/jvp_zeros.json, made by fixtures/make_jvp_zeros.py): grad of a
 * jitted pad linearizes the jit, and the zero pad's jvp instantiates for its padding value is a
 * residual of the primal call; a custom_jvp rule calling jvp on the same jitted function stages the
 * jit's jvp first, and the zero stays a literal. Each sequence uses fresh functions and traces both
 * cases, in both orders, so the jit's jvp cache is seen to keep the two kinds apart. The gradients
 * are JAX's too (2x).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { customJvp, grad, jit, numpy as jnp, jvp, lax, makeJaxpr } from '../../../src/engine/index.js';

const fx = JSON.parse(readFileSync(new URL('../../../fixtures/jvp_zeros.json', import.meta.url), 'utf8')) as {
  sequences: { case: string; jaxpr: string }[][];
  grads: Record<string, number[]>;
};

function functions(): Record<string, (x: Value) => Value> {
  const f = jit(function f(x: Value) {
    return lax.pad(x.mul(x), 0.0, [[1, 1, 0]]);
  });
  const g = customJvp(function g(x: Value) {
    return jnp.sin(x);
  });
  g.defjvp(function g_jvp(primals: Value[], tangents: Value[]) {
    const inner = (y: Value) => lax.slice(f(y) as Value, [1], [4]);
    return jvp(inner, primals, tangents) as [Value, Value];
  });
  return {
    grad_jit: grad((x: Value) => jnp.sum(f(x) as Value)) as (x: Value) => Value,
    grad_custom_jvp: grad((x: Value) => jnp.sum(g(x) as Value)) as (x: Value) => Value,
  };
}

describe('instantiated zero tangents under grad of a jit', () => {
  fx.sequences.forEach((seq, i) => {
    it(`prints as JAX does: ${seq.map((c) => c.case).join(' then ')}`, () => {
      const fs = functions();
      for (const c of seq) {
        expect(String(makeJaxpr(fs[c.case])(jnp.zeros([3], { dtype: 'float32' }))), `${i}: ${c.case}`).toBe(
          c.jaxpr,
        );
      }
    });
  });

  it("gives JAX's gradients", async () => {
    const fs = functions();
    for (const [name, want] of Object.entries(fx.grads)) {
      const got = (await fs[name](jnp.array([0.5, 1, 2], { dtype: 'float32' })).tolist()) as number[];
      expect(got, name).toEqual(want);
    }
  });
});
