/**
 * @file Applying updates (optax/_src/update.py): params + updates keeping each param's dtype, Polyak-style
 * incremental averaging, and periodic copying (a lax.cond, so it runs under jit).
 */

import { treeMap } from '../core/pytree.js';
import type { Value } from '../core/trace.js';
import { cond } from '../lax/control.js';
import * as jnp from '../numpy/namespace.js';
import type { ArrayLike, Params, Updates } from './base.js';
import { s } from './numerics.js';

/** params + updates, leafwise, cast back to each param's dtype (optax.apply_updates). */
export function applyUpdates(params: Params, updates: Updates): Params {
  return treeMap(
    (p: unknown, u: unknown) => {
      const pv = jnp.asarray(p);
      return jnp.astype(jnp.add(pv, u), pv.dtype);
    },
    params,
    updates,
  );
}

/** stepSize * new + (1 - stepSize) * old, leafwise (optax.incremental_update). */
export function incrementalUpdate(newTensors: Params, oldTensors: Params, stepSize: ArrayLike): Params {
  const c = s.sub(1.0, stepSize);
  return treeMap(
    (nw: Value, old: Value) => jnp.add(jnp.multiply(stepSize, nw), jnp.multiply(c, old)),
    newTensors,
    oldTensors,
  );
}

/** newTensors when steps % updatePeriod == 0, else oldTensors (optax.periodic_update). */
export function periodicUpdate(
  newTensors: Params,
  oldTensors: Params,
  steps: ArrayLike,
  updatePeriod: ArrayLike,
): Params {
  return cond(
    jnp.equal(jnp.remainder(steps, updatePeriod), 0),
    () => newTensors,
    () => oldTensors,
  );
}
