/**
 * @file The `matmul` CPU library kernel behind float32/float64 dot_generals (primitives/dot.ts):
 * out[b, i, j] = sum_k lhs[b, i, k] * rhs[b, k, j], operands addressed by an offset and (batch,
 * row, col) strides, so transposed layouts need no copy on the lowering side, and optional output
 * strides, so a transposed result needs none after it (compile/matmul-layout.ts). The
 * product itself is gemm.ts's, on whichever tier the CPU device runs.
 */

import type { MatmulParams } from '../../compile/matmul-layout.js';
import type { TypedArray } from '../../core/dtype.js';
import { gemm } from './gemm.js';
import { registerLibKernel } from './lib.js';

type Float = Float32Array | Float64Array;

export function matmul(ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>): void {
  const { batch, m, n, k, lhs, rhs, out = [m * n, n, 1] } = params as unknown as MatmulParams;
  const c = outs[0] as Float;
  gemm(
    c instanceof Float32Array ? 'float32' : 'float64',
    batch,
    m,
    n,
    k,
    { data: ins[0] as Float, offset: 0, strides: lhs },
    { data: ins[1] as Float, offset: 0, strides: rhs },
    { data: c, offset: 0, strides: out },
  );
}

// Every tier stores each element of C (k = 0 included), and C's strides cover all of it.
registerLibKernel('matmul', matmul, (params) => {
  const { batch, m, n } = params as unknown as MatmulParams;
  return batch * m * n;
});
