/**
 * @file Windowed reductions and pooling (primitives/windowed.ts, transforms/rules/windowed.ts,
 * compile/window.ts, lax/windowed.ts, linen/pooling.ts) against JAX 0.10.2 and flax 0.12.8:
 * lax.reduce_window over 1-D..4-D shapes, strides, every padding form and both dilations, in
 * float32, float16, ints and bools, eagerly and under jit, choosing the primitive JAX chooses;
 * select_and_scatter_add / select_and_gather_add directly (ties, NaN, infinities); gradients of
 * max/avg/min pooling (vjp and jvp) and of dilated windows; vmap; flax's pooling outputs; printed
 * jaxprs (plain, grad, vmap, jvp, hessian); error classes and texts. Gradients are also checked
 * against finite differences (checkGrads).
 *
 * Expected values: fixtures/windowed.json, written by fixtures/make_windowed.py.
 */
import { describe, expect, it } from 'vitest';
import { bind1 } from '../../src/engine/core/trace.js';
import type { Value } from '../../src/engine/index.js';
import {
  grad,
  hessian,
  jacfwd,
  jacrev,
  jit,
  numpy as jnp,
  jvp,
  lax,
  linen,
  makeJaxpr,
  vmap,
} from '../../src/engine/index.js';
import { ge, le } from '../../src/engine/primitives/elementwise.js';
import * as W from '../../src/engine/primitives/windowed.js';
import { checkGrads } from '../../src/engine/test-util.js';
import {
  build,
  COMPUTATIONS,
  callPool,
  expectMatches,
  FX,
  type GradCase,
  initOf,
  runWindow,
  type SelectCase,
  type WindowCase,
} from './windowed-fixture.js';

/** Exact where JAX's result is exact; float32 sums round in another order (see windowed-fixture.ts). */
function tolerance(c: WindowCase): number {
  const dt = c.x[0].dtype;
  if (dt === 'float16') return c.computation === 'max' || c.computation === 'min' ? 0 : 2e-3;
  if (dt !== 'float32') return 0;
  return ['max', 'min', 'horner', 'mul', 'sub', 'pair_argmax'].includes(c.computation) ? 0 : 3e-6;
}

describe('lax.reduceWindow against JAX', () => {
  for (const c of FX.windows as WindowCase[]) {
    it(c.name, async () => {
      const xs = c.x.map(build);
      const inits = c.init.map(initOf);
      const eager = runWindow(c, xs, inits);
      const tol = tolerance(c);
      for (const [i, o] of eager.entries()) await expectMatches(o, c.out[i], `${c.name} eager ${i}`, tol);
      const jf = jit((...a: Value[]) => runWindow(c, a, inits));
      for (const [i, o] of jf(...xs).entries()) await expectMatches(o, c.out[i], `${c.name} jit ${i}`, tol);
      const eqns = makeJaxpr((...a: Value[]) => runWindow(c, a, inits))(...xs).jaxpr.eqns;
      expect(eqns[eqns.length - 1].primitive.name).toBe(c.primitive);
    });
  }
});

describe('select_and_scatter_add / select_and_gather_add against JAX', () => {
  for (const c of FX.selects as SelectCase[]) {
    it(c.name, async () => {
      const prim = c.prim === 'select_and_scatter_add' ? W.select_and_scatter_add : W.select_and_gather_add;
      const params = { select_prim: c.select_prim === 'ge' ? ge : le, ...c.params };
      const out = bind1(prim, [build(c.a), build(c.x)], params);
      await expectMatches(out, c.out, c.name);
      const jf = jit((a: Value, x: Value) => bind1(prim, [a, x], params));
      await expectMatches(jf(build(c.a), build(c.x)), c.out, `${c.name} jit`);
    });
  }
});

describe('gradients of pooling against JAX', () => {
  for (const c of FX.grads as GradCase[]) {
    it(c.name, async () => {
      const x = build(c.x);
      const w = build(c.w);
      const f = (v: Value) => callPool(c.fn, v, c.kw);
      const g = grad((v: Value) => jnp.sum(jnp.multiply(f(v), w)))(x);
      await expectMatches(g, c.grad, `${c.name} grad`, 2e-6);
      const [, t] = jvp(f, [x], [build(c.t)]) as Value[];
      await expectMatches(t, c.jvp, `${c.name} jvp`, 2e-6);
      const gj = jit(grad((v: Value) => jnp.sum(jnp.multiply(f(v), w))))(x);
      await expectMatches(gj, c.grad, `${c.name} jit(grad)`, 2e-6);
    });
  }
});

describe('vmap against JAX', () => {
  for (const c of FX.vmaps) {
    it(c.name, async () => {
      const x = build(c.x);
      const w = build(c.w);
      const f = (v: Value) => callPool(c.fn, v, c.kw);
      await expectMatches(vmap(f)(x), c.out, `${c.name} vmap`, 2e-6);
      await expectMatches(jit(vmap(f))(x), c.out, `${c.name} jit(vmap)`, 2e-6);
      if (c.grad) {
        const g = vmap(grad((v: Value) => jnp.sum(jnp.multiply(f(v), w))))(x);
        await expectMatches(g, c.grad, `${c.name} vmap(grad)`, 2e-6);
      }
    });
  }
});

describe('flax.linen pooling against flax', () => {
  for (const c of FX.flax) {
    it(c.name, async () => {
      const tol = c.fn === 'avg_pool' ? 2e-6 : 0;
      await expectMatches(callPool(c.fn, build(c.x), c.kw), c.out, c.name, tol);
    });
  }

  it('takes strides and padding positionally, as Python calls do', async () => {
    const x = jnp.arange(32, null, null, { dtype: 'float32' }).reshape([1, 4, 4, 2]);
    const a = linen.maxPool(x, [2, 2], [2, 2], 'SAME');
    const b = linen.maxPool(x, [2, 2], { strides: [2, 2], padding: 'SAME' });
    expect(await a.tolist()).toEqual(await b.tolist());
    const c = linen.avgPool(x, [3, 3], [1, 1], 'SAME', false);
    const d = linen.avgPool(x, [3, 3], { strides: [1, 1], padding: 'SAME', countIncludePad: false });
    expect(await c.tolist()).toEqual(await d.tolist());
  });

  it('pool with another reducer goes through the general reduce_window', async () => {
    const x = jnp.array([[[1], [2], [3], [4]]], { dtype: 'float32' });
    const y = linen.pool(x, 1, lax.mul, [2], [1], 'VALID');
    expect(await y.tolist()).toEqual([[[2], [6], [12]]]);
    const eqns = makeJaxpr((v: Value) => linen.pool(v, 1, lax.mul, [2], null, 'VALID'))(x).jaxpr.eqns;
    expect(eqns.map((e) => e.primitive.name)).toContain('reduce_window');
  });
});

// ---- jaxprs --------------------------------------------------------------------------------------

const z = (...shape: number[]) => jnp.zeros(shape, { dtype: 'float32' });
const mp = (x: Value) => lax.reduceWindow(x, -Infinity, lax.max, [2, 2], [2, 2], 'VALID');
const sp = (x: Value) => lax.reduceWindow(x, 0, lax.add, [2, 2], [1, 1], 'SAME');
const mn = (x: Value) =>
  lax.reduceWindow(
    x,
    Infinity,
    lax.min,
    [3, 2],
    [1, 2],
    [
      [1, 1],
      [0, 1],
    ],
    [1, 2],
  );
const gm = (x: Value) => lax.reduceWindow(x, 1.5 - 0.5, lax.mul, [2, 2], [1, 1], 'SAME');
const sd = (x: Value) =>
  lax.reduceWindow(
    x,
    0,
    lax.add,
    [2, 3],
    [2, 1],
    [
      [1, 2],
      [0, 1],
    ],
    [2, 1],
    [1, 2],
  );
const mb = (x: Value) =>
  lax.reduceWindow(
    x,
    -Infinity,
    lax.max,
    [3, 2],
    [1, 2],
    [
      [1, 1],
      [0, 1],
    ],
    [2, 1],
  );
const variadic = (x: Value) =>
  lax.reduceWindow([x, x], [-Infinity, 0], COMPUTATIONS.pair_max_add, [2, 2], [1, 1], 'SAME');
const sum = (f: (x: Value) => Value) => (x: Value) => jnp.sum(f(x));

const JAXPRS: Record<string, [(...a: any[]) => unknown, () => Value[]]> = {
  max: [mp, () => [z(4, 4)]],
  grad_max: [grad(sum(mp)), () => [z(4, 4)]],
  vmap_max: [vmap(mp), () => [z(3, 4, 4)]],
  jvp_max: [(x, t) => jvp(mp, [x], [t]), () => [z(4, 4), z(4, 4)]],
  vmap_grad_max: [vmap(grad(sum(mp))), () => [z(3, 4, 4)]],
  sum_same: [sp, () => [z(4, 4)]],
  grad_sum_same: [grad(sum(sp)), () => [z(4, 4)]],
  grad_sum_dilated: [grad(sum(sd)), () => [z(6, 5)]],
  vmap_sum_axis1: [vmap(sp, { inAxes: 1 }), () => [z(3, 4, 4)]],
  min_dilated: [mn, () => [z(4, 4)]],
  grad_min_dilated: [grad(sum(mn)), () => [z(4, 4)]],
  grad_max_base_dilated: [grad(sum(mb)), () => [z(4, 4)]],
  general_mul: [gm, () => [z(4, 4)]],
  jvp_general_mul: [(x, t) => jvp(gm, [x], [t]), () => [z(4, 4), z(4, 4)]],
  vmap_general_mul: [vmap(gm), () => [z(3, 4, 4)]],
  variadic: [variadic, () => [z(4, 4)]],
  hessian_max: [
    hessian(sum((x) => lax.reduceWindow(x, -Infinity, lax.max, [2], [1], 'VALID'))),
    () => [z(4)],
  ],
  jacfwd_max: [jacfwd((x: Value) => lax.reduceWindow(x, -Infinity, lax.max, [2], [1], 'SAME')), () => [z(3)]],
  vmap_jvp_max_tangent_only: [
    (x, t) => vmap((u: Value) => (jvp(mp, [x], [u]) as Value[])[1])(t),
    () => [z(4, 4), z(3, 4, 4)],
  ],
  flax_max_pool: [(x) => linen.maxPool(x, [2, 2], { strides: [2, 2] }), () => [z(1, 4, 4, 2)]],
  flax_avg_pool_nobatch: [(x) => linen.avgPool(x, [2, 2], { strides: [2, 2] }), () => [z(4, 4, 2)]],
  flax_avg_pool_exclude: [
    (x) => linen.avgPool(x, [3, 3], { padding: 'SAME', countIncludePad: false }),
    () => [z(1, 4, 4, 2)],
  ],
  flax_min_pool_grad: [
    grad(sum((x) => linen.minPool(x, [2, 2], { padding: 'SAME' }))),
    () => [z(1, 4, 4, 2)],
  ],
};

describe('jaxprs print as JAX prints them', () => {
  for (const { name, text } of FX.jaxprs as { name: string; text: string }[]) {
    it(name, () => {
      const [f, args] = JAXPRS[name];
      expect(String(makeJaxpr(f)(...args()))).toBe(text);
    });
  }
});

// ---- errors --------------------------------------------------------------------------------------

const xe = () => jnp.ones([4, 4], { dtype: 'float32' });
const ERRORS: Record<string, () => unknown> = {
  wrong_rank: () => lax.reduceWindow(xe(), 0, lax.add, [2], [1]),
  zero_window: () => lax.reduceWindow(xe(), 0, lax.add, [2, 0], [1, 1]),
  zero_stride: () => lax.reduceWindow(xe(), -Infinity, lax.max, [2, 2], [1, 0]),
  strides_length: () => lax.reduceWindow(xe(), 0, lax.add, [2, 2], [1]),
  base_dilation_length: () => lax.reduceWindow(xe(), 0, lax.add, [2, 2], [1, 1], 'VALID', [1]),
  window_dilation_length: () => lax.reduceWindow(xe(), 0, lax.add, [2, 2], [1, 1], 'VALID', null, [1, 1, 1]),
  padding_short: () => lax.reduceWindow(xe(), 0, lax.add, [2, 2], [1, 1], [[0, 0]]),
  padding_long: () =>
    lax.reduceWindow(
      xe(),
      -Infinity,
      lax.max,
      [2, 2],
      [1, 1],
      [
        [0, 0],
        [0, 0],
        [1, 1],
      ],
    ),
  window_dilation_short: () => lax.reduceWindow(xe(), 0, lax.add, [2, 2], [1, 1], 'SAME', null, [2]),
  zero_base_dilation: () => lax.reduceWindow(xe(), 0, lax.add, [2, 2], [1, 1], 'VALID', [0, 1]),
  negative_window_dilation: () => lax.reduceWindow(xe(), 0, lax.add, [2, 2], [1, 1], 'VALID', null, [-1, 1]),
  bad_padding_name: () => lax.reduceWindow(xe(), 0, lax.add, [2, 2], [1, 1], 'FULL'),
  same_without_strides: () => lax.reduceWindow(xe(), 0, lax.add, [2, 2], null, 'SAME'),
  general_dtype_mismatch: () => lax.reduceWindow(xe(), jnp.array(1, { dtype: 'int32' }), lax.mul, [2, 2]),
  general_int_operand_float_init: () =>
    lax.reduceWindow(jnp.ones([4], { dtype: 'int32' }), jnp.array(1, { dtype: 'float32' }), lax.mul, [2]),
  general_nonscalar_init: () => lax.reduceWindow(xe(), jnp.ones([2], { dtype: 'float32' }), lax.mul, [2, 2]),
  tree_mismatch: () => lax.reduceWindow([xe(), xe()], 0, lax.add, [2, 2]),
  no_operands: () => lax.reduceWindow([], [], lax.add, []),
  sum_bool: () => lax.reduceWindow(jnp.ones([4], { dtype: 'bool' }), false, lax.add, [2]),
  grad_general: () => grad(sum(gm))(xe()),
  grad_window_dilated_max: () =>
    grad(sum((x) => lax.reduceWindow(x, -Infinity, lax.max, [2, 2], [1, 1], 'SAME', null, [1, 2])))(xe()),
  vmap_general_init: () =>
    vmap((x: Value, i: Value) => lax.reduceWindow(x, i, lax.mul, [2, 2]))(
      jnp.ones([3, 4, 4], { dtype: 'float32' }),
      jnp.ones([3], { dtype: 'float32' }),
    ),
  flax_max_pool_no_features: () => linen.maxPool(xe(), [2, 2], { strides: [2, 2] }),
  flax_pool_strides_length: () => linen.avgPool(z(1, 4, 4, 2), [2, 2], { strides: [2] }),
  flax_pool_padding_length: () => linen.maxPool(z(1, 4, 4, 2), [2, 2], { padding: [[1, 1]] }),
  gather_shapes: () =>
    bind1(W.select_and_gather_add, [z(3), z(4)], {
      select_prim: ge,
      window_dimensions: [2],
      window_strides: [1],
      padding: [[0, 0]],
      base_dilation: [1],
      window_dilation: [1],
    }),
};

describe('errors are JAX’s', () => {
  for (const { name, type, message } of FX.errors as { name: string; type: string; message: string }[]) {
    it(name, () => {
      let err: Error | null = null;
      try {
        ERRORS[name]();
      } catch (e) {
        err = e as Error;
      }
      expect(err, `${name} did not throw`).not.toBeNull();
      expect(err!.message.split('\n')[0]).toBe(message);
      expect(err!.name).toBe(type);
    });
  }
});

// ---- finite differences and higher order ----------------------------------------------------------

describe('gradients against finite differences', () => {
  // Points without ties (the max/min is unique in every window), away from kinks.
  const x4 = () =>
    jnp.array(
      [
        [0.3, -1.2, 0.8, 1.7, -0.4],
        [1.1, 0.45, -0.6, 0.05, 2.2],
        [-0.9, 1.35, 0.15, -1.6, 0.7],
        [0.55, -0.25, 1.9, 0.95, -1.05],
      ],
      { dtype: 'float32' },
    );
  const cases: [string, (x: Value) => Value][] = [
    ['max, strided SAME', (x) => lax.reduceWindow(x, -Infinity, lax.max, [2, 3], [2, 1], 'SAME')],
    [
      'min, dilated',
      (x) =>
        lax.reduceWindow(
          x,
          Infinity,
          lax.min,
          [2, 2],
          [1, 1],
          [
            [1, 0],
            [0, 1],
          ],
          [1, 2],
        ),
    ],
    ['sum, both dilations', (x) => lax.reduceWindow(x, 0, lax.add, [2, 2], [1, 2], 'SAME', [2, 1], [1, 2])],
    ['general mul', (x) => lax.reduceWindow(x, 1.5 - 0.5, lax.mul, [2, 2], [1, 1], 'SAME')],
    ['flax max_pool', (x) => linen.maxPool(x.reshape([1, 4, 5, 1]), [2, 2], { padding: 'SAME' })],
    [
      'flax avg_pool, countIncludePad false',
      (x) => linen.avgPool(x.reshape([4, 5, 1]), [3, 3], { padding: 'SAME', countIncludePad: false }),
    ],
    ['flax min_pool', (x) => linen.minPool(x.reshape([4, 5, 1]), [2, 3], { strides: [2, 1] })],
  ];
  for (const [name, f] of cases) {
    const modes: ('fwd' | 'rev')[] = name === 'general mul' ? ['fwd'] : ['fwd', 'rev'];
    it(name, async () => {
      await checkGrads(f, [x4()], { order: 2, modes, atol: 2e-2, rtol: 2e-2 });
    });
  }

  it('jacfwd and jacrev agree, and the hessian of max pooling is zero', async () => {
    const f = (x: Value) => lax.reduceWindow(x, -Infinity, lax.max, [3], [1], 'SAME');
    const x = jnp.array([0.3, -1.2, 0.8, 1.7, -0.4], { dtype: 'float32' });
    expect(await jacfwd(f)(x).tolist()).toEqual(await jacrev(f)(x).tolist());
    expect(await jacfwd(f)(x).tolist()).toEqual([
      [1, 0, 0, 0, 0],
      [0, 0, 1, 0, 0],
      [0, 0, 0, 1, 0],
      [0, 0, 0, 1, 0],
      [0, 0, 0, 1, 0],
    ]);
    const h = hessian((v: Value) => jnp.sum(f(v)))(x);
    expect((await h.tolist()).flat()).toEqual(new Array(25).fill(0));
  });

  it('ties go to the first maximum in both modes', async () => {
    const f = (x: Value) => lax.reduceWindow(x, -Infinity, lax.max, [2, 2], [1, 1], 'VALID');
    const x = jnp.array(
      [
        [1, 3, 3],
        [3, 2, 1],
      ],
      { dtype: 'float32' },
    );
    expect(await grad((v: Value) => jnp.sum(f(v)))(x).tolist()).toEqual([
      [0, 2, 0],
      [0, 0, 0],
    ]);
    expect(await jacfwd(f)(x).tolist()).toEqual(await jacrev(f)(x).tolist());
    // With padding too: tjax's jvp and vjp both take the first tie in row-major order (JAX's
    // jvp follows XLA's CPU order there, which reorders padded window dimensions).
    const g = (v: Value) => lax.reduceWindow(v, -Infinity, lax.max, [2, 2], [1, 1], 'SAME');
    expect(await jacfwd(g)(x).tolist()).toEqual(await jacrev(g)(x).tolist());
  });
});

describe('the general form’s computation', () => {
  const x = () => jnp.array([1, 2, 3, 4], { dtype: 'float32' });

  it('cannot close over a tracer (JAX’s NotImplementedError)', () => {
    const f = (c: Value) =>
      jnp.sum(lax.reduceWindow(x(), 0.5 - 0.5, (a: Value, b: Value) => lax.add(a, lax.mul(b, c)), [2]));
    expect(() => grad(f)(jnp.array(2, { dtype: 'float32' }))).toThrow(
      "Reduction computations can't close over Tracers.",
    );
  });

  it('closes over scalars as literals, and refuses arrays (JAX: consts must be hashable)', async () => {
    const c = jnp.array(2, { dtype: 'float32' });
    const y = lax.reduceWindow(x(), 0.5 - 0.5, (a: Value, b: Value) => lax.add(a, lax.mul(b, c)), [2]);
    expect(await y.tolist()).toEqual([6, 10, 14]);
    const v = jnp.array([2], { dtype: 'float32' });
    expect(() =>
      lax.reduceWindow(x(), 0.5 - 0.5, (a: Value, b: Value) => lax.add(a, lax.mul(b, v.reshape([]))), [2]),
    ).toThrow('the value of parameter consts was not hashable');
  });

  it('takes pytrees of operands and init values', async () => {
    const out = lax.reduceWindow(
      { s: x(), m: x() },
      { s: 0.5 - 0.5, m: -Infinity },
      (a: any, b: any) => ({ s: lax.add(a.s, b.s), m: lax.max(a.m, b.m) }),
      [3],
      [1],
      'SAME',
    );
    expect(await out.s.tolist()).toEqual([3, 6, 9, 7]);
    expect(await out.m.tolist()).toEqual([2, 3, 4, 4]);
  });
});

describe('kernels', () => {
  it('a small window is one kernel with its producer and consumer fused', () => {
    const x = jnp.ones([8, 8], { dtype: 'float32' });
    const f = jit((v: Value) => lax.reduceWindow(jnp.sin(v), 0, lax.add, [3, 3], [1, 1], 'SAME').mul(2));
    expect(f.lower(x).compile().kernelCount).toBe(1);
  });

  it('a large window is one reduce kernel', async () => {
    const x = jnp.ones([64], { dtype: 'float32' });
    const f = jit((v: Value) => lax.reduceWindow(v, 0, lax.add, [40], [8], 'SAME'));
    expect(f.lower(x).compile().kernelCount).toBe(1);
    // jax.lax.reduce_window(jnp.ones(64), 0., lax.add, (40,), (8,), "SAME")
    expect(await f(x).tolist()).toEqual([24, 32, 40, 40, 40, 40, 32, 24]);
  });

  it('a long general fold is cut into kernels that hand the accumulator on', async () => {
    const x = jnp.ones([100], { dtype: 'float32' });
    const f = jit((v: Value) => lax.reduceWindow(v, 0.5 + 0.5, lax.mul, [100], [1], 'VALID'));
    expect(f.lower(x).compile().kernelCount).toBeGreaterThan(1);
    expect(await f(x).tolist()).toEqual([1]);
  });
});
