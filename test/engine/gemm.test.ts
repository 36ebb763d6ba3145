/**
 * @file The CPU device's GEMM (src/engine/backends/cpu/gemm.ts) on both tiers, native BLAS and
 * portable (TJAX_CPU_BLAS=off, here switched in-process with setCpuBlas), the native one also with
 * OpenBLAS alone and with tjax's own AVX-512 GEMM for every product (setCpuGemm): sizes 1 to 1025 in m, n
 * and k, transposed, padded, strided and broadcast operands, batches, zero sizes, NaN and infinity
 * propagation, and the same bits for 1 and 2 threads. Expected values are float64 sums computed
 * here; a float32 product accumulates in float32, so it is checked against the error bound of any
 * float32 summation order, (k + 2) * 2^-24 * sum_k |a_ik b_kj| (Higham, Accuracy and Stability of
 * Numerical Algorithms, 2nd ed., eq. 3.5), and exactly where the inputs make every sum exact.
 * Under CI the native tier must have built and loaded: a fallback there fails this file.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type GemmMode,
  gemmTier,
  nativeBlas,
  setCpuBlas,
  setCpuGemm,
} from '../../src/engine/backends/cpu/blas.js';
import { gemm } from '../../src/engine/backends/cpu/gemm.js';
import { tiling } from '../../src/engine/backends/cpu/gemm-native.js';
import type { GemmArgs, GemmOperand } from '../../src/engine/backends/cpu/gemm-operand.js';
import { setCpuThreads, threadStats } from '../../src/engine/backends/cpu/threads.js';
import { jit, numpy as jnp, lax, withConfig } from '../../src/engine/index.js';
import { type Dt, laidOut } from './gemm-layout.js';

type Float = Float32Array | Float64Array;

afterEach(() => {
  setCpuBlas(null);
  setCpuGemm(null);
  setCpuThreads(null);
});

const native = gemmTier().tier === 'native';

/** Deterministic values in [-1, 1) (xorshift32). */
function fill(x: Float, seed: number): Float {
  let s = seed | 0 || 1;
  for (let i = 0; i < x.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    x[i] = (s >>> 0) / 2 ** 31 - 1;
  }
  return x;
}

function alloc(dt: Dt, n: number, shared = false): Float {
  const C = dt === 'float32' ? Float32Array : Float64Array;
  if (!shared) return new C(n);
  return new (C as unknown as new (b: SharedArrayBuffer) => Float)(
    new SharedArrayBuffer(n * C.BYTES_PER_ELEMENT),
  );
}

/** A (batch, rows, cols) operand in a buffer of its own, laid out by `strides`, padding NaN. */
function operand(
  dt: Dt,
  dims: [number, number, number],
  strides: [number, number, number],
  offset: number,
  seed: number,
  shared = false,
): GemmOperand {
  return laidOut(dt, dims, strides, offset, fill(alloc(dt, dims[0] * dims[1] * dims[2]), seed), shared);
}

const at = (x: GemmOperand, b: number, i: number, j: number) =>
  x.data[x.offset + b * x.strides[0] + i * x.strides[1] + j * x.strides[2]];

/** Row-major contiguous strides of (batch, rows, cols). */
const rowMajor = (r: number, c: number): [number, number, number] => [r * c, c, 1];

/**
 * Checks C against float64 sums: within the bound of float32 (float64) summation, NaN where the
 * reference is NaN, infinities where it is infinite.
 */
function check(dt: Dt, ...[batch, m, n, k, a, b, c]: GemmArgs) {
  const u = dt === 'float32' ? 2 ** -24 : 2 ** -53;
  let bad = 0;
  let first = '';
  for (let bi = 0; bi < batch; bi++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        let abs = 0;
        for (let q = 0; q < k; q++) {
          const p = at(a, bi, i, q) * at(b, bi, q, j);
          s += p;
          abs += Math.abs(p);
        }
        const got = at(c, bi, i, j);
        const ok = Number.isNaN(s)
          ? Number.isNaN(got)
          : !Number.isFinite(s)
            ? got === s
            : Math.abs(got - s) <= (k + 2) * u * abs + Number.MIN_VALUE;
        if (!ok && bad++ === 0) first = `C[${bi}, ${i}, ${j}] = ${got}, float64 sum ${s}`;
      }
  expect(first).toBe('');
}

/**
 * The tiers, and on the native one who runs the products (setCpuGemm): the default (tjax's own
 * AVX-512 GEMM for large products where the CPU has AVX-512), OpenBLAS for all, and the own GEMM
 * for all, so that every case below also runs on the own kernels' edge tiles and packing.
 */
const TIERS: [string, boolean, GemmMode | null][] = [
  ['native', true, null],
  ['native (OpenBLAS for every product)', true, 'openblas'],
  ['native (own AVX-512 GEMM for every product)', true, 'all'],
  ['portable', false, null],
];

describe('tier selection', () => {
  it('says which tier runs and why', () => {
    const t = gemmTier();
    expect(t.reason.length).toBeGreaterThan(0);
    if (t.tier === 'native') {
      expect(t.library).toMatch(/OpenBLAS/);
      expect(t.core?.length).toBeGreaterThan(0);
      expect(t.threads).toBeGreaterThanOrEqual(1);
    }
    setCpuBlas(false);
    expect(gemmTier()).toEqual({ tier: 'portable', reason: 'the native tier is switched off in-process' });
  });
  it('is native under CI: a build that fell back fails here', () => {
    if (process.env.CI) expect(gemmTier()).toMatchObject({ tier: 'native' });
    else expect(['native', 'portable']).toContain(gemmTier().tier);
  });
  it('tiles C by shape alone', () => {
    expect(tiling(7, 9, 5)).toEqual({ pm: 1, pn: 1, tm: 7, tn: 9 });
    const t = tiling(1024, 1024, 1024);
    expect(t.pm * t.pn).toBeGreaterThan(1);
    expect(t.pm * t.tm).toBeGreaterThanOrEqual(1024);
    expect(t.pn * t.tn).toBeGreaterThanOrEqual(1024);
    expect(t.tm % 64).toBe(0);
  });
});

for (const [tier, on, mode] of TIERS) {
  describe(`${tier} tier`, () => {
    const use = () => {
      setCpuBlas(on);
      setCpuGemm(mode);
    };

    it('sizes 1, 7, 33, 255, 1023, 1025 in m, n and k, float32 and float64', () => {
      use();
      const sizes: [number, number, number][] = [
        [1, 1, 1],
        [7, 33, 255],
        [33, 7, 1023],
        [255, 1025, 7],
        [1025, 1, 33],
        [1, 255, 1025],
        [1023, 33, 7],
        [33, 1025, 1023],
        [255, 255, 255],
      ];
      for (const dt of ['float32', 'float64'] as Dt[]) {
        for (const [m, n, k] of sizes) {
          const a = operand(dt, [1, m, k], rowMajor(m, k), 0, m + 3 * k);
          const b = operand(dt, [1, k, n], rowMajor(k, n), 0, n + 5 * k);
          const c = operand(dt, [1, m, n], rowMajor(m, n), 0, 1);
          gemm(dt, 1, m, n, k, a, b, c);
          check(dt, 1, m, n, k, a, b, c);
        }
      }
    });

    it('is exact where every partial sum is exact (small integers)', () => {
      use();
      const m = 37;
      const n = 41;
      const k = 1025;
      const a = operand('float32', [1, m, k], rowMajor(m, k), 0, 1);
      const b = operand('float32', [1, k, n], rowMajor(k, n), 0, 2);
      a.data.forEach((v, i) => {
        a.data[i] = Math.round(v * 8);
      });
      b.data.forEach((v, i) => {
        b.data[i] = Math.round(v * 8);
      });
      const c = operand('float32', [1, m, n], rowMajor(m, n), 0, 3);
      gemm('float32', 1, m, n, k, a, b, c);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let q = 0; q < k; q++) s += at(a, 0, i, q) * at(b, 0, q, j);
          expect(at(c, 0, i, j)).toBe(s);
        }
    });

    it('transposed, padded, strided and offset operands; C in any layout', () => {
      use();
      const [m, n, k] = [33, 255, 7 * 19];
      const layouts: {
        a: [number, number, number];
        b: [number, number, number];
        c: [number, number, number];
      }[] = [
        // A transposed (column-major), B padded rows, C row-major.
        { a: [m * k, 1, m], b: [k * (n + 3), n + 3, 1], c: rowMajor(m, n) },
        // B transposed, C column-major.
        { a: rowMajor(m, k), b: [k * n, 1, k], c: [m * n, 1, m] },
        // Neither stride is 1 (packed first), C with padded rows and a column stride.
        { a: [2 * m * k, 2 * k, 2], b: [3 * k * n, 1, 3 * k], c: [2 * m * n + 5, 2 * n + 1, 2] },
      ];
      for (const dt of ['float32', 'float64'] as Dt[]) {
        for (const [t, l] of layouts.entries()) {
          const a = operand(dt, [1, m, k], l.a, 3 * t, 11 + t);
          const b = operand(dt, [1, k, n], l.b, 5, 12 + t);
          const c = operand(dt, [1, m, n], l.c, 7, 13);
          gemm(dt, 1, m, n, k, a, b, c);
          check(dt, 1, m, n, k, a, b, c);
        }
      }
    });

    it('matrix-vector and vector-matrix products with strided vectors', () => {
      use();
      const k = 1023;
      for (const dt of ['float32', 'float64'] as Dt[]) {
        // (1, k) @ (k, n) with a strided row vector and a column-major matrix.
        let a = operand(dt, [1, 1, k], [0, 0, 3], 1, 21);
        let b = operand(dt, [1, k, 255], [0, 1, k], 0, 22);
        let c = operand(dt, [1, 1, 255], [0, 0, 2], 0, 23);
        gemm(dt, 1, 1, 255, k, a, b, c);
        check(dt, 1, 1, 255, k, a, b, c);
        // (m, k) @ (k, 1) with a strided column.
        a = operand(dt, [1, 255, k], rowMajor(255, k), 0, 24);
        b = operand(dt, [1, k, 1], [0, 2, 0], 0, 25);
        c = operand(dt, [1, 255, 1], [0, 3, 0], 0, 26);
        gemm(dt, 1, 255, 1, k, a, b, c);
        check(dt, 1, 255, 1, k, a, b, c);
        // A broadcast vector (stride 0 along k).
        a = operand(dt, [1, 7, k], [0, k, 1], 0, 27);
        b = operand(dt, [1, k, 1], [0, 0, 0], 0, 28);
        c = operand(dt, [1, 7, 1], [0, 1, 0], 0, 29);
        gemm(dt, 1, 7, 1, k, a, b, c);
        check(dt, 1, 7, 1, k, a, b, c);
      }
    });

    it('batches, with a broadcast (stride 0) batch operand', () => {
      use();
      const [batch, m, n, k] = [5, 33, 7, 255];
      for (const dt of ['float32', 'float64'] as Dt[]) {
        const a = operand(dt, [batch, m, k], [m * k, 1, m], 0, 31);
        const b = operand(dt, [batch, k, n], [0, n, 1], 0, 32);
        const c = operand(
          dt,
          [batch, m, n],
          rowMajor(m, n).map((s, i) => (i === 0 ? m * n + 3 : s)) as any,
          0,
          33,
        );
        gemm(dt, batch, m, n, k, a, b, c);
        check(dt, batch, m, n, k, a, b, c);
      }
    });

    it('zero sizes: nothing to do, or zeros when k is 0', () => {
      use();
      for (const [batch, m, n, k] of [
        [0, 3, 4, 5],
        [2, 0, 4, 5],
        [2, 3, 0, 5],
        [2, 3, 4, 0],
      ]) {
        const a = operand('float32', [batch, m, k], rowMajor(m, k), 0, 1);
        const b = operand('float32', [batch, k, n], rowMajor(k, n), 0, 2);
        const c = operand('float32', [batch, m, n], rowMajor(m, n), 0, 3);
        const before = Array.from(c.data);
        gemm('float32', batch, m, n, k, a, b, c);
        if (k === 0 && batch * m * n > 0)
          expect(Array.from(c.data)).toEqual(new Array(c.data.length).fill(0));
        else expect(Array.from(c.data)).toEqual(before);
      }
    });

    it('propagates NaN and infinities (including inf * 0 = NaN), in GEMM and GEMV forms', () => {
      use();
      for (const [m, n, k] of [
        [9, 11, 33],
        [1, 11, 33],
        [9, 1, 33],
      ]) {
        for (const dt of ['float32', 'float64'] as Dt[]) {
          const a = operand(dt, [1, m, k], rowMajor(m, k), 0, 41);
          const b = operand(dt, [1, k, n], rowMajor(k, n), 0, 42);
          a.data[0] = Number.NaN;
          a.data[a.data.length - 1] = Number.POSITIVE_INFINITY;
          b.data[(k - 1) * n] = 0;
          if (n > 1) b.data[(k - 1) * n + 1] = Number.NEGATIVE_INFINITY;
          if (m > 1) a.data[k + 2] = Number.NEGATIVE_INFINITY;
          const c = operand(dt, [1, m, n], rowMajor(m, n), 0, 43);
          gemm(dt, 1, m, n, k, a, b, c);
          check(dt, 1, m, n, k, a, b, c);
          expect(Number.isNaN(at(c, 0, 0, 0))).toBe(true);
        }
      }
    });

    it('gives the same bits on 1 and 2 threads (and the pool takes part on the native tier)', async () => {
      use();
      // Work other threads did: tjax's workers (OpenBLAS's units) or the addon's own pool threads
      // (tjax's AVX-512 GEMM, which threads inside a product).
      const helped = () => threadStats.workerChunks + (nativeBlas()?.info().poolTasks ?? 0);
      if (on && native) {
        // Workers start on the first parallel job (from sources, registering tsx first).
        setCpuThreads(2);
        const before = helped();
        const w = operand('float32', [4, 64, 256], rowMajor(64, 256), 0, 50, true);
        const end = Date.now() + 20_000;
        while (helped() === before && Date.now() < end) {
          gemm(
            'float32',
            4,
            64,
            64,
            256,
            w,
            { ...w, strides: [64 * 256, 1, 256] },
            operand('float32', [4, 64, 64], rowMajor(64, 64), 0, 1, true),
          );
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      // Several tiles per matrix on the native tier; the portable tier is single-threaded for now.
      const [batch, m, n, k] = on && native ? [2, 1023, 1025, 255] : [2, 255, 257, 129];
      for (const dt of ['float32', 'float64'] as Dt[]) {
        const a = operand(dt, [batch, m, k], rowMajor(m, k), 0, 51, true);
        const b = operand(dt, [batch, k, n], [0, 1, k], 0, 52, true);
        const outs: Float[] = [];
        for (const threads of [1, 2]) {
          setCpuThreads(threads);
          const c = operand(dt, [batch, m, n], rowMajor(m, n), 0, 53, true);
          const before = helped();
          gemm(dt, batch, m, n, k, a, b, c);
          if (threads === 2 && on && native) {
            // On a loaded machine the calling thread can finish every unit before a worker
            // wakes: the same call again (same bits) until a worker has taken part.
            const end = Date.now() + 20_000;
            while (helped() === before && Date.now() < end) {
              await new Promise((r) => setTimeout(r, 5));
              gemm(dt, batch, m, n, k, a, b, c);
            }
            expect(helped()).toBeGreaterThan(before);
          }
          outs.push(c.data);
        }
        expect(Buffer.from(outs[0].buffer).equals(Buffer.from(outs[1].buffer))).toBe(true);
        check(dt, batch, m, n, k, a, b, { data: outs[1], offset: 0, strides: rowMajor(m, n) });
      }
    });

    it('float32 accumulates in float32, as XLA:CPU does (JAX 0.10.2: dot([1, 2^-24, 2^-24], ones(3)) == 1)', async () => {
      use();
      const x = jnp.array([1, 2 ** -24, 2 ** -24]);
      expect(await jnp.dot(x, jnp.ones([3])).tolist()).toBe(1);
      expect(await jnp.matmul(x.reshape([1, 3]), jnp.ones([3, 2])).tolist()).toEqual([[1, 1]]);
    });

    it('eager and jitted products are bit-identical, transposed layouts included', () => {
      use();
      const a = jnp.array(fill(new Float32Array(65 * 130), 61)).reshape([65, 130]);
      const b = jnp.array(fill(new Float32Array(130 * 97), 62)).reshape([130, 97]);
      const bt = jnp.array(fill(new Float32Array(97 * 130), 63)).reshape([97, 130]);
      const pairs: [() => any, () => any][] = [
        [() => jnp.matmul(a, b), () => jit((x: any, y: any) => jnp.matmul(x, y))(a, b)],
        [() => jnp.matmul(a, bt.T), () => jit((x: any, y: any) => jnp.matmul(x, y.T))(a, bt)],
        [
          () =>
            lax.dotGeneral(a, bt, [
              [[1], [1]],
              [[], []],
            ]),
          () =>
            jit((x: any, y: any) =>
              lax.dotGeneral(x, y, [
                [[1], [1]],
                [[], []],
              ]),
            )(a, bt),
        ],
        [() => jnp.matmul(bt, a.T), () => jit((x: any, y: any) => jnp.matmul(y, x.T))(a, bt)],
      ];
      for (const [eager, jitted] of pairs) {
        const e = eager().dataSync() as Float32Array;
        const j = jitted().dataSync() as Float32Array;
        expect(
          Buffer.from(e.buffer, e.byteOffset, e.byteLength).equals(
            Buffer.from(j.buffer, j.byteOffset, j.byteLength),
          ),
        ).toBe(true);
      }
    });

    it('writes a transposed result directly (no copy kernel), with the bits eager computes', () => {
      use();
      const a = jnp.array(fill(new Float32Array(3 * 65 * 130), 64)).reshape([3, 65, 130]);
      const b = jnp.array(fill(new Float32Array(3 * 130 * 97), 65)).reshape([3, 130, 97]);
      const two = (x: any, y: any) => jnp.swapaxes(jnp.matmul(x, y), 1, 2);
      const flat = (x: any, y: any) => jnp.matmul(x, y).T;
      const a2 = a.reshape([195, 130]);
      const b2 = jnp.array(fill(new Float32Array(130 * 97), 66)).reshape([130, 97]);
      // Large enough for several tiles, each computed as C^T = B^T A^T in place on the native tier.
      const a3 = jnp.array(fill(new Float32Array(520 * 300), 67)).reshape([520, 300]);
      const b3 = jnp.array(fill(new Float32Array(300 * 530), 68)).reshape([300, 530]);
      for (const [f, xs] of [
        [two, [a, b]],
        [flat, [a2, b2]],
        [flat, [a3, b3]],
      ] as [(x: any, y: any) => any, [any, any]][]) {
        const jf = jit(f);
        expect(jf.lower(xs[0], xs[1]).compile().kernelCount).toBe(1);
        const e = f(xs[0], xs[1]).dataSync() as Float32Array;
        const j = jf(xs[0], xs[1]).dataSync() as Float32Array;
        expect(
          Buffer.from(e.buffer, e.byteOffset, e.byteLength).equals(
            Buffer.from(j.buffer, j.byteOffset, j.byteLength),
          ),
        ).toBe(true);
      }
    });

    it('float64 products under x64', () => {
      use();
      withConfig({ enableX64: true }, () => {
        const a = jnp.array(fill(new Float64Array(70 * 80), 71), { dtype: 'float64' }).reshape([70, 80]);
        const b = jnp.array(fill(new Float64Array(80 * 90), 72), { dtype: 'float64' }).reshape([80, 90]);
        const r = jnp.matmul(a, b);
        expect(r.dtype.name).toBe('float64');
        const A = a.dataSync() as Float64Array;
        const B = b.dataSync() as Float64Array;
        const C = r.dataSync() as Float64Array;
        for (const [i, j] of [
          [0, 0],
          [69, 89],
          [33, 44],
        ]) {
          let s = 0;
          for (let q = 0; q < 80; q++) s += A[i * 80 + q] * B[q * 90 + j];
          expect(Math.abs(C[i * 90 + j] - s)).toBeLessThan(1e-13);
        }
      });
    });
  });
}

describe('the addon', () => {
  it('loads in a worker thread and computes there on shared memory', async () => {
    if (!native) {
      expect(gemmTier().reason.length).toBeGreaterThan(0);
      return;
    }
    const n = 64;
    const a = fill(alloc('float32', n * n, true), 81) as Float32Array;
    const c = alloc('float32', n * n, true) as Float32Array;
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      const { addon } = require(${JSON.stringify(createRequire(import.meta.url).resolve('tjax-blas'))});
      const { a, c, n } = workerData;
      addon.gemm(1, n, n, n, a, 0, 0, n, 1, a, 0, 0, 1, n, c, 0, 0, n, 1);
      parentPort.postMessage('done');`;
    const w = new Worker(code, { eval: true, workerData: { a, c, n } });
    await new Promise((resolve, reject) => {
      w.on('message', resolve);
      w.on('error', reject);
    });
    await w.terminate();
    const ref = operand('float32', [1, n, n], rowMajor(n, n), 0, 1);
    setCpuBlas(true);
    gemm(
      'float32',
      1,
      n,
      n,
      n,
      { data: a, offset: 0, strides: rowMajor(n, n) },
      { data: a, offset: 0, strides: [0, 1, n] },
      ref,
    );
    expect(Array.from(c)).toEqual(Array.from(ref.data));
  });
  it('refuses operands that reach outside their arrays', () => {
    if (!native) return;
    setCpuBlas(true);
    const x = new Float32Array(12);
    expect(() =>
      gemm(
        'float32',
        1,
        4,
        4,
        4,
        { data: x, offset: 0, strides: [0, 4, 1] },
        { data: x, offset: 0, strides: [0, 4, 1] },
        { data: new Float32Array(16), offset: 0, strides: [0, 4, 1] },
      ),
    ).toThrow(/outside its array/);
  });
});
