/**
 * @file jax.nn's log-sum-exp family: logsumexp, logmeanexp, softmax and log_softmax, with the
 * `axis`/`where` options they share, composed from the numpy namespace as jax/_src/nn/functions.py
 * and jax/_src/ops/special.py write them (the max is subtracted and not differentiated). Its own
 * file, below nn/index.ts, so that the random samplers (dirichlet's softmax) can use it without
 * reaching the initializers that nn/index.ts re-exports, which are built on the samplers.
 */
import { normalizeAxis } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { expandDims } from '../lax/structural.js';
import * as jnp from '../numpy/namespace.js';
import { fullLike, promoteArgsInexact } from '../numpy/util.js';
import { stopGradient } from '../transforms/api.js';
import { namedJit } from '../transforms/jit.js';

type In = unknown;
type Axis = number | readonly number[] | null;

const v = (x: In): Value => jnp.asarray(x) as Value;

export interface AxisOpts {
  axis?: Axis;
  where?: In;
}

/** An axis option as a jit static argument (a list, not a readonly array), `dflt` when absent. */
export function axisKey(axis: Axis | undefined, dflt: Axis): number | number[] | null {
  const a = axis === undefined ? dflt : axis;
  return a === null || typeof a === 'number' ? a : [...a];
}

/** JAX's _reduction_dims: (positional dims, dims), both canonical. */
function reductionDims(axis: Axis, ndim: number): number[] {
  if (axis === null) return Array.from({ length: ndim }, (_, i) => i);
  return (typeof axis === 'number' ? [axis] : [...axis]).map((a) => normalizeAxis(a, ndim));
}

/**
 * logsumexp over axes, stable: the max (over the `where` elements) is subtracted and not
 * differentiated, as jax.nn.logsumexp (jax/_src/ops/special.py) does; with `b`, a negative sum
 * gives NaN.
 */
export function logsumexp(
  x: In,
  opts: AxisOpts & { keepdims?: boolean; b?: In; returnSign: true },
): [Value, Value];
export function logsumexp(x: In, opts?: AxisOpts & { keepdims?: boolean; b?: In; returnSign?: false }): Value;
export function logsumexp(
  x: In,
  opts: AxisOpts & { keepdims?: boolean; b?: In; returnSign?: boolean } = {},
): Value | [Value, Value] {
  let a: Value = v(x);
  const where = opts.where;
  if (where !== undefined && where !== null) a = jnp.where(where, a, 0);
  let bArr: Value | undefined;
  if (opts.b !== undefined && opts.b !== null) {
    [a, bArr] = promoteArgsInexact(a, opts.b);
    a = jnp.where(jnp.not_equal(bArr, 0), a, Number.NEGATIVE_INFINITY);
  } else [a] = promoteArgsInexact(a);
  const axis = opts.axis === undefined ? null : opts.axis;
  const keepdims = opts.keepdims ?? false;
  const dims = reductionDims(axis, a.ndim);
  let amax = jnp.max(a, { axis: dims, keepdims, where, initial: Number.NEGATIVE_INFINITY });
  amax = stopGradient(lax.select(jnp.isfinite(amax), amax, fullLike(amax, 0))) as Value;
  const amaxWithDims = keepdims ? amax : expandDims(amax, dims);
  let expA = lax.exp(lax.sub(a, convertElementType(amaxWithDims, a.dtype)));
  if (bArr !== undefined) expA = lax.mul(expA, bArr);
  let sumexp = jnp.sum(expA, { axis: dims, keepdims, where });
  const sign = lax.sign(sumexp);
  sumexp = jnp.abs(sumexp);
  const out = lax.add(lax.log(sumexp), convertElementType(amax, sumexp.dtype));
  if (opts.returnSign) return [out, sign];
  if (bArr === undefined) return out;
  return jnp.where(jnp.less(sign, 0), convertElementType(Number.NaN, out.dtype), out);
}

/** JAX's _count: elements reduced, or the count of the mask. */
function count(x: Value, axis: Axis, where: In, keepdims: boolean, dtype: Value['dtype']): Value {
  if (where === undefined || where === null) {
    const n = reductionDims(axis, x.ndim).reduce((k, d) => k * x.shape[d], 1);
    return convertElementType(n, dtype);
  }
  return jnp.sum(jnp.broadcast_to(where, x.shape), { axis, dtype, keepdims });
}

const logmeanexpJit = namedJit(
  'logmeanexp',
  function logmeanexp(
    x: Value,
    where: Value | null,
    axis: number | number[] | null,
    keepdims: boolean,
  ): Value {
    const lse = logsumexp(x, { axis, where: where ?? undefined, keepdims });
    const c = count(x, axis, where ?? undefined, keepdims, lse.dtype);
    return jnp.subtract(lse, jnp.log(c));
  },
  { staticArgnums: [2, 3] },
);
/** log(mean(exp(x))), stable: logsumexp minus the log of the count. */
export function logmeanexp(x: In, opts: AxisOpts & { keepdims?: boolean } = {}): Value {
  const where = opts.where === undefined || opts.where === null ? null : v(opts.where);
  return logmeanexpJit(v(x), where, axisKey(opts.axis, null), opts.keepdims ?? false);
}

/**
 * softmax as JAX 0.10.2 computes it by default (the non-custom-jvp form, not jitted): the max,
 * from -inf over the `where` elements, is subtracted and not differentiated.
 */
export function softmax(x: In, opts: AxisOpts = {}): Value {
  const a = v(x);
  const axis = opts.axis === undefined ? -1 : opts.axis;
  const where = opts.where === null ? undefined : opts.where;
  const initial = Number.NEGATIVE_INFINITY;
  const xMax = jnp.max(a, { axis, where, initial, keepdims: true });
  const xSafe = where === undefined ? a : jnp.where(where, a, initial);
  const unnormalized = jnp.exp(jnp.subtract(xSafe, stopGradient(xMax)));
  const result = jnp.true_divide(unnormalized, jnp.sum(unnormalized, { axis, where, keepdims: true }));
  return where === undefined ? result : jnp.where(where, result, 0);
}

const logSoftmaxJit = namedJit(
  'log_softmax',
  function log_softmax(x: Value, where: Value | null, axis: number | number[] | null): Value {
    const w = where ?? undefined;
    const xMax = jnp.max(x, { axis, where: w, initial: Number.NEGATIVE_INFINITY, keepdims: true });
    const xSafe = w === undefined ? x : jnp.where(w, x, Number.NEGATIVE_INFINITY);
    const shifted = jnp.subtract(xSafe, stopGradient(xMax));
    const lse = jnp.log(jnp.sum(jnp.exp(shifted), { axis, where: w, keepdims: true }));
    const result = jnp.subtract(shifted, lse);
    return w === undefined ? result : jnp.where(w, result, Number.NEGATIVE_INFINITY);
  },
  { staticArgnums: [2] },
);
/** log_softmax as jax.nn's: elements outside `where` are left out of the max and the sum, and give -inf. */
export function logSoftmax(x: In, opts: AxisOpts = {}): Value {
  const where = opts.where === undefined || opts.where === null ? null : v(opts.where);
  return logSoftmaxJit(v(x), where, axisKey(opts.axis, -1));
}
