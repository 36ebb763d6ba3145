/**
 * @file tjax's own AVX-512 GEMM (native/blas/src/gemm512.c), which the native tier runs for large
 * float products where the CPU has AVX-512. Its contract is exact: every element of C is one chain
 * of fused multiply-adds over k = 0, 1, ... from +0 in the dtype's precision, whatever the blocking,
 * the tiles tjax cuts C into, the thread count and the operands' layouts. So float32 results are
 * checked bit for bit against that chain computed here (fma32: the exact product and sum, rounded
 * once to float32), and float64 results against exact sums of small integers and, bit for bit,
 * across layouts and thread counts. The cases: sizes 1 to 1025 with edge tiles in every direction,
 * transposed, strided, offset and broadcast operands, C in any layout, batches, zero sizes, NaN and
 * infinities, 1 and 2 threads (tjax's, and the addon's own up to 4), the switch between it and OpenBLAS, and what `tjax devices` says.
 * On a CPU without AVX-512 the addon must refuse the mode and say why (checked instead).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { gemmTier, nativeBlas, setCpuBlas, setCpuGemm } from '../../src/engine/backends/cpu/blas.js';
import { cpuGemmStatus, gemm } from '../../src/engine/backends/cpu/gemm.js';
import type { GemmOperand } from '../../src/engine/backends/cpu/gemm-operand.js';
import { setCpuThreads } from '../../src/engine/backends/cpu/threads.js';
import { type Dt, laidOut } from './gemm-layout.js';

afterEach(() => {
  setCpuBlas(null);
  setCpuGemm(null);
  setCpuThreads(null);
});

const addon = nativeBlas();
const avx512 = addon?.info().avx512 === true;

type Dims = [number, number, number];

/** fma(a, b, c) in float32 for float32 a, b, c: a*b is exact in float64; the sum is made exact
 * with TwoSum and rounded once (a float64 sum rounded again to float32 can miss by a tie). */
function fma32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  if (!Number.isFinite(s)) return Math.fround(s);
  const z = s - p;
  const lo = p - (s - z) + (c - z);
  const r = Math.fround(s);
  if (lo === 0 || r === s) return r;
  // s lies between two float32 values: only a tie (s exactly halfway) can round the wrong way.
  const other = 2 * s - r;
  if (other === r || Math.fround(other) !== other) return r;
  return lo > 0 === other > r ? other : r;
}

/** Values in [-1, 1) with 24 significant bits (xorshift32), so float32 and float64 alike. */
function values(n: number, seed: number, ints = false): number[] {
  let s = seed | 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const v = (s >>> 0) / 2 ** 32;
    out.push(ints ? Math.floor(v * 17) - 8 : Math.fround(v * 2 - 1));
  }
  return out;
}

const lay = (dt: Dt, dims: Dims, strides: Dims, offset: number, vals: number[]) =>
  laidOut(dt, dims, strides, offset, vals, true);

const get = (x: GemmOperand, b: number, i: number, j: number) =>
  x.data[x.offset + b * x.strides[0] + i * x.strides[1] + j * x.strides[2]];

/** C's elements, row-major, read through its layout. */
function read(c: GemmOperand, [batch, m, n]: Dims): number[] {
  const out: number[] = [];
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out.push(get(c, b, i, j));
  return out;
}

/** Layouts of a (batch, rows, cols) operand: row-major, column-major, padded/strided, offset. */
function layouts(batch: number, r: number, c: number): [Dims, number][] {
  const all: [Dims, number][] = [
    [[r * c, c, 1], 0],
    [[r * c, 1, r], 3],
    [[2 * r * (c + 1) + 1, 2 * (c + 1), 2], 5],
  ];
  return all.map(([s, o]) => [batch === 1 ? [0, s[1], s[2]] : s, o]);
}

/** The float32 chain for every element: C[b, i, j] = fma32 over k in order from +0. */
function chain(a: number[], b: number[], [batch, m, n, k]: number[]): number[] {
  const out: number[] = [];
  for (let bi = 0; bi < batch; bi++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let q = 0; q < k; q++) acc = fma32(a[(bi * m + i) * k + q], b[(bi * k + q) * n + j], acc);
        out.push(acc);
      }
  return out;
}

/** Runs C = A B with A, B and C in the given layouts and returns C row-major. */
function run(
  dt: Dt,
  [batch, m, n, k]: number[],
  av: number[],
  bv: number[],
  [al, bl, cl]: [Dims, number][],
): number[] {
  const a = lay(dt, [batch, m, k], al[0], al[1], av);
  const b = lay(dt, [batch, k, n], bl[0], bl[1], bv);
  const c = lay(dt, [batch, m, n], cl[0], cl[1], values(batch * m * n, 99));
  gemm(dt, batch, m, n, k, a, b, c);
  return read(c, [batch, m, n]);
}

const same = (x: number[], y: number[]) =>
  x.length === y.length && x.every((v, i) => Object.is(v, y[i]) || (Number.isNaN(v) && Number.isNaN(y[i])));

/** The first element where `got` differs from `want` in bits, or '' when none does. */
function firstDiff(got: number[], want: number[]): string {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  for (let i = 0; i < got.length; i++)
    if (!(Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i]))))
      return `element ${i}: ${got[i]}, expected ${want[i]}`;
  return '';
}

describe.runIf(avx512)('own AVX-512 GEMM (this CPU has AVX-512)', () => {
  const own = () => {
    setCpuBlas(true);
    setCpuGemm('all');
  };

  it('is what the native tier runs for large products, and TJAX_CPU_GEMM=openblas switches it off', () => {
    setCpuBlas(true);
    expect(gemmTier()).toMatchObject({ tier: 'native', gemm: 'avx512', gemmReason: 'the CPU has AVX-512' });
    expect(cpuGemmStatus().summary).toMatch(
      /^native: tjax's AVX-512 GEMM for large products, OpenBLAS [\d.]+ for the rest \(core \S+/,
    );
    setCpuGemm('openblas');
    expect(gemmTier()).toMatchObject({ gemm: 'openblas', gemmReason: 'switched in-process' });
    expect(cpuGemmStatus().summary).toMatch(
      /^native BLAS: OpenBLAS .*\(tjax's AVX-512 GEMM off: switched in-process\)$/,
    );
    expect(addon!.info().gemm).toBe('openblas');
    setCpuGemm(null);
    expect(addon!.info().gemm).toBe(process.env.TJAX_CPU_GEMM === 'openblas' ? 'openblas' : 'auto');
  });

  it('float32: every element is the chain of float32 FMAs over k, bit for bit, sizes 1 to 1025', () => {
    own();
    const shapes: number[][] = [
      [1, 1, 1, 1],
      [1, 7, 33, 255],
      [1, 33, 7, 1023],
      [1, 255, 1025, 7],
      [1, 1025, 33, 33],
      [1, 1, 1025, 255],
      [1, 1023, 1, 33],
      [1, 13, 47, 1025],
      [3, 25, 40, 129],
    ];
    for (const [t, s] of shapes.entries()) {
      const [batch, m, n, k] = s;
      const av = values(batch * m * k, 2 * t + 1);
      const bv = values(batch * k * n, 2 * t + 2);
      const want = chain(av, bv, s);
      const al = layouts(batch, m, k);
      const bl = layouts(batch, k, n);
      const cl = layouts(batch, m, n);
      for (const l of [0, 1, 2]) {
        // Row-major, then column-major, then strided: A, B and C each in every layout once.
        const got = run('float32', s, av, bv, [al[l], bl[(l + 1) % 3], cl[(l + 2) % 3]]);
        expect(firstDiff(got, want), `${s} layouts ${l}`).toBe('');
      }
    }
  });

  it('float32: the same bits on 1 and 2 threads, in tiles and in one piece', () => {
    own();
    const s = [2, 300, 513, 257];
    const [batch, m, n, k] = s;
    const av = values(batch * m * k, 7);
    const bv = values(batch * k * n, 8);
    const want = chain(av, bv, s);
    const l: [Dims, number][] = [layouts(batch, m, k)[1], layouts(batch, k, n)[0], layouts(batch, m, n)[2]];
    for (const threads of [1, 2]) {
      setCpuThreads(threads);
      expect(firstDiff(run('float32', s, av, bv, l), want), `${threads} threads`).toBe('');
    }
  });

  it("on the addon's own threads: the chain on 1 to 4 threads, across cache blocks in every direction", () => {
    own();
    // Many tasks of rows, several blocks of k (384) and of B's columns (480); C row- and column-major.
    const cases: [number[], number][] = [
      [[1, 1600, 64, 40], 0],
      [[1, 30, 1000, 800], 0],
      [[1, 300, 70, 900], 1],
    ];
    for (const [s, cLayout] of cases) {
      const [, m, n, k] = s;
      const av = values(m * k, m + 1);
      const bv = values(k * n, n + 2);
      const want = chain(av, bv, s);
      const a = lay('float32', [1, m, k], [0, k, 1], 0, av);
      const b = lay('float32', [1, k, n], [0, n, 1], 0, bv);
      const [cs, co] = layouts(1, m, n)[cLayout];
      for (const threads of [1, 2, 3, 4]) {
        const c = lay('float32', [1, m, n], cs, co, values(m * n, 5));
        const [a0, a1, a2] = a.strides;
        const [b0, b1, b2] = b.strides;
        const [c0, c1, c2] = c.strides;
        addon!.gemm(
          1,
          m,
          n,
          k,
          a.data,
          0,
          a0,
          a1,
          a2,
          b.data,
          0,
          b0,
          b1,
          b2,
          c.data,
          co,
          c0,
          c1,
          c2,
          threads,
        );
        expect(firstDiff(read(c, [1, m, n]), want), `${s}, ${threads} threads`).toBe('');
      }
    }
    expect(() =>
      addon!.gemm(
        1,
        1,
        1,
        1,
        new Float32Array(1),
        0,
        0,
        1,
        1,
        new Float32Array(1),
        0,
        0,
        1,
        1,
        new Float32Array(1),
        0,
        0,
        1,
        1,
        0,
      ),
    ).toThrow(/thread count/);
  });

  it("on the addon's own threads: B past the 32 MiB packing budget goes in super-blocks, the same chain", () => {
    own();
    // B 4096 x 2100 packs to 4096 x 2112 floats (34.6 MB): two column super-blocks, of 4 blocks of
    // 448 columns (11 k-blocks of 373 each, 7.3 MB a block) and of the 308 columns left.
    const [m, n, k] = [40, 2100, 4096];
    const av = values(m * k, 41);
    const bv = new Float32Array(k * n);
    bv.set(values(k * n, 42));
    const a = lay('float32', [1, m, k], [0, k, 1], 0, av);
    const b: GemmOperand = { data: bv, offset: 0, strides: [0, n, 1] };
    const outs: Float32Array[] = [];
    for (const threads of [1, 2, 3]) {
      const c = new Float32Array(m * n).fill(Number.NaN);
      addon!.gemm(1, m, n, k, a.data, 0, 0, k, 1, b.data, 0, 0, n, 1, c, 0, 0, n, 1, threads);
      outs.push(c);
    }
    expect(Buffer.from(outs[1].buffer).equals(Buffer.from(outs[0].buffer))).toBe(true);
    expect(Buffer.from(outs[2].buffer).equals(Buffer.from(outs[0].buffer))).toBe(true);
    // The chain, on elements on both sides of the super-blocks' edge and at the ends.
    for (const [i, j] of [
      [0, 0],
      [39, 2099],
      [17, 1000],
      [5, 1500],
      [20, 1055],
      [21, 1056],
      [33, 2048],
    ]) {
      let acc = 0;
      for (let q = 0; q < k; q++) acc = fma32(av[i * k + q], bv[q * n + j], acc);
      expect(outs[0][i * n + j], `C[${i}, ${j}]`).toBe(acc);
    }
  });

  it('float64: exact on small integers, and the same bits in every layout and on 1 and 2 threads', () => {
    own();
    for (const s of [
      [1, 33, 7, 1023],
      [1, 255, 1025, 7],
      [2, 100, 70, 301],
    ]) {
      const [batch, m, n, k] = s;
      const ai = values(batch * m * k, 11, true);
      const bi = values(batch * k * n, 12, true);
      const exact: number[] = [];
      for (let b = 0; b < batch; b++)
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let acc = 0;
            for (let q = 0; q < k; q++) acc += ai[(b * m + i) * k + q] * bi[(b * k + q) * n + j];
            exact.push(acc);
          }
      const rows = layouts(batch, m, k);
      const cols = layouts(batch, k, n);
      const outs = layouts(batch, m, n);
      expect(firstDiff(run('float64', s, ai, bi, [rows[1], cols[2], outs[0]]), exact)).toBe('');
      const av = values(batch * m * k, 13).map((v) => v / 3);
      const bv = values(batch * k * n, 14).map((v) => v * Math.PI);
      const base = run('float64', s, av, bv, [rows[0], cols[0], outs[0]]);
      for (const l of [1, 2])
        expect(same(run('float64', s, av, bv, [rows[l], cols[3 - l], outs[l]]), base)).toBe(true);
      setCpuThreads(1);
      expect(same(run('float64', s, av, bv, [rows[2], cols[1], outs[1]]), base)).toBe(true);
      setCpuThreads(2);
      expect(same(run('float64', s, av, bv, [rows[2], cols[1], outs[1]]), base)).toBe(true);
      setCpuThreads(null);
    }
  });

  it('propagates NaN and infinities as the FMA chain does (inf * 0 = NaN, inf - inf = NaN)', () => {
    own();
    const s = [1, 29, 45, 40];
    const [, m, n, k] = s;
    const av = values(m * k, 21);
    const bv = values(k * n, 22);
    av[0] = Number.NaN; // row 0: NaN everywhere
    av[3 * k + 5] = Number.POSITIVE_INFINITY; // row 3: +inf, or NaN where B's row 5 is 0 or has -inf
    bv[5 * n + 7] = 0;
    bv[5 * n + 8] = Number.NEGATIVE_INFINITY;
    av[20 * k + 1] = Number.POSITIVE_INFINITY; // row 20: +inf * b(1, j), then -inf from column 9
    bv[1 * n + 9] = -1;
    bv[2 * n + 9] = Number.NEGATIVE_INFINITY;
    av[20 * k + 2] = 1;
    const want = chain(av, bv, s);
    expect(want.filter(Number.isNaN).length).toBeGreaterThan(n);
    expect(want.some((v) => v === Number.POSITIVE_INFINITY)).toBe(true);
    const l = [layouts(1, m, k)[0], layouts(1, k, n)[1], layouts(1, m, n)[0]] as [Dims, number][];
    expect(firstDiff(run('float32', s, av, bv, l), want)).toBe('');
    const got64 = run('float64', s, av, bv, l);
    want.forEach((v, i) => {
      if (!Number.isFinite(v)) expect(got64[i]).toBe(v);
    });
  });

  it('zero sizes: nothing written, or zeros when k is 0', () => {
    own();
    for (const s of [
      [0, 3, 40, 5],
      [2, 0, 40, 5],
      [2, 30, 0, 5],
      [2, 30, 40, 0],
    ]) {
      const [batch, m, n, k] = s;
      for (const dt of ['float32', 'float64'] as Dt[]) {
        const a = lay(dt, [batch, m, k], [m * k, k, 1], 0, values(batch * m * k, 1));
        const b = lay(dt, [batch, k, n], [k * n, n, 1], 0, values(batch * k * n, 2));
        const c = lay(dt, [batch, m, n], [m * n, n, 1], 0, values(batch * m * n, 3));
        const before = Array.from(c.data);
        gemm(dt, batch, m, n, k, a, b, c);
        if (k === 0 && batch * m * n > 0)
          expect(Array.from(c.data)).toEqual(new Array(c.data.length).fill(0));
        else expect(Array.from(c.data)).toEqual(before);
      }
    }
  });

  it('auto (the default): a product above the size threshold is the chain too', () => {
    setCpuBlas(true);
    setCpuGemm('auto');
    const big = [1, 64, 96, 80];
    const av = values(64 * 80, 31);
    const bv = values(80 * 96, 32);
    const l = [layouts(1, 64, 80)[0], layouts(1, 80, 96)[0], layouts(1, 64, 96)[0]] as [Dims, number][];
    expect(firstDiff(run('float32', big, av, bv, l), chain(av, bv, big))).toBe('');
  });
});

describe.runIf(addon !== null)('own AVX-512 GEMM: where it runs', () => {
  it('runs exactly where the CPU has AVX-512, and says why it is off elsewhere', () => {
    setCpuBlas(true);
    setCpuGemm('all');
    if (avx512) {
      expect(addon!.info().gemm).not.toBe('openblas');
      expect(gemmTier()).toMatchObject({ gemm: 'avx512', gemmReason: 'the CPU has AVX-512' });
    } else {
      expect(addon!.info().gemm).toBe('openblas');
      expect(gemmTier()).toMatchObject({ gemm: 'openblas', gemmReason: 'the CPU has no AVX-512' });
    }
  });
});

describe('fma32, the reference', () => {
  it('rounds once: a float64 sum that ties in float32 is resolved by the exact remainder', () => {
    // a*b = 2^-24 (1 - 2^-46): with c = 1 + 2^-23 the exact sum lies just below the float32 tie
    // 1 + 2^-23 + 2^-24, the float64 sum on it (ties to even would round up).
    const [a, b, c] = [2 ** -12 * (1 + 2 ** -23), 2 ** -12 * (1 - 2 ** -23), 1 + 2 ** -23];
    expect([a, b, c].every((v) => Math.fround(v) === v)).toBe(true);
    expect(Math.fround(a * b + c)).toBe(1 + 2 ** -22);
    expect(fma32(a, b, c)).toBe(1 + 2 ** -23);
    expect(fma32(1 + 2 ** -12, 1 + 2 ** -12, 0)).toBe(Math.fround((1 + 2 ** -12) ** 2));
    expect(fma32(3, 4, 5)).toBe(17);
    expect(fma32(Number.POSITIVE_INFINITY, 0, 1)).toBeNaN();
  });
});
