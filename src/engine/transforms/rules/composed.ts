/**
 * @file Lowering and rules of the primitives of primitives/composed.ts. cumlogsumexp and
 * reduce_xor lower as JAX's `mlir.lower_fun` does: a lax composition is traced to a jaxpr (once
 * per operand types and params) and its equations are lowered in place, so they fuse like any
 * other. cumlogsumexp's value is the associative scan of logaddexp and its jvp, as JAX's
 * _cumulative_jvp_rule has it, the jvp of that scan with lax/other.ts's custom-jvp logaddexp; reduce_xor is a pairwise xor tree. optimization_barrier's jvp and transpose put
 * the tangents or cotangents through a barrier of their own, as lax.py's do.
 */
import type { Lazy, LowerRule } from '../../compile/lower.js';
import { ShapedArray } from '../../core/aval.js';
import type { Params } from '../../core/primitive.js';
import { bind, bind1, type Value } from '../../core/trace.js';
import * as L from '../../lax/elementwise.js';
import { logaddexp as laxLogaddexp } from '../../lax/other.js';
import * as S from '../../lax/structural.js';
import { cumlogsumexp, optimization_barrier, reduce_xor } from '../../primitives/composed.js';
import { mulhi } from '../../primitives/mulhi.js';
import { makeJaxpr } from '../jit.js';
import { instantiate, type JvpRule } from '../jvp.js';
import type { TransposeRule } from '../transpose.js';
import { moveBatchAxis } from '../vmap.js';
import { broadcastBatcher, defjvpZero, setBatch } from './common.js';
import { associativeScan, cumJvp } from './sorting.js';

type V = Value;

/** JAX's mlir.lower_fun: lower `impl`'s jaxpr for these operand types and params in place. */
function lowerFun(impl: (xs: V[], p: Params) => V[]): LowerRule {
  const cache = new Map<string, ReturnType<ReturnType<typeof makeJaxpr>>>();
  return (ctx, ins: Lazy[], p) => {
    const key = JSON.stringify([ins.map((l) => [l.aval.dtype.name, l.aval.shape, l.aval.weakType]), p]);
    let cj = cache.get(key);
    if (!cj) {
      const avals = ins.map((l) => new ShapedArray(l.aval.shape, l.aval.dtype, l.aval.weakType));
      cj = makeJaxpr((...xs: V[]) => impl(xs, p))(...(avals as never[]));
      if (cj.consts.length) throw new Error('lowerFun: the composition must not close over arrays');
      cache.set(key, cj);
    }
    return ctx.lowerJaxpr(cj.jaxpr, [], ins);
  };
}

/** jax._src.lax.other.logaddexp's value: NaN differences (same-signed infinities) add. */
function logaddexp(a: V, b: V): V {
  const delta = L.sub(a, b);
  return L.select(L.ne(delta, delta), L.add(a, b), L.add(L.max(a, b), L.log1p(L.exp(L.neg(L.abs(delta))))));
}

/** cumlogsumexp as a composition (also its StableHLO export, export/rules/composed.ts). */
export function cumlogsumexpImpl(x: V, p: Params): V {
  return associativeScan(logaddexp, x, Number(p.axis), Boolean(p.reverse));
}

cumlogsumexp.rules.lower = lowerFun(([x], p) => [cumlogsumexpImpl(x, p)]);

cumlogsumexp.rules.jvp = cumJvp(cumlogsumexp, (a, b) => laxLogaddexp(a, b) as V);

setBatch(cumlogsumexp, ([x], [d], p, n) => [
  [bind1(cumlogsumexp, [moveBatchAxis(x, d, 0, n)], { ...p, axis: Number(p.axis) + 1 })],
  [0],
]);

/** xor over the last axis, halving it each step (a zero pads an odd length). */
function xorLast(x: V): V {
  let v = x;
  while (v.shape[v.ndim - 1] > 1) {
    const n = v.shape[v.ndim - 1];
    const axis = v.ndim - 1;
    if (n % 2)
      v = S.pad(
        v,
        L.convertElementType(0, v.dtype),
        v.shape.map((_, d) => (d === axis ? [0, 1, 0] : [0, 0, 0]) as [number, number, number]),
      );
    const h = v.shape[axis] / 2;
    v = L.bitwiseXor(S.sliceInDim(v, 0, h, 1, axis), S.sliceInDim(v, h, 2 * h, 1, axis));
  }
  return S.squeeze(v, [v.ndim - 1]);
}

/** reduce_xor as a composition (also its StableHLO export, export/rules/composed.ts). */
export function reduceXorImpl(x: V, p: Params): V {
  const axes = (p.axes as number[]).map(Number);
  const keep = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const moved = S.transpose(x, [...keep, ...axes]);
  const size = axes.reduce((s, a) => s * x.shape[a], 1);
  const flat = S.reshape(moved, [...keep.map((d) => x.shape[d]), size]);
  if (size === 0) return S.broadcastInDim(L.convertElementType(0, x.dtype), flat.shape.slice(0, -1), []);
  return xorLast(flat);
}

reduce_xor.rules.lower = lowerFun(([x], p) => [reduceXorImpl(x, p)]);

defjvpZero(reduce_xor);

setBatch(reduce_xor, ([x], [d], p, n) => [
  [bind1(reduce_xor, [moveBatchAxis(x, d, 0, n)], { axes: (p.axes as number[]).map((a) => Number(a) + 1) })],
  [0],
]);

optimization_barrier.rules.jvp = ((primals, tangents) => [
  bind(optimization_barrier, primals, {}),
  bind(optimization_barrier, tangents.map(instantiate), {}),
]) satisfies JvpRule;

optimization_barrier.rules.transpose = ((cts) =>
  bind(optimization_barrier, cts.map(instantiate), {})) satisfies TransposeRule;

setBatch(optimization_barrier, (xs, ds) => [bind(optimization_barrier, xs, {}), ds]);

defjvpZero(mulhi);
setBatch(mulhi, broadcastBatcher(mulhi));
