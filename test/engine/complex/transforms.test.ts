/**
 * @file Complex numbers under the transformations, with JAX's convention (grad of a real function
 * of z is the conjugate-linear cotangent JAX gives, e.g. 2 conj(z) for |z|^2; mul's transpose does
 * not conjugate): grad, holomorphic grad/jacfwd/jacrev, jacrev of complex inputs, jvp and vjp,
 * vmap; JAX's dtype errors; the jaxprs JAX prints for complex code (literals `(1+2j):c64[]`,
 * conj's input_dtype, abs to f32, angle as a jitted function, real/imag transposes).
 *
 * Expected values: fixtures/complex/grads.json and jaxprs.json, made by fixtures/make_complex.py
 * on JAX 0.10.2.
 */
import { describe, expect, it } from 'vitest';
import {
  complex,
  grad,
  jacfwd,
  jacrev,
  numpy as jnp,
  jvp,
  lax,
  makeJaxpr,
  type Value,
  vjp,
  vmap,
} from '../../../src/engine/index.js';
import { complexArray, expectClose, fixture } from './helpers.js';

const g = fixture('grads.json');
const { jaxprs } = fixture('jaxprs.json');
const z0 = complexArray(g.z0);
const x0 = jnp.array(g.x0.flat()).astype('float32');
const TOL = { rtol: 2e-5, atol: 2e-6 };
type F = (x: Value) => Value;
const sum = (x: Value) => jnp.sum(x);

describe('derivatives of complex code (JAX values)', () => {
  const w = g.grads;
  it('grad of real functions of complex inputs', async () => {
    await expectClose(grad((v: Value) => sum(jnp.square(jnp.abs(v))))(z0), w.grad_abs2, TOL);
    await expectClose(grad((v: Value) => sum(jnp.real(jnp.multiply(v, v))))(z0), w.grad_real_sq, TOL);
    await expectClose(grad((v: Value) => sum(jnp.abs(jnp.exp(v))))(z0), w.grad_abs_exp, TOL);
    await expectClose(grad((v: Value) => sum(jnp.angle(v)))(z0), w.grad_angle, TOL);
    await expectClose(grad((v: Value) => sum(jnp.imag(jnp.log(v))))(z0), w.grad_imag_log, TOL);
  });
  it('grad of a real function of a real input through complex intermediates', async () => {
    const f = (v: Value) => sum(jnp.abs(jnp.add(jnp.exp(jnp.multiply(complex(0, 1), v)), v)));
    await expectClose(grad(f)(x0), w.grad_real_input, TOL);
  });
  it('holomorphic grad, jacfwd and jacrev', async () => {
    const h = (v: Value) => sum(jnp.add(jnp.power(v, 2), jnp.sin(v)));
    await expectClose(grad(h, { holomorphic: true })(z0), w.grad_holo, TOL);
    const k = (v: Value) => jnp.multiply(jnp.power(v, 2), jnp.exp(v));
    await expectClose(jacfwd(k, { holomorphic: true })(z0), w.jacfwd_holo, TOL);
    await expectClose(jacrev(k, { holomorphic: true })(z0), w.jacrev_holo, TOL);
  });
  it('jacrev of a real function of complex inputs', async () => {
    await expectClose(jacrev((v: Value) => jnp.square(jnp.abs(v)))(z0), w.jacrev_complex_in, TOL);
  });
  it('jvp and vjp', async () => {
    const f = (v: Value) => jnp.multiply(jnp.exp(v), jnp.conj(v));
    const t = jnp.multiply(jnp.ones([3], { dtype: 'complex64' }), complex(1, -1));
    await expectClose(jvp(f, [z0], [t])[1] as Value, w.jvp_tangent, TOL);
    const [, pullback] = vjp(f, z0);
    const ct = jnp.multiply(jnp.ones([3], { dtype: 'complex64' }), complex(2, 1));
    await expectClose((pullback as (c: Value) => Value[])(ct)[0], w.vjp_cot, TOL);
  });
  it('vmap', async () => {
    await expectClose(vmap(jnp.abs as F)(z0), w.vmap_abs, TOL);
  });
  it('raises JAX errors for complex outputs and inputs where they are not allowed', () => {
    const e = g.errors;
    expect(() => grad(sum)(z0)).toThrow(e.grad_complex_out.message);
    expect(() => grad(sum, { holomorphic: true })(x0)).toThrow(e.grad_holo_real_in.message);
    expect(() => jacfwd((v: Value) => v)(z0)).toThrow(e.jacfwd_complex_in.message);
    expect(() => lax.lt(z0, z0)).toThrow(e.lt_complex.message);
    expect(() => lax.floor(z0)).toThrow(e.floor_complex.message);
  });
});

describe('jaxprs of complex code (JAX text)', () => {
  const c3 = jnp.ones([3], { dtype: 'complex64' });
  const f3 = jnp.ones([3], { dtype: 'float32' });
  const cases: [string, F | ((a: Value, b: Value) => Value), Value[]][] = [
    ['mul_literal', (v: Value) => jnp.multiply(v, complex(1, 2)), [c3]],
    ['mul_real_literal', (v: Value) => jnp.multiply(v, 2.5 - 0.5), [c3]],
    ['conj', jnp.conj as F, [c3]],
    ['abs', jnp.abs as F, [c3]],
    ['angle', (v: Value) => jnp.angle(v), [c3]],
    ['real_imag', (v: Value) => jnp.add(jnp.real(v), jnp.imag(v)), [c3]],
    ['complex', (a: Value, b: Value) => lax.complex(a, b), [f3, f3]],
    ['float_plus_1j', (v: Value) => jnp.add(v, complex(0, 1)), [f3]],
    ['grad_real_sq', grad((v: Value) => sum(jnp.real(jnp.multiply(v, v)))), [c3]],
    ['fft', (v: Value) => jnp.fft.fft(v), [f3]],
    ['rfft', (v: Value) => jnp.fft.rfft(v), [jnp.ones([8], { dtype: 'float32' })]],
    ['irfft', (v: Value) => jnp.fft.irfft(v), [jnp.ones([5], { dtype: 'complex64' })]],
    ['fft2', (v: Value) => jnp.fft.fft2(v), [jnp.ones([4, 6], { dtype: 'complex64' })]],
    [
      'vmap_fft',
      vmap((v: Value) => jnp.fft.fft(v), { inAxes: 1 }),
      [jnp.ones([8, 3], { dtype: 'complex64' })],
    ],
    ['jvp_fft', (v: Value, t: Value) => jvp((u: Value) => jnp.fft.fft(u), [v], [t]) as never, [c3, c3]],
  ];
  for (const [name, f, args] of cases) {
    it(name, () => {
      expect(String(makeJaxpr(f as (...a: Value[]) => Value)(...args))).toBe(jaxprs[name]);
    });
  }
});
