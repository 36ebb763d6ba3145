/**
 * @file A SIMD map kernel over a range whose length is not a whole loop step: the WebAssembly
 * loop runs on to the end of its last step (16 elements), so a tile that ends short of a step
 * must go through the scratch region, never through the buffers in the heap in place. Before,
 * the last tile of a range read and wrote up to 15 elements past the range: into the next
 * region of the heap, or, for the highest region when the memory ends there, out of the memory
 * ("RuntimeError: memory access out of bounds", the flake in webgpu/libm.test.ts). The warm-up
 * calls (chunks.ts: ranges of 1, 2, 4, ... elements) make every large kernel's ranges ragged.
 */
import { afterAll, expect, it } from 'vitest';
import { heapMemory, heapOffset, heapTop } from '../../src/engine/backends/cpu/heap.js';
import { heap } from '../../src/engine/backends/cpu/runtime.js';
import { allocBuffer, setCpuThreads } from '../../src/engine/backends/cpu/threads.js';
import { cpuSimd } from '../../src/engine/backends/cpu/wasm/simd.js';
import { float32, type TypedArray } from '../../src/engine/core/dtype.js';
import type { Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, lax } from '../../src/engine/index.js';

afterAll(() => setCpuThreads(null));

// A 1-D SIMD kernel over 8 rows of 8194 (65552 elements, a whole number of 64-byte lines: no
// slack at the region's end). On one thread it runs in chunks of 4 rows, each chunk's first
// calls as warm-up ranges of 1, 2, ... rows: the last, row 7, ends 14 elements short of a step.
const ROWS = 8;
const COLS = 8194;
const N = ROWS * COLS;
const read = (v: Value) => (v as unknown as { dataSync(): Float32Array }).dataSync();

it.skipIf(!cpuSimd.enabled)('a SIMD map kernel whose output ends the heap memory stays inside it', () => {
  setCpuThreads(1);
  const x = jnp.array(Float32Array.from({ length: N }, (_, i) => 1 + (i % 977) / 7)).reshape([ROWS, COLS]);
  // The thread's scratch region, and x in the heap, before the heap is filled.
  heap();
  const expected = read(jit((v: Value) => lax.neg(v))(x)).map((v) => Math.fround(Math.log(-v)));
  // Fill the heap up to one output's bytes below the memory's end, so that the next output is
  // its highest region and ends where the memory ends.
  const keep: TypedArray[] = [];
  const out = 4 * N;
  const room = () => heapMemory().buffer.byteLength - heapTop() - out;
  while (room() < out) keep.push(allocBuffer(float32, N, false));
  keep.push(allocBuffer(float32, room() / 4, false));
  expect(heapTop()).toBe(heapMemory().buffer.byteLength - out);
  // The kernel's first call, which runs its warm-up ranges (chunks.ts) of 1, 2, 4, ... elements.
  const y = read(jit((v: Value) => lax.log(v))(x));
  expect(heapOffset(y) + out).toBe(heapMemory().buffer.byteLength);
  expect(keep.length).toBeGreaterThan(0);
  const bad = y.findIndex((v, i) => Math.abs(v - expected[i]) > 1e-6 * Math.abs(expected[i]));
  expect(bad).toBe(-1);
});
