/**
 * @file The engine's observer interface: what it does, as events, for whoever listens (the CLI's
 * profile table, the bench and the training progress views). The engine never draws; it reports
 * programs compiled and launched on a device, kernels finished with their times, transfers between
 * the host and a device, and a program's progress (`progress()`), and the CLI subscribes.
 *
 * Listening costs nothing when nobody listens: every emitting site checks `observing.any` first.
 * Kernel times need each kernel run on its own and waited for (on a GPU that serializes the
 * queue), so they are measured only while an observer asks for them (`kernelTimes`).
 */

/** What a kernel computes, for placement tables: a fused elementwise map, a reduction, a library kernel. */
export type KernelKind = 'fused map' | 'reduce' | 'scan' | 'matmul' | 'conv' | 'library' | 'control';

/** A jitted function traced to a jaxpr (once per input signature). */
export interface TraceEvent {
  type: 'trace';
  name: string;
  ms: number;
}

/** A jaxpr lowered to kernels and compiled for a device (eager ops compile once per signature too). */
export interface CompileEvent {
  type: 'compile';
  device: string;
  /** `sin` for an eager op, `jit(sin, mul, ...)` for a program. */
  program: string;
  kernels: number;
  ms: number;
}

/** A compiled program dispatched to a device (it may still be running on a GPU). */
export interface LaunchEvent {
  type: 'launch';
  device: string;
  program: string;
  kernels: number;
}

/** A kernel finished, timed on its own (only while an observer asks for kernel times). */
export interface KernelEvent {
  type: 'kernel';
  device: string;
  program: string;
  /** `map_0`, `matmul_2`: the kind or library op and the kernel's index in its program. */
  kernel: string;
  kind: KernelKind;
  ms: number;
  /** Bytes of the buffers it reads and writes. */
  bytesIn: number;
  bytesOut: number;
}

/** Data moved between the host and a device. */
export interface TransferEvent {
  type: 'transfer';
  direction: 'to-device' | 'to-host';
  device: string;
  bytes: number;
  /**
   * Wall time. An upload is timed until the driver holds the data (the copy to the device is
   * queued); a read includes waiting for the computation that makes the data.
   */
  ms: number;
}

/** A program's report of its own progress (`progress(step, total, metrics)`). */
export interface ProgressEvent {
  type: 'progress';
  step: number;
  total: number | null;
  metrics: Record<string, number>;
  /** `performance.now()` when it was reported. */
  time: number;
}

export type EngineEvent =
  | TraceEvent
  | CompileEvent
  | LaunchEvent
  | KernelEvent
  | TransferEvent
  | ProgressEvent;

export interface Observer {
  /** Called synchronously where the event happens; a returned promise is awaited only by `progress()`. */
  event(e: EngineEvent): void | Promise<void>;
  /** Time every kernel (slower: kernels run one at a time, waited for). */
  kernelTimes?: boolean;
}

const observers: Observer[] = [];

/** Cheap checks for emitting sites. */
export const observing = { any: false, kernelTimes: false };

function refresh(): void {
  observing.any = observers.length > 0;
  observing.kernelTimes = observers.some((o) => o.kernelTimes);
}

/** Subscribe; returns the function that unsubscribes. */
export function observe(o: Observer): () => void {
  observers.push(o);
  refresh();
  return () => {
    const i = observers.indexOf(o);
    if (i >= 0) observers.splice(i, 1);
    refresh();
  };
}

/** Deliver an event to every observer; the promises some return (a view still loading). */
export function emit(e: EngineEvent): Promise<void>[] {
  const waits: Promise<void>[] = [];
  for (const o of [...observers]) {
    const r = o.event(e);
    if (r) waits.push(r);
  }
  return waits;
}
