/**
 * @file jax.scipy.stats.multivariate_normal: logpdf/pdf(x, mean, cov). The covariance's Cholesky
 * factor is computed by an unrolled column algorithm on its scalar entries (d is static and small
 * in practice), so the whole density is elementwise lax ops that fuse, batch over leading axes
 * of x and differentiate; logpdf = -(d log 2 pi + log det cov + |L^-1 (x - mean)|^2) / 2.
 */

import { ValueError } from '../../core/errors.js';
import { broadcastShapes } from '../../core/shape.js';
import type { Value } from '../../core/trace.js';
import * as lax from '../../lax/elementwise.js';
import { squeeze as laxSqueeze, sliceInDim } from '../../lax/structural.js';
import { broadcastTo, promoteArgsInexact } from '../../numpy/util.js';

type V = Value;

function entry(m: V, axis: number, i: number): V {
  return laxSqueeze(sliceInDim(m, i, i + 1, 1, axis), [axis]);
}

function isOptions(o: unknown): o is Record<string, unknown> {
  return (
    typeof o === 'object' && o !== null && !Array.isArray(o) && Object.getPrototypeOf(o) === Object.prototype
  );
}

function logpdfImpl(xIn: unknown, ...rest: unknown[]): V {
  const opts = rest.length && isOptions(rest[rest.length - 1]) ? (rest.pop() as Record<string, unknown>) : {};
  const meanIn = opts.mean ?? rest[0];
  const covIn = opts.cov ?? rest[1];
  if (meanIn === undefined || covIn === undefined) {
    throw new TypeError(
      "multivariate_normal.logpdf() missing required positional arguments: 'mean' and 'cov'",
    );
  }
  let [x, mean, cov] = promoteArgsInexact(xIn, meanIn, covIn);
  if (mean.ndim === 0) throw new ValueError('multivariate_normal.logpdf got incompatible shapes');
  const d = mean.shape[mean.ndim - 1];
  if (cov.ndim === 0) cov = lax.mul(cov, broadcastTo(1, [d, d]) as V);
  if (
    cov.ndim < 2 ||
    cov.shape[cov.ndim - 1] !== d ||
    cov.shape[cov.ndim - 2] !== d ||
    x.shape[x.ndim - 1] !== d
  ) {
    throw new ValueError('multivariate_normal.logpdf got incompatible shapes');
  }
  const batch = broadcastShapes(
    'multivariate_normal',
    x.shape.slice(0, -1),
    mean.shape.slice(0, -1),
    cov.shape.slice(0, -2),
  );
  x = broadcastTo(x, [...batch, d]);
  mean = broadcastTo(mean, [...batch, d]);
  cov = broadcastTo(cov, [...batch, d, d]);
  const r = cov.ndim - 2;
  const C = (i: number, j: number) => entry(entry(cov, r, i), r, j);
  const L: V[][] = [];
  let logdet: V | null = null;
  for (let j = 0; j < d; j++) {
    L.push([]);
    let s = C(j, j);
    for (let k = 0; k < j; k++) s = lax.sub(s, lax.mul(L[j][k], L[j][k]));
    const ljj = lax.sqrt(s);
    for (let i = 0; i <= j; i++) L[j][i] = i === j ? ljj : L[j][i];
    logdet = logdet ? lax.add(logdet, lax.log(ljj)) : lax.log(ljj);
    for (let i = j + 1; i < d; i++) {
      if (!L[i]) L[i] = [];
      let v = C(i, j);
      for (let k = 0; k < j; k++) v = lax.sub(v, lax.mul(L[i][k], L[j][k]));
      L[i][j] = lax.div(v, ljj);
    }
  }
  // Forward substitution L y = x - mean, and |y|^2.
  const diff = lax.sub(x, mean);
  const y: V[] = [];
  let q: V | null = null;
  for (let i = 0; i < d; i++) {
    let v = entry(diff, r, i);
    for (let k = 0; k < i; k++) v = lax.sub(v, lax.mul(L[i][k], y[k]));
    y.push(lax.div(v, L[i][i]));
    const sq = lax.mul(y[i], y[i]);
    q = q ? lax.add(q, sq) : sq;
  }
  return lax.mul(-0.5, lax.add(lax.add(q!, lax.mul(2, logdet!)), d * Math.log(2 * Math.PI)));
}

export const multivariate_normal = {
  logpdf: (x: unknown, ...rest: unknown[]): V => logpdfImpl(x, ...rest),
  pdf: (x: unknown, ...rest: unknown[]): V => lax.exp(logpdfImpl(x, ...rest)),
};
