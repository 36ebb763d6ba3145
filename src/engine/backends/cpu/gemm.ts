/**
 * @file The CPU device's one GEMM entry point: C[b] = A[b] @ B[b] on strided, batched float32 or
 * float64 operands. Every float dot_general the CPU runs as a library kernel comes here
 * (lib-matmul.ts), and so can any other lowering that ends in a matrix product (im2col
 * convolution): offsets and (batch, row, col) strides address the operands where they lie.
 *
 * Two tiers, chosen per call:
 * - native: the machine's BLAS (blas.ts), when its addon loaded and TJAX_CPU_BLAS is not off, with
 *   tjax's own AVX-512 GEMM for the large products where the CPU has AVX-512 (gemm512.c);
 * - portable: the WebAssembly SIMD GEMM (wasm/gemm.ts) everywhere else, or, with TJAX_CPU_SIMD=0,
 *   the JavaScript kernel (gemm-js.ts).
 * Each tier computes every output element in one fixed order whatever the thread count, so a
 * result depends on the tier and the shapes only (docs/ARCHITECTURE.md, "Matrix products").
 */
import { type GemmTierStatus, gemmTier, nativeBlas } from './blas.js';
import { jsGemm } from './gemm-js.js';
import { nativeGemm } from './gemm-native.js';
import type { Gemm } from './gemm-operand.js';
import { wasmGemm } from './wasm/gemm.js';
import { cpuSimd } from './wasm/simd.js';

/** The portable tier's kernel, by name (`tjax devices`). */
export function portableGemmName(): string {
  return cpuSimd.enabled ? 'WebAssembly SIMD' : 'JavaScript';
}

/** C[b] = A[b] @ B[b] for b < batch: A (batch, m, k), B (batch, k, n), C (batch, m, n). */
export const gemm: Gemm = (dtype, batch, m, n, k, a, b, c) => {
  const blas = nativeBlas();
  if (blas === null) {
    (cpuSimd.enabled ? wasmGemm : jsGemm)(dtype, batch, m, n, k, a, b, c);
    return;
  }
  nativeGemm(blas, batch, m, n, k, a, b, c);
};

/** Which GEMM tier the CPU device runs, why, and a one-line summary (`tjax devices`). */
export function cpuGemmStatus(): GemmTierStatus & { summary: string } {
  const s = gemmTier();
  const on = `on ${s.threads} thread${s.threads === 1 ? '' : 's'}`;
  let summary: string;
  if (s.tier !== 'native')
    summary = `portable ${portableGemmName()} kernel (native BLAS unavailable: ${s.reason})`;
  else if (s.gemm === 'avx512')
    summary = `native: tjax's AVX-512 GEMM for large products, ${s.library} for the rest (core ${s.core}), ${on}`;
  else {
    const off =
      s.gemmReason === 'the CPU has no AVX-512' ? '' : ` (tjax's AVX-512 GEMM off: ${s.gemmReason})`;
    summary = `native BLAS: ${s.library}, core ${s.core}, ${on}${off}`;
  }
  return { ...s, summary };
}
