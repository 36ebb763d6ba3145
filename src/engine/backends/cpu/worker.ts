/**
 * @file A CPU worker thread (started by threads.ts). It sleeps in `Atomics.wait` on its doorbell
 * word; when rung, it reads the jobs queued on its port (receiveMessageOnPort, synchronously),
 * compiles each kernel's source once (cached by the kernel's id) and takes chunks of the job
 * until none are left. The first chunk to throw sends its error text back on the port.
 */

import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { TypedArray } from '../../core/dtype.js';
import { type Compiled, type KernelFn, workChunks } from './chunks.js';
import { heapView, type WasmMemory } from './heap.js';
import { runtime, setThreadHeap } from './runtime.js';

interface Job {
  /** Clears the kernel cache (the main thread forgets what it sent). */
  clear?: boolean;
  id: number;
  /** The kernel's source, sent with its first job to this worker. */
  source?: string;
  ctl: Int32Array;
  bufs: TypedArray[];
  /** For buffers in the heap: [typed array constructor name, byte offset, length]. */
  heap: ([string, number, number] | null)[];
  chunk: number;
  chunks: number;
  extent: number;
}

const { bell, slot, port, heap, scratch } = workerData as {
  bell: Int32Array;
  slot: number;
  port: MessagePort;
  heap: WasmMemory;
  scratch: number;
};
setThreadHeap(heap, scratch);
const kernels = new Map<number, Compiled>();

function compiled(job: Job): Compiled {
  let k = kernels.get(job.id);
  if (!k) {
    if (job.source === undefined) throw new Error(`kernel ${job.id} was never sent to this worker`);
    // Generated from the kernel IR by codegen.ts, as on the main thread.
    k = { fn: new Function(`return ${job.source}`)() as KernelFn, calls: 0 };
    kernels.set(job.id, k);
  }
  return k;
}

function run(job: Job): void {
  let k: Compiled;
  try {
    k = compiled(job);
  } catch (e) {
    // Cannot run it: fail the job (whoever claims a chunk first reports).
    k = {
      fn: () => {
        throw e;
      },
      calls: 0,
    };
  }
  const bufs = job.bufs.map((b, i) => {
    const h = job.heap[i];
    return h ? heapView(h[0], h[1], h[2]) : b;
  });
  workChunks(job.ctl, k, [...bufs, 0, 0], runtime, job.chunk, job.chunks, job.extent, (e) =>
    port.postMessage(e instanceof Error ? e.message : String(e)),
  );
}

let rung = 0;
for (;;) {
  Atomics.wait(bell, slot, rung);
  rung = Atomics.load(bell, slot);
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const job = m.message as Job;
    if (job.clear) kernels.clear();
    else run(job);
  }
}
