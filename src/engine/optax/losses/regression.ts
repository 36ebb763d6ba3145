/**
 * @file Regression losses (optax/losses/_regression.py): squared error, L2, Huber, log-cosh, and the cosine
 * similarity and distance. Each is elementwise (or reduced over `axis` for the cosine ones), unreduced over
 * the batch, as in optax; the targets default to zero where optax allows it.
 */
import type { Value } from '../../core/trace.js';
import * as jnp from '../../numpy/namespace.js';
import type { ArrayLike } from '../base.js';
import { checkShapesEqual, checkSubdtype } from './checks.js';

type Axis = number | readonly number[] | null;

function errorsOf(predictions: unknown, targets?: unknown): Value {
  const p = checkSubdtype(predictions, 'floating');
  if (targets === undefined || targets === null) return p;
  return jnp.subtract(p, targets);
}

/** (predictions - targets)^2; the targets must have the predictions' shape. */
export function squaredError(predictions: unknown, targets?: unknown): Value {
  const p = checkSubdtype(predictions, 'floating');
  if (targets !== undefined && targets !== null) checkShapesEqual(p, jnp.asarray(targets));
  return jnp.power(errorsOf(p, targets), 2);
}

/** 0.5 * (predictions - targets)^2. */
export function l2Loss(predictions: unknown, targets?: unknown): Value {
  return jnp.multiply(0.5, squaredError(jnp.asarray(predictions), targets));
}

/** Quadratic for |error| <= delta, linear beyond: 0.5 * min(|e|, delta)^2 + delta * (|e| - min(|e|, delta)). */
export function huberLoss(predictions: unknown, targets?: unknown, opts: { delta?: ArrayLike } = {}): Value {
  const delta = opts.delta ?? 1.0;
  const absErrors = jnp.abs(errorsOf(predictions, targets));
  const quadratic = jnp.minimum(absErrors, delta);
  const linear = jnp.subtract(absErrors, quadratic);
  return jnp.add(jnp.multiply(0.5, jnp.power(quadratic, 2)), jnp.multiply(delta, linear));
}

/** log(cosh(error)), computed stably as logaddexp(e, -e) - log(2). */
export function logCosh(predictions: unknown, targets?: unknown): Value {
  const e = errorsOf(predictions, targets);
  return jnp.subtract(jnp.logaddexp(e, jnp.negative(e)), jnp.astype(jnp.log(2.0), e.dtype));
}

export interface CosineOptions {
  /** A floor on the squared norms (optax clips them to at least epsilon). */
  epsilon?: ArrayLike;
  axis?: Axis;
  where?: unknown;
}

/** The cosine of the angle between predictions and targets along `axis` (default the last). */
export function cosineSimilarity(predictions: unknown, targets: unknown, opts: CosineOptions = {}): Value {
  const a = checkSubdtype(predictions, 'floating');
  const b = checkSubdtype(targets, 'floating');
  const epsilon = opts.epsilon ?? 0.0;
  const axis = opts.axis === undefined ? -1 : opts.axis;
  const where = opts.where;
  const unit = (x: Value): Value => {
    const norm2 = jnp.sum(jnp.square(x), { axis, where, keepdims: true });
    return jnp.true_divide(x, jnp.sqrt(jnp.clip(norm2, epsilon)));
  };
  return jnp.sum(jnp.multiply(unit(a), unit(b)), { axis, where });
}

/** 1 - cosineSimilarity. */
export function cosineDistance(predictions: unknown, targets: unknown, opts: CosineOptions = {}): Value {
  checkSubdtype(predictions, 'floating');
  checkSubdtype(targets, 'floating');
  return jnp.subtract(1.0, cosineSimilarity(predictions, targets, opts));
}
