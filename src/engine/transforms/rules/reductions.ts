/**
 * @file jvp, transpose and batch rules of the reductions (primitives/reductions.ts). reduce_sum is
 * linear (its transpose broadcasts); max/min use JAX's chooser rule (the tangent averaged over
 * the positions that attain the extremum); reduce_prod differentiates a pairwise product tree, as
 * JAX's _reduce_prod_jvp_rule does.
 */
import { bind1, type Value } from '../../core/trace.js';
import { NpInt } from '../../ir/pyrepr.js';
import * as L from '../../lax/elementwise.js';
import * as S from '../../lax/structural.js';
import * as R from '../../primitives/reductions.js';
import { reshape } from '../../primitives/structural.js';
import { instantiate, type JvpRule, jvpFlat, Zero } from '../jvp.js';
import type { TransposeRule, UndefPrimal } from '../transpose.js';
import type { BatchRule } from '../vmap.js';
import { defjvpZero, deflinear, setBatch } from './common.js';

const nums = (v: unknown): number[] => (v as readonly number[]).map(Number);

/** The reduced value broadcast back to the operand's shape (the kept dims come from np.delete in JAX). */
function unreduce(y: Value, shape: readonly number[], axes: number[]): Value {
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  return S.broadcastInDim(
    y,
    shape,
    kept.map((k) => new NpInt(k) as unknown as number),
  );
}

function reshapeTo(x: Value, shape: number[]): Value {
  if (x.shape.join() === shape.join()) return x;
  return bind1(reshape, [x], { new_sizes: shape, dimensions: null, sharding: null });
}

deflinear(R.reduce_sum);
R.reduce_sum.rules.transpose = (([ct], [x], p) => {
  const a = (x as UndefPrimal).aval;
  return [unreduce(instantiate(ct), a.shape, nums(p.axes))];
}) satisfies TransposeRule;

function chooserJvp(prim: typeof R.reduce_max): JvpRule {
  return ([x], [g], p) => {
    const ans = bind1(prim, [x], p);
    if (g instanceof Zero) return [[ans], [new Zero(ans.aval)]];
    const axes = nums(p.axes);
    const keep = x.shape.map((n, i) => (axes.includes(i) ? 1 : n));
    const where = L.convertElementType(L.eq(x, reshapeTo(ans, keep)), g.dtype);
    const counts = bind1(R.reduce_sum, [where], { axes, out_sharding: null });
    const picked = bind1(R.reduce_sum, [L.mul(g, where)], { axes, out_sharding: null });
    return [[ans], [L.div(picked, counts)]];
  };
}
R.reduce_max.rules.jvp = chooserJvp(R.reduce_max);
R.reduce_min.rules.jvp = chooserJvp(R.reduce_min);

/**
 * JAX's _reduce_prod_jvp_rule (lax.py's _reduce_jvp): the reduced axes are moved to the front and
 * flattened (one reshape with `dimensions`), then halved pairwise by `mul` until one row is left
 * (an odd half padded with 1), and that tree is differentiated: primal and tangent both come from
 * its jvp, which needs no division, so zeros of the operand are fine.
 */
R.reduce_prod.rules.jvp = (([x], [g], p) => {
  if (g instanceof Zero) {
    const ans = bind1(R.reduce_prod, [x], p);
    return [[ans], [new Zero(ans.aval)]];
  }
  const axes = nums(p.axes);
  const rest = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const n = axes.reduce((k, a) => k * x.shape[a], 1);
  const flat = [n, ...rest.map((i) => x.shape[i])];
  const perm = [...axes, ...rest];
  const one = L.convertElementType(1, x.dtype);
  const tree = (v: Value): Value[] => {
    while (v.shape[0] > 1) {
      const m = v.shape[0];
      const m1 = Math.ceil(m / 2);
      const lo = S.sliceInDim(v, 0, m1, 1, 0);
      let hi = S.sliceInDim(v, m1, m, 1, 0);
      if (m - m1 !== m1)
        hi = S.pad(
          hi,
          one,
          v.shape.map((_, d) => (d === 0 ? [0, 1, 0] : [0, 0, 0])),
        );
      v = L.mul(lo, hi);
    }
    if (v.shape[0] === 0) return [S.broadcastInDim(one, flat.slice(1), [])];
    return [S.squeeze(v, [0])];
  };
  const [[ans], [t]] = jvpFlat(tree, [S.reshape(x, flat, perm)], [S.reshape(instantiate(g), flat, perm)]);
  return [[ans], [t]];
}) satisfies JvpRule;

defjvpZero(R.reduce_and);
defjvpZero(R.reduce_or);

/** Reduce around the batch dim, which stays in the output (shifted left by the axes before it). */
function reduceBatch(prim: typeof R.reduce_sum): BatchRule {
  return ([x], [d], p) => {
    const bd = d!;
    const axes = nums(p.axes).map((k) => (k < bd ? k : k + 1));
    // JAX shifts the axes with NumPy, so the batched equation prints `axes=(np.int64(1),)`.
    const out = bind1(prim, [x], { ...p, axes: axes.map((k) => new NpInt(k)) });
    return [[out], [bd - axes.filter((k) => k < bd).length]];
  };
}
for (const p of [R.reduce_sum, R.reduce_prod, R.reduce_max, R.reduce_min, R.reduce_and, R.reduce_or])
  setBatch(p, reduceBatch(p));
