/**
 * @file Sampling on WebGPU gives the CPU's bits: random.normal (erf_inv of a uniform, as JAX
 * samples it) and the samplers built on it, drawn from the same keys on both devices, compared bit
 * for bit, and float32 erf_inv itself out to the deepest tails a float32 uniform reaches
 * (1 - 2^-24). Both devices compute erf_inv with the libm's kernel IR (compile/libm/erfinv.ts);
 * WGSL's own log made the tails differ by up to 44 ulp before.
 *
 * Without an adapter the file skips with the reason; under CI (which installs Mesa's EGL) it fails.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { devicePut, jit, numpy as jnp, lax, random } from '../../../src/engine/index.js';
import { deviceAvailable } from '../../device-available.js';

const available = await deviceAvailable('webgpu', 'webgpu normal sampling');
const d = describe.skipIf(!available);

type Readable = { data(): Promise<Float32Array> };
const read = async (v: Value): Promise<Float32Array> =>
  (await (v as unknown as Readable).data()) as Float32Array;

/** Indices where the two arrays' bits differ (any NaN matches any NaN: payloads are not kept). */
function differing(a: Float32Array, b: Float32Array): number[] {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const out: number[] = [];
  for (let i = 0; i < ua.length; i++)
    if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) out.push(i);
  return out;
}

type Key = ReturnType<typeof random.key>;

async function sameBits(what: string, sample: (key: Key) => Value, seeds: number[]): Promise<Float32Array> {
  const all: number[] = [];
  for (const seed of seeds) {
    const cpu = await read(sample(random.key(seed)));
    const gpu = await read(sample(devicePut(random.key(seed), 'webgpu') as Key));
    expect(gpu.length).toBe(cpu.length);
    const bad = differing(cpu, gpu);
    expect(
      bad.length,
      `${what} seed ${seed}: ${bad.length} of ${cpu.length} differ, first at ${bad[0]}: cpu ${cpu[bad[0]]}, webgpu ${gpu[bad[0]]}`,
    ).toBe(0);
    all.push(...cpu);
  }
  return Float32Array.from(all);
}

d('sampling on WebGPU gives the CPU bits', () => {
  it('random.normal: 3 x 4096 draws, tails included', async () => {
    const z = await sameBits('normal', (k) => random.normal(k, [4096]), [0, 1, 42]);
    // The draws reach the tails (|z| > 3.5 has probability ~5e-4 per draw).
    expect(Math.max(...z.map(Math.abs))).toBeGreaterThan(3.5);
  });

  it('samplers built on erf_inv: truncated_normal, and normal in float16', async () => {
    await sameBits('truncated_normal', (k) => random.truncatedNormal(k, -3, 5, [2048]), [3, 4]);
    const h = (k: Key) => random.normal(k, [1024], 'float16').astype('float32');
    await sameBits('normal float16', h, [6]);
  });

  it('float32 erf_inv out to 1 - 2^-24, and its special values', async () => {
    const xs: number[] = [0, -0, 1, -1, 1.5, Number.NaN, 0.5, -0.25, 1e-20];
    for (let j = 1; j <= 2048; j++) {
      const u = Math.fround(1 - j * 2 ** -24);
      xs.push(u, -u, Math.fround((j - 1024) / 1024.5));
    }
    const x = jnp.array(Float32Array.from(xs));
    const f = jit((v: Value) => lax.erfInv(v));
    const cpu = await read(f(x));
    const gpu = await read(f(devicePut(x, 'webgpu') as Value));
    const bad = differing(cpu, gpu);
    expect(bad.map((i) => `erf_inv(${xs[i]}): cpu ${cpu[i]}, webgpu ${gpu[i]}`)).toEqual([]);
    expect(cpu[2]).toBe(Number.POSITIVE_INFINITY);
    expect(cpu[3]).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(cpu[4]) && Number.isNaN(cpu[5])).toBe(true);
  });
});
