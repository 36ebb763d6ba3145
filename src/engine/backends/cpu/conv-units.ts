/**
 * @file The native convolution's unit of work, callable on any thread (the runtime's `convUnits`,
 * as gemm-units.ts is for the GEMM): native/blas/src/conv.c runs units [lo, hi) of a plan
 * (conv-plan.ts), with the addon as blas-addon.ts hands it to any thread.
 */
import { blasAddon } from './blas-addon.js';

export function convUnits(
  lhs: Float32Array | Float64Array,
  rhs: Float32Array | Float64Array,
  out: Float32Array | Float64Array,
  table: Int32Array,
  nums: Float64Array,
  lo: number,
  hi: number,
): void {
  blasAddon().conv(lhs, rhs, out, table, nums, lo, hi);
}
