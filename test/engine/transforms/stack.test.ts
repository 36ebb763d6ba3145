/**
 * @file The stack, unstack, tile and copy primitives (primitives/stack.ts, JAX 0.10.2's stack_p,
 * unstack_p, tile_p and copy_p) under every transformation: values against the same arrays built
 * by hand, eager and jitted; checkGrads (orders 1-2, forward and reverse, so jvp and transpose);
 * vmap against a loop for every batch axis. The printed forms are JAX's (jaxpr-corpus.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { grad, jit, numpy as jnp, lax, makeJaxpr, nn, vmap } from '../../../src/engine/index.js';
import { checkGrads } from '../../../src/engine/test-util.js';
import { expectClose } from './helpers.js';

const f32 = (v: unknown) => jnp.array(v, { dtype: 'float32' });
/** Row i of a (x[i]). */
const row = (a: Value, i: number) => jnp.take(a, i, { axis: 0 });
const x = f32([
  [0.3, -1.2, 0.8],
  [1.7, 0.1, -0.6],
]);
const y = f32([
  [-0.4, 0.9, 1.3],
  [0.2, -1.1, 0.5],
]);

describe('stack / unstack / tile / copy', () => {
  it('compute the arrays they stand for, eagerly and under jit', async () => {
    for (const run of [(f: (...a: Value[]) => Value) => f, (f: (...a: Value[]) => Value) => jit(f)]) {
      const s = run((a, b) => lax.stack([a, b], 1))(x, y);
      expect(s.shape).toEqual([2, 2, 3]);
      expect(await s.tolist()).toEqual([
        [await row(x, 0).tolist(), await row(y, 0).tolist()],
        [await row(x, 1).tolist(), await row(y, 1).tolist()],
      ]);
      const u = lax.unstack(x, 1);
      expect(u.length).toBe(3);
      expect(await u[2].tolist()).toEqual(await jnp.take(x, 2, { axis: 1 }).tolist());
      const t = run((a) => lax.tile(a, [2, 2]))(x);
      expect(t.shape).toEqual([4, 6]);
      const manual = jnp.concatenate([
        jnp.concatenate([x, x], { axis: 1 }),
        jnp.concatenate([x, x], { axis: 1 }),
      ]);
      expect(await t.tolist()).toEqual(await manual.tolist());
    }
    expect(await jnp.tile(f32([1, 2]), [2, 2]).tolist()).toEqual([
      [1, 2, 1, 2],
      [1, 2, 1, 2],
    ]);
    expect(await jnp.stack([f32([1, 2]), f32([3, 4])], { axis: -1 }).tolist()).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });

  it('have JAX’s shape errors', () => {
    expect(() => lax.stack([x, f32([1, 2])])).toThrow(
      'Cannot stack arrays with different numbers of dimensions',
    );
    expect(() => lax.unstack(f32(1))).toThrow('axis 0 is out of bounds for array of dimension 0');
    expect(() => lax.tile(x, [2])).toThrow('reps length must be equal to the ndim of x');
  });

  it('differentiate (jvp and transpose, orders 1-2)', async () => {
    await checkGrads((a: Value, b: Value) => jnp.sin(lax.stack([a, jnp.multiply(b, a)], 2)), [x, y], {
      order: 2,
      modes: ['fwd', 'rev'],
    });
    await checkGrads((a: Value) => jnp.sum(jnp.multiply(lax.unstack(jnp.sin(a), 0)[1], 2)), [x], {
      order: 2,
      modes: ['fwd', 'rev'],
    });
    await checkGrads((a: Value) => jnp.cos(lax.tile(a, [3, 1])), [x], { order: 2, modes: ['fwd', 'rev'] });
    await checkGrads((a: Value) => nn.gelu(a, false), [x], { order: 2, modes: ['fwd', 'rev'] });
    // The transposes print as JAX's: stack <-> unstack, tile -> reshape + reduce_sum.
    const g = String(makeJaxpr(grad((a: Value) => jnp.sum(lax.tile(a, [2, 1]))))(x));
    expect(g).toContain('new_sizes=(2, 2, 1, 3)');
    expect(g).toContain('reduce_sum[axes=(0, 2) out_sharding=None]');
    expect(String(makeJaxpr(grad((a: Value) => jnp.sum(lax.stack([a, a]))))(x))).toContain('unstack[axis=0]');
  });

  it('vmap as a loop over every batch axis', async () => {
    const fs: [string, (a: Value, b: Value) => Value][] = [
      ['stack', (a, b) => lax.stack([a, b], 1)],
      ['stack with an unbatched operand', (a) => lax.stack([a, row(y, 0)], 0)],
      ['unstack', (a, b) => jnp.add(lax.unstack(a, 0)[1], b)],
      ['tile', (a) => lax.tile(a, [2])],
    ];
    for (const [name, f] of fs) {
      for (const axis of [0, 1]) {
        const xs = axis === 0 ? x : jnp.transpose(x);
        const ys = axis === 0 ? y : jnp.transpose(y);
        const got = vmap(f, { inAxes: [axis, axis] })(xs, ys) as Value;
        const want = jnp.stack([0, 1].map((i) => f(row(x, i), row(y, i))));
        expect(got.shape, name).toEqual(want.shape);
        await expectClose(got, await want.tolist());
      }
    }
  });
});
