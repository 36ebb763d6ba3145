/**
 * @file Rules of lax.zeta (primitives/zeta.ts), as jax/_src/lax/special.py defines them: zeta has
 * no derivative rule in lax (jax.scipy.special.zeta adds one with custom_jvp), so a tangent raises
 * JAX's error; batching is elementwise.
 */
import { bind1 } from '../../core/trace.js';
import { zeta } from '../../primitives/zeta.js';
import { type JvpRule, Zero } from '../jvp.js';
import { broadcastBatcher, setBatch } from './common.js';

zeta.rules.jvp = ((primals, tangents, params) => {
  if (tangents.some((t) => !(t instanceof Zero)))
    throw new Error("Differentiation rule for 'zeta' not implemented");
  const ans = bind1(zeta, primals, params);
  return [[ans], [new Zero(ans.aval)]];
}) satisfies JvpRule;

setBatch(zeta, broadcastBatcher(zeta));
