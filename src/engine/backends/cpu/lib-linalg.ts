/**
 * @file CPU library kernels of the matrix decompositions (primitives/linalg.ts): cholesky, eigh,
 * svd, qr, lu and triangular_solve. The algorithms are compile/linalg-source.ts's and
 * compile/linalg-source-jacobi.ts's, rendered here as JavaScript and compiled once with
 * `new Function`; backends/webgpu/lib-linalg.ts renders the same source as WGSL. Every kernel
 * works on a stack of row-major matrices (the leading dims flattened into `batch`), copies each
 * matrix into a Float64Array, computes in float64 whatever the storage dtype (float32 results are
 * rounded once, when written back), and follows LAPACK's conventions where JAX's results depend
 * on them (the sources say which). What stays here is the glue: the batch loop, the copies (a
 * wide matrix's SVD is its transpose's), and cholesky's NaNs when a pivot is not positive (JAX's
 * CPU lowering checks potrf's info and fills with NaN). The generated code names
 * its arrays in upper case (the sources' locals are lower case).
 */

import type { BufferInfo } from '../../compile/kir.js';
import { cholesky, type Dialect, lu, qr, solveLayout, triangularSolve } from '../../compile/linalg-source.js';
import { eigh, svdTall } from '../../compile/linalg-source-jacobi.js';
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

/** JavaScript's way of writing the shared sources, in float64. */
export const JS: Dialect = {
  mut: 'let',
  imm: 'const',
  lit: String,
  eq: '===',
  ne: '!==',
  select: (c, t, f) => `(${c} ? ${t} : ${f})`,
  sqrt: (x) => `Math.sqrt(${x})`,
  abs: (x) => `Math.abs(${x})`,
  hypot: (x, y) => `Math.hypot(${x}, ${y})`,
  signOrOne: (x) => `Math.sign(${x} || 1)`,
  isNan: (x) => `Number.isNaN(${x})`,
  nan: 'NaN',
};

type F64 = Float64Array;

/** A shared source's lines as the JavaScript function F of `params`. */
const compile = <F>(params: string[], lines: string[]): F => new Function(...params, lines.join('\n')) as F;

/** Row-major element (i, j) of array `x` with `cols` columns. */
const rm =
  (x: string, cols: string) =>
  (i: string, j: string): string =>
    `${x}[${i} * ${cols} + ${j}]`;
const vec =
  (x: string) =>
  (i: string): string =>
    `${x}[${i}]`;

// ---- cholesky -------------------------------------------------------------------------------------

/** False where a pivot is not positive. */
const choleskyFactor = compile<(a: F64, l: F64, n: number) => boolean>(
  ['A', 'L', 'n'],
  [
    ...cholesky(JS, { n: 'n', a: rm('A', 'n'), l: rm('L', 'n'), notPositive: (s) => `!(${s} > 0)` }),
    'return ok;',
  ],
);

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

const eighOne = compile<
  (x: F64, a: F64, v: F64, ord: Int32Array, w: F64, vo: F64, n: number, lower: boolean) => void
>(
  ['X', 'A', 'V', 'ORD', 'W', 'VO', 'n', 'LOWER'],
  eigh(JS, {
    n: 'n',
    lower: 'LOWER',
    x: rm('X', 'n'),
    a: rm('A', 'n'),
    v: rm('V', 'n'),
    ord: vec('ORD'),
    w: vec('W'),
    vo: rm('VO', 'n'),
    offTolerance: '1e-36',
    negligible: null,
  }),
);

function eighKernel(ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>): void {
  const [batch, n] = sizes(params, 'batch', 'n');
  const src = ins[0] as Num;
  const [vOut, wOut] = outs as Num[];
  const a = new Float64Array(n * n);
  const v = new Float64Array(n * n);
  const ord = new Int32Array(n);
  const w = new Float64Array(n);
  const vo = new Float64Array(n * n);
  for (let b = 0; b < batch; b++) {
    eighOne(load(src, b * n * n, n * n), a, v, ord, w, vo, n, params.lower as boolean);
    store(vOut, b * n * n, vo);
    store(wOut, b * n, w);
  }
}

// ---- svd ------------------------------------------------------------------------------------------

/**
 * The tall problem, one rendering each for A tall (W = A) and wide (W = A^T: A = U S V^T is
 * A^T = V S U^T). Its U lands in U or, transposed, in V^T, its V in V^T transposed or in U; V^T
 * is the original's (vrows x n) and, where A is wide, the tall problem's m is the original's n.
 */
const svdOne = [true, false].map((tall) =>
  compile<
    (...a: [F64, F64, F64, Int32Array, F64, F64, F64, F64, F64, m: number, n: number, uc: number]) => void
  >(
    ['W', 'V', 'NORM', 'ORD', 'HAVE', 'XV', 'S', 'U', 'VT', 'm', 'n', 'uc'],
    svdTall(JS, {
      ...{ m: 'm', n: 'n', uc: 'uc', w: rm('W', 'n'), v: rm('V', 'n') },
      ...{ norm: vec('NORM'), ord: vec('ORD'), have: vec('HAVE'), x: vec('XV'), s: vec('S') },
      u: tall ? rm('U', 'uc') : (i, j) => `VT[${j} * m + ${i}]`,
      vo: tall ? (i, j) => `VT[${j} * n + ${i}]` : rm('U', 'n'),
      negligible: '1e-15 * Math.sqrt(alpha * beta)',
      tiny: '1e-13',
      independent: '1e-6',
    }),
  ),
);

function svdKernel(ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>): void {
  const [batch, m, n] = sizes(params, 'batch', 'm', 'n');
  const full = params.full_matrices as boolean;
  const k = Math.min(m, n);
  const ucols = full ? m : k;
  const vrows = full ? n : k;
  const tall = m >= n;
  // The tall problem: W (M x NN), its U (M x UC).
  const [M, NN, UC] = tall ? [m, n, ucols] : [n, m, vrows];
  const src = ins[0] as Num;
  const [sOut, uOut, vtOut] = outs as Num[];
  const w = new Float64Array(M * NN);
  const scratch = [new Float64Array(NN * NN), new Float64Array(NN), new Int32Array(NN)] as const;
  const [have, x] = [new Float64Array(UC), new Float64Array(M)];
  const [s, u, vt] = [new Float64Array(k), new Float64Array(m * ucols), new Float64Array(vrows * n)];
  for (let b = 0; b < batch; b++) {
    const a = load(src, b * m * n, m * n);
    if (tall) w.set(a);
    else for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[j * m + i] = a[i * n + j];
    svdOne[tall ? 0 : 1](w, ...scratch, have, x, s, u, vt, M, NN, UC);
    store(sOut, b * k, s);
    if (params.compute_uv as boolean) {
      store(uOut, b * m * ucols, u);
      store(vtOut, b * vrows * n, vt);
    }
  }
}

// ---- qr -------------------------------------------------------------------------------------------

const qrOne = compile<
  (r: F64, v: F64, tau: F64, q: F64, ro: F64, m: number, n: number, k: number, qc: number) => void
>(
  ['R', 'VS', 'TAUS', 'Q', 'RO', 'm', 'n', 'k', 'qc'],
  qr(JS, {
    m: 'm',
    n: 'n',
    k: 'k',
    qc: 'qc',
    r: rm('R', 'n'),
    v: rm('VS', 'm'),
    tau: vec('TAUS'),
    q: rm('Q', 'qc'),
    ro: rm('RO', 'n'),
  }),
);

function qrKernel(ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>): void {
  const [batch, m, n] = sizes(params, 'batch', 'm', 'n');
  const k = Math.min(m, n);
  const qc = (params.full_matrices as boolean) ? m : k;
  const src = ins[0] as Num;
  const [qOut, rOut] = outs as Num[];
  const vs = new Float64Array(k * m);
  const taus = new Float64Array(k);
  const q = new Float64Array(m * qc);
  const ro = new Float64Array(qc * n);
  for (let b = 0; b < batch; b++) {
    qrOne(load(src, b * m * n, m * n), vs, taus, q, ro, m, n, k, qc);
    store(qOut, b * m * qc, q);
    store(rOut, b * qc * n, ro);
  }
}

// ---- lu -------------------------------------------------------------------------------------------

const luOne = compile<(a: F64, piv: Int32Array, perm: Int32Array, m: number, n: number, k: number) => void>(
  ['A', 'PIV', 'PERM', 'm', 'n', 'k'],
  lu(JS, { m: 'm', n: 'n', k: 'k', a: rm('A', 'n'), piv: vec('PIV'), perm: vec('PERM') }),
);

function luKernel(ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>): void {
  const [batch, m, n] = sizes(params, 'batch', 'm', 'n');
  const k = Math.min(m, n);
  const src = ins[0] as Num;
  const [luOut, pivOut, permOut] = outs as [Num, Int32Array, Int32Array];
  for (let b = 0; b < batch; b++) {
    const a = load(src, b * m * n, m * n);
    luOne(a, pivOut.subarray(b * k, (b + 1) * k), permOut.subarray(b * m, (b + 1) * m), m, n, k);
    store(luOut, b * m * n, a);
  }
}

// ---- triangular_solve -----------------------------------------------------------------------------

/** op(A) and X read through strides (row, column), so transposes cost no copies. */
const solveOne = compile<
  (a: F64, x: F64, na: number, cols: number, lower: boolean, unit: boolean, ...strides: number[]) => void
>(
  ['A', 'X', 'na', 'cols', 'lower', 'unit', 'ar', 'ac', 'xr', 'xc'],
  triangularSolve(JS, {
    na: 'na',
    cols: 'cols',
    lower: 'lower',
    unit: 'unit',
    a: (i, j) => `A[${i} * ar + ${j} * ac]`,
    x: (i, j) => `X[${i} * xr + ${j} * xc]`,
  }),
);

function triangularSolveKernel(ins: TypedArray[], outs: TypedArray[], params: Record<string, unknown>): void {
  const [batch, m, n] = sizes(params, 'batch', 'm', 'n');
  const [left, trans, unit] = [params.left_side, params.transpose_a, params.unit_diagonal] as boolean[];
  const { na, cols, lower, a: as, x: xs } = solveLayout(m, n, left, params.lower as boolean, trans);
  const [aSrc, bSrc] = ins as Num[];
  const dst = outs[0] as Num;
  for (let b = 0; b < batch; b++) {
    const a = load(aSrc, b * na * na, na * na);
    const x = load(bSrc, b * m * n, m * n);
    solveOne(a, x, na, cols, lower, unit, as[0], as[1], xs[0], xs[1]);
    store(dst, b * m * n, x);
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
