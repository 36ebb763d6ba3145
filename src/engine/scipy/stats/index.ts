/**
 * @file tjax's scipy.stats namespace: `scipy.stats.norm.pdf(x, {loc, scale})`, as
 * jax.scipy.stats (JAX 0.10.2) lays it out.
 */
export { beta, cauchy, chi2, expon, gamma, laplace, logistic, norm, t, uniform } from './continuous.js';
export { gennorm, gumbel_l, gumbel_r, pareto, truncnorm, vonmises, wrapcauchy } from './continuous2.js';
export { bernoulli, binom, geom } from './discrete.js';
export { betabinom, nbinom, poisson } from './discrete2.js';
export { gaussian_kde } from './kde.js';
export { multivariate_normal } from './multivariate.js';
export { dirichlet, multinomial } from './multivariate2.js';
export { mode, rankdata, sem } from './summary.js';
