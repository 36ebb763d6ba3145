/**
 * @file optax.apply_if_finite (optax/transforms/_conditionality.py): apply the inner transformation only when
 * every update is finite; otherwise return zeros and keep the inner state, unless more than
 * maxConsecutiveErrors non-finite steps have come in a row (then the update goes through, as in optax). The
 * choice is a lax.cond, so it runs under jit.
 */
import { treeLeaves } from '../core/pytree.js';
import type { Value } from '../core/trace.js';
import { cond } from '../lax/control.js';
import * as jnp from '../numpy/namespace.js';
import type { ExtraArgs, GradientTransformation, OptState, Params, Updates } from './base.js';
import { safeIncrement } from './numerics.js';
import * as tree from './tree.js';

export interface ApplyIfFiniteState {
  notfinite_count: Value;
  last_finite: Value;
  total_notfinite: Value;
  inner_state: OptState;
}

export function applyIfFinite(
  inner: GradientTransformation<any>,
  maxConsecutiveErrors: number,
): GradientTransformation<ApplyIfFiniteState> {
  return {
    init: (params) => ({
      notfinite_count: jnp.zeros([], { dtype: 'int32' }),
      last_finite: jnp.asarray(true),
      total_notfinite: jnp.zeros([], { dtype: 'int32' }),
      inner_state: inner.init(params),
    }),
    update(updates: Updates, state: ApplyIfFiniteState, params?: Params | null, extraArgs?: ExtraArgs) {
      const leaves = treeLeaves(updates) as Value[];
      const isfinite = jnp.all(
        leaves.length
          ? jnp.stack(leaves.map((p) => jnp.all(jnp.isfinite(p))))
          : jnp.zeros([0], { dtype: 'bool' }),
      );
      const zero = jnp.zeros([], { dtype: 'int32' });
      const notfiniteCount = jnp.where(isfinite, zero, safeIncrement(state.notfinite_count));
      const [out, innerState] = cond(
        jnp.logical_or(isfinite, jnp.greater(notfiniteCount, maxConsecutiveErrors)),
        () => inner.update(updates, state.inner_state, params, extraArgs),
        () => [tree.zerosLike(updates), state.inner_state],
      );
      return [
        out,
        {
          notfinite_count: notfiniteCount,
          last_finite: isfinite,
          total_notfinite: jnp.where(isfinite, state.total_notfinite, safeIncrement(state.total_notfinite)),
          inner_state: innerState,
        },
      ];
    },
  };
}
