/**
 * @file Windowed reductions and pooling on the WebGPU backend: the same kernel IR the CPU runs
 * (reduce kernels over window offsets, unrolled folds, the select_and_scatter_add gather),
 * rendered to WGSL with no code of its own. Cases come from fixtures/windowed.json (JAX 0.10.2,
 * flax 0.12.8); results must match JAX to float32 rounding (the device's float32 arithmetic
 * need not round as XLA's CPU does, so floats compare with a tolerance, integers exactly).
 *
 * Without an adapter the file skips with the reason; under CI it fails.
 */
import { describe, expect, it } from 'vitest';
import { bind1 } from '../../../src/engine/core/trace.js';
import type { Value } from '../../../src/engine/index.js';
import { devicePut, grad, jit, numpy as jnp, jvp, vmap } from '../../../src/engine/index.js';
import { ge, le } from '../../../src/engine/primitives/elementwise.js';
import * as W from '../../../src/engine/primitives/windowed.js';
import { deviceAvailable } from '../../device-available.js';
import {
  build,
  callPool,
  expectMatches,
  FX,
  type GradCase,
  initOf,
  runWindow,
  type SelectCase,
  type WindowCase,
} from '../windowed-fixture.js';

const status = { available: await deviceAvailable('webgpu', 'webgpu windowed reductions') };
const d = describe.skipIf(!status.available);

const gpu = (v: Value) => devicePut(v, 'webgpu');
const tol = (dtype: string) => (dtype === 'float32' ? 2e-6 : dtype === 'float16' ? 2e-3 : 0);

/** A spread of the CPU cases: every geometry of the monoids, the general forms, ints. */
const WINDOWS = (FX.windows as WindowCase[]).filter(
  (c) => !c.name.startsWith('sum_i32_') || c.name.endsWith('_2d_dil') || c.name.endsWith('_4d_nhwc'),
);

d('webgpu: lax.reduceWindow', () => {
  for (const c of WINDOWS) {
    // WebGPU refuses 64-bit dtypes only; every fixture dtype runs.
    it(c.name, async () => {
      const xs = c.x.map((x) => gpu(build(x)));
      // Init values stay on the host, as Python scalars do: a device-resident init cannot be read
      // synchronously, so reduceWindow treats it as traced (the general form, as for a tracer).
      const inits = c.init.map(initOf);
      const outs = jit((...a: Value[]) => runWindow(c, a, inits))(...xs);
      for (const [i, o] of outs.entries()) {
        expect(String((o as any).device)).toBe('webgpu:0');
        await expectMatches(o, c.out[i], `${c.name} ${i}`, tol(c.out[i].dtype));
      }
    });
  }
});

d('webgpu: select_and_scatter_add / select_and_gather_add', () => {
  for (const c of FX.selects as SelectCase[]) {
    it(c.name, async () => {
      const prim = c.prim === 'select_and_scatter_add' ? W.select_and_scatter_add : W.select_and_gather_add;
      const params = { select_prim: c.select_prim === 'ge' ? ge : le, ...c.params };
      const out = bind1(prim, [gpu(build(c.a)), gpu(build(c.x))], params);
      await expectMatches(out, c.out, c.name, tol(c.out.dtype));
    });
  }
});

d('webgpu: pooling gradients and vmap', () => {
  for (const c of FX.grads as GradCase[]) {
    it(c.name, async () => {
      const x = gpu(build(c.x));
      const w = gpu(build(c.w));
      const f = (v: Value) => callPool(c.fn, v, c.kw);
      const g = jit(grad((v: Value) => jnp.sum(jnp.multiply(f(v), w))))(x);
      await expectMatches(g, c.grad, `${c.name} grad`, 1e-5);
      const [, t] = jvp(f, [x], [gpu(build(c.t))]) as Value[];
      await expectMatches(t, c.jvp, `${c.name} jvp`, 1e-5);
    });
  }
  for (const c of FX.vmaps) {
    it(c.name, async () => {
      const f = (v: Value) => callPool(c.fn, v, c.kw);
      await expectMatches(jit(vmap(f))(gpu(build(c.x))), c.out, c.name, 1e-5);
    });
  }
});
