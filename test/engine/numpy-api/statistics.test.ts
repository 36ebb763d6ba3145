/**
 * @file The statistics family (numpy/statistics.ts, quantile.ts, nan-reductions.ts) against JAX
 * 0.10.2: jnp.average, quantile/percentile/median in every method and their NaN-ignoring forms,
 * nansum ... nanargmax, cov, corrcoef and ptp; eagerly, under jit, from the expression language,
 * under grad and vmap, and some printed jaxprs. Expected values: fixtures/jnp_statistics.json,
 * written by fixtures/make_jnp_statistics.py.
 */
import { describe } from 'vitest';
import { runFamily } from './harness.js';

describe('jax.numpy statistics', () => {
  runFamily('statistics', {
    tol: { nanprod_axis1: { rtol: 1e-5 }, cov_both: { rtol: 1e-5 } },
    jaxprs: ['average_axis', 'average_weights', 'nansum_grad', 'nanargmax_keepdims', 'ptp'],
  });
});
