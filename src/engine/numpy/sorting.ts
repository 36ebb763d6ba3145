/**
 * @file NumPy's arg-reductions, cumulative ops and sorting: argmax argmin cumsum cumprod nancumsum
 * nancumprod sort argsort lexsort unique searchsorted. Structure and dtype rules follow JAX
 * 0.10.2's jax/_src/numpy (reductions.py, sorting.py, setops.py, lax_numpy.py): cumsum, cumprod,
 * sort, argsort, lexsort and searchsorted are jitted functions (they print as `jit[name=...]`);
 * only bool inputs of cumulative ops are promoted (to the default int), small ints are not.
 *
 * unique works without scatter/gather: a second stable sort keyed on "not first of its run" moves
 * the unique elements to the front in order, and sorting (perm, rank) by perm inverts the
 * permutation for return_inverse. searchsorted is in searchsorted.ts.
 */
import { type ArrayImpl, hostScalar } from '../core/array.js';
import { scalarArray } from '../core/coerce.js';
import { bool, type DType, type DTypeLike, defaultInt, requestDType, toDType } from '../core/dtype.js';
import { ConcretizationTypeError } from '../core/errors.js';
import { normalizeAxis } from '../core/shape.js';
import { isTracer, type Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as lx from '../lax/elementwise.js';
import { reduceSum } from '../lax/reductions.js';
import * as S from '../lax/sorting.js';
import {
  broadcastedIota,
  broadcastInDim,
  concatenate,
  expandDims,
  iota,
  pad,
  reshape,
  rev,
  slice,
} from '../lax/structural.js';
import { namedJit } from '../transforms/jit.js';
import { where } from './ufuncs.js';
import { alongAxis, asValue } from './util.js';

function ravel(x: Value): Value {
  return reshape(x, [x.size]);
}

// ---- argmax / argmin ------------------------------------------------------------------------------

export interface ArgReduceOpts {
  axis?: number | null;
  keepdims?: boolean;
}

function argReduce(name: 'argmax' | 'argmin', x: unknown, opts: ArgReduceOpts = {}): Value {
  const a0 = asValue(x);
  const inShape = a0.shape;
  const [a, axis] = alongAxis(a0, opts.axis);
  if (a.shape[axis] === 0) throw new Error(`attempt to get ${name} of an empty sequence`);
  const out = name === 'argmax' ? S.argmax(a, axis, defaultInt()) : S.argmin(a, axis, defaultInt());
  if (!opts.keepdims) return out;
  const dims = opts.axis === null || opts.axis === undefined ? inShape.map((_, d) => d) : [axis];
  return expandDims(out, dims);
}

export function argmax(x: unknown, opts: ArgReduceOpts = {}): Value {
  return argReduce('argmax', x, opts);
}

export function argmin(x: unknown, opts: ArgReduceOpts = {}): Value {
  return argReduce('argmin', x, opts);
}

// ---- cumulative reductions ----------------------------------------------------------------------

export interface CumulativeOpts {
  axis?: number | null;
  dtype?: DTypeLike | null;
}

type Scan = (x: Value, opts: { axis: number }) => Value;

/** JAX's _cumulative_reduction: flatten for axis=None, promote bools, fill NaNs for the nan* forms. */
function cumulative(
  name: string,
  scan: Scan,
  a: Value,
  axis: number | null,
  dtype: string | null,
  fillNan: number | null,
): Value {
  let x = a;
  if (axis === null || x.ndim === 0) x = ravel(x);
  const ax = normalizeAxis(axis ?? 0, x.ndim);
  // JAX's _where(isnan(a), _const(a, fill_value), a): a typed scalar through the jitted _where.
  if (fillNan !== null) x = where(lx.ne(x, x), scalarArray(fillNan, x.dtype), x);
  let resultType: DType;
  let compType: DType;
  if (dtype === null) {
    resultType = x.dtype.isBool ? defaultInt() : x.dtype;
    compType = resultType;
  } else if (toDType(dtype) === bool) {
    resultType = bool;
    if (!x.dtype.isBool) x = lx.ne(x, 0);
    compType = defaultInt();
  } else {
    resultType = requestDType(dtype, name);
    compType = resultType;
  }
  x = convertElementType(x, compType);
  return convertElementType(scan(x, { axis: ax }), resultType);
}

function cumulativeJit(name: string, scan: Scan, fillNan: number | null) {
  const jf = namedJit(
    name,
    (a: Value, axis: number | null, dtype: string | null) => cumulative(name, scan, a, axis, dtype, fillNan),
    { staticArgnums: [1, 2] },
  );
  return (x: unknown, opts: CumulativeOpts = {}): Value => {
    const dt = opts.dtype === null || opts.dtype === undefined ? null : toDType(opts.dtype).name;
    return jf(asValue(x), opts.axis ?? null, dt);
  };
}

export const cumsum = cumulativeJit('cumsum', S.cumsum, null);
export const cumprod = cumulativeJit('cumprod', S.cumprod, null);
export const nancumsum = cumulativeJit('nancumsum', S.cumsum, 0);
export const nancumprod = cumulativeJit('nancumprod', S.cumprod, 1);

// ---- sort / argsort / lexsort -------------------------------------------------------------------

export interface SortOpts {
  axis?: number | null;
  stable?: boolean;
  descending?: boolean;
}

const sortJit = namedJit(
  'sort',
  function sort(a: Value, axis: number | null, stable: boolean, descending: boolean): Value {
    const [x, dimension] = alongAxis(a, axis);
    const out = S.sort(x, { dimension, isStable: stable });
    return descending ? rev(out, [dimension]) : out;
  },
  { staticArgnums: [1, 2, 3] },
);

/** The jitted arguments of sort and argsort: the array, axis (default -1), stable, descending. */
function sortArgs(a: unknown, opts: SortOpts) {
  return [
    asValue(a),
    opts.axis === undefined ? -1 : opts.axis,
    opts.stable ?? true,
    opts.descending ?? false,
  ] as const;
}

export function sort(a: unknown, opts: SortOpts = {}): Value {
  return sortJit(...sortArgs(a, opts));
}

const argsortJit = namedJit(
  'argsort',
  function argsort(a: Value, axis: number | null, stable: boolean, descending: boolean): Value {
    const [x, dimension] = alongAxis(a, axis);
    const idx = broadcastedIotaInt(x.shape, dimension);
    if (descending) {
      const [, out] = S.sort([rev(x, [dimension]), rev(idx, [dimension])], { dimension, isStable: stable });
      return rev(out, [dimension]);
    }
    return S.sort([x, idx], { dimension, isStable: stable })[1];
  },
  { staticArgnums: [1, 2, 3] },
);

function broadcastedIotaInt(shape: readonly number[], dimension: number): Value {
  return broadcastedIota(defaultInt(), shape, dimension);
}

export function argsort(a: unknown, opts: SortOpts = {}): Value {
  return argsortJit(...sortArgs(a, opts));
}

const lexsortJit = namedJit(
  'lexsort',
  function lexsort(keys: Value[], axis: number): Value {
    const dimension = normalizeAxis(axis, keys[0].ndim);
    const idx = broadcastedIotaInt(keys[0].shape, dimension);
    const outs = S.sort([...[...keys].reverse(), idx], { dimension, numKeys: keys.length });
    return outs[outs.length - 1];
  },
  { staticArgnums: [1] },
);

/** Indirect stable sort on several keys; the last key is the primary one (NumPy's order). */
export function lexsort(keys: readonly unknown[], opts: { axis?: number } = {}): Value {
  if (keys.length === 0) throw new TypeError('need sequence of keys with len > 0 in lexsort');
  const ks = keys.map(asValue);
  if (new Set(ks.map((k) => k.shape.join(','))).size > 1)
    throw new Error('all keys need to be the same shape');
  if (ks[0].ndim === 0) return convertElementType(0, defaultInt());
  return lexsortJit(ks, opts.axis ?? -1);
}

// ---- searchsorted (searchsorted.ts) ------------------------------------------------------------

export { type SearchsortedMethod, type SearchsortedOpts, searchsorted } from './searchsorted.js';

// ---- unique -------------------------------------------------------------------------------------

export interface UniqueOpts {
  returnIndex?: boolean;
  returnInverse?: boolean;
  returnCounts?: boolean;
  equalNan?: boolean;
  size?: number | null;
  fillValue?: unknown;
}

/** Elements v[start .. start + size), zero-padded past the end of v. */
function window(v: Value, start: number, size: number): Value {
  const n = v.shape[0];
  const s = Math.min(start, n);
  const e = Math.min(start + size, n);
  const part = s === 0 && e === n ? v : slice(v, [s], [e]);
  const extra = size - (e - s);
  return extra > 0 ? pad(part, convertElementType(0, v.dtype), [[0, extra, 0]]) : part;
}

interface UniqueParts {
  values: Value;
  index: Value;
  inverse: Value;
  counts: Value;
  trueSize: Value;
}

/** unique of a non-empty 1-D array with a static output size. */
function uniqueSized(x: Value, size: number, fillValue: unknown, equalNan: boolean): UniqueParts {
  const n = x.shape[0];
  const idt = defaultInt();
  const pos = iota(idt, n);
  const [xs, perm] = S.sort([x, pos], { dimension: 0 });
  let mask: Value = broadcastInDim(true, [1], []);
  if (n > 1) {
    const hi = slice(xs, [1], [n]);
    const lo = slice(xs, [0], [n - 1]);
    let neq = lx.ne(hi, lo);
    if (x.dtype.isFloat && equalNan)
      neq = lx.bitwiseAnd(neq, lx.bitwiseNot(lx.bitwiseAnd(lx.ne(hi, hi), lx.ne(lo, lo))));
    mask = concatenate([mask, neq], 0);
  }
  const maskI = convertElementType(mask, idt);
  const trueSize = reduceSum(maskI, [0]);
  // Run starts first (stable, so in sorted order), the rest after.
  const [, uvals, uperm, upos] = S.sort([lx.sub(1, maskI), xs, perm, pos], { dimension: 0 });
  const j = iota(idt, size);
  const valid = lx.lt(j, trueSize);
  const first = (v: Value) => broadcastInDim(slice(v, [0], [1]), [size], [0]);
  const full = (v: unknown, dt: DType) => broadcastInDim(convertElementType(v, dt), [size], []);
  const fill = fillValue === undefined || fillValue === null ? first(uvals) : full(fillValue, x.dtype);
  const values = lx.select(valid, window(uvals, 0, size), fill);
  const index = lx.select(valid, window(uperm, 0, size), first(uperm));
  const start = window(upos, 0, size);
  const next = lx.select(lx.lt(lx.add(j, 1), trueSize), window(upos, 1, size), full(n, idt));
  const counts = lx.select(valid, lx.sub(next, start), full(0, idt));
  // inverse[perm[i]] = rank of sorted element i: sorting (perm, rank) by perm inverts perm.
  const rank = lx.sub(S.cumsum(maskI), 1);
  const [, inverse] = S.sort([perm, rank], { dimension: 0 });
  return { values, index, inverse, counts, trueSize };
}

const UNIQUE_HINT =
  'To make jnp.unique() compatible with JIT and other transforms, you can specify a concrete value for the size argument, which will determine the output size.';

/**
 * The sorted unique elements of `ar` (flattened), optionally with first-occurrence indices, the
 * inverse (shaped like `ar`) and counts. Without `size` the input must be concrete; with `size`
 * the outputs have that length, padded with `fillValue` (default: the smallest element).
 */
export function unique(ar: unknown, opts: UniqueOpts = {}): Value | Value[] {
  const arr = asValue(ar);
  const size = opts.size ?? null;
  if (size === null && isTracer(arr)) {
    throw new ConcretizationTypeError(
      `traced array with shape ${arr.dtype.name}[${arr.shape.join(',')}]`,
      `The error arose for the first argument of jnp.unique(). ${UNIQUE_HINT}`,
    );
  }
  if (size !== null && (!Number.isInteger(size) || size < 0))
    throw new TypeError(`size must be a non-negative integer, got ${size}`);
  const x = ravel(arr);
  const n = x.shape[0];
  const idt = defaultInt();
  let parts: Omit<UniqueParts, 'trueSize'>;
  if (n === 0) {
    if (size && (opts.fillValue === undefined || opts.fillValue === null)) {
      throw new Error(
        'jnp.unique: for zero-sized input with nonzero size argument, fill_value must be specified',
      );
    }
    const empty = broadcastInDim(convertElementType(0, idt), [0], []);
    const values = size ? broadcastInDim(convertElementType(opts.fillValue, x.dtype), [size], []) : x;
    parts = { values, index: empty, inverse: empty, counts: empty };
  } else if (size !== null) {
    parts = uniqueSized(x, size, opts.fillValue, opts.equalNan ?? true);
  } else {
    const p = uniqueSized(x, n, null, opts.equalNan ?? true);
    const k = Number(hostScalar(p.trueSize as ArrayImpl));
    const cut = (v: Value) => slice(v, [0], [k]);
    parts = { values: cut(p.values), index: cut(p.index), inverse: p.inverse, counts: cut(p.counts) };
  }
  const ret: Value[] = [parts.values];
  if (opts.returnIndex) ret.push(parts.index);
  if (opts.returnInverse) ret.push(reshape(parts.inverse, arr.shape));
  if (opts.returnCounts) ret.push(parts.counts);
  return ret.length === 1 ? ret[0] : ret;
}
