/**
 * @file Dense linear algebra that the library kernels run on every device, written once as source
 * text in the syntax JavaScript and WGSL share (C-like loops, `+=`, `x++`, `while`), so that the
 * CPU's float64 kernels (backends/cpu/lib-linalg.ts, compiled with `new Function`) and WebGPU's
 * float32 ones (backends/webgpu/lib-linalg.ts) run the same algorithm, operation for operation. A
 * `Dialect` names what differs: the declaration keywords, literals, `select` and the math
 * functions; each caller gives its precision's tolerances and how its arrays are indexed (each
 * matrix element is an accessor expression, so one source serves row-major, transposed and
 * offset-into-a-batch storage alike; an accessor's arguments may be sums, so it parenthesises
 * them; the generated locals are lower case, so the callers name their arrays in upper case).
 * This file holds the shared pieces and the factorizations; compile/linalg-source-jacobi.ts
 * holds eigh and svd.
 *
 * - Cholesky is the Cholesky-Banachiewicz order (row by row).
 * - LU is LAPACK's getf2: partial pivoting on the first largest |pivot|, a zero pivot skips the
 *   elimination of its column (getrf reports it in info; JAX returns the factors as they are).
 * - QR is LAPACK's geqr2/org2r: Householder reflections with larfg's sign choice
 *   (beta = -sign(alpha) * norm), so R's diagonal has geqrf's signs and Q is orgqr's. The norm is
 *   hypot(alpha, ||x||), as larfg's dlapy2 takes it: the two backends differed here (the CPU took
 *   Math.hypot, WebGPU sqrt(alpha^2 + sigma), which overflows float32 for |alpha| > 1.8e19 with a
 *   small column below it); the hypot form is kept for both, so the CPU's results are unchanged
 *   and WebGPU's gain the range.
 * - The triangular solve is trsm's substitution, forward for a lower op(A) and backward for an
 *   upper one; the right-side problem X op(A) = B is solved as op(A)^T X^T = B^T by the caller's
 *   accessors (transposed reads, no copies).
 */

/** How a target writes what JavaScript and WGSL write differently. */
export interface Dialect {
  /** Declares a loop counter or a mutable local. */
  readonly mut: string;
  /** Declares an immutable local. */
  readonly imm: string;
  /** The float literal of an integer. */
  lit(v: number): string;
  readonly eq: string;
  readonly ne: string;
  /** t where cond holds, else f (both may be evaluated). */
  select(cond: string, t: string, f: string): string;
  sqrt(x: string): string;
  abs(x: string): string;
  /** sqrt(x^2 + y^2) without overflow in the squares. */
  hypot(x: string, y: string): string;
  /** The sign of x, 1 at zero. */
  signOrOne(x: string): string;
  isNan(x: string): string;
  /** A quiet NaN. */
  readonly nan: string;
}

/** An element of a matrix (i, j) or a vector (i), as an expression the caller's storage reads. */
export type At2 = (i: string, j: string) => string;
export type At1 = (i: string) => string;

export function indent(lines: string[], n: number): string[] {
  const pad = '  '.repeat(n);
  return lines.map((l) => pad + l);
}

/** `for (mut v = from; v < to; v++) { body }` on one line. */
export function forLine(d: Dialect, v: string, from: string, to: string, body: string): string {
  return `for (${d.mut} ${v} = ${from}; ${v} < ${to}; ${v}++) { ${body} }`;
}

/** Sets x (rows x cols) to the identity's first cols columns. */
export function identityLines(d: Dialect, rows: string, cols: string, x: At2): string[] {
  return [
    `for (${d.mut} i = 0; i < ${rows}; i++) {`,
    `  ${forLine(d, 'c', '0', cols, `${x('i', 'c')} = ${d.select(`i ${d.eq} c`, d.lit(1), d.lit(0))};`)}`,
    '}',
  ];
}

/**
 * A stable insertion sort of the positions 0..n-1 into `ord` by `key(position)`, ascending or
 * descending: equal keys keep their order, as the CPU's Array.sort by (key, position) did. (A NaN
 * key stops an insertion where it meets it.)
 */
export function sortLines(d: Dialect, n: string, ord: At1, key: At1, descending: boolean): string[] {
  return [
    forLine(d, 'i', '0', n, `${ord('i')} = i;`),
    `for (${d.mut} j = 1; j < ${n}; j++) {`,
    `  ${d.imm} moved = ${ord('j')};`,
    `  ${d.imm} km = ${key('moved')};`,
    `  ${d.mut} i = j - 1;`,
    '  while (i >= 0) {',
    `    ${d.imm} oi = ${ord('i')};`,
    `    if (!(${key('oi')} ${descending ? '<' : '>'} km)) { break; }`,
    `    ${ord('(i + 1)')} = oi;`,
    '    i--;',
    '  }',
    `  ${ord('(i + 1)')} = moved;`,
    '}',
  ];
}

export interface Cholesky {
  /** The order of A and L. */
  readonly n: string;
  /** Element (i, j) of A (read) and of L (written; lower triangle, the rest left as it is). */
  a: At2;
  l: At2;
  /** The test that a pivot s is not positive (NaN included). */
  notPositive(s: string): string;
}

/**
 * L with A = L L^T for a symmetric positive definite A, row by row; `ok` (declared here) ends
 * false, part of L written, where a pivot is not positive.
 */
export function cholesky(d: Dialect, o: Cholesky): string[] {
  const { n, a, l } = o;
  return [
    `${d.mut} ok = true;`,
    `for (${d.mut} i = 0; i < ${n} && ok; i++) {`,
    `  for (${d.mut} j = 0; j <= i; j++) {`,
    `    ${d.mut} s = ${a('i', 'j')};`,
    `    for (${d.mut} q = 0; q < j; q++) { s -= ${l('i', 'q')} * ${l('j', 'q')}; }`,
    `    if (i ${d.eq} j) {`,
    `      if (${o.notPositive('s')}) { ok = false; break; }`,
    `      ${l('i', 'i')} = ${d.sqrt('s')};`,
    '    } else {',
    `      ${l('i', 'j')} = s / ${l('j', 'j')};`,
    '    }',
    '  }',
    '}',
  ];
}

export interface Lu {
  /** Rows and columns of A, and min(m, n). */
  readonly m: string;
  readonly n: string;
  readonly k: string;
  /** Element (i, j) of A, factored in place into L (unit, below the diagonal) and U. */
  a: At2;
  /** The row swapped with row j (k of them) and the permutation of the rows (m): integers. */
  piv: At1;
  perm: At1;
}

/** P A = L U by getf2's partial pivoting, column by column (right-looking). */
export function lu(d: Dialect, o: Lu): string[] {
  const { m, n, k, a, piv, perm } = o;
  return [
    forLine(d, 'i', '0', m, `${perm('i')} = i;`),
    `for (${d.mut} j = 0; j < ${k}; j++) {`,
    `  ${d.mut} p = j;`,
    `  ${d.mut} best = ${d.abs(a('j', 'j'))};`,
    `  for (${d.mut} i = j + 1; i < ${m}; i++) {`,
    `    ${d.imm} x = ${d.abs(a('i', 'j'))};`,
    '    if (x > best) { best = x; p = i; }',
    '  }',
    `  ${piv('j')} = p;`,
    `  if (p ${d.ne} j) {`,
    `    for (${d.mut} c = 0; c < ${n}; c++) {`,
    `      ${d.imm} t = ${a('j', 'c')};`,
    `      ${a('j', 'c')} = ${a('p', 'c')};`,
    `      ${a('p', 'c')} = t;`,
    '    }',
    `    ${d.imm} t = ${perm('j')};`,
    `    ${perm('j')} = ${perm('p')};`,
    `    ${perm('p')} = t;`,
    '  }',
    `  ${d.imm} pivot = ${a('j', 'j')};`,
    `  if (pivot ${d.eq} ${d.lit(0)}) { continue; }`,
    `  for (${d.mut} i = j + 1; i < ${m}; i++) {`,
    `    ${d.imm} f = ${a('i', 'j')} / pivot;`,
    `    ${a('i', 'j')} = f;`,
    `    ${forLine(d, 'c', 'j + 1', n, `${a('i', 'c')} -= f * ${a('j', 'c')};`)}`,
    '  }',
    '}',
  ];
}

export interface TriangularSolve {
  /** The order of op(A), and the columns of X. */
  readonly na: string;
  readonly cols: string;
  /** Whether op(A) is lower triangular, and whether its diagonal is taken as ones (boolean expressions). */
  readonly lower: string;
  readonly unit: string;
  /** Element (i, j) of op(A) (only its triangle is read) and of X (B on entry, overwritten). */
  a: At2;
  x: At2;
}

/** Where triangular_solve's kernels read op(A) (na x na) and X (m x n), row-major, as strides. */
export interface SolveLayout {
  readonly na: number;
  /** Columns of the system solved (n on the left, m on the right). */
  readonly cols: number;
  /** Whether the system solved is lower triangular. */
  readonly lower: boolean;
  /** Element (i, j) of the system's matrix is A[i * a[0] + j * a[1]], of its X X[i * x[0] + j * x[1]]. */
  readonly a: readonly [number, number];
  readonly x: readonly [number, number];
}

/**
 * op(A) is lower triangular when A is lower and not transposed, or upper and transposed. The
 * right-side problem X op(A) = B is solved as op(A)^T X^T = B^T: A and X read transposed.
 */
export function solveLayout(
  m: number,
  n: number,
  left: boolean,
  lower: boolean,
  trans: boolean,
): SolveLayout {
  const na = left ? m : n;
  const lowerOp = lower !== trans;
  const readT = left ? trans : !trans;
  return {
    na,
    cols: left ? n : m,
    lower: left ? lowerOp : !lowerOp,
    a: readT ? [1, na] : [na, 1],
    x: left ? [n, 1] : [1, n],
  };
}

/** op(A) X = B by substitution, row by row from the triangle's apex. */
export function triangularSolve(d: Dialect, o: TriangularSolve): string[] {
  const { na, lower, a, x } = o;
  return [
    `for (${d.mut} t = 0; t < ${na}; t++) {`,
    `  ${d.imm} i = ${d.select(lower, 't', `${na} - 1 - t`)};`,
    `  ${d.imm} diag = ${d.select(o.unit, d.lit(1), a('i', 'i'))};`,
    `  ${d.imm} lo = ${d.select(lower, '0', 'i + 1')};`,
    `  ${d.imm} hi = ${d.select(lower, 'i', na)};`,
    `  for (${d.mut} c = 0; c < ${o.cols}; c++) {`,
    `    ${d.mut} s = ${x('i', 'c')};`,
    `    ${forLine(d, 'q', 'lo', 'hi', `s -= ${a('i', 'q')} * ${x('q', 'c')};`)}`,
    `    ${x('i', 'c')} = s / diag;`,
    '  }',
    '}',
  ];
}

/**
 * x <- (I - tau v v^T) x on columns c0..c1-1 of x, where v is zero above row j (a Householder
 * reflection, as larf applies it); `tau` and `j` are in scope.
 */
function reflectLines(d: Dialect, m: string, x: At2, v: At1, c0: string, c1: string): string[] {
  return [
    `for (${d.mut} c = ${c0}; c < ${c1}; c++) {`,
    `  ${d.mut} dot = ${d.lit(0)};`,
    `  ${forLine(d, 'i', 'j', m, `dot += ${v('i')} * ${x('i', 'c')};`)}`,
    '  dot *= tau;',
    `  ${forLine(d, 'i', 'j', m, `${x('i', 'c')} -= dot * ${v('i')};`)}`,
    '}',
  ];
}

export interface Qr {
  /** Rows and columns of A, min(m, n), and Q's columns (m complete, k reduced). */
  readonly m: string;
  readonly n: string;
  readonly k: string;
  readonly qc: string;
  /** Element (i, j) of the working R (m x n, holding A on entry). */
  r: At2;
  /** Scratch: reflector j's vector (element i of m), and its tau. */
  v(j: string, i: string): string;
  tau: At1;
  /** The outputs: Q (m x qc) and R's first qc rows (qc x n, zero below the diagonal). */
  q: At2;
  ro: At2;
}

/** A = Q R by Householder reflections (geqr2), then Q from them (org2r), as LAPACK forms them. */
export function qr(d: Dialect, o: Qr): string[] {
  const { m, n, r, q, tau } = o;
  const zero = d.lit(0);
  const one = d.lit(1);
  const v = (j: string) => (i: string) => o.v(j, i);
  return [
    `for (${d.mut} j = 0; j < ${o.k}; j++) {`,
    `  ${d.imm} alpha = ${r('j', 'j')};`,
    `  ${d.mut} sigma = ${zero};`,
    `  ${forLine(d, 'i', 'j + 1', m, `sigma += ${r('i', 'j')} * ${r('i', 'j')};`)}`,
    `  ${forLine(d, 'i', '0', m, `${o.v('j', 'i')} = ${zero};`)}`,
    `  if (sigma ${d.eq} ${zero}) {`,
    "    // H = I (larfg's tau = 0); R keeps alpha's sign.",
    `    ${tau('j')} = ${zero};`,
    '    continue;',
    '  }',
    `  ${d.imm} nrm = ${d.hypot('alpha', d.sqrt('sigma'))};`,
    `  ${d.imm} beta = ${d.select(`alpha >= ${zero}`, '-nrm', 'nrm')};`,
    `  ${d.imm} tau = (beta - alpha) / beta;`,
    `  ${d.imm} scale = ${one} / (alpha - beta);`,
    `  ${o.v('j', 'j')} = ${one};`,
    `  ${forLine(d, 'i', 'j + 1', m, `${o.v('j', 'i')} = ${r('i', 'j')} * scale;`)}`,
    ...indent(reflectLines(d, m, r, v('j'), 'j', n), 1),
    `  ${r('j', 'j')} = beta;`,
    `  ${forLine(d, 'i', 'j + 1', m, `${r('i', 'j')} = ${zero};`)}`,
    `  ${tau('j')} = tau;`,
    '}',
    // Q = H_0 H_1 ... H_{k-1} applied to the first qc columns of the identity.
    ...identityLines(d, m, o.qc, q),
    `for (${d.mut} j = ${o.k} - 1; j >= 0; j--) {`,
    `  ${d.imm} tau = ${tau('j')};`,
    `  if (tau ${d.eq} ${zero}) { continue; }`,
    ...indent(reflectLines(d, m, q, v('j'), '0', o.qc), 1),
    '}',
    `for (${d.mut} i = 0; i < ${o.qc}; i++) {`,
    `  ${forLine(d, 'c', '0', n, `${o.ro('i', 'c')} = ${d.select(`i < ${m} && c >= i`, r('i', 'c'), zero)};`)}`,
    '}',
  ];
}
