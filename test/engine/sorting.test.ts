/**
 * @file Arg-reductions, cumulative ops and sorting (primitives/sorting.ts, lax/sorting.ts,
 * numpy/sorting.ts, backends/cpu/lib-sort.ts) against JAX 0.10.2: values bit for bit (NaN signs,
 * -0.0, ties, wrapping), dtypes and weak types, error texts, and printed jaxprs, eagerly and under
 * jit; plus fusion (an elementwise producer is the body of the argreduce/scan kernel).
 *
 * Expected values: fixtures/sorting.json, written by fixtures/make_sorting.py. Each case names
 * the JAX function it ran; FNS below is the tjax call for that name.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { h2f } from '../../src/engine/backends/cpu/runtime.js';
import { toDType, typedArrayFor } from '../../src/engine/core/dtype.js';
import { bind1 } from '../../src/engine/core/trace.js';
import type { Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, lax, makeJaxpr, withConfig } from '../../src/engine/index.js';
import { convertElementType } from '../../src/engine/lax/convert.js';
import { le_to, lt_to } from '../../src/engine/primitives/elementwise.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fx = JSON.parse(readFileSync(join(root, 'fixtures', 'sorting.json'), 'utf8'));

interface Described {
  dtype: string;
  shape: number[];
  hex: string;
  weak?: boolean;
}
interface Case {
  name: string;
  fn: string;
  args: Described[];
  kw: Record<string, unknown>;
  weak?: boolean;
  out?: Described[];
  error?: { type: string; message: string };
}

const UINT_FOR: Record<number, string> = { 1: 'uint8', 2: 'uint16', 4: 'uint32' };

function bytesOf(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The host storage of a described array (float16 as bits, bool as 0/1 bytes). */
function storage(d: Described) {
  const dt = toDType(d.dtype);
  const bytes = bytesOf(d.hex);
  const n = d.shape.reduce((a, b) => a * b, 1);
  const t = typedArrayFor(dt, n);
  new Uint8Array(t.buffer, t.byteOffset, t.byteLength).set(bytes);
  return t;
}

/** A tjax array with exactly the described bits (floats are bitcast from their bit patterns). */
function build(d: Described, weak: boolean): Value {
  const dt = toDType(d.dtype);
  const t = storage(d);
  let x: Value;
  if (dt.isFloat) {
    const bits = new (typedArrayFor(toDType(UINT_FOR[dt.itemsize]), 0).constructor as any)(
      t.buffer,
      t.byteOffset,
      t.length,
    );
    x = lax.bitcastConvertType(jnp.array(bits, { dtype: UINT_FOR[dt.itemsize] }), dt);
  } else x = jnp.array(t, { dtype: dt });
  x = lax.reshape(x, d.shape);
  return weak ? convertElementType(x, dt, true) : x;
}

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
function opts(kw: Record<string, unknown>): any {
  return Object.fromEntries(Object.entries(kw).map(([k, v]) => [camel(k), v]));
}

type Fn = (args: Value[], kw: any) => Value | Value[];
const FNS: Record<string, Fn> = {
  'jnp.argmax': ([x], kw) => jnp.argmax(x, kw),
  'jnp.argmin': ([x], kw) => jnp.argmin(x, kw),
  'jnp.cumsum': ([x], kw) => jnp.cumsum(x, kw),
  'jnp.cumprod': ([x], kw) => jnp.cumprod(x, kw),
  'jnp.nancumsum': ([x], kw) => jnp.nancumsum(x, kw),
  'jnp.nancumprod': ([x], kw) => jnp.nancumprod(x, kw),
  'jnp.sort': ([x], kw) => jnp.sort(x, kw),
  'jnp.argsort': ([x], kw) => jnp.argsort(x, kw),
  'jnp.lexsort': (keys, kw) => jnp.lexsort(keys, kw),
  'jnp.unique': ([x], kw) => jnp.unique(x, kw),
  'jnp.searchsorted': ([a, v], kw) => jnp.searchsorted(a, v, kw),
  'lax.argmax': ([x], kw) => lax.argmax(x, kw.axis, kw.indexDtype),
  'lax.argmin': ([x], kw) => lax.argmin(x, kw.axis, kw.indexDtype),
  'lax.cumsum': ([x], kw) => lax.cumsum(x, kw),
  'lax.cumprod': ([x], kw) => lax.cumprod(x, kw),
  'lax.cummax': ([x], kw) => lax.cummax(x, kw),
  'lax.cummin': ([x], kw) => lax.cummin(x, kw),
  'lax.sort': (xs, { multi, ...kw }) => (multi ? lax.sort(xs, kw) : lax.sort(xs[0], kw)),
  'lax.sort_key_val': ([k, v], kw) => lax.sortKeyVal(k, v, kw),
  'lax.top_k': ([x], { k, ...kw }) => lax.topK(x, k, kw),
};

async function check(got: Value | Value[], want: Described[], label: string): Promise<void> {
  const outs = Array.isArray(got) ? got : [got];
  expect(outs.length, label).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const o = outs[i];
    const w = want[i];
    const what = `${label} output ${i}`;
    expect(o.dtype.name, what).toBe(w.dtype);
    expect([...o.shape], what).toEqual(w.shape);
    expect(o.weakType, what).toBe(w.weak);
    const data = (await o.data()) as ArrayLike<number | bigint>;
    const exp = storage(w) as ArrayLike<number | bigint>;
    const dt = toDType(w.dtype);
    const gotList: unknown[] = [];
    const expList: unknown[] = [];
    for (let j = 0; j < exp.length; j++) {
      // Floats compare as values, with NaN == NaN and -0.0 != 0.0; float16 is stored as bits.
      const g = dt.name === 'float16' ? h2f(data[j] as number) : data[j];
      const e = dt.name === 'float16' ? h2f(exp[j] as number) : exp[j];
      gotList.push(dt.isFloat && Object.is(g, -0) ? '-0' : g);
      expList.push(dt.isFloat && Object.is(e, -0) ? '-0' : e);
    }
    expect(gotList, what).toEqual(expList);
  }
}

const cases: Case[] = fx.cases;

describe('values against JAX', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const fn = FNS[c.fn];
      const kw = opts(c.kw);
      const args = () => c.args.map((a) => build(a, Boolean(c.weak)));
      if (c.error) {
        expect(() => fn(args(), kw)).toThrow(c.error.message);
        return;
      }
      await check(fn(args(), kw), c.out!, 'eager');
      // Unique without a size needs concrete input: JAX refuses it under jit (tested below).
      if (c.fn === 'jnp.unique' && kw.size === undefined) return;
      const jf = jit((...xs: Value[]) => fn(xs, kw));
      await check(jf(...args()) as Value | Value[], c.out!, 'jit');
    });
  }
});

// ---- jaxprs -------------------------------------------------------------------------------------

const X = () => jnp.zeros([3, 4], { dtype: 'float32' });
const JAXPRS: Record<string, [(...a: any[]) => unknown, () => unknown[]]> = {
  argmax_axis1: [(x) => jnp.argmax(x, { axis: 1 }), () => [X()]],
  argmax_flat: [(x) => jnp.argmax(x), () => [X()]],
  argmin_keepdims: [(x) => jnp.argmin(x, { axis: 1, keepdims: true }), () => [X()]],
  cumsum_flat: [(x) => jnp.cumsum(x), () => [X()]],
  cumsum_axis1: [(x) => jnp.cumsum(x, { axis: 1 }), () => [X()]],
  cumsum_bool: [(x) => jnp.cumsum(x, { axis: 1 }), () => [jnp.zeros([3, 4], { dtype: 'bool' })]],
  cumsum_dtype_bool: [(x) => jnp.cumsum(x, { dtype: 'bool' }), () => [jnp.zeros([3], { dtype: 'int32' })]],
  cumprod_int8: [(x) => jnp.cumprod(x, { axis: 1 }), () => [jnp.zeros([3, 4], { dtype: 'int8' })]],
  cumsum_weak_scalar: [(x) => jnp.cumsum(x), () => [convertElementType(3, 'float32', true)]],
  lax_cummax_rev: [(x) => lax.cummax(x, { axis: 1, reverse: true }), () => [X()]],
  sort: [(x) => jnp.sort(x), () => [X()]],
  sort_axis0_desc: [(x) => jnp.sort(x, { axis: 0, descending: true }), () => [X()]],
  sort_none: [(x) => jnp.sort(x, { axis: null }), () => [X()]],
  sort_unstable: [(x) => jnp.sort(x, { stable: false }), () => [X()]],
  argsort: [(x) => jnp.argsort(x), () => [X()]],
  argsort_desc: [(x) => jnp.argsort(x, { descending: true }), () => [X()]],
  lax_sort_multi: [
    (x, y) => lax.sort([x, y], { numKeys: 1 }),
    () => [X(), jnp.zeros([3, 4], { dtype: 'int32' })],
  ],
  lax_sort_key_val: [(x, y) => lax.sortKeyVal(x, y), () => [X(), jnp.zeros([3, 4], { dtype: 'int32' })]],
  top_k: [(x) => lax.topK(x, 2), () => [X()]],
  top_k_axis0: [(x) => lax.topK(x, 1, { axis: 0 }), () => [X()]],
  lax_argmax_i16: [(x) => lax.argmax(x, 1, 'int16'), () => [X()]],
  fused_argmax: [(x) => jnp.argmax(jnp.sin(x).mul(2.0), { axis: 1 }), () => [X()]],
  searchsorted_2d: [(a, v) => jnp.searchsorted(a, v), () => [jnp.zeros([4], { dtype: 'float32' }), X()]],
  searchsorted_right_unrolled: [
    (a, v) => jnp.searchsorted(a, v, { side: 'right', method: 'scan_unrolled' }),
    () => [jnp.zeros([4], { dtype: 'int32' }), jnp.zeros([2], { dtype: 'int32' })],
  ],
  searchsorted_compare_all: [
    (a, v) => jnp.searchsorted(a, v, { method: 'compare_all' }),
    () => [jnp.zeros([4], { dtype: 'float32' }), X()],
  ],
  searchsorted_sort: [
    (a, v) => jnp.searchsorted(a, v, { side: 'right', method: 'sort' }),
    () => [jnp.zeros([4], { dtype: 'float32' }), jnp.zeros([2], { dtype: 'float32' })],
  ],
  searchsorted_empty: [(a, v) => jnp.searchsorted(a, v), () => [jnp.zeros([0], { dtype: 'float32' }), X()]],
};

describe('jaxprs print as JAX prints them', () => {
  for (const { name, text } of fx.jaxprs as { name: string; text: string }[]) {
    it(name, () => {
      const [f, args] = JAXPRS[name];
      expect(String(makeJaxpr(f)(...args()))).toBe(text);
    });
  }
});

// ---- fusion and kernels -------------------------------------------------------------------------

describe('fusion', () => {
  const x = lax.reshape(jnp.arange(12, null, null, { dtype: 'float32' }), [3, 4]);

  it('an elementwise producer is the body of argmax', async () => {
    const f = jit((x: Value) => jnp.argmax(jnp.sin(x).mul(2), { axis: 1 }));
    expect(f.lower(x).compile().kernelCount).toBe(1);
    expect(await f(x).tolist()).toEqual(await jnp.argmax(jnp.sin(x).mul(2), { axis: 1 }).tolist());
  });

  it('an elementwise producer is the body of cumsum (also through jnp.cumsum, reshape and nested jit)', async () => {
    const f = jit((x: Value) => lax.cumsum(jnp.exp(x).sub(1), { axis: 0, reverse: true }));
    expect(f.lower(x).compile().kernelCount).toBe(1);
    const g = jit((x: Value) => jnp.cumsum(jnp.cos(x)));
    expect(g.lower(x).compile().kernelCount).toBe(1);
    expect(await g(x).tolist()).toEqual(await jnp.cumsum(jnp.cos(x)).tolist());
  });

  it('argmin and cummax keep a fused producer through a transpose', async () => {
    const f = jit((x: Value) => [
      jnp.argmin(lax.transpose(x.mul(-1), [1, 0]), { axis: 0 }),
      lax.cummax(jnp.cos(x), { axis: 1 }),
    ]);
    expect(f.lower(x).compile().kernelCount).toBe(2);
    const [a, b] = f(x) as Value[];
    expect(await a.tolist()).toEqual([3, 3, 3]);
    expect(await b.tolist()).toEqual(await lax.cummax(jnp.cos(x), { axis: 1 }).tolist());
  });

  it('sort and top_k materialize their operand once, then one library kernel', () => {
    expect(
      jit((x: Value) => jnp.sort(x.mul(2)))
        .lower(x)
        .compile().kernelCount,
    ).toBe(2);
    expect(
      jit((x: Value) => lax.topK(x.mul(2), 2))
        .lower(x)
        .compile().kernelCount,
    ).toBe(2);
    expect(
      jit((x: Value) => jnp.sort(x))
        .lower(x)
        .compile().kernelCount,
    ).toBe(1);
  });

  it("searchsorted's compare_all method is one fused compare-and-count kernel", async () => {
    const a = jnp.array([1, 2, 2, 3], { dtype: 'float32' });
    const v = jnp.array(
      [
        [0, 2],
        [2.5, 4],
      ],
      { dtype: 'float32' },
    );
    const f = jit((a: Value, v: Value) => jnp.searchsorted(a, v, { side: 'right', method: 'compare_all' }));
    expect(f.lower(a, v).compile().kernelCount).toBe(1);
    expect(await f(a, v).tolist()).toEqual([
      [0, 3],
      [3, 4],
    ]);
  });

  it('a long sort runs stably on many lines', async () => {
    const n = 2000;
    const vals = Array.from({ length: 3 * n }, (_, i) => (i * 7919) % 13);
    const m = lax.reshape(jnp.array(vals, { dtype: 'int32' }), [3, n]);
    const [s, idx] = lax.sort([m, lax.broadcastedIota('int32', [3, n], 1)], { dimension: 1 }) as Value[];
    const sd = (await s.data()) as Int32Array;
    const id = (await idx.data()) as Int32Array;
    for (let r = 0; r < 3; r++) {
      for (let j = 1; j < n; j++) {
        const p = r * n + j;
        expect(sd[p - 1] < sd[p] || (sd[p - 1] === sd[p] && id[p - 1] < id[p])).toBe(true);
      }
    }
  });
});

// ---- jnp.unique under tracing, reduce_and -------------------------------------------------------

describe('unique under jit', () => {
  it('needs a static size, with JAX error text otherwise', () => {
    const f = jit((x: Value) => jnp.unique(x) as Value);
    expect(() => f(jnp.array([3, 1, 2]))).toThrow(
      'The error arose for the first argument of jnp.unique(). To make jnp.unique() compatible with JIT and other transforms, you can specify a concrete value for the size argument',
    );
    expect(() => f(jnp.array([3, 1, 2]))).toThrow('traced array with shape int32[3]');
  });

  it('works with size, eager and jitted alike', async () => {
    const x = jnp.array([4, 4, 1, 9, 1, 1]);
    const g = (x: Value) => jnp.unique(x, { size: 4, fillValue: 0, returnCounts: true }) as Value[];
    const [u, c] = jit(g)(x);
    expect(await u.tolist()).toEqual([1, 4, 9, 0]);
    expect(await c.tolist()).toEqual([3, 2, 1, 0]);
    const [u2, c2] = g(x);
    expect(await u2.tolist()).toEqual(await u.tolist());
    expect(await c2.tolist()).toEqual(await c.tolist());
  });
});

describe('reduce_and starts from all ones (codegen REDUCE_INIT)', () => {
  it('for signed, unsigned and boolean operands', async () => {
    expect(await lax.reduceAnd(jnp.array([7, 13], { dtype: 'int32' }), [0]).tolist()).toBe(5);
    expect(await lax.reduceAnd(jnp.array([-1, -3], { dtype: 'int8' }), [0]).tolist()).toBe(-3);
    expect(await lax.reduceAnd(jnp.array([4294967295, 4294967294], { dtype: 'uint32' }), [0]).tolist()).toBe(
      4294967294,
    );
    expect(await lax.reduceAnd(jnp.array([255, 240], { dtype: 'uint8' }), [0]).tolist()).toBe(240);
    expect(await lax.reduceAnd(jnp.array([true, true]), [0]).tolist()).toBe(true);
    expect(await lax.reduceOr(jnp.array([4294967295, 0], { dtype: 'uint32' }), [0]).tolist()).toBe(
      4294967295,
    );
  });
});

describe('x64', () => {
  it('float64 sort and top_k use the same orders; indices are int64 where JAX uses the default int', async () => {
    const bits = new BigUint64Array([
      0x7ff8000000000000n,
      0x3ff0000000000000n,
      0xfff8000000000000n,
      0x8000000000000000n,
      0n,
      0xfff0000000000000n,
      0x7ff0000000000000n,
    ]);
    const r = withConfig({ enableX64: true }, () => {
      const x = lax.bitcastConvertType(jnp.array(bits, { dtype: 'uint64' }), 'float64');
      const [v, i] = lax.topK(x, 7);
      return {
        top: [v, i],
        sorted: jnp.sort(x),
        order: jnp.argsort(x),
        am: jnp.argmax(x),
        cs: jnp.cumsum(jnp.array([2 ** 40, 2 ** 40, 1], { dtype: 'int64' })),
        uniq: jnp.unique(jnp.array([2, 1, 2]), { returnInverse: true }) as Value[],
      };
    });
    const [v, i] = r.top;
    expect(v.dtype.name).toBe('float64');
    expect(await i.tolist()).toEqual([0, 6, 1, 4, 3, 5, 2]);
    const sv = (await r.sorted.tolist()) as number[];
    expect(sv.slice(0, 5)).toEqual([Number.NEGATIVE_INFINITY, -0, 0, 1, Number.POSITIVE_INFINITY]);
    expect(Object.is(sv[1], -0)).toBe(true);
    expect(r.order.dtype.name).toBe('int64');
    expect((await r.order.tolist()).map(Number)).toEqual([5, 3, 4, 1, 6, 0, 2]);
    expect(r.am.dtype.name).toBe('int64');
    expect(Number(await r.am.tolist())).toBe(0);
    expect((await r.cs.tolist()).map(Number)).toEqual([2 ** 40, 2 ** 41, 2 ** 41 + 1]);
    expect(r.uniq[1].dtype.name).toBe('int64');
    expect((await r.uniq[1].tolist()).map(Number)).toEqual([1, 0, 1]);
  });
});

describe('lt_to and le_to compare in IEEE totalOrder (XLA TOTALORDER)', () => {
  // -NaN < -inf < -1 < -0.0 < 0.0 < 1 < inf < NaN, the order JAX's sort comparators rely on.
  // JS has one NaN: -NaN is made from its bits (sign, all-ones exponent, quiet bit). The CPU
  // backend computes float16 through JS numbers, which drop a NaN's sign, so float16 starts at -inf.
  const cases = [
    ['float32', true],
    ['float16', false],
  ] as const;
  for (const [dtype, withNegNan] of cases) {
    it(dtype, async () => {
      const negNan = lax.bitcastConvertType(jnp.array(-4194304, { dtype: 'int32' }), 'float32');
      const ordered = [-Infinity, -1, -0, 0, 1, Infinity, Number.NaN];
      const x = withNegNan
        ? jnp.concatenate([jnp.reshape(negNan, [1]), jnp.array(ordered, { dtype })])
        : jnp.array(ordered, { dtype });
      const n = x.shape[0];
      const a = jnp.repeat(x, n);
      const b = jnp.tile(x, n);
      const lt = await bind1(lt_to, [a, b]).tolist();
      const le = await bind1(le_to, [a, b]).tolist();
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          expect(lt[i * n + j], `${i} < ${j}`).toBe(i < j);
          expect(le[i * n + j], `${i} <= ${j}`).toBe(i <= j);
        }
    });
  }
});
