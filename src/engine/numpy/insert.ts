/**
 * @file jnp.insert as JAX 0.10.2 writes it (jax/_src/numpy/lax_numpy.py `insert`): the indices
 * (a slice, a scalar or a 1-D integer array, traced or not) are wrapped and clipped to
 * [0, n], each value's output position is its index plus its rank among the indices (a scatter-add
 * at the argsort), the input's positions are the holes left (nonzero of a mask with a static
 * size), and the output is two scatters into zeros. An index past either end inserts at that end,
 * as JAX's clip does (NumPy raises IndexError).
 */
import { isValue } from '../core/coerce.js';
import { ValueError } from '../core/errors.js';
import { broadcastShapes, normalizeAxis } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import { full } from '../lax/fill.js';
import { expandDims } from '../lax/structural.js';
import { nonzero } from './compare.js';
import { arange, ones, zerosLike } from './creation.js';
import { Slice, sliceIndices } from './index-parse.js';
import { atUpdate, getitem } from './indexing.js';
import { moveaxis, ravel } from './shapes.js';
import { argsort } from './sorting.js';
import * as uf from './ufuncs.js';
import { asValue } from './util.js';

/** Every axis before `axis` taken whole, then `idx`: the index `(slice(None),) * axis + (idx,)`. */
function alongAxisIndex(axis: number, idx: Value): unknown[] {
  return [...new Array(axis).fill(new Slice()), idx];
}

export function insert(
  arr: unknown,
  obj: unknown,
  values: unknown,
  opts: { axis?: number | null } = {},
): Value {
  let a = asValue(arr);
  let valuesArr = asValue(values);
  let axis = opts.axis ?? null;
  if (axis === null) {
    a = ravel(a);
    axis = 0;
  }
  axis = normalizeAxis(axis, a.ndim);
  let indices: Value;
  if (obj instanceof Slice) {
    const [start, stop, step] = sliceIndices(obj, a.shape[axis]);
    indices = arange(start, stop, step);
  } else indices = asValue(obj);
  if (indices.ndim > 1)
    throw new ValueError(
      `jnp.insert(): obj must be a slice, a one-dimensional array, or a scalar; got ${String(obj)}`,
    );
  if (!indices.dtype.isInt) {
    if (indices.size === 0 && !isValue(obj)) indices = uf.astype(indices, 'int32');
    else throw new ValueError(`jnp.insert(): index array must be integer typed; got ${String(obj)}`);
  }
  // jnp.array(values, ndmin=a.ndim, dtype=a.dtype): converted, then leading axes added.
  valuesArr = convertElementType(valuesArr, a.dtype, false);
  if (valuesArr.ndim < a.ndim)
    valuesArr = expandDims(
      valuesArr,
      Array.from({ length: a.ndim - valuesArr.ndim }, (_, i) => i),
    );

  if (indices.size === 1) {
    const index = getitem(ravel(indices), 0);
    if (indices.ndim === 0) valuesArr = moveaxis(valuesArr, 0, axis);
    // jnp.full with no dtype: lax.full keeps a weakly typed index weak.
    indices = full([valuesArr.shape[axis]], index);
  }
  const nInput = a.shape[axis];
  const nInsert = broadcastShapes('insert', indices.shape, [valuesArr.shape[axis]])[0];
  const outShape = [...a.shape];
  outShape[axis] += nInsert;
  let out = zerosLike(a, { shape: outShape });

  indices = uf.where(uf.less(indices, 0), uf.add(indices, nInput), indices);
  indices = uf.clip(indices, 0, nInput);

  const valuesInd = atUpdate(indices, argsort(indices), arange(nInsert, { dtype: indices.dtype }), 'add');
  const arrMask = atUpdate(ones(nInput + nInsert, { dtype: 'bool' }), valuesInd, false, 'set');
  const arrInd = nonzero(arrMask, { size: nInput })[0];

  out = atUpdate(out, alongAxisIndex(axis, valuesInd), valuesArr, 'set');
  return atUpdate(out, alongAxisIndex(axis, arrInd), a, 'set');
}
