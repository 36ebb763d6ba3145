/**
 * @file What the jax.random sampler files share (continuous.ts, discrete.ts, gamma.ts,
 * permutation.ts, distributions.ts): JAX's argument handling from jax/_src/random/core.py —
 * `_check_shape` (parameter shapes must broadcast to the requested shape), the shape a sampler
 * draws when none is given (the parameters' broadcast), float dtype checks, one key from a
 * KeyLike — and the small constants and key splits the samplers' jitted bodies build from.
 */

import { toValue } from '../core/coerce.js';
import {
  canonicalize,
  type DType,
  type DTypeLike,
  defaultFloat,
  float16,
  float64,
  toDType,
  uint16,
  uint32,
  uint64,
} from '../core/dtype.js';
import { shapeTuple } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import { type KeyLike, keyAt, splitKey, typedKey } from './keys.js';

export type Shape = number | readonly number[];
export type Num = Value | number;

export const UINT: Record<number, DType> = { 16: uint16, 32: uint32, 64: uint64 };

/** A sampler's `shape` argument as a list (null when absent), with JAX's error for a bad one. */
export function shapeOf(name: string, s: Shape | null | undefined): number[] | null {
  if (s == null) return null;
  const shape = typeof s === 'number' ? [s] : [...s];
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new TypeError(
      `Shapes must be 1D sequences of concrete values of integer type, got ${shapeTuple(shape)}.`,
    );
  }
  void name;
  return shape;
}

/** The float dtype a sampler draws (the default float when none is given), with JAX's error. */
export function floatDType(name: string, dtype: DTypeLike | null | undefined): DType {
  const dt = dtype == null ? defaultFloat() : canonicalize(toDType(dtype));
  if (!dt.isFloat) throw new Error(`dtype argument to \`${name}\` must be a float dtype, got ${dt.name}`);
  return dt;
}

function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let d = 0; d < rank; d++) {
    let n = 1;
    for (const s of shapes) {
      const k = s[d - rank + s.length] ?? 1;
      if (k !== 1) {
        if (n !== 1 && n !== k)
          throw new Error(
            `Incompatible shapes for broadcasting: shapes=[${shapes.map(shapeTuple).join(', ')}]`,
          );
        n = k;
      }
    }
    out.push(n);
  }
  return out;
}

/** JAX's _check_shape: parameter shapes must broadcast to exactly `shape`. */
export function checkShape(
  name: string,
  shape: readonly number[],
  ...paramShapes: (readonly number[])[]
): void {
  if (!paramShapes.length) return;
  const b = broadcastShapes(shape, ...paramShapes);
  if (b.join() !== shape.join()) {
    throw new Error(
      `${name} parameter shapes must be broadcast-compatible with shape argument, and the result of broadcasting the shapes must equal the shape argument, but got result ${shapeTuple(b)} for shape argument ${shapeTuple(shape)}.`,
    );
  }
}

const shp = (x: Num): number[] => (typeof x === 'number' ? [] : x.shape);

/** lax.broadcast_to_rank: prepend size-1 dimensions. */
export function toRank(x: Value, rank: number): Value {
  return x.ndim >= rank ? x : lax.broadcast(x, new Array(rank - x.ndim).fill(1));
}

/** A constant of a dtype (a non-weak 0-d array, as `np.array(v, dtype)` is in JAX). */
export function c(v: number | bigint, dt: DType): Value {
  return lax.convertElementType(v, dt);
}

/** Finfo values JAX's samplers use. */
export function finfo(dt: DType) {
  const nmant = dt === float64 ? 52 : dt === float16 ? 10 : 23;
  const bitsW = dt.itemsize * 8;
  const tiny =
    dt === float64 ? 2.2250738585072014e-308 : dt === float16 ? 6.103515625e-5 : 1.1754943508222875e-38;
  return { bits: bitsW, nmant, eps: 2 ** -nmant, epsneg: 2 ** -(nmant + 1), tiny };
}

/** A single typed key (raw data wrapped), with JAX's error for a batch of keys or a non-key. */
export function single(name: string, key: KeyLike): Value {
  return typedKey(name, key).key;
}

/** The shape drawn: the given one (checked against the parameters), else their broadcast. */
export function paramShape(name: string, shape: Shape | null | undefined, ...params: Num[]): number[] {
  const s = shapeOf(name, shape);
  if (s === null) return broadcastShapes(...params.map(shp));
  checkShape(name, s, ...params.map(shp));
  return s;
}

/**
 * `name(key, p, shape=None, dtype=float)` of one float parameter (pareto, chisquare, t): one key,
 * the parameter's shape when none is given, the float dtype by name, as JAX's wrappers check them.
 */
export function drawOneParam(
  name: string,
  body: (key: Value, p: Value, shape: number[], dtypeName: string) => Value,
  key: KeyLike,
  p: Num,
  shape: Shape | null | undefined,
  dtype: DTypeLike | null | undefined,
): Value {
  return body(single(name, key), toValue(p), paramShape(name, shape, p), floatDType(name, dtype).name);
}

/** `name(key, a, b, shape=(), dtype=float)` of two float parameters (weibull_min, double_sided_maxwell). */
export function drawTwoParams(
  name: string,
  body: (key: Value, a: Value, b: Value, shape: number[], dtypeName: string) => Value,
  key: KeyLike,
  a: Num,
  b: Num,
  shape: Shape,
  dtype: DTypeLike | null | undefined,
): Value {
  return body(single(name, key), toValue(a), toValue(b), shapeOf(name, shape)!, floatDType(name, dtype).name);
}

/** split(key, 2) unpacked, as JAX's `key1, key2 = split(key)`. */
export function twoKeys(key: Value): [Value, Value] {
  const ks = splitKey(key, [2]);
  return [keyAt(ks, 0), keyAt(ks, 1)];
}

/** The two leading slices of a (2, ...shape) array, as JAX's `high, low = x` unpacks it. */
export function unpack2(x: Value): [Value, Value] {
  const lim = (i: number) => x.shape.map((n, d) => (d === 0 ? i + 1 : n));
  const st = (i: number) => x.shape.map((_, d) => (d === 0 ? i : 0));
  return [lax.squeeze(lax.slice(x, st(0), lim(0)), [0]), lax.squeeze(lax.slice(x, st(1), lim(1)), [0])];
}
