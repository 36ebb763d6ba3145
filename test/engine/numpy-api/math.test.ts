/**
 * @file Elementwise math, windows and the Bessel functions (numpy/math.ts, windows.ts,
 * primitives/bessel.ts, lax/bessel.ts, scipy/bessel.ts) against JAX 0.10.2: eagerly, under jit,
 * from the expression language, under grad and vmap, and printed jaxprs; the Bessel primitives'
 * derivatives also against finite differences. Expected values: fixtures/jnp_math.json, written
 * by fixtures/make_jnp_math.py.
 */
import { describe, expect, it } from 'vitest';
import { numpy as jnp, lax, scipy, type Value } from '../../../src/engine/index.js';
import { checkGrads } from '../../../src/engine/test-util.js';
import { type Call, runFamily } from './harness.js';

const unary =
  (f: (x: Value) => Value): Call =>
  ([x]) =>
    f(x as Value);

describe('jax.numpy elementwise math, windows and Bessel functions', () => {
  runFamily('math', {
    calls: {
      'lax.bessel_i0e': unary(lax.besselI0e),
      'lax.bessel_i1e': unary(lax.besselI1e),
      'scipy.special.i0': unary(scipy.special.i0),
      'scipy.special.i0e': unary(scipy.special.i0e),
      'scipy.special.i1': unary(scipy.special.i1),
      'scipy.special.i1e': unary(scipy.special.i1e),
    },
    tol: { kaiser: { rtol: 1e-5 }, kaiser_grad: { rtol: 1e-4 } },
    jaxprs: [
      'sinc',
      'bessel_i0e_grad',
      'bessel_i1e_grad',
      'special_i0',
      'special_i0e',
      'special_i1',
      'special_i1e',
    ],
  });

  it('bessel_i0e and bessel_i1e derivatives agree with finite differences, to second order', async () => {
    const x = jnp.array([-9, -2.5, -0.7, 0.3, 1.1, 7.5, 8.5, 20], { dtype: 'float64' });
    await checkGrads(lax.besselI0e, [x], { order: 2, modes: ['fwd', 'rev'] });
    await checkGrads(lax.besselI1e, [x], { order: 2, modes: ['fwd', 'rev'] });
  });
});

it('round of integers with decimals < 0 raises NotImplementedError, as JAX does', () => {
  const x = jnp.array([15, 25], { dtype: 'int32' });
  expect(() => jnp.round(x, -1)).toThrow(expect.objectContaining({ name: 'NotImplementedError' }));
  expect(Array.from(jnp.round(x, 1).dataSync() as Int32Array)).toEqual([15, 25]);
});
