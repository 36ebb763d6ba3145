/**
 * @file NumPy indexing on top of lax, with the semantics and lowering choices of JAX's
 * jax/_src/numpy/indexing.py and ops/scatter.py: `getitem` (`x.index(idx)`, the expression
 * language's `x[idx]`), `atGet` / `atUpdate` (`x.at[idx].get()` / `.set(v)` / `.add(v)` ...).
 *
 * An index is a number, `null` (newaxis), a slice (`sl(start, stop, step)`), `'...'` (Ellipsis),
 * an integer array (an Array, a tracer, or a nested JS list), a boolean mask (concrete only), or
 * a JS array of those, which plays the part of Python's tuple: `x.index([0, sl(1, 3)])` is
 * `x[0, 1:3]`, and a list inside it is an integer array: `x.index([[0, 2]])` is `x[[0, 2],]`.
 *
 * getitem tries, in JAX's order, static slicing (slice / rev / squeeze / broadcast_in_dim), then
 * dynamic_slice (scalar traced indices, negative ones normalised with lt/add/select_n), then a
 * gather (integer arrays, advanced-index placement as NumPy). Static integers out of bounds do not
 * raise: as in JAX they fall through to dynamic_slice, which clamps. Updates always go through a
 * scatter with the gather's dimension numbers transposed.
 *
 * The index objects and the parsing of an index are in index-parse.ts, the gather indexer in
 * index-gather.ts, take and take_along_axis in take.ts.
 */
import { toValue } from '../core/coerce.js';
import { type DType, int32 } from '../core/dtype.js';
import type { Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import { GatherScatterMode, type ScatterKind } from '../primitives/indexing.js';
import { full } from './creation.js';
import {
  expandEllipses,
  type NumpyIndex,
  type Parsed,
  parseIndices,
  type Slice,
  sliceIndices,
  sliceIsStatic,
  staticInt,
} from './index-parse.js';
import { broadcastTo, promoteArgs } from './util.js';

// The index objects are part of getitem's vocabulary: importers of indexing.ts get them here.
export {
  Ellipsis,
  IndexError,
  NonConcreteBooleanIndexError,
  type NumpyIndex,
  newaxis,
  Slice,
  sl,
} from './index-parse.js';

import { expandBoolIndices, toGather } from './index-gather.js';

// ---- getitem: static slice ----------------------------------------------------------------------

function staticSlice(x: Value, indices: Parsed[], mode: GatherScatterMode, normalize: boolean): Value | null {
  if (mode !== GatherScatterMode.PROMISE_IN_BOUNDS && mode !== GatherScatterMode.CLIP) return null;
  const shape = x.shape;
  for (const p of indices) {
    if (p.typ === 'array' || p.typ === 'boolean') return null;
    if (p.typ === 'slice' && !sliceIsStatic(p.index as Slice)) return null;
    if (p.typ === 'integer' && mode === GatherScatterMode.PROMISE_IN_BOUNDS) {
      const i = p.index as number;
      const size = shape[p.axes[0]];
      const n = normalize && i < 0 ? i + size : i;
      if (n < 0 || n >= size) return null;
    }
  }
  const start: number[] = [];
  const limit: number[] = [];
  const strides: number[] = [];
  const revAxes: number[] = [];
  const squeezeAxes: number[] = [];
  const newaxisDims: number[] = [];
  for (const p of expandEllipses(indices, shape)) {
    if (p.typ === 'none') {
      newaxisDims.push(start.length - squeezeAxes.length + newaxisDims.length);
    } else if (p.typ === 'integer') {
      const axis = p.axes[0];
      if (shape[axis] === 0) return null;
      let s = p.index as number;
      if (normalize && s < 0) s += shape[axis];
      s = Math.min(Math.max(s, 0), shape[axis] - 1);
      start.push(s);
      limit.push(s + 1);
      strides.push(1);
      squeezeAxes.push(axis);
    } else {
      const axis = p.axes[0];
      const size = shape[axis];
      const [b, e, step] = sliceIndices(p.index as Slice, size);
      if (step < 0) {
        const ns = Math.min(size, e + 1 + (Math.abs(b - e - 1) % -step));
        start.push(ns);
        limit.push(Math.max(ns, b + 1));
        strides.push(-step);
        revAxes.push(axis);
      } else {
        start.push(b);
        limit.push(Math.max(b, e));
        strides.push(step);
      }
    }
  }
  const unit = strides.every((s) => s === 1);
  const trivial = unit && start.every((s, d) => s === 0 && limit[d] === shape[d]);
  let y = trivial ? x : lax.slice(x, start, limit, unit ? null : strides);
  if (revAxes.length) y = lax.rev(y, revAxes);
  if (squeezeAxes.length) y = lax.squeeze(y, squeezeAxes);
  if (newaxisDims.length) y = lax.expandDims(y, newaxisDims);
  return y;
}

// ---- getitem: dynamic slice ----------------------------------------------------------------------

/** JAX's _dynamic_slice_indices for one start: select(i < 0, i + size, i) unless unsigned. */
function normalizeStart(i: Value, size: number): Value {
  if (i.dtype.kind === 'u') return i;
  return lax.select(lax.lt(i, 0), lax.add(i, size), i);
}

function dynamicSlice(
  x: Value,
  indices: Parsed[],
  mode: GatherScatterMode,
  normalize: boolean,
): Value | null {
  if (mode !== GatherScatterMode.PROMISE_IN_BOUNDS && mode !== GatherScatterMode.CLIP) return null;
  for (const p of indices) {
    if (p.typ === 'boolean') return null;
    if (p.typ === 'array' && (p.index as Value).ndim !== 0) return null;
    if (p.typ === 'slice') {
      const s = p.index as Slice;
      if (!sliceIsStatic(s)) return null;
      const st = staticInt(s.step);
      if (st !== null && st !== 1 && st !== -1) return null;
    }
  }
  const shape = x.shape;
  let starts: (Value | number)[] = [];
  const sizes: number[] = [];
  const revAxes: number[] = [];
  const squeezeAxes: number[] = [];
  const newaxisDims: number[] = [];
  let trivial = true;
  for (const p of expandEllipses(indices, shape)) {
    if (p.typ === 'none') {
      newaxisDims.push(starts.length - squeezeAxes.length + newaxisDims.length);
    } else if (p.typ === 'integer' || p.typ === 'array') {
      trivial = false;
      const axis = p.axes[0];
      if (shape[axis] === 0) return null;
      starts.push(p.typ === 'integer' ? toValue(p.index as number) : (p.index as Value));
      sizes.push(1);
      squeezeAxes.push(axis);
    } else {
      const s = p.index as Slice;
      if (s.start !== null || s.stop !== null || s.step !== null) trivial = false;
      const size = shape[p.axes[0]];
      const [b, e, step] = sliceIndices(s, size);
      if (step < 0) {
        const ns = e + 1 + (Math.abs(b - e - 1) % -step);
        starts.push(ns);
        sizes.push(Math.max(0, b + 1 - ns));
        revAxes.push(p.axes[0]);
      } else {
        starts.push(b);
        sizes.push(Math.max(0, e - b));
      }
    }
  }
  // dynamic_slice wants one index dtype: JAX converts every start to int32 when there are several.
  if (starts.length > 1) starts = starts.map((i) => lax.convertElementType(i, int32));
  let y = x;
  if (!trivial) {
    const vals = starts.map((i, d) => (normalize ? normalizeStart(toValue(i), shape[d]) : toValue(i)));
    y = lax.dynamicSlice(x, vals, sizes, { allowNegativeIndices: false });
  }
  if (revAxes.length) y = lax.rev(y, revAxes);
  if (squeezeAxes.length) y = lax.squeeze(y, squeezeAxes);
  if (newaxisDims.length) y = lax.expandDims(y, newaxisDims);
  return y;
}

// ---- getitem / at[].get -------------------------------------------------------------------------

export interface IndexGetOptions {
  mode?: string | GatherScatterMode | null;
  fillValue?: number | boolean | bigint | null;
  indicesAreSorted?: boolean;
  uniqueIndices?: boolean;
  normalizeIndices?: boolean;
}

function gatherPath(x: Value, indices: Parsed[], opts: IndexGetOptions): Value {
  const normalize = opts.normalizeIndices ?? true;
  const { indexer } = toGather(expandBoolIndices(indices, x.shape), x.shape, normalize);
  let y = x;
  const fv = opts.fillValue;
  if (fv !== null && fv !== undefined && typeof fv === 'object') {
    throw new TypeError('fill_value argument to indexed get() must be a scalar');
  }
  if (indexer.scalarBoolDims.length) y = lax.expandDims(y, indexer.scalarBoolDims);
  if (indexer.sliceShape.includes(0)) {
    return full(indexer.sliceShape, 0, { dtype: y.dtype });
  }
  if (!indexer.gatherIndices.shape.includes(0)) {
    y = lax.gather(y, indexer.gatherIndices, indexer.dnums, indexer.gatherSliceShape, {
      uniqueIndices: Boolean(opts.uniqueIndices) || indexer.uniqueIndices,
      indicesAreSorted: Boolean(opts.indicesAreSorted) || indexer.indicesAreSorted,
      mode: opts.mode ?? null,
      fillValue: fv ?? null,
    });
  }
  if (indexer.reversedYDims.length) y = lax.rev(y, indexer.reversedYDims);
  if (indexer.newaxisDims.length) y = lax.expandDims(y, indexer.newaxisDims);
  return y;
}

/** JAX's rewriting_take: `x[idx]`. */
export function getitem(x: unknown, idx: NumpyIndex, opts: IndexGetOptions = {}): Value {
  const arr = toValue(x);
  const indices = parseIndices(idx, arr.shape);
  const mode =
    opts.mode === null || opts.mode === undefined
      ? GatherScatterMode.PROMISE_IN_BOUNDS
      : GatherScatterMode.fromAny(opts.mode);
  const normalize = opts.normalizeIndices ?? true;
  const s = staticSlice(arr, indices, mode, normalize);
  if (s) return s;
  const d = dynamicSlice(arr, indices, mode, normalize);
  if (d) return d;
  return gatherPath(arr, indices, opts);
}

/** `x.at[idx].get(opts)`. */
export function atGet(x: unknown, idx: NumpyIndex, opts: IndexGetOptions = {}): Value {
  return getitem(x, idx, opts);
}

// ---- at[].set / add / mul / min / max ------------------------------------------------------------

export interface IndexUpdateOptions {
  mode?: string | GatherScatterMode | null;
  indicesAreSorted?: boolean;
  uniqueIndices?: boolean;
  normalizeIndices?: boolean;
}

const SCATTER_FNS: Record<ScatterKind, typeof lax.scatter> = {
  set: lax.scatter,
  add: lax.scatterAdd,
  mul: lax.scatterMul,
  min: lax.scatterMin,
  max: lax.scatterMax,
};

function intInRange(v: number, dt: DType): boolean {
  if (!Number.isInteger(v)) return false;
  const bits = dt.itemsize * 8;
  const lo = dt.kind === 'i' ? -(2 ** (bits - 1)) : 0;
  const hi = dt.kind === 'i' ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return v >= lo && v <= hi;
}

/** JAX's _scatter_update: `x.at[idx].<kind>(values)`. */
export function atUpdate(
  x: unknown,
  idx: NumpyIndex,
  values: unknown,
  kind: ScatterKind,
  opts: IndexUpdateOptions = {},
): Value {
  const arr = toValue(x);
  const dtype = arr.dtype;
  const weak = arr.weakType;
  let y: Value;
  if (typeof values === 'number' && dtype.isInt && intInRange(values, dtype))
    y = lax.convertElementType(values, dtype);
  else y = toValue(values);
  const indices = expandBoolIndices(parseIndices(idx, arr.shape), arr.shape);
  const { indexer } = toGather(indices, arr.shape, opts.normalizeIndices ?? true);
  if (indexer.sliceShape.includes(0)) return arr;
  let [xp, yp] = promoteArgs(arr, y);
  yp = broadcastTo(yp, indexer.sliceShape);
  if (indexer.newaxisDims.length) yp = lax.squeeze(yp, indexer.newaxisDims);
  if (indexer.reversedYDims.length) yp = lax.rev(yp, indexer.reversedYDims);
  if (indexer.scalarBoolDims.length) xp = lax.expandDims(xp, indexer.scalarBoolDims);
  const dn = indexer.dnums;
  let out = SCATTER_FNS[kind](
    xp,
    indexer.gatherIndices,
    yp,
    {
      update_window_dims: dn.offset_dims,
      inserted_window_dims: dn.collapsed_slice_dims,
      scatter_dims_to_operand_dims: dn.start_index_map,
      operand_batching_dims: dn.operand_batching_dims,
      scatter_indices_batching_dims: dn.start_indices_batching_dims,
    },
    {
      indicesAreSorted: indexer.indicesAreSorted || Boolean(opts.indicesAreSorted),
      uniqueIndices: indexer.uniqueIndices || Boolean(opts.uniqueIndices),
      mode: opts.mode ?? null,
    },
  );
  if (indexer.scalarBoolDims.length) out = lax.squeeze(out, indexer.scalarBoolDims);
  return lax.convertElementType(out, dtype, weak);
}
