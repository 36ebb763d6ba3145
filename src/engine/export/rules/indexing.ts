/**
 * @file Export rules of gather and the scatter family (jax/_src/lax/slicing.py): `stablehlo.gather`
 * and `stablehlo.scatter` in the generic form with their dimension-number attributes (fields
 * printed only when non-empty, as StableHLO's printer does) and the scatter's update region (the
 * update itself for scatter, add/multiply/minimum/maximum for the others).
 */

import { bool, int32 } from '../../core/dtype.js';
import { defaultFillValue, type FillValue } from '../../primitives/indexing.js';
import { denseOf, i64Array } from '../attrs.js';
import {
  broadcastInDim,
  compare,
  constant,
  convert,
  elementwise,
  generic,
  list,
  reduce,
  reducerRegion,
  scalarConst,
  select,
  ty,
} from '../hlo.js';
import { avalType, registerExportRule } from '../lower.js';
import type { Builder, Value } from '../mlir.js';

interface GatherDims {
  offset_dims: number[];
  collapsed_slice_dims: number[];
  start_index_map: number[];
  operand_batching_dims: number[];
  start_indices_batching_dims: number[];
}

interface ScatterDims {
  update_window_dims: number[];
  inserted_window_dims: number[];
  scatter_dims_to_operand_dims: number[];
  operand_batching_dims: number[];
  scatter_indices_batching_dims: number[];
}

/**
 * The fields of `#stablehlo.gather<...>` and `#stablehlo.scatter<...>` in the order StableHLO prints
 * them; each is JAX's dimension-numbers field of that name, but scatter's input_batching_dims,
 * which JAX calls operand_batching_dims.
 */
const HLO_FIELDS = {
  gather:
    'offset_dims collapsed_slice_dims operand_batching_dims start_indices_batching_dims start_index_map',
  scatter:
    'update_window_dims inserted_window_dims input_batching_dims scatter_indices_batching_dims scatter_dims_to_operand_dims',
};

/**
 * `#stablehlo.gather<...>` / `#stablehlo.scatter<...>` of JAX's dimension numbers `dn`: non-empty
 * fields, then index_vector_dim unless 0 (StableHLO's printStruct leaves out empty and zero fields).
 */
function dimsAttr(
  kind: keyof typeof HLO_FIELDS,
  dn: GatherDims | ScatterDims,
  indexVectorDim: number,
): string {
  const dims = dn as unknown as Record<string, number[]>;
  const parts = HLO_FIELDS[kind]
    .split(' ')
    .map((k) => [k, dims[k === 'input_batching_dims' ? 'operand_batching_dims' : k]] as const)
    .filter(([, v]) => v.length)
    .map(([k, v]) => `${k} = ${list(v)}`);
  if (indexVectorDim !== 0) parts.push(`index_vector_dim = ${indexVectorDim}`);
  return `#stablehlo.${kind}<${parts.join(', ')}>`;
}

function modeName(m: unknown): string {
  return String((m as { name?: string })?.name ?? m);
}

/** An int32 vector constant, as a NumPy array closed over by a lower_fun'd function lowers. */
function int32Vector(b: Builder, xs: readonly number[]): Value {
  return constant(b, denseOf(Int32Array.from(xs), [xs.length], int32), ty([xs.length], int32));
}

/** A broadcast_in_dim unless it is the identity (lax.broadcast_in_dim's staging drops those). */
function bcast(b: Builder, x: Value, shape: readonly number[], dims: readonly number[]): Value {
  const same = x.shape.length === shape.length && x.shape.every((n, i) => n === shape[i]);
  return same && dims.every((d, i) => d === i) ? x : broadcastInDim(b, x, shape, dims);
}

/**
 * slicing._gather_fill (lower_fun'd): a PROMISE_IN_BOUNDS gather whose out-of-range windows are
 * replaced by the fill value, the mask computed from an int32 upper bound per indexed dim.
 */
function gatherFill(
  b: Builder,
  x: Value,
  idx: Value,
  dn: GatherDims,
  sizes: number[],
  fill: unknown,
  out: Value['type'],
  emit: (indices: Value) => Value,
): Value {
  const upper = int32Vector(
    b,
    dn.start_index_map.map((d) => x.shape[d] - sizes[d]),
  );
  const indices = idx.dtype.name === 'int32' ? idx : convert(b, idx, int32);
  const nb = indices.shape.length - 1;
  const ge = compare(
    b,
    'GE',
    indices,
    broadcastInDim(b, scalarConst(b, 0, int32), indices.shape, []),
    'SIGNED',
  );
  let ub = nb ? broadcastInDim(b, upper, [...Array(nb).fill(1), upper.shape[0]], [nb]) : upper;
  ub = bcast(
    b,
    ub,
    indices.shape,
    indices.shape.map((_, i) => i),
  );
  const le = compare(b, 'LE', indices, ub, 'SIGNED');
  const both = elementwise(b, 'stablehlo.and', [ge, le]);
  const region = reducerRegion(b, [bool], ([a], [c]) => [elementwise(b, 'stablehlo.and', [a, c])]);
  const [mask] = reduce(b, [both], [scalarConst(b, true, bool)], [nb], region);
  const g = emit(indices);
  const batchDims = out.shape.map((_, i) => i).filter((i) => !dn.offset_dims.includes(i));
  const m = bcast(b, mask, out.shape, batchDims);
  const v = ((fill as FillValue | null) ?? defaultFillValue(out.dtype)).value;
  const filler = broadcastInDim(b, scalarConst(b, v, out.dtype), out.shape, []);
  return select(b, m, g, filler);
}

registerExportRule('gather', (ctx, [x, idx], p) => {
  const dn = p.dimension_numbers as GatherDims;
  const out = avalType(ctx.avalsOut[0]);
  const sizes = (p.slice_sizes as number[]).map(Number);
  const plain = (indices: Value) =>
    plainGather(ctx.b, x, indices, dn, sizes, Boolean(p.indices_are_sorted), out);
  if (modeName(p.mode) === 'FILL_OR_DROP')
    return [gatherFill(ctx.b, x, idx, dn, sizes, p.fill_value, out, plain)];
  return [plain(idx)];
});

function plainGather(
  b: Builder,
  x: Value,
  idx: Value,
  dn: GatherDims,
  sizes: number[],
  sorted: boolean,
  out: Value['type'],
): Value {
  const ivd = idx.shape.length - 1;
  const attr = dimsAttr('gather', dn, ivd);
  const props = `dimension_numbers = ${attr}, indices_are_sorted = ${sorted}, slice_sizes = ${i64Array(sizes)}`;
  return generic(b, 'stablehlo.gather', [x, idx], [out], props).results[0];
}

/** slicing._clamp_scatter_indices (lower_fun'd): indices clamped to [0, operand - window]. */
function clampScatterIndices(b: Builder, x: Value, idx: Value, upd: Value, dn: ScatterDims): Value {
  const sizes: number[] = [];
  let pos = 0;
  for (let i = 0; i < x.shape.length; i++) {
    if (dn.inserted_window_dims.includes(i) || dn.operand_batching_dims.includes(i)) sizes.push(1);
    else sizes.push(upd.shape[dn.update_window_dims[pos++]]);
  }
  const upper = int32Vector(
    b,
    dn.scatter_dims_to_operand_dims.map((d) => x.shape[d] - sizes[d]),
  );
  const bits = idx.dtype.itemsize * 8;
  const idxMax = idx.dtype.kind === 'i' ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const cap = Math.min(2 ** 31 - 1, idxMax);
  let ub = elementwise(b, 'stablehlo.minimum', [
    upper,
    broadcastInDim(b, scalarConst(b, cap, int32), upper.shape, []),
  ]);
  if (idx.dtype.name !== 'int32') ub = convert(b, ub, idx.dtype);
  ub = bcast(b, ub, idx.shape, [idx.shape.length - 1]);
  const lo = broadcastInDim(b, scalarConst(b, 0, idx.dtype), idx.shape, []);
  return elementwise(b, 'stablehlo.clamp', [lo, idx, ub]);
}

const COMBINE: Record<string, string | null> = {
  scatter: null,
  'scatter-add': 'add',
  'scatter-mul': 'multiply',
  'scatter-min': 'minimum',
  'scatter-max': 'maximum',
};

for (const [name, combine] of Object.entries(COMBINE)) {
  registerExportRule(name, (ctx, [x, idx0, upd], p) => {
    const dn = p.dimension_numbers as ScatterDims;
    const idx = modeName(p.mode) === 'CLIP' ? clampScatterIndices(ctx.b, x, idx0, upd, dn) : idx0;
    const ivd = ctx.avalsIn[1].shape.length - 1;
    const attr = dimsAttr('scatter', dn, ivd);
    const region = reducerRegion(ctx.b, [x.dtype], ([a], [u]): Value[] =>
      combine ? [elementwise(ctx.b, `stablehlo.${combine}`, [a, u])] : [u],
    );
    const props = `indices_are_sorted = ${Boolean(p.indices_are_sorted)}, scatter_dimension_numbers = ${attr}, unique_indices = ${Boolean(p.unique_indices)}`;
    return generic(ctx.b, 'stablehlo.scatter', [x, idx, upd], [avalType(ctx.avalsOut[0])], props, [region])
      .results;
  });
}
