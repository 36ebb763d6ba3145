/**
 * @file Rules of stack, unstack and tile (primitives/stacking.ts), JAX 0.10.2's (lax.py): all
 * three are linear; stack's transpose is unstack of the cotangent and unstack's is stack of the
 * cotangents (zeros instantiated); tile's sums the cotangent reshaped to (reps[0], n[0], ...) over
 * the repetition axes. Batching moves the stacking axis past the batch dimension (stack brings
 * mixed batch dims to the front first); tile gets a 1 for the batch dimension.
 */
import { bind, bind1, type Value } from '../../core/trace.js';
import { reduce_sum } from '../../primitives/reductions.js';
import { stack, tile, unstack } from '../../primitives/stacking.js';
import { reshape } from '../../primitives/structural.js';
import { instantiate, Zero } from '../jvp.js';
import { type TransposeRule, UndefPrimal } from '../transpose.js';
import { moveBatchAxis } from '../vmap.js';
import { deflinear, setBatch } from './common.js';

const nums = (v: unknown): number[] => (v as readonly number[]).map(Number);

for (const p of [stack, unstack, tile]) deflinear(p);

stack.rules.transpose = (([ct], xs, p) => {
  if (ct instanceof Zero) return xs.map((x) => (x instanceof UndefPrimal ? new Zero(x.aval) : null));
  const parts = bind(unstack, [ct], { axis: Number(p.axis) });
  return xs.map((x, i) => (x instanceof UndefPrimal ? parts[i] : null));
}) satisfies TransposeRule;

unstack.rules.transpose = ((cts, [x], p) => {
  if (cts.every((c) => c instanceof Zero)) return [new Zero((x as UndefPrimal).aval)];
  return [bind1(stack, cts.map(instantiate), { axis: Number(p.axis) })];
}) satisfies TransposeRule;

tile.rules.transpose = (([ct], [x], p) => {
  const a = (x as UndefPrimal).aval;
  if (ct instanceof Zero) return [new Zero(a)];
  if (!(x instanceof UndefPrimal)) return [null];
  const reps = nums(p.reps);
  const pairs = a.shape.flatMap((n, d) => [reps[d], n]);
  const r = bind1(reshape, [ct], { new_sizes: pairs, dimensions: null, sharding: null });
  return [bind1(reduce_sum, [r], { axes: a.shape.map((_, d) => 2 * d), out_sharding: null })];
}) satisfies TransposeRule;

setBatch(stack, (xs, ds, p, n) => {
  const axis = Number(p.axis);
  const b = ds[0];
  if (b !== null && ds.every((d) => d === b)) {
    const [outAxis, outB] = axis <= b ? [axis, b + 1] : [axis + 1, b];
    return [[bind1(stack, xs, { axis: outAxis })], [outB]];
  }
  const front = xs.map((x, i) => moveBatchAxis(x as Value, ds[i], 0, n));
  return [[bind1(stack, front, { axis: axis + 1 })], [0]];
});

setBatch(unstack, ([x], [d], p) => {
  const axis = Number(p.axis);
  const b = d as number;
  const [outAxis, outB] = axis < b ? [axis, b - 1] : [axis + 1, b];
  const outs = bind(unstack, [x], { axis: outAxis });
  return [outs, outs.map(() => outB)];
});

setBatch(tile, ([x], [d], p) => {
  const reps = nums(p.reps);
  reps.splice(d as number, 0, 1);
  return [[bind1(tile, [x], { reps })], [d]];
});
