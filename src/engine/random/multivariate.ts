/**
 * @file jax.random.multivariate_normal and jax.random.orthogonal, following JAX 0.10.2's
 * jax/_src/random/core.py: a jitted `_multivariate_normal` factors the covariance (cholesky, or
 * u sqrt(s) from svd, or v sqrt(w) from eigh), draws standard normals of shape
 * `shape + mean.shape[-1:]` and returns mean + einsum('...ij,...j->...i', factor, z); a jitted
 * `_orthogonal` takes the QR of a normal (max(n, m), min(n, m)) matrix and fixes the column signs
 * by sign(diag(R)) (Mezzadri's method), transposing when n < m.
 *
 * The same key gives JAX's draws up to float rounding for method='cholesky' and for orthogonal
 * (Q diag(sign(diag R)) does not depend on the QR's sign convention); for 'eigh' and 'svd' the
 * eigen/singular vectors may differ from LAPACK's in sign, which changes individual draws but not
 * their distribution.
 */
import { toValue } from '../core/coerce.js';
import { canonicalize, type DTypeLike, defaultFloat, toDType } from '../core/dtype.js';
import { broadcastShapes, shapeTuple } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import * as jnp from '../numpy/index.js';
import { namedJit } from '../transforms/jit.js';
import { type Shape, shapeOf } from './common.js';
import { normal } from './continuous.js';
import { type KeyLike, typedKey } from './keys.js';

function checkShape(name: string, shape: readonly number[], ...paramShapes: (readonly number[])[]): void {
  const b = broadcastShapes(name, shape, ...paramShapes);
  if (b.join() !== shape.join()) {
    throw new Error(
      `${name} parameter shapes must be broadcast-compatible with shape argument, and the result of broadcasting the shapes must equal the shape argument, but got result ${shapeTuple(b)} for shape argument ${shapeTuple(shape)}.`,
    );
  }
}

export type MvnMethod = 'cholesky' | 'eigh' | 'svd';

const _multivariateNormal = namedJit(
  '_multivariate_normal',
  function _multivariate_normal(
    key: Value,
    mean: Value,
    cov: Value,
    shapeArg: number[] | null,
    dtypeName: string,
    method: MvnMethod,
  ): Value {
    if (!(mean.ndim >= 1)) {
      throw new Error(`multivariate_normal requires mean.ndim >= 1, got mean.ndim == ${mean.ndim}`);
    }
    if (!(cov.ndim >= 2)) {
      throw new Error(`multivariate_normal requires cov.ndim >= 2, got cov.ndim == ${cov.ndim}`);
    }
    const n = mean.shape[mean.ndim - 1];
    const [r, c] = cov.shape.slice(-2);
    if (r !== n || c !== n) {
      throw new Error(
        `multivariate_normal requires cov.shape == (..., n, n) for n=${n}, but got cov.shape == ${shapeTuple(cov.shape)}.`,
      );
    }
    let shape: number[];
    if (shapeArg === null) {
      shape = broadcastShapes('multivariate_normal', mean.shape.slice(0, -1), cov.shape.slice(0, -2));
    } else {
      shape = shapeArg;
      checkShape('normal', shape, mean.shape.slice(0, -1), cov.shape.slice(0, -2));
    }
    let factor: Value;
    if (method === 'svd') {
      const [u, s] = jnp.linalg.svd(cov);
      factor = jnp.multiply(u, jnp.sqrt(jnp.expand_dims(s, -2)));
    } else if (method === 'eigh') {
      const [w, v] = jnp.linalg.eigh(cov);
      factor = jnp.multiply(v, jnp.sqrt(jnp.expand_dims(w, -2)));
    } else {
      factor = jnp.linalg.cholesky(cov);
    }
    const z = normal(key, [...shape, n], dtypeName);
    return jnp.add(mean, jnp.einsum('...ij,...j->...i', factor, z));
  },
  { staticArgnums: [3, 4, 5] },
);

/**
 * `jax.random.multivariate_normal(key, mean, cov, shape=None, dtype=None, method='cholesky')`:
 * draws of shape `shape + mean.shape[-1:]` (shape defaults to the broadcast of the batch shapes).
 */
export function multivariateNormal(
  key: KeyLike,
  mean: unknown,
  cov: unknown,
  shape?: Shape | null,
  dtype?: DTypeLike | null,
  method: MvnMethod = 'cholesky',
): Value {
  const k = typedKey('multivariate_normal', key).key;
  const [m, cv] = promoteInexact(mean, cov);
  if (method !== 'svd' && method !== 'eigh' && method !== 'cholesky') {
    throw new Error("method must be one of {'svd', 'eigh', 'cholesky'}");
  }
  const dt = dtype == null ? m.dtype : canonicalize(toDType(dtype));
  if (!dt.isFloat)
    throw new Error(`dtype argument to \`multivariate_normal\` must be a float dtype, got ${dt.name}`);
  return _multivariateNormal(k, m, cv, shapeOf('multivariate_normal', shape), dt.name, method);
}

function promoteInexact(a: unknown, b: unknown): [Value, Value] {
  const av = toValue(a);
  const bv = toValue(b);
  const dt = jnp.resultType(av, bv);
  const f = dt.isFloat ? dt : defaultFloat();
  return [jnp.asarray(av, { dtype: f }), jnp.asarray(bv, { dtype: f })];
}

const _orthogonal = namedJit(
  '_orthogonal',
  function _orthogonal(key: Value, n: number, m: number, shape: number[], dtypeName: string): Value {
    const z = normal(key, [...shape, Math.max(n, m), Math.min(n, m)], dtypeName);
    const [q, r] = jnp.linalg.qr(z);
    const d = jnp.linalg.diagonal(r);
    const x = jnp.multiply(q, jnp.expand_dims(jnp.sign(d), -2));
    return n < m ? jnp.matrix_transpose(x) : x;
  },
  { staticArgnums: [1, 2, 3, 4] },
);

/**
 * `jax.random.orthogonal(key, n, shape=(), dtype=None, m=None)`: uniform draws from O(n) (or
 * semi-orthogonal n x m matrices), of shape `(*shape, n, m)`.
 */
export function orthogonal(
  key: KeyLike,
  n: number,
  shape: Shape = [],
  dtype?: DTypeLike | null,
  m?: number | null,
): Value {
  const s = shapeOf('orthogonal', shape)!;
  const k = typedKey('orthogonal', key).key;
  const dt = dtype == null ? defaultFloat() : canonicalize(toDType(dtype));
  if (!dt.isFloat) throw new Error(`dtype argument to \`orthogonal\` must be a float dtype, got ${dt.name}`);
  if (!Number.isInteger(n) || (m != null && !Number.isInteger(m))) {
    throw new TypeError('orthogonal: n and m must be concrete integers');
  }
  return _orthogonal(k, n, m ?? n, s, dt.name);
}
