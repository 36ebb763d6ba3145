/**
 * @file The later jax.nn functions (src/engine/nn/index.ts and attention.ts) against JAX
 * 0.10.2 (fixtures/nn2.json from fixtures/make_nn2.py): identity, tanh, log1mexp, logmeanexp,
 * mish, sparse_plus, sparse_sigmoid, squareplus and their gradients (log1mexp's custom JVP), and
 * dot_product_attention with grouped-query heads, bias, masks, causal and sliding windows,
 * sequence lengths and the residual; jit, vmap and JAX's errors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { grad, jit, numpy as jnp, jvp, nn, type Value, vmap } from '../../src/engine/index.js';

const fx = JSON.parse(readFileSync(new URL('../../fixtures/nn2.json', import.meta.url), 'utf8'));
interface Arr {
  shape: number[];
  dtype: string;
  data: (number | string | boolean)[];
}
const NF: Record<string, number> = { nan: Number.NaN, inf: Infinity, '-inf': -Infinity };
const arr = (a: Arr) =>
  jnp
    .array(
      a.data.map((v) => (typeof v === 'string' ? NF[v] : v)),
      { dtype: a.dtype },
    )
    .reshape(...a.shape);
const nums = (a: Arr) => a.data.map((v) => (typeof v === 'string' ? NF[v] : Number(v)));

async function close(v: Value, want: Arr, rtol = 2e-6, atol = 1e-7) {
  expect(v.shape).toEqual(want.shape);
  const got = Array.from(await v.data(), Number);
  const w = nums(want);
  for (const [i, g] of got.entries()) {
    if (Number.isNaN(w[i])) expect(g).toBeNaN();
    else if (!Number.isFinite(w[i])) expect(g).toBe(w[i]);
    else
      expect(Math.abs(g - w[i]), `[${i}] ${g} vs ${w[i]}`).toBeLessThanOrEqual(rtol * Math.abs(w[i]) + atol);
  }
}

const F = fx.functions;
const x = arr(F.x);
const xp = arr(F.xp);
const n = nn as unknown as Record<string, (...a: any[]) => Value>;

describe('activations', () => {
  for (const name of ['identity', 'tanh', 'mish', 'sparse_plus', 'sparse_sigmoid', 'squareplus'])
    it(name, () => close(n[name](x), F[name]));
  it('squareplus with b, log1mexp on both sides of log 2', async () => {
    await close(nn.squareplus(x, 1), F.squareplus_b1);
    await close(nn.log1mexp(xp), F.log1mexp);
  });
  it('derivatives (log1mexp through its custom JVP g / expm1(x))', async () => {
    // Forward mode: on main, grad of a jitted function calling jitted jnp.where (sparse_plus)
    // waits for the partial-eval fix of nested jit equations on the npapi branch.
    const g = (f: (v: Value) => Value, v: Value) =>
      vmap((y: Value) => jvp(f, [y], [jnp.onesLike(y)])[1] as Value)(v) as Value;
    await close(g(nn.mish, x), F.grad_mish, 1e-5, 1e-6);
    await close(g(nn.sparse_plus, x), F.grad_sparse_plus);
    await close(
      g((v) => nn.squareplus(v), x),
      F.grad_squareplus,
    );
    const xs = jnp.array(nums(F.xp).slice(0, -1), { dtype: 'float32' });
    await close(g(nn.log1mexp, xs), F.grad_log1mexp, 1e-5);
  });
  it('logmeanexp over axes, keepdims and where', async () => {
    const L = fx.logmeanexp;
    const m = arr(L.x);
    await close(nn.logmeanexp(m), L.all);
    await close(nn.logmeanexp(m, { axis: 1 }), L.axis1);
    await close(nn.logmeanexp(m, { axis: 0, keepdims: true }), L.axis0_keep);
    await close(nn.logmeanexp(m, { axis: 1, where: arr(L.where) }), L.where1);
  });
});

describe('dot_product_attention', () => {
  for (const c of fx.attention) {
    it(c.name, async () => {
      const opts: Record<string, unknown> = { ...c.opts };
      for (const [k, v] of Object.entries(opts))
        if (v && typeof v === 'object' && 'shape' in v) opts[k] = arr(v as Arr);
      if (c.bias) opts.bias = arr(c.bias);
      if (c.mask) opts.mask = arr(c.mask);
      const out = nn.dotProductAttention(arr(c.q), arr(c.k), arr(c.v), opts);
      if (c.residual) {
        const [o, r] = out as [Value, Value];
        await close(o, c.out, 1e-5, 1e-6);
        await close(r, c.residual, 1e-5, 1e-6);
      } else await close(out as Value, c.out, 1e-5, 1e-6);
      if (c.grad_q) {
        const k = arr(c.k);
        const v = arr(c.v);
        const gq = grad((q: Value) => jnp.sum(jnp.square(nn.dotProductAttention(q, k, v) as Value)))(
          arr(c.q),
        );
        await close(gq, c.grad_q, 1e-4, 1e-5);
        const j = jit((q: Value) => nn.dotProductAttention(q, k, v) as Value)(arr(c.q));
        await close(j, c.out, 1e-5, 1e-6);
      }
    });
  }
  it("JAX's errors", () => {
    const z = jnp.zeros([1, 2, 3, 4]);
    expect(() => nn.dotProductAttention(z, jnp.zeros([1, 2, 2, 4]), jnp.zeros([1, 2, 2, 4]))).toThrow(
      fx.errors.heads[1],
    );
    expect(() => nn.dotProductAttention(z, z, jnp.zeros([1, 2, 3, 5]))).toThrow(fx.errors.value_shape[1]);
    expect(() => nn.dotProductAttention(z, z, z, { implementation: 'tpu' as never })).toThrow(
      fx.errors.impl[1],
    );
  });
});
