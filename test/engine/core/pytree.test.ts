/**
 * @file Pytrees (core/pytree.ts, exported as `tree`): flatten / unflatten / map / structure, with
 * dict keys sorted and None (null/undefined) a node without children, as jax.tree_util has them.
 *
 * Expected values: fixtures/core/misc.json `trees`, from jax.tree_util.tree_flatten on JAX 0.10.2
 * (tuples are written as lists: JS has no tuples).
 */
import { describe, expect, it } from 'vitest';
import { numpy as jnp, tree } from '../../../src/engine/index.js';
import { fixture } from './helpers.js';

const trees = fixture('misc.json').trees;

const INPUTS: Record<string, unknown> = {
  dict_sorted: { b: 1, a: [2, null, [3]] },
  nested_lists: [1, [2, [3, [4]]], []],
  none: null,
  dict_of_none: { z: null, y: { x: 1, w: 2 } },
};

describe('tree flatten / unflatten as jax.tree_util', () => {
  for (const [name, input] of Object.entries(INPUTS)) {
    it(name, () => {
      const [leaves, def] = tree.flatten(input);
      const want = trees[name];
      expect(leaves).toEqual(want.leaves);
      expect(String(def)).toBe(want.treedef);
      expect(def.numLeaves).toBe(want.num_leaves);
      expect(def.numNodes).toBe(want.num_nodes);
      expect(tree.unflatten(def, leaves)).toEqual(input);
    });
  }

  it('sorts dict keys, so insertion order does not change the structure', () => {
    expect(tree.structure({ a: 1, b: 2 }).equals(tree.structure({ b: 1, a: 2 }))).toBe(true);
    expect(tree.leaves({ b: 'second', a: 'first' })).toEqual(['first', 'second']);
  });

  it('treats undefined like null (None) and arrays as leaves', () => {
    const x = jnp.ones([2]);
    const [leaves, def] = tree.flatten({ p: x, q: undefined });
    // (Not toEqual: arrays are iterable along axis 0, and a 0-d one raises on iteration, as JAX's do.)
    expect(leaves.length).toBe(1);
    expect(leaves[0]).toBe(x);
    expect(String(def)).toBe("PyTreeDef({'p': *, 'q': None})");
  });

  it('map over one and several trees', () => {
    expect(tree.map((v: number) => v * 10, { b: 1, a: [2, null] })).toEqual({ a: [20, null], b: 10 });
    expect(tree.map((u: number, v: number) => u + v, [1, [2]], [10, [20]])).toEqual([11, [22]]);
  });

  it('map rejects trees of another structure and unflatten wrong leaf counts', () => {
    expect(() => tree.map((u: number, v: number) => u + v, [1, 2], [1, [2]])).toThrow(/mismatch|structure/);
    const def = tree.structure([1, 2]);
    expect(() => tree.unflatten(def, [1, 2, 3])).toThrow('Too many leaves for PyTreeDef; expected 2, got 3.');
  });

  it('isLeaf stops the descent', () => {
    const [leaves] = tree.flatten({ a: [1, 2], b: [3] }, (x: unknown) => Array.isArray(x) && x.length === 1);
    expect(leaves).toEqual([1, 2, [3]]);
  });
});
