/**
 * @file WGSL value types of tjax's dtypes, and the rounding, wrapping and literals that pin each
 * WGSL value to its dtype's value set. float32 and float16 are f32 (float16 rounded after every op
 * through pack2x16float, so it needs no `shader-f16`); int8/16/32 are i32 and uint8/16/32 are u32,
 * wrapped to their width after every op as the CPU renderer does (backends/cpu/codegen.ts); bools
 * are WGSL bools in expressions and 0/1 u32 words in memory. 64-bit types are refused: WGSL has none.
 */

import type { DType } from '../../core/dtype.js';
import { f16r } from '../cpu/runtime.js';

// ---- dtypes -------------------------------------------------------------------------------------

export function unsupported(dt: DType): string | null {
  if (dt.isBig || dt.name === 'float64') {
    return (
      `the webgpu backend does not support ${dt.name}: WGSL has no 64-bit ${dt.isFloat ? 'floats' : 'integers'}. ` +
      `Use ${dt.isFloat ? 'float32' : dt.kind === 'u' ? 'uint32' : 'int32'}, or run on the cpu (--device cpu / devicePut(x, 'cpu'))`
    );
  }
  return null;
}

export function checkDtype(dt: DType): void {
  const msg = unsupported(dt);
  if (msg) throw new TypeError(msg);
}

/** WGSL type of a value of dtype `dt` in expressions. */
export function vtype(dt: DType): string {
  if (dt.isBool) return 'bool';
  if (dt.isFloat) return 'f32';
  return dt.kind === 'u' ? 'u32' : 'i32';
}

/** WGSL element type of a buffer of dtype `dt` (bools are u32 words). */
export function stype(dt: DType): string {
  return dt.isBool ? 'u32' : vtype(dt);
}

export function bits(dt: DType): number {
  return dt.itemsize * 8;
}

/** Round/wrap a value expression to the value set of `dt`. */
export function wrap(dt: DType, e: string): string {
  switch (dt.name) {
    case 'float16':
      return `h_f16r(${e})`;
    case 'int8':
      return `((${e}) << 24u) >> 24u`;
    case 'int16':
      return `((${e}) << 16u) >> 16u`;
    case 'uint8':
      return `((${e}) & 255u)`;
    case 'uint16':
      return `((${e}) & 65535u)`;
    default:
      return e;
  }
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

function f32Bits(x: number): number {
  F32[0] = x;
  return U32[0];
}

export function literal(v: number | bigint | boolean, dt: DType): string {
  if (dt.isBool) return v ? 'true' : 'false';
  const n = Number(v);
  if (dt.isFloat) {
    const x = dt.name === 'float16' ? f16r(n) : Math.fround(n);
    // Non-finite values must not be const-expressions (WGSL rejects them at shader creation).
    if (!Number.isFinite(x)) return `h_bits(0x${f32Bits(x).toString(16)}u)`;
    if (Object.is(x, -0) || (x !== 0 && Math.abs(x) < 1.1754943508222875e-38)) {
      return `bitcast<f32>(0x${f32Bits(x).toString(16)}u)`;
    }
    const s = `${x}f`;
    return x < 0 ? `(${s})` : s;
  }
  if (dt.kind === 'u') return `${n >>> 0}u`;
  const i = n | 0;
  if (i === -2147483648) return 'bitcast<i32>(0x80000000u)';
  return i < 0 ? `(${i}i)` : `${i}i`;
}
