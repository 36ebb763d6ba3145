/**
 * @file shard_map (jax/_src/shard_map.py): a function of per-device blocks mapped over a mesh,
 * staged as one `shard_map[jaxpr mesh in_specs out_specs check_vma newly_manual_axes]` equation
 * whose body refers to the mesh's axes by name (collectives). tjax's devices of one platform share
 * a process, so the equation runs as its definition: each mesh axis a named vmap over the blocks
 * (an input split along a dimension is reshaped to (members, block) and batched there; an output
 * goes back the same way; one replicated over an axis is member 0's, as JAX's check_vma=False
 * takes it). Collectives then batch into array code (rules/collectives.ts) and the CPU worker pool
 * runs the result. Under jvp and vmap the equation is replaced by that definition; the export
 * lowers it as JAX does, to `sdy.manual_computation` with real collectives.
 */

import { bin, constant, type SExpr, sel } from '../compile/kir.js';
import type { LowerRule } from '../compile/lower.js';
import { Lazy } from '../compile/lower.js';
import type { ArrayImpl } from '../core/array.js';
import { ShapedArray } from '../core/aval.js';
import { definePrimitive, type Params } from '../core/primitive.js';
import { bind, bind1, type Value } from '../core/trace.js';
import { evalJaxpr } from '../ir/eval.js';
import type { Jaxpr } from '../ir/jaxpr.js';
import { PyRaw } from '../ir/pyrepr.js';
import { reshape, slice } from '../primitives/structural.js';
import { type Mesh, P, type PartitionSpec } from '../sharding.js';
import { withAxisFrame } from './axes.js';
import { convertConstvars } from './jit.js';
import { type JvpRule, jvpFlat } from './jvp.js';
import { traceToJaxpr } from './staging.js';
import { type BatchDim, type BatchRule, batchFlat, moveBatchAxis } from './vmap.js';

/** The dimension of a spec split over mesh axis `name` (tjax splits a dimension over one axis). */
function dimOf(spec: PartitionSpec, name: string, ndim: number): number | null {
  for (let d = 0; d < ndim; d++) {
    const axes = spec.axesOf(d);
    if (axes.length > 1)
      throw new Error(
        `shard_map: dimension ${d} split over several mesh axes (${axes.join(', ')}) is not supported`,
      );
    if (axes[0] === name) return d;
  }
  return null;
}

function reshapeTo(x: Value, shape: readonly number[]): Value {
  if (x.shape.join() === shape.join()) return x;
  return bind1(reshape, [x], { new_sizes: [...shape], dimensions: null, sharding: null });
}

/** Member 0's value along batch dimension `d`. */
function first(x: Value, d: number): Value {
  const start = x.shape.map(() => 0);
  const limit = x.shape.map((n, i) => (i === d ? 1 : n));
  const s = bind1(slice, [x], { start_indices: start, limit_indices: limit, strides: null });
  return reshapeTo(
    s,
    x.shape.filter((_, i) => i !== d),
  );
}

export interface ShardMapParams {
  jaxpr: Jaxpr;
  mesh: Mesh;
  in_specs: PartitionSpec[];
  out_specs: PartitionSpec[];
}

/** The shard_map's meaning: nested named vmaps over the mesh axes, outermost first. */
export function expandShardMap(p: ShardMapParams, args: readonly Value[]): Value[] {
  const { jaxpr, mesh } = p;
  const level = (k: number, xs: Value[]): Value[] => {
    if (k === mesh.axisNames.length) return evalJaxpr(jaxpr, [], xs);
    const name = mesh.axisNames[k];
    const n = mesh.axisSizes[k];
    const dims: BatchDim[] = [];
    const vals = xs.map((x, i) => {
      const d = dimOf(p.in_specs[i], name, x.ndim);
      dims.push(d);
      if (d === null) return x;
      return reshapeTo(x, [...x.shape.slice(0, d), n, x.shape[d] / n, ...x.shape.slice(d + 1)]);
    });
    const [outs, outDims] = batchFlat((...ys) => level(k + 1, ys), vals, dims, n, name);
    return outs.map((o, j) => {
      const bd = outDims[j];
      const d = dimOf(p.out_specs[j], name, o.ndim - (bd === null ? 0 : 1));
      if (d === null) return bd === null ? o : first(o, bd);
      const moved = moveBatchAxis(o, bd, d, n);
      return reshapeTo(moved, [
        ...moved.shape.slice(0, d),
        n * moved.shape[d + 1],
        ...moved.shape.slice(d + 2),
      ]);
    });
  };
  return level(0, [...args]);
}

function params(p: Params): ShardMapParams {
  return p as unknown as ShardMapParams;
}

/** A block's global shape: dimensions split over mesh axes grow by the axes' sizes. */
export function globalAval(block: ShapedArray, spec: PartitionSpec, mesh: Mesh): ShapedArray {
  const shape = block.shape.map((n, d) => n * spec.axesOf(d).reduce((k, a) => k * mesh.sizeOf(a), 1));
  return new ShapedArray(shape, block.dtype, block.weakType);
}

/** An input's block shape. */
export function blockAval(global: ShapedArray, spec: PartitionSpec, mesh: Mesh): ShapedArray {
  const shape = global.shape.map((n, d) => {
    const k = spec.axesOf(d).reduce((m, a) => m * mesh.sizeOf(a), 1);
    if (n % k !== 0)
      throw new Error(
        `shard_map applied to the function was given an argument whose dimension ${d} of size ${n} is not divisible by ${k}, the size of the mesh axes it is split over`,
      );
    return n / k;
  });
  return new ShapedArray(shape, global.dtype, global.weakType);
}

/** A small constant array as a lazy kernel value (the expansion's gather indices, ...). */
function constLazy(x: ArrayImpl): Lazy {
  const data = x.dataSync();
  if (data.length > 256) throw new Error('shard_map lowering: a traced constant larger than 256 elements');
  const strides = x.shape.map((_, d) => x.shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return new Lazy(
    x.aval,
    (idx) => {
      const flat = idx.reduce(
        (acc, e, d) => bin('add', acc, bin('mul', e, constant(strides[d], e.dt))),
        constant(0, idx[0]?.dt ?? x.dtype),
      );
      let e: SExpr = constant(data[data.length - 1] as number, x.dtype);
      for (let i = data.length - 2; i >= 0; i--)
        e = sel(bin('eq', flat, constant(i, flat.dt)), constant(data[i] as number, x.dtype), e);
      return e;
    },
    data.length,
  );
}

export const shard_map_p = definePrimitive(
  'shard_map',
  {
    abstractEval(_avals, p) {
      const sp = params(p);
      return sp.jaxpr.outAvals.map((a, i) => globalAval(a, sp.out_specs[i], sp.mesh));
    },
    impl(args, p) {
      return expandShardMap(params(p), args as Value[]);
    },
    lower: ((ctx, ins, p) => {
      const closed = traceToJaxpr(
        (...xs) => expandShardMap(params(p), xs),
        ins.map((x) => x.aval),
      );
      const { jaxpr, consts } = convertConstvars(closed);
      return ctx.lowerJaxpr(jaxpr.jaxpr, [], [...consts.map((c) => constLazy(c as ArrayImpl)), ...ins]);
    }) satisfies LowerRule,
    jvp: ((primals, tangents, p) => {
      const n = primals.length;
      return jvpFlat((...xs) => expandShardMap(params(p), xs.slice(0, n)), primals, tangents);
    }) satisfies JvpRule,
    batch: ((vals, dims, p, axisSize) =>
      batchFlat((...xs) => expandShardMap(params(p), xs), vals, dims, axisSize)) satisfies BatchRule,
    ppParams: (p: Params) => {
      const sp = params(p);
      const axes = sp.mesh.axisNames.map((a) => `'${a}'`).join(', ');
      return {
        check_vma: p.check_vma,
        in_specs: sp.in_specs,
        jaxpr: sp.jaxpr,
        mesh: sp.mesh,
        newly_manual_axes: new PyRaw(`frozenset({${axes}})`),
        out_specs: sp.out_specs,
      };
    },
  },
  true,
);

/**
 * shard_map on flat values: trace `f` on the blocks with the mesh axes bound (collectives over
 * them are staged), then bind the equation. `outSpecs` gives the outputs' specs once their number
 * is known (pmap's out_axes prefix).
 */
export function shardMapFlat(
  f: (...blocks: Value[]) => Value[],
  mesh: Mesh,
  inSpecs: readonly PartitionSpec[],
  outSpecs: (nOut: number) => PartitionSpec[],
  args: readonly Value[],
  checkVma = false,
): Value[] {
  const blocks = args.map((x, i) => blockAval(x.aval, inSpecs[i], mesh));
  const frames = mesh.axisNames.map((name, i) => ({ name, size: mesh.axisSizes[i], main: null }));
  const traceIn = (k: number): ReturnType<typeof traceToJaxpr> =>
    k === frames.length ? traceToJaxpr(f, blocks) : withAxisFrame(frames[k], () => traceIn(k + 1));
  const closed = traceIn(0);
  const { jaxpr, consts } = convertConstvars(closed);
  const specs = [...consts.map(() => P()), ...inSpecs];
  return bind(shard_map_p, [...consts, ...args], {
    jaxpr: jaxpr.jaxpr,
    mesh,
    in_specs: specs,
    out_specs: outSpecs(jaxpr.jaxpr.outvars.length),
    check_vma: checkVma,
  });
}
