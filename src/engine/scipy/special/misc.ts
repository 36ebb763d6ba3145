/**
 * @file The rest of jax.scipy.special: boxcox and boxcox1p, spence (Cephes' dilogarithm, NaN for
 * x < 0 as in JAX), bernoulli (the first n+1 Bernoulli numbers by Chowla and Hartung's series),
 * and softmax/log_softmax (jax.nn's, over all axes unless told otherwise). Following JAX 0.10.2's
 * jax/_src/scipy/special.py.
 */
import { float32, float64 } from '../../core/dtype.js';
import * as lax from '../../lax/index.js';
import * as nn from '../../nn/index.js';
import * as jnp from '../../numpy/index.js';
import { sl } from '../../numpy/indexing.js';
import { piecewise, polyval, special, type V } from './util.js';

type Axis = number | readonly number[] | null;

function boxcoxWith(log: (x: V) => V) {
  return (x: V, lmbda: V): V => {
    const zero = lmbda.eq(0);
    const safe = jnp.where(zero, jnp.onesLike(lmbda), lmbda);
    const lx = log(x);
    return jnp.where(zero, lx, jnp.expm1(safe.mul(lx)).div(safe));
  };
}
/** boxcox(x, lmbda) = (x^lmbda - 1) / lmbda, log(x) for lmbda = 0. */
export const boxcox = special('boxcox', 2, boxcoxWith(jnp.log));
/** boxcox1p(x, lmbda) = ((1 + x)^lmbda - 1) / lmbda, log1p(x) for lmbda = 0. */
export const boxcox1p = special('boxcox1p', 2, boxcoxWith(jnp.log1p));

// ---- spence -----------------------------------------------------------------------------------------

const SPENCE_A = [
  0.000046512858607399003, 0.007315890452380947, 0.13384763957830903, 0.8796913117545303, 2.7114985119655346,
  4.256971560081218, 3.297713409852251, 1,
];
const SPENCE_B = [
  0.0006909904889125533, 0.02540437639325444, 0.2829748606025681, 1.4117259775183106, 3.6380053334513707,
  5.03278880143317, 3.547713409852251, 1,
];

function spenceCalc(x0: V): V {
  const gt2 = x0.gt(2);
  const x = piecewise(x0, [gt2], [(y) => jnp.reciprocal(y), (y) => y]);
  const gt15 = x.gt(1.5);
  const lt05 = x.lt(0.5);
  const flip = gt2.or(gt15);
  const w = piecewise(x, [gt15, lt05], [(y) => jnp.reciprocal(y).sub(1), (y) => y.neg(), (y) => y.sub(1)]);
  let y = w.neg().mul(polyval(SPENCE_A, w)).div(polyval(SPENCE_B, w));
  y = jnp.where(
    lt05,
    jnp
      .log(x)
      .mul(jnp.log(jnp.subtract(1, x)))
      .neg()
      .add(Math.PI ** 2 / 6)
      .sub(y),
    y,
  );
  return jnp.where(flip, jnp.square(jnp.log(x)).mul(-0.5).sub(y), y);
}

/** spence(x) = int_1^x log(t) / (1 - t) dt for x >= 0 (NaN below); float32 or float64 only. */
export function spence(x: unknown): V {
  const xv = jnp.asarray(x as never) as V;
  if (xv.dtype !== float32 && xv.dtype !== float64)
    throw new TypeError(`x.dtype=${xv.dtype.name} is not supported, see docstring for supported types.`);
  return piecewise(xv, [xv.lt(0), xv.eq(1), xv.eq(0)], [Number.NaN, 0, Math.PI ** 2 / 6, spenceCalc]);
}

// ---- bernoulli --------------------------------------------------------------------------------------

/** bernoulli(n): B_0..B_n (B_1 = -1/2), from B_2k = (-1)^(k+1) 2 (2k)! zeta(2k) / (2 pi)^2k. */
export function bernoulli(n: number): V {
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw new TypeError(`Argument n of bernoulli must be a concrete integer, got ${String(n)}`);
  if (n < 0) throw new Error('n must be a non-negative integer.');
  const b3 = jnp.array([1, -1 / 2, 1 / 6]);
  if (n < 3) return lax.slice(b3, [0], [n + 1]);
  const bn = jnp
    .zeros([n + 1])
    .at.get(sl(null, 3))
    .set(b3);
  const m = jnp.arange(4, n + 1, 2, { dtype: bn.dtype });
  const pi2 = Math.PI ** 2;
  const q1 = jnp.cumprod(m.sub(1).neg().mul(m).div(4).div(pi2)).mul(1 / pi2);
  const kk = jnp.arange(2, 50, 1, { dtype: bn.dtype });
  const q2 = jnp.sum(jnp.power(jnp.expand_dims(kk, 1), jnp.expand_dims(m, 0).neg()), { axis: 0 });
  return bn.at.get(sl(4, null, 2)).set(q1.mul(q2.add(1)));
}

// ---- softmax ----------------------------------------------------------------------------------------

/** softmax(x, {axis=None}): exp(x) / sum(exp(x)) over `axis` (all axes by default). */
export function softmax(x: unknown, opts: { axis?: Axis } = {}): V {
  // JAX passes x to jax.nn.softmax unpromoted: an integer x is shifted by its max as an integer.
  return nn.softmax(x, { axis: opts.axis ?? null });
}

/** log_softmax(x, {axis=None}): x - logsumexp(x) over `axis` (all axes by default). */
export function logSoftmax(x: unknown, opts: { axis?: Axis } = {}): V {
  return nn.logSoftmax(x, { axis: opts.axis ?? null });
}
export { logSoftmax as log_softmax };
