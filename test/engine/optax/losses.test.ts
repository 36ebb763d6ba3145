/**
 * @file optax losses against optax 0.2.8 (fixtures/optax.json `losses`, made by fixtures/make_optax.py): each
 * loss's value and the gradient of its sum with respect to its float inputs, eager and jitted; gradients
 * against central finite differences (in float64 on the CPU); optax's argument errors.
 */
import { describe, expect, it } from 'vitest';
import { grad, jit, numpy as jnp, nn, optax, type Value, withConfig } from '../../../src/engine/index.js';
import { closeTo, fx, plain } from './fixture.js';

const inp = fx.loss_inputs;
const f32 = (k: string) => jnp.array(inp[k], { dtype: 'float32' });
const i32 = (k: string) => jnp.array(inp[k], { dtype: 'int32' });
const mask = () => jnp.array(inp.mask, { dtype: 'bool' });
const L = optax.losses;

type Case = [fn: (...a: Value[]) => Value, args: () => Value[], wrt: number[]];
const cases: Record<string, Case> = {
  l2_loss: [(p, t) => L.l2Loss(p, t), () => [f32('pred'), f32('targ')], [0, 1]],
  l2_loss_no_targets: [(p) => L.l2Loss(p), () => [f32('pred')], [0]],
  squared_error: [(p, t) => L.squaredError(p, t), () => [f32('pred'), f32('targ')], [0, 1]],
  squared_error_no_targets: [(p) => L.squaredError(p), () => [f32('pred')], [0]],
  huber_loss: [(p, t) => L.huberLoss(p, t), () => [f32('pred'), f32('targ')], [0, 1]],
  huber_loss_delta: [(p, t) => L.huberLoss(p, t, { delta: 0.5 }), () => [f32('pred'), f32('targ')], [0, 1]],
  huber_loss_no_targets: [(p) => L.huberLoss(p, null, { delta: 2.0 }), () => [f32('pred')], [0]],
  log_cosh: [(p, t) => L.logCosh(p, t), () => [f32('pred'), f32('targ')], [0, 1]],
  log_cosh_no_targets: [(p) => L.logCosh(p), () => [f32('pred')], [0]],
  softmax_cross_entropy: [(l, p) => L.softmaxCrossEntropy(l, p), () => [f32('pred'), f32('probs')], [0, 1]],
  softmax_cross_entropy_zeros: [
    (l, p) => L.softmaxCrossEntropy(l, p),
    () => [f32('pred'), f32('probs0')],
    [0, 1],
  ],
  softmax_cross_entropy_axis0: [
    (l, p) => L.softmaxCrossEntropy(l, p, { axis: 0 }),
    () => [f32('pred'), f32('probs_axis0')],
    [0, 1],
  ],
  softmax_cross_entropy_where: [
    (l, p) => L.softmaxCrossEntropy(l, p, { where: mask() }),
    () => [f32('pred'), f32('probs')],
    [0],
  ],
  softmax_cross_entropy_with_integer_labels: [
    (l, y) => L.softmaxCrossEntropyWithIntegerLabels(l, y),
    () => [f32('pred'), i32('int_labels')],
    [0],
  ],
  softmax_cross_entropy_with_integer_labels_axis0: [
    (l, y) => L.softmaxCrossEntropyWithIntegerLabels(l, y, { axis: 0 }),
    () => [f32('pred'), i32('int_labels0')],
    [0],
  ],
  softmax_cross_entropy_with_integer_labels_where: [
    (l, y) => L.softmaxCrossEntropyWithIntegerLabels(l, y, { where: mask() }),
    () => [f32('pred'), i32('int_labels')],
    [0],
  ],
  sigmoid_binary_cross_entropy: [
    (l, y) => L.sigmoidBinaryCrossEntropy(l, y),
    () => [f32('pred'), f32('bin_labels')],
    [0, 1],
  ],
  hinge_loss: [(p, t) => L.hingeLoss(p, t), () => [f32('pred'), f32('signs')], [0, 1]],
  kl_divergence: [(a, b) => L.klDivergence(a, b), () => [f32('log_pred'), f32('probs0')], [0, 1]],
  kl_divergence_axis0: [
    (a, b) => L.klDivergence(a, b, { axis: 0 }),
    () => [f32('log_pred_axis0'), f32('probs_axis0')],
    [0, 1],
  ],
  kl_divergence_where: [
    (a, b) => L.klDivergence(a, b, { where: mask() }),
    () => [f32('log_pred'), f32('probs')],
    [0, 1],
  ],
  cosine_similarity: [(a, b) => L.cosineSimilarity(a, b), () => [f32('pred'), f32('targ')], [0, 1]],
  cosine_similarity_eps: [
    (a, b) => L.cosineSimilarity(a, b, { epsilon: 1e-3, axis: 0 }),
    () => [f32('pred'), f32('targ')],
    [0, 1],
  ],
  cosine_similarity_where: [
    (a, b) => L.cosineSimilarity(a, b, { where: mask() }),
    () => [f32('pred'), f32('targ')],
    [0, 1],
  ],
  cosine_distance: [(a, b) => L.cosineDistance(a, b), () => [f32('pred'), f32('targ')], [0, 1]],
  cosine_distance_eps: [
    (a, b) => L.cosineDistance(a, b, { epsilon: 0.1 }),
    () => [f32('pred'), f32('targ')],
    [0, 1],
  ],
};

const TOL = { rtol: 2e-6, atol: 2e-7 };

describe('optax losses against optax 0.2.8', () => {
  it('covers every fixture loss', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(fx.losses).sort());
  });
  for (const [name, [fn, args, wrt]] of Object.entries(cases)) {
    it(`${name}: value and gradients, eager and jitted`, async () => {
      const want = fx.losses[name];
      const a = args();
      closeTo(await fn(...a).tolist(), want.value, TOL.rtol, TOL.atol, `${name} value`);
      closeTo(await (jit(fn)(...a) as Value).tolist(), want.value, TOL.rtol, TOL.atol, `jit ${name} value`);
      const g = grad((...xs: Value[]) => jnp.sum(fn(...xs)), { argnums: wrt })(...a) as Value[];
      const gj = jit(grad((...xs: Value[]) => jnp.sum(fn(...xs)), { argnums: wrt }))(...a) as Value[];
      for (let i = 0; i < wrt.length; i++) {
        closeTo(await g[i].tolist(), want.grads[i], TOL.rtol, TOL.atol, `${name} grad ${wrt[i]}`);
        closeTo(await gj[i].tolist(), want.grads[i], TOL.rtol, TOL.atol, `jit ${name} grad ${wrt[i]}`);
      }
    });
  }

  it('gradients agree with central differences (float64)', () => {
    // withConfig restores x64 when its callback returns, so everything inside reads synchronously.
    withConfig({ enableX64: true }, () => {
      const x = jnp.array(inp.pred, { dtype: 'float64' });
      const t = jnp.array(inp.targ, { dtype: 'float64' });
      const p = jnp.array(inp.probs, { dtype: 'float64' });
      const fns: [string, (v: Value) => Value][] = [
        ['huber', (v) => jnp.sum(L.huberLoss(v, t, { delta: 0.5 }))],
        ['log_cosh', (v) => jnp.sum(L.logCosh(v, t))],
        ['softmax_ce', (v) => jnp.sum(L.softmaxCrossEntropy(v, p))],
        ['softmax_ce_int', (v) => jnp.sum(L.softmaxCrossEntropyWithIntegerLabels(v, jnp.array([2, 3, 0])))],
        ['sigmoid_bce', (v) => jnp.sum(L.sigmoidBinaryCrossEntropy(v, jnp.array(inp.bin_labels)))],
        ['cosine', (v) => jnp.sum(L.cosineSimilarity(v, t, { epsilon: 1e-3 }))],
        ['kl', (v) => jnp.sum(L.klDivergence(v, p))],
      ];
      const [rows, cols] = x.shape;
      const xs = Array.from(x.dataSync() as Float64Array);
      const h = 1e-6;
      for (const [name, f] of fns) {
        const g = grad(f)(x) as Value;
        expect(g.dtype.name).toBe('float64');
        const gv = g.dataSync();
        for (let k = 0; k < rows * cols; k++) {
          const bump = (d: number): number => {
            const y = [...xs];
            y[k] += d;
            return Number(f(jnp.reshape(jnp.array(y, { dtype: 'float64' }), [rows, cols])).dataSync()[0]);
          };
          const fd = (bump(h) - bump(-h)) / (2 * h);
          closeTo(gv[k], fd, 1e-6, 1e-8, `${name} d/dx[${k}]`);
        }
      }
    });
  });

  it('jax.nn.logsumexp and logSoftmax with where and b, which the losses build on', async () => {
    const W = fx.nn_where;
    const x = f32('pred');
    const m = mask();
    const t = (got: unknown, want: unknown, what: string) => closeTo(got, want, TOL.rtol, TOL.atol, what);
    t(await nn.logsumexp(x, { axis: -1, where: m }).tolist(), W.logsumexp_where, 'logsumexp where');
    t(await nn.logsumexp(x, { where: m }).tolist(), W.logsumexp_where_all, 'logsumexp where, all axes');
    t(
      await nn.logsumexp(x, { axis: 0, where: m, keepdims: true }).tolist(),
      W.logsumexp_where_keepdims,
      'keepdims',
    );
    t(
      await nn.logsumexp(x, { axis: -1, b: f32('bvals') }).tolist(),
      W.logsumexp_b,
      'logsumexp b (NaN for a negative sum)',
    );
    t(
      await grad((v: Value) => jnp.sum(nn.logsumexp(v, { axis: -1, where: m })))(x).tolist(),
      W.logsumexp_where_grad,
      'grad',
    );
    t(await nn.logSoftmax(x, { axis: -1, where: m }).tolist(), W.log_softmax_where, 'log_softmax where');
    t(
      await nn.logSoftmax(x, { axis: 0, where: m }).tolist(),
      W.log_softmax_where_axis0,
      'log_softmax where axis 0',
    );
    const lsGrad = grad((v: Value) =>
      jnp.sum(jnp.multiply(jnp.where(m, nn.logSoftmax(v, { axis: -1, where: m }), 0), f32('probs'))),
    )(x);
    t(await lsGrad.tolist(), W.log_softmax_where_grad, 'log_softmax where grad');
  });

  it('raises optax errors for bad dtypes and shapes', () => {
    expect(() => L.squaredError(jnp.arange(3))).toThrow(
      "Expected the input to have a dtype that is a subdtype of <class 'numpy.floating'>, got int32 instead",
    );
    expect(() => L.softmaxCrossEntropyWithIntegerLabels(jnp.ones([2, 3]), jnp.ones([2]))).toThrow(
      "Expected the input to have a dtype that is a subdtype of <class 'numpy.integer'>, got float32 instead",
    );
    expect(() => L.squaredError(jnp.ones([3]), jnp.ones([2]))).toThrow('Shape mismatch: got (3,) and (2,).');
    expect(() =>
      L.softmaxCrossEntropyWithIntegerLabels(jnp.ones([2, 3]), jnp.zeros([2], { dtype: 'int32' }), {
        axis: 5,
      }),
    ).toThrow('axis 5 is out of bounds for array of dimension 2');
  });

  it('the losses are also at the top of the optax namespace', () => {
    expect(optax.l2Loss).toBe(L.l2Loss);
    expect(optax.softmaxCrossEntropyWithIntegerLabels).toBe(L.softmaxCrossEntropyWithIntegerLabels);
    expect(plain(['nan'])[0]).toBeNaN();
  });
});
