/**
 * @file linen's Dropout (flax/linen/stochastic.py, flax 0.12.8): the same mask bits as flax for the
 * same key, because the mask is `random.bernoulli(key, 1 - rate, shape)` on a key drawn with
 * `makeRng('dropout')`, which folds the module path and a per-module counter into the 'dropout'
 * stream exactly as flax does (scope.ts).
 */
import { toValue } from '../core/coerce.js';
import type { Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import * as jnp from '../numpy/namespace.js';
import { bernoulli } from '../random/discrete.js';
import type { KeyLike } from '../random/keys.js';
import { Module, type ModuleOptions, mergeParam } from './module.js';

export interface DropoutOptions extends ModuleOptions {
  /** Dimensions that share one mask value (the mask has size 1 along them). */
  broadcastDims?: readonly number[];
  /** No mask when true; given here or at call time, exactly once. */
  deterministic?: boolean | null;
  /** The rng stream the mask's key comes from (default 'dropout'). */
  rngCollection?: string;
}

/**
 * flax.linen.Dropout: zeroes each input with probability `rate` and scales the rest by
 * 1 / (1 - rate). Needs `rngs: { dropout: key }` in apply unless deterministic.
 */
export class Dropout extends Module {
  static override typeName = 'Dropout';
  readonly rate: number;
  readonly broadcastDims: readonly number[];
  readonly deterministic: boolean | null;
  readonly rngCollection: string;

  constructor(rate: number, opts: DropoutOptions = {}) {
    super(opts);
    this.rate = rate;
    this.broadcastDims = opts.broadcastDims ?? [];
    this.deterministic = opts.deterministic ?? null;
    this.rngCollection = opts.rngCollection ?? 'dropout';
  }

  call(inputs: unknown, kwargs: { deterministic?: boolean | null; rng?: KeyLike | null } = {}): Value {
    const deterministic = mergeParam('deterministic', this.deterministic, kwargs.deterministic);
    const x = toValue(inputs as Value);
    if (this.rate === 0 || deterministic) return x;
    // All dropped: zeros, so the gradient is not NaN.
    if (this.rate === 1) return jnp.zerosLike(x);
    const keep = 1.0 - this.rate;
    const rng = kwargs.rng ?? this.makeRng(this.rngCollection);
    const shape = [...x.shape];
    for (const d of this.broadcastDims) shape[d < 0 ? d + shape.length : d] = 1;
    const mask = jnp.broadcast_to(bernoulli(rng, keep, shape), x.shape);
    return lax.select(mask, jnp.true_divide(x, keep), jnp.zerosLike(x));
  }
}
