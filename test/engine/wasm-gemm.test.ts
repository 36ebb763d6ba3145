/**
 * @file The WebAssembly SIMD GEMM (src/engine/backends/cpu/wasm/gemm.ts): against float64
 * references computed here (sums of the products in double precision) with tolerances that fit
 * float32 accumulation; bit for bit against the sequential sum its fixed order promises (each
 * product added in ascending k with the kernel's multiply-add: fused where relaxed_madd fuses);
 * transposed, strided, offset and negative-stride operands; batches with broadcast (0-stride)
 * operands; matrix-vector and vector-matrix shapes; zero-size dimensions; NaN and infinity; the
 * same bits on 1 and 2 threads and for any blocking; and through tjax's matmul.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { setCpuThreads, threadStats } from '../../src/engine/backends/cpu/threads.js';
import {
  defaultShapes,
  type GemmOperand,
  gemmConfig,
  retune,
  wasmGemm,
} from '../../src/engine/backends/cpu/wasm/gemm.js';
import type { Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, withConfig } from '../../src/engine/index.js';
import { dotConfig } from '../../src/engine/primitives/dot.js';

type DT = 'float32' | 'float64';
type Strides = [number, number, number];
type Layout = 'row' | 'col' | 'strided' | 'reversed';

afterAll(() => setCpuThreads(null));

/** Deterministic values in [-1, 1) (a linear congruential generator). */
function fill(x: Float32Array | Float64Array, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
}

/**
 * A (batch, rows, cols) operand in one of several layouts: row-major; column-major (a transposed
 * matrix); every third element of wider rows at an offset; rows and columns reversed (negative
 * strides). `batchStride0` broadcasts one matrix over the batch.
 */
function operand(
  dt: DT,
  batch: number,
  rows: number,
  cols: number,
  layout: Layout,
  seed: number,
  batchStride0 = false,
): GemmOperand {
  const per = rows * cols;
  let st: Strides;
  let offset = 0;
  let size: number;
  switch (layout) {
    case 'row':
      st = [per, cols, 1];
      size = batch * per;
      break;
    case 'col':
      st = [per, 1, rows];
      size = batch * per;
      break;
    case 'strided':
      st = [3 * per + 5, 3 * cols, 3];
      offset = 2;
      size = offset + batch * (3 * per + 5);
      break;
    case 'reversed':
      st = [per, -cols, -1];
      offset = per - 1;
      size = batch * per;
      break;
  }
  if (batchStride0) {
    st[0] = 0;
    size =
      offset + Math.max(0, (rows - 1) * Math.abs(st[1])) + Math.max(0, (cols - 1) * Math.abs(st[2])) + per;
  }
  const data = dt === 'float32' ? new Float32Array(size) : new Float64Array(size);
  fill(data, seed);
  return { data, offset, strides: st };
}

const at = (x: GemmOperand, b: number, i: number, j: number) =>
  x.data[x.offset + b * x.strides[0] + i * x.strides[1] + j * x.strides[2]];

function output(dt: DT, batch: number, m: number, n: number): GemmOperand {
  const data = dt === 'float32' ? new Float32Array(batch * m * n) : new Float64Array(batch * m * n);
  return { data, offset: 0, strides: [m * n, n, 1] };
}

/** The float64 sums, and the sums of |products| (the scale of their rounding errors). */
function reference(batch: number, m: number, n: number, k: number, a: GemmOperand, b: GemmOperand) {
  const sum = new Float64Array(batch * m * n);
  const abs = new Float64Array(batch * m * n);
  for (let q = 0; q < batch; q++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        let t = 0;
        for (let p = 0; p < k; p++) {
          const v = at(a, q, i, p) * at(b, q, p, j);
          s += v;
          t += Math.abs(v);
        }
        sum[(q * m + i) * n + j] = s;
        abs[(q * m + i) * n + j] = t;
      }
  return { sum, abs };
}

/** Every element within float32 (or float64) accumulation's error bound, k u sum|a b|. */
function expectClose(
  dt: DT,
  got: GemmOperand,
  k: number,
  ref: { sum: Float64Array; abs: Float64Array },
): void {
  const u = dt === 'float32' ? 2 ** -24 : 2 ** -53;
  let bad = 0;
  for (let i = 0; i < ref.sum.length; i++) {
    const err = Math.abs(got.data[i] - ref.sum[i]);
    if (!(err <= (k + 2) * u * ref.abs[i] + 1e-300)) bad++;
  }
  expect(bad).toBe(0);
}

/** fma of float32 values, rounded once to float32 (round to odd in double, then to nearest). */
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
function fma32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  if (e !== 0 && Number.isFinite(s)) {
    f64[0] = s;
    if ((u64[0] & 1n) === 0n) {
      // Toward the exact value: the neighbour with an odd last bit.
      u64[0] += e > 0 === s > 0 ? 1n : -1n;
      return Math.fround(f64[0]);
    }
  }
  return Math.fround(s);
}

/** x = m * 2^e with m an integer (x finite). */
function split(x: number): [bigint, number] {
  f64[0] = x;
  const bits = u64[0];
  const exp = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  if (exp !== 0) m |= 1n << 52n;
  return [bits >> 63n ? -m : m, (exp === 0 ? 1 : exp) - 1075];
}

/** fma of float64 values, rounded once: the exact sum in a BigInt, 60 bits kept with a sticky bit. */
function fma64(a: number, b: number, c: number): number {
  if (a === 0 || b === 0 || !Number.isFinite(a * b) || !Number.isFinite(c)) return a * b + c;
  const [ma, ea] = split(a);
  const [mb, eb] = split(b);
  const [mc, ec] = split(c);
  let e = Math.min(ea + eb, ec);
  let s = ((ma * mb) << BigInt(ea + eb - e)) + (mc << BigInt(ec - e));
  if (s === 0n) return 0;
  const neg = s < 0n;
  if (neg) s = -s;
  const extra = s.toString(2).length - 60;
  if (extra > 0) {
    const sticky = s & ((1n << BigInt(extra)) - 1n) ? 1n : 0n;
    s = (s >> BigInt(extra)) | sticky;
    e += extra;
  }
  const r = Number(s) * 2 ** (e + 600) * 2 ** -600;
  return neg ? -r : r;
}

/** Whether the kernel for `dt` fuses its multiply-adds (relaxed_madd on an FMA machine). */
function fuses(dt: DT): boolean {
  // (1 + 2^-h)^2 - (1 + 2^(1-h)) = 2^-2h exactly; rounding the product first gives 0.
  const h = dt === 'float32' ? 12 : 27;
  const F = dt === 'float32' ? Float32Array : Float64Array;
  const a = { data: F.of(-1, 1 + 2 ** -h), offset: 0, strides: [0, 2, 1] as Strides };
  const b = { data: F.of(1 + 2 ** (1 - h), 1 + 2 ** -h), offset: 0, strides: [0, 1, 1] as Strides };
  const c = output(dt, 1, 1, 1);
  wasmGemm(dt, 1, 1, 1, 2, a, b, c);
  return c.data[0] !== 0;
}

/** The sums in the kernel's fixed order: products in ascending k, each added by its multiply-add. */
function sequential(
  dt: DT,
  fused: boolean,
  batch: number,
  m: number,
  n: number,
  k: number,
  a: GemmOperand,
  b: GemmOperand,
) {
  const out = dt === 'float32' ? new Float32Array(batch * m * n) : new Float64Array(batch * m * n);
  const fr = Math.fround;
  for (let q = 0; q < batch; q++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const x = at(a, q, i, p);
          const y = at(b, q, p, j);
          if (dt === 'float64') s = fused ? fma64(x, y, s) : s + x * y;
          else s = fused ? fma32(x, y, s) : fr(s + fr(x * y));
        }
        out[(q * m + i) * n + j] = s;
      }
  return out;
}

const defaults = { ...gemmConfig };
afterEach(() => {
  Object.assign(gemmConfig, defaults);
  retune();
});

const SHAPES: [number, number, number, number][] = [
  // batch, m, n, k: sizes 1, 7, 33, 255, 1023, 1025 along each of m, n, k
  [1, 1, 1, 1],
  [1, 7, 33, 255],
  [1, 33, 7, 1025],
  [2, 255, 33, 7],
  [1, 33, 255, 33],
  [1, 1023, 1, 33],
  [1, 1, 1025, 7],
  [1, 7, 1023, 1],
  [1, 1025, 7, 33],
];

describe('wasmGemm against float64 references', () => {
  for (const dt of ['float32', 'float64'] as const) {
    for (const [batch, m, n, k] of SHAPES) {
      it(`${dt} ${batch}x${m}x${n}, k ${k}`, () => {
        const a = operand(dt, batch, m, k, 'row', m + k);
        const b = operand(dt, batch, k, n, 'row', n + 2 * k);
        const c = output(dt, batch, m, n);
        wasmGemm(dt, batch, m, n, k, a, b, c);
        expectClose(dt, c, k, reference(batch, m, n, k, a, b));
      });
    }
  }

  it('transposed, strided, offset and reversed operands, in every pairing', () => {
    const layouts: Layout[] = ['row', 'col', 'strided', 'reversed'];
    for (const dt of ['float32', 'float64'] as const) {
      for (const la of layouts) {
        for (const lb of layouts) {
          const [batch, m, n, k] = [2, 37, 29, 70];
          const a = operand(dt, batch, m, k, la, 3);
          const b = operand(dt, batch, k, n, lb, 4);
          const c = output(dt, batch, m, n);
          wasmGemm(dt, batch, m, n, k, a, b, c);
          expectClose(dt, c, k, reference(batch, m, n, k, a, b));
        }
      }
    }
  });

  it('a strided output', () => {
    const [m, n, k] = [9, 13, 20];
    const a = operand('float32', 1, m, k, 'row', 5);
    const b = operand('float32', 1, k, n, 'col', 6);
    const c: GemmOperand = { data: new Float32Array(1 + 2 * n * m + 40), offset: 1, strides: [0, 1, 2 * m] };
    wasmGemm('float32', 1, m, n, k, a, b, c);
    const ref = reference(1, m, n, k, a, b);
    const dense = output('float32', 1, m, n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) dense.data[i * n + j] = at(c, 0, i, j);
    expectClose('float32', dense, k, ref);
  });

  it('batches with a broadcast (0-stride) operand on either side', () => {
    for (const [sa, sb] of [
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const [batch, m, n, k] = [3, 20, 30, 40];
      const a = operand('float32', batch, m, k, 'row', 7, sa);
      const b = operand('float32', batch, k, n, 'col', 8, sb);
      const c = output('float32', batch, m, n);
      wasmGemm('float32', batch, m, n, k, a, b, c);
      expectClose('float32', c, k, reference(batch, m, n, k, a, b));
    }
  });

  it('zero-size dimensions: nothing to write, or zeros when k is 0', () => {
    for (const [batch, m, n] of [
      [0, 3, 4],
      [2, 0, 4],
      [2, 3, 0],
    ]) {
      const c = { data: new Float32Array(8).fill(7), offset: 0, strides: [m * n, n, 1] as Strides };
      wasmGemm(
        'float32',
        batch,
        m,
        n,
        5,
        operand('float32', 1, 3, 5, 'row', 1),
        operand('float32', 1, 5, 4, 'row', 2),
        c,
      );
      expect(Array.from(c.data)).toEqual(Array(8).fill(7));
    }
    const c = output('float64', 2, 3, 4);
    c.data.fill(7);
    const empty = { data: new Float64Array(0), offset: 0, strides: [0, 0, 0] as Strides };
    wasmGemm('float64', 2, 3, 4, 0, empty, empty, c);
    expect(Array.from(c.data)).toEqual(Array(24).fill(0));
  });

  it('NaN and infinities propagate as in the float64 sums', () => {
    for (const dt of ['float32', 'float64'] as const) {
      const [m, n, k] = [11, 10, 9];
      const a = operand(dt, 1, m, k, 'row', 9);
      const b = operand(dt, 1, k, n, 'row', 10);
      a.data[0 * k + 3] = Number.NaN; // row 0: NaN everywhere
      a.data[1 * k + 2] = Number.POSITIVE_INFINITY; // row 1: +-inf, or NaN where b is 0
      b.data[2 * n + 4] = 0;
      a.data[2 * k + 0] = Number.POSITIVE_INFINITY; // row 2: inf - inf = NaN in column 5
      a.data[2 * k + 1] = Number.POSITIVE_INFINITY;
      b.data[0 * n + 5] = 1;
      b.data[1 * n + 5] = -1;
      const c = output(dt, 1, m, n);
      wasmGemm(dt, 1, m, n, k, a, b, c);
      const ref = reference(1, m, n, k, a, b).sum;
      for (let i = 0; i < m * n; i++) {
        if (!Number.isFinite(ref[i])) expect(c.data[i], `element ${i}`).toBe(ref[i]);
        else expect(Number.isFinite(c.data[i]), `element ${i}`).toBe(true);
      }
      expect(Number.isNaN(c.data[0])).toBe(true);
      expect(Number.isNaN(c.data[n + 4])).toBe(true);
      expect(c.data[n]).toBe(b.data[2 * n] > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY);
      expect(Number.isNaN(c.data[2 * n + 5])).toBe(true);
    }
  });
});

describe('wasmGemm sums in one fixed order', () => {
  it('bit for bit the sequential sum with the kernel multiply-add', () => {
    for (const dt of ['float32', 'float64'] as const) {
      const fused = fuses(dt);
      if (!defaultShapes()[dt === 'float32' ? 'f32' : 'f64'].fma) expect(fused).toBe(false);
      for (const [batch, m, n, k] of [
        [2, 33, 7, 255],
        [1, 7, 33, 1025],
        [1, 1, 40, 300],
        [1, 40, 1, 300],
      ]) {
        const a = operand(dt, batch, m, k, 'col', 11);
        const b = operand(dt, batch, k, n, 'strided', 12);
        const c = output(dt, batch, m, n);
        wasmGemm(dt, batch, m, n, k, a, b, c);
        const want = sequential(dt, fused, batch, m, n, k, a, b);
        expect(Array.from(c.data)).toEqual(Array.from(want));
      }
    }
  });

  it('the same bits for any blocking (kc, mc, nc)', () => {
    const [m, n, k] = [70, 90, 600];
    const a = operand('float32', 1, m, k, 'row', 13);
    const b = operand('float32', 1, k, n, 'row', 14);
    const results = [
      [256, 64, 1024],
      [32, 16, 16],
      [100, 8, 40],
      [1024, 256, 4],
    ].map(([kc, mc, nc]) => {
      gemmConfig.kc = kc;
      gemmConfig.mc = mc;
      gemmConfig.nc = nc;
      const c = output('float32', 1, m, n);
      wasmGemm('float32', 1, m, n, k, a, b, c);
      return Array.from(c.data);
    });
    for (const r of results.slice(1)) expect(r).toEqual(results[0]);
  });

  it('the same bits on 1 and 2 threads, with the workers taking part', async () => {
    gemmConfig.parallelMin = 1;
    const cases: [DT, number, number, number, number][] = [
      ['float32', 1, 255, 300, 257],
      ['float32', 3, 64, 65, 100],
      ['float64', 1, 130, 129, 200],
      ['float32', 1, 1025, 1, 300],
    ];
    const shared = (dt: DT, len: number) =>
      dt === 'float32'
        ? new Float32Array(new SharedArrayBuffer(4 * len))
        : new Float64Array(new SharedArrayBuffer(8 * len));
    const run = (dt: DT, batch: number, m: number, n: number, k: number) => {
      const a = operand(dt, batch, m, k, 'row', 15);
      const b = operand(dt, batch, k, n, 'col', 16);
      const c = { data: shared(dt, batch * m * n), offset: 0, strides: [m * n, n, 1] as Strides };
      wasmGemm(dt, batch, m, n, k, a, b, c);
      return Array.from(c.data);
    };
    setCpuThreads(2);
    // Workers start on the first parallel call (from sources they register tsx first).
    const before = threadStats.workerChunks;
    const end = Date.now() + 20_000;
    while (threadStats.workerChunks === before && Date.now() < end) {
      run('float32', 1, 200, 200, 200);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(threadStats.workerChunks).toBeGreaterThan(before);
    for (const [dt, batch, m, n, k] of cases) {
      setCpuThreads(1);
      const one = run(dt, batch, m, n, k);
      setCpuThreads(2);
      const two = run(dt, batch, m, n, k);
      expect(two).toEqual(one);
    }
  });
});

describe('through tjax', () => {
  /** A float32 array of deterministic values. */
  function randn(shape: number[], seed: number): Value {
    const data = new Float32Array(shape.reduce((x, y) => x * y, 1));
    fill(data, seed);
    return jnp.reshape(jnp.array(data), shape);
  }

  it('jnp.matmul (eager and jit give the same bits) within float32 accumulation of the float64 product', async () => {
    const x = randn([3, 65, 300], 1);
    const y = randn([300, 70], 2);
    const eager = (await jnp.matmul(x, y).data()) as Float32Array;
    const jitted = (await jit((p: Value, q: Value) => jnp.matmul(p, q))(x, y).data()) as Float32Array;
    expect(Array.from(jitted)).toEqual(Array.from(eager));
    const ref = withConfig({ enableX64: true }, () =>
      jnp.matmul(jnp.astype(x, 'float64'), jnp.astype(y, 'float64')).dataSync(),
    ) as Float64Array;
    const far = eager.filter((v, i) => !(Math.abs(v - ref[i]) <= 302 * 2 ** -24 * 300));
    expect(far.length).toBe(0);
  });

  it('transposed and batched dot_generals through the library kernel', async () => {
    dotConfig.libMinWork = 1;
    try {
      const a = randn([4, 33, 7], 3);
      const b = randn([4, 9, 7], 4);
      const got = (await jnp.einsum('bik,bjk->bij', a, b).data()) as Float32Array;
      const ad = (await a.data()) as Float32Array;
      const bd = (await b.data()) as Float32Array;
      for (let q = 0; q < 4; q++)
        for (let i = 0; i < 33; i++)
          for (let j = 0; j < 9; j++) {
            let s = 0;
            for (let p = 0; p < 7; p++) s += ad[(q * 33 + i) * 7 + p] * bd[(q * 9 + j) * 7 + p];
            expect(Math.abs(got[(q * 33 + i) * 9 + j] - s)).toBeLessThanOrEqual(9 * 2 ** -24 * 7);
          }
    } finally {
      dotConfig.libMinWork = 32768;
    }
  });
});
