/**
 * @file jax.random's samplers with JAX's names, signatures and algorithms (jax/_src/random/
 * core.py is the reference; the code is tjax's own). Each public sampler checks its key and
 * arguments as JAX does and calls a jitted inner function named as JAX's (`_uniform`,
 * `_normal`, ...), so the same key gives the same draws as JAX and jaxprs nest the same way.
 *
 * Samplers whose JAX algorithm is a fixed computation of the key (uniform, normal, randint,
 * bernoulli, categorical, gumbel, exponential, laplace, logistic, cauchy, truncated_normal,
 * lognormal, pareto, weibull_min, rademacher, geometric, permutation, choice) follow it op for
 * op. Gamma and its family (loggamma, beta, dirichlet, chisquare, t, ball) run JAX's per-element
 * Marsaglia-Tsang loops (`lax.map` over split keys, nested `lax.whileLoop`s), and poisson runs
 * JAX's Knuth / transformed-rejection while loops, so they too reproduce JAX's draws, up to the
 * rare case where an ulp of difference in a transcendental flips a rejection test.
 *
 * Floats agree with JAX to a few ulps, not always bit for bit: XLA's CPU code contracts a*b+c
 * into fused multiply-adds and has its own log/tan/... approximations. float32 erf_inv (normal,
 * truncated_normal and everything built on normal) is one `erf_inv` equation, as in JAX's jaxprs;
 * the CPU backend computes it as XLA does (runtime.ts `erfinv32`: Giles' float32 polynomial with
 * XLA's fused multiply-adds), so normal draws match JAX's to the bit but for XLA's log1p. WebGPU
 * computes the same steps in float32 operations (compile/libm/erfinv.ts), and the rest of the
 * libm behind guards (compile/libm/guard.ts): every sampler here draws the CPU's bits there
 * (test/engine/webgpu/sampler-bits.test.ts; multivariate_normal and orthogonal run each device's
 * own linalg kernels).
 * binomial runs JAX's inversion and BTRS rejection loops. multivariate_normal and orthogonal are in
 * multivariate.ts (JAX's algorithms on the linalg primitives: the cholesky method and orthogonal
 * reproduce JAX's draws to float32 rounding; eigh/svd eigenvector signs differ from LAPACK's).
 */

import { fromHostData, toValue } from '../core/coerce.js';
import { config } from '../core/config.js';
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
  uint16,
  uint32,
  uint64,
} from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { shapeTuple, sizeOf } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import * as nn from '../nn/index.js';
import * as jnp from '../numpy/index.js';
import { namedJit } from '../transforms/jit.js';
import { type KeyLike, keyParts, randomBits, splitData } from './keys.js';

type Shape = number | readonly number[];
type Num = Value | number;

const UINT: Record<number, DType> = { 16: uint16, 32: uint32, 64: uint64 };

function shapeOf(name: string, s: Shape | null | undefined): number[] | null {
  if (s == null) return null;
  const shape = typeof s === 'number' ? [s] : [...s];
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new TypeError(
      `Shapes must be 1D sequences of concrete values of integer type, got ${shapeTuple(shape)}.`,
    );
  }
  void name;
  return shape;
}

function floatDType(name: string, dtype: DTypeLike | null | undefined): DType {
  const dt = dtype == null ? defaultFloat() : canonicalize(toDType(dtype));
  if (!dt.isFloat) throw new Error(`dtype argument to \`${name}\` must be a float dtype, got ${dt.name}`);
  return dt;
}

function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let d = 0; d < rank; d++) {
    let n = 1;
    for (const s of shapes) {
      const k = s[d - rank + s.length] ?? 1;
      if (k !== 1) {
        if (n !== 1 && n !== k)
          throw new Error(
            `Incompatible shapes for broadcasting: shapes=[${shapes.map(shapeTuple).join(', ')}]`,
          );
        n = k;
      }
    }
    out.push(n);
  }
  return out;
}

/** JAX's _check_shape: parameter shapes must broadcast to exactly `shape`. */
function checkShape(name: string, shape: readonly number[], ...paramShapes: (readonly number[])[]): void {
  if (!paramShapes.length) return;
  const b = broadcastShapes(shape, ...paramShapes);
  if (b.join() !== shape.join()) {
    throw new Error(
      `${name} parameter shapes must be broadcast-compatible with shape argument, and the result of broadcasting the shapes must equal the shape argument, but got result ${shapeTuple(b)} for shape argument ${shapeTuple(shape)}.`,
    );
  }
}

const shp = (x: Num): number[] => (typeof x === 'number' ? [] : x.shape);

/** lax.broadcast_to_rank: prepend size-1 dimensions. */
function toRank(x: Value, rank: number): Value {
  return x.ndim >= rank ? x : lax.broadcast(x, new Array(rank - x.ndim).fill(1));
}

/** A constant of a dtype (a non-weak 0-d array, as `np.array(v, dtype)` is in JAX). */
function c(v: number | bigint, dt: DType): Value {
  return lax.convertElementType(v, dt);
}

/** Finfo values JAX's samplers use. */
function finfo(dt: DType) {
  const nmant = dt === float64 ? 52 : dt === float16 ? 10 : 23;
  const bitsW = dt.itemsize * 8;
  const tiny =
    dt === float64 ? 2.2250738585072014e-308 : dt === float16 ? 6.103515625e-5 : 1.1754943508222875e-38;
  return { bits: bitsW, nmant, eps: 2 ** -nmant, epsneg: 2 ** -(nmant + 1), tiny };
}

function single(name: string, key: KeyLike): Value {
  return keyParts(name, key).data;
}

// ---- uniform / normal -----------------------------------------------------------------------------

const _uniform = namedJit(
  '_uniform',
  function _uniform(key: Value, minval: Value, maxval: Value, shape: number[], dtypeName: string): Value {
    const dt = toDType(dtypeName);
    checkShape('uniform', shape);
    const lo = toRank(lax.convertElementType(minval, dt), shape.length);
    const hi = toRank(lax.convertElementType(maxval, dt), shape.length);
    const { bits: nbits, nmant } = finfo(dt);
    const udt = UINT[nbits];
    const bitsV = randomBits(key, nbits, shape);
    const one = dt === float64 ? 0x3ff0000000000000n : dt === float16 ? 0x3c00 : 0x3f800000;
    let fb = lax.shiftRightLogical(bitsV, c(nbits - nmant, udt));
    fb = lax.bitwiseOr(fb, c(one, udt));
    const floats = lax.sub(lax.bitcastConvertType(fb, dt), c(1, dt));
    return lax.max(lo, lax.reshape(lax.add(lax.mul(floats, lax.sub(hi, lo)), lo), shape));
  },
  { staticArgnums: [3, 4] },
);

function uniformData(key: Value, shape: number[], dt: DType, minval: Num = 0, maxval: Num = 1): Value {
  return _uniform(key, toValue(minval), toValue(maxval), shape, dt.name);
}

/** `jax.random.uniform(key, shape=(), dtype=float, minval=0, maxval=1)`: values in [minval, maxval). */
export function uniform(
  key: KeyLike,
  shape: Shape = [],
  dtype?: DTypeLike | null,
  minval: Num = 0,
  maxval: Num = 1,
): Value {
  const k = single('uniform', key);
  const dt = floatDType('uniform', dtype);
  return uniformData(k, shapeOf('uniform', shape)!, dt, minval, maxval);
}

/** nextafter(-1, 0) in a float dtype. */
function minusOneUp(dt: DType): number {
  return dt === float64 ? -1 + 2 ** -53 : dt === float16 ? -1 + 2 ** -11 : Math.fround(-1 + 2 ** -24);
}

const _normalReal = namedJit(
  '_normal_real',
  function _normal_real(key: Value, shape: number[], dtypeName: string): Value {
    const dt = toDType(dtypeName);
    checkShape('normal', shape);
    const u = uniformData(key, shape, dt, c(minusOneUp(dt), dt), c(1, dt));
    return lax.mul(c(Math.SQRT2, dt), lax.erfInv(u));
  },
  { staticArgnums: [1, 2] },
);

const _normal = namedJit(
  '_normal',
  function _normal(key: Value, shape: number[], dtypeName: string): Value {
    return _normalReal(key, shape, dtypeName);
  },
  { staticArgnums: [1, 2] },
);

function normalData(key: Value, shape: number[], dt: DType): Value {
  return _normal(key, shape, dt.name);
}

/** `jax.random.normal(key, shape=(), dtype=float)`: standard normal values. */
export function normal(key: KeyLike, shape: Shape = [], dtype?: DTypeLike | null): Value {
  const k = single('normal', key);
  return normalData(k, shapeOf('normal', shape)!, floatDType('normal', dtype));
}

// ---- integers -------------------------------------------------------------------------------------

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
  const lo = lax.convertElementType(num(bigMax(a.min, b.min)), v.dtype);
  const hi = lax.convertElementType(num(bigMin(a.max, b.max)), v.dtype);
  return lax.convertElementType(lax.clamp(lo, v, hi), dt);
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
    mn = toRank(convertAndClip(mn, dt), shape.length);
    mx = toRank(convertAndClip(mx, dt), shape.length);
    const nbits = info.bits;
    const keys = splitData(key, [2]);
    const k1 = lax.squeeze(lax.slice(keys, [0, 0], [1, 2]), [0]);
    const k2 = lax.squeeze(lax.slice(keys, [1, 0], [2, 2]), [0]);
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

// ---- simple transforms of uniform ----------------------------------------------------------------

function defineSimple(name: string, f: (key: Value, shape: number[], dt: DType) => Value) {
  const inner = namedJit(
    `_${name}`,
    (key: Value, shape: number[], dtypeName: string) => {
      checkShape(name, shape);
      return f(key, shape, toDType(dtypeName));
    },
    { staticArgnums: [1, 2] },
  );
  return (key: Value, shape: number[], dt: DType): Value => inner(key, shape, dt.name);
}

const exponentialData = defineSimple('exponential', (key, shape, dt) =>
  lax.neg(lax.log1p(lax.neg(uniformData(key, shape, dt)))),
);

/** `jax.random.exponential(key, shape=(), dtype=float)`. */
export function exponential(key: KeyLike, shape: Shape = [], dtype?: DTypeLike | null): Value {
  return exponentialData(
    single('exponential', key),
    shapeOf('exponential', shape)!,
    floatDType('exponential', dtype),
  );
}

const laplaceData = defineSimple('laplace', (key, shape, dt) => {
  const u = uniformData(key, shape, dt, -1 + finfo(dt).epsneg, 1);
  return lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))));
});

/** `jax.random.laplace(key, shape=(), dtype=float)`. */
export function laplace(key: KeyLike, shape: Shape = [], dtype?: DTypeLike | null): Value {
  return laplaceData(single('laplace', key), shapeOf('laplace', shape)!, floatDType('laplace', dtype));
}

const logisticData = defineSimple('logistic', (key, shape, dt) => {
  const x = uniformData(key, shape, dt, finfo(dt).tiny, 1);
  return lax.sub(lax.log(x), lax.log1p(lax.neg(x)));
});

/** `jax.random.logistic(key, shape=(), dtype=float)`. */
export function logistic(key: KeyLike, shape: Shape = [], dtype?: DTypeLike | null): Value {
  return logisticData(single('logistic', key), shapeOf('logistic', shape)!, floatDType('logistic', dtype));
}

const cauchyData = defineSimple('cauchy', (key, shape, dt) => {
  const u = uniformData(key, shape, dt, finfo(dt).eps, 1);
  return lax.tan(lax.mul(c(Math.PI, dt), lax.sub(u, c(0.5, dt))));
});

/** `jax.random.cauchy(key, shape=(), dtype=float)`. */
export function cauchy(key: KeyLike, shape: Shape = [], dtype?: DTypeLike | null): Value {
  return cauchyData(single('cauchy', key), shapeOf('cauchy', shape)!, floatDType('cauchy', dtype));
}

const gumbelLow = defineSimple('gumbel', (key, shape, dt) =>
  lax.neg(lax.log(lax.neg(lax.log(uniformData(key, shape, dt, finfo(dt).tiny, 1))))),
);

/** The two leading slices of a (2, ...shape) array, as JAX's `high, low = x` unpacks it. */
function unpack2(x: Value): [Value, Value] {
  const lim = (i: number) => x.shape.map((n, d) => (d === 0 ? i + 1 : n));
  const st = (i: number) => x.shape.map((_, d) => (d === 0 ? i : 0));
  return [lax.squeeze(lax.slice(x, st(0), lim(0)), [0]), lax.squeeze(lax.slice(x, st(1), lim(1)), [0])];
}

/**
 * A float32 in (0, 1) from 64 random bits (hi, lo words in a u32[2, ...] array), as JAX's
 * `_safe_int_to_float`: the leading zeros pick the exponent, so values near 0 keep full precision.
 */
function safeIntToFloat(bitsV: Value): Value {
  const u = (v: number) => c(v, uint32);
  const [hiclz, loclz] = unpack2(lax.clz(bitsV));
  const [hi, lo] = unpack2(bitsV);
  const hi32 = lax.eq(hiclz, u(32));
  let mant = lax.bitwiseOr(
    lax.shiftLeft(hi, hiclz),
    lax.select(hi32, lax.shiftLeft(lo, loclz), lax.shiftRightLogical(lo, lax.sub(u(32), hiclz))),
  );
  mant = lax.bitwiseAnd(lax.shiftRightLogical(mant, u(8)), u((1 << 23) - 1));
  let exp = lax.sub(u(126), lax.select(hi32, lax.add(u(32), loclz), hiclz));
  exp = lax.bitwiseAnd(lax.shiftLeft(exp, u(23)), u((1 << 30) - (1 << 22)));
  return lax.bitcastConvertType(lax.bitwiseOr(exp, mant), float32);
}

const gumbelHigh = defineSimple('gumbel', (key, shape, dt) => {
  const [high, low] = unpack2(uniformData(key, [2, ...shape], dt, 0, 1));
  const { nmant, tiny } = finfo(dt);
  const x = jnp.where(
    jnp.greater_equal(high, 0.5),
    high,
    jnp.add(jnp.add(high, jnp.multiply(2 ** -nmant, low)), tiny),
  );
  return jnp.negative(jnp.log(jnp.negative(jnp.log1p(jnp.negative(x)))));
});

const gumbelHighest = defineSimple('gumbel', (key, shape, dt) => {
  if (dt !== float32) return gumbelHigh(key, shape, dt);
  const b = randomBits(key, 32, [2, ...shape]);
  const [b0] = unpack2(b);
  let neg = lax.bitwiseNot(b);
  const [, loBits] = unpack2(neg);
  // 1 - bits in 64-bit fixed point: add 1 to the low word, carrying into the high word.
  const carry = lax.convertElementType(lax.eq(loBits, c(0xffffffff, uint32)), uint32);
  neg = lax.add(neg, jnp.stack([carry, lax.broadcastInDim(c(1, uint32), loBits.shape, [])]));
  const flip = lax.lt(b0, c(2 ** 31, uint32));
  const x = safeIntToFloat(jnp.where(flip, b, neg));
  return jnp.where(
    flip,
    jnp.negative(jnp.log(jnp.negative(jnp.log1p(jnp.negative(x))))),
    jnp.negative(jnp.log(jnp.negative(jnp.log(x)))),
  );
});

/**
 * `jax.random.gumbel(key, shape=(), dtype=float, mode=None)`. mode 'low' (the default) maps one
 * uniform; 'high' combines two for twice the resolution near 0; 'highest' (float32 only; other
 * dtypes use 'high') builds the float from 64 random bits.
 */
export function gumbel(
  key: KeyLike,
  shape: Shape = [],
  dtype?: DTypeLike | null,
  mode: string | null = null,
): Value {
  const k = single('gumbel', key);
  const dt = floatDType('gumbel', dtype);
  const m = mode ?? 'low';
  if (m !== 'highest' && m !== 'high' && m !== 'low')
    throw new Error(`Must provide valid mode for gumbel got: ${m}`);
  const f = m === 'low' ? gumbelLow : m === 'high' ? gumbelHigh : gumbelHighest;
  return f(k, shapeOf('gumbel', shape)!, dt);
}

// ---- parameterized -------------------------------------------------------------------------------

function paramShape(name: string, shape: Shape | null | undefined, ...params: Num[]): number[] {
  const s = shapeOf(name, shape);
  if (s === null) return broadcastShapes(...params.map(shp));
  checkShape(name, s, ...params.map(shp));
  return s;
}

const _truncatedNormal = namedJit(
  '_truncated_normal',
  function _truncated_normal(
    key: Value,
    lower: Value,
    upper: Value,
    shape: number[],
    dtypeName: string,
  ): Value {
    const dt = toDType(dtypeName);
    const sqrt2 = c(Math.SQRT2, dt);
    const lo = lax.convertElementType(lower, dt);
    const hi = lax.convertElementType(upper, dt);
    const a = lax.erf(jnp.divide(lo, sqrt2));
    const b = lax.erf(jnp.divide(hi, sqrt2));
    const u = uniformData(key, shape, dt, a, b);
    const out = jnp.multiply(sqrt2, lax.erfInv(u));
    return jnp.clip(
      out,
      jnp.nextafter(lo, c(Number.POSITIVE_INFINITY, dt)),
      jnp.nextafter(hi, c(Number.NEGATIVE_INFINITY, dt)),
    );
  },
  { staticArgnums: [3, 4] },
);

/** `jax.random.truncated_normal(key, lower, upper, shape=None, dtype=float)`. */
export function truncatedNormal(
  key: KeyLike,
  lower: Num,
  upper: Num,
  shape?: Shape | null,
  dtype?: DTypeLike | null,
): Value {
  const k = single('truncated_normal', key);
  const dt = floatDType('truncated_normal', dtype);
  const s = paramShape('truncated_normal', shape, lower, upper);
  return _truncatedNormal(k, toValue(lower), toValue(upper), s, dt.name);
}

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
  let pv = toValue(p);
  if (!pv.dtype.isFloat) pv = lax.convertElementType(pv, defaultFloat(), pv.weakType);
  const s = paramShape('bernoulli', shape, pv);
  return mode === 'low' ? _bernoulli(k, pv, s) : _bernoulli(k, pv, s, mode);
}

/** `jax.random.rademacher(key, shape, dtype=int)`: -1 or +1 with equal probability. */
export function rademacher(key: KeyLike, shape: Shape, dtype?: DTypeLike | null): Value {
  const k = single('rademacher', key);
  const dt = dtype == null ? defaultInt() : canonicalize(toDType(dtype));
  return _rademacher(k, shapeOf('rademacher', shape)!, dt.name);
}

const _rademacher = namedJit(
  '_rademacher',
  function _rademacher(key: Value, shape: number[], dtypeName: string): Value {
    const dt = toDType(dtypeName);
    const b = lax.convertElementType(_bernoulli(key, toValue(0.5), shape), dt);
    return lax.convertElementType(jnp.subtract(jnp.multiply(2, b), 1), dt);
  },
  { staticArgnums: [1, 2] },
);

const _pareto = namedJit(
  '_pareto',
  function _pareto(key: Value, b: Value, shape: number[], dtypeName: string): Value {
    const dt = toDType(dtypeName);
    const bb = lax.convertElementType(b, dt);
    return lax.exp(jnp.divide(exponentialData(key, shape, dt), bb));
  },
  { staticArgnums: [2, 3] },
);

/** `jax.random.pareto(key, b, shape=None, dtype=float)`. */
export function pareto(key: KeyLike, b: Num, shape?: Shape | null, dtype?: DTypeLike | null): Value {
  const k = single('pareto', key);
  return _pareto(k, toValue(b), paramShape('pareto', shape, b), floatDType('pareto', dtype).name);
}

const _weibullMin = namedJit(
  '_weibull_min',
  function _weibull_min(key: Value, scale: Value, conc: Value, shape: number[], dtypeName: string): Value {
    const u = uniformData(key, shape, toDType(dtypeName), 0, 1);
    return jnp.multiply(jnp.power(jnp.negative(jnp.log1p(jnp.negative(u))), jnp.divide(1.0, conc)), scale);
  },
  { staticArgnums: [3, 4] },
);

/** `jax.random.weibull_min(key, scale, concentration, shape=(), dtype=float)`. */
export function weibullMin(
  key: KeyLike,
  scale: Num,
  concentration: Num,
  shape: Shape = [],
  dtype?: DTypeLike | null,
): Value {
  const k = single('weibull_min', key);
  return _weibullMin(
    k,
    toValue(scale),
    toValue(concentration),
    shapeOf('weibull_min', shape)!,
    floatDType('weibull_min', dtype).name,
  );
}

const _lognormal = namedJit(
  '_lognormal',
  function _lognormal(key: Value, sigma: Value, shape: number[], dtypeName: string): Value {
    const dt = toDType(dtypeName);
    return lax.exp(jnp.multiply(normalData(key, shape, dt), lax.convertElementType(sigma, dt)));
  },
  { staticArgnums: [2, 3] },
);

/** `jax.random.lognormal(key, sigma=1, shape=None, dtype=float)`. */
export function lognormal(
  key: KeyLike,
  sigma: Num = 1,
  shape?: Shape | null,
  dtype?: DTypeLike | null,
): Value {
  const k = single('lognormal', key);
  return _lognormal(
    k,
    toValue(sigma),
    paramShape('lognormal', shape, sigma),
    floatDType('lognormal', dtype).name,
  );
}

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

// ---- categorical, permutation, choice ------------------------------------------------------------

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

const _shuffle = namedJit(
  '_shuffle',
  function _shuffle(key: Value, x: Value, axis: number): Value {
    const rounds = Math.ceil((3 * Math.log(Math.max(1, x.size))) / Math.log(4294967295));
    let k = key;
    let out = x;
    for (let i = 0; i < rounds; i++) {
      const ks = splitData(k, [2]);
      k = lax.squeeze(lax.slice(ks, [0, 0], [1, 2]), [0]);
      const sub = lax.squeeze(lax.slice(ks, [1, 0], [2, 2]), [0]);
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

// ---- gamma family --------------------------------------------------------------------------------

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
  const first = (ks: Value, i: number) => lax.squeeze(lax.slice(ks, [i, 0], [i + 1, 2]), [0]);
  const cond = ([, X, V, U]: Value[]) =>
    lax.bitwiseAnd(
      lax.ge(U, lax.sub(one, lax.mul(k(0.0331), lax.mul(X, X)))),
      lax.ge(lax.log(U), lax.add(lax.mul(X, k(0.5)), lax.mul(d, lax.add(lax.sub(one, V), lax.log(V))))),
    );
  const body = ([kk]: Value[]) => {
    const ks = splitData(kk, [3]);
    const [, x, v] = lax.whileLoop(
      ([, , v0]: Value[]) => lax.le(v0, zero),
      ([k0]: Value[]) => {
        const s = splitData(k0, [2]);
        const xx = normalData(first(s, 1), [], dt);
        return [first(s, 0), xx, lax.add(one, lax.mul(xx, cc))];
      },
      [first(ks, 1), zero, k(-1)],
    ) as Value[];
    return [first(ks, 0), lax.mul(x, x), lax.mul(lax.mul(v, v), v), uniformData(first(ks, 2), [], dt)];
  };
  const s0 = splitData(key, [2]);
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
    const keys = splitData(key, [n]);
    const alphas = lax.reshape(av, [n]);
    const out = lax.map(
      ([kk, al]: Value[]) => gammaOne(kk, al, logSpace),
      [keys, alphas],
    ) as unknown as Value;
    return lax.reshape(out, shape);
  },
  { staticArgnums: [2, 3, 4] },
);

function gammaData(key: Value, a: Num, shape: number[], dt: DType, logSpace: boolean): Value {
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

function twoKeys(key: Value): [Value, Value] {
  const ks = splitData(key, [2]);
  return [lax.squeeze(lax.slice(ks, [0, 0], [1, 2]), [0]), lax.squeeze(lax.slice(ks, [1, 0], [2, 2]), [0])];
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
    return nn.softmax(lg, { axis: -1 });
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
  const k = single('chisquare', key);
  return _chisquare(k, toValue(df), paramShape('chisquare', shape, df), floatDType('chisquare', dtype).name);
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
  const k = single('t', key);
  return _t(k, toValue(df), paramShape('t', shape, df), floatDType('t', dtype).name);
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
          const ks = splitData(rng, [3]);
          const pick = (j: number) => lax.squeeze(lax.slice(ks, [j, 0], [j + 1, 2]), [0]);
          const u = jnp.subtract(uniformData(pick(1), shape, ldt), 0.5);
          const v = uniformData(pick(2), shape, ldt);
          const us = jnp.subtract(0.5, jnp.abs(u));
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
          return [lax.add(i, c(1, dt)), lax.select(accept, kk, kOut), jnp.logical_or(acc, accept), pick(0)];
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
      const ks = splitData(kk, [3]);
      const pick = (j: number) => lax.squeeze(lax.slice(ks, [j, 0], [j + 1, 2]), [0]);
      const u = jnp.subtract(uniformData(pick(1), shape, pdt), 0.5);
      let v = uniformData(pick(2), shape, pdt);
      const us = jnp.subtract(0.5, lax.abs(u));
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
      return [lax.add(i, c(1, int32)), lax.select(accept, k, kPrev), lax.bitwiseOr(acc, accept), pick(0)];
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

// Shared with distributions.ts (the samplers JAX added later: rayleigh, wald, f, ...).
export { c, config, floatDType, type Num, paramShape, type Shape, shapeOf, single, twoKeys, uniformData };
