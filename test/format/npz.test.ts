/**
 * @file Tests for src/format/npz.ts against archives np.savez / np.savez_compressed wrote (fixtures/npz).
 */

import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FormatError, type HostArray } from '../../src/format/host-array.js';
import { writeNpy } from '../../src/format/npy.js';
import { npzGet, readNpz, writeNpz } from '../../src/format/npz.js';
import { type Described, hexOf, normaliseBoolHex, readFixture, readFixtureJson } from './fixtures.js';

interface Expected {
  archives: Record<string, { files: string[]; arrays: Record<string, Described> }>;
  numpy_errors: Record<string, string>;
}

const expected = readFixtureJson<Expected>('npz', 'expected.json');

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return (e as Error).message;
  }
  throw new Error('expected a FormatError');
}

function expectSame(a: HostArray, d: Described): void {
  expect(a.dtype).toBe(d.dtype);
  expect(a.shape).toEqual(d.shape);
  expect(hexOf(a)).toBe(a.dtype === 'bool' ? normaliseBoolHex(d.hex) : d.hex);
}

describe('readNpz', () => {
  // Expected arrays: np.load(path)[key] for every key (expected.json).
  it.each(['savez.npz', 'savez_compressed.npz'])('%s matches np.load', (name) => {
    const got = readNpz(readFixture('npz', name), name);
    const want = expected.archives[name]!;
    expect([...got.keys()].sort()).toEqual([...want.files].sort());
    for (const [k, d] of Object.entries(want.arrays)) expectSame(got.get(k)!, d);
  });

  it('keeps positional names as np.savez gives them', () => {
    const got = readNpz(readFixture('npz', 'savez.npz'), 'savez.npz');
    expect([...got.get('arr_0')!.data]).toEqual([1n, 2n, 3n]);
  });

  it('skips members that are not .npy files (np.load lists them but they hold no array)', () => {
    const got = readNpz(readFixture('npz', 'with_readme.npz'), 'r.npz');
    expect(expected.archives['with_readme.npz']!.files).toEqual(['x', 'README.txt']);
    expect([...got.keys()]).toEqual(['x']);
  });

  it('reports a missing key with the names present', () => {
    const got = readNpz(readFixture('npz', 'savez_compressed.npz'), 'data.npz');
    expect(npzGet(got, 'a', 'data.npz').shape).toEqual([2, 3]);
    expect(errorOf(() => npzGet(got, 'w', 'data.npz'))).toBe(
      "data.npz: no array named 'w' (has: a, b, flag, half, empty)",
    );
    expect(errorOf(() => npzGet(new Map(), 'w', 'data.npz'))).toBe(
      "data.npz: no array named 'w' (has: none)",
    );
  });

  it('reports damaged archives', () => {
    // np.load: "BadZipFile: Bad CRC-32 for file 'a.npy'"
    expect(expected.numpy_errors['err_crc.npz']).toContain('Bad CRC-32');
    expect(errorOf(() => readNpz(readFixture('npz', 'err_crc.npz'), 'err_crc.npz'))).toBe(
      "err_crc.npz: corrupt zip archive: member 'a.npy' fails its CRC check",
    );
    // np.load: "BadZipFile: File is not a zip file"
    expect(errorOf(() => readNpz(readFixture('npz', 'err_truncated.npz'), 'err_truncated.npz'))).toBe(
      'err_truncated.npz: not an NPZ file (no zip directory found; is it truncated?)',
    );
    expect(errorOf(() => readNpz(new TextEncoder().encode('hello'), 'h.npz'))).toBe(
      'h.npz: not an NPZ file (no zip directory found; is it truncated?)',
    );
  });

  it('detects a modified member by its CRC', () => {
    const bad = writeNpz({ a: { dtype: 'float64', shape: [4], data: new Float64Array(4) } });
    // Change the member's declared shape from (4,) to (5,) and fix nothing else: its CRC no longer matches.
    const i = Buffer.from(bad).indexOf("'shape': (4,)");
    bad[i + 10] = '5'.charCodeAt(0);
    expect(errorOf(() => readNpz(bad, 'd.npz'))).toBe(
      "d.npz: corrupt zip archive: member 'a.npy' fails its CRC check",
    );
  });

  it('names the member when its NPY content is bad', () => {
    const npy = writeNpy({ dtype: 'float64', shape: [4], data: new Float64Array(4) });
    const zip = zipSync({ 'a.npy': [npy.subarray(0, npy.length - 16), { level: 0 }] });
    expect(errorOf(() => readNpz(zip, 'd.npz'))).toBe(
      'd.npz/a.npy: truncated: header says 32 bytes of data, file has 16',
    );
    expect(readNpz(writeNpz({}), 'e.npz').size).toBe(0);
  });

  it('rejects compression methods other than stored and deflate', () => {
    const zip = zipSync({
      'a.npy': [writeNpy({ dtype: 'uint8', shape: [1], data: new Uint8Array(1) }), { level: 0 }],
    });
    // Method 12 (bzip2) in both the local header and the central directory entry.
    zip[8] = 12;
    const cd = Buffer.from(zip).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip[cd + 10] = 12;
    expect(errorOf(() => readNpz(zip, 'm.npz'))).toBe(
      "m.npz: member 'a.npy' uses zip compression method 12; only stored and deflate are supported",
    );
  });
});

describe('writeNpz', () => {
  const arrays: Record<string, HostArray> = {
    a: { dtype: 'float32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
    n: { dtype: 'int64', shape: [], data: new BigInt64Array([-5n]) },
    z: { dtype: 'bool', shape: [0, 3], data: new Uint8Array(0) },
    big: { dtype: 'float64', shape: [1000], data: new Float64Array(1000) },
  };

  it.each([false, true])('round-trips (compress=%s)', (compress) => {
    const bytes = writeNpz(arrays, { compress });
    const back = readNpz(bytes, 'rt.npz');
    expect([...back.keys()]).toEqual(Object.keys(arrays));
    for (const [k, a] of Object.entries(arrays)) {
      expect(back.get(k)!.dtype).toBe(a.dtype);
      expect(back.get(k)!.shape).toEqual(a.shape);
      expect(hexOf(back.get(k)!)).toBe(hexOf(a));
    }
  });

  it('stores members uncompressed by default and deflates them with compress', () => {
    const stored = writeNpz(new Map(Object.entries(arrays)));
    const deflated = writeNpz(new Map(Object.entries(arrays)), { compress: true });
    const method = (zip: Uint8Array) => zip[8]! | (zip[9]! << 8); // first local header's method
    expect(method(stored)).toBe(0);
    expect(method(deflated)).toBe(8);
    expect(deflated.length).toBeLessThan(stored.length);
    // Fixed timestamps make the output reproducible.
    expect(writeNpz(arrays)).toEqual(writeNpz(arrays));
  });

  it('rejects empty names and bad arrays', () => {
    expect(errorOf(() => writeNpz({ '': arrays.a! }))).toBe('writeNpz: array names must not be empty');
    expect(errorOf(() => writeNpz({ x: { dtype: 'float32', shape: [3], data: new Float32Array(2) } }))).toBe(
      'writeNpy: data has 2 elements but shape [3] needs 3',
    );
  });
});
