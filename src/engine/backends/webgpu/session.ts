/// <reference types="@webgpu/types" />
/**
 * @file The WebGPU backend's run-time objects, below both the backend (backend.ts) and the
 * control-flow steps (control.ts): device memory, the buffer behind an Array, a compiled
 * program's steps, and the session one run of a program encodes into. The backend services a
 * session and a control step draw on are interfaces here (`SessionHost`, `ProgramHost`), which
 * backend.ts's WebGpuBackend implements.
 */

import type { KernelProgram } from '../../compile/kir.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import type { CompiledProgram } from '../backend.js';
import type { GpuContext } from './adapter.js';

// GPUBufferUsage / GPUMapMode values (the package's globals are not installed on globalThis).
export const MAP_READ = 0x1;
export const COPY_SRC = 0x4;
export const COPY_DST = 0x8;
export const UNIFORM = 0x40;
export const STORAGE = 0x80;
export const MODE_READ = 0x1;

/** Device memory: a pooled GPUBuffer of `bytes` capacity. */
export interface Mem {
  buf: GPUBuffer;
  bytes: number;
}

/** The buffer behind one Array on the webgpu device. */
export class WgBuffer {
  /** Device copy; null until uploaded (host-made arrays) or after free. */
  mem: Mem | null = null;
  /** Host copy, in the host dtype's typed array: the data an Array was made from, or a read. */
  host: TypedArray | null = null;
  /** Resolves to an error message when the work producing this buffer failed. */
  error: Promise<string | null> | null = null;
  refs = 1;
  constructor(
    readonly dtype: DType,
    readonly size: number,
  ) {}
  get bytes(): number {
    return Math.max(4, 4 * this.size);
  }
}

/** The backend services a session draws on. */
export interface SessionHost {
  readonly stats: { uploads: number; readbacks: number; submits: number };
  acquire(bytes: number): Mem;
  release(m: Mem): void;
  acquireStaging(bytes: number): Mem;
  releaseStaging(m: Mem): void;
}

/** What control-flow steps (control.ts) need of the backend: compiling nested programs and running them. */
export interface ProgramHost extends SessionHost {
  readonly ctx: GpuContext;
  compile(program: KernelProgram, label?: string): WebGpuProgram;
  buffers(s: Session, prog: KernelProgram, inputs: readonly WgBuffer[], outputs?: boolean): WgBuffer[];
  runProgram(s: Session, p: WebGpuProgram, bufs: WgBuffer[]): void | Promise<void>;
}

export interface Step {
  name: string;
  /** The index of the kernel of the program it belongs to (a kernel may take several steps). */
  kernel?: number;
  /** Shader source (or a comment for copies), for `jit-inspect --stage lowered`. */
  source: string;
  /** Device work, encoded into the session's current command encoder. */
  encode?(enc: GPUCommandEncoder, bufs: WgBuffer[], scratch: Map<string, Mem>): void;
  /** Control flow: drives nested programs; a promise when it waits for the device. */
  run?(s: Session, bufs: WgBuffer[]): void | Promise<void>;
}

export interface WebGpuProgram extends CompiledProgram {
  steps: Step[];
  label: string;
  scratchBytes: Record<string, number>;
  scratch: Map<string, Mem> | null;
  compileError: Promise<string | null>;
  /** Whether running it waits for the device (a while loop's predicate). */
  async: boolean;
}

/**
 * One run of a program: the command encoder being filled (error scopes open while it is), the
 * temporaries to return to the pool after the last submission, and the errors of each one.
 * Scopes are pushed and popped without an await in between, so runs never see each other's.
 */
export class Session {
  private enc: GPUCommandEncoder | null = null;
  private readonly temps: Mem[] = [];
  private readonly errors: Promise<string | null>[] = [];
  private staging: Mem | null = null;
  constructor(
    private readonly be: SessionHost,
    private readonly dev: GPUDevice,
    private readonly label: string,
  ) {}
  encoder(): GPUCommandEncoder {
    if (!this.enc) {
      this.dev.pushErrorScope('out-of-memory');
      this.dev.pushErrorScope('validation');
      this.enc = this.dev.createCommandEncoder({ label: this.label });
    }
    return this.enc;
  }
  submit(): void {
    if (!this.enc) return;
    this.dev.queue.submit([this.enc.finish()]);
    this.enc = null;
    this.be.stats.submits++;
    const v = this.dev.popErrorScope();
    const o = this.dev.popErrorScope();
    this.errors.push(Promise.all([v, o]).then(([ve, oe]) => (ve ?? oe)?.message ?? null));
  }
  /** Device memory for the length of this run. */
  temp(bytes: number): Mem {
    const m = this.be.acquire(bytes);
    this.temps.push(m);
    return m;
  }
  /** A buffer for the length of this run. */
  tempBuffer(info: { dtype: DType; size: number }): WgBuffer {
    const b = new WgBuffer(info.dtype, info.size);
    b.mem = this.temp(b.bytes);
    return b;
  }
  copy(from: WgBuffer, fromOffset: number, to: WgBuffer, toOffset: number, bytes: number): void {
    if (bytes > 0) this.encoder().copyBufferToBuffer(from.mem!.buf, fromOffset, to.mem!.buf, toOffset, bytes);
  }
  /** Submit what is encoded and read the first 32-bit word of `b` (a predicate or an index). */
  async readWord(b: WgBuffer): Promise<number> {
    this.staging ??= this.be.acquireStaging(4);
    const st = this.staging.buf;
    this.encoder().copyBufferToBuffer(b.mem!.buf, 0, st, 0, 4);
    this.submit();
    this.be.stats.readbacks++;
    await st.mapAsync(MODE_READ, 0, 4);
    const w = new Uint32Array(st.getMappedRange(0, 4).slice(0))[0];
    st.unmap();
    return w;
  }
  error(): Promise<string | null> {
    return Promise.all(this.errors).then((es) => es.find((e) => e !== null) ?? null);
  }
  fail(message: string): void {
    this.errors.push(Promise.resolve(message));
  }
  /** After the last submission: the queue orders later uses of these buffers after this run. */
  release(): void {
    for (const m of this.temps) this.be.release(m);
    this.temps.length = 0;
    if (this.staging) this.be.releaseStaging(this.staging);
    this.staging = null;
  }
}
