/**
 * @file The threefry2x32 PRNG implementation on raw key data (uint32[2] for one key): seeding,
 * split, fold_in and random bits in both counter layouts (`config.threefryPartitionable`), as
 * jax/_src/prng.py's threefry_seed, threefry_split, threefry_fold_in and threefry_random_bits
 * compute them (the algorithms are JAX's; the code is tjax's own). These are what the typed-key
 * primitives of prng.ts expand to when a program is lowered (physical.ts) or run eagerly, so a
 * `key<fry>` program and the same program on raw keys draw the same bits.
 */

import { config } from '../core/config.js';
import { toDType, uint32, uint64 } from '../core/dtype.js';
import { sizeOf } from '../core/shape.js';
import { bind, bind1, type Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import { iota_2x32_shape, threefry2x32 } from '../primitives/random.js';
import * as P from '../primitives/structural.js';

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
  // A staged zero rather than a host constant: physical programs carry no array constants.
  if (odd) flat = lax.concatenate([flat, lax.broadcastInDim(lax.convertElementType(0, uint32), [1], [])], 0);
  const half = (n + odd) / 2;
  const x0 = lax.slice(flat, [0], [half]);
  const x1 = lax.slice(flat, [half], [2 * half]);
  const [y0, y1] = bind(threefry2x32, [k1, k2, x0, x1]);
  let out = lax.concatenate([y0, y1], 0);
  if (odd) out = lax.slice(out, [0], [n]);
  return lax.reshape(out, count.shape);
}

/** Hash the partitionable layout's counters: the two cipher outputs over `shape`. */
function hashShape(data: Value, shape: readonly number[]): [Value, Value] {
  const [k1, k2] = words(data);
  const [c1, c2] = bind(iota_2x32_shape, [], { shape: [...shape] });
  const [b1, b2] = bind(threefry2x32, [k1, k2, c1, c2]);
  return [b1, b2];
}

/** threefry_seed: the key data of an integer scalar seed (its high and low 32-bit words). */
export function seedData(seed: Value): Value {
  // The high word is seed >> 32: zero for seeds of 32 bits or less (XLA's shift semantics), made
  // as a zero here because WGSL rejects a shift by the full bit width.
  const hi =
    seed.dtype.itemsize > 4
      ? lax.convertElementType(lax.shiftRightLogical(seed, lax.convertElementType(32, seed.dtype)), uint32)
      : lax.convertElementType(0, uint32);
  const lo = lax.convertElementType(seed, uint32);
  return lax.concatenate([lax.broadcast(hi, [1]), lax.broadcast(lo, [1])], 0);
}

/** threefry_split: key data for `shape` new keys from one key. */
export function splitData(data: Value, shape: readonly number[]): Value {
  if (config.threefryPartitionable) {
    const [b1, b2] = hashShape(data, shape);
    const r = shape.length;
    return lax.concatenate([lax.expandDims(b1, [r]), lax.expandDims(b2, [r])], r);
  }
  const num = sizeOf(shape);
  return lax.reshape(threefry2x32Counts(data, lax.iota(uint32, num * 2)), [...shape, 2]);
}

/** threefry_fold_in: the data of fold_in(key, d) for a uint32 scalar d. */
export function foldInData(data: Value, d: Value): Value {
  // threefry_seed(d) of a uint32 scalar is [d >> 32, d], and d >> 32 is 0 (a zero here: WGSL
  // rejects a shift by the full bit width).
  const hi = lax.convertElementType(0, uint32);
  const lo = lax.bitwiseAnd(d, lax.convertElementType(0xffffffff, uint32));
  const counts = lax.concatenate([lax.broadcast(hi, [1]), lax.broadcast(lo, [1])], 0);
  return threefry2x32Counts(data, counts);
}

/** threefry_random_bits: bits of `bitWidth` (8, 16, 32 or 64) over `shape` from one key's data. */
export function randomBitsData(data: Value, bitWidth: number, shape: readonly number[]): Value {
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
