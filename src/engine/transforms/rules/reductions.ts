/**
 * @file jvp, transpose and batch rules of the reductions (primitives/reductions.ts). reduce_sum is
 * linear (its transpose broadcasts); max/min use JAX's chooser rule (the tangent averaged over
 * the positions that attain the extremum); reduce_prod multiplies each tangent by the product of
 * the other factors (exclusive products, so zeros of the operand are handled), as JAX does.
 */
import { bind1, type Value } from '../../core/trace.js';
import { NpInt } from '../../ir/pyrepr.js';
import * as L from '../../lax/elementwise.js';
import * as S from '../../lax/structural.js';
import * as R from '../../primitives/reductions.js';
import { cumprod } from '../../primitives/sorting.js';
import { reshape, transpose } from '../../primitives/structural.js';
import { instantiate, type JvpRule, Zero } from '../jvp.js';
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
 * The tangent of a product is sum_i g_i * prod_{j != i} x_j. The products that leave one factor
 * out come from exclusive cumulative products from both ends (no division, so zeros of the
 * operand are fine), after moving the reduced axes to the front and flattening them.
 */
R.reduce_prod.rules.jvp = (([x], [g], p) => {
  const ans = bind1(R.reduce_prod, [x], p);
  if (g instanceof Zero) return [[ans], [new Zero(ans.aval)]];
  const axes = nums(p.axes);
  const rest = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const n = axes.reduce((k, a) => k * x.shape[a], 1);
  const flat = [n, ...rest.map((i) => x.shape[i])];
  const perm = [...axes, ...rest];
  const moved = (v: Value) =>
    perm.every((d, i) => d === i) ? v : bind1(transpose, [v], { permutation: perm });
  const toFront = (v: Value) => reshapeTo(moved(v), flat);
  const xf = toFront(x);
  const gf = toFront(instantiate(g));
  if (n === 0) return [[ans], [new Zero(ans.aval)]];
  const cfg = (lo: number, hi: number) =>
    flat.map((_, d) => (d === 0 ? [lo, hi, 0] : [0, 0, 0]) as [number, number, number]);
  const before = S.pad(S.sliceInDim(cumprodFront(xf, false), 0, n - 1, 1, 0), 1, cfg(1, 0));
  const after = S.pad(S.sliceInDim(cumprodFront(xf, true), 1, n, 1, 0), 1, cfg(0, 1));
  const t = bind1(R.reduce_sum, [L.mul(gf, L.mul(before, after))], { axes: [0], out_sharding: null });
  return [[ans], [t]];
}) satisfies JvpRule;

/** Inclusive cumulative product along axis 0. */
function cumprodFront(x: Value, reverse: boolean): Value {
  return bind1(cumprod, [x], { axis: 0, reverse });
}

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
