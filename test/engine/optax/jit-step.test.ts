/**
 * @file A training step jitted whole (valueAndGrad of a small MLP's loss, opt.update, applyUpdates) gives the
 * same numbers, bit for bit, as the same step run eagerly (params, optimizer state and loss), for optimizers whose updates use lax.cond (novograd, MultiSteps,
 * applyIfFinite), masks, schedules and clipping; and the jitted step compiles once.
 */
import { describe, expect, it } from 'vitest';
import {
  jit,
  numpy as jnp,
  optax,
  random,
  tree,
  type Value,
  valueAndGrad,
} from '../../../src/engine/index.js';

type Params = { dense1: { b: Value; w: Value }; dense2: { b: Value; w: Value } };

function init(): Params {
  const [k1, k2] = [random.PRNGKey(10), random.PRNGKey(11)];
  return {
    dense1: { w: jnp.multiply(0.5, random.normal(k1, [3, 8])), b: jnp.zeros([8]) },
    dense2: { w: jnp.multiply(0.5, random.normal(k2, [8, 1])), b: jnp.zeros([1]) },
  };
}

function loss(p: Params, x: Value, y: Value): Value {
  const h = jnp.tanh(jnp.add(jnp.matmul(x, p.dense1.w), p.dense1.b));
  const out = jnp.add(jnp.matmul(h, p.dense2.w), p.dense2.b);
  return jnp.mean(optax.l2Loss(out, y));
}

const optimizers: Record<string, () => optax.GradientTransformation<any>> = {
  adam: () => optax.adam(0.05),
  adamw_masked_schedule: () =>
    optax.adamw(optax.warmupCosineDecaySchedule(0.0, 0.05, 3, 12), {
      weightDecay: 0.01,
      mask: (p: Params) => tree.map((l: Value) => l.ndim > 1, p),
    }),
  clip_then_rmsprop: () =>
    optax.chain(optax.clipByGlobalNorm(0.5), optax.rmsprop(0.02, { centered: true, momentum: 0.9 })),
  novograd: () => optax.novograd(0.05),
  multi_steps: () => new optax.MultiSteps(optax.lamb(0.05), 3).gradientTransformation(),
  apply_if_finite: () => optax.applyIfFinite(optax.adafactor(0.05, { minDimSizeToFactor: 2 }), 3),
  multi_transform: () =>
    optax.multiTransform(
      { fast: optax.sgd(0.1, { momentum: 0.9 }), slow: optax.lion(1e-3) },
      {
        dense1: 'fast',
        dense2: 'slow',
      },
    ),
};

describe('a jitted training step equals the eager one', () => {
  const x = random.normal(random.PRNGKey(1), [16, 3]);
  const y = jnp.sin(jnp.sum(x, { axis: 1, keepdims: true }));
  for (const [name, make] of Object.entries(optimizers)) {
    it(name, async () => {
      const opt = make();
      const step = (p: Params, s: any, xb: Value, yb: Value): [Params, any, Value] => {
        const [l, g] = valueAndGrad(loss)(p, xb, yb);
        const [updates, s2] = opt.update(g, s, p);
        return [optax.applyUpdates(p, updates), s2, l];
      };
      let traces = 0;
      const jstep = jit((p: Params, s: any, xb: Value, yb: Value) => {
        traces++;
        return step(p, s, xb, yb);
      });
      let pe = init();
      let se = opt.init(pe);
      let pj = init();
      let sj = opt.init(pj);
      const losses: number[] = [];
      for (let t = 0; t < 12; t++) {
        let le: Value;
        let lj: Value;
        [pe, se, le] = step(pe, se, x, y);
        [pj, sj, lj] = jstep(pj, sj, x, y);
        const [a, b] = [Number(await le.item()), Number(await lj.item())];
        expect(b, `loss at step ${t}`).toBe(a);
        losses.push(a);
      }
      expect(traces).toBe(1);
      const [leavesE, defE] = tree.flatten(pe);
      const [leavesJ, defJ] = tree.flatten(pj);
      expect(defJ.toString()).toBe(defE.toString());
      for (let i = 0; i < leavesE.length; i++) {
        const [e, j] = [await (leavesE[i] as Value).tolist(), await (leavesJ[i] as Value).tolist()];
        expect(j).toEqual(e);
      }
      expect(tree.structure(sj).toString()).toBe(tree.structure(se).toString());
      const [stateE, stateJ] = [tree.leaves(se) as Value[], tree.leaves(sj) as Value[]];
      for (let i = 0; i < stateE.length; i++) {
        expect(stateJ[i].dtype).toBe(stateE[i].dtype);
        expect(await stateJ[i].tolist()).toEqual(await stateE[i].tolist());
      }
      // The optimizer does train the model.
      expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    });
  }
});
