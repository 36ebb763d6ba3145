/**
 * @file lax.associative_scan (jax/_src/lax/control_flow/loops.py): the prefix combination of a
 * pytree of arrays along an axis with an associative function, in O(log n) parallel steps
 * (Blelloch's odd/even scan). Built on structural lax ops only, not on the staging of the other
 * control flow, so the transformation rules of cumulative reductions can use it.
 */
import { scalarArray, toValue } from '../core/coerce.js';
import { treeFlatten, treeUnflatten } from '../core/pytree.js';
import type { Value } from '../core/trace.js';
import { add, bitwiseOr } from './elementwise.js';
import { concatenate, pad, rev, sliceInDim } from './structural.js';

export interface AssociativeScanOptions {
  reverse?: boolean;
  axis?: number;
}

function interleave(a: Value, b: Value, axis: number): Value {
  const same = a.shape[axis] === b.shape[axis];
  const aPad = a.shape.map(() => [0, 0, 0] as [number, number, number]);
  const bPad = b.shape.map(() => [0, 0, 0] as [number, number, number]);
  aPad[axis] = [0, same ? 1 : 0, 1];
  bPad[axis] = [1, same ? 0 : 1, 1];
  const op = a.dtype.isBool ? bitwiseOr : add;
  return op(pad(a, scalarArray(0, a.dtype), aPad), pad(b, scalarArray(0, b.dtype), bPad));
}

/**
 * lax.associative_scan(fn, elems, {reverse, axis}): the prefix combination of `elems` along
 * `axis` with an associative `fn(a, b)` in O(log n) parallel steps (Blelloch's odd/even scan).
 */
export function associativeScan<T>(fn: (a: T, b: T) => T, elems: T, opts: AssociativeScanOptions = {}): T {
  if (typeof fn !== 'function') throw new TypeError('lax.associative_scan: fn argument should be callable.');
  const { reverse = false } = opts;
  const [leaves, tree] = treeFlatten(elems);
  let flat = leaves.map(toValue);
  if (reverse) flat = flat.map((e) => rev(e, [normAxis(opts.axis ?? 0, e.ndim)]));
  const combine = (a: Value[], b: Value[]): Value[] =>
    treeFlatten(fn(treeUnflatten(tree, a) as T, treeUnflatten(tree, b) as T))[0].map(toValue);
  const axis = normAxis(opts.axis ?? 0, flat[0].ndim);
  const n = flat[0].shape[axis];
  if (!flat.every((e) => e.shape[axis] === n)) {
    throw new RangeError(
      `Array inputs to associative_scan must have the same first dimension. (saw: [${flat.map((e) => `(${e.shape.join(', ')}${e.shape.length === 1 ? ',' : ''})`).join(', ')}])`,
    );
  }
  const slice = (e: Value, start: number, limit: number | null, stride = 1) =>
    sliceInDim(
      e,
      start,
      limit === null ? e.shape[axis] : limit < 0 ? e.shape[axis] + limit : limit,
      stride,
      axis,
    );
  const go = (es: Value[]): Value[] => {
    const m = es[0].shape[axis];
    if (m < 2) return es;
    const reduced = combine(
      es.map((e) => slice(e, 0, -1, 2)),
      es.map((e) => slice(e, 1, null, 2)),
    );
    const odd = go(reduced);
    const even =
      m % 2 === 0
        ? combine(
            odd.map((e) => slice(e, 0, -1)),
            es.map((e) => slice(e, 2, null, 2)),
          )
        : combine(
            odd,
            es.map((e) => slice(e, 2, null, 2)),
          );
    const evens = es.map((e, i) => concatenate([slice(e, 0, 1), even[i]], axis));
    return evens.map((e, i) => interleave(e, odd[i], axis));
  };
  let scans = go(flat);
  if (reverse) scans = scans.map((s) => rev(s, [axis]));
  return treeUnflatten(tree, scans) as T;
}

function normAxis(axis: number, ndim: number): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim)
    throw new RangeError(`axis ${axis} is out of bounds for array of dimension ${ndim}`);
  return a;
}
