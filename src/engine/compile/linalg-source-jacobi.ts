/**
 * @file The spectral decompositions that the library kernels run on every device, written once
 * in compile/linalg-source.ts's shared JavaScript/WGSL syntax: `eigh` and the tall problem of
 * `svd`, each from its input to its outputs (NaN input, the Jacobi sweeps, the ordering and, for
 * the SVD, the completion of the singular vectors). The callers give the precision's tolerances.
 *
 * The one-sided Jacobi sweep is Hestenes' (Demmel and Veselić, "Jacobi's method is more accurate
 * than QR", 1992): rotate column pairs of W until every pair is orthogonal; W's column norms are
 * then the singular values, its normalised columns the left singular vectors. The two-sided one
 * is the classical cyclic Jacobi eigenvalue method (Golub and Van Loan, 8.5): rotate a symmetric A
 * until it is diagonal. Both are robust and accurate for the small matrices this engine meets.
 *
 * Where the two backends' copies differed, the ordering is WebGPU's stable insertion sort (the CPU
 * took Array.sort by value, then position: the same order for every key but NaN, which only
 * infinite input makes), and the cutoff for zero singular values is the largest value times the
 * precision's `tiny` (the CPU's `|| 0` mattered only for an empty matrix, where no column is
 * read, and for a NaN norm, which again only infinite input makes).
 */

import {
  type At1,
  type At2,
  type Dialect,
  forLine,
  identityLines,
  indent,
  sortLines,
} from './linalg-source.js';

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

interface OneSided {
  /** Rows of W, columns of W (and the order of V), as expressions. */
  readonly m: string;
  readonly n: string;
  /** Element (i, j) of W (m x n) and of V (n x n). */
  w: At2;
  v: At2;
  /** When a column pair counts as orthogonal already (given alpha, beta = their squared norms and
   * gamma = their dot product, |gamma| <= this): the target precision's tolerance. */
  readonly negligible: string;
}

/**
 * At most 100 one-sided Jacobi sweeps over W, accumulating the rotations in V (which starts as the
 * identity); a sweep that rotates nothing ends them. Each rotation makes columns p and q of W
 * orthogonal with |t| <= 1 (the smaller angle).
 */
function oneSidedJacobi(d: Dialect, o: OneSided): string[] {
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

interface TwoSided {
  /** The order of A and V. */
  readonly n: string;
  /** Element (i, j) of A (symmetric, overwritten) and of V (n x n, starting as the identity). */
  a: At2;
  v: At2;
  /** Sweeps stop when the squared off-diagonal mass is at most this times the diagonal's. */
  readonly offTolerance: string;
  /** When a[p][q] is left alone besides 0 (|apq| <= this, given app and aqq), or null. */
  readonly negligible: string | null;
}

/**
 * At most 100 cyclic Jacobi sweeps over the symmetric A, accumulating the rotations in V; each
 * rotation zeroes a[p][q] with |t| <= 1 for stability. A's diagonal ends as the eigenvalues.
 */
function twoSidedJacobi(d: Dialect, o: TwoSided): string[] {
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

/** Where `nanIn` holds: NaN in every element of the outputs (vectors of n, matrices rows x cols), and return. */
function nanExit(d: Dialect, vectors: [string, At1][], matrices: [string, string, At2][]): string[] {
  return [
    'if (nanIn) {',
    ...vectors.map(([n, x]) => `  ${forLine(d, 'i', '0', n, `${x('i')} = ${d.nan};`)}`),
    ...matrices.map(
      ([r, c, x]) => `  ${forLine(d, 'i', '0', r, forLine(d, 'j', '0', c, `${x('i', 'j')} = ${d.nan};`))}`,
    ),
    '  return;',
    '}',
  ];
}

export interface Eigh extends Omit<TwoSided, 'a' | 'v'> {
  /** Whether the lower triangle is read (a boolean expression); syevd reads one triangle only. */
  readonly lower: string;
  /** Element (i, j) of the input (read), of the working A and V (n x n), and of the outputs. */
  x: At2;
  a: At2;
  v: At2;
  /** Scratch: the order of the eigenvalues (n integers). */
  ord: At1;
  /** The eigenvalues (n, ascending) and the eigenvectors (columns of n x n). */
  w: At1;
  vo: At2;
}

/**
 * The symmetric eigendecomposition: NaNs everywhere for NaN input (returning early), else the
 * cyclic sweeps and the eigenvalues ascending, ties by position.
 */
export function eigh(d: Dialect, o: Eigh): string[] {
  const { n, x, a, v, ord } = o;
  return [
    `${d.mut} nanIn = false;`,
    `for (${d.mut} i = 0; i < ${n}; i++) {`,
    `  for (${d.mut} j = 0; j < ${n}; j++) {`,
    `    ${d.imm} aij = ${d.select(d.select(o.lower, 'i >= j', 'i <= j'), x('i', 'j'), x('j', 'i'))};`,
    `    if (${d.isNan('aij')}) { nanIn = true; }`,
    `    ${a('i', 'j')} = aij;`,
    '  }',
    '}',
    ...nanExit(d, [[n, o.w]], [[n, n, o.vo]]),
    ...identityLines(d, n, n, v),
    ...twoSidedJacobi(d, o),
    ...sortLines(d, n, ord, (i) => a(i, i), false),
    `for (${d.mut} j = 0; j < ${n}; j++) {`,
    `  ${d.imm} src = ${ord('j')};`,
    `  ${o.w('j')} = ${a('src', 'src')};`,
    `  ${forLine(d, 'r', '0', n, `${o.vo('r', 'j')} = ${v('r', 'src')};`)}`,
    '}',
  ];
}

export interface SvdTall extends Omit<OneSided, 'v'> {
  /** Columns of U (n reduced, m complete). */
  readonly uc: string;
  /** Element (i, j) of the right rotations V (n x n); W (m x n) holds the matrix on entry. */
  v: At2;
  /** Scratch: W's column norms (n), their order (n integers), which columns of U are set
   * (uc flags, 0 or 1) and a vector of m. */
  norm: At1;
  ord: At1;
  have: At1;
  x: At1;
  /** The outputs: singular values (n, descending), U (m x uc), V's columns permuted alike (n x n). */
  s: At1;
  u: At2;
  vo: At2;
  /** Singular values at most this times the largest count as zero: their U columns are completed. */
  readonly tiny: string;
  /** A unit vector whose projection off U's columns is shorter than this is in their span. */
  readonly independent: string;
}

/**
 * The SVD of a tall W (m >= n): NaNs everywhere for NaN input (returning early), else the
 * one-sided sweeps, the singular values descending (ties by position), and U's columns for the
 * zero singular values and the complete matrix filled by Gram-Schmidt (twice, for accuracy)
 * against the unit vectors in order, skipping those (nearly) in the span.
 */
export function svdTall(d: Dialect, o: SvdTall): string[] {
  const { m, n, uc, w, v, norm, ord, have, x, u } = o;
  const zero = d.lit(0);
  const one = d.lit(1);
  return [
    `${d.mut} nanIn = false;`,
    forLine(d, 'i', '0', m, forLine(d, 'j', '0', n, `if (${d.isNan(w('i', 'j'))}) { nanIn = true; }`)),
    ...nanExit(
      d,
      [[n, o.s]],
      [
        [m, uc, u],
        [n, n, o.vo],
      ],
    ),
    ...identityLines(d, n, n, v),
    ...oneSidedJacobi(d, o),
    `for (${d.mut} j = 0; j < ${n}; j++) {`,
    `  ${d.mut} ss = ${zero};`,
    `  ${forLine(d, 'i', '0', m, `ss += ${w('i', 'j')} * ${w('i', 'j')};`)}`,
    `  ${norm('j')} = ${d.sqrt('ss')};`,
    '}',
    ...sortLines(d, n, ord, norm, true),
    forLine(d, 'i', '0', m, forLine(d, 'c', '0', uc, `${u('i', 'c')} = ${zero};`)),
    forLine(d, 'c', '0', uc, `${have('c')} = ${zero};`),
    `${d.imm} tiny = ${norm(ord('0'))} * ${o.tiny};`,
    `for (${d.mut} j = 0; j < ${n}; j++) {`,
    `  ${d.imm} src = ${ord('j')};`,
    `  ${d.imm} nr = ${norm('src')};`,
    `  ${o.s('j')} = nr;`,
    `  ${forLine(d, 'i', '0', n, `${o.vo('i', 'j')} = ${v('i', 'src')};`)}`,
    `  if (nr > tiny && nr > ${zero}) {`,
    `    ${forLine(d, 'i', '0', m, `${u('i', 'j')} = ${w('i', 'src')} / nr;`)}`,
    `    ${have('j')} = ${one};`,
    '  }',
    '}',
    `${d.mut} e = 0;`,
    `for (${d.mut} j = 0; j < ${uc}; j++) {`,
    `  if (${have('j')} ${d.ne} ${zero}) { continue; }`,
    `  while (e < ${m}) {`,
    `    ${forLine(d, 'i', '0', m, `${x('i')} = ${d.select(`i ${d.eq} e`, one, zero)};`)}`,
    `    for (${d.mut} rep = 0; rep < 2; rep++) {`,
    `      for (${d.mut} k = 0; k < ${uc}; k++) {`,
    `        if (${have('k')} ${d.eq} ${zero}) { continue; }`,
    `        ${d.mut} dot = ${zero};`,
    `        ${forLine(d, 'i', '0', m, `dot += ${u('i', 'k')} * ${x('i')};`)}`,
    `        ${forLine(d, 'i', '0', m, `${x('i')} -= dot * ${u('i', 'k')};`)}`,
    '      }',
    '    }',
    `    ${d.mut} nrm = ${zero};`,
    `    ${forLine(d, 'i', '0', m, `nrm += ${x('i')} * ${x('i')};`)}`,
    `    nrm = ${d.sqrt('nrm')};`,
    '    e++;',
    `    if (nrm > ${o.independent}) {`,
    `      ${forLine(d, 'i', '0', m, `${u('i', 'j')} = ${x('i')} / nrm;`)}`,
    `      ${have('j')} = ${one};`,
    '      break;',
    '    }',
    '  }',
    '}',
  ];
}
