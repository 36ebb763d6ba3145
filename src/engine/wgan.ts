/**
 * @file Wasserstein GAN pieces: the critic and generator losses of Arjovsky et al. 2017 and the gradient
 * penalty of Gulrajani et al. 2017 (WGAN-GP), on tjax's transformations.
 *
 * gradientPenalty(critic, real, fake, key) is, for a batch of n examples,
 *
 *   eps    = random.uniform(key, [n, 1, ..., 1], real.dtype)      one draw per example, in [0, 1)
 *   x_hat  = eps * real + (1 - eps) * fake                         random points between the two batches
 *   g_i    = grad_x D(x_hat_i)                                     per example: vmap(grad(...))
 *   return   mean_i (||g_i||_2 - 1)^2                              the norm over all of an example's axes
 *
 * which is the reference code's penalty (its `alpha` is eps; it interpolates as real + alpha * (fake - real),
 * the same points written the other way round). `critic` maps a batch to one score per example (shape [n] or
 * [n, 1]), as a linen model's apply does; the per-example gradient calls it on a batch of one. Because the
 * penalty is built from grad and vmap it can itself be differentiated with respect to the critic's
 * parameters (reverse mode through reverse mode) and jitted: close the critic over its params,
 * `grad((p) => wgan.gradientPenalty((x) => apply(p, x), real, fake, key))(params)`.
 */
import type { Value } from './core/trace.js';
import * as jnp from './numpy/namespace.js';
import { uniform } from './random/continuous.js';
import type { KeyLike } from './random/keys.js';
import { grad, vmap } from './transforms/api.js';

/** The critic's loss, mean(D(fake)) - mean(D(real)): it learns to score real examples above fake ones. */
export function criticLoss(realScores: unknown, fakeScores: unknown): Value {
  return jnp.subtract(jnp.mean(fakeScores), jnp.mean(realScores));
}

/** The generator's loss, -mean(D(fake)). */
export function generatorLoss(fakeScores: unknown): Value {
  return jnp.negative(jnp.mean(fakeScores));
}

/** Draws the interpolation weights and points of the penalty: [eps, x_hat]. */
export function interpolates(real: unknown, fake: unknown, key: KeyLike): [Value, Value] {
  const r = jnp.asarray(real);
  const f = jnp.asarray(fake);
  const same = r.ndim === f.ndim && r.shape.every((n, i) => n === f.shape[i]);
  if (!same || r.ndim === 0) {
    throw new TypeError(
      `gradientPenalty: real and fake must be batches of the same shape, got (${r.shape.join(', ')}) and (${f.shape.join(', ')}).`,
    );
  }
  const eps = uniform(key, [r.shape[0], ...new Array(r.ndim - 1).fill(1)], r.dtype);
  return [eps, jnp.add(jnp.multiply(eps, r), jnp.multiply(jnp.subtract(1.0, eps), f))];
}

/** WGAN-GP's penalty, mean over the batch of (||grad_x D(x_hat)|| - 1)^2 (see the file comment). */
export function gradientPenalty(
  critic: (x: Value) => unknown,
  real: unknown,
  fake: unknown,
  key: KeyLike,
): Value {
  const [, xHat] = interpolates(real, fake, key);
  const score = (x: Value): Value => jnp.sum(critic(jnp.expand_dims(x, 0)) as Value);
  const g = vmap(grad(score))(xHat) as Value;
  const axes = [...Array(g.ndim).keys()].slice(1);
  const norms = jnp.sqrt(jnp.sum(jnp.square(g), { axis: axes }));
  return jnp.mean(jnp.square(jnp.subtract(norms, 1.0)));
}
