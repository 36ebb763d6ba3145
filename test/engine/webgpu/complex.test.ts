/**
 * @file Complex numbers on the WebGPU device against the CPU: complex64 as pairs of float32 in
 * WGSL (compile/complex.ts legalizes every kernel before rendering), elementwise math, reductions
 * (sum lane-wise, prod/max as trees), products on both paths, casts, indexing; and the WGSL `fft`
 * library kernel (Stockham + Bluestein) for every transform kind, lengths 1..1000, n-D, and through
 * grad. Agreement to float32 tolerance, not bits (the CPU computes transcendental functions and
 * transforms in float64). eig is CPU only, as in JAX: webgpu refuses it by name.
 *
 * Without an adapter the file skips with the reason; under CI (which installs Mesa's EGL) it fails.
 */
import { describe, expect, it } from 'vitest';
import {
  complex,
  devicePut,
  grad,
  jit,
  numpy as jnp,
  lax,
  random,
  type Value,
} from '../../../src/engine/index.js';
import { deviceAvailable } from '../../device-available.js';

const available = await deviceAvailable('webgpu', 'webgpu complex');
const d = describe.skipIf(!available);

type F = (...xs: Value[]) => Value;

async function same(f: F, xs: Value[], tol = 2e-5): Promise<void> {
  const c = f(...xs.map((x) => devicePut(x, 'cpu')));
  const g = f(...xs.map((x) => devicePut(x, 'webgpu')));
  expect(String((g as { device?: unknown }).device)).toBe('webgpu:0');
  expect(g.dtype.name).toBe(c.dtype.name);
  expect(g.shape).toEqual(c.shape);
  const a = Array.from(await c.data(), Number);
  const b = Array.from(await g.data(), Number);
  const scale = Math.max(1, ...a.filter(Number.isFinite).map(Math.abs));
  const bad = a.findIndex((v, i) =>
    Number.isNaN(v) ? !Number.isNaN(b[i]) : Math.abs(v - b[i]) > tol * Math.max(1 + Math.abs(v), scale / 10),
  );
  expect(bad === -1 ? null : `[${bad}] cpu ${a[bad]} webgpu ${b[bad]}`).toBeNull();
}

const key = random.key(7);
const z = lax.complex(random.normal(key, [64]), random.normal(random.foldIn(key, 1), [64]));
const w = lax.complex(random.normal(random.foldIn(key, 2), [64]), random.normal(random.foldIn(key, 3), [64]));

d('complex64 on webgpu', () => {
  it('elementwise math', async () => {
    for (const name of [
      'exp',
      'log',
      'sqrt',
      'sin',
      'cos',
      'tan',
      'tanh',
      'abs',
      'angle',
      'sign',
      'conj',
      'reciprocal',
    ]) {
      await same((x) => (jnp as any)[name](x), [z]);
    }
    await same((x, y) => jnp.divide(jnp.multiply(x, y), jnp.add(x, complex(0.5, -1))), [z, w]);
    await same((x, y) => jnp.power(x, y), [z, w], 1e-4);
    await same((x) => jnp.real(jnp.multiply(x, jnp.conj(x))), [z]);
  });
  it('jit fuses complex chains into one kernel there too', async () => {
    await same(
      jit((x, y) => jnp.exp(jnp.multiply(x, y))),
      [z, w],
    );
  });
  it('reductions, products, casts and indexing', async () => {
    await same((x) => jnp.sum(x.reshape([8, 8]), { axis: 1 }), [z]);
    await same((x) => jnp.prod(jnp.multiply(x, 0.3).reshape([8, 8]), { axis: 0 }), [z]);
    await same((x) => jnp.max(x), [z]);
    await same((x) => jnp.cumsum(x), [z]);
    await same((x, y) => jnp.matmul(x.reshape([8, 8]), y.reshape([8, 8])), [z, w]);
    const big = lax.complex(random.normal(key, [40, 60]), random.normal(random.foldIn(key, 5), [40, 60]));
    await same((x) => jnp.matmul(x, jnp.transpose(x)), [big], 1e-4);
    await same((x) => x.astype('float32'), [z]);
    await same((x) => jnp.flip(x).at[3].set(complex(1, 1)), [z]);
  });
  it('the fft library kernel: every kind and length', async () => {
    for (const n of [1, 2, 7, 8, 12, 17, 64, 100, 1000]) {
      const x = random.normal(random.foldIn(key, n), [3, n]);
      const c = lax.complex(x, jnp.flip(x, { axis: 1 }));
      await same((v) => jnp.fft.fft(v), [c]);
      await same((v) => jnp.fft.ifft(v), [c]);
      await same((v) => jnp.fft.rfft(v), [x]);
      await same((v) => jnp.fft.irfft(v, { n: 2 * n + 1 }), [c]);
    }
  });
  it('n-D transforms and grad through them', async () => {
    const x = random.normal(key, [2, 6, 10]);
    await same((v) => jnp.fft.fftn(v), [x]);
    await same((v) => jnp.fft.irfftn(jnp.fft.rfftn(v)), [x]);
    await same((v) => jnp.fft.rfft2(v, { s: [5, 9] }), [x]);
    await same(grad((v: Value) => jnp.sum(jnp.abs(jnp.fft.rfft(v)))) as F, [x]);
  });
  it('eig is CPU only, as in JAX', () => {
    const a = devicePut(jnp.eye(3), 'webgpu');
    expect(() => jnp.linalg.eigvals(a)).toThrow('the webgpu backend has no library kernel eig');
  });
});
