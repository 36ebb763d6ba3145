/**
 * @file WGSL library kernels of the matrix decompositions (primitives/linalg.ts), the WebGPU
 * counterparts of backends/cpu/lib-linalg.ts with the same params, output layouts and algorithms:
 * cholesky (Cholesky-Banachiewicz, NaNs when not positive definite), eigh (cyclic Jacobi,
 * ascending), svd (one-sided Jacobi on the taller orientation, descending, basis completion by
 * Gram-Schmidt against unit vectors), qr (Householder with LAPACK's signs), lu (partial pivoting,
 * int32 pivots and permutation) and triangular_solve (substitution).
 *
 * One invocation handles one whole matrix of the batch: these matrices are small, and a serial
 * loop per matrix keeps the CPU's exact sequence of operations, so results agree to float32
 * rounding (the CPU computes in float64; here everything is f32, and the convergence thresholds
 * are float32's). Working copies live in kernel-local storage scratch, one slab per matrix.
 */

import type { BufferInfo, LibKernel } from '../../compile/kir.js';
import {
  cholesky as choleskySource,
  type Dialect,
  oneSidedJacobi,
  twoSidedJacobi,
} from '../../compile/linalg-source.js';
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
const WGSL: Dialect = {
  mut: 'var',
  imm: 'let',
  lit: (v) => `${v}.0f`,
  eq: '==',
  sqrt: (x) => `sqrt(${x})`,
  abs: (x) => `abs(${x})`,
  signOrOne: (x) => `select(-1.0f, 1.0f, ${x} >= 0.0f)`,
};

const PRELUDE = `fn lk_bits(u: u32) -> f32 { return bitcast<f32>(u); }
fn lk_nan() -> f32 { return lk_bits(0x7fc00000u); }
fn lk_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }`;

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
  extra = '',
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
    extra,
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
    a: (i, j) => `X[o + ${i} * N + ${j}]`,
    l: (i, j) => `L[o + ${i} * N + ${j}]`,
    notPositive: (s) => `!(${s} > 0.0f) || lk_isnan(${s})`,
  })
    .map((l) => `  ${l}`)
    .join('\n');
  const body = `
  let o = g * N * N;
  for (var i = 0; i < N * N; i++) { L[o + i] = 0.0f; }
${factor}
  if (!ok) { for (var i = 0; i < N * N; i++) { L[o + i] = lk_nan(); } }`;
  return render(
    name,
    num(k, 'batch'),
    [inB(k.ins[0], 'X'), outB(k.outs[0], 'L')],
    { N: num(k, 'n') },
    {},
    body,
  );
}

// ---- eigh -----------------------------------------------------------------------------------------

function eigh(k: LibKernel, name: string): RenderedLib {
  const n = num(k, 'n');
  // Rotations stop when the off-diagonal mass is at float32's rounding level, or when every
  // remaining a[p][q] is negligible against its diagonal pair (rounding noise can keep the
  // first test from ever holding in f32).
  const sweeps = twoSidedJacobi(WGSL, {
    n: 'N',
    a: (i, j) => `A[o + ${i} * N + ${j}]`,
    v: (i, j) => `V[o + ${i} * N + ${j}]`,
    offTolerance: '1e-14f',
    negligible: '1e-8f * sqrt(abs(app)) * sqrt(abs(aqq))',
  })
    .map((l) => `  ${l}`)
    .join('\n');
  const body = `
  let o = g * N * N;
  var nanIn = false;
  for (var i = 0; i < N; i++) {
    for (var j = 0; j < N; j++) {
      // syevd reads one triangle only.
      let useIJ = select(i <= j, i >= j, LOWER);
      let v = select(X[o + j * N + i], X[o + i * N + j], useIJ);
      if (lk_isnan(v)) { nanIn = true; }
      A[o + i * N + j] = v;
      V[o + i * N + j] = select(0.0f, 1.0f, i == j);
    }
  }
  if (nanIn) {
    for (var i = 0; i < N * N; i++) { VO[o + i] = lk_nan(); }
    for (var i = 0; i < N; i++) { WO[g * N + i] = lk_nan(); }
    return;
  }
${sweeps}
  // Ascending eigenvalues, ties by position (insertion sort: stable).
  let ob = g * N;
  for (var i = 0; i < N; i++) { ORD[ob + i] = i; }
  for (var j = 1; j < N; j++) {
    let key = ORD[ob + j];
    let wk = A[o + key * N + key];
    var i = j - 1;
    loop {
      if (i < 0) { break; }
      let oi = ORD[ob + i];
      if (!(A[o + oi * N + oi] > wk)) { break; }
      ORD[ob + i + 1] = oi;
      i--;
    }
    ORD[ob + i + 1] = key;
  }
  for (var j = 0; j < N; j++) {
    let src = ORD[ob + j];
    WO[ob + j] = A[o + src * N + src];
    for (var r = 0; r < N; r++) { VO[o + r * N + j] = V[o + r * N + src]; }
  }`;
  return render(
    name,
    num(k, 'batch'),
    [inB(k.ins[0], 'X'), outB(k.outs[0], 'VO'), outB(k.outs[1], 'WO'), scr('A'), scr('V'), scr('ORD', 'i32')],
    { N: n, LOWER: flag(k, 'lower') },
    { A: n * n, V: n * n, ORD: n },
    body,
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
  // Where the tall problem's results land: A = U S V^T, A^T = V S U^T.
  const wIn = tall ? 'X[ox + r * NC + c]' : 'X[ox + c * NC + r]';
  const extra = [
    `fn wIdx(ox: i32, r: i32, c: i32) -> f32 { return ${wIn}; }`,
    tall
      ? 'fn qIdx(g: i32, r: i32, c: i32) -> i32 { return g * MR * UCOLS + r * UCOLS + c; }'
      : 'fn qIdx(g: i32, r: i32, c: i32) -> i32 { return g * VROWS * NC + c * NC + r; }',
    'fn qGet(g: i32, r: i32, c: i32) -> f32 { return ' + (tall ? 'U' : 'VT') + '[qIdx(g, r, c)]; }',
    'fn qSet(g: i32, r: i32, c: i32, v: f32) { ' + (tall ? 'U' : 'VT') + '[qIdx(g, r, c)] = v; }',
  ].join('\n');
  // V of the tall problem, columns permuted: vo[i][j] = Vk[i][ord[j]].
  const vStore = tall
    ? 'VT[g * VROWS * NC + j * NC + i] = v;' // vt[j][i] = vo[i][j]
    : 'U[g * MR * UCOLS + i * UCOLS + j] = v;'; // u[i][j] = vo[i][j]
  const sweeps = oneSidedJacobi(WGSL, {
    m: 'M',
    n: 'NN',
    w: (i, j) => `W[ow + ${i} * NN + ${j}]`,
    v: (i, j) => `VK[ov + ${i} * NN + ${j}]`,
    // float32: a pair whose cosine is below its rounding counts as orthogonal.
    negligible: '2.4e-7f * sqrt(alpha) * sqrt(beta)',
  })
    .map((l) => `  ${l}`)
    .join('\n');
  const body = `
  let ow = g * M * NN;
  let ov = g * NN * NN;
  let oa = g * AUXW;
  // aux: norms [0, NN), order [NN, 2NN), have flags [2NN, 2NN + UC), x [2NN + UC, 2NN + UC + M).
  let NRM = oa;
  let ORD = oa + NN;
  let HAVE = oa + 2 * NN;
  let XV = oa + 2 * NN + UC;
  var nanIn = false;
  for (var i = 0; i < MR * NC; i++) { if (lk_isnan(X[g * MR * NC + i])) { nanIn = true; } }
  if (nanIn) {
    for (var i = 0; i < KK; i++) { S[g * KK + i] = lk_nan(); }
    for (var i = 0; i < MR * UCOLS; i++) { U[g * MR * UCOLS + i] = lk_nan(); }
    for (var i = 0; i < VROWS * NC; i++) { VT[g * VROWS * NC + i] = lk_nan(); }
    return;
  }
  for (var r = 0; r < M; r++) {
    for (var c = 0; c < NN; c++) { W[ow + r * NN + c] = wIdx(g * MR * NC, r, c); }
  }
  for (var r = 0; r < NN; r++) {
    for (var c = 0; c < NN; c++) { VK[ov + r * NN + c] = select(0.0f, 1.0f, r == c); }
  }
${sweeps}
  for (var j = 0; j < NN; j++) {
    var s = 0.0f;
    for (var i = 0; i < M; i++) { s += W[ow + i * NN + j] * W[ow + i * NN + j]; }
    AUX[NRM + j] = sqrt(s);
    AUX[ORD + j] = f32(j);
  }
  // Descending norms, ties by position (insertion sort: stable).
  for (var j = 1; j < NN; j++) {
    let key = AUX[ORD + j];
    let nk = AUX[NRM + i32(key)];
    var i = j - 1;
    loop {
      if (i < 0) { break; }
      let oi = AUX[ORD + i];
      if (!(AUX[NRM + i32(oi)] < nk)) { break; }
      AUX[ORD + i + 1] = oi;
      i--;
    }
    AUX[ORD + i + 1] = key;
  }
  for (var r = 0; r < M; r++) { for (var c = 0; c < UC; c++) { qSet(g, r, c, 0.0f); } }
  for (var c = 0; c < UC; c++) { AUX[HAVE + c] = 0.0f; }
  // Columns below float32's rounding of the largest are numerically zero: complete them instead.
  let tiny = AUX[NRM + i32(AUX[ORD])] * 1e-6f;
  for (var j = 0; j < NN; j++) {
    let src = i32(AUX[ORD + j]);
    let nr = AUX[NRM + src];
    S[g * KK + j] = nr;
    for (var i = 0; i < NN; i++) {
      let v = VK[ov + i * NN + src];
      ${vStore}
    }
    if (nr > tiny && nr > 0.0f) {
      for (var i = 0; i < M; i++) { qSet(g, i, j, W[ow + i * NN + src] / nr); }
      AUX[HAVE + j] = 1.0f;
    }
  }
  // Orthonormal completion against the unit vectors (Gram-Schmidt, twice for accuracy).
  var e = 0;
  for (var j = 0; j < UC; j++) {
    if (AUX[HAVE + j] != 0.0f) { continue; }
    loop {
      if (e >= M) { break; }
      for (var i = 0; i < M; i++) { AUX[XV + i] = select(0.0f, 1.0f, i == e); }
      for (var rep = 0; rep < 2; rep++) {
        for (var q = 0; q < UC; q++) {
          if (AUX[HAVE + q] == 0.0f) { continue; }
          var d = 0.0f;
          for (var i = 0; i < M; i++) { d += qGet(g, i, q) * AUX[XV + i]; }
          for (var i = 0; i < M; i++) { AUX[XV + i] -= d * qGet(g, i, q); }
        }
      }
      var nrm = 0.0f;
      for (var i = 0; i < M; i++) { nrm += AUX[XV + i] * AUX[XV + i]; }
      nrm = sqrt(nrm);
      e++;
      if (nrm > 1e-4f) {
        for (var i = 0; i < M; i++) { qSet(g, i, j, AUX[XV + i] / nrm); }
        AUX[HAVE + j] = 1.0f;
        break;
      }
    }
  }`;
  const auxw = 2 * NN + UC + M;
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
    ],
    { MR: m, NC: n, KK: kk, UCOLS: ucols, VROWS: vrows, M, NN, UC, AUXW: auxw },
    { W: M * NN, VK: NN * NN, AUX: auxw },
    body,
    extra,
  );
}

// ---- qr -------------------------------------------------------------------------------------------

function qr(k: LibKernel, name: string): RenderedLib {
  const m = num(k, 'm');
  const n = num(k, 'n');
  const kk = Math.min(m, n);
  const qc = flag(k, 'full_matrices') ? m : kk;
  const body = `
  let o = g * M * N;
  let ovs = g * KK * M;
  let ot = g * KK;
  for (var i = 0; i < M * N; i++) { R[o + i] = X[o + i]; }
  for (var j = 0; j < KK; j++) {
    let alpha = R[o + j * N + j];
    var sigma = 0.0f;
    for (var i = j + 1; i < M; i++) { sigma += R[o + i * N + j] * R[o + i * N + j]; }
    for (var i = 0; i < M; i++) { VS[ovs + j * M + i] = 0.0f; }
    if (sigma == 0.0f) {
      // H = I (LAPACK's tau = 0); R keeps alpha's sign.
      TAU[ot + j] = 0.0f;
      continue;
    }
    let nrm = sqrt(alpha * alpha + sigma);
    let beta = select(nrm, -nrm, alpha >= 0.0f);
    let tau = (beta - alpha) / beta;
    let scale = 1.0f / (alpha - beta);
    VS[ovs + j * M + j] = 1.0f;
    for (var i = j + 1; i < M; i++) { VS[ovs + j * M + i] = R[o + i * N + j] * scale; }
    for (var c = j; c < N; c++) {
      var d = 0.0f;
      for (var i = j; i < M; i++) { d += VS[ovs + j * M + i] * R[o + i * N + c]; }
      d *= tau;
      for (var i = j; i < M; i++) { R[o + i * N + c] -= d * VS[ovs + j * M + i]; }
    }
    R[o + j * N + j] = beta;
    for (var i = j + 1; i < M; i++) { R[o + i * N + j] = 0.0f; }
    TAU[ot + j] = tau;
  }
  // Q = H_0 ... H_{k-1} applied to the first QC columns of the identity (orgqr).
  let oq = g * M * QC;
  for (var i = 0; i < M; i++) {
    for (var c = 0; c < QC; c++) { Q[oq + i * QC + c] = select(0.0f, 1.0f, i == c); }
  }
  for (var j = KK - 1; j >= 0; j--) {
    let tau = TAU[ot + j];
    if (tau == 0.0f) { continue; }
    for (var c = 0; c < QC; c++) {
      var d = 0.0f;
      for (var i = j; i < M; i++) { d += VS[ovs + j * M + i] * Q[oq + i * QC + c]; }
      d *= tau;
      for (var i = j; i < M; i++) { Q[oq + i * QC + c] -= d * VS[ovs + j * M + i]; }
    }
  }
  let orr = g * QC * N;
  for (var i = 0; i < QC; i++) {
    for (var c = 0; c < N; c++) {
      RO[orr + i * N + c] = select(0.0f, R[o + i * N + c], i < M && c >= i);
    }
  }`;
  return render(
    name,
    num(k, 'batch'),
    [inB(k.ins[0], 'X'), outB(k.outs[0], 'Q'), outB(k.outs[1], 'RO'), scr('R'), scr('VS'), scr('TAU')],
    { M: m, N: n, KK: kk, QC: qc },
    { R: m * n, VS: kk * m, TAU: kk },
    body,
  );
}

// ---- lu -------------------------------------------------------------------------------------------

function lu(k: LibKernel, name: string): RenderedLib {
  const m = num(k, 'm');
  const n = num(k, 'n');
  const body = `
  let o = g * M * N;
  for (var i = 0; i < M * N; i++) { A[o + i] = X[o + i]; }
  for (var i = 0; i < M; i++) { PERM[g * M + i] = i; }
  for (var j = 0; j < KK; j++) {
    var p = j;
    var best = abs(A[o + j * N + j]);
    for (var i = j + 1; i < M; i++) {
      let x = abs(A[o + i * N + j]);
      if (x > best) { best = x; p = i; }
    }
    PIV[g * KK + j] = p;
    if (p != j) {
      for (var c = 0; c < N; c++) {
        let t = A[o + j * N + c];
        A[o + j * N + c] = A[o + p * N + c];
        A[o + p * N + c] = t;
      }
      let t = PERM[g * M + j];
      PERM[g * M + j] = PERM[g * M + p];
      PERM[g * M + p] = t;
    }
    let d = A[o + j * N + j];
    if (d == 0.0f) { continue; }
    for (var i = j + 1; i < M; i++) {
      let f = A[o + i * N + j] / d;
      A[o + i * N + j] = f;
      for (var c = j + 1; c < N; c++) { A[o + i * N + c] -= f * A[o + j * N + c]; }
    }
  }`;
  return render(
    name,
    num(k, 'batch'),
    [inB(k.ins[0], 'X'), outB(k.outs[0], 'A'), outB(k.outs[1], 'PIV', 'i32'), outB(k.outs[2], 'PERM', 'i32')],
    { M: m, N: n, KK: Math.min(m, n) },
    {},
    body,
  );
}

// ---- triangular_solve -----------------------------------------------------------------------------

function triangularSolve(k: LibKernel, name: string): RenderedLib {
  const m = num(k, 'm');
  const n = num(k, 'n');
  const left = flag(k, 'left_side');
  const trans = flag(k, 'transpose_a');
  // op(A) is lower triangular when A is lower and not transposed, or upper and transposed. The
  // right-side problem X op(A) = B is solved as op(A)^T X^T = B^T, reading X transposed in place.
  const lowerEff = flag(k, 'lower') !== trans;
  const na = left ? m : n;
  const extra = [
    `fn at(oa: i32, i: i32, j: i32) -> f32 { return ${(left ? trans : !trans) ? 'A[oa + j * NA + i]' : 'A[oa + i * NA + j]'}; }`,
    `fn xi(ox: i32, r: i32, c: i32) -> i32 { return ${left ? 'ox + r * N + c' : 'ox + c * N + r'}; }`,
  ].join('\n');
  const body = `
  let oa = g * NA * NA;
  let ox = g * M * N;
  for (var i = 0; i < M * N; i++) { XO[ox + i] = B[ox + i]; }
  for (var t = 0; t < NA; t++) {
    let i = select(NA - 1 - t, t, LOWER);
    let d = select(at(oa, i, i), 1.0f, UNIT);
    let lo = select(i + 1, 0, LOWER);
    let hi = select(NA, i, LOWER);
    for (var c = 0; c < COLS; c++) {
      var s = XO[xi(ox, i, c)];
      for (var q = lo; q < hi; q++) { s -= at(oa, i, q) * XO[xi(ox, q, c)]; }
      XO[xi(ox, i, c)] = s / d;
    }
  }`;
  return render(
    name,
    num(k, 'batch'),
    [inB(k.ins[0], 'A'), inB(k.ins[1], 'B'), outB(k.outs[0], 'XO')],
    {
      M: m,
      N: n,
      NA: na,
      COLS: left ? n : m,
      LOWER: left ? lowerEff : !lowerEff,
      UNIT: flag(k, 'unit_diagonal'),
    },
    {},
    body,
    extra,
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
