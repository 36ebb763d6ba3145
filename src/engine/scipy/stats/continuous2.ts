/**
 * @file More continuous distributions of jax.scipy.stats: gennorm, gumbel_l, gumbel_r, pareto,
 * truncnorm, vonmises and wrapcauchy, with the methods and parameters JAX 0.10.2 gives each
 * (jax/_src/scipy/stats/*.py) and its formulas: NaN for invalid scales, -inf off the support,
 * truncnorm's log-mass of the normal between two bounds through log_ndtr differences (the far
 * tails mirrored so nothing cancels), and its CDF switching to log1p(-sf) near 1.
 */
import type { Value } from '../../core/trace.js';
import { besselI0e } from '../../lax/bessel.js';
import * as lax from '../../lax/elementwise.js';
import { log1mexp } from '../../nn/index.js';
import * as jnp from '../../numpy/index.js';
import { jit } from '../../transforms/jit.js';
import * as sp from '../special.js';
import { logAndExp, method } from './common.js';
import { norm } from './continuous.js';

type V = Value;
const NAN = Number.NaN;
const NEG_INF = Number.NEGATIVE_INFINITY;
const LS = ['loc', 'scale'] as const;
const LS_DEF = [0, 1];

// ---- gennorm (x, beta) ------------------------------------------------------------------------------

function gennormLogpdf(x: V, beta: V): V {
  return lax.sub(
    lax.sub(lax.log(lax.mul(0.5, beta)), lax.lgamma(lax.div(1, beta))),
    lax.pow(lax.abs(x), beta),
  );
}
export const gennorm = {
  ...logAndExp('gennorm', 'pdf', ['beta'], [undefined], gennormLogpdf),
  cdf: method('gennorm.cdf', 'x', ['beta'], [undefined], (x, b) =>
    lax.mul(0.5, lax.add(1, lax.mul(lax.sign(x), lax.igamma(lax.div(1, b), lax.pow(lax.abs(x), b))))),
  ),
};

// ---- gumbel_l and gumbel_r --------------------------------------------------------------------------

const okScale = (s: V) => lax.gt(s, 0);
const zOf = (x: V, l: V, s: V) => lax.div(lax.sub(x, l), s);
const negLogScale = (s: V) => sp.xlogy(-1, s);

const gumbelLLogcdf = (x: V, l: V, s: V) => {
  const z = zOf(x, l, s);
  return jnp.where(okScale(s), lax.log(lax.neg(lax.expm1(lax.neg(lax.exp(z))))), NAN);
};
const gumbelLLogsf = (x: V, l: V, s: V) => jnp.where(okScale(s), lax.neg(lax.exp(zOf(x, l, s))), NAN);
const gumbelLLogpdf = (x: V, l: V, s: V) => {
  const z = zOf(x, l, s);
  return jnp.where(okScale(s), lax.add(negLogScale(s), lax.sub(z, lax.exp(z))), NAN);
};

export const gumbel_l = {
  ...logAndExp('gumbel_l', 'pdf', LS, LS_DEF, gumbelLLogpdf),
  ...logAndExp('gumbel_l', 'cdf', LS, LS_DEF, gumbelLLogcdf),
  ppf: method('gumbel_l.ppf', 'p', LS, LS_DEF, (p, l, s) => {
    const ok = lax.bitwiseAnd(lax.gt(p, 0), lax.lt(p, 1));
    const q = lax.add(l, lax.mul(s, lax.log(sp.xlog1py(-1, lax.neg(p)))));
    return jnp.where(ok, q, NAN);
  }),
  logsf: method('gumbel_l.logsf', 'x', LS, LS_DEF, gumbelLLogsf),
  sf: method('gumbel_l.sf', 'x', LS, LS_DEF, (x, l, s) => jnp.exp(gumbelLLogsf(x, l, s))),
};

const gumbelRLogpdf = (x: V, l: V, s: V) => {
  const z = zOf(x, l, s);
  return jnp.where(okScale(s), lax.add(negLogScale(s), lax.neg(lax.add(z, lax.exp(lax.neg(z))))), NAN);
};
const gumbelRLogcdf = (x: V, l: V, s: V) =>
  jnp.where(okScale(s), lax.neg(lax.exp(lax.neg(zOf(x, l, s)))), NAN);

export const gumbel_r = {
  ...logAndExp('gumbel_r', 'pdf', LS, LS_DEF, gumbelRLogpdf),
  ...logAndExp('gumbel_r', 'cdf', LS, LS_DEF, gumbelRLogcdf),
  ppf: method('gumbel_r.ppf', 'p', LS, LS_DEF, (p, l, s) => {
    const ok = lax.bitwiseAnd(lax.gt(p, 0), lax.lt(p, 1));
    return jnp.where(ok, lax.sub(l, lax.mul(s, lax.log(sp.xlogy(-1, p)))), NAN);
  }),
  sf: method('gumbel_r.sf', 'x', LS, LS_DEF, (x, l, s) => {
    const negZ = lax.div(lax.sub(l, x), s);
    return jnp.where(okScale(s), lax.sub(1, lax.exp(lax.neg(lax.exp(negZ)))), NAN);
  }),
  logsf: method('gumbel_r.logsf', 'x', LS, LS_DEF, (x, l, s) => {
    const negZ = lax.div(lax.sub(l, x), s);
    return jnp.where(okScale(s), log1mexp(lax.exp(negZ)), NAN);
  }),
};

// ---- pareto (x, b, loc=0, scale=1) ------------------------------------------------------------------

const BLS = ['b', 'loc', 'scale'] as const;
const BLS_DEF = [undefined, 0, 1];
const below = (x: V, l: V, s: V) => lax.lt(x, lax.add(l, s));
const paretoLogpdf = (x: V, b: V, l: V, s: V) => {
  const sx = zOf(x, l, s);
  const v = lax.neg(lax.add(lax.log(lax.div(s, b)), lax.mul(lax.add(b, 1), lax.log(sx))));
  return jnp.where(below(x, l, s), NEG_INF, v);
};
const paretoLogsf = (x: V, b: V, l: V, s: V) =>
  jnp.where(below(x, l, s), 0, lax.neg(lax.mul(b, lax.log(zOf(x, l, s)))));

export const pareto = {
  ...logAndExp('pareto', 'pdf', BLS, BLS_DEF, paretoLogpdf),
  cdf: method('pareto.cdf', 'x', BLS, BLS_DEF, (x, b, l, s) =>
    jnp.where(below(x, l, s), 0, lax.sub(1, lax.pow(zOf(x, l, s), lax.neg(b)))),
  ),
  logcdf: method('pareto.logcdf', 'x', BLS, BLS_DEF, (x, b, l, s) =>
    jnp.where(below(x, l, s), NEG_INF, lax.log1p(lax.neg(lax.pow(zOf(x, l, s), lax.neg(b))))),
  ),
  ...logAndExp('pareto', 'sf', BLS, BLS_DEF, paretoLogsf),
  ppf: method('pareto.ppf', 'q', BLS, BLS_DEF, (q, b, l, s) => {
    const v = lax.add(l, lax.mul(s, lax.pow(lax.sub(1, q), lax.neg(lax.div(1, b)))));
    return jnp.where(jnp.isnan(q).or(q.lt(0)).or(q.gt(1)), NAN, v);
  }),
};

// ---- truncnorm (x, a, b, loc=0, scale=1) ------------------------------------------------------------

/** log(e^x - e^y) by logsumexp with weights (1, -1), as JAX's _log_diff. */
function logDiff(x: V, y: V): V {
  return sp.logsumexp(jnp.stack([x, y]), {
    b: jnp.stack([jnp.onesLike(x), jnp.negative(jnp.onesLike(y))]),
    axis: 0,
  }) as V;
}

/** log of the standard normal's mass on [a, b]: tails by log_ndtr differences, the middle by log1p. */
function logGaussMass(a0: V, b0: V): V {
  const [a, b] = jnp.broadcast_arrays(a0, b0) as V[];
  const left = b.le(0);
  const right = a.gt(0);
  const central = left.or(right).not();
  const aTail = jnp.where(right, b.neg(), a);
  const bTail = jnp.where(right, a.neg(), b);
  const tail = logDiff(sp.log_ndtr(bTail), sp.log_ndtr(aTail));
  const mid = jnp.log1p(sp.ndtr(a).neg().sub(sp.ndtr(b.neg())));
  return jnp.where(central, mid, tail);
}

const truncLogpdf = jit(function logpdf(x: V, a: V, b: V, l: V, s: V): V {
  let v = lax.sub(norm.logpdf(x, l, s), logGaussMass(a, b));
  const xs = zOf(x, l, s);
  v = jnp.where(xs.lt(a).or(xs.gt(b)), NEG_INF, v);
  return jnp.where(a.ge(b), NAN, v);
});

const truncLogcdf = jit(function logcdf(x0: V, a0: V, b0: V, l: V, s: V): V {
  const [xb, a, b] = jnp.broadcast_arrays(x0, a0, b0) as V[];
  const x = zOf(xb, l, s);
  const lgmAB = logGaussMass(a, b);
  const logcdf = logGaussMass(a, x).sub(lgmAB);
  const logsf = logGaussMass(x, b).sub(lgmAB);
  let out = jnp.where(
    x.ge(b),
    0,
    jnp.where(
      x.le(a),
      NEG_INF,
      jnp.where(logcdf.gt(-0.1), jnp.log1p(jnp.exp(logsf).neg()), jnp.where(x.gt(a), logcdf, 0)),
    ),
  );
  out = jnp.where(a.ge(b), NAN, out);
  return out;
});

const truncLogsf = jit(function logsf(x: V, a: V, b: V, l: V, s: V): V {
  return truncLogcdf(x.neg(), b.neg(), a.neg(), l.neg(), s);
});

const ABLS = ['a', 'b', 'loc', 'scale'] as const;
const ABLS_DEF = [undefined, undefined, 0, 1];
export const truncnorm = {
  ...logAndExp('truncnorm', 'pdf', ABLS, ABLS_DEF, truncLogpdf),
  ...logAndExp('truncnorm', 'cdf', ABLS, ABLS_DEF, truncLogcdf),
  ...logAndExp('truncnorm', 'sf', ABLS, ABLS_DEF, truncLogsf),
};

// ---- vonmises (x, kappa), wrapcauchy (x, c) ---------------------------------------------------------

function vonmisesLogpdf(x: V, kappa: V): V {
  const v = kappa.mul(jnp.cos(x).sub(1)).sub(jnp.log(jnp.multiply(2 * Math.PI, besselI0e(kappa))));
  return jnp.where(lax.gt(kappa, 0), v, NAN);
}
export const vonmises = logAndExp('vonmises', 'pdf', ['kappa'], [undefined], vonmisesLogpdf);

function wrapcauchyLogpdf(x: V, c: V): V {
  const inside = lax.ge(x, 0).and(lax.le(x, 2 * Math.PI));
  const v = jnp
    .log(jnp.subtract(1, c.mul(c)))
    .sub(jnp.log(2 * Math.PI))
    .sub(jnp.log(jnp.add(1, c.mul(c)).sub(c.mul(2).mul(jnp.cos(x)))));
  return jnp.where(lax.gt(c, 0).and(lax.lt(c, 1)), jnp.where(inside, v, NEG_INF), NAN);
}
export const wrapcauchy = logAndExp('wrapcauchy', 'pdf', ['c'], [undefined], wrapcauchyLogpdf);
