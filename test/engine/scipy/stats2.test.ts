/**
 * @file The later jax.scipy.stats distributions and functions (src/engine/scipy/stats/
 * continuous2.ts, discrete2.ts, multivariate2.ts, kde.ts, summary.ts) against SciPy (float64 on
 * the same float32 inputs) and JAX 0.10.2 (fixtures/stats2.json from fixtures/make_stats2.py).
 * These are JAX's formulas, so each value must be within TOL float32 ulps (or 1e-6 absolutely,
 * for results near 0 where ulps say nothing about a formula) of SciPy's or of JAX's: tjax is
 * accurate where JAX is and JAX's equal where JAX is not (SciPy handles some out-of-support
 * parameters differently, e.g. vonmises' and wrapcauchy's, which JAX makes NaN).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jit, numpy as jnp, random, scipy, type Value } from '../../../src/engine/index.js';
import { dec, ulps } from './helpers.js';

const fx = JSON.parse(readFileSync(new URL('../../../fixtures/stats2.json', import.meta.url), 'utf8'));
const stats = scipy.stats as unknown as Record<string, any>;
const f32 = (xs: (number | string)[]) => jnp.array(dec(xs), { dtype: 'float32' });

/** Float32 ulps per distribution (the measured maxima, rounded up). */
const TOL: Record<string, number> = {
  gennorm: 1,
  gumbel_l: 1,
  gumbel_r: 2,
  pareto: 1,
  truncnorm: 8,
  vonmises: 1,
  wrapcauchy: 1,
  betabinom: 8,
  nbinom: 8,
};

function closeTo(got: number, want: number, tol: number): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= 1e-6 || ulps(got, want) <= tol;
}

describe('distributions against SciPy and JAX', () => {
  for (const c of fx.dists) {
    it(`${c.dist}.${c.method} (${c.names.join(', ')})`, async () => {
      const args = c.args.map(f32);
      // The parameters by position, and again by keyword.
      const byPos: Value = stats[c.dist][c.method](...args);
      const opts = Object.fromEntries(c.names.map((n: string, i: number) => [n, args[i + 1]]));
      const byKw: Value = stats[c.dist][c.method](args[0], opts);
      const got = Array.from(await byPos.data(), Number);
      expect(Array.from(await byKw.data(), Number)).toEqual(got);
      const ref = dec(c.ref);
      const jax = dec(c.jax);
      const bad = got
        .map((g, i) => [i, g] as const)
        .filter(([i, g]) => !closeTo(g, ref[i], TOL[c.dist]) && !closeTo(g, jax[i], TOL[c.dist]))
        .map(
          ([i, g]) =>
            `[${i}] ${g} (SciPy ${ref[i]}, JAX ${jax[i]}; args ${c.args.map((a: any) => a[i]).join(', ')})`,
        );
      expect(bad.slice(0, 4)).toEqual([]);
    });
  }
  it('poisson.entropy over small, medium and large means', async () => {
    // Each term's logpmf is k log mu - lgamma(k + 1) - mu, which cancels to ~1e-4 absolute for
    // mu near 100 in float32 (JAX's values err by the same order): a relative bound.
    const e = fx.entropy;
    const got = Array.from(await stats.poisson.entropy(f32(e.mu)).data(), Number);
    const ref = dec(e.ref);
    for (const [i, g] of got.entries())
      expect(Math.abs(g - ref[i]), `${i}: ${g}`).toBeLessThanOrEqual(3e-5 * ref[i]);
  });
  it('multinomial and dirichlet', async () => {
    const m = fx.multinomial;
    const x = jnp.array(m.x, { dtype: 'int32' });
    const lp = stats.multinomial.logpmf(x, jnp.array(m.n, { dtype: 'int32' }), f32(m.p));
    const got = Array.from(await lp.data(), Number);
    // JAX compares the sum of all of x with n, so each row of this batch is -inf, as in JAX.
    expect(got).toEqual(dec(m.jax));
    const one = jnp.array(m.x[0], { dtype: 'int32' });
    const lp1 = Number(stats.multinomial.logpmf(one, 4, f32(m.p)).dataSync()[0]);
    expect(closeTo(lp1, dec(m.jax_1d)[0], 4)).toBe(true);
    expect(closeTo(lp1, dec(m.ref)[0], 8)).toBe(true);
    expect(
      closeTo(Number(stats.multinomial.pmf(one, 4, f32(m.p)).dataSync()[0]), dec(m.jax_pmf_1d)[0], 4),
    ).toBe(true);
    const d = fx.dirichlet;
    const lpd = Array.from(
      await stats.dirichlet.logpdf(f32(d.x).reshape(...d.x_shape), f32(d.alpha)).data(),
      Number,
    );
    for (const [i, g] of lpd.entries()) expect(closeTo(g, dec(d.jax)[i], 4), `${i}`).toBe(true);
    expect(lpd[2]).toBe(Number.NEGATIVE_INFINITY);
    for (const i of [0, 1]) expect(Math.abs(lpd[i] - dec(d.ref)[i])).toBeLessThan(2e-5);
    const lp2 = Array.from(
      await stats.dirichlet.logpdf(f32(d.x2).reshape(...d.x2_shape), f32(d.alpha)).data(),
      Number,
    );
    for (const [i, g] of lp2.entries()) expect(closeTo(g, dec(d.jax2)[i], 4)).toBe(true);
  });
});

describe('gaussian_kde', () => {
  const k = fx.kde;
  const data = f32(k.data).reshape(2, 40);
  const pts = f32(k.points).reshape(2, 7);
  const near = async (v: Value, want: (number | string)[], rtol = 2e-5) => {
    const got = Array.from(await v.data(), Number);
    const w = dec(want);
    expect(got.length).toBe(w.length);
    for (const [i, g] of got.entries())
      expect(Math.abs(g - w[i])).toBeLessThanOrEqual(rtol * Math.abs(w[i]) + 1e-7);
  };
  it("evaluates, as JAX's and SciPy's estimates", async () => {
    const kde = new stats.gaussian_kde(data);
    await near(kde.covariance, k.covariance);
    await near(kde.pdf(pts), k.pdf);
    await near(kde.pdf(pts), k.ref_pdf, 1e-4);
    await near(kde.logpdf(pts), k.logpdf);
    // A pytree: through jit it is the same object's arrays.
    await near(jit((kk: any, p: Value) => kk.evaluate(p))(kde, pts), k.pdf);
  });
  it("weights, Silverman's rule, a scalar bandwidth and the integrals", async () => {
    const k2 = new stats.gaussian_kde(data, 'silverman', f32(k.weights));
    expect(Math.abs(Number(k2.neff.dataSync()[0]) - k.neff2)).toBeLessThan(1e-3);
    await near(k2.covariance, k.covariance2);
    await near(k2.evaluate(pts), k.pdf2);
    const k3 = new stats.gaussian_kde(jnp.array(dec(k.data).slice(0, 40), { dtype: 'float32' }), 0.3);
    await near(k3.pdf(jnp.array(dec(k.points).slice(0, 7), { dtype: 'float32' })), k.pdf3);
    await near(k3.integrate_box_1d(-0.5, 1.0), [k.box1d]);
    const k1 = new stats.gaussian_kde(data);
    await near(k1.integrate_gaussian(jnp.zeros([2]), jnp.eye(2)), [k.gauss], 1e-4);
    await near(k1.integrate_kde(k2), [k.kde], 1e-4);
  });
  it('resample draws from the data plus kernel noise (JAX: same choice, normal up to float rounding)', async () => {
    const r = new stats.gaussian_kde(data).resample(random.key(0), [5]);
    expect(r.shape).toEqual([2, 5]);
    await near(r, k.resample, 1e-4);
  });
  it('errors', () => {
    const E = fx.errors;
    expect(() => new stats.gaussian_kde(jnp.array([1]))).toThrow(E.kde_single[1]);
    expect(() => new stats.gaussian_kde(data, 'nope')).toThrow(E.kde_bw[1]);
    expect(() => new stats.gaussian_kde(data).integrate_box(0, 1)).toThrow(E.kde_box[1]);
  });
});

describe('mode, rankdata, sem', () => {
  it('mode along axes, over all, keepdims', async () => {
    const m = fx.mode;
    const x = f32(m.x).reshape(...m.shape);
    const cases: [unknown, string, boolean][] = [
      [0, 'axis0', false],
      [1, 'axis1', false],
      [null, 'axisNone', false],
      [1, 'keep', true],
    ];
    for (const [axis, key, keepdims] of cases) {
      const r = stats.mode(x, { axis, keepdims });
      const [mv, cv, shape] = m[key];
      expect(r.mode.shape).toEqual(shape);
      expect(Array.from(await r.mode.data(), Number)).toEqual(dec(mv));
      expect(Array.from(await r.count.data(), Number)).toEqual(dec(cv));
    }
    expect(() => stats.mode(x, { nan_policy: 'bad' })).toThrow(fx.errors.mode_policy[1]);
    expect(() => stats.mode(x, { nan_policy: 'omit' })).toThrow(fx.errors.mode_omit[1]);
  });
  it('rankdata by every method, along an axis, NaN', async () => {
    const r = fx.rankdata;
    const x = f32(r.x).reshape(...r.shape);
    for (const m of ['average', 'min', 'max', 'dense', 'ordinal']) {
      expect(Array.from(await stats.rankdata(x, m).data(), Number), m).toEqual(dec(r[m]));
      expect(Array.from(await stats.rankdata(x, m, { axis: 1 }).data(), Number), m).toEqual(
        dec(r[`${m}_axis1`]),
      );
    }
    expect(Array.from(await stats.rankdata(f32([1, 'nan', 2])).data(), Number)).toEqual(dec(r.nan));
    expect(() => stats.rankdata(x, 'nope')).toThrow(fx.errors.rank_method[1]);
  });
  it('sem along axes, ddof, keepdims, nan_policy omit', async () => {
    const s = fx.sem;
    const x = f32(s.x).reshape(3, 5);
    const near = async (v: Value, w: (number | string)[]) => {
      const got = Array.from(await v.data(), Number);
      for (const [i, g] of got.entries())
        expect(Math.abs(g - dec(w)[i])).toBeLessThan(2e-6 * Math.abs(dec(w)[i]) + 1e-7);
    };
    await near(stats.sem(x), s.axis0);
    await near(stats.sem(x), s.ref_axis0);
    await near(stats.sem(x, { axis: 1 }), s.axis1);
    await near(stats.sem(x, { axis: null, ddof: 0 }), s.none_ddof0);
    const kd = stats.sem(x, { axis: 1, keepdims: true });
    expect(kd.shape).toEqual([3, 1]);
    await near(kd, s.keep);
    await near(stats.sem(f32(s.x_nan).reshape(3, 5), { axis: 1, nan_policy: 'omit' }), s.omit);
  });
  it('multinomial and dirichlet errors', () => {
    const E = fx.errors;
    expect(() => stats.multinomial.logpmf(f32([1, 2]), 3.0, f32([0.5, 0.5]))).toThrow(E.multinomial_float[1]);
    expect(() => stats.dirichlet.logpdf(f32(fx.dirichlet.x).reshape(3, 3), jnp.ones([3, 2]))).toThrow(
      E.dirichlet_alpha[1],
    );
    expect(() => stats.dirichlet.logpdf(jnp.ones([5, 2]), f32(fx.dirichlet.alpha))).toThrow(E.dirichlet_x[1]);
  });
});
