/**
 * @file lax.linalg.eig(x, {computeLeftEigenvectors, computeRightEigenvectors,
 * enableEigvecDerivs}): [w, vl?, vr?] of a general square matrix (primitives/linalg-eig.ts), as
 * jax.lax.linalg.eig; both eigenvector sets by default, as in JAX.
 */
import { toValue } from '../core/coerce.js';
import { bind, type Value } from '../core/trace.js';
import { eig as eigP } from '../primitives/linalg-eig.js';

export interface EigOptions {
  computeLeftEigenvectors?: boolean;
  computeRightEigenvectors?: boolean;
  enableEigvecDerivs?: boolean;
}

export function eig(x: unknown, opts: EigOptions = {}): Value[] {
  return bind(eigP, [toValue(x)], {
    compute_left_eigenvectors: opts.computeLeftEigenvectors ?? true,
    compute_right_eigenvectors: opts.computeRightEigenvectors ?? true,
    enable_eigvec_derivs: opts.enableEigvecDerivs ?? false,
    implementation: null,
  });
}
