/**
 * @file A convolution's grouped window geometry, as the conv lowerings compute it
 * (primitives/conv-geometry.ts) and the `conv_gemm` library kernel receives it in its params
 * (backends/cpu/conv-plan.ts): part of the kernel IR's contract between the two, below both.
 */

export interface ConvWindow {
  /** Groups (feature or batch, at most one is > 1). */
  groups: number;
  /** Output batch size (N / batch_group_count). */
  outN: number;
  /** Input and output features per group. */
  Cg: number;
  Og: number;
  /** Spatial sizes of the input, the window and the output. */
  inSp: number[];
  kSp: number[];
  outSp: number[];
  strides: number[];
  padLo: number[];
  lhsDil: number[];
  rhsDil: number[];
}

/** The window of `g` alone, in this order (params travel to other threads and print: no other fields). */
export function convWindow(g: ConvWindow): ConvWindow {
  const { groups, outN, Cg, Og, inSp, kSp, outSp, strides, padLo, lhsDil, rhsDil } = g;
  return { groups, outN, Cg, Og, inSp, kSp, outSp, strides, padLo, lhsDil, rhsDil };
}
