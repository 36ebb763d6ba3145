/**
 * @file Set operations (numpy/setops.ts, partition.ts) against JAX 0.10.2: isin in every method,
 * intersect1d, union1d, setdiff1d and setxor1d with and without a static size, the array-API
 * unique_* functions, partition and argpartition; eagerly, under jit (sized forms), from the
 * expression language, under vmap and grad. Expected values: fixtures/jnp_setops.json, written by
 * fixtures/make_jnp_setops.py.
 */
import { describe, expect, it } from 'vitest';
import { jit, numpy as jnp, type Value } from '../../../src/engine/index.js';
import { loadCases, runFamily } from './harness.js';

const unsized = loadCases('setops')
  .filter((c) => /^(intersect1d|union1d|setdiff1d|setxor1d|unique_)/.test(c.fn) && c.kw.size === undefined)
  .map((c) => c.name);

describe('jax.numpy set operations', () => {
  // Without `size` a set operation's length depends on the values: JAX raises under jit, and so does tjax.
  runFamily('setops', { noJit: unsized, jaxprs: ['partition_jaxpr', 'isin_jaxpr'] });

  it('needs concrete inputs without size, as in JAX', () => {
    const a = jnp.array([1, 2, 2]);
    expect(() => jit((v: Value) => jnp.union1d(v, v))(a)).toThrow(/The error arose in union1d\(\)/);
    expect(() => jit((v: Value) => jnp.setdiff1d(v, v))(a)).toThrow(/The error arose in setdiff1d\(\)/);
  });

  it('unique_all names its fields as the namedtuple does', () => {
    const r = jnp.unique_all(jnp.array([3, 1, 3]));
    expect(r.values).toBe(r[0]);
    expect(r.counts).toBe(r[3]);
  });
});
