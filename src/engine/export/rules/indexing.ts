/**
 * @file Export rules of gather and the scatter family (jax/_src/lax/slicing.py): `stablehlo.gather`
 * and `stablehlo.scatter` in the generic form with their dimension-number attributes (fields
 * printed only when non-empty, as StableHLO's printer does) and the scatter's update region (the
 * update itself for scatter, add/multiply/minimum/maximum for the others).
 */

import { i64Array } from '../attrs.js';
import { elementwise, generic, list, reducerRegion } from '../hlo.js';
import { avalType, registerExportRule } from '../lower.js';
import type { Value } from '../mlir.js';

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
 * `#stablehlo.gather<...>` / `#stablehlo.scatter<...>`: non-empty fields, then index_vector_dim
 * unless 0 (StableHLO's printStruct leaves out empty and zero fields).
 */
function dimsAttr(kind: string, fields: [string, number[]][], indexVectorDim: number): string {
  const parts = fields.filter(([, v]) => v.length).map(([k, v]) => `${k} = ${list(v)}`);
  if (indexVectorDim !== 0) parts.push(`index_vector_dim = ${indexVectorDim}`);
  return `#stablehlo.${kind}<${parts.join(', ')}>`;
}

function modeName(m: unknown): string {
  return String((m as { name?: string })?.name ?? m);
}

registerExportRule('gather', (ctx, [x, idx], p) => {
  if (modeName(p.mode) === 'FILL_OR_DROP')
    throw new Error('StableHLO export: gather with mode=FILL_OR_DROP is not supported yet');
  const dn = p.dimension_numbers as GatherDims;
  const ivd = ctx.avalsIn[1].shape.length - 1;
  const attr = dimsAttr(
    'gather',
    [
      ['offset_dims', dn.offset_dims],
      ['collapsed_slice_dims', dn.collapsed_slice_dims],
      ['operand_batching_dims', dn.operand_batching_dims],
      ['start_indices_batching_dims', dn.start_indices_batching_dims],
      ['start_index_map', dn.start_index_map],
    ],
    ivd,
  );
  const sizes = (p.slice_sizes as number[]).map(Number);
  const props = `dimension_numbers = ${attr}, indices_are_sorted = ${Boolean(p.indices_are_sorted)}, slice_sizes = ${i64Array(sizes)}`;
  return generic(ctx.b, 'stablehlo.gather', [x, idx], [avalType(ctx.avalsOut[0])], props).results;
});

const COMBINE: Record<string, string | null> = {
  scatter: null,
  'scatter-add': 'add',
  'scatter-mul': 'multiply',
  'scatter-min': 'minimum',
  'scatter-max': 'maximum',
};

for (const [name, combine] of Object.entries(COMBINE)) {
  registerExportRule(name, (ctx, [x, idx, upd], p) => {
    if (modeName(p.mode) === 'CLIP')
      throw new Error('StableHLO export: scatter with mode=CLIP is not supported yet');
    const dn = p.dimension_numbers as ScatterDims;
    const ivd = ctx.avalsIn[1].shape.length - 1;
    const attr = dimsAttr(
      'scatter',
      [
        ['update_window_dims', dn.update_window_dims],
        ['inserted_window_dims', dn.inserted_window_dims],
        ['input_batching_dims', dn.operand_batching_dims],
        ['scatter_indices_batching_dims', dn.scatter_indices_batching_dims],
        ['scatter_dims_to_operand_dims', dn.scatter_dims_to_operand_dims],
      ],
      ivd,
    );
    const region = reducerRegion(ctx.b, [x.dtype], ([a], [u]): Value[] =>
      combine ? [elementwise(ctx.b, `stablehlo.${combine}`, [a, u])] : [u],
    );
    const props = `indices_are_sorted = ${Boolean(p.indices_are_sorted)}, scatter_dimension_numbers = ${attr}, unique_indices = ${Boolean(p.unique_indices)}`;
    return generic(ctx.b, 'stablehlo.scatter', [x, idx, upd], [avalType(ctx.avalsOut[0])], props, [region])
      .results;
  });
}
