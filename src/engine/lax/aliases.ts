/**
 * @file jax.lax names for functionality tjax has elsewhere: `lax.stop_gradient` (the
 * transformation's primitive, also at the top level as `stopGradient`) and `lax.batch_matmul`
 * (JAX's lax/lax.py: a dot_general contracting the last axis of lhs with the second-to-last of
 * rhs over the leading batch axes).
 */

import { ValueError } from '../core/errors.js';
import type { Value } from '../core/trace.js';
import { type DotOptions, dotGeneral } from './dot.js';

export { stopGradient } from '../transforms/api.js';

/** lax.batch_matmul(lhs, rhs, precision): both at least 2-D and of one rank. */
export function batchMatmul(lhs: Value, rhs: Value, precision: DotOptions['precision'] = null): Value {
  if (Math.min(lhs.ndim, rhs.ndim) < 2)
    throw new ValueError(`Arguments to batch_matmul must be at least 2D, got ${lhs.ndim}, ${rhs.ndim}`);
  if (lhs.ndim !== rhs.ndim)
    throw new ValueError(`Arguments to batch_matmul must have same ndim, got ${lhs.ndim}, ${rhs.ndim}`);
  const batch = Array.from({ length: lhs.ndim - 2 }, (_, i) => i);
  return dotGeneral(
    lhs,
    rhs,
    [
      [[lhs.ndim - 1], [rhs.ndim - 2]],
      [batch, batch],
    ],
    { precision },
  );
}
