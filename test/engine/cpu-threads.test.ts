/**
 * @file The CPU backend's chunked, multi-threaded execution of large kernels
 * (src/engine/backends/cpu/threads.ts): the same bits with worker threads as without, workers
 * that take part, errors in a worker naming the kernel, and non-shared buffers running on the
 * main thread.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runtime } from '../../src/engine/backends/cpu/runtime.js';
import {
  type RangedKernel,
  runLarge,
  SHARED_MIN,
  setCpuThreads,
  threadStats,
} from '../../src/engine/backends/cpu/threads.js';
import type { TypedArray } from '../../src/engine/core/dtype.js';
import type { Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, lax, random, withConfig } from '../../src/engine/index.js';

afterAll(() => setCpuThreads(null));

/** Raw bytes of a result, for bit-for-bit comparison. */
function bytes(v: Value): Uint8Array {
  const d = (v as any).dataSync() as TypedArray;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
}

/** Large programs touching each ranged kernel kind and the dtypes with their own code paths. */
const N = 1 << 18;
const PROGRAMS: [string, () => Value][] = [
  ['map float32', () => jit((x: Value) => jnp.sin(x).mul(2).add(1))(jnp.linspace(-3, 3, N))],
  ['map uint32 threefry', () => random.bits(random.key(3), [N])],
  ['normal (erf_inv)', () => random.normal(random.key(4), [512, 512])],
  ['row reduce', () => jnp.sum(random.uniform(random.key(5), [1024, 512]), { axis: 1 })],
  ['column max', () => jnp.max(random.uniform(random.key(6), [512, 1024]), { axis: 0 })],
  ['argmax rows', () => jnp.argmax(random.uniform(random.key(7), [1024, 300]), { axis: 1 })],
  ['cumsum rows', () => jnp.cumsum(random.uniform(random.key(8), [600, 300]), { axis: 1 })],
  ['uint32 max reduce', () => jnp.max(random.bits(random.key(9), [256, 1024]), { axis: 1 })],
  ['float16', () => jnp.exp(random.uniform(random.key(10), [N], 'float16'))],
  ['bool', () => lax.lt(random.uniform(random.key(11), [N]), 0.5)],
  [
    'int64 (x64)',
    () => withConfig({ enableX64: true }, () => jnp.arange(N, { dtype: 'int64' }).mul(3_000_000_000).add(7)),
  ],
];

describe('cpu worker threads', () => {
  it('take part once started', async () => {
    setCpuThreads(2);
    const before = threadStats.workerChunks;
    const f = jit((x: Value) => jnp.tanh(x).mul(x));
    const x = jnp.linspace(-2, 2, 1 << 20);
    const end = Date.now() + 20_000;
    // Workers start on the first large kernel (and, from sources, register tsx first).
    while (threadStats.workerChunks === before && Date.now() < end) {
      f(x);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(threadStats.workerChunks).toBeGreaterThan(before);
  });

  it('give the same bits as one thread', () => {
    const before = threadStats.workerChunks;
    for (const [name, f] of PROGRAMS) {
      setCpuThreads(1);
      const one = bytes(f());
      setCpuThreads(2);
      const two = bytes(f());
      expect(two.length, name).toBe(one.length);
      expect(Buffer.compare(Buffer.from(two), Buffer.from(one)), name).toBe(0);
    }
    expect(threadStats.workerChunks).toBeGreaterThan(before);
  });

  it('report an error thrown in a worker, naming the kernel', async () => {
    setCpuThreads(2);
    // Throws on worker threads only (the flag is this thread's global).
    (globalThis as any).__tjaxThreadsTestMain = true;
    const source = `(rt, b0, lo, hi) => {
  if (!globalThis.__tjaxThreadsTestMain) throw new Error('boom in a worker');
  for (let i = lo; i < hi; i++) b0[i] = i;
}`;
    const k: RangedKernel = {
      name: 'map_test',
      source,
      fn: new Function(`return ${source}`)(),
      extent: 1 << 20,
      inner: 1,
      out: 0,
      calls: 0,
    };
    const out = new Float32Array(new SharedArrayBuffer(4 << 20));
    let error: Error | null = null;
    const end = Date.now() + 20_000;
    while (!error && Date.now() < end) {
      try {
        runLarge(k, [out], runtime);
      } catch (e) {
        error = e as Error;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    delete (globalThis as any).__tjaxThreadsTestMain;
    expect(error?.message).toContain('map_test');
    expect(error?.message).toContain('boom in a worker');
  });

  it('run on the main thread when a large buffer is not shared', () => {
    setCpuThreads(2);
    const source = '(rt, b0, b1, lo, hi) => { for (let i = lo; i < hi; i++) b1[i] = b0[i] * 2; }';
    const k: RangedKernel = {
      name: 'map_plain',
      source,
      fn: new Function(`return ${source}`)(),
      extent: SHARED_MIN * 2,
      inner: 1,
      out: 1,
      calls: 0,
    };
    const a = Float64Array.from({ length: SHARED_MIN * 2 }, (_, i) => i);
    const b = new Float64Array(a.length);
    const jobs = threadStats.jobs;
    runLarge(k, [a, b], runtime);
    expect(threadStats.jobs).toBe(jobs);
    expect(b[12345]).toBe(24690);
    expect(b[b.length - 1]).toBe(2 * (b.length - 1));
  });
});
