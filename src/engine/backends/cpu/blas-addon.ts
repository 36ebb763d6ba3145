/**
 * @file The interface of the `tjax-blas` Node-API addon (native/blas/), below everything that calls
 * it: blas.ts loads and sets it up on the main thread, and the units that generated kernels reach
 * through the runtime (gemm-units.ts, conv-units.ts) take it up on whichever thread they run.
 */
import { createRequire } from 'node:module';

/** Who runs the native tier's products (setGemm). */
export type GemmMode = 'openblas' | 'auto' | 'all';

/** The addon's exports (native/blas/src/blas.c). */
export interface BlasAddon {
  gemm(
    batch: number,
    m: number,
    n: number,
    k: number,
    a: Float32Array | Float64Array,
    aOff: number,
    aBatch: number,
    aRow: number,
    aCol: number,
    b: Float32Array | Float64Array,
    bOff: number,
    bBatch: number,
    bRow: number,
    bCol: number,
    c: Float32Array | Float64Array,
    cOff: number,
    cBatch: number,
    cRow: number,
    cCol: number,
    /** Threads tjax's own GEMM may run each product on (native/blas/src/pool.c); default 1. */
    threads?: number,
  ): void;
  /** Whether a product of this shape goes to tjax's own GEMM (gemm512.c) rather than OpenBLAS. */
  ownGemm(f64: number, m: number, n: number, k: number): boolean;
  /** Units [lo, hi) of a convolution (conv-plan.ts, native/blas/src/conv.c). */
  conv(
    lhs: Float32Array | Float64Array,
    rhs: Float32Array | Float64Array,
    out: Float32Array | Float64Array,
    table: Int32Array,
    plan: Float64Array,
    lo: number,
    hi: number,
  ): void;
  setThreads(n: number): void;
  /**
   * Who runs products, process-wide: OpenBLAS all, tjax's own AVX-512 GEMM (gemm512.c) the large
   * ones (`auto`), or the own GEMM every one (`all`, for tests). Returns the mode in force: never
   * other than `openblas` where the CPU lacks AVX-512.
   */
  setGemm(mode: GemmMode): GemmMode;
  info(): {
    config: string;
    corename: string;
    threads: number;
    procs: number;
    parallel: string;
    /** The mode setGemm set (who runs products), and whether the CPU has AVX-512 at all. */
    gemm: GemmMode;
    avx512: boolean;
    /** Tasks of the own GEMM that the addon's pool threads ran (pool.c): tests see them take part. */
    poolTasks: number;
  };
}

let unitAddon: BlasAddon | null = null;

/**
 * The addon, for a unit of work on any thread: on a worker the first call comes after the main
 * thread has loaded the library itself (blas.ts), so OpenBLAS is already set up in-process.
 */
export function blasAddon(): BlasAddon {
  unitAddon ??= (createRequire(import.meta.url)('tjax-blas') as { addon: BlasAddon }).addon;
  return unitAddon;
}
