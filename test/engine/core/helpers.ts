/**
 * @file Shared helpers of the core tests: loading the JAX-made fixtures under fixtures/core/
 * (written by fixtures/make_core.py from JAX 0.10.2) and short dtype names as JAX's docs use them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(root, 'fixtures', 'core', name), 'utf8')) as T;
}

/** The docs' short names (b1 u4 i8 f2 ...) as tjax dtype names. */
export const SHORT_TO_NAME: Record<string, string> = {
  b1: 'bool',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  c8: 'complex64',
  c16: 'complex128',
};

const NAME_TO_SHORT = Object.fromEntries(Object.entries(SHORT_TO_NAME).map(([k, v]) => [v, k]));

/** `i4` or `f4(weak)`, as the fixture writes a (dtype, weak type) result. */
export function shortOf(dtype: { name: string }, weak: boolean): string {
  return `${NAME_TO_SHORT[dtype.name]}${weak ? '(weak)' : ''}`;
}
