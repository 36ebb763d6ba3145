/**
 * @file Dtypes and x64 mode: `config.enableX64` (JAX's jax_enable_x64) gives float64 arrays and
 * int64 via BigInt; with x64 off, 64-bit requests are truncated to 32 bits with JAX's UserWarning
 * (process.emitWarning), and defaults are int32/float32.
 *
 * Expected values: fixtures/core/misc.json (`warnings`, `x64_values`, `x32_defaults`), from JAX
 * 0.10.2 with jax_enable_x64 off and on (jax.enable_x64(True)).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { config, jit, numpy as jnp, withConfig } from '../../../src/engine/index.js';
import { fixture } from './helpers.js';

const misc = fixture('misc.json');

function bits64(x: Value): string[] {
  const d = (x as any).dataSync() as Float64Array | BigInt64Array;
  return Array.from(new BigUint64Array(d.buffer, d.byteOffset, d.length), String);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('x64 off (default)', () => {
  it('defaults are int32 and float32, as in JAX', () => {
    expect(config.enableX64).toBe(false);
    expect(jnp.array(1).dtype.name).toBe(misc.x32_defaults.default_int);
    expect(jnp.array(1.5).dtype.name).toBe(misc.x32_defaults.default_float);
  });

  it('truncates explicit 64-bit requests with JAX warning text, once per API and dtype', () => {
    const spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const z = jnp.zeros([3], { dtype: 'float64' });
    const o = jnp.ones([3], { dtype: 'int64' });
    const a = jnp.array([1.5], { dtype: 'float64' });
    const r = jnp.arange(3, null, null, { dtype: 'uint64' });
    jnp.zeros([2], { dtype: 'float64' });
    expect([z.dtype.name, o.dtype.name, a.dtype.name, r.dtype.name]).toEqual([
      'float32',
      'int32',
      'float32',
      'uint32',
    ]);
    const messages = spy.mock.calls.map((c) => String(c[0]));
    expect(messages).toEqual(misc.warnings);
    expect(spy.mock.calls.every((c) => (c[1] as unknown) === 'UserWarning')).toBe(true);
  });

  it('does not warn for 64-bit host data (only explicit requests warn)', () => {
    const spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    expect(jnp.array(new Float64Array([1, 2])).dtype.name).toBe('float32');
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('x64 on', () => {
  it('gives float64 results bit for bit as JAX', () => {
    withConfig({ enableX64: true }, () => {
      const a = jnp.array([0.1, 1 / 3, 1e300], { dtype: 'float64' });
      expect(a.dtype.name).toBe('float64');
      expect(bits64(a.mul(3))).toEqual(misc.x64_values.f64_mul);
      expect(bits64(jit((v: Value) => v.mul(3))(a))).toEqual(misc.x64_values.f64_mul);
      expect(bits64(jnp.sum(a))).toEqual(misc.x64_values.f64_sum);
    });
  });

  it('int64 arithmetic on BigInt wraps as JAX does', async () => {
    const out = withConfig({ enableX64: true }, () => {
      const a = jnp.array([2n ** 40n, -(2n ** 62n)], { dtype: 'int64' });
      expect(a.dtype.name).toBe('int64');
      return [a.mul(3), jit((v: Value) => v.mul(3))(a)];
    });
    for (const o of out)
      expect(((await o.tolist()) as bigint[]).map(String)).toEqual(misc.x64_values.i64_big);
  });

  it('defaults follow the mode', () => {
    withConfig({ enableX64: true }, () => {
      expect(jnp.array(1).dtype.name).toBe(misc.x64_values.default_int);
      expect(jnp.array(1.5).dtype.name).toBe(misc.x64_values.default_float);
      expect(jnp.arange(3).dtype.name).toBe(misc.x64_values.arange_dtype);
      const w = jnp.add(jnp.zeros([2], { dtype: 'float32' }), 1.5);
      expect([w.dtype.name, w.weakType]).toEqual(['float32', false]);
      const s = jnp.add(2, 1.5);
      expect([s.dtype.name, s.weakType]).toEqual(['float64', true]);
    });
    expect(config.enableX64).toBe(false);
  });

  it('jit retraces when the mode changes the dtypes of its inputs', () => {
    const f = jit((v: Value) => v.add(1));
    f(2.5);
    withConfig({ enableX64: true }, () => f(2.5));
    expect(f.traceCount).toBe(2);
  });
});
