/**
 * @file JAX's type promotion with complex dtypes: every pair of the lattice table including
 * complex64, complex128 and the weak Python complex (c*), in x64 and x32 mode, through
 * `promoteTypes` (core/dtype.ts) and through real arrays (`jnp.add` of 0-d arrays and JS scalars,
 * a `Complex` standing for a Python complex).
 *
 * Expected values: fixtures/complex/promotion.json, made by fixtures/make_complex.py with
 * `jax._src.dtypes.lattice_result_type` and `jnp.add(a, b)` on JAX 0.10.2.
 */
import { describe, expect, it } from 'vitest';
import { promoteTypes, type TypedValue, toDType } from '../../../src/engine/core/dtype.js';
import { complex, numpy as jnp, withConfig } from '../../../src/engine/index.js';
import { SHORT_TO_NAME, shortOf } from '../core/helpers.js';
import { fixture } from './helpers.js';

const promo = fixture('promotion.json');

function typed(short: string, x64: boolean): TypedValue {
  if (short === 'i*') return { dtype: toDType(x64 ? 'int64' : 'int32'), weakType: true };
  if (short === 'f*') return { dtype: toDType(x64 ? 'float64' : 'float32'), weakType: true };
  if (short === 'c*') return { dtype: toDType(x64 ? 'complex128' : 'complex64'), weakType: true };
  return { dtype: toDType(SHORT_TO_NAME[short]), weakType: false };
}

function latticeName(r: TypedValue): string {
  if (r.weakType) return r.dtype.isComplex ? 'c*' : r.dtype.isFloat ? 'f*' : 'i*';
  return shortOf(r.dtype, false);
}

function sample(short: string): unknown {
  if (short === 'i*') return 1;
  if (short === 'f*') return 1.5;
  if (short === 'c*') return complex(0, 1);
  return jnp.zeros([], { dtype: SHORT_TO_NAME[short] });
}

for (const mode of ['x64', 'x32'] as const) {
  const { columns, lattice, add } = promo[mode];
  const x64 = mode === 'x64';
  describe(`complex promotion, ${mode}`, () => {
    it('promoteTypes gives every cell of the lattice table', () => {
      const bad: string[] = [];
      withConfig({ enableX64: x64 }, () => {
        for (const a of columns)
          for (const b of columns) {
            const got = latticeName(promoteTypes(typed(a, x64), typed(b, x64)));
            if (got !== lattice[a][b]) bad.push(`${a}+${b}: ${got} != ${lattice[a][b]}`);
          }
      });
      expect(bad).toEqual([]);
      expect(columns).toContain('c*');
    });
    it('jnp.add on arrays, JS numbers and Complex scalars gives JAX dtypes and weak types', () => {
      const bad: string[] = [];
      withConfig({ enableX64: x64 }, () => {
        for (const a of columns)
          for (const b of columns) {
            const r = jnp.add(sample(a) as never, sample(b) as never);
            const got = shortOf(r.dtype, r.weakType);
            if (got !== add[a][b]) bad.push(`${a}+${b}: ${got} != ${add[a][b]}`);
          }
      });
      expect(bad).toEqual([]);
    });
  });
}

describe('complex dtypes', () => {
  it('canonicalize complex128 to complex64 without x64, as JAX does', () => {
    expect(jnp.zeros([2], { dtype: 'complex128' }).dtype.name).toBe('complex64');
    withConfig({ enableX64: true }, () => {
      expect(jnp.zeros([2], { dtype: 'complex128' }).dtype.name).toBe('complex128');
    });
  });
  it('accept NumPy spellings', () => {
    for (const s of ['c8', 'complex64', 'csingle']) expect(toDType(s).name).toBe('complex64');
    for (const s of ['c16', 'complex128', 'cdouble', 'complex']) expect(toDType(s).name).toBe('complex128');
    expect(jnp.finfo('complex64').eps).toBe(2 ** -23);
  });
  it('infer complex64 from lists holding Complex values', () => {
    const z = jnp.array([1, 2.5, complex(0, 1)]);
    expect(z.dtype.name).toBe('complex64');
    expect(z.weakType).toBe(false);
  });
});
