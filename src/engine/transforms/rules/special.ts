/**
 * @file jvp and batch rules of the special-function primitives of primitives/special.ts, as
 * jax/_src/lax/special.py defines them: bessel_i0e' = i1e(x) - sign(x) i0e(x); bessel_i1e' =
 * i0e(x) - i1e(x) (sign(x) + 1/x), 1/2 within an epsilon of 0; zeta has no derivative rule in
 * lax (jax.scipy.special.zeta adds one with custom_jvp), so a tangent raises JAX's error.
 */
import { bind1, type Value } from '../../core/trace.js';
import * as L from '../../lax/elementwise.js';
import { broadcastInDim } from '../../lax/structural.js';
import * as P from '../../primitives/special.js';
import { type JvpRule, Zero } from '../jvp.js';
import { broadcastBatcher, defjvp, setBatch } from './common.js';

defjvp(P.bessel_i0e, (g, y, x) => L.mul(g, L.sub(L.besselI1e(x), L.mul(L.sign(x), y))));
/** lax.full_like(x, v). */
const fullLike = (x: Value, v: number) => {
  const c = L.convertElementType(v, x.dtype, x.weakType);
  return x.ndim ? broadcastInDim(c, x.shape, []) : c;
};

defjvp(P.bessel_i1e, (g, y, x) => {
  const eps = x.dtype.itemsize === 8 ? 2 ** -52 : x.dtype.itemsize === 2 ? 2 ** -10 : 2 ** -23;
  const notTiny = L.gt(L.abs(x), eps);
  const safe = L.select(notTiny, x, fullLike(x, eps));
  const d = L.sub(L.besselI0e(safe), L.mul(y, L.add(L.sign(safe), L.reciprocal(safe))));
  return L.mul(g, L.select(notTiny, d, fullLike(x, 0.5)));
});
P.zeta.rules.jvp = ((primals, tangents, params) => {
  if (tangents.some((t) => !(t instanceof Zero)))
    throw new Error("Differentiation rule for 'zeta' not implemented");
  const ans = bind1(P.zeta, primals, params);
  return [[ans], [new Zero(ans.aval)]];
}) satisfies JvpRule;

for (const p of [P.zeta, P.bessel_i0e, P.bessel_i1e]) setBatch(p, broadcastBatcher(p));
