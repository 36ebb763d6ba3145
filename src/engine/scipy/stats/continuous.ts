/**
 * @file Continuous distributions of jax.scipy.stats: norm uniform expon gamma beta chi2 t laplace
 * logistic cauchy, with the methods JAX 0.10.2 has for each (pdf/logpdf, cdf/logcdf, sf/logsf,
 * ppf/isf) and SciPy's loc/scale convention: f(x; loc, scale) = f((x - loc) / scale) / scale.
 * Tails go through the accurate special functions (log_ndtr, gammaincc, betainc with its
 * symmetry, atan2 for the Cauchy CDF) rather than 1 - cdf.
 */
import type { Value } from '../../core/trace.js';
import * as lax from '../../lax/elementwise.js';
import * as sp from '../special.js';
import { logAndExp, method, sel } from './common.js';

type V = Value;

/** log of a probability given it and its complement: log(p) below 1/2, log1p(-(1 - p)) above. */
function logProb(p: V, comp: V): V {
  return sel(lax.lt(p, 0.5), lax.log(p), lax.log1p(lax.neg(comp)));
}
const LOG_2PI_HALF = 0.9189385332046728;
const NEG_INF = Number.NEGATIVE_INFINITY;
const std = (x: V, loc: V, scale: V) => lax.div(lax.sub(x, loc), scale);
const LS = ['loc', 'scale'] as const;
const LS_DEF = [0, 1];

function normLogpdf(x: V, loc: V, scale: V): V {
  const z = std(x, loc, scale);
  return lax.sub(lax.mul(-0.5, lax.mul(z, z)), lax.add(lax.log(scale), LOG_2PI_HALF));
}

export const norm = {
  ...logAndExp('norm', 'pdf', LS, LS_DEF, normLogpdf),
  cdf: method('norm.cdf', 'x', LS, LS_DEF, (x, l, s) => sp.ndtr(std(x, l, s))),
  logcdf: method('norm.logcdf', 'x', LS, LS_DEF, (x, l, s) => sp.log_ndtr(std(x, l, s))),
  sf: method('norm.sf', 'x', LS, LS_DEF, (x, l, s) => sp.ndtr(lax.neg(std(x, l, s)))),
  logsf: method('norm.logsf', 'x', LS, LS_DEF, (x, l, s) => sp.log_ndtr(lax.neg(std(x, l, s)))),
  ppf: method('norm.ppf', 'q', LS, LS_DEF, (q, l, s) => lax.add(lax.mul(sp.ndtri(q), s), l)),
  isf: method('norm.isf', 'q', LS, LS_DEF, (q, l, s) => lax.sub(l, lax.mul(sp.ndtri(q), s))),
};

function inUnit(z: V): V {
  return lax.bitwiseAnd(lax.ge(z, 0), lax.le(z, 1));
}

export const uniform = {
  logpdf: method('uniform.logpdf', 'x', LS, LS_DEF, (x, l, s) =>
    sel(inUnit(std(x, l, s)), lax.neg(lax.log(s)), NEG_INF),
  ),
  pdf: method('uniform.pdf', 'x', LS, LS_DEF, (x, l, s) => sel(inUnit(std(x, l, s)), lax.div(1, s), 0)),
  cdf: method('uniform.cdf', 'x', LS, LS_DEF, (x, l, s) => lax.clamp(0, std(x, l, s), 1)),
  ppf: method('uniform.ppf', 'q', LS, LS_DEF, (q, l, s) =>
    sel(inUnit(q), lax.add(l, lax.mul(q, s)), Number.NaN),
  ),
};

function exponLogpdf(x: V, l: V, s: V): V {
  const z = std(x, l, s);
  return sel(lax.ge(z, 0), lax.sub(lax.neg(z), lax.log(s)), NEG_INF);
}
const posPart = (z: V) => lax.max(z, 0);

export const expon = {
  ...logAndExp('expon', 'pdf', LS, LS_DEF, exponLogpdf),
  cdf: method('expon.cdf', 'x', LS, LS_DEF, (x, l, s) => lax.neg(lax.expm1(lax.neg(posPart(std(x, l, s)))))),
  logcdf: method('expon.logcdf', 'x', LS, LS_DEF, (x, l, s) => {
    const z = std(x, l, s);
    // log(1 - e^-z): log(-expm1(-z)) near 0, log1p(-e^-z) for large z.
    const zs = posPart(z);
    const v = sel(
      lax.lt(zs, Math.LN2),
      lax.log(lax.neg(lax.expm1(lax.neg(zs)))),
      lax.log1p(lax.neg(lax.exp(lax.neg(zs)))),
    );
    return sel(lax.gt(z, 0), v, NEG_INF);
  }),
  sf: method('expon.sf', 'x', LS, LS_DEF, (x, l, s) => lax.exp(lax.neg(posPart(std(x, l, s))))),
  logsf: method('expon.logsf', 'x', LS, LS_DEF, (x, l, s) => lax.neg(posPart(std(x, l, s)))),
  ppf: method('expon.ppf', 'q', LS, LS_DEF, (q, l, s) => {
    const v = lax.add(lax.mul(lax.neg(lax.log1p(lax.neg(q))), s), l);
    return sel(inUnit(q), v, Number.NaN);
  }),
};

function gammaLogpdf(x: V, a: V, l: V, s: V): V {
  const z = std(x, l, s);
  const zs = posPart(z);
  const v = lax.sub(lax.sub(sp.xlogy(lax.sub(a, 1), zs), zs), lax.add(lax.lgamma(a), lax.log(s)));
  return sel(lax.ge(z, 0), v, NEG_INF);
}
const AL = ['a', 'loc', 'scale'] as const;
const AL_DEF = [undefined, 0, 1];
const gcdf = (x: V, a: V, l: V, s: V) => sp.gammainc(a, posPart(std(x, l, s)));
const gsf = (x: V, a: V, l: V, s: V) => sp.gammaincc(a, posPart(std(x, l, s)));

export const gamma = {
  ...logAndExp('gamma', 'pdf', AL, AL_DEF, gammaLogpdf),
  cdf: method('gamma.cdf', 'x', AL, AL_DEF, gcdf),
  logcdf: method('gamma.logcdf', 'x', AL, AL_DEF, (x, a, l, s) => logProb(gcdf(x, a, l, s), gsf(x, a, l, s))),
  sf: method('gamma.sf', 'x', AL, AL_DEF, gsf),
  logsf: method('gamma.logsf', 'x', AL, AL_DEF, (x, a, l, s) => logProb(gsf(x, a, l, s), gcdf(x, a, l, s))),
};

const DF = ['df', 'loc', 'scale'] as const;
const chi2Scale = (s: V) => lax.mul(s, 2);
const half = (d: V) => lax.mul(d, 0.5);
export const chi2 = {
  logpdf: method('chi2.logpdf', 'x', DF, AL_DEF, (x, d, l, s) => gammaLogpdf(x, half(d), l, chi2Scale(s))),
  pdf: method('chi2.pdf', 'x', DF, AL_DEF, (x, d, l, s) => lax.exp(gammaLogpdf(x, half(d), l, chi2Scale(s)))),
  cdf: method('chi2.cdf', 'x', DF, AL_DEF, (x, d, l, s) => gcdf(x, half(d), l, chi2Scale(s))),
  logcdf: method('chi2.logcdf', 'x', DF, AL_DEF, (x, d, l, s) =>
    logProb(gcdf(x, half(d), l, chi2Scale(s)), gsf(x, half(d), l, chi2Scale(s))),
  ),
  sf: method('chi2.sf', 'x', DF, AL_DEF, (x, d, l, s) => gsf(x, half(d), l, chi2Scale(s))),
  logsf: method('chi2.logsf', 'x', DF, AL_DEF, (x, d, l, s) =>
    logProb(gsf(x, half(d), l, chi2Scale(s)), gcdf(x, half(d), l, chi2Scale(s))),
  ),
};

const ABL = ['a', 'b', 'loc', 'scale'] as const;
const ABL_DEF = [undefined, undefined, 0, 1];
function betaLogpdf(x: V, a: V, b: V, l: V, s: V): V {
  const z = std(x, l, s);
  const zs = lax.clamp(0, z, 1);
  const v = lax.sub(
    lax.add(sp.xlogy(lax.sub(a, 1), zs), sp.xlog1py(lax.sub(b, 1), lax.neg(zs))),
    lax.add(sp.betaln(a, b), lax.log(s)),
  );
  return sel(inUnit(z), v, NEG_INF);
}
const bcdf = (x: V, a: V, b: V, l: V, s: V) => sp.betainc(a, b, lax.clamp(0, std(x, l, s), 1));
// I_{1-z}(b, a) keeps the upper tail's digits.
const bsf = (x: V, a: V, b: V, l: V, s: V) => sp.betainc(b, a, lax.sub(1, lax.clamp(0, std(x, l, s), 1)));
export const beta = {
  ...logAndExp('beta', 'pdf', ABL, ABL_DEF, betaLogpdf),
  cdf: method('beta.cdf', 'x', ABL, ABL_DEF, bcdf),
  logcdf: method('beta.logcdf', 'x', ABL, ABL_DEF, (x, a, b, l, s) =>
    logProb(bcdf(x, a, b, l, s), bsf(x, a, b, l, s)),
  ),
  sf: method('beta.sf', 'x', ABL, ABL_DEF, bsf),
  logsf: method('beta.logsf', 'x', ABL, ABL_DEF, (x, a, b, l, s) =>
    logProb(bsf(x, a, b, l, s), bcdf(x, a, b, l, s)),
  ),
};

function tLogpdf(x: V, df: V, l: V, s: V): V {
  const z = std(x, l, s);
  const half1 = lax.mul(lax.add(df, 1), 0.5);
  const norm_ = lax.sub(
    lax.sub(lax.lgamma(half1), lax.lgamma(lax.mul(df, 0.5))),
    lax.add(lax.mul(0.5, lax.log(lax.mul(df, Math.PI))), lax.log(s)),
  );
  return lax.sub(norm_, lax.mul(half1, lax.log1p(lax.div(lax.mul(z, z), df))));
}
export const t = {
  ...logAndExp('t', 'pdf', DF, AL_DEF, tLogpdf),
};

function laplaceLogpdf(x: V, l: V, s: V): V {
  return lax.sub(lax.neg(lax.abs(std(x, l, s))), lax.log(lax.mul(2, s)));
}
export const laplace = {
  ...logAndExp('laplace', 'pdf', LS, LS_DEF, laplaceLogpdf),
  cdf: method('laplace.cdf', 'x', LS, LS_DEF, (x, l, s) => {
    const z = std(x, l, s);
    const h = lax.mul(0.5, lax.exp(lax.neg(lax.abs(z))));
    return sel(lax.lt(z, 0), h, lax.sub(1, h));
  }),
};

function logisticLogpdf(x: V, l: V, s: V): V {
  const a = lax.abs(std(x, l, s));
  return lax.sub(lax.sub(lax.neg(a), lax.mul(2, lax.log1p(lax.exp(lax.neg(a))))), lax.log(s));
}
export const logistic = {
  ...logAndExp('logistic', 'pdf', LS, LS_DEF, logisticLogpdf),
  cdf: method('logistic.cdf', 'x', LS, LS_DEF, (x, l, s) => lax.logistic(std(x, l, s))),
  sf: method('logistic.sf', 'x', LS, LS_DEF, (x, l, s) => lax.logistic(lax.neg(std(x, l, s)))),
  ppf: method('logistic.ppf', 'q', LS, LS_DEF, (q, l, s) => lax.add(lax.mul(sp.logit(q), s), l)),
  isf: method('logistic.isf', 'q', LS, LS_DEF, (q, l, s) => lax.sub(l, lax.mul(sp.logit(q), s))),
};

function cauchyLogpdf(x: V, l: V, s: V): V {
  const z = std(x, l, s);
  return lax.neg(lax.add(lax.add(Math.log(Math.PI), lax.log(s)), lax.log1p(lax.mul(z, z))));
}
// cdf(z) = atan2(1, -z) / pi: no cancellation in the lower tail (0.5 + atan(z)/pi has some).
const ccdf = (x: V, l: V, s: V) =>
  lax.div(lax.atan2(lax.add(lax.mul(x, 0), 1), lax.neg(std(x, l, s))), Math.PI);
const csf = (x: V, l: V, s: V) => lax.div(lax.atan2(lax.add(lax.mul(x, 0), 1), std(x, l, s)), Math.PI);
/** The standard Cauchy quantile -cot(pi q), with 1 - q (exact above 1/2) for the upper half. */
function cauchyQ(q: V): V {
  const lower = lax.le(q, 0.5);
  const r = sel(lower, q, lax.sub(1, q));
  const v = lax.div(1, lax.tan(lax.mul(r, Math.PI)));
  return sel(inUnit(q), sel(lower, lax.neg(v), v), Number.NaN);
}
export const cauchy = {
  ...logAndExp('cauchy', 'pdf', LS, LS_DEF, cauchyLogpdf),
  cdf: method('cauchy.cdf', 'x', LS, LS_DEF, ccdf),
  logcdf: method('cauchy.logcdf', 'x', LS, LS_DEF, (x, l, s) => logProb(ccdf(x, l, s), csf(x, l, s))),
  sf: method('cauchy.sf', 'x', LS, LS_DEF, csf),
  logsf: method('cauchy.logsf', 'x', LS, LS_DEF, (x, l, s) => logProb(csf(x, l, s), ccdf(x, l, s))),
  ppf: method('cauchy.ppf', 'q', LS, LS_DEF, (q, l, s) => lax.add(lax.mul(cauchyQ(q), s), l)),
  isf: method('cauchy.isf', 'q', LS, LS_DEF, (q, l, s) => lax.sub(l, lax.mul(cauchyQ(q), s))),
};
