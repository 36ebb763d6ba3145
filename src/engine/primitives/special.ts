/**
 * @file lax's special-function primitives that JAX has and the kernel IR has no operation for:
 * zeta (Hurwitz), bessel_i0e and bessel_i1e. Their algorithms are kernel-IR compositions
 * (special-kir.ts), so they fuse with their neighbours and every backend runs them; their rules
 * (jvp, batch) are in transforms/rules/special.ts.
 */
import { definePrimitive } from '../core/primitive.js';
import { naryRules } from './common.js';
import { besselI0eKir, besselI1eKir, zetaKir } from './special-kir.js';

/** zeta(x, q): the Hurwitz zeta function sum_n (n + q)^-x. */
export const zeta = definePrimitive(
  'zeta',
  naryRules('zeta', 'float', ([x, q], _p, out) => zetaKir(x, q, out.dtype)),
);
/** bessel_i0e(x) = exp(-|x|) I0(x). */
export const bessel_i0e = definePrimitive(
  'bessel_i0e',
  naryRules('bessel_i0e', 'float', ([x], _p, out) => besselI0eKir(x, out.dtype)),
);
/** bessel_i1e(x) = exp(-|x|) I1(x). */
export const bessel_i1e = definePrimitive(
  'bessel_i1e',
  naryRules('bessel_i1e', 'float', ([x], _p, out) => besselI1eKir(x, out.dtype)),
);
