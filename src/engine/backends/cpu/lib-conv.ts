/**
 * @file The `conv_gemm` CPU library kernel behind float convolutions (primitives/conv-gemm.ts):
 * the convolution as GEMMs over patches gathered tile by tile (conv-plan.ts), on the tier the CPU
 * device's GEMM runs (gemm.ts): native OpenBLAS (conv-native.ts), else the WebAssembly SIMD GEMM
 * (wasm/conv.ts), or with TJAX_CPU_SIMD=0 the JavaScript one (conv-js.ts).
 */
import type { TypedArray } from '../../core/dtype.js';
import { nativeBlas } from './blas.js';
import { jsConv } from './conv-js.js';
import { nativeConv } from './conv-native.js';
import { convPlan } from './conv-plan.js';
import { registerLibKernel } from './lib.js';
import { wasmConv } from './wasm/conv.js';
import { cpuSimd } from './wasm/simd.js';

type Float = Float32Array | Float64Array;

export function convGemm(ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>): void {
  const plan = convPlan(params);
  const [lhs, rhs] = ins as Float[];
  const out = outs[0] as Float;
  const blas = nativeBlas();
  if (blas) nativeConv(blas, plan, lhs, rhs, out);
  else if (cpuSimd.enabled) wasmConv(plan, lhs, rhs, out);
  else jsConv(plan, lhs, rhs, out);
}

registerLibKernel('conv_gemm', convGemm);
