/**
 * @file The native GEMM's unit of work, callable on any thread (the runtime's `gemmUnits`, so
 * worker threads reach it as generated kernels reach `rt.erf`): one BLAS call per (batch element,
 * tile of C) for a range of units. gemm-native.ts cuts the product into those units; this file only
 * runs them, with the addon as blas-addon.ts hands it to any thread.
 */
import { blasAddon } from './blas-addon.js';

/**
 * The layout of a tiled GEMM, as numbers (it is spliced into a kernel's source): batch, m, n, k,
 * the tile's rows and columns, the tiles per column and per row, then A's, B's and C's offset and
 * (batch, row, col) strides.
 */
export type UnitPlan = readonly number[];

/** Run units [lo, hi) of a tiled GEMM: unit u is batch element u / tiles, tile u % tiles. */
export function gemmUnits(
  a: Float32Array | Float64Array,
  b: Float32Array | Float64Array,
  c: Float32Array | Float64Array,
  lo: number,
  hi: number,
  p: UnitPlan,
): void {
  const addon = blasAddon();
  const [, m, n, k, tm, tn, pm, pn, ao, a0, a1, a2, bo, b0, b1, b2, co, c0, c1, c2] = p;
  const tiles = pm * pn;
  if (tiles === 1) {
    // Whole matrices: one call for the range (the addon loops over them, one BLAS call each).
    addon.gemm(
      hi - lo,
      m,
      n,
      k,
      a,
      ao + lo * a0,
      a0,
      a1,
      a2,
      b,
      bo + lo * b0,
      b0,
      b1,
      b2,
      c,
      co + lo * c0,
      c0,
      c1,
      c2,
    );
    return;
  }
  for (let u = lo; u < hi; u++) {
    const bi = Math.floor(u / tiles);
    const t = u - bi * tiles;
    const i0 = Math.floor(t / pn) * tm;
    const j0 = (t % pn) * tn;
    addon.gemm(
      1,
      Math.min(tm, m - i0),
      Math.min(tn, n - j0),
      k,
      a,
      ao + bi * a0 + i0 * a1,
      0,
      a1,
      a2,
      b,
      bo + bi * b0 + j0 * b2,
      0,
      b1,
      b2,
      c,
      co + bi * c0 + i0 * c1 + j0 * c2,
      0,
      c1,
      c2,
    );
  }
}
