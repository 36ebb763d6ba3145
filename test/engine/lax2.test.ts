/**
 * @file The later jax.lax functions (src/engine/lax/convenience.ts, stacking.ts, composed.ts and the
 * primitives stack, unstack, tile, cumlogsumexp, reduce_xor, optimization_barrier, empty) against
 * JAX 0.10.2 (fixtures/lax2.json from fixtures/make_lax2.py): values eagerly and under jit, grads,
 * vmaps, jaxprs where tjax binds what JAX binds, finite differences for the new derivatives, and
 * JAX's error classes and messages.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { grad, jit, numpy as jnp, lax, makeJaxpr, type Value, vmap } from '../../src/engine/index.js';

const fx = JSON.parse(readFileSync(new URL('../../fixtures/lax2.json', import.meta.url), 'utf8'));
interface Arr {
  shape: number[];
  dtype: string;
  data: (number | string | boolean)[];
}
const NF: Record<string, number> = { nan: Number.NaN, inf: Infinity, '-inf': -Infinity };
const nums = (a: Arr) => a.data.map((v) => (typeof v === 'string' ? NF[v] : Number(v)));
const arr = (a: Arr) => jnp.array(nums(a), { dtype: a.dtype }).reshape(...a.shape);

async function close(v: Value, want: Arr, rtol = 2e-6, atol = 1e-6) {
  expect(v.shape).toEqual(want.shape);
  expect(v.dtype.name).toBe(want.dtype);
  const got = Array.from(await v.data(), Number);
  const w = nums(want);
  for (const [i, g] of got.entries()) {
    if (Number.isNaN(w[i])) expect(g).toBeNaN();
    else if (!Number.isFinite(w[i])) expect(g).toBe(w[i]);
    else
      expect(Math.abs(g - w[i]), `[${i}] ${g} vs ${w[i]}`).toBeLessThanOrEqual(rtol * Math.abs(w[i]) + atol);
  }
}

const f32 = (v: number) => jnp.array(v, { dtype: 'float32' });
const x = arr(fx.x);
const xw = arr(fx.xw);
const xi = arr(fx.xi);
const V = fx.values;
type F = (...a: any[]) => any;

const CASES: Record<string, F> = {
  stack1: (a) => lax.stack([a, a.mul(2)], 1),
  stack_neg: (a) => lax.stack([a, a, a.neg()], -1),
  tile: (a) => lax.tile(a, [2, 3]),
  cumlse_x1: (a) => lax.cumlogsumexp(a, { axis: 1 }),
};

describe('values against JAX', () => {
  for (const [name, f] of Object.entries(CASES)) {
    it(`${name}, eager and jitted`, async () => {
      await close(f(x), V[name]);
      await close(jit(f)(x), V[name]);
    });
  }
  it('cumlogsumexp with infinities and wide ranges, both directions', async () => {
    await close(lax.cumlogsumexp(xw, { axis: 0 }), V.cumlse0);
    await close(lax.cumlogsumexp(xw, { axis: 1 }), V.cumlse1);
    await close(jit((a: Value) => lax.cumlogsumexp(a, { axis: 1, reverse: true }))(xw), V.cumlse1r);
  });
  it('unstack', async () => {
    const parts = lax.unstack(x, 1);
    expect(parts.length).toBe(4);
    for (const [i, p] of parts.entries()) await close(p, V.unstack1[i]);
  });
  it('reduce_xor over ints and bools', async () => {
    await close(lax.reduceXor(xi, [1]), V.reduce_xor1);
    await close(jit((a: Value) => lax.reduceXor(a, [0, 1]))(xi), V.reduce_xor01);
    await close(lax.reduceXor(xi.gt(3), [0]), V.reduce_xor_bool);
  });
  it('reduce: monoids bind reduce_*, other computations reduce pairwise, pytrees too', async () => {
    await close(lax.reduce(x, 0, lax.add, [0]), V.reduce_add);
    await close(lax.reduce(x, Number.NEGATIVE_INFINITY, lax.max, [1]), V.reduce_max);
    const f = (a: Value, b: Value) => jnp.logaddexp(a, b);
    const ninf = f32(Number.NEGATIVE_INFINITY);
    await close(lax.reduce(x, ninf, f, [1]), V.reduce_generic);
    await close(jit((a: Value) => lax.reduce(a, ninf, f, [1]))(x), V.reduce_generic);
    const [m, s] = lax.reduce(
      [x, xi],
      [f32(Number.NEGATIVE_INFINITY), jnp.array(0, { dtype: 'int32' })],
      ([a0, a1]: Value[], [b0, b1]: Value[]) => [lax.max(a0, b0), lax.add(a1, b1)],
      [0],
    ) as Value[];
    await close(m, V.reduce_pair[0]);
    await close(s, V.reduce_pair[1]);
  });
  it('shape helpers', async () => {
    await close(lax.broadcastLike(jnp.array([1, 2, 3]), jnp.zeros([2, 3])), V.broadcast_like);
    expect(lax.broadcastShapes([3, 1], [1, 4], [5, 1, 1])).toEqual(V.broadcast_shapes);
    expect(lax.broadcastToRank(jnp.array([1, 2], { dtype: 'float32' }), 3).shape).toEqual(
      V.broadcast_to_rank,
    );
    expect(lax.collapse(jnp.ones([2, 3, 4, 5]), 1, 3).shape).toEqual(V.collapse);
    expect(lax.collapse(jnp.ones([2, 3, 4, 5]), -3).shape).toEqual(V.collapse_neg);
    expect(lax.empty([2, 3], 'int32').shape).toEqual(V.empty.shape);
    expect(lax.empty([2, 3], 'int32').dtype.name).toBe(V.empty.dtype);
    expect(lax.dtype(x).name).toBe('float32');
    expect(lax.dtype('int8').name).toBe('int8');
  });
  it('index_take wraps indices as Python % does', async () => {
    await close(lax.indexTake(x, [jnp.array([0, 2, -1]), jnp.array([1, 5, 3])], [0, 1]), V.index_take);
  });
  it('approx_max_k / approx_min_k as on CPU (exact)', async () => {
    const [v, i] = lax.approxMaxK(x, 2);
    await close(v, V.approx_max_k[0]);
    await close(i, V.approx_max_k[1]);
    const [v2, i2] = lax.approxMinK(x, 2, { reductionDimension: 0 });
    await close(v2, V.approx_min_k[0]);
    await close(i2, V.approx_min_k[1]);
  });
  it('platform_dependent picks the cpu branch, else the default', async () => {
    const two = (a: Value) => a.mul(2);
    await close(
      lax.platformDependent(x, { cpu: two, default: (a: Value) => a }) as Value,
      V.platform_dependent,
    );
    await close(
      lax.platformDependent(x, { tpu: (a: Value) => a, default: two }) as Value,
      V.platform_dependent,
    );
    expect(() => lax.platformDependent(x, { tpu: two })).toThrow(
      "MLIR translation rule for primitive 'platform_index(platforms=(('tpu',),))' not found for platform cpu",
    );
  });
});

describe('mulhi', () => {
  const mi = arr(fx.mi);
  const mj = arr(fx.mj);
  it('the high halves of int32, uint32, int16 and uint8 products, eager and jitted', async () => {
    await close(lax.mulhi(mi, mj), V.mulhi_i32, 0, 0);
    await close(jit(lax.mulhi)(mi, mj), V.mulhi_i32, 0, 0);
    await close(lax.mulhi(mi.astype('uint32'), mj.astype('uint32')), V.mulhi_u32, 0, 0);
    await close(lax.mulhi(mi.astype('int16'), mj.astype('int16')), V.mulhi_i16, 0, 0);
    await close(lax.mulhi(mi.astype('uint8'), mj.astype('uint8')), V.mulhi_u8, 0, 0);
  });
  it('vmaps, has a zero derivative rule, prints and exports as JAX', async () => {
    const v = vmap((a: Value) => lax.mulhi(a, mj))(mi.reshape(10, 1)) as Value;
    expect(Array.from(await v.reshape(100).data(), Number).slice(0, 10)).toEqual(
      Array.from(await lax.mulhi(jnp.broadcastTo(mi.index(0), [10]), mj).data(), Number),
    );
    const f_mulhi = (a: Value, b: Value) => lax.mulhi(a, b);
    const z = jnp.zeros([3], { dtype: 'int32' });
    expect(String(makeJaxpr(f_mulhi)(z, z))).toBe(fx.jaxprs.mulhi);
    expect(jit(f_mulhi).lower(z, z).asText({ dialect: 'stablehlo' })).toBe(fx.export_mulhi);
  });
});

describe('ragged_dot', () => {
  it('groups of rows against their own matrices, rows past the groups zero, and its gradients', async () => {
    const [l, r, g] = [arr(fx.rl), arr(fx.rr), arr(fx.rg)];
    await close(lax.raggedDot(l, r, g), V.ragged_dot, 1e-5, 1e-6);
    await close(
      jit(lax.raggedDot)(l, r, jnp.array([1, 2, 1], { dtype: 'int32' })),
      V.ragged_dot_short,
      1e-5,
      1e-6,
    );
    const f = (a: Value, b: Value) => {
      const o = lax.raggedDot(a, b, g);
      return o.mul(o).sum();
    };
    const [ga, gb] = grad(f, { argnums: [0, 1] })(l, r) as Value[];
    await close(ga, fx.grads.ragged_dot[0], 1e-5, 1e-5);
    await close(gb, fx.grads.ragged_dot[1], 1e-5, 1e-5);
  });
});

describe('conv_general_dilated_patches and conv_general_dilated_local', () => {
  const img = arr(fx.img);
  const wLocal = arr(fx.w_local);
  const local = (a: Value) => lax.convGeneralDilatedLocal(a, wLocal, [1, 2], 'SAME', [2, 3]);
  it('patches, default and NHWC layouts with dilation and explicit padding', async () => {
    await close(lax.convGeneralDilatedPatches(img, [2, 3], [1, 2], 'SAME'), V.patches);
    const nhwc = jnp.transpose(img, [0, 2, 3, 1]);
    const p = lax.convGeneralDilatedPatches(
      nhwc,
      [3, 2],
      [2, 1],
      [
        [1, 0],
        [0, 1],
      ],
      { rhsDilation: [1, 2], dimensionNumbers: ['NHWC', 'OIHW', 'NHWC'] },
    );
    await close(p, V.patches_nhwc);
  });
  it('the unshared convolution, eager, jitted and its gradient', async () => {
    await close(local(img), V.local, 1e-5, 1e-5);
    await close(jit(local)(img), V.local, 1e-5, 1e-5);
    await close(grad((a: Value) => local(a).mul(local(a)).sum())(img), fx.grads.local, 1e-4, 1e-4);
  });
  it("patches' jaxpr is JAX's", () => {
    const f = (a: Value) => lax.convGeneralDilatedPatches(a, [2, 2], [1, 1], 'VALID');
    expect(String(makeJaxpr(f)(img))).toBe(fx.jaxprs.patches);
  });
});

describe('transformations', () => {
  const G = fx.grads;
  it('grads against JAX', async () => {
    await close(
      grad((a: Value) =>
        lax
          .tile(a, [2, 3])
          .mul(lax.tile(a, [2, 3]))
          .sum(),
      )(x),
      G.tile,
    );
    await close(
      grad((a: Value) =>
        lax
          .stack([a, a.mul(3)], 2)
          .mul(lax.stack([a, a.mul(3)], 2))
          .sum(),
      )(x),
      G.stack,
    );
    await close(
      grad((a: Value) => lax.unstack(a, 0)[1].mul(lax.unstack(a, 0)[1]).mul(lax.unstack(a, 0)[1]).sum())(x),
      G.unstack,
    );
    const w = jnp.arange(4, { dtype: 'float32' });
    await close(grad((a: Value) => lax.cumlogsumexp(a, { axis: 1 }).mul(w).sum())(x), G.cumlse1, 1e-5);
    await close(
      grad((a: Value) => lax.cumlogsumexp(a, { axis: 0, reverse: true }).sum())(x),
      G.cumlse0r,
      1e-5,
    );
    await close(grad((a: Value) => (lax.optimizationBarrier(a.mul(a)) as Value).sum())(x), G.barrier);
    const red = (a: Value) => lax.reduce(a, f32(Number.NEGATIVE_INFINITY), lax.max, [1]).sum();
    await close(grad(red)(x), G.reduce_generic);
  });
  it("cumlogsumexp's derivative matches central differences", async () => {
    const f = (a: Value) =>
      lax
        .cumlogsumexp(a, { axis: 1 })
        .mul(jnp.array([1, -2, 0.5, 3]))
        .sum();
    const g = Array.from(await grad(f)(x).data(), Number);
    const base = Array.from(await x.data(), Number);
    const h = 1e-2;
    for (const i of [0, 5, 11]) {
      const at = async (d: number) => {
        const b = [...base];
        b[i] += d;
        return (await f(jnp.array(b, { dtype: 'float32' }).reshape(3, 4)).data())[0] as number;
      };
      expect(Math.abs(((await at(h)) - (await at(-h))) / (2 * h) - g[i])).toBeLessThan(2e-3);
    }
  });
  it('vmaps against JAX', async () => {
    const B = fx.vmap;
    const row = lax.unstack(x, 0)[0];
    await close(
      vmap((a: Value, b: Value) => lax.stack([a, b], 0), { inAxes: [0, null] })(x, row) as Value,
      B.stack,
    );
    await close(vmap((a: Value) => lax.unstack(a, 0)[2], { inAxes: 1 })(x) as Value, B.unstack);
    await close(vmap((a: Value) => lax.tile(a, [2]), { inAxes: 1 })(x) as Value, B.tile);
    await close(vmap((a: Value) => lax.cumlogsumexp(a), { inAxes: 1 })(xw) as Value, B.cumlse);
    await close(vmap((a: Value) => lax.reduceXor(a, [0]), { inAxes: 1 })(xi) as Value, B.reduce_xor);
  });
  it('jaxprs print as JAX prints them', () => {
    const J = fx.jaxprs;
    expect(String(makeJaxpr((a: Value) => lax.tile(lax.stack([a, a], 0), [1, 2, 1]))(x))).toBe(J.stack_tile);
    expect(String(makeJaxpr((a: Value) => lax.unstack(a, 1))(x))).toBe(J.unstack);
    expect(String(makeJaxpr((a: Value) => lax.cumlogsumexp(a, { axis: 1, reverse: true }))(x))).toBe(
      J.cumlse,
    );
    expect(String(makeJaxpr((a: Value) => lax.reduceXor(a, [0, 1]))(xi))).toBe(J.reduce_xor);
    expect(String(makeJaxpr((a: Value) => lax.optimizationBarrier([a, a.add(1)]))(x))).toBe(J.barrier);
    expect(String(makeJaxpr((a: Value) => lax.reduce(a, f32(0), lax.add, [0]))(x))).toBe(J.reduce_add);
    expect(String(makeJaxpr((a: Value) => lax.collapse(a, 0))(x))).toBe(J.collapse);
    expect(String(makeJaxpr((a: Value) => lax.broadcastToRank(a, 4))(x))).toBe(J.broadcast_to_rank);
  });
});

describe('StableHLO export', () => {
  const FNS: Record<string, (a: Value) => unknown> = {
    f_stack: (a) => lax.stack([a, a], 1),
    f_unstack: (a) => lax.unstack(a, 0),
    f_tile: (a) => lax.tile(a, [2, 1]),
  };
  for (const [name, f] of Object.entries(FNS)) {
    it(`${name} prints as JAX's`, () => {
      const text = jit(f)
        .lower(jnp.zeros([3, 4], { dtype: 'float32' }))
        .asText({ dialect: 'stablehlo' });
      expect(text).toBe(fx.export[name]);
    });
  }
  it('the composed primitives export and run through the same compositions', () => {
    const text = jit((a: Value) => [lax.cumlogsumexp(a), lax.optimizationBarrier(a), lax.empty([2], 'int32')])
      .lower(jnp.zeros([3, 4], { dtype: 'float32' }))
      .asText({ dialect: 'stablehlo' });
    expect(text).toContain('stablehlo.log_plus_one');
    expect(
      jit((a: Value) => lax.reduceXor(a, [0]))
        .lower(xi)
        .asText({ dialect: 'stablehlo' }),
    ).toContain('stablehlo.xor');
  });
});

describe("JAX's errors", () => {
  const E = fx.errors as Record<string, [string, string]>;
  const CALLS: Record<string, () => unknown> = {
    stack_shapes: () => lax.stack([jnp.ones([2]), jnp.ones([3])]),
    stack_ndim: () => lax.stack([jnp.ones([2]), jnp.ones([2, 1])]),
    unstack_scalar: () => lax.unstack(f32(1)),
    tile_reps: () => lax.tile(jnp.ones([2, 2]), [2]),
    cumlse_axis: () => lax.cumlogsumexp(jnp.ones([3]), { axis: 1 }),
    broadcast_shapes: () => lax.broadcastShapes([3, 1], [4, 1]),
    collapse: () => lax.collapse(jnp.ones([2, 3]), 2, 1),
    approx_k: () => lax.approxMaxK(jnp.ones([3]), 0),
    approx_big: () => lax.approxMaxK(jnp.ones([3]), 4),
    approx_int: () => lax.approxMaxK(jnp.ones([3], { dtype: 'int32' }), 2),
    platform_gpu: () => lax.platformDependent(1.0, { gpu: (a: Value) => a }),
    reduce_xor_float: () => lax.reduceXor(jnp.ones([2]), [0]),
  };
  for (const [name, call] of Object.entries(CALLS)) {
    it(name, () => {
      const [cls, msg] = E[name];
      let e: unknown;
      try {
        call();
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).toBe(msg);
      expect(cls === 'TypeError' ? e instanceof TypeError : !(e instanceof TypeError)).toBe(true);
    });
  }
});
