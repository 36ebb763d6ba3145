/**
 * @file Jacobians and the split primitive against JAX 0.10.2: printed jaxprs (jacfwd/jacrev/
 * hessian build the standard basis from jnp.eye, split it per leaf and unravel the result with
 * split, reshape and casts, as JAX's api.py does), values, split's rules under grad/vmap/jit, and
 * its errors. Expected texts: fixtures/jacobian_jaxprs.json from fixtures/make_jacobian_jaxprs.py;
 * CASES are the TypeScript spellings of the Python functions of the same names.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import {
  grad,
  hessian,
  jacfwd,
  jacrev,
  jit,
  numpy as jnp,
  lax,
  makeJaxpr,
  tree,
  vmap,
} from '../../../src/engine/index.js';
import { checkGrads } from '../../../src/engine/test-util.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fx = JSON.parse(readFileSync(join(root, 'fixtures', 'jacobian_jaxprs.json'), 'utf8')) as Record<
  string,
  { jaxpr?: string; out?: unknown[]; error?: string }
>;

const f32 = (v: unknown) => jnp.array(v as number[], { dtype: 'float32' });
const x3 = () => f32([1, 2, 3]);
const x6 = () => jnp.arange(6, { dtype: 'float32' });
const treeIn = () => ({
  a: f32([1, 2]),
  b: f32([
    [1, 2],
    [3, 4],
  ]),
});
const sinX = (x: Value) => jnp.sin(x).mul(x);
const treeF = (p: { a: Value; b: Value }) => ({
  u: jnp.sin(p.a).mul(p.b.sum()),
  v: p.a.mul(jnp.sum(p.b, { axis: 0 })),
});

type Fn = (...args: any[]) => any;
const CASES: Record<string, [Fn, () => unknown[]]> = {
  jacfwd_sin_x: [jacfwd(sinX), () => [x3()]],
  jacrev_sin_x: [jacrev(sinX), () => [x3()]],
  hessian_sum_sin: [hessian((x: Value) => jnp.sum(jnp.sin(x))), () => [x3()]],
  jacfwd_tree: [jacfwd(treeF), () => [treeIn()]],
  jacrev_tree: [jacrev(treeF), () => [treeIn()]],
  jacrev_argnums_weak: [
    jacrev((x: Value, y: Value) => x.mul(y).sum(), { argnums: [0, 1] }),
    () => [f32([1, 2]), 2.5],
  ],
  hessian_weak_scalar: [hessian((x: Value) => x.pow(3)), () => [3.5]],
  split_sections: [(x: Value) => jnp.split(x, 3), () => [x6()]],
  split_indices: [(x: Value) => jnp.split(x, [1, 4]), () => [x6()]],
  array_split: [(x: Value) => jnp.array_split(x, 4), () => [x6()]],
  lax_split: [(x: Value) => lax.split(x, [2, 4]), () => [x6()]],
  vmap_split: [vmap((x: Value) => lax.split(x, [2, 1])), () => [x6().reshape([2, 3])]],
  grad_split: [grad((x: Value) => jnp.sum(lax.split(x, [2, 4])[1].pow(2))), () => [x6()]],
};

async function close(got: unknown, want: unknown) {
  const g = await Promise.all(tree.leaves(got).map((l) => (l as { tolist(): Promise<unknown> }).tolist()));
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
  expect(flat(g)).toHaveLength(flat(want).length);
  flat(g).forEach((v, i) => {
    expect(v).toBeCloseTo(flat(want)[i], 5);
  });
}

describe('Jacobian and split jaxprs match JAX 0.10.2', () => {
  for (const [name, [f, args]] of Object.entries(CASES)) {
    it(`${name}: jaxpr`, () => {
      expect(String(makeJaxpr(f)(...args()))).toBe(fx[name].jaxpr);
    });
    it(`${name}: values (eager and jit)`, async () => {
      await close(f(...args()), fx[name].out);
      await close(jit(f)(...args()), fx[name].out);
    });
  }
});

describe('split: rules and errors', () => {
  it('derivatives in both modes, to second order, match finite differences', async () => {
    const f = (x: Value) => {
      const [a, b, c] = lax.split(x, [1, 3, 2]);
      return jnp
        .sum(jnp.sin(a))
        .add(jnp.sum(b.mul(b)))
        .add(jnp.sum(jnp.exp(c)));
    };
    await checkGrads(f, [f32([0.1, 0.5, -0.3, 0.7, 0.2, -0.4])], { order: 2, modes: ['fwd', 'rev'] });
    const g = (x: Value) => lax.split(x, [2, 1], 1)[0].mul(3);
    await checkGrads(g, [x6().reshape([2, 3])], { order: 1, modes: ['fwd', 'rev'] });
  });
  it('vmap over each axis matches a loop', async () => {
    const x = jnp.arange(24, { dtype: 'float32' }).reshape([2, 3, 4]);
    for (const [inAxes, axis] of [
      [0, 0],
      [1, 0],
      [2, 1],
    ] as const) {
      const f = (v: Value) => lax.split(v, [1, v.shape[axis] - 1], axis);
      const batched = vmap(f, { inAxes })(x) as Value[];
      const n = x.shape[inAxes];
      for (let i = 0; i < n; i++) {
        const slice = jnp.take(x, i, { axis: inAxes });
        const want = f(slice) as Value[];
        for (let k = 0; k < want.length; k++)
          expect(await jnp.take(batched[k], i, { axis: 0 }).tolist()).toEqual(await want[k].tolist());
      }
    }
  });
  it("raises JAX's errors", () => {
    expect(() => jnp.split(x6(), [-2, 9])).toThrow(fx.split_negative.error!);
    expect(() => lax.split(x6(), [2, 3])).toThrow(fx.split_sum.error!);
  });
});
