/**
 * @file lax's collectives over named axes (jax/_src/lax/parallel.py): psum, pmean, pmax, pmin,
 * allGather, psumScatter, allToAll, ppermute, axisIndex, axisSize. Each maps over a pytree's
 * leaves and binds its primitive on the trace of the vmap that owns the axis name (so that
 * `axisIndex('i')` or `psum(1, 'i')` see the vmap with no batched operand); inside a shard_map
 * (pmap) body the collectives are staged. psum of values that are not traced is the axis size
 * times the value, as JAX's constant case.
 */

import { scalarArray, toValue } from '../core/coerce.js';
import { int32 } from '../core/dtype.js';
import type { Params, Primitive } from '../core/primitive.js';
import { treeFlatten, treeUnflatten } from '../core/pytree.js';
import { normalizeAxis } from '../core/shape.js';
import { bind, bind1, isTracer, type Value } from '../core/trace.js';
import {
  all_gather_p,
  all_to_all_p,
  axis_index_p,
  pmax_p,
  pmin_p,
  ppermute_p,
  psum_p,
  reduce_scatter_p,
} from '../primitives/collectives.js';
import { convert_element_type, mul } from '../primitives/elementwise.js';
import { reduce_sum } from '../primitives/reductions.js';
import { broadcast_in_dim, squeeze } from '../primitives/structural.js';
import { type AxisName, type AxisRef, axisSizeOf, checkAxisNames } from '../transforms/axes.js';
import * as L from './elementwise.js';

export type AxisNames = AxisRef | readonly AxisRef[];

export interface GroupOptions {
  /** Groups of axis indices that reduce separately (`axis_index_groups`). */
  axisIndexGroups?: number[][] | null;
}

const tuple = (a: AxisNames): AxisRef[] => (Array.isArray(a) ? [...a] : [a as AxisRef]);
const named = (a: AxisRef[]): AxisName[] => a.filter((x): x is AxisName => typeof x === 'string');

/** Collectives bind on the trace of the vmap owning their axis names (core/trace.ts's hook). */
function bindAxis(prim: Primitive, args: Value[], params: Params, _names: AxisRef[]): Value[] {
  return bind(prim, args, params);
}

function mapLeaves<T>(x: T, f: (leaf: Value) => Value): T {
  const [leaves, tree] = treeFlatten(x);
  return treeUnflatten(
    tree,
    leaves.map((l) => f(toValue(l))),
  ) as T;
}

function checkGroups(axes: AxisRef[], groups: number[][] | null | undefined): void {
  if (groups && axes.some((a) => typeof a === 'number'))
    throw new Error('axis_index_groups only supported for sums over just named axes');
}

/** The size of the named axes (psum(1, axes)), or of a group. */
function groupSize(axes: AxisRef[], groups: number[][] | null | undefined): number {
  if (groups) return groups[0].length;
  checkAxisNames(axes, 'psum');
  return axisSizeOf(named(axes));
}

function isConcrete(leaf: unknown): boolean {
  return !isTracer(leaf);
}

/** Positional reduction of a concrete leaf for psum's constant case. */
function posReduce(prim: Primitive, x: Value, axes: AxisRef[]): Value {
  const pos = axes.filter((a): a is number => typeof a === 'number').map((a) => normalizeAxis(a, x.ndim));
  return pos.length ? bind1(prim, [x], { axes: pos, out_sharding: null }) : x;
}

/** lax.psum: the sum over the named (and positional) axes, of every leaf. */
export function psum<T>(x: T, axisName: AxisNames, opts: GroupOptions = {}): T {
  const axes = tuple(axisName);
  if (!axes.length) return x;
  checkGroups(axes, opts.axisIndexGroups);
  const [leaves0, tree] = treeFlatten(x);
  if (leaves0.every(isConcrete)) {
    const size = opts.axisIndexGroups ? opts.axisIndexGroups[0].length : axisSizeOf(named(axes));
    return treeUnflatten(
      tree,
      leaves0.map((l) => {
        if (typeof l === 'number') return size * l;
        const v = toValue(l);
        const r = posReduce(
          reduce_sum,
          v.dtype.isBool
            ? bind1(convert_element_type, [v], { new_dtype: int32, weak_type: false, sharding: null })
            : v,
          axes,
        );
        return bind1(mul, [scalarArray(size, r.dtype), r]);
      }),
    ) as T;
  }
  return treeUnflatten(
    tree,
    leaves0.map((l) => {
      let v = toValue(l);
      if (v.dtype.isBool)
        v = bind1(convert_element_type, [v], { new_dtype: int32, weak_type: false, sharding: null });
      return bindAxis(psum_p, [v], { axes, axis_index_groups: opts.axisIndexGroups ?? null }, axes)[0];
    }),
  ) as T;
}

/** lax.pmean: psum divided by the axis size. */
export function pmean<T>(x: T, axisName: AxisNames, opts: GroupOptions = {}): T {
  const s = psum(x, axisName, opts);
  const n = groupSize(tuple(axisName), opts.axisIndexGroups);
  return mapLeaves(s, (v) => L.div(v, n));
}

function reduceLike(prim: Primitive) {
  return <T>(x: T, axisName: AxisNames, opts: GroupOptions = {}): T => {
    const axes = tuple(axisName);
    checkGroups(axes, opts.axisIndexGroups);
    return mapLeaves(
      x,
      (v) => bindAxis(prim, [v], { axes, axis_index_groups: opts.axisIndexGroups ?? null }, axes)[0],
    );
  };
}

/** lax.pmax: the maximum over the named axes. */
export const pmax = reduceLike(pmax_p);
/** lax.pmin: the minimum over the named axes. */
export const pmin = reduceLike(pmin_p);

/**
 * all_gather and psum_scatter: `prim` bound on each leaf with `params` of the leaf and the group's
 * params (axis_index_groups, axis_name, axis_size, in that order); the value itself over no names.
 */
function overGroup<T>(
  x: T,
  axisName: AxisNames,
  opts: GroupOptions,
  prim: Primitive,
  params: (v: Value, group: Params) => Params,
): T {
  const names = tuple(axisName);
  if (!names.length) return x;
  const size = groupSize(names, opts.axisIndexGroups);
  const group = { axis_index_groups: opts.axisIndexGroups ?? null, axis_name: names, axis_size: size };
  return mapLeaves(x, (v) => bindAxis(prim, [v], params(v, group), names)[0]);
}

export interface AllGatherOptions extends GroupOptions {
  /** Where the gathered axis goes (default 0). */
  axis?: number;
  /** Concatenate the chunks along `axis` instead of stacking them in a new axis. */
  tiled?: boolean;
}

/** lax.all_gather: every member's value, stacked (or concatenated, tiled) along `axis`. */
export function allGather<T>(x: T, axisName: AxisNames, opts: AllGatherOptions = {}): T {
  const tiled = opts.tiled ?? false;
  return overGroup(x, axisName, opts, all_gather_p, (v, group) => ({
    all_gather_dimension: normalizeAxis(opts.axis ?? 0, tiled ? v.ndim : v.ndim + 1),
    ...group,
    tiled,
  }));
}

export interface PsumScatterOptions extends GroupOptions {
  scatterDimension?: number;
  tiled?: boolean;
}

/** lax.psum_scatter: psum, each member keeping its slice along `scatterDimension`. */
export function psumScatter<T>(x: T, axisName: AxisNames, opts: PsumScatterOptions = {}): T {
  return overGroup(x, axisName, opts, reduce_scatter_p, (_v, group) => ({
    ...group,
    scatter_dimension: opts.scatterDimension ?? 0,
    tiled: opts.tiled ?? false,
  }));
}

export interface AllToAllOptions extends GroupOptions {
  tiled?: boolean;
}

/** lax.all_to_all: split `splitAxis` across the members, gather the mapped axis at `concatAxis`. */
export function allToAll<T>(
  x: T,
  axisName: AxisNames,
  splitAxis: number,
  concatAxis: number,
  opts: AllToAllOptions = {},
): T {
  const tiled = opts.tiled ?? false;
  const names = tuple(axisName);
  return mapLeaves(x, (v0) => {
    let v = v0;
    let split = splitAxis;
    let concat = concatAxis;
    const n = groupSize(names, opts.axisIndexGroups);
    if (tiled) {
      if (v.shape[split] % n !== 0)
        throw new Error(
          `The size of all_to_all split_axis (${v.shape[split]}) has to be divisible by the size of the named axis ${String(axisName)} (${n})`,
        );
    } else {
      if (n !== v.shape[split])
        throw new Error(
          `all_to_all requires the size of the mapped axis axis_name to equal x.shape[split_axis], but they are ${n} and ${v.shape[split]} respectively.`,
        );
      if (split < concat) {
        concat += 1;
        v = expandDims(v, concat);
      } else if (split > concat) {
        v = expandDims(v, concat);
        split += 1;
      }
    }
    const p = {
      axis_index_groups: opts.axisIndexGroups ?? null,
      axis_name: axisName,
      concat_axis: concat,
      split_axis: split,
      tiled,
    };
    let r = bindAxis(all_to_all_p, [v], p, names)[0];
    if (!tiled && split !== concat) r = bind1(squeeze, [r], { dimensions: [split] });
    return r;
  });
}

function expandDims(v: Value, d: number): Value {
  const shape = [...v.shape];
  shape.splice(d, 0, 1);
  const dims = v.shape.map((_, i) => (i < d ? i : i + 1));
  return bind1(broadcast_in_dim, [v], { shape, broadcast_dimensions: dims, sharding: null });
}

/** lax.ppermute: send each member's value to another ((source, destination) pairs); others get 0. */
export function ppermute<T>(x: T, axisName: AxisNames, perm: readonly (readonly [number, number])[]): T {
  const names = tuple(axisName);
  const pairs = perm.map(([s, d]) => [s, d] as [number, number]);
  return mapLeaves(x, (v) => bindAxis(ppermute_p, [v], { axis_name: names, perm: pairs }, names)[0]);
}

/** lax.axis_index: this member's index along the named axis (row-major over several names). */
export function axisIndex(axisName: AxisNames): Value {
  if (!Array.isArray(axisName))
    return bindAxis(axis_index_p, [], { axis_name: axisName }, [axisName as AxisRef])[0];
  let index: Value = toValue(0);
  let inner = 1;
  for (const name of [...(axisName as AxisRef[])].reverse()) {
    index = L.add(index, L.mul(axisIndex(name), inner));
    inner *= axisSize(name);
  }
  return index;
}

/** lax.axis_size: the size of the named axis (a JS number, as JAX's int). */
export function axisSize(axisName: AxisNames): number {
  return groupSize(tuple(axisName), null);
}
