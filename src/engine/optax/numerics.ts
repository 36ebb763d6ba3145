/**
 * @file optax's numerics (optax/_src/numerics.py): the saturating step-counter increment, norms that are safe
 * to differentiate at zero, and scalar arithmetic that keeps optax's rounding. In optax a hyperparameter such
 * as `1 - b1` is Python float arithmetic, done in double precision before the result meets an array (and is
 * rounded to float32 there); `s.sub(1, b1)` does the same when both are JS numbers, and falls back to jnp
 * when either is an array.
 */
import type { Value } from '../core/trace.js';
import * as jnp from '../numpy/namespace.js';
import type { ArrayLike } from './base.js';

type Num = ArrayLike;
const both = (a: Num, b: Num): boolean => typeof a === 'number' && typeof b === 'number';

/** Scalar arithmetic in JS doubles when both operands are numbers (as Python floats), else in jnp. */
export const s = {
  add: (a: Num, b: Num): Num => (both(a, b) ? (a as number) + (b as number) : jnp.add(a, b)),
  sub: (a: Num, b: Num): Num => (both(a, b) ? (a as number) - (b as number) : jnp.subtract(a, b)),
  mul: (a: Num, b: Num): Num => (both(a, b) ? (a as number) * (b as number) : jnp.multiply(a, b)),
  div: (a: Num, b: Num): Num => (both(a, b) ? (a as number) / (b as number) : jnp.true_divide(a, b)),
  neg: (a: Num): Num => (typeof a === 'number' ? -a : jnp.negative(a)),
};

/** |x|^2 elementwise ((x.conj() * x).real; real dtypes only, so x * x). */
export function absSq(x: Value): Value {
  return jnp.multiply(x, x);
}

/**
 * count + 1, saturating at the dtype's largest value instead of wrapping (optax.safe_increment), so an
 * int32 step counter stays at 2^31 - 1.
 */
export function safeIncrement(count: ArrayLike): Value {
  const c = jnp.asarray(count);
  let max: number;
  if (c.dtype.isInt) max = jnp.iinfo(c.dtype).max as number;
  else if (c.dtype.isFloat) max = jnp.finfo(c.dtype).max as number;
  else {
    throw new Error(
      `Cannot safely increment count with dtype ${c.dtype.name}, valid dtypes are subdtypes of "jnp.integer" or "jnp.floating".`,
    );
  }
  const maxValue = jnp.asarray(max, { dtype: c.dtype });
  const one = jnp.asarray(1, { dtype: c.dtype });
  return jnp.where(jnp.less(c, maxValue), jnp.add(c, one), maxValue);
}
export const safeInt32Increment = safeIncrement;

export interface SafeNormOptions {
  ord?: number | string | null;
  axis?: number | readonly number[] | null;
  keepdims?: boolean;
}

/**
 * max(||x||, minNorm) with a gradient that is finite at x = 0 (optax.safe_norm): where the norm is at most
 * minNorm, the norm is taken of ones instead of x, so its derivative never divides by zero.
 */
export function safeNorm(x: Value, minNorm: ArrayLike, opts: SafeNormOptions = {}): Value {
  const ord = (opts.ord ?? null) as any;
  const axis = opts.axis ?? null;
  const norm0 = jnp.linalg.norm(x, { ord, axis, keepdims: true });
  const small = jnp.less_equal(norm0, minNorm);
  const safeX = jnp.where(small, jnp.onesLike(x), x);
  const norm = opts.keepdims ? norm0 : jnp.squeeze(norm0, axis === null ? undefined : (axis as any));
  const masked = jnp.linalg.norm(safeX, { ord, axis, keepdims: opts.keepdims ?? false });
  return jnp.where(jnp.less_equal(norm, minNorm), minNorm, masked);
}

/** max(rms(x), minRms), safe to differentiate at zero as safeNorm is (optax.safe_root_mean_squares). */
export function safeRootMeanSquares(x: Value, minRms: ArrayLike): Value {
  const rms = jnp.sqrt(jnp.mean(absSq(x)));
  const small = jnp.less_equal(rms, minRms);
  const safeX = jnp.where(small, jnp.onesLike(x), x);
  return jnp.where(small, minRms, jnp.sqrt(jnp.mean(absSq(safeX))));
}
