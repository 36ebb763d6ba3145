/**
 * @file gather / scatter primitives, lax.gather/scatter*, NumPy indexing (getitem, at[] updates,
 * take, take_along_axis) against fixtures from JAX 0.10.2 (fixtures/make_indexing.py): values
 * eager and jitted, dtypes and weak types, printed jaxprs, error texts, and fusion of a gather
 * with its elementwise consumers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, lax, makeJaxpr } from '../../src/engine/index.js';

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/indexing.json', import.meta.url), 'utf8'),
) as {
  inputs: Record<string, { value: unknown; dtype: string }>;
  values: Record<
    string,
    { args: string[]; value: unknown; dtype: string; weak_type: boolean; shape: number[] }
  >;
  jaxprs: Record<string, { args: string[]; text: string }>;
  errors: Record<string, { type: string; message: string }>;
};

const { sl } = jnp;
const F = (v: unknown) => (v === 'nan' ? Number.NaN : v);
const input = (name: string): Value => {
  const spec = fixture.inputs[name];
  const decode = (v: unknown): unknown => (Array.isArray(v) ? v.map(decode) : F(v));
  return jnp.array(decode(spec.value), { dtype: spec.dtype });
};
const GDN = (o: Record<string, number[]>) => new lax.GatherDimensionNumbers(o);
const SDN = (o: Record<string, number[]>) => new lax.ScatterDimensionNumbers(o);
const arr = (v: unknown) => jnp.array(v);
const f32 = (v: unknown) => jnp.array(v, { dtype: 'float32' });

type Fn = (...args: any[]) => Value;

const CASES: Record<string, Fn> = {
  'x[0]': (x) => x.index(0),
  'x[1:3]': (x) => x.index(sl(1, 3)),
  'x[::-1]': (x) => x.index(sl(null, null, -1)),
  'x[::-2]': (x) => x.index(sl(null, null, -2)),
  'x[3:0:-1]': (x) => x.index(sl(3, 0, -1)),
  'x[-1]': (x) => x.index(-1),
  'x[7]': (x) => x.index(7),
  'x[-9]': (x) => x.index(-9),
  'x[:, None]': (x) => x.index([sl(null), null]),
  'x[None, 1, ..., None]': (x) => x.index([jnp.newaxis, 1, jnp.Ellipsis, null]),
  'x[..., 1]': (x) => x.index(['...', 1]),
  'x[1, ::2]': (x) => x.index([1, sl(null, null, 2)]),
  'x[i]': (x, i) => x.index(i),
  'x[i, 1]': (x, i) => x.index([i, 1]),
  'x[idx]': (x, i) => x.index(i),
  'x[idx2d]': (x, i) => x.index(i),
  'x[[1, 0], 1:]': (x) => x.index([[1, 0], sl(1, null)]),
  'x[:, [2, 0]]': (x) => x.index([sl(null), arr([2, 0])]),
  'x[[1, 0], :, [3, 0]]': (x) => x.index([arr([1, 0]), sl(null), arr([3, 0])]),
  'x[:, [2, 0], [3, 1]]': (x) => x.index([sl(null), arr([2, 0]), arr([3, 1])]),
  'x[1, :, [3, 1]]': (x) => x.index([1, sl(null), arr([3, 1])]),
  'x[[[0], [1]], [0, 2]]': (x) => x.index([arr([[0], [1]]), arr([0, 2])]),
  'x[mask]': (x) => x.index(arr([true, false, true, false, true])),
  'x[mask2d]': (x) =>
    x.index(
      arr([
        [true, false, true],
        [false, true, false],
      ]),
    ),
  'int x[idx]': (x, i) => x.index(i),
  'uint x[1:4]': (x) => x.index(sl(1, 4)),
  'bool x[idx]': (x, i) => x.index(i),
  'at[1].add(5)': (x) => x.at[1].add(5),
  'at[1].set(7) int': (x) => x.at[1].set(7),
  'at[dup].set': (x, i) => x.at(i).set(f32([1, 2, 3, 4])),
  'at[dup].add': (x, i) => x.at(i).add(1),
  'at[dup].mul': (x, i) => x.at(i).multiply(3),
  'at[dup].min': (x, i) => x.at(i).min(-1),
  'at[dup].max': (x, i) => x.at(i).max(10),
  'at[dup].add int': (x, i) => x.at(i).add(1),
  'at[dup].set clip': (x, i) => x.at(i).set(f32([1, 2, 3, 4]), { mode: 'clip' }),
  'at[1:3].set': (x) => x.at(sl(1, 3)).set(f32([9, 8])),
  'at[::2].add': (x) => x.at(sl(null, null, 2)).add(1),
  'at[::-2].set': (x) => x.at(sl(null, null, -2)).set(f32([7, 8, 9])),
  'at[:, 1].set': (x) => x.at([sl(null), 1]).set(f32([-1, -2])),
  'at[mask].set': (x) => x.at(arr([true, false, true, false, true])).set(0),
  'at[None, 1].set': (x) => x.at([null, 1]).set(f32([[5, 6, 7]])),
  'at[i].set traced': (x, i) => x.at(i).set(100),
  'at[idx].get fill': (x, i) => x.at(i).get({ mode: 'fill' }),
  'at[idx].get fill -1': (x, i) => x.at(i).get({ mode: 'fill', fillValue: -1 }),
  'at[idx].get clip': (x, i) => x.at(i).get({ mode: 'clip' }),
  'int at[idx].get fill': (x, i) => x.at(i).get({ mode: 'fill' }),
  'uint at[idx].get fill': (x, i) => x.at(i).get({ mode: 'fill' }),
  'bool at[idx].get fill': (x, i) => x.at(i).get({ mode: 'fill' }),
  'at[7].get fill': (x) => x.at[7].get({ mode: 'fill' }),
  take: (x, i) => jnp.take(x, i),
  'take axis=1': (x, i) => jnp.take(x, i, { axis: 1 }),
  'take axis=0 2d': (x, i) => jnp.take(x, i, { axis: 0 }),
  'take clip': (x, i) => jnp.take(x, i, { mode: 'clip' }),
  'take wrap': (x, i) => jnp.take(x, i, { mode: 'wrap' }),
  'take fill_value': (x, i) => jnp.take(x, i, { fillValue: -5 }),
  'take int': (x, i) => jnp.take(x, i),
  'take_along_axis 1': (x, i) => jnp.take_along_axis(x, i, 1),
  'take_along_axis 0': (x, i) => jnp.takeAlongAxis(x, i, 0),
  'take_along_axis None': (x, i) => jnp.take_along_axis(x, i, null),
  'take_along_axis bcast': (x) => jnp.take_along_axis(x, arr([[2], [0]]), 1),
  'lax.gather window': (x) =>
    lax.gather(
      x,
      arr([[0], [1], [2]]),
      GDN({ offset_dims: [1, 2], collapsed_slice_dims: [], start_index_map: [1] }),
      [2, 2],
    ),
  'lax.gather window fill': (x) =>
    lax.gather(
      x,
      arr([[0], [1], [2]]),
      GDN({ offset_dims: [1, 2], collapsed_slice_dims: [], start_index_map: [1] }),
      [2, 2],
      {
        mode: 'fill',
      },
    ),
  'lax.gather window clip': (x) =>
    lax.gather(
      x,
      arr([[0], [5], [-3]]),
      { offsetDims: [1, 2], collapsedSliceDims: [], startIndexMap: [1] },
      [2, 2],
      {
        mode: 'clip',
      },
    ),
  'lax.gather batching': (x) =>
    lax.gather(
      x,
      arr([[2], [0]]),
      GDN({
        offset_dims: [],
        collapsed_slice_dims: [1],
        start_index_map: [1],
        operand_batching_dims: [0],
        start_indices_batching_dims: [0],
      }),
      [1, 1],
    ),
  'lax.scatter_add window drop': (x) =>
    lax.scatterAdd(
      x,
      arr([[3], [1]]),
      jnp.ones([2, 3]),
      SDN({ update_window_dims: [1], inserted_window_dims: [], scatter_dims_to_operand_dims: [0] }),
    ),
  'lax.scatter_add window clip': (x) =>
    lax.scatterAdd(
      x,
      arr([[3], [1]]),
      jnp.ones([2, 3]),
      SDN({ update_window_dims: [1], inserted_window_dims: [], scatter_dims_to_operand_dims: [0] }),
      {
        mode: 'clip',
      },
    ),
  'lax.scatter 2d': (x) =>
    lax.scatter(
      x,
      arr([
        [1, 2],
        [0, 0],
      ]),
      f32([10, 20]),
      SDN({ update_window_dims: [], inserted_window_dims: [0, 1], scatter_dims_to_operand_dims: [0, 1] }),
    ),
  'lax.scatter_max rows': (x) =>
    lax.scatterMax(
      x,
      arr([[1], [1]]),
      f32([
        [9, 0, 9],
        [0, 9, 0],
      ]),
      SDN({ update_window_dims: [1], inserted_window_dims: [0], scatter_dims_to_operand_dims: [0] }),
    ),
  dynamic_index_in_dim: (x, i) => lax.dynamicIndexInDim(x, i, 1, false),
  dynamic_slice_in_dim: (x) => lax.dynamicSliceInDim(x, 3, 2),
  dynamic_update_index_in_dim: (x) => lax.dynamicUpdateIndexInDim(x, f32([7, 8, 9]), 1, 0),
};

const JAXPR_CASES: Record<string, Fn> = {
  'x[0]': CASES['x[0]'],
  'x[1:3]': CASES['x[1:3]'],
  'x[::-1]': CASES['x[::-1]'],
  'x[:, None]': CASES['x[:, None]'],
  'x[1, ::2]': CASES['x[1, ::2]'],
  'x[7]': CASES['x[7]'],
  'x[i]': CASES['x[i]'],
  'x[i, 1]': CASES['x[i, 1]'],
  'x[idx]': CASES['x[idx]'],
  'x[:, idx]': (x, i) => x.index([sl(null), i]),
  'x.at[1].add(5)': (x) => x.at[1].add(5),
  'x.at[idx].set(v)': (x, i, v) => x.at(i).set(v),
  'x.at[idx].max(v)': (x, i, v) => x.at(i).max(v),
  'two scatter-adds': (x) => x.at[1].add(5).at[2].add(1),
  'x.at[7].get fill': (x) => x.at[7].get({ mode: 'fill' }),
  'x.at[idx].get fill 0': (x, i) => x.at(i).get({ mode: 'fill', fillValue: 0 }),
  take: (x, i) => jnp.take(x, i, { axis: 0 }),
};

/** Nested lists with NaN as 'nan' (the fixture's encoding). */
function encode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(encode);
  return typeof v === 'number' && Number.isNaN(v) ? 'nan' : v;
}

async function listOf(x: Value): Promise<unknown> {
  return encode(await (x as any).tolist());
}

describe('indexing values against JAX', () => {
  it('covers every fixture case', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(fixture.values).sort());
  });
  for (const [name, spec] of Object.entries(fixture.values)) {
    it(name, async () => {
      const f = CASES[name];
      const args = spec.args.map(input);
      const eager = f(...args);
      expect(eager.shape).toEqual(spec.shape);
      expect(eager.dtype.name).toBe(spec.dtype);
      expect(eager.weakType).toBe(spec.weak_type);
      expect(await listOf(eager)).toEqual(spec.value);
      const jitted = jit(f)(...args);
      expect(jitted.dtype.name).toBe(spec.dtype);
      expect(await listOf(jitted)).toEqual(spec.value);
    });
  }
});

describe('indexing jaxprs print as JAX', () => {
  for (const [name, spec] of Object.entries(fixture.jaxprs)) {
    it(name, () => {
      const args = spec.args.map(input);
      expect(String(makeJaxpr(JAXPR_CASES[name])(...args))).toBe(spec.text);
    });
  }
});

describe('indexing errors', () => {
  const ERRORS: Record<string, () => unknown> = {
    'too many indices': () => jnp.zeros(3).index([0, 0]),
    'two ellipses': () => jnp.zeros(3).index(['...', '...']),
    'float index': () => jnp.zeros(3).index([f32([1])]),
    'string index': () => jnp.zeros(3).index('a'),
    'mask shape': () => jnp.zeros(3).index(arr([true, false])),
    'traced mask': () => jit((x: Value, m: Value) => x.index(m))(jnp.zeros(3), arr([true, false, true])),
    'empty axis': () => jnp.zeros([0]).index(0),
    'scatter dtype': () =>
      lax.scatter(
        jnp.zeros(5),
        arr([[3]]),
        jnp.ones([1], { dtype: 'int32' }),
        SDN({ update_window_dims: [], inserted_window_dims: [0], scatter_dims_to_operand_dims: [0] }),
      ),
    'gather index dtype': () =>
      lax.gather(
        jnp.zeros(5),
        f32([[1]]),
        GDN({ offset_dims: [], collapsed_slice_dims: [0], start_index_map: [0] }),
        [1],
      ),
    'gather start_index_map': () =>
      lax.gather(
        jnp.zeros(5),
        arr([[1, 2]]),
        GDN({ offset_dims: [], collapsed_slice_dims: [0], start_index_map: [0] }),
        [1],
      ),
    'gather slice size': () =>
      lax.gather(
        jnp.zeros(5),
        arr([[1]]),
        GDN({ offset_dims: [0], collapsed_slice_dims: [], start_index_map: [0] }),
        [6],
      ),
    'gather collapse': () =>
      lax.gather(
        jnp.zeros(5),
        arr([[1]]),
        GDN({ offset_dims: [], collapsed_slice_dims: [0], start_index_map: [0] }),
        [2],
      ),
  };
  it('covers every fixture case', () => {
    expect(Object.keys(ERRORS).sort()).toEqual(Object.keys(fixture.errors).sort());
  });
  for (const [name, spec] of Object.entries(fixture.errors)) {
    it(name, () => {
      let err: Error | null = null;
      try {
        ERRORS[name]();
      } catch (e) {
        err = e as Error;
      }
      expect(err).not.toBeNull();
      expect(err!.message).toBe(spec.message);
      // JS has no ValueError; JAX's ValueErrors are TypeErrors here.
      const type = spec.type === 'ValueError' ? 'TypeError' : spec.type;
      expect(err!.name).toBe(type);
    });
  }
});

describe('indexing fusion and kernels', () => {
  it('a gather feeding elementwise ops is one kernel', async () => {
    const f = jit((x: Value, i: Value) => x.index(i).mul(2).add(1).sin());
    const x = f32([0, 1, 2, 3, 4]);
    const i = arr([4, -1, 0]);
    expect(f.lower(x, i).compile().kernelCount).toBe(1);
    const want = [4, 4, 0].map((v) => Math.fround(Math.sin(Math.fround(Math.fround(v * 2) + 1))));
    expect(await f(x, i).tolist()).toEqual(want);
  });
  it('elementwise producers fuse into the gather', () => {
    const f = jit((x: Value, i: Value) => jnp.take(x.exp(), i, { axis: 1 }).add(1));
    expect(f.lower(jnp.ones([2, 3]), arr([2, 0])).compile().kernelCount).toBe(1);
  });
  it('a scatter is one library kernel after its operand', () => {
    const f = jit((x: Value, i: Value) => x.mul(2).at(i).add(1));
    const c = f.lower(f32([0, 1, 2]), arr([0, 0])).compile();
    expect(c.kernelCount).toBe(3);
    expect(
      jit((x: Value) => x.at[1].add(5))
        .lower(f32([0, 1, 2]))
        .compile().kernelCount,
    ).toBe(1);
  });
  it('scatter-add on float16, int64-free ints and bools', async () => {
    const h = jnp.array([1, 2, 3], { dtype: 'float16' });
    expect(
      await h
        .at(arr([0, 0]))
        .add(0.5)
        .tolist(),
    ).toEqual([2, 2, 3]);
    const b = arr([false, false, true]);
    expect(
      await b
        .at(arr([0, 2]))
        .set(true)
        .tolist(),
    ).toEqual([true, false, true]);
    const u = jnp.array([250, 3], { dtype: 'uint8' });
    expect(await u.at(0).add(10).tolist()).toEqual([4, 3]);
  });
  it('scatter-min and -max propagate NaN', async () => {
    const x = f32([1, 2]);
    expect(encode(await x.at(0).min(Number.NaN).tolist())).toEqual(['nan', 2]);
    expect(encode(await x.at(1).max(Number.NaN).tolist())).toEqual([1, 'nan']);
  });
});

describe('index objects', () => {
  it('sl follows Python slice arity', () => {
    expect(String(sl(3))).toBe('slice(None, 3, None)');
    expect(String(sl(1, 3))).toBe('slice(1, 3, None)');
    expect(String(new jnp.Slice(null, null, -1))).toBe('slice(None, None, -1)');
  });
  it('GatherScatterMode prints as JAX', () => {
    expect(String(lax.GatherScatterMode.FILL_OR_DROP)).toBe('GatherScatterMode.FILL_OR_DROP');
    expect(lax.GatherScatterMode.fromAny('clip')).toBe(lax.GatherScatterMode.CLIP);
    expect(() => lax.GatherScatterMode.fromAny('bogus')).toThrow('Unknown gather mode "bogus"');
  });
  it('concrete slice entries may be arrays; traced ones are rejected', async () => {
    const x = f32([0, 1, 2, 3]);
    expect(await x.index(sl(arr(1), arr(3))).tolist()).toEqual([1, 2]);
    expect(() => jit((x: Value, s: Value) => x.index(sl(s, null)))(x, arr(1))).toThrow(
      'Slice entries must be static integers.',
    );
  });
});
