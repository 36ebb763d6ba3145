/**
 * @file vmap over split keys (typed and raw, both counter layouts) against JAX 0.10.2's draws
 * (fixtures/random.json, `vmap` section): threefry2x32's batch rule (src/engine/random/rules.ts)
 * makes the batched cipher one equation over the broadcast keys and counters.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { jit, makeJaxpr, random, vmap, withConfig } from '../../../src/engine/index.js';
import { physicalClosed } from '../../../src/engine/random/physical.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const V = JSON.parse(readFileSync(join(root, 'fixtures', 'random.json'), 'utf8')).vmap as Record<
  string,
  number[]
>;

async function close(v: Value, want: number[], tol = 2e-6) {
  const got = Array.from(await v.data(), Number);
  expect(got.length).toBe(want.length);
  for (const [i, g] of got.entries())
    expect(Math.abs(g - want[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i])));
}

const normal3 = (k: random.KeyLike) => random.normal(k, [3]);

describe('vmap over split keys', () => {
  it('typed keys', async () => {
    const out = vmap(normal3)(random.split(random.key(0), 4));
    expect(out.shape).toEqual([4, 3]);
    await close(out, V.normal_typed);
  });
  it('raw uint32 keys', async () => {
    await close(vmap(normal3)(random.split(random.PRNGKey(0), 4)), V.normal_raw);
  });
  it('under jit', async () => {
    await close(jit(vmap(normal3))(random.split(random.key(0), 4)), V.normal_typed);
  });
  it('legacy counter layout', async () => {
    const out = withConfig({ threefryPartitionable: false }, () =>
      vmap((k: random.KeyLike) => random.uniform(k, [3]))(random.split(random.PRNGKey(0), 4)),
    );
    await close(out, V.uniform_raw_legacy, 0);
  });
  it('randint and gamma (loops over keys)', async () => {
    const r = vmap((k: random.KeyLike) => random.randint(k, [5], 0, 10))(random.split(random.key(2), 3));
    expect(Array.from(await r.data(), Number)).toEqual(V.randint_typed);
    const g = vmap((k: random.KeyLike) => random.gamma(k, 2, [2]))(random.split(random.key(1), 3));
    await close(g, V.gamma_typed, 1e-5);
  });
  it('batches random_bits over the keys, and its threefry2x32 as one equation, not a loop', () => {
    const cj = makeJaxpr(vmap((k: Value) => random.bits(k, [3])))(random.split(random.PRNGKey(0), 4));
    expect(String(cj)).toContain('u32[4,3] = random_bits[bit_width=32 shape=(3,)] b');
    // What the compiler gets: random_bits expanded to the threefry implementation.
    const text = String(physicalClosed(cj));
    expect(text.match(/threefry2x32/g)?.length).toBe(1);
    expect(text).toContain('u32[4,3] = threefry2x32');
  });
});
