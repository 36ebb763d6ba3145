/**
 * @file flax.linen.initializers: jax.nn.initializers plus flax's `zeros_init()` and `ones_init()`
 * (builders of the zeros and ones initializers, flax's default bias and scale inits).
 */
import { type Initializer, ones, zeros } from '../nn/initializers.js';

export * from '../nn/initializers.js';

export function zerosInit(): Initializer {
  return zeros;
}
export function onesInit(): Initializer {
  return ones;
}
export { onesInit as ones_init, zerosInit as zeros_init };
