/**
 * @file Dense linear algebra that the library kernels run on every device, written once as source
 * text in the syntax JavaScript and WGSL share (C-like loops, `+=`, `x++`), so that the CPU's
 * float64 kernels (backends/cpu/lib-linalg.ts, compiled with `new Function`) and WebGPU's float32
 * ones (backends/webgpu/lib-linalg.ts) run the same algorithm. A `Dialect` names what differs: the
 * declaration keywords, literals and the math functions; each caller gives its precision's
 * tolerances. Cholesky is the Cholesky-Banachiewicz order (row by row). The one-sided Jacobi sweep
 * is Hestenes' (Demmel and Veselić, "Jacobi's method is more accurate than QR", 1992): rotate
 * column pairs of W until every pair is orthogonal; W's column norms are then the singular values.
 * The two-sided one is the classical cyclic Jacobi eigenvalue method (Golub and Van Loan, 8.5):
 * rotate a symmetric A until it is diagonal.
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
  sqrt(x: string): string;
  abs(x: string): string;
  /** The sign of x, 1 at zero. */
  signOrOne(x: string): string;
}

export interface Cholesky {
  /** The order of A and L. */
  readonly n: string;
  /** Element (i, j) of A (read) and of L (written; lower triangle, the rest left as it is). */
  a(i: string, j: string): string;
  l(i: string, j: string): string;
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

function indent(lines: string[], n: number): string[] {
  const pad = '  '.repeat(n);
  return lines.map((l) => pad + l);
}

/**
 * The loop over k < count that rotates the pairs (x_p, x_q) at places `p` and `q` (expressions in
 * k) by the (c, s) in scope: x_p = c x_p - s x_q, x_q = s x_p + c x_q. `a` and `b` name the old values.
 */
function rotateLines(
  d: Dialect,
  k: string,
  count: string,
  [a, b]: [string, string],
  p: string,
  q: string,
): string[] {
  return [
    `for (${d.mut} ${k} = 0; ${k} < ${count}; ${k}++) {`,
    `  ${d.imm} ${a} = ${p};`,
    `  ${d.imm} ${b} = ${q};`,
    `  ${p} = c * ${a} - s * ${b};`,
    `  ${q} = s * ${a} + c * ${b};`,
    '}',
  ];
}

export interface OneSided {
  /** Rows of W, columns of W (and the order of V), as expressions. */
  readonly m: string;
  readonly n: string;
  /** Element (i, j) of W (m x n) and of V (n x n), row-major or not. */
  w(i: string, j: string): string;
  v(i: string, j: string): string;
  /** When a column pair counts as orthogonal already (given alpha, beta = their squared norms and
   * gamma = their dot product, |gamma| <= this): the target precision's tolerance. */
  readonly negligible: string;
}

/**
 * At most 100 one-sided Jacobi sweeps over W, accumulating the rotations in V (which starts as the
 * identity); a sweep that rotates nothing ends them. Each rotation makes columns p and q of W
 * orthogonal with |t| <= 1 (the smaller angle).
 */
export function oneSidedJacobi(d: Dialect, o: OneSided): string[] {
  const { m, n, w, v } = o;
  const zero = d.lit(0);
  const one = d.lit(1);
  return [
    `for (${d.mut} sweep = 0; sweep < 100; sweep++) {`,
    `  ${d.mut} rotated = false;`,
    `  for (${d.mut} p = 0; p < ${n} - 1; p++) {`,
    `    for (${d.mut} q = p + 1; q < ${n}; q++) {`,
    `      ${d.mut} alpha = ${zero};`,
    `      ${d.mut} beta = ${zero};`,
    `      ${d.mut} gamma = ${zero};`,
    `      for (${d.mut} i = 0; i < ${m}; i++) {`,
    `        ${d.imm} up = ${w('i', 'p')};`,
    `        ${d.imm} uq = ${w('i', 'q')};`,
    '        alpha += up * up;',
    '        beta += uq * uq;',
    '        gamma += up * uq;',
    '      }',
    `      if (gamma ${d.eq} ${zero} || ${d.abs('gamma')} <= ${o.negligible}) { continue; }`,
    '      rotated = true;',
    `      ${d.imm} zeta = (beta - alpha) / (${d.lit(2)} * gamma);`,
    `      ${d.imm} t = ${d.signOrOne('zeta')} / (${d.abs('zeta')} + ${d.sqrt(`${one} + zeta * zeta`)});`,
    `      ${d.imm} c = ${one} / ${d.sqrt(`${one} + t * t`)};`,
    `      ${d.imm} s = c * t;`,
    ...indent(rotateLines(d, 'i', m, ['up', 'uq'], w('i', 'p'), w('i', 'q')), 3),
    ...indent(rotateLines(d, 'i', n, ['vp', 'vq'], v('i', 'p'), v('i', 'q')), 3),
    '    }',
    '  }',
    '  if (!rotated) { break; }',
    '}',
  ];
}

export interface TwoSided {
  /** The order of A and V. */
  readonly n: string;
  /** Element (i, j) of A (symmetric, overwritten) and of V (n x n, starting as the identity). */
  a(i: string, j: string): string;
  v(i: string, j: string): string;
  /** Sweeps stop when the squared off-diagonal mass is at most this times the diagonal's. */
  readonly offTolerance: string;
  /** When a[p][q] is left alone besides 0 (|apq| <= this, given app and aqq), or null. */
  readonly negligible: string | null;
}

/**
 * At most 100 cyclic Jacobi sweeps over the symmetric A, accumulating the rotations in V; each
 * rotation zeroes a[p][q] with |t| <= 1 for stability. A's diagonal ends as the eigenvalues.
 */
export function twoSidedJacobi(d: Dialect, o: TwoSided): string[] {
  const { n, a, v } = o;
  const zero = d.lit(0);
  const one = d.lit(1);
  const skip = `apq ${d.eq} ${zero}${o.negligible ? ` || ${d.abs('apq')} <= ${o.negligible}` : ''}`;
  const rotate = (names: [string, string], p: string, q: string) =>
    indent(rotateLines(d, 'r', n, names, p, q), 3);
  return [
    `for (${d.mut} sweep = 0; sweep < 100; sweep++) {`,
    `  ${d.mut} off = ${zero};`,
    `  ${d.mut} diag = ${zero};`,
    `  for (${d.mut} i = 0; i < ${n}; i++) {`,
    `    diag += ${a('i', 'i')} * ${a('i', 'i')};`,
    `    for (${d.mut} j = i + 1; j < ${n}; j++) { off += ${a('i', 'j')} * ${a('i', 'j')}; }`,
    '  }',
    `  if (off ${d.eq} ${zero} || off <= ${o.offTolerance} * diag) { break; }`,
    `  ${d.mut} rotated = false;`,
    `  for (${d.mut} p = 0; p < ${n} - 1; p++) {`,
    `    for (${d.mut} q = p + 1; q < ${n}; q++) {`,
    `      ${d.imm} apq = ${a('p', 'q')};`,
    `      ${d.imm} app = ${a('p', 'p')};`,
    `      ${d.imm} aqq = ${a('q', 'q')};`,
    `      if (${skip}) { continue; }`,
    '      rotated = true;',
    `      ${d.imm} theta = (aqq - app) / (${d.lit(2)} * apq);`,
    `      ${d.imm} t = ${d.signOrOne('theta')} / (${d.abs('theta')} + ${d.sqrt(`theta * theta + ${one}`)});`,
    `      ${d.imm} c = ${one} / ${d.sqrt(`t * t + ${one}`)};`,
    `      ${d.imm} s = t * c;`,
    ...rotate(['akp', 'akq'], a('r', 'p'), a('r', 'q')),
    ...rotate(['apk', 'aqk'], a('p', 'r'), a('q', 'r')),
    `      ${a('p', 'q')} = ${zero};`,
    `      ${a('q', 'p')} = ${zero};`,
    ...rotate(['vkp', 'vkq'], v('r', 'p'), v('r', 'q')),
    '    }',
    '  }',
    '  if (!rotated) { break; }',
    '}',
  ];
}
