/**
 * @file linen's Conv and ConvTranspose, as flax/linen/linear.py (flax 0.12.8) defines them, on
 * `lax.convGeneralDilated` and `lax.convTranspose`: channels-last inputs (NHWC, NDHWC, NHC) with any
 * number of leading batch dimensions (flattened into one for the convolution, or added when there
 * is none), kernels (spatial..., in / featureGroupCount, features), flax's padding forms ('SAME',
 * 'VALID', 'CIRCULAR', 'REFLECT', 'CAUSAL' for 1-D, an int, or per-dimension ints or pairs), and
 * ConvTranspose's `transposeKernel` and circular wrap-around.
 */
import { toValue } from '../core/coerce.js';
import type { DTypeLike } from '../core/dtype.js';
import type { Value } from '../core/trace.js';
import { ConvDimensionNumbers, convGeneralDilated, convTranspose } from '../lax/conv.js';
import type { PrecisionLike } from '../lax/dot.js';
import type * as initializers from '../nn/initializers.js';
import * as jnp from '../numpy/namespace.js';
import { ValueError } from '../transforms/api.js';
import { promoteDtype } from './dtypes.js';
import { addBias, DENSE_DEFAULTS, type DenseOptions } from './linear.js';
import { type DTypeOption, Module, setFields } from './module.js';

type Initializer = initializers.Initializer;

/** flax's PaddingLike: a name, one int for every side, or per spatial dimension an int or a pair. */
export type PaddingLike = string | number | readonly (number | readonly [number, number])[];
type LaxPadding = string | [number, number][];

/** flax's `canonicalize_padding`: a string, or (low, high) pairs per spatial dimension. */
export function canonicalizePadding(padding: PaddingLike, rank: number): LaxPadding {
  if (typeof padding === 'string') return padding;
  if (typeof padding === 'number') return new Array(rank).fill(0).map(() => [padding, padding]);
  if (Array.isArray(padding) && padding.length === rank) {
    const out: [number, number][] = [];
    for (const p of padding as readonly (number | readonly number[])[]) {
      if (typeof p === 'number') out.push([p, p]);
      else if (Array.isArray(p) && p.length === 2) out.push([p[0], p[1]]);
      else break;
    }
    if (out.length === rank) return out;
  }
  const repr = (p: unknown): string => (Array.isArray(p) ? `[${p.map(repr).join(', ')}]` : String(p));
  throw new ValueError(
    `Invalid padding format: ${repr(padding)}, should be str, int, or a sequence of len ${rank} where each element is an int or pair of ints.`,
  );
}

/** flax's `_conv_dimension_numbers`: channels-last input, (spatial..., in, out) kernel. */
function convDimensionNumbers(ndim: number): ConvDimensionNumbers {
  const spatial = Array.from({ length: ndim - 2 }, (_, i) => i);
  const lhs = [0, ndim - 1, ...spatial.map((i) => i + 1)];
  return new ConvDimensionNumbers(lhs, [ndim - 1, ndim - 2, ...spatial], lhs);
}

const mod = (a: number, b: number) => ((a % b) + b) % b;

/** The fields Conv and ConvTranspose share: Dense's and the window's. */
export interface ConvBaseOptions extends DenseOptions {
  strides?: number | readonly number[] | null;
  padding?: PaddingLike;
  kernelDilation?: number | readonly number[] | null;
  /** Multiplies the kernel (masked convolutions); its shape is the kernel's. */
  mask?: Value | null;
}

abstract class ConvBase extends Module {
  readonly features: number;
  readonly kernelSize: number | readonly number[];
  declare readonly strides: number | readonly number[] | null;
  declare readonly padding: PaddingLike;
  declare readonly kernelDilation: number | readonly number[] | null;
  declare readonly useBias: boolean;
  declare readonly mask: Value | null;
  declare readonly dtype: DTypeOption;
  declare readonly paramDtype: DTypeOption;
  declare readonly precision: PrecisionLike;
  declare readonly kernelInit: Initializer;
  declare readonly biasInit: Initializer;

  /** `unset` is what strides and dilation default to: 1 for Conv, null (also 1) for ConvTranspose. */
  constructor(
    features: number,
    kernelSize: number | readonly number[],
    opts: ConvBaseOptions,
    unset: 1 | null,
  ) {
    super(opts);
    this.features = features;
    this.kernelSize = kernelSize;
    setFields(this, opts, {
      strides: unset,
      padding: 'SAME',
      kernelDilation: unset,
      mask: null,
      ...DENSE_DEFAULTS,
    });
  }

  protected get kernelTuple(): number[] {
    return typeof this.kernelSize === 'number' ? [this.kernelSize] : [...this.kernelSize];
  }

  /** An int (or null, meaning 1) for every spatial dimension, or the list given. */
  protected perDim(x: number | readonly number[] | null): number[] {
    const n = this.kernelTuple.length;
    return x === null ? new Array(n).fill(1) : typeof x === 'number' ? new Array(n).fill(x) : [...x];
  }

  /** Inputs with exactly one batch dimension, and the batch shape to restore (null: unchanged). */
  protected flattenBatch(x: Value): [Value, number[] | null] {
    const nb = x.ndim - (this.kernelTuple.length + 1);
    if (nb === 1) return [x, null];
    return [jnp.reshape(x, [-1, ...x.shape.slice(nb)]), x.shape.slice(0, nb)];
  }

  protected restoreBatch(y: Value, batch: number[] | null): Value {
    return batch === null ? y : jnp.reshape(y, [...batch, ...y.shape.slice(1)]);
  }

  protected kernelParam(shape: number[]): Value {
    if (this.mask !== null && this.mask.shape.join() !== shape.join()) {
      throw new ValueError(
        `Mask needs to have the same shape as weights. Shapes are: (${this.mask.shape.join(', ')}), (${shape.join(', ')})`,
      );
    }
    const kernel = this.param('kernel', this.kernelInit, shape, this.paramDtype);
    return this.mask === null ? kernel : jnp.multiply(kernel, this.mask);
  }

  protected biasParam(): Value | null {
    return this.useBias ? this.param('bias', this.biasInit, [this.features], this.paramDtype) : null;
  }
}

export interface ConvOptions extends ConvBaseOptions {
  /** Dilation of the input (a fractionally strided convolution). */
  inputDilation?: number | readonly number[] | null;
  /** Input features split into this many groups, each with its own kernels. */
  featureGroupCount?: number;
}

/**
 * flax.linen.Conv: `new Conv(features, kernelSize, { strides, padding, inputDilation,
 * kernelDilation, featureGroupCount, useBias, ... })`, params `kernel` (spatial..., in / groups,
 * features) and `bias` (features).
 */
export class Conv extends ConvBase {
  static override typeName = 'Conv';
  readonly inputDilation: number | readonly number[] | null;
  readonly featureGroupCount: number;

  constructor(features: number, kernelSize: number | readonly number[], opts: ConvOptions = {}) {
    super(features, kernelSize, opts, 1);
    this.inputDilation = opts.inputDilation ?? 1;
    this.featureGroupCount = opts.featureGroupCount ?? 1;
  }

  call(inputs0: unknown): Value {
    const kernelSize = this.kernelTuple;
    let [inputs, batch] = this.flattenBatch(toValue(inputs0 as Value));
    const strides = this.perDim(this.strides);
    const inputDilation = this.perDim(this.inputDilation);
    const kernelDilation = this.perDim(this.kernelDilation);
    let padding = canonicalizePadding(this.padding, kernelSize.length);
    if (padding === 'CIRCULAR' || padding === 'REFLECT') {
      const dilated = kernelSize.map((k, i) => (k - 1) * kernelDilation[i] + 1);
      const pads: [number, number][] = [
        [0, 0],
        ...dilated.map((k) => [(k - 1) >> 1, k >> 1] as [number, number]),
        [0, 0],
      ];
      inputs = jnp.pad(inputs, pads, { mode: padding === 'CIRCULAR' ? 'wrap' : 'reflect' });
      padding = 'VALID';
    } else if (padding === 'CAUSAL') {
      if (kernelSize.length !== 1)
        throw new ValueError('Causal padding is only implemented for 1D convolutions.');
      inputs = jnp.pad(inputs, [
        [0, 0],
        [kernelDilation[0] * (kernelSize[0] - 1), 0],
        [0, 0],
      ]);
      padding = 'VALID';
    }
    const inFeatures = inputs.shape[inputs.ndim - 1];
    if (inFeatures % this.featureGroupCount !== 0) {
      throw new ValueError(
        `Conv: ${inFeatures} input features are not divisible by feature_group_count=${this.featureGroupCount} (an AssertionError in flax)`,
      );
    }
    const kernel0 = this.kernelParam([...kernelSize, inFeatures / this.featureGroupCount, this.features]);
    const bias0 = this.biasParam();
    const [x, kernel, bias] = promoteDtype([inputs, kernel0, bias0] as const, this.dtype);
    const y = convGeneralDilated(x, kernel, strides, padding, {
      lhsDilation: inputDilation,
      rhsDilation: kernelDilation,
      dimensionNumbers: convDimensionNumbers(x.ndim),
      featureGroupCount: this.featureGroupCount,
      precision: this.precision,
    });
    return this.restoreBatch(addBias(y, bias), batch);
  }
}

export interface ConvTransposeOptions extends ConvBaseOptions {
  /** Flip the kernel's spatial axes and swap its feature axes: the gradient of Conv. */
  transposeKernel?: boolean;
  preferredElementType?: DTypeLike | null;
}

/**
 * flax.linen.ConvTranspose: `lax.convTranspose` with kernel (spatial..., in, features), or
 * (spatial..., features, in) with `transposeKernel`; 'CIRCULAR' padding wraps the full output
 * around periods of input size times stride, as flax does.
 */
export class ConvTranspose extends ConvBase {
  static override typeName = 'ConvTranspose';
  readonly transposeKernel: boolean;
  readonly preferredElementType: DTypeLike | null;

  constructor(features: number, kernelSize: number | readonly number[], opts: ConvTransposeOptions = {}) {
    super(features, kernelSize, opts, null);
    this.transposeKernel = opts.transposeKernel ?? false;
    this.preferredElementType = opts.preferredElementType ?? null;
  }

  call(inputs0: unknown): Value {
    const kernelSize = this.kernelTuple;
    const [inputs, batch] = this.flattenBatch(toValue(inputs0 as Value));
    const strides = this.perDim(this.strides);
    const kernelDilation = this.perDim(this.kernelDilation);
    const inFeatures = inputs.shape[inputs.ndim - 1];
    const kernelShape = this.transposeKernel
      ? [...kernelSize, this.features, inFeatures]
      : [...kernelSize, inFeatures, this.features];
    const kernel0 = this.kernelParam(kernelShape);
    let padding = canonicalizePadding(this.padding, kernelSize.length);
    if (padding === 'CIRCULAR') padding = 'VALID';
    const bias0 = this.biasParam();
    const [x, kernel, bias] = promoteDtype([inputs, kernel0, bias0] as const, this.dtype);
    let y = convTranspose(x, kernel, strides, padding, {
      rhsDilation: kernelDilation,
      transposeKernel: this.transposeKernel,
      precision: this.precision,
      preferredElementType: this.preferredElementType,
    });
    if (this.padding === 'CIRCULAR') {
      // Pad the output to whole periods (input size times stride), then fold each period onto the
      // first, one spatial dimension at a time.
      const periods = x.shape.slice(1, -1).map((d, i) => d * strides[i]);
      const diffs = y.shape.slice(1, -1).map((d, i) => mod(-(d - periods[i]), 2 * periods[i]));
      const pads = diffs.map((s): [number, number] =>
        this.transposeKernel ? [s >> 1, (s + 1) >> 1] : [(s + 1) >> 1, s >> 1],
      );
      y = jnp.pad(y, [[0, 0], ...pads, [0, 0]]);
      for (let i = 1; i < y.ndim - 1; i++) {
        y = jnp.reshape(y, [...y.shape.slice(0, i), -1, periods[i - 1], ...y.shape.slice(i + 1)]);
        y = jnp.sum(y, { axis: i });
      }
    }
    return this.restoreBatch(addBias(y, bias), batch);
  }
}
