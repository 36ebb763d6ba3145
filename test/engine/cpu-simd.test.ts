/**
 * @file The CPU backend's WebAssembly SIMD map kernels (src/engine/backends/cpu/wasm/simd.ts):
 * every large kernel computes the same bits as its JavaScript form. Each program runs twice, with
 * the SIMD path on and off, on inputs full of edge values (NaN, +-0, +-inf, subnormals, the
 * integer extremes), at lengths that are not a multiple of 4 and in 2-D shapes whose rows take
 * the unrolled loop, the plain one, or no SIMD at all.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cpuHeap, heapMemory, heapOffset, heapTop } from '../../src/engine/backends/cpu/heap.js';
import { erfinv32, log1p32 } from '../../src/engine/backends/cpu/runtime.js';
import { allocBuffer, setCpuThreads } from '../../src/engine/backends/cpu/threads.js';
import { cpuSimd, simdStats } from '../../src/engine/backends/cpu/wasm/simd.js';
import type { TypedArray } from '../../src/engine/core/dtype.js';
import { float32 } from '../../src/engine/core/dtype.js';
import type { Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, lax, nn, random } from '../../src/engine/index.js';

afterAll(() => {
  cpuSimd.enabled = true;
});

/** A small deterministic generator (xorshift32), so inputs need no fixtures. */
function gen(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

const F32_EDGES = [
  Number.NaN,
  0,
  -0,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1,
  -1,
  1e-45,
  -1e-45,
  1.1754942e-38,
  3.4028235e38,
  -3.4028235e38,
  0.5,
  -2.5,
  1e-10,
  0.99999994,
  -0.99999994,
];
const I32_EDGES = [0, 1, -1, 2147483647, -2147483648, 255, -256, 65536];

function floats(n: number, seed: number, scale = 100): Float32Array {
  const r = gen(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = i % 7 === 0 ? F32_EDGES[(i / 7) % F32_EDGES.length] : ((r() / 2 ** 32) * 2 - 1) * scale;
  }
  return a;
}

function ints(n: number, seed: number): Int32Array {
  const r = gen(seed);
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i % 5 === 0 ? I32_EDGES[(i / 5) % I32_EDGES.length] : r() | 0;
  return a;
}

function bits(v: Value): Uint32Array {
  const d = (v as any).dataSync() as TypedArray;
  const b = new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
  return new Uint32Array(b.buffer, 0, b.byteLength >> 2);
}

/** Whether two float32 results agree bit for bit (any NaN matches any NaN: payloads may differ). */
function sameBits(a: Uint32Array, b: Uint32Array, float: boolean): number {
  let bad = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const nan = (x: number) => (x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0;
    if (float && nan(a[i]) && nan(b[i])) continue;
    bad++;
  }
  return bad;
}

type Program = (...xs: Value[]) => Value;

/** Runs `make()`'s program with SIMD on and off (fresh closures: nothing cached in between). */
function compare(make: () => Program, args: () => Value[], simdExpected: boolean): void {
  const before = simdStats.kernels;
  cpuSimd.enabled = true;
  const on = make()(...args());
  const used = simdStats.kernels > before;
  cpuSimd.enabled = false;
  const off = make()(...args());
  cpuSimd.enabled = true;
  expect(used).toBe(simdExpected);
  const float = (on as any).dtype.name === 'float32';
  expect((on as any).shape).toEqual((off as any).shape);
  expect(sameBits(bits(on), bits(off), float)).toBe(0);
}

const N = 70_001;
/**
 * Shapes, and whether kernels that read the loop indices (the random samplers' counters) run as
 * SIMD there; elementwise kernels run flat, as 1-D, whatever the rows.
 */
const SHAPES: [string, number[], boolean][] = [
  ['1-D, odd length', [N], true],
  ['2-D, rows of 256 (unrolled)', [300, 256], true],
  ['2-D, rows of 260 (4 lanes)', [300, 260], true],
  ['2-D, rows of 257 (indices: JavaScript)', [300, 257], false],
  ['3-D', [6, 50, 256], true],
];

const F32_PROGRAMS: [string, Program][] = [
  ['a * b + c', (a, b, c) => lax.add(lax.mul(a, b), c)],
  ['a / b - c', (a, b, c) => lax.sub(lax.div(a, b), c)],
  ['max, min', (a, b, c) => lax.min(lax.max(a, b), c)],
  ['neg, abs, sqrt', (a) => lax.sqrt(lax.abs(lax.neg(a)))],
  ['floor, ceil, round', (a, b) => lax.add(lax.floor(a), lax.add(lax.ceil(b), lax.round(a, 1)))],
  ['select on comparisons', (a, b, c) => lax.select(lax.lt(a, b), a, lax.select(lax.ge(b, c), c, b))],
  [
    '== and != as float',
    (a, b) => lax.add(jnp.equal(a, b).astype('float32'), jnp.not_equal(a, a).astype('float32')),
  ],
  [
    'bool and/or',
    (a, b, c) => jnp.logical_or(jnp.logical_and(lax.gt(a, 0), lax.le(b, c)), lax.eq(a, c)).astype('float32'),
  ],
  ['float -> bool -> int -> float', (a) => a.astype('bool').astype('int32').astype('float32')],
  [
    'bitcast round trip',
    (a) => lax.bitcastConvertType(lax.bitwiseXor(lax.bitcastConvertType(a, 'int32'), 1), 'float32'),
  ],
  ['erf_inv', (a) => lax.erfInv(lax.div(a, 100))],
  // The libm's polynomials (compile/libm): the same IR in both renderers.
  ['sin, cos', (a, b) => lax.add(lax.sin(a), lax.cos(b))],
  ['tan', (a) => lax.tan(a)],
  ['exp, expm1', (a, b) => lax.sub(lax.exp(lax.div(a, 2)), lax.expm1(lax.div(b, 4)))],
  ['log, log1p', (a, b) => lax.add(lax.log(a), lax.log1p(lax.div(b, 100)))],
  ['tanh, erf, logistic', (a, b, c) => lax.add(lax.mul(lax.tanh(a), lax.erf(b)), lax.logistic(c))],
  [
    'pow',
    (a, b) => lax.add(lax.pow(a, lax.div(b, 10)), lax.pow(lax.div(a, 50), lax.round(lax.div(b, 10), 1))),
  ],
  ['sin of huge arguments (Payne-Hanek)', (a) => lax.sin(lax.mul(a, 1e30))],
  ['cos, tan past 4096', (a, b) => lax.add(lax.cos(lax.mul(a, 1000)), lax.tan(lax.mul(b, 1e5)))],
];

const I32_PROGRAMS: [string, Program][] = [
  ['add, sub, mul', (a, b) => lax.sub(lax.mul(lax.add(a, b), a), b)],
  ['max, min, abs, neg', (a, b) => lax.max(jnp.abs(a), lax.neg(lax.min(a, b)))],
  [
    'shifts by constants',
    (a) =>
      lax.bitwiseXor(
        lax.shiftLeft(a, 3),
        lax.bitwiseOr(lax.shiftRightArithmetic(a, 7), lax.shiftRightLogical(a, 29)),
      ),
  ],
  ['rotations by bytes', (a) => lax.bitwiseOr(lax.shiftLeft(a, 8), lax.shiftRightLogical(a, 24))],
  ['comparisons', (a, b) => lax.select(lax.lt(a, b), a, lax.select(lax.ge(a, 0), b, lax.bitwiseNot(a)))],
  ['to float32', (a, b) => lax.add(a.astype('float32'), lax.mul(b, 3).astype('float32'))],
];

describe('cpu SIMD kernels: the same bits as the JavaScript kernels', () => {
  for (const [where, shape, simd] of SHAPES) {
    const size = shape.reduce((x, y) => x * y, 1);
    const f32 = () => [0, 1, 2].map((s) => jnp.array(floats(size, s + 1)).reshape(shape));
    for (const [name, p] of F32_PROGRAMS) {
      it(`float32 ${name}, ${where}`, () => compare(() => jit(p), f32, true));
    }
    const i32 = (dtype: string) => () =>
      [0, 1].map((s) => {
        const a = ints(size, s + 7);
        return jnp.array(dtype === 'uint32' ? new Uint32Array(a.buffer) : a).reshape(shape);
      });
    for (const [name, p] of I32_PROGRAMS) {
      it(`int32 ${name}, ${where}`, () => compare(() => jit(p), i32('int32'), true));
      it(`uint32 ${name}, ${where}`, () => compare(() => jit(p), i32('uint32'), true));
    }
    it(`random bits, uniform, normal, ${where}`, () => {
      const key = () => [random.key(42) as unknown as Value];
      compare(() => jit((k: Value) => random.bits(k as any, shape)), key, simd);
      compare(() => jit((k: Value) => random.uniform(k as any, shape, 'float32', -3, 5)), key, simd);
      compare(() => jit((k: Value) => random.normal(k as any, shape)), key, simd);
    });
  }

  it('reads scalar inputs (constant-index loads) once per call', () => {
    const args = () => [
      jnp.array(floats(N, 4)),
      jnp.array(2.5, { dtype: 'float32' }),
      jnp.array([7, -3], { dtype: 'int32' }),
    ];
    compare(
      () => jit((a: Value, s: Value, v: Value) => lax.add(lax.mul(a, s), jnp.take(v, 1).astype('float32'))),
      args,
      true,
    );
  });

  it('read and write heap buffers where they are, copy the others, and survive the heap growing', () => {
    const x = [0, 1, 2].map((s) => jnp.array(floats(N, s + 9)));
    const f = jit((a: Value, b: Value, c: Value) => lax.add(lax.mul(a, b), c));
    const out = f(x[0], x[1], x[2]);
    const first = bits(out);
    // Large inputs and outputs are views of the heap (backends/cpu/heap.ts).
    const host = (v: Value) => (v as any).dataSync() as TypedArray;
    expect(heapOffset(host(x[0]))).toBeGreaterThanOrEqual(0);
    expect(heapOffset(host(out))).toBeGreaterThanOrEqual(0);
    // The heap grows (a new SharedArrayBuffer object): the kernel makes new views, same bits.
    const before = heapMemory().buffer.byteLength;
    const big = allocBuffer(float32, (before - heapTop()) / 4 + (1 << 16), false);
    expect(heapMemory().buffer.byteLength).toBeGreaterThan(before);
    expect(heapOffset(big)).toBeGreaterThanOrEqual(0);
    expect(bits(f(x[0], x[1], x[2]))).toEqual(first);
    // Inputs outside the heap are copied in by tiles: the same bits.
    try {
      cpuHeap.enabled = false;
      const y = [0, 1, 2].map((s) => jnp.array(floats(N, s + 9)));
      expect(heapOffset(host(y[0]))).toBe(-1);
      expect(
        bits(jit((a: Value, b: Value, c: Value) => lax.add(lax.mul(a, b), c))(y[0], y[1], y[2])),
      ).toEqual(first);
      compare(
        () => jit((a: Value) => jnp.sum(lax.exp(lax.div(a, 100)), { axis: -1 })),
        () => [y[0].index(jnp.sl(0, 7 * Math.floor(N / 7))).reshape([7, Math.floor(N / 7)])],
        true,
      );
    } finally {
      cpuHeap.enabled = true;
    }
  });

  it('stop growing the heap at its cap: plain shared buffers past it, the same bits', () => {
    const x = jnp.array(floats(N, 31));
    const f = jit((a: Value) => lax.exp(lax.div(a, 100)));
    const first = bits(f(x));
    const cap = cpuHeap.cap;
    try {
      cpuHeap.cap = heapTop();
      const out = f(x);
      expect(heapOffset((out as any).dataSync())).toBe(-1);
      expect(bits(out)).toEqual(first);
    } finally {
      cpuHeap.cap = cap;
    }
  });

  it('hand out distinct, aligned heap regions', () => {
    const bufs = [1, 2, 3].map((k) => allocBuffer(float32, (1 << 16) + k, true));
    const spans = bufs.map((b) => [heapOffset(b), heapOffset(b) + b.byteLength]);
    for (const [a0] of spans) expect(a0 % 64).toBe(0);
    for (let i = 0; i < spans.length; i++) {
      for (let j = i + 1; j < spans.length; j++) {
        expect(spans[i][1] <= spans[j][0] || spans[j][1] <= spans[i][0]).toBe(true);
      }
    }
    expect(bufs.every((b) => b.every((v) => v === 0))).toBe(true);
  });

  it('leaves kernels with no exact SIMD form to JavaScript', () => {
    const x = () => [jnp.array(floats(N, 3))];
    compare(() => jit((a: Value) => jnp.arcsinh(a)), x, false);
    compare(() => jit((a: Value) => a.astype('int16')), x, false);
  });

  it('broadcasts small inputs along rows and columns', () => {
    const args = () => [
      jnp.array(floats(300 * 256, 12)).reshape([300, 256]),
      jnp.array(floats(256, 13)),
      jnp.array(floats(300, 14)).reshape([300, 1]),
    ];
    compare(
      () => jit((a: Value, r: Value, c: Value) => jnp.add(jnp.multiply(a, r), lax.exp(jnp.divide(c, 100)))),
      args,
      true,
    );
    compare(
      () => jit((r: Value, c: Value) => jnp.subtract(jnp.broadcast_to(r, [300, 256]), c)),
      () => args().slice(1),
      true,
    );
  });

  it('converts float32 to int32 and uint32 as rt.f2i does (truncating, saturating, NaN -> 0)', () => {
    const x = () => [jnp.array(floats(N, 4, 3e9))];
    compare(() => jit((a: Value) => a.astype('int32')), x, true);
    compare(() => jit((a: Value) => a.astype('uint32')), x, true);
  });

  it('runs small kernels with libm polynomials as SIMD too', () => {
    for (const n of [256, 1023, 4097]) {
      const x = () => [jnp.array(floats(n, 5))];
      compare(() => jit((a: Value) => lax.exp(lax.div(a, 3))), x, true);
    }
    compare(
      () => jit((a: Value) => lax.exp(a)),
      () => [jnp.array(floats(100, 5))],
      false,
    );
  });

  it('gives the same bits with 1 and 2 threads', () => {
    const x = jnp.array(floats(1 << 18, 6, 1e4));
    const f = () => jit((a: Value) => lax.add(lax.sin(a), lax.tanh(lax.div(a, 1e4))));
    try {
      setCpuThreads(1);
      const one = bits(f()(x));
      setCpuThreads(2);
      const two = bits(f()(x));
      expect(sameBits(one, two, true)).toBe(0);
    } finally {
      setCpuThreads(null);
    }
  });
});

describe('cpu SIMD reductions: the same bits as the JavaScript kernels', () => {
  // Rows of odd lengths (a partial last group of 8 lanes), long rows taken in segments, full
  // reductions whose ranges end inside a group of 8; NaN, infinities and -0 among the values.
  const SHAPES: [string, number[]][] = [
    ['rows of 1027', [97, 1027]],
    ['rows of 64', [1031, 64]],
    ['rows of 40001 (segments)', [3, 40001]],
    ['3-D, last axis', [4, 33, 515]],
  ];
  const REDUCTIONS: [string, Program][] = [
    ['sum', (a) => jnp.sum(a, { axis: -1 })],
    ['mean', (a) => jnp.mean(a, { axis: -1 })],
    ['prod', (a) => jnp.prod(lax.div(a, 90), { axis: -1 })],
    ['max', (a) => jnp.max(a, { axis: -1 })],
    ['min', (a) => jnp.min(a, { axis: -1 })],
    ['logsumexp', (a) => nn.logsumexp(lax.div(a, 10), { axis: -1 })],
    ['softmax', (a) => nn.softmax(lax.div(a, 10), { axis: -1 })],
    ['sum of squares of sin', (a) => jnp.sum(lax.square(lax.sin(a)), { axis: -1 })],
    [
      'int32 sum and max',
      (a) => lax.add(jnp.sum(a.astype('int32'), { axis: -1 }), jnp.max(a.astype('int32'), { axis: -1 })),
    ],
    ['uint32 min', (a) => jnp.min(lax.abs(a).astype('uint32'), { axis: -1 })],
    [
      'any, all',
      (a) => jnp.logical_and(jnp.any(lax.gt(a, 99), { axis: -1 }), jnp.all(lax.gt(a, -99), { axis: -1 })),
    ],
  ];
  for (const [where, shape] of SHAPES) {
    const size = shape.reduce((x, y) => x * y, 1);
    const x = () => [jnp.array(floats(size, 21)).reshape(shape)];
    for (const [name, p] of REDUCTIONS) it(`${name}, ${where}`, () => compare(() => jit(p), x, true));
  }
  it('full reductions (ranges carried from call to call)', () => {
    for (const n of [70_001, 200_003, 1 << 18]) {
      const x = () => [jnp.array(floats(n, 22))];
      compare(() => jit((a: Value) => jnp.sum(a)), x, true);
      compare(() => jit((a: Value) => jnp.max(a)), x, true);
      compare(() => jit((a: Value) => jnp.sum(lax.exp(lax.div(a, 50)))), x, true);
    }
  });
  it('argmax and argmin: the first index of the best, NaN first, ties and all -inf', () => {
    let seed = 26;
    const r = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) | 0;
      return (seed >>> 0) / 2 ** 32;
    };
    for (const mode of ['spread', 'ties', 'nans', '-inf']) {
      const n = 300 * 1027;
      const a = Float32Array.from({ length: n }, (_, i) =>
        mode === '-inf'
          ? Number.NEGATIVE_INFINITY
          : mode === 'nans' && i % 37 === 0
            ? Number.NaN
            : mode === 'ties'
              ? Math.round(r() * 5)
              : (r() - 0.5) * 100,
      );
      const x = jnp.array(a).reshape([300, 1027]);
      compare(
        () => jit((v: Value) => jnp.argmax(v, { axis: 1 })),
        () => [x],
        true,
      );
      compare(
        () => jit((v: Value) => jnp.argmin(v, { axis: 1 })),
        () => [x],
        true,
      );
      compare(
        () => jit((v: Value) => jnp.argmax(v.astype('int32'), { axis: 1 })),
        () => [x],
        true,
      );
      compare(
        () => jit((v: Value) => jnp.argmin(lax.abs(v).astype('uint32'), { axis: 1 })),
        () => [x],
        true,
      );
    }
  });
  it('reductions over leading axes (columns): every output in order, in place or copied', () => {
    const x = (shape: number[]) => {
      const a = jnp
        .array(
          floats(
            shape.reduce((p, q) => p * q, 1),
            25,
          ),
        )
        .reshape(shape);
      return () => [a];
    };
    for (const heap of [true, false]) {
      try {
        cpuHeap.enabled = heap;
        for (const shape of [
          [1000, 301],
          [70, 4096],
          [9, 30, 257],
        ]) {
          const axes = shape.length === 3 ? [0, 1] : [0];
          compare(() => jit((a: Value) => jnp.sum(a, { axis: axes })), x(shape), true);
          compare(() => jit((a: Value) => jnp.max(a, { axis: axes })), x(shape), true);
          compare(() => jit((a: Value) => jnp.mean(lax.exp(lax.div(a, 50)), { axis: axes })), x(shape), true);
          compare(() => jit((a: Value) => jnp.sum(a.astype('int32'), { axis: axes })), x(shape), true);
        }
      } finally {
        cpuHeap.enabled = true;
      }
    }
  });
  it('several reduced axes as one (the innermost a multiple of 8), else JavaScript', () => {
    // (Inputs made before the comparison: an eager reshape runs a kernel of its own.)
    const x = (shape: number[]) => {
      const a = jnp
        .array(
          floats(
            shape.reduce((p, q) => p * q, 1),
            24,
          ),
        )
        .reshape(shape);
      return () => [a];
    };
    compare(() => jit((a: Value) => jnp.sum(a)), x([256, 1024]), true);
    compare(() => jit((a: Value) => jnp.max(a, { axis: [1, 2] })), x([4, 64, 256]), true);
    compare(() => jit((a: Value) => jnp.sum(a, { axis: [1, 2] })), x([4, 64, 256]), true);
    compare(() => jit((a: Value) => jnp.sum(a)), x([300, 257]), false);
  });
  it('gives the same bits with 1 and 2 threads', () => {
    const x = jnp.array(floats(1 << 18, 23)).reshape([256, 1024]);
    const f = () => jit((a: Value) => lax.add(jnp.sum(a, { axis: 1 }), nn.logsumexp(a, { axis: 1 })));
    try {
      setCpuThreads(1);
      const one = bits(f()(x));
      setCpuThreads(2);
      const two = bits(f()(x));
      expect(sameBits(one, two, true)).toBe(0);
    } finally {
      setCpuThreads(null);
    }
  });
});

describe('transposing map kernels (blocks; SIMD 4 x 4 shuffles on the heap)', () => {
  const check = (shape: number[], perm: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: n }, (_, i) => i);
    const y = (jit((a: Value) => jnp.transpose(a, perm))(jnp.array(x).reshape(shape)) as any).dataSync();
    const outShape = perm.map((p) => shape[p]);
    const inStrides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
    let bad = 0;
    for (let o = 0; o < n; o++) {
      let q = o;
      let src = 0;
      for (let d = outShape.length - 1; d >= 0; d--) {
        src += (q % outShape[d]) * inStrides[perm[d]];
        q = Math.floor(q / outShape[d]);
      }
      if (y[o] !== x[src]) bad++;
    }
    expect(bad, `${shape} ${perm}`).toBe(0);
  };
  const CASES: [number[], number[]][] = [
    [
      [70, 45],
      [1, 0],
    ],
    [
      [33, 1000],
      [1, 0],
    ],
    [
      [300, 257],
      [1, 0],
    ],
    [
      [513, 259],
      [1, 0],
    ],
    [
      [5, 40, 33],
      [2, 1, 0],
    ],
    [
      [5, 40, 33],
      [0, 2, 1],
    ],
    [
      [40, 5, 33],
      [2, 0, 1],
    ],
    [
      [3, 130, 267],
      [0, 2, 1],
    ],
    [
      [130, 3, 267],
      [2, 1, 0],
    ],
  ];
  it('permute every element to its place, at sizes that are not multiples of the blocks', () => {
    for (const [shape, perm] of CASES) check(shape, perm);
  });
  it('large ones run as SIMD; outside the heap, as JavaScript', () => {
    const before = simdStats.kernels;
    check([513, 259], [1, 0]);
    expect(simdStats.kernels).toBeGreaterThan(before);
    try {
      cpuHeap.enabled = false;
      for (const [shape, perm] of CASES) check(shape, perm);
    } finally {
      cpuHeap.enabled = true;
    }
  });
});

describe('log1p32 and erfinv32 (the scalar forms the SIMD code repeats)', () => {
  it('log1p32 rounds to float32 as Math.log1p does, over [-1, 0]', () => {
    const r = gen(5);
    const f = Math.fround;
    let differ = 0;
    for (let i = 0; i < 200_000; i++) {
      // Uniform bit patterns of floats in [-1, 0]: every binade, down to subnormals.
      const u = -f(new Float32Array(new Uint32Array([r() % 0x3f800001]).buffer)[0]);
      if (f(log1p32(u)) !== f(Math.log1p(u))) differ++;
    }
    // Both are within an ulp of double of log1p; rounding to float32 can differ only when the
    // value is that close to a float32 tie.
    expect(differ).toBeLessThanOrEqual(1);
    expect(log1p32(-1)).toBe(Number.NEGATIVE_INFINITY);
    expect(log1p32(-2)).toBeNaN();
    expect(Object.is(log1p32(-0), -0)).toBe(true);
  });

  it('erfinv32 special values', () => {
    expect(erfinv32(1)).toBe(Number.POSITIVE_INFINITY);
    expect(erfinv32(-1)).toBe(Number.NEGATIVE_INFINITY);
    expect(erfinv32(1.5)).toBeNaN();
    expect(erfinv32(Number.NaN)).toBeNaN();
    expect(Object.is(erfinv32(-0), -0)).toBe(true);
  });
});
