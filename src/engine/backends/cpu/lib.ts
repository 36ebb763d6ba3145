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

export function registerLibKernel(name: string, impl: LibKernelImpl): void {
  libKernels[name] = impl;
}
