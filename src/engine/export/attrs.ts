/**
 * @file Dense elements attributes as MLIR prints them: `dense<2.000000e+00>` for a splat (all
 * elements with the same bits), nested lists `dense<[[1, 2], [3, 4]]>`, `dense<>` when empty, and
 * the raw little-endian bytes in hexadecimal, `dense<"0x0100...">`, above 100 elements (MLIR's
 * default hex threshold; booleans take a byte each). A complex element is its pair of parts,
 * `(1.000000e+00,-2.000000e+00)`, each printed as a float of half the size.
 */

import { f2h } from '../backends/cpu/runtime.js';
import { Complex } from '../core/complex.js';
import { type DType, realPart, type TypedArray } from '../core/dtype.js';
import { floatBits, mlirFloat } from './floats.js';

/** One element in its MLIR spelling; `raw` is the host value (float16: its bits). */
function elementText(raw: number | bigint | boolean, dtype: DType): string {
  if (dtype.isBool) return raw ? 'true' : 'false';
  if (dtype.isFloat) return mlirFloat(floatBits(Number(raw), dtype), dtype);
  if (dtype.kind === 'u') {
    const n = BigInt(raw as number | bigint);
    const bits = BigInt(dtype.itemsize * 8);
    return String(n < 0n ? n + (1n << bits) : n);
  }
  return String(raw);
}

/** The bit pattern of an element, to decide splats by bits as MLIR does. */
function rawKey(raw: number | bigint | boolean, dtype: DType): string {
  if (dtype.isFloat) return floatBits(Number(raw), dtype).toString();
  return String(typeof raw === 'boolean' ? Number(raw) : raw);
}

/** A complex element `(re,im)`, its parts in the float spelling of the part dtype. */
function complexText(re: number, im: number, dtype: DType): string {
  const part = realPart(dtype);
  return `(${elementText(re, part)},${elementText(im, part)})`;
}

/** A scalar `dense<v>` (v: a JS value; float16 as its numeric value; a real v of a complex dtype has im 0). */
export function denseScalar(v: number | bigint | boolean | Complex, dtype: DType): string {
  if (dtype.isComplex) {
    const z = v instanceof Complex ? v : new Complex(Number(v), 0);
    return `dense<${complexText(z.re, z.im, dtype)}>`;
  }
  if (v instanceof Complex) throw new Error(`denseScalar: a complex value for ${dtype.name}`);
  if (dtype.name === 'float16') {
    return `dense<${mlirFloat(BigInt(f2h(Number(v))), dtype)}>`;
  }
  return `dense<${elementText(v, dtype)}>`;
}

function hexBytes(data: TypedArray, dtype: DType): string {
  let bytes: Uint8Array;
  if (dtype.isBool) bytes = Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0));
  else bytes = new Uint8Array(data.buffer, data.byteOffset, data.length * dtype.itemsize);
  let s = '';
  for (const b of bytes) s += b.toString(16).toUpperCase().padStart(2, '0');
  return `"0x${s}"`;
}

/**
 * `dense<...>` of `n` elements in C order with this shape, from each element's bit key (splats are
 * decided by bits) and text; above 100 elements the raw bytes.
 */
function denseElements(
  n: number,
  shape: readonly number[],
  key: (i: number) => string,
  text: (i: number) => string,
  hex: () => string,
): string {
  if (n === 0) return 'dense<>';
  const key0 = key(0);
  let splat = true;
  for (let i = 1; i < n && splat; i++) if (key(i) !== key0) splat = false;
  if (splat) return `dense<${text(0)}>`;
  if (n > 100) return `dense<${hex()}>`;
  let i = 0;
  const nest = (d: number): string => {
    if (d === shape.length) return text(i++);
    const parts: string[] = [];
    for (let k = 0; k < shape[d]; k++) parts.push(nest(d + 1));
    return `[${parts.join(', ')}]`;
  };
  return `dense<${nest(0)}>`;
}

/** `dense<...>` of host data in C order with this shape (complex: parts interleaved). */
export function denseOf(data: TypedArray, shape: readonly number[], dtype: DType): string {
  if (dtype.isComplex) {
    const part = realPart(dtype);
    return denseElements(
      data.length / 2,
      shape,
      (i) => `${rawKey(data[2 * i], part)},${rawKey(data[2 * i + 1], part)}`,
      (i) => complexText(Number(data[2 * i]), Number(data[2 * i + 1]), dtype),
      () => hexBytes(data, part),
    );
  }
  return denseElements(
    data.length,
    shape,
    (i) => rawKey(data[i], dtype),
    (i) => elementText(data[i], dtype),
    () => hexBytes(data, dtype),
  );
}

/** `array<i64: 1, 2>` (DenseI64ArrayAttr). */
export function i64Array(xs: readonly number[]): string {
  return xs.length ? `array<i64: ${xs.join(', ')}>` : 'array<i64>';
}

/** An i64 elements attribute with its type: `dense<[[1, 0], [0, 0]]> : tensor<2x2xi64>`. */
export function denseI64(values: readonly number[], shape: readonly number[]): string {
  const type = `tensor<${[...shape, 'i64'].join('x')}>`;
  if (values.length === 0) return `dense<> : ${type}`;
  if (values.every((v) => v === values[0])) return `dense<${values[0]}> : ${type}`;
  let i = 0;
  const nest = (d: number): string => {
    if (d === shape.length) return String(values[i++]);
    return `[${Array.from({ length: shape[d] }, () => nest(d + 1)).join(', ')}]`;
  };
  return `dense<${nest(0)}> : ${type}`;
}
