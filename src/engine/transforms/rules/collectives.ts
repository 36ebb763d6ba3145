/**
 * @file jvp, transpose and batch rules of the collectives (primitives/collectives.ts), after
 * jax/_src/lax/parallel.py. All but pmax/pmin are linear (their jvp applies them to tangents;
 * JAX defines no derivative for pmax and pmin). Transposes: psum's is a psum over its named axes
 * (psum is psum + pbroadcast, so cotangents are summed again; positional axes broadcast back),
 * all_gather's a psum_scatter, psum_scatter's an all_gather, ppermute's the inverse permutation,
 * all_to_all's the swapped axes. Batch rules: over the vmap's own axis a collective becomes array
 * code on the batch dimension (psum a positional psum, all_gather the batch itself, axis_index an
 * iota, ppermute a take, ...) with JAX's exact equations; over other axes it passes through with
 * its positional params shifted.
 */

import { scalarArray } from '../../core/coerce.js';
import type { Params, Primitive } from '../../core/primitive.js';
import { bind1, type Value } from '../../core/trace.js';
import {
  all_gather_p,
  all_to_all_p,
  asTuple,
  axis_index_p,
  pmax_p,
  pmin_p,
  ppermute_p,
  psum_p,
  reduce_scatter_p,
} from '../../primitives/collectives.js';
import { mul } from '../../primitives/elementwise.js';
import { reduce_sum } from '../../primitives/reductions.js';
import { broadcast_in_dim, iota, reshape, transpose } from '../../primitives/structural.js';
import type { AxisRef } from '../axes.js';
import { instantiate } from '../jvp.js';
import type { TransposeRule, UndefPrimal } from '../transpose.js';
import { type BatchDim, type BatchRule, currentAxisName } from '../vmap.js';
import { deflinear } from './common.js';

/** What rules need from the numpy layer, set by lax/parallel.ts (rules must not import namespaces). */
export const collectiveHooks: { take?: (x: Value, idx: number[], axis: number) => Value } = {};

function moveAxis(x: Value, src: number, dst: number): Value {
  if (src === dst) return x;
  const perm = x.shape.map((_, i) => i).filter((i) => i !== src);
  perm.splice(dst, 0, src);
  return bind1(transpose, [x], { permutation: perm });
}

function reshapeTo(x: Value, shape: number[]): Value {
  return bind1(reshape, [x], { new_sizes: shape, dimensions: null, sharding: null });
}

/** parallel._splitaxis: dimension `axis` becomes (factor, size / factor). */
function splitAxis(axis: number, factor: number, x: Value): Value {
  const s = [...x.shape];
  s.splice(axis, 1, factor, s[axis] / factor);
  return reshapeTo(x, s);
}

/** parallel._foldaxis: dimensions `axis` and `axis + 1` become one. */
function foldAxis(axis: number, x: Value): Value {
  const s = [...x.shape];
  s.splice(axis, 2, x.shape[axis] * x.shape[axis + 1]);
  return reshapeTo(x, s);
}

const shiftPos = (axes: AxisRef[], f: (a: AxisRef) => AxisRef) => axes.map(f);

/** parallel._batched_reduction_collective for psum, pmax and pmin. */
function reductionBatch(prim: Primitive): BatchRule {
  return ([v], [d], p, axisSize) => {
    const name = currentAxisName();
    const axes = asTuple(p.axes);
    const groups = p.axis_index_groups ?? null;
    const ours = name !== null && axes.includes(name);
    if (d === null) {
      if (!ours) return [[bind1(prim, [v], p)], [null]];
      if (groups) throw new Error('axis_index_groups are not supported for collectives over a vmapped axis');
      const rest = axes.filter((a) => a !== name);
      const arg = rest.length ? bind1(prim, [v], { axes: rest, axis_index_groups: groups }) : v;
      if (prim !== psum_p) return [[arg], [null]];
      return [[bind1(mul, [scalarArray(axisSize, arg.dtype), arg])], [null]];
    }
    if (!ours && !axes.some((a) => typeof a === 'number')) return [[bind1(prim, [v], p)], [d]];
    if (groups)
      throw new Error('axis_index_groups not supported in vmap collectives. Please open a feature request!');
    const front = moveAxis(v, d, 0);
    const newAxes = shiftPos(axes, (a) => (typeof a === 'number' ? a + 1 : a === name ? 0 : a));
    const out = bind1(prim, [front], { axes: newAxes, axis_index_groups: null });
    return [[out], [ours ? null : 0]];
  };
}

psum_p.rules.batch = reductionBatch(psum_p);
pmax_p.rules.batch = reductionBatch(pmax_p);
pmin_p.rules.batch = reductionBatch(pmin_p);

deflinear(psum_p);
psum_p.rules.transpose = (([ct], [x], p) => {
  const axes = asTuple(p.axes);
  const named = axes.filter((a) => typeof a === 'string');
  const pos = axes.filter((a): a is number => typeof a === 'number');
  let c = instantiate(ct);
  if (pos.length) {
    const shape = (x as UndefPrimal).aval.shape;
    const kept = shape.map((_, i) => i).filter((i) => !pos.includes(i));
    c = bind1(broadcast_in_dim, [c], { shape: [...shape], broadcast_dimensions: kept, sharding: null });
  }
  return [bind1(psum_p, [c], { axes: named, axis_index_groups: p.axis_index_groups ?? null })];
}) satisfies TransposeRule;

axis_index_p.rules.batch = ((_v, _d, p, axisSize) => {
  const name = currentAxisName();
  if (name === null || !asTuple(p.axis_name).includes(name)) return [[bind1(axis_index_p, [], p)], [null]];
  return [[bind1(iota, [], { dtype: 'int32', shape: [axisSize], dimension: 0, sharding: null })], [0]];
}) satisfies BatchRule;

/**
 * The batcher of all_gather and reduce_scatter (parallel._all_gather_batched_collective and
 * _reduce_scatter_collective): over other axis names the collective runs as it is, its dimension
 * moved past the batch dim; over the vmapped name `overBatch` computes it from the batch.
 */
function dimCollectiveBatch(
  prim: Primitive,
  dimParam: string,
  name: string,
  overBatch: (x: Value, d0: BatchDim, dim: number, tiled: boolean, axisSize: number) => [Value, BatchDim],
): BatchRule {
  return ([x], [d0], p, axisSize) => {
    const axis = currentAxisName();
    const names = asTuple(p.axis_name);
    let dim = Number(p[dimParam]);
    const tiled = Boolean(p.tiled);
    if (axis === null || !names.includes(axis)) {
      if (d0 === null) return [[bind1(prim, [x], p)], [null]];
      let d = d0;
      if (d <= dim) dim += 1;
      else if (!tiled) d += 1;
      return [[bind1(prim, [x], { ...p, [dimParam]: dim })], [d]];
    }
    if (p.axis_index_groups) throw new Error('axis_index_groups not supported in vmap');
    if (names.length > 1)
      throw new Error(
        `${name} over several axis names under vmap is not supported. Please open a feature request!`,
      );
    const [y, d] = overBatch(x, d0, dim, tiled, axisSize);
    return [[y], [d]];
  };
}

all_gather_p.rules.batch = dimCollectiveBatch(
  all_gather_p,
  'all_gather_dimension',
  'all_gather',
  (x, d0, dim, tiled, axisSize) => {
    let y: Value;
    if (d0 === null) {
      const shape = [...x.shape];
      shape.splice(dim, 0, axisSize);
      const bdims = shape.map((_, i) => i).filter((i) => i !== dim);
      y = bind1(broadcast_in_dim, [x], { shape, broadcast_dimensions: bdims, sharding: null });
    } else y = moveAxis(x, d0, dim);
    if (tiled) y = foldAxis(dim, y);
    return [y, null];
  },
);
deflinear(all_gather_p);

reduce_scatter_p.rules.batch = dimCollectiveBatch(
  reduce_scatter_p,
  'scatter_dimension',
  'psum_scatter',
  (x, d0, dim, tiled, axisSize) => {
    let y =
      d0 === null
        ? bind1(mul, [x, scalarArray(axisSize, x.dtype)])
        : bind1(reduce_sum, [x], { axes: [d0], out_sharding: null });
    if (tiled) y = splitAxis(dim, axisSize, y);
    return [y, dim];
  },
);
deflinear(reduce_scatter_p);

/** parallel._all_to_all_batched_collective (one axis name). */
all_to_all_p.rules.batch = (([x0], [d0], p, axisSize) => {
  const name = currentAxisName();
  const names = asTuple(p.axis_name);
  const split = Number(p.split_axis);
  const concat = Number(p.concat_axis);
  if (p.axis_index_groups) throw new Error('Please open a feature request!');
  if (name === null || !names.includes(name)) {
    if (d0 === null) return [[bind1(all_to_all_p, [x0], p)], [null]];
    const np: Params = {
      ...p,
      split_axis: split + (d0 <= split ? 1 : 0),
      concat_axis: concat + (d0 <= concat ? 1 : 0),
    };
    return [[bind1(all_to_all_p, [x0], np)], [d0]];
  }
  if (names.length > 1)
    throw new Error(
      'all_to_all over several axis names under vmap is not supported. Please open a feature request!',
    );
  let x = x0;
  let d = d0;
  if (d === null) {
    x = bind1(broadcast_in_dim, [x], {
      shape: [axisSize, ...x.shape],
      broadcast_dimensions: x.shape.map((_, i) => i + 1),
      sharding: null,
    });
    d = 0;
  }
  if (split === concat) {
    const axis = split + (d <= split ? 1 : 0);
    const pre = d;
    const s = splitAxis(axis, axisSize, x);
    const dd = d + (axis <= d ? 1 : 0);
    const perm = s.shape.map((_, i) => i);
    perm[dd] = axis;
    perm[axis] = dd;
    return [[foldAxis(axis, bind1(transpose, [s], { permutation: perm }))], [pre]];
  }
  const xc = foldAxis(concat, moveAxis(x, d, concat));
  return [[splitAxis(split, axisSize, xc)], [split]];
}) satisfies BatchRule;
deflinear(all_to_all_p);
all_to_all_p.rules.transpose = (([ct], _args, p) => [
  bind1(all_to_all_p, [instantiate(ct)], { ...p, split_axis: p.concat_axis, concat_axis: p.split_axis }),
]) satisfies TransposeRule;

/** parallel._ppermute_batcher: over the vmapped axis, a take along the batch dimension. */
ppermute_p.rules.batch = (([v], [d], p, axisSize) => {
  const name = currentAxisName();
  const names = asTuple(p.axis_name);
  if (name === null || !names.includes(name)) return [[bind1(ppermute_p, [v], p)], [d]];
  const rest = names.filter((a) => a !== name);
  if (rest.length) return [[bind1(ppermute_p, [v], { ...p, axis_name: rest })], [d]];
  const perm = p.perm as [number, number][];
  if (perm.length !== axisSize) throw new Error("Permutation doesn't match the axis size!");
  if (d === null) return [[v], [null]];
  const idx = new Array<number>(axisSize).fill(0);
  for (const [src, dst] of perm) idx[dst] = src;
  if (!collectiveHooks.take) throw new Error('ppermute batching needs the numpy namespace loaded');
  return [[collectiveHooks.take(v, idx, d)], [d as BatchDim]];
}) satisfies BatchRule;
deflinear(ppermute_p);
ppermute_p.rules.transpose = (([ct], _args, p) => {
  const perm = p.perm as [number, number][];
  return [bind1(ppermute_p, [instantiate(ct)], { ...p, perm: perm.map(([s, t]) => [t, s]) })];
}) satisfies TransposeRule;

/** all_gather's transpose is psum_scatter along the gathered dimension, and the reverse. */
all_gather_p.rules.transpose = (([ct], _args, p) => [
  bind1(reduce_scatter_p, [instantiate(ct)], {
    axis_index_groups: p.axis_index_groups ?? null,
    axis_name: asTuple(p.axis_name),
    axis_size: p.axis_size,
    scatter_dimension: p.all_gather_dimension,
    tiled: p.tiled,
  }),
]) satisfies TransposeRule;
reduce_scatter_p.rules.transpose = (([ct], _args, p) => [
  bind1(all_gather_p, [instantiate(ct)], {
    all_gather_dimension: p.scatter_dimension,
    axis_index_groups: p.axis_index_groups ?? null,
    axis_name: asTuple(p.axis_name),
    axis_size: p.axis_size,
    tiled: p.tiled,
  }),
]) satisfies TransposeRule;
