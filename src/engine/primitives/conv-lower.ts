/**
 * @file Lowering of conv_general_dilated (primitives/conv.ts) to kernels.
 *
 * The reference lowering, which every backend renders (JS, WGSL, gpu.js), is one `reduce` kernel
 * over (input feature within the group, window positions...) whose output index is the output's
 * own layout. For output (n, o, s...) and window position k, the position in the padded, dilated
 * input is p = s * stride + k * rhs_dilation - pad_lo; it reads input element p / lhs_dilation
 * when p is on the dilated grid inside the input, and a zero otherwise (a select on the element,
 * which is then multiplied as XLA multiplies padding; the load index is clamped so that no read
 * leaves the buffer). Groups follow XLA: output feature o
 * belongs to group g = o / (O / groups); with feature_group_count the group reads input features
 * g * Cg + ci, with batch_group_count it reads lhs batch g * (N / groups) + n.
 *
 * Operands are written to buffers first (a convolution reads each input element many times, so
 * a fused producer would be recomputed per use). The reduction runs innermost over the input
 * features when they are contiguous in the lhs (channels-last layouts) and over the last window
 * dimension otherwise, so that the inner loop walks memory with stride 1; the kernel is copied
 * into the matching (out feature, reduction...) layout when it is not in it already.
 *
 * Float convolutions with enough work are lowered as im2col + dot_general instead (the matmul
 * library kernel today, about 3x the reduce kernel on the CPU): the patch matrix is a lazy value
 * that dot_general's lowering writes and multiplies. Its contraction order is the reduce
 * kernel's, and both accumulate float32 in float32, so on the portable GEMM tier both forms give
 * the same bits; on the native BLAS tier (backends/cpu/gemm.ts) the GEMM rounds in its own order.
 *
 * A backend that lists the `conv` library kernel in its `optionalLibs` (WebGPU,
 * backends/webgpu/lib-conv.ts) gets float32 1-d and 2-d convolutions as that kernel instead:
 * operands in channels-last layouts (lhs (N, H, W, C), rhs (KH, KW, Cg, O)), result (N', OH, OW,
 * O), read back in the output's layout by index remapping.
 */

import { bin, cast, constant, iconst, loopVars, type SExpr, sel } from '../compile/kir.js';
import { Lazy, type LowerCtx, type LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { bool, type DType, float32 } from '../core/dtype.js';
import type { Params } from '../core/primitive.js';
import { lowerConvGemm, useConvGemm } from './conv-gemm.js';
import {
  type ConvFormTest,
  type ConvGeometry,
  convConfig,
  convGeometry,
  permutedBuffer,
  rhsElement,
} from './conv-geometry.js';
import type { ConvParams } from './conv-params.js';
import { dot_general } from './dot.js';

/** The product of two elements in the result dtype (bools: logical and). */
function product(a: SExpr, b: SExpr, dt: DType): SExpr {
  const x = cast(a, dt);
  const y = cast(b, dt);
  return dt.isBool ? bin('and', x, y) : bin('mul', x, y);
}

const and = (a: SExpr | null, b: SExpr): SExpr => (a === null ? b : bin('and', a, b, bool));

/**
 * The input position read for output position `s` and window position `k` along spatial dim d:
 * the clamped index and the condition that it is a real (not padding, not dilation) element, or
 * null when that holds for every s and k.
 */
export function inputPosition(
  g: ConvGeometry,
  d: number,
  s: SExpr,
  k: SExpr,
): { idx: SExpr; ok: SExpr | null } {
  const stride = g.strides[d];
  const rd = g.rhsDil[d];
  const ld = g.lhsDil[d];
  const lo = g.padLo[d];
  const size = (g.inSp[d] - 1) * ld + 1;
  const p = bin('sub', bin('add', bin('mul', s, iconst(stride)), bin('mul', k, iconst(rd))), iconst(lo));
  const pMax = (g.outSp[d] - 1) * stride + (g.kSp[d] - 1) * rd - lo;
  let ok: SExpr | null = null;
  if (lo > 0) ok = and(ok, bin('ge', p, iconst(0)));
  if (pMax >= size) ok = and(ok, bin('lt', p, iconst(size)));
  if (ld > 1) ok = and(ok, bin('eq', bin('rem', p, iconst(ld)), iconst(0)));
  const q = ld > 1 ? bin('div', p, iconst(ld)) : p;
  return { idx: ok === null ? q : sel(ok, q, iconst(0)), ok };
}

/** The reference lowering: one reduce kernel (see the file comment). */
/**
 * The reduction dims in loop order: 'c' (input feature in group) and the window dims; innermost
 * is the one the lhs walks with stride 1.
 */
function reductionOrder(g: ConvGeometry): ('c' | number)[] {
  const spatial = [...Array(g.nsp).keys()];
  return g.dn.lhs_spec[1] === g.nsp + 1 ? [...spatial, 'c'] : ['c', ...spatial];
}

/**
 * The lhs element that output (n, spatial `sv`) of group `grp` reads at window position `kv` and
 * input feature `ci`: zero where that is padding or a hole of the lhs dilation (XLA multiplies
 * the zero, so an inf in the kernel gives NaN there, as in XLA).
 */
function lhsElement(
  g: ConvGeometry,
  lhs: Lazy,
  grp: SExpr | null,
  n: SExpr,
  ci: SExpr,
  sv: readonly SExpr[],
  kv: readonly SExpr[],
): SExpr {
  const ls = g.dn.lhs_spec;
  const idx: SExpr[] = new Array(g.nsp + 2);
  idx[ls[0]] = g.bgc > 1 ? bin('add', bin('mul', grp!, iconst(g.outN)), n) : n;
  idx[ls[1]] = g.fgc > 1 ? bin('add', bin('mul', grp!, iconst(g.Cg)), ci) : ci;
  let ok: SExpr | null = null;
  for (let d = 0; d < g.nsp; d++) {
    const pos = inputPosition(g, d, sv[d], kv[d]);
    idx[ls[2 + d]] = pos.idx;
    if (pos.ok) ok = and(ok, pos.ok);
  }
  const v = lhs.at(idx);
  return ok === null ? v : sel(ok, v, constant(0, v.dt));
}

function lowerReduce(ctx: LowerCtx, lhsIn: Lazy, rhsIn: Lazy, g: ConvGeometry, out: ShapedArray): Lazy {
  const lhs = ctx.materialize(lhsIn);
  const { dn } = g;
  const order = reductionOrder(g);
  // The kernel laid out as (out feature, reduction dims in loop order): for a fixed output feature
  // the reduction walks it with stride 1 (a copy unless it is laid out so already).
  const rhsPerm = [dn.rhs_spec[0], ...order.map((r) => (r === 'c' ? dn.rhs_spec[1] : dn.rhs_spec[2 + r]))];
  const rhs = ctx.fromBuffer(
    permutedBuffer(ctx, rhsIn, rhsPerm),
    new ShapedArray(
      rhsPerm.map((d) => rhsIn.aval.shape[d]),
      rhsIn.aval.dtype,
    ),
  );
  const redVars = loopVars('r', order.length);
  const ci = redVars[order.indexOf('c')];
  const kv = [...Array(g.nsp).keys()].map((d) => redVars[order.indexOf(d)]);
  const outVars = loopVars('i', out.ndim);
  const o = outVars[dn.out_spec[1]];
  const grp = g.groups > 1 ? bin('div', o, iconst(g.Og)) : null;
  const sv = dn.out_spec.slice(2).map((d) => outVars[d]);
  const x = lhsElement(g, lhs, grp, outVars[dn.out_spec[0]], ci, sv, kv);
  const dt = out.dtype;
  const buf = ctx.newBuffer(out, 'temp');
  ctx.kernels.push({
    kind: 'reduce',
    out: buf,
    outShape: [...out.shape],
    redShape: order.map((r) => (r === 'c' ? g.Cg : g.kSp[r])),
    op: dt.isBool ? 'or' : 'add',
    body: product(x, rhs.at([o, ...redVars]), dt),
    epilogue: null,
    // float32 accumulates in float32, as XLA:CPU does and as dot_general's kernels do.
    roundEach: dt === float32,
  });
  return ctx.fromBuffer(buf, out);
}

/** Split a flat int32 index into a row-major multi-index over `shape`. */
function unflatten(flat: SExpr, shape: readonly number[]): SExpr[] {
  const out: SExpr[] = new Array(shape.length);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (d === 0) out[d] = rest;
    else {
      out[d] = bin('rem', rest, iconst(shape[d]));
      rest = bin('div', rest, iconst(shape[d]));
    }
  }
  return out;
}

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** Whether to lower as im2col + dot_general (float convolutions with enough work). */
function useIm2col(lhs: ShapedArray, rhs: ShapedArray, out: ShapedArray, g: ConvGeometry): boolean {
  const dt = out.dtype;
  if (!dt.isFloat || dt.name === 'float16' || lhs.dtype !== dt || rhs.dtype !== dt || out.size === 0)
    return false;
  const K = g.Cg * prod(g.kSp);
  const M = g.outN * prod(g.outSp);
  return out.size * K >= convConfig.im2colMinWork && g.groups * M * K <= convConfig.im2colMaxPatches;
}

/**
 * im2col: the patches (groups, N' * out spatial, window * Cg) times the kernel (groups, window *
 * Cg, O / groups), lowered as the dot_general it is, so whatever dot_general lowers to (the matmul
 * library kernel for large float products) computes the convolution. The contraction runs in the
 * reduce kernel's order, so both paths sum the same products in the same order.
 */
function lowerIm2col(
  ctx: LowerCtx,
  lhsIn: Lazy,
  rhs: Lazy,
  g: ConvGeometry,
  out: ShapedArray,
  p: ConvParams,
): Lazy {
  const lhs = ctx.materialize(lhsIn);
  const { dn } = g;
  const order = reductionOrder(g);
  const redShape = order.map((r) => (r === 'c' ? g.Cg : g.kSp[r]));
  const K = prod(redShape);
  const mShape = [g.outN, ...g.outSp];
  const M = prod(mShape);
  const window = (kk: SExpr) => {
    const rv = unflatten(kk, redShape);
    return { ci: rv[order.indexOf('c')], kv: [...Array(g.nsp).keys()].map((d) => rv[order.indexOf(d)]) };
  };
  const grouped = (gi: SExpr) => (g.groups > 1 ? gi : null);
  const patches = new Lazy(
    new ShapedArray([g.groups, M, K], lhs.aval.dtype),
    ([gi, m, kk]) => {
      const [n, ...sv] = unflatten(m, mShape);
      const { ci, kv } = window(kk);
      return lhsElement(g, lhs, grouped(gi), n, ci, sv, kv);
    },
    1,
  );
  const weights = new Lazy(
    new ShapedArray([g.groups, K, g.Og], rhs.aval.dtype),
    ([gi, kk, og]) => {
      const { ci, kv } = window(kk);
      return rhsElement(g, rhs, gi, og, ci, kv);
    },
    rhs.cost,
  );
  const prodAval = new ShapedArray([g.groups, M, g.Og], out.dtype);
  const dotRule = dot_general.rules.lower as LowerRule;
  const [res] = dotRule(
    ctx,
    [patches, weights],
    {
      dimension_numbers: [
        [[2], [1]],
        [[0], [0]],
      ],
      precision: p.precision,
      preferred_element_type: p.preferred_element_type,
      out_sharding: null,
    },
    [prodAval],
  );
  const mStrides = mShape.map((_, d) => prod(mShape.slice(d + 1)));
  return new Lazy(
    out,
    (idx) => {
      const o = idx[dn.out_spec[1]];
      const gi = g.groups > 1 ? bin('div', o, iconst(g.Og)) : iconst(0);
      const og = g.groups > 1 ? bin('rem', o, iconst(g.Og)) : o;
      const mIdx = [idx[dn.out_spec[0]], ...dn.out_spec.slice(2).map((d) => idx[d])];
      let m: SExpr = iconst(0);
      mIdx.forEach((e, d) => {
        m = bin('add', m, bin('mul', e, iconst(mStrides[d])));
      });
      return res.at([gi, m, og]);
    },
    0,
  );
}

/** Whether the backend's `conv` library kernel takes this convolution. */
const useLib: ConvFormTest = (ctx, lhs, rhs, out, g) =>
  convConfig.useLib &&
  ctx.libs.has('conv') &&
  (g.nsp === 1 || g.nsp === 2) &&
  lhs.dtype === float32 &&
  rhs.dtype === float32 &&
  out.dtype === float32 &&
  out.size > 0;

function lowerLib(ctx: LowerCtx, lhs: Lazy, rhs: Lazy, g: ConvGeometry, out: ShapedArray): Lazy {
  const { dn } = g;
  // 1-d convolutions run as 2-d ones with a unit leading spatial dim.
  const two = (xs: number[], one: number) => (g.nsp === 1 ? [one, ...xs] : xs);
  const [H, W] = two(g.inSp, 1);
  const [KH, KW] = two(g.kSp, 1);
  const [OH, OW] = two(g.outSp, 1);
  const lhsPerm = [dn.lhs_spec[0], ...dn.lhs_spec.slice(2), dn.lhs_spec[1]];
  const rhsPerm = [...dn.rhs_spec.slice(2), dn.rhs_spec[1], dn.rhs_spec[0]];
  // A 1-d operand's buffer is laid out as its 2-d form with the unit dim.
  const a = permutedBuffer(ctx, lhs, lhsPerm);
  const b = permutedBuffer(ctx, rhs, rhsPerm);
  const canon = new ShapedArray([g.outN, OH, OW, g.O], out.dtype);
  const buf = ctx.newBuffer(canon, 'temp');
  ctx.kernels.push({
    kind: 'lib',
    op: 'conv',
    ins: [a, b],
    outs: [buf],
    params: {
      N: g.N,
      H,
      W,
      C: g.C,
      KH,
      KW,
      Cg: g.Cg,
      O: g.O,
      outN: g.outN,
      OH,
      OW,
      fgc: g.fgc,
      bgc: g.bgc,
      strides: two(g.strides, 1),
      padLo: two(g.padLo, 0),
      lhsDil: two(g.lhsDil, 1),
      rhsDil: two(g.rhsDil, 1),
    },
  });
  const ndim = g.nsp + 2;
  // A channels-last output is the buffer itself (a 1-d one without its unit dim).
  if (
    dn.out_spec[0] === 0 &&
    dn.out_spec[1] === ndim - 1 &&
    dn.out_spec.slice(2).every((d, i) => d === i + 1)
  )
    return ctx.fromBuffer(buf, out);
  const res = ctx.fromBuffer(buf, canon);
  // Read back in the output's layout.
  return new Lazy(
    out,
    (idx) => {
      const sp = dn.out_spec.slice(2).map((d) => idx[d]);
      const [oh, ow] = g.nsp === 1 ? [iconst(0), sp[0]] : sp;
      return res.at([idx[dn.out_spec[0]], oh, ow, idx[dn.out_spec[1]]]);
    },
    0,
  );
}

export const lowerConv: LowerRule = (ctx, [lhs, rhs], params: Params, [out]) => {
  const p = params as unknown as ConvParams;
  const g = convGeometry(lhs.aval, rhs.aval, out, p);
  if (useLib(ctx, lhs.aval, rhs.aval, out, g)) return [lowerLib(ctx, lhs, rhs, g, out)];
  if (useConvGemm(ctx, lhs.aval, rhs.aval, out, g)) return [lowerConvGemm(ctx, lhs, rhs, g, out)];
  if (useIm2col(lhs.aval, rhs.aval, out, g)) return [lowerIm2col(ctx, lhs, rhs, g, out, p)];
  return [lowerReduce(ctx, lhs, rhs, g, out)];
};
