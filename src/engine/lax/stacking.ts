/**
 * @file lax.stack, lax.unstack and lax.tile: bind the primitives of primitives/stack.ts with
 * JAX 0.10.2's argument handling (stack and unstack normalise a negative axis).
 */
import { toValue } from '../core/coerce.js';
import { ValueError } from '../core/errors.js';
import { normalizeAxis } from '../core/shape.js';
import { bind, bind1, type Value } from '../core/trace.js';
import * as P from '../primitives/stack.js';

type In = Value | number | boolean | readonly unknown[];

/** lax.stack(operands, axis=0): operands of one shape and dtype along a new axis. */
export function stack(operands: readonly In[], axis = 0): Value {
  const xs = operands.map((x) => toValue(x));
  if (xs.length === 0) throw new ValueError('stack expects at least one operand, got 0.');
  return bind1(P.stack, xs, { axis: normalizeAxis(axis, xs[0].ndim + 1) });
}

/** lax.unstack(x, axis=0): the slices of x along `axis`. */
export function unstack(x: In, axis = 0): Value[] {
  const v = toValue(x);
  if (v.ndim === 0) throw new ValueError(`axis ${axis} is out of bounds for array of dimension 0`);
  return bind(P.unstack, [v], { axis: normalizeAxis(axis, v.ndim) });
}

/** lax.tile(operand, reps): operand repeated reps[d] times along each dimension (len(reps) == ndim). */
export function tile(operand: In, reps: readonly number[]): Value {
  return bind1(P.tile, [toValue(operand)], { reps: [...reps] });
}
