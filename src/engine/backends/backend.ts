/**
 * @file The Backend interface every device implements, and Device objects (`cpu:0`).
 * A backend owns buffers, compiles kernel programs (compile/) for itself and dispatches them.
 * Dispatch may be asynchronous: `execute` returns buffers at once; `toHost` waits.
 */

import type { KernelProgram } from '../compile/kir.js';
import type { DType, TypedArray } from '../core/dtype.js';

/** An opaque device buffer; each backend knows its own representation. */
export type DeviceBuffer = unknown;

export interface CompiledProgram {
  readonly program: KernelProgram;
  /** Generated code, for `jit-inspect --stage lowered`. */
  readonly source: string;
  /** Milliseconds spent compiling. */
  readonly compileMs: number;
  /** Bytes of temporary memory the buffer plan uses. */
  readonly tempBytes: number;
  /** Kernels that run as WebAssembly SIMD (the CPU backend). */
  readonly simdKernels?: number;
  /** What it computes (`sin`, `jit(sin, mul)`), for error messages and profiles. */
  readonly label?: string;
}

export interface Backend {
  readonly platform: string;
  readonly devices: Device[];
  fromHost(data: TypedArray, dtype: DType): DeviceBuffer;
  /** Copy a buffer to the host, waiting for pending work. */
  toHost(buf: DeviceBuffer, dtype: DType, size: number): Promise<TypedArray>;
  /** Synchronous read, where the backend can (the CPU always can). */
  toHostSync?(buf: DeviceBuffer, dtype: DType, size: number): TypedArray;
  /** `label` names the operation (for error messages), e.g. the primitive of an eager op. */
  compile(program: KernelProgram, label?: string): CompiledProgram;
  execute(exe: CompiledProgram, inputs: DeviceBuffer[]): DeviceBuffer[];
  /** Resolve when all queued work is done. */
  synchronize(): Promise<void>;
  free?(buf: DeviceBuffer): void;
  /**
   * Library kernels this backend implements beyond those every backend has (matmul, sort, ...):
   * lowering may emit one in place of portable kernel IR (compile/lower.ts LowerCtx.libs).
   */
  readonly optionalLibs?: ReadonlySet<string>;
}

export class Device {
  constructor(
    readonly platform: string,
    readonly id: number,
    readonly kind: string,
    readonly description: string,
    readonly backend: Backend,
  ) {}
  toString(): string {
    return `${this.platform}:${this.id}`;
  }
  toJSON(): string {
    return this.toString();
  }
}
