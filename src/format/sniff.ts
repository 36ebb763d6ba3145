/**
 * @file Guessing an input file's format from its bytes: NPY and NPZ by their magic numbers, JSON by its
 * first character (or by being a lone JSON scalar), and CSV for everything else.
 */

import { hasNpyMagic } from './npy.js';

export type SniffedFormat = 'npy' | 'npz' | 'json' | 'csv';

// A lone JSON scalar, including the non-standard constants Python's json module reads.
const JSON_SCALAR = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity)$/;
// A file holding a single JSON scalar is tiny; anything longer that does not start like JSON is text data.
const SCALAR_LIMIT = 4096;

export function sniffFormat(bytes: Uint8Array): SniffedFormat {
  if (hasNpyMagic(bytes)) return 'npy';
  // Local file header, or the end record of an empty archive (np.savez with no arrays writes one).
  if (
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))
  ) {
    return 'npz';
  }
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (
    i < bytes.length &&
    (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)
  )
    i++;
  const c = bytes[i];
  if (c === 0x5b || c === 0x7b || c === 0x22) return 'json'; // [ { "
  if (bytes.length <= SCALAR_LIMIT) {
    const text = new TextDecoder('utf-8').decode(bytes.subarray(i)).trim();
    if (JSON_SCALAR.test(text)) return 'json';
  }
  return 'csv';
}
