/**
 * @file Dtype objects under NumPy's names (`jnp.float32`, `jnp.int32`, ...), plus finfo/iinfo.
 */
import { type DTypeLike, realPart, toDType } from '../core/dtype.js';

export {
  bool,
  bool as bool_,
  complex64,
  complex128,
  float16,
  float32,
  float64,
  int8,
  int16,
  int32,
  int64,
  uint8,
  uint16,
  uint32,
  uint64,
} from '../core/dtype.js';

export function dtype(d: DTypeLike) {
  return toDType(d);
}

export interface FInfo {
  bits: number;
  eps: number;
  max: number;
  min: number;
  tiny: number;
  smallestNormal: number;
  resolution: number;
  dtype: string;
}

/** The finfo of an IEEE binary float: `mantissa` stored bits, smallest normal 2^`minExp`. */
function ieeeInfo(bits: number, mantissa: number, minExp: number, max: number, resolution: number): FInfo {
  const tiny = 2 ** minExp;
  return {
    bits,
    eps: 2 ** -mantissa,
    max,
    min: -max,
    tiny,
    smallestNormal: tiny,
    resolution,
    dtype: `float${bits}`,
  };
}

/** jnp.finfo for the float dtypes (a complex dtype answers for its parts, as NumPy's does). */
export function finfo(d: DTypeLike): FInfo {
  const dt = realPart(toDType(d));
  switch (dt.name) {
    case 'float16':
      return ieeeInfo(16, 10, -14, 65504, 0.001);
    case 'float32':
      return ieeeInfo(32, 23, -126, 3.4028234663852886e38, 1e-6);
    case 'float64':
      return ieeeInfo(64, 52, -1022, Number.MAX_VALUE, 1e-15);
    default:
      throw new TypeError(`data type ${dt.name} not inexact`);
  }
}

export interface IInfo {
  bits: number;
  min: number | bigint;
  max: number | bigint;
  dtype: string;
}

export function iinfo(d: DTypeLike): IInfo {
  const dt = toDType(d);
  if (!dt.isInt) throw new TypeError(`Invalid integer data type '${dt.name}'.`);
  const bits = dt.itemsize * 8;
  if (bits === 64) {
    return dt.kind === 'u'
      ? { bits, min: 0n, max: 2n ** 64n - 1n, dtype: dt.name }
      : { bits, min: -(2n ** 63n), max: 2n ** 63n - 1n, dtype: dt.name };
  }
  return dt.kind === 'u'
    ? { bits, min: 0, max: 2 ** bits - 1, dtype: dt.name }
    : { bits, min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1, dtype: dt.name };
}
