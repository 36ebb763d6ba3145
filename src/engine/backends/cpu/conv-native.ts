/**
 * @file The native tier's convolution: conv-plan.ts's units (one tile of C's rows for one group
 * each, gathered and multiplied by native/blas/src/conv.c, one single-threaded BLAS call per block
 * of k) run as a ranged kernel on tjax's worker pool, as gemm-native.ts runs a GEMM's tiles, or in
 * a loop on this thread when the convolution is small or threads are off.
 */
import type { BlasAddon } from './blas.js';
import type { ConvPlan } from './conv-plan.js';
import { P } from './conv-plan.js';
import { convUnits } from './conv-units.js';
import { runtime } from './runtime.js';
import { cpuThreads, LARGE_WORK, type RangedKernel, runLarge } from './threads.js';

type Float = Float32Array | Float64Array;

/** Below this many flops in all, the units run on the calling thread. */
const MIN_PARALLEL_FLOPS = 2 ** 22;

const kernels = new Map<string, RangedKernel>();

export function nativeConv(_addon: BlasAddon, plan: ConvPlan, lhs: Float, rhs: Float, out: Float): void {
  const units = plan.groups * plan.nums[P.tiles];
  if (units === 0 || plan.Og === 0 || plan.M === 0) return;
  const flops = 2 * plan.groups * plan.M * plan.K * plan.Og;
  if (flops < MIN_PARALLEL_FLOPS || cpuThreads() < 2 || units === 1) {
    convUnits(lhs, rhs, out, plan.table, plan.nums, 0, units);
    return;
  }
  const nums = Array.from(plan.nums).join(', ');
  const source = `(() => { const p = new Float64Array([${nums}]); return (rt, l, r, c, t, lo, hi) => rt.convUnits(l, r, c, t, p, lo, hi); })()`;
  let kernel = kernels.get(source);
  if (!kernel) {
    if (kernels.size >= 256) kernels.clear();
    const p = plan.nums;
    kernel = {
      name: `conv_gemm_${plan.M}x${plan.K}x${plan.Og}`,
      source,
      fn: (_rt, l, r, c, t, lo, hi) =>
        convUnits(l as Float, r as Float, c as Float, t as Int32Array, p, lo as number, hi as number),
      extent: units,
      // Elements of work per unit, so that the pool cuts one unit per chunk.
      inner: Math.max(LARGE_WORK, (flops / units) | 0),
      out: 2,
      calls: 0,
    };
    kernels.set(source, kernel);
  }
  runLarge(kernel, [lhs, rhs, out, plan.table], runtime);
}
