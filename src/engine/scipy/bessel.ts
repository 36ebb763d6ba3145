/**
 * @file jax.scipy.special's modified Bessel functions of the first kind: i0, i0e, i1, i1e, as
 * JAX 0.10.2 writes them (jax/_src/scipy/special.py): the scaled forms are the lax primitives
 * bessel_i0e/bessel_i1e (primitives/bessel.ts), the unscaled ones multiply by e^|x|.
 */
import type { Value } from '../core/trace.js';
import { besselI0e, besselI1e } from '../lax/bessel.js';
import * as lax from '../lax/elementwise.js';
import { promoteArgsInexact } from '../numpy/util.js';

/** scipy.special.i0e(x): e^-|x| I0(x). */
export function i0e(x: unknown): Value {
  return besselI0e(promoteArgsInexact(x)[0]);
}

/** scipy.special.i0(x): the modified Bessel function of the first kind, order 0. */
export function i0(x: unknown): Value {
  const [v] = promoteArgsInexact(x);
  return lax.mul(lax.exp(lax.abs(v)), besselI0e(v));
}

/** scipy.special.i1e(x): e^-|x| I1(x). */
export function i1e(x: unknown): Value {
  return besselI1e(promoteArgsInexact(x)[0]);
}

/** scipy.special.i1(x): the modified Bessel function of the first kind, order 1. */
export function i1(x: unknown): Value {
  const [v] = promoteArgsInexact(x);
  return lax.mul(lax.exp(lax.abs(v)), besselI1e(v));
}
