/**
 * @file linen's layers against flax 0.12.8 (fixtures/linen.json, made by fixtures/make_linen.py):
 * for each layer, `init` with a fixed key gives flax's variables (names, order, dtypes, values) and
 * `apply` on flax's variables gives flax's output; BatchNorm's updated statistics; Dropout's masks.
 */
import { describe, expect, it } from 'vitest';
import { numpy as jnp, linen, random, type Value } from '../../../src/engine/index.js';
import { expectArray, expectFlaxError, expectVars, type FlatVar, fx, input, varsFrom } from './fixture.js';

interface LayerCase {
  x: unknown;
  x_dtype: string;
  seed: number;
  variables: Record<string, FlatVar>;
  updated?: Record<string, FlatVar>;
  y: unknown;
  y_dtype: string;
}

interface Spec {
  make: () => linen.Module;
  init?: linen.InitOptions;
  apply?: linen.ApplyOptions;
  /** Output tolerance (relative, floor 1). */
  tol?: number;
}

const I = linen.initializers;
const specs: Record<string, Spec> = {
  dense: { make: () => new linen.Dense(3) },
  dense_nobias_glorot: { make: () => new linen.Dense(5, { useBias: false, kernelInit: I.glorotUniform() }) },
  dense_f16_dtype: { make: () => new linen.Dense(3, { dtype: 'float16' }), tol: 2e-3 },
  dense_f16_params: { make: () => new linen.Dense(3, { paramDtype: 'float16' }), tol: 2e-3 },
  embed: { make: () => new linen.Embed(5, 3) },
  embed_attend: {
    make: () => new linen.Embed(5, 3),
    init: { method: 'attend' },
    apply: { method: 'attend' },
  },
  layernorm: { make: () => new linen.LayerNorm() },
  layernorm_axes: {
    make: () =>
      new linen.LayerNorm({ useBias: false, reductionAxes: [1, 2, 3], featureAxes: -1, epsilon: 1e-3 }),
  },
  rmsnorm: { make: () => new linen.RMSNorm() },
  groupnorm: { make: () => new linen.GroupNorm({ numGroups: 2 }) },
  groupnorm_size: { make: () => new linen.GroupNorm({ numGroups: null, groupSize: 3 }) },
  instancenorm: { make: () => new linen.InstanceNorm() },
  batchnorm_train: {
    make: () => new linen.BatchNorm({ useRunningAverage: false }),
    apply: { mutable: ['batch_stats'] },
  },
  batchnorm_axis: {
    make: () => new linen.BatchNorm({ useRunningAverage: false, axis: 1, momentum: 0.9, epsilon: 1e-3 }),
    apply: { mutable: ['batch_stats'] },
  },
  batchnorm_slow_var: {
    make: () => new linen.BatchNorm({ useRunningAverage: false, useFastVariance: false, useScale: false }),
    apply: { mutable: ['batch_stats'] },
  },
  dropout: {
    make: () => new linen.Dropout(0.5),
    init: { deterministic: true },
    apply: { deterministic: false, rngs: { dropout: random.key(3) } },
  },
  dropout_broadcast: {
    make: () => new linen.Dropout(0.3, { broadcastDims: [0], deterministic: false }),
    apply: { rngs: { dropout: random.key(4) } },
  },
  prelu: { make: () => new linen.PReLU() },
  sequential: { make: () => new linen.Sequential([new linen.Dense(4), linen.relu, new linen.Dense(2)]) },
  sequential_lambda: {
    make: () =>
      new linen.Sequential([(x: Value) => new linen.Dense(x.shape[x.ndim - 1] * 2).call(x), linen.tanh]),
  },
};

describe('linen layers: init and apply as flax', () => {
  for (const [name, spec] of Object.entries(specs)) {
    const c = fx.linen[name] as LayerCase;
    it(name, async () => {
      const x = input(c.x, c.x_dtype);
      const model = spec.make();
      const variables = model.init(random.key(c.seed), x, spec.init ?? {});
      await expectVars(variables, c.variables);
      const opts = spec.apply ?? {};
      const tol = spec.tol ?? 1e-5;
      if (opts.mutable) {
        const [y, updated] = model.apply(
          varsFrom(c.variables),
          x,
          opts as linen.ApplyOptions & { mutable: string[] },
        );
        expect(y.dtype.name).toBe(c.y_dtype);
        await expectArray(y, c.y, tol, 'y');
        await expectVars(updated, c.updated!, 1e-5);
      } else {
        const y = model.apply(varsFrom(c.variables), x, opts) as Value;
        expect(y.dtype.name).toBe(c.y_dtype);
        await expectArray(y, c.y, tol, 'y');
      }
    });
  }
});

describe('BatchNorm', () => {
  it('evaluation reads the running statistics (useRunningAverage at call time)', async () => {
    const c = fx.linen.batchnorm_eval;
    const y = new linen.BatchNorm().apply(varsFrom(c.variables), input(c.x), { useRunningAverage: true });
    await expectArray(y, c.y, 1e-5);
  });

  it('init creates the statistics without updating them; a train step without mutable batch_stats fails', async () => {
    const bn = new linen.BatchNorm({ useRunningAverage: false });
    const x = jnp.ones([4, 3]);
    const v = bn.init(random.key(0), x);
    expect(await (v.batch_stats.mean as Value).tolist()).toEqual([0, 0, 0]);
    expect(await (v.batch_stats.var as Value).tolist()).toEqual([1, 1, 1]);
    expectFlaxError(() => bn.apply(v, x), 'bn_immutable');
  });

  it("the caller's variables are not written by a training step", async () => {
    const bn = new linen.BatchNorm({ useRunningAverage: false });
    const x = input([
      [1, 2],
      [3, 5],
    ]);
    const v = bn.init(random.key(0), x);
    const [, upd] = bn.apply(v, x, { mutable: ['batch_stats'] });
    expect(await (v.batch_stats.mean as Value).tolist()).toEqual([0, 0]);
    await expectArray(upd.batch_stats.mean as Value, [0.02, 0.035], 1e-6);
  });

  it('errors: axisName (no named axes exist), the flag given twice or never', () => {
    const x = jnp.ones([4, 3]);
    const v = new linen.BatchNorm({ useRunningAverage: false }).init(random.key(0), x);
    expectFlaxError(
      () =>
        new linen.BatchNorm({ useRunningAverage: false, axisName: 'batch' }).apply(v, x, {
          mutable: ['batch_stats'],
        }),
      'bn_axis_name',
    );
    expectFlaxError(() => new linen.BatchNorm().apply(v, x), 'bn_no_flag');
    expectFlaxError(
      () => new linen.BatchNorm({ useRunningAverage: false }).apply(v, x, { useRunningAverage: true }),
      'bn_two_flags',
    );
  });
});

describe('Dropout', () => {
  it('deterministic, rate 0 and rate 1', async () => {
    const x = input([1, 2, 3]);
    expect(await new linen.Dropout(0.5).apply({}, x, { deterministic: true }).tolist()).toEqual([1, 2, 3]);
    expect(await new linen.Dropout(0, { deterministic: false }).apply({}, x).tolist()).toEqual([1, 2, 3]);
    const k = { rngs: { dropout: random.key(0) } };
    expect(await new linen.Dropout(1, { deterministic: false }).apply({}, x, k).tolist()).toEqual([0, 0, 0]);
  });

  it('an explicit rng at call time is the mask key', async () => {
    class WithKey extends linen.Module {
      call(x: Value) {
        return new linen.Dropout(0.5, { deterministic: false }).call(x, { rng: random.key(9) });
      }
    }
    const x = jnp.ones([20]);
    const want = jnp.where(random.bernoulli(random.key(9), 0.5, [20]), 2, 0);
    expect(await new WithKey().apply({}, x).tolist()).toEqual(await want.tolist());
  });

  it('without a dropout stream it is an InvalidRngError', () => {
    expectFlaxError(
      () => new linen.Dropout(0.5).apply({}, jnp.ones([4, 3]), { deterministic: false }),
      'dropout_no_rng',
    );
  });
});

describe('layer errors', () => {
  it('Embed of floats, GroupNorm groups, empty Sequential', () => {
    const e = new linen.Embed(3, 2);
    const v = e.init(random.key(0), jnp.zeros([2], { dtype: 'int32' }));
    expectFlaxError(() => e.apply(v, jnp.zeros([2])), 'embed_float');
    expectFlaxError(
      () => new linen.GroupNorm({ numGroups: 4 }).init(random.key(0), jnp.ones([2, 6])),
      'groupnorm_divide',
    );
    expectFlaxError(() => new linen.Sequential([]).init(random.key(0), jnp.ones([4, 3])), 'sequential_empty');
  });
});
