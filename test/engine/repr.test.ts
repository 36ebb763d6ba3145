/**
 * @file The Array repr against JAX 0.10.2's `repr(jax.Array)` (fixtures/shapes.json, section
 * `repr`, made by fixtures/make_shapes.py): float digits, widths, scientific switch, non-finite
 * values, line wrapping, summarisation, bool/int/float16/64-bit types and weak types.
 */
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fillTyped } from '../../src/engine/core/coerce.js';
import {
  devices,
  dtypes,
  Array as JArray,
  jit,
  numpy as jnp,
  type Value,
  withConfig,
} from '../../src/engine/index.js';

interface Case {
  dtype: string;
  shape: number[];
  weak: boolean;
  x64: boolean;
  data: (number | boolean | string)[];
  repr: string;
}
const fx = JSON.parse(readFileSync(new URL('../../fixtures/shapes.json', import.meta.url), 'utf8')) as {
  repr: Record<string, Case>;
};

function build(c: Case): JArray {
  const dt = dtypes.toDType(c.dtype);
  const vals = c.data.map((v) => {
    if (dt.isBig) return BigInt(v as number | string);
    if (v === 'nan') return Number.NaN;
    if (v === 'inf') return Number.POSITIVE_INFINITY;
    if (v === '-inf') return Number.NEGATIVE_INFINITY;
    return v as number | boolean;
  });
  return JArray.fromHost(fillTyped(dt, vals), c.shape, dt, devices()[0], c.weak);
}

describe('Array repr vs JAX 0.10.2', () => {
  it('has the expected number of cases', () => {
    expect(Object.keys(fx.repr).length).toBeGreaterThanOrEqual(40);
  });
  for (const [name, c] of Object.entries(fx.repr)) {
    it(name, () => {
      const s = withConfig({ enableX64: c.x64 }, () => String(build(c)));
      expect(s).toBe(c.repr);
    });
  }
});

describe('repr of computed arrays', () => {
  it('eager and jitted results print like JAX', () => {
    expect(String(jnp.array([1, 2, 3], { dtype: 'float32' }))).toBe(fx.repr.f32_1d.repr);
    expect(String(jnp.add(1, 2))).toBe(fx.repr.i32_0d_weak.repr);
    const m = jnp.arange(6, null, null, { dtype: 'float32' }).reshape(2, 3);
    expect(String(m)).toBe(fx.repr.f32_2d.repr);
    expect(String(jit((x: Value) => x.mul(1))(m))).toBe(fx.repr.f32_2d.repr);
    expect(String(jnp.array([true, false]))).toBe(fx.repr.bool_1d.repr);
    expect(`${jnp.arange(30, null, null, { dtype: 'int32' })}`).toBe(fx.repr.i32_wrap.repr);
    expect(inspect(jnp.zeros([0]))).toBe(fx.repr.f32_empty.repr);
  });
});
