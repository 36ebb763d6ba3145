/**
 * @file The jax.scipy.special functions of this folder, merged with ../special.ts's into
 * `scipy.special` by ../index.ts. Names are JAX's (snake_case where JAX has an underscore, with a
 * camelCase twin).
 */
export { bessel_jn, besselJn } from './bessel.js';
export { dawsn, erfcx, fresnel, owensT, owensT as owens_t } from './error.js';
export { exp1, expi, expn, sici } from './expint.js';
export {
  beta,
  comb,
  factorial,
  gamma,
  gammasgn,
  loggamma,
  multigammaln,
  poch,
  polygamma,
  zeta,
} from './gamma.js';
export { hyp1f1, hyp2f1 } from './hyper.js';
export { bernoulli, boxcox, boxcox1p, log_softmax, logSoftmax, softmax, spence } from './misc.js';
