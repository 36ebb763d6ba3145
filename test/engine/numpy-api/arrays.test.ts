/**
 * @file Creation, rearranging, selecting and dtype functions (numpy/grids.ts, rearrange.ts,
 * functional.ts, bits.ts, dtype-info.ts, host-data.ts, spacing.ts) against JAX 0.10.2: eagerly,
 * under jit, from the expression language, under grad and vmap where the fixture has them.
 * Expected values: fixtures/jnp_arrays.json, written by fixtures/make_jnp_arrays.py; cases whose
 * arguments are functions, dtypes or bytes have their tjax call in CALLS.
 */
import { describe, expect, it } from 'vitest';
import { numpy as jnp, type Value } from '../../../src/engine/index.js';
import { evaluateExpression } from '../../../src/expr/evaluate.js';
import { parseExpression } from '../../../src/expr/index.js';
import { type Call, loadCases, runFamily } from './harness.js';

const bytesOf = (v: Value) => {
  const d = (v as unknown as { dataSync(): ArrayBufferView }).dataSync();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
};

const CALLS: Record<string, Call> = {
  mask_indices: ([n]) => jnp.mask_indices(n as number, (a: Value, k: number) => jnp.triu(a, k), { k: 1 }),
  apply_along_axis: ([ax, a]) =>
    ax === 1
      ? jnp.apply_along_axis((v: Value) => jnp.sum(jnp.multiply(v, v)), 1, a)
      : jnp.apply_along_axis((v: Value) => jnp.multiply(jnp.flip(v), 2), 0, a),
  apply_over_axes: ([a, axes]) =>
    jnp.apply_over_axes((x: Value, ax: number) => jnp.sum(x, { axis: ax }), a, axes as number[]),
  fromfunction: ([s]) =>
    (s as number[])[0] === 3
      ? jnp.fromfunction((i: Value, j: Value) => jnp.add(jnp.multiply(i, 10), j), s as number[], {
          dtype: 'float32',
        })
      : jnp.fromfunction((i: Value, j: Value) => jnp.subtract(i, j), s as number[], { dtype: 'int32' }),
  piecewise: ([x]) => {
    const v = x as Value;
    return jnp.piecewise(
      v,
      [jnp.less(v, 0), jnp.greater_equal(v, 1)],
      [(t: Value) => jnp.negative(t), (t: Value) => jnp.multiply(t, t), 0.5],
    );
  },
  piecewise_consts: ([x]) => {
    const v = x as Value;
    return jnp.piecewise(v, [jnp.less(v, -1), jnp.greater(v, 1)], [1.0, 2.0]);
  },
  promote_types: ([a, b]) => jnp.promote_types(a as string, b as string).name,
  isdtype: ([d, k]) => jnp.isdtype(d as string, k as string),
  issubdtype: ([d, k]) => jnp.issubdtype(d as string, (jnp as unknown as Record<string, never>)[k as string]),
  frombuffer: ([b], kw) => jnp.frombuffer(bytesOf(b as Value), kw as never),
};

describe('jax.numpy creation, rearranging and dtype functions', () => {
  // Host-side answers (dtypes, booleans, strings) and value-dependent shapes are not jitted.
  const host = loadCases('arrays')
    .filter((c) =>
      /^(promote_types|can_cast|isdtype|issubdtype|frombuffer|fromstring|iterable|array_str|array_repr|mask_indices)/.test(
        c.fn,
      ),
    )
    .map((c) => c.name);
  runFamily('arrays', {
    calls: CALLS,
    noExpr: [
      'mask_indices',
      'apply_along_axis',
      'apply_over_axes',
      'fromfunction',
      'piecewise',
      'piecewise_consts',
      'frombuffer',
      'promote_types',
      'issubdtype',
    ],
    noJit: [
      ...host,
      'delete_array',
      'delete_bool',
      'compress',
      'compress_flat',
      'extract',
      'choose',
      'choose_raise',
    ],
    jaxprs: ['linspace'],
  });

  it('issubdtype and the abstract scalar types work from the expression language', () => {
    const ev = (src: string) => evaluateExpression(src, parseExpression(src), new Map());
    expect(ev("issubdtype('float32', floating)")).toBe(true);
    expect(ev('issubdtype(int32, jnp.inexact)')).toBe(false);
    expect(ev("promote_types('int8', 'uint8')")).toBe(jnp.int16);
  });
});
