/**
 * @file The decompositions' one source (compile/linalg-source.ts, compile/linalg-source-jacobi.ts):
 * every algorithm renders line for line alike in JavaScript and WGSL (only the dialect's tokens
 * differ, so no target has a step of its own), and the JavaScript rendering, run directly on small
 * float64 matrices, keeps the contracts the kernels rely on: getrf's first largest pivot, larfg's
 * signs and tau = 0 for a column that is already zero, the hypot reflector norm's range, a stable
 * sort, and the triangular solve's eight layouts. The kernels themselves are tested against JAX in
 * linalg-decomp.test.ts and against the CPU on WebGPU in webgpu/linalg.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { JS } from '../../src/engine/backends/cpu/lib-linalg.js';
import { WGSL } from '../../src/engine/backends/webgpu/lib-linalg.js';
import {
  type At1,
  type At2,
  cholesky,
  type Dialect,
  lu,
  qr,
  solveLayout,
  sortLines,
  triangularSolve,
} from '../../src/engine/compile/linalg-source.js';
import { eigh, svdTall } from '../../src/engine/compile/linalg-source-jacobi.js';

const rm =
  (x: string, cols: string): At2 =>
  (i, j) =>
    `${x}[${i} * ${cols} + ${j}]`;
const vec =
  (x: string): At1 =>
  (i) =>
    `${x}[${i}]`;

/** Every algorithm in dialect d, with the same accessors. */
const renderAll = (d: Dialect): Record<string, string[]> => ({
  cholesky: cholesky(d, { n: 'n', a: rm('A', 'n'), l: rm('L', 'n'), notPositive: (s) => `!(${s} > 0)` }),
  lu: lu(d, { m: 'm', n: 'n', k: 'k', a: rm('A', 'n'), piv: vec('PIV'), perm: vec('PERM') }),
  qr: qr(d, {
    ...{ m: 'm', n: 'n', k: 'k', qc: 'qc' },
    ...{ r: rm('R', 'n'), v: rm('VS', 'm'), tau: vec('TAU'), q: rm('Q', 'qc'), ro: rm('RO', 'n') },
  }),
  triangularSolve: triangularSolve(d, {
    ...{ na: 'na', cols: 'cols', lower: 'LOWER', unit: 'UNIT' },
    ...{ a: rm('A', 'na'), x: rm('X', 'cols') },
  }),
  eigh: eigh(d, {
    ...{ n: 'n', lower: 'LOWER', x: rm('X', 'n'), a: rm('A', 'n'), v: rm('V', 'n') },
    ...{ ord: vec('ORD'), w: vec('W'), vo: rm('VO', 'n'), offTolerance: 'TOL', negligible: 'NEG' },
  }),
  svdTall: svdTall(d, {
    ...{ m: 'm', n: 'n', uc: 'uc', w: rm('W', 'n'), v: rm('V', 'n'), norm: vec('NRM'), ord: vec('ORD') },
    ...{ have: vec('HAVE'), x: vec('XV'), s: vec('S'), u: rm('U', 'uc'), vo: rm('VO', 'n') },
    ...{ negligible: 'NEG', tiny: 'TINY', independent: 'IND' },
  }),
});

/**
 * A line's skeleton: its control keywords, assignments (not comparisons) and braces, which no
 * dialect changes.
 */
const skeleton = (line: string) =>
  (
    line.match(/\b(for|while|if|else|break|continue|return)\b|[{}]|(?<![=!<>])[-+*/]?=(?!=)|\+\+|--/g) ?? []
  ).join(' ');

describe('one source, two targets', () => {
  const js = renderAll(JS);
  const wgsl = renderAll(WGSL);
  for (const name of Object.keys(js)) {
    it(`${name} renders line for line alike in JavaScript and WGSL`, () => {
      expect(wgsl[name].length).toBe(js[name].length);
      expect(wgsl[name].map(skeleton)).toEqual(js[name].map(skeleton));
      // Each JavaScript rendering is valid JavaScript.
      expect(() => new Function(js[name].join('\n'))).not.toThrow();
    });
  }
});

type F64 = Float64Array;
const run = <F>(params: string[], lines: string[]): F => new Function(...params, lines.join('\n')) as F;

describe('the sources, run as JavaScript', () => {
  const luRun = run<(a: F64, piv: Int32Array, perm: Int32Array, m: number, n: number, k: number) => void>(
    ['A', 'PIV', 'PERM', 'm', 'n', 'k'],
    lu(JS, { m: 'm', n: 'n', k: 'k', a: rm('A', 'n'), piv: vec('PIV'), perm: vec('PERM') }),
  );

  it('lu pivots on the first largest |entry| and skips a zero column', () => {
    // Column 0: |-2| ties with |2|, the first one wins; column 1 is zero below the pivot.
    const a = Float64Array.from([1, 0, 1, -2, 0, 3, 2, 0, 5]);
    const piv = new Int32Array(3);
    const perm = new Int32Array(3);
    luRun(a, piv, perm, 3, 3, 3);
    expect(Array.from(piv)).toEqual([1, 1, 2]);
    expect(Array.from(perm)).toEqual([1, 0, 2]);
    // L's multipliers (1/-2, 2/-2) and U = [[-2, 0, 3], [0, 0, 2.5], [0, 0, 6]].
    expect(Array.from(a)).toEqual([-2, 0, 3, -0.5, 0, 2.5, -1, 0, 8]);
  });

  const qrRun = run<
    (r: F64, v: F64, tau: F64, q: F64, ro: F64, m: number, n: number, k: number, qc: number) => void
  >(
    ['R', 'VS', 'TAU', 'Q', 'RO', 'm', 'n', 'k', 'qc'],
    qr(JS, {
      ...{ m: 'm', n: 'n', k: 'k', qc: 'qc' },
      ...{ r: rm('R', 'n'), v: rm('VS', 'm'), tau: vec('TAU'), q: rm('Q', 'qc'), ro: rm('RO', 'n') },
    }),
  );
  const qrOf = (a: number[], m: number, n: number) => {
    const k = Math.min(m, n);
    const out = { tau: new Float64Array(k), q: new Float64Array(m * m), r: new Float64Array(m * n) };
    qrRun(Float64Array.from(a), new Float64Array(k * m), out.tau, out.q, out.r, m, n, k, m);
    return out;
  };

  it("qr: larfg's signs, and tau = 0 for a column already zero below the diagonal", () => {
    // Column 0 is (-3, 0, 0): no reflection, R keeps alpha's sign. Column 1 from the diagonal down
    // is (3, 4): beta = -5, tau = 1.6, v = (1, 0.5), so H = [[-0.6, -0.8], [-0.8, 0.6]].
    const { tau, q, r } = qrOf([-3, 1, 0, 3, 0, 4], 3, 2);
    expect(Array.from(tau)).toEqual([0, 1.6]);
    const near = (got: F64, want: number[]) => {
      for (const [i, w] of want.entries()) expect(got[i]).toBeCloseTo(w, 14);
    };
    near(r, [-3, 1, 0, -5, 0, 0]);
    near(q, [1, 0, 0, 0, -0.6, -0.8, 0, -0.8, 0.6]);
  });

  it('qr: the reflector norm is a hypot, finite where alpha^2 overflows', () => {
    // sqrt(alpha^2 + sigma) would be Infinity here, and R's column NaN.
    const { r, q } = qrOf([3e200, 1, 4, 1], 2, 2);
    expect(r[0] / -3e200).toBeCloseTo(1, 14);
    expect([...r, ...q].every(Number.isFinite)).toBe(true);
  });

  const sortRun = (desc: boolean) =>
    run<(ord: Int32Array, key: F64, n: number) => void>(
      ['ORD', 'KEY', 'n'],
      sortLines(JS, 'n', vec('ORD'), (i) => `KEY[${i}]`, desc),
    );

  it('the sort is stable both ways, as Array.sort by (key, position) is', () => {
    const key = Float64Array.from([2, -1, 2, 0, -1, 5, 2]);
    for (const desc of [false, true]) {
      const ord = new Int32Array(key.length);
      sortRun(desc)(ord, key, key.length);
      const want = Array.from(key.keys()).sort((x, y) => (desc ? key[y] - key[x] : key[x] - key[y]) || x - y);
      expect(Array.from(ord)).toEqual(want);
    }
  });

  it('the triangular solve reads op(A) and X through solveLayout for all eight layouts', () => {
    const solve = run<
      (a: F64, x: F64, na: number, cols: number, lower: boolean, unit: boolean, ...s: number[]) => void
    >(
      ['A', 'X', 'na', 'cols', 'lower', 'unit', 'ar', 'ac', 'xr', 'xc'],
      triangularSolve(JS, {
        ...{ na: 'na', cols: 'cols', lower: 'lower', unit: 'unit' },
        ...{ a: (i, j) => `A[${i} * ar + ${j} * ac]`, x: (i, j) => `X[${i} * xr + ${j} * xc]` },
      }),
    );
    const A = [4, 1, 2, 3, 5, 1, 2, 7, 6]; // both triangles non-zero: the other one must be ignored
    const at = (i: number, j: number) => A[i * 3 + j];
    const [m, n] = [3, 2];
    for (const left of [true, false]) {
      for (const lower of [true, false]) {
        for (const trans of [true, false]) {
          // op(A): A's `lower` triangle, transposed when `trans`.
          const tri = (i: number, j: number) => ((lower ? i >= j : i <= j) ? at(i, j) : 0);
          const op = (i: number, j: number) => (trans ? tri(j, i) : tri(i, j));
          const [bm, bn] = left ? [3, n] : [m, 3];
          const b = Array.from({ length: bm * bn }, (_, i) => i - 2.5);
          const lay = solveLayout(bm, bn, left, lower, trans);
          const x = Float64Array.from(b);
          solve(Float64Array.from(A), x, lay.na, lay.cols, lay.lower, false, ...lay.a, ...lay.x);
          // op(A) X = B on the left, X op(A) = B on the right.
          for (let i = 0; i < bm; i++) {
            for (let j = 0; j < bn; j++) {
              let s = 0;
              for (let q = 0; q < 3; q++) s += left ? op(i, q) * x[q * bn + j] : x[i * bn + q] * op(q, j);
              expect(s, `left=${left} lower=${lower} trans=${trans} (${i}, ${j})`).toBeCloseTo(
                b[i * bn + j],
                12,
              );
            }
          }
        }
      }
    }
  });
});
