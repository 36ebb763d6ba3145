/**
 * @file What every GEMM tier of the CPU device (gemm-js.ts, wasm/gemm.ts, gemm-native.ts) takes:
 * strided, batched float32/float64 operands and one calling convention, below gemm.ts, which
 * picks the tier.
 */

/** A matrix operand: elements of (batch, rows, cols) at `offset + b*s0 + i*s1 + j*s2`. */
export interface GemmOperand {
  data: Float32Array | Float64Array;
  offset: number;
  /** In elements, for (batch, rows, cols). */
  strides: readonly [number, number, number];
}

/** A product's sizes and operands: C[b] = A[b] @ B[b] for b < batch, A (batch, m, k), B (batch, k, n), C (batch, m, n). */
export type GemmArgs = [
  batch: number,
  m: number,
  n: number,
  k: number,
  a: GemmOperand,
  b: GemmOperand,
  c: GemmOperand,
];

/** A GEMM tier's entry point: the dtype, then the product (GemmArgs). */
export type Gemm = (dtype: 'float32' | 'float64', ...args: GemmArgs) => void;
