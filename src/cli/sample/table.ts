/**
 * @file The distributions `tjax sample` draws from, declared as data: each is JAX's name, a summary,
 * and the call it makes, written as a signature in jax.random's own argument order, e.g.
 *
 *     'uniform(key, shape=(), dtype:float, minval=0, maxval=1)'
 *
 * `key`, `shape` and `dtype` are filled in by the command (`shape=()`: JAX's default shape is (),
 * bare `shape`: None, the parameters' broadcast shape; no `shape`: the result's shape follows the
 * parameters); every other argument is a parameter flag of the same name, `name:kind=default`
 * (kinds: array (the default: a number, inline JSON or a SOURCE), number, int, bool, shape, or
 * choices a|b|c; no default: required). `{ ... }` groups arguments into an options object, and
 * `keyData(...)` around a call turns the keys it returns into their uint32 words. The engine
 * function is the camelCase of the call's name in the random namespace; see signature.ts for how
 * a signature is read and called.
 */
import { type Dist, parseSignature } from './signature.js';

const ENTRIES: [name: string, summary: string, signature: string][] = [
  ['uniform', 'uniform on [minval, maxval)', 'uniform(key, shape=(), dtype:float, minval=0, maxval=1)'],
  ['normal', 'standard normal', 'normal(key, shape=(), dtype:float)'],
  [
    'truncated_normal',
    'standard normal truncated to (lower, upper)',
    'truncatedNormal(key, lower, upper, shape, dtype:float)',
  ],
  ['bernoulli', 'booleans, true with probability p', 'bernoulli(key, p=0.5, shape, mode:low|high=low)'],
  ['beta', 'beta(a, b)', 'beta(key, a, b, shape, dtype:float)'],
  [
    'binomial',
    'successes in n trials of probability p (as floats)',
    'binomial(key, n, p, shape, dtype:float)',
  ],
  [
    'categorical',
    'indices drawn with probabilities softmax(logits)',
    'categorical(key, logits, {axis:int=-1, shape, replace:bool=true})',
  ],
  ['cauchy', 'standard Cauchy', 'cauchy(key, shape=(), dtype:float)'],
  ['chisquare', 'chi-square with df degrees of freedom', 'chisquare(key, df, shape, dtype:float)'],
  [
    'choice',
    'elements of a (or of arange(a)), with optional probabilities p',
    'choice(key, a, {shape=(), replace:bool=true, p=None, axis:int=0})',
  ],
  [
    'dirichlet',
    'Dirichlet with concentrations alpha (last axis)',
    'dirichlet(key, alpha, shape, dtype:float)',
  ],
  ['exponential', 'standard exponential', 'exponential(key, shape=(), dtype:float)'],
  ['gamma', 'gamma with shape a, scale 1', 'gamma(key, a, shape, dtype:float)'],
  ['geometric', 'trials until the first success of probability p', 'geometric(key, p, shape, dtype:int)'],
  ['gumbel', 'standard Gumbel', 'gumbel(key, shape=(), dtype:float, mode:low|high|highest=low)'],
  ['laplace', 'standard Laplace', 'laplace(key, shape=(), dtype:float)'],
  ['loggamma', 'log of gamma(a) draws (accurate for small a)', 'loggamma(key, a, shape, dtype:float)'],
  ['logistic', 'standard logistic', 'logistic(key, shape=(), dtype:float)'],
  ['lognormal', 'exp(sigma * normal)', 'lognormal(key, sigma=1, shape, dtype:float)'],
  ['pareto', 'Pareto with shape b', 'pareto(key, b, shape, dtype:float)'],
  [
    'permutation',
    'a shuffle of x (or of arange(x)) along axis',
    'permutation(key, x, axis:int=0, independent:bool=false)',
  ],
  ['poisson', 'Poisson with rate lam', 'poisson(key, lam, shape, dtype:int)'],
  ['rademacher', '-1 or +1 with equal probability', 'rademacher(key, shape=(), dtype:int)'],
  ['randint', 'integers in [minval, maxval)', 'randint(key, shape=(), minval, maxval, dtype:int)'],
  ['t', "Student's t with df degrees of freedom", 't(key, df, shape, dtype:float)'],
  [
    'weibull_min',
    'Weibull with scale and concentration',
    'weibullMin(key, scale, concentration, shape=(), dtype:float)',
  ],
  [
    'ball',
    'uniform in the unit p-norm ball of dimension d',
    'ball(key, d:int, p:number=2, shape=(), dtype:float)',
  ],
  [
    'multivariate_normal',
    'normal with mean and covariance cov',
    'multivariateNormal(key, mean, cov, shape, dtype:float, method:cholesky|eigh|svd=cholesky)',
  ],
  [
    'orthogonal',
    'uniformly random n x n orthogonal matrices',
    'orthogonal(key, n:int, shape=(), dtype:float)',
  ],
  ['rayleigh', 'Rayleigh with scale', 'rayleigh(key, scale, shape, dtype:float)'],
  ['wald', 'Wald (inverse Gaussian) with mean and shape 1', 'wald(key, mean, shape, dtype:float)'],
  [
    'triangular',
    'triangular on [left, right] peaking at mode',
    'triangular(key, left, mode, right, shape, dtype:float)',
  ],
  [
    'maxwell',
    'one-sided Maxwell (the norm of three standard normals)',
    'maxwell(key, shape=(), dtype:float)',
  ],
  [
    'double_sided_maxwell',
    'Maxwell magnitudes with a random sign, scaled by scale about loc',
    'doubleSidedMaxwell(key, loc, scale, shape=(), dtype:float)',
  ],
  [
    'generalized_normal',
    'density proportional to exp(-|x|^p)',
    'generalizedNormal(key, p, shape=(), dtype:float)',
  ],
  ['f', "Fisher's F with dfnum and dfden degrees of freedom", 'f(key, dfnum, dfden, shape, dtype:float)'],
  [
    'multinomial',
    'counts of n trials over the outcomes of p (last axis)',
    'multinomial(key, n, p, {shape, dtype:float})',
  ],
  ['bits', 'uniform random bits as unsigned integers', 'bits(key, shape=(), dtype:uint)'],
  ['split', 'num new keys, printed as rows of two uint32', 'keyData(split(key, num:shape=2))'],
];

/** The distributions by JAX's name, in the order `tjax sample list` shows them. */
export const DISTRIBUTIONS: ReadonlyMap<string, Dist> = new Map(
  ENTRIES.map(([name, summary, signature]) => [name, parseSignature(name, summary, signature)]),
);

/** Every parameter flag any distribution takes (oclif needs them declared up front). */
export const PARAM_FLAGS: readonly string[] = [
  ...new Set([...DISTRIBUTIONS.values()].flatMap((d) => d.params.map((p) => p.flag))),
].sort();

/** JAX's name of a distribution: `truncated-normal`, `truncatedNormal` and `truncated_normal` agree. */
export function canonicalName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/-/g, '_');
}
