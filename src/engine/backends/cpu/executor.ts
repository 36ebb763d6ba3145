/**
 * @file Asynchronous dispatch on the CPU, as JAX does it: a call whose program is worth it
 * (a kernel that runs on the worker pool, or much work in all) is queued on the executor, a worker
 * thread that runs programs in order (executor-worker.ts) on a pool of its own, and the call
 * returns its output buffers at once; reading one waits for it. The main thread is free meanwhile:
 * host work, or more dispatches, overlap the computation.
 *
 * - Ordering: the executor runs programs in the order they were queued, so a program that reads
 *   an earlier one's output finds it written. A program is sequence number `seq`; the shared word
 *   `done[0]` is the last one finished (programs finish in order), so a buffer is ready once
 *   `done[0]` reaches its producer's seq (`producer`, by buffer). A small program runs at once on
 *   this thread when none of its inputs is pending, else it is queued too, behind its inputs, so
 *   a dispatch never blocks. Outputs are always fresh buffers and each thread has its own
 *   temporaries (program.ts), so a program run here never writes what a queued one reads.
 * - Reads: `waitSync` blocks with Atomics.wait (dataSync, printing, a scalar read); `wait`
 *   awaits Atomics.waitAsync, holding a timer meanwhile, because a pending waitAsync does not keep
 *   Node's event loop alive and the executor is unref'd (it never keeps a process alive itself).
 * - Errors: a kernel that throws fails its program; the executor posts the error, names the
 *   operation (`jit(conv_general_dilated, ...)` and the kernel), and fails every later program
 *   that reads a failed one's outputs with the same error. The error surfaces when a result is
 *   read (or waited for), as in JAX; programs that do not read a failed result run as usual.
 * - The executor stopping (process.exit in a kernel, an uncaught error, memory): its exit
 *   handler sets the shared word `done[2]`, which wakes a read blocked in Atomics.wait (the
 *   'exit' event cannot reach a blocked thread). The program it was running fails with an error
 *   that says so, the programs queued after it run here (or fail, when they read a failed
 *   result), and the next heavy call starts a new executor; after `MAX_RESTARTS` stops, every
 *   call runs on this thread.
 * - Memory: the executor works in this thread's heap (heap.ts), allocating in an arena reserved
 *   for it; heap buffers go to it as their place, so its kernels address them where they lie.
 * - Settings made on this thread at run time (the GEMM tier, SIMD, the thread count: tests switch
 *   them in-process) travel with each program.
 *
 * `TJAX_CPU_ASYNC=0` (or `setCpuAsync(false)`) runs everything on the calling thread, as does a
 * process with one CPU thread (TJAX_CPU_THREADS=1) or where workers cannot start.
 */

import { createRequire } from 'node:module';
import type { MessagePort, Worker } from 'node:worker_threads';
import { type TypedArray, toDType, typedArrayFor } from '../../core/dtype.js';
import { cpuBlasWanted, nativeBlas } from './blas.js';
import { heapArena, heapMemory, heapOffset } from './heap.js';
import type { BufDesc, ProgramDesc } from './program-desc.js';
import { allocBuffer, cpuThreads, threadStatsMemory, workerStart } from './threads.js';
import { cpuSimd } from './wasm/simd.js';

/** What the executor gets per program (executor-worker.ts). */
export interface RunMessage {
  seq: number;
  id: number;
  /** Sent with a program's first run (and again after the executor's cache was cleared). */
  desc?: ProgramDesc;
  label: string;
  inputs: unknown[];
  /** The program's output buffers, in the order of its 'output' buffers (heap ones as places). */
  outputs: unknown[];
  /** Sequence numbers of the pending programs whose outputs this one reads. */
  deps: number[];
  /** Errors of the programs it reads that failed outside this executor (it fails with the first). */
  failed: ErrorMessage[];
  settings: { blas: boolean; simd: boolean; threads: number };
  clear?: boolean;
}

/** What the executor posts back: only errors (completion is the shared word). */
export interface ErrorMessage {
  seq: number;
  name: string;
  message: string;
}

/** A program as the dispatcher sees it (the CPU backend's compiled program). */
export interface Dispatchable {
  desc: ProgramDesc;
  id: number;
  readonly label?: string;
  /** Worth running on the executor (backend.ts decides). */
  heavy: boolean;
  /** Runs the program here into given outputs (when the executor stops with work queued). */
  runInto(inputs: readonly unknown[], outputs: readonly TypedArray[]): void;
}

/** A queued program, kept until it is done, so that this thread can run it if the executor stops. */
interface Queued {
  seq: number;
  p: Dispatchable;
  inputs: readonly unknown[];
  outputs: TypedArray[];
  /** The seqs of the queued programs whose outputs it reads. */
  deps: number[];
}

let override: boolean | null = null;

/** For tests and benchmarks: force asynchronous dispatch on or off (null: TJAX_CPU_ASYNC). */
export function setCpuAsync(on: boolean | null): void {
  override = on;
}

interface Executor {
  worker: Worker;
  port: MessagePort;
  /**
   * [last program done (-1 once the thread has exited), programs failed, last done + 1 when the
   * thread exited (else 0)].
   */
  done: Int32Array;
  /** Program ids the executor has the description of. */
  has: Set<number>;
  stopped: boolean;
}

let executor: Executor | null = null;
/** Executors that stopped; past MAX_RESTARTS every call runs on this thread. */
let stops = 0;
const MAX_RESTARTS = 3;
let broken = false;
let lastSeq = 0;
const queued: Queued[] = [];
/** The seq of the program that writes each pending buffer. */
const producer = new WeakMap<object, number>();
/** Errors of failed programs, by seq (the executor's are drained from its port when needed). */
const errors = new Map<number, ErrorMessage>();

/** Whether calls may go to the executor now. */
export function asyncOn(): boolean {
  if (broken) return false;
  return (override ?? envAsync) && cpuThreads() > 1;
}

const envAsync = process.env.TJAX_CPU_ASYNC !== '0';

/** The last program done (every program is done when no executor runs). */
function doneSeq(): number {
  return executor === null ? lastSeq : Atomics.load(executor.done, 0);
}

/** Whether anything is queued or running on the executor. */
export function busy(): boolean {
  return doneSeq() < lastSeq;
}

/**
 * The seq of the program that writes `buf`, when that matters: it is still running, or some
 * program has failed (the executor counts its failures in `done[1]`); else 0.
 */
function producerOf(buf: unknown): number {
  if (
    errors.size === 0 &&
    doneSeq() >= lastSeq &&
    (executor === null || Atomics.load(executor.done, 1) === 0)
  )
    return 0;
  return producer.get(buf as object) ?? 0;
}

/** Whether `buf` is still being computed, or came from a program that failed. */
export function isPending(buf: unknown): boolean {
  const s = producerOf(buf);
  if (s === 0) return false;
  if (s > doneSeq()) return true;
  drainErrors();
  return errors.has(s);
}

/** Fails program `seq` with `e` (renamed to it). */
function failed(seq: number, e: Omit<ErrorMessage, 'seq'>): void {
  errors.set(seq, { ...e, seq });
}

/**
 * The executor `ex` has stopped: the program it was running fails, the ones queued after it run
 * here in order (each from its start: a program writes all of its outputs) or fail with the
 * result they read, and the next heavy call starts a new executor.
 */
function stopped(ex: Executor, why: string): void {
  if (ex.stopped) return;
  // (Errors it posted before it stopped are still on its port.)
  drainErrors(ex);
  ex.stopped = true;
  if (executor === ex) executor = null;
  if (++stops > MAX_RESTARTS) broken = true;
  const exited = Atomics.load(ex.done, 2);
  const running = (exited > 0 ? exited - 1 : Atomics.load(ex.done, 0)) + 1;
  for (const q of queued) {
    if (q.seq < running || errors.has(q.seq)) continue;
    const dep = q.deps.find((s) => errors.has(s));
    const label = q.p.label || 'cpu program';
    if (q.seq === running)
      failed(q.seq, {
        name: 'Error',
        message: `${label}: the CPU executor stopped while running it (${why})`,
      });
    else if (dep !== undefined) failed(q.seq, errors.get(dep)!);
    else
      try {
        q.p.runInto(q.inputs, q.outputs);
      } catch (e) {
        const d = e instanceof Error ? e : new Error(String(e));
        failed(q.seq, { name: d.name, message: `${label}: ${d.message}` });
      }
  }
  queued.length = 0;
  Atomics.store(ex.done, 0, lastSeq);
  Atomics.notify(ex.done, 0);
  ex.port.close();
  ex.worker.removeAllListeners();
  // (An 'error' event with no listener would be thrown.)
  ex.worker.on('error', () => {});
}

/** Whether the executor `ex` has stopped (its thread's exit handler sets `done[2]`). */
function hasStopped(ex: Executor): boolean {
  if (!ex.stopped && Atomics.load(ex.done, 2) !== 0) stopped(ex, 'its thread exited');
  return ex.stopped;
}

/**
 * The executor thread's code: it first sets up the wake-up on exit, so that even a thread that
 * fails to load its module wakes its readers (a read blocked in Atomics.wait never sees the
 * 'exit' event): `done[2]` becomes the last program done + 1, then `done[0]` becomes -1, which
 * a reader about to wait on the value it read finds changed (no wake-up is lost); then it loads
 * executor-worker.ts.
 */
function entrySource(): string {
  const e = workerStart('executor-worker');
  // (The word is spliced so that the built bundle holds no dynamic-import text: threads.ts.)
  const load = ['im', 'port'].join('');
  const body = e.eval ? (e.entry as string) : `${load}(${JSON.stringify(String(e.entry))})`;
  // (An import, not require: the thread's code is an ES module where the process runs with
  // --input-type=module.)
  return `${load}('node:worker_threads').then(({ workerData: w }) => {
  process.on('exit', () => {
    Atomics.store(w.done, 2, Atomics.load(w.done, 0) + 1);
    Atomics.store(w.done, 0, -1);
    Atomics.notify(w.done, 0);
  });
  return ${body};
});`;
}

function start(): Executor {
  if (executor) return executor;
  // OpenBLAS reads its environment when it loads: the main thread loads it first (blas.ts sets
  // it up), so that the executor finds it set up (a worker's process.env is its own copy).
  if (cpuBlasWanted()) nativeBlas();
  const wt = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  const { port1, port2 } = new wt.MessageChannel();
  const done = new Int32Array(new SharedArrayBuffer(12));
  done[0] = lastSeq;
  // The executor works in this thread's heap, so that its kernels address the programs' inputs
  // and outputs where they lie (in a heap of its own they were foreign: every SIMD kernel copied
  // them in and out by tiles, 2.5x the CPU time of a memory-bound map); it allocates its
  // temporaries and its threads' scratch regions in an arena reserved here.
  // (One arena for the process: an executor that replaces a stopped one takes it over.)
  if (arena === undefined) arena = heapArena(EXECUTOR_ARENA);
  heapShared = arena !== null;
  const worker = new wt.Worker(entrySource(), {
    eval: true,
    workerData: {
      port: port2,
      done,
      stats: threadStatsMemory(),
      heap: arena && { memory: heapMemory(), arena },
    },
    transferList: [port2],
    name: 'tjax-cpu-executor',
  });
  const ex: Executor = { worker, port: port1, done, has: new Set(), stopped: false };
  worker.on('error', (e) => stopped(ex, e instanceof Error ? e.message : String(e)));
  worker.on('exit', (code) => stopped(ex, `it exited with code ${code}`));
  worker.unref();
  port1.unref();
  executor = ex;
  return ex;
}

/**
 * Bytes of the heap the executor may allocate in (its temporaries; past them, shared buffers that
 * its SIMD kernels copy by tiles). A quarter of the default 1 GiB heap: with 64 MiB the digits
 * classifier's convolution temporaries (batch 128) overflowed it and its step took 210 ms instead of
 * 125 (117 with synchronous dispatch). Pages are only touched as they are used.
 */
const EXECUTOR_ARENA = 256 << 20;
/** The executor's arena in this thread's heap (null: the heap could not hold it). */
let arena: [number, number] | null | undefined;
/** Whether the executor shares this thread's heap (heap buffers then go to it as places). */
let heapShared = false;

/** A heap buffer as its place in the heap (a view through postMessage would be of a copy of the memory's SharedArrayBuffer, foreign to the executor's heap), else itself. */
function toExecutor(b: unknown): unknown {
  if (!heapShared || !ArrayBuffer.isView(b)) return b;
  const at = heapOffset(b as TypedArray);
  return at < 0 ? b : { heap: [b.constructor.name, at, (b as TypedArray).length] };
}

/** A buffer every thread can write: shared memory, whatever its size. */
function sharedBuffer(dtype: string, size: number): TypedArray {
  const proto = typedArrayFor(toDType(dtype), 0);
  const Ctor = proto.constructor as new (b: SharedArrayBuffer) => TypedArray;
  return new Ctor(new SharedArrayBuffer(Math.max(1, size) * proto.BYTES_PER_ELEMENT)).subarray(
    0,
    size,
  ) as TypedArray;
}

/**
 * An output buffer the executor can write: large ones in the heap (heap.ts; later kernels on this
 * thread address them where they are), else on a SharedArrayBuffer whatever the size.
 */
function outputBuffer(info: BufDesc): TypedArray {
  const b = allocBuffer(toDType(info.dtype), info.size, !info.written);
  return b.buffer instanceof SharedArrayBuffer ? b : sharedBuffer(info.dtype, info.size);
}

/** The executor's cache of programs is cleared when it holds this many. */
const MAX_PROGRAMS = 512;

/**
 * Runs `p` on `inputs`: at once on this thread (`runHere`) when asynchronous dispatch is off, or
 * the program is light and its inputs are ready; else queued on the executor. Returns its outputs.
 */
export function dispatch(
  p: Dispatchable,
  inputs: readonly unknown[],
  runHere: () => TypedArray[],
): TypedArray[] {
  if (!asyncOn()) {
    if (busy() || errors.size > 0) for (const b of inputs) waitSync(b);
    return runHere();
  }
  if (!p.heavy && !inputs.some(isPending)) return runHere();
  try {
    start();
  } catch {
    // Workers cannot start here (a permission model, say): run on this thread from now on.
    broken = true;
    for (const b of inputs) waitSync(b);
    return runHere();
  }
  return enqueue(p, inputs);
}

/** Forgets queued programs that are done. */
function prune(done: number): void {
  let i = 0;
  while (i < queued.length && queued[i].seq <= done) i++;
  if (i > 0) queued.splice(0, i);
}

function enqueue(p: Dispatchable, inputs: readonly unknown[]): TypedArray[] {
  const ex = start();
  const d = p.desc;
  const outputs: TypedArray[] = [];
  for (const info of d.buffers) if (info.role === 'output') outputs.push(outputBuffer(info));
  // The executor fails a program whose input came from a failed one (it knows which failed);
  // inputs from failed programs that ran here (or on an executor that stopped) fail it here.
  const deps: number[] = [];
  for (const b of inputs) {
    const s = producer.get(b as object);
    if (s !== undefined && !deps.includes(s)) deps.push(s);
  }
  const seq = ++lastSeq;
  for (const o of outputs) producer.set(o, seq);
  prune(Atomics.load(ex.done, 0));
  queued.push({ seq, p, inputs, outputs, deps });
  const msg: RunMessage = {
    seq,
    id: p.id,
    label: p.label ?? '',
    inputs: inputs.map(toExecutor),
    outputs: outputs.map(toExecutor),
    deps,
    failed: deps.filter((s) => errors.has(s)).map((s) => ({ ...errors.get(s)!, seq })),
    settings: { blas: cpuBlasWanted(), simd: cpuSimd.enabled, threads: cpuThreads() },
  };
  if (!ex.has.has(p.id)) {
    if (ex.has.size >= MAX_PROGRAMS) {
      msg.clear = true;
      ex.has.clear();
    }
    msg.desc = d;
    ex.has.add(p.id);
  }
  ex.port.postMessage(msg);
  // Outputs by program order: an output may be an input passed through.
  const byId = new Map<number, TypedArray>();
  let o = 0;
  for (const [id, info] of d.buffers.entries()) if (info.role === 'output') byId.set(id, outputs[o++]);
  return d.outputs.map((b) => byId.get(b) ?? (inputs[d.inputs.indexOf(b)] as TypedArray));
}

/** The executor's errors, moved from its port to `errors`. */
function drainErrors(ex: Executor | null = executor): void {
  if (!ex || ex.stopped) return;
  const wt = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  for (let m = wt.receiveMessageOnPort(ex.port); m; m = wt.receiveMessageOnPort(ex.port)) {
    const e = m.message as ErrorMessage;
    errors.set(e.seq, e);
  }
}

/** Atomics.waitAsync (ES2024; Node 20 has it, the project's TypeScript libs do not declare it). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

const ERROR_CLASSES: Record<string, ErrorConstructor> = {
  Error,
  RangeError,
  TypeError,
};

/** Throws the error of the program that wrote `buf`, if it failed. */
function check(seq: number): void {
  if (executor) prune(Atomics.load(executor.done, 0));
  drainErrors();
  const e = errors.get(seq);
  if (e) throw new (ERROR_CLASSES[e.name] ?? Error)(e.message);
}

/** Blocks until program `seq` is done (or the executor has stopped). */
function blockUntil(seq: number): void {
  const ex = executor;
  if (!ex) return;
  for (let d = Atomics.load(ex.done, 0); d < seq && !hasStopped(ex); d = Atomics.load(ex.done, 0))
    Atomics.wait(ex.done, 0, d);
}

let waiting = 0;
let keepAlive: ReturnType<typeof setInterval> | null = null;

/** Resolves when program `seq` is done (or the executor has stopped). */
async function until(seq: number): Promise<void> {
  const ex = executor;
  if (!ex || Atomics.load(ex.done, 0) >= seq) return;
  if (waiting++ === 0) keepAlive = setInterval(() => {}, 1 << 30);
  try {
    for (let d = Atomics.load(ex.done, 0); d < seq && !hasStopped(ex); d = Atomics.load(ex.done, 0)) {
      const r = waitAsync(ex.done, 0, d);
      if (r.async) await r.value;
    }
  } finally {
    if (--waiting === 0 && keepAlive) {
      clearInterval(keepAlive);
      keepAlive = null;
    }
  }
}

/** Blocks until `buf` is computed; throws its program's error. */
export function waitSync(buf: unknown): void {
  const s = producerOf(buf);
  if (s === 0) return;
  blockUntil(s);
  check(s);
}

/** Resolves when `buf` is computed; rejects with its program's error. */
export async function wait(buf: unknown): Promise<void> {
  const s = producerOf(buf);
  if (s === 0) return;
  await until(s);
  check(s);
}

/** Resolves when everything queued so far is done (errors are left to the reads). */
export async function drain(): Promise<void> {
  await until(lastSeq);
}

/** Blocks until everything queued so far is done. */
export function drainSync(): void {
  blockUntil(lastSeq);
}
