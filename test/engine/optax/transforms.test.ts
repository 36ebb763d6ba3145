/**
 * @file The behaviour of optax's combinators and wrappers beyond their trajectories: chain, namedChain,
 * masked (prefix masks, MaskedNode in the state), multiTransform, MultiSteps (accumulation, hasUpdated),
 * applyIfFinite, the int32 counters, the numerics helpers, optax.tree, applyUpdates and friends. Error texts
 * and expected values are optax 0.2.8's (printed by running the same calls in Python).
 */
import { describe, expect, it } from 'vitest';
import { grad, jit, numpy as jnp, optax, tree, type Value } from '../../../src/engine/index.js';

const list = async (x: unknown) => (x as Value).tolist();
const params = () => ({ a: jnp.ones([2]), c: jnp.ones([3]) });

describe('chain and namedChain', () => {
  it('chain applies in order; its state is the list of states', async () => {
    const opt = optax.chain(optax.scale(2), optax.clip(3), optax.scale(-1));
    const state = opt.init(params());
    expect(state).toEqual([{}, {}, {}]);
    const [u] = opt.update({ a: jnp.array([1, 2]), c: jnp.array([0.5, -4, 1]) }, state);
    expect(await list(u.a)).toEqual([-2, -3]);
    expect(await list(u.c)).toEqual([-1, 3, -2]);
  });

  it("raises optax's errors", () => {
    expect(() => optax.chain(optax.sgd(1)).update(params(), [], params())).toThrow(
      'The number of updates and states has to be the same in chain! Make sure you have called init first!',
    );
    expect(() => optax.namedChain(['a', optax.sgd(1)], ['a', optax.sgd(1)])).toThrow(
      "Named transformations must have unique names, but got ['a', 'a']",
    );
    const o = optax.adamw(0.1);
    expect(() => o.update(params(), o.init(params()))).toThrow(optax.ValueError);
    expect(() => o.update(params(), o.init(params()))).toThrow(optax.NO_PARAMS_MSG);
  });

  it('namedChain keeps the states by name', () => {
    const opt = optax.namedChain(
      ['clip', optax.clip(1)],
      ['decay', optax.addDecayedWeights(optax.constantSchedule(1))],
    );
    const s = opt.init(params());
    expect(Object.keys(s)).toEqual(['clip', 'decay']);
    expect(s.decay.count.dtype.name).toBe('int32');
  });
});

describe('masked and multiTransform', () => {
  const nested = () => ({ enc: { w: jnp.ones([2, 2]), b: jnp.ones([2]) }, head: jnp.ones([3]) });
  const grads = () => ({ enc: { w: jnp.full([2, 2], 2), b: jnp.full([2], 2) }, head: jnp.full([3], 2) });

  it('a mask leaf true stands for its whole subtree; masked-out leaves are MaskedNode in the state', async () => {
    const opt = optax.masked(optax.sgd(0.5, { momentum: 0.9 }), { enc: true, head: false });
    const s = opt.init(nested());
    const traceState = s.inner_state[0].trace;
    expect(traceState.head).toBeInstanceOf(optax.MaskedNode);
    expect(traceState.enc.w.shape).toEqual([2, 2]);
    const [u] = opt.update(grads(), s, nested());
    expect(await list(u.enc.b)).toEqual([-1, -1]);
    expect(await list(u.head)).toEqual([2, 2, 2]);
    expect(tree.leaves(new optax.MaskedNode())).toEqual([]);
  });

  it('a mask that is not a prefix of the params is an error', () => {
    const opt = optax.masked(optax.sgd(0.5), { enc: { w: true }, head: false });
    expect(() => opt.init(nested())).toThrow(/is not a prefix of/);
  });

  it('multiTransform applies each labelled group its own transformation', async () => {
    const opt = optax.multiTransform({ frozen: optax.setToZero(), train: optax.sgd(0.25) }, (p: any) => ({
      enc: 'frozen',
      head: tree.map(() => 'train', p.head),
    }));
    const s = opt.init(nested());
    expect(Object.keys(s.inner_states).sort()).toEqual(['frozen', 'train']);
    const [u] = opt.update(grads(), s, nested());
    expect(await list(u.enc.w)).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(await list(u.head)).toEqual([-0.5, -0.5, -0.5]);
    expect(optax.partition).toBe(optax.multiTransform);
  });

  it("labels without a transformation are optax's ValueError", () => {
    const opt = optax.multiTransform({ a: optax.sgd(1), b: optax.sgd(1) }, { a: 'a', c: 'c' });
    expect(() => opt.init(params())).toThrow(
      "Some parameters have no corresponding transformation.\nParameter labels: ['a', 'c'] \nTransforms keys: ['a', 'b'] \n",
    );
  });
});

describe('MultiSteps', () => {
  it('emits the mean of k gradients every k steps; hasUpdated says when', async () => {
    const ms = new optax.MultiSteps(optax.sgd(1.0), 3);
    let s = ms.init(params());
    const seen: boolean[] = [];
    const emitted: number[][] = [];
    for (let i = 0; i < 7; i++) {
      let u: any;
      [u, s] = ms.update({ a: jnp.full([2], i + 1), c: jnp.zeros([3]) }, s, params());
      seen.push(Boolean(await ms.hasUpdated(s).item()));
      emitted.push((await list(u.a)) as number[]);
    }
    // optax 0.2.8 prints [False, False, True, False, False, True, False] for the same loop.
    expect(seen).toEqual([false, false, true, false, false, true, false]);
    expect(emitted[2]).toEqual([-2, -2]);
    expect(emitted[5]).toEqual([-5, -5]);
    expect(emitted[4]).toEqual([0, 0]);
    expect(s.gradient_step.dtype.name).toBe('int32');
    expect(Number(await s.gradient_step.item())).toBe(2);
    expect(ms.innerOpt).toBeDefined();
  });

  it('a should-skip function must return a boolean scalar', () => {
    const ms = new optax.MultiSteps(optax.sgd(1.0), 2, {
      shouldSkipUpdateFn: () => [jnp.asarray(0, { dtype: 'int32' }), []],
    });
    expect(() => ms.update(params(), ms.init(params()), params())).toThrow(
      'The `should_skip_update_fn` function should return a boolean scalar array, but it returned an array of dtype int32 and shape ()',
    );
  });
});

describe('applyIfFinite', () => {
  it('zeroes non-finite steps and keeps the inner state, counting them', async () => {
    const opt = optax.applyIfFinite(optax.adam(0.1), 5);
    let s = opt.init(params());
    let u: any;
    [u, s] = opt.update({ a: jnp.array([1, Number.NaN]), c: jnp.ones([3]) }, s, params());
    expect(await list(u.a)).toEqual([0, 0]);
    expect(Number(await s.notfinite_count.item())).toBe(1);
    expect(await s.last_finite.item()).toBe(false);
    expect(Number(await s.inner_state[0].count.item())).toBe(0);
    [u, s] = opt.update({ a: jnp.array([1.5, 2]), c: jnp.ones([3]) }, s, params());
    expect(Number(await s.notfinite_count.item())).toBe(0);
    expect(Number(await s.total_notfinite.item())).toBe(1);
    expect(Number(await s.inner_state[0].count.item())).toBe(1);
  });
});

describe('counters and numerics', () => {
  it('step counters are int32 and saturate at 2^31 - 1', async () => {
    const s = optax.adam(0.1).init(params());
    expect(s[0].count.dtype.name).toBe('int32');
    const max = jnp.asarray(2147483647, { dtype: 'int32' });
    expect(Number(await optax.safeIncrement(max).item())).toBe(2147483647);
    expect(Number(await optax.safeIncrement(jnp.asarray(1.5, { dtype: 'float32' })).item())).toBe(2.5);
  });

  it('bias correction divides by 1 - decay^count with the float32 decay', async () => {
    const m = { x: jnp.array([0.1]) };
    const out = optax.biasCorrection(m, 0.9, jnp.asarray(2, { dtype: 'int32' }));
    const f = Math.fround;
    expect(await list(out.x)).toEqual([f(f(0.1) / f(1 - f(f(0.9) * f(0.9))))]);
  });

  it('safeNorm has a finite gradient at zero', async () => {
    expect(await list(grad((x: Value) => optax.safeNorm(x, 0.0))(jnp.zeros([3])))).toEqual([0, 0, 0]);
    expect(Number(await optax.safeNorm(jnp.array([3, 4]), 10).item())).toBe(10);
    expect(Number(await optax.safeRootMeanSquares(jnp.array([3, 4]), 0.1).item())).toBeCloseTo(
      Math.sqrt(12.5),
      5,
    );
  });

  it('optax.tree: norms, vdot, sums', async () => {
    const t = { a: jnp.array([3, -4]), b: jnp.array([12]) };
    expect(Number(await optax.tree.norm(t).item())).toBe(13);
    expect(Number(await optax.tree.norm({ a: t.a }, { ord: 1 }).item())).toBe(7);
    expect(Number(await optax.tree.norm({ a: t.a }, { ord: 'inf' }).item())).toBe(4);
    expect(Number(await optax.tree.norm({ a: t.a }, { squared: true }).item())).toBe(25);
    expect(() => optax.tree.norm(t, { ord: 3 })).toThrow('Unsupported ord: 3');
    expect(Number(await optax.tree.vdot(t, t).item())).toBe(169);
    expect(Number(await optax.tree.sum(t).item())).toBe(11);
    expect(optax.tree.size(t)).toBe(3);
    expect(Number(await optax.globalNorm(t).item())).toBe(13);
  });
});

describe('applying updates', () => {
  it('applyUpdates keeps each param dtype', () => {
    const out = optax.applyUpdates({ a: jnp.ones([2], { dtype: 'float16' }) }, { a: jnp.full([2], 0.1) });
    expect(out.a.dtype.name).toBe('float16');
  });

  it('incrementalUpdate and periodicUpdate, also under jit', async () => {
    const nw = { x: jnp.array([1, 1]) };
    const old = { x: jnp.array([0, 2]) };
    expect(await list(optax.incrementalUpdate(nw, old, 0.25).x)).toEqual([0.25, 1.75]);
    const periodic = jit((step: Value) => optax.periodicUpdate(nw, old, step, 3));
    expect(await list(periodic(jnp.asarray(6)).x)).toEqual([1, 1]);
    expect(await list(periodic(jnp.asarray(7)).x)).toEqual([0, 2]);
  });

  it('identity, setToZero, stateless and statelessWithTreeMap', async () => {
    const g = { a: jnp.array([1, -2]) };
    expect(await list(optax.identity().update(g, {})[0].a)).toEqual([1, -2]);
    expect(await list(optax.setToZero().update(g, {})[0].a)).toEqual([0, 0]);
    const halve = optax.stateless((u) => tree.map((x: Value) => jnp.multiply(x, 0.5), u));
    expect(await list(halve.update(g, halve.init(g))[0].a)).toEqual([0.5, -1]);
    const addP = optax.statelessWithTreeMap((u, p) => (p === null ? u : jnp.add(u, p)));
    expect(await list(addP.update(g, {}, g)[0].a)).toEqual([2, -4]);
    expect(await list(addP.update(g, {})[0].a)).toEqual([1, -2]);
  });
});
