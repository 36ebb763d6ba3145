/**
 * @file optax's argument checks for losses (optax/_src/utils.py): dtype kinds and equal shapes, with optax's
 * error classes and texts.
 */
import type { Value } from '../../core/trace.js';
import * as jnp from '../../numpy/namespace.js';
import { ValueError } from '../base.js';

const shapeText = (shape: readonly number[]): string =>
  `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;

/** Raises optax's TypeError unless x's dtype is a float ('floating') or an integer ('integer') dtype. */
export function checkSubdtype(x: unknown, kind: 'floating' | 'integer'): Value {
  const a = jnp.asarray(x);
  const ok = kind === 'floating' ? a.dtype.isFloat : a.dtype.isInt;
  if (!ok) {
    throw new TypeError(
      `Expected the input to have a dtype that is a subdtype of <class 'numpy.${kind}'>, got ${a.dtype.name} instead`,
    );
  }
  return a;
}

export function checkShapesEqual(a: Value, b: Value): void {
  const same = a.shape.length === b.shape.length && a.shape.every((n, i) => n === b.shape[i]);
  if (!same) throw new ValueError(`Shape mismatch: got ${shapeText(a.shape)} and ${shapeText(b.shape)}.`);
}

/** An axis in [0, ndim), or optax's ValueError. */
export function canonicalizeAxis(axis: number, ndim: number): number {
  if (axis >= 0 && axis < ndim) return axis;
  if (axis >= -ndim && axis < 0) return axis + ndim;
  throw new ValueError(`axis ${axis} is out of bounds for array of dimension ${ndim}`);
}
