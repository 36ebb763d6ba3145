/**
 * @file Helpers shared by the src/format tests: locating fixtures written by
 * fixtures/make_format_fixtures.py and turning their hex descriptions back into HostArrays.
 */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allocData, type DTypeName, type HostArray } from '../../src/format/host-array.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function readFixture(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(...parts)));
}

export function readFixtureText(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8');
}

export function readFixtureJson<T>(...parts: string[]): T {
  return JSON.parse(readFixtureText(...parts)) as T;
}

/** An array as the fixture script describes it: dtype name, shape, C-order little-endian bytes in hex. */
export interface Described {
  dtype: DTypeName;
  shape: number[];
  hex: string;
}

export function fromDescribed(d: Described): HostArray {
  const n = d.shape.reduce((a, b) => a * b, 1);
  const data = allocData(d.dtype, n);
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(Buffer.from(d.hex, 'hex'));
  return { dtype: d.dtype, shape: d.shape, data };
}

/** The data's bytes in hex, to compare bit for bit (NaN payloads and -0 included). */
export function hexOf(a: HostArray): string {
  return Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString('hex');
}

/** Bool bytes as tjax normalises them (NumPy keeps any non-zero byte; tjax stores 0/1). */
export function normaliseBoolHex(hex: string): string {
  return hex.replace(/../g, (b) => (b === '00' ? '00' : '01'));
}
