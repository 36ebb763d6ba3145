/**
 * @file PRNG keys as jax.random has them: typed keys (`random.key`, arrays of dtype `key<fry>`)
 * and raw uint32[..., 2] keys (`random.PRNGKey`), seeding, split, fold_in and random bits
 * (jax/_src/random.py's key handling is the reference; the code is tjax's own).
 *
 * A typed key array is an ordinary Array or tracer whose dtype is core/dtype.ts's `keyFry`; its
 * buffer holds the keys' uint32 words. The functions here bind the key primitives of prng.ts, so
 * jaxprs show `key<fry>[]` values and `random_seed`/`random_bits`/`random_split`/... as JAX's do;
 * a raw key is wrapped (`random_wrap`) on the way in and, where JAX returns raw keys (split and
 * fold_in of a raw key), unwrapped on the way out. The threefry implementation the primitives
 * expand to is in threefry-keys.ts, the expansion in physical.ts.
 */

import { ArrayImpl, reprHooks } from '../core/array.js';
import { ShapedArray } from '../core/aval.js';
import { fromHostData, isValue, toValue } from '../core/coerce.js';
import { config } from '../core/config.js';
import { canonicalize, type DTypeLike, defaultUint, int32, int64, toDType, uint32 } from '../core/dtype.js';
import { installArrayOps } from '../core/methods.js';
import { shapeTuple } from '../core/shape.js';
import { bind1, type Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import * as P from '../primitives/structural.js';
import {
  random_bits,
  random_fold_in,
  random_seed,
  random_split,
  random_unwrap,
  random_wrap,
} from './prng.js';
import './physical.js';
import './rules.js';

/** A typed PRNG key array: a Value of dtype `key<fry>`. */
export type PRNGKeyArray = Value;

/** What the random functions take as a key: a typed key array or raw uint32 key data. */
export type KeyLike = Value;

export function isKeyArray(x: unknown): boolean {
  return isValue(x) && x.dtype.isKey;
}

/** Check raw key data as JAX's _check_prng_key does. */
function checkRaw(data: Value): Value {
  if (data.dtype !== uint32 || data.ndim === 0 || data.shape[data.ndim - 1] !== 2) {
    throw new TypeError(
      `JAX encountered invalid PRNG key data: expected key_data to have shape (..., 2) and dtype uint32; got shape=${shapeTuple(data.shape)} dtype=${data.dtype.name}`,
    );
  }
  return data;
}

/**
 * The typed key of a key argument (raw data is wrapped, as JAX's _check_prng_key does) and
 * whether it was typed, with JAX's error for a batch of keys where one key is expected.
 */
export function typedKey(name: string, key: unknown, allowBatched = false): { key: Value; typed: boolean } {
  let k: Value;
  let typed: boolean;
  if (isKeyArray(key)) {
    k = key as Value;
    typed = true;
  } else if (isValue(key) || Array.isArray(key) || ArrayBuffer.isView(key)) {
    k = bind1(random_wrap, [checkRaw(toValue(key))], { impl: 'fry' });
    typed = false;
  } else {
    throw new TypeError(`unexpected PRNG key type ${typeof key}`);
  }
  if (!allowBatched && k.ndim > 0) {
    throw new Error(
      `${name} accepts a single key, but was given a key array of shape ${shapeTuple(k.shape)} != (). Use jax.vmap for batching.`,
    );
  }
  return { key: k, typed };
}

/** Keys back in the caller's representation: raw callers get raw data. */
function asCaller(typed: boolean, k: Value): Value {
  return typed ? k : bind1(random_unwrap, [k]);
}

// ---- seeding --------------------------------------------------------------------------------------

/** A JS integer seed as the int scalar JAX makes of it (int64, canonicalized: int32 with x64 off). */
function seedScalar(seed: number | bigint): Value {
  if (typeof seed === 'number' && !Number.isInteger(seed)) {
    throw new TypeError(`PRNG key seed must be an integer; got ${seed}`);
  }
  const s = BigInt(seed);
  if (s < -(1n << 63n) || s >= 1n << 63n) throw new RangeError('Python int too large to convert to C long');
  if (config.enableX64) return fromHostData(new BigInt64Array([s]), [], int64);
  // With x64 off the seed is canonicalized to int32, wrapping.
  return fromHostData(new Int32Array([Number(BigInt.asIntN(32, s))]), [], int32);
}

function seedKey(name: string, seed: number | bigint | Value): Value {
  if (isKeyArray(seed)) throw new TypeError(`${name} accepts a scalar seed, but was given a PRNG key.`);
  let s: Value;
  if (typeof seed === 'number' || typeof seed === 'bigint') s = seedScalar(seed);
  else {
    if (typeof seed === 'boolean' || !isValue(seed))
      throw new TypeError(`PRNG key seed must be an integer; got ${String(seed)}`);
    if (seed.ndim) throw new TypeError(`PRNG key seed must be a scalar; got ${String(seed)}.`);
    if (!seed.dtype.isInt) throw new TypeError(`PRNG key seed must be an integer; got ${String(seed)}`);
    s = seed;
  }
  return bind1(random_seed, [s], { impl: 'fry' });
}

/** `jax.random.key(seed)`: a typed key (dtype key<fry>). */
export function key(seed: number | bigint | Value, opts: { impl?: string | null } = {}): PRNGKeyArray {
  checkImpl(opts.impl);
  return seedKey('key', seed);
}

/** `jax.random.PRNGKey(seed)`: a raw uint32[2] key. */
export function PRNGKey(seed: number | bigint | Value, opts: { impl?: string | null } = {}): Value {
  checkImpl(opts.impl);
  return bind1(random_unwrap, [seedKey('PRNGKey', seed)]);
}

function checkImpl(impl: string | null | undefined): void {
  if (impl != null && impl !== 'threefry2x32' && impl !== 'fry') {
    throw new Error(`unrecognized PRNG implementation "${impl}". Did you mean one of: threefry2x32?`);
  }
}

/** `jax.random.key_data`: the uint32 data of typed keys (raw keys pass through). */
export function keyData(keys: KeyLike): Value {
  if (isKeyArray(keys)) return bind1(random_unwrap, [keys as Value]);
  if (isValue(keys) || Array.isArray(keys) || ArrayBuffer.isView(keys)) return checkRaw(toValue(keys));
  throw new TypeError(`unexpected PRNG key type ${typeof keys}`);
}

/** `jax.random.wrap_key_data`: typed keys over uint32[..., 2] data. */
export function wrapKeyData(data: unknown, opts: { impl?: string | null } = {}): PRNGKeyArray {
  checkImpl(opts.impl);
  if (isKeyArray(data)) throw new TypeError('wrap_key_data accepts only uint32 key data, got a key array');
  return typedKey('wrap_key_data', data, true).key;
}

/** `jax.random.key_impl`. */
export function keyImpl(_keys: KeyLike): string {
  return 'threefry2x32';
}

/** `jax.random.clone`: a no-op outside of stateful key semantics, as in JAX. */
export function clone<K extends KeyLike>(k: K): K {
  return k;
}

// ---- the key primitives on typed keys ----------------------------------------------------------------

function normShape(num: number | readonly number[]): number[] {
  const shape = typeof num === 'number' ? [num] : [...num];
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new TypeError(
        `Shapes must be 1D sequences of concrete values of integer type, got ${shapeTuple(shape)}.`,
      );
    }
  }
  return shape;
}

/** `random_split[shape]` of typed keys. */
export function splitKey(k: Value, shape: readonly number[]): Value {
  return bind1(random_split, [k], { shape: [...shape] });
}

/** keys[i] of a typed key array along axis 0, as JAX's iteration takes it (slice, squeeze). */
export function keyAt(keys: Value, i: number): Value {
  const start = keys.shape.map((_, d) => (d === 0 ? i : 0));
  const limit = keys.shape.map((n, d) => (d === 0 ? i + 1 : n));
  const s = bind1(P.slice, [keys], {
    start_indices: start,
    limit_indices: limit,
    strides: keys.shape.map(() => 1),
  });
  return lax.squeeze(s, [0]);
}

/** `random_bits[bit_width, shape]` of a typed key. */
export function randomBits(k: Value, bitWidth: number, shape: readonly number[]): Value {
  return bind1(random_bits, [k], { bit_width: bitWidth, shape: [...shape] });
}

/** `jax.random.split(key, num=2)`: `num` (or shape `num`) new keys. */
export function split(k: KeyLike, num: number | readonly number[] = 2): KeyLike {
  const { key: t, typed } = typedKey('split', k);
  return asCaller(typed, splitKey(t, normShape(num)));
}

/** `jax.random.fold_in(key, data)`: a new key from a key and a 32-bit integer. */
export function foldIn(k: KeyLike, d: number | bigint | Value): KeyLike {
  const { key: t, typed } = typedKey('fold_in', k);
  let v: Value;
  if (typeof d === 'number' || typeof d === 'bigint') {
    if (typeof d === 'number' && !Number.isInteger(d))
      throw new TypeError(`fold_in data must be an integer, got ${d}`);
    v = fromHostData(new Uint32Array([Number(BigInt.asUintN(32, BigInt(d)))]), [], uint32);
  } else {
    if (d.ndim) throw new TypeError(`fold_in data must be a scalar, got shape ${shapeTuple(d.shape)}`);
    v = lax.convertElementType(d, uint32);
  }
  return asCaller(typed, bind1(random_fold_in, [t, v]));
}

/** `jax.random.bits(key, shape=(), dtype=None)`: uniform unsigned integers. */
export function bits(k: KeyLike, shape: number | readonly number[] = [], dtype?: DTypeLike | null): Value {
  const { key: t } = typedKey('bits', k);
  const dt = dtype == null ? defaultUint() : canonicalize(toDType(dtype));
  if (dt.kind !== 'u') {
    throw new Error(`dtype argument to \`bits\` must be an unsigned int dtype, got ${dt.name}`);
  }
  return randomBits(t, dt.itemsize * 8, normShape(shape));
}

installArrayOps({ keyItem: keyAt });

// ---- printing -------------------------------------------------------------------------------------

/** `Array((3,), dtype=key<fry>) overlaying:\n[[...]]`, as JAX prints a key array. */
reprHooks.keyRepr = (x: ArrayImpl) => {
  const words = new ArrayImpl(new ShapedArray([...x.shape, 2], uint32), x.buffer, x.device, x.committed);
  const s = String(words);
  // The NumPy-style body of the data's repr: `[0 0]` rather than `Array([0, 0], dtype=uint32)`.
  const m = /^Array\(([\s\S]*), dtype=uint32\)$/.exec(s);
  const body = m ? m[1].replace(/,(\s)/g, '$1').replace(/\n {6}/g, '\n') : s;
  return `Array(${shapeTuple(x.shape)}, dtype=${x.dtype.name}) overlaying:\n${body}`;
};
