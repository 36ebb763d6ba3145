/**
 * @file rayleigh, wald, triangular, maxwell, double_sided_maxwell, generalized_normal, f and
 * multinomial (src/engine/random/distributions.ts) against JAX 0.10.2's draws for the same keys
 * (fixtures/random2.json from fixtures/make_random2.py): float32 and float16 draws to the bit or
 * within a few ulps where XLA's log/pow differ, counts exactly; float64 under x64; jit and vmap;
 * the errors JAX raises; and Kolmogorov-Smirnov tests against the exact distributions.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { jit, numpy as jnp, random, vmap, withConfig } from '../../../src/engine/index.js';
import { ksTest } from './stats.js';

interface Arr {
  dtype: string;
  shape: number[];
  data: (number | string)[];
}
const fx = JSON.parse(readFileSync(new URL('../../../fixtures/random2.json', import.meta.url), 'utf8'));
const S = fx.samples as Record<string, Arr>;
const NONFINITE: Record<string, number> = { nan: Number.NaN, inf: Infinity, '-inf': -Infinity };
const num = (x: number | string) => (typeof x === 'string' ? NONFINITE[x] : x);

/** Distance in units in the last place of the dtype (float16/32/64) between a and b. */
function ulps(a: number, b: number, dtype: string): number {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  const ulp = (x: number) => {
    const e = Math.max(Math.floor(Math.log2(Math.abs(x) || 1e-300)), dtype === 'float16' ? -14 : -126);
    return 2 ** (e - (dtype === 'float16' ? 10 : dtype === 'float64' ? 52 : 23));
  };
  return Math.abs(a - b) / ulp(Math.max(Math.abs(a), Math.abs(b)));
}

async function expectMatch(v: Value, want: Arr, maxUlps: number, name: string) {
  expect(v.dtype.name, name).toBe(want.dtype);
  expect(v.shape, name).toEqual(want.shape);
  // float16 data reads back as its uint16 bits: widen it first (exact).
  const got = Array.from(await (v.dtype.name === 'float16' ? jnp.astype(v, 'float32') : v).data(), Number);
  const w = want.data.map(num);
  if (maxUlps === 0) {
    expect(got, name).toEqual(w);
    return;
  }
  const worst = Math.max(0, ...got.map((g, i) => ulps(g, w[i], want.dtype)));
  expect(worst, `${name}: worst ulp distance`).toBeLessThanOrEqual(maxUlps);
}

const k7 = () => random.key(7);
const k123 = () => random.key(123);
const f32 = (xs: number[]) => jnp.array(xs, { dtype: 'float32' });

type Case = [name: string, f: () => Value, ulps: number];
const CASES: Case[] = [
  ['rayleigh', () => random.rayleigh(k7(), 2, [64]), 2],
  ['rayleigh_vec', () => random.rayleigh(k123(), f32([0.5, 1, 3])), 2],
  ['rayleigh_f16', () => random.rayleigh(k7(), 1.5, [16], 'float16'), 1],
  ['wald', () => random.wald(k7(), 1, [64]), 4],
  // XLA contracts x = mu + mu^2 y / 2 - (mu / 2) sqrt(...) into a fused multiply-add, and the
  // subtraction cancels: fixtures/make_random2.py's float32 steps reproduce tjax's value
  // without the fusion and JAX's with it. The inputs (normal, uniform) are JAX's bit for bit.
  ['wald_vec', () => random.wald(k123(), f32([0.2, 1, 5]).reshape(1, 3), [2, 3]), 64],
  ['triangular', () => random.triangular(k7(), -1, 0.5, 2, [64]), 1],
  ['triangular_vec', () => random.triangular(k123(), f32([0, -3]), f32([0, 1]), 4), 1],
  ['maxwell', () => random.maxwell(k7(), [64]), 1],
  ['maxwell_2d', () => random.maxwell(k123(), [3, 4]), 1],
  ['double_sided_maxwell', () => random.doubleSidedMaxwell(k7(), 1, 2, [32]), 2],
  ['double_sided_maxwell_vec', () => random.doubleSidedMaxwell(k123(), f32([0, 10, -5]), 0.5), 1],
  ['double_sided_maxwell_shape', () => random.doubleSidedMaxwell(k123(), f32([0, 10]), 1, [3]), 1],
  ['generalized_normal', () => random.generalizedNormal(k7(), 2, [32]), 16],
  ['generalized_normal_p1', () => random.generalizedNormal(k123(), 1, [4, 4]), 16],
  ['generalized_normal_p05', () => random.generalizedNormal(k7(), 0.5, [16]), 16],
  ['f', () => random.f(k7(), 3, 5, [32]), 16],
  ['f_vec', () => random.f(k123(), f32([1, 10, 0.5]), f32([2, 50, 7])), 16],
  ['multinomial', () => random.multinomial(k7(), 10, f32([0.2, 0.3, 0.5])), 0],
  ['multinomial_shape', () => random.multinomial(k7(), 20, f32([0.1, 0.6, 0.3]), { shape: [5, 3] }), 0],
  [
    'multinomial_batch',
    () =>
      random.multinomial(k123(), f32([5, 100]), f32([0.5, 0.5, 0, 0, 0.25, 0.25, 0.25, 0.25]).reshape(2, 4), {
        dtype: 'int32',
      }),
    0,
  ],
  ['multinomial_big', () => random.multinomial(k123(), 1000, f32([0.05, 0.15, 0.3, 0.5])), 0],
  ['jit_rayleigh', () => jit((k: random.KeyLike) => random.rayleigh(k, 2, [8]))(k7()), 2],
  [
    'vmap_wald',
    () => vmap((k: random.KeyLike) => random.wald(k, 2, [3]))(random.split(k123(), 4) as Value) as Value,
    4,
  ],
];

describe('new samplers match JAX draws', () => {
  for (const [name, f, tol] of CASES) it(name, async () => expectMatch(f(), S[name], tol, name));

  it('float64 under x64', async () => {
    const X = fx.x64 as Record<string, Arr>;
    const outs = withConfig({ enableX64: true }, () => ({
      rayleigh_f64: random.rayleigh(k7(), 2, [16], 'float64'),
      wald_f64: random.wald(k7(), 1.5, [16], 'float64'),
      triangular_f64: random.triangular(k7(), 0, 0.25, 1, [16], 'float64'),
      maxwell_f64: random.maxwell(k7(), [16], 'float64'),
      f_f64: random.f(k7(), 4, 6, [8], 'float64'),
    }));
    for (const [name, v] of Object.entries(outs)) await expectMatch(v, X[name], 64, name);
  });

  it('the raw uint32 key gives the same draws as the typed key', async () => {
    await expectMatch(random.maxwell(random.keyData(k7()), [64]), S.maxwell, 1, 'maxwell raw');
  });
});

describe('errors as JAX raises them', () => {
  const E = fx.errors as Record<string, [string, string]>;
  const cases: [string, () => unknown][] = [
    ['f_unsafe_cast', () => random.f(k7(), jnp.array(2, { dtype: 'float32' }), 3, null, 'float16')],
    ['rayleigh_int_dtype', () => random.rayleigh(k7(), 1, null, 'int32')],
    ['rayleigh_shape', () => random.rayleigh(k7(), jnp.ones([3]), [2])],
    ['wald_shape', () => random.wald(k7(), jnp.ones([2, 3]), [3])],
    ['generalized_normal_int', () => random.generalizedNormal(k7(), 2, [], 'int32')],
    ['maxwell_int', () => random.maxwell(k7(), [], 'int32')],
    [
      'triangular_unsafe',
      () => random.triangular(k7(), jnp.array(0, { dtype: 'float32' }), 1, 2, null, 'float16'),
    ],
    ['key_dtype_unknown', () => random.keyDtype('foo')],
    ['f_rank', () => random.f(k123(), f32([1, 10]), f32([2, 50]).reshape(2, 1))],
    ['batched_key', () => random.rayleigh(random.split(k7(), 2), 1)],
  ];
  const CLASSES: Record<string, unknown> = {
    ValueError: Error,
    TypeError,
    TypePromotionError: random.TypePromotionError,
  };
  for (const [name, f] of cases) {
    it(name, () => {
      const [cls, msg] = E[name];
      expect(f).toThrow(msg);
      expect(f).toThrow(CLASSES[cls] as ErrorConstructor);
    });
  }
  it('key_dtype', () => {
    expect(String(random.keyDtype())).toBe('key<fry>');
    expect(random.keyDtype('threefry2x32')).toBe(random.key(0).dtype);
  });
});

describe('distributions (Kolmogorov-Smirnov against the exact CDFs)', () => {
  const draws = async (v: Value) => Array.from(await v.data(), Number);
  const N = 4000;
  it('rayleigh, maxwell, triangular, wald, generalized normal(p=1), f(2, 2)', async () => {
    const k = random.key(2024);
    const erf = (x: number) => {
      // Abramowitz-Stegun 7.1.26 is too coarse for a KS test at this N; integrate instead.
      let s = 0;
      const n = 2000;
      for (let i = 0; i < n; i++) {
        const t = ((i + 0.5) / n) * x;
        s += Math.exp(-t * t);
      }
      return ((2 / Math.sqrt(Math.PI)) * s * x) / n;
    };
    const phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
    const checks: [Value, (x: number) => number][] = [
      [random.rayleigh(k, 2, [N]), (x) => 1 - Math.exp(-(x * x) / 8)],
      [
        random.maxwell(k, [N]),
        (x) => erf(x / Math.SQRT2) - Math.sqrt(2 / Math.PI) * x * Math.exp((-x * x) / 2),
      ],
      [
        random.triangular(k, -1, 0.5, 2, [N]),
        (x) => (x <= 0.5 ? (x + 1) ** 2 / 4.5 : 1 - (2 - x) ** 2 / 4.5),
      ],
      [
        random.wald(k, 1, [N]),
        (x) => phi(Math.sqrt(1 / x) * (x - 1)) + Math.exp(2) * phi(-Math.sqrt(1 / x) * (x + 1)),
      ],
      [random.generalizedNormal(k, 1, [N]), (x) => (x < 0 ? 0.5 * Math.exp(x) : 1 - 0.5 * Math.exp(-x))],
      [random.f(k, 2, 2, [N]), (x) => x / (1 + x)],
    ];
    for (const [i, [v, cdf]] of checks.entries())
      expect(ksTest(await draws(v), cdf).p, `case ${i}`).toBeGreaterThan(1e-3);
  });
  it('multinomial counts sum to n and have the right means', async () => {
    const p = [0.1, 0.2, 0.7];
    const v = random.multinomial(random.key(5), 50, f32(p), { shape: [2000, 3] });
    const d = await draws(v);
    for (let i = 0; i < 2000; i++) expect(d[3 * i] + d[3 * i + 1] + d[3 * i + 2]).toBe(50);
    for (let j = 0; j < 3; j++) {
      let m = 0;
      for (let i = 0; i < 2000; i++) m += d[3 * i + j];
      expect(Math.abs(m / 2000 - 50 * p[j])).toBeLessThan(4 * Math.sqrt((50 * p[j] * (1 - p[j])) / 2000));
    }
  });
});
