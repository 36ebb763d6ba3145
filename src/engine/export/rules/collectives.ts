/**
 * @file Export rules of the collectives and of shard_map, after jax/_src/lax/parallel.py and
 * shard_map.py with Shardy (JAX 0.10's default): a shard_map is `sdy.manual_computation` over
 * the module's `@mesh`, whose body sees per-device blocks; inside it psum/pmax/pmin are
 * `stablehlo.all_reduce`, all_gather, psum_scatter (reduce_scatter), all_to_all and ppermute
 * (collective_permute) their StableHLO ops, with JAX's replica groups (pxla.axis_groups over the
 * mesh), channel handle 1 and global device ids; axis_index is partition_id arithmetic. Over
 * positional axes (what vmap leaves) psum and friends are plain reductions.
 */

import { uint32 } from '../../core/dtype.js';
import type { Params } from '../../core/primitive.js';
import { indexOffset, stridesOf } from '../../core/shape.js';
import type { Jaxpr } from '../../ir/jaxpr.js';
import type { Mesh, PartitionSpec } from '../../sharding.js';
import { denseI64 } from '../attrs.js';
import {
  broadcastInDim,
  constant,
  convert,
  elementwise,
  functionalType,
  genericRegions,
  reduce,
  reducerRegion,
  reshape,
  scalarConst,
  tt,
  ty,
} from '../hlo.js';
import { avalType, jaxprSubcomp, type ModuleCtx, type RuleCtx, registerExportRule } from '../lower.js';
import { type Builder, Op, Region, type TensorType, type Value } from '../mlir.js';
import { maxIdentity, minIdentity } from './reductions.js';

type AxisRef = string | number;
const asTuple = (n: unknown): AxisRef[] => (Array.isArray(n) ? (n as AxisRef[]) : [n as AxisRef]);

/** The mesh the lowering is inside (a shard_map body), as the module context records it. */
function meshOf(ctx: RuleCtx, what: string): Mesh {
  const m = ctx.mod.meshObj as Mesh | null;
  if (!m) throw new Error(`StableHLO export: ${what} over a named axis outside a shard_map or pmap`);
  return m;
}

/** pxla.axis_groups: device ids grouped by the named axes, the other mesh axes major. */
export function axisGroups(mesh: Mesh, names: readonly string[]): number[][] {
  const sizes = mesh.axisSizes;
  const idx = names.map((n) => mesh.axisNames.indexOf(n));
  const other = mesh.axisNames.map((_, i) => i).filter((i) => !idx.includes(i));
  const perm = [...other, ...idx];
  const n = sizes.reduce((a, b) => a * b, 1);
  const groupSize = idx.reduce((a, i) => a * sizes[i], 1);
  const strides = stridesOf(sizes);
  const permSizes = perm.map((p) => sizes[p]);
  const flat: number[] = [];
  for (let k = 0; k < n; k++) flat.push(indexOffset(k, permSizes, (j, c) => c * strides[perm[j]]));
  const groups: number[][] = [];
  for (let g = 0; g < n / groupSize; g++) groups.push(flat.slice(g * groupSize, (g + 1) * groupSize));
  return groups;
}

function replicaGroups(mesh: Mesh, names: readonly string[], indexGroups: number[][] | null): number[][] {
  const groups = axisGroups(mesh, names);
  if (!indexGroups) return groups;
  return groups.flatMap((g) => indexGroups.map((ig) => ig.map((i) => g[i])));
}

/** `dense<[[0, 1, 2, 3]]> : tensor<1x4xi64>` (uneven groups padded with -1, as JAX does). */
function groupsAttr(groups: number[][]): string {
  const width = Math.max(...groups.map((g) => g.length));
  const flat = groups.flatMap((g) => [...g, ...Array(width - g.length).fill(-1)]);
  return denseI64(flat, [groups.length, width]);
}

const CHANNEL = 'channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>';

/** A collective in the generic form (JAX's ops have no custom syntax). */
function collective(
  b: Builder,
  name: string,
  x: Value,
  out: TensorType,
  props: string,
  region: Region | null,
): Value {
  const regions = region ? [region] : [];
  const op = new Op(
    name,
    [x],
    [out],
    (p) =>
      `"${name}"(${p.v(x)}) <{${props}}>${genericRegions(p, regions)} : ${functionalType([x.type], [out])}`,
    regions,
  );
  return b.add(op).results[0];
}

const COMBINE: Record<string, string> = { psum: 'add', pmax: 'maximum', pmin: 'minimum' };

for (const prim of ['psum', 'pmax', 'pmin']) {
  registerExportRule(prim, (ctx, [x0], p) => {
    const axes = asTuple(p.axes);
    const pos = axes.filter((a): a is number => typeof a === 'number');
    const named = axes.filter((a): a is string => typeof a === 'string');
    const b = ctx.b;
    let x = x0;
    if (pos.length) {
      const d = x.dtype;
      const init =
        prim === 'psum' ? (d.isBool ? false : 0) : prim === 'pmax' ? maxIdentity(d) : minIdentity(d);
      const iv = scalarConst(
        b,
        typeof init === 'bigint' && init >= -(2n ** 53n) && init <= 2n ** 53n ? Number(init) : init,
        d,
      );
      const body = reducerRegion(b, [d], ([a], [v]) => [
        elementwise(b, `stablehlo.${COMBINE[prim]}`, [a, v]),
      ]);
      x = reduce(b, [x], [iv], pos, body)[0];
    }
    if (!named.length) return [x];
    const mesh = meshOf(ctx, prim);
    const groups = replicaGroups(mesh, named, (p.axis_index_groups as number[][] | null) ?? null);
    const region = reducerRegion(b, [x.dtype], ([a], [v]) => [
      elementwise(b, `stablehlo.${COMBINE[prim]}`, [a, v]),
    ]);
    const props = `${CHANNEL}, replica_groups = ${groupsAttr(groups)}, use_global_device_ids`;
    return [collective(b, 'stablehlo.all_reduce', x, x.type, props, region)];
  });
}

registerExportRule('all_gather', (ctx, [x0], p) => {
  const b = ctx.b;
  const dim = Number(p.all_gather_dimension);
  let x = x0;
  if (!p.tiled) {
    const shape = [...x.shape];
    shape.splice(dim, 0, 1);
    x = broadcastInDim(
      b,
      x,
      shape,
      x.shape.map((_, i) => (i < dim ? i : i + 1)),
    );
  }
  const mesh = meshOf(ctx, 'all_gather');
  const groups = replicaGroups(
    mesh,
    asTuple(p.axis_name) as string[],
    (p.axis_index_groups as number[][] | null) ?? null,
  );
  const props = `all_gather_dim = ${dim} : i64, ${CHANNEL}, replica_groups = ${groupsAttr(groups)}, use_global_device_ids`;
  return [collective(b, 'stablehlo.all_gather', x, avalType(ctx.avalsOut[0]), props, null)];
});

registerExportRule('reduce_scatter', (ctx, [x], p) => {
  const b = ctx.b;
  const dim = Number(p.scatter_dimension);
  const mesh = meshOf(ctx, 'psum_scatter');
  const groups = replicaGroups(
    mesh,
    asTuple(p.axis_name) as string[],
    (p.axis_index_groups as number[][] | null) ?? null,
  );
  const shape = [...x.shape];
  shape[dim] /= Number(p.axis_size);
  const region = reducerRegion(b, [x.dtype], ([a], [v]) => [elementwise(b, 'stablehlo.add', [a, v])]);
  const props = `${CHANNEL}, replica_groups = ${groupsAttr(groups)}, scatter_dimension = ${dim} : i64, use_global_device_ids`;
  const out = collective(b, 'stablehlo.reduce_scatter', x, ty(shape, x.dtype), props, region);
  return [p.tiled ? out : reshape(b, out, ctx.avalsOut[0].shape)];
});

registerExportRule('all_to_all', (ctx, [x], p) => {
  const mesh = meshOf(ctx, 'all_to_all');
  const groups = replicaGroups(
    mesh,
    asTuple(p.axis_name) as string[],
    (p.axis_index_groups as number[][] | null) ?? null,
  );
  if (groups[0].length === 1) return [x];
  const props = `${CHANNEL}, concat_dimension = ${Number(p.concat_axis)} : i64, replica_groups = ${groupsAttr(groups)}, split_count = ${groups[0].length} : i64, split_dimension = ${Number(p.split_axis)} : i64`;
  return [collective(ctx.b, 'stablehlo.all_to_all', x, avalType(ctx.avalsOut[0]), props, null)];
});

registerExportRule('ppermute', (ctx, [x], p) => {
  const mesh = meshOf(ctx, 'ppermute');
  const groups = replicaGroups(mesh, asTuple(p.axis_name) as string[], null);
  const perm = p.perm as [number, number][];
  const size = groups[0].length;
  const pairs = groups.flatMap((g) => {
    const s = [...g].sort((a, c) => a - c);
    return perm.map(([src, dst]) => [s[src % size], s[dst % size]]);
  });
  const props = `${CHANNEL}, source_target_pairs = ${denseI64(pairs.flat(), [pairs.length, 2])}`;
  return [collective(ctx.b, 'stablehlo.collective_permute', x, x.type, props, null)];
});

registerExportRule('axis_index', (ctx, _ins, p) => {
  const mesh = meshOf(ctx, 'axis_index');
  const name = asTuple(p.axis_name)[0] as string;
  const b = ctx.b;
  const pos = mesh.axisNames.indexOf(name);
  const div = mesh.axisSizes.slice(pos + 1).reduce((a, n) => a * n, 1);
  const u32 = ty([], uint32);
  const dv = constant(b, `dense<${div}>`, u32);
  const md = constant(b, `dense<${mesh.axisSizes[pos]}>`, u32);
  const pid = b.add(new Op('stablehlo.partition_id', [], [u32], () => `stablehlo.partition_id : ${tt(u32)}`))
    .results[0];
  const r = elementwise(b, 'stablehlo.remainder', [elementwise(b, 'stablehlo.divide', [pid, dv]), md]);
  return [convert(b, r, ctx.avalsOut[0].dtype)];
});

/** `<@mesh, [{"i"}, {}]>`: which mesh axes split each dimension. */
export function shardingText(spec: PartitionSpec, rank: number): string {
  const dims = Array.from(
    { length: rank },
    (_, d) =>
      `{${spec
        .axesOf(d)
        .map((a) => `"${a}"`)
        .join(', ')}}`,
  );
  return `<@mesh, [${dims.join(', ')}]>`;
}

/** The module's `sdy.mesh` and partition count, the first time a mesh is used. */
export function useMesh(mod: ModuleCtx, mesh: Mesh): void {
  if (mod.declaredMesh) return;
  mod.declaredMesh = mesh;
  const axes = mesh.axisNames.map((n, i) => `"${n}"=${mesh.axisSizes[i]}`).join(', ');
  const decl = mesh.axisNames.map((n, i) => `{name = "${n}", size = ${mesh.axisSizes[i]} : i64}`).join(', ');
  mod.module.preamble.push(`sdy.mesh @mesh = <[${axes}]> {stablehlo.mesh = {axes = [${decl}]}}`);
  mod.module.attributes = `mhlo.num_partitions = ${mesh.size} : i32, mhlo.num_replicas = 1 : i32`;
}

registerExportRule('shard_map', (ctx, ins, p: Params) => {
  const mesh = p.mesh as Mesh;
  const inSpecs = p.in_specs as PartitionSpec[];
  const outSpecs = p.out_specs as PartitionSpec[];
  const jaxpr = p.jaxpr as Jaxpr;
  useMesh(ctx.mod, mesh);
  const region = new Region(jaxpr.invars.map((v) => avalType(v.aval)));
  const b = ctx.b;
  const outer = ctx.mod.meshObj;
  ctx.mod.meshObj = mesh;
  b.within(region, () => {
    const outs = jaxprSubcomp(ctx.mod, b, jaxpr, [], region.block.args);
    b.add(
      new Op(
        'sdy.return',
        outs,
        [],
        (pr) => `sdy.return ${pr.vs(outs)} : ${outs.map((o) => tt(o.type)).join(', ')}`,
      ),
    );
  });
  ctx.mod.meshObj = outer;
  const outTypes = ctx.avalsOut.map(avalType);
  const inSh = inSpecs.map((s, i) => shardingText(s, ins[i].shape.length));
  const outSh = outSpecs.map((s, i) => shardingText(s, outTypes[i].shape.length));
  const manual = mesh.axisNames.map((n) => `"${n}"`).join(', ');
  const op = new Op(
    'sdy.manual_computation',
    ins,
    outTypes,
    (pr) =>
      `sdy.manual_computation(${pr.vs(ins)}) in_shardings=[${inSh.join(', ')}] out_shardings=[${outSh.join(', ')}] manual_axes={${manual}} (${pr.args(region.block.args)}) {\n${pr.body(region)}\n${pr.indent}} : ${functionalType(
        ins.map((v) => v.type),
        outTypes,
      )}`,
    [region],
  );
  return b.add(op).results;
});
