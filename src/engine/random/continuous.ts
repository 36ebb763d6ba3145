/**
 * @file jax.random's continuous samplers that are a fixed computation of the key: uniform, normal,
 * exponential, laplace, logistic, cauchy, gumbel, truncated_normal, pareto, weibull_min,
 * lognormal, with JAX's names, signatures and algorithms (jax/_src/random/core.py is the
 * reference; the code is tjax's own). Each public sampler checks its key and arguments as JAX does
 * and calls a jitted inner function named as JAX's (`_uniform`, `_normal`, ...), so the same key
 * gives the same draws as JAX and jaxprs nest the same way; the other sampler files build on
 * `uniformData`, `normalData`, `exponentialData` and `gumbelLow`.
 *
 * Floats agree with JAX to a few ulps, not always bit for bit: XLA's CPU code contracts a*b+c
 * into fused multiply-adds and has its own log/tan/... approximations. float32 erf_inv (normal,
 * truncated_normal and everything built on normal) is one `erf_inv` equation, as in JAX's jaxprs;
 * the CPU backend computes it as XLA does (runtime.ts `erfinv32`: Giles' float32 polynomial with
 * XLA's fused multiply-adds), so normal draws match JAX's to the bit but for XLA's log1p. WebGPU
 * computes the same steps in float32 operations (compile/libm/erfinv.ts), and the rest of the
 * libm behind guards (compile/libm/guard.ts): every sampler draws the CPU's bits there
 * (test/engine/webgpu/sampler-bits.test.ts; multivariate_normal and orthogonal run each device's
 * own linalg kernels).
 */
import { scalarArray, toValue } from '../core/coerce.js';
import { type DType, type DTypeLike, float16, float32, float64, toDType, uint32 } from '../core/dtype.js';
import type { Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import * as jnp from '../numpy/index.js';
import { pyfloat } from '../numpy/util.js';
import { stopGradient } from '../transforms/api.js';
import { namedJit } from '../transforms/jit.js';
import {
  c,
  checkShape,
  drawOneParam,
  drawTwoParams,
  finfo,
  floatDType,
  type Num,
  paramShape,
  type Shape,
  shapeOf,
  single,
  toRank,
  UINT,
  unpack2,
} from './common.js';
import { type KeyLike, randomBits } from './keys.js';

// ---- uniform / normal ----------------------------------------------------------------------------

function uniformBody(key: Value, minval: Value, maxval: Value, shape: number[], dtypeName: string): Value {
  const dt = toDType(dtypeName);
  checkShape('uniform', shape);
  const mn = lax.convertElementType(minval, dt);
  const mx = lax.convertElementType(maxval, dt);
  const lo = toRank(mn, shape.length);
  const hi = toRank(mx, shape.length);
  const { bits: nbits, nmant } = finfo(dt);
  const udt = UINT[nbits];
  const bitsV = randomBits(key, nbits, shape);
  const one = dt === float64 ? 0x3ff0000000000000n : dt === float16 ? 0x3c00 : 0x3f800000;
  let fb = lax.shiftRightLogical(bitsV, c(nbits - nmant, udt));
  fb = lax.bitwiseOr(fb, c(one, udt));
  const floats = lax.sub(lax.bitcastConvertType(fb, dt), c(1, dt));
  return lax.max(lo, lax.reshape(lax.add(lax.mul(floats, lax.sub(hi, lo)), lo), shape));
}

const _uniform = namedJit(
  '_uniform',
  function _uniform(key: Value, minval: Value, maxval: Value, shape: number[], dtypeName: string): Value {
    return uniformBody(key, minval, maxval, shape, dtypeName);
  },
  { staticArgnums: [3, 4] },
);

/** `_uniform` called with minval and maxval as keywords (gumbel's): jit orders them by name. */
const _uniformKw = namedJit(
  '_uniform',
  function _uniform(
    key: Value,
    kw: { minval: Value; maxval: Value },
    shape: number[],
    dtypeName: string,
  ): Value {
    return uniformBody(key, kw.minval, kw.maxval, shape, dtypeName);
  },
  { staticArgnums: [2, 3] },
);

/** A bound as JAX's callers write it: a JS number is a Python float (`0.`, `1.`), weakly typed. */
const bound = (v: Num): Value => (typeof v === 'number' ? pyfloat(v) : toValue(v));

export function uniformData(key: Value, shape: number[], dt: DType, minval: Num = 0, maxval: Num = 1): Value {
  return _uniform(key, bound(minval), bound(maxval), shape, dt.name);
}

function uniformKw(key: Value, shape: number[], dt: DType, minval: Num, maxval: Num): Value {
  return _uniformKw(key, { minval: bound(minval), maxval: bound(maxval) }, shape, dt.name);
}

/** A finfo constant as JAX's samplers pass it: a NumPy scalar of the dtype (strongly typed). */
const npScalar = (v: number, dt: DType): Value => scalarArray(v, dt);

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

export function normalData(key: Value, shape: number[], dt: DType): Value {
  return _normal(key, shape, dt.name);
}

/** `jax.random.normal(key, shape=(), dtype=float)`: standard normal values. */
export function normal(key: KeyLike, shape: Shape = [], dtype?: DTypeLike | null): Value {
  const k = single('normal', key);
  return normalData(k, shapeOf('normal', shape)!, floatDType('normal', dtype));
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

export const exponentialData = defineSimple('exponential', (key, shape, dt) =>
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
  const u = uniformData(key, shape, dt, npScalar(-1 + finfo(dt).epsneg, dt), 1);
  return lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))));
});

/** `jax.random.laplace(key, shape=(), dtype=float)`. */
export function laplace(key: KeyLike, shape: Shape = [], dtype?: DTypeLike | null): Value {
  return laplaceData(single('laplace', key), shapeOf('laplace', shape)!, floatDType('laplace', dtype));
}

const logisticData = defineSimple('logistic', (key, shape, dt) => {
  const x = uniformData(key, shape, dt, npScalar(finfo(dt).tiny, dt), 1);
  return lax.sub(lax.log(x), lax.log1p(lax.neg(x)));
});

/** `jax.random.logistic(key, shape=(), dtype=float)`. */
export function logistic(key: KeyLike, shape: Shape = [], dtype?: DTypeLike | null): Value {
  return logisticData(single('logistic', key), shapeOf('logistic', shape)!, floatDType('logistic', dtype));
}

const cauchyData = defineSimple('cauchy', (key, shape, dt) => {
  const u = uniformData(key, shape, dt, npScalar(finfo(dt).eps, dt), 1);
  return lax.tan(lax.mul(c(Math.PI, dt), lax.sub(u, c(0.5, dt))));
});

/** `jax.random.cauchy(key, shape=(), dtype=float)`. */
export function cauchy(key: KeyLike, shape: Shape = [], dtype?: DTypeLike | null): Value {
  return cauchyData(single('cauchy', key), shapeOf('cauchy', shape)!, floatDType('cauchy', dtype));
}

export const gumbelLow = defineSimple('gumbel', (key, shape, dt) =>
  lax.neg(lax.log(lax.neg(lax.log(uniformKw(key, shape, dt, npScalar(finfo(dt).tiny, dt), 1))))),
);

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
  const [high, low] = unpack2(uniformKw(key, [2, ...shape], dt, 0, 1));
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
      jnp.nextafter(stopGradient(lo), c(Number.POSITIVE_INFINITY, dt)),
      jnp.nextafter(stopGradient(hi), c(Number.NEGATIVE_INFINITY, dt)),
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
  return drawOneParam('pareto', _pareto, key, b, shape, dtype);
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
  return drawTwoParams('weibull_min', _weibullMin, key, scale, concentration, shape, dtype);
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
