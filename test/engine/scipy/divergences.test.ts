/**
 * @file Divergences and distances: wasserstein_distance against scipy.stats.wasserstein_distance
 * (with and without weights), the sliced distance against SciPy's 1-D distance averaged over the
 * same directions (fixtures/scipy.json), and the closed-form KL between normals.
 */
import { describe, expect, it } from 'vitest';
import { grad, jit, numpy as jnp, random, scipy } from '../../../src/engine/index.js';
import { dec, fx } from './helpers.js';

const D = scipy.divergences;

describe('wasserstein_distance', () => {
  for (const [i, c] of (fx.wasserstein as any[]).entries()) {
    it(`matches SciPy (case ${i}, weights: ${c.uw !== null})`, async () => {
      const a = (l: any) => (l === null ? null : jnp.array(dec(l), { dtype: 'float32' }));
      const out = D.wasserstein_distance(a(c.u)!, a(c.v)!, a(c.uw), a(c.vw));
      expect(out.shape).toEqual([]);
      expect(Math.abs(Number(await out.tolist()) - c.ref)).toBeLessThanOrEqual(1e-5 * Math.max(1, c.ref));
      const j = jit((u: any, v: any) => scipy.stats.wasserstein_distance(u, v, a(c.uw), a(c.vw)));
      expect(Number(await j(a(c.u), a(c.v)).tolist())).toBeCloseTo(Number(await out.tolist()), 5);
    });
  }

  it('is zero for equal samples and checks its inputs', async () => {
    expect(Number(await D.wasserstein_distance([1, 2, 3], [3, 1, 2]).tolist())).toBe(0);
    expect(Number(await D.wasserstein_distance([0], [5]).tolist())).toBe(5);
    expect(() => D.wasserstein_distance([[1]], [1])).toThrow('must be 1-D');
    expect(() => D.wasserstein_distance([1, 2], [1], [1])).toThrow(
      'u_weights must have the same length as u_values',
    );
  });
});

describe('sliced_wasserstein_distance', () => {
  for (const [i, c] of (fx.sliced as any[]).entries()) {
    it(`matches SciPy over the given directions (case ${i})`, async () => {
      const X = jnp.reshape(jnp.array(dec(c.X), { dtype: 'float32' }), c.shape_x);
      const Y = jnp.reshape(jnp.array(dec(c.Y), { dtype: 'float32' }), c.shape_y);
      const dirs = jnp.reshape(jnp.array(dec(c.dirs), { dtype: 'float32' }), [c.L, c.shape_x[1]]);
      const out = D.sliced_wasserstein_distance(X, Y, { directions: dirs });
      expect(Math.abs(Number(await out.tolist()) - c.ref_p1)).toBeLessThanOrEqual(
        1e-5 * Math.max(1, c.ref_p1),
      );
      const j = jit((x: any, y: any, d: any) => D.sliced_wasserstein_distance(x, y, { directions: d }));
      expect(Number(await j(X, Y, dirs).tolist())).toBeCloseTo(c.ref_p1, 4);
    });
  }

  it('draws directions from a key with random.normal', async () => {
    const X = jnp.array(
      [
        [0, 0],
        [1, 1],
        [2, 0],
      ],
      { dtype: 'float32' },
    );
    const Y = X.add(jnp.array([3, 4], { dtype: 'float32' }));
    const key = random.key(0);
    const a = Number(await D.sliced_wasserstein_distance(X, Y, { key, nProjections: 64 }).tolist());
    // A pure translation by t: the mean of |<t, theta>| over unit theta, 2|t|/pi in 2-D.
    expect(a).toBeGreaterThan(0.8 * (10 / Math.PI));
    expect(a).toBeLessThan(1.2 * (10 / Math.PI));
    expect(Number(await D.sliced_wasserstein_distance(X, Y, { key, nProjections: 64 }).tolist())).toBe(a);
  });

  it('needs directions or a key', () => {
    const X = jnp.zeros([3, 2]);
    expect(() => D.sliced_wasserstein_distance(X, X)).toThrow('needs either directions or key');
    expect(() => D.sliced_wasserstein_distance(X, X, { directions: jnp.ones([4, 3]) })).toThrow(
      'directions must have shape (L, 2)',
    );
  });
});

describe('kl_normal', () => {
  it('is the closed form, accurate for nearby normals, and differentiable', async () => {
    const kl = (m1: number, s1: number, m2: number, s2: number) =>
      Math.log(s2 / s1) + (s1 * s1 + (m1 - m2) ** 2) / (2 * s2 * s2) - 0.5;
    const out = (await D.kl_normal(
      jnp.array([0, 1, -2]),
      jnp.array([1, 2, 0.5]),
      jnp.array([1, 1, 0]),
      jnp.array([2, 2, 3]),
    ).tolist()) as number[];
    expect(out[0]).toBeCloseTo(kl(0, 1, 1, 2), 6);
    expect(out[1]).toBeCloseTo(kl(1, 2, 1, 2), 6);
    expect(out[2]).toBeCloseTo(kl(-2, 0.5, 0, 3), 5);
    // s1 = s2 (1 + 1e-3): KL ~ 1e-6; the direct formula in float32 would lose most digits.
    const near = Number(await D.kl_normal(0, jnp.array(1.001, { dtype: 'float32' }), 0, 1).tolist());
    const s = Math.fround(1.001);
    expect(near / (0.5 * (s * s - 1 - Math.log(s * s)))).toBeCloseTo(1, 4);
    const g = grad((m: any) => D.kl_normal(m, 1, 0, 2));
    expect(Number(await g(jnp.array(1, { dtype: 'float32' })).tolist())).toBeCloseTo(0.25, 6);
  });
});
