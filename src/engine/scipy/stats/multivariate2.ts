/**
 * @file jax.scipy.stats.multinomial (logpmf, pmf over counts on the last axis) and dirichlet
 * (logpdf, pdf over points on the simplex along the first axis, one entry of each point optional),
 * as JAX 0.10.2 writes them (jax/_src/scipy/stats/multinomial.py, dirichlet.py), with its checks
 * and messages.
 */
import { shapeTuple } from '../../core/shape.js';
import type { Value } from '../../core/trace.js';
import * as lax from '../../lax/elementwise.js';
import { broadcastInDim } from '../../lax/structural.js';
import * as jnp from '../../numpy/index.js';
import { promoteArgs, promoteArgsInexact } from '../../numpy/util.js';
import * as sp from '../special.js';

type V = Value;

function multinomialLogpmf(x0: unknown, n0: unknown, p0: unknown): V {
  const [p] = promoteArgsInexact(p0);
  const [xi, ni] = promoteArgs(x0, n0);
  if (!xi.dtype.isInt)
    throw new Error(
      `x and n must be of integer type; got x.dtype=${xi.dtype.name}, n.dtype=${ni.dtype.name}`,
    );
  const x = jnp.astype(xi, p.dtype);
  const n = jnp.astype(ni, p.dtype);
  const lp = lax.lgamma(n.add(1)).add(jnp.sum(sp.xlogy(x, p).sub(lax.lgamma(x.add(1))), { axis: -1 }));
  return jnp.where(jnp.equal(jnp.sum(x), n), lp, Number.NEGATIVE_INFINITY);
}
export const multinomial = {
  logpmf: (x: unknown, n: unknown, p: unknown): V => multinomialLogpmf(x, n, p),
  pmf: (x: unknown, n: unknown, p: unknown): V => lax.exp(multinomialLogpmf(x, n, p)),
};

function dirichletLogpdf(x0: unknown, alpha0: unknown): V {
  let [x, alpha] = promoteArgsInexact(x0, alpha0);
  if (alpha.ndim !== 1)
    throw new Error(`\`alpha\` must be one-dimensional; got alpha.shape=${shapeTuple(alpha.shape)}`);
  const k = alpha.shape[0];
  if (x.shape[0] !== k && x.shape[0] !== k - 1) {
    throw new Error(
      `\`x\` must have either the same number of entries as \`alpha\` or one entry fewer; got x.shape=${shapeTuple(x.shape)}, alpha.shape=${shapeTuple(alpha.shape)}`,
    );
  }
  if (x.shape[0] !== k)
    x = jnp.concatenate([x, lax.sub(1, jnp.sum(x, { axis: 0, keepdims: true }))], { axis: 0 });
  const normalize = jnp.sum(lax.lgamma(alpha)).sub(lax.lgamma(jnp.sum(alpha)));
  if (x.ndim > 1) alpha = broadcastInDim(alpha, [k, ...new Array(x.ndim - 1).fill(1)], [0]);
  const lp = lax.sub(jnp.sum(sp.xlogy(lax.sub(alpha, 1), x), { axis: 0 }), normalize);
  const simplex = jnp
    .all(jnp.greater(x, 0), { axis: 0 })
    .and(jnp.abs(jnp.sum(x, { axis: 0 }).sub(1)).lt(1e-6));
  return jnp.where(simplex, lp, Number.NEGATIVE_INFINITY);
}
export const dirichlet = {
  logpdf: (x: unknown, alpha: unknown): V => dirichletLogpdf(x, alpha),
  pdf: (x: unknown, alpha: unknown): V => lax.exp(dirichletLogpdf(x, alpha)),
};
