/**
 * @file The native tier's GEMM on many threads, two ways:
 * - tjax's own AVX-512 GEMM (gemm512.c) takes a product whole and runs it on the addon's own
 *   threads (native/blas/src/pool.c), which share its packed operands and hand work over at cache
 *   blocks: one call, `threads` = tjax's thread count, no tiles;
 * - OpenBLAS's products are cut into units, one per (batch element, tile of C), each one
 *   single-threaded BLAS call (gemm-units.ts), and the units run as a ranged kernel on the CPU
 *   worker pool (threads.ts), or in a loop on the calling thread when the product is small or
 *   threads are off.
 *
 * Why not OpenBLAS's own threads: (1) OpenBLAS's per-element rounding depends on where a tile of
 * C starts (its micro-kernels treat tile edges differently), so its internal split by thread count
 * would change results with TJAX_CPU_THREADS; here the tiles depend on the shapes alone, and every
 * unit is the same call whichever thread runs it. (2) OpenBLAS's fork handler joins its thread pool
 * and can deadlock when another thread forks (any child_process spawn) while a pool thread goes to
 * sleep; with one thread per call OpenBLAS never starts a pool. (3) tjax's pool and OpenBLAS's
 * would compete for the cores. The own GEMM's threads have none of these problems: every element
 * of C is one chain of fused multiply-adds whoever computes it, its threads hold no lock across a
 * fork, and they run only while the thread that called them waits (tjax's workers are idle then).
 */
import os from 'node:os';
import type { BlasAddon } from './blas.js';
import type { GemmArgs } from './gemm-operand.js';
import { gemmUnits, type UnitPlan } from './gemm-units.js';
import { runtime } from './runtime.js';
import { cpuThreads, LARGE_WORK, ownsPool, type RangedKernel, runLarge } from './threads.js';

/**
 * The tiling of OpenBLAS's products (the own GEMM's run whole on the addon's threads): two knobs
 * (benchmarks may change them; the tiling stays a function of the shape). Measured with the own
 * GEMM in tiles, before it had threads of its own; OpenBLAS packs its tiles again just the same.
 */
export const nativeTiling = {
  /**
   * A tile is halved while each half keeps this many multiply-adds (~0.15 ms on one core with the
   * own AVX-512 GEMM). Each tile packs its operands again: at 2^24 the MLP benchmark's 256x512x512
   * products went in 4 tiles and took 10% more CPU time than in 2 (8.0 against 7.2 ms a step).
   */
  minTileWork: 2 ** 25,
  /**
   * At most this many tiles per matrix: each tile packs its panels of A and B again (16 tiles of a
   * 1024^2 product cost 13% more CPU time than one call, 4 tiles 5%), so twice the machine's cores
   * (for balance when a core is busy), 2 to 16. The machine's, not TJAX_CPU_THREADS: a result must
   * not depend on the thread count.
   */
  maxTiles: Math.min(16, Math.max(2, 2 * os.availableParallelism())),
};
/** Tiles are split on multiples of this many rows or columns. */
const ALIGN = 64;
/** Below this many flops in all, the units run on the calling thread. */
const MIN_PARALLEL_FLOPS = 2 ** 22;

/** Tiles per column and per row of C, and their sizes: a function of the shape alone. */
export function tiling(m: number, n: number, k: number): { pm: number; pn: number; tm: number; tn: number } {
  let pm = 1;
  let pn = 1;
  for (;;) {
    const tm = Math.ceil(m / pm);
    const tn = Math.ceil(n / pn);
    if (tm * tn * k < 2 * nativeTiling.minTileWork || pm * pn * 2 > nativeTiling.maxTiles) break;
    // Halve the longer side (its operand panel is the one that is packed again per tile).
    if (tn >= tm && tn >= 2 * ALIGN) pn *= 2;
    else if (tm >= 2 * ALIGN) pm *= 2;
    else break;
  }
  const round = (x: number) => Math.ceil(x / ALIGN) * ALIGN;
  const tm = pm === 1 ? m : round(Math.ceil(m / pm));
  const tn = pn === 1 ? n : round(Math.ceil(n / pn));
  return { pm: Math.ceil(m / tm) || 1, pn: Math.ceil(n / tn) || 1, tm, tn };
}

/** Ranged kernels by source: the same product shape reuses its compiled function. */
const kernels = new Map<string, RangedKernel>();

export function nativeGemm(addon: BlasAddon, ...[batch, m, n, k, a, b, c]: GemmArgs): void {
  if (batch === 0 || m === 0 || n === 0) return;
  const flops = 2 * batch * m * n * k;
  const f64 = a.data instanceof Float64Array ? 1 : 0;
  // The own GEMM threads inside a product; small ones stay on this thread (as OpenBLAS's units do).
  const own = flops >= MIN_PARALLEL_FLOPS && k > 0 && addon.ownGemm(f64, m, n, k);
  const { pm, pn, tm, tn } = tiling(m, n, k);
  const units = batch * pm * pn;
  if (own || units === 1 || k === 0) {
    // One call: the own GEMM's, threaded inside, or OpenBLAS's single unit (no plan to build).
    const threads = own && ownsPool() ? cpuThreads() : 1;
    const [a0, a1, a2] = a.strides;
    const [b0, b1, b2] = b.strides;
    const [c0, c1, c2] = c.strides;
    addon.gemm(
      batch,
      m,
      n,
      k,
      a.data,
      a.offset,
      a0,
      a1,
      a2,
      b.data,
      b.offset,
      b0,
      b1,
      b2,
      c.data,
      c.offset,
      c0,
      c1,
      c2,
      threads,
    );
    return;
  }
  const plan: UnitPlan = [
    batch,
    m,
    n,
    k,
    tm,
    tn,
    pm,
    pn,
    a.offset,
    ...a.strides,
    b.offset,
    ...b.strides,
    c.offset,
    ...c.strides,
  ];
  if (flops < MIN_PARALLEL_FLOPS || cpuThreads() < 2) {
    gemmUnits(a.data, b.data, c.data, 0, units, plan);
    return;
  }
  const source = `(rt, a, b, c, lo, hi) => rt.gemmUnits(a, b, c, lo, hi, [${plan.join(', ')}])`;
  let kernel = kernels.get(source);
  if (!kernel) {
    if (kernels.size >= 256) kernels.clear();
    kernel = {
      name: `gemm_${batch}x${m}x${n}x${k}`,
      source,
      fn: (_rt, x, y, z, lo, hi) =>
        gemmUnits(x as Float32Array, y as Float32Array, z as Float32Array, lo as number, hi as number, plan),
      extent: units,
      // Elements of work per unit, so that the pool cuts one unit per chunk.
      inner: Math.max(LARGE_WORK, (flops / units) | 0),
      out: 2,
      calls: 0,
    };
    kernels.set(source, kernel);
  }
  runLarge(kernel, [a.data, b.data, c.data], runtime);
}
