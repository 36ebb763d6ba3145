/**
 * @file Polynomials, interpolation and calculus, products and the linalg extras
 * (numpy/polynomial.ts, calculus.ts, products.ts, vectorize.ts, linalg-extra.ts) against JAX
 * 0.10.2: eagerly, under jit, from the expression language, under grad and vmap, and some printed
 * jaxprs. Expected values: fixtures/jnp_polynomial.json, written by fixtures/make_jnp_polynomial.py.
 */
import { describe, expect, it } from 'vitest';
import { numpy as jnp, type Value } from '../../../src/engine/index.js';
import { type Call, runFamily } from './harness.js';

const dotVectorized: Call = (args) =>
  jnp.vectorize((x: Value, y: Value) => jnp.dot(x, y), { signature: '(n),(n)->()' })(...args);

describe('jax.numpy polynomials, interpolation and linalg extras', () => {
  runFamily('polynomial', {
    calls: { vectorize: dotVectorized },
    noExpr: ['vectorize'],
    // Trimming reads the values, as in JAX.
    noJit: [
      'trim_zeros',
      'trim_zeros_f',
      'trim_zeros_b',
      'trim_zeros_2d',
      'trim_zeros_all',
      'polymul_trim',
      'polydiv_trim',
      'lstsq_wide_numpy',
    ],
    tol: {
      polyfit: { rtol: 1e-4, atol: 1e-4 },
      polyfit_w: { rtol: 1e-4, atol: 1e-4 },
      polyfit_2d: { rtol: 1e-3, atol: 1e-3 },
      polyfit_full: { rtol: 1e-3, atol: 1e-4 },
      polyfit_cov: { rtol: 1e-3, atol: 1e-4 },
      polyfit_cov_unscaled: { rtol: 1e-3, atol: 1e-3 },
      'linalg.lstsq': { rtol: 1e-4, atol: 1e-5 },
      'linalg.pinv': { rtol: 1e-4, atol: 1e-5 },
      'linalg.cond': { rtol: 1e-5 },
      'linalg.matrix_power': { rtol: 1e-5 },
      'linalg.tensorinv': { rtol: 1e-5, atol: 1e-6 },
      'linalg.tensorsolve': { rtol: 1e-5, atol: 1e-6 },
    },
    jaxprs: ['polyval', 'polyadd', 'vander', 'cross'],
  });

  it('vectorize checks its signature and the core dimensions, with NumPy texts', () => {
    expect(() => jnp.vectorize((x: Value) => x, { signature: '(n)->(' })).not.toThrow();
    expect(() => jnp.vectorize((x: Value) => x, { signature: '(n)->(' })(jnp.ones([2]))).toThrow(
      'not a valid gufunc signature: (n)->(',
    );
    expect(() =>
      jnp.vectorize((x: Value, _y: Value) => x, { signature: '(n),(n)->()' })(jnp.ones([2]), jnp.ones([3])),
    ).toThrow("inconsistent size for core dimension 'n': 3 vs 2");
  });
});
