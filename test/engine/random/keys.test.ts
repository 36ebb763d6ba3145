/**
 * @file PRNG keys (src/engine/random/keys.ts, primitives/random.ts) against JAX 0.10.2: seeding
 * (x32 and x64), random bits of every width, split and fold_in in the partitionable and legacy
 * threefry layouts, bit for bit, eagerly and under jit; typed keys through jit; the jaxpr of
 * bits; fusion; errors. Expected values: fixtures/random.json (fixtures/make_random.py).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jit, numpy as jnp, makeJaxpr, random, withConfig } from '../../../src/engine/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fx = JSON.parse(readFileSync(join(root, 'fixtures', 'random.json'), 'utf8'));

const KEYS: Record<string, () => random.KeyLike> = {
  k0: () => random.key(0),
  k42: () => random.key(42),
  kraw: () => jnp.array([1797259609, 2579123966], { dtype: 'uint32' }),
};

const flat = async (x: random.KeyLike) => Array.from(await random.keyData(x).data(), Number);

describe('seeding', () => {
  it('PRNGKey and key seed as JAX does with x64 off', async () => {
    for (const [s, want] of fx.seeds_x32 as [string, number[]][]) {
      expect(await flat(random.PRNGKey(BigInt(s))), s).toEqual(want);
      expect(await flat(random.key(BigInt(s))), s).toEqual(want);
    }
  });
  it('seeds with x64 on keep the high word', async () => {
    for (const [s, want] of fx.seeds_x64 as [string, number[]][]) {
      await withConfig({ enableX64: true }, async () => {
        expect(await flat(random.PRNGKey(BigInt(s))), s).toEqual(want);
      });
    }
  });
  it('traced and array seeds', async () => {
    const f = jit((s: any) => random.keyData(random.key(s)));
    expect(Array.from(await f(jnp.array(-5, { dtype: 'int32' })).data(), Number)).toEqual([0, 4294967291]);
    expect(Array.from(await random.PRNGKey(jnp.array(42)).data(), Number)).toEqual([0, 42]);
  });
  it('errors', () => {
    expect(() => random.key(1.5)).toThrow('PRNG key seed must be an integer; got 1.5');
    expect(() => random.key(jnp.array([1, 2]))).toThrow('PRNG key seed must be a scalar');
    expect(() => random.PRNGKey(2n ** 64n)).toThrow('Python int too large to convert to C long');
  });
});

for (const layout of ['partitionable', 'legacy'] as const) {
  describe(`threefry (${layout})`, () => {
    const cfg = { threefryPartitionable: layout === 'partitionable' };
    const d = fx[layout];
    it('bits', async () => {
      for (const c of d.bits) {
        const out = withConfig(cfg, () => random.bits(KEYS[c.key](), c.shape, c.dtype));
        expect(out.dtype.name).toBe(c.dtype);
        expect(out.shape).toEqual(c.shape);
        expect(Array.from(await out.data(), Number), JSON.stringify(c)).toEqual(c.out);
      }
    });
    it('bits under jit', async () => {
      for (const c of d.bits.filter((_: unknown, i: number) => i % 4 === 0)) {
        const f = jit((k: any) => random.bits(k, c.shape, c.dtype));
        const out = withConfig(cfg, () => f(KEYS[c.key]()));
        expect(Array.from(await out.data(), Number), JSON.stringify(c)).toEqual(c.out);
      }
    });
    it('split', async () => {
      for (const c of d.split) {
        const out = withConfig(cfg, () => random.split(KEYS[c.key](), c.num));
        const shape = typeof c.num === 'number' ? [c.num] : c.num;
        expect(out.shape).toEqual(c.key === 'kraw' ? [...shape, 2] : shape);
        expect(await flat(out), JSON.stringify(c)).toEqual(c.out);
      }
    });
    it('fold_in', async () => {
      for (const c of d.fold_in) {
        const out = withConfig(cfg, () => random.foldIn(KEYS[c.key](), c.data));
        expect(await flat(out), JSON.stringify(c)).toEqual(c.out);
        const j = withConfig(cfg, () =>
          jit((k: any, x: any) => random.foldIn(k, x))(KEYS[c.key](), jnp.array(c.data, { dtype: 'uint32' })),
        );
        expect(await flat(j)).toEqual(c.out);
      }
    });
    it('uint64 bits under x64', async () => {
      for (const c of fx.x64[layout]) {
        const out = withConfig({ ...cfg, enableX64: true }, () =>
          random.bits(random.key(0), c.shape, 'uint64'),
        );
        expect(out.dtype.name).toBe('uint64');
        expect(Array.from(await out.data(), String)).toEqual(c.out);
      }
    });
  });
}

describe('typed keys', () => {
  it('print as JAX prints them', () => {
    expect(String(random.key(0))).toBe('Array((), dtype=key<fry>) overlaying:\n[0 0]');
    const ks = random.split(random.key(0), 3) as random.PRNGKeyArray;
    expect(String(ks)).toBe(
      'Array((3,), dtype=key<fry>) overlaying:\n[[1797259609 2579123966]\n [ 928981903 3453687069]\n [4146024105 2718843009]]',
    );
    expect(ks.shape).toEqual([3]);
    expect(String(ks.dtype)).toBe('key<fry>');
    expect(String(ks.index(0))).toBe('Array((), dtype=key<fry>) overlaying:\n[1797259609 2579123966]');
  });
  it('keyData / wrapKeyData / clone round-trip', async () => {
    const raw = random.keyData(random.key(42));
    expect(raw.dtype.name).toBe('uint32');
    const k = random.wrapKeyData(raw);
    expect(random.isKeyArray(k)).toBe(true);
    expect(await flat(random.clone(k))).toEqual([0, 42]);
    expect(() => random.wrapKeyData(jnp.array([1, 2, 3], { dtype: 'uint32' }))).toThrow(
      'invalid PRNG key data',
    );
  });
  it('pass through jit in and out', async () => {
    const f = jit((k: random.PRNGKeyArray) => random.split(k, 2));
    const out = f(random.key(0)) as random.PRNGKeyArray;
    expect(random.isKeyArray(out)).toBe(true);
    expect(await flat(out)).toEqual(fx.partitionable.split[0].out);
  });
  it('samplers take one key', () => {
    const ks = random.split(random.key(0), 3);
    expect(() => random.bits(ks)).toThrow(
      'bits accepts a single key, but was given a key array of shape (3,) != (). Use jax.vmap for batching.',
    );
    expect(() => random.split(ks)).toThrow('split accepts a single key');
    expect(() => random.bits(random.key(0), [2], 'int32')).toThrow(
      'dtype argument to `bits` must be an unsigned int dtype, got int32',
    );
  });
});

describe('staging and fusion', () => {
  it('the jaxpr of bits on a raw key wraps it, as JAX does (jax.make_jaxpr, JAX 0.10.2)', () => {
    expect(String(makeJaxpr((k: any) => random.bits(k, [3]))(random.PRNGKey(0)))).toBe(
      `{ lambda ; a:u32[2]. let
    b:key<fry>[] = random_wrap[impl=fry] a
    c:u32[3] = random_bits[bit_width=32 shape=(3,)] b
  in (c,) }`,
    );
  });
  it('jitted bits are one kernel; uniform and normal one kernel plus a scalar minval', () => {
    const k = random.key(0);
    expect(
      jit((k: any) => random.bits(k, [1000]))
        .lower(k)
        .compile().kernelCount,
    ).toBe(1);
    // The converted minval is used three times, so lowering writes it (one element) first.
    expect(
      jit((k: any) => random.uniform(k, [1000]))
        .lower(k)
        .compile().kernelCount,
    ).toBeLessThanOrEqual(2);
    expect(
      jit((k: any) => random.normal(k, [1000]))
        .lower(k)
        .compile().kernelCount,
    ).toBeLessThanOrEqual(2);
  });
});
