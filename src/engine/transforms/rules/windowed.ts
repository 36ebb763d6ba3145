/**
 * @file jvp, transpose and batch rules of the windowed reductions (primitives/windowed.ts), as
 * JAX 0.10.2 defines them in jax/_src/lax/windowed_reductions.py:
 *   - reduce_window_sum is linear; its transpose pads the cotangent (interior padding stride - 1,
 *     edges from _conv_general_vjp_lhs_padding) and sums windows again, strided by the base
 *     dilation (_reduce_window_sum_transpose_rule);
 *   - reduce_window_max/min differentiate through select_and_gather_add (the tangent at the
 *     element each window selects: the first extremum), whose transpose is select_and_scatter_add,
 *     whose transpose is select_and_gather_add again; both are linear in their first operand;
 *   - the general reduce_window's jvp is a reduce_window over (operands, tangents) whose body is
 *     the body's jvp; it has no transpose, so reverse mode fails as JAX's does (partial-eval);
 *   - batching makes the batch dimension a window dimension of size 1 (moved to the front for the
 *     general form and the select_and_* pair).
 */

import { dilateDim } from '../../compile/window.js';
import { scalarArray } from '../../core/coerce.js';
import type { Params, Primitive } from '../../core/primitive.js';
import { shapeTuple } from '../../core/shape.js';
import { bind, bind1, type Value } from '../../core/trace.js';
import { evalJaxpr } from '../../ir/eval.js';
import type { Jaxpr } from '../../ir/jaxpr.js';
import { NpInt } from '../../ir/pyrepr.js';
import { reduceWindow } from '../../lax/windowed.js';
import { ge, le } from '../../primitives/elementwise.js';
import { broadcast_in_dim, pad, slice } from '../../primitives/structural.js';
import * as W from '../../primitives/windowed.js';
import { instantiate, type JvpRule, jvpFlat, Zero } from '../jvp.js';
import type { TransposeRule, UndefPrimal } from '../transpose.js';
import { type BatchRule, bdimAtFront } from '../vmap.js';
import { deflinear, setBatch } from './common.js';

const nums = (v: unknown): number[] => (v as readonly unknown[]).map(Number);
const GEOMETRY = [
  'window_dimensions',
  'window_strides',
  'padding',
  'base_dilation',
  'window_dilation',
] as const;

/** The params with a size-1 window dimension inserted at `d` (a batch dimension). */
function withBatchDim(p: Params, d: number, keys: readonly string[]): Params {
  const out: Params = { ...p };
  for (const k of keys) {
    const xs = [...(p[k] as unknown[])];
    xs.splice(d, 0, k === 'padding' ? [0, 0] : 1);
    out[k] = xs;
  }
  return out;
}

/**
 * batching.bdim_at_front: the batch dimension moved to the front, or an unbatched value broadcast
 * along a new leading one (JAX computes those dimensions with np.delete, so they print as np.int64).
 */
function atFront(x: Value, d: number | null, size: number): Value {
  if (d !== null) return bdimAtFront(x, d, size);
  return bind1(broadcast_in_dim, [x], {
    shape: [size, ...x.shape],
    broadcast_dimensions: x.shape.map((_, i) => new NpInt(i + 1)),
    sharding: null,
  });
}

// ---- reduce_window_sum ---------------------------------------------------------------------------

deflinear(W.reduce_window_sum);

W.reduce_window_sum.rules.transpose = (([ct], [x], p) => {
  const aval = (x as UndefPrimal).aval;
  if (ct instanceof Zero) return [new Zero(aval)];
  const dims = nums(p.window_dimensions);
  const strides = nums(p.window_strides);
  const base = nums(p.base_dilation);
  const wdil = nums(p.window_dilation);
  const lows = (p.padding as unknown[][]).map((q) => Number(q[0]));
  // convolution._conv_general_vjp_lhs_padding, computed with NumPy in JAX (so np.int64 params).
  const config = aval.shape.map((n, d) => {
    const lhs = dilateDim(n, base[d]);
    const rhs = dilateDim(dims[d], wdil[d]);
    const out = dilateDim(ct.shape[d], strides[d]);
    const before = rhs - lows[d] - 1;
    const after = lhs + rhs - 1 - out - before;
    return [new NpInt(before), new NpInt(after), strides[d] - 1];
  });
  const padded = bind1(pad, [ct, scalarArray(0, ct.dtype)], { padding_config: config });
  const ones = dims.map(() => 1);
  const result = bind1(W.reduce_window_sum, [padded], {
    window_dimensions: dims,
    window_strides: base,
    padding: dims.map(() => [0, 0]),
    base_dilation: ones,
    window_dilation: wdil,
  });
  return [result];
}) satisfies TransposeRule;

// ---- reduce_window_max / min ---------------------------------------------------------------------

function chooserJvp(prim: Primitive, select: Primitive): JvpRule {
  return ([x], [g], p) => {
    const ans = bind1(prim, [x], p);
    if (g instanceof Zero) return [[ans], [new Zero(ans.aval)]];
    const geometry = Object.fromEntries(GEOMETRY.map((k) => [k, p[k]]));
    return [[ans], [bind1(W.select_and_gather_add, [g, x], { select_prim: select, ...geometry })]];
  };
}
W.reduce_window_max.rules.jvp = chooserJvp(W.reduce_window_max, ge);
W.reduce_window_min.rules.jvp = chooserJvp(W.reduce_window_min, le);

function specialisedBatch(prim: Primitive): BatchRule {
  return ([x], [d], p) => [[bind1(prim, [x], withBatchDim(p, d!, GEOMETRY))], [d]];
}
for (const prim of [W.reduce_window_sum, W.reduce_window_max, W.reduce_window_min])
  setBatch(prim, specialisedBatch(prim));

// ---- the general reduce_window -------------------------------------------------------------------

/**
 * reduce_window_jvp: the body's jvp folded over (operands, operand tangents) from (inits, zeros).
 * The body's new operands come in JAX's order: left (primals, tangents), right (primals, tangents).
 */
W.reduce_window.rules.jvp = ((primals, tangents, p) => {
  const n = primals.length >> 1;
  const ops = primals.slice(0, n);
  const inits = primals.slice(n);
  if (!tangents.slice(n).every((t) => t instanceof Zero))
    throw new TypeError('reduce_window jvp does not support non-zero init_value_tangent.');
  const initTangents = inits.map((v) => instantiate(new Zero(v.aval)));
  const body = p.jaxpr as Jaxpr;
  const consts = p.consts as Value[];
  const wrapper = (left: Value[], right: Value[]) => {
    const [po, to] = jvpFlat(
      (...xs) => evalJaxpr(body, consts, xs),
      [...left.slice(0, n), ...right.slice(0, n)],
      [...left.slice(n), ...right.slice(n)],
    );
    return [...po, ...to.map(instantiate)];
  };
  const outs = reduceWindow(
    [...ops, ...tangents.slice(0, n).map(instantiate)],
    [...inits, ...initTangents],
    wrapper,
    nums(p.window_dimensions),
    nums(p.window_strides),
    (p.padding as unknown[][]).map((q) => [Number(q[0]), Number(q[1])] as [number, number]),
    nums(p.base_dilation),
    nums(p.window_dilation),
  ) as Value[];
  return [outs.slice(0, n), outs.slice(n)];
}) satisfies JvpRule;

W.reduce_window.rules.batch = ((vals, dims, p, size) => {
  const n = vals.length >> 1;
  if (dims.slice(n).some((d) => d !== null))
    throw new W.NotImplementedError('reduce_window batching is not implemented for initial values');
  const ops = vals.slice(0, n).map((v, i) => atFront(v, dims[i], size));
  const outs = bind(W.reduce_window, [...ops, ...vals.slice(n)], withBatchDim(p, 0, GEOMETRY));
  return [outs, outs.map(() => 0)];
}) satisfies BatchRule;

// ---- select_and_scatter_add / select_and_gather_add ----------------------------------------------

/** Linear in the first operand; the operand only chooses where (its tangent does not matter). */
function linearInFirst(prim: Primitive): JvpRule {
  return ([a, x], [g], p) => {
    const out = bind1(prim, [a, x], p);
    if (g instanceof Zero) return [[out], [new Zero(out.aval)]];
    return [[out], [bind1(prim, [g, x], p)]];
  };
}
W.select_and_scatter_add.rules.jvp = linearInFirst(W.select_and_scatter_add);
W.select_and_gather_add.rules.jvp = linearInFirst(W.select_and_gather_add);

W.select_and_scatter_add.rules.transpose = (([t], [source, operand], p) => {
  const aval = (source as UndefPrimal).aval;
  if (t instanceof Zero) return [new Zero(aval), null];
  const ones = nums(p.window_dimensions).map(() => 1);
  const g = bind1(W.select_and_gather_add, [t, operand as Value], {
    select_prim: p.select_prim,
    window_dimensions: p.window_dimensions,
    window_strides: p.window_strides,
    padding: p.padding,
    base_dilation: ones,
    window_dilation: ones,
  });
  return [g, null];
}) satisfies TransposeRule;

W.select_and_gather_add.rules.transpose = (([t], [tangents, operand0], p) => {
  const wdil = nums(p.window_dilation);
  if (wdil.some((d) => d !== 1))
    throw new W.NotImplementedError(
      `VJP not implemented for select_and_gather (MaxPool) with window dilation, got window_dilation=${shapeTuple(wdil)}.`,
    );
  const aval = (tangents as UndefPrimal).aval;
  if (t instanceof Zero) return [new Zero(aval), null];
  const base = nums(p.base_dilation);
  const dilated = base.some((d) => d !== 1);
  let operand = operand0 as Value;
  if (dilated) {
    const which = p.select_prim === ge ? 'max' : 'min';
    const identity = scalarArray(W.reductionIdentity(operand.dtype, which), operand.dtype);
    operand = bind1(pad, [operand, identity], { padding_config: base.map((d) => [0, 0, d - 1]) });
  }
  let result = bind1(W.select_and_scatter_add, [t, operand], {
    select_prim: p.select_prim,
    window_dimensions: p.window_dimensions,
    window_strides: p.window_strides,
    padding: p.padding,
  });
  if (dilated)
    result = bind1(slice, [result], {
      start_indices: result.shape.map(() => 0),
      limit_indices: [...result.shape],
      strides: base,
    });
  return [result, null];
}) satisfies TransposeRule;

function selectBatch(prim: Primitive, keys: readonly string[]): BatchRule {
  return ([a, x], [da, dx], p, size) => {
    const out = bind1(prim, [atFront(a, da, size), atFront(x, dx, size)], withBatchDim(p, 0, keys));
    return [[out], [0]];
  };
}
setBatch(W.select_and_scatter_add, selectBatch(W.select_and_scatter_add, GEOMETRY.slice(0, 3)));
setBatch(W.select_and_gather_add, selectBatch(W.select_and_gather_add, GEOMETRY));
