/**
 * @file The scaling transformations that keep no moments (optax/_src/transform.py): by a constant, a
 * learning rate or a schedule (with its int32 step counter), by sign, by the params' block norm or RMS, by
 * LAMB/LARS's trust ratio; plus `centralize`, `normalizeByUpdateNorm` and `applyEvery`.
 */

import { treeMap } from '../core/pytree.js';
import type { Value } from '../core/trace.js';
import * as jnp from '../numpy/namespace.js';
import {
  type ArrayLike,
  type EmptyState,
  type GradientTransformation,
  identity,
  initEmptyState,
  isSchedule,
  type Params,
  requireParams,
  type ScalarOrSchedule,
  type Schedule,
  type Updates,
} from './base.js';
import { s, safeIncrement, safeNorm, safeRootMeanSquares } from './numerics.js';
import * as tree from './tree.js';

const int32Zero = (): Value => jnp.zeros([], { dtype: 'int32' });

/** Multiplies the updates by a constant (optax.scale). */
export function scale(stepSize: ArrayLike): GradientTransformation<EmptyState> {
  return {
    init: initEmptyState,
    update: (updates, state) => [treeMap((g: Value) => jnp.multiply(stepSize, g), updates), state],
  };
}

export interface ScaleByScheduleState {
  count: Value;
}

/** Multiplies the updates by `stepSizeFn(count)`, counting updates in an int32 (optax.scale_by_schedule). */
export function scaleBySchedule(stepSizeFn: Schedule): GradientTransformation<ScaleByScheduleState> {
  return {
    init: () => ({ count: int32Zero() }),
    update(updates: Updates, state: ScaleByScheduleState) {
      const stepSize = stepSizeFn(state.count);
      const out = treeMap((g: Value) => jnp.multiply(jnp.asarray(stepSize, { dtype: g.dtype }), g), updates);
      return [out, { count: safeIncrement(state.count) }];
    },
  };
}

/**
 * Scales by -learningRate (or +learningRate with flipSign false): a constant `scale` or a `scaleBySchedule`;
 * no learning rate is the identity (optax.scale_by_learning_rate).
 */
export function scaleByLearningRate(
  learningRate?: ScalarOrSchedule | null,
  opts: { flipSign?: boolean } = {},
): GradientTransformation<any> {
  if (learningRate === null || learningRate === undefined) return identity();
  const m = (opts.flipSign ?? true) ? -1 : 1;
  if (isSchedule(learningRate)) return scaleBySchedule((count) => s.mul(m, learningRate(count)));
  return scale(s.mul(m, learningRate));
}

/** The sign of each update (optax.scale_by_sign). */
export function scaleBySign(): GradientTransformation<EmptyState> {
  return {
    init: initEmptyState,
    update: (updates, state) => [treeMap((g: Value) => jnp.sign(g), updates), state],
  };
}

function paramwise(f: (u: Value, p: Value) => Value): GradientTransformation<EmptyState> {
  return {
    init: initEmptyState,
    update: (updates: Updates, state: EmptyState, params?: Params | null) => [
      treeMap(f, updates, requireParams(params)),
      state,
    ],
  };
}

/** Scales each update by its param's norm, at least minScale (optax.scale_by_param_block_norm). */
export function scaleByParamBlockNorm(minScale: ArrayLike = 1e-3): GradientTransformation<EmptyState> {
  return paramwise((u, p) => jnp.multiply(u, safeNorm(p, minScale)));
}

/** Scales each update by its param's RMS, at least minScale (optax.scale_by_param_block_rms). */
export function scaleByParamBlockRms(minScale: ArrayLike = 1e-3): GradientTransformation<EmptyState> {
  return paramwise((u, p) => jnp.multiply(u, safeRootMeanSquares(p, minScale)));
}

export interface ScaleByTrustRatioOptions {
  minNorm?: ArrayLike;
  trustCoefficient?: ArrayLike;
  eps?: ArrayLike;
}

/**
 * LARS/LAMB's layerwise trust ratio: each update times trustCoefficient * ||param|| / (||update|| + eps),
 * or 1 where either norm is zero (optax.scale_by_trust_ratio).
 */
export function scaleByTrustRatio(opts: ScaleByTrustRatioOptions = {}): GradientTransformation<EmptyState> {
  const minNorm = opts.minNorm ?? 0.0;
  const trustCoefficient = opts.trustCoefficient ?? 1.0;
  const eps = opts.eps ?? 0.0;
  return paramwise((update, param) => {
    const paramNorm = safeNorm(param, minNorm);
    const updateNorm = safeNorm(update, minNorm);
    const trustRatio = jnp.true_divide(jnp.multiply(trustCoefficient, paramNorm), jnp.add(updateNorm, eps));
    const zeroNorm = jnp.logical_or(jnp.equal(paramNorm, 0.0), jnp.equal(updateNorm, 0.0));
    const safe = jnp.where(zeroNorm, jnp.asarray(1.0, { dtype: param.dtype }), trustRatio);
    return jnp.multiply(update, safe);
  });
}

/** Subtracts from each update of rank > 1 its mean over all axes but the first (optax.centralize). */
export function centralize(): GradientTransformation<EmptyState> {
  const subtractMean = (g: Value): Value => {
    if (g.ndim <= 1) return g;
    const axes = [...Array(g.ndim).keys()].slice(1);
    return jnp.subtract(g, jnp.mean(g, { axis: axes, keepdims: true }));
  };
  return { init: initEmptyState, update: (updates, state) => [treeMap(subtractMean, updates), state] };
}

/** Divides the updates by (their global norm + eps) / scaleFactor (optax.normalize_by_update_norm). */
export function normalizeByUpdateNorm(
  opts: { scaleFactor?: ArrayLike; eps?: ArrayLike } = {},
): GradientTransformation<EmptyState> {
  const scaleFactor = opts.scaleFactor ?? 1.0;
  const eps = opts.eps ?? 1e-6;
  return {
    init: initEmptyState,
    update(updates, state) {
      const gNorm = jnp.true_divide(jnp.add(tree.norm(updates), eps), scaleFactor);
      return [treeMap((g: Value) => jnp.true_divide(g, gNorm), updates), state];
    },
  };
}

export interface ApplyEveryState {
  count: Value;
  grad_acc: Updates;
}

/** Accumulates updates and emits their sum every k steps, zeros otherwise (optax.apply_every). */
export function applyEvery(k: ArrayLike = 1): GradientTransformation<ApplyEveryState> {
  return {
    init: (params) => ({ count: int32Zero(), grad_acc: tree.zerosLike(params) }),
    update(updates: Updates, state: ApplyEveryState) {
      const c = jnp.remainder(state.count, k);
      const acc = jnp.not_equal(c, 0);
      const gradAcc = treeMap(
        (g: Value, ga: Value) => jnp.add(jnp.multiply(acc, ga), g),
        updates,
        state.grad_acc,
      );
      const emit = jnp.equal(c, s.sub(k, 1));
      const out = treeMap((ga: Value) => jnp.multiply(emit, ga), gradAcc);
      const countInc = safeIncrement(state.count);
      return [out, { count: jnp.remainder(countInc, k), grad_acc: gradAcc }];
    },
  };
}
