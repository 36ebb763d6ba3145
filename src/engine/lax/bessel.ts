/**
 * @file lax.bessel_i0e and lax.bessel_i1e: bind the primitives of primitives/bessel.ts.
 */
import { toValue } from '../core/coerce.js';
import { bind1, type Value } from '../core/trace.js';
import { bessel_i0e, bessel_i1e } from '../primitives/bessel.js';

/** lax.bessel_i0e(x): e^-|x| I0(x). */
export function besselI0e(x: unknown): Value {
  return bind1(bessel_i0e, [toValue(x)]);
}

/** lax.bessel_i1e(x): e^-|x| I1(x). */
export function besselI1e(x: unknown): Value {
  return bind1(bessel_i1e, [toValue(x)]);
}
