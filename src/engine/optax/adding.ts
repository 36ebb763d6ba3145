/**
 * @file optax.add_decayed_weights (optax/transforms/_adding.py): decoupled weight decay, g + wd * p, with a
 * constant or a scheduled wd (then with an int32 step counter) and an optional mask.
 */

import { treeMap } from '../core/pytree.js';
import type { Value } from '../core/trace.js';
import * as jnp from '../numpy/namespace.js';
import {
  type EmptyState,
  type GradientTransformation,
  isSchedule,
  type Params,
  requireParams,
  type ScalarOrSchedule,
  type Updates,
} from './base.js';
import { type Mask, masked } from './masking.js';
import { safeIncrement } from './numerics.js';

export interface WeightDecaySchedule {
  count: Value;
}

/** Adds weightDecay * params to the updates (optax.add_decayed_weights); masked when a mask is given. */
export function addDecayedWeights(
  weightDecay: ScalarOrSchedule = 0.0,
  mask?: Mask | null,
): GradientTransformation<any> {
  const tx: GradientTransformation<EmptyState | WeightDecaySchedule> = {
    init: (): EmptyState | WeightDecaySchedule =>
      isSchedule(weightDecay) ? { count: jnp.zeros([], { dtype: 'int32' }) } : {},
    update(updates: Updates, state: any, params?: Params | null) {
      const p = requireParams(params);
      const newState = isSchedule(weightDecay) ? { count: safeIncrement(state.count) } : state;
      if (typeof weightDecay === 'number' && weightDecay === 0) return [updates, newState];
      const wd = isSchedule(weightDecay) ? weightDecay(state.count) : weightDecay;
      return [treeMap((g: Value, q: Value) => jnp.add(g, jnp.multiply(wd, q)), updates, p), newState];
    },
  };
  return mask === null || mask === undefined ? tx : masked(tx, mask);
}
