/**
 * @file What the WebAssembly tier's jobs share (the GEMM's, gemm-units.ts; the convolution's,
 * conv-units.ts; Winograd's, winograd.ts and winograd-filter.ts): a job is a Float64Array of
 * numbers at named slots that a runner's source text reads, a counter the threads claim units
 * from, and a runner every thread compiles; a call runs it on this thread and the pool.
 */

import { runtime } from '../runtime.js';
import { type RangedKernel, runShared } from '../threads.js';
import type { WasmMemory } from './module.js';

/**
 * A job's slots, numbered in the order named. Every job starts with `id` (the module it uses),
 * `f32` and `esz` (its precision), which gemm-units.ts runnerSource reads.
 */
export function jobLayout<const N extends readonly string[]>(
  names: N,
): { readonly [K in N[number]]: number } {
  return Object.fromEntries(names.map((n, i) => [n, i])) as { [K in N[number]]: number };
}

/** Runner source text that reads slot `name` of the job. */
export function slotReader<S extends Record<string, number>>(layout: S): (name: keyof S) => string {
  return (name) => `job[${layout[name]}]`;
}

/** Writes `values` into the job's slots (names not in the layout are an error). */
export function setSlots<S extends Record<string, number>>(
  job: Float64Array,
  layout: S,
  values: Record<string, number>,
): void {
  for (const [k, v] of Object.entries(values)) {
    const at = layout[k];
    if (at === undefined) throw new Error(`no job slot ${k}`);
    job[at] = v;
  }
}

/** A job's layout (jobLayout) and its slot reader (slotReader), together. */
export function jobSlots<const N extends readonly string[]>(
  names: N,
): [{ readonly [K in N[number]]: number }, (name: N[number]) => string] {
  const layout = jobLayout(names);
  return [layout, slotReader(layout)];
}

export interface JobState {
  runner: Pick<RangedKernel, 'name' | 'source' | 'fn' | 'calls' | 'inner' | 'out'>;
  /** The job's numbers and its counters, reused call after call (a call returns when all are done). */
  job: Float64Array;
  ctl: Int32Array;
}

/** A runner compiled from `source`, with a job of `layout`'s slots and `words` counters. */
export function jobState(
  name: string,
  source: string,
  layout: Record<string, number>,
  words: number,
): JobState {
  return {
    runner: {
      name,
      source,
      fn: new Function(`return ${source}`)() as RangedKernel['fn'],
      calls: 0,
      // Large enough that the pool makes one chunk of each of its slots (threads.ts chunkSize).
      inner: 1 << 20,
      out: 0,
    },
    job: new Float64Array(new SharedArrayBuffer(Object.keys(layout).length * 8)),
    ctl: new Int32Array(new SharedArrayBuffer(words * 4)),
  };
}

/** Runs the runner on `threads` threads (this one and the pool's), or on this one alone. */
export function runJob(s: JobState, args: readonly unknown[], threads: number): void {
  // The pool's range is one slot per thread: each call takes part until the units run out.
  if (threads === 1 || !runShared({ ...s.runner, extent: threads }, args, runtime))
    s.runner.fn(runtime, ...args, 0, 1);
}

/** Where threads write a result for `out`: itself when they can see it, else a shared copy. */
export function sharedTarget<T extends Float32Array | Float64Array>(out: T, threads: number): T {
  if (threads === 1 || out.buffer instanceof SharedArrayBuffer) return out;
  const Ctor = out.constructor as new (b: SharedArrayBuffer) => T;
  return new Ctor(new SharedArrayBuffer(out.byteLength));
}

/** Grows `mem` to at least `bytes` (in 64 KiB pages). */
export function ensureBytes(mem: WasmMemory, bytes: number): void {
  const have = mem.buffer.byteLength;
  if (have < bytes) mem.grow(Math.ceil((bytes - have) / 65536));
}

/** The last element an extent of (n0, n1, ...) elements with these strides reaches, plus one. */
export function reach(n: readonly number[], s: readonly number[]): number {
  if (n.some((x) => x === 0)) return 0;
  return n.reduce((acc, x, i) => acc + (x - 1) * s[i], 0) + 1;
}
