/**
 * @file jax.random's samplers built from the others: rayleigh, wald, triangular, maxwell,
 * double_sided_maxwell, generalized_normal, f and multinomial, plus key_dtype. Each follows JAX
 * 0.10.2's jax/_src/random/core.py op for op (same key splits, same jitted inner function names,
 * same checks and messages), so the same key gives JAX's draws; the code is tjax's own.
 *
 * JAX checks these samplers' parameters with `_check_all_safe_to_cast`: a parameter whose dtype
 * would not promote to the requested dtype (a float32 array asked for float16 draws) is a
 * TypePromotionError, while Python scalars (weakly typed) always pass.
 */
import { toValue } from '../core/coerce.js';
import { type DType, type DTypeLike, keyFry, promoteTypes } from '../core/dtype.js';
import { broadcastShapes as laxBroadcastShapes } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import * as jnp from '../numpy/index.js';
import { promoteArgsInexact } from '../numpy/util.js';
import { jit } from '../transforms/jit.js';
import {
  c,
  drawTwoParams,
  floatDType,
  type Num,
  paramShape,
  type Shape,
  shapeOf,
  single,
  twoKeys,
} from './common.js';
import { normal, uniformData } from './continuous.js';
import { binomial, rademacher } from './discrete.js';
import { chisquare, gamma } from './gamma.js';
import { type KeyLike, keyAt, splitKey } from './keys.js';

/** JAX's TypePromotionError (a ValueError): no safe promotion path between two dtypes. */
export class TypePromotionError extends Error {
  override name = 'TypePromotionError';
}

/** `_check_all_safe_to_cast`: result_type(arg, dtype) must be dtype itself. */
function checkSafeToCast(name: string, dt: DType, ...args: Num[]): void {
  for (const a of args) {
    const v = typeof a === 'number' ? null : toValue(a);
    if (v === null || v.dtype === dt) continue;
    if (promoteTypes(v, { dtype: dt, weakType: false }).dtype !== dt) {
      throw new TypePromotionError(
        `In arguments to ${name}, cannot safely cast argument of type ${v.dtype.name} to ${dt.name}`,
      );
    }
  }
}

/**
 * The checks of a sampler with parameters, in JAX's order: one key, a float dtype, the draw shape
 * (None: the parameters' broadcast shape), and parameters that cast safely to the dtype.
 */
function checked(
  name: string,
  key: KeyLike,
  shape: Shape | null | undefined,
  dtype: DTypeLike | null | undefined,
  ...params: Num[]
): { k: Value; dt: DType; s: number[] } {
  const k = single(name, key);
  const dt = floatDType(name, dtype);
  const s = paramShape(name, shape, ...params);
  checkSafeToCast(name, dt, ...params);
  return { k, dt, s };
}

// ---- rayleigh, wald, triangular -----------------------------------------------------------------

const _rayleigh = jit(
  function _rayleigh(key: Value, scale: Value, shape: number[], dtypeName: string): Value {
    const dt = floatDType('rayleigh', dtypeName);
    const u = uniformData(key, shape, dt);
    const s = jnp.broadcast_to(lax.convertElementType(scale, dt), shape);
    return lax.mul(s, lax.sqrt(lax.mul(lax.log(u), c(-2, dt))));
  },
  { staticArgnums: [2, 3] },
);

/** `jax.random.rayleigh(key, scale, shape=None, dtype=float)`: sigma sqrt(-2 log u). */
export function rayleigh(key: KeyLike, scale: Num, shape?: Shape | null, dtype?: DTypeLike | null): Value {
  const { k, dt, s } = checked('rayleigh', key, shape, dtype, scale);
  return _rayleigh(k, toValue(scale), s, dt.name);
}

const _wald = jit(
  function _wald(key: Value, mean: Value, shape: number[], dtypeName: string): Value {
    const dt = floatDType('wald', dtypeName);
    const [k1, k2] = twoKeys(key);
    const mu = jnp.broadcast_to(lax.convertElementType(mean, dt), shape);
    const v = normal(k1, shape, dt);
    const z = uniformData(k2, shape, dt);
    // Michael, Schucany and Haas's transformation with one uniform to pick the root.
    const y = lax.integerPow(v, 2);
    const ySq = lax.integerPow(y, 2);
    const muSq = lax.integerPow(mu, 2);
    const root = lax.sqrt(jnp.add(jnp.multiply(jnp.multiply(4, mu), y), jnp.multiply(muSq, ySq)));
    const x = jnp.subtract(
      jnp.add(mu, jnp.divide(jnp.multiply(muSq, y), 2)),
      jnp.multiply(jnp.divide(mu, 2), root),
    );
    return lax.select(lax.le(z, jnp.divide(mu, jnp.add(mu, x))), x, jnp.divide(muSq, x));
  },
  { staticArgnums: [2, 3] },
);

/** `jax.random.wald(key, mean, shape=None, dtype=float)`: inverse Gaussian draws of unit shape. */
export function wald(key: KeyLike, mean: Num, shape?: Shape | null, dtype?: DTypeLike | null): Value {
  const { k, dt, s } = checked('wald', key, shape, dtype, mean);
  return _wald(k, toValue(mean), s, dt.name);
}

/** JAX's _triangular is a jit with inline=True: its equations appear in the caller's jaxpr. */
function _triangular(key: Value, left: Value, mode: Value, right: Value, shape: number[], dt: DType): Value {
  const at = (x: Value) => jnp.broadcast_to(lax.convertElementType(x, dt), shape);
  const [l, r, m] = [at(left), at(right), at(mode)];
  // Inverse CDF on each side of the mode (fc is the CDF at the mode).
  const fc = jnp.divide(jnp.subtract(m, l), jnp.subtract(r, l));
  const u = uniformData(key, shape, dt);
  const out1 = jnp.add(l, lax.sqrt(jnp.multiply(jnp.multiply(u, jnp.subtract(r, l)), jnp.subtract(m, l))));
  const out2 = jnp.subtract(
    r,
    lax.sqrt(jnp.multiply(jnp.multiply(jnp.subtract(1, u), jnp.subtract(r, l)), jnp.subtract(r, m))),
  );
  return lax.select(jnp.less(u, fc), out1, out2);
}

/** `jax.random.triangular(key, left, mode, right, shape=None, dtype=float)`. */
export function triangular(
  key: KeyLike,
  left: Num,
  mode: Num,
  right: Num,
  shape?: Shape | null,
  dtype?: DTypeLike | null,
): Value {
  const { k, dt, s } = checked('triangular', key, shape, dtype, left, mode, right);
  return _triangular(k, toValue(left), toValue(mode), toValue(right), s, dt);
}

// ---- maxwell, generalized normal, F ---------------------------------------------------------------

const _maxwell = jit(
  function _maxwell(key: Value, shape: number[], dtypeName: string): Value {
    // The norm of three standard normal draws.
    const n = normal(key, [...shape, 3], dtypeName);
    return jnp.linalg.norm(n, { axis: -1 });
  },
  { staticArgnums: [1, 2] },
);

/** `jax.random.maxwell(key, shape=(), dtype=float)`: the one-sided Maxwell distribution. */
export function maxwell(key: KeyLike, shape: Shape = [], dtype?: DTypeLike | null): Value {
  const k = single('maxwell', key);
  const dt = floatDType('maxwell', dtype);
  return _maxwell(k, shapeOf('maxwell', shape)!, dt.name);
}

const _doubleSidedMaxwell = jit(
  function _double_sided_maxwell(key: Value, loc: Value, scale: Value, shape: number[], dtypeName: string) {
    const params = laxBroadcastShapes('broadcast_shapes', loc.shape, scale.shape);
    // As JAX: an empty shape becomes the parameters' shape, and the parameters' shape is then
    // appended to it (so array parameters with shape=() give params.shape + params.shape draws).
    const s = [...(shape.length ? shape : params), ...params];
    const [mk, rk] = twoKeys(key);
    const m = maxwell(mk, s, dtypeName);
    const sign = rademacher(rk, s, dtypeName);
    return jnp.add(jnp.multiply(jnp.multiply(sign, m), scale), loc);
  },
  { staticArgnums: [3, 4] },
);

/** `jax.random.double_sided_maxwell(key, loc, scale, shape=(), dtype=float)`. */
export function doubleSidedMaxwell(
  key: KeyLike,
  loc: Num,
  scale: Num,
  shape: Shape = [],
  dtype?: DTypeLike | null,
): Value {
  return drawTwoParams('double_sided_maxwell', _doubleSidedMaxwell, key, loc, scale, shape, dtype);
}

const _generalizedNormal = jit(
  function _generalized_normal(key: Value, p: Value, shape: number[], dtypeName: string): Value {
    const ks = splitKey(key, [2]);
    const pick = (i: number) => keyAt(ks, i);
    const inv = jnp.divide(1, p);
    const g = gamma(pick(0), inv, shape, dtypeName);
    const r = rademacher(pick(1), shape, dtypeName);
    return jnp.multiply(r, jnp.power(g, inv));
  },
  { staticArgnums: [2, 3] },
);

/**
 * `jax.random.generalized_normal(key, p, shape=(), dtype=float)`: density proportional to
 * exp(-|x|^p), as a random sign times gamma(1/p) ** (1/p).
 */
export function generalizedNormal(key: KeyLike, p: Num, shape: Shape = [], dtype?: DTypeLike | null): Value {
  const k = single('generalized_normal', key);
  const s = shapeOf('generalized_normal', shape)!;
  // JAX checks the dtype inside, in gamma, whose message users see.
  return _generalizedNormal(k, toValue(p), s, floatDType('gamma', dtype).name);
}

const _f = jit(
  function _f(key: Value, dfnum: Value, dfden: Value, shape: number[], dtypeName: string): Value {
    const dt = floatDType('f', dtypeName);
    const den = lax.convertElementType(dfden, dt);
    const num = lax.convertElementType(dfnum, dt);
    const [kd, kn] = twoKeys(key);
    const chiNum = chisquare(kn, num, shape, dt);
    const chiDen = chisquare(kd, den, shape, dt);
    return lax.div(lax.div(chiNum, num), lax.div(chiDen, den));
  },
  { staticArgnums: [3, 4] },
);

/** `jax.random.f(key, dfnum, dfden, shape=None, dtype=float)`: Fisher's F as a ratio of chi-squares. */
export function f(
  key: KeyLike,
  dfnum: Num,
  dfden: Num,
  shape?: Shape | null,
  dtype?: DTypeLike | null,
): Value {
  const { k, dt, s } = checked('f', key, shape, dtype, dfnum, dfden);
  return _f(k, toValue(dfnum), toValue(dfden), s, dt.name);
}

// ---- multinomial ----------------------------------------------------------------------------------

/**
 * `jax.random.multinomial(key, n, p, {shape, dtype, unroll})`: counts of n trials over the
 * outcomes along p's last axis, drawn as JAX does: one binomial per outcome in a scan, each
 * of the remaining trials with the outcome's share of the remaining probability.
 */
export function multinomial(
  key: KeyLike,
  n: Num,
  p: Num,
  opts: { shape?: Shape | null; dtype?: DTypeLike | null; unroll?: number | boolean } = {},
): Value {
  const k = single('multinomial', key);
  let [nv, pv] = promoteArgsInexact(n, p);
  const shape = opts.shape == null ? pv.shape : shapeOf('multinomial', opts.shape)!;
  nv = jnp.broadcast_to(nv, shape.slice(0, -1));
  pv = jnp.moveaxis(jnp.broadcast_to(pv, shape), -1, 0);
  const remaining = lax.cumsum(pv, { axis: 0, reverse: true });
  const ratios = jnp.divide(pv, jnp.where(jnp.equal(remaining, 0), 1, remaining));
  const keys = splitKey(k, [ratios.shape[0]]);
  const [, counts] = lax.scan(
    (rem: Value, [ratio, kk]: Value[]) => {
      const count = binomial(kk, rem, jnp.clip(ratio, 0, 1), null, rem.dtype);
      return [jnp.subtract(rem, count), count];
    },
    nv,
    [ratios, keys],
    { unroll: opts.unroll ?? 1 },
  ) as [Value, Value];
  const dt = opts.dtype == null ? null : opts.dtype;
  const moved = jnp.moveaxis(counts, 0, -1);
  return dt === null ? jnp.astype(moved, floatDType('multinomial', null)) : jnp.astype(moved, dt);
}

// ---- key_dtype ------------------------------------------------------------------------------------

const KNOWN_IMPLS = ['philox2x32', 'philox4x32', 'threefry2x32', 'rbg', 'unsafe_rbg', 'threefry4x32'];

/** `jax.random.key_dtype(impl=None)`: the dtype of typed keys, `key<fry>` for threefry2x32. */
export function keyDtype(impl?: string | null): DType {
  if (impl == null || impl === 'threefry2x32' || impl === 'fry') return keyFry;
  if (KNOWN_IMPLS.includes(impl))
    throw new Error(`PRNG implementation "${impl}" is not available in tjax; it implements threefry2x32`);
  throw new Error(
    `unrecognized PRNG implementation "${impl}". Did you mean one of: ${KNOWN_IMPLS.map((s) => `"${s}"`).join(', ')}?`,
  );
}
