/**
 * @file Index grids and triangular/diagonal index sets of jax.numpy: indices, tri, tril_indices,
 * triu_indices (and their _from forms), diag_indices (and _from), mask_indices, diagflat and
 * fill_diagonal, as JAX 0.10.2 writes them (jax/_src/numpy/lax_numpy.py, lax.py `_tri`): tri
 * compares two broadcasted iotas; the triangle index sets are nonzero() of tril/triu of ones with
 * the static count of the triangle; diagflat scatters into a flat square.
 */
import { type DType, type DTypeLike, defaultInt, float32, requestDType } from '../core/dtype.js';
import { ConcretizationTypeError } from '../core/errors.js';
import { isTracer, type Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { broadcastedIota, broadcastInDim, iota } from '../lax/structural.js';
import { nonzero } from './compare.js';
import { arange, array, ones, zeros } from './creation.js';
import { NotImplementedError, ValueError } from './errors.js';
import { atUpdate, getitem, sl } from './indexing.js';
import { ravel, reshape, stack, tile, tril, triu } from './shapes.js';
import * as uf from './ufuncs.js';
import { asValue } from './util.js';

function concreteInt(v: unknown, what: string): number {
  if (isTracer(v)) throw new ConcretizationTypeError((v as Value).aval.toString(), what);
  const n = Number(v);
  if (!Number.isInteger(n)) throw new TypeError(`'${typeof v}' object cannot be interpreted as an integer`);
  return n;
}

export interface IndicesOptions {
  dtype?: DTypeLike | null;
  sparse?: boolean;
}

/** jnp.indices(dimensions, {dtype, sparse}): the index grid (stacked) or its open form. */
export function indices(dimensions: readonly number[], opts: IndicesOptions = {}): Value | Value[] {
  const dtype = requestDType(opts.dtype ?? defaultInt(), 'indices');
  const dims = dimensions.map((d) => concreteInt(d, 'dimensions argument of jnp.indices'));
  const N = dims.length;
  const out = dims.map((dim, i) => {
    const shape = opts.sparse ? dims.map((_, j) => (j === i ? dim : 1)) : dims;
    return broadcastInDim(iota(dtype, dim), shape, [i]);
  });
  if (opts.sparse) return out;
  return N ? stack(out, { axis: 0 }) : array([], { dtype });
}

export interface TriOptions {
  M?: number | null;
  k?: number;
  dtype?: DTypeLike | null;
}

/** lax._tri: (row + offset >= column) as `dtype`. */
function triMask(dtype: DType, shape: [number, number], k: number): Value {
  const it = defaultInt();
  const rows = broadcastedIota(it, shape, 0);
  const cols = broadcastedIota(it, shape, 1);
  return convertElementType(lax.ge(lax.add(rows, convertElementType(k, it)), cols), dtype);
}

/** jnp.tri(N, {M, k, dtype}): ones at and below the k-th diagonal. */
export function tri(N: number, opts: TriOptions = {}): Value {
  const dtype = opts.dtype === undefined || opts.dtype === null ? float32 : requestDType(opts.dtype, 'tri');
  return triMask(dtype, [N, opts.M ?? N], opts.k ?? 0);
}

/** The number of elements of an n x m array on or above the k-th diagonal (JAX's _triu_size). */
function triuSize(n: number, m: number, k: number): number {
  if (k < 0) return n * m - triuSize(m, n, 1 - k);
  if (k >= m) return 0;
  const mk = Math.min(n, m - k);
  return (mk * (mk + 1)) / 2 + mk * (m - k - mk);
}

export interface TriIndicesOptions {
  k?: number;
  m?: number | null;
}

/** jnp.triu_indices(n, {k, m}): [rows, cols] of the upper triangle. */
export function triu_indices(n: number, opts: TriIndicesOptions = {}): [Value, Value] {
  const nn = concreteInt(n, 'n argument of jnp.triu_indices');
  const k = concreteInt(opts.k ?? 0, 'k argument of jnp.triu_indices');
  const m =
    opts.m === undefined || opts.m === null ? nn : concreteInt(opts.m, 'm argument of jnp.triu_indices');
  return nonzero(triu(ones([nn, m]), k), { size: triuSize(nn, m, k) }) as [Value, Value];
}

/** jnp.tril_indices(n, {k, m}): [rows, cols] of the lower triangle. */
export function tril_indices(n: number, opts: TriIndicesOptions = {}): [Value, Value] {
  const nn = concreteInt(n, 'n argument of jnp.triu_indices');
  const k = concreteInt(opts.k ?? 0, 'k argument of jnp.triu_indices');
  const m =
    opts.m === undefined || opts.m === null ? nn : concreteInt(opts.m, 'm argument of jnp.triu_indices');
  return nonzero(tril(ones([nn, m]), k), { size: triuSize(m, nn, -k) }) as [Value, Value];
}

function shape2d(arr: unknown): readonly number[] {
  const s =
    arr !== null && typeof arr === 'object' && 'shape' in arr ? (arr as Value).shape : asValue(arr).shape;
  if (s.length !== 2) throw new ValueError('Only 2-D inputs are accepted');
  return s;
}

/** jnp.triu_indices_from(arr, {k}): triu_indices for arr's shape. */
export function triu_indices_from(arr: unknown, opts: { k?: number } = {}): [Value, Value] {
  const [n, m] = shape2d(arr);
  return triu_indices(n, { k: opts.k ?? 0, m });
}

/** jnp.tril_indices_from(arr, {k}): tril_indices for arr's shape. */
export function tril_indices_from(arr: unknown, opts: { k?: number } = {}): [Value, Value] {
  const [n, m] = shape2d(arr);
  return tril_indices(n, { k: opts.k ?? 0, m });
}

/** jnp.diag_indices(n, {ndim}): the indices of the main diagonal, once per dimension. */
export function diag_indices(n: number, opts: { ndim?: number } = {}): Value[] {
  const nn = concreteInt(n, "'n' argument of jnp.diag_indices()");
  const ndim = concreteInt(opts.ndim ?? 2, "'ndim' argument of jnp.diag_indices()");
  if (nn < 0) throw new ValueError(`n argument to diag_indices must be nonnegative, got ${nn}`);
  if (ndim < 0) throw new ValueError(`ndim argument to diag_indices must be nonnegative, got ${ndim}`);
  const idx = iota(defaultInt(), nn);
  return new Array(ndim).fill(idx);
}

/** jnp.diag_indices_from(arr): diag_indices for a square (hyper)cube. */
export function diag_indices_from(arr: unknown): Value[] {
  const a = asValue(arr);
  if (a.ndim < 2) throw new ValueError('input array must be at least 2-d');
  if (new Set(a.shape).size !== 1) throw new ValueError('All dimensions of input must be of equal length');
  return diag_indices(a.shape[0], { ndim: a.ndim });
}

/** jnp.mask_indices(n, maskFunc, {k, size}): nonzero() of maskFunc(ones((n, n)), k). */
export function mask_indices(
  n: number,
  maskFunc: (a: Value, k: number) => Value,
  opts: { k?: number; size?: number | null } = {},
): [Value, Value] {
  return nonzero(maskFunc(ones([n, n]), opts.k ?? 0), { size: opts.size ?? null }) as [Value, Value];
}

/** jnp.diagflat(v, {k}): a square array with the flattened v on its k-th diagonal. */
export function diagflat(v0: unknown, opts: { k?: number } = {}): Value {
  const k = opts.k ?? 0;
  const v = ravel(asValue(v0));
  const len = v.shape[0];
  const adj = len + Math.abs(k);
  const res = zeros([adj * adj], { dtype: v.dtype });
  const i = arange(0, adj - Math.abs(k));
  const fi =
    k >= 0 ? uf.add(uf.add(i, k), uf.multiply(i, adj)) : uf.add(i, uf.multiply(uf.subtract(i, k), adj));
  return reshape(atUpdate(res, [fi], v, 'set'), [adj, adj]);
}

export interface FillDiagonalOptions {
  wrap?: boolean;
  /** Must be false: JAX arrays are immutable, the filled array is returned. */
  inplace?: boolean;
}

/** jnp.fill_diagonal(a, val, {wrap, inplace: false}): a copy with its main diagonal set to val. */
export function fill_diagonal(a0: unknown, val0: unknown, opts: FillDiagonalOptions = {}): Value {
  if (opts.inplace ?? true) throw new NotImplementedError('JAX arrays are immutable, must use inplace=False');
  if (opts.wrap) throw new NotImplementedError('wrap=True is not implemented, must use wrap=False');
  const a = asValue(a0);
  const val = asValue(val0);
  if (a.ndim < 2) throw new ValueError('array must be at least 2-d');
  if (a.ndim > 2 && !a.shape.every((d) => d === a.shape[0])) {
    throw new ValueError('All dimensions of input must be of equal length');
  }
  const n = Math.min(...a.shape);
  const idx = diag_indices(n, { ndim: a.ndim });
  const v = val.ndim === 0 ? val : tileToSize(ravel(val), n);
  return atUpdate(a, idx, v, 'set');
}

/** JAX's _tile_to_size: repeat a 1-d array and cut it to `size`. */
export function tileToSize(arr: Value, size: number): Value {
  let a = arr;
  if (a.size < size) a = tile(a, Math.ceil(size / a.size));
  return a.size > size ? getitem(a, [sl(null, size)]) : a;
}

/** The camelCase spellings. */
export {
  diag_indices as diagIndices,
  diag_indices_from as diagIndicesFrom,
  fill_diagonal as fillDiagonal,
  mask_indices as maskIndices,
  tril_indices as trilIndices,
  tril_indices_from as trilIndicesFrom,
  triu_indices as triuIndices,
  triu_indices_from as triuIndicesFrom,
};
