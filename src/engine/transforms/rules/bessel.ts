/**
 * @file Rules of lax.bessel_i0e and bessel_i1e (primitives/bessel.ts), JAX 0.10.2's
 * (jax/_src/lax/special.py): d/dx i0e = i1e - sign(x) i0e; d/dx i1e = i0e - i1e (sign(x) + 1/x),
 * with x kept away from 0 (where the limit is 1/2), and elementwise batching.
 */
import { besselI0e, besselI1e } from '../../lax/bessel.js';
import * as L from '../../lax/elementwise.js';
import { fullLike } from '../../lax/fill.js';
import { bessel_i0e, bessel_i1e } from '../../primitives/bessel.js';
import { broadcastBatcher, defjvp, setBatch } from './common.js';

const EPS: Record<string, number> = { float16: 2 ** -10, float32: 2 ** -23, float64: 2 ** -52 };

defjvp(bessel_i0e, (g, y, x) => L.mul(g, L.sub(besselI1e(x), L.mul(L.sign(x), y))));

defjvp(bessel_i1e, (g, y, x) => {
  const eps = EPS[x.dtype.name];
  const notTiny = L.gt(L.abs(x), eps);
  const safe = L.select(notTiny, x, fullLike(x, eps));
  const dydx = L.sub(besselI0e(safe), L.mul(y, L.add(L.sign(safe), L.reciprocal(safe))));
  return L.mul(g, L.select(notTiny, dydx, fullLike(x, 0.5)));
});

for (const p of [bessel_i0e, bessel_i1e]) setBatch(p, broadcastBatcher(p));
