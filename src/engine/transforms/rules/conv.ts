/**
 * @file jvp, transpose and batch rules of conv_general_dilated (primitives/conv.ts), after
 * jax/_src/lax/convolution.py (JAX 0.10.2), so that grad and vmap print JAX's jaxprs:
 * - jvp: the primitive is bilinear (ad.defbilinear): conv(tx, y) + conv(x, ty), same params.
 * - transpose w.r.t. lhs (_conv_general_dilated_transpose_lhs): a convolution of the cotangent
 *   with the spatially reversed kernel, its in/out feature roles swapped, strides and lhs
 *   dilation exchanged, padding from _conv_general_vjp_lhs_padding; feature groups move into the
 *   kernel's output features, batch groups become feature groups and move back into the batch.
 * - transpose w.r.t. rhs (_conv_general_dilated_transpose_rhs): a convolution of the lhs with the
 *   cotangent in which batch and feature swap roles (feature groups become batch groups and vice
 *   versa), strides and rhs dilation exchanged, padding from _conv_general_vjp_rhs_padding.
 * - batch (_conv_general_dilated_batch_rule): a vmapped axis folds into the lhs batch (lhs only),
 *   the kernel's output features (rhs only), or the feature/batch groups (both), by
 *   _reshape_axis_into / _reshape_axis_out_of, so vmap of a convolution stays one convolution.
 */
import { ShapedArray } from '../../core/aval.js';
import { scalarArray } from '../../core/coerce.js';
import type { Params } from '../../core/primitive.js';
import { bind1, type Value } from '../../core/trace.js';
import { convertElementType } from '../../lax/convert.js';
import { reshape } from '../../lax/structural.js';
import {
  ConvDimensionNumbers,
  type ConvParams,
  conv_general_dilated,
  convParams,
  dilateShape,
  take,
} from '../../primitives/conv.js';
import { broadcast_in_dim, rev } from '../../primitives/structural.js';
import { instantiate, Zero } from '../jvp.js';
import { type TransposeRule, UndefPrimal } from '../transpose.js';
import type { BatchRule } from '../vmap.js';
import { defbilinear, setBatch } from './common.js';

type V = Value;

function conv(lhs: V, rhs: V, p: ConvParams, changes: Partial<ConvParams>): V {
  return bind1(conv_general_dilated, [lhs, rhs], { ...p, ...changes } as unknown as Params);
}

/** Swap the first two entries of a spec (_conv_spec_transpose). */
const specT = (s: readonly number[]) => [s[1], s[0], ...s.slice(2)];
const sdims = (s: readonly number[]) => s.slice(2);

/**
 * _reshape_axis_into: merge axis `src` into axis `dst` (numbered after src is removed) as its
 * major part.
 */
export function reshapeAxisInto(src: number, dst: number, x: V): V {
  const perm = x.shape.map((_, i) => i).filter((i) => i !== src);
  perm.splice(dst, 0, src);
  const shape = x.shape.filter((_, i) => i !== src);
  shape[dst] *= x.shape[src];
  return reshape(x, shape, perm);
}

/** _reshape_axis_out_of: split axis `src` into (size1, rest). */
export function reshapeAxisOutOf(src: number, size1: number, x: V): V {
  const shape = [...x.shape];
  shape.splice(src, 1, size1, shape[src] / size1);
  return reshape(x, shape);
}

// ---- jvp -----------------------------------------------------------------------------------------

defbilinear(conv_general_dilated);

// ---- transpose -----------------------------------------------------------------------------------

/** _conv_general_vjp_lhs_padding (side 'lhs') and _conv_general_vjp_rhs_padding (side 'rhs'). */
function vjpPadding(
  side: 'lhs' | 'rhs',
  inShape: number[],
  window: number[],
  strides: number[],
  outShape: number[],
  padding: [number, number][],
  lhsDil: number[],
  rhsDil: number[],
): [number, number][] {
  if (side === 'rhs' && inShape.length === 0) return [];
  const lhsD = dilateShape(inShape, lhsDil);
  const rhsD = dilateShape(window, rhsDil);
  const outD = dilateShape(outShape, strides);
  if (side === 'rhs') return padding.map(([lo], i) => [lo, outD[i] - lhsD[i] + (rhsD[i] - lo - 1)]);
  return lhsD.map((l, i) => {
    const before = rhsD[i] - padding[i][0] - 1;
    return [before, l + rhsD[i] - 1 - outD[i] - before];
  });
}

/**
 * The convolution that transposes one side (the tail of JAX's _conv_general_dilated_transpose_lhs
 * and _rhs): the window strides exchanged with that side's dilation, the padding from vjpPadding
 * (the primal shapes laid out as `p.dimension_numbers` says), the result in the primal's dtype.
 */
function transposedConv(
  side: 'lhs' | 'rhs',
  [lhs, rhs]: [V, V],
  [lhsShape, rhsShape, outShape]: (readonly number[])[],
  p: ConvParams,
  changes: Pick<ConvParams, 'dimension_numbers' | 'feature_group_count' | 'batch_group_count'>,
  dtype: V['dtype'],
): V {
  const { lhs_spec: ls, rhs_spec: rs, out_spec: os } = p.dimension_numbers;
  const padding = vjpPadding(
    side,
    take(lhsShape, sdims(ls)),
    take(rhsShape, sdims(rs)),
    p.window_strides,
    take(outShape, sdims(os)),
    p.padding,
    p.lhs_dilation,
    p.rhs_dilation,
  );
  const dilation = side === 'lhs' ? 'lhs_dilation' : 'rhs_dilation';
  const swapped = { window_strides: [...p[dilation]], [dilation]: [...p.window_strides] };
  const out = conv(lhs, rhs, p, { ...changes, padding, ...swapped });
  return out.dtype !== dtype ? convertElementType(out, dtype) : out;
}

function transposeLhs(g: V, lhsShape: readonly number[], lhsDtype: V['dtype'], rhsIn: V, p: ConvParams): V {
  const { lhs_spec: ls, rhs_spec: rs, out_spec: os } = p.dimension_numbers;
  const rhsShape = rhsIn.shape;
  let rhs = rhsIn;
  let fgc = p.feature_group_count;
  const bgc = p.batch_group_count;
  if (fgc > 1) {
    rhs = reshapeAxisInto(rs[0], rs[1], reshapeAxisOutOf(rs[0], fgc, rhs));
  } else if (bgc > 1) {
    rhs = reshapeAxisInto(rs[0], rs[1], reshapeAxisOutOf(rs[0], bgc, rhs));
    fgc = bgc;
  }
  const dn = new ConvDimensionNumbers(os, specT(rs), ls);
  let revd = bind1(rev, [rhs], { dimensions: sdims(rs) });
  if (g.dtype !== revd.dtype) revd = convertElementType(revd, g.dtype);
  const groups = { dimension_numbers: dn, feature_group_count: fgc, batch_group_count: 1 };
  let out = transposedConv('lhs', [g, revd], [lhsShape, rhsShape, g.shape], p, groups, lhsDtype);
  if (bgc > 1) out = reshapeAxisInto(ls[1], ls[0], reshapeAxisOutOf(ls[1], bgc, out));
  return out;
}

function transposeRhs(g: V, lhsIn: V, rhsShape: readonly number[], rhsDtype: V['dtype'], p: ConvParams): V {
  const dn0 = p.dimension_numbers;
  let fgc = p.feature_group_count;
  let bgc = p.batch_group_count;
  if (bgc > 1) {
    fgc = bgc;
    bgc = 1;
  } else if (fgc > 1) {
    bgc = fgc;
    fgc = 1;
  }
  const dn = new ConvDimensionNumbers(specT(dn0.lhs_spec), specT(dn0.out_spec), specT(dn0.rhs_spec));
  const lhs = g.dtype !== lhsIn.dtype ? convertElementType(lhsIn, g.dtype) : lhsIn;
  const groups = { dimension_numbers: dn, feature_group_count: fgc, batch_group_count: bgc };
  return transposedConv('rhs', [lhs, g], [lhsIn.shape, rhsShape, g.shape], p, groups, rhsDtype);
}

conv_general_dilated.rules.transpose = (([ct], [x, y], params) => {
  const p = convParams(params);
  if (x instanceof UndefPrimal) {
    if (y instanceof UndefPrimal) throw new Error('conv_general_dilated transpose: both operands are linear');
    if (ct instanceof Zero) return [new Zero(x.aval), null];
    return [transposeLhs(instantiate(ct), x.aval.shape, x.aval.dtype, y as V, p), null];
  }
  const r = y as UndefPrimal;
  if (ct instanceof Zero) return [null, new Zero(r.aval)];
  const g = instantiate(ct);
  // Avoids degenerate convolutions whose rhs has spatial size 0.
  if (g.size === 0) return [null, new Zero(r.aval)];
  return [null, transposeRhs(g, x as V, r.aval.shape, r.aval.dtype, p)];
}) satisfies TransposeRule;

// ---- batch ---------------------------------------------------------------------------------------

setBatch(conv_general_dilated, (([lhs, rhs], [lb, rb], params) => {
  const p = convParams(params);
  const { lhs_spec: ls, rhs_spec: rs, out_spec: os } = p.dimension_numbers;
  let fgc = p.feature_group_count;
  let bgc = p.batch_group_count;
  if (lb === null && rb === null) return [[bind1(conv_general_dilated, [lhs, rhs], params)], [null]];
  // Reshaping into batch or feature dims does not work with a size-0 vmapped axis: the result is
  // an empty array of the right shape.
  if ((lb !== null && lhs.shape[lb] === 0) || (rb !== null && rhs.shape[rb] === 0)) {
    const drop = (v: V, d: number | null) => v.aval.shape.filter((_, i) => i !== d);
    const [out] = conv_general_dilated.rules.abstractEval(
      [new ShapedArray(drop(lhs, lb), lhs.dtype), new ShapedArray(drop(rhs, rb), rhs.dtype)],
      params,
    );
    const dt = p.preferred_element_type ?? lhs.dtype;
    const zero = bind1(broadcast_in_dim, [scalarArray(0, dt)], {
      shape: [0, ...out.shape],
      broadcast_dimensions: [],
      sharding: null,
    });
    return [[zero], [0]];
  }
  if (lb !== null && rb !== null) {
    let newLhs: V;
    if (bgc > 1) {
      newLhs = reshapeAxisInto(lb, ls[0], lhs);
      bgc *= lhs.shape[lb];
    } else {
      newLhs = reshapeAxisInto(lb, ls[1], lhs);
      fgc *= lhs.shape[lb];
    }
    const newRhs = reshapeAxisInto(rb, rs[0], rhs);
    const out = conv(newLhs, newRhs, p, { feature_group_count: fgc, batch_group_count: bgc });
    return [[reshapeAxisOutOf(os[1], lhs.shape[lb], out)], [os[1]]];
  }
  if (lb !== null) {
    let newLhs: V;
    if (bgc === 1) {
      newLhs = reshapeAxisInto(lb, ls[0], lhs);
    } else {
      newLhs = reshapeAxisOutOf(ls[0] + (lb <= ls[0] ? 1 : 0), bgc, lhs);
      newLhs = reshapeAxisInto(lb + (ls[0] < lb ? 1 : 0), ls[0] + 1, newLhs);
      newLhs = reshapeAxisInto(ls[0], ls[0], newLhs);
    }
    const out = conv(newLhs, rhs, p, {});
    return [[reshapeAxisOutOf(os[0], lhs.shape[lb], out)], [os[0]]];
  }
  const b = rb!;
  if (fgc === 1 && bgc === 1) {
    const newRhs = reshapeAxisInto(b, rs[0], rhs);
    const out = conv(lhs, newRhs, p, {});
    return [[reshapeAxisOutOf(os[1], rhs.shape[b], out)], [os[1]]];
  }
  // Groups must stay outermost in the kernel's output features: factor them out, fold the batch
  // in under them, and undo the same on the output.
  const groupCount = fgc > 1 ? fgc : bgc;
  let newRhs = reshapeAxisOutOf(rs[0] + (b <= rs[0] ? 1 : 0), groupCount, rhs);
  newRhs = reshapeAxisInto(b + (rs[0] < b ? 1 : 0), rs[0] + 1, newRhs);
  newRhs = reshapeAxisInto(rs[0], rs[0], newRhs);
  let out = conv(lhs, newRhs, p, {});
  out = reshapeAxisOutOf(os[1], groupCount, out);
  out = reshapeAxisOutOf(os[1] + 1, rhs.shape[b], out);
  out = reshapeAxisInto(os[1], os[1] + 1, out);
  return [[out], [os[1]]];
}) satisfies BatchRule);
