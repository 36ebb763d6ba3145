/**
 * @file The `random` namespace: jax.random in camelCase. Keys, split, foldIn and bits follow
 * JAX's threefry2x32 bit for bit in both counter layouts (`config.threefryPartitionable`); see
 * keys.ts for the key representation and samplers.ts for which samplers match JAX's draws.
 */

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
  PRNGKeyArray,
  split,
  wrapKeyData,
} from './keys.js';
export { type MvnMethod, multivariateNormal, orthogonal } from './multivariate.js';
export {
  ball,
  bernoulli,
  beta,
  binomial,
  categorical,
  cauchy,
  chisquare,
  choice,
  dirichlet,
  exponential,
  gamma,
  geometric,
  gumbel,
  laplace,
  loggamma,
  logistic,
  lognormal,
  normal,
  pareto,
  permutation,
  poisson,
  rademacher,
  randint,
  t,
  truncatedNormal,
  uniform,
  weibullMin,
} from './samplers.js';
