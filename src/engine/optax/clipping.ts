/**
 * @file Gradient clipping (optax/transforms/_clipping.py): elementwise `clip`, per-leaf `clipByBlockRms`,
 * and `clipByGlobalNorm`, which rescales all updates together when their joint L2 norm (`globalNorm`) exceeds
 * the limit, choosing with lax.select so that it runs under jit.
 */

import { treeMap } from '../core/pytree.js';
import type { Value } from '../core/trace.js';
import { select } from '../lax/elementwise.js';
import * as jnp from '../numpy/namespace.js';
import {
  type ArrayLike,
  type EmptyState,
  type GradientTransformation,
  initEmptyState,
  type PyTree,
} from './base.js';
import { absSq, s } from './numerics.js';
import * as tree from './tree.js';

/** Clips each update to [-maxDelta, maxDelta] (optax.clip). */
export function clip(maxDelta: ArrayLike): GradientTransformation<EmptyState> {
  return {
    init: initEmptyState,
    update: (updates, state) => [tree.clip(updates, s.neg(maxDelta), maxDelta), state],
  };
}

/** Divides each leaf by max(1, rms(leaf) / threshold) (optax.clip_by_block_rms). */
export function clipByBlockRms(threshold: ArrayLike): GradientTransformation<EmptyState> {
  const clipFn = (u: Value): Value =>
    jnp.true_divide(u, jnp.maximum(1.0, jnp.true_divide(jnp.sqrt(jnp.mean(absSq(u))), threshold)));
  return { init: initEmptyState, update: (updates, state) => [treeMap(clipFn, updates), state] };
}

/** The L2 norm of all leaves together (optax.global_norm, now optax.tree.norm). */
export function globalNorm(updates: PyTree): Value {
  return tree.norm(updates);
}

/**
 * Rescales the updates to global norm maxNorm when their norm is not below it: t / ||g|| * maxNorm
 * (optax.clip_by_global_norm).
 */
export function clipByGlobalNorm(maxNorm: ArrayLike): GradientTransformation<EmptyState> {
  return {
    init: initEmptyState,
    update(updates, state) {
      const gNorm = tree.norm(updates);
      const trigger = jnp.squeeze(jnp.less(gNorm, maxNorm));
      if (trigger.ndim !== 0)
        throw new Error(`Expected the input to have rank 0, got ${trigger.ndim} instead`);
      const clipFn = (t: Value): Value =>
        select(trigger, t, jnp.multiply(jnp.true_divide(t, jnp.astype(gNorm, t.dtype)), maxNorm));
      return [treeMap(clipFn, updates), state];
    },
  };
}
