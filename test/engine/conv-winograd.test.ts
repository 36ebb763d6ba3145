/**
 * @file The WebAssembly tier's Winograd F(2x2, 3x3) convolution (backends/cpu/wasm/winograd.ts),
 * which the conv_gemm kernel runs for float32 NHWC 3x3 stride-1 convolutions with features in
 * multiples of four (at least 16): against float64 sums by the definition, computed here. Its
 * rounding is not a summation order of the direct products, so the tolerance is the first-order
 * bound of its own operations (transforms of at most four values on each axis, a sum over C
 * features, |B^T| |G| <= 2 per axis): 4 (C + 12) 2^-24 sum_c (sum of |lhs| over the 4x4 tile)
 * (sum of |kernel| over the 3x3 window). On these uniform values it also stays within the direct
 * sum's bound, (k + 2) 2^-24 sum |a b| (Higham, eq. 3.5), which is checked too. Also: border and
 * partial tiles (odd sizes), strided operands and outputs, the same bits on 1 and 2 threads and
 * eagerly as jitted, and non-finite values, which recompute by direct summation (XLA's NaN and
 * infinity pattern, the direct kernel's bits).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setCpuBlas } from '../../src/engine/backends/cpu/blas.js';
import { convPlan } from '../../src/engine/backends/cpu/conv-plan.js';
import { setCpuThreads, threadStats } from '../../src/engine/backends/cpu/threads.js';
import { wasmConv } from '../../src/engine/backends/cpu/wasm/conv.js';
import { cpuSimd } from '../../src/engine/backends/cpu/wasm/simd.js';
import { winogradConfig, winogradStats } from '../../src/engine/backends/cpu/wasm/winograd.js';
import { winogradFilterFits } from '../../src/engine/backends/cpu/wasm/winograd-filter.js';
import type { Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, lax, vjp } from '../../src/engine/index.js';

afterEach(() => {
  setCpuBlas(null);
  setCpuThreads(null);
  cpuSimd.enabled = true;
  winogradConfig.enabled = true;
});

const U = 2 ** -24;

/** Deterministic values in [-1, 1) (a linear congruential sequence), in shared float32 memory. */
function fill(n: number, seed: number): Float32Array {
  const x = new Float32Array(new SharedArrayBuffer(4 * n));
  for (let i = 0, s = seed; i < n; i++) x[i] = (s = (Math.imul(s, 1664525) + 1013904223) | 0) / 2 ** 31;
  return x;
}

interface Case {
  N: number;
  H: number;
  W: number;
  C: number;
  O: number;
  pad: [number, number, number, number];
  /** lhs strides (batch, feature, row, column), kernel (k, o), output (m, o), in elements. */
  ls?: [number, number, number, number];
  rs?: [number, number];
  os?: [number, number];
}

function dims(c: Case) {
  const OH = c.H + c.pad[0] + c.pad[1] - 2;
  const OW = c.W + c.pad[2] + c.pad[3] - 2;
  const ls = c.ls ?? [c.H * c.W * c.C, 1, c.W * c.C, c.C];
  const rs = c.rs ?? [c.O, 1];
  const os = c.os ?? [c.O, 1];
  const M = c.N * OH * OW;
  return { OH, OW, ls, rs, os, M };
}

/** The conv_gemm kernel's params for the case (as primitives/conv-gemm.ts writes them). */
function paramsOf(c: Case): Record<string, unknown> {
  const { OH, OW, ls, rs, os, M } = dims(c);
  return {
    orient: 'rows',
    groups: 1,
    outN: c.N,
    Cg: c.C,
    Og: c.O,
    inSp: [c.H, c.W],
    kSp: [3, 3],
    outSp: [OH, OW],
    strides: [1, 1],
    padLo: [c.pad[0], c.pad[2]],
    lhsDil: [1, 1],
    rhsDil: [1, 1],
    lhs: ls,
    lhsGroup: c.N * ls[0],
    rhs: [9 * c.C * rs[0], rs[0], rs[1]],
    out: [M * os[0], os[0], os[1]],
  };
}

function run(c: Case, lhs: Float32Array, rhs: Float32Array): Float32Array {
  const { M, os } = dims(c);
  const out = new Float32Array(new SharedArrayBuffer(4 * ((M - 1) * os[0] + (c.O - 1) * os[1] + 1)));
  wasmConv(convPlan(paramsOf(c)), lhs, rhs, out);
  return out;
}

/** Checks `got` (in the case's output layout) against float64 sums by the definition. */
function check(c: Case, lhs: Float32Array, rhs: Float32Array, got: Float32Array): void {
  const { OH, OW, ls, rs, os } = dims(c);
  const K = 9 * c.C;
  let bad = 0;
  let first = '';
  for (let n = 0; n < c.N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        // The output's 2x2 tile and the 4x4 input tile it reads.
        const ty = oy - (oy % 2);
        const tx = ox - (ox % 2);
        const at = (iy: number, ix: number, ci: number) =>
          iy >= 0 && iy < c.H && ix >= 0 && ix < c.W
            ? lhs[n * ls[0] + ci * ls[1] + iy * ls[2] + ix * ls[3]]
            : 0;
        for (let o = 0; o < c.O; o++) {
          let want = 0;
          let abs = 0;
          let wino = 0;
          for (let ci = 0; ci < c.C; ci++) {
            let tile = 0;
            for (let r = 0; r < 4; r++)
              for (let s = 0; s < 4; s++) tile += Math.abs(at(ty + r - c.pad[0], tx + s - c.pad[2], ci));
            let win = 0;
            for (let ky = 0; ky < 3; ky++) {
              for (let kx = 0; kx < 3; kx++) {
                const w = rhs[((ky * 3 + kx) * c.C + ci) * rs[0] + o * rs[1]];
                const x = at(oy + ky - c.pad[0], ox + kx - c.pad[2], ci);
                want += x * w;
                abs += Math.abs(x * w);
                win += Math.abs(w);
              }
            }
            wino += tile * win;
          }
          const v = got[((n * OH + oy) * OW + ox) * os[0] + o * os[1]];
          const err = Math.abs(v - want);
          const direct = (K + 2) * U * abs + 1e-30;
          const own = 4 * (c.C + 12) * U * wino + 1e-30;
          if (!(err <= direct && err <= own) && bad++ === 0)
            first = `(${n}, ${oy}, ${ox}, ${o}): ${v} vs ${want} (direct bound ${direct}, own ${own})`;
        }
      }
    }
  }
  expect(bad, first).toBe(0);
}

const CASES: [string, Case][] = [
  ['SAME, even sizes', { N: 2, H: 8, W: 6, C: 16, O: 8, pad: [1, 1, 1, 1] }],
  ['SAME, odd sizes (partial tiles)', { N: 3, H: 9, W: 7, C: 20, O: 12, pad: [1, 1, 1, 1] }],
  ['VALID, 1 row of tiles', { N: 1, H: 4, W: 11, C: 16, O: 4, pad: [0, 0, 0, 0] }],
  ['asymmetric padding, 64 features', { N: 2, H: 13, W: 10, C: 64, O: 64, pad: [2, 0, 0, 1] }],
  [
    'strided lhs, kernel and output (transposed output)',
    {
      N: 2,
      H: 7,
      W: 9,
      C: 16,
      O: 8,
      pad: [1, 1, 1, 1],
      ls: [9 * 7 * 20 + 3, 1, 9 * 20, 20],
      rs: [1, 9 * 16],
      os: [1, 2 * 7 * 9],
    },
  ],
  [
    'enough work for the pool: 2 of 24x24, 32 features',
    { N: 2, H: 24, W: 24, C: 32, O: 32, pad: [1, 1, 1, 1] },
  ],
  ['output rows apart (cM > O)', { N: 1, H: 6, W: 6, C: 16, O: 8, pad: [1, 1, 1, 1], os: [12, 1] }],
];

function operands(c: Case): [Float32Array, Float32Array] {
  const { ls, rs } = dims(c);
  const lhs = fill((c.N - 1) * ls[0] + (c.C - 1) * ls[1] + (c.H - 1) * ls[2] + (c.W - 1) * ls[3] + 1, 7);
  const rhs = fill((9 * c.C - 1) * rs[0] + (c.O - 1) * rs[1] + 1, 8);
  return [lhs, rhs];
}

/** A weight gradient: input (N, H, W, C) channels-last, output gradient (N, GH, GW, O), 3x3 result. */
interface Filter {
  N: number;
  H: number;
  W: number;
  C: number;
  O: number;
  pad: [number, number];
}

function filterCase(f: Filter) {
  const GH = f.H + 2 * f.pad[0] - 2;
  const GW = f.W + 2 * f.pad[1] - 2;
  const params = {
    orient: 'cols',
    groups: 1,
    outN: f.C,
    Cg: f.N,
    Og: f.O,
    inSp: [f.H, f.W],
    kSp: [GH, GW],
    outSp: [3, 3],
    strides: [1, 1],
    padLo: f.pad,
    lhsDil: [1, 1],
    rhsDil: [1, 1],
    lhs: [1, f.H * f.W * f.C, f.W * f.C, f.C],
    lhsGroup: f.N * f.H * f.W * f.C,
    rhs: [f.N * GH * GW * f.O, f.O, 1],
    out: [9 * f.C * f.O, f.O, 1],
  };
  const x = fill(f.N * f.H * f.W * f.C, 5);
  const dy = fill(f.N * GH * GW * f.O, 6);
  return { GH, GW, params, x, dy };
}

/** Checks a weight gradient `got` ((ky, kx, c, o) row-major) against float64 sums. */
function checkFilter(f: Filter, x: Float32Array, dy: Float32Array, got: Float32Array): void {
  const GH = f.H + 2 * f.pad[0] - 2;
  const GW = f.W + 2 * f.pad[1] - 2;
  const K = f.N * GH * GW;
  const tiles = f.N * Math.ceil(GH / 2) * Math.ceil(GW / 2);
  const xAt = (n: number, iy: number, ix: number, c: number) =>
    iy >= 0 && iy < f.H && ix >= 0 && ix < f.W ? x[((n * f.H + iy) * f.W + ix) * f.C + c] : 0;
  const dyAt = (n: number, y: number, xx: number, o: number) =>
    y < GH && xx < GW ? dy[((n * GH + y) * GW + xx) * f.O + o] : 0;
  let bad = 0;
  let first = '';
  for (let ky = 0; ky < 3; ky++) {
    for (let kx = 0; kx < 3; kx++) {
      for (let c = 0; c < f.C; c++) {
        for (let o = 0; o < f.O; o++) {
          let want = 0;
          let abs = 0;
          let wino = 0;
          for (let n = 0; n < f.N; n++) {
            for (let ty = 0; ty < GH; ty += 2) {
              for (let tx = 0; tx < GW; tx += 2) {
                let tile = 0;
                for (let r = 0; r < 4; r++)
                  for (let s2 = 0; s2 < 4; s2++)
                    tile += Math.abs(xAt(n, ty + r - f.pad[0], tx + s2 - f.pad[1], c));
                let g = 0;
                for (let i = 0; i < 2; i++) {
                  for (let jj = 0; jj < 2; jj++) {
                    const d = dyAt(n, ty + i, tx + jj, o);
                    g += Math.abs(d);
                    if (ty + i < GH && tx + jj < GW) {
                      const v = xAt(n, ty + i + ky - f.pad[0], tx + jj + kx - f.pad[1], c) * d;
                      want += v;
                      abs += Math.abs(v);
                    }
                  }
                }
                wino += tile * g;
              }
            }
          }
          const v = got[((ky * 3 + kx) * f.C + c) * f.O + o];
          const err = Math.abs(v - want);
          const direct = (K + 2) * U * abs + 1e-30;
          const own = 4 * (tiles + 12) * U * wino + 1e-30;
          if (!(err <= direct && err <= own) && bad++ === 0)
            first = `(${ky}, ${kx}, ${c}, ${o}): ${v} vs ${want} (direct bound ${direct}, own ${own})`;
        }
      }
    }
  }
  expect(bad, first).toBe(0);
}

const FILTERS: [string, Filter][] = [
  ['weight gradient, even sizes', { N: 2, H: 8, W: 6, C: 8, O: 4, pad: [1, 1] }],
  ['weight gradient, odd sizes (partial tiles)', { N: 3, H: 7, W: 9, C: 12, O: 8, pad: [1, 1] }],
  ['weight gradient, enough work for the pool', { N: 4, H: 24, W: 24, C: 32, O: 16, pad: [1, 1] }],
];

describe('Winograd F(3x3, 2x2) for weight gradients on the WebAssembly tier', () => {
  for (const [name, f] of FILTERS) {
    it(`${name}: within its bound of float64 sums; same bits on 1 and 2 threads`, () => {
      const { params, x, dy } = filterCase(f);
      const plan = convPlan(params);
      const out1 = new Float32Array(new SharedArrayBuffer(4 * 9 * f.C * f.O));
      expect(winogradFilterFits(plan, out1)).toBe(true);
      const runs = winogradStats.runs;
      setCpuThreads(1);
      wasmConv(plan, x, dy, out1);
      expect(winogradStats.runs).toBe(runs + 1);
      checkFilter(f, x, dy, out1);
      setCpuThreads(2);
      const jobs = threadStats.jobs;
      const out2 = new Float32Array(new SharedArrayBuffer(4 * 9 * f.C * f.O));
      wasmConv(plan, x, dy, out2);
      if (f.H === 24) expect(threadStats.jobs).toBeGreaterThan(jobs);
      expect(Buffer.from(out2.buffer).equals(Buffer.from(out1.buffer))).toBe(true);
    });
  }

  it('non-finite values: direct summation, with its bits', () => {
    const f: Filter = { N: 2, H: 6, W: 6, C: 8, O: 4, pad: [1, 1] };
    for (const bad of [Number.NEGATIVE_INFINITY, Number.NaN]) {
      const { params, x, dy } = filterCase(f);
      x[7 * 8 + 3] = bad;
      const plan = convPlan(params);
      const got = new Float32Array(new SharedArrayBuffer(4 * 9 * f.C * f.O));
      const fallbacks = winogradStats.fallbacks;
      wasmConv(plan, x, dy, got);
      expect(winogradStats.fallbacks).toBe(fallbacks + 1);
      winogradConfig.enabled = false;
      const direct = new Float32Array(new SharedArrayBuffer(4 * 9 * f.C * f.O));
      wasmConv(plan, x, dy, direct);
      winogradConfig.enabled = true;
      expect(Buffer.from(got.buffer).equals(Buffer.from(direct.buffer))).toBe(true);
      expect(got.some((v) => !Number.isFinite(v))).toBe(true);
    }
  });
});

describe('Winograd F(2x2, 3x3) on the WebAssembly tier', () => {
  for (const [name, c] of CASES) {
    it(`${name}: within its bound of float64 sums; same bits on 1 and 2 threads`, () => {
      const [lhs, rhs] = operands(c);
      const runs = winogradStats.runs;
      setCpuThreads(1);
      const one = run(c, lhs, rhs);
      expect(winogradStats.runs).toBe(runs + 1);
      check(c, lhs, rhs, one);
      setCpuThreads(2);
      const jobs = threadStats.jobs;
      const two = run(c, lhs, rhs);
      if (c.H === 24) expect(threadStats.jobs).toBeGreaterThan(jobs);
      expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    });
  }

  it('is not taken for 3x3 windows it does not fit: 12 features, stride 2, float64', () => {
    const runs = winogradStats.runs;
    const c: Case = { N: 1, H: 6, W: 6, C: 12, O: 8, pad: [1, 1, 1, 1] };
    const [lhs, rhs] = operands(c);
    check(c, lhs, rhs, run(c, lhs, rhs));
    const strided = convPlan({ ...paramsOf({ ...c, C: 16 }), strides: [2, 2], outSp: [3, 3] });
    wasmConv(strided, fill(6 * 6 * 16, 1), fill(9 * 16 * 8, 2), new Float32Array(9 * 8));
    wasmConv(
      convPlan(paramsOf({ ...c, C: 16 })),
      new Float64Array(6 * 6 * 16),
      new Float64Array(9 * 16 * 8),
      new Float64Array(36 * 8),
    );
    expect(winogradStats.runs).toBe(runs);
  });

  it('non-finite values: direct summation, with its bits (inf * padding zero = NaN, as XLA)', () => {
    const c: Case = { N: 1, H: 6, W: 6, C: 16, O: 8, pad: [1, 1, 1, 1] };
    for (const where of ['lhs', 'rhs'] as const) {
      for (const bad of [Number.POSITIVE_INFINITY, Number.NaN]) {
        const [lhs, rhs] = operands(c);
        (where === 'lhs' ? lhs : rhs)[where === 'lhs' ? (2 * 6 + 3) * 16 + 5 : 4 * 16 * 8 + 3] = bad;
        const fallbacks = winogradStats.fallbacks;
        const got = run(c, lhs, rhs);
        expect(winogradStats.fallbacks).toBe(fallbacks + 1);
        winogradConfig.enabled = false;
        const direct = run(c, lhs, rhs);
        winogradConfig.enabled = true;
        expect(Buffer.from(got.buffer).equals(Buffer.from(direct.buffer))).toBe(true);
        expect(got.some((v) => !Number.isFinite(v))).toBe(true);
        // Outputs that do not read the bad value stay finite, as in the direct sum.
        expect(got.some((v) => Number.isFinite(v))).toBe(true);
      }
    }
  });

  it('through jit and vjp: forward and input gradient within the bound, eager and jitted the same bits', async () => {
    setCpuBlas(false);
    const c: Case = { N: 2, H: 10, W: 9, C: 32, O: 16, pad: [1, 1, 1, 1] };
    const [x, w] = operands(c);
    const conv = (a: Value, b: Value) =>
      lax.convGeneralDilated(a, b, [1, 1], 'SAME', { dimensionNumbers: ['NHWC', 'HWIO', 'NHWC'] });
    const a = jnp.array(x).reshape([c.N, c.H, c.W, c.C]);
    const b = jnp.array(w).reshape([3, 3, c.C, c.O]);
    const jitted = (await jit(conv)(a, b).data()) as Float32Array;
    check(c, x, w, jitted);
    const eager = (await conv(a, b).data()) as Float32Array;
    expect(Buffer.from(eager.buffer, eager.byteOffset, eager.byteLength)).toEqual(
      Buffer.from(jitted.buffer, jitted.byteOffset, jitted.byteLength),
    );
    // The input gradient is the convolution of the cotangent with the flipped, transposed kernel.
    const ct = fill(c.N * c.H * c.W * c.O, 9);
    const [, pull] = vjp(jit(conv), a, b);
    const [gx, gw] = pull(jnp.array(ct).reshape([c.N, c.H, c.W, c.O])) as Value[];
    checkFilter(
      { N: c.N, H: c.H, W: c.W, C: c.C, O: c.O, pad: [1, 1] },
      x,
      ct,
      (await gw.data()) as Float32Array,
    );
    const flipped = new Float32Array(9 * c.O * c.C);
    for (let ky = 0; ky < 3; ky++)
      for (let kx = 0; kx < 3; kx++)
        for (let ci = 0; ci < c.C; ci++)
          for (let o = 0; o < c.O; o++)
            flipped[((ky * 3 + kx) * c.O + o) * c.C + ci] =
              w[(((2 - ky) * 3 + (2 - kx)) * c.C + ci) * c.O + o];
    check({ ...c, C: c.O, O: c.C }, ct, flipped, (await gx.data()) as Float32Array);
  });
});
