/**
 * @file jnp.partition and argpartition, as JAX 0.10.2 writes them (jax/_src/numpy/sorting.py):
 * the kth smallest element lands at index kth with the smaller ones before it (in ascending order)
 * and the larger ones after it (in descending order), through two lax.top_k calls along the last
 * axis. argpartition finds the upper part through a proxy array that zeroes the indices already
 * taken, so duplicate values are not counted twice. Unsigned integers are negated as -(x + 1),
 * which keeps 0 in range.
 */
import { normalizeAxis } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { full } from '../lax/fill.js';
import { topK } from '../lax/sorting.js';
import { concatenate } from '../lax/structural.js';
import { vmap } from '../transforms/api.js';
import { namedJit } from '../transforms/jit.js';
import { atUpdate } from './indexing.js';
import { swapaxes } from './shapes.js';
import * as uf from './ufuncs.js';
import { asValue } from './util.js';

const negated = (arr: Value) => (arr.dtype.kind === 'u' ? uf.negative(uf.add(arr, 1)) : uf.negative(arr));

function prepare(a: Value, kth0: number, axis0: number): [Value, number, number] {
  const axis = normalizeAxis(axis0, a.ndim);
  const kth = normalizeAxis(kth0, a.shape[axis]);
  return [swapaxes(a, axis, -1), kth, axis];
}

const partitionJit = namedJit(
  'partition',
  function partition(a: Value, kth0: number, axis0: number): Value {
    const [arr, kth, axis] = prepare(a, kth0, axis0);
    let bottom = uf.negative(topK(negated(arr), kth + 1)[0]);
    if (arr.dtype.kind === 'u') bottom = uf.subtract(bottom, 1);
    const top = topK(arr, arr.shape[arr.ndim - 1] - kth - 1)[0];
    return swapaxes(concatenate([bottom, top], arr.ndim - 1), -1, axis);
  },
  { staticArgnums: [1, 2] },
);

const argpartitionJit = namedJit(
  'argpartition',
  function argpartition(a: Value, kth0: number, axis0: number): Value {
    const [arr, kth, axis] = prepare(a, kth0, axis0);
    const bottomInd = topK(negated(arr), kth + 1)[1];
    let setToZero = (x: Value, i: Value): Value => atUpdate(x, [i], 0, 'set');
    for (let d = 0; d < arr.ndim - 1; d++) setToZero = vmap(setToZero) as typeof setToZero;
    const proxy = setToZero(full(arr.shape, 1.0), bottomInd);
    const topInd = topK(proxy, arr.shape[arr.ndim - 1] - kth - 1)[1];
    return swapaxes(concatenate([bottomInd, topInd], arr.ndim - 1), -1, axis);
  },
  { staticArgnums: [1, 2] },
);

export interface PartitionOptions {
  axis?: number;
}

/** jnp.partition(a, kth, {axis}): the kth element in sorted position, smaller ones before it. */
export function partition(a: unknown, kth: number, opts: PartitionOptions = {}): Value {
  return partitionJit(asValue(a), kth, opts.axis ?? -1);
}

/** jnp.argpartition(a, kth, {axis}): the indices that would partition `a`. */
export function argpartition(a: unknown, kth: number, opts: PartitionOptions = {}): Value {
  return argpartitionJit(asValue(a), kth, opts.axis ?? -1);
}
