/**
 * @file 100 steps of every optimizer and transformation against optax 0.2.8 (fixtures/optax.json, made by
 * fixtures/make_optax.py): the same params {b: f32[2], w: f32[3,2]}, the same fixed gradient sequence,
 * `update` jitted as the fixture's is, then `applyUpdates`; the updates and params after steps 1, 2, 3, 10,
 * ..., 100 and the final state (field names, int32 counters, MaskedNodes) must match optax's. Each entry of
 * `cases` is the TypeScript spelling of the fixture's Python construction of the same name.
 */
import { describe, expect, it } from 'vitest';
import { jit, numpy as jnp, optax, type Value } from '../../../src/engine/index.js';
import { expectTree, fx, gradsAt, params0 } from './fixture.js';

type Tx = optax.GradientTransformation<any>;
const weightMatrices = (p: any) => ({ b: p.b.ndim > 1, w: p.w.ndim > 1 });
const everyK = (step: Value) => jnp.where(jnp.less(step, 5), 2, 4);
const warmupCos = () => optax.warmupCosineDecaySchedule(0.0, 0.05, 10, 100, { endValue: 1e-3 });
const expStairs = () => optax.exponentialDecay(0.1, 10, 0.5, { staircase: true });

const cases: Record<string, () => Tx> = {
  // optimizers
  sgd: () => optax.sgd(0.1),
  sgd_momentum: () => optax.sgd(0.1, { momentum: 0.9 }),
  sgd_nesterov: () => optax.sgd(0.1, { momentum: 0.9, nesterov: true }),
  sgd_exp_decay: () => optax.sgd(expStairs()),
  adam: () => optax.adam(0.01),
  adam_eps_root: () => optax.adam(0.01, { b1: 0.8, b2: 0.99, eps: 1e-6, epsRoot: 1e-8 }),
  adam_schedule: () => optax.adam(warmupCos()),
  adam_nesterov: () => optax.adam(0.01, { nesterov: true }),
  adamw: () => optax.adamw(0.01),
  adamw_masked: () => optax.adamw(0.01, { weightDecay: 0.1, mask: { w: true, b: false } }),
  adamw_mask_fn: () => optax.adamw(0.01, { weightDecay: 0.1, mask: weightMatrices }),
  adamw_wd_schedule: () => optax.adamw(0.01, { weightDecay: optax.linearSchedule(0.1, 0.0, 50) }),
  nadam: () => optax.nadam(0.01),
  nadamw: () => optax.nadamw(0.01, { weightDecay: 0.05 }),
  adamax: () => optax.adamax(0.01),
  adamaxw: () => optax.adamaxw(0.01, { weightDecay: 0.05 }),
  amsgrad: () => optax.amsgrad(0.01),
  radam: () => optax.radam(0.01),
  rmsprop: () => optax.rmsprop(0.01),
  rmsprop_centered: () => optax.rmsprop(0.01, { centered: true }),
  rmsprop_momentum: () => optax.rmsprop(0.01, { decay: 0.95, eps: 1e-6, momentum: 0.9, nesterov: true }),
  rmsprop_initial_scale: () => optax.rmsprop(0.01, { initialScale: 1.0, epsInSqrt: false }),
  rmsprop_bias_correction: () => optax.rmsprop(0.01, { biasCorrection: true }),
  rmsprop_centered_bias_correction: () =>
    optax.rmsprop(0.01, { centered: true, biasCorrection: true, momentum: 0.5, initialScale: 0.1 }),
  adagrad: () => optax.adagrad(0.1),
  adagrad_opts: () => optax.adagrad(0.1, { initialAccumulatorValue: 0.0, eps: 1e-3 }),
  adadelta: () => optax.adadelta(0.5),
  adadelta_default: () => optax.adadelta(),
  adadelta_wd: () => optax.adadelta(1.0, { rho: 0.95, eps: 1e-5, weightDecay: 0.01 }),
  adafactor: () => optax.adafactor(0.01),
  adafactor_factored: () =>
    optax.adafactor(0.01, { minDimSizeToFactor: 2, momentum: 0.9, weightDecayRate: 1e-3 }),
  adafactor_default: () => optax.adafactor(),
  adafactor_plain: () =>
    optax.adafactor(0.05, {
      multiplyByParameterScale: false,
      clippingThreshold: null,
      decayRate: 0.9,
      decayOffset: 3,
    }),
  lion: () => optax.lion(0.001),
  lion_wd: () => optax.lion(0.003, { b1: 0.95, weightDecay: 0.1 }),
  lamb: () => optax.lamb(0.01),
  lamb_wd: () => optax.lamb(0.01, { weightDecay: 0.01 }),
  lars: () => optax.lars(0.1),
  lars_wd: () => optax.lars(0.1, { weightDecay: 1e-3, trustCoefficient: 0.01, nesterov: true }),
  novograd: () => optax.novograd(0.01),
  novograd_wd: () => optax.novograd(0.01, { weightDecay: 0.01, b2: 0.5 }),
  yogi: () => optax.yogi(0.01),
  adabelief: () => optax.adabelief(0.01),
  adabelief_nesterov: () => optax.adabelief(0.01, { nesterov: true }),
  // transformations
  chain_clip_adam: () => optax.chain(optax.clipByGlobalNorm(1.0), optax.scaleByAdam(), optax.scale(-0.01)),
  clip: () => optax.clip(0.5),
  clip_by_block_rms: () => optax.clipByBlockRms(0.5),
  clip_by_global_norm: () => optax.clipByGlobalNorm(2.0),
  trace: () => optax.trace(0.9),
  trace_nesterov: () => optax.trace(0.5, { nesterov: true }),
  ema: () => optax.ema(0.9),
  ema_no_debias: () => optax.ema(0.8, { debias: false }),
  scale_by_rss: () => optax.scaleByRss(),
  scale_by_rms: () => optax.scaleByRms(),
  scale_by_stddev: () => optax.scaleByStddev(),
  scale_by_adam: () => optax.scaleByAdam(),
  scale_by_amsgrad: () => optax.scaleByAmsgrad(),
  scale_by_adamax: () => optax.scaleByAdamax(),
  scale_by_belief: () => optax.scaleByBelief(),
  scale_by_yogi: () => optax.scaleByYogi(),
  scale_by_radam: () => optax.scaleByRadam(),
  scale_by_lion: () => optax.scaleByLion(),
  scale_by_adadelta: () => optax.scaleByAdadelta(),
  scale_by_novograd: () => optax.scaleByNovograd(),
  scale_by_factored_rms: () => optax.scaleByFactoredRms({ minDimSizeToFactor: 2 }),
  scale_by_trust_ratio: () => optax.scaleByTrustRatio({ minNorm: 0.1, trustCoefficient: 0.01, eps: 1e-3 }),
  scale_by_param_block_norm: () => optax.scaleByParamBlockNorm(),
  scale_by_param_block_rms: () => optax.scaleByParamBlockRms(),
  scale_by_sign: () => optax.scaleBySign(),
  scale_by_schedule: () => optax.scaleBySchedule(optax.linearSchedule(1.0, 0.1, 60)),
  scale_by_learning_rate: () => optax.scaleByLearningRate(0.3),
  scale_by_learning_rate_schedule: () => optax.scaleByLearningRate(expStairs(), { flipSign: false }),
  scale: () => optax.scale(-0.2),
  add_decayed_weights: () => optax.addDecayedWeights(0.1),
  add_decayed_weights_schedule: () =>
    optax.addDecayedWeights(optax.linearSchedule(0.2, 0.0, 40), { w: true, b: false }),
  centralize: () => optax.centralize(),
  apply_every: () => optax.applyEvery(3),
  masked: () => optax.masked(optax.sgd(0.1, { momentum: 0.9 }), { w: true, b: false }),
  masked_fn: () => optax.masked(optax.adam(0.01), weightMatrices),
  multi_transform: () => optax.multiTransform({ a: optax.adam(0.01), b: optax.sgd(0.1) }, { w: 'a', b: 'b' }),
  named_chain: () => optax.namedChain(['clip', optax.clip(1.0)], ['sgd', optax.sgd(0.05, { momentum: 0.5 })]),
  multi_steps: () => new optax.MultiSteps(optax.adam(0.01), 3).gradientTransformation(),
  multi_steps_schedule: () =>
    new optax.MultiSteps(optax.sgd(0.1, { momentum: 0.9 }), everyK, {
      useGradMean: false,
    }).gradientTransformation(),
  identity: () => optax.identity(),
  set_to_zero: () => optax.setToZero(),
  // with NaN and inf in the gradients
  apply_if_finite: () => optax.applyIfFinite(optax.adam(0.01), 2),
  multi_steps_skip: () =>
    new optax.MultiSteps(optax.adam(0.01), 2, {
      shouldSkipUpdateFn: optax.skipNotFinite,
    }).gradientTransformation(),
  multi_steps_skip_large: () =>
    new optax.MultiSteps(optax.sgd(0.1), 2, {
      shouldSkipUpdateFn: (u, s, p) => optax.skipLargeUpdates(u, s, p, 20.0),
    }).gradientTransformation(),
};

// Each step agrees with optax's float32 results to about an ulp of the values involved: XLA's CPU code
// contracts a * b + c into one fused multiply-add inside a fusion (one rounding), where tjax rounds the product
// and the sum separately. Fed back through params and moments for 100 steps, those ulps add up to the
// bounds below, relative to each value and to the largest magnitude in its leaf.
const TOL = { rtol: 1e-5, atol: 1e-7, scale: 4e-6 };

describe('optax trajectories: 100 steps against optax 0.2.8', () => {
  it('covers every fixture case', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(fx.trajectories).sort());
  });
  for (const [name, make] of Object.entries(cases)) {
    it(name, async () => {
      const want = fx.trajectories[name];
      const opt = make();
      let params: any = params0();
      let state = opt.init(params);
      const update = jit((g: any, s: any, p: any) => opt.update(g, s, p));
      const records = new Map<number, any>(want.records.map((r: any) => [r.step, r]));
      for (let t = 0; t < 100; t++) {
        const [updates, next] = update(gradsAt(t, want.nan), state, params);
        state = next;
        params = optax.applyUpdates(params, updates);
        const rec = records.get(t + 1);
        if (rec) {
          await expectTree(updates, rec.updates, TOL, `${name} step ${t + 1} updates`);
          await expectTree(params, rec.params, TOL, `${name} step ${t + 1} params`);
        }
      }
      await expectTree(state, want.state, TOL, `${name} state`);
    });
  }
});
