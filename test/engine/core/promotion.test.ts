/**
 * @file JAX's type promotion, every pair of the table for the dtypes tjax has (bf16 and complex
 * are skipped), in x64 and x32 mode: through `promoteTypes` (core/dtype.ts) and through real
 * arrays (`jnp.add` of 0-d arrays and JS scalars, checking dtype and weak type).
 *
 * Expected values: fixtures/core/promotion.json, made by fixtures/make_core.py with
 * `jax._src.dtypes.lattice_result_type` (the generator of the docs' table) and `jnp.add(a, b)`
 * on JAX 0.10.2, with jax_enable_x64 on and off.
 */
import { describe, expect, it } from 'vitest';
import {
  defaultFloat,
  defaultInt,
  promoteTypes,
  type TypedValue,
  toDType,
} from '../../../src/engine/core/dtype.js';
import { numpy as jnp, withConfig } from '../../../src/engine/index.js';
import { fixture, SHORT_TO_NAME, shortOf } from './helpers.js';

const promo = fixture('promotion.json');

function typed(short: string): TypedValue {
  if (short === 'i*') return { dtype: defaultInt(), weakType: true };
  if (short === 'f*') return { dtype: defaultFloat(), weakType: true };
  return { dtype: toDType(SHORT_TO_NAME[short]), weakType: false };
}

/** The docs' cell text for a result: weak results are the lattice's i* / f*. */
function latticeName(r: TypedValue): string {
  if (r.weakType) return r.dtype.isFloat ? 'f*' : 'i*';
  return shortOf(r.dtype, false);
}

function sample(short: string): unknown {
  if (short === 'i*') return 1;
  if (short === 'f*') return 1.5;
  return jnp.zeros([], { dtype: SHORT_TO_NAME[short] });
}

describe('promotion table, x64 on (jax_enable_x64=True)', () => {
  const { columns, lattice, add } = promo.x64;
  it('promoteTypes gives every cell of the table', () => {
    const bad: string[] = [];
    withConfig({ enableX64: true }, () => {
      for (const a of columns) {
        for (const b of columns) {
          const got = latticeName(promoteTypes(typed(a), typed(b)));
          if (got !== lattice[a][b]) bad.push(`${a}+${b}: ${got} != ${lattice[a][b]}`);
        }
      }
    });
    expect(bad).toEqual([]);
    expect(columns.length ** 2).toBe(196);
  });
  it('jnp.add on arrays and JS scalars gives the dtype and weak type JAX gives', () => {
    const bad: string[] = [];
    withConfig({ enableX64: true }, () => {
      for (const a of columns) {
        for (const b of columns) {
          const r = jnp.add(sample(a), sample(b));
          const got = shortOf(r.dtype, r.weakType);
          if (got !== add[a][b]) bad.push(`${a}+${b}: ${got} != ${add[a][b]}`);
        }
      }
    });
    expect(bad).toEqual([]);
  });
});

describe('promotion table, x64 off (default)', () => {
  const { columns, effective, add } = promo.x32;
  it('promoteTypes gives every cell of the effective table', () => {
    const bad: string[] = [];
    withConfig({ enableX64: false }, () => {
      for (const a of columns) {
        for (const b of columns) {
          const r = promoteTypes(typed(a), typed(b));
          const got = shortOf(r.dtype, r.weakType);
          if (got !== effective[a][b]) bad.push(`${a}+${b}: ${got} != ${effective[a][b]}`);
        }
      }
    });
    expect(bad).toEqual([]);
  });
  it('keeps the x64-off lattice edge: uint32 + int32 = int32', () => {
    withConfig({ enableX64: false }, () => {
      const r = jnp.add(jnp.zeros([3], { dtype: 'uint32' }), jnp.zeros([3], { dtype: 'int32' }));
      expect(r.dtype.name).toBe('int32');
      expect(effective.u4.i4).toBe('i4');
    });
  });
  it('jnp.add on arrays and JS scalars gives the dtype and weak type JAX gives', () => {
    const bad: string[] = [];
    withConfig({ enableX64: false }, () => {
      for (const a of columns) {
        for (const b of columns) {
          const r = jnp.add(sample(a), sample(b));
          const got = shortOf(r.dtype, r.weakType);
          if (got !== add[a][b]) bad.push(`${a}+${b}: ${got} != ${add[a][b]}`);
        }
      }
    });
    expect(bad).toEqual([]);
  });
  it('promotion is symmetric and weak types never widen a typed operand', () => {
    withConfig({ enableX64: false }, () => {
      for (const a of columns) for (const b of columns) expect(effective[a][b]).toBe(effective[b][a]);
      const r = jnp.add(jnp.zeros([2], { dtype: 'uint8' }), 300);
      expect([r.dtype.name, r.weakType]).toEqual(['uint8', false]);
    });
  });
});
