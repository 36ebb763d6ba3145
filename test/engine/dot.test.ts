/**
 * @file dot_general, lax.dot/dotGeneral and the numpy products, einsum, diagonals and norms,
 * against fixtures from JAX 0.10.2 (fixtures/make_dot.py): values eager and jitted, dtypes and
 * weak types, printed jaxprs, error texts, fusion, and the matmul library kernel: on the portable
 * tier it agrees bit for bit with the reference reduce kernel; on the native BLAS tier it is within
 * the error bound of float32 accumulation, (k + 2) * 2^-24 * sum |a b|, of float64 products.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { setCpuBlas } from '../../src/engine/backends/cpu/blas.js';
import { cpuSimd } from '../../src/engine/backends/cpu/wasm/simd.js';
import type { Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, lax, makeJaxpr, withConfig } from '../../src/engine/index.js';
import { dotConfig } from '../../src/engine/primitives/dot.js';

interface Enc {
  shape: number[];
  dtype: string;
  data: (number | boolean | string)[];
}
interface ArgSpec {
  shape: number[];
  dtype: string;
  value: Enc;
}
interface Case {
  name: string;
  fn: string;
  args: ArgSpec[];
  opts: Record<string, any>;
}
interface ValueCase extends Case {
  expected: Enc;
  weak_type: boolean;
}
interface ErrorCase extends Case {
  type: string;
  message: string;
}
interface JaxprCase {
  name: string;
  args: { shape: number[]; dtype: string }[];
  text: string;
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/dot.json', import.meta.url), 'utf8')) as {
  values: ValueCase[];
  errors: ErrorCase[];
  jaxprs: JaxprCase[];
};

const num = (v: number | boolean | string): number =>
  typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : Number(v);

function fromEnc(e: Enc): Value {
  const flat = e.data.map(num);
  const v = jnp.array(e.dtype === 'bool' ? flat.map(Boolean) : flat, { dtype: e.dtype });
  return e.shape.length === 1 ? v : lax.reshape(v, e.shape);
}

function ordOf(o: unknown): any {
  if (o === 'inf') return Number.POSITIVE_INFINITY;
  if (o === '-inf') return Number.NEGATIVE_INFINITY;
  return o;
}

function call(c: Case, xs: Value[]): Value {
  const o = c.opts;
  switch (c.fn) {
    case 'dot':
      return jnp.dot(xs[0], xs[1]);
    case 'matmul':
      return jnp.matmul(xs[0], xs[1]);
    case 'vdot':
      return jnp.vdot(xs[0], xs[1]);
    case 'inner':
      return jnp.inner(xs[0], xs[1]);
    case 'outer':
      return jnp.outer(xs[0], xs[1]);
    case 'tensordot':
      return jnp.tensordot(xs[0], xs[1], o.axes);
    case 'kron':
      return jnp.kron(xs[0], xs[1]);
    case 'trace':
      return jnp.trace(xs[0], o);
    case 'diagonal':
      return jnp.diagonal(xs[0], o);
    case 'diag':
      return jnp.diag(xs[0], o.k ?? 0);
    case 'einsum':
      return jnp.einsum(o.subscripts, ...xs);
    case 'norm':
      return jnp.linalg.norm(xs[0], { ord: ordOf(o.ord), axis: o.axis, keepdims: o.keepdims });
    case 'matrix_transpose':
      return jnp.matrix_transpose(xs[0]);
    case 'dot_general':
      return lax.dotGeneral(xs[0], xs[1], o.dimension_numbers, {
        preferredElementType: o.preferred_element_type,
      });
    case 'lax_dot':
      return lax.dot(xs[0], xs[1]);
  }
  throw new Error(`unknown fn ${c.fn}`);
}

async function expectMatches(r: Value, c: ValueCase): Promise<void> {
  const e = c.expected;
  expect(r.shape).toEqual(e.shape);
  expect(r.dtype.name).toBe(e.dtype);
  expect(r.weakType).toBe(c.weak_type);
  const got = Array.from(await r.data(), Number);
  const want = e.data.map(num);
  if (e.dtype.startsWith('float')) {
    got.forEach((g, i) => {
      expect(Math.abs(g - want[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i])));
    });
  } else expect(got).toEqual(want);
}

const LIB_MIN_WORK = dotConfig.libMinWork;

afterEach(() => {
  dotConfig.libMinWork = LIB_MIN_WORK;
  setCpuBlas(null);
});

describe('values against JAX', () => {
  for (const c of fixture.values) {
    it(`${c.name} (eager)`, async () => {
      await expectMatches(
        call(
          c,
          c.args.map((a) => fromEnc(a.value)),
        ),
        c,
      );
    });
    it(`${c.name} (jit)`, async () => {
      const f = jit((...xs: Value[]) => call(c, xs));
      await expectMatches(f(...c.args.map((a) => fromEnc(a.value))), c);
    });
  }
  it('float cases through the matmul library kernel', async () => {
    dotConfig.libMinWork = 1;
    for (const c of fixture.values.filter(
      (v) =>
        v.expected.dtype === 'float32' &&
        ['dot', 'matmul', 'dot_general', 'einsum', 'tensordot', 'inner'].includes(v.fn),
    )) {
      if (c.args.some((a) => a.dtype !== 'float32')) continue;
      // A fresh jit traces and compiles anew (eager programs are cached from the tests above).
      const f = jit((...xs: Value[]) => call(c, xs));
      await expectMatches(f(...c.args.map((a) => fromEnc(a.value))), c);
    }
  });
});

describe('errors', () => {
  for (const c of fixture.errors) {
    it(c.name, () => {
      const xs = c.args.map((a) => fromEnc(a.value));
      expect(() => call(c, xs)).toThrow(c.message);
      if (c.type === 'TypeError') expect(() => call(c, xs)).toThrow(TypeError);
    });
  }
  it('mixed dtypes of equal rank are rejected as JAX does', () => {
    const a = jnp.ones([2, 2], { dtype: 'int32' });
    const b = jnp.ones([2, 2], { dtype: 'uint32' });
    expect(
      lax.dotGeneral(a, b, [
        [[1], [0]],
        [[], []],
      ]).dtype.name,
    ).toBe('int32');
  });
});

describe('printed jaxprs', () => {
  const fns: Record<string, (...xs: any[]) => Value> = {
    'jnp.dot f32': jnp.dot,
    'jnp.dot i32': jnp.dot,
    'jnp.dot i32 f32': jnp.dot,
    'matmul batch': (a, b) => a.matmul(b),
    'matmul broadcast batch': (a, b) => a.matmul(b),
    'matmul mat vec': (a, b) => a.matmul(b),
    'einsum ij,jk->ik': (a, b) => jnp.einsum('ij,jk->ik', a, b),
    'einsum bij,bjk->bik': (a, b) => jnp.einsum('bij,bjk->bik', a, b),
    'lax.dot': (a, b) => lax.dot(a, b),
    'lax.dot_general precision': (a, b) =>
      lax.dotGeneral(
        a,
        b,
        [
          [[1], [0]],
          [[], []],
        ],
        { precision: lax.Precision.HIGHEST },
      ),
    'lax.dot_general preferred': (a, b) =>
      lax.dotGeneral(
        a,
        b,
        [
          [[1], [0]],
          [[], []],
        ],
        { preferredElementType: 'float32' },
      ),
    'jnp.tensordot': (a, b) => jnp.tensordot(a, b, [[0], [1]]),
    'jnp.inner': jnp.inner,
    'jnp.vdot': jnp.vdot,
    'jnp.outer': jnp.outer,
    matrix_transpose: jnp.matrix_transpose,
  };
  for (const c of fixture.jaxprs) {
    it(c.name, () => {
      const args = c.args.map((a) => jnp.ones(a.shape, { dtype: a.dtype }));
      expect(String(makeJaxpr(fns[c.name])(...args))).toBe(c.text);
    });
  }
  it('precision given as a string pair', () => {
    const a = jnp.ones([2, 3]);
    const b = jnp.ones([3, 4]);
    const text = String(
      makeJaxpr((x: Value, y: Value) => jnp.dot(x, y, { precision: ['highest', 'default'] }))(a, b),
    );
    expect(text).toContain('precision=(Precision.HIGHEST, Precision.DEFAULT)');
  });
});

/** Deterministic float32 data in [-1, 1). */
function randn(shape: number[], seed: number): Value {
  let s = seed >>> 0;
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 31 - 1;
  }
  return lax.reshape(jnp.array(data), shape);
}

async function bothPaths(f: (...xs: Value[]) => Value, xs: Value[]): Promise<[Float32Array, Float32Array]> {
  dotConfig.libMinWork = Number.POSITIVE_INFINITY;
  const ref = (await jit(f)(...xs).data()) as Float32Array;
  dotConfig.libMinWork = 1;
  const fast = (await jit(f)(...xs).data()) as Float32Array;
  return [ref, fast];
}

/** Products in every layout the library kernel takes: plain, transposed, batched, odd sizes. */
function productCases(): [(...xs: Value[]) => Value, Value[]][] {
  const a = randn([2, 37, 29], 1);
  const b = randn([2, 29, 41], 2);
  const bt = randn([2, 41, 29], 3);
  const at = randn([2, 29, 37], 6);
  return [
    [(x, y) => jnp.matmul(x, y), [a, b]],
    [(x, y) => jnp.matmul(x, jnp.matrix_transpose(y)), [a, bt]],
    [(x, y) => jnp.matmul(jnp.matrix_transpose(x), y), [at, b]],
    [
      (x, y) =>
        lax.dotGeneral(x, y, [
          [[2], [2]],
          [[0], [0]],
        ]),
      [a, bt],
    ],
    [(x, y) => jnp.einsum('bij,bkj->ikb', x, y), [a, bt]],
  ];
}

describe('the matmul library kernel', () => {
  it('agrees bit for bit with the reduce kernel on the portable tier', async () => {
    setCpuBlas(false);
    const [a, b] = productCases()[0][1];
    const fused: [(...xs: Value[]) => Value, Value[]] = [(x, y) => jnp.dot(jnp.sin(x), y).add(1), [a, b]];
    const cases = [...productCases(), fused];
    for (const [f, xs] of cases) {
      // The JavaScript kernel (WebAssembly SIMD off) rounds each float32 add, as the reduce kernel does.
      cpuSimd.enabled = false;
      const [ref, fast] = await bothPaths(f, xs).finally(() => {
        cpuSimd.enabled = true;
      });
      expect(fast.length).toBe(ref.length);
      expect(Array.from(fast)).toEqual(Array.from(ref));
      // The WebAssembly GEMM also sums in float32 but fuses its multiply-adds: 29 roundings of
      // partial sums of terms in [-1, 1], each within 29 * 2^-24.
      const [, wasm] = await bothPaths(f, xs);
      wasm.forEach((v, i) => {
        expect(Math.abs(v - ref[i])).toBeLessThanOrEqual(29 * 29 * 2 ** -24);
      });
    }
  });
  it('is within float32 accumulation error of float64 products, on either tier', () => {
    for (const [f, xs] of productCases()) {
      dotConfig.libMinWork = 1;
      const got = jit(f)(...xs).dataSync() as Float32Array;
      const [want, abs] = withConfig({ enableX64: true }, () => {
        const x64 = xs.map((x) => jnp.astype(x, 'float64'));
        return [
          f(...x64).dataSync() as Float64Array,
          f(...x64.map((x) => jnp.abs(x))).dataSync() as Float64Array,
        ];
      });
      const k = 29;
      got.forEach((g, i) => {
        expect(Math.abs(g - want[i])).toBeLessThanOrEqual((k + 2) * 2 ** -24 * abs[i]);
      });
    }
  });
  it('agrees bit for bit in float64 (x64 mode) on the portable tier', () => {
    setCpuBlas(false);
    withConfig({ enableX64: true }, () => {
      const a = jnp.astype(randn([33, 27], 11), 'float64');
      const b = jnp.astype(randn([27, 19], 12), 'float64');
      const f = (x: Value, y: Value) => jnp.dot(x, jnp.exp(y));
      dotConfig.libMinWork = Number.POSITIVE_INFINITY;
      const ref = Array.from(jit(f)(a, b).dataSync() as ArrayLike<number>);
      dotConfig.libMinWork = 1;
      // The JavaScript kernel (WebAssembly SIMD off) gives the reduce kernel's bits; the
      // WebAssembly GEMM fuses its multiply-adds where relaxed SIMD does: within float64 rounding.
      cpuSimd.enabled = false;
      let fast: Value;
      try {
        fast = jit(f)(a, b);
      } finally {
        cpuSimd.enabled = true;
      }
      expect(fast.dtype.name).toBe('float64');
      expect(jit(f).lower(a, b).compile().asText()).toContain('library kernel matmul');
      expect(Array.from(fast.dataSync() as ArrayLike<number>)).toEqual(ref);
      const wasm = jit(f)(a, b).dataSync() as Float64Array;
      const far = ref.filter((r, i) => !(Math.abs(wasm[i] - r) <= 27 * 2 ** -53 * 27 * Math.E));
      expect(far.length).toBe(0);
    });
  });
  it('is used for large float matmuls and not for ints or small ones', () => {
    const big = jnp.ones([64, 64]);
    const small = jnp.ones([4, 4]);
    const ints = jnp.ones([64, 64], { dtype: 'int32' });
    const src = (x: Value, y: Value) =>
      jit((p: Value, q: Value) => jnp.dot(p, q))
        .lower(x, y)
        .compile()
        .asText();
    expect(src(big, big)).toContain('library kernel matmul');
    expect(src(small, small)).not.toContain('library kernel');
    expect(src(ints, ints)).not.toContain('library kernel');
  });
  it('float64 under x64 is not needed: float32 result of a float32 x float32 product', async () => {
    const r = jnp.dot(randn([70, 60], 4), randn([60, 50], 5));
    expect(r.dtype.name).toBe('float32');
    expect(r.shape).toEqual([70, 50]);
  });
});

describe('fusion', () => {
  it('an elementwise producer and consumer fuse into the reduce kernel (one kernel)', async () => {
    const x = randn([3, 4], 7);
    const y = randn([4, 5], 8);
    const f = jit((p: Value, q: Value) => jnp.exp(jnp.dot(jnp.sin(p), q.mul(2))).add(1));
    expect(f.lower(x, y).compile().kernelCount).toBe(1);
    const eager = await jnp
      .exp(jnp.dot(jnp.sin(x), y.mul(2)))
      .add(1)
      .data();
    expect(Array.from((await f(x, y).data()) as ArrayLike<number>)).toEqual(
      Array.from(eager as ArrayLike<number>),
    );
  });
  it('the library path materializes the producer once and keeps the consumer separate', () => {
    const x = randn([64, 64], 9);
    const f = jit((p: Value, q: Value) => jnp.dot(jnp.sin(p), q).add(1));
    expect(f.lower(x, x).compile().kernelCount).toBe(3);
  });
  it('an outer product (no contraction) is a plain map', () => {
    const f = jit((p: Value, q: Value) => jnp.outer(p, q).mul(2));
    expect(f.lower(jnp.ones([3]), jnp.ones([4])).compile().kernelCount).toBe(1);
    const g = jit((p: Value, q: Value) =>
      lax.dotGeneral(p, q, [
        [[], []],
        [[], []],
      ]),
    );
    expect(g.lower(jnp.ones([3]), jnp.ones([4])).compile().kernelCount).toBe(1);
  });
});

describe('dtypes and weak types', () => {
  it('dot of weak scalars is weak; preferred_element_type converts', async () => {
    const r = jnp.dot(2, 3.5);
    expect(r.dtype.name).toBe('float32');
    expect(r.weakType).toBe(true);
    expect(await r.tolist()).toBe(7);
    const i = lax.dotGeneral(
      jnp.array([[1, 2]]),
      jnp.array([[3], [4]]),
      [
        [[1], [0]],
        [[], []],
      ],
      { preferredElementType: 'float32' },
    );
    expect(i.dtype.name).toBe('float32');
    expect(i.weakType).toBe(false);
    expect(await i.tolist()).toEqual([[11]]);
  });
  it('int32 products wrap as XLA does', async () => {
    const a = jnp.array([65536, 65536], { dtype: 'int32' });
    expect(await jnp.dot(a, a).tolist()).toBe(0);
  });
  it('matmul with preferredElementType', async () => {
    const a = jnp.array(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'int8' },
    );
    const r = jnp.matmul(a, a, { preferredElementType: 'int32' });
    expect(r.dtype.name).toBe('int32');
    expect(await r.tolist()).toEqual([
      [7, 10],
      [15, 22],
    ]);
  });
  it('array methods x.dot(y) and x.matmul(y)', async () => {
    const a = jnp.array([
      [1, 2],
      [3, 4],
    ]);
    expect(await a.dot(a).tolist()).toEqual([
      [7, 10],
      [15, 22],
    ]);
    expect(await a.matmul(jnp.array([1, 1])).tolist()).toEqual([3, 7]);
  });
  it('einsum accepts options', async () => {
    const a = jnp.array([1, 2, 3], { dtype: 'int32' });
    const r = jnp.einsum('i,i->', a, a, { preferredElementType: 'float32' });
    expect(r.dtype.name).toBe('float32');
    expect(await r.tolist()).toBe(14);
  });
  it('empty contractions give zeros', async () => {
    const r = jnp.dot(jnp.ones([2, 0]), jnp.ones([0, 3]));
    expect(await r.tolist()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });
});
