/**
 * @file jnp.linalg.eig and eigvals (general matrices; CPU only, as in JAX) and jnp.roots (the
 * eigenvalues of the companion matrix), as jax/_src/numpy/linalg.py and polynomial.py write them.
 */
import { ArrayImpl, hostScalar } from '../core/array.js';
import { Complex } from '../core/complex.js';
import { complexOf } from '../core/dtype.js';
import { ConcretizationTypeError } from '../core/errors.js';
import type { Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as L from '../lax/elementwise.js';
import { eig as laxEig } from '../lax/linalg-eig.js';
import { sortKeyVal } from '../lax/sorting.js';
import * as S from '../lax/structural.js';
import { jit } from '../transforms/jit.js';
import { arange, array, ones } from './creation.js';
import { diag } from './linalg.js';
import { all } from './reductions.js';
import { atleast_1d, roll } from './shapes.js';
import { argmin } from './sorting.js';
import { where } from './ufuncs.js';
import { promoteArgsInexact } from './util.js';

function valueError(message: string): Error {
  const e = new Error(message);
  e.name = 'ValueError';
  return e;
}

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

/** The companion matrix's eigenvalues: the roots of p (no leading zeros), JAX's _roots_no_zeros. */
const rootsNoZeros = jit(function _roots_no_zeros(p: Value): Value {
  const n = p.shape[0];
  if (n < 2) return array([], { dtype: complexOf(p.dtype) });
  const a = diag(ones([n - 2], { dtype: p.dtype }), -1);
  const row = L.neg(L.div(S.sliceInDim(p, 1, n), S.sliceInDim(p, 0, 1)));
  return eigvals(S.dynamicUpdateSlice(a, S.expandDims(row, [0]), [0, 0]));
});

/** Leading zeros rolled to the end; their roots become NaN (JAX's _roots_with_zeros). */
const rootsWithZeros = jit(function _roots_with_zeros(p: Value, numLeadingZeros: Value): Value {
  const n = p.shape[0];
  const q = where(L.eq(convertElementType(n, numLeadingZeros.dtype), numLeadingZeros), 1, p);
  let r = rootsNoZeros(roll(q, L.neg(numLeadingZeros))) as Value;
  r = sortKeyVal(L.eq(r, 0), r)[1];
  const keep = L.lt(arange(r.shape[0]), L.sub(r.shape[0], numLeadingZeros));
  return where(keep, r, new Complex(Number.NaN, Number.NaN));
});

/**
 * jnp.roots(p, {stripZeros = true}): the roots of the polynomial with coefficients p, highest
 * power first. Stripping leading zeros needs their count on the host; under jit pass
 * stripZeros: false, and roots of leading zeros come back as NaN.
 */
export function roots(p: unknown, opts: { stripZeros?: boolean } = {}): Value {
  const [v] = promoteArgsInexact(p);
  const arr = atleast_1d(v) as Value;
  if (arr.ndim !== 1) throw valueError('Input must be a rank-1 array.');
  if (arr.size < 2) return array([], { dtype: complexOf(arr.dtype) });
  const isZero = L.eq(arr, 0);
  const lead = where(all(isZero), arr.size, argmin(isZero));
  if (opts.stripZeros ?? true) {
    if (!(lead instanceof ArrayImpl)) {
      throw new ConcretizationTypeError(
        'the number of leading zeros',
        'The error occurred in the jnp.roots() function. To use this within a JIT-compiled context, pass strip_zeros=False, but be aware that leading zeros will result in some returned roots being set to NaN.',
      );
    }
    const k = Number(hostScalar(lead));
    return rootsNoZeros(S.sliceInDim(arr, k, arr.size)) as Value;
  }
  return rootsWithZeros(arr, lead) as Value;
}
