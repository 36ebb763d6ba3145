/**
 * @file jnp.searchsorted as JAX 0.10.2 writes it (jax/_src/numpy/lax_numpy.py `searchsorted`, and
 * jax/_src/numpy/hijax.py, whose SearchSorted expansion it calls): a jit named `searchsorted`
 * around one of four methods. The default, `scan` (and `scan_unrolled`), is a jitted binary
 * search of one query, vmapped over the query's dimensions by recursion, that scans
 * ceil(log2(n + 1)) halvings of a uint32 [low, high) range; `compare_all` compares every element
 * with every query and counts; `sort` ranks queries and elements in one stable co-sort. Floats
 * compare in the total order of JAX's sort comparator (-0.0 equal to 0.0, NaNs largest), through
 * the lt_to/le_to primitives, so every method gives NumPy's answer.
 */
import { type DType, int32, int64, uint32, uint64 } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { bind1, type Value } from '../core/trace.js';
import { scan } from '../lax/control.js';
import { convertElementType } from '../lax/convert.js';
import * as lx from '../lax/elementwise.js';
import { full, fullLike } from '../lax/fill.js';
import { reduceSum } from '../lax/reductions.js';
import { sortKeyVal } from '../lax/sorting.js';
import { concatenate, dynamicSlice, iota, reshape, slice, squeeze } from '../lax/structural.js';
import { le_to, lt_to } from '../primitives/elementwise.js';
import { vmap } from '../transforms/api.js';
import { namedJit } from '../transforms/jit.js';
import { atUpdate, getitem } from './indexing.js';
import { floor_divide } from './ufuncs.js';
import { asValue, promoteArgs } from './util.js';

export type SearchsortedMethod = 'scan' | 'scan_unrolled' | 'sort' | 'compare_all';

export interface SearchsortedOpts {
  side?: 'left' | 'right';
  sorter?: unknown;
  method?: SearchsortedMethod;
}

const METHODS: readonly SearchsortedMethod[] = ['compare_all', 'scan', 'scan_unrolled', 'sort'];

/** JAX's _canonicalize_float_for_sort: -0.0 becomes 0.0 and every NaN the same NaN. */
function canonicalizeForSort(x: Value): Value {
  if (!x.dtype.isFloat) return x;
  const r = lx.select(lx.eq(x, 0), fullLike(x, 0), x);
  return lx.select(lx.ne(x, x), fullLike(r, Number.NaN), r);
}

/** lax._sort_lt_comparator / _sort_le_comparator on one key. */
function sortComparator(op: 'lt' | 'le', x: Value, y: Value): Value {
  const xk = canonicalizeForSort(x);
  const yk = canonicalizeForSort(y);
  return bind1(op === 'lt' ? lt_to : le_to, [xk, yk]);
}

type Side = 'left' | 'right';

const scanImpl = namedJit(
  '_searchsorted_scan_impl',
  function _searchsorted_scan_impl(
    sortedArr: Value,
    query: Value,
    side: Side,
    dtype: DType,
    unrolled: boolean,
  ): Value {
    const n = sortedArr.shape[0];
    if (sortedArr.size === 0) return full(query.shape, 0, dtype);
    if (query.ndim > 0)
      return vmap((a: Value, q: Value) => scanImpl(a, q, side, dtype, unrolled), { inAxes: [null, 0] })(
        sortedArr,
        query,
      ) as Value;
    const op = side === 'left' ? 'le' : 'lt';
    const unsigned = dtype.itemsize === 8 ? uint64 : uint32;
    const nLevels = Math.ceil(Math.log2(n + 1));
    const init = [convertElementType(0, unsigned), convertElementType(n, unsigned)];
    const [carry] = scan(
      ([low, high]: Value[]) => {
        // low + (high - low) // 2, the form that cannot overflow.
        const mid = lx.add(low, floor_divide(lx.sub(high, low), 2));
        const goLeft = sortComparator(op, query, squeeze(dynamicSlice(sortedArr, [mid], [1]), [0]));
        return [[lx.select(goLeft, low, mid), lx.select(goLeft, mid, high)], []];
      },
      init,
      null,
      { length: nLevels, unroll: unrolled ? nLevels : 1 },
    );
    return convertElementType(carry[1], dtype);
  },
  { staticArgnums: [2, 3, 4] },
);

const compareAllImpl = namedJit(
  '_searchsorted_compare_all_impl',
  function _searchsorted_compare_all_impl(sortedArr: Value, query: Value, side: Side, dtype: DType): Value {
    const op = side === 'left' ? 'lt' : 'le';
    const comparisons = vmap((a: Value, q: Value) => sortComparator(op, a, q), { inAxes: [0, null] })(
      sortedArr,
      query,
    ) as Value;
    return reduceSum(convertElementType(comparisons, dtype), [0]);
  },
  { staticArgnums: [2, 3] },
);

const sortImpl = namedJit(
  '_searchsorted_sort_impl',
  function _searchsorted_sort_impl(sortedArr: Value, query: Value, side: Side, dtype: DType): Value {
    const working = sortedArr.size + query.size <= 2 ** 31 - 1 ? int32 : int64;
    // The rank of each element in a stable sort of x.
    const rank = (x: Value) => {
      const idx = iota(working, x.shape[0]);
      return atUpdate(fullLike(idx, 0), sortKeyVal(x, idx)[1], idx, 'set');
    };
    const flatQuery = reshape(query, [query.size]);
    const index =
      side === 'left'
        ? slice(rank(concatenate([flatQuery, sortedArr], 0)), [0], [query.size])
        : slice(
            rank(concatenate([sortedArr, flatQuery], 0)),
            [sortedArr.size],
            [sortedArr.size + query.size],
          );
    return convertElementType(reshape(lx.sub(index, rank(flatQuery)), query.shape), dtype);
  },
  { staticArgnums: [2, 3] },
);

const searchsortedJit = namedJit(
  'searchsorted',
  function searchsorted(a: Value, v: Value, side: Side, method: SearchsortedMethod, sorter?: Value): Value {
    let [av, vv] = promoteArgs(a, v);
    if (sorter !== undefined) av = getitem(av, sorter);
    // lax_utils.int_dtype_for_dim(n, signed=True): int32 unless the length needs more.
    const dtype = av.shape[0] < 2 ** 31 ? int32 : int64;
    if (method === 'compare_all') return compareAllImpl(av, vv, side, dtype);
    if (method === 'sort') return sortImpl(av, vv, side, dtype);
    return scanImpl(av, vv, side, dtype, method === 'scan_unrolled');
  },
  { staticArgnums: [2, 3] },
);

/** Insertion indices of `v` into the 1-D `a`, sorted (or sorted by the permutation `sorter`). */
export function searchsorted(a: unknown, v: unknown, opts: SearchsortedOpts = {}): Value {
  const side = opts.side ?? 'left';
  const method = opts.method ?? 'scan';
  if (side !== 'left' && side !== 'right')
    throw new ValueError(`invalid argument side='${side}', expected 'left' or 'right'`);
  if (!METHODS.includes(method))
    throw new ValueError(
      `invalid argument method='${method}', expected one of [${METHODS.map((m) => `'${m}'`).join(', ')}]`,
    );
  const av = asValue(a);
  const vv = asValue(v);
  if (av.ndim !== 1) throw new ValueError('a should be 1-dimensional');
  if (opts.sorter === undefined || opts.sorter === null) return searchsortedJit(av, vv, side, method);
  return searchsortedJit(av, vv, side, method, asValue(opts.sorter));
}
