/**
 * @file Counting and index arithmetic (numpy/histogram.ts, index-tricks.ts) against JAX 0.10.2:
 * bincount, digitize, histogram_bin_edges, histogram, histogram2d, histogramdd, ravel_multi_index,
 * unravel_index, ix_ and divmod; eagerly, under jit, from the expression language, under vmap
 * and grad where the fixture has them. Expected values: fixtures/jnp_histogram.json, written by
 * fixtures/make_jnp_histogram.py.
 */
import { describe, expect, it } from 'vitest';
import { jit, numpy as jnp, type Value } from '../../../src/engine/index.js';
import { runFamily } from './harness.js';

describe('jax.numpy counting and binning', () => {
  runFamily('histogram', {
    // Without `length`, bincount's size depends on the data: JAX raises under jit, and so does tjax.
    noJit: [
      'bincount',
      'bincount_weights',
      'bincount_minlength',
      'bincount_negative',
      'bincount_bool',
      'bincount_empty',
      'bincount_uint8',
      'histogram_bin_edges',
      'ravel_multi_index',
      'ravel_multi_index_F',
      'ravel_multi_index_dtype',
    ],
    jaxprs: [],
  });

  it('bincount under jit needs a static length, as in JAX', () => {
    const x = jnp.array([0, 1, 1, 3]);
    expect(() => jit((v: Value) => jnp.bincount(v))(x)).toThrow(/pass a static `length` argument/);
    expect(jit((v: Value) => jnp.bincount(v, { length: 5 }))(x).shape).toEqual([5]);
  });

  it("ravel_multi_index under jit needs mode other than 'raise'", () => {
    const i = jnp.array([0, 2]);
    expect(() => jit((v: Value) => jnp.ravel_multi_index([v, v], [3, 3]))(i)).toThrow(
      /mode='wrap' or mode='clip'/,
    );
  });
});
