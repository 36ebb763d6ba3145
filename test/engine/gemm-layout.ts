/**
 * @file What the GEMM tests share: an operand laid out in a buffer of its own by arbitrary
 * (batch, row, col) strides from an offset, every element outside it NaN, so that a kernel that
 * reads outside its operand shows in the result.
 */
import type { GemmOperand } from '../../src/engine/backends/cpu/gemm-operand.js';

export type Dt = 'float32' | 'float64';

/** `vals` (row-major over `dims`) laid out by `strides` from `offset`; the rest of the buffer NaN. */
export function laidOut(
  dt: Dt,
  dims: [number, number, number],
  strides: [number, number, number],
  offset: number,
  vals: ArrayLike<number>,
  shared = false,
): GemmOperand {
  let last = offset;
  dims.forEach((d, i) => {
    if (d > 0) last += (d - 1) * strides[i];
  });
  const bytes = (last + 1) * (dt === 'float32' ? 4 : 8);
  const buf = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const data = (dt === 'float32' ? new Float32Array(buf) : new Float64Array(buf)).fill(Number.NaN);
  let v = 0;
  for (let b = 0; b < dims[0]; b++)
    for (let i = 0; i < dims[1]; i++)
      for (let j = 0; j < dims[2]; j++)
        data[offset + b * strides[0] + i * strides[1] + j * strides[2]] = vals[v++];
  return { data, offset, strides };
}
