/**
 * @file Python's exception classes that jax.numpy raises and JavaScript lacks, so that a tjax error
 * has the class name JAX's has (`err.name === 'ValueError'`). TypeError is JavaScript's own.
 */
export { ValueError } from '../transforms/api.js';

export class NotImplementedError extends Error {
  override name = 'NotImplementedError';
}

export class RuntimeError extends Error {
  override name = 'RuntimeError';
}
