/**
 * @file The collective primitives of jax/_src/lax/parallel.py, with JAX's names and params:
 * psum / pmax / pmin (`axes`, `axis_index_groups`), all_gather, reduce_scatter (psum_scatter),
 * all_to_all, ppermute and axis_index. Their named axes are resolved by a vmap or shard_map that
 * binds the name (transforms/axes.ts): vmap's batching rules (transforms/rules/collectives.ts)
 * turn a named psum into one over a positional axis, which is all a kernel ever runs; shard_map
 * (pmap) runs its body under such a vmap. Abstract evaluation raises JAX's NameError for an
 * axis name nothing binds.
 */

import type { LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { int32 } from '../core/dtype.js';
import { definePrimitive, type Params, type Primitive } from '../core/primitive.js';
import { shapeTuple } from '../core/shape.js';
import { PyRaw } from '../ir/pyrepr.js';
import { type AxisRef, axisSizeOf, checkAxisNames } from '../transforms/axes.js';

/** A Python-like repr of an axis (`'i'`, `0`) for printed params. */
export function axisRepr(a: AxisRef): AxisRef | PyRaw {
  return typeof a === 'string' ? new PyRaw(`'${a}'`) : a;
}

/** An axis_name param as the API was given it: a name, or a tuple of names. */
export function axisNameRepr(n: unknown): unknown {
  return Array.isArray(n) ? n.map(axisRepr) : n;
}

export function asTuple(n: unknown): AxisRef[] {
  return Array.isArray(n) ? (n as AxisRef[]) : [n as AxisRef];
}

function notMapped(name: string): never {
  throw new Error(`${name} must be used within a mapped context like vmap or shard_map.`);
}

/** Reductions over (named and positional) axes: psum, pmax, pmin. */
function allReduce(name: string, op: 'add' | 'max' | 'min'): Primitive {
  return definePrimitive(name, {
    abstractEval([a], p) {
      const axes = asTuple(p.axes);
      checkAxisNames(axes, 'psum');
      const pos = axes.filter((x): x is number => typeof x === 'number');
      if (p.axis_index_groups !== null && p.axis_index_groups !== undefined && pos.length)
        throw new Error(
          `axis_index_groups can only be used with reductions over named axes, but got: ${shapeTuple(axes as number[])}`,
        );
      return [a.withShape(a.shape.filter((_, d) => !pos.includes(d)))];
    },
    // Named axes are batched away before anything runs; what remains reduces positional axes.
    lower: ((ctx, [x], p, [out]) => {
      const axes = asTuple(p.axes);
      if (axes.some((a) => typeof a !== 'number')) notMapped(name);
      return [ctx.reduce(x, axes as number[], op, out)];
    }) satisfies LowerRule,
    ppParams: (p: Params) => ({
      axes: asTuple(p.axes).map(axisRepr),
      axis_index_groups: p.axis_index_groups ?? null,
    }),
    axisNames: (p: Params) => asTuple(p.axes),
  });
}

export const psum_p = allReduce('psum', 'add');
export const pmax_p = allReduce('pmax', 'max');
export const pmin_p = allReduce('pmin', 'min');

/**
 * A collective over the named axes of its `axis_name` param: abstract evaluation checks that
 * something binds them, and it cannot run outside the vmap or shard_map that does.
 */
function namedCollective(
  name: string,
  outAval: (avals: ShapedArray[], p: Params, names: AxisRef[]) => ShapedArray,
  ppParams: (p: Params) => Params = (p) => ({ ...p, axis_name: axisNameRepr(p.axis_name) }),
): Primitive {
  return definePrimitive(name, {
    abstractEval(avals, p) {
      const names = asTuple(p.axis_name);
      checkAxisNames(names, name);
      return [outAval(avals, p, names)];
    },
    lower: (() => notMapped(name)) satisfies LowerRule,
    ppParams,
    axisNames: (p: Params) => asTuple(p.axis_name),
  });
}

export const all_gather_p = namedCollective('all_gather', ([a], p) => {
  const shape = [...a.shape];
  const d = Number(p.all_gather_dimension);
  const n = Number(p.axis_size);
  if (p.tiled) shape[d] *= n;
  else shape.splice(d, 0, n);
  return a.withShape(shape);
});

export const reduce_scatter_p = namedCollective('reduce_scatter', ([a], p) => {
  const d = Number(p.scatter_dimension);
  const n = Number(p.axis_size);
  const shape = [...a.shape];
  if (p.tiled) {
    if (shape[d] % n !== 0)
      throw new Error(
        `tiled reduce_scatter operand scatter dimension size ${shape[d]} must be divisible by shard_count ${n}`,
      );
    shape[d] /= n;
  } else {
    if (shape[d] !== n)
      throw new Error(
        `reduce_scatter operand scatter dimension size ${shape[d]} must match shard count ${n}`,
      );
    shape.splice(d, 1);
  }
  return a.withShape(shape);
});

export const all_to_all_p = namedCollective(
  'all_to_all',
  ([a], p, names) => {
    const groups = p.axis_index_groups as number[][] | null | undefined;
    const n = groups ? groups[0].length : axisSizeOf(names as string[]);
    const shape = [...a.shape];
    const s = Number(p.split_axis);
    const c = Number(p.concat_axis);
    shape[s] /= n;
    shape[c] *= n;
    return new ShapedArray(shape, a.dtype, false);
  },
  (p: Params) => ({
    axis_index_groups: p.axis_index_groups ?? null,
    axis_name: axisNameRepr(p.axis_name),
    concat_axis: p.concat_axis,
    split_axis: p.split_axis,
    tiled: p.tiled,
  }),
);

export const ppermute_p = namedCollective(
  'ppermute',
  ([a]) => a,
  (p: Params) => ({ axis_name: axisNameRepr(p.axis_name), perm: p.perm }),
);

export const axis_index_p = namedCollective(
  'axis_index',
  () => new ShapedArray([], int32),
  (p: Params) => ({ axis_name: axisNameRepr(p.axis_name) }),
);
