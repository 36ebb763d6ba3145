/**
 * @file Array.dispose on the CPU (core/array.ts, backends/cpu/backend.ts free, heap.ts heapFree):
 * the buffer's heap region comes back at once, so the next output of its size reuses memory
 * already touched instead of growing the heap into fresh pages; a disposed array cannot be read;
 * a buffer that another array still holds (the same buffer re-wrapped by devicePut) stays; and
 * nothing is freed while a program is queued that may read it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isPending, setCpuAsync } from '../../src/engine/backends/cpu/executor.js';
import { heapOffset, heapStats } from '../../src/engine/backends/cpu/heap.js';
import { setCpuThreads } from '../../src/engine/backends/cpu/threads.js';
import type { TypedArray } from '../../src/engine/core/dtype.js';
import type { Array as TArray, Value } from '../../src/engine/index.js';
import { devicePut, devices, jit, numpy as jnp, random } from '../../src/engine/index.js';

afterEach(() => {
  setCpuAsync(null);
  setCpuThreads(null);
});

const bufOf = (v: Value) => (v as unknown as { buffer: TypedArray }).buffer;
const N = 256;
const x = random.normal(random.key(1), [N, N]);
const mm = jit((a: Value) => jnp.matmul(a, a).add(1));

describe('Array.dispose on the CPU', () => {
  it('returns the region to the heap: the next output of that size reuses it', async () => {
    const y = mm(x) as TArray;
    await y.blockUntilReady();
    const at = heapOffset(bufOf(y));
    expect(at).toBeGreaterThanOrEqual(0);
    const inUse = heapStats.inUse;
    y.dispose();
    expect(heapStats.inUse).toBe(inUse - N * N * 4);
    const z = mm(x) as TArray;
    await z.blockUntilReady();
    expect(heapOffset(bufOf(z))).toBe(at);
    // The reused memory holds the new result, not the old one's leftovers.
    const want = mm(x) as TArray;
    expect(Buffer.from((await z.data()).buffer)).toEqual(Buffer.from((await want.data()).buffer));
  });

  it('a disposed array cannot be read, and disposing twice is harmless', async () => {
    const y = mm(x) as TArray;
    await y.blockUntilReady();
    y.dispose();
    y.dispose();
    expect(() => y.dataSync()).toThrow(/deleted/);
    await expect(y.data()).rejects.toThrow(/deleted/);
    expect(() => mm(y)).toThrow(/deleted/);
  });

  it('keeps a buffer that another array still holds', async () => {
    const y = mm(x) as TArray;
    await y.blockUntilReady();
    const want = Buffer.from((await y.data()).buffer);
    // Committed to the same device: a new array over the same buffer.
    const held = devicePut(y, devices()[0]) as TArray;
    expect(bufOf(held)).toBe(bufOf(y));
    const inUse = heapStats.inUse;
    y.dispose();
    expect(heapStats.inUse).toBe(inUse);
    // New outputs do not land on it.
    const others = [mm(x), mm(x)] as TArray[];
    for (const o of others) await o.blockUntilReady();
    expect(Buffer.from((await held.data()).buffer)).toEqual(want);
    const before = heapStats.inUse;
    held.dispose();
    expect(heapStats.inUse).toBe(before - N * N * 4);
  });

  it('frees nothing while a queued program may still read the buffer', async () => {
    setCpuThreads(2);
    setCpuAsync(true);
    const heavy = jit((a: Value) => {
      let b = a;
      for (let i = 0; i < 48; i++) b = jnp.tanh(jnp.matmul(b, a).mul(0.01));
      return b;
    });
    await (heavy(x) as TArray).blockUntilReady();
    setCpuAsync(false);
    const want = Buffer.from((await (heavy(x) as TArray).data()).buffer);
    setCpuAsync(true);
    const input = jnp.array(x) as TArray;
    await input.blockUntilReady();
    const y = heavy(input) as TArray;
    expect(isPending(bufOf(y))).toBe(true);
    const inUse = heapStats.inUse;
    input.dispose();
    expect(heapStats.inUse).toBe(inUse);
    expect(Buffer.from((await y.data()).buffer)).toEqual(want);
  });
});
