/**
 * @file The `random` namespace: jax.random in camelCase. Keys, split, foldIn and bits follow
 * JAX's threefry2x32 bit for bit in both counter layouts (`config.threefryPartitionable`); see
 * keys.ts for the key representation, and continuous.ts, discrete.ts and gamma.ts for which
 * samplers match JAX's draws.
 */

export {
  cauchy,
  exponential,
  gumbel,
  laplace,
  logistic,
  lognormal,
  normal,
  pareto,
  truncatedNormal,
  uniform,
  weibullMin,
} from './continuous.js';
export { bernoulli, binomial, categorical, geometric, poisson, rademacher, randint } from './discrete.js';
export {
  doubleSidedMaxwell,
  f,
  generalizedNormal,
  keyDtype,
  maxwell,
  multinomial,
  rayleigh,
  TypePromotionError,
  triangular,
  wald,
} from './distributions.js';
export { ball, beta, chisquare, dirichlet, gamma, loggamma, t } from './gamma.js';
export {
  bits,
  clone,
  foldIn,
  isKeyArray,
  type KeyLike,
  key,
  keyData,
  keyImpl,
  PRNGKey,
  type PRNGKeyArray,
  split,
  wrapKeyData,
} from './keys.js';
export { type MvnMethod, multivariateNormal, orthogonal } from './multivariate.js';
export { choice, permutation } from './permutation.js';
