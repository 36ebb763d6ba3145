/**
 * @file The CPU executor thread (started by executor.ts): it runs the programs queued on its port,
 * one after the other in their order, building each from its description once (program.ts, its own
 * temporaries) and running large kernels on a worker pool of its own, as the main thread does when
 * it runs a program itself. After each program it stores its sequence number in the shared word
 * `done[0]` and wakes whoever waits on it. A program that throws, or reads the output of one that
 * failed, posts its error (naming the operation and the kernel) and counts in `done[1]`. (When the
 * thread exits, the code that loads this module sets `done[2]` and wakes the waiters: executor.ts.)
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import type { TypedArray } from '../../core/dtype.js';
import { setCpuBlas } from './blas.js';
import type { ErrorMessage, RunMessage } from './executor.js';
import { adoptHeap, heapView, type WasmMemory } from './heap.js';
import { buffersFor, instantiate } from './program.js';
import type { Instance } from './program-desc.js';
import { becomePoolOwner, setCpuThreads, useThreadStats } from './threads.js';
import { cpuSimd } from './wasm/simd.js';

const { port, done, stats, heap } = workerData as {
  port: MessagePort;
  done: Int32Array;
  stats: Int32Array;
  heap: { memory: WasmMemory; arena: [number, number] } | null;
};
// The main thread's heap, with an arena of it to allocate in (executor.ts).
if (heap) adoptHeap(heap.memory, heap.arena);
becomePoolOwner();
useThreadStats(stats);

const programs = new Map<number, Instance>();
/** Failed programs' errors, by seq (later programs that read their outputs fail with them). */
const failed = new Map<number, ErrorMessage>();

/** A buffer as the main thread sent it: heap buffers as their place (executor.ts toExecutor). */
function fromMain(b: unknown): unknown {
  const h = (b as { heap?: [string, number, number] } | null)?.heap;
  return h && !ArrayBuffer.isView(b) ? heapView(h[0], h[1], h[2]) : b;
}

function describe(e: unknown): { name: string; message: string } {
  return e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
}

function run(m: RunMessage): void {
  let error: ErrorMessage | null = null;
  try {
    if (m.clear) programs.clear();
    let inst = programs.get(m.id);
    if (!inst) {
      if (!m.desc) throw new Error(`program ${m.id} was never sent to the executor`);
      inst = instantiate(m.desc);
      programs.set(m.id, inst);
    }
    const dep = m.failed[0] ?? failed.get(m.deps.find((s) => failed.has(s)) ?? -1);
    if (dep !== undefined) error = { ...dep, seq: m.seq };
    else {
      setCpuBlas(m.settings.blas);
      cpuSimd.enabled = m.settings.simd;
      setCpuThreads(m.settings.threads);
      const bufs = buffersFor(inst, m.inputs.map(fromMain), m.outputs.map(fromMain) as TypedArray[]);
      for (const s of inst.steps) {
        try {
          s.run(bufs);
        } catch (e) {
          const d = describe(e);
          error = {
            seq: m.seq,
            name: d.name,
            message: `${m.label || 'cpu program'}: kernel ${s.name} failed: ${d.message}`,
          };
          break;
        }
      }
    }
  } catch (e) {
    const d = describe(e);
    error = { seq: m.seq, name: d.name, message: `${m.label || 'cpu program'}: ${d.message}` };
  }
  if (error) {
    failed.set(m.seq, error);
    port.postMessage(error);
    Atomics.add(done, 1, 1);
  }
  Atomics.store(done, 0, m.seq);
  Atomics.notify(done, 0);
}

port.on('message', run);
