/**
 * @file The samplers (src/engine/random/continuous.ts, discrete.ts, gamma.ts, permutation.ts)
 * against JAX 0.10.2 draws with fixed keys (fixtures/random.json from fixtures/make_random.py):
 * integers and booleans exactly, floats within a few float32 ulps (log, tan... may differ from
 * XLA's by an ulp, which transforms can grow slightly); eager and jitted; plus Kolmogorov-Smirnov
 * and chi-square tests against the exact distributions for every sampler.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { jit, numpy as jnp, random, withConfig } from '../../../src/engine/index.js';
import { betaI, chiSquareTest, counts, gammaP, ksTest, normalCdf, studentTCdf } from './stats.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fx = JSON.parse(readFileSync(join(root, 'fixtures', 'random.json'), 'utf8'));
const S = fx.samples as Record<string, number[]>;

const k7 = () => random.key(7);
const f32 = (xs: number[]) => jnp.array(xs, { dtype: 'float32' });

const fb = new Float32Array(1);
const ib = new Int32Array(fb.buffer);
function ulps(a: number, b: number): number {
  if (a === b) return 0;
  fb[0] = a;
  const x = ib[0];
  fb[0] = b;
  return Math.abs(x - ib[0]);
}

/**
 * Within `maxUlps` float32 ulps, or 2e-7 absolutely: XLA's CPU code contracts a*b+c into fused
 * multiply-adds, which near zero (a range's lower end plus a product) moves results by more ulps
 * of a small value than of the operands.
 */
async function expectClose(v: Value, want: number[], maxUlps: number, name: string) {
  const got = Array.from(await v.data(), Number);
  expect(got.length, name).toBe(want.length);
  const worst = Math.max(0, ...got.map((g, i) => (Math.abs(g - want[i]) <= 2e-7 ? 0 : ulps(g, want[i]))));
  expect(worst, `${name}: worst ulp distance`).toBeLessThanOrEqual(maxUlps);
}

/** Fixture floats: non-finite values are stored as 'nan', 'inf', '-inf'. */
const NONFINITE: Record<string, number> = { nan: Number.NaN, inf: Infinity, '-inf': -Infinity };

async function expectExact(v: Value, want: (number | string)[], name: string) {
  const w = want.map((x) => (typeof x === 'string' ? NONFINITE[x] : x));
  expect(Array.from(await v.data(), Number), name).toEqual(w);
}

type Case = [name: string, f: (k: random.KeyLike) => Value, ulps: number | 'exact'];
const CASES: Case[] = [
  ['uniform', (k) => random.uniform(k, [64]), 0],
  ['uniform_range', (k) => random.uniform(k, [3, 5], null, -2, 3), 1],
  // erf_inv is XLA's float32 polynomial (runtime.ts erfinv32): the draws are JAX's.
  ['normal', (k) => random.normal(k, [256]), 0],
  ['randint', (k) => random.randint(k, [32], 0, 10), 'exact'],
  ['randint_neg', (k) => random.randint(k, [16], -100, 1000), 'exact'],
  ['randint_u8', (k) => random.randint(k, [16], 0, 256, 'uint8'), 'exact'],
  ['randint_i8', (k) => random.randint(k, [16], -128, 128, 'int8'), 'exact'],
  ['bernoulli', (k) => random.bernoulli(k, 0.3, [32]), 'exact'],
  ['bernoulli_p', (k) => random.bernoulli(k, f32([0.1, 0.5, 0.9])), 'exact'],
  ['categorical', (k) => random.categorical(k, f32([0.1, 1, 2, -1]), { shape: [32] }), 'exact'],
  [
    'categorical_2d',
    (k) => random.categorical(k, jnp.log(f32([0.2, 0.8, 0.5, 0.5, 0.9, 0.1]).reshape(3, 2))),
    'exact',
  ],
  [
    'categorical_axis0',
    (k) => random.categorical(k, f32([0.1, 2, 1, 0.5, 0.3, 0.3]).reshape(3, 2), { axis: 0, shape: [4, 2] }),
    'exact',
  ],
  [
    'categorical_noreplace',
    (k) => random.categorical(k, f32([0.1, 1, 2, -1, 0.5]), { shape: [3], replace: false }),
    'exact',
  ],
  ['gumbel', (k) => random.gumbel(k, [32]), 4],
  ['exponential', (k) => random.exponential(k, [32]), 1],
  ['laplace', (k) => random.laplace(k, [32]), 1],
  ['logistic', (k) => random.logistic(k, [32]), 2],
  ['cauchy', (k) => random.cauchy(k, [32]), 4],
  ['truncated_normal', (k) => random.truncatedNormal(k, -1, 2, [32]), 8],
  ['lognormal', (k) => random.lognormal(k, 0.5, [32]), 4],
  ['pareto', (k) => random.pareto(k, 3, [32]), 2],
  ['weibull_min', (k) => random.weibullMin(k, 2, 1.5, [32]), 4],
  ['rademacher', (k) => random.rademacher(k, [32]), 'exact'],
  ['geometric', (k) => random.geometric(k, 0.25, [32]), 'exact'],
  ['permutation', (k) => random.permutation(k, 20), 'exact'],
  ['permutation_2d', (k) => random.permutation(k, jnp.arange(12).reshape(3, 4), 1), 'exact'],
  ['permutation_indep', (k) => random.permutation(k, jnp.arange(12).reshape(3, 4), 1, true), 'exact'],
  ['choice', (k) => random.choice(k, 10, { shape: [8] }), 'exact'],
  ['choice_noreplace', (k) => random.choice(k, 10, { shape: [8], replace: false }), 'exact'],
  ['choice_p', (k) => random.choice(k, 4, { shape: [16], p: f32([0.1, 0.2, 0.3, 0.4]) }), 'exact'],
  [
    'choice_p_noreplace',
    (k) => random.choice(k, 5, { shape: [3], replace: false, p: f32([0.1, 0.2, 0.3, 0.2, 0.2]) }),
    'exact',
  ],
  ['choice_array', (k) => random.choice(k, jnp.array([10, 20, 30, 40]), { shape: [6] }), 'exact'],
  ['gamma', (k) => random.gamma(k, 2.5, [16]), 4],
  ['gamma_small', (k) => random.gamma(k, 0.3, [16]), 16],
  ['gamma_vec', (k) => random.gamma(k, f32([0.5, 1, 4])), 8],
  ['loggamma', (k) => random.loggamma(k, 0.2, [16]), 8],
  ['beta', (k) => random.beta(k, 2, 3, [16]), 16],
  ['dirichlet', (k) => random.dirichlet(k, f32([1, 2, 3]), [4]), 16],
  ['chisquare', (k) => random.chisquare(k, 3, [16]), 8],
  ['t', (k) => random.t(k, 4, [16]), 16],
  ['poisson', (k) => random.poisson(k, 3, [32]), 'exact'],
  ['poisson_big', (k) => random.poisson(k, 40, [32]), 'exact'],
  ['poisson_vec', (k) => random.poisson(k, f32([0, 1, 5, 20, 100])), 'exact'],
  ['ball', (k) => random.ball(k, 3, 2, [4]), 16],
  ['ball_p1', (k) => random.ball(k, 2, 1, [4]), 16],
  ['binomial', (k) => random.binomial(k, 10, 0.3, [32]), 'exact'],
  ['binomial_big', (k) => random.binomial(k, 100, 0.4, [32]), 'exact'],
  ['binomial_high_p', (k) => random.binomial(k, 50, 0.9, [16]), 'exact'],
  [
    'binomial_vec',
    (k) =>
      random.binomial(
        k,
        f32([5, 20, 1000, -1, 3.5, Number.POSITIVE_INFINITY]),
        f32([0.5, 0.5, 0.01, 0.5, 0.7, 0.2]),
      ),
    'exact',
  ],
  ['gumbel_high', (k) => random.gumbel(k, [32], null, 'high'), 4],
  ['gumbel_highest', (k) => random.gumbel(k, [32], null, 'highest'), 4],
  ['bernoulli_high', (k) => random.bernoulli(k, 0.3, [32], 'high'), 'exact'],
  ['bernoulli_high_tiny', (k) => random.bernoulli(k, 1e-3, [64], 'high'), 'exact'],
];

describe('samplers match JAX draws', () => {
  for (const [name, f, tol] of CASES) {
    it(name, async () => {
      const want = S[name];
      if (tol === 'exact') await expectExact(f(k7()), want, name);
      else await expectClose(f(k7()), want, tol, name);
    });
  }
  it('under jit too (same draws, raw keys too)', async () => {
    for (const [name, f, tol] of CASES.filter((_, i) => i % 3 === 0)) {
      const out = jit((k: random.KeyLike) => f(k))(k7());
      if (tol === 'exact') await expectExact(out, S[name], name);
      else await expectClose(out, S[name], tol, name);
      const raw = f(random.keyData(k7()));
      if (tol === 'exact') await expectExact(raw, S[name], name);
    }
  });
  it('float64 under x64', async () => {
    const [uv, nv] = withConfig({ enableX64: true }, () => [
      random.uniform(random.key(3), [8], 'float64'),
      random.normal(random.key(3), [8], 'float64'),
    ]);
    expect(uv.dtype.name).toBe('float64');
    expect(Array.from(await uv.data(), Number)).toEqual(fx.x64.uniform_f64);
    const n = Array.from(await nv.data(), Number);
    for (const [i, v] of n.entries()) expect(Math.abs(v - fx.x64.normal_f64[i])).toBeLessThan(1e-13);
  });
});

describe('dtypes, shapes and errors', () => {
  it('mode and binomial errors, binomial dtype', () => {
    expect(() => random.gumbel(k7(), [2], null, 'mid')).toThrow(
      'Must provide valid mode for gumbel got: mid',
    );
    expect(() => random.bernoulli(k7(), 0.5, [2], 'mid')).toThrow("got mode='mid', expected 'high' or 'low'");
    expect(() => random.binomial(k7(), 5, 0.5, [2], 'int32')).toThrow(
      'dtype argument to `binomial` must be a float dtype, got int32',
    );
    expect(random.binomial(k7(), 5, 0.5, [2]).dtype.name).toBe('float32');
  });
  it('result dtypes', () => {
    expect(random.uniform(k7(), [2]).dtype.name).toBe('float32');
    expect(random.uniform(k7(), [2]).weakType).toBe(false);
    expect(random.randint(k7(), [2], 0, 5).dtype.name).toBe('int32');
    expect(random.randint(k7(), [2], 0, 5, 'uint8').dtype.name).toBe('uint8');
    expect(random.bernoulli(k7(), 0.5, [2]).dtype.name).toBe('bool');
    expect(random.poisson(k7(), 2, [2]).dtype.name).toBe('int32');
    expect(random.normal(k7(), [2, 3]).shape).toEqual([2, 3]);
  });
  it('JAX error texts', () => {
    expect(() => random.uniform(k7(), [2], 'int32')).toThrow(
      'dtype argument to `uniform` must be a float dtype, got int32',
    );
    expect(() => random.randint(k7(), [2], 0, 5, 'float32')).toThrow(
      'randint only accepts integer dtypes, got float32',
    );
    expect(() => random.bernoulli(k7(), f32([0.1, 0.2, 0.3]), [])).toThrow(
      'bernoulli parameter shapes must be broadcast-compatible with shape argument, and the result of broadcasting the shapes must equal the shape argument, but got result (3,) for shape argument ().',
    );
    expect(() => random.choice(k7(), 3, { shape: [5], replace: false })).toThrow(
      "Cannot take a larger sample (size 5) than population (size 3) when 'replace=False'",
    );
    expect(() => random.normal(random.split(k7(), 2), [2])).toThrow('normal accepts a single key');
  });
});

// ---- statistics --------------------------------------------------------------------------------

const N = 4000;
const ALPHA = 1e-3;

async function ks(v: Value, cdf: (x: number) => number) {
  const r = ksTest((await v.data()) as Float32Array, cdf);
  expect(r.p, `KS D=${r.d}`).toBeGreaterThan(ALPHA);
}

async function chi(v: Value, probs: number[], offset = 0) {
  const xs = Array.from(await v.data(), Number);
  const c = counts(xs, probs.length, offset);
  expect(c.reduce((a, b) => a + b, 0)).toBe(xs.length);
  const r = chiSquareTest(c, probs);
  expect(r.p, `chi2=${r.stat}`).toBeGreaterThan(ALPHA);
}

const sk = () => random.key(2024);
const gammaCdf = (a: number) => (x: number) => gammaP(a, x);

describe('distributions (KS / chi-square with fixed keys)', () => {
  it('uniform', () =>
    ks(random.uniform(sk(), [N], null, -2, 3), (x) => Math.min(1, Math.max(0, (x + 2) / 5))));
  it('normal', () => ks(random.normal(sk(), [N]), normalCdf));
  it('exponential', () => ks(random.exponential(sk(), [N]), (x) => 1 - Math.exp(-x)));
  it('laplace', () =>
    ks(random.laplace(sk(), [N]), (x) => (x < 0 ? 0.5 * Math.exp(x) : 1 - 0.5 * Math.exp(-x))));
  it('logistic', () => ks(random.logistic(sk(), [N]), (x) => 1 / (1 + Math.exp(-x))));
  it('cauchy', () => ks(random.cauchy(sk(), [N]), (x) => 0.5 + Math.atan(x) / Math.PI));
  it('gumbel', () => ks(random.gumbel(sk(), [N]), (x) => Math.exp(-Math.exp(-x))));
  it('truncated_normal', () => {
    const [a, b] = [-0.5, 1.5];
    const z = normalCdf(b) - normalCdf(a);
    return ks(random.truncatedNormal(sk(), a, b, [N]), (x) => (normalCdf(x) - normalCdf(a)) / z);
  });
  it('lognormal', () =>
    ks(random.lognormal(sk(), 0.7, [N]), (x) => (x <= 0 ? 0 : normalCdf(Math.log(x) / 0.7))));
  it('pareto', () => ks(random.pareto(sk(), 2.5, [N]), (x) => (x < 1 ? 0 : 1 - x ** -2.5)));
  it('weibull_min', () =>
    ks(random.weibullMin(sk(), 2, 1.5, [N]), (x) => (x < 0 ? 0 : 1 - Math.exp(-((x / 2) ** 1.5)))));
  it('gamma', () => ks(random.gamma(sk(), 2.5, [N]), gammaCdf(2.5)));
  it('gamma (a < 1)', () => ks(random.gamma(sk(), 0.4, [N]), gammaCdf(0.4)));
  it('loggamma', () => ks(random.loggamma(sk(), 0.4, [N]), (x) => gammaP(0.4, Math.exp(x))));
  it('beta', () => ks(random.beta(sk(), 2, 3, [N]), (x) => betaI(2, 3, x)));
  it('chisquare', () => ks(random.chisquare(sk(), 3, [N]), (x) => gammaP(1.5, x / 2)));
  it('t', () => ks(random.t(sk(), 4, [N]), (x) => studentTCdf(x, 4)));
  it('dirichlet marginals are beta', async () => {
    const d = random.dirichlet(sk(), f32([1, 2, 3]), [N]);
    const first = jnp.take(d, jnp.array([0]), { axis: 1 }).reshape(N);
    await ks(first, (x) => betaI(1, 5, x));
    const sums = Array.from(await jnp.sum(d, { axis: 1 }).data(), Number);
    for (const s of sums) expect(Math.abs(s - 1)).toBeLessThan(1e-5);
  });
  it('ball: uniform radius law r^d', async () => {
    const b = random.ball(sk(), 3, 2, [N]);
    const r = jnp.sqrt(jnp.sum(jnp.multiply(b, b), { axis: 1 }));
    await ks(r, (x) => Math.min(1, Math.max(0, x)) ** 3);
  });
  it('randint', () => chi(random.randint(sk(), [N], 3, 10), new Array(7).fill(1 / 7), 3));
  it('bernoulli', async () => {
    const b = random.bernoulli(sk(), 0.3, [N]);
    await chi(jnp.asarray(b, { dtype: 'int32' }), [0.7, 0.3]);
  });
  it('rademacher', () => chi(random.rademacher(sk(), [N]), [0.5, 0, 0.5], -1));
  it('categorical', () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    return chi(random.categorical(sk(), jnp.log(f32(p)), { shape: [N] }), p);
  });
  it('choice with p', () =>
    chi(random.choice(sk(), 4, { shape: [N], p: f32([0.4, 0.3, 0.2, 0.1]) }), [0.4, 0.3, 0.2, 0.1]));
  it('geometric', () => {
    const p = 0.3;
    const probs = Array.from({ length: 15 }, (_, k) => p * (1 - p) ** k);
    probs.push(1 - probs.reduce((a, b) => a + b, 0));
    return chi(jnp.minimum(random.geometric(sk(), p, [N]), 16), probs, 1);
  });
  it('poisson (Knuth and rejection)', async () => {
    for (const lam of [3, 25]) {
      const maxK = lam * 3;
      const probs: number[] = [];
      let pk = Math.exp(-lam);
      for (let k = 0; k < maxK; k++) {
        probs.push(pk);
        pk *= lam / (k + 1);
      }
      probs.push(1 - probs.reduce((a, b) => a + b, 0));
      const pooled = probs.map((q) => q);
      await chi(jnp.minimum(random.poisson(sk(), lam, [N]), maxK), pooled);
    }
  });
  it('binomial (inversion and BTRS)', async () => {
    for (const [n, p] of [
      [12, 0.3],
      [60, 0.45],
      [40, 0.8],
    ]) {
      const probs: number[] = [];
      let c = 1;
      for (let k = 0; k <= n; k++) {
        probs.push(c * p ** k * (1 - p) ** (n - k));
        c = (c * (n - k)) / (k + 1);
      }
      await chi(jnp.asarray(random.binomial(sk(), n, p, [N]), { dtype: 'int32' }), probs);
    }
  });
  it('gumbel modes high and highest', async () => {
    for (const mode of ['high', 'highest'])
      await ks(random.gumbel(sk(), [N], null, mode), (x) => Math.exp(-Math.exp(-x)));
  });
  it('bernoulli mode high', () =>
    chi(jnp.asarray(random.bernoulli(sk(), 0.3, [N], 'high'), { dtype: 'int32' }), [0.7, 0.3]));
  it('permutation: each value lands uniformly in position 0', async () => {
    const firsts: number[] = [];
    const base = random.key(5);
    const perm = jit((k: random.KeyLike) => random.permutation(k, 6));
    for (let i = 0; i < 600; i++) firsts.push(Number((await perm(random.foldIn(base, i)).data())[0]));
    const r = chiSquareTest(counts(firsts, 6), new Array(6).fill(1 / 6));
    expect(r.p).toBeGreaterThan(ALPHA);
  });
});
