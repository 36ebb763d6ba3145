/**
 * @file vmap: every structural primitive and reduction batched at each axis agrees with a loop
 * over the batch (eager and under jit); in_axes/out_axes as pytree prefixes, null for unbatched,
 * negative axes, axisSize; JAX's errors for inconsistent sizes and out-of-range axes.
 */
import { describe, expect, it } from 'vitest';
import type { Array as Arr, Value } from '../../../src/engine/index.js';
import { grad, jit, numpy as jnp, lax, makeJaxpr, vmap } from '../../../src/engine/index.js';
import { expectClose, FIX } from './helpers.js';

const arr = (v: unknown) => jnp.array(v, { dtype: 'float32' });
/** Values 0.1, 0.2, ... in a shape, distinct so reductions have unique extrema. */
function ramp(shape: number[]): Value {
  const n = shape.reduce((a, b) => a * b, 1);
  return jnp.reshape(jnp.multiply(jnp.arange(n, null, null, { dtype: 'float32' }), 0.37).sin(), shape);
}

/** vmap(f) over axis `ax` of x vs stacking f of each slice. */
async function againstLoop(f: (x: Value) => Value, x: Value, ax: number): Promise<void> {
  const n = x.shape[ax];
  const rows = [];
  for (let i = 0; i < n; i++) rows.push(f(lax.squeeze(lax.sliceInDim(x, i, i + 1, 1, ax), [ax])));
  const expected = await (jnp.stack(rows) as Arr).tolist();
  await expectClose(vmap(f, { inAxes: ax })(x), expected, 1e-5);
  await expectClose(jit(vmap(f, { inAxes: ax }))(x), expected, 1e-5);
}

const STRUCTURAL: [string, (x: Value) => Value][] = [
  ['broadcast_in_dim', (v) => lax.broadcastInDim(v, [4, 2, 3], [1, 2])],
  ['reshape', (v) => lax.reshape(v, [3, 2])],
  ['transpose', (v) => lax.transpose(v, [1, 0])],
  ['squeeze', (v) => lax.squeeze(lax.reshape(v, [2, 1, 3]), [1])],
  ['rev', (v) => lax.rev(v, [1])],
  ['slice', (v) => lax.slice(v, [0, 1], [2, 3])],
  ['strided slice', (v) => lax.slice(v, [0, 0], [2, 3], [1, 2])],
  [
    'pad',
    (v) =>
      lax.pad(v, 0.5, [
        [1, 0, 0],
        [1, 2, 1],
      ]),
  ],
  ['concatenate', (v) => lax.concatenate([v, arr([[7, 8, 9]])], 0)],
  ['dynamic_slice', (v) => lax.dynamicSlice(v, [1, 1], [1, 2])],
  ['dynamic_update_slice', (v) => lax.dynamicUpdateSlice(v, arr([[5, 6]]), [1, 0])],
  ['iota (unbatched) + x', (v) => v.add(lax.broadcastedIota('float32', [2, 3], 1))],
  ['reduce_sum', (v) => lax.reduceSum(v, [1])],
  ['reduce_max', (v) => lax.reduceMax(v, [0])],
  ['reduce_min', (v) => lax.reduceMin(v, [0, 1])],
  ['reduce_prod', (v) => lax.reduceProd(v, [1])],
  ['reduce_and', (v) => lax.reduceAnd(lax.gt(v, 0), [1])],
  ['select_n with scalar predicate', (v) => lax.select(lax.gt(lax.reduceSum(v, [0, 1]), 0), v, v.neg())],
  ['clamp', (v) => lax.clamp(-0.5, v, 0.5)],
  ['mixed-rank elementwise', (v) => lax.add(v, lax.reduceSum(v, [0, 1]))],
];

describe('vmap of structural primitives and reductions matches a loop', () => {
  const x = ramp([4, 2, 3]);
  for (const [name, f] of STRUCTURAL) {
    for (const ax of [0, 1, 2]) {
      it(`${name} (in_axes=${ax})`, async () => {
        const xa = ax === 0 ? x : lax.transpose(x, ax === 1 ? [1, 0, 2] : [1, 2, 0]);
        await againstLoop(f, xa, ax);
      });
    }
  }
  it('batched padding value and batched dynamic indices (loop fallback)', async () => {
    const xs = ramp([3, 4]);
    const vs = arr([1, 2, 3]);
    const out = vmap((x: Value, v: Value) => lax.pad(x, v, [[1, 1, 0]]))(xs, vs);
    const rows = (await (xs as Arr).tolist()) as number[][];
    await expectClose(
      out,
      rows.map((r, i) => [i + 1, ...r, i + 1]),
    );
    const idx = jnp.array([0, 1, 2]);
    const ds = vmap((x: Value, i: Value) => lax.dynamicSlice(x, [i], [2]))(xs, idx);
    await expectClose(
      ds,
      rows.map((r, i) => r.slice(i, i + 2)),
    );
  });
});

describe('in_axes / out_axes / axisSize', () => {
  it('null in_axes broadcasts an argument; negative axes count from the end', async () => {
    const x = arr([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const y = arr([10, 20, 30]);
    await expectClose(vmap((a: Value, b: Value) => a.add(b), { inAxes: [0, null] })(x, y), [
      [11, 22, 33],
      [14, 25, 36],
    ]);
    await expectClose(vmap((a: Value) => jnp.sum(a), { inAxes: -1 })(x), [5, 7, 9]);
  });
  it('pytree prefixes for in_axes and out_axes', async () => {
    const p = {
      w: arr([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      b: arr([1, 1]),
    };
    const f = (q: { w: Value; b: Value }, x: Value) => ({ y: jnp.sum(q.w.mul(x)).add(q.b.sum()), z: q.b });
    const out = vmap(f, { inAxes: [{ w: 1, b: null }, 0], outAxes: { y: 0, z: null } })(p, arr([1, 2]));
    await expectClose(out.y, [1 + 3 + 5 + 2, (2 + 4 + 6) * 2 + 2]);
    await expectClose(out.z, [1, 1]);
    expect(() => vmap((x: Value) => x, { outAxes: null })(arr([1, 2]))).toThrow(
      'vmap has mapped output but out_axes is None',
    );
  });
  it('out_axes moves the batch dim; unbatched outputs are broadcast', async () => {
    const x = arr([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const out = vmap((a: Value) => a.mul(2), { outAxes: 1 })(x);
    expect(out.shape).toEqual([3, 2]);
    const c = vmap((_a: Value) => arr([7, 8]))(x);
    await expectClose(c, [
      [7, 8],
      [7, 8],
    ]);
    await expectClose(vmap((a: Value) => a.mul(2), { outAxes: -1 })(x), [
      [2, 8],
      [4, 10],
      [6, 12],
    ]);
  });
  it('axisSize with all in_axes null', async () => {
    const out = vmap((a: Value) => a.add(1), { inAxes: null, axisSize: 3 })(arr([1, 2]));
    await expectClose(out, [
      [2, 3],
      [2, 3],
      [2, 3],
    ]);
  });
  it('nested vmap, vmap of jit, and the staged program', async () => {
    const x = ramp([2, 3, 4]);
    const f = (a: Value) => jnp.sum(jnp.sin(a));
    const nested = vmap(vmap(f));
    const expected = await (jnp.sum(jnp.sin(x), { axis: 2 }) as Arr).tolist();
    await expectClose(nested(x), expected, 1e-5);
    await expectClose(vmap(vmap(jit(f)))(x), expected, 1e-5);
    const text = String(makeJaxpr(vmap(jit(f)))(x));
    // JAX 0.10.2 prints exactly this (its batching rule shifts the axes with NumPy).
    expect(text).toBe(
      [
        '{ lambda ; a:f32[2,3,4]. let',
        '    b:f32[2] = jit[',
        '      name=f',
        '      jaxpr={ lambda ; a:f32[2,3,4]. let',
        '          c:f32[2,3,4] = sin a',
        '          b:f32[2] = reduce_sum[',
        '            axes=(np.int64(1), np.int64(2))',
        '            out_sharding=None',
        '          ] c',
        '        in (b,) }',
        '    ] a',
        '  in (b,) }',
      ].join('\n'),
    );
  });
  it('vmap of grad with an unbatched argument', async () => {
    const g = vmap(
      grad((w: Value, x: Value) => jnp.sum(w.mul(x))),
      { inAxes: [null, 0] },
    );
    await expectClose(
      g(
        arr([1, 2]),
        arr([
          [1, 2],
          [3, 4],
        ]),
      ),
      [
        [1, 2],
        [3, 4],
      ],
    );
  });
});

describe('vmap errors', () => {
  it('inconsistent sizes (JAX text)', () => {
    expect(() => vmap((a: Value, b: Value) => a.add(b))(arr([1, 2, 3]), arr([1, 2, 3, 4]))).toThrow(
      FIX.errors.vmap_size_mismatch.message,
    );
  });
  it('axis out of range', () => {
    expect(() => vmap((x: Value) => x, { inAxes: 1 })(arr([1, 2, 3]))).toThrow(
      FIX.errors.vmap_axis_out_of_range.message,
    );
  });
  it('in_axes length must match the arguments', () => {
    expect(() => vmap((x: Value) => x, { inAxes: [0, 0] })(arr([1, 2, 3]))).toThrow(
      /len\(in_axes\)=2, len\(args\)=1/,
    );
  });
  it('no mapped axis and no axisSize', () => {
    expect(() => vmap((x: Value) => x, { inAxes: null })(arr([1, 2, 3]))).toThrow(
      /at least one non-None value in in_axes/,
    );
  });
});

describe('batched equations print as JAX 0.10.2 prints them', () => {
  // JAX's batching rules shift dimensions with NumPy, so they print as np.int64(k).
  const ones = (shape: number[]) => jnp.ones(shape, { dtype: 'float32' });
  it('broadcast_in_dim and broadcasting of an unbatched operand', () => {
    expect(String(makeJaxpr(vmap((x: Value) => lax.broadcastInDim(x, [2, 3], [1])))(ones([4, 3])))).toBe(
      [
        '{ lambda ; a:f32[4,3]. let',
        '    b:f32[4,2,3] = broadcast_in_dim[broadcast_dimensions=(0, np.int64(2))] a',
        '  in (b,) }',
      ].join('\n'),
    );
    const mul = vmap((x: Value, y: Value) => x.mul(y), { inAxes: [0, null] });
    expect(String(makeJaxpr(mul)(ones([4, 3]), ones([2, 1])))).toBe(
      [
        '{ lambda ; a:f32[4,3] b:f32[2,1]. let',
        '    c:f32[4,1,3] = broadcast_in_dim[broadcast_dimensions=(0, np.int64(2))] a',
        '    d:f32[1,2,1] = broadcast_in_dim[',
        '      broadcast_dimensions=(np.int64(1), np.int64(2))',
        '    ] b',
        '    e:f32[4,2,3] = mul c d',
        '  in (e,) }',
      ].join('\n'),
    );
  });
  it('reductions and argmax', () => {
    expect(String(makeJaxpr(vmap((x: Value) => jnp.argmax(x)))(ones([3, 2])))).toBe(
      [
        '{ lambda ; a:f32[3,2]. let',
        '    b:i32[3] = argmax[axes=(np.int64(1),) index_dtype=int32] a',
        '  in (b,) }',
      ].join('\n'),
    );
    expect(String(makeJaxpr(vmap((x: Value) => jnp.sum(x, { axis: 0 })))(ones([3, 2, 4])))).toBe(
      [
        '{ lambda ; a:f32[3,2,4]. let',
        '    b:f32[3,4] = reduce_sum[axes=(np.int64(1),) out_sharding=None] a',
        '  in (b,) }',
      ].join('\n'),
    );
  });
});
