/**
 * @file A compiled CPU program as data: the `ProgramDesc` that the backend (backend.ts) builds from
 * a kernel program and that program.ts instantiates and runs on any thread, and the shape of such
 * an instance. Below both program.ts and the control-flow steps (control.ts) that it runs, whose
 * nested programs are descriptions too.
 */
import type { BufferInfo, BufferRole } from '../../compile/kir.js';
import type { DType, TypedArray } from '../../core/dtype.js';

export interface BufDesc {
  dtype: string;
  size: number;
  role: BufferRole;
  slot?: number;
  /** A generated kernel writes every element (so the buffer need not be zeroed first). */
  written?: boolean;
}

/** A kernel rendered to source: `(rt, ...buffers, lo, hi)` over its outermost loop. */
export interface GenDesc {
  kind: 'gen';
  name: string;
  source: string;
  /** Buffer ids, in the function's argument order. */
  params: number[];
  extent: number;
  work: number;
  /** A full reduction carried through its chunks in order (chunks.ts runCarried). */
  carry: boolean;
  /** Runs in chunks, on the worker pool where its buffers are shared. */
  large: boolean;
  /** The position of the buffer it writes among `params`. */
  out: number;
}

export interface LibDesc {
  kind: 'lib';
  name: string;
  op: string;
  ins: number[];
  outs: number[];
  params: Record<string, unknown>;
}

export interface CondDesc {
  kind: 'cond';
  name: string;
  index: number;
  ins: number[];
  outs: number[];
  branches: ProgramDesc[];
}

export interface WhileDesc {
  kind: 'while';
  name: string;
  cond: ProgramDesc;
  body: ProgramDesc;
  condConsts: number[];
  bodyConsts: number[];
  init: number[];
  outs: number[];
}

export interface LoopDesc {
  kind: 'loop';
  name: string;
  body: ProgramDesc;
  consts: number[];
  init: number[];
  xs: number[];
  ys: number[];
  outs: number[];
  length: number;
  reverse: boolean;
}

export type StepDesc = GenDesc | LibDesc | CondDesc | WhileDesc | LoopDesc;

export interface ProgramDesc {
  buffers: BufDesc[];
  inputs: number[];
  outputs: number[];
  steps: StepDesc[];
  /**
   * Elements of work, roughly (a library kernel counts its multiply-adds where it says, else its
   * buffers; a while loop counts as unbounded): what decides whether a call is worth sending to
   * the executor.
   */
  work: number;
}

export interface Step {
  name: string;
  run: (bufs: TypedArray[]) => void;
}

/** A description's steps compiled on this thread, and its temporaries. */
export interface Instance {
  desc: ProgramDesc;
  steps: Step[];
  temps: (TypedArray | undefined)[];
  /** Output buffers to allocate per call, and planned temporaries: (id, dtype, size[, slot]). */
  outs: { id: number; dtype: DType; size: number; zero: boolean }[];
  slots: { id: number; dtype: DType; size: number; slot: number; zero: boolean }[];
}

export function bufferDesc(b: BufferInfo): BufDesc {
  const d: BufDesc = { dtype: b.dtype.name, size: b.size, role: b.role };
  if (b.slot !== undefined) d.slot = b.slot;
  return d;
}
