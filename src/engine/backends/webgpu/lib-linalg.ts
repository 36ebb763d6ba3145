/**
 * @file WGSL library kernels of the matrix decompositions (primitives/linalg.ts), the WebGPU
 * counterparts of backends/cpu/lib-linalg.ts with the same params, output layouts and algorithms:
 * cholesky (Cholesky-Banachiewicz, NaNs when not positive definite), eigh (cyclic Jacobi,
 * ascending), svd (one-sided Jacobi on the taller orientation, descending, basis completion by
 * Gram-Schmidt against unit vectors), qr (Householder with LAPACK's signs), lu (partial pivoting,
 * int32 pivots and permutation) and triangular_solve (substitution).
 *
 * The algorithms are compile/linalg-source.ts's and compile/linalg-source-jacobi.ts's, rendered
 * here as WGSL (backends/cpu/lib-linalg.ts renders the same source as JavaScript). One invocation
 * handles one whole matrix of the batch: these matrices are small, and a serial loop per matrix
 * keeps the CPU's exact sequence of operations, so results agree to float32 rounding (the CPU
 * computes in float64; here everything is f32, and the convergence thresholds are float32's).
 * Working copies live in kernel-local storage scratch, one slab per matrix.
 */

import type { BufferInfo, LibKernel } from '../../compile/kir.js';
import {
  cholesky as choleskySource,
  type Dialect,
  lu as luSource,
  qr as qrSource,
  solveLayout,
  triangularSolve as solveSource,
} from '../../compile/linalg-source.js';
import { eigh as eighSource, svdTall } from '../../compile/linalg-source-jacobi.js';
import { flatId, groupsFor, type RenderedLib, WG } from './wgsl.js';
import { checkDtype } from './wgsl-dtype.js';

interface Bind {
  /** A buffer id, or the name of a kernel-local scratch buffer. */
  ref: number | string;
  name: string;
  type: 'f32' | 'i32';
  write: boolean;
}

/** WGSL's way of writing compile/linalg-source.ts's algorithms, in float32. */
export const WGSL: Dialect = {
  mut: 'var',
  imm: 'let',
  lit: (v) => `${v}.0f`,
  eq: '==',
  ne: '!=',
  select: (c, t, f) => `select(${f}, ${t}, ${c})`,
  sqrt: (x) => `sqrt(${x})`,
  abs: (x) => `abs(${x})`,
  hypot: (x, y) => `lk_hypot(${x}, ${y})`,
  signOrOne: (x) => `select(-1.0f, 1.0f, ${x} >= 0.0f)`,
  isNan: (x) => `lk_isnan(${x})`,
  nan: 'lk_nan()',
};

/** Row-major element (i, j) of array `x`, `cols` columns, from offset `o`. */
const rm =
  (x: string, o: string, cols: string) =>
  (i: string, j: string): string =>
    `${x}[${o} + ${i} * ${cols} + ${j}]`;
const vec =
  (x: string, o: string) =>
  (i: string): string =>
    `${x}[${o} + ${i}]`;
const body = (lines: string[]) => lines.map((l) => `  ${l}`).join('\n');

const PRELUDE = `fn lk_bits(u: u32) -> f32 { return bitcast<f32>(u); }
fn lk_nan() -> f32 { return lk_bits(0x7fc00000u); }
fn lk_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn lk_hypot(x: f32, y: f32) -> f32 {
  let hi = max(abs(x), abs(y));
  // The squares neither overflow nor underflow here: the plain formula, one rounding fewer.
  if (hi < 1.0e18f && hi > 1.0e-18f) { return sqrt(x * x + y * y); }
  if (hi == 0.0f || (bitcast<u32>(hi) & 0x7fffffffu) >= 0x7f800000u) { return hi; }
  let r = min(abs(x), abs(y)) / hi;
  return hi * sqrt(1.0f + r * r);
}`;

const ENTRY = '@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>';

/**
 * One pass over `batch` matrices, one invocation each (`g` is the matrix index in `body`).
 * `consts` become module-scope WGSL constants; `scratch` is in f32/i32 words per matrix.
 */
function render(
  name: string,
  batch: number,
  binds: Bind[],
  consts: Record<string, number | boolean>,
  scratch: Record<string, number>,
  body: string,
): RenderedLib {
  if (batch === 0) return { passes: [], scratch: {} };
  const groups = groupsFor(batch, WG);
  const gid = flatId(groups, WG, 'g');
  const code = [
    ...binds.map(
      (b, i) =>
        `@group(0) @binding(${i}) var<storage, ${b.write ? 'read_write' : 'read'}> ${b.name}: array<${b.type}>;`,
    ),
    ...Object.entries(consts).map(([k, v]) =>
      typeof v === 'boolean' ? `const ${k}: bool = ${v};` : `const ${k}: i32 = ${v}i;`,
    ),
    PRELUDE,
    `@compute @workgroup_size(${WG})`,
    `fn main(${ENTRY}) {`,
    `  ${gid}`,
    `  if (g >= ${batch}i) { return; }`,
    body,
    '}',
  ]
    .filter((l) => l !== '')
    .join('\n');
  const bytes: Record<string, number> = {};
  for (const [s, words] of Object.entries(scratch)) bytes[s] = 4 * Math.max(1, words * batch);
  return { passes: [{ name, code, bindings: binds.map((b) => b.ref), groups }], scratch: bytes };
}

function checkFloat32(k: LibKernel, infos: BufferInfo[]): void {
  for (const b of [...k.ins, ...k.outs]) checkDtype(infos[b].dtype);
  const dt = infos[k.ins[0]].dtype;
  if (dt.name !== 'float32') throw new TypeError(`webgpu ${k.op}: unsupported dtype ${dt.name}`);
}

/** Empty matrices: nothing to do when every output is empty too; else refuse clearly. */
function emptyCase(k: LibKernel, infos: BufferInfo[]): RenderedLib | null {
  if (k.ins.every((b) => infos[b].size > 0) && k.outs.every((b) => infos[b].size > 0)) return null;
  if (k.outs.every((b) => infos[b].size === 0)) return { passes: [], scratch: {} };
  throw new Error(`the webgpu backend does not run ${k.op} on empty matrices; run this on the cpu`);
}

const num = (k: LibKernel, p: string) => k.params[p] as number;
const flag = (k: LibKernel, p: string) => Boolean(k.params[p]);
const inB = (ref: number, name: string): Bind => ({ ref, name, type: 'f32', write: false });
const outB = (ref: number, name: string, type: 'f32' | 'i32' = 'f32'): Bind => ({
  ref,
  name,
  type,
  write: true,
});
const scr = (ref: string, type: 'f32' | 'i32' = 'f32'): Bind => ({ ref, name: ref, type, write: true });

// ---- cholesky -------------------------------------------------------------------------------------

function cholesky(k: LibKernel, name: string): RenderedLib {
  const factor = choleskySource(WGSL, {
    n: 'N',
    a: rm('X', 'o', 'N'),
    l: rm('L', 'o', 'N'),
    notPositive: (s) => `!(${s} > 0.0f) || lk_isnan(${s})`,
  });
  const code = body([
    'let o = g * N * N;',
    'for (var i = 0; i < N * N; i++) { L[o + i] = 0.0f; }',
    ...factor,
    'if (!ok) { for (var i = 0; i < N * N; i++) { L[o + i] = lk_nan(); } }',
  ]);
  return render(
    name,
    num(k, 'batch'),
    [inB(k.ins[0], 'X'), outB(k.outs[0], 'L')],
    { N: num(k, 'n') },
    {},
    code,
  );
}

// ---- eigh -----------------------------------------------------------------------------------------

function eigh(k: LibKernel, name: string): RenderedLib {
  const n = num(k, 'n');
  const code = body([
    'let o = g * N * N;',
    'let ob = g * N;',
    ...eighSource(WGSL, {
      n: 'N',
      lower: 'LOWER',
      x: rm('X', 'o', 'N'),
      a: rm('A', 'o', 'N'),
      v: rm('V', 'o', 'N'),
      ord: vec('ORD', 'ob'),
      w: vec('WO', 'ob'),
      vo: rm('VO', 'o', 'N'),
      // Rotations stop when the off-diagonal mass is at float32's rounding level, or when every
      // remaining a[p][q] is negligible against its diagonal pair (rounding noise can keep the
      // first test from ever holding in f32).
      offTolerance: '1e-14f',
      negligible: '1e-8f * sqrt(abs(app)) * sqrt(abs(aqq))',
    }),
  ]);
  return render(
    name,
    num(k, 'batch'),
    [inB(k.ins[0], 'X'), outB(k.outs[0], 'VO'), outB(k.outs[1], 'WO'), scr('A'), scr('V'), scr('ORD', 'i32')],
    { N: n, LOWER: flag(k, 'lower') },
    { A: n * n, V: n * n, ORD: n },
    code,
  );
}

// ---- svd ------------------------------------------------------------------------------------------

function svd(k: LibKernel, name: string): RenderedLib {
  const m = num(k, 'm');
  const n = num(k, 'n');
  const full = flag(k, 'full_matrices');
  const kk = Math.min(m, n);
  const ucols = full ? m : kk;
  const vrows = full ? n : kk;
  const tall = m >= n;
  // The tall problem: W (M x NN) = A or A^T; its left vectors (M x UC) and right vectors (NN x NN).
  const M = tall ? m : n;
  const NN = tall ? n : m;
  const UC = tall ? ucols : vrows;
  // Where the tall problem's results land (A = U S V^T, A^T = V S U^T): its U is U or V^T
  // transposed, its V^T's transpose V or U.
  const ou = 'g * MR * UCOLS';
  const ovt = 'g * VROWS * NC';
  const u = tall ? rm('U', ou, 'UCOLS') : (i: string, j: string) => `VT[${ovt} + ${j} * NC + ${i}]`;
  const vo = tall ? (i: string, j: string) => `VT[${ovt} + ${j} * NC + ${i}]` : rm('U', ou, 'UCOLS');
  const code = body([
    'let ow = g * M * NN;',
    'let ov = g * NN * NN;',
    'let oa = g * AUXW;',
    'let oo = g * NN;',
    'for (var r = 0; r < M; r++) {',
    `  for (var c = 0; c < NN; c++) { W[ow + r * NN + c] = ${tall ? 'X[g * MR * NC + r * NC + c]' : 'X[g * MR * NC + c * NC + r]'}; }`,
    '}',
    ...svdTall(WGSL, {
      m: 'M',
      n: 'NN',
      uc: 'UC',
      w: rm('W', 'ow', 'NN'),
      v: rm('VK', 'ov', 'NN'),
      norm: vec('AUX', 'oa'),
      ord: vec('ORD', 'oo'),
      have: vec('AUX', 'oa + NN'),
      x: vec('AUX', 'oa + NN + UC'),
      s: vec('S', 'g * KK'),
      u,
      vo,
      // float32: a pair whose cosine is below its rounding counts as orthogonal; columns below
      // float32's rounding of the largest are numerically zero (completed instead).
      negligible: '2.4e-7f * sqrt(alpha) * sqrt(beta)',
      tiny: '1e-6f',
      independent: '1e-4f',
    }),
  ]);
  // aux: norms [0, NN), have flags [NN, NN + UC), x [NN + UC, NN + UC + M).
  const auxw = NN + UC + M;
  return render(
    name,
    num(k, 'batch'),
    [
      inB(k.ins[0], 'X'),
      outB(k.outs[0], 'S'),
      outB(k.outs[1], 'U'),
      outB(k.outs[2], 'VT'),
      scr('W'),
      scr('VK'),
      scr('AUX'),
      scr('ORD', 'i32'),
    ],
    { MR: m, NC: n, KK: kk, UCOLS: ucols, VROWS: vrows, M, NN, UC, AUXW: auxw },
    { W: M * NN, VK: NN * NN, AUX: auxw, ORD: NN },
    code,
  );
}

// ---- qr -------------------------------------------------------------------------------------------

function qr(k: LibKernel, name: string): RenderedLib {
  const m = num(k, 'm');
  const n = num(k, 'n');
  const kk = Math.min(m, n);
  const qc = flag(k, 'full_matrices') ? m : kk;
  const code = body([
    'let o = g * M * N;',
    'let ovs = g * KK * M;',
    'let ot = g * KK;',
    'for (var i = 0; i < M * N; i++) { R[o + i] = X[o + i]; }',
    ...qrSource(WGSL, {
      m: 'M',
      n: 'N',
      k: 'KK',
      qc: 'QC',
      r: rm('R', 'o', 'N'),
      v: rm('VS', 'ovs', 'M'),
      tau: vec('TAU', 'ot'),
      q: rm('Q', 'g * M * QC', 'QC'),
      ro: rm('RO', 'g * QC * N', 'N'),
    }),
  ]);
  return render(
    name,
    num(k, 'batch'),
    [inB(k.ins[0], 'X'), outB(k.outs[0], 'Q'), outB(k.outs[1], 'RO'), scr('R'), scr('VS'), scr('TAU')],
    { M: m, N: n, KK: kk, QC: qc },
    { R: m * n, VS: kk * m, TAU: kk },
    code,
  );
}

// ---- lu -------------------------------------------------------------------------------------------

function lu(k: LibKernel, name: string): RenderedLib {
  const [m, n] = [num(k, 'm'), num(k, 'n')];
  const factor = luSource(WGSL, {
    m: 'M',
    n: 'N',
    k: 'KK',
    a: rm('A', 'o', 'N'),
    piv: vec('PIV', 'op'),
    perm: vec('PERM', 'oq'),
  });
  const code = [
    'let o = g * M * N;',
    'let op = g * KK;',
    'let oq = g * M;',
    'for (var i = 0; i < M * N; i++) { A[o + i] = X[o + i]; }',
  ];
  return render(
    name,
    num(k, 'batch'),
    [inB(k.ins[0], 'X'), outB(k.outs[0], 'A'), outB(k.outs[1], 'PIV', 'i32'), outB(k.outs[2], 'PERM', 'i32')],
    { M: m, N: n, KK: Math.min(m, n) },
    {},
    body([...code, ...factor]),
  );
}

// ---- triangular_solve -----------------------------------------------------------------------------

function triangularSolve(k: LibKernel, name: string): RenderedLib {
  const [m, n] = [num(k, 'm'), num(k, 'n')];
  const lay = solveLayout(m, n, flag(k, 'left_side'), flag(k, 'lower'), flag(k, 'transpose_a'));
  const code = body([
    'let oa = g * NA * NA;',
    'let ox = g * M * N;',
    'for (var i = 0; i < M * N; i++) { XO[ox + i] = B[ox + i]; }',
    ...solveSource(WGSL, {
      na: 'NA',
      cols: 'COLS',
      lower: 'LOWER',
      unit: 'UNIT',
      a: (i, j) => `A[oa + ${i} * ${lay.a[0]} + ${j} * ${lay.a[1]}]`,
      x: (i, j) => `XO[ox + ${i} * ${lay.x[0]} + ${j} * ${lay.x[1]}]`,
    }),
  ]);
  return render(
    name,
    num(k, 'batch'),
    [inB(k.ins[0], 'A'), inB(k.ins[1], 'B'), outB(k.outs[0], 'XO')],
    { M: m, N: n, NA: lay.na, COLS: lay.cols, LOWER: lay.lower, UNIT: flag(k, 'unit_diagonal') },
    {},
    code,
  );
}

type LinalgKernel = (k: LibKernel, infos: BufferInfo[], name: string) => RenderedLib;

/** Every kernel here takes float32 matrices, and empty ones are settled before it renders. */
const guarded =
  (f: (k: LibKernel, name: string) => RenderedLib): LinalgKernel =>
  (k, infos, name) => {
    checkFloat32(k, infos);
    return emptyCase(k, infos) ?? f(k, name);
  };

export const wgslLinalgKernels: Record<string, LinalgKernel> = {
  cholesky: guarded(cholesky),
  eigh: guarded(eigh),
  svd: guarded(svd),
  qr: guarded(qr),
  lu: guarded(lu),
  triangular_solve: guarded(triangularSolve),
};
