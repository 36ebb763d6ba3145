/**
 * @file The distributions `tjax sample` draws from, declared as data: a text table of the call each
 * makes, written as a signature in jax.random's own argument order, and a summary, e.g.
 *
 *     uniform(key, shape=(), dtype:float, minval=0, maxval=1)    uniform on [minval, maxval)
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

/**
 * One distribution a line, in the order `tjax sample list` shows them: its call, then (after two or
 * more spaces) its summary. Its name is JAX's spelling of the called function (`truncatedNormal` is
 * truncated_normal; `keyData(split(...))` is split).
 */
const TABLE = `
uniform(key, shape=(), dtype:float, minval=0, maxval=1)         uniform on [minval, maxval)
normal(key, shape=(), dtype:float)                              standard normal
truncatedNormal(key, lower, upper, shape, dtype:float)          standard normal truncated to (lower, upper)
bernoulli(key, p=0.5, shape, mode:low|high=low)                 booleans, true with probability p
beta(key, a, b, shape, dtype:float)                             beta(a, b)
binomial(key, n, p, shape, dtype:float)                         successes in n trials of probability p (as floats)
categorical(key, logits, {axis:int=-1, shape, replace:bool=true})  indices drawn with probabilities softmax(logits)
cauchy(key, shape=(), dtype:float)                              standard Cauchy
chisquare(key, df, shape, dtype:float)                          chi-square with df degrees of freedom
choice(key, a, {shape=(), replace:bool=true, p=None, axis:int=0})  elements of a (or of arange(a)), with optional probabilities p
dirichlet(key, alpha, shape, dtype:float)                       Dirichlet with concentrations alpha (last axis)
exponential(key, shape=(), dtype:float)                         standard exponential
gamma(key, a, shape, dtype:float)                               gamma with shape a, scale 1
geometric(key, p, shape, dtype:int)                             trials until the first success of probability p
gumbel(key, shape=(), dtype:float, mode:low|high|highest=low)   standard Gumbel
laplace(key, shape=(), dtype:float)                             standard Laplace
loggamma(key, a, shape, dtype:float)                            log of gamma(a) draws (accurate for small a)
logistic(key, shape=(), dtype:float)                            standard logistic
lognormal(key, sigma=1, shape, dtype:float)                     exp(sigma * normal)
pareto(key, b, shape, dtype:float)                              Pareto with shape b
permutation(key, x, axis:int=0, independent:bool=false)         a shuffle of x (or of arange(x)) along axis
poisson(key, lam, shape, dtype:int)                             Poisson with rate lam
rademacher(key, shape=(), dtype:int)                            -1 or +1 with equal probability
randint(key, shape=(), minval, maxval, dtype:int)               integers in [minval, maxval)
t(key, df, shape, dtype:float)                                  Student's t with df degrees of freedom
weibullMin(key, scale, concentration, shape=(), dtype:float)    Weibull with scale and concentration
ball(key, d:int, p:number=2, shape=(), dtype:float)             uniform in the unit p-norm ball of dimension d
multivariateNormal(key, mean, cov, shape, dtype:float, method:cholesky|eigh|svd=cholesky)  normal with mean and covariance cov
orthogonal(key, n:int, shape=(), dtype:float)                   uniformly random n x n orthogonal matrices
rayleigh(key, scale, shape, dtype:float)                        Rayleigh with scale
wald(key, mean, shape, dtype:float)                             Wald (inverse Gaussian) with mean and shape 1
triangular(key, left, mode, right, shape, dtype:float)          triangular on [left, right] peaking at mode
maxwell(key, shape=(), dtype:float)                             one-sided Maxwell (the norm of three standard normals)
doubleSidedMaxwell(key, loc, scale, shape=(), dtype:float)      Maxwell magnitudes with a random sign, scaled by scale about loc
generalizedNormal(key, p, shape=(), dtype:float)                density proportional to exp(-|x|^p)
f(key, dfnum, dfden, shape, dtype:float)                        Fisher's F with dfnum and dfden degrees of freedom
multinomial(key, n, p, {shape, dtype:float})                    counts of n trials over the outcomes of p (last axis)
bits(key, shape=(), dtype:uint)                                 uniform random bits as unsigned integers
keyData(split(key, num:shape=2))                                num new keys, printed as rows of two uint32
`;

/** The distributions by JAX's name, in the order of the table. */
export const DISTRIBUTIONS: ReadonlyMap<string, Dist> = new Map(
  TABLE.trim()
    .split('\n')
    .map((line) => {
      const [signature, summary] = line.split(/ {2,}/) as [string, string];
      const name = canonicalName(/^(?:keyData\()?(\w+)/.exec(signature)![1]!);
      return [name, parseSignature(name, summary, signature)];
    }),
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
