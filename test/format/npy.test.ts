/**
 * @file Tests for src/format/npy.ts against files NumPy wrote (fixtures/npy, see
 * fixtures/make_format_fixtures.py) and hand-made broken files.
 */

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError, type HostArray } from '../../src/format/host-array.js';
import { npyHeader, readNpy, writeNpy } from '../../src/format/npy.js';
import {
  type Described,
  fixturePath,
  fromDescribed,
  hexOf,
  normaliseBoolHex,
  readFixture,
  readFixtureJson,
} from './fixtures.js';

interface ReadEntry {
  made_by: string;
  ok?: Described;
  numpy_error?: string;
}

const read = readFixtureJson<{ files: Record<string, ReadEntry> }>('npy', 'read.json').files;
const save = readFixtureJson<{ files: Record<string, Described> }>('npy', 'save.json').files;

function load(name: string): HostArray {
  return readNpy(readFixture('npy', 'read', name), name);
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return (e as Error).message;
  }
  throw new Error('expected a FormatError');
}

describe('readNpy on files NumPy wrote', () => {
  // err_* files include dtypes np.load reads but tjax does not (long double, structured, ...).
  const readable = Object.entries(read).filter(([n, e]) => e.ok !== undefined && !n.startsWith('err_'));

  it('covers every dtype in both byte orders and both memory orders', () => {
    const names = readable.map(([n]) => n);
    for (const code of ['f2', 'f4', 'f8', 'i2', 'i4', 'i8', 'u2', 'u4', 'u8']) {
      for (const tag of ['le', 'be'])
        for (const o of ['C', 'F']) expect(names).toContain(`${code}_${tag}_${o}.npy`);
    }
    for (const code of ['i1', 'u1', 'b1'])
      for (const o of ['C', 'F']) expect(names).toContain(`${code}_na_${o}.npy`);
    for (const v of ['v2', 'v3']) expect(names).toContain(`f8_${v}_F.npy`);
  });

  // Expected values: np.load(f) on each file, recorded as C-order little-endian bytes (read.json).
  it.each(readable)('%s matches np.load', (name, entry) => {
    const a = load(name);
    const want = entry.ok!;
    expect(a.dtype).toBe(want.dtype);
    expect(a.shape).toEqual(want.shape);
    expect(hexOf(a)).toBe(a.dtype === 'bool' ? normaliseBoolHex(want.hex) : want.hex);
  });

  it('returns bools as 0/1 even when the file holds other non-zero bytes', () => {
    expect([...load('hdr_bool_2.npy').data]).toEqual([0, 1, 1]);
    expect([...load('hdr_bool_q.npy').data]).toEqual([0, 1]);
  });

  it('decodes specific values (np.load(f).tolist() of the sample arrays)', () => {
    const f2 = load('f2_be_F.npy');
    expect(f2.shape).toEqual([3, 4]);
    // sample('f2')[0] == [0.0, -0.0, 1.5, -2.25] in float16 bits.
    expect([...f2.data.subarray(0, 4)]).toEqual([0x0000, 0x8000, 0x3e00, 0xc080]);
    const i8 = load('i8_be_C.npy');
    expect(i8.data[2]).toBe(9223372036854775807n);
    expect(i8.data[3]).toBe(-9223372036854775808n);
    const cube = load('cube_i2_be_F.npy');
    expect(cube.shape).toEqual([2, 3, 4]);
    // (np.arange(24) * 7 - 50).reshape(2, 3, 4) in C order
    expect([...cube.data]).toEqual(Array.from({ length: 24 }, (_, i) => i * 7 - 50));
  });

  it('reads 0-d and empty arrays', () => {
    expect(load('zerod_f4.npy')).toMatchObject({ dtype: 'float32', shape: [] });
    expect(load('zerod_f4.npy').data[0]).toBe(3.5);
    expect(load('zerod_i8_be.npy').data[0]).toBe(-7n);
    expect(load('empty_2x0_i4.npy')).toMatchObject({ dtype: 'int32', shape: [2, 0] });
    expect(load('empty_0x3_F.npy').data.length).toBe(0);
  });

  it('ignores bytes after the data, as np.load does', () => {
    expect([...load('trailing_garbage.npy').data]).toEqual([1, 2]);
  });
});

describe('readNpy copying', () => {
  it('returns a view of the input for aligned little-endian C-order data', () => {
    const bytes = readFixture('npy', 'read', 'f8_le_C.npy');
    const a = readNpy(bytes, 'x.npy');
    expect(a.data.buffer).toBe(bytes.buffer);
    expect(a.data.byteOffset).toBe(bytes.byteOffset + 128);
  });

  it('copies once when the data is misaligned in the input buffer', () => {
    const file = readFixture('npy', 'read', 'f8_le_C.npy');
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    const a = readNpy(shifted.subarray(1), 'x.npy');
    expect(a.data.buffer).not.toBe(shifted.buffer);
    expect(hexOf(a)).toBe(read['f8_le_C.npy']!.ok!.hex);
  });

  it('copies big-endian and Fortran-ordered data', () => {
    for (const name of ['f4_be_C.npy', 'f4_le_F.npy']) {
      const bytes = readFixture('npy', 'read', name);
      expect(readNpy(bytes, name).data.buffer).not.toBe(bytes.buffer);
    }
  });

  it('treats a Fortran-ordered column as already C-ordered', () => {
    const bytes = readFixture('npy', 'read', 'col_F.npy');
    const a = readNpy(bytes, 'col_F.npy');
    expect(a.shape).toEqual([5, 1]);
    expect(a.data.buffer).toBe(bytes.buffer);
    expect([...a.data]).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('readNpy errors', () => {
  const msg = (name: string) => errorOf(() => load(name));

  it('rejects files that are not NPY', () => {
    expect(msg('err_bad_magic.npy')).toBe('err_bad_magic.npy: not an NPY file (bad magic)');
    expect(msg('err_empty.npy')).toBe('err_empty.npy: not an NPY file (the file is empty)');
  });

  it('rejects unknown versions', () => {
    expect(msg('err_version_4.npy')).toBe(
      'err_version_4.npy: unsupported NPY format version 4.0 (supported: 1.0, 2.0, 3.0)',
    );
  });

  it('reports truncation', () => {
    // np.load: "EOF: reading array data, expected 400 bytes got 72"
    expect(msg('err_truncated_data.npy')).toBe(
      'err_truncated_data.npy: truncated: header says 400 bytes of data, file has 72',
    );
    expect(msg('err_truncated_header.npy')).toBe(
      'err_truncated_header.npy: truncated: header says 118 bytes of header, file has 30',
    );
    expect(msg('err_short_preamble.npy')).toBe(
      'err_short_preamble.npy: truncated: file ends inside the NPY preamble',
    );
  });

  it('reports malformed headers', () => {
    expect(msg('err_header_syntax.npy')).toBe(
      "err_header_syntax.npy: malformed header: expected ',' or '}' but found end of header at offset 118",
    );
    expect(msg('err_header_keys.npy')).toBe(
      "err_header_keys.npy: malformed header: expected keys 'descr', 'fortran_order', 'shape', found 'descr', 'fortran_order', 'shape', 'x'",
    );
    expect(msg('err_header_shape_list.npy')).toBe(
      'err_header_shape_list.npy: malformed header: shape is not a tuple of non-negative integers: [3]',
    );
    expect(msg('err_header_negative.npy')).toBe(
      'err_header_negative.npy: malformed header: shape is not a tuple of non-negative integers: (-1,)',
    );
    expect(msg('err_header_fortran_int.npy')).toBe(
      'err_header_fortran_int.npy: malformed header: fortran_order is not True or False: 0',
    );
    expect(msg('err_header_not_dict.npy')).toBe(
      "err_header_not_dict.npy: malformed header: not a dictionary: ('<f4', False, (3,))",
    );
  });

  it('names unsupported dtypes', () => {
    expect(msg('err_clongdouble.npy')).toBe("err_clongdouble.npy: unsupported dtype '<c32' (complex256)");
    expect(msg('err_object.npy')).toBe("err_object.npy: unsupported dtype '|O' (object)");
    expect(msg('err_structured.npy')).toBe(
      "err_structured.npy: unsupported dtype [('a', '<i4'), ('b', '<f8')] (structured arrays are not supported)",
    );
    expect(msg('err_structured_v3.npy')).toBe(
      "err_structured_v3.npy: unsupported dtype [('é', '<i4')] (structured arrays are not supported)",
    );
    expect(msg('err_datetime.npy')).toBe("err_datetime.npy: unsupported dtype '<M8[s]' (datetime64[s])");
    expect(msg('err_unicode.npy')).toBe("err_unicode.npy: unsupported dtype '<U2' (unicode string)");
    expect(msg('err_longdouble.npy')).toBe("err_longdouble.npy: unsupported dtype '<f16' (long double)");
  });

  it('lists every error fixture above', () => {
    const errorFiles = readdirSync(fixturePath('npy', 'read')).filter((f) => f.startsWith('err_'));
    expect(errorFiles.length).toBe(19);
  });

  it('rejects a version 3.0 header that is not UTF-8', () => {
    const file = readFixture('npy', 'read', 'f8_v3_C.npy').slice();
    file[13] = 0xff; // inside "'descr'"
    expect(errorOf(() => readNpy(file, 'x.npy'))).toBe('x.npy: malformed header: not valid UTF-8');
  });
});

describe('writeNpy', () => {
  // Expected bytes: the files np.save(f, a) wrote (save.json lists the arrays).
  it.each(Object.entries(save))('%s is byte-identical to np.save', (name, desc) => {
    const out = writeNpy(fromDescribed(desc));
    expect(Buffer.from(out).equals(Buffer.from(readFixture('npy', 'save', name)))).toBe(true);
  });

  it('round-trips through readNpy', () => {
    for (const desc of Object.values(save)) {
      const a = fromDescribed(desc);
      const b = readNpy(writeNpy(a), 'rt.npy');
      expect(b.dtype).toBe(a.dtype);
      expect(b.shape).toEqual(a.shape);
      expect(hexOf(b)).toBe(hexOf(a));
    }
  });

  it('pads headers to a multiple of 64 bytes and ends them with a newline', () => {
    for (const shape of [
      [],
      [3],
      [0],
      [123456789, 0],
      [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
    ]) {
      const h = npyHeader('float32', shape);
      expect(h.length % 64).toBe(0);
      expect(h[h.length - 1]).toBe(0x0a);
    }
  });

  it('writes bools as 0/1', () => {
    const out = writeNpy({ dtype: 'bool', shape: [2], data: new Uint8Array([0, 5]) });
    expect([...out.subarray(out.length - 2)]).toEqual([0, 1]);
  });

  it('rejects inconsistent arrays', () => {
    expect(errorOf(() => writeNpy({ dtype: 'float32', shape: [2, 3], data: new Float32Array(5) }))).toBe(
      'writeNpy: data has 5 elements but shape [2, 3] needs 6',
    );
    expect(errorOf(() => writeNpy({ dtype: 'int64', shape: [1], data: new Int32Array(1) }))).toBe(
      'writeNpy: int64 data must be a BigInt64Array',
    );
    expect(errorOf(() => writeNpy({ dtype: 'int8', shape: [-1], data: new Int8Array(0) }))).toBe(
      'writeNpy: invalid shape [-1]',
    );
  });
});
