/**
 * @file jnp.linalg.eig and eigvals (general matrices; CPU only, as in JAX), as
 * jax/_src/numpy/linalg.py writes them. jnp.roots, the eigenvalues of the companion matrix, is
 * in polynomial.ts.
 */
import type { Value } from '../core/trace.js';
import { eig as laxEig } from '../lax/linalg-eig.js';
import { promoteArgsInexact } from './util.js';

/** jnp.linalg.eig: [eigenvalues, right eigenvectors (columns)], both complex. */
export function eig(a: unknown): [Value, Value] {
  const [v] = promoteArgsInexact(a);
  const [w, vr] = laxEig(v, { computeLeftEigenvectors: false });
  return [w, vr];
}

/** jnp.linalg.eigvals: the eigenvalues of general square matrices (complex). */
export function eigvals(a: unknown): Value {
  const [v] = promoteArgsInexact(a);
  return laxEig(v, { computeLeftEigenvectors: false, computeRightEigenvectors: false })[0];
}
