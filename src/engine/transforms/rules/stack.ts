/**
 * @file jvp, transpose and batch rules of stack, unstack and tile (primitives/stack.ts), as JAX
 * 0.10.2's lax.py writes them: all three are linear; stack and unstack transpose into each
 * other; tile's cotangent is reshaped to (reps, size) pairs and summed over the reps; the batch
 * rules keep a shared batch dim where they can.
 */
import { bind, bind1, type Value } from '../../core/trace.js';
import { broadcast } from '../../lax/structural.js';
import { reduce_sum } from '../../primitives/reductions.js';
import * as P from '../../primitives/stack.js';
import { reshape } from '../../primitives/structural.js';
import { instantiate, Zero } from '../jvp.js';
import { type TransposeRule, UndefPrimal } from '../transpose.js';
import { type BatchRule, moveBatchAxis } from '../vmap.js';
import { deflinear, setBatch } from './common.js';

const nums = (v: unknown): number[] => (v as readonly number[]).map(Number);

deflinear(P.stack);
deflinear(P.unstack);
deflinear(P.tile);

P.stack.rules.transpose = ((cts, xs, p) => {
  const [ct] = cts;
  if (ct instanceof Zero) return xs.map((x) => (x instanceof UndefPrimal ? new Zero(x.aval) : null));
  return bind(P.unstack, [ct], { axis: Number(p.axis) });
}) satisfies TransposeRule;

P.unstack.rules.transpose = ((cts, [x], p) => {
  if (cts.every((c) => c instanceof Zero)) return [new Zero((x as UndefPrimal).aval)];
  return [bind1(P.stack, cts.map(instantiate), { axis: Number(p.axis) })];
}) satisfies TransposeRule;

P.tile.rules.transpose = (([ct], [x], p) => {
  const a = (x as UndefPrimal).aval;
  const reps = nums(p.reps);
  const pairs = a.shape.flatMap((n, i) => [reps[i], n]);
  const r = bind1(reshape, [instantiate(ct)], { new_sizes: pairs, dimensions: null, sharding: null });
  return [bind1(reduce_sum, [r], { axes: a.shape.map((_, i) => 2 * i), out_sharding: null })];
}) satisfies TransposeRule;

setBatch(P.stack, ((vals, dims, p, n) => {
  const axis = Number(p.axis);
  const bd = dims[0];
  if (bd !== null && dims.every((d) => d === bd)) {
    const [outAxis, outBd] = axis <= bd ? [axis, bd + 1] : [axis + 1, bd];
    return [[bind1(P.stack, vals, { axis: outAxis })], [outBd]];
  }
  // batching.moveaxis for batched operands, lax.broadcast for the others.
  const ops = vals.map((v, i) => (dims[i] === null ? broadcast(v, [n]) : moveBatchAxis(v, dims[i], 0, n)));
  return [[bind1(P.stack, ops, { axis: axis + 1 })], [0]];
}) satisfies BatchRule);

setBatch(P.unstack, (([x], [bd], p) => {
  const axis = Number(p.axis);
  if (bd === null) {
    const outs = bind(P.unstack, [x], p);
    return [outs, outs.map(() => null)];
  }
  const [outAxis, outBd] = axis < bd ? [axis, bd - 1] : [axis + 1, bd];
  const outs = bind(P.unstack, [x], { axis: outAxis });
  return [outs, outs.map(() => outBd)];
}) satisfies BatchRule);

setBatch(P.tile, (([x], [bd], p) => {
  const reps = nums(p.reps);
  reps.splice(bd as number, 0, 1);
  return [[bind1(P.tile, [x as Value], { reps })], [bd]];
}) satisfies BatchRule);
