/**
 * @file Complex arithmetic through the engine: every jnp elementwise function on complex64 data,
 * eagerly and under jit (one fused kernel, legalized into float pairs by compile/complex.ts),
 * the inverse trigonometric and hyperbolic functions on the unit square, binary ops, mixed
 * real/complex promotion, casts (complex -> real keeps the real part, with JAX's ComplexWarning),
 * reductions (sum, prod and max/min as trees, mean, var, cumsum), sort, vdot and complex products
 * on both the reduce and the GEMM path.
 *
 * Expected values: fixtures/complex/ops.json, made by fixtures/make_complex.py with jax.numpy on
 * JAX 0.10.2 (complex64; inputs from numpy.random.default_rng(0)).
 */
import { describe, expect, it, vi } from 'vitest';
import { complex, jit, numpy as jnp, lax, type Value } from '../../../src/engine/index.js';
import { complexArray, expectClose, fixture } from './helpers.js';

const f = fixture('ops.json');
const Z = complexArray(f.z);
const W = complexArray(f.w);
const S = complexArray(f.small);
const fn = (name: string) => (jnp as any)[name] as (...xs: unknown[]) => Value;

// float32 results of composite formulas: a few ulps, relative; near-zero parts need an atol.
const TOL = { rtol: 2e-5, atol: 2e-6 };

describe('complex elementwise (jax.numpy values)', () => {
  for (const [name, want] of Object.entries<any>(f.unary)) {
    it(`${name}`, async () => {
      await expectClose(fn(name)(Z), want, TOL);
      await expectClose(jit((x: Value) => fn(name)(x))(Z), want, TOL);
    });
  }
  for (const [name, want] of Object.entries<any>(f.inverse)) {
    it(`${name} on the unit square`, async () => {
      await expectClose(fn(name)(S), want, { rtol: 5e-5, atol: 5e-6 });
    });
  }
  for (const [name, want] of Object.entries<any>(f.binary)) {
    it(`${name}`, async () => {
      await expectClose(fn(name)(Z, W), want, TOL);
    });
  }
});

describe('complex promotion, casts and mixed operands', () => {
  const m = f.mixed;
  it('real and integer arrays with Python complex scalars', async () => {
    await expectClose(jnp.add(jnp.arange(3).astype('float32'), complex(0, 1)), m['f32_plus_c*']);
    await expectClose(jnp.multiply(jnp.arange(3), complex(2, -1)), m['i32_times_c*']);
  });
  it('powers and lax.complex', async () => {
    await expectClose(jnp.power(Z, 3), m.c64_pow_int, TOL);
    await expectClose(jnp.power(lax.sliceInDim(Z, 3, 12), 0.5), m.c64_pow_float, TOL);
    await expectClose(
      lax.complex(jnp.arange(3).astype('float32'), jnp.asarray(2).astype('float32')),
      m.complex_fn,
    );
  });
  it('casts: complex -> real keeps the real part and warns once (ComplexWarning)', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    await expectClose(Z.astype('float32'), m.astype_float);
    await expectClose(Z.astype('int32'), m.astype_int);
    await expectClose(Z.astype('bool'), m.astype_bool);
    await expectClose(jnp.arange(3).astype('float32').astype('complex64'), m.float_to_complex);
    const calls = warn.mock.calls.filter((c) => (c[1] as unknown) === 'ComplexWarning');
    warn.mockRestore();
    expect(calls.length).toBeLessThanOrEqual(1);
  });
  it('lax rejects complex where JAX does, with its messages', () => {
    expect(() => lax.lt(Z, Z)).toThrow(
      'lt does not accept dtype complex64 at position 0. Accepted dtypes at position 0 are subtypes of integer, floating, bool.',
    );
    expect(() => lax.floor(Z)).toThrow(
      'floor does not accept dtype complex64. Accepted dtypes are subtypes of floating.',
    );
    expect(() => lax.real(jnp.arange(2).astype('float32'))).toThrow(
      'real does not accept dtype float32. Accepted dtypes are subtypes of complexfloating.',
    );
    expect(() => lax.complex(jnp.arange(2), jnp.arange(2))).toThrow(
      'complex does not accept dtype int32 at position 0. Accepted dtypes at position 0 are subtypes of float32, float64.',
    );
  });
});

describe('complex reductions and products', () => {
  const r = f.reductions;
  const M23 = complexArray(f.m23);
  const M34 = complexArray(f.m34);
  it('sum, mean, var, cumsum (lane-wise reduce and scan kernels)', async () => {
    await expectClose(jnp.sum(Z), r.sum, TOL);
    await expectClose(jnp.mean(Z), r.mean, TOL);
    await expectClose(jnp.var(Z), r.var, TOL);
    await expectClose(jnp.cumsum(Z), r.cumsum, TOL);
    await expectClose(jnp.sum(M23, { axis: 0 }), r.sum_axis0, TOL);
  });
  it('prod, max and min (trees of map kernels)', async () => {
    await expectClose(jnp.prod(S), r.prod, TOL);
    await expectClose(jnp.prod(M34, { axis: 1 }), r.prod_axis1, TOL);
    await expectClose(jnp.max(Z), r.max, TOL);
    await expectClose(jnp.min(Z), r.min, TOL);
    await expectClose(jit((x: Value) => jnp.prod(x))(S), r.prod, TOL);
    // Cumulative products by recursive doubling, forward and reverse.
    await expectClose(jnp.cumprod(S), r.cumprod, TOL);
    await expectClose(lax.cumprod(S, { reverse: true }), r.cumprod_rev, TOL);
  });
  it('sort orders complex numbers lexicographically', async () => {
    await expectClose(jnp.sort(Z), r.sort, { rtol: 1e-7, atol: 0 });
  });
  it('vdot conjugates its first operand; matmul on the reduce and GEMM paths', async () => {
    await expectClose(jnp.vdot(Z, W), r.vdot, TOL);
    await expectClose(jnp.matmul(M23, M34), r.matmul_small, TOL);
    // 24 x 40 x 20 multiply-adds: the GEMM path, four real products.
    await expectClose(jnp.matmul(complexArray(f.big), complexArray(f.big2)), r.matmul_big, {
      rtol: 1e-4,
      atol: 1e-4,
    });
    const real = jnp.array([
      [-0.5, 0.25],
      [1, 2],
      [0.125, -1],
    ]);
    expect(real.shape).toEqual([3, 2]);
  });
});

describe('complex dtype questions and sort_complex', () => {
  it('answer as NumPy / JAX do', async () => {
    expect(jnp.issubdtype('complex64', jnp.inexact)).toBe(true);
    expect(jnp.issubdtype('complex64', jnp.floating)).toBe(false);
    expect(jnp.issubdtype('complex128', jnp.complexfloating)).toBe(true);
    expect(jnp.isdtype('complex64', 'complex floating')).toBe(true);
    // np.can_cast: float32 -> complex64 is safe, float64 -> complex64 and int32 -> complex64 are not.
    expect([jnp.can_cast('float32', 'complex64'), jnp.can_cast('float64', 'complex64')]).toEqual([
      true,
      false,
    ]);
    expect([jnp.can_cast('int16', 'complex64'), jnp.can_cast('int32', 'complex64')]).toEqual([true, false]);
    expect(jnp.can_cast('complex64', 'float32', { casting: 'same_kind' })).toBe(false);
    expect(jnp.cdouble.name).toBe('complex128');
    expect(jnp.csingle.name).toBe('complex64');
    const s = jnp.sort_complex(jnp.array([3, complex(1, 2), complex(1, -1)]));
    expect(await s.tolist()).toEqual([complex(1, -1), complex(1, 2), complex(3, 0)]);
    expect(jnp.sort_complex(jnp.array([3, 1, 2])).dtype.name).toBe('complex64');
  });
});

describe('complex structure and indexing', () => {
  it('reshapes, slices, concatenates, gathers and scatters complex arrays', async () => {
    const z = jnp.array([complex(1, 2), complex(3, -4), complex(-5, 6), complex(0, 1)]);
    expect(await z.reshape([2, 2]).tolist()).toEqual([
      [complex(1, 2), complex(3, -4)],
      [complex(-5, 6), complex(0, 1)],
    ]);
    expect(await jnp.concatenate([z, z]).reshape([2, 4]).at[1].get().tolist()).toEqual(await z.tolist());
    const y = z.at[1]
      .set(complex(9, 9))
      .at.get(jnp.array([0, 0]))
      .add(complex(1, 1));
    expect(await y.tolist()).toEqual([complex(3, 4), complex(9, 9), complex(-5, 6), complex(0, 1)]);
    expect(await jnp.where(jnp.array([true, false, true, false]), z, complex(0, 0)).tolist()).toEqual([
      complex(1, 2),
      complex(0, 0),
      complex(-5, 6),
      complex(0, 0),
    ]);
    expect(await jnp.flip(z).at[0].get().item()).toEqual(complex(0, 1));
  });
});
