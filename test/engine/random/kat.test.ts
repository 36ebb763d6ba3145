/**
 * @file Random123's known-answer vectors for threefry2x32, the ones JAX's own tests use
 * (tests/random_test.py testThreefry2x32, from the reference implementation's test_threefry.cpp);
 * the same answers come from jax._src.random.threefry2x32.threefry_2x32 in JAX 0.10.2.
 */
import { describe, expect, it } from 'vitest';
import { bind } from '../../../src/engine/core/trace.js';
import type { Value } from '../../../src/engine/index.js';
import { jit, numpy as jnp } from '../../../src/engine/index.js';
import { threefry2x32 } from '../../../src/engine/primitives/random.js';

const u32 = (v: number) => jnp.array([v], { dtype: 'uint32' });

const CASES: [number[], number[], [number, number]][] = [
  [
    [0, 0],
    [0, 0],
    [0x6b200159, 0x99ba4efe],
  ],
  [
    [0xffffffff, 0xffffffff],
    [0xffffffff, 0xffffffff],
    [0x1cb996fc, 0xbb002be7],
  ],
  [
    [0x13198a2e, 0x03707344],
    [0x243f6a88, 0x85a308d3],
    [0xc4923a9c, 0x483df7a0],
  ],
];

describe('threefry2x32 known answers', () => {
  for (const [key, count, want] of CASES) {
    it(`key ${key.map((k) => k.toString(16))} count ${count.map((c) => c.toString(16))}`, async () => {
      const run = (k1: Value, k2: Value, x0: Value, x1: Value) => bind(threefry2x32, [k1, k2, x0, x1]);
      for (const f of [run, jit(run)]) {
        const [y0, y1] = f(u32(key[0]), u32(key[1]), u32(count[0]), u32(count[1])) as Value[];
        expect([...(await y0.tolist()), ...(await y1.tolist())]).toEqual(want);
      }
    });
  }
});
