/**
 * @file jnp.take and jnp.take_along_axis as JAX 0.10.2 writes them (jax/_src/numpy/
 * indexing.py): jitted `_take` and `take_along_axis` building one gather each, with JAX's modes
 * (fill by default: out-of-bounds indices give the fill value, NaN for floats; clip; wrap) and
 * its error texts.
 */
import { toValue } from '../core/coerce.js';
import { ValueError } from '../core/errors.js';
import { normalizeAxis } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import { GatherScatterMode } from '../primitives/indexing.js';
import { namedJit } from '../transforms/jit.js';
import { full } from './creation.js';
import { broadcastShapesOf } from './index-gather.js';
import { IndexError } from './index-parse.js';
import { less, remainder, where } from './ufuncs.js';

// ---- take / take_along_axis ----------------------------------------------------------------------

export interface TakeOptions {
  axis?: number | null;
  mode?: 'fill' | 'clip' | 'wrap' | 'raise' | null;
  fillValue?: number | boolean | null;
  uniqueIndices?: boolean;
  indicesAreSorted?: boolean;
}

const takeJit = namedJit(
  '_take',
  function _take(
    a: Value,
    indices: Value,
    axis: number | null,
    mode: string | null,
    fillValue: number | boolean | null,
    uniqueIndices: boolean,
    indicesAreSorted: boolean,
  ): Value {
    let x = a;
    let ix = indices;
    let ax: number;
    if (axis === null) {
      x = lax.reshape(x, [x.size]);
      ax = 0;
    } else ax = normalizeAxis(axis, x.ndim);
    let gmode: GatherScatterMode;
    if (mode === null || mode === 'fill') {
      gmode = GatherScatterMode.FILL_OR_DROP;
      ix = where(less(ix, 0), ix.add(x.shape[ax]), ix);
    } else if (mode === 'raise') {
      throw new Error("The 'raise' mode to jnp.take is not supported.");
    } else if (mode === 'wrap') {
      ix = remainder(ix, lax.convertElementType(x.shape[ax], ix.dtype));
      gmode = GatherScatterMode.PROMISE_IN_BOUNDS;
    } else if (mode === 'clip') {
      gmode = GatherScatterMode.CLIP;
    } else throw new ValueError(`Invalid mode '${mode}' for np.take`);
    const sizes = [...x.shape];
    if (sizes[ax] === 0) {
      if (ix.size !== 0) throw new IndexError('Cannot do a non-empty jnp.take() from an empty axis.');
      return x;
    }
    if (ix.size === 0) {
      return full([...sizes.slice(0, ax), ...ix.shape, ...sizes.slice(ax + 1)], 0, { dtype: x.dtype });
    }
    sizes[ax] = 1;
    const nd = ix.ndim;
    const offsetDims = [
      ...Array.from({ length: ax }, (_, i) => i),
      ...Array.from({ length: x.ndim - ax - 1 }, (_, i) => ax + nd + i),
    ];
    return lax.gather(
      x,
      lax.expandDims(ix, [nd]),
      { offset_dims: offsetDims, collapsed_slice_dims: [ax], start_index_map: [ax] },
      sizes,
      {
        mode: gmode,
        uniqueIndices,
        indicesAreSorted,
        fillValue,
      },
    );
  },
  { staticArgnums: [2, 3, 4, 5, 6] },
);

/** jnp.take(a, indices, {axis, mode, fillValue}): out-of-bounds indices fill (NaN for floats) by default. */
export function take(a: unknown, indices: unknown, opts: TakeOptions = {}): Value {
  const ix = toValue(indices);
  if (!ix.dtype.isInt) throw new TypeError(`take: indices must be of integer type, got ${ix.dtype.name}`);
  return takeJit(
    toValue(a),
    ix,
    opts.axis ?? null,
    opts.mode ?? null,
    opts.fillValue ?? null,
    Boolean(opts.uniqueIndices),
    Boolean(opts.indicesAreSorted),
  );
}

export interface TakeAlongAxisOptions {
  mode?: string | null;
  fillValue?: number | boolean | null;
}

const takeAlongAxisJit = namedJit(
  'take_along_axis',
  function take_along_axis(
    arr: Value,
    indices: Value,
    axis: number | null,
    mode: string | null,
    fillValue: number | boolean | null,
  ): Value {
    let a = arr;
    let ix = indices;
    const idxShape = ix.shape;
    if (!ix.dtype.isInt)
      throw new TypeError(`take_along_axis indices must be of integer type, got ${ix.dtype.name}`);
    let axisIn = axis;
    if (axisIn === null) {
      if (ix.ndim !== 1)
        throw new Error(
          `take_along_axis indices must be 1D if axis=None, got shape (${idxShape.join(', ')})`,
        );
      a = lax.reshape(a, [a.size]);
      axisIn = 0;
    }
    const rank = a.ndim;
    if (rank !== ix.ndim)
      throw new Error(`indices and arr must have the same number of dimensions; ${ix.ndim} vs. ${a.ndim}`);
    const ax = normalizeAxis(axisIn, rank);
    const arrShape = a.shape.map((n, d) => (d === ax ? 1 : n));
    const outShape = broadcastShapesOf(idxShape, arrShape);
    const axisSize = a.shape[ax];
    if (axisSize === 0) return full(outShape, 0, { dtype: a.dtype });
    const wrap = mode !== 'promise_in_bounds';
    if (wrap && ix.dtype.kind !== 'u') ix = lax.select(lax.lt(ix, 0), lax.add(ix, axisSize), ix);
    const indexDims = idxShape.flatMap((n, i) => (i === ax || n !== 1 ? [i] : []));
    ix = lax.reshape(ix, [...indexDims.map((i) => outShape[i]), 1]);
    const sliceSizes: number[] = [];
    const offsetDims: number[] = [];
    const startIndexMap: number[] = [];
    const collapsed: number[] = [];
    const operandBatching: number[] = [];
    const indicesBatching: number[] = [];
    const squeezeDims: number[] = [];
    let ni = 0;
    let j = 0;
    for (let i = 0; i < rank; i++) {
      if (i === ax) {
        sliceSizes.push(1);
        startIndexMap.push(ni);
        collapsed.push(ni);
        ni++;
        j++;
      } else if (idxShape[i] === 1) {
        offsetDims.push(i);
        sliceSizes.push(arrShape[i]);
        ni++;
      } else if (arrShape[i] === 1) {
        squeezeDims.push(i);
        j++;
      } else {
        sliceSizes.push(arrShape[i] === 0 ? 0 : 1);
        operandBatching.push(ni);
        indicesBatching.push(j);
        ni++;
        j++;
      }
    }
    if (squeezeDims.length) a = lax.squeeze(a, squeezeDims);
    return lax.gather(
      a,
      ix,
      {
        offset_dims: offsetDims,
        collapsed_slice_dims: collapsed,
        start_index_map: startIndexMap,
        operand_batching_dims: operandBatching,
        start_indices_batching_dims: indicesBatching,
      },
      sliceSizes,
      { mode: mode ?? 'fill', fillValue },
    );
  },
  { staticArgnums: [2, 3, 4] },
);

/** jnp.take_along_axis(arr, indices, axis = -1, {mode, fillValue}). */
export function take_along_axis(
  arr: unknown,
  indices: unknown,
  axis: number | null = -1,
  opts: TakeAlongAxisOptions = {},
): Value {
  return takeAlongAxisJit(toValue(arr), toValue(indices), axis, opts.mode ?? null, opts.fillValue ?? null);
}
export const takeAlongAxis = take_along_axis;
