/**
 * @file lax.full, lax.full_like and lax.index_in_dim, as JAX 0.10.2 writes them
 * (jax/_src/lax/lax.py, slicing.py): a fill is its scalar converted to the dtype (weakly typed
 * when no dtype is named and the fill or template is weak) and broadcast; index_in_dim is a
 * one-wide slice, squeezed unless keepdims.
 */
import { toValue } from '../core/coerce.js';
import { canonicalize, type DTypeLike, toDType } from '../core/dtype.js';
import { normalizeAxis, shapeTuple } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { convertElementType } from './convert.js';
import { broadcast, sliceInDim, squeeze } from './structural.js';

/** lax.full(shape, fillValue, dtype?): a scalar broadcast to `shape`. */
export function full(shape: readonly number[], fillValue: unknown, dtype?: DTypeLike | null): Value {
  const v = toValue(fillValue);
  if (v.ndim !== 0)
    throw new TypeError(
      `full must be called with scalar fill_value, got fill_value.shape ${shapeTuple(v.shape)}.`,
    );
  const weak = (dtype === undefined || dtype === null) && v.weakType;
  const dt = canonicalize(dtype === undefined || dtype === null ? v.dtype : toDType(dtype));
  const filled = convertElementType(v, dt, weak);
  // lax.broadcast to no new dimensions is the operand itself (no equation), as in JAX.
  return shape.length === 0 ? filled : broadcast(filled, shape);
}

/** lax.full_like(x, fillValue, dtype?, shape?): `full` with x's shape and dtype (and weak type). */
export function fullLike(
  x: unknown,
  fillValue: unknown,
  dtype?: DTypeLike | null,
  shape?: readonly number[] | null,
): Value {
  const v = toValue(x);
  const noDtype = dtype === undefined || dtype === null;
  const dt = noDtype ? v.dtype : canonicalize(toDType(dtype));
  return full(shape ?? v.shape, convertElementType(fillValue, dt, noDtype && v.weakType));
}

/** lax.index_in_dim(x, index, axis = 0, keepdims = true): one index along `axis`. */
export function indexInDim(x: unknown, index: number, axis = 0, keepdims = true): Value {
  const v = toValue(x);
  const ax = normalizeAxis(axis, v.ndim);
  const size = v.shape[ax];
  const i = index < 0 ? index + size : index;
  if (!(i >= 0 && i < size)) {
    const err = new RangeError(`index ${index} is out of bounds for axis ${axis} with size ${size}`);
    err.name = 'IndexError';
    throw err;
  }
  const out = sliceInDim(v, i, i + 1, 1, ax);
  return keepdims ? out : squeeze(out, [ax]);
}
