/**
 * @file linen.Conv and linen.ConvTranspose against flax 0.12.8 (fixtures/linen.json `conv`, made by
 * fixtures/make_linen.py): every padding form (SAME, VALID, CIRCULAR, REFLECT, CAUSAL, ints and
 * pairs), strides, input and kernel dilation, feature groups, 1-D/2-D/3-D, no or several batch
 * dimensions, transposeKernel; and a small CNN's init, training step and gradient, eager and jitted.
 */
import { describe, expect, it } from 'vitest';
import { grad, jit, numpy as jnp, linen, random, type Value } from '../../../src/engine/index.js';
import { expectArray, expectVars, type FlatVar, fx, input, varsFrom } from './fixture.js';

interface LayerCase {
  x: unknown;
  seed: number;
  variables: Record<string, FlatVar>;
  y: unknown;
}

const specs: Record<string, () => linen.Module> = {
  conv_same: () => new linen.Conv(4, [3, 3]),
  conv_valid_strided_1d: () => new linen.Conv(4, [3], { padding: 'VALID', strides: 2 }),
  conv_dilated: () =>
    new linen.Conv(2, [3, 3], {
      kernelDilation: 2,
      inputDilation: [1, 2],
      padding: [
        [1, 2],
        [0, 1],
      ],
    }),
  conv_groups: () => new linen.Conv(6, [2, 2], { featureGroupCount: 3, useBias: false, padding: 1 }),
  conv_circular: () => new linen.Conv(4, [3, 3], { strides: 2, padding: 'CIRCULAR' }),
  conv_reflect: () => new linen.Conv(3, [3, 2], { padding: 'REFLECT' }),
  conv_causal: () => new linen.Conv(2, 3, { padding: 'CAUSAL', kernelDilation: 2 }),
  conv_pairs: () => new linen.Conv(2, [2, 3], { padding: [1, [0, 2]], strides: [1, 2] }),
  conv_unbatched: () => new linen.Conv(4, [3, 3]),
  conv_two_batch: () => new linen.Conv(4, [2, 2], { padding: 'VALID' }),
  conv_3d: () => new linen.Conv(2, [2, 2, 2]),
  conv_transpose_same: () => new linen.ConvTranspose(4, [3, 3], { strides: [2, 2] }),
  conv_transpose_valid_tk: () =>
    new linen.ConvTranspose(3, [3, 3], { strides: 2, padding: 'VALID', transposeKernel: true }),
  conv_transpose_explicit: () => new linen.ConvTranspose(2, [3], { padding: [[1, 2]], kernelDilation: [2] }),
  conv_transpose_circular: () => new linen.ConvTranspose(2, [3, 3], { strides: 2, padding: 'CIRCULAR' }),
  conv_transpose_circular_tk: () =>
    new linen.ConvTranspose(2, [4], { strides: 3, padding: 'CIRCULAR', transposeKernel: true }),
  conv_transpose_unbatched: () => new linen.ConvTranspose(2, [2, 2], { strides: 2, useBias: false }),
};

describe('linen.Conv / ConvTranspose: init and apply as flax', () => {
  for (const [name, make] of Object.entries(specs)) {
    const c = fx.conv[name] as LayerCase;
    it(name, async () => {
      const x = input(c.x);
      const v = make().init(random.key(c.seed), x);
      await expectVars(v, c.variables);
      await expectArray(make().apply(varsFrom(c.variables), x), c.y, 2e-5, 'y');
    });
  }

  it('bad padding and a kernel mask of the wrong shape are errors', () => {
    const x = jnp.ones([1, 4, 4, 2]);
    expect(() => new linen.Conv(2, [3, 3], { padding: [1, 2, 3] }).init(random.key(0), x)).toThrow(
      'Invalid padding format: [1, 2, 3], should be str, int, or a sequence of len 2',
    );
    expect(() => new linen.Conv(2, [3, 3], { mask: jnp.ones([3, 3]) }).init(random.key(0), x)).toThrow(
      'Mask needs to have the same shape as weights. Shapes are: (3, 3), (3, 3, 2, 2)',
    );
    expect(() => new linen.Conv(2, [3, 3], { padding: 'CAUSAL' }).init(random.key(0), x)).toThrow(
      'Causal padding is only implemented for 1D convolutions.',
    );
  });
});

/** The fixtures' CNN: Conv, BatchNorm, relu, a strided VALID Conv, flatten, Dense. */
class CNN extends linen.Module {
  call(x: Value, { train }: { train: boolean }): Value {
    x = new linen.Conv(4, [3, 3]).call(x);
    x = new linen.BatchNorm({ useRunningAverage: !train }).call(x);
    x = linen.relu(x);
    x = new linen.Conv(6, [3, 3], { strides: 2, padding: 'VALID' }).call(x);
    x = jnp.reshape(x, [x.shape[0], -1]);
    return new linen.Dense(3).call(x);
  }
}

describe('a small CNN is flax', () => {
  const c = fx.conv.cnn;
  const x = input(c.x);
  const model = new CNN();

  it('init, evaluation, a training step with batch statistics', async () => {
    await expectVars(model.init(random.key(40), x, { train: false }), c.init);
    const v = varsFrom(c.init);
    await expectArray(model.apply(v, x, { train: false }), c.eval_y, 2e-5);
    const [y, upd] = model.apply(v, x, { train: true, mutable: ['batch_stats'] });
    await expectArray(y, c.train_y, 2e-5);
    await expectVars(upd, c.train_updated, 2e-5);
  });

  it('the gradient of a loss with respect to the parameters, eager and jitted', async () => {
    const v = varsFrom(c.init);
    const loss = (params: linen.Collection) => {
      const [y] = model.apply({ params, batch_stats: v.batch_stats }, x, {
        train: true,
        mutable: ['batch_stats'],
      });
      return jnp.mean(jnp.square(y));
    };
    await expectVars({ params: grad(loss)(v.params) }, c.grad as Record<string, FlatVar>, 5e-5);
    await expectVars({ params: jit(grad(loss))(v.params) }, c.grad as Record<string, FlatVar>, 5e-5, false);
  });
});
