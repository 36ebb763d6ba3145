/**
 * @file Running a ranged kernel's chunks: the part of threads.ts that the worker threads
 * (worker.ts) share with the main thread. No runtime imports, so the worker entry stays small.
 */

import type { TypedArray } from '../../core/dtype.js';
import type { Runtime } from './runtime.js';

/** A generated kernel: `(rt, ...buffers, lo, hi)` (and the accumulator, for a full reduction). */
export type KernelFn = (rt: Runtime, ...args: unknown[]) => unknown;

/** A compiled kernel and the calls this thread has made of it. */
export interface Compiled {
  fn: KernelFn;
  calls: number;
}

/**
 * A function's first calls run ranges of 1, 2, 4, ... outer iterations. Then V8 has the type
 * feedback of the code before the loops by the time it optimizes the function; otherwise the
 * optimized function can deoptimize on its first line and leave the work to the slower
 * on-stack-replacement code of the loop, call after call.
 */
export const WARM_CALLS = 12;

/** A chunk does at least this many elements of work. */
const MIN_CHUNK_WORK = 1 << 15;
/**
 * Chunks per thread: for balance when a core is busy with something else, and so that a long
 * first run moves to the optimized code once V8 has it (a call stays in the code it started in).
 */
const CHUNKS_PER_THREAD = 8;

/** Outer iterations per chunk of a kernel with `extent` of them, `inner` elements of work each. */
export function chunkSize(extent: number, inner: number, threads: number): number {
  return Math.max(
    Math.ceil(MIN_CHUNK_WORK / Math.max(1, inner)),
    Math.ceil(extent / (threads * CHUNKS_PER_THREAD)),
  );
}

/** Runs `k` over `[lo, hi)`; `args` are the buffers followed by two slots for the range. */
export function runRange(
  k: Compiled,
  args: (TypedArray | number)[],
  rt: Runtime,
  lo: number,
  hi: number,
): void {
  const n = args.length;
  while (k.calls < WARM_CALLS && lo < hi) {
    const e = Math.min(hi, lo + 2 ** k.calls);
    args[n - 2] = lo;
    args[n - 1] = e;
    k.fn(rt, ...args);
    k.calls++;
    lo = e;
  }
  if (lo < hi) {
    args[n - 2] = lo;
    args[n - 1] = hi;
    k.fn(rt, ...args);
  }
}

/**
 * Runs a full reduction (codegen's `carry` kernels) over `[0, extent)` on this thread, in
 * consecutive ranges (the warm-up ones first, then chunks), each continuing from the accumulator
 * the last returned: the same operations in the same order as one call.
 */
export function runCarried(
  k: Compiled,
  bufs: TypedArray[],
  rt: Runtime,
  extent: number,
  inner: number,
): void {
  const chunk = chunkSize(extent, inner, 1);
  let acc: unknown;
  let lo = 0;
  while (lo < extent) {
    const hi = Math.min(extent, lo + (k.calls < WARM_CALLS ? 2 ** k.calls : chunk));
    acc = k.fn(rt, ...bufs, lo, hi, acc);
    k.calls++;
    lo = hi;
  }
}

// A job's control block: an Int32Array on a SharedArrayBuffer.
/** The next chunk to take. */
export const NEXT = 0;
/** Chunks finished (or skipped); whoever finishes the last one notifies. */
export const DONE = 1;
/** 1 once a chunk threw: the chunks not yet started are skipped. */
export const FAILED = 2;

/**
 * Takes chunks of a job until none are left; returns how many this thread took. `onError` gets
 * the error of the first chunk to throw (of all threads), if it is one of this thread's, before
 * that chunk counts as done.
 */
export function workChunks(
  ctl: Int32Array,
  k: Compiled,
  args: (TypedArray | number)[],
  rt: Runtime,
  chunk: number,
  chunks: number,
  extent: number,
  onError: (e: unknown) => void,
): number {
  let taken = 0;
  for (; ; taken++) {
    const c = Atomics.add(ctl, NEXT, 1);
    if (c >= chunks) return taken;
    if (!Atomics.load(ctl, FAILED)) {
      try {
        runRange(k, args, rt, c * chunk, Math.min(extent, (c + 1) * chunk));
      } catch (e) {
        if (Atomics.compareExchange(ctl, FAILED, 0, 1) === 0) onError(e);
      }
    }
    if (Atomics.add(ctl, DONE, 1) + 1 === chunks) Atomics.notify(ctl, DONE);
  }
}
