/**
 * @file lax's functions that JAX 0.10.2 writes as compositions of other lax operations
 * (jax/_src/lax/lax.py, slicing.py, ann.py, control_flow/conditionals.py): broadcast_like,
 * broadcast_shapes, broadcast_to_rank, collapse, index_take, dtype and approx_max_k/approx_min_k
 * (batch_matmul and stop_gradient are aliases.ts; platform_dependent is control.ts). Each binds what JAX's binds,
 * so jaxprs read alike (approx_max_k apart: see its comment).
 */
import { toValue } from '../core/coerce.js';
import { type DType, type DTypeLike, toDType } from '../core/dtype.js';
import { NotImplementedError, ValueError } from '../core/errors.js';
import { broadcastShapes as broadcastShapesOf, normalizeAxis, shapeTuple } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { add, bitwiseAnd, lt, ne, neg, rem, select } from './elementwise.js';
import { gather } from './indexing.js';
import { topK } from './sorting.js';
import { broadcast, broadcastInDim, concatenate, expandDims, reshape } from './structural.js';

type In = Value | number | boolean | readonly unknown[];

/** lax.broadcast_shapes(*shapes): NumPy's broadcast of shapes (ValueError when incompatible). */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  if (shapes.length === 0) return [];
  try {
    return broadcastShapesOf('broadcast_shapes', ...shapes);
  } catch {
    throw new ValueError(
      `Incompatible shapes for broadcasting: shapes=[${shapes.map(shapeTuple).join(', ')}]`,
    );
  }
}

/** lax.broadcast_like(arr, like_arr): arr broadcast (NumPy-style, trailing axes) to like_arr's shape. */
export function broadcastLike(arr: In, likeArr: In): Value {
  const x = toValue(arr);
  const shape = toValue(likeArr).shape;
  if (x.shape.join() === shape.join()) return x;
  broadcastShapes(x.shape, shape);
  // jnp.broadcast_to: size-1 axes are squeezed away by broadcast_in_dim's dimension mapping.
  const lead = shape.length - x.ndim;
  if (lead < 0)
    throw new Error(
      `Cannot broadcast to shape with fewer dimensions: arr_shape=${shapeTuple(x.shape)} shape=${shapeTuple(shape)}`,
    );
  const keep = x.shape.map((d, i) => (d === 1 && shape[lead + i] !== 1 ? -1 : i)).filter((i) => i >= 0);
  const squeezed =
    keep.length === x.ndim
      ? x
      : reshape(
          x,
          keep.map((i) => x.shape[i]),
        );
  return broadcastInDim(
    squeezed,
    shape,
    keep.map((i) => lead + i),
  );
}

/** lax.broadcast_to_rank(x, rank): new leading axes of size 1 up to `rank`. */
export function broadcastToRank(x: In, rank: number): Value {
  const v = toValue(x);
  if (v.ndim === rank) return v;
  return broadcast(
    v,
    Array.from({ length: rank - v.ndim }, () => 1),
  );
}

/**
 * lax.collapse(operand, start, stop?): dimensions [start, stop) merged into one (Python slice
 * rules for the bounds), a reshape.
 */
export function collapse(operand: In, startDimension: number, stopDimension: number | null = null): Value {
  const x = toValue(operand);
  const n = x.ndim;
  const clamp = (d: number) => (d < 0 ? Math.max(d + n, 0) : Math.min(d, n));
  const lo = clamp(startDimension);
  const hi = stopDimension === null ? n : clamp(stopDimension);
  if (hi < lo)
    throw new ValueError(
      `Invalid dimension range passed to collapse: ${shapeTuple(x.shape)}[${startDimension}:${stopDimension ?? 'None'}]`,
    );
  const size = x.shape.slice(lo, hi).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, lo), size, ...x.shape.slice(hi)]);
}

/**
 * lax.index_take(src, idxs, axes): src[idxs[0], idxs[1], ...] along `axes` (indices wrap modulo
 * the axis size, Python's %), as slicing.py's gather with those axes collapsed.
 */
export function indexTake(src: In, idxs: readonly In[], axes: readonly number[]): Value {
  const s = toValue(src);
  const cols = idxs.map((i) => expandDims(toValue(i), [1]));
  let indices = concatenate(cols, 1);
  const sizes = toValue(axes.map((ax) => s.shape[ax]));
  const maxIdx = expandDims(
    sizes,
    Array.from({ length: indices.ndim - 1 }, (_, i) => i),
  );
  // Python's %: the remainder takes the divisor's sign (-1 wraps to the last index).
  const r = rem(indices, maxIdx);
  const flip = bitwiseAnd(ne(r, 0), ne(lt(r, 0), lt(maxIdx, 0)));
  indices = select(flip, add(r, maxIdx), r);
  const sliceSizes = [...s.shape];
  for (const ax of axes) sliceSizes[ax] = 1;
  const offsetDims = Array.from({ length: s.ndim - indices.shape[1] }, (_, i) => i + 1);
  return gather(
    s,
    indices,
    { offsetDims, collapsedSliceDims: [...axes], startIndexMap: [...axes] },
    sliceSizes,
  );
}

/** lax.dtype(x): the dtype of an array or the canonical dtype of a dtype-like. */
export function dtype(x: Value | DTypeLike): DType {
  if (typeof x === 'object' && x !== null && 'aval' in (x as object)) return (x as Value).dtype;
  return toDType(x as DTypeLike);
}

export interface ApproxTopKOptions {
  reductionDimension?: number;
  recallTarget?: number;
  reductionInputSizeOverride?: number;
  aggregateToTopk?: boolean;
}

/**
 * approx_max_k/approx_min_k as JAX computes them on CPU, where XLA's ApproxTopK falls back to an
 * exact sort: the k largest (smallest) values along `reduction_dimension` and their indices.
 * Written with top_k (on the negated operand for min_k), so the jaxpr shows top_k where JAX's
 * shows approx_top_k; recall_target and reduction_input_size_override only steer TPUs.
 */
function approxTopK(
  name: string,
  operand: In,
  k: number,
  isMax: boolean,
  opts: ApproxTopKOptions,
): [Value, Value] {
  const x = toValue(operand);
  if (k <= 0) throw new ValueError(`k must be positive, got ${k}`);
  if (x.ndim === 0)
    throw new TypeError(`approx_top_k operand must have >= 1 dimension, got ${shapeTuple(x.shape)}`);
  const dim = normalizeAxis(opts.reductionDimension ?? -1, x.ndim);
  if (x.shape[dim] < k)
    throw new ValueError(`k must be smaller than the size of reduction_dim ${x.shape[dim]}, got ${k}`);
  if (!x.dtype.isFloat) throw new ValueError('operand must be a floating type');
  if (opts.aggregateToTopk === false)
    throw new NotImplementedError(
      `${name} with aggregate_to_topk=False is not implemented in tjax (its output size is TPU-specific)`,
    );
  const [v, i] = topK(isMax ? x : neg(x), k, { axis: dim });
  return [isMax ? v : neg(v), i];
}

/** lax.approx_max_k(operand, k, {reductionDimension=-1, ...}): [values, indices]. */
export function approxMaxK(operand: In, k: number, opts: ApproxTopKOptions = {}): [Value, Value] {
  return approxTopK('approx_max_k', operand, k, true, opts);
}

/** lax.approx_min_k(operand, k, {reductionDimension=-1, ...}): [values, indices]. */
export function approxMinK(operand: In, k: number, opts: ApproxTopKOptions = {}): [Value, Value] {
  return approxTopK('approx_min_k', operand, k, false, opts);
}
