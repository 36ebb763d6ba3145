/**
 * @file linen's module system against flax 0.12.8 (fixtures/linen.json, made by
 * fixtures/make_linen.py): user-written compact modules (an MLP with BatchNorm and Dropout, a tower
 * of nested, named and shared submodules with its own rng stream and variables), a setup-style
 * module, auto names, rng derivation by path, init/apply/bind options, jit and grad over parameter
 * pytrees, and flax's errors.
 */
import { describe, expect, it } from 'vitest';
import { grad, jit, numpy as jnp, linen, random, type Value } from '../../../src/engine/index.js';
import {
  expectArray,
  expectFlaxError,
  expectVars,
  type FlatVar,
  fx,
  input,
  MLP,
  varsFrom,
} from './fixture.js';

class Block extends linen.Module {
  constructor(
    readonly features: number,
    opts?: linen.ModuleOptions,
  ) {
    super(opts);
  }

  call(x: Value): Value {
    let h = new linen.Dense(this.features, { name: 'inner' }).call(x);
    h = new linen.LayerNorm().call(h);
    const noise = random.normal(this.makeRng('noise'), h.shape);
    const count = this.variable('counters', 'calls', () => jnp.zeros([], { dtype: 'int32' }));
    count.value = jnp.add(count.value, 1);
    return jnp.add(linen.gelu(h), jnp.multiply(0.01, noise));
  }
}

class Tower extends linen.Module {
  call(x: Value): Value {
    const shared = new linen.Dense(4, { name: 'shared' });
    const a = new Block(4).call(shared.call(x));
    const b = new Block(4, { name: 'second' }).call(shared.call(a));
    return new linen.Dense(2).call(jnp.add(a, b));
  }
}

class SetupMLP extends linen.Module {
  dense1!: linen.Dense;
  layers!: linen.Dense[];
  bias!: Value;

  override setup(): void {
    this.dense1 = new linen.Dense(3);
    this.layers = [new linen.Dense(4), new linen.Dense(2)];
    this.bias = this.param('bias', linen.initializers.normal(1.0), [2]);
  }

  call(x: Value): Value {
    return jnp.add(this.layers[1].call(linen.relu(this.layers[0].call(this.dense1.call(x)))), this.bias);
  }

  encode(x: Value): Value {
    return this.dense1.call(x);
  }
}

const mlp = fx.mlp;
const x = input(mlp.x);

describe('a custom compact module (MLP with BatchNorm and Dropout) is flax', () => {
  const model = new MLP([6, 5, 3]);

  it('init: the same variables, names and order as flax', async () => {
    const v = model.init({ params: random.key(0), dropout: random.key(1) }, x, { train: false });
    await expectVars(v, mlp.init);
    expect(Object.keys(v.params)).toEqual(['Dense_0', 'BatchNorm_0', 'Dense_1', 'BatchNorm_1', 'Dense_2']);
  });

  it('apply in evaluation and in training (Dropout masks, updated batch_stats)', async () => {
    const v = varsFrom(mlp.init);
    await expectArray(model.apply(v, x, { train: false }), mlp.eval_y, 1e-5);
    const [y, upd] = model.apply(v, x, {
      train: true,
      rngs: { dropout: random.key(2) },
      mutable: ['batch_stats'],
    });
    await expectArray(y, mlp.train_y, 1e-5);
    await expectVars(upd, mlp.train_updated, 1e-5);
  });

  it("init in training mode with one key: Dropout falls back to the 'params' stream", async () => {
    const [y, v] = model.initWithOutput(random.key(5), x, { train: true });
    await expectVars(v, mlp.init_train_one_key);
    await expectArray(y, mlp.init_train_one_key_y, 1e-5);
  });

  it('grad of a training loss with respect to the parameter pytree, eager and jitted', async () => {
    const v = varsFrom(mlp.init);
    const loss = (params: linen.Collection, batchStats: linen.Collection) => {
      const [y] = model.apply({ params, batch_stats: batchStats }, x, {
        train: true,
        rngs: { dropout: random.key(2) },
        mutable: ['batch_stats'],
      });
      return jnp.mean(jnp.square(y));
    };
    const g = grad(loss)(v.params, v.batch_stats);
    await expectVars({ params: g }, mlp.grad, 2e-5);
    const gj = jit(grad(loss))(v.params, v.batch_stats);
    await expectVars({ params: gj }, mlp.grad, 2e-5, false);
  });

  it('apply under jit returns the output and the updated collections as pytrees', async () => {
    const v = varsFrom(mlp.init);
    const step = jit((vars: linen.Variables, k: Value) =>
      model.apply(vars, x, {
        train: true,
        rngs: { dropout: random.wrapKeyData(k) },
        mutable: ['batch_stats'],
      }),
    );
    const [y, upd] = step(v, random.keyData(random.key(2))) as [Value, linen.Variables];
    await expectArray(y, mlp.train_y, 1e-5);
    await expectVars(upd, mlp.train_updated, 1e-5, false);
    const evalJ = jit((vars: linen.Variables) => model.apply(vars, x, { train: false }));
    await expectArray(evalJ(v) as Value, mlp.eval_y, 1e-5);
  });

  it('init under jit gives the same parameters', async () => {
    const initJ = jit((k: Value) => model.init({ params: random.wrapKeyData(k) }, x, { train: false }));
    await expectVars(initJ(random.keyData(random.key(0))) as linen.Variables, mlp.init, 2e-6, false);
  });
});

describe('nested, named and shared submodules; rng streams; other collections', () => {
  const c = fx.linen.tower;

  it('Tower: init names (explicit, auto, shared) and values; apply with a noise stream and counters', async () => {
    const model = new Tower();
    const xt = input(c.x);
    const v = model.init({ params: random.key(10), noise: random.key(11) }, xt);
    await expectVars(v, c.variables);
    const [y, upd] = model.apply(varsFrom(c.variables), xt, {
      rngs: { noise: random.key(12) },
      mutable: ['counters'],
    });
    await expectArray(y, c.y, 1e-5);
    await expectVars(upd, c.updated as Record<string, FlatVar>);
  });

  it('a setup-style module: attributes name the submodules; method picks what to run', async () => {
    const xs = input(fx.linen.setup_mlp.x);
    for (const [name, method] of [
      ['setup_mlp', undefined],
      ['setup_mlp_encode', 'encode'],
    ] as const) {
      const cs = fx.linen[name];
      const v = new SetupMLP().init(random.key(13), xs, { method });
      await expectVars(v, cs.variables);
      await expectArray(new SetupMLP().apply(varsFrom(cs.variables), xs, { method }), cs.y, 1e-5);
    }
    const cs = fx.linen.setup_mlp_encode;
    const viaFn = new SetupMLP().apply(varsFrom(cs.variables), xs, {
      method: (m: SetupMLP, xx: Value) => m.encode(xx),
    });
    await expectArray(viaFn, cs.y, 1e-5);
  });

  it('auto names count per class in construction order, and restart on every call', () => {
    const seen: string[][] = [];
    class Names extends linen.Module {
      call(xx: Value) {
        const a = new linen.Dense(2);
        const b = new linen.Dense(2);
        const n = new linen.LayerNorm();
        seen.push([a.name!, b.name!, n.name!, a.path.join('/')]);
        return n.call(b.call(a.call(xx)));
      }
    }
    const v = new Names().init(random.key(0), jnp.ones([1, 3]));
    new Names().apply(v, jnp.ones([1, 3]));
    expect(seen).toEqual([
      ['Dense_0', 'Dense_1', 'LayerNorm_0', 'Dense_0'],
      ['Dense_0', 'Dense_1', 'LayerNorm_0', 'Dense_0'],
    ]);
  });

  it('a module called twice shares its parameters; each call draws new dropout keys', async () => {
    class Twice extends linen.Module {
      call(xx: Value) {
        const d = new linen.Dense(3);
        const drop = new linen.Dropout(0.5, { deterministic: false });
        return [d.call(xx), d.call(xx), drop.call(jnp.ones([16])), drop.call(jnp.ones([16]))];
      }
    }
    const xx = jnp.ones([1, 2]);
    const v = new Twice().init({ params: random.key(0), dropout: random.key(1) }, xx);
    expect(Object.keys(v.params)).toEqual(['Dense_0']);
    const [y1, y2, m1, m2] = new Twice().apply(v, xx, { rngs: { dropout: random.key(1) } }) as Value[];
    expect(await y1.tolist()).toEqual(await y2.tolist());
    expect(await m1.tolist()).not.toEqual(await m2.tolist());
  });

  it('keys follow flax: fold_in of the SHA-1 of the path and the counter', async () => {
    // Dense_1's kernel: lecun_normal on fold_in(key, sha1('Dense_1' + '\x01')[:4]).
    class Two extends linen.Module {
      call(xx: Value) {
        return new linen.Dense(3).call(new linen.Dense(4).call(xx));
      }
    }
    const v = new Two().init(random.key(0), jnp.ones([1, 2]));
    const k = linen.LazyRng.create(random.key(0), 'Dense_1', 1).asJaxRng();
    const want = linen.initializers.lecunNormal()(k, [2, 4]);
    expect(await ((v.params.Dense_1 as linen.Collection).kernel as Value).tolist()).toEqual(
      await want.tolist(),
    );
  });
});

describe('module API', () => {
  it('bind gives a bound clone; clone leaves the original unbound', async () => {
    const d = new linen.Dense(2);
    const v = d.init(random.key(0), jnp.ones([1, 3]));
    const bound = d.bind(v);
    expect(await bound.call(jnp.ones([1, 3])).tolist()).toEqual(await d.apply(v, jnp.ones([1, 3])).tolist());
    expect(d.scope).toBeNull();
    expect(d.clone({ name: 'x' }).name).toBe('x');
  });

  it('isInitializing, sow, hasVariable, makeRng outside init', () => {
    const log: boolean[] = [];
    class Sow extends linen.Module {
      call(xx: Value) {
        log.push(this.isInitializing());
        this.sow('intermediates', 'h', xx);
        return xx;
      }
    }
    const m = new Sow();
    const v = m.init(random.key(0), jnp.ones([2]));
    expect(v).toEqual({});
    const [, inter] = m.apply(v, jnp.ones([2]), { mutable: ['intermediates'] });
    expect(log).toEqual([true, false]);
    expect((inter.intermediates.h as unknown[]).length).toBe(1);
    expect(() => m.makeRng()).toThrow("Can't use RNGs on unbound modules");
  });

  it('apply without mutable returns the output; with mutable [] a pair', () => {
    const d = new linen.Dense(2);
    const v = d.init(random.key(0), jnp.ones([1, 3]));
    expect(Array.isArray(d.apply(v, jnp.ones([1, 3])))).toBe(false);
    const out = d.apply(v, jnp.ones([1, 3]), { mutable: [] });
    expect(out[1]).toEqual({});
  });

  it('raw uint32 keys work as typed keys do', async () => {
    const d = new linen.Dense(2);
    const a = d.init(random.PRNGKey(3), jnp.ones([1, 3]));
    const b = d.init(random.key(3), jnp.ones([1, 3]));
    expect(await (a.params.kernel as Value).tolist()).toEqual(await (b.params.kernel as Value).tolist());
  });
});

describe("flax's errors", () => {
  const xe = jnp.ones([4, 3]);
  it('missing collection, missing parameter, wrong shape, {params: {params}}', () => {
    expectFlaxError(() => new linen.Dense(3).apply({}, xe), 'dense_no_params');
    expectFlaxError(
      () => new linen.Dense(3).apply({ params: { bias: jnp.zeros([3]) } }, xe),
      'dense_missing_param',
    );
    expectFlaxError(
      () => new linen.Dense(3).apply({ params: { kernel: jnp.zeros([2, 3]), bias: jnp.zeros([3]) } }, xe),
      'dense_shape',
    );
    expectFlaxError(() => new linen.Dense(3).apply({ params: { params: {} } }, xe), 'params_params');
  });

  it('names in use, compact call on an unbound module', () => {
    class TwoNames extends linen.Module {
      call(xx: Value) {
        new linen.Dense(3, { name: 'a' }).call(xx);
        return new linen.Dense(3, { name: 'a' }).call(xx);
      }
    }
    class TwoParams extends linen.Module {
      call(_xx: Value) {
        this.param('w', linen.initializers.zeros, [2]);
        return this.param('w', linen.initializers.zeros, [2]);
      }
    }
    expectFlaxError(() => new TwoNames().init(random.key(0), xe), 'name_in_use_submodule');
    expectFlaxError(() => new TwoParams().init(random.key(0), xe), 'name_in_use_param');
    expectFlaxError(() => new linen.Dense(3).call(xe), 'compact_unbound');
  });

  it('a key that is not one key', () => {
    expect(() => new linen.Dense(3).init(random.split(random.key(0)), xe)).toThrow(
      'RNGs should be of shape (2,) or PRNGKey in Module Dense',
    );
    expect(() => new linen.Dense(3).init({ params: jnp.ones([3]) }, xe)).toThrow(
      'First argument passed to an init function should be a ``jax.PRNGKey``',
    );
  });
});
