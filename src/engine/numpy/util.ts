/**
 * @file Shared plumbing of the numpy namespace: argument coercion with JAX's promotion and
 * NumPy's rank promotion, dtype options, and the broadcast helpers.
 */
import { ArrayImpl } from '../core/array.js';
import { deviceScalar, scalarArray, toValue } from '../core/coerce.js';
import {
  type DType,
  type DTypeLike,
  defaultFloat,
  defaultInt,
  promoteTypes,
  requestDType,
} from '../core/dtype.js';
import { broadcastShapes, normalizeAxis } from '../core/shape.js';
import { bind1, type Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import { broadcastInDim, reshape } from '../lax/structural.js';
import { broadcast_in_dim } from '../primitives/structural.js';

export type ArrayLike = Value | number | boolean | bigint | readonly unknown[] | ArrayLikeTyped;
type ArrayLikeTyped =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint32Array
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array;

export function asValue(x: unknown): Value {
  return toValue(x);
}

/** jnp's promote_dtypes: convert every argument to the promoted (dtype, weak type). */
export function promoteArgs(...xs: unknown[]): Value[] {
  const vals = xs.map(toValue);
  const { dtype, weakType } = promoteTypes(...vals.map((v) => ({ dtype: v.dtype, weakType: v.weakType })));
  return vals.map((v) => convertElementType(v, dtype, weakType));
}

/** jnp's promote_dtypes_inexact: one conversion per argument, to the inexact (float or complex) promoted dtype. */
export function promoteArgsInexact(...xs: unknown[]): Value[] {
  const vals = xs.map(toValue);
  const key = vals.find((v) => v.dtype.isKey);
  // jnp's to_inexact_dtype cannot read a key dtype as a number type.
  if (key) throw new TypeError(`Cannot interpret '${key.dtype.name}' as a data type`);
  const { dtype, weakType } = promoteTypes(...vals.map((v) => ({ dtype: v.dtype, weakType: v.weakType })));
  const to = dtype.isInexact ? dtype : defaultFloat();
  return vals.map((v) => convertElementType(v, to, weakType));
}

/** jnp's promote_dtypes_numeric: as promoteArgs, with bool promoted to the default int. */
export function promoteArgsNumeric(...xs: unknown[]): Value[] {
  const vals = xs.map(toValue);
  const { dtype, weakType } = promoteTypes(...vals.map((v) => ({ dtype: v.dtype, weakType: v.weakType })));
  const to = dtype.isBool ? defaultInt() : dtype;
  return vals.map((v) => convertElementType(v, to, weakType));
}

/** JAX's error for arithmetic on typed PRNG keys: `add does not accept dtypes key<fry>, int32.` */
function noKeys(name: string, xs: unknown[]): void {
  const vals = xs.map(toValue);
  if (vals.some((v) => v.dtype.isKey)) {
    throw new TypeError(`${name} does not accept dtypes ${vals.map((v) => v.dtype.name).join(', ')}.`);
  }
}

/** jnp's promote_args: dtypes, then NumPy rank promotion. */
export function promoteArgsShapes(name: string, ...xs: unknown[]): Value[] {
  noKeys(name, xs);
  return promoteShapes(name, promoteArgs(...xs));
}

/** jnp's promote_args_inexact. */
export function promoteArgsInexactShapes(name: string, ...xs: unknown[]): Value[] {
  noKeys(name, xs);
  return promoteShapes(name, promoteArgsInexact(...xs));
}

/** jnp's promote_args_numeric. */
export function promoteArgsNumericShapes(name: string, ...xs: unknown[]): Value[] {
  noKeys(name, xs);
  return promoteShapes(name, promoteArgsNumeric(...xs));
}

/**
 * A Python float literal: a weakly typed 0-d float. JS has one number type, so where JAX's source
 * writes `0.` or `1.0` (a float, not an int: `where(c, 0., x)` passes an f32 to `_where`), tjax
 * writes pyfloat(0).
 */
export function pyfloat(v: number): Value {
  return convertElementType(scalarArray(v), defaultFloat(), true);
}

/** jnp's `_constant_like(x, v)` / lax's `_const(x, v)`: a 0-d constant of x's dtype (a literal when staged). */
export function constantLike(x: Value, v: number | boolean): Value {
  return scalarArray(x.dtype.isBool ? Boolean(v) : Number(v), x.dtype);
}

/** lax's `full_like(x, v)` (`_zeros`, `_ones`): v broadcast to x's shape. */
export function fullLike(x: Value, v: number | boolean, dtype?: DType): Value {
  const dt = dtype ?? x.dtype;
  return broadcastInDim(deviceScalar(dt.isBool ? Boolean(v) : Number(v), dt), x.shape, []);
}

export { replaceInf } from '../lax/other.js';

/** NumPy rank promotion for lax ops: 0-d operands stay; others get leading 1s to equal rank. */
export function promoteShapes(name: string, vals: Value[]): Value[] {
  const ranks = new Set(vals.filter((v) => v.ndim > 0).map((v) => v.ndim));
  if (ranks.size < 2) {
    if (vals.length > 1) broadcastShapes(name, ...vals.map((v) => v.shape));
    return vals;
  }
  const shape = broadcastShapes(name, ...vals.map((v) => v.shape));
  const r = shape.length;
  return vals.map((v) => (v.ndim === 0 || v.ndim === r ? v : broadcastToRank(v, r)));
}

export function broadcastToRank(v: Value, rank: number): Value {
  const pad = rank - v.ndim;
  const shape = [...new Array(pad).fill(1), ...v.shape];
  return bind1(broadcast_in_dim, [v], {
    shape,
    broadcast_dimensions: v.shape.map((_, i) => i + pad),
    sharding: null,
  });
}

export function broadcastTo(x: unknown, shape: readonly number[]): Value {
  const v = toValue(x);
  const target = [...shape];
  if (v.shape.length === target.length && v.shape.every((d, i) => d === target[i])) return v;
  const out = broadcastShapes('broadcast_to', v.shape, target);
  if (out.length !== target.length || out.some((d, i) => d !== target[i])) {
    throw new TypeError(
      `Incompatible shapes for broadcasting: (${v.shape.join(', ')}) and requested shape (${target.join(', ')})`,
    );
  }
  const pad = target.length - v.ndim;
  return bind1(broadcast_in_dim, [v], {
    shape: target,
    broadcast_dimensions: v.shape.map((_, i) => i + pad),
    sharding: null,
  });
}

export function dtypeOpt(d: DTypeLike | null | undefined, where = 'array'): DType | undefined {
  return d === undefined || d === null ? undefined : requestDType(d, where);
}

export function isConcreteArray(x: unknown): x is ArrayImpl {
  return x instanceof ArrayImpl;
}

/** An axis option as a static argument of a jitted body: null, one axis, or a copy of the list. */
export function staticAxis(a: number | readonly number[] | null | undefined): number | number[] | null {
  return a === undefined || a === null ? null : typeof a === 'number' ? a : [...a];
}

/** NumPy's axis=None: x flattened, along axis 0; else x, along the axis normalized. */
export function alongAxis(x: Value, axis: number | null | undefined): [Value, number] {
  if (axis === null || axis === undefined) return [reshape(x, [x.size]), 0];
  return [x, normalizeAxis(axis, x.ndim)];
}
