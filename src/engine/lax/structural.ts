/**
 * @file lax's structural functions: broadcastInDim reshape transpose squeeze expandDims slice
 * sliceInDim rev iota pad concatenate dynamicSlice dynamicUpdateSlice broadcast.
 */
import { toValue } from '../core/coerce.js';
import { canonicalize, type DTypeLike, toDType } from '../core/dtype.js';
import { normalizeAxis } from '../core/shape.js';
import { bind, bind1, isTracer, type Value } from '../core/trace.js';
import * as E from '../primitives/elementwise.js';
import * as P from '../primitives/structural.js';
import { convertElementType } from './convert.js';

type In = Value | number | boolean;

export function broadcastInDim(
  x: In,
  shape: readonly number[],
  broadcastDimensions: readonly number[],
): Value {
  const v = toValue(x);
  // As JAX's lax.broadcast_in_dim: a concrete 0-d operand broadcast to rank 0 is returned as is,
  // so grad's seed cotangent (a concrete 1.0) is not staged as an equation.
  if (v.ndim === 0 && shape.length === 0 && !isTracer(v)) return v;
  return bind1(P.broadcast_in_dim, [v], {
    shape: [...shape],
    broadcast_dimensions: [...broadcastDimensions],
    sharding: null,
  });
}

/** lax.broadcast(x, sizes): prepend dimensions. */
export function broadcast(x: In, sizes: readonly number[]): Value {
  const v = toValue(x);
  if (sizes.length === 0) return v;
  return broadcastInDim(
    v,
    [...sizes, ...v.shape],
    v.shape.map((_, i) => i + sizes.length),
  );
}

export function reshape(
  x: In,
  newSizes: readonly number[],
  dimensions: readonly number[] | null = null,
): Value {
  const v = toValue(x);
  // As JAX binds it: `dimensions` stays a param of the reshape unless it is the identity.
  const dims = dimensions?.some((d, i) => d !== i) ? [...dimensions] : null;
  if (!dims && v.shape.length === newSizes.length && v.shape.every((d, i) => d === newSizes[i])) return v;
  return bind1(P.reshape, [v], { new_sizes: [...newSizes], dimensions: dims, sharding: null });
}

export function transpose(x: In, permutation: readonly number[]): Value {
  return bind1(P.transpose, [toValue(x)], { permutation: [...permutation] });
}

export function squeeze(x: In, dimensions: readonly number[]): Value {
  const v = toValue(x);
  const dims = dimensions.map((d) => normalizeAxis(d, v.ndim)).sort((a, b) => a - b);
  return bind1(P.squeeze, [v], { dimensions: dims });
}

/** lax.expand_dims: insert size-1 dimensions (a broadcast_in_dim, as in JAX). */
export function expandDims(x: In, dimensions: readonly number[]): Value {
  const v = toValue(x);
  if (dimensions.length === 0) return v;
  const ndim = v.ndim + dimensions.length;
  const dims = dimensions.map((d) => normalizeAxis(d, ndim)).sort((a, b) => a - b);
  const shape: number[] = [];
  const bdims: number[] = [];
  let k = 0;
  for (let d = 0; d < ndim; d++) {
    if (dims.includes(d)) shape.push(1);
    else {
      shape.push(v.shape[k++]);
      bdims.push(d);
    }
  }
  return broadcastInDim(v, shape, bdims);
}

export function slice(
  x: In,
  startIndices: readonly number[],
  limitIndices: readonly number[],
  strides: readonly number[] | null = null,
): Value {
  return bind1(P.slice, [toValue(x)], {
    start_indices: [...startIndices],
    limit_indices: [...limitIndices],
    // As JAX binds it: strides given (even all ones, as slice_in_dim passes them) are kept.
    strides: strides ? [...strides] : null,
  });
}

export function sliceInDim(x: In, start: number, limit: number, stride = 1, axis = 0): Value {
  const v = toValue(x);
  const a = normalizeAxis(axis, v.ndim);
  const s = v.shape.map(() => 0);
  const l = [...v.shape];
  const st = v.shape.map(() => 1);
  s[a] = start;
  l[a] = limit;
  st[a] = stride;
  return slice(v, s, l, st);
}

export function rev(x: In, dimensions: readonly number[]): Value {
  return bind1(P.rev, [toValue(x)], { dimensions: [...dimensions] });
}

export function iota(dtype: DTypeLike, size: number): Value {
  return broadcastedIota(dtype, [size], 0);
}

export function broadcastedIota(dtype: DTypeLike, shape: readonly number[], dimension: number): Value {
  return bind1(P.iota, [], {
    dtype: canonicalize(toDType(dtype)),
    shape: [...shape],
    dimension,
    sharding: null,
  });
}

export function pad(
  x: In,
  paddingValue: In,
  paddingConfig: readonly (readonly [number, number, number])[],
): Value {
  const v = toValue(x);
  const pv = convertElementType(toValue(paddingValue), v.dtype, v.weakType);
  return bind1(P.pad, [v, pv], { padding_config: paddingConfig.map((c) => [...c]) });
}

/** lax.split(x, sizes, axis=0): the pieces of x along axis, of the given sizes. */
export function split(x: In, sizes: readonly number[], axis = 0): Value[] {
  const v = toValue(x);
  const ax = axis < 0 ? axis + v.ndim : axis;
  return bind(P.split, [v], { sizes: [...sizes], axis: ax });
}

export function concatenate(operands: readonly In[], dimension: number): Value {
  // As lax.concatenate: one operand is returned as it is.
  if (operands.length === 1) return toValue(operands[0]);
  return bind1(P.concatenate, operands.map(toValue), { dimension });
}

export interface DynamicSliceOptions {
  /** JAX's allow_negative_indices: traced starts get `select(i < 0, i + size, i)` (default true). */
  allowNegativeIndices?: boolean;
}

/** JAX's _dynamic_slice_indices: negative starts count from the end (static ones folded). */
function startIndicesOf(
  shape: readonly number[],
  startIndices: readonly In[],
  allowNegative: boolean,
): Value[] {
  return startIndices.map((i, k) => {
    const d = shape[k];
    if (typeof i === 'number')
      return convertElementType(toValue(allowNegative && i < 0 ? i + d : i), 'int32', true);
    const v = toValue(i);
    if (!allowNegative || v.dtype.kind === 'u') return v;
    return bind1(E.select_n, [
      bind1(E.lt, [v, convertElementType(0, v.dtype, true)]),
      v,
      bind1(E.add, [v, convertElementType(d, v.dtype)]),
    ]);
  });
}

export function dynamicSlice(
  x: In,
  startIndices: readonly In[],
  sliceSizes: readonly number[],
  opts: DynamicSliceOptions = {},
): Value {
  const v = toValue(x);
  return bind1(
    P.dynamic_slice,
    [v, ...startIndicesOf(v.shape, startIndices, opts.allowNegativeIndices ?? true)],
    {
      slice_sizes: [...sliceSizes],
    },
  );
}

export function dynamicUpdateSlice(
  x: In,
  update: In,
  startIndices: readonly In[],
  opts: DynamicSliceOptions = {},
): Value {
  const v = toValue(x);
  const idx = startIndicesOf(v.shape, startIndices, opts.allowNegativeIndices ?? true);
  return bind1(P.dynamic_update_slice, [v, toValue(update), ...idx]);
}
