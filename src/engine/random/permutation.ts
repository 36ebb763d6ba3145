/**
 * @file jax.random.permutation and jax.random.choice (jax/_src/random/core.py; the code is
 * tjax's own): a shuffle is JAX's `_shuffle`, rounds of sorting by fresh 32-bit random keys, enough
 * rounds that collisions are unlikely; choice draws indices with randint (with replacement), a
 * permutation's head (without), inverse-CDF search on the cumulative p (weighted, with
 * replacement) or the Gumbel top-k trick (weighted, without), as JAX does.
 */
import { toValue } from '../core/coerce.js';
import { defaultFloat, defaultInt } from '../core/dtype.js';
import { shapeTuple, sizeOf } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import * as jnp from '../numpy/index.js';
import { namedJit } from '../transforms/jit.js';
import { type Num, type Shape, shapeOf, single } from './common.js';
import { gumbelLow, uniformData } from './continuous.js';
import { randint } from './discrete.js';
import { type KeyLike, keyAt, randomBits, splitKey } from './keys.js';

const _shuffle = namedJit(
  '_shuffle',
  function _shuffle(key: Value, x: Value, axis: number): Value {
    const rounds = Math.ceil((3 * Math.log(Math.max(1, x.size))) / Math.log(4294967295));
    let k = key;
    let out = x;
    for (let i = 0; i < rounds; i++) {
      const ks = splitKey(k, [2]);
      k = keyAt(ks, 0);
      const sub = keyAt(ks, 1);
      const sortKeys = randomBits(sub, 32, out.shape);
      out = lax.sortKeyVal(sortKeys, out, { dimension: axis })[1];
    }
    return out;
  },
  { staticArgnums: [2] },
);

/** `jax.random.permutation(key, x, axis=0, independent=false)`. */
export function permutation(key: KeyLike, x: Num, axis = 0, independent = false): Value {
  const k = single('permutation', key);
  if (typeof x === 'number' || x.ndim === 0) {
    const n = typeof x === 'number' ? x : Number(x.dataSync()[0]);
    if (!Number.isInteger(n)) throw new TypeError('x must be an integer or at least 1-dimensional');
    return _shuffle(k, jnp.arange(n), 0);
  }
  const ax = axis < 0 ? axis + x.ndim : axis;
  if (independent || x.ndim === 1) return _shuffle(k, x, ax);
  const ind = _shuffle(k, jnp.arange(x.shape[ax]), 0);
  return jnp.take(x, ind, { axis: ax });
}

/** `jax.random.choice(key, a, shape=(), replace=true, p=None, axis=0)`. */
export function choice(
  key: KeyLike,
  a: Num,
  opts: { shape?: Shape; replace?: boolean; p?: Num | null; axis?: number } = {},
): Value {
  const k = single('choice', key);
  const shape = shapeOf('choice', opts.shape ?? [])!;
  const replace = opts.replace ?? true;
  const arr = toValue(a);
  let axis = opts.axis ?? 0;
  let nInputs: number;
  if (arr.ndim === 0) {
    nInputs = Number(arr.dataSync()[0]);
  } else {
    axis = axis < 0 ? axis + arr.ndim : axis;
    nInputs = arr.shape[axis];
  }
  const nDraws = sizeOf(shape);
  if (nDraws === 0) return jnp.zeros(shape, { dtype: arr.dtype });
  if (nInputs <= 0) throw new Error('a must be greater than 0 unless no samples are taken');
  if (!replace && nDraws > nInputs) {
    throw new Error(
      `Cannot take a larger sample (size ${nDraws}) than population (size ${nInputs}) when 'replace=False'`,
    );
  }
  let result: Value;
  if (opts.p == null) {
    if (replace) {
      const ind = randint(k, shape, 0, nInputs);
      result = arr.ndim === 0 ? ind : jnp.take(arr, ind, { axis });
    } else {
      const perm = permutation(k, arr.ndim === 0 ? nInputs : arr, axis);
      const start = perm.shape.map(() => 0);
      const limit = perm.shape.map((s, d) => (d === axis ? nDraws : s));
      result = lax.slice(perm, start, limit);
    }
  } else {
    let p = toValue(opts.p);
    if (!p.dtype.isFloat) p = lax.convertElementType(p, defaultFloat());
    if (p.ndim !== 1 || p.shape[0] !== nInputs) {
      throw new Error(
        `p must be None or a 1D vector with the same size as a.shape[axis]. p has shape ${shapeTuple(p.shape)} and a.shape[axis] is ${nInputs}.`,
      );
    }
    let ind: Value;
    if (replace) {
      const cum = jnp.cumsum(p);
      const last = lax.slice(cum, [nInputs - 1], [nInputs]);
      const r = jnp.multiply(lax.squeeze(last, [0]), jnp.subtract(1, uniformData(k, shape, cum.dtype)));
      ind = lax.convertElementType(jnp.searchsorted(cum, r), defaultInt());
    } else {
      const g = jnp.add(gumbelLow(k, [nInputs], p.dtype), jnp.log(p));
      ind = lax.convertElementType(lax.topK(g, nDraws)[1], defaultInt());
    }
    result = arr.ndim === 0 ? ind : jnp.take(arr, ind, { axis });
  }
  const outShape =
    arr.ndim === 0 ? shape : [...arr.shape.slice(0, axis), ...shape, ...arr.shape.slice(axis + 1)];
  return lax.reshape(result, outShape);
}
