/**
 * @file jvp, transpose and batch rules of the decompositions (primitives/linalg.ts), after JAX
 * 0.10.2's jax/_src/lax/linalg.py:
 * - cholesky: L phi(L^{-1} dA L^{-T}) with phi(X) = tril(X) / (1 + I) (_cholesky_jvp_rule);
 * - eigh: nondegenerate perturbation theory (_eigh_jvp_rule): dw = diag(V^T dA V),
 *   dV = V (F * V^T dA V) with F_ij = 1 / (w_j - w_i) off the diagonal;
 * - svd: _svd_jvp_rule (thin factors; full_matrices with m != n raises as JAX does);
 * - qr: qr_jvp_rule's thin rule, and its wide (m < n) case; full_matrices with m > n raises (JAX
 *   solves an extra linear system there, not implemented here);
 * - lu: _lu_jvp_inner for square matrices, the row permutation applied as a one-hot matmul so
 *   it stays batched;
 * - triangular_solve: linear in b (transpose: the solve with transpose_a flipped), and
 *   _triangular_solve_jvp_rule_a for a;
 * - every batch rule moves the batch dims to the front (the kernels are batched over leading dims).
 */
import { int32 } from '../../core/dtype.js';
import { bind, bind1, type Value } from '../../core/trace.js';
import { convertElementType } from '../../lax/convert.js';
import * as L from '../../lax/elementwise.js';
import { batchMatmul, eyeMatrix, mT, symmetrize, tril, triu } from '../../lax/linalg.js';
import { reduceSum } from '../../lax/reductions.js';
import * as S from '../../lax/structural.js';
import * as P from '../../primitives/linalg.js';
import { addTangents, instantiate, type JvpRule, type Tangent, Zero } from '../jvp.js';
import type { TransposeRule } from '../transpose.js';
import { type BatchRule, moveBatchAxis } from '../vmap.js';
import { setBatch } from './common.js';

type V = Value;
type Params = Record<string, unknown>;

const front = (x: V, d: number | null, n: number) => moveBatchAxis(x, d, 0, n);

/** The identity broadcast to x's leading dims' rank (lax.expand_dims(_eye(...), range(nd - 2))). */
function eyeLike(x: V, n: number): V {
  const e = eyeMatrix(x.dtype, n);
  return x.ndim > 2
    ? S.expandDims(
        e,
        Array.from({ length: x.ndim - 2 }, (_, i) => i),
      )
    : e;
}

/** The diagonal of the last two dims of a square stack. */
function diagOf(x: V): V {
  const n = x.shape[x.ndim - 1];
  return reduceSum(L.mul(x, eyeLike(x, n)), [x.ndim - 1]);
}

function solve(a: V, b: V, p: Params): V {
  return bind1(P.triangular_solve, [a, b], {
    conjugate_a: false,
    left_side: false,
    lower: false,
    transpose_a: false,
    unit_diagonal: false,
    ...p,
  });
}

// ---- batch rules ----------------------------------------------------------------------------------

for (const prim of [P.cholesky, P.eigh, P.svd, P.qr, P.lu]) {
  setBatch(prim, (([x], [d], p, n) => {
    const outs = bind(prim, [front(x, d, n)], p);
    return [outs, outs.map(() => 0)];
  }) satisfies BatchRule);
}

/**
 * JAX's _triangular_solve_batching_rule: with `a` unbatched, b's batch becomes more right-hand
 * sides (columns for left_side, rows otherwise) of one solve; else both batch dims go first.
 */
setBatch(P.triangular_solve, (([a, b], [da, db], p, n) => {
  if (da === null && db !== null) {
    const left = Boolean(p.left_side);
    const y = moveBatchAxis(b, db, left ? b.ndim - 1 : b.ndim - 2, n);
    const s = y.shape;
    const flat = left
      ? [...s.slice(0, -2), s[s.length - 2] * s[s.length - 1]]
      : [...s.slice(0, -3), s[s.length - 3] * s[s.length - 2], s[s.length - 1]];
    const out = bind1(P.triangular_solve, [a, S.reshape(y, flat)], p);
    return [[S.reshape(out, [...s])], [left ? y.ndim - 1 : y.ndim - 2]];
  }
  const out = bind1(P.triangular_solve, [front(a, da, n), front(b, db, n)], p);
  return [[out], [0]];
}) satisfies BatchRule);

// ---- cholesky -------------------------------------------------------------------------------------

P.cholesky.rules.jvp = (([x], [g], p) => {
  const l = tril(bind1(P.cholesky, [x], p));
  if (g instanceof Zero) return [[l], [new Zero(l.aval)]];
  const n = x.shape[x.ndim - 1];
  const phi = (m: V) => L.div(tril(m), L.add(convertElementType(1, m.dtype), eyeLike(m, n)));
  const tmp = solve(l, g, { left_side: false, transpose_a: true, conjugate_a: true, lower: true });
  const inner = solve(l, tmp, { left_side: true, transpose_a: false, lower: true });
  return [[l], [batchMatmul(l, phi(inner))]];
}) satisfies JvpRule;

// ---- eigh -----------------------------------------------------------------------------------------

P.eigh.rules.jvp = (([a], [g], p) => {
  const [v, w] = bind(P.eigh, [symmetrize(a)], p);
  if (g instanceof Zero)
    return [
      [v, w],
      [new Zero(v.aval), new Zero(w.aval)],
    ];
  const n = a.shape[a.ndim - 1];
  const eye = eyeLike(a, n);
  const wRow = S.expandDims(w, [w.ndim - 1]); // [..., 1, n]
  const wCol = S.expandDims(w, [w.ndim]); // [..., n, 1]
  const fmat = L.sub(L.integerPow(L.sub(L.add(eye, wRow), wCol), -1), eye);
  const vtav = batchMatmul(batchMatmul(mT(v), g), v);
  const dv = batchMatmul(v, L.mul(fmat, vtav));
  return [
    [v, w],
    [dv, diagOf(vtav)],
  ];
}) satisfies JvpRule;

// ---- svd ------------------------------------------------------------------------------------------

P.svd.rules.jvp = (([a], [g], p) => {
  const outs = bind(P.svd, [a], p);
  const zeros = () => outs.map((o) => new Zero(o.aval) as Tangent);
  if (g instanceof Zero) return [outs, zeros()];
  const [m, n] = a.shape.slice(-2);
  if (p.compute_uv && p.full_matrices && m !== n) {
    throw new Error('Singular value decomposition JVP not implemented for full matrices');
  }
  const [s, u, vt] = bind(P.svd, [a], { ...p, full_matrices: false, compute_uv: true });
  const v = mT(vt);
  const ut = mT(u);
  const sRow = S.expandDims(s, [s.ndim - 1]); // [..., 1, k]
  const dS = batchMatmul(batchMatmul(ut, g), v);
  const ds = diagOf(dS);
  if (!p.compute_uv) return [outs, [ds]];
  const k = s.shape[s.ndim - 1];
  const sCol = mT(sRow);
  const sDiffs = L.mul(L.add(sRow, sCol), L.sub(sRow, sCol));
  const eye = eyeLike(sDiffs, k);
  const f = L.sub(L.div(convertElementType(1, a.dtype), L.add(sDiffs, eye)), eye);
  const dSS = L.mul(sRow, dS);
  const SdS = L.mul(sCol, dS);
  const sZeros = convertElementType(L.eq(s, convertElementType(0, s.dtype)), s.dtype);
  const sInv = L.sub(L.div(convertElementType(1, s.dtype), L.add(s, sZeros)), sZeros);
  const sInvMat = L.mul(S.expandDims(sInv, [sInv.ndim - 1]), eye);
  const dUdVdiag = L.mul(L.mul(convertElementType(0.5, a.dtype), L.sub(dS, mT(dS))), sInvMat);
  let dU = batchMatmul(u, L.add(L.mul(f, L.add(dSS, mT(dSS))), dUdVdiag));
  let dV = batchMatmul(v, L.mul(f, L.add(SdS, mT(SdS))));
  if (m > n) {
    const dAV = batchMatmul(g, v);
    dU = L.add(dU, L.div(L.sub(dAV, batchMatmul(u, batchMatmul(ut, dAV))), sRow));
  }
  if (n > m) {
    const dAHU = batchMatmul(mT(g), u);
    dV = L.add(dV, L.div(L.sub(dAHU, batchMatmul(v, batchMatmul(vt, dAHU))), sRow));
  }
  return [outs, [ds, dU, mT(dV)]];
}) satisfies JvpRule;

// ---- qr -------------------------------------------------------------------------------------------

function thinQrJvp(q: V, r: V, dx: V): [V, V] {
  const dxRinv = solve(r, dx, {});
  const qtDxRinv = batchMatmul(mT(q), dxRinv);
  const lower = tril(qtDxRinv, -1);
  const dO = L.sub(lower, mT(lower));
  const dq = L.add(batchMatmul(q, L.sub(dO, qtDxRinv)), dxRinv);
  const dr = batchMatmul(L.sub(qtDxRinv, dO), r);
  return [dq, dr];
}

function lastSlice(x: V, start: number, limit: number): V {
  return S.sliceInDim(x, start, limit, 1, x.ndim - 1);
}

P.qr.rules.jvp = (([x], [g], p) => {
  const [q, r] = bind(P.qr, [x], p);
  if (g instanceof Zero)
    return [
      [q, r],
      [new Zero(q.aval), new Zero(r.aval)],
    ];
  const [m, n] = x.shape.slice(-2);
  if (m < n) {
    const x2 = lastSlice(x, m, n);
    const dx1 = lastSlice(g, 0, m);
    const dx2 = lastSlice(g, m, n);
    const [dq, dr1] = thinQrJvp(q, lastSlice(r, 0, m), dx1);
    const dr2 = L.add(batchMatmul(mT(dq), x2), batchMatmul(mT(q), dx2));
    return [
      [q, r],
      [dq, S.concatenate([dr1, dr2], dr1.ndim - 1)],
    ];
  }
  if (p.full_matrices && m !== n) {
    throw new Error('qr jvp: full_matrices=True with m > n is not implemented');
  }
  const [dq, dr] = thinQrJvp(q, r, g);
  return [
    [q, r],
    [dq, dr],
  ];
}) satisfies JvpRule;

// ---- lu -------------------------------------------------------------------------------------------

P.lu.rules.jvp = (([a], [g], p) => {
  const outs = bind(P.lu, [a], p);
  const [luv, piv, perm] = outs;
  const zeroInts = [new Zero(piv.aval), new Zero(perm.aval)];
  if (g instanceof Zero) return [outs, [new Zero(luv.aval), ...zeroInts]];
  const [m, n] = a.shape.slice(-2);
  if (m !== n) throw new Error('lu jvp: only square matrices are supported');
  const eye = eyeLike(a, n);
  const l = L.add(tril(luv, -1), eye);
  const u = triu(luv);
  // a_dot[perm] as a one-hot matmul: P[i, j] = (perm[i] == j).
  const cols = S.broadcastedIota(int32, [...perm.shape, n], perm.ndim);
  const pm = convertElementType(L.eq(S.expandDims(perm, [perm.ndim]), cols), a.dtype);
  const la = solve(l, batchMatmul(pm, g), { left_side: true, lower: true, unit_diagonal: true });
  const lau = solve(u, la, { left_side: false, lower: false });
  const luDot = L.add(batchMatmul(l, tril(lau, -1)), batchMatmul(triu(lau), u));
  return [outs, [luDot, ...zeroInts]];
}) satisfies JvpRule;

// ---- triangular_solve -----------------------------------------------------------------------------

P.triangular_solve.rules.jvp = (([a, b], [ga, gb], p) => {
  const ans = bind1(P.triangular_solve, [a, b], p);
  let t: Tangent = new Zero(ans.aval);
  if (!(gb instanceof Zero)) t = addTangents(t, bind1(P.triangular_solve, [a, gb], p));
  if (!(ga instanceof Zero)) {
    const [m, n] = b.shape.slice(-2);
    const k = p.unit_diagonal ? 1 : 0;
    let d = p.lower ? tril(ga, -k) : triu(ga, k);
    d = L.neg(d);
    if (p.transpose_a) d = mT(d);
    const aInv = (rhs: V) => bind1(P.triangular_solve, [a, rhs], p);
    let ta: V;
    if (p.left_side) ta = m > n ? aInv(batchMatmul(d, ans)) : batchMatmul(aInv(d), ans);
    else ta = m < n ? aInv(batchMatmul(ans, d)) : batchMatmul(ans, aInv(d));
    t = addTangents(t, ta);
  }
  return [[ans], [t]];
}) satisfies JvpRule;

P.triangular_solve.rules.transpose = (([ct], [a, b], p) => {
  void b;
  if (ct instanceof Zero) return [null, null];
  const g = instantiate(ct);
  return [null, bind1(P.triangular_solve, [a as V, g], { ...p, transpose_a: !p.transpose_a })];
}) satisfies TransposeRule;
