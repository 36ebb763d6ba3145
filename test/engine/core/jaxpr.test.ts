/**
 * @file Jaxpr text: tjax mirrors of Python functions print exactly what JAX 0.10.2 prints.
 *
 * Expected values: fixtures/core/jaxprs.json, `str(jax.make_jaxpr(f)(*args))` for the functions
 * in fixtures/make_core.py (JAXPRS); each TS function below mirrors the Python one of that name.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { jit, numpy as jnp, lax, makeJaxpr } from '../../../src/engine/index.js';
import { fixture } from './helpers.js';

const cases: { name: string; text: string }[] = fixture('jaxprs.json').cases;
const expected = new Map(cases.map((c) => [c.name, c.text]));

const spec = (shape: number[], dtype = 'float32') => jnp.zeros(shape, { dtype });
const f32 = (...shape: number[]) => spec(shape);
const CONST = jnp.array([1, 2, 3], { dtype: 'float32' });

function longFn(x: Value): Value {
  let y = x;
  for (let i = 0; i < 3; i++) {
    y = jnp.tanh(jnp.sin(y).mul(jnp.cos(y)).add(jnp.exp(y.neg()))).div(jnp.add(1, jnp.abs(y)));
  }
  return y;
}

const MIRRORS: Record<string, [(...a: any[]) => unknown, Value[]]> = {
  sin: [(x) => jnp.sin(x), [f32(3)]],
  mul_int_literal: [(x) => x.mul(2), [f32(3)]],
  add_point_one: [(x) => x.add(0.1), [f32(3)]],
  softmax: [(x) => jnp.exp(x).div(jnp.sum(jnp.exp(x))), [f32(4)]],
  mixed_int_float: [(x, y) => x.add(y), [f32(3), spec([3], 'int32')]],
  int_times_float_scalar: [(x) => x.mul(2.5), [spec([3], 'int32')]],
  broadcast_3x1_plus_4: [(x, y) => x.add(y), [f32(3, 1), f32(4)]],
  sum_axis1: [(x) => jnp.sum(x, { axis: 1 }), [f32(3, 4)]],
  max_keepdims: [(x) => jnp.max(x, { axis: 0, keepdims: true }), [f32(3, 4)]],
  mean: [(x) => jnp.mean(x), [f32(3, 4)]],
  mean_axis0: [(x) => jnp.mean(x, { axis: 0 }), [f32(3, 4)]],
  nested_jit: [
    (x) => {
      const inner = jit(function inner(y: Value) {
        return y.mul(2.0);
      });
      return inner(x).add(1.0);
    },
    [f32(3)],
  ],
  nested_jit_twice: [
    (x) => {
      const inner = jit(function inner(y: Value) {
        return jnp.sin(y).mul(2.0);
      });
      return inner(inner(x));
    },
    [f32(3)],
  ],
  unused_result: [
    (x) => {
      jnp.sin(x);
      return jnp.cos(x);
    },
    [f32()],
  ],
  closed_over_const: [(x) => x.mul(CONST), [f32(3)]],
  long_wrap: [longFn, [f32(5)]],
  many_args: [(...xs: Value[]) => xs.reduce((a, b) => a.add(b)), Array.from({ length: 12 }, () => f32(2, 3))],
  arange_inside: [(x) => x.add(jnp.arange(3)), [f32(3)]],
  iota_int: [(x) => x.mul(lax.iota('int32', 4)), [spec([4], 'int32')]],
  square_pow: [(x) => x.pow(2), [f32(3)]],
  cube_pow: [(x) => x.pow(3), [f32(3)]],
  lax_round: [(x) => lax.round(x), [f32(3)]],
  lax_round_even: [(x) => lax.round(x, 1), [f32(3)]],
  clamp: [(x) => lax.clamp(0.0, x, 1.0), [f32(3)]],
  select: [(p, x, y) => lax.select(p, x, y), [spec([3], 'bool'), f32(3), f32(3)]],
  where: [(x) => jnp.where(x.gt(0), x, 0.5), [f32(3)]],
  where_int_cond: [(c, x) => jnp.where(c, x, 2), [spec([3], 'int32'), f32(3)]],
  where_arrays: [(c, x, y) => jnp.where(c, x, y), [spec([3], 'bool'), f32(3), f32(3)]],
  clip: [(x) => jnp.clip(x, 0.5, 1.5), [f32(3)]],
  clip_max_only: [(x) => jnp.clip(x, null, 2.5), [f32(3)]],
  clip_int_bounds: [(x) => jnp.clip(x, 0, 1), [f32(3)]],
  sum_bool: [(x) => jnp.sum(x), [spec([3], 'bool')]],
  two_outputs: [(x) => [jnp.sin(x), jnp.cos(x)], [f32(2)]],
  cmp_and: [(x) => x.gt(0).and(x.lt(1)), [f32(3)]],
  u8_plus_i8: [(x, y) => x.add(y), [spec([3], 'uint8'), spec([3], 'int8')]],
  u32_plus_i32: [(x, y) => x.add(y), [spec([3], 'uint32'), spec([3], 'int32')]],
  bool_plus_one: [(x) => x.add(1), [spec([3], 'bool')]],
  exp_sum_div3: [(x) => jnp.sum(jnp.exp(x)).div(3), [f32(3)]],
};

describe('jaxpr text matches JAX 0.10.2', () => {
  it('mirrors every fixture case (and at least 15)', () => {
    expect(Object.keys(MIRRORS).sort()).toEqual([...expected.keys()].sort());
    expect(expected.size).toBeGreaterThanOrEqual(15);
  });
  for (const [name, [f, args]] of Object.entries(MIRRORS)) {
    it(name, () => {
      expect(String(makeJaxpr(f)(...args))).toBe(expected.get(name));
    });
  }
});

describe('jaxpr printing details', () => {
  it('wraps past 80 columns and fills many binders', () => {
    for (const name of ['long_wrap', 'many_args']) {
      const lines = expected.get(name)!.split('\n');
      expect(lines.length).toBeGreaterThan(3);
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(90);
    }
  });
  it('jit(f).lower(x).asText() is the jaxpr of f', () => {
    const f = jit((x: Value) => jnp.sin(x));
    expect(f.lower(f32(3)).asText()).toBe(expected.get('sin'));
  });
  it('the jaxprs of where/clip run and give the values of NumPy', async () => {
    const x = jnp.array([-1, 0.25, 2], { dtype: 'float32' });
    expect(await jnp.where(x.gt(0), x, 0.5).tolist()).toEqual([0.5, 0.25, 2]);
    expect(await jnp.clip(x, 0.5, 1.5).tolist()).toEqual([0.5, 0.5, 1.5]);
    expect(await jit((v: Value) => jnp.clip(v, 0, 1))(x).tolist()).toEqual([0, 0.25, 1]);
    expect(await jnp.where(true, x, 0).tolist()).toEqual([-1, 0.25, 2]);
  });
});
