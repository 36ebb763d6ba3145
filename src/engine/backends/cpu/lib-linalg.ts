/**
 * @file CPU library kernels of the matrix decompositions (primitives/linalg.ts): cholesky, eigh,
 * svd, qr, lu and triangular_solve. Every kernel works on a stack of row-major matrices (the
 * leading dims flattened into `batch`), copies each matrix into a Float64Array, computes in
 * float64 whatever the storage dtype (float32 results are rounded once, when written back), and
 * follows LAPACK's conventions where JAX's results depend on them:
 * - cholesky: Cholesky-Banachiewicz on the lower triangle; a matrix that is not positive definite
 *   gives NaNs everywhere (JAX's CPU lowering checks potrf's info and fills with NaN);
 * - eigh: cyclic Jacobi rotations (robust and accurate for the small matrices this engine meets),
 *   eigenvalues ascending, eigenvectors as columns;
 * - svd: one-sided (Hestenes) Jacobi on the taller orientation, singular values descending, the
 *   singular vectors of zero singular values and the full_matrices columns completed by
 *   Gram-Schmidt against the unit vectors;
 * - qr: Householder reflections with LAPACK's sign choice (beta = -sign(alpha) * norm), so R's
 *   diagonal has geqrf's signs and Q is orgqr's;
 * - lu: getrf's partial pivoting (first largest |pivot|), pivots and the permutation as int32;
 * - triangular_solve: forward/back substitution (trsm) for either side and transpose_a.
 */

import type { BufferInfo } from '../../compile/kir.js';
import { cholesky, type Dialect, oneSidedJacobi, twoSidedJacobi } from '../../compile/linalg-source.js';
import type { TypedArray } from '../../core/dtype.js';
import { registerLibKernel } from './lib.js';

type Num = Float32Array | Float64Array;

function load(src: Num, off: number, len: number): Float64Array {
  const a = new Float64Array(len);
  for (let i = 0; i < len; i++) a[i] = src[off + i];
  return a;
}

function store(dst: Num, off: number, a: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) dst[off + i] = a[i];
}

/** The named sizes among a kernel's params (batch, m, n, ...), in the order asked. */
const sizes = (params: Record<string, unknown>, ...names: string[]) => names.map((k) => params[k] as number);

/**
 * x <- (I - tau v v^T) x on columns c0..c1-1 of x (row-major, w columns), where v is zero above
 * row j (a Householder reflection, as LAPACK's larf applies it).
 */
function reflect(
  x: Float64Array,
  w: number,
  v: Float64Array,
  tau: number,
  j: number,
  m: number,
  c0: number,
  c1: number,
): void {
  for (let c = c0; c < c1; c++) {
    let d = 0;
    for (let i = j; i < m; i++) d += v[i] * x[i * w + c];
    d *= tau;
    for (let i = j; i < m; i++) x[i * w + c] -= d * v[i];
  }
}

/** JavaScript's way of writing compile/linalg-source.ts's algorithms. */
const JS: Dialect = {
  mut: 'let',
  imm: 'const',
  lit: String,
  eq: '===',
  sqrt: (x) => `Math.sqrt(${x})`,
  abs: (x) => `Math.abs(${x})`,
  signOrOne: (x) => `Math.sign(${x} || 1)`,
};

// ---- cholesky -------------------------------------------------------------------------------------

/** compile/linalg-source.ts's Cholesky, as JavaScript in float64: false where a pivot is not positive. */
const choleskyFactor = new Function(
  'a',
  'l',
  'n',
  [
    ...cholesky(JS, {
      n: 'n',
      a: (i, j) => `a[${i} * n + ${j}]`,
      l: (i, j) => `l[${i} * n + ${j}]`,
      notPositive: (s) => `!(${s} > 0)`,
    }),
    'return ok;',
  ].join('\n'),
) as (a: Float64Array, l: Float64Array, n: number) => boolean;

function choleskyKernel(ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>): void {
  const [batch, n] = sizes(params, 'batch', 'n');
  const src = ins[0] as Num;
  const dst = outs[0] as Num;
  for (let b = 0; b < batch; b++) {
    const a = load(src, b * n * n, n * n);
    const l = new Float64Array(n * n);
    if (!choleskyFactor(a, l, n)) l.fill(Number.NaN);
    store(dst, b * n * n, l);
  }
}

// ---- eigh -----------------------------------------------------------------------------------------

/** compile/linalg-source.ts's cyclic sweeps, as JavaScript in float64 (a, v: n x n, in place). */
const eighSweeps = new Function(
  'a',
  'v',
  'n',
  twoSidedJacobi(JS, {
    n: 'n',
    a: (i, j) => `a[${i} * n + ${j}]`,
    v: (i, j) => `v[${i} * n + ${j}]`,
    offTolerance: '1e-36',
    negligible: null,
  }).join('\n'),
) as (a: Float64Array, v: Float64Array, n: number) => void;

/** Symmetric eigendecomposition of a (n x n, read from `lower`'s triangle): [eigenvalues, V]. */
function jacobiEigh(a: Float64Array, n: number): [Float64Array, Float64Array] {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  eighSweeps(a, v, n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = a[i * n + i];
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => w[x] - w[y] || x - y);
  const ws = new Float64Array(n);
  const vs = new Float64Array(n * n);
  order.forEach((src, j) => {
    ws[j] = w[src];
    for (let k = 0; k < n; k++) vs[k * n + j] = v[k * n + src];
  });
  return [ws, vs];
}

function eighKernel(ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>): void {
  const [batch, n] = sizes(params, 'batch', 'n');
  const lower = params.lower as boolean;
  const src = ins[0] as Num;
  const [vOut, wOut] = outs as Num[];
  for (let b = 0; b < batch; b++) {
    const raw = load(src, b * n * n, n * n);
    // LAPACK's syevd reads one triangle only.
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const useIJ = lower ? i >= j : i <= j;
        a[i * n + j] = useIJ ? raw[i * n + j] : raw[j * n + i];
      }
    }
    const nanIn = a.some((x) => Number.isNaN(x));
    const [w, v] = nanIn
      ? [new Float64Array(n).fill(Number.NaN), new Float64Array(n * n).fill(Number.NaN)]
      : jacobiEigh(a, n);
    store(vOut, b * n * n, v);
    store(wOut, b * n, w);
  }
}

// ---- svd ------------------------------------------------------------------------------------------

/**
 * Orthonormal columns: keep cols [0, have) of q (m x cols, row-major, already orthonormal) and
 * fill cols [have, cols) with unit vectors orthogonalised against everything before (twice, for
 * accuracy), skipping unit vectors that are (nearly) in the span.
 */
function completeBasis(q: Float64Array, m: number, cols: number, have: boolean[]): void {
  let e = 0;
  for (let j = 0; j < cols; j++) {
    if (have[j]) continue;
    for (; e < m; e++) {
      const x = new Float64Array(m);
      x[e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let k = 0; k < cols; k++) {
          if (!have[k]) continue;
          let d = 0;
          for (let i = 0; i < m; i++) d += q[i * cols + k] * x[i];
          for (let i = 0; i < m; i++) x[i] -= d * q[i * cols + k];
        }
      }
      let nrm = 0;
      for (let i = 0; i < m; i++) nrm += x[i] * x[i];
      nrm = Math.sqrt(nrm);
      if (nrm > 1e-6) {
        for (let i = 0; i < m; i++) q[i * cols + j] = x[i] / nrm;
        have[j] = true;
        e++;
        break;
      }
    }
  }
}

/**
 * SVD of a tall matrix a (m x n, m >= n): [s (n, descending), U (m x ucols), V (n x n)], with U's
 * first n columns the left singular vectors and the rest an orthonormal completion.
 */
/** compile/linalg-source.ts's one-sided sweeps, as JavaScript in float64 (u: m x n, v: n x n, in place). */
const jacobiSweeps = new Function(
  'u',
  'v',
  'm',
  'n',
  oneSidedJacobi(JS, {
    m: 'm',
    n: 'n',
    w: (i, j) => `u[${i} * n + ${j}]`,
    v: (i, j) => `v[${i} * n + ${j}]`,
    negligible: '1e-15 * Math.sqrt(alpha * beta)',
  }).join('\n'),
) as (u: Float64Array, v: Float64Array, m: number, n: number) => void;

function jacobiSvd(
  a: Float64Array,
  m: number,
  n: number,
  ucols: number,
): [Float64Array, Float64Array, Float64Array] {
  const u = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  jacobiSweeps(u, v, m, n);
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += u[i * n + j] * u[i * n + j];
    norms[j] = Math.sqrt(s);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => norms[y] - norms[x] || x - y);
  const s = new Float64Array(n);
  const uo = new Float64Array(m * ucols);
  const vo = new Float64Array(n * n);
  const have = new Array<boolean>(ucols).fill(false);
  const tiny = (norms[order[0]] || 0) * 1e-13;
  order.forEach((src, j) => {
    s[j] = norms[src];
    for (let i = 0; i < n; i++) vo[i * n + j] = v[i * n + src];
    if (norms[src] > tiny && norms[src] > 0) {
      for (let i = 0; i < m; i++) uo[i * ucols + j] = u[i * n + src] / norms[src];
      have[j] = true;
    }
  });
  completeBasis(uo, m, ucols, have);
  return [s, uo, vo];
}

function svdKernel(ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>): void {
  const [batch, m, n] = sizes(params, 'batch', 'm', 'n');
  const full = params.full_matrices as boolean;
  const computeUv = params.compute_uv as boolean;
  const k = Math.min(m, n);
  const src = ins[0] as Num;
  const [sOut, uOut, vtOut] = outs as Num[];
  const ucols = full ? m : k;
  const vrows = full ? n : k;
  for (let b = 0; b < batch; b++) {
    const a = load(src, b * m * n, m * n);
    let s: Float64Array;
    let u: Float64Array; // m x ucols
    let vt: Float64Array; // vrows x n
    if (a.some((x) => Number.isNaN(x))) {
      s = new Float64Array(k).fill(Number.NaN);
      u = new Float64Array(m * ucols).fill(Number.NaN);
      vt = new Float64Array(vrows * n).fill(Number.NaN);
    } else if (m >= n) {
      const [s1, u1, v1] = jacobiSvd(a, m, n, ucols);
      s = s1;
      u = u1;
      vt = new Float64Array(vrows * n);
      for (let i = 0; i < vrows; i++) for (let j = 0; j < n; j++) vt[i * n + j] = v1[j * n + i];
    } else {
      // A = U S V^T  <=>  A^T = V S U^T: decompose the tall transpose and swap the roles.
      const at = new Float64Array(n * m);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = a[i * n + j];
      const [s1, v1, u1] = jacobiSvd(at, n, m, vrows); // v1: n x vrows, u1: m x m
      s = s1;
      u = new Float64Array(m * ucols);
      for (let i = 0; i < m; i++) for (let j = 0; j < ucols; j++) u[i * ucols + j] = u1[i * m + j];
      vt = new Float64Array(vrows * n);
      for (let i = 0; i < vrows; i++) for (let j = 0; j < n; j++) vt[i * n + j] = v1[j * vrows + i];
    }
    store(sOut, b * k, s);
    if (computeUv) {
      store(uOut, b * m * ucols, u);
      store(vtOut, b * vrows * n, vt);
    }
  }
}

// ---- qr -------------------------------------------------------------------------------------------

function qrKernel(ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>): void {
  const [batch, m, n] = sizes(params, 'batch', 'm', 'n');
  const full = params.full_matrices as boolean;
  const kk = Math.min(m, n);
  const qc = full ? m : kk;
  const src = ins[0] as Num;
  const [qOut, rOut] = outs as Num[];
  for (let b = 0; b < batch; b++) {
    const r = load(src, b * m * n, m * n);
    const vs: Float64Array[] = [];
    const taus: number[] = [];
    for (let j = 0; j < kk; j++) {
      const alpha = r[j * n + j];
      let sigma = 0;
      for (let i = j + 1; i < m; i++) sigma += r[i * n + j] * r[i * n + j];
      const v = new Float64Array(m);
      if (sigma === 0) {
        // H = I (LAPACK's tau = 0); R keeps alpha's sign.
        vs.push(v);
        taus.push(0);
        continue;
      }
      const nrm = Math.hypot(alpha, Math.sqrt(sigma));
      const beta = alpha >= 0 ? -nrm : nrm;
      const tau = (beta - alpha) / beta;
      const scale = 1 / (alpha - beta);
      v[j] = 1;
      for (let i = j + 1; i < m; i++) v[i] = r[i * n + j] * scale;
      // r <- (I - tau v v^T) r on columns j..n-1.
      reflect(r, n, v, tau, j, m, j, n);
      r[j * n + j] = beta;
      for (let i = j + 1; i < m; i++) r[i * n + j] = 0;
      vs.push(v);
      taus.push(tau);
    }
    // Q = H_0 H_1 ... H_{k-1} applied to the first qc columns of the identity (orgqr).
    const q = new Float64Array(m * qc);
    for (let i = 0; i < Math.min(m, qc); i++) q[i * qc + i] = 1;
    for (let j = kk - 1; j >= 0; j--) {
      const tau = taus[j];
      if (tau === 0) continue;
      reflect(q, qc, vs[j], tau, j, m, 0, qc);
    }
    const rr = new Float64Array(qc * n);
    for (let i = 0; i < Math.min(qc, m); i++) for (let c = i; c < n; c++) rr[i * n + c] = r[i * n + c];
    store(qOut, b * m * qc, q);
    store(rOut, b * qc * n, rr);
  }
}

// ---- lu -------------------------------------------------------------------------------------------

function luKernel(ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>): void {
  const [batch, m, n] = sizes(params, 'batch', 'm', 'n');
  const k = Math.min(m, n);
  const src = ins[0] as Num;
  const [luOut, pivOut, permOut] = outs as [Num, Int32Array, Int32Array];
  for (let b = 0; b < batch; b++) {
    const a = load(src, b * m * n, m * n);
    const perm = Array.from({ length: m }, (_, i) => i);
    for (let j = 0; j < k; j++) {
      let p = j;
      let best = Math.abs(a[j * n + j]);
      for (let i = j + 1; i < m; i++) {
        const x = Math.abs(a[i * n + j]);
        if (x > best) {
          best = x;
          p = i;
        }
      }
      pivOut[b * k + j] = p;
      if (p !== j) {
        for (let c = 0; c < n; c++) {
          const t = a[j * n + c];
          a[j * n + c] = a[p * n + c];
          a[p * n + c] = t;
        }
        const t = perm[j];
        perm[j] = perm[p];
        perm[p] = t;
      }
      const d = a[j * n + j];
      if (d === 0) continue;
      for (let i = j + 1; i < m; i++) {
        const f = a[i * n + j] / d;
        a[i * n + j] = f;
        for (let c = j + 1; c < n; c++) a[i * n + c] -= f * a[j * n + c];
      }
    }
    store(luOut, b * m * n, a);
    for (let i = 0; i < m; i++) permOut[b * m + i] = perm[i];
  }
}

// ---- triangular_solve -----------------------------------------------------------------------------

/** Solve op(A) X = B in place on x (rows x cols, row-major), op(A) lower or upper triangular. */
function substitute(
  a: Float64Array,
  na: number,
  x: Float64Array,
  cols: number,
  lowerEff: boolean,
  trans: boolean,
  unit: boolean,
): void {
  const at = (i: number, j: number) => (trans ? a[j * na + i] : a[i * na + j]);
  const rows = na;
  const order = lowerEff
    ? Array.from({ length: rows }, (_, i) => i)
    : Array.from({ length: rows }, (_, i) => rows - 1 - i);
  for (const i of order) {
    const ks = lowerEff ? { lo: 0, hi: i } : { lo: i + 1, hi: rows };
    const d = unit ? 1 : at(i, i);
    for (let c = 0; c < cols; c++) {
      let s = x[i * cols + c];
      for (let kk = ks.lo; kk < ks.hi; kk++) s -= at(i, kk) * x[kk * cols + c];
      x[i * cols + c] = s / d;
    }
  }
}

function triangularSolveKernel(ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>): void {
  const [batch, m, n] = sizes(params, 'batch', 'm', 'n');
  const left = params.left_side as boolean;
  const lower = params.lower as boolean;
  const trans = params.transpose_a as boolean;
  const unit = params.unit_diagonal as boolean;
  const na = left ? m : n;
  const [aSrc, bSrc] = ins as Num[];
  const dst = outs[0] as Num;
  // op(A) is lower triangular when A is lower and not transposed, or upper and transposed.
  const lowerEff = lower !== trans;
  for (let b = 0; b < batch; b++) {
    const a = load(aSrc, b * na * na, na * na);
    const rhs = load(bSrc, b * m * n, m * n);
    if (left) {
      substitute(a, na, rhs, n, lowerEff, trans, unit);
      store(dst, b * m * n, rhs);
    } else {
      // X op(A) = B  <=>  op(A)^T X^T = B^T.
      const xt = new Float64Array(n * m);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) xt[j * m + i] = rhs[i * n + j];
      substitute(a, na, xt, m, !lowerEff, !trans, unit);
      const out = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = xt[j * m + i];
      store(dst, b * m * n, out);
    }
  }
}

const wrap =
  (f: (ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>) => void) =>
  (ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>, _infos: BufferInfo[]) =>
    f(ins, outs, params);

registerLibKernel('cholesky', wrap(choleskyKernel));
registerLibKernel('eigh', wrap(eighKernel));
registerLibKernel('svd', wrap(svdKernel));
registerLibKernel('qr', wrap(qrKernel));
registerLibKernel('lu', wrap(luKernel));
registerLibKernel('triangular_solve', wrap(triangularSolveKernel));
