/**
 * @file lax's gather and scatter functions (jax/_src/lax/slicing.py): gather, scatter, scatterAdd,
 * scatterMul, scatterMin, scatterMax, and the dynamic_*_in_dim helpers. Options are camelCase
 * (`{ mode, fillValue, indicesAreSorted, uniqueIndices }`); params are stored under JAX's names.
 */
import { toValue } from '../core/coerce.js';
import { normalizeAxis } from '../core/shape.js';
import { bind1, type Value } from '../core/trace.js';
import {
  defaultFillValue,
  FillValue,
  GatherDimensionNumbers,
  type GatherDimensionNumbersLike,
  GatherScatterMode,
  gather as gather_p,
  SCATTER_PRIMITIVES,
  ScatterDimensionNumbers,
  type ScatterDimensionNumbersLike,
  type ScatterKind,
  updateJaxprFor,
} from '../primitives/indexing.js';
import { namedJit } from '../transforms/jit.js';
import { convertElementType } from './convert.js';
import { dynamicSlice, dynamicUpdateSlice, expandDims, squeeze } from './structural.js';

export { GatherDimensionNumbers, GatherScatterMode, ScatterDimensionNumbers };

type In = Value | number | boolean;
export type GatherScatterModeLike = string | GatherScatterMode | null;

export interface GatherOptions {
  uniqueIndices?: boolean;
  indicesAreSorted?: boolean;
  mode?: GatherScatterModeLike;
  fillValue?: number | boolean | bigint | null;
}

/** lax.gather. As in JAX, mode defaults to PROMISE_IN_BOUNDS and FILL_OR_DROP resolves fill_value. */
export function gather(
  operand: In,
  startIndices: In,
  dimensionNumbers: GatherDimensionNumbers | GatherDimensionNumbersLike,
  sliceSizes: readonly number[],
  opts: GatherOptions = {},
): Value {
  const x = toValue(operand);
  const mode = GatherScatterMode.fromAny(opts.mode ?? GatherScatterMode.PROMISE_IN_BOUNDS);
  let fill: FillValue | null = null;
  if (mode === GatherScatterMode.FILL_OR_DROP) {
    const fv = opts.fillValue;
    if (fv === null || fv === undefined) fill = defaultFillValue(x.dtype);
    else if (typeof fv === 'object')
      throw new TypeError('fill_value argument to indexed get() must be a concrete scalar');
    else fill = new FillValue(x.dtype.isBool ? Boolean(fv) : fv, x.dtype.isFloat);
  }
  return bind1(gather_p, [x, toValue(startIndices)], {
    dimension_numbers: GatherDimensionNumbers.from(dimensionNumbers),
    fill_value: fill,
    indices_are_sorted: Boolean(opts.indicesAreSorted),
    mode,
    slice_sizes: sliceSizes.map(Number),
    unique_indices: Boolean(opts.uniqueIndices),
  });
}

export interface ScatterOptions {
  indicesAreSorted?: boolean;
  uniqueIndices?: boolean;
  mode?: GatherScatterModeLike;
}

/** Updates given as JS scalars take the operand's dtype (lax does no promotion). */
function updatesFor(x: Value, updates: In): Value {
  return typeof updates === 'object' ? updates : convertElementType(updates, x.dtype, true);
}

function scatterOp(kind: ScatterKind) {
  return (
    operand: In,
    scatterIndices: In,
    updates: In,
    dimensionNumbers: ScatterDimensionNumbers | ScatterDimensionNumbersLike,
    opts: ScatterOptions = {},
  ): Value => {
    const x = toValue(operand);
    return bind1(SCATTER_PRIMITIVES[kind], [x, toValue(scatterIndices), updatesFor(x, updates)], {
      dimension_numbers: ScatterDimensionNumbers.from(dimensionNumbers),
      indices_are_sorted: Boolean(opts.indicesAreSorted),
      mode: GatherScatterMode.fromAny(opts.mode ?? null),
      unique_indices: Boolean(opts.uniqueIndices),
      update_consts: [],
      update_jaxpr: updateJaxprFor(kind, x.dtype),
    });
  };
}

export const scatter = scatterOp('set');
export const scatterAdd = scatterOp('add');
export const scatterMul = scatterOp('mul');
export const scatterMin = scatterOp('min');
export const scatterMax = scatterOp('max');

// ---- dynamic_*_in_dim ----------------------------------------------------------------------------

/** The starts of a slice along one axis: zeros of the index's dtype elsewhere (as lax._const). */
function starts(x: Value, axis: number, index: In): In[] {
  const zero = convertElementType(0, typeof index === 'object' ? index.dtype : 'int32');
  return x.shape.map((_, d) => (d === axis ? index : zero));
}

export function dynamicSliceInDim(operand: In, startIndex: In, sliceSize: number, axis = 0): Value {
  const x = toValue(operand);
  const ax = normalizeAxis(axis, x.ndim);
  const sizes = [...x.shape];
  sizes[ax] = sliceSize;
  return dynamicSlice(x, starts(x, ax, startIndex), sizes);
}

const dynamicIndexInDimJit = namedJit(
  'dynamic_index_in_dim',
  function dynamic_index_in_dim(x: Value, index: Value, axis: number, keepdims: boolean): Value {
    const ax = normalizeAxis(axis, x.ndim);
    const out = dynamicSliceInDim(x, index, 1, ax);
    return keepdims ? out : squeeze(out, [ax]);
  },
  { staticArgnums: [2, 3] },
);

/** lax.dynamic_index_in_dim: jitted, with static axis and keepdims, as JAX's. */
export function dynamicIndexInDim(operand: In, index: In, axis = 0, keepdims = true): Value {
  return dynamicIndexInDimJit(toValue(operand), toValue(index), axis, keepdims);
}

export function dynamicUpdateSliceInDim(operand: In, update: In, startIndex: In, axis: number): Value {
  const x = toValue(operand);
  const ax = normalizeAxis(axis, x.ndim);
  return dynamicUpdateSlice(x, update, starts(x, ax, startIndex));
}

const dynamicUpdateIndexInDimJit = namedJit(
  'dynamic_update_index_in_dim',
  function dynamic_update_index_in_dim(x: Value, update: Value, index: Value, axis: number): Value {
    const ax = normalizeAxis(axis, x.ndim);
    const u = update.ndim === x.ndim - 1 ? expandDims(update, [ax]) : update;
    return dynamicUpdateSliceInDim(x, u, index, ax);
  },
  { staticArgnums: [3] },
);

/** lax.dynamic_update_index_in_dim: jitted, with a static axis, as JAX's. */
export function dynamicUpdateIndexInDim(operand: In, update: In, index: In, axis: number): Value {
  return dynamicUpdateIndexInDimJit(toValue(operand), toValue(update), toValue(index), axis);
}
