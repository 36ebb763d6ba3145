/**
 * @file jax.random's gamma sampler and the samplers JAX builds on it: gamma, loggamma, beta,
 * dirichlet, chisquare, t and ball (jax/_src/random/core.py; the code is tjax's own). Each runs
 * JAX's per-element Marsaglia-Tsang loop (`lax.map` over split keys, nested `lax.whileLoop`s, in
 * log space for loggamma, beta, dirichlet and chisquare), so they reproduce JAX's draws, up to the
 * rare case where an ulp of difference in a transcendental flips a rejection test.
 */
import { toValue } from '../core/coerce.js';
import { type DType, type DTypeLike, toDType } from '../core/dtype.js';
import { sizeOf } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import { softmax } from '../nn/softmax.js';
import * as jnp from '../numpy/index.js';
import { namedJit } from '../transforms/jit.js';
import {
  c,
  checkShape,
  drawOneParam,
  floatDType,
  type Num,
  paramShape,
  type Shape,
  shapeOf,
  single,
  twoKeys,
} from './common.js';
import { exponentialData, normalData, uniformData } from './continuous.js';
import { _rademacher } from './discrete.js';
import { type KeyLike, keyAt, splitKey } from './keys.js';

/** One Marsaglia-Tsang gamma draw (JAX's _gamma_one) for a scalar key and alpha. */
function gammaOne(key: Value, alpha: Value, logSpace: boolean): Value {
  const dt = alpha.dtype;
  const k = (v: number) => c(v, dt);
  const zero = k(0);
  const one = k(1);
  const boost = lax.ge(alpha, one);
  const alphaOrig = alpha;
  const a = lax.select(boost, alpha, lax.add(alpha, one));
  const d = lax.sub(a, k(1 / 3));
  const cc = lax.div(k(1 / 3), lax.sqrt(d));
  const first = (ks: Value, i: number) => keyAt(ks, i);
  const cond = ([, X, V, U]: Value[]) =>
    lax.bitwiseAnd(
      lax.ge(U, lax.sub(one, lax.mul(k(0.0331), lax.mul(X, X)))),
      lax.ge(lax.log(U), lax.add(lax.mul(X, k(0.5)), lax.mul(d, lax.add(lax.sub(one, V), lax.log(V))))),
    );
  const body = ([kk]: Value[]) => {
    const ks = splitKey(kk, [3]);
    const [, x, v] = lax.whileLoop(
      ([, , v0]: Value[]) => lax.le(v0, zero),
      ([k0]: Value[]) => {
        const s = splitKey(k0, [2]);
        const xx = normalData(first(s, 1), [], dt);
        return [first(s, 0), xx, lax.add(one, lax.mul(xx, cc))];
      },
      [first(ks, 1), zero, k(-1)],
    ) as Value[];
    return [first(ks, 0), lax.mul(x, x), lax.mul(lax.mul(v, v), v), uniformData(first(ks, 2), [], dt)];
  };
  const s0 = splitKey(key, [2]);
  const [, , V] = lax.whileLoop(cond, body, [first(s0, 0), zero, one, k(2)]) as Value[];
  const sub = first(s0, 1);
  if (logSpace) {
    const ls = lax.neg(exponentialData(sub, [], dt));
    const lb = lax.select(lax.bitwiseOr(boost, lax.eq(ls, zero)), zero, lax.mul(ls, lax.div(one, alphaOrig)));
    return lax.add(lax.add(lax.log(d), lax.log(V)), lb);
  }
  const samples = lax.sub(one, uniformData(sub, [], dt));
  const b = lax.select(boost, one, lax.pow(samples, lax.div(one, alphaOrig)));
  return lax.mul(lax.mul(d, V), b);
}

const _gamma = namedJit(
  '_gamma',
  function _gamma(key: Value, a: Value, shape: number[], dtypeName: string, logSpace: boolean): Value {
    const dt = toDType(dtypeName);
    let av = lax.convertElementType(a, dt);
    if (av.shape.join() !== shape.join()) av = jnp.broadcast_to(av, shape);
    const n = sizeOf(shape);
    if (n === 0) return av;
    const keys = splitKey(key, [n]);
    const alphas = lax.reshape(av, [n]);
    const out = lax.map(
      ([kk, al]: Value[]) => gammaOne(kk, al, logSpace),
      [keys, alphas],
    ) as unknown as Value;
    return lax.reshape(out, shape);
  },
  { staticArgnums: [2, 3, 4] },
);

export function gammaData(key: Value, a: Num, shape: number[], dt: DType, logSpace: boolean): Value {
  return _gamma(key, toValue(a), shape, dt.name, logSpace);
}

/** `jax.random.gamma(key, a, shape=None, dtype=float)`. */
export function gamma(key: KeyLike, a: Num, shape?: Shape | null, dtype?: DTypeLike | null): Value {
  const k = single('gamma', key);
  return gammaData(k, a, paramShape('gamma', shape, a), floatDType('gamma', dtype), false);
}

/** `jax.random.loggamma(key, a, shape=None, dtype=float)`: log of gamma draws, accurate for small a. */
export function loggamma(key: KeyLike, a: Num, shape?: Shape | null, dtype?: DTypeLike | null): Value {
  const k = single('loggamma', key);
  return gammaData(k, a, paramShape('loggamma', shape, a), floatDType('loggamma', dtype), true);
}

const _beta = namedJit(
  '_beta',
  function _beta(key: Value, a: Value, b: Value, shape: number[], dtypeName: string): Value {
    const dt = toDType(dtypeName);
    const [ka, kb] = twoKeys(key);
    const av = jnp.broadcast_to(lax.convertElementType(a, dt), shape);
    const bv = jnp.broadcast_to(lax.convertElementType(b, dt), shape);
    const la = gammaData(ka, av, shape, dt, true);
    const lb = gammaData(kb, bv, shape, dt, true);
    const m = lax.max(la, lb);
    const ga = jnp.exp(jnp.subtract(la, m));
    const gb = jnp.exp(jnp.subtract(lb, m));
    return jnp.divide(ga, jnp.add(ga, gb));
  },
  { staticArgnums: [3, 4] },
);

/** `jax.random.beta(key, a, b, shape=None, dtype=float)`. */
export function beta(key: KeyLike, a: Num, b: Num, shape?: Shape | null, dtype?: DTypeLike | null): Value {
  const k = single('beta', key);
  return _beta(k, toValue(a), toValue(b), paramShape('beta', shape, a, b), floatDType('beta', dtype).name);
}

const _dirichlet = namedJit(
  '_dirichlet',
  function _dirichlet(key: Value, alpha: Value, shape: number[], dtypeName: string): Value {
    const dt = toDType(dtypeName);
    const al = lax.convertElementType(alpha, dt);
    const lg = gammaData(key, al, [...shape, alpha.shape[alpha.ndim - 1]], dt, true);
    return softmax(lg, { axis: -1 });
  },
  { staticArgnums: [2, 3] },
);

/** `jax.random.dirichlet(key, alpha, shape=None, dtype=float)`. */
export function dirichlet(key: KeyLike, alpha: Num, shape?: Shape | null, dtype?: DTypeLike | null): Value {
  const k = single('dirichlet', key);
  const al = toValue(alpha);
  if (al.ndim < 1) throw new Error(`dirichlet requires alpha.ndim >= 1, got alpha.ndim == ${al.ndim}`);
  const batch = al.shape.slice(0, -1);
  let s = shapeOf('dirichlet', shape);
  if (s === null) s = batch;
  else checkShape('dirichlet', s, batch);
  return _dirichlet(k, al, s, floatDType('dirichlet', dtype).name);
}

const _chisquare = namedJit(
  '_chisquare',
  function _chisquare(key: Value, df: Value, shape: number[], dtypeName: string): Value {
    const dt = toDType(dtypeName);
    const half = lax.div(lax.convertElementType(df, dt), c(2, dt));
    const lg = gammaData(key, half, shape, dt, true);
    return lax.mul(jnp.exp(lg), c(2, dt));
  },
  { staticArgnums: [2, 3] },
);

/** `jax.random.chisquare(key, df, shape=None, dtype=float)`. */
export function chisquare(key: KeyLike, df: Num, shape?: Shape | null, dtype?: DTypeLike | null): Value {
  return drawOneParam('chisquare', _chisquare, key, df, shape, dtype);
}

const _t = namedJit(
  '_t',
  function _t(key: Value, df: Value, shape: number[], dtypeName: string): Value {
    const dt = toDType(dtypeName);
    const d = lax.convertElementType(df, dt);
    const [kn, kg] = twoKeys(key);
    const n = normalData(kn, shape, dt);
    const half = lax.div(d, c(2, dt));
    const g = gammaData(kg, half, shape, dt, false);
    return jnp.multiply(n, jnp.sqrt(jnp.divide(half, g)));
  },
  { staticArgnums: [2, 3] },
);

/** `jax.random.t(key, df, shape=None, dtype=float)`: Student's t. */
export function t(key: KeyLike, df: Num, shape?: Shape | null, dtype?: DTypeLike | null): Value {
  return drawOneParam('t', _t, key, df, shape, dtype);
}

const _ball = namedJit(
  '_ball',
  function _ball(key: Value, p: number, d: number, shape: number[], dtypeName: string): Value {
    const dt = toDType(dtypeName);
    const [k1, k2] = twoKeys(key);
    // generalized_normal(k1, p, (*shape, d)): rademacher * gamma(1/p) ** (1/p).
    const [kg, kr] = twoKeys(k1);
    const gs = [...shape, d];
    const g0 = gammaData(kg, 1 / p, gs, dt, false);
    const r = lax.convertElementType(_rademacher(kr, gs, dt.name), dt);
    const g = jnp.multiply(r, jnp.power(g0, 1 / p));
    const e = exponentialData(k2, shape, dt);
    const denom = jnp.power(jnp.add(jnp.sum(jnp.power(jnp.abs(g), p), { axis: -1 }), e), 1 / p);
    return jnp.divide(g, jnp.expand_dims(denom, -1));
  },
  { staticArgnums: [1, 2, 3, 4] },
);

/** `jax.random.ball(key, d, p=2, shape=(), dtype=float)`: uniform in the unit p-norm ball. */
export function ball(key: KeyLike, d: number, p = 2, shape: Shape = [], dtype?: DTypeLike | null): Value {
  const k = single('ball', key);
  if (!Number.isInteger(d) || d < 1) throw new Error(`d must be a positive integer, got ${d}`);
  return _ball(k, p, d, shapeOf('ball', shape)!, floatDType('ball', dtype).name);
}
