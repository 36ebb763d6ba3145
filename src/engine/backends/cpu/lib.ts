/**
 * @file Hand-written CPU library kernels for what the map/reduce IR does not express (sort,
 * scatter, top_k). Each takes input and output typed arrays plus the kernel's params.
 */

import type { BufferInfo } from '../../compile/kir.js';
import type { TypedArray } from '../../core/dtype.js';

export type LibKernelImpl = (
  ins: TypedArray[],
  outs: TypedArray[],
  params: Record<string, unknown>,
  infos: BufferInfo[],
) => void;

export const libKernels: Record<string, LibKernelImpl> = {};

/**
 * For kernels that store every element of their first output whatever its old contents: how many
 * elements that is, from the params. The backend then allocates that output without zeroing it
 * when this is its whole size (zeroing a large output cost as much as a quarter of a 1024^2 GEMM).
 */
export const libFills: Record<string, (params: Record<string, unknown>) => number> = {};

export function registerLibKernel(
  name: string,
  impl: LibKernelImpl,
  fills?: (params: Record<string, unknown>) => number,
): void {
  libKernels[name] = impl;
  if (fills) libFills[name] = fills;
}
