/**
 * @file lax.ragged_dot(lhs [m, k], rhs [g, k, n], group_sizes [g]): the rows of lhs fall into
 * consecutive groups of group_sizes rows and each group multiplies its own rhs[j]; rows past
 * sum(group_sizes) give zeros (JAX 0.10.2's semantics, jax/_src/lax/lax.py). JAX binds its
 * ragged_dot_general primitive, which XLA's CPU backend expands into dense work; tjax writes the
 * dense form directly: every row times every group's rhs (a dot_general), masked to the row's own
 * group and summed over groups, so the values (and grad, vmap, jit) come from existing primitives.
 */
import { toValue } from '../core/coerce.js';
import { type DTypeLike, int32 } from '../core/dtype.js';
import { NotImplementedError, ValueError } from '../core/errors.js';
import { shapeTuple } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { convertElementType } from './convert.js';
import { dotGeneral, type PrecisionLike } from './dot.js';
import { bitwiseAnd, ge, lt, mul, sub } from './elementwise.js';
import { reduceSum } from './reductions.js';
import { cumsum } from './sorting.js';
import { broadcastedIota, broadcastInDim } from './structural.js';

type In = Value | number | boolean | readonly unknown[];

export interface RaggedDotOptions {
  precision?: PrecisionLike;
  preferredElementType?: DTypeLike | null;
  groupOffset?: In | null;
}

/** lax.ragged_dot(lhs, rhs, group_sizes, {precision, preferredElementType}). */
export function raggedDot(lhs: In, rhs: In, groupSizes: In, opts: RaggedDotOptions = {}): Value {
  const l = toValue(lhs);
  const r = toValue(rhs);
  const gs = toValue(groupSizes);
  if (opts.groupOffset !== null && opts.groupOffset !== undefined)
    throw new NotImplementedError('Unimplemented group_offset support.');
  if (
    l.ndim !== 2 ||
    r.ndim !== 3 ||
    gs.ndim !== 1 ||
    r.shape[0] !== gs.shape[0] ||
    l.shape[1] !== r.shape[1]
  )
    throw new ValueError(
      `ragged_dot expects lhs [m, k], rhs [g, k, n] and group_sizes [g], got ${shapeTuple(l.shape)}, ${shapeTuple(r.shape)}, ${shapeTuple(gs.shape)}`,
    );
  const [m] = l.shape;
  const [g, , n] = r.shape;
  // [m, g, n]: every row against every group's matrix.
  const full = dotGeneral(
    l,
    r,
    [
      [[1], [1]],
      [[], []],
    ],
    { precision: opts.precision, preferredElementType: opts.preferredElementType },
  );
  const ends = cumsum(convertElementType(gs, int32));
  const starts = sub(ends, convertElementType(gs, int32));
  const row = broadcastedIota(int32, [m, g], 0);
  const inGroup = bitwiseAnd(
    ge(row, broadcastInDim(starts, [m, g], [1])),
    lt(row, broadcastInDim(ends, [m, g], [1])),
  );
  const mask = broadcastInDim(convertElementType(inGroup, full.dtype), [m, g, n], [0, 1]);
  return reduceSum(mul(full, mask), [1]);
}
