/**
 * @file Classification losses (optax/losses/_classification.py): softmax cross-entropy with probability or
 * integer labels, sigmoid binary cross-entropy, hinge loss and KL divergence. `axis` picks the class axis
 * (default the last); `where` masks elements out of the normalization and the sum, as in optax (through
 * jax.nn.log_softmax / logsumexp with `where`).
 */
import type { Value } from '../../core/trace.js';
import * as nn from '../../nn/index.js';
import * as jnp from '../../numpy/namespace.js';
import { ValueError } from '../base.js';
import { canonicalizeAxis, checkSubdtype } from './checks.js';

type Axis = number | readonly number[] | null;

export interface ClassAxisOptions {
  axis?: Axis;
  where?: unknown;
}

/** A `where` mask of lower rank than the logits gets a unit axis at `axis` (optax's expand_dims). */
function expandWhere(where: unknown, ndim: number, axis: Axis): Value | undefined {
  if (where === undefined || where === null) return undefined;
  const w = jnp.asarray(where);
  return w.ndim !== ndim ? jnp.expand_dims(w, axis as number | number[]) : w;
}

/** -sum(labels * log_softmax(logits)) over the class axis; labels are probabilities. */
export function softmaxCrossEntropy(logits: unknown, labels: unknown, opts: ClassAxisOptions = {}): Value {
  const l = checkSubdtype(logits, 'floating');
  const axis = opts.axis === undefined ? -1 : opts.axis;
  const where = expandWhere(opts.where, l.ndim, axis);
  const logProbs = nn.logSoftmax(l, { axis, where });
  return jnp.negative(jnp.sum(jnp.multiply(labels, logProbs), { axis, where }));
}

/** Cross-entropy with integer class labels: logsumexp(logits) - logits[label] along the class axis. */
export function softmaxCrossEntropyWithIntegerLabels(
  logits: unknown,
  labels: unknown,
  opts: { axis?: number | readonly number[]; where?: unknown } = {},
): Value {
  let l = checkSubdtype(logits, 'floating');
  const y = checkSubdtype(labels, 'integer');
  const axis0 = opts.axis ?? -1;
  let where = expandWhere(opts.where, l.ndim, axis0 as Axis);
  let axis: number;
  if (typeof axis0 === 'number') axis = canonicalizeAxis(axis0, l.ndim);
  else if (Array.isArray(axis0)) {
    // Several class axes: move them last and flatten them into one.
    const logitAxes = axis0.map((a) => canonicalizeAxis(a, l.ndim));
    const batchAxes = [...Array(l.ndim).keys()].filter((a) => !logitAxes.includes(a));
    axis = batchAxes.length;
    const flat = (x: Value): Value => {
      const t = jnp.transpose(x, [...batchAxes, ...logitAxes]);
      return jnp.reshape(t, [...t.shape.slice(0, batchAxes.length), -1]);
    };
    l = flat(l);
    if (where !== undefined) where = flat(where);
  } else {
    throw new ValueError(
      `Keyword argument 'axis' must be of type 'int' or 'tuple[int, ...]' but actual type is ${typeof axis0}.`,
    );
  }
  const labelLogits = jnp.take(jnp.takeAlongAxis(l, jnp.expand_dims(y, axis), axis), 0, { axis });
  const logNormalizers = nn.logsumexp(l, { axis, where });
  const out = jnp.subtract(logNormalizers, labelLogits);
  return where === undefined ? out : jnp.where(jnp.any(where, { axis }), out, 0.0);
}

/** -labels * log(sigmoid(logits)) - (1 - labels) * log(1 - sigmoid(logits)), stably. */
export function sigmoidBinaryCrossEntropy(logits: unknown, labels: unknown): Value {
  const l = checkSubdtype(logits, 'floating');
  const y = jnp.astype(labels, l.dtype);
  const logP = nn.logSigmoid(l);
  const logNotP = nn.logSigmoid(jnp.negative(l));
  return jnp.subtract(jnp.multiply(jnp.negative(y), logP), jnp.multiply(jnp.subtract(1.0, y), logNotP));
}

/** max(0, 1 - outputs * targets), for targets in {-1, 1}. */
export function hingeLoss(predictorOutputs: unknown, targets: unknown): Value {
  return jnp.maximum(0, jnp.subtract(1, jnp.multiply(predictorOutputs, targets)));
}

/**
 * KL(targets || predictions) = sum(targets * (log(targets) - logPredictions)) over `axis`, with 0 log 0 = 0.
 * The predictions are log-probabilities; the targets probabilities.
 */
export function klDivergence(logPredictions: unknown, targets: unknown, opts: ClassAxisOptions = {}): Value {
  const lp = checkSubdtype(logPredictions, 'floating');
  const t = checkSubdtype(targets, 'floating');
  const axis = opts.axis === undefined ? -1 : opts.axis;
  const logT = jnp.where(jnp.equal(t, 0), 0, jnp.log(t));
  const loss = jnp.multiply(t, jnp.subtract(logT, lp));
  return jnp.sum(loss, { axis, where: opts.where });
}
