/**
 * @file The float32 libm (src/engine/compile/libm) rendered as WGSL against the CPU's kernels: the
 * same algorithm, and, with every operation of the expansions behind guard.ts's guards (which stop
 * the shader compiler from reassociating sums and fusing products into them), the same bits. IEEE
 * float32 + - * / are all that is assumed, which llvmpipe gives (a GPU that flushes subnormals or
 * divides to 2.5 ulp, as WGSL allows, would not); before the guards, 76-100% of the values were
 * the CPU's, up to 3 ulp apart (pow: 67).
 *
 * Without an adapter the file skips with the reason; under CI (which installs Mesa's EGL) it fails.
 */
import { describe, expect, it } from 'vitest';
import { devicePut, jit, numpy as jnp } from '../../../src/engine/index.js';
import { deviceAvailable } from '../../device-available.js';
import { LIBM_FUNCTIONS as FUNCTIONS } from '../libm-functions.js';

const available = await deviceAvailable('webgpu', 'webgpu libm');
const d = describe.skipIf(!available);

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const bitsOf = (x: number): number => {
  f32[0] = x;
  return i32[0];
};
/** Position on the number line in ulps (float32 bits made monotonic). */
const ord = (x: number): number => {
  const b = bitsOf(x);
  return b < 0 ? -(b & 0x7fffffff) : b;
};

/** Normal float32 values of both signs across the whole range (subnormals may be flushed). */
function inputs(): Float32Array {
  const n = 1 << 16;
  const u = new Int32Array(n);
  for (let k = 0; k < n / 2; k++) {
    const b = 0x00800000 + Math.floor((k * (0x7f000000 - 0x00800000)) / (n / 2));
    u[2 * k] = b;
    u[2 * k + 1] = b | 0x80000000;
  }
  // Around 0..10 densely, where most values live.
  for (let k = 0; k < 8192; k++) u[k * 8] = bitsOf((k - 4096) / 409.6 + 1e-3);
  return new Float32Array(u.buffer);
}

d('float32 libm on WebGPU: the CPU algorithm', () => {
  const x = inputs();
  for (const [name, fn] of FUNCTIONS) {
    it(name, async () => {
      const cpu = (jit(fn)(jnp.array(x)) as unknown as { dataSync(): Float32Array }).dataSync();
      const gx = devicePut(jnp.array(x), 'webgpu');
      const gpu = (await (
        jit(fn)(gx) as unknown as { data(): Promise<Float32Array> }
      ).data()) as Float32Array;
      let same = 0;
      let worst = 0;
      for (let i = 0; i < x.length; i++) {
        const a = cpu[i];
        const b = gpu[i];
        if (Number.isNaN(a) || Number.isNaN(b)) {
          expect(Number.isNaN(a) && Number.isNaN(b), `${name}(${x[i]}): cpu ${a}, webgpu ${b}`).toBe(true);
          same++;
          continue;
        }
        // Results below the normal range may be flushed to zero.
        if (Math.abs(a) < 1.2e-38 && Math.abs(b) < 1.2e-38) {
          same++;
          continue;
        }
        if (bitsOf(a) === bitsOf(b)) same++;
        worst = Math.max(worst, Math.abs(ord(a) - ord(b)));
      }
      console.log(
        `webgpu libm ${name}: the CPU's bits for ${((100 * same) / x.length).toFixed(2)}%, max ${worst} ulp apart`,
      );
      expect(worst, name).toBe(0);
    });
  }
});
