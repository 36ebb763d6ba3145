/**
 * @file The activations flax.linen re-exports from jax.nn (flax/linen/activation.py), and its one
 * activation with a parameter, PReLU.
 */
import { toValue } from '../core/coerce.js';
import type { Value } from '../core/trace.js';
import * as jnp from '../numpy/namespace.js';
import { Module, type ModuleOptions } from './module.js';

export {
  celu,
  elu,
  gelu,
  glu,
  hardSigmoid,
  hardSilu,
  hardSwish,
  hardTanh,
  leakyRelu,
  logSigmoid,
  logSoftmax,
  logsumexp,
  oneHot,
  relu,
  relu6,
  selu,
  sigmoid,
  silu,
  softmax,
  softplus,
  softSign,
  standardize,
  swish,
} from '../nn/index.js';
export { tanh } from '../numpy/namespace.js';

export interface PReLUOptions extends ModuleOptions {
  paramDtype?: string;
  /** The slope's initial value (default 0.01). */
  negativeSlopeInit?: number;
}

/** flax.linen.PReLU: leaky ReLU whose slope is the learned scalar parameter `negative_slope`. */
export class PReLU extends Module {
  static override typeName = 'PReLU';
  readonly paramDtype: string;
  readonly negativeSlopeInit: number;

  constructor(opts: PReLUOptions = {}) {
    super(opts);
    this.paramDtype = opts.paramDtype ?? 'float32';
    this.negativeSlopeInit = opts.negativeSlopeInit ?? 0.01;
  }

  call(inputs: unknown): Value {
    const x = toValue(inputs as Value);
    const slope = this.param('negative_slope', () =>
      jnp.asarray(this.negativeSlopeInit, { dtype: this.paramDtype }),
    );
    return jnp.where(jnp.greater_equal(x, 0), x, jnp.multiply(jnp.asarray(slope, { dtype: x.dtype }), x));
  }
}
