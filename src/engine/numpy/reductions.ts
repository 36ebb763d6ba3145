/**
 * @file NumPy reductions: sum prod max min all any mean var std (axis, keepdims, dtype, where,
 * ddof), with JAX's dtype rules (bool and small ints sum in the default int, mean is inexact).
 */
import { bool, type DTypeLike, defaultFloat, defaultInt, defaultUint } from '../core/dtype.js';
import type { Primitive } from '../core/primitive.js';
import { normalizeAxes } from '../core/shape.js';
import { bind1, type Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import * as R from '../primitives/reductions.js';
import { broadcast_in_dim } from '../primitives/structural.js';
import * as uf from './ufuncs.js';
import { asValue, dtypeOpt } from './util.js';

export interface ReduceOpts {
  axis?: number | readonly number[] | null;
  keepdims?: boolean;
  dtype?: DTypeLike | null;
  where?: unknown;
  initial?: number;
}

function keepDims(x: Value, axes: number[], inShape: readonly number[]): Value {
  const shape = inShape.map((n, d) => (axes.includes(d) ? 1 : n));
  const dims = inShape.map((_, d) => d).filter((d) => !axes.includes(d));
  return bind1(broadcast_in_dim, [x], { shape, broadcast_dimensions: dims, sharding: null });
}

function reduce(
  prim: Primitive,
  x: Value,
  opts: ReduceOpts,
  identity: number | boolean | null,
  name: string,
): Value {
  const axes = normalizeAxes(opts.axis, x.ndim);
  if (identity === null) {
    for (const a of axes) {
      if (x.shape[a] === 0)
        throw new Error(`zero-size array to reduction operation ${name} which has no identity`);
    }
  }
  let v = x;
  if (opts.where !== undefined && opts.where !== null) {
    if (identity === null)
      throw new Error(
        `reduction operation '${name}' does not have an identity, so to use a where mask one has to specify 'initial'`,
      );
    v = uf.where(opts.where, v, identity);
  }
  const params = prim.name === 'reduce_sum' ? { axes, out_sharding: null } : { axes };
  let out = bind1(prim, [v], params);
  if (opts.initial !== undefined) {
    out =
      prim.name === 'reduce_max'
        ? uf.maximum(out, opts.initial)
        : prim.name === 'reduce_min'
          ? uf.minimum(out, opts.initial)
          : prim.name === 'reduce_prod'
            ? uf.multiply(out, opts.initial)
            : uf.add(out, opts.initial);
  }
  return opts.keepdims ? keepDims(out, axes, x.shape) : out;
}

/** Sums of bools and narrow ints accumulate in the default int, as NumPy/JAX do. */
function sumDtype(x: Value, dtype: DTypeLike | null | undefined): Value {
  const d = dtypeOpt(dtype, 'sum');
  if (d) return convertElementType(x, d);
  if (x.dtype.isBool) return convertElementType(x, defaultInt());
  if (x.dtype.kind === 'i' && x.dtype.itemsize < defaultInt().itemsize)
    return convertElementType(x, defaultInt());
  if (x.dtype.kind === 'u' && x.dtype.itemsize < defaultUint().itemsize)
    return convertElementType(x, defaultUint());
  return x;
}

export function sum(x: unknown, opts: ReduceOpts = {}): Value {
  return reduce(R.reduce_sum, sumDtype(asValue(x), opts.dtype), opts, 0, 'sum');
}

export function prod(x: unknown, opts: ReduceOpts = {}): Value {
  return reduce(R.reduce_prod, sumDtype(asValue(x), opts.dtype), opts, 1, 'prod');
}

export function max(x: unknown, opts: ReduceOpts = {}): Value {
  return reduce(R.reduce_max, asValue(x), opts, opts.initial ?? null, 'max');
}
export const amax = max;

export function min(x: unknown, opts: ReduceOpts = {}): Value {
  return reduce(R.reduce_min, asValue(x), opts, opts.initial ?? null, 'min');
}
export const amin = min;

export function all(x: unknown, opts: ReduceOpts = {}): Value {
  return reduce(R.reduce_and, convertElementType(asValue(x), bool), opts, true, 'all');
}

export function any(x: unknown, opts: ReduceOpts = {}): Value {
  return reduce(R.reduce_or, convertElementType(asValue(x), bool), opts, false, 'any');
}

function count(x: Value, opts: ReduceOpts): number | Value {
  const axes = normalizeAxes(opts.axis, x.ndim);
  if (opts.where !== undefined && opts.where !== null) {
    return sum(uf.where(opts.where, 1, 0), { axis: opts.axis, keepdims: opts.keepdims });
  }
  return axes.reduce((n, a) => n * x.shape[a], 1);
}

export function mean(x: unknown, opts: ReduceOpts = {}): Value {
  let v = asValue(x);
  const d = dtypeOpt(opts.dtype, 'mean');
  if (!v.dtype.isFloat || d) v = convertElementType(v, d ?? defaultFloat());
  const s = reduce(R.reduce_sum, v, { ...opts, dtype: undefined }, 0, 'mean');
  const n = count(v, opts);
  const m = typeof n === 'number' ? lax.div(s, n) : uf.divide(s, n);
  // JAX's _mean ends with .astype(result_dtype): a weakly typed input gives a strong result.
  return convertElementType(m, m.dtype, false);
}

export function var_(x: unknown, opts: ReduceOpts & { ddof?: number; correction?: number } = {}): Value {
  let v = asValue(x);
  if (!v.dtype.isFloat) v = convertElementType(v, defaultFloat());
  const ddof = opts.ddof ?? opts.correction ?? 0;
  const m = mean(v, { axis: opts.axis, keepdims: true, where: opts.where });
  const c = uf.subtract(v, m);
  const sq = uf.multiply(c, c);
  const s = sum(sq, { axis: opts.axis, keepdims: opts.keepdims, where: opts.where });
  const n = count(v, opts);
  return typeof n === 'number' ? lax.div(s, Math.max(n - ddof, 0)) : uf.divide(s, uf.subtract(n, ddof));
}

export function std(x: unknown, opts: ReduceOpts & { ddof?: number; correction?: number } = {}): Value {
  return lax.sqrt(var_(x, opts));
}

// `var` is a reserved word in JS but a fine export name: jnp.var(x) works as in NumPy.
export { var_ as var };
