/**
 * @file linen's Dense and Embed, as flax/linen/linear.py (flax 0.12.8) defines them: the same
 * fields and defaults (lecun_normal kernels, zero biases, float32 parameters, embeddings from
 * variance_scaling(1, 'fan_in', 'normal', out_axis=0)), the same parameter names and shapes, and
 * the same computation (lax.dot_general over the last axis; `take` along the embedding's rows).
 */
import { toValue } from '../core/coerce.js';
import type { Value } from '../core/trace.js';
import { dotGeneral, type PrecisionLike } from '../lax/dot.js';
import * as initializers from '../nn/initializers.js';
import * as jnp from '../numpy/namespace.js';
import { ValueError } from '../transforms/api.js';
import { promoteDtype } from './dtypes.js';
import { type DTypeOption, Module, type ModuleOptions, setFields } from './module.js';

type Initializer = initializers.Initializer;

/** flax's `default_kernel_init`. */
export const defaultKernelInit: Initializer = initializers.lecunNormal();

/** A bias of shape (features,) added along the last axis. */
export function addBias(y: Value, bias: Value | null): Value {
  if (bias === null) return y;
  return jnp.add(y, jnp.reshape(bias, [...new Array(y.ndim - 1).fill(1), -1]));
}

/** The options of a layer with a kernel and an optional bias (Dense; Conv and ConvTranspose add theirs). */
export interface DenseOptions extends ModuleOptions {
  useBias?: boolean;
  /** The computation's dtype (default: inferred from the input and the parameters). */
  dtype?: DTypeOption;
  /** The parameters' dtype (default float32). */
  paramDtype?: DTypeOption;
  precision?: PrecisionLike;
  kernelInit?: Initializer;
  biasInit?: Initializer;
}

/** flax's defaults for DenseOptions' fields. */
export const DENSE_DEFAULTS = {
  useBias: true,
  dtype: null,
  paramDtype: 'float32',
  precision: null,
  kernelInit: defaultKernelInit,
  biasInit: initializers.zeros,
};

/** flax.linen.Dense: `x @ kernel + bias` over the last axis; kernel (in, features). */
export class Dense extends Module {
  static override typeName = 'Dense';
  readonly features: number;
  declare readonly useBias: boolean;
  declare readonly dtype: DTypeOption;
  declare readonly paramDtype: DTypeOption;
  declare readonly precision: PrecisionLike;
  declare readonly kernelInit: Initializer;
  declare readonly biasInit: Initializer;

  constructor(features: number, opts: DenseOptions = {}) {
    super(opts);
    this.features = features;
    setFields(this, opts, DENSE_DEFAULTS);
  }

  call(inputs: unknown): Value {
    const x0 = toValue(inputs as Value);
    const kernel0 = this.param(
      'kernel',
      this.kernelInit,
      [x0.shape[x0.ndim - 1], this.features],
      this.paramDtype,
    );
    const bias0 = this.useBias ? this.param('bias', this.biasInit, [this.features], this.paramDtype) : null;
    const [x, kernel, bias] = promoteDtype([x0, kernel0, bias0] as const, this.dtype);
    const y = dotGeneral(
      x,
      kernel,
      [
        [[x.ndim - 1], [0]],
        [[], []],
      ],
      { precision: this.precision },
    );
    return addBias(y, bias);
  }
}

/** flax's `default_embed_init`. */
export const defaultEmbedInit: Initializer = initializers.varianceScaling(1.0, 'fan_in', 'normal', {
  outAxis: 0,
});

export interface EmbedOptions extends ModuleOptions {
  dtype?: DTypeOption;
  paramDtype?: DTypeOption;
  embeddingInit?: Initializer;
}

/**
 * flax.linen.Embed: rows of an (numEmbeddings, features) `embedding` table picked by integer
 * inputs (out-of-range indices give NaN rows, as jnp.take's fill mode does); `attend(query)` is the
 * query's dot product with every row. The table is made in setup, as flax makes it.
 */
export class Embed extends Module {
  static override typeName = 'Embed';
  readonly numEmbeddings: number;
  readonly features: number;
  declare readonly dtype: DTypeOption;
  declare readonly paramDtype: DTypeOption;
  declare readonly embeddingInit: Initializer;
  embedding!: Value;

  constructor(numEmbeddings: number, features: number, opts: EmbedOptions = {}) {
    super(opts);
    this.numEmbeddings = numEmbeddings;
    this.features = features;
    setFields(this, opts, { dtype: null, paramDtype: 'float32', embeddingInit: defaultEmbedInit });
  }

  override setup(): void {
    this.embedding = this.param(
      'embedding',
      this.embeddingInit,
      [this.numEmbeddings, this.features],
      this.paramDtype,
    );
  }

  call(inputs: unknown): Value {
    const ix = toValue(inputs as Value);
    if (!ix.dtype.isInt) throw new ValueError('Input type must be an integer or unsigned integer.');
    const [embedding] = promoteDtype([this.embedding] as const, this.dtype, false);
    if (this.numEmbeddings === 1) return jnp.broadcast_to(embedding, [...ix.shape, this.features]);
    return jnp.take(embedding, ix, { axis: 0 });
  }

  /** The query's inner product with every embedding: shape (..., numEmbeddings). */
  attend(query: unknown): Value {
    const [q, embedding] = promoteDtype([toValue(query as Value), this.embedding] as const, this.dtype);
    return jnp.dot(q, jnp.transpose(embedding));
  }
}
