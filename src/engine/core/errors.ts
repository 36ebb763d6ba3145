/**
 * @file JAX's tracer errors: what happens when a traced value is used where a concrete one is needed.
 */

const HELP = 'See https://docs.jax.dev/en/latest/errors.html#jax.errors.ConcretizationTypeError';

export class ConcretizationTypeError extends TypeError {
  override name = 'ConcretizationTypeError';
  constructor(what: string, context = '') {
    super(
      `Abstract tracer value encountered where concrete value is expected: ${what}\n` +
        (context ? `${context}\n` : '') +
        'A traced value (an argument of a function under jit, grad, vmap or makeJaxpr, or a value ' +
        'computed from one) was used where a concrete JS value is needed: a shape, a JS comparison, ' +
        'Number(x) or an array index. (A JS `if (x)`, `x && y` or `!x` cannot be caught: JavaScript ' +
        'never asks an object whether it is true, so it is always true, traced or not.)\n' +
        'To fix it, pass the value as a static argument (jit(f, { staticArgnums }) or staticArgnames), ' +
        'compute it from shapes (x.shape) rather than values, or use lax.cond / jnp.where instead of a JS branch.\n' +
        HELP,
    );
  }
}

export class TracerBoolConversionError extends ConcretizationTypeError {
  override name = 'TracerBoolConversionError';
}

export class TracerIntegerConversionError extends ConcretizationTypeError {
  override name = 'TracerIntegerConversionError';
}

/** Python's OverflowError: an integer that does not fit the dtype it must become. */
export class OverflowError extends Error {
  override name = 'OverflowError';
}

/** Python's ValueError: an argument of the right type with a value the function does not accept. */
export class ValueError extends Error {
  override name = 'ValueError';
}

/** Python's NotImplementedError: JAX accepts this, tjax does not (yet). */
export class NotImplementedError extends Error {
  override name = 'NotImplementedError';
}
