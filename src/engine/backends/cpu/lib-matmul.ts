/**
 * @file The `matmul` CPU library kernel behind float32/float64 dot_generals (primitives/dot.ts):
 * out[b, i, j] = sum_k lhs[b, i, k] * rhs[b, k, j], operands addressed by an offset and (batch,
 * row, col) strides, so transposed and sliced layouts need no copy on the lowering side. The
 * product itself is gemm.ts's, on whichever tier the CPU device runs.
 */
import type { TypedArray } from '../../core/dtype.js';
import { gemm } from './gemm.js';
import { registerLibKernel } from './lib.js';

/** The kernel's params (primitives/dot.ts `lowerLib`). */
export interface MatmulParams {
  batch: number;
  m: number;
  n: number;
  k: number;
  /** Strides of lhs along (batch, m, k). */
  lhs: [number, number, number];
  /** Strides of rhs along (batch, k, n). */
  rhs: [number, number, number];
  /** Element offsets of the operands in their buffers (0 when absent). */
  lhsOffset?: number;
  rhsOffset?: number;
}

type Float = Float32Array | Float64Array;

export function matmul(ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>): void {
  const { batch, m, n, k, lhs, rhs, lhsOffset = 0, rhsOffset = 0 } = params as unknown as MatmulParams;
  const c = outs[0] as Float;
  gemm(
    c instanceof Float32Array ? 'float32' : 'float64',
    batch,
    m,
    n,
    k,
    { data: ins[0] as Float, offset: lhsOffset, strides: lhs },
    { data: ins[1] as Float, offset: rhsOffset, strides: rhs },
    { data: c, offset: 0, strides: [m * n, n, 1] },
  );
}

registerLibKernel('matmul', matmul);
