/**
 * @file lax's arg-reductions, cumulative ops and sorting: argmax argmin cumsum cumprod cummax
 * cummin sort sortKeyVal topK, with the argument handling of JAX 0.10.2's lax.py (sort and top_k
 * normalise negative axes; argmax and the cumulative ops pass the axis to the primitive as is).
 */
import { toValue } from '../core/coerce.js';
import { type DTypeLike, requestDType } from '../core/dtype.js';
import { normalizeAxis } from '../core/shape.js';
import { bind, bind1, type Value } from '../core/trace.js';
import * as P from '../primitives/sorting.js';

type In = Value | number | boolean;

export function argmax(x: In, axis: number, indexDtype: DTypeLike): Value {
  return bind1(P.argmax, [toValue(x)], { axes: [axis], index_dtype: requestDType(indexDtype, 'argmax') });
}

export function argmin(x: In, axis: number, indexDtype: DTypeLike): Value {
  return bind1(P.argmin, [toValue(x)], { axes: [axis], index_dtype: requestDType(indexDtype, 'argmin') });
}

export interface CumulativeOptions {
  axis?: number;
  reverse?: boolean;
}

export function cumsum(x: In, opts: CumulativeOptions = {}): Value {
  return bind1(P.cumsum, [toValue(x)], { axis: opts.axis ?? 0, reverse: opts.reverse ?? false });
}
export function cumprod(x: In, opts: CumulativeOptions = {}): Value {
  return bind1(P.cumprod, [toValue(x)], { axis: opts.axis ?? 0, reverse: opts.reverse ?? false });
}
export function cummax(x: In, opts: CumulativeOptions = {}): Value {
  return bind1(P.cummax, [toValue(x)], { axis: opts.axis ?? 0, reverse: opts.reverse ?? false });
}
export function cummin(x: In, opts: CumulativeOptions = {}): Value {
  return bind1(P.cummin, [toValue(x)], { axis: opts.axis ?? 0, reverse: opts.reverse ?? false });
}

export interface SortOptions {
  dimension?: number;
  isStable?: boolean;
  numKeys?: number;
}

/** lax.sort: one operand gives one array; a list of operands gives a list (sorted together). */
export function sort(operand: In, opts?: SortOptions): Value;
export function sort(operand: readonly In[], opts?: SortOptions): Value[];
export function sort(operand: In | readonly In[], opts: SortOptions = {}): Value | Value[] {
  const numKeys = opts.numKeys ?? 1;
  const isStable = opts.isStable ?? true;
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw new TypeError('Sort requires at least one operand');
    if (!(numKeys >= 1 && numKeys <= operand.length)) {
      throw new Error(`num_keys=${numKeys} must be between 1 and len(operand)=${operand.length}`);
    }
    const vals = operand.map(toValue);
    const dimension = normalizeAxis(opts.dimension ?? -1, vals[0].ndim);
    return bind(P.sort, vals, { dimension, is_stable: isStable, num_keys: numKeys });
  }
  if (numKeys !== 1) throw new Error(`num_keys=${numKeys} must equal 1 for a single operand.`);
  const v = toValue(operand as In);
  const dimension = normalizeAxis(opts.dimension ?? -1, v.ndim);
  return bind(P.sort, [v], { dimension, is_stable: isStable, num_keys: 1 })[0];
}

/** Sort `keys` along `dimension` and apply the same permutation to `values`. */
export function sortKeyVal(
  keys: In,
  values: In,
  opts: { dimension?: number; isStable?: boolean } = {},
): [Value, Value] {
  const k = toValue(keys);
  const dimension = normalizeAxis(opts.dimension ?? -1, k.ndim);
  const [a, b] = bind(P.sort, [k, toValue(values)], {
    dimension,
    is_stable: opts.isStable ?? true,
    num_keys: 1,
  });
  return [a, b];
}

/** The top `k` entries along `axis` (default: the last) and their int32 indices. */
export function topK(x: In, k: number, opts: { axis?: number } = {}): [Value, Value] {
  if (k < 0) throw new Error(`k argument to top_k must be nonnegative, got ${k}`);
  const v = toValue(x);
  const axis = normalizeAxis(opts.axis ?? -1, v.ndim);
  const [vals, idx] = bind(P.top_k, [v], { k, axis });
  return [vals, idx];
}
