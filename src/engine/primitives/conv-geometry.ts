/**
 * @file What the two lowerings of conv_general_dilated share, below both: the reference and
 * im2col lowering (conv-lower.ts) and the `conv_gemm` library kernel's (conv-gemm.ts). The
 * tuning knobs that choose between them, the convolution's geometry in canonical (batch,
 * feature, spatial...) order, and an operand written out with its dimensions permuted.
 */

import type { ConvWindow } from '../compile/conv-window.js';
import { bin, iconst, type SExpr } from '../compile/kir.js';
import type { Lazy, LowerCtx } from '../compile/lower.js';
import type { ShapedArray } from '../core/aval.js';
import type { ConvDimensionNumbers, ConvParams } from './conv-params.js';
import { permutedLazy } from './dot.js';

/** Tuning knobs of the lowering (tests turn the library kernel off to exercise the reference). */
export const convConfig = {
  /** Use a backend's `conv` library kernel where it has one. */
  useLib: true,
  /** Lower float convolutions of at least this many multiply-adds as im2col + dot_general. */
  im2colMinWork: 1 << 20,
  /** ... when the patch matrix has at most this many elements. */
  im2colMaxPatches: 1 << 25,
  /**
   * Lower float convolutions of at least this many multiply-adds as the `conv_gemm` library
   * kernel on backends that have it (the CPU: conv-gemm.ts).
   */
  gemmMinWork: 1 << 16,
};

/** Everything the kernels need, in canonical (batch, feature, spatial...) order. */
/**
 * Whether a lowering form takes a convolution (conv-lower.ts picks the first that does): its
 * context, the operands' and the result's avals and the geometry.
 */
export type ConvFormTest = (
  ctx: LowerCtx,
  lhs: ShapedArray,
  rhs: ShapedArray,
  out: ShapedArray,
  g: ConvGeometry,
) => boolean;

export interface ConvGeometry extends ConvWindow {
  dn: ConvDimensionNumbers;
  nsp: number;
  /** lhs batch and feature sizes. */
  N: number;
  C: number;
  /** rhs output features (Cg, from ConvWindow, its input features). */
  O: number;
  fgc: number;
  bgc: number;
}

export function convGeometry(
  lhs: ShapedArray,
  rhs: ShapedArray,
  out: ShapedArray,
  p: ConvParams,
): ConvGeometry {
  const dn = p.dimension_numbers;
  const nsp = dn.lhs_spec.length - 2;
  const sp = (shape: readonly number[], spec: readonly number[]) => spec.slice(2).map((d) => shape[d]);
  const fgc = p.feature_group_count;
  const bgc = p.batch_group_count;
  const groups = fgc * bgc;
  const O = rhs.shape[dn.rhs_spec[0]];
  const N = lhs.shape[dn.lhs_spec[0]];
  return {
    dn,
    nsp,
    N,
    C: lhs.shape[dn.lhs_spec[1]],
    O,
    Cg: rhs.shape[dn.rhs_spec[1]],
    fgc,
    bgc,
    groups,
    Og: O / groups,
    outN: N / bgc,
    inSp: sp(lhs.shape, dn.lhs_spec),
    kSp: sp(rhs.shape, dn.rhs_spec),
    outSp: sp(out.shape, dn.out_spec),
    strides: p.window_strides.map(Number),
    padLo: p.padding.map((q) => Number(q[0])),
    lhsDil: p.lhs_dilation.map(Number),
    rhsDil: p.rhs_dilation.map(Number),
  };
}

/** `x` as a row-major buffer with its dimensions in the order `perm` (no copy when it is one). */
export function permutedBuffer(ctx: LowerCtx, x: Lazy, perm: readonly number[]): number {
  if (x.buf !== null && perm.every((d, i) => d === i)) return x.buf;
  return ctx.materialize(permutedLazy(x, perm)).buf!;
}

/** The kernel's element for group `gi`, output feature `og` (within the group), input channel `ci`, window position `kv`. */
export function rhsElement(
  g: ConvGeometry,
  rhs: Lazy,
  gi: SExpr,
  og: SExpr,
  ci: SExpr,
  kv: readonly SExpr[],
): SExpr {
  const rs = g.dn.rhs_spec;
  const idx: SExpr[] = new Array(g.nsp + 2);
  idx[rs[0]] = g.groups > 1 ? bin('add', bin('mul', gi, iconst(g.Og)), og) : og;
  idx[rs[1]] = ci;
  kv.forEach((k, d) => {
    idx[rs[2 + d]] = k;
  });
  return rhs.at(idx);
}
