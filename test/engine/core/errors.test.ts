/**
 * @file Error messages of the primitive families, word for word as JAX 0.10.2 raises them:
 * broadcasting, rank and dtype mismatches of lax's n-ary ops, each elementwise primitive's dtype
 * rule (on bool, int32, uint32 and float32 operands), select_n, clamp, integer_pow, reductions.
 *
 * Expected values: fixtures/core/errors.json, `str(exception)` of the calls in
 * fixtures/make_core.py (ERRORS) on JAX 0.10.2.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { jit, numpy as jnp, lax } from '../../../src/engine/index.js';
import { fixture } from './helpers.js';

const errors: Record<string, { type: string; message: string } | null> = fixture('errors.json').cases;

const ones = (shape: number | number[], dtype = 'float32') =>
  jnp.ones(typeof shape === 'number' ? [shape] : shape, { dtype });

/** Mirrors of fixtures/make_core.py's ERRORS (the dtype:/mismatch: families are generated below). */
const CASES: Record<string, () => unknown> = {
  jnp_add_broadcast: () => ones(3).add(ones(4)),
  lax_add_broadcast: () => lax.add(ones(3), ones(4)),
  lax_mul_broadcast_2d: () => lax.mul(ones([2, 3]), ones([3, 2])),
  jnp_add_2x3_3x2: () => ones([2, 3]).add(ones([3, 2])),
  jit_mul_broadcast: () => jit((a: Value, b: Value) => a.mul(b))(ones(3), ones(4)),
  lax_add_rank: () => lax.add(ones(3), ones([2, 3])),
  lax_add_rank_2_3: () => lax.add(ones([2, 3]), ones([1, 2, 3])),
  lax_add_dtype: () => lax.add(ones(3), ones(3, 'int32')),
  lax_mul_dtype: () => lax.mul(ones(3, 'int32'), ones(3, 'uint8')),
  lax_max_dtype: () => lax.max(ones(3, 'float16'), ones(3)),
  lax_sin_int: () => lax.sin(ones(3, 'int32')),
  lax_exp_bool: () => lax.exp(ones(3, 'bool')),
  lax_floor_int: () => lax.floor(ones(3, 'int32')),
  lax_and_float: () => lax.bitwiseAnd(ones(3), ones(3)),
  lax_not_float: () => lax.bitwiseNot(ones(3)),
  lax_shift_float: () => lax.shiftLeft(ones(3), ones(3)),
  lax_popcount_float: () => lax.populationCount(ones(3)),
  lax_atan2_int: () => lax.atan2(ones(3, 'int32'), ones(3, 'int32')),
  lax_pow_int: () => lax.pow(ones(3, 'int32'), ones(3, 'int32')),
  lax_neg_bool: () => lax.neg(ones(3, 'bool')),
  lax_abs_uint: () => lax.abs(ones(3, 'uint8')),
  lax_add_bool: () => lax.add(ones(3, 'bool'), ones(3, 'bool')),
  integer_pow_bool: () => lax.integerPow(ones(3, 'bool'), 2),
  lax_is_finite_int: () => lax.isFinite(ones(3, 'int32')),
  select_n_float_pred: () => lax.selectN(ones(3), ones(3), ones(3)),
  select_n_case_dtype: () => lax.selectN(ones(3, 'bool'), ones(3), ones(3, 'int32')),
  clamp_dtype: () => lax.clamp(jnp.array(0, { dtype: 'int32' }), ones(3), jnp.array(1, { dtype: 'float32' })),
  reshape_size: () => ones(3).reshape(2, 2),
  reduce_axis: () => jnp.sum(ones(3), { axis: 1 }),
  sub_bool: () => jnp.subtract(ones(3, 'bool'), ones(3, 'bool')),
  neg_bool: () => jnp.negative(ones(3, 'bool')),
  lax_add_scalar_array: () => lax.add(ones(3), jnp.array(1, { dtype: 'float32' })),
};

const UNARY: Record<string, (x: Value) => Value> = {
  neg: lax.neg,
  sign: lax.sign,
  floor: lax.floor,
  ceil: lax.ceil,
  round_away: (x) => lax.round(x, 0),
  round_even: (x) => lax.round(x, 1),
  abs: lax.abs,
  exp: lax.exp,
  exp2: lax.exp2,
  log: lax.log,
  log1p: lax.log1p,
  expm1: lax.expm1,
  sqrt: lax.sqrt,
  rsqrt: lax.rsqrt,
  cbrt: lax.cbrt,
  sin: lax.sin,
  cos: lax.cos,
  tan: lax.tan,
  asin: lax.asin,
  acos: lax.acos,
  atan: lax.atan,
  sinh: lax.sinh,
  cosh: lax.cosh,
  tanh: lax.tanh,
  asinh: lax.asinh,
  acosh: lax.acosh,
  atanh: lax.atanh,
  logistic: lax.logistic,
  erf: lax.erf,
  erfc: lax.erfc,
  erf_inv: lax.erfInv,
  lgamma: lax.lgamma,
  digamma: lax.digamma,
  is_finite: lax.isFinite,
  square: lax.square,
  integer_pow_2: (x) => lax.integerPow(x, 2),
  integer_pow_3: (x) => lax.integerPow(x, 3),
  integer_pow_m1: (x) => lax.integerPow(x, -1),
  integer_pow_m2: (x) => lax.integerPow(x, -2),
  not: lax.bitwiseNot,
  population_count: lax.populationCount,
  clz: lax.clz,
};
const BINARY: Record<string, (x: Value, y: Value) => Value> = {
  add: lax.add,
  sub: lax.sub,
  mul: lax.mul,
  div: lax.div,
  rem: lax.rem,
  pow: lax.pow,
  max: lax.max,
  min: lax.min,
  atan2: lax.atan2,
  nextafter: lax.nextafter,
  and: lax.bitwiseAnd,
  or: lax.bitwiseOr,
  xor: lax.bitwiseXor,
  shift_left: lax.shiftLeft,
  shift_right_logical: lax.shiftRightLogical,
  shift_right_arithmetic: lax.shiftRightArithmetic,
  eq: lax.eq,
  ne: lax.ne,
  lt: lax.lt,
  le: lax.le,
  gt: lax.gt,
  ge: lax.ge,
};

for (const key of Object.keys(errors)) {
  const [family, op, dt] = key.split(':');
  if (family === 'dtype') {
    CASES[key] = UNARY[op] ? () => UNARY[op](ones(3, dt)) : () => BINARY[op](ones(3, dt), ones(3, dt));
  } else if (family === 'mismatch') {
    CASES[key] = () => BINARY[op](ones(3, 'int32'), ones(3, 'uint32'));
  }
}

/** Where tjax's text is not JAX's, and why (kept short; each is reported). */
const KNOWN_DIFFERENCES: Record<string, string> = {};

function messageOf(f: () => unknown): string | null {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return null;
}

describe('error messages match JAX 0.10.2', () => {
  it('mirrors every fixture case', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(errors).sort());
  });
  for (const [key, want] of Object.entries(errors)) {
    if (KNOWN_DIFFERENCES[key]) continue;
    it(key, () => {
      const got = messageOf(CASES[key]);
      expect(got).toBe(want ? want.message : null);
    });
  }
});

describe('error types', () => {
  it('broadcast and dtype errors are TypeErrors, as in JAX', () => {
    expect(() => ones(3).add(ones(4))).toThrow(TypeError);
    expect(() => lax.sin(ones(3, 'int32'))).toThrow(TypeError);
    expect(() => lax.add(ones(3), ones(3, 'int32'))).toThrow(TypeError);
  });
  it('errors are raised at trace time under jit, with the same text', () => {
    const f = jit((a: Value) => lax.sin(a));
    expect(() => f(ones(3, 'int32'))).toThrow(errors.lax_sin_int!.message);
  });
});
