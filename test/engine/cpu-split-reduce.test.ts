/**
 * @file Multi-axis reductions whose fused body reads a broadcast operand (backends/cpu/
 * split-reduce.ts): with SIMD on they run as a SIMD map into a temporary and a SIMD reduction,
 * and give the bits of the fused JavaScript loop that runs with SIMD off; the kernels it leaves
 * alone (an innermost reduced axis that is no multiple of 8) agree too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cpuSimd, simdStats } from '../../src/engine/backends/cpu/wasm/simd.js';
import type { TypedArray } from '../../src/engine/core/dtype.js';
import type { Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, random } from '../../src/engine/index.js';

afterEach(() => {
  cpuSimd.enabled = true;
});

function bytes(v: Value): Buffer {
  const d = (v as unknown as { dataSync(): TypedArray }).dataSync();
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

const [k0, k1, k2, k3] = random.split(random.key(7), 4);
const x = random.normal(k0, [64, 96]);
const w = random.normal(k1, [96, 128]).mul(0.1);
const b = random.normal(k2, [128]);
const y = random.normal(k3, [64, 128]);
const x3 = random.normal(k0, [4, 30, 64]);
const b3 = random.normal(k1, [64]);
const odd = random.normal(k2, [40, 257]);
const bOdd = random.normal(k3, [257]);

const CASES: [string, () => Value, boolean][] = [
  ['mean((tanh(x @ w + b) - y)**2)', () => jnp.mean(jnp.tanh(jnp.dot(x, w).add(b)).sub(y).pow(2)), true],
  ['sum(exp(x @ w + b))', () => jnp.sum(jnp.exp(jnp.dot(x, w).add(b).mul(0.1))), true],
  ['max(sin(x @ w) * b)', () => jnp.max(jnp.sin(jnp.dot(x, w)).mul(b)), true],
  [
    'sum over axes 1, 2 of log1p(x3**2 + b3)',
    () => jnp.sum(jnp.log1p(x3.pow(2).add(b3.pow(2))), { axis: [1, 2] }),
    true,
  ],
  ['mean over rows of 257 (left fused)', () => jnp.mean(jnp.tanh(odd.add(bOdd))), false],
];

describe('split multi-axis reductions (SIMD map + SIMD reduction)', () => {
  for (const [name, f, split] of CASES) {
    it(`${name}: the fused loop's bits${split ? ', as SIMD kernels' : ''}`, () => {
      cpuSimd.enabled = false;
      const want = bytes(jit(f)());
      cpuSimd.enabled = true;
      const before = simdStats.kernels;
      const got = bytes(jit(f)());
      // The map and the reduction after the split; unsplit, the reduction has no SIMD form.
      if (split) expect(simdStats.kernels - before).toBeGreaterThanOrEqual(2);
      expect(got.equals(want)).toBe(true);
    });
  }
});
