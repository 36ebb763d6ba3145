/**
 * @file jax.scipy.stats.gaussian_kde: a Gaussian kernel density estimate over a (d, n) dataset
 * with optional weights and Scott's, Silverman's, a scalar or a callable bandwidth, as JAX 0.10.2
 * implements it (jax/_src/scipy/stats/kde.py): the weighted sample covariance scaled by the
 * factor squared, evaluation by whitening with the Cholesky factor of the inverse covariance
 * (vmapped kernel sums, logsumexp for logpdf), integrate_gaussian / integrate_kde through a
 * Cholesky solve, integrate_box_1d through ndtr, resample through choice + multivariate_normal.
 * The object is a pytree (its five arrays), so it passes through jit and vmap.
 */

import { NotImplementedError } from '../../core/errors.js';
import { registerPytreeNode } from '../../core/pytree.js';
import type { Value } from '../../core/trace.js';
import * as lax from '../../lax/index.js';
import * as jnp from '../../numpy/index.js';
import { promoteArgsInexact } from '../../numpy/util.js';
import { twoKeys } from '../../random/common.js';
import { type KeyLike, typedKey } from '../../random/keys.js';
import { multivariateNormal } from '../../random/multivariate.js';
import { choice } from '../../random/permutation.js';
import { vmap } from '../../transforms/api.js';
import { jit } from '../../transforms/jit.js';
import * as sp from '../special.js';

type V = Value;
export type BwMethod = null | 'scott' | 'silverman' | number | V | ((kde: gaussian_kde) => V);

/** jnp.cov(X, rowvar=True, bias=False, aweights=w) for a (d, n) X and normalized weights. */
function weightedCov(X: V, w: V): V {
  const wSum = jnp.sum(w);
  const avg = jnp.true_divide(jnp.sum(jnp.multiply(X, w), { axis: 1 }), wSum);
  const f = jnp.subtract(wSum, jnp.true_divide(jnp.sum(jnp.multiply(w, w)), wSum));
  const Xc = jnp.subtract(X, jnp.expand_dims(avg, 1));
  const XT = jnp.transpose(jnp.multiply(Xc, jnp.expand_dims(w, 0)));
  return jnp.squeeze(jnp.true_divide(jnp.dot(Xc, XT), f));
}

/** A Cholesky factorization of a symmetric positive definite matrix, as cho_factor's (c, lower). */
function choSolve(lower: V, b: V): V {
  const y = lax.linalg.triangularSolve(lower, b, { leftSide: true, lower: true });
  return lax.linalg.triangularSolve(lower, y, { leftSide: true, lower: true, transposeA: true });
}

const kernelEval = jit(
  function _gaussian_kernel_eval(inLog: boolean, points0: V, values0: V, xi0: V, precision0: V): V {
    const [points, values, xi, precision] = promoteArgsInexact(points0, values0, xi0, precision0);
    const d = points.shape[1];
    if (xi.shape[1] !== d) throw new Error('points and xi must have same trailing dim');
    if (precision.shape.join() !== [d, d].join()) throw new Error('precision matrix must match data dims');
    const whitening = lax.linalg.cholesky(precision);
    const p = jnp.dot(points, whitening);
    const x = jnp.dot(xi, whitening);
    const logNorm = jnp.subtract(jnp.sum(jnp.log(jnp.diagonal(whitening))), 0.5 * d * Math.log(2 * Math.PI));
    const kernel = (xTest: V, xTrain: V, yTrain: V): V => {
      const arg = jnp.subtract(logNorm, jnp.multiply(0.5, jnp.sum(jnp.square(jnp.subtract(xTrain, xTest)))));
      return inLog ? jnp.add(jnp.log(yTrain), arg) : jnp.multiply(yTrain, jnp.exp(arg));
    };
    const reduced = (xx: V): V => {
      const k = vmap(kernel, { inAxes: [null, 0, 0] })(xx, p, values) as V;
      return inLog ? (sp.logsumexp(k, { axis: 0 }) as V) : jnp.sum(k, { axis: 0 });
    };
    return vmap(reduced)(x) as V;
  },
  { staticArgnums: [0] },
);

function convolve(chol: V, norm: V, target: V, weights: V, mean: V): V {
  const diff = jnp.subtract(target, jnp.expand_dims(mean, 1));
  const alpha = choSolve(chol, diff);
  const arg = jnp.multiply(0.5, jnp.sum(jnp.multiply(diff, alpha), { axis: 0 }));
  return jnp.multiply(norm, jnp.sum(jnp.multiply(jnp.exp(jnp.negative(arg)), weights)));
}

/** jax.scipy.stats.gaussian_kde(dataset, bw_method=None, weights=None). */
export class gaussian_kde {
  readonly neff!: V;
  readonly dataset!: V;
  readonly weights!: V;
  readonly covariance!: V;
  readonly inv_cov!: V;

  constructor(dataset: unknown, bwMethod: BwMethod = null, weights: unknown = null) {
    if (dataset === undefined) return; // pytree unflatten fills the fields
    let data = jnp.atleast_2d(jnp.asarray(dataset as never)) as V;
    if (!(data.size > 1)) throw new Error('`dataset` input should have multiple elements.');
    const [d, n] = data.shape;
    let w: V;
    if (weights !== null && weights !== undefined) {
      [data, w] = promoteArgsInexact(data, weights);
      w = jnp.atleast_1d(w) as V;
      w = jnp.true_divide(w, jnp.sum(w));
      if (w.ndim !== 1) throw new Error('`weights` input should be one-dimensional.');
      if (w.shape[0] !== n) throw new Error('`weights` input should be of length n');
    } else {
      [data] = promoteArgsInexact(data);
      w = jnp.full([n], 1 / n, { dtype: data.dtype });
    }
    const self = this as { -readonly [K in keyof gaussian_kde]: gaussian_kde[K] };
    self.dataset = data;
    self.weights = w;
    self.neff = jnp.true_divide(1, jnp.sum(jnp.power(w, 2)));
    const bw = bwMethod ?? 'scott';
    let factor: V;
    if (bw === 'scott') factor = jnp.power(this.neff, -1 / (d + 4));
    else if (bw === 'silverman')
      factor = jnp.power(jnp.true_divide(jnp.multiply(this.neff, d + 2), 4), -1 / (d + 4));
    else if (
      typeof bw === 'number' ||
      (typeof bw === 'object' && bw !== null && 'shape' in bw && bw.ndim === 0)
    )
      factor = jnp.asarray(bw as never) as V;
    else if (typeof bw === 'function') factor = bw(this);
    else throw new Error("`bw_method` should be 'scott', 'silverman', a scalar, or a callable.");
    const cov = jnp.atleast_2d(weightedCov(data, w)) as V;
    const invCov = jnp.linalg.inv(cov);
    self.covariance = jnp.multiply(cov, jnp.power(factor, 2));
    self.inv_cov = jnp.true_divide(invCov, jnp.power(factor, 2));
  }

  get d(): number {
    return this.dataset.shape[0];
  }
  get n(): number {
    return this.dataset.shape[1];
  }
  /** camelCase alias of inv_cov. */
  get invCov(): V {
    return this.inv_cov;
  }

  private reshapePoints(points: unknown): V {
    let p = jnp.atleast_2d(jnp.asarray(points as never)) as V;
    const [d, m] = p.shape;
    if (d !== this.d) {
      if (d === 1 && m === this.d) p = jnp.reshape(p, [this.d, 1]);
      else throw new Error(`points have dimension ${d}, dataset has dimension ${this.d}`);
    }
    return p;
  }

  /** The density at each of the (d, m) points. */
  evaluate(points: unknown): V {
    return this.kernelAt(points, false);
  }
  pdf(x: unknown): V {
    return this.evaluate(x);
  }
  logpdf(x: unknown): V {
    return this.kernelAt(x, true);
  }

  /** The density (log: its log) at each of the points. */
  private kernelAt(points: unknown, log: boolean): V {
    const p = this.reshapePoints(points);
    const r = kernelEval(
      log,
      jnp.transpose(this.dataset),
      jnp.expand_dims(this.weights, 1),
      jnp.transpose(p),
      this.inv_cov,
    );
    return lax.squeeze(lax.sliceInDim(r, 0, 1, 1, 1), [1]);
  }

  private cholNorm(cov: V): [V, V] {
    const chol = lax.linalg.cholesky(jnp.add(this.covariance, cov));
    const norm = jnp.true_divide(
      1,
      jnp.multiply(jnp.power(Math.sqrt(2 * Math.PI), this.d), jnp.prod(jnp.diagonal(chol))),
    );
    return [chol, norm];
  }

  /** The integral of the density times a Gaussian of the given mean and covariance. */
  integrate_gaussian(mean: unknown, cov: unknown): V {
    const m = jnp.atleast_1d(jnp.squeeze(jnp.asarray(mean as never))) as V;
    const c = jnp.atleast_2d(jnp.asarray(cov as never)) as V;
    if (m.shape.join() !== String(this.d)) throw new Error(`mean does not have dimension ${this.d}`);
    if (c.shape.join() !== [this.d, this.d].join())
      throw new Error(`covariance does not have dimension ${this.d}`);
    const [chol, norm] = this.cholNorm(c);
    return convolve(chol, norm, this.dataset, this.weights, m);
  }

  /** The density's mass on [low, high] (one-dimensional data). */
  integrate_box_1d(low: unknown, high: unknown): V {
    if (this.d !== 1) throw new Error('integrate_box_1d() only handles 1D pdfs');
    const lo = jnp.asarray(low as never) as V;
    const hi = jnp.asarray(high as never) as V;
    if (lo.ndim !== 0 || hi.ndim !== 0)
      throw new Error('the limits of integration in integrate_box_1d must be scalars');
    const sigma = jnp.squeeze(jnp.sqrt(this.covariance));
    const l = jnp.squeeze(jnp.true_divide(jnp.subtract(lo, this.dataset), sigma));
    const h = jnp.squeeze(jnp.true_divide(jnp.subtract(hi, this.dataset), sigma));
    return jnp.sum(jnp.multiply(this.weights, jnp.subtract(sp.ndtr(h), sp.ndtr(l))));
  }

  /** The integral of the product of this density and another KDE's. */
  integrate_kde(other: gaussian_kde): V {
    if (other.d !== this.d) throw new Error('KDEs are not the same dimensionality');
    const [chol, norm] = this.cholNorm(other.covariance);
    const [sm, lg] = this.n < other.n ? [this as gaussian_kde, other] : [other, this as gaussian_kde];
    const r = vmap((m: V) => convolve(chol, norm, lg.dataset, lg.weights, m), { inAxes: 1 })(sm.dataset) as V;
    return jnp.sum(jnp.multiply(r, sm.weights));
  }

  /** Draws from the density: a data point by weight plus a Gaussian of the kernel covariance. */
  resample(key: KeyLike, shape: number | readonly number[] = []): V {
    const s = typeof shape === 'number' ? [shape] : [...shape];
    const [indKey, epsKey] = twoKeys(typedKey('resample', key).key);
    const ind = choice(indKey, this.n, { shape: s, p: this.weights });
    const eps = jnp.transpose(
      multivariateNormal(
        epsKey,
        jnp.zeros([this.d], { dtype: this.covariance.dtype }),
        this.covariance,
        s,
        this.dataset.dtype,
      ),
    );
    return jnp.add(jnp.take(this.dataset, ind, { axis: 1 }), eps);
  }

  integrate_box(_low: unknown, _high: unknown, _maxpts?: unknown): never {
    throw new NotImplementedError('only 1D box integrations are supported; use `integrate_box_1d`');
  }
  set_bandwidth(_bw?: unknown): never {
    throw new NotImplementedError('dynamically changing the bandwidth method is not supported');
  }
}

registerPytreeNode(gaussian_kde, {
  name: 'gaussian_kde',
  flatten: (k) => [[k.neff, k.dataset, k.weights, k.covariance, k.inv_cov], null],
  unflatten: (_aux, [neff, dataset, weights, covariance, invCov]) => {
    const k = new gaussian_kde(undefined);
    Object.assign(k, { neff, dataset, weights, covariance, inv_cov: invCov });
    return k;
  },
});
