/**
 * @file Text output of arrays: single values, numpy.savetxt-style lines, CSV, and JAX's Array repr.
 *
 * Scalars print like NumPy scalars print with str(): floats use the shortest digits that read back as
 * the same value in their own dtype (float32 0.1 is `0.1`), laid out positionally with at least one
 * digit after the point when 1e-4 <= |x| < 1e16 for float64 (exactly Python's repr of a float), and
 * when 1e-4 <= |x| < 1e6 for float32 and < 1e3 for float16 (NumPy's limits for those dtypes), otherwise
 * as `1.5e+20`/`1e-05`. Integers print in decimal, bools as True/False.
 *
 * formatRepr is jax.Array.__repr__ (NumPy's array2string with default print options, JAX's prefix,
 * suffix and dtype text). The number and array printing is the engine's (src/engine/core/print), the
 * same code `String(x)` of an engine array runs; a HostArray is a PrintArray as it is. This file adds
 * the savetxt/CSV layouts.
 */

import { formatElement } from '../engine/core/print/array2string.js';
import { FormatError, type HostArray } from './host-array.js';

// formatScalar(dtype, value): str() of a NumPy scalar; formatRepr(a, {weakType}): jax.Array's repr.
export { arrayRepr as formatRepr, formatScalar } from '../engine/core/print/array2string.js';

/**
 * numpy.savetxt's layout with shortest round-trip numbers: a 0-d array is one value and a newline, 1-D
 * one value per line, 2-D one row per line joined by the delimiter. Higher ranks have no text layout.
 */
export function formatText(a: HostArray, delimiter = ' '): string {
  const nd = a.shape.length;
  if (nd === 0) return `${formatElement(a, 0)}\n`;
  if (nd === 1) {
    let out = '';
    for (let i = 0; i < a.shape[0]!; i++) out += `${formatElement(a, i)}\n`;
    return out;
  }
  if (nd === 2) {
    const [rows, cols] = a.shape as [number, number];
    const lines: string[] = [];
    for (let r = 0; r < rows; r++) {
      const cells: string[] = [];
      for (let c = 0; c < cols; c++) cells.push(formatElement(a, r * cols + c));
      lines.push(`${cells.join(delimiter)}\n`);
    }
    return lines.join('');
  }
  throw new FormatError(`cannot write a ${nd}-D array as text (only 0-D, 1-D and 2-D); use JSON or NPY`);
}

/** formatText with commas. */
export function formatCsv(a: HostArray): string {
  return formatText(a, ',');
}
