/**
 * @file jnp.fft against JAX 0.10.2: fft, ifft, rfft, irfft, hfft and ihfft for lengths 1, 2, 7, 8,
 * 12, 17, 64, 100 and 1000 (powers of two run Stockham's radix-2, the others Bluestein's chirp-z
 * transform), n-D transforms with s/axes/norm (four axes split 2 + 2 as JAX does), the frequency
 * helpers and shifts, derivatives (grad through every kind, jvp, vjp), vmap and jit, the
 * lax.fft primitive's errors; and round trips.
 *
 * Expected values: fixtures/complex/fft.json, made by fixtures/make_fft.py with jax.numpy.fft
 * (numpy.fft for `numpy_fft`); inputs from numpy.random.default_rng(1).
 */
import { describe, expect, it } from 'vitest';
import { grad, jit, numpy as jnp, jvp, lax, type Value, vjp, vmap } from '../../../src/engine/index.js';
import { complexArray, expectClose, fixture, flat, nums } from './helpers.js';

const f = fixture('fft.json');
const fft = jnp.fft;
// float32 transforms: errors grow like log n times the largest magnitude.
const TOL = { rtol: 2e-6, atol: 1e-6, scale: true };

function real(values: unknown, shape?: number[]): Value {
  const a = jnp.array(flat(values)).astype('float32');
  return shape ? a.reshape(shape) : a;
}

describe('one-dimensional transforms (JAX values)', () => {
  for (const c of f.one_d) {
    it(`n = ${c.n}`, async () => {
      const x = real(c.x);
      const z = complexArray(c.z);
      await expectClose(fft.fft(z), c.fft, TOL);
      await expectClose(fft.ifft(z), c.ifft, TOL);
      await expectClose(fft.rfft(x), c.rfft, TOL);
      await expectClose(fft.ihfft(x), c.ihfft, TOL);
      if (c.irfft) await expectClose(fft.irfft(z, { n: 2 * c.n }), c.irfft, TOL);
      if (c.hfft) await expectClose(fft.hfft(z), c.hfft, TOL);
      // numpy.fft in float64, to float32 accuracy.
      const nf = { ...c.numpy_fft, dtype: 'complex64' };
      await expectClose(fft.fft(z), nf, { rtol: 3e-6, atol: 1e-6, scale: true });
    });
  }
  it('round trips: ifft(fft(z)) and irfft(rfft(x), n)', async () => {
    for (const c of f.one_d) {
      const x = real(c.x);
      const z = complexArray(c.z);
      const back = nums(await fft.ifft(fft.fft(z)).data());
      const zz = nums(await z.data());
      const bad = zz.filter((v, i) => Math.abs(v - back[i]) > 1e-5 * (1 + Math.abs(v)));
      expect(bad).toEqual([]);
      const xr = nums(await fft.irfft(fft.rfft(x), { n: c.n }).data());
      const xx = nums(await x.data());
      expect(xx.every((v, i) => Math.abs(v - xr[i]) < 1e-5 * (1 + Math.abs(v)))).toBe(true);
    }
  });
});

describe('n-dimensional transforms, s, axes and norm (JAX values)', () => {
  const X2 = real(f.nd_inputs.x2, [3, 4, 6]);
  const Z2 = complexArray(f.nd_inputs.z2);
  const X4 = complexArray(f.nd_inputs.x4);
  const n = f.nd;
  const cases: [string, () => Value][] = [
    ['fft_n5', () => fft.fft(Z2, { n: 5 })],
    ['fft_n8_axis0', () => fft.fft(Z2, 8, 0)],
    ['ifft_axis1_ortho', () => fft.ifft(Z2, { axis: 1, norm: 'ortho' })],
    ['rfft_n9_forward', () => fft.rfft(X2, { n: 9, norm: 'forward' })],
    ['irfft_axis0', () => fft.irfft(Z2, { axis: 0 })],
    ['fft2', () => fft.fft2(Z2)],
    ['ifft2_axes02', () => fft.ifft2(Z2, { axes: [0, 2] })],
    ['rfft2', () => fft.rfft2(X2)],
    ['irfft2_s', () => fft.irfft2(Z2, { s: [4, 7] })],
    ['fftn', () => fft.fftn(Z2)],
    ['ifftn_s', () => fft.ifftn(Z2, { s: [2, 5] })],
    ['rfftn', () => fft.rfftn(X2)],
    ['rfftn_axes10', () => fft.rfftn(X2, { axes: [1, 0] })],
    ['irfftn', () => fft.irfftn(Z2)],
    ['irfftn_s_axes', () => fft.irfftn(Z2, { s: [5, 4], axes: [0, 2] })],
    ['fftn_ortho', () => fft.fftn(Z2, { norm: 'ortho' })],
    ['fftn_4d', () => fft.fftn(X4)],
    ['irfftn_4d', () => fft.irfftn(X4)],
  ];
  for (const [name, run] of cases) {
    it(name, async () => {
      await expectClose(run(), n[name], TOL);
    });
  }
  it('refuses what JAX refuses', () => {
    expect(() => fft.fftn(Z2, { s: [2, 3], axes: [0] })).toThrow('Shape and axes have different lengths.');
    expect(() => fft.fft2(Z2, { axes: [0] })).toThrow(
      'jax.numpy.fft.fft2 only supports 2 axes. Got axes = (0,).',
    );
    expect(() => fft.fftn(Z2, { axes: [0, 0] })).toThrow('does not support repeated axes');
    expect(() => fft.fft(Z2, { norm: 'nope' as never })).toThrow('Invalid norm value nope');
    expect(() => lax.fft(Z2, 'RFFT', [6])).toThrow('only real valued inputs supported for rfft');
  });
});

describe('frequencies and shifts (JAX values)', () => {
  const q = f.freqs;
  it('fftfreq, rfftfreq, fftshift, ifftshift', async () => {
    await expectClose(fft.fftfreq(8), q.fftfreq_8);
    await expectClose(fft.fftfreq(7, 0.5), q.fftfreq_7_d);
    await expectClose(fft.rfftfreq(8), q.rfftfreq_8);
    await expectClose(fft.rfftfreq(9, { d: 2 }), q.rfftfreq_9_d);
    await expectClose(fft.fftshift(jnp.arange(10).reshape([2, 5])), { ...q.fftshift, dtype: 'int32' });
    await expectClose(fft.fftshift(jnp.arange(10).reshape([2, 5]), 1), {
      ...q.fftshift_axis,
      dtype: 'int32',
    });
    await expectClose(fft.ifftshift(jnp.arange(7)), { ...q.ifftshift, dtype: 'int32' });
  });
});

describe('transformations through the fft primitive (JAX values)', () => {
  const xg = real(f.grad_inputs.xg);
  const zg = complexArray(f.grad_inputs.zg);
  const zb = complexArray(f.grad_inputs.zb);
  const w = f.grads;
  const sum = (v: Value) => jnp.sum(v);
  const GT = { rtol: 1e-5, atol: 1e-5, scale: true };
  it('grad through FFT, RFFT (even and odd n), IRFFT, IFFT and fft2', async () => {
    await expectClose(grad((v: Value) => sum(jnp.abs(fft.fft(v))))(xg), w.grad_abs_fft, GT);
    await expectClose(grad((v: Value) => sum(jnp.square(jnp.abs(fft.rfft(v)))))(xg), w.grad_abs_rfft, GT);
    await expectClose(grad((v: Value) => sum(jnp.abs(fft.rfft(v, { n: 11 }))))(xg), w.grad_rfft_odd, GT);
    await expectClose(grad((v: Value) => sum(jnp.square(fft.irfft(v))))(zg), w.grad_irfft, GT);
    await expectClose(grad((v: Value) => sum(jnp.abs(fft.ifft(v))))(zg), w.grad_ifft_complex, GT);
    await expectClose(grad((v: Value) => sum(jnp.square(jnp.real(fft.fft2(v)))))(zb), w.grad_fft2, GT);
  });
  it('vmap, jit, jvp and vjp', async () => {
    await expectClose(vmap((v: Value) => fft.fft(v), { inAxes: 1, outAxes: 0 })(zb), w.vmap_fft, TOL);
    await expectClose(jit((v: Value) => fft.rfft(v))(xg), w.jit_rfft, TOL);
    await expectClose(jvp((v: Value) => fft.fft(v), [zg], [jnp.multiply(zg, 2)])[1] as Value, w.jvp_fft, TOL);
    const [, pull] = vjp((v: Value) => fft.irfft(v, { n: 20 }), lax.sliceInDim(zg, 0, 11));
    await expectClose((pull as (c: Value) => Value[])(jnp.arange(20).astype('float32'))[0], w.vjp_irfft, GT);
  });
});
