/**
 * @file lax.linalg's decompositions in camelCase: cholesky, eigh, svd, qr, lu, triangularSolve,
 * with JAX 0.10.2's argument handling (jax/_src/lax/linalg.py): cholesky and eigh symmetrize
 * their input by default ((x + x^T) / 2) and cholesky masks the upper triangle with `_tril`'s
 * iota/ge/select_n. Also the small helpers the rules and jnp.linalg share (tril, triu, eye,
 * mT, batched matmul at HIGHEST precision), written as JAX's private helpers are.
 */
import { toValue } from '../core/coerce.js';
import { type DType, int32 } from '../core/dtype.js';
import { bind, bind1, type Value } from '../core/trace.js';
import * as P from '../primitives/linalg.js';
import { convertElementType } from './convert.js';
import { dotGeneral, Precision } from './dot.js';
import * as L from './elementwise.js';
import * as S from './structural.js';

export { type EigOptions, eig } from './linalg-eig.js';

type In = Value | number;

/** Zero of x's dtype broadcast to x's shape (lax.full_like(x, 0)). */
function zerosLike(x: Value): Value {
  return S.broadcastInDim(convertElementType(0, x.dtype), x.shape, []);
}

/** lax._tri(bool, (n, m), k) broadcast over x's batch dims. */
function triMask(x: Value, k: number): Value {
  const n = x.shape[x.ndim - 2];
  const m = x.shape[x.ndim - 1];
  const rows = L.add(S.broadcastedIota(int32, [n, m], 0), convertElementType(k, int32));
  const mask = L.ge(rows, S.broadcastedIota(int32, [n, m], 1));
  return x.ndim > 2 ? S.broadcast(mask, x.shape.slice(0, -2)) : mask;
}

/** Lower triangle of the last two dims (k: diagonal offset), as JAX's lax.linalg._tril. */
export function tril(x: Value, k = 0): Value {
  return L.select(triMask(x, k), x, zerosLike(x));
}

/** Upper triangle of the last two dims, as JAX's lax.linalg._triu. */
export function triu(x: Value, k = 0): Value {
  return L.select(triMask(x, k - 1), zerosLike(x), x);
}

/** lax._eye(dtype, (n, m)). */
export function eyeMatrix(dtype: DType, n: number, m = n): Value {
  const e = L.eq(S.broadcastedIota(int32, [n, m], 0), S.broadcastedIota(int32, [n, m], 1));
  return convertElementType(e, dtype);
}

/** Swap the last two dims. */
export function mT(x: Value): Value {
  const perm = x.shape.map((_, i) => i);
  perm[x.ndim - 2] = x.ndim - 1;
  perm[x.ndim - 1] = x.ndim - 2;
  return S.transpose(x, perm);
}

/** Batched matrix product over equal leading dims, at HIGHEST precision (lax.batch_matmul). */
export function batchMatmul(a: Value, b: Value): Value {
  const nb = a.ndim - 2;
  const batch = Array.from({ length: nb }, (_, i) => i);
  return dotGeneral(
    a,
    b,
    [
      [[a.ndim - 1], [b.ndim - 2]],
      [batch, batch],
    ],
    { precision: Precision.HIGHEST },
  );
}

/** (x + x^T) / 2, as lax.linalg.symmetrize. */
export function symmetrize(x: Value): Value {
  return L.div(L.add(x, mT(x)), convertElementType(2, x.dtype, false));
}

export function cholesky(x: In, opts: { symmetrizeInput?: boolean } = {}): Value {
  let v = toValue(x);
  if (opts.symmetrizeInput ?? true) v = symmetrize(v);
  return tril(bind1(P.cholesky, [v], {}));
}

export interface EighOptions {
  lower?: boolean;
  symmetrizeInput?: boolean;
  sortEigenvalues?: boolean;
}

/** Eigenvectors (columns) and ascending eigenvalues: returns [v, w] as lax.linalg.eigh. */
export function eigh(x: In, opts: EighOptions = {}): [Value, Value] {
  let v = toValue(x);
  if (opts.symmetrizeInput ?? true) v = symmetrize(v);
  const [vecs, w] = bind(P.eigh, [v], {
    algorithm: null,
    lower: opts.lower ?? true,
    sort_eigenvalues: opts.sortEigenvalues ?? true,
    subset_by_index: null,
  });
  return [vecs, w];
}

export interface SvdOptions {
  fullMatrices?: boolean;
  computeUv?: boolean;
}

/** lax.linalg.svd: [u, s, vt] with computeUv (the default), else s alone. */
export function svd(x: In, opts: SvdOptions & { computeUv: false }): Value;
export function svd(x: In, opts?: SvdOptions): [Value, Value, Value];
export function svd(x: In, opts: SvdOptions = {}): Value | [Value, Value, Value] {
  const computeUv = opts.computeUv ?? true;
  const outs = bind(P.svd, [toValue(x)], {
    algorithm: null,
    compute_uv: computeUv,
    full_matrices: opts.fullMatrices ?? true,
    subset_by_index: null,
  });
  if (!computeUv) return outs[0];
  return [outs[1], outs[0], outs[2]];
}

/** lax.linalg.qr: [q, r]; reduced unless fullMatrices. */
export function qr(x: In, opts: { fullMatrices?: boolean } = {}): [Value, Value] {
  const [q, r] = bind(P.qr, [toValue(x)], {
    full_matrices: opts.fullMatrices ?? true,
    pivoting: false,
    use_magma: null,
  });
  return [q, r];
}

/** lax.linalg.lu: [lu, pivots, permutation] with partial pivoting. */
export function lu(x: In): [Value, Value, Value] {
  const [a, piv, perm] = bind(P.lu, [toValue(x)], {});
  return [a, piv, perm];
}

export interface TriangularSolveOptions {
  leftSide?: boolean;
  lower?: boolean;
  transposeA?: boolean;
  conjugateA?: boolean;
  unitDiagonal?: boolean;
}

/** Solve op(a) x = b (leftSide) or x op(a) = b for x, a triangular. */
export function triangularSolve(a: In, b: In, opts: TriangularSolveOptions = {}): Value {
  return bind1(P.triangular_solve, [toValue(a), toValue(b)], {
    conjugate_a: opts.conjugateA ?? false,
    left_side: opts.leftSide ?? false,
    lower: opts.lower ?? false,
    transpose_a: opts.transposeA ?? false,
    unit_diagonal: opts.unitDiagonal ?? false,
  });
}
