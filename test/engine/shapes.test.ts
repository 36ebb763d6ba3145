/**
 * @file numpy shape manipulation and comparisons against JAX 0.10.2 (fixtures/shapes.json, made by
 * fixtures/make_shapes.py): values, shapes, dtypes and weak types, eager and jitted, error texts,
 * and fusion of chains of structural ops into one kernel.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConcretizationTypeError, jit, numpy as jnp, lax, type Value } from '../../src/engine/index.js';

interface Out {
  shape: number[];
  dtype: string;
  weak: boolean;
  data: (number | boolean | string)[];
}
const fx = JSON.parse(readFileSync(new URL('../../fixtures/shapes.json', import.meta.url), 'utf8')) as {
  ops: Record<string, Out>;
  weak: Record<string, Out>;
  errors: Record<string, { type: string; message: string } | null>;
};

const dec = (v: number | boolean | string) =>
  v === 'nan'
    ? Number.NaN
    : v === 'inf'
      ? Number.POSITIVE_INFINITY
      : v === '-inf'
        ? Number.NEGATIVE_INFINITY
        : v;

function inputs() {
  return {
    x1: jnp.arange(6, null, null, { dtype: 'float32' }),
    x2: jnp.arange(12, null, null, { dtype: 'float32' }).reshape(3, 4),
    x3: jnp.arange(24, null, null, { dtype: 'float32' }).reshape(2, 3, 4),
    i1: jnp.arange(5, null, null, { dtype: 'int32' }),
    i2: jnp.arange(6, null, null, { dtype: 'int32' }).reshape(2, 3),
    b1: jnp.array([true, false, true]),
    s1: jnp.array([1, 2, 4, 7, 11], { dtype: 'float32' }),
  };
}
type I = ReturnType<typeof inputs>;

const first3 = (x: Value) => lax.sliceInDim(x, 0, 3);
const nz = () =>
  jnp.array([
    [0, 1, 2],
    [3, 0, 0],
  ]);

/** Each case mirrors the lambda of the same name in fixtures/make_shapes.py. */
const OPS: Record<string, (I: I) => Value> = {
  reshape_neg1: (I) => jnp.reshape(I.x2, [2, -1]),
  reshape_3d: (I) => jnp.reshape(I.x1, [3, 1, 2]),
  reshape_scalar: () => jnp.reshape(jnp.array([5], { dtype: 'float32' }), []),
  ravel: (I) => jnp.ravel(I.x3),
  transpose_default: (I) => jnp.transpose(I.x3),
  transpose_axes: (I) => jnp.transpose(I.x3, [1, 0, 2]),
  swapaxes: (I) => jnp.swapaxes(I.x3, 0, 2),
  moveaxis: (I) => jnp.moveaxis(I.x3, 0, -1),
  moveaxis_multi: (I) => jnp.moveaxis(I.x3, [0, 1], [2, 0]),
  squeeze_all: (I) => jnp.squeeze(jnp.reshape(I.x1, [1, 6, 1])),
  squeeze_axis: (I) => jnp.squeeze(jnp.reshape(I.x1, [1, 6, 1]), 2),
  expand_dims_0: (I) => jnp.expand_dims(I.x1, 0),
  expand_dims_list: (I) => jnp.expandDims(I.x1, [0, -1]),
  concatenate_0: (I) => jnp.concatenate([I.x2, I.x2], { axis: 0 }),
  concatenate_1: (I) => jnp.concatenate([I.x2, jnp.ones([3, 1], { dtype: 'float32' })], { axis: 1 }),
  concatenate_none: (I) => jnp.concatenate([I.x2, I.x1], { axis: null }),
  concatenate_promote: (I) => jnp.concatenate([I.i1, jnp.array([0.5], { dtype: 'float32' })]),
  concatenate_int_bool: (I) => jnp.concatenate([I.i1, I.b1]),
  stack_0: (I) => jnp.stack([I.x1, I.x1.mul(2)]),
  stack_1: (I) => jnp.stack([I.x1, I.x1.mul(2)], { axis: 1 }),
  stack_neg: (I) => jnp.stack([I.x2, I.x2], { axis: -1 }),
  stack_scalars: () => jnp.stack([1.5, 2.5]),
  hstack_1d: (I) => jnp.hstack([I.x1, I.i1]),
  hstack_2d: (I) => jnp.hstack([I.x2, I.x2]),
  vstack_1d: (I) => jnp.vstack([I.x1, I.x1]),
  vstack_2d: (I) => jnp.vstack([I.x2, I.x2]),
  dstack: (I) => jnp.dstack([I.x1, I.x1]),
  column_stack: (I) => jnp.column_stack([I.x1, I.x1.add(1)]),
  split_sections_0: (I) => jnp.split(I.x1, 3)[0],
  split_sections_2: (I) => jnp.split(I.x1, 3)[2],
  split_indices_1: (I) => jnp.split(I.x2, [1, 3], { axis: 1 })[1],
  split_indices_2: (I) => jnp.split(I.x2, [1, 3], { axis: 1 })[2],
  array_split_0: (I) => jnp.array_split(I.i1, 3)[0],
  array_split_2: (I) => jnp.arraySplit(I.i1, 3)[2],
  tile_int: (I) => jnp.tile(I.i1, 2),
  tile_tuple: (I) => jnp.tile(I.i2, [2, 2]),
  tile_more: (I) => jnp.tile(I.i1, [2, 1, 2]),
  repeat_flat: (I) => jnp.repeat(I.i2, 2),
  repeat_axis: (I) => jnp.repeat(I.i2, 2, { axis: 0 }),
  repeat_list: (I) => jnp.repeat(I.i1, jnp.array([1, 0, 2, 1, 3]), { totalRepeatLength: 7 }),
  repeat_total_scalar: (I) => jnp.repeat(I.i1, 2, { totalRepeatLength: 7 }),
  flip_all: (I) => jnp.flip(I.x2),
  flip_axis: (I) => jnp.flip(I.x2, { axis: 1 }),
  fliplr: (I) => jnp.fliplr(I.x2),
  flipud: (I) => jnp.flipud(I.x2),
  roll_flat: (I) => jnp.roll(I.x2, 5),
  roll_axis: (I) => jnp.roll(I.x2, -1, { axis: 1 }),
  roll_multi: (I) => jnp.roll(I.x2, [1, 2], { axis: [0, 1] }),
  broadcast_to: (I) => jnp.broadcast_to(I.x1, [2, 6]),
  broadcast_arrays_0: (I) => jnp.broadcast_arrays(jnp.reshape(first3(I.x1), [3, 1]), I.i1)[0],
  broadcast_arrays_1: (I) => jnp.broadcastArrays(jnp.reshape(first3(I.x1), [3, 1]), I.i1)[1],
  atleast_1d: () => jnp.atleast_1d(jnp.array(3, { dtype: 'float32' })),
  atleast_2d: (I) => jnp.atleast_2d(I.x1),
  atleast_3d_1d: (I) => jnp.atleast_3d(I.x1),
  atleast_3d_2d: (I) => jnp.atleast3d(I.x2),
  pad_constant: (I) => jnp.pad(I.x2, 1),
  pad_constant_value: (I) =>
    jnp.pad(
      I.x2,
      [
        [1, 0],
        [0, 2],
      ],
      { constantValues: 9 },
    ),
  pad_edge: (I) =>
    jnp.pad(
      I.x2,
      [
        [1, 2],
        [2, 1],
      ],
      { mode: 'edge' },
    ),
  pad_reflect: (I) =>
    jnp.pad(
      I.x2,
      [
        [2, 2],
        [3, 3],
      ],
      { mode: 'reflect' },
    ),
  pad_symmetric: (I) =>
    jnp.pad(
      I.x2,
      [
        [2, 2],
        [3, 3],
      ],
      { mode: 'symmetric' },
    ),
  pad_wrap: (I) =>
    jnp.pad(
      I.x2,
      [
        [2, 2],
        [5, 3],
      ],
      { mode: 'wrap' },
    ),
  pad_int: (I) => jnp.pad(I.i1, [2, 1]),
  pad_reflect_big: (I) => jnp.pad(I.i1, [7, 6], { mode: 'reflect' }),
  pad_symmetric_big: (I) => jnp.pad(I.i1, [7, 11], { mode: 'symmetric' }),
  pad_wrap_big: (I) => jnp.pad(I.i1, [12, 3], { mode: 'wrap' }),
  pad_bool: (I) => jnp.pad(I.b1, 1),
  roll_dyn: (I) => jnp.roll(I.x2, 3, { axis: 1 }),
  roll_dyn_neg: (I) => jnp.roll(I.x2, -5, { axis: 1 }),
  tile_chain: (I) => jnp.tile(I.x1, 2).mul(3),
  triu: (I) => jnp.triu(I.x2),
  triu_k: (I) => jnp.triu(I.x2, 1),
  tril: (I) => jnp.tril(I.x2),
  tril_k: (I) => jnp.tril(I.x2, -1),
  tril_3d: (I) => jnp.tril(I.x3),
  meshgrid_xy_0: (I) => jnp.meshgrid(first3(I.x1), I.i1)[0],
  meshgrid_xy_1: (I) => jnp.meshgrid(first3(I.x1), I.i1)[1],
  meshgrid_ij_0: (I) => jnp.meshgrid(first3(I.x1), I.i1, { indexing: 'ij' })[0],
  meshgrid_ij_1: (I) => jnp.meshgrid(first3(I.x1), I.i1, { indexing: 'ij' })[1],
  append_flat: (I) => jnp.append(I.x2, I.i1),
  append_axis: (I) => jnp.append(I.x2, I.x2, { axis: 0 }),
  insert_flat: (I) => jnp.insert(I.i1, 2, 9),
  insert_axis: (I) => jnp.insert(I.x2, 1, 7.5, { axis: 1 }),
  insert_list: (I) => jnp.insert(I.i1, jnp.array([3, 0, 3, -1]), jnp.array([10, 11, 12, 13])),
  insert_clipped: (I) => jnp.insert(I.i1, jnp.array([9, -9]), 7),
  insert_slice: (I) => jnp.insert(I.x2, jnp.sl(0, 4, 2), jnp.array([[1.5], [2.5], [3.5]]), { axis: 1 }),
  insert_rows: (I) => jnp.insert(I.x2, 2, jnp.array([-1.0, -2.0, -3.0, -4.0]), { axis: 0 }),
  insert_scalar_array: (I) => jnp.insert(I.x2, jnp.array(-1), jnp.array([5.0, 6.0, 7.0]), { axis: 1 }),
  insert_traced: (I) => jit((i: Value) => jnp.insert(I.i1, i, 42))(jnp.array([4, 1])),
  diff: (I) => jnp.diff(I.s1),
  diff_n2: (I) => jnp.diff(I.s1, { n: 2 }),
  diff_axis0: (I) => jnp.diff(I.x2, { axis: 0 }),
  diff_bool: (I) => jnp.diff(I.b1),
  ediff1d: (I) => jnp.ediff1d(I.x2),
  flip_transpose_chain: (I) => jnp.flip(jnp.transpose(I.x2)).mul(2).add(1),
  allclose_true: (I) => jnp.allclose(I.x1, I.x1.add(1e-6)),
  allclose_false: (I) => jnp.allclose(I.x1, I.x1.add(1e-3)),
  isclose: () =>
    jnp.isclose(
      jnp.array([1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e6], {
        dtype: 'float32',
      }),
      jnp.array([1.00001, Number.NaN, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 1.00001e6], {
        dtype: 'float32',
      }),
    ),
  isclose_nan: () =>
    jnp.isclose(
      jnp.array([1, Number.NaN], { dtype: 'float32' }),
      jnp.array([1, Number.NaN], { dtype: 'float32' }),
      {
        equalNan: true,
      },
    ),
  isclose_int: (I) => jnp.isclose(I.i1, I.i1.add(1), { atol: 1 }),
  isclose_scalar: (I) => jnp.isclose(I.x1, 2.0),
  array_equal_true: (I) => jnp.array_equal(I.i2, I.i2),
  array_equal_false: (I) => jnp.array_equal(I.i2, I.i2.add(1)),
  array_equal_shape: (I) => jnp.arrayEqual(I.i2, I.i1),
  array_equal_nan: () =>
    jnp.array_equal(jnp.array([Number.NaN, 1]), jnp.array([Number.NaN, 1]), { equalNan: true }),
  array_equiv_true: () =>
    jnp.array_equiv(
      jnp.array([1, 2]),
      jnp.array([
        [1, 2],
        [1, 2],
      ]),
    ),
  array_equiv_false: () => jnp.array_equiv(jnp.array([1, 2]), jnp.array([1, 3])),
  count_nonzero: () => jnp.count_nonzero(nz()),
  count_nonzero_axis: () => jnp.countNonzero(nz(), { axis: 0 }),
  nonzero_0: () => jnp.nonzero(nz())[0],
  nonzero_1: () => jnp.nonzero(nz())[1],
  nonzero_bool: (I) => jnp.nonzero(I.b1)[0],
  nonzero_size: () => jnp.nonzero(jnp.array([0, 5, 0, 6, 7]), { size: 2 })[0],
  nonzero_size_fill: () => jnp.nonzero(jnp.array([0, 5, 0, 6, 7]), { size: 5, fillValue: -1 })[0],
  argwhere: () => jnp.argwhere(nz()),
  flatnonzero: () => jnp.flatnonzero(nz()),
};

/** Cases whose output size depends on values: concrete only (JAX needs `size` under jit). */
const EAGER_ONLY = new Set(['nonzero_0', 'nonzero_1', 'nonzero_bool', 'argwhere', 'flatnonzero']);

async function expectMatches(got: Value, want: Out) {
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype.name).toBe(want.dtype);
  expect(got.weakType).toBe(want.weak);
  const data = Array.from((await (got as any).data()) as ArrayLike<number>, (v) =>
    want.dtype === 'bool' ? v !== 0 : Number(v),
  );
  expect(data).toEqual(want.data.map(dec));
}

describe('numpy shape functions vs JAX 0.10.2', () => {
  it('covers every fixture case', () => {
    expect(Object.keys(OPS).sort()).toEqual(Object.keys(fx.ops).sort());
  });
  for (const [name, f] of Object.entries(OPS)) {
    it(`${name} (eager)`, async () => {
      await expectMatches(f(inputs()), fx.ops[name]);
    });
    if (EAGER_ONLY.has(name)) continue;
    it(`${name} (jit)`, async () => {
      await expectMatches(jit((I: I) => f(I))(inputs()), fx.ops[name]);
    });
  }
});

describe('weak types', () => {
  const weak = (I: I) => lax.convertElementType(I.x1, 'float32', true);
  const WEAK: Record<string, (I: I) => Value> = {
    weak_concatenate: (I) => jnp.concatenate([weak(I), I.x1]),
    weak_concatenate_both: (I) => jnp.concatenate([weak(I), weak(I)]),
    weak_reshape: (I) => jnp.reshape(weak(I), [2, 3]),
    weak_flip: (I) => jnp.flip(weak(I)),
    weak_pad: (I) => jnp.pad(weak(I), 1),
    weak_tile: (I) => jnp.tile(weak(I), 2),
  };
  for (const [name, f] of Object.entries(WEAK)) {
    it(name, async () => {
      await expectMatches(f(inputs()), fx.weak[name]);
      await expectMatches(jit((I: I) => f(I))(inputs()), fx.weak[name]);
    });
  }
});

describe('error texts', () => {
  const ERRORS: Record<string, () => unknown> = {
    reshape_size: () => jnp.reshape(jnp.arange(3), [2, 2]),
    reshape_two_neg1: () => jnp.reshape(jnp.arange(4), [-1, -1]),
    reshape_neg1_indivisible: () => jnp.reshape(jnp.arange(5), [2, -1]),
    concatenate_dims: () => jnp.concatenate([jnp.zeros([2, 3]), jnp.zeros([2, 4])]),
    concatenate_rank: () => jnp.concatenate([jnp.zeros([2, 3]), jnp.zeros([3])]),
    concatenate_0d: () =>
      jnp.concatenate([jnp.array(1, { dtype: 'float32' }), jnp.array(2, { dtype: 'float32' })]),
    concatenate_empty: () => jnp.concatenate([]),
    concatenate_axis: () => jnp.concatenate([jnp.zeros([2, 3])], { axis: 2 }),
    stack_empty: () => jnp.stack([]),
    stack_shapes: () => jnp.stack([jnp.zeros(2), jnp.zeros(3)]),
    squeeze_non1: () => jnp.squeeze(jnp.zeros([2, 3]), 0),
    split_unequal: () => jnp.split(jnp.arange(5), 2),
    expand_dims_axis: () => jnp.expand_dims(jnp.zeros(3), 3),
    broadcast_to: () => jnp.broadcast_to(jnp.zeros(3), [2, 4]),
    broadcast_shapes: () => jnp.broadcast_shapes([2, 3], [4]),
    swapaxes_axis: () => jnp.swapaxes(jnp.zeros([2, 3]), 0, 2),
    transpose_axes: () => jnp.transpose(jnp.zeros([2, 3]), [0, 0]),
    moveaxis_repeat: () => jnp.moveaxis(jnp.zeros([2, 3]), [0, 0], [0, 1]),
    triu_1d: () => jnp.triu(jnp.zeros(3)),
    meshgrid_2d: () => jnp.meshgrid(jnp.zeros([2, 2]), jnp.zeros(2)),
  };
  for (const [name, f] of Object.entries(ERRORS)) {
    it(name, () => {
      const want = fx.errors[name];
      expect(want).not.toBeNull();
      expect(f).toThrow(want!.message);
      // The same text when traced.
      expect(() => jit(() => f())()).toThrow(want!.message);
    });
  }
  it('diff of a 0-d array', () => {
    expect(() => jnp.diff(jnp.array(1, { dtype: 'float32' }))).toThrow(
      /^diff requires input that is at least one dimensional; got /,
    );
  });
  it('array_equiv of unbroadcastable shapes is False (JAX 0.10.2 lets a TypeError escape)', async () => {
    expect(fx.errors.array_equiv_unbroadcastable!.type).toBe('TypeError');
    expect(await jnp.array_equiv(jnp.array([1, 2]), jnp.array([1, 2, 3])).item()).toBe(false);
  });
  it('nonzero without size under jit is a concretization error', () => {
    expect(() => jit((x: Value) => jnp.nonzero(x)[0])(jnp.array([1, 0]))).toThrow(ConcretizationTypeError);
    expect(() => jnp.nonzero(jnp.array(1))).toThrow('Calling nonzero on 0d arrays is not allowed');
  });
});

describe('traced arguments', () => {
  it('roll by a traced shift', async () => {
    const f = jit((x: Value, s: Value) => jnp.roll(x, s, { axis: 1 }));
    const { x2 } = inputs();
    await expectMatches(f(x2, jnp.array(3)), fx.ops.roll_dyn);
    await expectMatches(f(x2, jnp.array(-5)), fx.ops.roll_dyn_neg);
  });
  it('nonzero with size on a traced array', async () => {
    const f = jit((x: Value) => jnp.nonzero(x, { size: 5, fillValue: -1 })[0]);
    await expectMatches(f(jnp.array([0, 5, 0, 6, 7])), fx.ops.nonzero_size_fill);
    const g = jit((x: Value) => jnp.argwhere(x, { size: 3 }));
    await expectMatches(g(nz()), fx.ops.argwhere);
  });
  it('stack of traced values through jnp.array', async () => {
    const f = jit((a: Value, b: Value) => jnp.array([a, b]));
    const out = f(jnp.array(1.5, { dtype: 'float32' }), jnp.array(2.5, { dtype: 'float32' }));
    expect(out.shape).toEqual([2]);
    expect(await (out as any).tolist()).toEqual([1.5, 2.5]);
  });
});

describe('fusion', () => {
  const kernels = (f: (...a: Value[]) => Value, ...args: Value[]) =>
    jit(f)
      .lower(...args)
      .compile().kernelCount;
  const { x1, x2, x3 } = inputs();
  const CHAINS: [string, (x: Value) => Value, Value][] = [
    ['flip(transpose(x)) * 2 + 1', (x) => jnp.flip(jnp.transpose(x)).mul(2).add(1), x2],
    ['concatenate([x, flip(x)]) + 1', (x) => jnp.concatenate([x, jnp.flip(x)]).add(1), x2],
    ['pad(roll(x)) * 3', (x) => jnp.pad(jnp.roll(x, 2, { axis: 0 }), 1).mul(3), x2],
    ['sin(tile(repeat(x)))', (x) => jnp.tile(jnp.repeat(x, 2), 3).sin(), x1],
    ['triu(swapaxes(x)) - 1', (x) => jnp.triu(jnp.swapaxes(x, 0, 1)).sub(1), x2],
    [
      'stack([x, 2x]).reshape(-1) + 1',
      (x) =>
        jnp
          .stack([x, x.mul(2)], { axis: 1 })
          .reshape(-1)
          .add(1),
      x1,
    ],
    [
      'exp(moveaxis(pad reflect))',
      (x) =>
        jnp
          .moveaxis(
            jnp.pad(
              x,
              [
                [0, 0],
                [1, 1],
                [2, 2],
              ],
              { mode: 'reflect' },
            ),
            0,
            -1,
          )
          .exp(),
      x3,
    ],
    ['diff(squeeze(expand_dims(x)))', (x) => jnp.diff(jnp.squeeze(jnp.expand_dims(x, 0))), x1],
    ['where-free tril of broadcast_to', (x) => jnp.tril(jnp.broadcast_to(x, [6, 6])).mul(x), x1],
  ];
  for (const [name, f, x] of CHAINS) {
    it(`${name} is one kernel`, () => {
      expect(kernels(f, x)).toBe(1);
    });
  }
  it('a cheap shared value read at two indices is recomputed in one kernel (roll of a pad)', () => {
    expect(kernels((x) => jnp.roll(jnp.pad(x, 1), 2, { axis: 0 }).mul(3), x2)).toBe(1);
  });

  it('an expensive shared value read at two indices is written once (roll of tanh(exp))', () => {
    const f = (x: Value) => jnp.roll(jnp.tanh(jnp.exp(jnp.sin(jnp.cos(x)))), 2, { axis: 0 }).mul(3);
    expect(kernels(f, x2)).toBe(2);
  });
});

describe('small helpers', () => {
  it('shape, ndim, size, broadcast_shapes, isscalar', () => {
    const { x3 } = inputs();
    expect(jnp.shape(x3)).toEqual([2, 3, 4]);
    expect(jnp.ndim(x3)).toBe(3);
    expect(jnp.size(x3)).toBe(24);
    expect(jnp.size(x3, -1)).toBe(4);
    expect(jnp.broadcast_shapes([3, 1], [4], [])).toEqual([3, 4]);
    expect(jnp.isscalar(1.5)).toBe(true);
    expect(jnp.isscalar(jnp.array(2))).toBe(true);
    expect(jnp.isscalar(x3)).toBe(false);
    expect(jnp.iscomplexobj(x3)).toBe(false);
    expect(jnp.isrealobj(x3)).toBe(true);
  });
  it('atleast_nd with several arguments returns a list', () => {
    const out = jnp.atleast_2d(1, jnp.zeros(3)) as Value[];
    expect(out.map((v) => v.shape)).toEqual([
      [1, 1],
      [1, 3],
    ]);
  });
  it('meshgrid sparse', () => {
    const [a, b] = jnp.meshgrid(jnp.zeros(3), jnp.zeros(4), { sparse: true });
    expect(a.shape).toEqual([1, 3]);
    expect(b.shape).toEqual([4, 1]);
  });
  it('split pieces and concatenate of an array operand', async () => {
    const { x2 } = inputs();
    expect(jnp.split(x2, [1, 3], { axis: 0 }).map((p) => p.shape)).toEqual([
      [1, 4],
      [2, 4],
      [0, 4],
    ]);
    // JAX 0.10.2 does not clamp indices as NumPy does: an index past the end is an error.
    expect(() => jnp.split(x2, [1, 3, 10], { axis: 0 })).toThrow(
      'Sizes passed to split must be nonnegative, got [np.int64(1), np.int64(2), np.int64(7), np.int64(-7)]',
    );
    const c = jnp.concatenate(jnp.reshape(jnp.arange(12), [2, 3, 2]), { axis: 1 });
    expect(await (c as any).tolist()).toEqual([
      [0, 1, 6, 7],
      [2, 3, 8, 9],
      [4, 5, 10, 11],
    ]);
  });
});
