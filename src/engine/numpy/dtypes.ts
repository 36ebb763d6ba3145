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

/** jnp.finfo for the float dtypes (a complex dtype answers for its parts, as NumPy's does). */
export function finfo(d: DTypeLike): FInfo {
  const dt = realPart(toDType(d));
  switch (dt.name) {
    case 'float16':
      return {
        bits: 16,
        eps: 2 ** -10,
        max: 65504,
        min: -65504,
        tiny: 2 ** -14,
        smallestNormal: 2 ** -14,
        resolution: 0.001,
        dtype: 'float16',
      };
    case 'float32':
      return {
        bits: 32,
        eps: 2 ** -23,
        max: 3.4028234663852886e38,
        min: -3.4028234663852886e38,
        tiny: 2 ** -126,
        smallestNormal: 2 ** -126,
        resolution: 1e-6,
        dtype: 'float32',
      };
    case 'float64':
      return {
        bits: 64,
        eps: 2 ** -52,
        max: Number.MAX_VALUE,
        min: -Number.MAX_VALUE,
        tiny: 2 ** -1022,
        smallestNormal: 2 ** -1022,
        resolution: 1e-15,
        dtype: 'float64',
      };
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
