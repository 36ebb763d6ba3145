/**
 * @file scipy.stats against SciPy (float64 reference on the same float32 inputs) and JAX 0.10.2.
 * Fixture: fixtures/scipy.json (stats, mvn) from fixtures/make_scipy.py. The error of a method is
 * dominated by the rounding of z = (x - loc) / scale amplified by the density's slope in the far
 * tails (exp(-z^2/2) at z = 9 turns 1 ulp of z into ~80), so the bound is 100 ulp, plus an
 * absolute floor for results that underflow float32 (log of a probability below 1e-38).
 */
import { describe, expect, it } from 'vitest';
import { grad, jit, numpy as jnp, scipy } from '../../../src/engine/index.js';
import { dec, fx, ulps } from './helpers.js';

const stats = scipy.stats as any;

describe('scipy.stats methods against SciPy', () => {
  for (const c of fx.stats as any[]) {
    it(`${c.dist}.${c.method}`, async () => {
      const params = Object.fromEntries(
        Object.entries<any>(c.params).map(([k, v]) => [k, jnp.array(dec(v), { dtype: 'float32' })]),
      );
      const x = jnp.array(dec(c.x), { dtype: 'float32' });
      const f = stats[c.dist][c.method];
      const out = f(x, params);
      expect(out.dtype.name).toBe('float32');
      const got = (await out.data()) as Float32Array;
      const ref = dec(c.ref);
      for (let i = 0; i < ref.length; i++) {
        // log-probabilities below float32's smallest normal are not representable as probabilities.
        if (/^log(cdf|sf)$/.test(c.method) && ref[i] < -87) continue;
        expect(
          ulps(got[i], ref[i]),
          `${c.dist}.${c.method} at ${i}: ${got[i]} vs ${ref[i]}`,
        ).toBeLessThanOrEqual(100);
      }
      // Positional parameters in JAX's order give the same result, as does jit.
      const pos = f(x, ...Object.values(params));
      expect(Array.from(await pos.data())).toEqual(Array.from(got));
      const jf = jit((v: any) => f(v, params));
      expect(Array.from(await jf(x).data())).toEqual(Array.from(got));
    });
  }

  it('multivariate_normal.logpdf matches SciPy and batches over x', async () => {
    for (const c of fx.mvn as any[]) {
      const x = jnp.reshape(jnp.array(dec(c.x), { dtype: 'float32' }), [5, c.d]);
      const mean = jnp.array(dec(c.mean), { dtype: 'float32' });
      const cov = jnp.reshape(jnp.array(dec(c.cov), { dtype: 'float32' }), [c.d, c.d]);
      for (const out of [
        stats.multivariate_normal.logpdf(x, mean, cov),
        stats.multivariate_normal.logpdf(x, { mean, cov }),
      ]) {
        expect(out.shape).toEqual([5]);
        const got = (await out.data()) as Float32Array;
        dec(c.ref).forEach((r, i) => {
          expect(Math.abs(got[i] - r)).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(r)));
        });
      }
      const p = await stats.multivariate_normal.pdf(x, mean, cov).data();
      dec(c.ref).forEach((r, i) => {
        expect(p[i] / Math.exp(r)).toBeCloseTo(1, 5);
      });
    }
  });
});

describe('scipy.stats calling conventions', () => {
  it('defaults, keyword options, weak types and errors', async () => {
    expect(Number(await stats.norm.pdf(0).tolist())).toBeCloseTo(0.3989423, 6);
    expect(stats.norm.pdf(0).weakType).toBe(true);
    expect(stats.norm.cdf(jnp.array([1, 2])).dtype.name).toBe('float32');
    expect(Number(await stats.norm.logpdf(1, { scale: 2 }).tolist())).toBeCloseTo(-1.7370857, 6);
    expect(Number(await stats.norm.logpdf(1, 0, 2).tolist())).toBeCloseTo(-1.7370857, 6);
    // Python's own messages for jax.scipy.stats.norm.pdf(0, sigma=1) and the like.
    expect(() => stats.norm.pdf(0, { sigma: 1 })).toThrow("pdf() got an unexpected keyword argument 'sigma'");
    expect(() => stats.gamma.pdf(1)).toThrow("pdf() missing 1 required positional argument: 'a'");
    expect(() => stats.norm.pdf(0, 1, 2, 3)).toThrow(
      'pdf() takes from 1 to 3 positional arguments but 4 were given',
    );
  });

  it('gradients flow through the densities (d/dmu of norm.logpdf = (x - mu) / sigma^2)', async () => {
    const g = grad((mu: any) => stats.norm.logpdf(1.5, mu, 2));
    expect(Number(await g(jnp.array(0.5, { dtype: 'float32' })).tolist())).toBeCloseTo(0.25, 6);
    const h = grad((x: any) => stats.gamma.logpdf(x, 3));
    expect(Number(await h(jnp.array(2, { dtype: 'float32' })).tolist())).toBeCloseTo(0, 6);
  });
});
