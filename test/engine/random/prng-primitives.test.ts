/**
 * @file The typed-key primitives (src/engine/random/prng.ts: random_seed, random_wrap,
 * random_unwrap, random_bits, random_split, random_fold_in) and their rewrite to threefry
 * (random/physical.ts) against JAX 0.10.2: the jaxprs make_jaxpr prints for each of them, under
 * jit and vmap; the key data and bits they compute eagerly, under jit and under vmap, in both
 * counter layouts; typed keys and raw keys drawing the same bits; grad through programs holding
 * keys; keys through control flow and indexing; errors. Expected values: fixtures/prng_keys.json
 * (fixtures/make_prng_keys.py).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bind1 } from '../../../src/engine/core/trace.js';
import type { Value } from '../../../src/engine/index.js';
import {
  grad,
  jit,
  numpy as jnp,
  lax,
  makeJaxpr,
  random,
  vmap,
  withConfig,
} from '../../../src/engine/index.js';
import { random_bits, random_split } from '../../../src/engine/random/prng.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fx = JSON.parse(readFileSync(join(root, 'fixtures', 'prng_keys.json'), 'utf8')) as {
  jaxprs: Record<string, string>;
  partitionable: Record<string, number[]>;
  legacy: Record<string, number[]>;
};

const words = async (x: Value) => Array.from(await (x.dtype.isKey ? random.keyData(x) : x).data(), Number);
const k0 = () => random.key(0);
const u32 = (xs: number[]) => jnp.array(xs, { dtype: 'uint32' });

describe('jaxprs as JAX prints them', () => {
  const J = fx.jaxprs;
  const cases: Record<string, () => string> = {
    seed: () => String(makeJaxpr(() => random.key(0))()),
    seed_traced: () => String(makeJaxpr((s: Value) => random.key(s))(jnp.array(5, { dtype: 'int32' }))),
    prngkey: () => String(makeJaxpr(() => random.PRNGKey(3))()),
    split_typed: () => String(makeJaxpr((k: Value) => random.split(k, 3))(k0())),
    split_raw: () => String(makeJaxpr((k: Value) => random.split(k, 3))(random.PRNGKey(0))),
    split_shape: () => String(makeJaxpr((k: Value) => random.split(k, [2, 3]))(k0())),
    fold_in: () => String(makeJaxpr((k: Value) => random.foldIn(k, 3))(k0())),
    fold_in_raw: () => String(makeJaxpr((k: Value) => random.foldIn(k, 3))(random.PRNGKey(0))),
    bits_typed: () => String(makeJaxpr((k: Value) => random.bits(k, [3]))(k0())),
    bits_raw: () => String(makeJaxpr((k: Value) => random.bits(k, [3]))(random.PRNGKey(0))),
    key_data: () => String(makeJaxpr((k: Value) => random.keyData(k))(k0())),
    wrap_key_data: () => String(makeJaxpr((d: Value) => random.wrapKeyData(d))(random.PRNGKey(0))),
    iterate: () => String(makeJaxpr((k: Value) => [...(random.split(k) as Value)])(k0())),
    vmap_bits: () => String(makeJaxpr(vmap((k: Value) => random.bits(k, [3])))(random.split(k0(), 4))),
    vmap_split: () => String(makeJaxpr(vmap((k: Value) => random.split(k)))(random.split(k0(), 4))),
    vmap_seed: () => String(makeJaxpr(vmap((s: Value) => random.key(s)))(jnp.arange(3))),
    vmap_key_data: () => String(makeJaxpr(vmap((k: Value) => random.keyData(k)))(random.split(k0(), 4))),
    vmap_wrap: () =>
      String(makeJaxpr(vmap((d: Value) => random.wrapKeyData(d)))(random.keyData(random.split(k0(), 4)))),
    jit_split: () => String(makeJaxpr(jit((k: Value) => random.split(k)))(k0())),
  };
  for (const [name, f] of Object.entries(cases)) {
    it(name, () => expect(f()).toBe(J[name]));
  }
});

/** Each fixture value computed by tjax; `wrap` runs the computation (eagerly, under jit, ...). */
function computations(wrap: <A extends unknown[]>(f: (...a: A) => Value) => (...a: A) => Value) {
  const bits = (dt?: string, n = 4) => wrap((k: Value) => random.bits(k, [n], dt));
  return {
    split3: () => wrap((k: Value) => random.split(k, 3) as Value)(k0()),
    split23: () => wrap((k: Value) => random.split(k, [2, 3]) as Value)(random.key(3)),
    fold_in7: () => wrap((k: Value) => random.foldIn(k, 7) as Value)(k0()),
    fold_in_big: () => wrap((k: Value) => random.foldIn(k, 2 ** 32 - 3) as Value)(random.key(5)),
    bits7: () => bits()(random.key(7)),
    bits7_u8: () => bits('uint8', 5)(random.key(7)),
    bits7_u16: () => bits('uint16', 3)(random.key(7)),
    vmap_seed: () => wrap(vmap((s: Value) => random.key(s)))(jnp.arange(3)),
    vmap_fold_in: () => wrap(vmap((m: Value) => random.foldIn(k0(), m) as Value))(jnp.arange(4)),
    vmap_split: () => wrap(vmap((k: Value) => random.split(k, 2) as Value))(random.split(random.key(1), 4)),
    vmap_bits: () => wrap(vmap((k: Value) => random.bits(k, [3])))(random.split(random.key(1), 4)),
    fori_split: () =>
      wrap((k: Value) =>
        lax.foriLoop(
          0,
          3,
          (_i: Value, kk: Value) => {
            const [a] = random.split(kk) as Value;
            return a;
          },
          k,
        ),
      )(k0()),
  } satisfies Record<string, () => Value>;
}

const eager = <A extends unknown[]>(f: (...a: A) => Value) => f;
const jitted = <A extends unknown[]>(f: (...a: A) => Value) => jit(f) as unknown as (...a: A) => Value;

for (const layout of ['partitionable', 'legacy'] as const) {
  describe(`key data and bits, ${layout} layout`, () => {
    const cfg = { threefryPartitionable: layout === 'partitionable' };
    for (const [how, wrap] of [
      ['eager', eager],
      ['jit', jitted],
    ] as const) {
      const comps = computations(wrap);
      for (const [name, f] of Object.entries(comps)) {
        it(`${name} (${how})`, async () => {
          const out = withConfig(cfg, f);
          expect(await words(out)).toEqual(fx[layout][name]);
        });
      }
    }
  });
}

describe('typed and raw keys draw the same bits', () => {
  it('bits, split, fold_in and samplers', async () => {
    const raw = random.PRNGKey(11);
    const typed = random.key(11);
    expect(await words(random.bits(raw, [6]))).toEqual(await words(random.bits(typed, [6])));
    expect(await words(random.split(raw, 3) as Value)).toEqual(await words(random.split(typed, 3) as Value));
    expect(await words(random.foldIn(raw, 9) as Value)).toEqual(
      await words(random.foldIn(typed, 9) as Value),
    );
    expect(await words(random.normal(raw, [5]))).toEqual(await words(random.normal(typed, [5])));
    expect(await words(random.randint(raw, [5], 0, 100))).toEqual(
      await words(random.randint(typed, [5], 0, 100)),
    );
    // Raw keys in, raw keys out: split and fold_in unwrap what they drew.
    expect(random.isKeyArray(random.split(raw))).toBe(false);
    expect((random.split(raw) as Value).shape).toEqual([2, 2]);
    expect(random.isKeyArray(random.split(typed))).toBe(true);
  });
  it('wrap and unwrap round-trip without copying the words', async () => {
    const d = u32([7, 9]);
    const k = random.wrapKeyData(d);
    expect(String(k.dtype)).toBe('key<fry>');
    expect(k.shape).toEqual([]);
    expect(await words(random.keyData(k))).toEqual([7, 9]);
  });
});

describe('transformations of programs with keys', () => {
  it('grad through a sampler that closes over a key, and with a key argument', async () => {
    const x = jnp.array([0.5, 0.2, 0.1], { dtype: 'float32' });
    // d/dx sum(u * (2 - x) + x) = 1 - u.
    const g = grad((v: Value) => jnp.sum(random.uniform(k0(), [3], null, v, 2.0)))(x);
    const u = await words(random.uniform(k0(), [3]));
    const got = await words(g);
    for (const [i, ui] of u.entries()) expect(got[i]).toBeCloseTo(1 - ui, 5);
    const h = grad((v: Value, k: Value) => jnp.sum(jnp.multiply(v, random.normal(k, [3]))))(x, k0());
    expect(await words(h)).toEqual(await words(random.normal(k0(), [3])));
  });
  it('vmap of a sampler over raw and typed keys agrees with a loop', async () => {
    const ks = random.split(random.key(4), 3) as Value;
    const batched = await words(vmap((k: Value) => random.normal(k, [2]))(ks));
    const loop: number[] = [];
    for (const k of ks) loop.push(...(await words(random.normal(k, [2]))));
    expect(batched).toEqual(loop);
    const raw = random.keyData(ks);
    expect(await words(vmap((k: Value) => random.normal(k, [2]))(raw))).toEqual(loop);
  });
  it('vmap with the keys on another axis and unbatched fold_in messages', async () => {
    const ks = random.split(random.key(2), [2, 3]) as Value;
    const byCols = vmap(
      vmap((k: Value) => random.bits(k, [2])),
      { inAxes: 1 },
    )(ks);
    const byRows = vmap(vmap((k: Value) => random.bits(k, [2])))(ks);
    expect(byCols.shape).toEqual([3, 2, 2]);
    expect(await words(byCols)).toEqual(await words(jnp.transpose(byRows, [1, 0, 2])));
    const f = vmap((k: Value) => random.foldIn(k, 5) as Value)(random.split(k0(), 2) as Value);
    const [a, b] = random.split(k0()) as Value;
    expect(await words(f)).toEqual([
      ...(await words(random.foldIn(a, 5) as Value)),
      ...(await words(random.foldIn(b, 5) as Value)),
    ]);
  });
  it('scan over keys and key carries, and keys indexed by arrays', async () => {
    const ks = random.split(k0(), 4) as Value;
    const f = jit((k: Value) =>
      lax.scan((c: Value, x: Value) => [random.foldIn(c, 1), random.normal(x, [])], k, random.split(k, 4)),
    );
    const [c, ys] = f(k0()) as [Value, Value];
    let folded = k0();
    for (let i = 0; i < 4; i++) folded = random.foldIn(folded, 1) as Value;
    expect(await words(c)).toEqual(await words(folded));
    const loop: number[] = [];
    for (const k of ks) loop.push(...(await words(random.normal(k, []))));
    expect(await words(ys)).toEqual(loop);
    const picked = ks.index(jnp.array([3, 1]));
    expect(await words(picked)).toEqual([...(await words(ks.index(3))), ...(await words(ks.index(1)))]);
    expect(await words(jit((k: Value) => k.index(jnp.array([3, 1])))(ks))).toEqual(await words(picked));
    const sel = jnp.where(jnp.array([true, false, true, false]), ks, random.split(random.key(1), 4) as Value);
    expect(await words(sel.index(0))).toEqual(await words(ks.index(0)));
  });
  it('a key closed over by jit is a constant of both words (not a scalar literal)', async () => {
    const k = random.key(7);
    const f = jit((x: Value) => jnp.add(random.uniform(k, [4]), x));
    expect(await words(f(jnp.zeros([4])))).toEqual(await words(random.uniform(k, [4])));
    expect(String(makeJaxpr((x: Value) => jnp.add(random.uniform(k, [2]), x))(jnp.zeros([2])))).toContain(
      '{ lambda q:key<fry>[]; r:f32[2]. let',
    );
  });
  it('a layout switch recompiles rather than reusing the other layout', async () => {
    const f = jit((k: Value) => random.bits(k, [2]));
    const a = await words(f(k0()));
    const b = await words(withConfig({ threefryPartitionable: false }, () => f(k0())));
    expect(a).not.toEqual(b);
    expect(b).toEqual(
      await words(withConfig({ threefryPartitionable: false }, () => random.bits(k0(), [2]))),
    );
  });
});

describe('errors as JAX raises them', () => {
  it('arithmetic on keys', () => {
    expect(() => jnp.add(k0(), 1)).toThrow(new TypeError('add does not accept dtypes key<fry>, int32.'));
    expect(() => jnp.sin(k0())).toThrow(new TypeError("Cannot interpret 'key<fry>' as a data type"));
  });
  it('the primitives check their operands', () => {
    expect(() => bind1(random_bits, [u32([1, 2])], { bit_width: 32, shape: [2] })).toThrow(
      'random_bits accepts a key array, but was given an array of dtype uint32',
    );
    expect(() => bind1(random_split, [k0()], { shape: [2] }).shape).not.toThrow();
    expect(() => random.bits(u32([1, 2, 3]))).toThrow(
      'JAX encountered invalid PRNG key data: expected key_data to have shape (..., 2) and dtype uint32; got shape=(3,) dtype=uint32',
    );
    expect(() => random.wrapKeyData(k0())).toThrow('wrap_key_data accepts only uint32 key data');
    expect(() => random.split(random.split(k0(), 3))).toThrow(
      'split accepts a single key, but was given a key array of shape (3,) != (). Use jax.vmap for batching.',
    );
    expect(() => random.key(1.5)).toThrow('PRNG key seed must be an integer; got 1.5');
    expect(() => random.key(k0())).toThrow('key accepts a scalar seed, but was given a PRNG key.');
  });
  it('number primitives reject keys; one the rewrite cannot move keys through names itself', () => {
    const ks = random.split(k0(), 4) as Value;
    expect(() => jnp.cumsum(ks)).toThrow(
      new TypeError('cumsum does not accept dtype key<fry>. Accepted dtypes are subtypes of number.'),
    );
    expect(() => lax.pad(ks, k0(), [[1, 0, 0]])).toThrow(
      'pad is not implemented for key arrays (dtype key<fry>); use random.keyData to work on their uint32 data',
    );
  });
});
