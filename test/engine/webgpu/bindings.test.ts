/**
 * @file The WebGPU device's limit on storage buffers per shader stage (maxStorageBuffersPerShaderStage):
 * programs whose fused kernels read more arrays than that (compile/bindings.ts splits them) give
 * the CPU's values, every kernel the backend runs binds at most the limit, and a hand-written
 * kernel over the limit is refused by name.
 *
 * Without an adapter the file skips with the reason; under CI it fails.
 */
import { describe, expect, it } from 'vitest';
import type { WebGpuBackend } from '../../../src/engine/backends/webgpu/backend.js';
import { kernelBindings } from '../../../src/engine/compile/bindings.js';
import { devicePut, jit, numpy as jnp, lax, resolveDevice, type Value } from '../../../src/engine/index.js';
import { deviceAvailable } from '../../device-available.js';

const available = await deviceAvailable('webgpu', 'webgpu binding limits');
const d = describe.skipIf(!available);

const backend = () => resolveDevice('webgpu').backend as WebGpuBackend;

function values(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(seed * 3.7 + i * 0.9) * (1 + (seed % 4)));
}

/** 30 arrays of shape [6, 5] on `device`. */
function args(device: string): Value[] {
  return Array.from({ length: 30 }, (_, j) =>
    devicePut(jnp.array(values(30, j + 1), { dtype: 'float32' }).reshape([6, 5]), device),
  );
}

async function close(g: Value, c: Value): Promise<void> {
  expect(String((g as any).device)).toBe('webgpu:0');
  expect(g.shape).toEqual(c.shape);
  const gv = Array.from(await g.data(), Number);
  const cv = Array.from(await c.data(), Number);
  gv.forEach((v, i) => {
    expect(Math.abs(v - cv[i])).toBeLessThanOrEqual(1e-5 + 2e-6 * Math.abs(cv[i]));
  });
}

/** Elementwise over 30 arguments, and the same chain through a reduction with an epilogue. */
const f = jit((...xs: Value[]) => {
  const e = xs.slice(1).reduce((a, b, j) => (j % 3 === 0 ? a.mul(b.tanh()) : a.add(b)), xs[0]);
  const r = jnp.sum(e.mul(xs[5]), { axis: 1 });
  const epi = xs.slice(10).reduce((a, b) => a.add(jnp.max(b, { axis: 1 })), r.exp().mul(0.5));
  return [e, epi];
});

d('webgpu: kernels within the storage-buffer limit', () => {
  it('a function of 30 arrays, elementwise and through a reduction, agrees with the cpu', async () => {
    const limit = backend().maxStorageBuffers;
    const ga = args('webgpu');
    const ca = args('cpu');
    // Fused as the CPU fuses, one kernel would read every argument.
    const lowered = f.lower(...ca).compile().executable.compiled.program;
    expect(Math.max(...lowered.kernels.map(kernelBindings))).toBeGreaterThan(limit);
    const program = f.lower(...ga).compile().executable.compiled.program;
    for (const k of program.kernels)
      expect(kernelBindings(k) + (k.kind === 'reduce' ? 1 : 0)).toBeLessThanOrEqual(limit);
    const [ge, gr] = f(...ga);
    const [ce, cr] = f(...ca);
    await close(ge, ce);
    await close(gr, cr);
  });

  it('a loop body over many arrays is split too (nested programs)', async () => {
    const g = jit((...xs: Value[]) =>
      lax.foriLoop(0, 3, (_i: Value, c: Value) => xs.reduce((a, b) => a.add(b.mul(c)), c).mul(0.01), xs[0]),
    );
    await close(g(...args('webgpu')), g(...args('cpu')));
  });

  it('a sort of more operands than one pass may bind gathers them in several passes', async () => {
    const limit = backend().maxStorageBuffers;
    // Each operand, its output and the permutation: 2n + 1 bindings in one gather pass.
    const n = Math.ceil(limit / 2) + 1;
    const make = (device: string) =>
      Array.from({ length: n }, (_, j) =>
        devicePut(jnp.array(values(9, j + 1), { dtype: 'float32' }), device),
      );
    const sort = jit((...ops: Value[]) => lax.sort(ops, { numKeys: 2 }));
    const g = sort(...make('webgpu')) as Value[];
    const c = sort(...make('cpu')) as Value[];
    for (let j = 0; j < n; j++)
      expect(Array.from(await g[j].data(), Number)).toEqual(Array.from(await c[j].data(), Number));
  });

  it('a hand-written kernel over the limit is refused, naming the kernel and the limit', () => {
    const limit = backend().maxStorageBuffers;
    // The bitonic steps compare every key: the keys and the permutation in one pass.
    const ops = Array.from({ length: limit }, (_, j) =>
      devicePut(jnp.array(values(4, j + 1), { dtype: 'float32' }), 'webgpu'),
    );
    expect(() => lax.sort(ops, { numKeys: limit })).toThrow(
      new RegExp(
        `kernel sort_0_steps binds ${limit + 1} storage buffers, more than the ${limit} per shader stage`,
      ),
    );
  });
});
