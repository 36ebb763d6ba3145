/**
 * @file linen's normalization layers as flax/linen/normalization.py (flax 0.12.8) has them:
 * BatchNorm, LayerNorm, RMSNorm, GroupNorm and InstanceNorm, with flax's defaults, parameter and
 * variable names (`scale`, `bias`; `batch_stats` `mean` and `var`) and arithmetic: statistics in at
 * least float32, the biased variance as E[x^2] - E[x]^2 clipped at 0 (`useFastVariance`, the
 * default) or E[(x - E[x])^2], `(x - mean) * (rsqrt(var + eps) * scale) + bias`.
 *
 * `axisName` (averaging statistics across devices with `lax.pmean`) is accepted. tjax has no named
 * axes yet (no pmap/shard_map), so an axis name is never bound, and using one raises what JAX
 * raises for an unbound name: `NameError: unbound axis name: <name>`.
 */
import { toValue } from '../core/coerce.js';
import { type DType, float32, promoteTypes, toDType } from '../core/dtype.js';
import type { Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import * as initializers from '../nn/initializers.js';
import * as jnp from '../numpy/namespace.js';
import { ValueError } from '../transforms/api.js';
import { canonicalizeDtype } from './dtypes.js';
import { type DTypeOption, Module, type ModuleOptions, mergeParam, setFields } from './module.js';

type Initializer = initializers.Initializer;
type Axes = number | readonly number[];

/** Python's NameError, as JAX raises it for an axis name no transformation has bound. */
export class NameError extends Error {
  override name = 'NameError';
}

/** flax's `_canonicalize_axes`: non-negative, deduplicated and (as Python's small-int sets) sorted. */
function canonicalizeAxes(rank: number, axes: Axes): number[] {
  const list = typeof axes === 'number' ? [axes] : [...axes];
  return [...new Set(list.map((a) => (a < 0 ? rank + a : a)))].sort((a, b) => a - b);
}

function absSq(x: Value): Value {
  return lax.square(x);
}

interface StatsOptions {
  axisName?: string | null;
  useMean?: boolean;
  useFastVariance?: boolean;
  mask?: unknown;
  forceFloat32Reductions?: boolean;
}

/** flax's `_compute_stats`: (mean, var) over `axes`. */
function computeStats(x0: Value, axes: Axes, dtype: DTypeOption, opts: StatsOptions): [Value, Value] {
  let dt: DType = dtype === null ? x0.dtype : toDType(dtype);
  if (opts.forceFloat32Reductions ?? true) {
    dt = promoteTypes({ dtype: dt, weakType: false }, { dtype: float32, weakType: false }).dtype;
  }
  const x = jnp.astype(x0, dt);
  const axis = canonicalizeAxes(x.ndim, axes);
  const where = opts.mask == null ? undefined : jnp.asarray(opts.mask, { dtype: 'bool' });
  const mean = (v: Value): Value => {
    if (opts.axisName != null) throw new NameError(`unbound axis name: ${opts.axisName}`);
    return jnp.mean(v, { axis, where });
  };
  if (!(opts.useMean ?? true)) {
    const v = mean(absSq(x));
    return [jnp.zerosLike(v), v];
  }
  if (opts.useFastVariance ?? true) {
    const mu = mean(x);
    const mu2 = mean(absSq(x));
    return [mu, jnp.maximum(0.0, jnp.subtract(mu2, absSq(mu)))];
  }
  const mu = mean(x);
  return [mu, mean(absSq(jnp.subtract(x, jnp.expand_dims(mu, axis))))];
}

/** The fields every normalization layer shares. */
export interface NormOptions extends ModuleOptions {
  epsilon?: number;
  dtype?: DTypeOption;
  paramDtype?: DTypeOption;
  useBias?: boolean;
  useScale?: boolean;
  biasInit?: Initializer;
  scaleInit?: Initializer;
  axisName?: string | null;
  axisIndexGroups?: unknown;
  useFastVariance?: boolean;
  forceFloat32Reductions?: boolean;
}

/** flax's defaults for NormOptions' fields but epsilon (1e-5 for BatchNorm, 1e-6 otherwise). */
const NORM_DEFAULTS = {
  dtype: null,
  paramDtype: 'float32',
  useBias: true,
  useScale: true,
  biasInit: initializers.zeros,
  scaleInit: initializers.ones,
  axisName: null,
  axisIndexGroups: null,
  useFastVariance: true,
  forceFloat32Reductions: true,
};

/** The shared fields, with flax's defaults. */
abstract class Norm extends Module {
  declare readonly epsilon: number;
  declare readonly dtype: DTypeOption;
  declare readonly paramDtype: DTypeOption;
  declare readonly useBias: boolean;
  declare readonly useScale: boolean;
  declare readonly biasInit: Initializer;
  declare readonly scaleInit: Initializer;
  declare readonly axisName: string | null;
  declare readonly axisIndexGroups: unknown;
  declare readonly useFastVariance: boolean;
  declare readonly forceFloat32Reductions: boolean;

  constructor(opts: NormOptions, epsilon: number) {
    super(opts);
    setFields(this, opts, { epsilon, ...NORM_DEFAULTS });
  }

  protected stats(
    x: Value,
    axes: Axes,
    mask: unknown,
    axisName = this.axisName,
    useMean = true,
  ): [Value, Value] {
    return computeStats(x, axes, this.dtype, {
      axisName,
      useMean,
      useFastVariance: this.useFastVariance,
      mask,
      forceFloat32Reductions: this.forceFloat32Reductions,
    });
  }

  /** flax's `_normalize`: `(x - mean) * rsqrt(var + eps) * scale + bias`, with scale/bias created here. */
  protected normalize(
    x: Value,
    mean0: Value,
    var0: Value,
    reductionAxes: Axes,
    featureAxes: Axes,
    useBias = this.useBias,
    useScale = this.useScale,
  ): Value {
    const red = canonicalizeAxes(x.ndim, reductionAxes);
    const feat = canonicalizeAxes(x.ndim, featureAxes);
    const featureShape = new Array(x.ndim).fill(1);
    const reduced: number[] = [];
    for (const ax of feat) {
      featureShape[ax] = x.shape[ax];
      reduced.push(x.shape[ax]);
    }
    const mean = jnp.expand_dims(mean0, red);
    const variance = jnp.expand_dims(var0, red);
    let y = jnp.subtract(x, mean);
    let mul = lax.rsqrt(jnp.add(variance, this.epsilon));
    const args: Value[] = [x];
    const cast = (p: Value) =>
      this.forceFloat32Reductions ? p : jnp.asarray(p, { dtype: toDType(this.paramDtype!) });
    if (useScale) {
      const scale = cast(
        jnp.reshape(this.param('scale', this.scaleInit, reduced, this.paramDtype), featureShape),
      );
      mul = jnp.multiply(mul, scale);
      args.push(scale);
    }
    y = jnp.multiply(y, mul);
    if (useBias) {
      const bias = cast(
        jnp.reshape(this.param('bias', this.biasInit, reduced, this.paramDtype), featureShape),
      );
      y = jnp.add(y, bias);
      args.push(bias);
    }
    return jnp.asarray(y, { dtype: canonicalizeDtype(args, this.dtype) });
  }
}

export interface BatchNormOptions extends NormOptions {
  /** Normalize with the stored running statistics (evaluation) instead of the batch's. */
  useRunningAverage?: boolean | null;
  /** The feature axis (default -1); statistics reduce over every other axis. */
  axis?: Axes;
  /** Decay of the running averages (default 0.99). */
  momentum?: number;
}

/**
 * flax.linen.BatchNorm. Training (`useRunningAverage` false) normalizes with the batch's mean and
 * biased variance and folds them into `batch_stats` (`ra = momentum * ra + (1 - momentum) * stat`),
 * which needs `mutable: ['batch_stats']` in apply (writing it otherwise is flax's
 * ModifyScopeVariableError); init creates the statistics (zeros and ones) but does not update them.
 * Evaluation (`useRunningAverage` true) reads them. `useRunningAverage` goes to the constructor or
 * to the call (`call(x, { useRunningAverage, mask })`), exactly one of the two.
 */
export class BatchNorm extends Norm {
  static override typeName = 'BatchNorm';
  readonly useRunningAverage: boolean | null;
  readonly axis: Axes;
  readonly momentum: number;

  constructor(opts: BatchNormOptions = {}) {
    super(opts, 1e-5);
    this.useRunningAverage = opts.useRunningAverage ?? null;
    this.axis = opts.axis ?? -1;
    this.momentum = opts.momentum ?? 0.99;
  }

  call(input: unknown, kwargs: { useRunningAverage?: boolean | null; mask?: unknown } = {}): Value {
    const x = toValue(input as Value);
    const useRA = mergeParam('use_running_average', this.useRunningAverage, kwargs.useRunningAverage);
    const featureAxes = canonicalizeAxes(x.ndim, this.axis);
    const reductionAxes = x.shape.map((_, i) => i).filter((i) => !featureAxes.includes(i));
    const featureShape = featureAxes.map((ax) => x.shape[ax]);
    const statDtype = this.forceFloat32Reductions ? 'float32' : this.paramDtype!;
    const raMean = this.variable(
      'batch_stats',
      'mean',
      (s: number[]) => jnp.zeros(s, { dtype: statDtype }),
      featureShape,
    );
    const raVar = this.variable(
      'batch_stats',
      'var',
      (s: number[]) => jnp.ones(s, { dtype: statDtype }),
      featureShape,
    );
    let mean: Value;
    let variance: Value;
    if (useRA) {
      const cast = (v: Value) =>
        this.forceFloat32Reductions ? v : jnp.asarray(v, { dtype: toDType(this.paramDtype!) });
      mean = cast(raMean.value);
      variance = cast(raVar.value);
    } else {
      const initializing = this.isInitializing();
      [mean, variance] = this.stats(x, reductionAxes, kwargs.mask, initializing ? null : this.axisName);
      if (!initializing) {
        const m = this.momentum;
        raMean.value = jnp.add(jnp.multiply(m, raMean.value), jnp.multiply(1 - m, mean));
        raVar.value = jnp.add(jnp.multiply(m, raVar.value), jnp.multiply(1 - m, variance));
      }
    }
    return this.normalize(x, mean, variance, reductionAxes, featureAxes);
  }
}

export interface LayerNormOptions extends NormOptions {
  reductionAxes?: Axes;
  featureAxes?: Axes;
}

/** flax.linen.LayerNorm: per-example statistics over `reductionAxes` (default the last). */
export class LayerNorm extends Norm {
  static override typeName = 'LayerNorm';
  readonly reductionAxes: Axes;
  readonly featureAxes: Axes;

  constructor(opts: LayerNormOptions = {}) {
    super(opts, 1e-6);
    this.reductionAxes = opts.reductionAxes ?? -1;
    this.featureAxes = opts.featureAxes ?? -1;
  }

  call(input: unknown, kwargs: { mask?: unknown } = {}): Value {
    const x = toValue(input as Value);
    const [mean, variance] = this.stats(x, this.reductionAxes, kwargs.mask);
    return this.normalize(x, mean, variance, this.reductionAxes, this.featureAxes);
  }
}

/**
 * flax.linen.RMSNorm: LayerNorm's fields without centring or bias (the mean of x^2 in place of the
 * variance).
 */
export class RMSNorm extends LayerNorm {
  static override typeName = 'RMSNorm';

  override call(input: unknown, kwargs: { mask?: unknown } = {}): Value {
    const x = toValue(input as Value);
    const [mean, variance] = this.stats(x, this.reductionAxes, kwargs.mask, this.axisName, false);
    return this.normalize(x, mean, variance, this.reductionAxes, this.featureAxes, false, this.useScale);
  }
}

export interface GroupNormOptions extends NormOptions {
  /** Number of channel groups (default 32); pass null to give `groupSize` instead. */
  numGroups?: number | null;
  groupSize?: number | null;
  reductionAxes?: Axes | null;
}

/** flax.linen.GroupNorm: statistics per example over groups of channels (the last axis). */
export class GroupNorm extends Norm {
  static override typeName = 'GroupNorm';
  readonly numGroups: number | null;
  readonly groupSize: number | null;
  readonly reductionAxes: Axes | null;

  constructor(opts: GroupNormOptions = {}) {
    super(opts, 1e-6);
    this.numGroups = opts.numGroups === undefined ? 32 : opts.numGroups;
    this.groupSize = opts.groupSize ?? null;
    this.reductionAxes = opts.reductionAxes ?? null;
  }

  call(input: unknown, kwargs: { mask?: unknown } = {}): Value {
    const x = toValue(input as Value);
    const red = canonicalizeAxes(
      x.ndim,
      this.reductionAxes ?? [...Array.from({ length: x.ndim - 2 }, (_, i) => i + 1), -1],
    );
    if (red[red.length - 1] !== x.ndim - 1) {
      throw new ValueError(
        'The reduction axes must include the final dimension as this is assumed to be the feature axis.',
      );
    }
    if ((this.numGroups === null) === (this.groupSize === null)) {
      throw new ValueError(
        'Either `num_groups` or `group_size` should be specified. If `group_size` is to be specified, pass `num_groups=None` as argument to override the default `num_groups` value of 32.',
      );
    }
    const channels = x.shape[x.ndim - 1];
    let numGroups: number;
    if (this.groupSize !== null) {
      if (channels % this.groupSize !== 0) {
        throw new ValueError(
          `Number of channels (${channels}) is not multiple of the group size (${this.groupSize}).`,
        );
      }
      numGroups = Math.floor(channels / this.groupSize);
    } else numGroups = this.numGroups!;
    if (numGroups <= 0 || channels % numGroups !== 0) {
      throw new ValueError(
        `Number of groups (${numGroups}) does not divide the number of channels (${channels}).`,
      );
    }
    const groupSize = channels / numGroups;
    const groupShape = [...x.shape.slice(0, -1), numGroups, groupSize];
    let mask = kwargs.mask;
    if (mask != null) {
      const m = toValue(mask as Value);
      mask = jnp.reshape(m, [...m.shape.slice(0, -1), numGroups, groupSize]);
    }
    const [mean0, var0] = this.stats(jnp.reshape(x, groupShape), [...red.slice(0, -1), -1], mask);
    const mean = jnp.repeat(mean0, groupSize, { axis: -1 });
    const variance = jnp.repeat(var0, groupSize, { axis: -1 });
    return this.normalize(x, mean, variance, red.slice(0, -1), [-1]);
  }
}

export interface InstanceNormOptions extends NormOptions {
  featureAxes?: Axes;
}

/** flax.linen.InstanceNorm: statistics per example and per channel over the other axes. */
export class InstanceNorm extends Norm {
  static override typeName = 'InstanceNorm';
  readonly featureAxes: Axes;

  constructor(opts: InstanceNormOptions = {}) {
    super(opts, 1e-6);
    this.featureAxes = opts.featureAxes ?? -1;
  }

  call(input: unknown, kwargs: { mask?: unknown } = {}): Value {
    const x = toValue(input as Value);
    const feat = canonicalizeAxes(x.ndim, this.featureAxes);
    if (feat.includes(0)) {
      throw new ValueError(
        'The channel axes cannot include the leading dimension as this is assumed to be the batch axis.',
      );
    }
    const red = Array.from({ length: x.ndim - 1 }, (_, i) => i + 1).filter((i) => !feat.includes(i));
    const [mean, variance] = this.stats(x, red, kwargs.mask);
    return this.normalize(x, mean, variance, red, feat);
  }
}
