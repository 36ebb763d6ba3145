/**
 * @file Discrete distributions of jax.scipy.stats: poisson bernoulli binom geom, with SciPy's
 * conventions (pmf 0 / logpmf -inf off the support, non-integer k included; loc shifts k).
 * log C(n, k) is -log(n + 1) - betaln(n - k + 1, k + 1), which stays accurate for large n.
 */
import type { Value } from '../../core/trace.js';
import * as lax from '../../lax/elementwise.js';
import * as sp from '../special.js';
import { method, sel } from './common.js';

type V = Value;
const NEG_INF = Number.NEGATIVE_INFINITY;
const isInt = (k: V) => lax.eq(k, lax.floor(k));

type Fn = (k: V, ...params: V[]) => V;

/**
 * The methods of the discrete distribution `dist`: logpmf, pmf (its exp) and those in `more`, each
 * `dist.<method>(k, ...names)` (q for ppf), the parameters after k being `names` with `defaults`.
 */
function discrete<W extends string = never>(
  dist: string,
  names: readonly string[],
  defaults: readonly (number | undefined)[],
  logpmf: Fn,
  more?: Record<W, Fn>,
) {
  const m = (what: string, f: Fn) =>
    method(`${dist}.${what}`, what === 'ppf' ? 'q' : 'k', names, defaults, f);
  const rest = Object.entries<Fn>(more ?? {}).map(([what, f]) => [what, m(what, f)]);
  return {
    logpmf: m('logpmf', logpmf),
    pmf: m('pmf', (k, ...params) => lax.exp(logpmf(k, ...params))),
    ...Object.fromEntries(rest),
  } as Record<'logpmf' | 'pmf' | W, ReturnType<typeof method>>;
}

function poissonLogpmf(k: V, mu: V, loc: V): V {
  const x = lax.sub(k, loc);
  const ok = lax.bitwiseAnd(lax.ge(x, 0), isInt(x));
  const xs = sel(ok, x, 0);
  const v = lax.sub(lax.sub(sp.xlogy(xs, mu), lax.lgamma(lax.add(xs, 1))), mu);
  return sel(ok, v, NEG_INF);
}
export const poisson = discrete('poisson', ['mu', 'loc'], [undefined, 0], poissonLogpmf, {
  cdf: (k, mu, l) => {
    const x = lax.floor(lax.sub(k, l));
    return sel(lax.ge(x, 0), sp.gammaincc(lax.add(lax.max(x, 0), 1), mu), 0);
  },
});

function bernoulliLogpmf(k: V, p: V, loc: V): V {
  const x = lax.sub(k, loc);
  const ok = lax.bitwiseOr(lax.eq(x, 0), lax.eq(x, 1));
  const v = sel(lax.eq(x, 1), lax.log(p), lax.log1p(lax.neg(p)));
  return sel(ok, v, NEG_INF);
}
const PL = ['p', 'loc'] as const;
const PL_DEF = [undefined, 0];
export const bernoulli = discrete('bernoulli', PL, PL_DEF, bernoulliLogpmf, {
  cdf: (k, p, l) => {
    const x = lax.sub(k, l);
    return sel(lax.lt(x, 0), 0, sel(lax.lt(x, 1), lax.sub(1, p), 1));
  },
  ppf: (q, p, l) => {
    const v = sel(lax.le(q, lax.sub(1, p)), 0, 1);
    const out = sel(lax.eq(q, 0), -1, v);
    return sel(lax.bitwiseOr(lax.lt(q, 0), lax.gt(q, 1)), Number.NaN, lax.add(out, l));
  },
});

function binomLogpmf(k: V, n: V, p: V, loc: V): V {
  const x = lax.sub(k, loc);
  const ok = lax.bitwiseAnd(lax.bitwiseAnd(lax.ge(x, 0), lax.le(x, n)), isInt(x));
  const xs = sel(ok, x, 0);
  const logComb = lax.neg(lax.add(lax.log1p(n), sp.betaln(lax.add(lax.sub(n, xs), 1), lax.add(xs, 1))));
  const v = lax.add(logComb, lax.add(sp.xlogy(xs, p), sp.xlog1py(lax.sub(n, xs), lax.neg(p))));
  return sel(ok, v, NEG_INF);
}
export const binom = discrete('binom', ['n', 'p', 'loc'], [undefined, undefined, 0], binomLogpmf);

function geomLogpmf(k: V, p: V, loc: V): V {
  const x = lax.sub(k, loc);
  const ok = lax.bitwiseAnd(lax.ge(x, 1), isInt(x));
  const xs = sel(ok, x, 1);
  return sel(ok, lax.add(sp.xlog1py(lax.sub(xs, 1), lax.neg(p)), lax.log(p)), NEG_INF);
}
export const geom = discrete('geom', PL, PL_DEF, geomLogpmf);
