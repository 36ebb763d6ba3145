/**
 * @file jax.random's discrete samplers: randint, bernoulli, rademacher, geometric, categorical,
 * poisson, binomial, with JAX's names, signatures and algorithms (jax/_src/random/core.py; the
 * code is tjax's own), each a jitted inner function named as JAX's (`_randint`, `_poisson`, ...).
 * randint, bernoulli, rademacher, geometric and categorical follow JAX's fixed computation of the
 * key op for op. poisson runs JAX's Knuth / transformed-rejection (Hormann) while loops and
 * binomial its inversion and BTRS rejection loops, so they too reproduce JAX's draws, up to the
 * rare case where an ulp of difference in a transcendental flips a rejection test.
 */
import { fromHostData, scalarArray, toValue } from '../core/coerce.js';
import {
  bool,
  canonicalize,
  type DType,
  type DTypeLike,
  defaultFloat,
  defaultInt,
  float16,
  float32,
  float64,
  int32,
  toDType,
  typedArrayFor,
} from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import * as jnp from '../numpy/index.js';
import { namedJit } from '../transforms/jit.js';
import {
  c,
  checkShape,
  finfo,
  floatDType,
  type Num,
  paramShape,
  type Shape,
  shapeOf,
  single,
  toRank,
  twoKeys,
  UINT,
  unpack2,
} from './common.js';
import { gumbelLow, uniformData } from './continuous.js';
import { type KeyLike, keyAt, randomBits, splitKey } from './keys.js';

// ---- integers ------------------------------------------------------------------------------------

function iinfo(dt: DType): { min: bigint; max: bigint; bits: number } {
  const b = dt.itemsize * 8;
  return dt.kind === 'u'
    ? { min: 0n, max: (1n << BigInt(b)) - 1n, bits: b }
    : { min: -(1n << BigInt(b - 1)), max: (1n << BigInt(b - 1)) - 1n, bits: b };
}

function bigMax(a: bigint, b: bigint) {
  return a > b ? a : b;
}
function bigMin(a: bigint, b: bigint) {
  return a < b ? a : b;
}

/** Convert an integer array to `dt`, clipping to its range instead of wrapping. */
function convertAndClip(v: Value, dt: DType): Value {
  const a = iinfo(dt);
  const b = iinfo(v.dtype);
  const num = (x: bigint) => (v.dtype.isBig ? x : Number(x));
  // JAX's lax._const(val, ...): constants of val's dtype, weakly typed when val is.
  const lo = lax.convertElementType(num(bigMax(a.min, b.min)), v.dtype, v.weakType);
  const hi = lax.convertElementType(num(bigMin(a.max, b.max)), v.dtype, v.weakType);
  return lax.convertElementType(jnp.clip(v, lo, hi), dt);
}

/**
 * The draws of one step of Hormann's transformed rejection (poisson's and binomial's loops, as
 * JAX's `rng, subkey_0, subkey_1 = split(rng, 3)`): the next key, u = U - 0.5, v = U', and
 * us = 0.5 - |u|.
 */
function rejectionDraws(
  rng: Value,
  shape: number[],
  dt: DType,
): { next: Value; u: Value; v: Value; us: Value } {
  const ks = splitKey(rng, [3]);
  const next = keyAt(ks, 0);
  const u = jnp.subtract(uniformData(keyAt(ks, 1), shape, dt), 0.5);
  const v = uniformData(keyAt(ks, 2), shape, dt);
  return { next, u, v, us: jnp.subtract(0.5, lax.abs(u)) };
}

const _randint = namedJit(
  '_randint',
  function _randint(key: Value, minval: Value, maxval: Value, shape: number[], dtypeName: string): Value {
    const dt = toDType(dtypeName);
    checkShape('randint', shape, minval.shape, maxval.shape);
    let mn = minval.dtype.isInt ? minval : lax.convertElementType(minval, defaultInt());
    let mx = maxval.dtype.isInt ? maxval : lax.convertElementType(maxval, defaultInt());
    const info = iinfo(dt);
    const maxOut = lax.gt(
      mx,
      convertAndClip(lax.convertElementType(dt.isBig ? info.max : Number(info.max), dt), mx.dtype),
    );
    mn = convertAndClip(mn, dt);
    mx = convertAndClip(mx, dt);
    mn = toRank(mn, shape.length);
    mx = toRank(mx, shape.length);
    const nbits = info.bits;
    const keys = splitKey(key, [2]);
    const k1 = keyAt(keys, 0);
    const k2 = keyAt(keys, 1);
    const higher = randomBits(k1, nbits, shape);
    const lower = randomBits(k2, nbits, shape);
    const udt = UINT[nbits];
    const big = udt.isBig;
    const one = c(big ? 1n : 1, udt);
    let span = lax.convertElementType(lax.sub(mx, mn), udt);
    span = lax.select(lax.le(mx, mn), lax.broadcastInDim(one, span.shape, []), span);
    span = lax.select(lax.bitwiseAnd(maxOut, lax.gt(mx, mn)), lax.add(span, one), span);
    let mult = lax.rem(c(big ? 1n << 32n : 2 ** (nbits / 2), udt), span);
    mult = lax.rem(lax.mul(mult, mult), span);
    let off = lax.add(lax.mul(lax.rem(higher, span), mult), lax.rem(lower, span));
    off = lax.rem(off, span);
    return lax.add(mn, lax.convertElementType(off, dt));
  },
  { staticArgnums: [3, 4] },
);

/** `jax.random.randint(key, shape, minval, maxval, dtype=int)`: integers in [minval, maxval). */
export function randint(
  key: KeyLike,
  shape: Shape,
  minval: Num,
  maxval: Num,
  dtype?: DTypeLike | null,
): Value {
  const k = single('randint', key);
  const dt = dtype == null ? defaultInt() : canonicalize(toDType(dtype));
  if (!dt.isInt) throw new TypeError(`randint only accepts integer dtypes, got ${dt.name}`);
  let mn = toValue(minval);
  let mx = toValue(maxval);
  let sdt = dt;
  if (dt.itemsize < 4) {
    const info = iinfo(dt);
    sdt = int32;
    mn = jnp.clip(lax.convertElementType(mn, int32), Number(info.min), Number(info.max));
    mx = jnp.clip(lax.convertElementType(mx, int32), Number(info.min), Number(info.max) + 1);
  }
  const out = _randint(k, mn, mx, shapeOf('randint', shape)!, sdt.name);
  return out.dtype === dt ? out : lax.convertElementType(out, dt);
}

// ---- bernoulli, rademacher, geometric ------------------------------------------------------------

const _bernoulli = namedJit(
  '_bernoulli',
  function _bernoulli(key: Value, p: Value, shape: number[], mode = 'low'): Value {
    if (mode === 'high') {
      const [u1, u2] = unpack2(uniformData(key, [2, ...shape], p.dtype));
      // u2 refines u1 below its resolution (2**-nmant), so tiny p are sampled correctly.
      return jnp.less(jnp.multiply(u2, 2 ** -finfo(p.dtype).nmant), jnp.subtract(p, u1));
    }
    return lax.lt(uniformData(key, shape, p.dtype), p);
  },
  { staticArgnums: [2, 3] },
);

/**
 * `jax.random.bernoulli(key, p=0.5, shape=None, mode='low')`: booleans that are true with
 * probability p; mode 'high' uses two uniforms, correct for p below float32's ~1e-7.
 */
export function bernoulli(key: KeyLike, p: Num = 0.5, shape?: Shape | null, mode = 'low'): Value {
  if (mode !== 'high' && mode !== 'low') throw new ValueError(`got mode='${mode}', expected 'high' or 'low'`);
  const k = single('bernoulli', key);
  // JAX's `lax.convert_element_type(p, dtype)`: a Python float becomes a float32 NumPy scalar.
  let pv = typeof p === 'number' ? scalarArray(p, defaultFloat()) : toValue(p);
  if (!pv.dtype.isFloat) pv = lax.convertElementType(pv, defaultFloat(), pv.weakType);
  else if (pv.weakType) pv = lax.convertElementType(pv, pv.dtype);
  const s = paramShape('bernoulli', shape, pv);
  return mode === 'low' ? _bernoulli(k, pv, s) : _bernoulli(k, pv, s, mode);
}

/** `jax.random.rademacher(key, shape, dtype=int)`: -1 or +1 with equal probability. */
export function rademacher(key: KeyLike, shape: Shape, dtype?: DTypeLike | null): Value {
  const k = single('rademacher', key);
  const dt = dtype == null ? defaultInt() : canonicalize(toDType(dtype));
  return _rademacher(k, shapeOf('rademacher', shape)!, dt.name);
}

export const _rademacher = namedJit(
  '_rademacher',
  function _rademacher(key: Value, shape: number[], dtypeName: string): Value {
    const dt = toDType(dtypeName);
    const b = lax.convertElementType(_bernoulli(key, toValue(0.5), shape), dt);
    return lax.convertElementType(jnp.subtract(jnp.multiply(2, b), 1), dt);
  },
  { staticArgnums: [1, 2] },
);

const _geometric = namedJit(
  '_geometric',
  function _geometric(key: Value, p: Value, shape: number[], dtypeName: string): Value {
    const pf = p.dtype.isFloat ? p : lax.convertElementType(p, defaultFloat(), p.weakType);
    let u = uniformData(key, shape, pf.dtype);
    u = jnp.where(jnp.equal(u, 0), 1, u);
    const logU = lax.log(u);
    const l1p = jnp.broadcast_to(lax.log1p(jnp.negative(pf)), shape);
    const g = jnp.add(lax.floor(lax.div(logU, l1p)), 1);
    return lax.convertElementType(g, toDType(dtypeName));
  },
  { staticArgnums: [2, 3] },
);

/** `jax.random.geometric(key, p, shape=None, dtype=int)`: trials until the first success. */
export function geometric(key: KeyLike, p: Num, shape?: Shape | null, dtype?: DTypeLike | null): Value {
  const k = single('geometric', key);
  const dt = dtype == null ? defaultInt() : canonicalize(toDType(dtype));
  return _geometric(k, toValue(p), paramShape('geometric', shape, p), dt.name);
}

// ---- categorical ---------------------------------------------------------------------------------

/** `jax.random.categorical(key, logits, axis=-1, shape=None, replace=true)`. */
export function categorical(
  key: KeyLike,
  logits: Num,
  opts: { axis?: number; shape?: Shape | null; replace?: boolean } = {},
): Value {
  const k = single('categorical', key);
  const lg = toValue(logits);
  const nd = lg.ndim;
  let axis = opts.axis ?? -1;
  if (axis < -nd || axis >= nd) throw new Error(`axis ${axis} is out of bounds for array of dimension ${nd}`);
  const batchShape = lg.shape.filter((_, i) => i !== (axis < 0 ? axis + nd : axis));
  let shape = shapeOf('categorical', opts.shape);
  if (shape === null) shape = batchShape;
  else checkShape('categorical', shape, batchShape);
  const prefix = shape.slice(0, shape.length - batchShape.length);
  const dt = lg.dtype.isFloat ? lg.dtype : defaultFloat();
  const lf = lg.dtype === dt ? lg : lax.convertElementType(lg, dt);
  if (opts.replace ?? true) {
    if (axis >= 0) axis -= nd;
    const logitsShape = shape.slice(shape.length - batchShape.length);
    logitsShape.splice(((axis % nd) + nd) % nd, 0, lg.shape[axis + nd]);
    const g = gumbelLow(k, [...prefix, ...logitsShape], dt);
    const ex = prefix.length
      ? lax.expandDims(
          lf,
          prefix.map((_, i) => i),
        )
      : lf;
    return jnp.argmax(jnp.add(g, ex), { axis });
  }
  const ax = axis < 0 ? axis + nd : axis;
  const l2 = jnp.add(lf, gumbelLow(k, lg.shape, dt));
  const n = sizeOf(prefix);
  if (n > lg.shape[ax]) {
    throw new Error(
      `Number of samples without replacement (${n}) cannot exceed number of categories (${lg.shape[ax]}).`,
    );
  }
  const [, idx] = lax.topK(jnp.moveaxis(l2, ax, -1), n);
  const r = idx.ndim;
  return lax.reshape(idx, shape, [r - 1, ...Array.from({ length: r - 1 }, (_, i) => i)]);
}

// ---- poisson -------------------------------------------------------------------------------------

const _poisson = namedJit(
  '_poisson',
  function _poisson(key: Value, lam: Value, shape: number[], dtypeName: string): Value {
    const dt = toDType(dtypeName);
    const ldt = lam.dtype;
    const use = lax.bitwiseOr(lax.ne(lam, lam), lax.lt(lam, c(10, ldt)));
    const lamK = lax.select(use, lam, lax.broadcastInDim(c(0, ldt), lam.shape, []));
    const lamR = lax.select(use, lax.broadcastInDim(c(1e5, ldt), lam.shape, []), lam);
    const maxIters = dt.isBig ? (1n << 63n) - 1n : Number(iinfo(dt).max);
    const full = (v: number | boolean, d: DType) =>
      lax.broadcastInDim(lax.convertElementType(v, d), shape, []);
    const lamKb = jnp.broadcast_to(lamK, shape);
    const lamRb = jnp.broadcast_to(lamR, shape);
    // Knuth.
    const knuth = (
      lax.whileLoop(
        ([i, , , lp]: Value[]) =>
          lax.bitwiseAnd(jnp.any(lax.gt(lp, lax.neg(lamKb))), lax.lt(i, c(maxIters, dt))),
        ([i, kk, rng, lp]: Value[]) => {
          const [r2, sub] = twoKeys(rng);
          const k2 = lax.select(lax.gt(lp, lax.neg(lamKb)), lax.add(kk, c(1, dt)), kk);
          const u = uniformData(sub, shape, float32);
          return [lax.add(i, c(1, dt)), k2, r2, lax.add(lp, lax.convertElementType(jnp.log(u), ldt))];
        },
        [c(0, dt), full(0, dt), key, full(0, ldt)],
      ) as Value[]
    )[1];
    const kn = lax.convertElementType(lax.sub(knuth, c(1, dt)), dt);
    // Transformed rejection (Hormann).
    const logLam = lax.log(lamRb);
    const b = jnp.add(0.931, jnp.multiply(2.53, lax.sqrt(lamRb)));
    const a = jnp.add(-0.059, jnp.multiply(0.02483, b));
    const invAlpha = jnp.add(1.1239, jnp.divide(1.1328, jnp.subtract(b, 3.4)));
    const vr = jnp.subtract(0.9277, jnp.divide(3.6224, jnp.subtract(b, 2)));
    const rej = (
      lax.whileLoop(
        ([i, , acc]: Value[]) => lax.bitwiseAnd(jnp.any(lax.bitwiseNot(acc)), lax.lt(i, c(maxIters, dt))),
        ([i, kOut, acc, rng]: Value[]) => {
          const { next, u, v, us } = rejectionDraws(rng, shape, ldt);
          const kk = lax.floor(
            jnp.add(jnp.add(jnp.multiply(jnp.add(jnp.divide(jnp.multiply(2, a), us), b), u), lamRb), 0.43),
          );
          const s = lax.log(
            jnp.divide(jnp.multiply(v, invAlpha), jnp.add(jnp.divide(a, jnp.multiply(us, us)), b)),
          );
          const tt = jnp.subtract(
            jnp.add(jnp.negative(lamRb), jnp.multiply(kk, logLam)),
            lax.lgamma(jnp.add(kk, 1)),
          );
          const acc1 = jnp.logical_and(jnp.greater_equal(us, 0.07), jnp.less_equal(v, vr));
          const reject = jnp.logical_or(
            jnp.less(kk, 0),
            jnp.logical_and(jnp.less(us, 0.013), jnp.greater(v, us)),
          );
          const acc2 = jnp.less_equal(s, tt);
          const accept = jnp.logical_or(acc1, jnp.logical_and(jnp.logical_not(reject), acc2));
          return [lax.add(i, c(1, dt)), lax.select(accept, kk, kOut), jnp.logical_or(acc, accept), next];
        },
        [c(0, dt), full(-1, ldt), full(false, bool), key],
      ) as Value[]
    )[1];
    const kr = lax.convertElementType(rej, dt);
    const useB = jnp.broadcast_to(use, shape);
    const result = lax.select(useB, kn, kr);
    return lax.select(
      jnp.broadcast_to(lax.eq(lam, c(0, ldt)), shape),
      lax.broadcastInDim(c(0, dt), shape, []),
      result,
    );
  },
  { staticArgnums: [2, 3] },
);

/** `jax.random.poisson(key, lam, shape=None, dtype=int)`. */
export function poisson(key: KeyLike, lam: Num, shape?: Shape | null, dtype?: DTypeLike | null): Value {
  const k = single('poisson', key);
  const dt = dtype == null ? defaultInt() : canonicalize(toDType(dtype));
  let lv = toValue(lam);
  lv = lax.convertElementType(lv, float32);
  return _poisson(k, lv, paramShape('poisson', shape, lam), dt.name);
}

// ---- binomial ------------------------------------------------------------------------------------

const STIRLING_TAIL = [
  0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509, 0.0166446911898211,
  0.0138761288230707, 0.0118967099458917, 0.010411265261972, 0.00925546218271273, 0.00833056343336287,
];

/** log(k!) minus its Stirling approximation: a table for k <= 9, the series beyond. */
function stirlingTail(k: Value): Value {
  const dt = k.dtype;
  const table = lax.convertElementType(jnp.array(STIRLING_TAIL), dt);
  const useTable = jnp.less_equal(k, 9);
  const kc = lax.clamp(c(0, dt), k, c(9, dt));
  const kp1sq = jnp.multiply(jnp.add(kc, 1), jnp.add(kc, 1));
  const approx = jnp.divide(
    jnp.subtract(1 / 12, jnp.divide(jnp.subtract(1 / 360, jnp.divide(1 / 1260, kp1sq)), kp1sq)),
    jnp.add(kc, 1),
  );
  const idx = lax.convertElementType(lax.floor(kc), int32);
  return lax.select(useTable, jnp.take(table, idx), approx);
}

/** Sum geometric waiting times until they pass `count` (JAX's _binomial_inversion, for n*p <= 10). */
function binomialInversion(key: Value, count: Value, prob: Value, shape: number[], maxIters: Value): Value {
  const pdt = prob.dtype;
  const log1mp = lax.log1p(lax.neg(prob));
  const zeros = lax.broadcastInDim(c(0, pdt), shape, []);
  const [, k] = lax.whileLoop(
    ([i, , sum]: Value[]) =>
      lax.bitwiseAnd(jnp.any(lax.le(sum, count)), lax.lt(lax.convertElementType(i, pdt), maxIters)),
    ([i, num, sum, kk]: Value[]) => {
      const [sub, next] = twoKeys(kk);
      const numOut = lax.select(lax.le(sum, count), jnp.add(num, 1), num);
      const u = uniformData(sub, shape, pdt);
      const geom = lax.ceil(lax.div(lax.log(u), log1mp));
      return [lax.add(i, c(1, int32)), numOut, lax.add(sum, geom), next];
    },
    [c(0, int32), zeros, zeros, key],
  ) as Value[];
  return jnp.subtract(k, 1);
}

/** Hormann's transformed rejection with squeeze (BTRS, JAX's _btrs), for n*p > 10. */
function binomialBtrs(key: Value, count: Value, prob: Value, shape: number[], maxIters: Value): Value {
  const pdt = prob.dtype;
  const q1 = jnp.subtract(1, prob);
  const stddev = lax.sqrt(jnp.multiply(jnp.multiply(count, prob), q1));
  const b = jnp.add(1.15, jnp.multiply(2.53, stddev));
  const a = jnp.add(jnp.add(-0.0873, jnp.multiply(0.0248, b)), jnp.multiply(0.01, prob));
  const cc = jnp.add(jnp.multiply(count, prob), 0.5);
  const vr = jnp.subtract(0.92, jnp.divide(4.2, b));
  const r = jnp.divide(prob, q1);
  const alpha = jnp.multiply(jnp.add(2.83, jnp.divide(5.1, b)), stddev);
  const m = lax.floor(jnp.multiply(jnp.add(count, 1), prob));
  const [, kOut] = lax.whileLoop(
    ([i, , acc]: Value[]) =>
      lax.bitwiseAnd(jnp.any(lax.bitwiseNot(acc)), lax.lt(lax.convertElementType(i, pdt), maxIters)),
    ([i, kPrev, acc, kk]: Value[]) => {
      const draws = rejectionDraws(kk, shape, pdt);
      const { next, u, us } = draws;
      let v = draws.v;
      const accept1 = lax.bitwiseAnd(jnp.greater_equal(us, 0.07), lax.le(v, vr));
      const k = lax.floor(jnp.add(jnp.multiply(jnp.add(jnp.divide(jnp.multiply(2, a), us), b), u), cc));
      const reject = lax.bitwiseOr(jnp.less(k, 0), lax.gt(k, count));
      v = lax.log(jnp.divide(jnp.multiply(v, alpha), jnp.add(jnp.divide(a, jnp.multiply(us, us)), b)));
      const nm1 = jnp.add(jnp.subtract(count, m), 1);
      const nk1 = jnp.add(jnp.subtract(count, k), 1);
      let ub = jnp.multiply(jnp.add(m, 0.5), lax.log(jnp.divide(jnp.add(m, 1), jnp.multiply(r, nm1))));
      ub = jnp.add(ub, jnp.multiply(jnp.add(count, 1), lax.log(jnp.divide(nm1, nk1))));
      ub = jnp.add(
        ub,
        jnp.multiply(jnp.add(k, 0.5), lax.log(jnp.divide(jnp.multiply(r, nk1), jnp.add(k, 1)))),
      );
      ub = jnp.add(ub, stirlingTail(m));
      ub = jnp.add(ub, stirlingTail(jnp.subtract(count, m)));
      ub = jnp.subtract(ub, stirlingTail(k));
      ub = jnp.subtract(ub, stirlingTail(jnp.subtract(count, k)));
      const accept = lax.bitwiseOr(accept1, lax.bitwiseAnd(lax.bitwiseNot(reject), lax.le(v, ub)));
      return [lax.add(i, c(1, int32)), lax.select(accept, k, kPrev), lax.bitwiseOr(acc, accept), next];
    },
    [c(0, int32), lax.broadcastInDim(c(-1, pdt), shape, []), lax.broadcastInDim(c(0, bool), shape, []), key],
  ) as Value[];
  return kOut;
}

const _binomial = namedJit(
  '_binomial',
  function _binomial(key: Value, n: Value, p: Value, shape: number[], dtypeName: string): Value {
    const dt = toDType(dtypeName);
    checkShape('binomial', shape, n.shape, p.shape);
    let prob = p.dtype.isFloat ? p : lax.convertElementType(p, defaultFloat(), p.weakType);
    const pdt = prob.dtype;
    let count = jnp.broadcast_to(lax.convertElementType(n, pdt), shape);
    prob = jnp.broadcast_to(prob, shape);
    const full = (v: number) => lax.broadcastInDim(c(v, pdt), shape, []);
    const pLtHalf = jnp.less(prob, 0.5);
    let q = lax.select(pLtHalf, prob, jnp.subtract(1, prob));
    const countBad = lax.bitwiseOr(lax.ne(count, count), jnp.less(count, 0));
    const countInf = jnp.isinf(count);
    const qNaN = lax.ne(q, q);
    const qNeg = jnp.less(q, 0);
    q = lax.select(lax.bitwiseOr(qNaN, qNeg), full(0.01), q);
    const useInv = lax.bitwiseOr(countBad, jnp.less_equal(jnp.multiply(count, q), 10));
    count = lax.floor(count);
    const countInv = lax.select(useInv, count, full(0));
    const countBtrs = lax.select(useInv, full(1e4), count);
    const qBtrs = lax.select(useInv, full(0.5), q);
    // finfo(dtype).max as a float constant (a JS integer this large would be read as an int).
    const maxData = typedArrayFor(pdt, 1);
    maxData[0] = dt === float64 ? Number.MAX_VALUE : dt === float16 ? 65504 : 3.4028234663852886e38;
    const maxIters = fromHostData(maxData, [], pdt);
    const inv = lax.convertElementType(binomialInversion(key, countInv, q, shape, maxIters), dt);
    const btrs = lax.convertElementType(binomialBtrs(key, countBtrs, qBtrs, shape, maxIters), dt);
    let samples = lax.select(useInv, inv, btrs);
    const fullOut = (v: number) => lax.broadcastInDim(c(v, dt), shape, []);
    const invalid = lax.bitwiseOr(lax.bitwiseOr(qNeg, qNaN), countBad);
    samples = lax.select(invalid, fullOut(Number.NaN), samples);
    samples = lax.select(
      lax.bitwiseAnd(countInf, lax.bitwiseNot(invalid)),
      fullOut(Number.POSITIVE_INFINITY),
      samples,
    );
    const keep = lax.bitwiseOr(lax.bitwiseOr(pLtHalf, countBad), lax.bitwiseOr(qNaN, countInf));
    return lax.select(keep, samples, lax.sub(lax.convertElementType(count, dt), samples));
  },
  { staticArgnums: [3, 4] },
);

/**
 * `jax.random.binomial(key, n, p, shape=None, dtype=float)`: successes in n trials of
 * probability p, as floats (JAX's and TensorFlow's algorithm: inversion for n*min(p,1-p) <= 10,
 * BTRS above; NaN for invalid n or p, inf for infinite n).
 */
export function binomial(
  key: KeyLike,
  n: Num,
  p: Num,
  shape?: Shape | null,
  dtype?: DTypeLike | null,
): Value {
  const k = single('binomial', key);
  const dt = floatDType('binomial', dtype);
  return _binomial(k, toValue(n), toValue(p), paramShape('binomial', shape, n, p), dt.name);
}
