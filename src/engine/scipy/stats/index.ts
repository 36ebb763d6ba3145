/**
 * @file tjax's scipy.stats namespace: `scipy.stats.norm.pdf(x, {loc, scale})`, as
 * jax.scipy.stats (JAX 0.10.2) lays it out.
 */
export { beta, cauchy, chi2, expon, gamma, laplace, logistic, norm, t, uniform } from './continuous.js';
export { bernoulli, binom, geom, poisson } from './discrete.js';
export { multivariate_normal } from './multivariate.js';
