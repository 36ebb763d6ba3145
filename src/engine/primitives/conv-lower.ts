/**
 * @file Lowering of conv_general_dilated (primitives/conv.ts) to kernels.
 *
 * The reference lowering, which every backend renders (JS, WGSL, gpu.js), is one `reduce` kernel
 * over (input feature within the group, window positions...) whose output index is the output's
 * own layout. For output (n, o, s...) and window position k, the position in the padded, dilated
 * input is p = s * stride + k * rhs_dilation - pad_lo; it reads input element p / lhs_dilation
 * when p is on the dilated grid inside the input, and contributes zero otherwise (a select; the
 * load index is clamped so that no read leaves the buffer). Groups follow XLA: output feature o
 * belongs to group g = o / (O / groups); with feature_group_count the group reads input features
 * g * Cg + ci, with batch_group_count it reads lhs batch g * (N / groups) + n.
 *
 * Operands are written to buffers first (a convolution reads each input element many times, so
 * a fused producer would be recomputed per use). The reduction runs innermost over the input
 * features when they are contiguous in the lhs (channels-last layouts) and over the last window
 * dimension otherwise, so that the inner loop walks memory with stride 1.
 *
 * A backend that lists the `conv` library kernel in its `optionalLibs` (WebGPU,
 * backends/webgpu/lib-conv.ts) gets float32 1-d and 2-d convolutions as that kernel instead:
 * operands in channels-last layouts (lhs (N, H, W, C), rhs (KH, KW, Cg, O)), result (N', OH, OW,
 * O), read back in the output's layout by index remapping.
 */

import { bin, cast, iconst, loopVars, type SExpr, sel } from '../compile/kir.js';
import { Lazy, type LowerCtx, type LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { bool, type DType, float32 } from '../core/dtype.js';
import type { Params } from '../core/primitive.js';
import type { ConvDimensionNumbers, ConvParams } from './conv.js';

/** Tuning knobs of the lowering (tests turn the library kernel off to exercise the reference). */
export const convConfig = {
  /** Use a backend's `conv` library kernel where it has one. */
  useLib: true,
};

/** Everything the kernels need, in canonical (batch, feature, spatial...) order. */
export interface ConvGeometry {
  dn: ConvDimensionNumbers;
  nsp: number;
  /** lhs batch and feature sizes. */
  N: number;
  C: number;
  /** rhs output and input feature sizes. */
  O: number;
  Cg: number;
  fgc: number;
  bgc: number;
  /** Groups (feature or batch, at most one is > 1) and output features per group. */
  groups: number;
  Og: number;
  /** Output batch size (N / batch_group_count). */
  outN: number;
  inSp: number[];
  kSp: number[];
  outSp: number[];
  strides: number[];
  padLo: number[];
  lhsDil: number[];
  rhsDil: number[];
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
function lowerReduce(ctx: LowerCtx, lhsIn: Lazy, rhsIn: Lazy, g: ConvGeometry, out: ShapedArray): Lazy {
  const lhs = ctx.materialize(lhsIn);
  const rhs = ctx.materialize(rhsIn);
  const { dn, nsp } = g;
  const ndim = nsp + 2;
  // Reduction dims: 'c' (input feature in group) and the window dims; innermost is the one the
  // lhs walks with stride 1.
  const ciInner = dn.lhs_spec[1] === ndim - 1;
  const spatial = [...Array(nsp).keys()];
  const order: ('c' | number)[] = ciInner ? [...spatial, 'c'] : ['c', ...spatial];
  const redVars = loopVars('r', order.length);
  const ci = redVars[order.indexOf('c')];
  const kv = spatial.map((d) => redVars[order.indexOf(d)]);
  const outVars = loopVars('i', out.ndim);
  const n = outVars[dn.out_spec[0]];
  const o = outVars[dn.out_spec[1]];
  const grp = g.groups > 1 ? bin('div', o, iconst(g.Og)) : null;
  const c = g.fgc > 1 ? bin('add', bin('mul', grp!, iconst(g.Cg)), ci) : ci;
  const nb = g.bgc > 1 ? bin('add', bin('mul', grp!, iconst(g.outN)), n) : n;
  const lidx: SExpr[] = new Array(ndim);
  const ridx: SExpr[] = new Array(ndim);
  lidx[dn.lhs_spec[0]] = nb;
  lidx[dn.lhs_spec[1]] = c;
  ridx[dn.rhs_spec[0]] = o;
  ridx[dn.rhs_spec[1]] = ci;
  let ok: SExpr | null = null;
  for (const d of spatial) {
    const pos = inputPosition(g, d, outVars[dn.out_spec[2 + d]], kv[d]);
    lidx[dn.lhs_spec[2 + d]] = pos.idx;
    ridx[dn.rhs_spec[2 + d]] = kv[d];
    if (pos.ok) ok = and(ok, pos.ok);
  }
  const dt = out.dtype;
  const prod = product(lhs.at(lidx), rhs.at(ridx), dt);
  const body = ok === null ? prod : sel(ok, prod, cast(iconst(0), dt));
  const buf = ctx.newBuffer(out, 'temp');
  ctx.kernels.push({
    kind: 'reduce',
    out: buf,
    outShape: [...out.shape],
    redShape: order.map((r) => (r === 'c' ? g.Cg : g.kSp[r])),
    op: dt.isBool ? 'or' : 'add',
    body,
    epilogue: null,
  });
  return ctx.fromBuffer(buf, out);
}

/** `x` as a row-major buffer with its dimensions in the order `perm` (no copy when it is one). */
function permutedBuffer(ctx: LowerCtx, x: Lazy, perm: readonly number[]): number {
  if (x.buf !== null && perm.every((d, i) => d === i)) return x.buf;
  const aval = new ShapedArray(
    perm.map((d) => x.aval.shape[d]),
    x.aval.dtype,
  );
  const permuted = new Lazy(
    aval,
    (idx) => {
      const inIdx: SExpr[] = new Array(perm.length);
      perm.forEach((d, i) => {
        inIdx[d] = idx[i];
      });
      return x.at(inIdx);
    },
    x.cost + 1,
  );
  return ctx.materialize(permuted).buf!;
}

/** Whether the backend's `conv` library kernel takes this convolution. */
function useLib(
  ctx: LowerCtx,
  lhs: ShapedArray,
  rhs: ShapedArray,
  out: ShapedArray,
  g: ConvGeometry,
): boolean {
  return (
    convConfig.useLib &&
    ctx.libs.has('conv') &&
    (g.nsp === 1 || g.nsp === 2) &&
    lhs.dtype === float32 &&
    rhs.dtype === float32 &&
    out.dtype === float32 &&
    out.size > 0
  );
}

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
  return [lowerReduce(ctx, lhs, rhs, g, out)];
};
