/** @file Tests for src/format/sniff.ts on fixture files and small inline inputs. */

import { describe, expect, it } from 'vitest';
import { sniffFormat } from '../../src/format/sniff.js';
import { readFixture } from './fixtures.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('sniffFormat', () => {
  it('recognises NPY and NPZ files NumPy wrote', () => {
    expect(sniffFormat(readFixture('npy', 'read', 'f4_le_C.npy'))).toBe('npy');
    expect(sniffFormat(readFixture('npz', 'savez.npz'))).toBe('npz');
    expect(sniffFormat(readFixture('npz', 'savez_compressed.npz'))).toBe('npz');
    // np.savez with no arrays writes only the zip end record.
    expect(sniffFormat(new Uint8Array([0x50, 0x4b, 5, 6, ...new Array(18).fill(0)]))).toBe('npz');
  });

  it('recognises JSON by its first character', () => {
    expect(sniffFormat(text('[1, 2]'))).toBe('json');
    expect(sniffFormat(text('  \n{"a": 1}'))).toBe('json');
    expect(sniffFormat(text('"s"'))).toBe('json');
    expect(sniffFormat(text('\uFEFF[1]'))).toBe('json');
  });

  it('recognises a lone JSON scalar', () => {
    for (const s of ['3.5', '-1e-3\n', 'true', 'false', 'null', '0', 'NaN', '-Infinity']) {
      expect(sniffFormat(text(s))).toBe('json');
    }
  });

  it('takes everything else as CSV', () => {
    for (const s of ['1,2\n3,4\n', '1\n2\n', 'a,b\n1,2', '1 2 3', 'nan', '01', '', '+1', '# comment\n1']) {
      expect(sniffFormat(text(s))).toBe('csv');
    }
    expect(sniffFormat(readFixture('csv', 'tab.tsv'))).toBe('csv');
  });
});
