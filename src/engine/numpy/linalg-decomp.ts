/**
 * @file jnp.linalg's decompositions and the functions built on them: cholesky, eigh, eigvalsh,
 * svd, svdvals, qr, slogdet, det, inv, solve. Argument handling follows JAX 0.10.2's
 * jax/_src/numpy/linalg.py (inputs promoted to inexact; eigh returns (eigenvalues,
 * eigenvectors); svd returns (u, s, vh); qr modes 'reduced' 'complete' 'r').
 *
 * det is jitted and computes 2x2 and 3x3 determinants by cofactors, as JAX's does. slogdet,
 * solve and inv are JAX's, jaxprs included: slogdet jitted, and for n >= 3 the custom_jvp
 * _slogdet_lu; solve a jitted jnp.vectorize of lax.linalg._solve (lu of the stopped-gradient
 * matrix and a lax.customLinearSolve whose solve/transpose_solve are the jitted _lu_solve);
 * inv = solve(a, eye). Differences: slogdet of 1x1 and 2x2 matrices (JAX: closed forms in a
 * custom_jvp) and det of larger matrices are computed from `lu` directly, so their jaxprs differ
 * and their derivatives come from lu's jvp rule; the values agree to rounding.
 */
import { int32 } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { broadcastShapes } from '../core/shape.js';
import { bind1, type Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import { dotGeneral } from '../lax/dot.js';
import * as L from '../lax/elementwise.js';
import * as LA from '../lax/linalg.js';
import { customLinearSolve } from '../lax/linear-solve.js';
import { reduceOr, reduceSum } from '../lax/reductions.js';
import { sortKeyVal } from '../lax/sorting.js';
import * as S from '../lax/structural.js';
import { copy } from '../primitives/structural.js';
import { stopGradient, vmap } from '../transforms/api.js';
import { customJvp } from '../transforms/custom.js';
import { namedJit } from '../transforms/jit.js';
import { PETracer } from '../transforms/partial-eval.js';
import { real } from './complex.js';
import { arange, array, eye, zerosLike as zeros_like } from './creation.js';
import { diagonal, trace } from './diagonal.js';
import { sl } from './index-parse.js';
import { getitem } from './indexing.js';
import * as red from './reductions.js';
import * as uf from './ufuncs.js';
import { asValue, broadcastTo, promoteArgsInexact } from './util.js';
import { vectorize } from './vectorize.js';

const last2 = (x: Value) => x.shape.slice(-2);

/** jnp.linalg.cholesky: the lower factor (upper=True: its transpose). Jitted, as JAX's. */
export function cholesky(a: unknown, opts: { upper?: boolean; symmetrizeInput?: boolean } = {}): Value {
  return choleskyJit(asValue(a), opts.upper ?? false, opts.symmetrizeInput ?? true);
}

const choleskyJit = namedJit(
  'cholesky',
  function cholesky(a: Value, upper: boolean, symmetrizeInput: boolean): Value {
    const [v] = promoteArgsInexact(a);
    const l = LA.cholesky(v, { symmetrizeInput });
    return upper ? LA.mT(l) : l;
  },
  { staticArgnums: [1, 2] },
);

export interface EighOpts {
  UPLO?: 'L' | 'U' | null;
  symmetrizeInput?: boolean;
}

/** jnp.linalg.eigh: [eigenvalues (ascending), eigenvectors (columns)]. Jitted, as JAX's. */
export function eigh(a: unknown, opts: EighOpts = {}): [Value, Value] {
  return eighJit(asValue(a), opts.UPLO ?? null, opts.symmetrizeInput ?? true);
}

const eighJit = namedJit(
  'eigh',
  function eigh(a: Value, uplo: 'L' | 'U' | null, symmetrizeInput: boolean): [Value, Value] {
    if (uplo !== null && uplo !== 'L' && uplo !== 'U')
      throw new Error(`UPLO must be one of None, 'L', or 'U', got ${uplo}`);
    const [v] = promoteArgsInexact(a);
    const [vecs, w] = LA.eigh(v, { lower: uplo !== 'U', symmetrizeInput });
    return [w, vecs];
  },
  { staticArgnums: [1, 2] },
);

/** jnp.linalg.eigvalsh: the eigenvalues alone (a jitted call of eigh, as JAX's). */
export function eigvalsh(
  a: unknown,
  opts: { UPLO?: 'L' | 'U' | null; symmetrizeInput?: boolean } = {},
): Value {
  return eigvalshJit(asValue(a), opts.UPLO ?? 'L', opts.symmetrizeInput ?? true);
}

const eigvalshJit = namedJit(
  'eigvalsh',
  function eigvalsh(a: Value, uplo: 'L' | 'U' | null, symmetrizeInput: boolean): Value {
    const [v] = promoteArgsInexact(a);
    return eighJit(v, uplo, symmetrizeInput)[0];
  },
  { staticArgnums: [1, 2] },
);

export interface SvdOpts {
  fullMatrices?: boolean;
  computeUv?: boolean;
  hermitian?: boolean;
}

/** jnp.linalg.svd: [u, s, vh] (computeUv, the default) or s. Jitted, as JAX's. */
export function svd(a: unknown, opts: SvdOpts & { computeUv: false }): Value;
export function svd(a: unknown, opts?: SvdOpts): [Value, Value, Value];
export function svd(a: unknown, opts: SvdOpts = {}): Value | [Value, Value, Value] {
  if (opts.hermitian) throw new Error('svd: hermitian=True is not supported');
  return svdJit(asValue(a), opts.fullMatrices ?? true, opts.computeUv ?? true);
}

const svdJit = namedJit(
  'svd',
  function svd(a: Value, fullMatrices: boolean, computeUv: boolean): Value | [Value, Value, Value] {
    const [v] = promoteArgsInexact(a);
    if (!computeUv) return LA.svd(v, { computeUv: false, fullMatrices });
    return LA.svd(v, { fullMatrices });
  },
  { staticArgnums: [1, 2] },
);

/** jnp.linalg.svdvals: singular values, descending (svd without u and vh). */
export function svdvals(a: unknown): Value {
  return svd(a, { computeUv: false, hermitian: false });
}

/** jnp.linalg.qr: [q, r] ('reduced', 'complete') or r ('r'). Jitted, as JAX's. */
export function qr(a: unknown, mode?: 'reduced' | 'complete'): [Value, Value];
export function qr(a: unknown, mode: 'r'): Value;
export function qr(a: unknown, mode: 'reduced' | 'complete' | 'r' = 'reduced'): Value | [Value, Value] {
  if (mode !== 'reduced' && mode !== 'complete' && mode !== 'r') {
    throw new Error(`Unsupported QR decomposition mode '${mode}'`);
  }
  return qrJit(asValue(a), mode);
}

const qrJit = namedJit(
  'qr',
  function qr(a: Value, mode: 'reduced' | 'complete' | 'r'): Value | [Value, Value] {
    const [v] = promoteArgsInexact(a);
    const [q, r] = LA.qr(v, { fullMatrices: mode === 'complete' });
    return mode === 'r' ? r : [q, r];
  },
  { staticArgnums: [1] },
);

function checkSquare(name: string, a: Value): void {
  if (a.ndim < 2 || a.shape[a.ndim - 1] !== a.shape[a.ndim - 2]) {
    throw new Error(
      `${name}: argument must be a square matrix or batch of square matrices, got shape ${JSON.stringify(a.shape)}`
        .replace(/\[/g, '(')
        .replace(/\]/g, ')'),
    );
  }
}

/** diag(lu), the parity of the pivots and whether a pivot is zero. */
function luParts(a: Value): { diag: Value; flips: Value; isZero: Value } {
  const [luv, piv] = LA.lu(a);
  const n = a.shape[a.ndim - 1];
  const eye = LA.eyeMatrix(a.dtype, n);
  const e =
    a.ndim > 2
      ? S.expandDims(
          eye,
          Array.from({ length: a.ndim - 2 }, (_, i) => i),
        )
      : eye;
  const diag = reduceSum(L.mul(luv, e), [a.ndim - 1]);
  const iota = S.broadcastedIota(int32, piv.shape, piv.ndim - 1);
  const swaps = reduceSum(convertElementType(L.ne(piv, iota), int32), [piv.ndim - 1]);
  const negs = reduceSum(convertElementType(L.lt(diag, convertElementType(0, a.dtype)), int32), [
    diag.ndim - 1,
  ]);
  const isZero = reduceOr(L.eq(diag, convertElementType(0, a.dtype)), [diag.ndim - 1]);
  return { diag, flips: L.add(swaps, negs), isZero };
}

/** jnp.linalg.slogdet: [sign, log|det|]. Jitted, as JAX's. */
export function slogdet(a: unknown): [Value, Value] {
  return slogdetJit(asValue(a)) as [Value, Value];
}

const slogdetJit = namedJit('slogdet', function slogdet(a: Value): [Value, Value] {
  const [v] = promoteArgsInexact(a);
  checkSquare('slogdet', v);
  const n = v.shape[v.ndim - 1];
  return n === 1 || n === 2 ? slogdetSmall(v) : (slogdetLu(v) as [Value, Value]);
});

/** tjax's slogdet of 1x1 and 2x2 matrices: from `lu`, as for larger ones (JAX uses closed forms). */
function slogdetSmall(v: Value): [Value, Value] {
  const { diag, flips, isZero } = luParts(v);
  const dt = v.dtype;
  const odd = convertElementType(L.rem(flips, convertElementType(2, int32)), dt);
  const sign0 = L.sub(convertElementType(1, dt), L.mul(convertElementType(2, dt), odd));
  const zero = S.broadcastInDim(convertElementType(0, dt), sign0.shape, []);
  const sign = L.select(isZero, zero, sign0);
  const logdet0 = reduceSum(L.log(L.abs(diag)), [diag.ndim - 1]);
  const ninf = S.broadcastInDim(convertElementType(-Infinity, dt), logdet0.shape, []);
  return [sign, L.select(isZero, ninf, logdet0)];
}

/**
 * JAX's _slogdet_lu: sign and log|det| from the diagonal of `lu` and the parity of its pivots,
 * written with jnp's functions in JAX's order (so the jaxpr is JAX's). A custom_jvp: the sign is
 * not differentiable where det = 0, and d log|det A| = trace(A^-1 dA) (_slogdet_jvp).
 */
const slogdetLu = customJvp(function _slogdet_lu(a: Value): [Value, Value] {
  const dtype = a.dtype;
  const [lu, pivot] = LA.lu(a);
  const diag = diagonal(lu, { axis1: -2, axis2: -1 });
  const isZero = red.any(uf.equal(diag, array(0, { dtype })), { axis: -1 });
  const iota = S.expandDims(
    arange(a.shape[a.ndim - 1], { dtype: pivot.dtype }),
    Array.from({ length: pivot.ndim - 1 }, (_, i) => i),
  );
  let parity = red.count_nonzero(uf.not_equal(pivot, iota), { axis: -1 });
  let sign: Value;
  if (dtype.isComplex) {
    sign = red.prod(uf.divide(diag, convertElementType(uf.abs(diag), diag.dtype)), { axis: -1 });
  } else {
    sign = array(1, { dtype });
    parity = uf.add(parity, red.count_nonzero(uf.less(diag, 0), { axis: -1 }));
  }
  // jnp.array of a traced value copies it, then converts.
  const flip = convertElementType(bind1(copy, [uf.add(uf.multiply(-2, uf.remainder(parity, 2)), 1)]), dtype);
  sign = uf.where(isZero, array(0, { dtype }), uf.multiply(sign, flip));
  const logAbs = convertElementType(uf.log(uf.abs(diag)), dtype);
  const logdet = uf.where(isZero, array(-Infinity, { dtype }), red.sum(logAbs, { axis: -1 }));
  return [sign, real(logdet)];
});

slogdetLu.defjvp(function _slogdet_jvp(primals: Value[], tangents: Value[]) {
  const [x] = primals;
  const [g] = tangents;
  const [sign, ans] = slogdet(x);
  let ansDot = trace(solve(x, g), { axis1: -1, axis2: -2 });
  let signDot: Value;
  if (x.dtype.isComplex) {
    signDot = uf.multiply(uf.subtract(ansDot, convertElementType(real(ansDot), ansDot.dtype)), sign);
    ansDot = real(ansDot);
  } else signDot = zeros_like(sign);
  return [
    [sign, ans],
    [signDot, ansDot],
  ];
});

/** The parity-signed product of LU's diagonal (tjax's determinant of a matrix larger than 3x3). */
function luDet(v: Value): Value {
  const { diag, flips } = luParts(v);
  const dt = v.dtype;
  const odd = convertElementType(L.rem(flips, convertElementType(2, int32)), dt);
  const sign = L.sub(convertElementType(1, dt), L.mul(convertElementType(2, dt), odd));
  // The product of the diagonal's magnitudes, signed by the pivots' parity and the negatives.
  let prod: Value = L.abs(S.sliceInDim(diag, 0, 1, 1, diag.ndim - 1));
  for (let i = 1; i < diag.shape[diag.ndim - 1]; i++) {
    prod = L.mul(prod, L.abs(S.sliceInDim(diag, i, i + 1, 1, diag.ndim - 1)));
  }
  return L.mul(sign, S.squeeze(prod, [prod.ndim - 1]));
}

/**
 * JAX's _det_2x2 and _det_3x3: the cofactor expansion, each element read and each product and
 * sum formed in Python's left-to-right order (so the jaxpr is JAX's).
 */
function cofactorDet(a: Value): Value {
  type Term = [1 | -1, [number, number][]];
  const terms: Term[] =
    a.shape[a.ndim - 1] === 2
      ? [
          [
            1,
            [
              [0, 0],
              [1, 1],
            ],
          ],
          [
            -1,
            [
              [0, 1],
              [1, 0],
            ],
          ],
        ]
      : [
          [
            1,
            [
              [0, 0],
              [1, 1],
              [2, 2],
            ],
          ],
          [
            1,
            [
              [0, 1],
              [1, 2],
              [2, 0],
            ],
          ],
          [
            1,
            [
              [0, 2],
              [1, 0],
              [2, 1],
            ],
          ],
          [
            -1,
            [
              [0, 2],
              [1, 1],
              [2, 0],
            ],
          ],
          [
            -1,
            [
              [0, 0],
              [1, 2],
              [2, 1],
            ],
          ],
          [
            -1,
            [
              [0, 1],
              [1, 0],
              [2, 2],
            ],
          ],
        ];
  const product = (ij: [number, number][]): Value =>
    ij
      .slice(1)
      .reduce((acc, [i, j]) => uf.multiply(acc, getitem(a, ['...', i, j])), getitem(a, ['...', ...ij[0]]));
  return terms
    .slice(1)
    .reduce((acc, [sign, ij]) => (sign > 0 ? uf.add : uf.subtract)(acc, product(ij)), product(terms[0][1]));
}

const detJit = namedJit('det', function det(a: Value): Value {
  const [v] = promoteArgsInexact(a);
  checkSquare('det', v);
  const n = v.shape[v.ndim - 1];
  return n === 2 || n === 3 ? cofactorDet(v) : luDet(v);
});

/** jnp.linalg.det: jitted, by cofactors for 2x2 and 3x3 matrices (as JAX's), else from `lu`. */
export function det(a: unknown): Value {
  return detJit(asValue(a));
}

/**
 * JAX's _lu_solve_core (jax/_src/lax/linalg.py) for one matrix: b's trailing dims flattened to
 * columns, the rows permuted (trans 0) or unpermuted after (trans 1, through a sort of the
 * permutation), and the two triangular solves of L U (or U^T L^T).
 */
function luSolveCore(lu: Value, permutation: Value, b: Value, trans: 0 | 1): Value {
  const m = lu.shape[0];
  let x = S.reshape(b, [m, b.shape.slice(1).reduce((p, q) => p * q, 1)]);
  if (trans === 0) {
    x = getitem(x, [permutation, sl()]);
    x = LA.triangularSolve(lu, x, { leftSide: true, lower: true, unitDiagonal: true });
    x = LA.triangularSolve(lu, x, { leftSide: true, lower: false });
  } else {
    x = LA.triangularSolve(lu, x, { leftSide: true, lower: false, transposeA: true });
    x = LA.triangularSolve(lu, x, { leftSide: true, lower: true, unitDiagonal: true, transposeA: true });
    const [, ind] = sortKeyVal(permutation, S.iota(int32, permutation.shape[0]));
    x = getitem(x, [ind, sl()]);
  }
  return S.reshape(x, b.shape);
}

/** JAX's jitted _lu_solve (static trans): b a vector or a stack of columns, batch dims vmapped. */
const luSolveJit = namedJit(
  '_lu_solve',
  function _lu_solve(lu: Value, permutation: Value, b: Value, trans: 0 | 1): Value {
    const rhsVector = lu.ndim === b.ndim + 1;
    let bb = rhsVector ? getitem(b, ['...', null]) : b;
    const batch = broadcastShapes(
      'lu_solve',
      lu.shape.slice(0, -2),
      permutation.shape.slice(0, -1),
      bb.shape.slice(0, -2),
    );
    const l = broadcastTo(lu, [...batch, ...last2(lu)]);
    const p = broadcastTo(permutation, [...batch, permutation.shape[permutation.ndim - 1]]);
    bb = broadcastTo(bb, [...batch, ...last2(bb)]);
    let fn = (x: Value, y: Value, z: Value): Value => luSolveCore(x, y, z, trans);
    for (const _ of batch) fn = vmap(fn) as typeof fn;
    const x = fn(l, p, bb);
    return rhsVector ? getitem(x, ['...', 0]) : x;
  },
  { staticArgnums: [3] },
);

/**
 * lax.broadcast_in_dim as JAX's traces see it: a broadcast to the operand's own shape binds the
 * primitive, which the jaxpr-building trace forwards (no equation) but partial evaluation stages
 * for an unknown operand (so linear_transpose of _broadcasted_matvec ends in JAX's
 * `reduce_sum[axes=()]`).
 */
function broadcastInDimAsJax(x: Value, shape: readonly number[], dims: readonly number[]): Value {
  const same = x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i]);
  const identity = dims.every((d, i) => d === i);
  if (same && identity && !(x instanceof PETracer && !x.pval.isKnown)) return x;
  return S.broadcastInDim(x, [...shape], [...dims]);
}

/** JAX's _broadcast_to in lax/linalg.py: broadcast_in_dim onto the trailing dims. */
function broadcastTrailing(x: Value, shape: readonly number[]): Value {
  return broadcastInDimAsJax(
    x,
    shape,
    x.shape.map((_, i) => shape.length - x.ndim + i),
  );
}

/** JAX's _broadcasted_matvec: (..., n, m) by (..., m) with broadcast batch dims, at HIGHEST precision. */
function broadcastedMatvec(a: Value, b: Value): Value {
  const batch = broadcastShapes('matvec', a.shape.slice(0, -2), b.shape.slice(0, -1));
  const nb = batch.length;
  const aa = broadcastTrailing(a, [...batch, ...last2(a)]);
  const bb = broadcastTrailing(b, [...batch, b.shape[b.ndim - 1]]);
  const axes = Array.from({ length: nb }, (_, i) => i);
  return dotGeneral(
    aa,
    bb,
    [
      [[aa.ndim - 1], [bb.ndim - 1]],
      [axes, axes],
    ],
    { precision: 'highest' },
  );
}

/**
 * JAX's lax.linalg._solve for one system (jnp.vectorize adds batch dims): lu of a with its gradient
 * stopped, and a custom_linear_solve whose solve and transpose_solve reuse that factorization;
 * a matrix b is solved column by column under vmap.
 */
function solveOne(a: Value, b0: Value): Value {
  if (
    !(
      a.ndim >= 2 &&
      (b0.ndim === a.ndim || b0.ndim === a.ndim - 1) &&
      a.shape[a.ndim - 1] === a.shape[a.ndim - 2] &&
      a.shape[a.ndim - 1] === b0.shape[a.ndim - 2]
    )
  )
    throw new ValueError(
      `The arguments to solve must have shapes a=[..., m, m] and b=[..., m, k] or b=[..., m]; got a=${pyShape(a.shape)} and b=${pyShape(b0.shape)}`,
    );
  const outShape = b0.shape.map((d, i) => (d === 1 ? [...a.shape.slice(0, -1), 1][i] : d));
  const b = broadcastInDimAsJax(
    b0,
    outShape,
    b0.shape.map((_, i) => i),
  );
  const [lu, , permutation] = LA.lu(stopGradient(a));
  const customSolve = (x: Value): Value =>
    customLinearSolve(
      (y: Value) => broadcastedMatvec(a, y),
      x,
      (_: unknown, y: Value) => luSolveJit(lu, permutation, y, 0),
      (_: unknown, y: Value) => luSolveJit(lu, permutation, y, 1),
    );
  if (a.ndim === b.ndim + 1) return customSolve(b);
  return vmap(customSolve, { inAxes: b.ndim - 1, outAxes: Math.max(a.ndim, b.ndim) - 1 })(b) as Value;
}

function pyShape(s: readonly number[]): string {
  return s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`;
}

/** jnp.linalg.solve: jitted, as JAX's; b a vector (b.ndim == 1) or a stack of matrices. */
export function solve(a: unknown, b: unknown): Value {
  return solveJit(asValue(a), asValue(b));
}

const solveJit = namedJit('solve', function solve(a0: Value, b0: Value): Value {
  const [a, b] = promoteArgsInexact(a0, b0);
  if (a.ndim < 2)
    throw new ValueError(`left hand array must be at least two dimensional; got a.shape=${pyShape(a.shape)}`);
  const n = a.shape[a.ndim - 1];
  if (b.ndim > 1 && a.ndim === b.ndim + 1 && n === b.shape[b.ndim - 1] && n !== b.shape[b.ndim - 2])
    throw new ValueError(
      `Invalid shapes for solve: ${pyShape(a.shape)}, ${pyShape(b.shape)}. Prior to JAX v0.5.0, this would have been treated as a batched 1-dimensional solve. To recover this behavior, use solve(a, b[..., None]).squeeze(-1).`,
    );
  const signature = b.ndim === 1 ? '(m,m),(m)->(m)' : '(m,m),(m,n)->(m,n)';
  return vectorize(solveOne, { signature })(a, b) as Value;
});

/** jnp.linalg.inv: jitted, as JAX's: solve(a, I) with the identity broadcast to a's batch. */
export function inv(a: unknown): Value {
  return invJit(asValue(a));
}

const invJit = namedJit('inv', function inv(arr: Value): Value {
  if (arr.ndim < 2 || arr.shape[arr.ndim - 1] !== arr.shape[arr.ndim - 2])
    throw new ValueError(`Argument to inv must have shape [..., n, n], got ${pyShape(arr.shape)}.`);
  const id = eye(arr.shape[arr.ndim - 1], null, 0, { dtype: arr.dtype });
  return solve(arr, arr.ndim > 2 ? S.broadcast(id, arr.shape.slice(0, -2)) : id);
});
