/**
 * @file WGAN pieces against a JAX reference (fixtures/optax.json `wgan`, made by fixtures/make_optax.py): the
 * critic and generator losses, the gradient penalty's draw and value for PRNGKey(42), and its gradient with
 * respect to the critic's parameters (reverse mode through vmap(grad)), eager and jitted; that gradient also
 * against central differences in float64.
 */
import { describe, expect, it } from 'vitest';
import { grad, jit, numpy as jnp, random, type Value, wgan, withConfig } from '../../src/engine/index.js';
import { closeTo, expectTree, fromJson, fx } from './optax/fixture.js';

const W = fx.wgan;
type P = { w1: Value; b1: Value; w2: Value; b2: Value };

function critic(p: P, x: Value): Value {
  const h = jnp.tanh(jnp.add(jnp.matmul(x, p.w1), p.b1));
  return jnp.getitem(jnp.add(jnp.matmul(h, p.w2), p.b2), [jnp.sl(null), 0]);
}

const params = (): P => fromJson(W.params);
const real = () => jnp.array(W.real, { dtype: 'float32' });
const fake = () => jnp.array(W.fake, { dtype: 'float32' });
const key = () => random.PRNGKey(42);
const penalty = (p: P, r: Value, f: Value, k: Value) => wgan.gradientPenalty((x) => critic(p, x), r, f, k);
const total = (p: P) =>
  jnp.add(
    wgan.criticLoss(critic(p, real()), critic(p, fake())),
    jnp.multiply(10.0, penalty(p, real(), fake(), key())),
  );
const TOL = { rtol: 2e-6, atol: 1e-7 };

describe('wgan', () => {
  it("the key and the interpolation draw are JAX's", async () => {
    expect(await random.keyData(key()).tolist()).toEqual(W.key);
    const [eps, xHat] = wgan.interpolates(real(), fake(), key());
    expect(eps.shape).toEqual([5, 1]);
    expect(await eps.tolist()).toEqual(W.eps);
    // x_hat = eps * real + (1 - eps) * fake
    const want = jnp.add(jnp.multiply(eps, real()), jnp.multiply(jnp.subtract(1, eps), fake()));
    expect(await xHat.tolist()).toEqual(await want.tolist());
  });

  it('critic and generator losses', async () => {
    const p = params();
    closeTo(
      Number(await wgan.criticLoss(critic(p, real()), critic(p, fake())).item()),
      W.critic_loss,
      1e-6,
      0,
      'critic',
    );
    closeTo(
      Number(await wgan.generatorLoss(critic(p, fake())).item()),
      W.generator_loss,
      1e-6,
      0,
      'generator',
    );
  });

  it('the gradient penalty and its gradient with respect to the critic params', async () => {
    const p = params();
    closeTo(Number(await penalty(p, real(), fake(), key()).item()), W.penalty, 2e-6, 0, 'penalty');
    await expectTree(grad(penalty)(p, real(), fake(), key()), W.penalty_grad, TOL, 'penalty grad');
    await expectTree(jit(grad(penalty))(p, real(), fake(), key()), W.penalty_grad, TOL, 'jit penalty grad');
    closeTo(
      Number(await (jit(penalty)(p, real(), fake(), key()) as Value).item()),
      W.penalty,
      2e-6,
      0,
      'jit',
    );
  });

  it('a whole WGAN-GP critic objective and its gradient, jitted', async () => {
    const p = params();
    closeTo(Number(await total(p).item()), W.total, 2e-6, 0, 'total');
    await expectTree(jit(grad(total))(p), W.total_grad, TOL, 'total grad');
  });

  it('the penalty gradient agrees with central differences (float64)', () => {
    withConfig({ enableX64: true }, () => {
      const p64 = Object.fromEntries(
        Object.entries(params()).map(([k, v]) => [k, jnp.astype(v, 'float64')]),
      ) as unknown as P;
      const r = jnp.astype(real(), 'float64');
      const f = jnp.astype(fake(), 'float64');
      const k = key();
      const g = grad((q: P) => penalty(q, r, f, k))(p64) as P;
      const h = 1e-6;
      for (const name of ['w1', 'b1', 'w2'] as const) {
        const base = Array.from(p64[name].dataSync() as Float64Array);
        const gv = g[name].dataSync();
        for (let i = 0; i < base.length; i += 3) {
          const at = (d: number): number => {
            const y = [...base];
            y[i] += d;
            const q = { ...p64, [name]: jnp.reshape(jnp.array(y, { dtype: 'float64' }), p64[name].shape) };
            return Number(penalty(q, r, f, k).dataSync()[0]);
          };
          closeTo(gv[i], (at(h) - at(-h)) / (2 * h), 1e-6, 1e-8, `${name}[${i}]`);
        }
      }
    });
  });

  it('rejects batches of different shapes', () => {
    expect(() => wgan.gradientPenalty((x) => x, jnp.ones([4, 3]), jnp.ones([4, 2]), key())).toThrow(
      'gradientPenalty: real and fake must be batches of the same shape, got (4, 3) and (4, 2).',
    );
  });
});
