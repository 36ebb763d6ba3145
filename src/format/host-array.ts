/**
 * @file The host-side array type shared by every reader and writer in src/format, the error type they
 * throw, and IEEE half-precision bit conversion.
 *
 * A HostArray is plain C-ordered data in a typed array, which is what file formats naturally hold and
 * what the engine can adopt without caring where it came from; its dtype names and typed arrays are
 * the engine's own types.
 */

import { h2f } from '../engine/backends/cpu/runtime.js';
import { type DTypeName, TYPED_ARRAY_CTORS, type TypedArray } from '../engine/core/dtype.js';

export type { DTypeName };
export type HostData = TypedArray;

/**
 * A C-ordered (row-major) array on the host. bool -> Uint8Array (0/1); float16 -> Uint16Array holding raw
 * IEEE half bits; int64/uint64 -> BigInt64Array/BigUint64Array; complex64/complex128 -> Float32Array/
 * Float64Array of twice the size, real and imaginary parts interleaved (NumPy's memory layout).
 */
export interface HostArray {
  dtype: DTypeName;
  shape: number[];
  data: HostData;
}

/**
 * A problem with a file's contents (or with an array handed to a writer). The message is the complete
 * one-line text shown to the user and starts with the source name, e.g.
 * "x.npy: truncated: header says 400 bytes of data, file has 72".
 */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

export const DTYPE_NAMES: readonly DTypeName[] = [
  'bool',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float16',
  'float32',
  'float64',
  'complex64',
  'complex128',
];

const CTORS = TYPED_ARRAY_CTORS;

/** Typed-array elements per array element: 2 for complex (re, im), else 1. */
export function lanesOf(dtype: DTypeName): number {
  return dtype === 'complex64' || dtype === 'complex128' ? 2 : 1;
}

/** Bytes of one array element (a complex64 element is 8). */
export function itemSize(dtype: DTypeName): number {
  return CTORS[dtype].BYTES_PER_ELEMENT * lanesOf(dtype);
}

/** Bytes of one stored number: a complex element's part (4 for complex64); byte order applies to it. */
export function partSize(dtype: DTypeName): number {
  return CTORS[dtype].BYTES_PER_ELEMENT;
}

export function isComplexDType(dtype: DTypeName): dtype is 'complex64' | 'complex128' {
  return dtype === 'complex64' || dtype === 'complex128';
}

export function isDTypeName(s: string): s is DTypeName {
  return (DTYPE_NAMES as readonly string[]).includes(s);
}

export function isFloatDType(dtype: DTypeName): dtype is 'float16' | 'float32' | 'float64' {
  return dtype === 'float16' || dtype === 'float32' || dtype === 'float64';
}

export function isBigIntDType(dtype: DTypeName): dtype is 'int64' | 'uint64' {
  return dtype === 'int64' || dtype === 'uint64';
}

/** Number of elements of a shape; 1 for the 0-d shape []. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Python's repr of a shape tuple, as NumPy prints shapes: (), (3,), (2, 3). */
export function shapeRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** A zero-filled data array of the right typed-array class for dtype. */
export function allocData(dtype: DTypeName, n: number): HostData {
  return new CTORS[dtype](n * lanesOf(dtype));
}

/** A typed view of dtype over bytes; the caller guarantees alignment and length. */
export function viewData(dtype: DTypeName, buffer: ArrayBufferLike, byteOffset: number, n: number): HostData {
  return new CTORS[dtype](buffer, byteOffset, n * lanesOf(dtype));
}

/** True when data is the typed-array class that dtype is stored in. */
export function dataMatchesDType(dtype: DTypeName, data: HostData): boolean {
  return data instanceof CTORS[dtype];
}

/**
 * Throws FormatError unless a is internally consistent. Writers call this first so that a malformed
 * array from a caller is reported instead of producing a file that NumPy would misread.
 */
export function checkHostArray(a: HostArray, context: string): void {
  if (!isDTypeName(a.dtype)) throw new FormatError(`${context}: unknown dtype '${String(a.dtype)}'`);
  for (const d of a.shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new FormatError(`${context}: invalid shape [${a.shape.join(', ')}]`);
    }
  }
  if (!dataMatchesDType(a.dtype, a.data)) {
    throw new FormatError(`${context}: ${a.dtype} data must be a ${CTORS[a.dtype].name}`);
  }
  const n = shapeSize(a.shape) * lanesOf(a.dtype);
  if (a.data.length !== n) {
    throw new FormatError(
      `${context}: data has ${a.data.length} elements but shape [${a.shape.join(', ')}] needs ${n}`,
    );
  }
}

/** Whether this host stores multi-byte numbers little-endian (what every NPY writer we target uses). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** IEEE half bits <-> numbers: the engine's conversions (one implementation for both). */
export { f2h as floatToHalf, h2f as halfToFloat } from '../engine/backends/cpu/runtime.js';

/** The element at flat index i as a JS number, bigint, or (for bool) boolean; float16 is decoded. */
export function elementAt(a: HostArray, i: number): number | bigint | boolean {
  const v = a.data[i]!;
  if (a.dtype === 'bool') return v !== 0;
  if (a.dtype === 'float16') return h2f(v as number);
  return v;
}
