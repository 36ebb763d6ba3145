/**
 * @file conv_general_dilated as a GEMM over implicitly gathered patches: the `conv_gemm` library
 * kernel, for backends that list it in their `optionalLibs` (the CPU: backends/cpu/lib-conv.ts).
 *
 * A convolution is C[g] (M x Og) = A[g] (M x K) @ B[g] (K x Og) per group g, where a row m of A is
 * one output position of one output batch element, a column k one (input feature, window
 * position) pair, and A's element the lhs element that pair reads there (or a padding zero): the
 * im2col matrix, which the kernel gathers tile by tile instead of writing it whole (on this
 * machine materialising it took 3.5x the GEMM's time). The gradients are convolutions too
 * (transforms/rules/conv.ts), so they run the same way; a weight gradient's "lhs" is the input
 * with batch and feature exchanged, and its window the whole image.
 *
 * The kernel gathers A in whole runs of lhs elements, so the lowering picks the orientation in
 * which runs follow the lhs's unit stride:
 * - 'rows': k = (window position, input feature), runs along the input feature (channels-last
 *   lhs: the forward pass and the input gradient of NHWC convolutions);
 * - 'cols': m = (output position, batch), runs along the lhs batch (A is gathered transposed):
 *   a weight gradient's patches when the input is channels-last.
 * An lhs with neither stride 1 (NCHW) is copied to channels-last first, one pass over the input
 * against the K-fold reuse of each element in A. Both orders of k are the reference reduce
 * kernel's (conv-lower.ts `reductionOrder`) whenever the lhs already lay that way.
 *
 * B (the kernel, or a weight gradient's cotangent) and C (the output) are addressed by strides
 * where their layout allows (dot.ts `groupedOperand`: NHWC/HWIO need no copy in any of the three
 * convolutions), else B is copied and C is written row-major and read back in the output's layout.
 */

import { convWindow } from '../compile/conv-window.js';
import { bin, iconst, type SExpr } from '../compile/kir.js';
import { Lazy, type LowerCtx } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { float32, float64 } from '../core/dtype.js';
import { stridesOf } from '../core/shape.js';
import {
  type ConvFormTest,
  type ConvGeometry,
  convConfig,
  permutedBuffer,
  rhsElement,
} from './conv-geometry.js';
import { groupedOperand, groupStride, stridedView } from './dot.js';

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** Whether to lower as the `conv_gemm` library kernel. */
export const useConvGemm: ConvFormTest = (ctx, lhs, rhs, out, g) => {
  const dt = out.dtype;
  if (!ctx.libs.has('conv_gemm') || (dt !== float32 && dt !== float64)) return false;
  if (lhs.dtype !== dt || rhs.dtype !== dt || out.size === 0) return false;
  return out.size * g.Cg * prod(g.kSp) >= convConfig.gemmMinWork;
};

/** The lhs as a buffer and element strides (batch, feature, spatial...), and its orientation. */
function lhsOperand(
  ctx: LowerCtx,
  lhsIn: Lazy,
  g: ConvGeometry,
): { buf: number; b: number; c: number; sp: number[]; orient: 'rows' | 'cols' } {
  const ls = g.dn.lhs_spec;
  const view = stridedView(lhsIn) ?? {
    buf: ctx.materialize(lhsIn).buf!,
    strides: stridesOf(lhsIn.aval.shape),
  };
  const at = (st: readonly number[]) => ({ b: st[ls[0]], c: st[ls[1]], sp: ls.slice(2).map((d) => st[d]) });
  const s = at(view.strides);
  // Run lengths each orientation gets: a run is a stretch of unit stride (or one element).
  const rowsRun = s.c === 1 || g.Cg === 1 ? g.Cg : 1;
  const colsRun = s.b === 1 || g.outN === 1 ? g.outN : 1;
  if (rowsRun > 1 && rowsRun >= colsRun) return { buf: view.buf, ...s, orient: 'rows' };
  if (colsRun > 1) return { buf: view.buf, ...s, orient: 'cols' };
  if (g.Cg === 1) return { buf: view.buf, ...s, orient: 'rows' };
  // Neither: a channels-last copy (batch, spatial..., feature).
  const perm = [ls[0], ...ls.slice(2), ls[1]];
  const buf = permutedBuffer(ctx, lhsIn, perm);
  const st = stridesOf(perm.map((d) => lhsIn.aval.shape[d]));
  return { buf, b: st[0], c: st[g.nsp + 1], sp: st.slice(1, g.nsp + 1), orient: 'rows' };
}

export function lowerConvGemm(
  ctx: LowerCtx,
  lhsIn: Lazy,
  rhsIn: Lazy,
  g: ConvGeometry,
  out: ShapedArray,
): Lazy {
  const { dn, nsp } = g;
  const lhs = lhsOperand(ctx, lhsIn, g);
  const rows = lhs.orient === 'rows';
  // B[g, k..., og] with k's dims in the orientation's order, as the rhs reads it.
  const kDims = rows ? [...g.kSp, g.Cg] : [g.Cg, ...g.kSp];
  const bLazy = new Lazy(
    new ShapedArray([g.groups, ...kDims, g.Og], rhsIn.aval.dtype),
    (idx) => {
      const [gi, ...rest] = idx;
      const og = rest[rest.length - 1];
      const kv = rest.slice(0, -1);
      const c = rows ? kv[nsp] : kv[0];
      const ks = rows ? kv.slice(0, nsp) : kv.slice(1);
      return rhsElement(g, rhsIn, gi, og, c, ks);
    },
    rhsIn.cost,
  );
  const b = groupedOperand(ctx, bLazy, [[0], kDims.map((_, i) => i + 1), [kDims.length + 1]]);
  // C[g, m, og]: the output itself when its m dims step evenly, else a row-major temporary.
  const os = dn.out_spec;
  const mDims = rows ? [os[0], ...os.slice(2)] : [...os.slice(2), os[0]];
  const ost = stridesOf(out.shape);
  const cM = groupStride(out.shape, ost, mDims);
  const M = g.outN * prod(g.outSp);
  const direct = cM !== null;
  const cAval = direct ? out : new ShapedArray([g.groups, M, g.Og], out.dtype);
  const buf = ctx.newBuffer(cAval, 'temp');
  const cStrides = direct ? [g.Og * ost[os[1]], cM, ost[os[1]]] : [M * g.Og, g.Og, 1];
  ctx.kernels.push({
    kind: 'lib',
    op: 'conv_gemm',
    ins: [lhs.buf, b.buf],
    outs: [buf],
    params: {
      orient: lhs.orient,
      ...convWindow(g),
      lhs: [lhs.b, lhs.c, ...lhs.sp],
      lhsGroup: g.fgc > 1 ? g.Cg * lhs.c : g.outN * lhs.b,
      rhs: b.strides,
      out: cStrides,
    },
  });
  if (direct) return ctx.fromBuffer(buf, out);
  const res = ctx.fromBuffer(buf, cAval);
  const mShape = mDims.map((d) => out.shape[d]);
  const mStrides = stridesOf(mShape);
  return new Lazy(
    out,
    (idx) => {
      const o = idx[os[1]];
      const gi = g.groups > 1 ? bin('div', o, iconst(g.Og)) : iconst(0);
      const og = g.groups > 1 ? bin('rem', o, iconst(g.Og)) : o;
      let m: SExpr = iconst(0);
      mDims.forEach((d, i) => {
        m = bin('add', m, bin('mul', idx[d], iconst(mStrides[i])));
      });
      return res.at([gi, m, og]);
    },
    0,
  );
}
