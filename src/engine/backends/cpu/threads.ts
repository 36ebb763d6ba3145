/**
 * @file Large CPU kernels in chunks, on worker threads where the buffers allow it.
 *
 * A generated kernel takes `[lo, hi)`, a range of its outermost loop (codegen.ts). A large kernel
 * (`LARGE_WORK` elements of work or more) runs as chunks of that loop: on the main thread alone
 * when threads are off or a large buffer is not on a SharedArrayBuffer (small ones are copied),
 * else on the main thread and `availableParallelism() - 1` workers at once. The backend stays
 * synchronous: the main thread posts the job to each worker, rings its doorbell (a shared word
 * the worker sleeps on in `Atomics.wait`), takes chunks itself from the job's shared counter and
 * then blocks in `Atomics.wait` until every chunk is done. Chunks are taken dynamically, so a
 * busy core or a late worker only means the others do more; each chunk computes exactly what the
 * single call would, so results are the same bit for bit. A chunk that throws (on any thread)
 * stops the job and surfaces here as an error naming the kernel.
 *
 * Workers start on the first parallel kernel, never earlier; each compiles a kernel's source once
 * (cached by an id per distinct source; worker.ts) and imports runtime.ts itself. They are unref()'d and sleep
 * between jobs, so an idle pool costs nothing and never keeps Node alive. Large buffers (outputs,
 * temporaries, host data given to the backend) are allocated on SharedArrayBuffers.
 * `TJAX_CPU_THREADS=n` sets the number of threads, main thread included (1: no workers).
 */

import { createRequire } from 'node:module';
import os from 'node:os';
import type { MessagePort, Worker } from 'node:worker_threads';
import { type DType, type TypedArray, typedArrayFor } from '../../core/dtype.js';
import { type Compiled, chunkSize, DONE, FAILED, type KernelFn, runRange, workChunks } from './chunks.js';
import { heapAlloc, heapCopy, heapMemory, heapOffset, scratchRegion } from './heap.js';
import type { Runtime } from './runtime.js';

export type { KernelFn };

/** node:worker_threads, loaded when the first pool starts (it costs ~2 ms of start-up otherwise). */
let wtModule: typeof import('node:worker_threads') | null = null;
function wt(): typeof import('node:worker_threads') {
  wtModule ??= createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  return wtModule;
}

/** A rendered kernel whose outermost loop runs over `[lo, hi)`. */
export interface RangedKernel extends Compiled {
  name: string;
  source: string;
  /** The outermost loop's extent. */
  extent: number;
  /** Elements of work per iteration of the outermost loop. */
  inner: number;
  /** The position of the buffer it writes among its buffers. */
  out: number;
}

/** Kernels doing at least this many elements of work run in chunks (and in parallel). */
export const LARGE_WORK = 1 << 16;
/** Buffers of at least this many elements are allocated on a SharedArrayBuffer. */
export const SHARED_MIN = 1 << 16;
/**
 * Buffers the backend allocates (outputs, temporaries) of at least this many elements live in
 * the heap, below SHARED_MIN too: the SIMD kernels of medium-sized maps and reductions
 * (backend.ts `SIMD_WORK`) then read and write them in place instead of copying tiles, which
 * for a kernel of a few thousand elements costs as much as its arithmetic.
 */
export const HEAP_MIN = 1 << 10;

let threadsOverride: number | null = null;

/** Threads the CPU backend uses (main thread included): TJAX_CPU_THREADS, else the cores. */
export function cpuThreads(): number {
  if (threadsOverride !== null) return threadsOverride;
  if (envThreads === null) {
    // Read once: dispatch asks on every call, and the environment is slow to read.
    const env = process.env.TJAX_CPU_THREADS;
    const n = env ? Number.parseInt(env, 10) : os.availableParallelism();
    envThreads = Number.isFinite(n) && n >= 1 ? Math.min(n, 64) : 1;
  }
  return envThreads;
}

let envThreads: number | null = null;

/** For tests: set the thread count (null: back to TJAX_CPU_THREADS / the cores). */
export function setCpuThreads(n: number | null): void {
  threadsOverride = n;
}

/**
 * What the pools have done (tests check that workers took part): counters in shared memory, so
 * that the executor thread's pool (executor.ts) counts where the main thread reads them.
 */
let statWords: Int32Array = new Int32Array(new SharedArrayBuffer(12));
export const threadStats = {
  get jobs(): number {
    return statWords[0];
  },
  set jobs(v: number) {
    statWords[0] = v;
  },
  get chunks(): number {
    return statWords[1];
  },
  set chunks(v: number) {
    statWords[1] = v;
  },
  get workerChunks(): number {
    return statWords[2];
  },
  set workerChunks(v: number) {
    statWords[2] = v;
  },
};

/** The counters' memory, to share with another thread that runs a pool (`useThreadStats`). */
export function threadStatsMemory(): Int32Array {
  return statWords;
}

export function useThreadStats(words: Int32Array): void {
  statWords = words;
}

let owner: boolean | null = null;

/**
 * Whether this thread drives a pool: the main thread, or the executor (executor-worker.ts). On
 * the pool's own workers a kernel that could run in parallel (a GEMM) runs on that thread alone.
 */
export function ownsPool(): boolean {
  owner ??= wt().isMainThread;
  return owner;
}

/** Called by the executor thread, which drives a pool of its own. */
export function becomePoolOwner(): void {
  owner = true;
}

/**
 * A buffer for `size` elements of `dtype`: from HEAP_MIN elements, in the CPU heap (heap.ts: shared, and
 * addressable by the SIMD kernels), else on a SharedArrayBuffer when threads are on; small ones
 * are plain. `zero`: the caller needs it zeroed (not when a kernel writes every element).
 */
export function allocBuffer(dtype: DType, size: number, zero = true): TypedArray {
  if (size < HEAP_MIN) return typedArrayFor(dtype, size);
  const h = heapAlloc(dtype, size, zero);
  if (h) return h;
  if (size < SHARED_MIN || cpuThreads() < 2) return typedArrayFor(dtype, size);
  const proto = typedArrayFor(dtype, 0);
  const Ctor = proto.constructor as new (b: SharedArrayBuffer) => TypedArray;
  return new Ctor(new SharedArrayBuffer(size * proto.BYTES_PER_ELEMENT));
}

function isShared(b: TypedArray): boolean {
  return b.buffer instanceof SharedArrayBuffer;
}

function sharedCopy(b: TypedArray): TypedArray {
  const Ctor = b.constructor as new (x: SharedArrayBuffer) => TypedArray;
  const c = new Ctor(new SharedArrayBuffer(b.byteLength));
  (c as Float64Array).set(b as Float64Array);
  return c;
}

/** `b`, or, when it is large, a copy of it in the heap (or shared, when threads are on). */
export function shareable(b: TypedArray): TypedArray {
  if (b.length < SHARED_MIN || heapOffset(b) >= 0) return b;
  return heapCopy(b) ?? (isShared(b) || cpuThreads() < 2 ? b : sharedCopy(b));
}

/**
 * How to start a thread on `file` (worker.ts, or executor-worker.ts): from the built files, or
 * from the sources through tsx.
 */
export function workerStart(file = 'worker'): { entry: URL | string; eval: boolean } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // Sources (tsx, vitest): register tsx in the worker, then import the file.
    const tsx = new URL(`file://${createRequire(here).resolve('tsx/esm/api')}`).href;
    const worker = new URL(`./${file}.ts`, here).href;
    // (The word is spliced so that the built bundle holds no dynamic-import text: see
    // src/cli/compile-cache.ts.)
    const load = ['im', 'port'].join('');
    const code = `${load}(${JSON.stringify(tsx)}).then((m) => { m.register(); return ${load}(${JSON.stringify(worker)}); })`;
    return { entry: code, eval: true };
  }
  // Built: this code may sit in a bundle chunk; the worker entry is dist/engine/backends/cpu/.
  const dist = here.lastIndexOf('/dist/');
  const entry =
    dist >= 0
      ? new URL(`${here.slice(0, dist + 6)}engine/backends/cpu/${file}.js`)
      : new URL(`./${file}.js`, here);
  return { entry, eval: false };
}

/** A worker's cache of compiled kernels is cleared once it holds this many. */
const MAX_CACHED = 1024;
/**
 * Kernel ids by source, so that programs with the same kernel share the workers' compiled (and
 * warmed-up) copy. Ids are never reused; the map starts over past 4 * MAX_CACHED sources.
 */
const ids = new Map<string, number>();
let nextId = 1;

function kernelId(source: string): number {
  let id = ids.get(source);
  if (id === undefined) {
    if (ids.size >= 4 * MAX_CACHED) ids.clear();
    id = nextId++;
    ids.set(source, id);
  }
  return id;
}

interface PoolWorker {
  worker: Worker;
  port: MessagePort;
  /** Kernel ids this worker has the source of. */
  has: Set<number>;
}

class Pool {
  readonly workers: PoolWorker[] = [];
  /** One doorbell word per worker. */
  readonly bell: Int32Array;
  /** A worker failed to start or died: run on the main thread from now on. */
  broken = false;

  constructor(n: number) {
    this.bell = new Int32Array(new SharedArrayBuffer(4 * n));
    const start = workerStart();
    for (let slot = 0; slot < n; slot++) {
      const { port1, port2 } = new (wt().MessageChannel)();
      const worker = new (wt().Worker)(start.entry, {
        eval: start.eval,
        workerData: { bell: this.bell, slot, port: port2, heap: heapMemory(), scratch: scratchRegion() },
        transferList: [port2],
        name: `tjax-cpu-${slot}`,
      });
      worker.on('error', () => {
        this.broken = true;
      });
      worker.on('exit', () => {
        this.broken = true;
      });
      worker.unref();
      port1.unref();
      this.workers.push({ worker, port: port1, has: new Set() });
    }
  }

  run(k: RangedKernel, bufs: TypedArray[], rt: Runtime): void {
    const id = kernelId(k.source);
    const threads = this.workers.length + 1;
    const chunk = chunkSize(k.extent, k.inner, threads);
    const chunks = Math.ceil(k.extent / chunk);
    const ctl = new Int32Array(new SharedArrayBuffer(16));
    // Buffers in the heap go as (type, offset, length): the worker makes its own views, which the
    // SIMD kernels there recognize as heap memory (heap.ts heapView).
    const heap = bufs.map((b) => {
      const at = heapOffset(b);
      return at < 0 ? null : [b.constructor.name, at, b.length];
    });
    for (const [slot, w] of this.workers.entries()) {
      const send = !w.has.has(id);
      if (send && w.has.size >= MAX_CACHED) {
        w.port.postMessage({ clear: true });
        w.has.clear();
      }
      w.has.add(id);
      w.port.postMessage({
        id,
        source: send ? k.source : undefined,
        ctl,
        bufs,
        heap,
        chunk,
        chunks,
        extent: k.extent,
      });
      Atomics.add(this.bell, slot, 1);
      Atomics.notify(this.bell, slot);
    }
    let error: unknown = null;
    const taken = workChunks(ctl, k, [...bufs, 0, 0], rt, chunk, chunks, k.extent, (e) => {
      error = e ?? new Error(String(e));
    });
    // Chunks taken by workers may still be running: wait for them all.
    for (let d = Atomics.load(ctl, DONE); d < chunks; d = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, d);
    threadStats.jobs++;
    threadStats.chunks += chunks;
    threadStats.workerChunks += chunks - taken;
    if (Atomics.load(ctl, FAILED)) {
      // The first chunk to throw stopped the others; it was this thread's or a worker's.
      if (error !== null) throw error;
      let msg = 'unknown error';
      for (const w of this.workers) {
        const m = wt().receiveMessageOnPort(w.port);
        if (m) msg = String(m.message);
      }
      throw new Error(`cpu kernel ${k.name} failed on a worker thread: ${msg}`);
    }
  }
}

let pool: Pool | null = null;
/** Workers cannot start here (no tsx from sources, a permission model, ...): stay on this thread. */
let noWorkers = false;

/** The pool of `n` workers, started on first use; null where workers cannot run. */
function poolOf(n: number): Pool | null {
  if (noWorkers) return null;
  if (!pool || pool.workers.length !== n) {
    try {
      const next = new Pool(n);
      // Another thread count (tests): the old workers are idle; let them go.
      for (const w of pool?.workers ?? []) void w.worker.terminate();
      pool = next;
    } catch {
      noWorkers = true;
      return null;
    }
  }
  return pool.broken ? null : pool;
}

/**
 * Runs a large ranged kernel: in parallel when threads are on and its large buffers are shared
 * (small ones are copied: scalars, keys, ...), else in chunks on this thread.
 */
export function runLarge(k: RangedKernel, bufs: TypedArray[], rt: Runtime): void {
  const threads = cpuThreads();
  const p =
    threads > 1 && bufs.every((b) => isShared(b) || b.length < SHARED_MIN) ? poolOf(threads - 1) : null;
  if (p) {
    const shared = bufs.map((b) => (isShared(b) ? b : sharedCopy(b)));
    p.run(k, shared, rt);
    const out = bufs[k.out];
    if (shared[k.out] !== out) (out as Float64Array).set(shared[k.out] as Float64Array);
    return;
  }
  const args: (TypedArray | number)[] = [...bufs, 0, 0];
  const chunk = chunkSize(k.extent, k.inner, 1);
  for (let lo = 0; lo < k.extent; lo += chunk) runRange(k, args, rt, lo, Math.min(k.extent, lo + chunk));
}

/**
 * Runs `k` over `[0, k.extent)` on this thread and the pool, with arguments the workers receive
 * as they are (arrays on SharedArrayBuffers, shared WebAssembly memories, WebAssembly modules):
 * nothing is copied. False when threads are off or no pool can run; the caller then runs it.
 */
export function runShared(k: RangedKernel, args: readonly unknown[], rt: Runtime): boolean {
  const threads = cpuThreads();
  const p = threads > 1 ? poolOf(threads - 1) : null;
  if (!p) return false;
  p.run(k, args as TypedArray[], rt);
  return true;
}
