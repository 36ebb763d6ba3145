/**
 * @file More discrete distributions of jax.scipy.stats: betabinom and nbinom (logpmf, pmf) and
 * poisson.entropy, with JAX 0.10.2's formulas (jax/_src/scipy/stats/betabinom.py, nbinom.py,
 * poisson.py): log C(n, k) as -log1p(n) - betaln(n - k + 1, k + 1), NaN for invalid parameters,
 * and the Poisson entropy summed over a fixed range of k for small and medium means (so it jits)
 * and by its asymptotic series for mu >= 100.
 */
import type { Value } from '../../core/trace.js';
import * as lax from '../../lax/elementwise.js';
import * as jnp from '../../numpy/index.js';
import { promoteArgsInexact } from '../../numpy/util.js';
import { jit } from '../../transforms/jit.js';
import * as sp from '../special.js';
import { method } from './common.js';
import { poisson as poissonBase } from './discrete.js';

type V = Value;

const betabinomLogpmf = jit(function logpmf(k: V, n: V, a: V, b: V, loc: V): V {
  const y = lax.sub(lax.floor(k), loc);
  const one = 1;
  const combiln = lax.neg(lax.add(lax.log1p(n), sp.betaln(lax.add(lax.sub(n, y), one), lax.add(y, one))));
  const betaLns = lax.sub(sp.betaln(lax.add(y, a), lax.add(lax.sub(n, y), b)), sp.betaln(a, b));
  let lp = lax.add(combiln, betaLns);
  lp = jnp.where(lax.eq(y, 0).and(lax.eq(n, 0)), 0, lp);
  const yBad = lax
    .lt(y, lax.neg(loc))
    .or(lax.gt(y, n))
    .or(lax.le(lax.add(y, a), 0));
  lp = jnp.where(yBad, Number.NEGATIVE_INFINITY, lp);
  const bad = lax.lt(n, 0).or(lax.le(a, 0)).or(lax.le(b, 0));
  return jnp.where(bad, Number.NaN, lp);
});
const NAB = ['n', 'a', 'b', 'loc'] as const;
const NAB_DEF = [undefined, undefined, undefined, 0];
export const betabinom = {
  logpmf: method('betabinom.logpmf', 'k', NAB, NAB_DEF, (k, n, a, b, l) => betabinomLogpmf(k, n, a, b, l)),
  pmf: method('betabinom.pmf', 'k', NAB, NAB_DEF, (k, n, a, b, l) => lax.exp(betabinomLogpmf(k, n, a, b, l))),
};

function nbinomLogpmf(k: V, n: V, p: V, loc: V): V {
  const y = lax.sub(k, loc);
  const comb = lax.sub(lax.sub(lax.lgamma(lax.add(y, n)), lax.lgamma(n)), lax.lgamma(lax.add(y, 1)));
  const lin = lax.add(sp.xlogy(n, p), sp.xlogy(y, lax.sub(1, p)));
  return jnp.where(lax.lt(k, loc), Number.NEGATIVE_INFINITY, lax.add(comb, lin));
}
const NPL = ['n', 'p', 'loc'] as const;
const NPL_DEF = [undefined, undefined, 0];
export const nbinom = {
  logpmf: method('nbinom.logpmf', 'k', NPL, NPL_DEF, nbinomLogpmf),
  pmf: method('nbinom.pmf', 'k', NPL, NPL_DEF, (k, n, p, l) => lax.exp(nbinomLogpmf(k, n, p, l))),
};

/** sum_k entr(pmf(k)) over k < maxK, masked to k < bound(mu). */
function entropySum(mu: V, maxK: number, bound: (mu: V) => V): V {
  const kk = jnp.expand_dims(jnp.arange(maxK, { dtype: mu.dtype }), 1);
  const probs = poissonBase.pmf(kk, mu, 0);
  const upper = jnp.astype(jnp.ceil(bound(mu)), kk.dtype);
  const masked = jnp.where(jnp.less(kk, jnp.expand_dims(upper, 0)), probs, 0);
  return jnp.sum(sp.entr(masked), { axis: 0 });
}

const poissonEntropy = jit(function entropy(mu: V, loc: V): V {
  const [pm, pl] = promoteArgsInexact(mu, loc);
  const shape = jnp.broadcast_shapes(pm.shape, pl.shape) as number[];
  const flat = jnp.ravel(pm);
  const small = entropySum(flat, 35, (m) => jnp.add(m, 20));
  const medium = entropySum(flat, 250, (m) => jnp.add(jnp.add(m, jnp.multiply(10, jnp.sqrt(m))), 20));
  const large = jnp.subtract(
    jnp.multiply(0.5, jnp.log(jnp.multiply(2 * Math.PI * Math.E, flat))),
    jnp.true_divide(1, jnp.multiply(12, flat)),
  );
  const r = jnp.where(
    jnp.equal(flat, 0),
    jnp.zerosLike(flat),
    jnp.where(jnp.less(flat, 10), small, jnp.where(jnp.less(flat, 100), medium, large)),
  );
  return jnp.broadcast_to(jnp.reshape(r, pm.shape), shape);
});

/** poisson with JAX's methods: logpmf, pmf, cdf (discrete.ts) and entropy(mu, loc=0). */
export const poisson = {
  ...poissonBase,
  entropy: (mu: unknown, loc: unknown = 0): V =>
    poissonEntropy(jnp.asarray(mu as never), jnp.asarray(loc as never)),
};
