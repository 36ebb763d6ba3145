/**
 * @file jax.nn.initializers: functions that build parameter initializers, each called as JAX's are,
 * `nn.initializers.glorotUniform()(key, shape, dtype)`. They follow jax/_src/nn/initializers.py
 * (JAX 0.10.2) op for op on top of tjax's bit-exact PRNG, so the same key, shape and dtype give
 * the same draws as JAX: the fan computation in float64 as Python does it, the variance rounded
 * to the parameter dtype by `jnp.array(scale / n, dtype)`, then JAX's sampler and its scaling
 * multiplications in that dtype.
 *
 * Not yet: variance scaling's complex branches (a uniform disk, a truncated complex normal) and
 * complex normal draws; a complex dtype raises from the sampler. Every other path is JAX's.
 */
import { type DType, type DTypeLike, defaultFloat, toDType } from '../core/dtype.js';
import type { Value } from '../core/trace.js';
import * as jnp from '../numpy/namespace.js';
import {
  normal as randomNormal,
  truncatedNormal as randomTruncatedNormal,
  uniform as randomUniform,
} from '../random/continuous.js';
import type { KeyLike } from '../random/keys.js';
import { orthogonal as randomOrthogonal } from '../random/multivariate.js';
import { ValueError } from '../transforms/api.js';

/** What every initializer is: `(key, shape, dtype?) => array`, JAX's `Initializer` protocol. */
export type Initializer = (key: KeyLike, shape: readonly number[], dtype?: DTypeLike | null) => Value;

/** An axis or a list of axes of the weights array. */
export type AxisSpec = number | readonly number[];

export interface FanAxes {
  inAxis?: AxisSpec;
  outAxis?: AxisSpec;
  batchAxis?: AxisSpec;
}

export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg' | 'fan_geo_avg';
export type Distribution = 'truncated_normal' | 'normal' | 'uniform';

function dtypeOf(dtype: DTypeLike | null | undefined): DType {
  return dtype == null ? defaultFloat() : toDType(dtype);
}

/** `jnp.array(v, dtype)`: a strongly typed 0-d constant. */
function constant0(v: number, dt: DType): Value {
  return jnp.array(v, { dtype: dt });
}

/** Python's `shape[i]`, negative indices counting from the end. */
function dimAt(shape: readonly number[], i: number): number {
  const d = shape[i < 0 ? i + shape.length : i];
  if (d === undefined) throw new RangeError(`tuple index out of range`);
  return d;
}

function sizeAlong(shape: readonly number[], axes: AxisSpec): number {
  return typeof axes === 'number' ? dimAt(shape, axes) : axes.reduce((p, a) => p * dimAt(shape, a), 1);
}

/**
 * JAX's `_compute_fans`: the effective input and output sizes of a weights array. Axes outside
 * inAxis, outAxis and batchAxis are the receptive field (a convolution's spatial axes).
 */
export function computeFans(
  shape: readonly number[],
  inAxis: AxisSpec = -2,
  outAxis: AxisSpec = -1,
  batchAxis: AxisSpec = [],
): [number, number] {
  if (inAxis === -2 && shape.length <= 1) {
    throw new ValueError(
      `Can't compute input and output sizes of a ${shape.length}-dimensional weights tensor with default in_axis. Must be at least 2D or specify in_axis explicitly.`,
    );
  }
  const inSize = sizeAlong(shape, inAxis);
  const outSize = sizeAlong(shape, outAxis);
  const batchSize = sizeAlong(shape, batchAxis);
  // The same float64 divisions, in the same order, as Python's `math.prod(shape) / in / out / batch`.
  const receptive = shape.reduce((p, d) => p * d, 1) / inSize / outSize / batchSize;
  return [inSize * receptive, outSize * receptive];
}

function checkShape(shape: readonly number[]): number[] {
  const s = [...shape];
  for (const d of s) {
    if (!Number.isInteger(d) || d < 0) {
      throw new TypeError(
        `Shapes must be 1D sequences of concrete values of integer type, got (${s.join(', ')}).`,
      );
    }
  }
  return s;
}

/** `jax.nn.initializers.zeros(key, shape, dtype)`: the key is ignored. */
export function zeros(_key: KeyLike, shape: readonly number[], dtype?: DTypeLike | null): Value {
  return jnp.zeros(checkShape(shape), { dtype: dtypeOf(dtype) });
}

/** `jax.nn.initializers.ones(key, shape, dtype)`: the key is ignored. */
export function ones(_key: KeyLike, shape: readonly number[], dtype?: DTypeLike | null): Value {
  return jnp.ones(checkShape(shape), { dtype: dtypeOf(dtype) });
}

/** `constant(value, dtype)`: arrays full of `value`. */
export function constant(value: unknown, dtype: DTypeLike | null = null): Initializer {
  return (_key, shape, dt = dtype) => jnp.full(checkShape(shape), value, { dtype: dtypeOf(dt) });
}

/** `uniform(scale=1e-2, dtype)`: values uniform in [0, scale). */
export function uniform(scale = 1e-2, dtype: DTypeLike | null = null): Initializer {
  return (key, shape, dt = dtype) => {
    const d = dtypeOf(dt);
    return jnp.multiply(randomUniform(key, checkShape(shape), d), constant0(scale, d));
  };
}

/** `normal(stddev=1e-2, dtype)`: centred normal values. */
export function normal(stddev = 1e-2, dtype: DTypeLike | null = null): Initializer {
  return (key, shape, dt = dtype) => {
    const d = dtypeOf(dt);
    return jnp.multiply(randomNormal(key, checkShape(shape), d), constant0(stddev, d));
  };
}

/**
 * `truncatedNormal(stddev=1e-2, dtype, lower=-2, upper=2)`: a standard normal truncated to
 * [lower, upper], then scaled by stddev (no variance correction, as in JAX).
 */
export function truncatedNormal(
  stddev = 1e-2,
  dtype: DTypeLike | null = null,
  lower = -2.0,
  upper = 2.0,
): Initializer {
  return (key, shape, dt = dtype) => {
    const d = dtypeOf(dt);
    return jnp.multiply(randomTruncatedNormal(key, lower, upper, checkShape(shape), d), constant0(stddev, d));
  };
}

/**
 * `varianceScaling(scale, mode, distribution, { inAxis, outAxis, batchAxis, dtype })`: draws with
 * variance `scale / n`, n the fan-in, fan-out, their mean or their geometric mean. A truncated
 * normal is cut at two standard deviations and rescaled by its stddev (0.8796...) so the variance
 * after truncation is the requested one.
 */
export function varianceScaling(
  scale: number,
  mode: FanMode,
  distribution: Distribution,
  opts: FanAxes & { dtype?: DTypeLike | null } = {},
): Initializer {
  return (key, shape, dt = opts.dtype ?? null) => {
    const s = checkShape(shape);
    const d = dtypeOf(dt);
    const [fanIn, fanOut] = computeFans(s, opts.inAxis, opts.outAxis, opts.batchAxis);
    let denominator: number;
    if (mode === 'fan_in') denominator = fanIn;
    else if (mode === 'fan_out') denominator = fanOut;
    else if (mode === 'fan_avg') denominator = (fanIn + fanOut) / 2;
    else if (mode === 'fan_geo_avg') denominator = (fanIn * fanOut) ** 0.5;
    else throw new ValueError(`invalid mode for variance scaling initializer: ${String(mode)}`);
    const variance = constant0(scale / denominator, d);
    if (distribution === 'truncated_normal') {
      const stddev = jnp.divide(jnp.sqrt(variance), constant0(0.8796256610342398, d));
      return jnp.multiply(randomTruncatedNormal(key, -2, 2, s, d), stddev);
    }
    if (distribution === 'normal') return jnp.multiply(randomNormal(key, s, d), jnp.sqrt(variance));
    if (distribution === 'uniform') {
      return jnp.multiply(randomUniform(key, s, d, -1), jnp.sqrt(jnp.multiply(3, variance)));
    }
    throw new ValueError(`invalid distribution for variance scaling initializer: ${String(distribution)}`);
  };
}

/** Axes and dtype of the named variance-scaling forms (glorot, he, lecun). */
export type ScalingOptions = FanAxes & { dtype?: DTypeLike | null };

/** A named variance-scaling form: its scale, fan mode and distribution fixed, axes and dtype left open. */
const scaling =
  (scale: number, mode: FanMode, distribution: Distribution) =>
  (opts: ScalingOptions = {}): Initializer =>
    varianceScaling(scale, mode, distribution, opts);
/** Glorot (Xavier) uniform: scale 1, fan_avg, uniform. */
export const glorotUniform = scaling(1.0, 'fan_avg', 'uniform');
/** Glorot (Xavier) normal: scale 1, fan_avg, truncated normal. */
export const glorotNormal = scaling(1.0, 'fan_avg', 'truncated_normal');
/** LeCun uniform: scale 1, fan_in, uniform. */
export const lecunUniform = scaling(1.0, 'fan_in', 'uniform');
/** LeCun normal: scale 1, fan_in, truncated normal (flax's default kernel init). */
export const lecunNormal = scaling(1.0, 'fan_in', 'truncated_normal');
/** He (Kaiming) uniform: scale 2, fan_in, uniform. */
export const heUniform = scaling(2.0, 'fan_in', 'uniform');
/** He (Kaiming) normal: scale 2, fan_in, truncated normal. */
export const heNormal = scaling(2.0, 'fan_in', 'truncated_normal');
export const xavierUniform = glorotUniform;
export const xavierNormal = glorotNormal;
export const kaimingUniform = heUniform;
export const kaimingNormal = heNormal;

/**
 * `orthogonal(scale=1, columnAxis=-1, dtype)`: matrices with orthonormal rows or columns (the
 * smaller side), drawn by `random.orthogonal` over (prod(other axes), shape[columnAxis]) and moved
 * back into place.
 */
export function orthogonal(scale = 1.0, columnAxis = -1, dtype: DTypeLike | null = null): Initializer {
  return (key, shape, dt = dtype) => {
    const s = checkShape(shape);
    const d = dtypeOf(dt);
    if (s.length < 2) throw new ValueError('orthogonal initializer requires at least a 2D shape');
    if (s.includes(0)) return jnp.zeros(s, { dtype: d });
    const col = columnAxis < 0 ? columnAxis + s.length : columnAxis;
    const nCols = dimAt(s, columnAxis);
    const nRows = Math.floor(s.reduce((p, x) => p * x, 1) / nCols);
    let q = randomOrthogonal(key, nRows, [], d, nCols);
    q = jnp.reshape(q, [...s.filter((_, i) => i !== col), nCols]);
    q = jnp.moveaxis(q, -1, columnAxis);
    return jnp.multiply(constant0(scale, d), q);
  };
}

/**
 * `deltaOrthogonal(scale=1, columnAxis=-1, dtype)`: a 3-D, 4-D or 5-D convolution kernel that is
 * zero but for an orthogonal matrix at its spatial centre (Xiao et al. 2018).
 */
export function deltaOrthogonal(scale = 1.0, columnAxis = -1, dtype: DTypeLike | null = null): Initializer {
  return (key, shape, dt = dtype) => {
    const s = checkShape(shape);
    const d = dtypeOf(dt);
    if (s.length < 3 || s.length > 5) {
      throw new ValueError('Delta orthogonal initializer requires a 3D, 4D or 5D shape.');
    }
    if (s[s.length - 1] < s[s.length - 2])
      throw new ValueError('`fan_in` must be less or equal than `fan_out`. ');
    const ortho = orthogonal(scale, columnAxis, d)(key, s.slice(-2));
    const w = jnp.zeros(s, { dtype: d });
    const centre = s.slice(0, -2).map((k) => Math.floor((k - 1) / 2));
    return jnp.atUpdate(w, [...centre, '...'], ortho, 'set');
  };
}

// JAX's snake_case names, for the expression language and for readers coming from Python.
export {
  deltaOrthogonal as delta_orthogonal,
  glorotNormal as glorot_normal,
  glorotUniform as glorot_uniform,
  heNormal as he_normal,
  heUniform as he_uniform,
  kaimingNormal as kaiming_normal,
  kaimingUniform as kaiming_uniform,
  lecunNormal as lecun_normal,
  lecunUniform as lecun_uniform,
  truncatedNormal as truncated_normal,
  varianceScaling as variance_scaling,
  xavierNormal as xavier_normal,
  xavierUniform as xavier_uniform,
};
