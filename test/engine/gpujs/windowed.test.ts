/**
 * @file Windowed reductions and pooling on the gpu.js backend, from the same kernel IR as the CPU
 * and WebGPU (no gpu.js code of their own): float32 cases of fixtures/windowed.json (JAX 0.10.2,
 * flax 0.12.8) and max/avg/min pooling gradients, to float32 tolerance. Kernels gpu.js cannot run
 * (the int32 selection index of select_and_scatter_add) take the backend's visible CPU fallback.
 *
 * When gpu.js cannot start the file skips with the reason; under CI it fails.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { devicePut, grad, jit, numpy as jnp } from '../../../src/engine/index.js';
import { deviceAvailable } from '../../device-available.js';
import {
  build,
  callPool,
  expectMatches,
  FX,
  type GradCase,
  initOf,
  runWindow,
  type WindowCase,
} from '../windowed-fixture.js';

const available = await deviceAvailable('gpujs', 'gpujs windowed reductions');
const d = describe.skipIf(!available);
const on = (v: Value) => devicePut(v, 'gpujs');

const WINDOWS = (FX.windows as WindowCase[]).filter(
  (c) =>
    c.x.every((x) => x.dtype === 'float32') &&
    /^(sum|max|min)_(2d|3d|4d)|^general_mul|^variadic_max_add/.test(c.name),
);

d('gpujs: windowed reductions and pooling', () => {
  for (const c of WINDOWS) {
    it(c.name, async () => {
      const outs = jit((...a: Value[]) => runWindow(c, a, c.init.map(initOf)))(
        ...c.x.map((x) => on(build(x))),
      );
      for (const [i, o] of outs.entries()) await expectMatches(o, c.out[i], `${c.name} ${i}`, 1e-5);
    });
  }
  for (const c of (FX.grads as GradCase[]).filter((g) => g.fn !== 'reduce_window')) {
    it(`${c.name} grad`, async () => {
      const w = on(build(c.w));
      const g = jit(grad((v: Value) => jnp.sum(jnp.multiply(callPool(c.fn, v, c.kw), w))))(on(build(c.x)));
      expect(String((g as any).device)).toBe('gpujs:0');
      await expectMatches(g, c.grad, c.name, 1e-5);
    });
  }
});
