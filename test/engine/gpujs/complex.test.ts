/**
 * @file Complex numbers on the gpu.js device: complex kernels reach gpu.js legalized into float32
 * pairs (compile/complex.ts), so elementwise complex math runs there; the FFT library kernel has
 * no gpu.js form and runs through the CPU's code, a fallback the compiled source names.
 *
 * When gpu.js cannot start the file skips with the reason; under CI it fails.
 */
import { describe, expect, it } from 'vitest';
import { devicePut, jit, numpy as jnp, lax, random, type Value } from '../../../src/engine/index.js';
import { deviceAvailable } from '../../device-available.js';

const available = await deviceAvailable('gpujs', 'gpujs complex');
const d = describe.skipIf(!available);

const key = random.key(3);
const z = lax.complex(random.normal(key, [32]), random.normal(random.foldIn(key, 1), [32]));

async function close(f: (x: Value) => Value): Promise<void> {
  const c = Array.from(await f(z).data(), Number);
  const g = Array.from(await f(devicePut(z, 'gpujs')).data(), Number);
  expect(g.every((v, i) => Math.abs(v - c[i]) <= 2e-5 * (1 + Math.abs(c[i])))).toBe(true);
}

d('complex64 on gpujs', () => {
  it('runs complex elementwise kernels as float32 pairs', async () => {
    await close((x) => jnp.exp(jnp.multiply(x, jnp.conj(x))));
    await close((x) => jnp.divide(jnp.sqrt(x), jnp.add(x, 2)));
    await close((x) => jnp.abs(jnp.sin(x)));
  });
  it('runs fft through the CPU fallback, and says so', async () => {
    await close((x) => jnp.fft.fft(x));
    const text = String(
      (
        jit((x: Value) => jnp.fft.fft(jnp.exp(x)))
          .lower(devicePut(z, 'gpujs'))
          .compile() as any
      ).asText(),
    );
    expect(text).toMatch(/on gpujs/);
    expect(text).toMatch(/fft_\d+ on cpu \(fallback: library kernel fft has no gpu\.js form\)/);
  });
});
