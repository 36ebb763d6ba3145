/**
 * @file The native convolution's unit of work, callable on any thread (the runtime's `convUnits`,
 * as gemm-units.ts is for the GEMM): native/blas/src/conv.c runs units [lo, hi) of a plan
 * (conv-plan.ts). The addon is loaded here on first use; on a worker thread that comes after the
 * main thread has loaded and set up OpenBLAS (blas.ts).
 */
import { createRequire } from 'node:module';
import type { BlasAddon } from './blas.js';

let addon: BlasAddon | null = null;

export function convUnits(
  lhs: Float32Array | Float64Array,
  rhs: Float32Array | Float64Array,
  out: Float32Array | Float64Array,
  table: Int32Array,
  nums: Float64Array,
  lo: number,
  hi: number,
): void {
  addon ??= (createRequire(import.meta.url)('tjax-blas') as { addon: BlasAddon }).addon;
  addon.conv(lhs, rhs, out, table, nums, lo, hi);
}
