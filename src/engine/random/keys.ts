/**
 * @file PRNG keys as jax.random has them: typed keys (`random.key`, dtype `key<fry>`) and raw
 * uint32[..., 2] keys (`random.PRNGKey`), seeding, split, fold_in and random bits, with JAX's
 * threefry2x32 in both counter layouts (jax/_src/random/threefry2x32.py and prng.py are the
 * reference for the algorithms; the code here is tjax's own).
 *
 * Representation: a typed key array is a `PRNGKeyArray`, a small pytree node wrapping its key
 * data (a uint32 array whose last dimension is 2). `jit` flattens it to that data and rebuilds
 * it inside, so typed keys pass through transformations; jaxprs show the key data as `u32[...,2]`
 * where JAX shows `key<fry>[...]`, and the key-level primitives (random_seed, random_split,
 * random_bits, random_wrap, random_unwrap) are expanded into what JAX's threefry implementation
 * binds inside them (slices, `iota_2x32_shape`, `threefry2x32`, `xor`, ...).
 */

import { fromHostData, isValue, toValue } from '../core/coerce.js';
import { config } from '../core/config.js';
import { canonicalize, type DTypeLike, defaultUint, toDType, uint32, uint64 } from '../core/dtype.js';
import { registerPytreeNode } from '../core/pytree.js';
import { shapeTuple, sizeOf } from '../core/shape.js';
import { bind, bind1, isTracer, type Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import { iota_2x32_shape, threefry2x32 } from '../primitives/random.js';
import './rules.js';
import * as P from '../primitives/structural.js';

/** A typed PRNG key array: `shape` keys of the threefry2x32 implementation (tag `fry`). */
export class PRNGKeyArray {
  constructor(
    /** The key data: uint32[...shape, 2]. */
    readonly data: Value,
    readonly impl: string = 'fry',
  ) {}
  get shape(): number[] {
    return this.data.shape.slice(0, -1);
  }
  get ndim(): number {
    return this.data.ndim - 1;
  }
  get size(): number {
    return sizeOf(this.shape);
  }
  /** JAX's key dtype name. */
  get dtype(): string {
    return `key<${this.impl}>`;
  }
  /** keys[i] along the leading axis. */
  index(i: number): PRNGKeyArray {
    const n = this.shape[0];
    if (this.ndim === 0) throw new TypeError('Too many indices: 0-dimensional key array cannot be indexed.');
    const j = i < 0 ? i + n : i;
    if (j < 0 || j >= n) throw new RangeError(`index ${i} is out of bounds for axis 0 with size ${n}`);
    const start = this.data.shape.map((_, d) => (d === 0 ? j : 0));
    const limit = this.data.shape.map((s, d) => (d === 0 ? j + 1 : s));
    return new PRNGKeyArray(lax.squeeze(lax.slice(this.data, start, limit), [0]), this.impl);
  }
  /** The keys as a list along the leading axis (JAX's iteration over a key array). */
  unstack(): PRNGKeyArray[] {
    return Array.from({ length: this.shape[0] ?? 0 }, (_, i) => this.index(i));
  }
  /** Iteration along the leading axis: `const [k1, k2] = random.split(key)`. */
  *[Symbol.iterator](): Iterator<PRNGKeyArray> {
    if (this.ndim === 0) throw new TypeError('iteration over a 0-d key array');
    for (let i = 0; i < this.shape[0]; i++) yield this.index(i);
  }
  reshape(...shape: number[]): PRNGKeyArray {
    return new PRNGKeyArray(lax.reshape(this.data, [...shape, 2]), this.impl);
  }
  /** `Array((3,), dtype=key<fry>) overlaying:\n[[...]]`, as JAX prints a key array. */
  toString(): string {
    return `Array(${shapeTuple(this.shape)}, dtype=${this.dtype}) overlaying:\n${this.dataText()}`;
  }
  private dataText(): string {
    if (isTracer(this.data)) return String(this.data);
    const s = String(this.data);
    // The NumPy-style body of the data's repr: `[0 0]` rather than `Array([0, 0], dtype=uint32)`.
    const m = /^Array\(([\s\S]*), dtype=uint32\)$/.exec(s);
    if (!m) return s;
    return m[1].replace(/,(\s)/g, '$1').replace(/\n {6}/g, '\n');
  }
}

registerPytreeNode(PRNGKeyArray, {
  name: 'PRNGKeyArray',
  flatten: (k) => [[k.data], k.impl],
  unflatten: (aux, [d]) => new PRNGKeyArray(d as Value, aux as string),
});

/** What the random functions take as a key: a typed key array or raw uint32 key data. */
export type KeyLike = PRNGKeyArray | Value;

export function isKeyArray(x: unknown): x is PRNGKeyArray {
  return x instanceof PRNGKeyArray;
}

/** The raw data of a key (uint32[...,2]) and whether it was a typed key. */
export function keyParts(name: string, key: unknown, allowBatched = false): { data: Value; typed: boolean } {
  let data: Value;
  let typed: boolean;
  if (key instanceof PRNGKeyArray) {
    data = key.data;
    typed = true;
  } else if (isValue(key) || Array.isArray(key) || ArrayBuffer.isView(key)) {
    data = toValue(key);
    typed = false;
    if (data.dtype !== uint32 || data.ndim === 0 || data.shape[data.ndim - 1] !== 2) {
      throw new TypeError(
        `JAX encountered invalid PRNG key data: expected key_data to have shape (..., 2) and dtype uint32; got shape=${shapeTuple(data.shape)} dtype=${data.dtype.name}`,
      );
    }
  } else {
    throw new TypeError(`unexpected PRNG key type ${typeof key}`);
  }
  if (!allowBatched && data.ndim > 1) {
    throw new Error(
      `${name} accepts a single key, but was given a key array of shape ${shapeTuple(data.shape.slice(0, typed ? -1 : undefined))} != (). Use jax.vmap for batching.`,
    );
  }
  return { data, typed };
}

/** Key data back in the caller's representation. */
function wrapLike(typed: boolean, data: Value): KeyLike {
  return typed ? new PRNGKeyArray(data) : data;
}

// ---- seeding --------------------------------------------------------------------------------------

/** The two uint32 words of a seed, as JAX's threefry_seed computes them. */
function seedWords(seed: number | bigint): [number, number] {
  if (typeof seed === 'number' && !Number.isInteger(seed)) {
    throw new TypeError(`PRNG key seed must be an integer; got ${seed}`);
  }
  let s = BigInt(seed);
  if (s < -(1n << 63n) || s >= 1n << 63n) throw new RangeError('Python int too large to convert to C long');
  // A JS integer seed goes through int64; with x64 off it is canonicalized to int32 (wrapping), so
  // its high word (a logical shift by 32 of a 32-bit value) is 0.
  if (!config.enableX64) s = BigInt.asIntN(32, s);
  const u = BigInt.asUintN(64, s);
  return config.enableX64 ? [Number(u >> 32n), Number(u & 0xffffffffn)] : [0, Number(u & 0xffffffffn)];
}

function seedData(seed: number | bigint | Value): Value {
  if (typeof seed === 'number' || typeof seed === 'bigint') {
    return fromHostData(new Uint32Array(seedWords(seed)), [2], uint32);
  }
  if (typeof seed === 'boolean' || !isValue(seed))
    throw new TypeError(`PRNG key seed must be an integer; got ${String(seed)}`);
  if (seed.ndim) throw new TypeError(`PRNG key seed must be a scalar; got ${String(seed)}.`);
  if (!seed.dtype.isInt) throw new TypeError(`PRNG key seed must be an integer; got ${String(seed)}`);
  const hi = lax.convertElementType(
    lax.shiftRightLogical(seed, lax.convertElementType(32, seed.dtype)),
    uint32,
  );
  const lo = lax.convertElementType(seed, uint32);
  return lax.concatenate([lax.broadcast(hi, [1]), lax.broadcast(lo, [1])], 0);
}

/** `jax.random.key(seed)`: a typed key (dtype key<fry>). */
export function key(seed: number | bigint | Value, opts: { impl?: string | null } = {}): PRNGKeyArray {
  checkImpl(opts.impl);
  if (seed instanceof PRNGKeyArray)
    throw new TypeError('key accepts a scalar seed, but was given a PRNG key.');
  return new PRNGKeyArray(seedData(seed));
}

/** `jax.random.PRNGKey(seed)`: a raw uint32[2] key. */
export function PRNGKey(seed: number | bigint | Value, opts: { impl?: string | null } = {}): Value {
  checkImpl(opts.impl);
  if (seed instanceof PRNGKeyArray)
    throw new TypeError('PRNGKey accepts a scalar seed, but was given a PRNG key.');
  return seedData(seed);
}

function checkImpl(impl: string | null | undefined): void {
  if (impl != null && impl !== 'threefry2x32' && impl !== 'fry') {
    throw new Error(`unrecognized PRNG implementation "${impl}". Did you mean one of: threefry2x32?`);
  }
}

/** `jax.random.key_data`: the uint32 data of typed keys (raw keys pass through). */
export function keyData(keys: KeyLike): Value {
  return keyParts('key_data', keys, true).data;
}

/** `jax.random.wrap_key_data`: typed keys over uint32[..., 2] data. */
export function wrapKeyData(data: unknown, opts: { impl?: string | null } = {}): PRNGKeyArray {
  checkImpl(opts.impl);
  if (data instanceof PRNGKeyArray)
    throw new TypeError('wrap_key_data accepts only uint32 key data, got a key array');
  return new PRNGKeyArray(keyParts('wrap_key_data', data, true).data);
}

/** `jax.random.key_impl`. */
export function keyImpl(_keys: KeyLike): string {
  return 'threefry2x32';
}

/** `jax.random.clone`: a no-op outside of stateful key semantics, as in JAX. */
export function clone<K extends KeyLike>(k: K): K {
  return k;
}

// ---- threefry helpers -------------------------------------------------------------------------------

/** The two words of a single key's data, as JAX slices them. */
function words(data: Value): [Value, Value] {
  // As JAX unpacks a key (`k1, k2 = key`): unit-stride slices, then squeezes.
  const w = (i: number) =>
    lax.squeeze(bind1(P.slice, [data], { start_indices: [i], limit_indices: [i + 1], strides: [1] }), [0]);
  return [w(0), w(1)];
}

/** `threefry_2x32(keypair, count)`: hash a uint32 count array (legacy layout's helper). */
export function threefry2x32Counts(data: Value, count: Value): Value {
  const [k1, k2] = words(data);
  const n = count.size;
  let flat = lax.reshape(count, [n]);
  const odd = n % 2;
  if (odd) flat = lax.concatenate([flat, fromHostData(new Uint32Array([0]), [1], uint32)], 0);
  const half = (n + odd) / 2;
  const x0 = lax.slice(flat, [0], [half]);
  const x1 = lax.slice(flat, [half], [2 * half]);
  const [y0, y1] = bind(threefry2x32, [k1, k2, x0, x1]);
  let out = lax.concatenate([y0, y1], 0);
  if (odd) out = lax.slice(out, [0], [n]);
  return lax.reshape(out, count.shape);
}

/** (hi, lo) counters of a row-major uint64 iota over `shape`. */
function iota2x32(shape: readonly number[]): [Value, Value] {
  const [a, b] = bind(iota_2x32_shape, [], { shape: [...shape] });
  return [a, b];
}

/** Hash the partitionable layout's counters: the two cipher outputs over `shape`. */
function hashShape(data: Value, shape: readonly number[]): [Value, Value] {
  const [k1, k2] = words(data);
  const [c1, c2] = iota2x32(shape);
  const [b1, b2] = bind(threefry2x32, [k1, k2, c1, c2]);
  return [b1, b2];
}

function normShape(name: string, num: number | readonly number[]): number[] {
  const shape = typeof num === 'number' ? [num] : [...num];
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new TypeError(
        `Shapes must be 1D sequences of concrete values of integer type, got ${shapeTuple(shape)}.${name ? '' : ''}`,
      );
    }
  }
  return shape;
}

/** Key data for `shape` new keys from one key (raw data in and out). */
export function splitData(data: Value, shape: readonly number[]): Value {
  if (config.threefryPartitionable) {
    const [b1, b2] = hashShape(data, shape);
    const r = shape.length;
    return lax.concatenate([lax.expandDims(b1, [r]), lax.expandDims(b2, [r])], r);
  }
  const num = sizeOf(shape);
  return lax.reshape(threefry2x32Counts(data, lax.iota(uint32, num * 2)), [...shape, 2]);
}

/** `jax.random.split(key, num=2)`: `num` (or shape `num`) new keys. */
export function split(k: KeyLike, num: number | readonly number[] = 2): KeyLike {
  const { data, typed } = keyParts('split', k);
  return wrapLike(typed, splitData(data, normShape('split', num)));
}

/** Data of fold_in(key, d) for a uint32 scalar d (raw data in and out). */
export function foldInData(data: Value, d: Value): Value {
  // threefry_seed(d) of a uint32 scalar is [d >> 32 (= 0), d].
  const hi = lax.convertElementType(lax.shiftRightLogical(d, lax.convertElementType(32, uint32)), uint32);
  const lo = lax.bitwiseAnd(d, lax.convertElementType(0xffffffff, uint32));
  const counts = lax.concatenate([lax.broadcast(hi, [1]), lax.broadcast(lo, [1])], 0);
  return threefry2x32Counts(data, counts);
}

/** `jax.random.fold_in(key, data)`: a new key from a key and a 32-bit integer. */
export function foldIn(k: KeyLike, d: number | bigint | Value): KeyLike {
  const { data, typed } = keyParts('fold_in', k);
  let v: Value;
  if (typeof d === 'number' || typeof d === 'bigint') {
    if (typeof d === 'number' && !Number.isInteger(d))
      throw new TypeError(`fold_in data must be an integer, got ${d}`);
    v = fromHostData(new Uint32Array([Number(BigInt.asUintN(32, BigInt(d)))]), [], uint32);
  } else {
    if (d.ndim) throw new TypeError(`fold_in data must be a scalar, got shape ${shapeTuple(d.shape)}`);
    v = lax.convertElementType(d, uint32);
  }
  return wrapLike(typed, foldInData(data, v));
}

/** Random bits of `bitWidth` (8, 16, 32 or 64) over `shape` from one key's data. */
export function randomBits(data: Value, bitWidth: number, shape: readonly number[]): Value {
  const dt = toDType(`uint${bitWidth}`);
  if (config.threefryPartitionable) {
    if (sizeOf(shape) === 0) return lax.broadcastInDim(lax.convertElementType(0, dt), shape, []);
    const [b1, b2] = hashShape(data, shape.length ? shape : [1]);
    let out: Value;
    if (bitWidth === 64) {
      const hi = lax.convertElementType(b1, uint64);
      const lo = lax.convertElementType(b2, uint64);
      out = lax.bitwiseOr(lax.shiftLeft(hi, lax.convertElementType(32, uint64)), lo);
    } else {
      out = lax.bitwiseXor(b1, b2);
      if (bitWidth !== 32) out = lax.convertElementType(out, dt);
    }
    return shape.length ? out : lax.reshape(out, []);
  }
  const size = sizeOf(shape);
  const maxCount = Math.ceil((bitWidth * size) / 32);
  if (maxCount === 0) return lax.broadcastInDim(lax.convertElementType(0, dt), shape, []);
  let bits = threefry2x32Counts(data, lax.iota(uint32, maxCount));
  if (bitWidth === 64) {
    const h = maxCount / 2;
    const hi = lax.convertElementType(lax.slice(bits, [0], [h]), uint64);
    const lo = lax.convertElementType(lax.slice(bits, [h], [maxCount]), uint64);
    bits = lax.bitwiseOr(lax.shiftLeft(hi, lax.convertElementType(32, uint64)), lo);
  } else if (bitWidth !== 32) {
    // bits.view(uint8/16)[:size]: little-endian pieces of each word.
    const per = 32 / bitWidth;
    const words2 = lax.broadcast(bits, [1]);
    const shifts = lax.mul(
      lax.convertElementType(bitWidth, uint32),
      lax.broadcastedIota(uint32, [per, 1], 0),
    );
    let pieces = lax.bitwiseAnd(
      lax.convertElementType((1 << bitWidth) - 1, uint32),
      lax.shiftRightLogical(words2, shifts),
    );
    pieces = lax.reshape(pieces, [maxCount * per], [1, 0]);
    bits = lax.slice(lax.convertElementType(pieces, dt), [0], [size]);
  }
  return lax.reshape(bits, shape);
}

/** `jax.random.bits(key, shape=(), dtype=None)`: uniform unsigned integers. */
export function bits(k: KeyLike, shape: number | readonly number[] = [], dtype?: DTypeLike | null): Value {
  const { data } = keyParts('bits', k);
  const dt = dtype == null ? defaultUint() : canonicalize(toDType(dtype));
  if (dt.kind !== 'u') {
    throw new Error(`dtype argument to \`bits\` must be an unsigned int dtype, got ${dt.name}`);
  }
  return randomBits(data, dt.itemsize * 8, normShape('bits', shape));
}
