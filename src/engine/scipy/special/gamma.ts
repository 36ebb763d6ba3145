/**
 * @file The gamma family of jax.scipy.special beyond gammaln/digamma: gammasgn, gamma, loggamma,
 * factorial, comb, beta, poch, multigammaln, polygamma and the Hurwitz zeta, each as JAX 0.10.2
 * writes it (jax/_src/scipy/special.py): the same compositions of lax operations, the same
 * edge-case values, and JAX's custom JVPs for poch and zeta (zeta's derivative is the JVP of
 * Johansson's series expansion, whose value JAX also returns as the primal under differentiation).
 */
import { hostArray, toValue } from '../../core/coerce.js';
import * as lax from '../../lax/index.js';
import * as jnp from '../../numpy/index.js';
import { customJvp, jvp as jvpOf } from '../../transforms/api.js';
import { namedJit } from '../../transforms/jit.js';
import { betaln } from '../special.js';
import { finfo, k, promote, special, type V } from './util.js';

const NAN = Number.NaN;

/** gammasgn(x): the sign of Gamma(x); NaN at poles, -inf and NaN; -1 for -0. */
const gammasgnJit = namedJit('gammasgn', function gammasgn(x: V): V {
  const floorX = lax.floor(x);
  const neg = x.lt(0);
  return jnp.select(
    [
      neg.and(x.eq(floorX)).or(jnp.isnan(x)),
      neg.and(jnp.remainder(floorX, 2).ne(0)).or(x.eq(0).and(jnp.signbit(x))),
    ],
    [k(x, NAN), k(x, -1)],
    { default: k(x, 1) },
  );
});
export const gammasgn = special('gammasgn', 1, (x) => gammasgnJit(x));

/** gamma(x) = gammasgn(x) exp(lgamma(x)). */
export const gamma = special('gamma', 1, (x) => gammasgnJit(x).mul(lax.exp(lax.lgamma(x))));

/** loggamma(x): log Gamma(x) for x > 0, NaN elsewhere (real inputs). */
export const loggamma = special('loggamma', 1, (x) => jnp.where(x.gt(0), lax.lgamma(x), NAN));

/** factorial(n, exact=false) = Gamma(n + 1) as a float; 0 for n < 0. */
export function factorial(n: unknown, exact = false): V {
  if (exact) {
    const e = new Error('factorial with exact=True');
    e.name = 'NotImplementedError';
    throw e;
  }
  const [x] = promote('factorial', n);
  return jnp.where(x.lt(0), 0, lax.exp(lax.lgamma(x.add(1))));
}

/** comb(N, k, {repetition}): binomial coefficients through gammaln; 0 outside 0 <= k <= N. */
export function comb(N: unknown, kk: unknown, opts: { repetition?: boolean } = {}): V {
  const [n, m] = promote('comb', N, kk);
  if (opts.repetition) {
    const cond = m.eq(0).and(n.ge(0));
    return jnp.where(cond, 1, comb(n.add(m).sub(1), m));
  }
  const cond = m.le(n).and(n.ge(0)).and(m.ge(0));
  const sn = jnp.where(cond, n, 0);
  const sk = jnp.where(cond, m, 0);
  const r = lax.exp(
    lax
      .lgamma(sn.add(1))
      .sub(lax.lgamma(sk.add(1)))
      .sub(lax.lgamma(sn.add(1).sub(sk))),
  );
  return jnp.where(cond, r, 0);
}

/** beta(a, b) = sign * exp(betaln(a, b)), the sign from gammasgn of a, b and a + b. */
export const beta = special('beta', 2, (a, b) => {
  const sign = gammasgnJit(a)
    .mul(gammasgnJit(b))
    .mul(gammasgnJit(a.add(b)));
  return sign.mul(lax.exp(betaln(a, b)));
});

const pochImpl = customJvp(function poch(z: V, m: V): V {
  return jnp.where(m.eq(0), k(z, 1), gamma(z.add(m)).div(gamma(z)));
});
pochImpl.defjvps(
  (zDot: V, _out: V, z: V, m: V) => lax.digamma(z.add(m)).sub(lax.digamma(z)).mul(pochImpl(z, m)).mul(zDot),
  (mDot: V, _out: V, z: V, m: V) => lax.digamma(z.add(m)).mul(pochImpl(z, m)).mul(mDot),
);
/** poch(z, m) = Gamma(z + m) / Gamma(z), the rising factorial; 1 for m = 0. */
export const poch = special('poch', 2, (z, m) => pochImpl(z, m));

/** multigammaln(a, d) = log of the multivariate gamma function Gamma_d(a). */
export function multigammaln(a: unknown, d: number): V {
  if (typeof d !== 'number' || !Number.isInteger(d))
    throw new TypeError(`d argument of multigammaln must be a concrete integer, got ${String(d)}`);
  const [av, dv] = promote('multigammaln', a, d);
  const constant = lax.mul(lax.mul(lax.mul(k(av, 0.25), dv), lax.sub(dv, k(av, 1))), lax.log(k(av, Math.PI)));
  const b = lax.div(jnp.arange(d, { dtype: dv.dtype }), k(av, 2));
  const terms = lax.lgamma(
    jnp.expand_dims(av, -1).sub(
      jnp.expand_dims(
        b,
        Array.from({ length: av.ndim }, (_, i) => i),
      ),
    ),
  );
  return jnp.sum(terms, { axis: -1 }).add(constant);
}

/** polygamma(n, x): the n-th derivative of digamma; n must have an integer dtype. */
export function polygamma(n: unknown, x: unknown): V {
  const ndt = toValue(n as never).dtype;
  if (!ndt.isInt)
    throw new Error(`Argument \`n\` to polygamma must be of integer type. Got dtype ${ndt.name}.`);
  const [na, xa] = promote('polygamma', n, x);
  return lax.polygamma(na, xa);
}

// (2k)! / B_2k for k = 1, 2, ...: the Euler-Maclaurin coefficients of Johansson's expansion
// (the expansion divides every other cumulative product by them, the first M of them).
// (2k)!/B_2k as doubles: 12, -720, 30240, -1209600, 47900160, -1307674368000/691, ...
const BERNOULLI_COEFS = [
  12, -720, 30240, -1209600, 47900160, -1892437580.3183792, 74724249600, -2950130727918.164,
  116467828143500.67, -4597978722407473, 1.8152105401943546e17, -7.166165256175667e18, 2.82908877253043e20,
  -1.1168794925000445e22, 4.4092635141854666e23, -1.7407074646225822e25,
];

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * zeta(s, a) by Johansson's formula (5) (arXiv:1309.2877) with N = M = 8 (float32) or 16: the
 * expansion JAX differentiates to get zeta's derivatives.
 */
function zetaSeries(x: V, q: V): V {
  const [s0, a0] = promote('zeta', x, q);
  const shape = jnp.broadcast_shapes(s0.shape, a0.shape) as number[];
  const s = jnp.broadcast_to(s0, shape);
  const a = jnp.broadcast_to(a0, shape);
  const dt = a.dtype;
  const n = dt.itemsize === 4 ? 8 : 16;
  const lead = Array.from({ length: shape.length }, (_, i) => i);
  const sE = jnp.expand_dims(s, -1);
  const aE = jnp.expand_dims(a, -1);
  // np.arange and np.expand_dims: host constants, as JAX's expansion makes them (not iota).
  const kk = jnp.expand_dims(hostArray(range(n), { dtype: dt }), lead);
  const S = jnp.sum(jnp.power(aE.add(kk), sE.neg()), { axis: -1 });
  // JAX writes a + N twice (in I and in T0), so it is computed twice.
  const I = lax.div(jnp.power(a.add(k(a, n)), k(a, 1).sub(s)), s.sub(k(a, 1)));
  const T0 = jnp.power(a.add(k(a, n)), s.neg());
  const m = jnp.expand_dims(hostArray(range(2 * n), { dtype: dt }), lead);
  const ratio = sE.add(m).div(aE.add(k(a, n)));
  const cp = jnp.cumprod(ratio, { axis: -1 });
  const every2 = lax.slice(
    cp,
    cp.shape.map(() => 0),
    cp.shape,
    cp.shape.map((_, d) => (d === cp.ndim - 1 ? 2 : 1)),
  );
  // finfo(dtype).max is a NumPy scalar of the dtype: a strong constant, so clip converts nothing.
  const T1 = jnp.clip(every2, null, hostArray(finfo(dt).max, { dtype: dt }));
  const nc = T1.shape[T1.ndim - 1];
  // np.expand_dims of a NumPy array: one host constant of shape (1, ..., 1, nc).
  const coefs = hostArray(
    lead.reduce((c: unknown) => [c], BERNOULLI_COEFS.slice(0, nc)),
    { dtype: dt },
  );
  const T = T0.mul(k(a, 0.5).add(jnp.sum(T1.div(coefs), { axis: -1 })));
  return S.add(I).add(T);
}

const zetaImpl = customJvp(function zeta(x: V, q: V): V {
  const [xv, qv] = promote('zeta', x, q);
  return lax.zeta(xv, qv);
});
// JAX's rule is partial(jvp, _zeta_series_expansion), which prints as `jvp=jvp`.
zetaImpl.defjvp(function jvp(primals: V[], tangents: V[]) {
  return jvpOf(zetaSeries, primals, tangents);
});

/**
 * zeta(x, q): the Hurwitz zeta function sum_n (n + q)^-x (lax.zeta). JAX does not implement the
 * Riemann zeta (q = None).
 */
export function zeta(x: unknown, q: unknown = null): V {
  if (q === null || q === undefined) {
    const e = new Error(
      'Riemann zeta function not implemented; pass q != None to compute the Hurwitz Zeta function.',
    );
    e.name = 'NotImplementedError';
    throw e;
  }
  return zetaImpl(toValue(x as never), toValue(q as never));
}
