/**
 * @file The gpu.js device with more arrays than one kernel may take: under headless-gl each
 * argument is a texture and a shader samples at most MAX_TEXTURE_IMAGE_UNITS of them, so the
 * backend splits wide kernels (compile/bindings.ts); WebAssembly mode has no limit and leaves
 * them whole. Either way the values are the CPU's (float32 tolerance).
 *
 * When gpu.js cannot start the file skips with the reason; under CI it fails.
 */
import { describe, expect, it } from 'vitest';
import type { GpuJsBackend } from '../../../src/engine/backends/gpujs/backend.js';
import { kernelBindings } from '../../../src/engine/compile/bindings.js';
import { devicePut, jit, numpy as jnp, resolveDevice, type Value } from '../../../src/engine/index.js';
import { deviceAvailable } from '../../device-available.js';

const available = await deviceAvailable('gpujs', 'gpujs binding limits');
const d = describe.skipIf(!available);
const backend = () => resolveDevice('gpujs').backend as GpuJsBackend;

const f = jit((...xs: Value[]) => {
  const e = xs.slice(1).reduce((a, b, j) => (j % 3 === 0 ? a.mul(b.tanh()) : a.add(b)), xs[0]);
  return [e, jnp.sum(e.mul(xs[4]), { axis: 1 })];
});

function args(device: string): Value[] {
  return Array.from({ length: 40 }, (_, j) =>
    devicePut(
      jnp
        .array(
          Array.from({ length: 12 }, (_, i) => Math.sin(j * 2.3 + i) * 0.9),
          { dtype: 'float32' },
        )
        .reshape([3, 4]),
      device,
    ),
  );
}

d('gpujs: kernels of 40 arrays', () => {
  it('agree with the cpu, and fit the texture units under headless-gl', async () => {
    const ga = args('gpujs');
    const program = f.lower(...ga).compile().executable.compiled.program;
    const widest = Math.max(...program.kernels.map(kernelBindings));
    const units = backend().textureUnits();
    console.log(`gpujs ${backend().mode}: texture units ${units}, widest kernel binds ${widest}`);
    if (units === null) expect(widest).toBe(41);
    else expect(widest).toBeLessThanOrEqual(units);
    const g = f(...ga) as Value[];
    const c = f(...args('cpu')) as Value[];
    for (let o = 0; o < 2; o++) {
      const gv = Array.from(await g[o].data(), Number);
      const cv = Array.from(await c[o].data(), Number);
      gv.forEach((v, i) => {
        expect(Math.abs(v - cv[i])).toBeLessThanOrEqual(1e-4 + 1e-5 * Math.abs(cv[i]));
      });
    }
  });
});
