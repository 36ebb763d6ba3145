/**
 * @file jax.nn functions against JAX 0.10.2 (fixtures/nn.json, made by fixtures/make_nn.py),
 * eager and jitted, and a few gradients.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/engine/index.js';
import { grad, jit, numpy as jnp, nn } from '../../src/engine/index.js';

const fx = JSON.parse(readFileSync(new URL('../../fixtures/nn.json', import.meta.url), 'utf8'));
const x = jnp.array(fx.x, { dtype: 'float32' });
const m = jnp.array(fx.m, { dtype: 'float32' });

function close(got: unknown, want: unknown, tol = 2e-6): void {
  const g = (got as number[]).flat(3) as number[];
  const w = (want as number[]).flat(3) as number[];
  expect(g.length).toBe(w.length);
  g.forEach((v, i) => {
    expect(Math.abs(v - w[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w[i])));
  });
}

const unary: [string, (v: Value) => Value][] = [
  ['relu', nn.relu],
  ['relu6', nn.relu6],
  ['sigmoid', nn.sigmoid],
  ['softplus', nn.softplus],
  ['soft_sign', nn.softSign],
  ['silu', nn.silu],
  ['log_sigmoid', nn.logSigmoid],
  ['elu', (v) => nn.elu(v)],
  ['celu', (v) => nn.celu(v)],
  ['selu', nn.selu],
  ['leaky_relu', (v) => nn.leakyRelu(v)],
  ['hard_tanh', nn.hardTanh],
  ['hard_sigmoid', nn.hardSigmoid],
  ['hard_silu', nn.hardSilu],
  ['gelu_tanh', (v) => nn.gelu(v)],
  ['gelu_erf', (v) => nn.gelu(v, false)],
];

describe('jax.nn activations', () => {
  for (const [name, f] of unary) {
    it(`${name} matches JAX, eager and jitted`, async () => {
      close(await f(x).tolist(), fx.cases[name]);
      close(await (jit(f)(x) as Value).tolist(), fx.cases[name]);
    });
  }
});

describe('jax.nn reductions', () => {
  it('softmax, log_softmax, logsumexp, standardize', async () => {
    close(await nn.softmax(m).tolist(), fx.cases.softmax);
    close(await nn.softmax(m, { axis: 0 }).tolist(), fx.cases.softmax_axis0);
    close(await nn.logSoftmax(m).tolist(), fx.cases.log_softmax);
    close(await nn.logsumexp(m, { axis: 1 }).tolist(), fx.cases.logsumexp);
    close([await nn.logsumexp(m).item()], [fx.cases.logsumexp_all]);
    close(await nn.standardize(m).tolist(), fx.cases.standardize, 1e-5);
  });

  it('one_hot', async () => {
    expect(await nn.oneHot(jnp.array([0, 2, 1]), 3).tolist()).toEqual(fx.cases.one_hot);
  });

  it('gradients of softplus and logsumexp', async () => {
    close(await grad((v: Value) => jnp.sum(nn.softplus(v)))(x).tolist(), fx.cases.grad_softplus);
    close(await grad((v: Value) => nn.logsumexp(v))(m).tolist(), fx.cases.grad_logsumexp);
  });
});
