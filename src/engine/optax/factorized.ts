/**
 * @file Adafactor's factored second moment (optax/_src/factorized.py; Shazeer & Stern 2018): for a param whose
 * two largest dims are at least minDimSizeToFactor, keep row and column EMAs of g^2 + eps instead of a full
 * one and scale by their outer-product estimate; otherwise keep the full EMA. The decay rate grows with the
 * step as 1 - (t + 1)^-decayRate. Unused slots hold a (1,) zero, as optax's do.
 */

import { treeMap } from '../core/pytree.js';
import type { Value } from '../core/trace.js';
import * as jnp from '../numpy/namespace.js';
import type { ArrayLike, GradientTransformation, Updates } from './base.js';
import { requireParams } from './base.js';
import { absSq, s, safeIncrement } from './numerics.js';

export interface FactoredState {
  count: Value;
  v_row: Updates;
  v_col: Updates;
  v: Updates;
}

/** 1 - (i + 1)^-exponent, in float32 (optax's _decay_rate_pow). */
export function decayRatePow(i: ArrayLike, exponent: ArrayLike = 0.8): Value {
  const t = jnp.astype(jnp.add(i, 1), 'float32');
  return jnp.subtract(1.0, jnp.power(t, s.neg(exponent)));
}

/** The two dims to factor over (second largest, largest), or null (optax's _factored_dims). */
function factoredDims(
  shape: readonly number[],
  factored: boolean,
  minDimSizeToFactor: number,
): [number, number] | null {
  if (!factored || shape.length < 2) return null;
  const sorted = [...shape.keys()].sort((a, b) => shape[a] - shape[b]);
  if (shape[sorted[sorted.length - 2]] < minDimSizeToFactor) return null;
  return [sorted[sorted.length - 2], sorted[sorted.length - 1]];
}

/** One leaf's slots; a class, so that tree maps treat it as a leaf (optax's _UpdateResult dataclass). */
class UpdateResult {
  constructor(
    readonly update: Value,
    readonly v_row: Value,
    readonly v_col: Value,
    readonly v: Value,
  ) {}
}

export interface ScaleByFactoredRmsOptions {
  factored?: boolean;
  decayRate?: ArrayLike;
  stepOffset?: ArrayLike;
  minDimSizeToFactor?: number;
  epsilon?: ArrayLike;
  decayRateFn?: (step: Value, decayRate: ArrayLike) => ArrayLike;
}

/** Scales updates by a factored (or full) RMS estimate (optax.scale_by_factored_rms). */
export function scaleByFactoredRms(
  opts: ScaleByFactoredRmsOptions = {},
): GradientTransformation<FactoredState> {
  const factored = opts.factored ?? true;
  const decayRate = opts.decayRate ?? 0.8;
  const stepOffset = opts.stepOffset ?? 0;
  const minDim = opts.minDimSizeToFactor ?? 128;
  const epsilon = opts.epsilon ?? 1e-30;
  const decayRateFn = opts.decayRateFn ?? decayRatePow;
  const one = (dtype: Value['dtype']) => jnp.zeros([1], { dtype });
  const toState = (count: Value, results: Updates): FactoredState => ({
    count,
    v_row: treeMap((o: UpdateResult) => o.v_row, results),
    v_col: treeMap((o: UpdateResult) => o.v_col, results),
    v: treeMap((o: UpdateResult) => o.v, results),
  });
  return {
    init(params) {
      const initLeaf = (param: Value): UpdateResult => {
        const p = jnp.asarray(param);
        const dims = factoredDims(p.shape, factored, minDim);
        if (dims) {
          const [d1, d0] = dims;
          const vRow = jnp.zeros(
            p.shape.filter((_, i) => i !== d0),
            { dtype: p.dtype },
          );
          const vCol = jnp.zeros(
            p.shape.filter((_, i) => i !== d1),
            { dtype: p.dtype },
          );
          return new UpdateResult(one(p.dtype), vRow, vCol, one(p.dtype));
        }
        return new UpdateResult(one(p.dtype), one(p.dtype), one(p.dtype), jnp.zerosLike(p));
      };
      return toState(jnp.zeros([], { dtype: 'int32' }), treeMap(initLeaf, params));
    },
    update(grads: Updates, state: FactoredState, params) {
      const step = state.count;
      const leaf = (grad: Value, vRow: Value, vCol: Value, v: Value, param: Value): UpdateResult => {
        const dtype = param.dtype;
        const rate = decayRateFn(jnp.subtract(step, stepOffset), decayRate);
        const keep = jnp.subtract(1.0, rate);
        const dims = factoredDims(param.shape, factored, minDim);
        if (dims) {
          const [d1, d0] = dims;
          const gradSqr = jnp.add(absSq(grad), epsilon);
          const newVRow = jnp.astype(
            jnp.add(jnp.multiply(rate, vRow), jnp.multiply(keep, jnp.mean(gradSqr, { axis: d0 }))),
            dtype,
          );
          const newVCol = jnp.astype(
            jnp.add(jnp.multiply(rate, vCol), jnp.multiply(keep, jnp.mean(gradSqr, { axis: d1 }))),
            dtype,
          );
          const reducedD1 = d1 > d0 ? d1 - 1 : d1;
          const rowColMean = jnp.mean(newVRow, { axis: reducedD1, keepdims: true });
          const rowFactor = jnp.power(jnp.true_divide(newVRow, rowColMean), -0.5);
          const colFactor = jnp.power(newVCol, -0.5);
          const update = jnp.multiply(
            jnp.multiply(grad, jnp.expand_dims(rowFactor, d0)),
            jnp.expand_dims(colFactor, d1),
          );
          return new UpdateResult(update, newVRow, newVCol, one(dtype));
        }
        const gradSqr = jnp.add(absSq(grad), epsilon);
        const newV = jnp.astype(jnp.add(jnp.multiply(rate, v), jnp.multiply(keep, gradSqr)), dtype);
        return new UpdateResult(jnp.multiply(grad, jnp.power(newV, -0.5)), one(dtype), one(dtype), newV);
      };
      const out = treeMap(leaf, grads, state.v_row, state.v_col, state.v, requireParams(params));
      return [treeMap((o: UpdateResult) => o.update, out), toState(safeIncrement(state.count), out)];
    },
  };
}
