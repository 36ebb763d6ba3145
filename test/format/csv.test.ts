/**
 * @file Tests for src/format/csv.ts. Files under fixtures/csv were also read with np.loadtxt by
 * fixtures/make_format_fixtures.py; expected.json records that call and its result for each file.
 */

import { describe, expect, it } from 'vitest';
import { parseCell, readCsv, sniffDelimiter } from '../../src/format/csv.js';
import { FormatError } from '../../src/format/host-array.js';
import { type Described, hexOf, readFixtureJson, readFixtureText } from './fixtures.js';

type Entry = Partial<Described> & { made_by: string; numpy_error?: string };
const expected = readFixtureJson<{ files: Record<string, Entry> }>('csv', 'expected.json').files;

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return (e as Error).message;
  }
  throw new Error('expected a FormatError');
}

const readable = [
  'plain.csv',
  'header.csv',
  'tab.tsv',
  'semicolon.csv',
  'pipe.csv',
  'whitespace.txt',
  'special.csv',
  'comments.csv',
  'crlf.csv',
  'one_column.csv',
  'one_row.csv',
  'one_cell.csv',
  'header_one_col.csv',
  'quoted_header.csv',
  'no_trailing_newline.csv',
];

describe('readCsv matches np.loadtxt', () => {
  // Each expected value is np.loadtxt(...) as recorded in expected.json's made_by (delimiter sniffed here).
  it.each(readable)('%s', (name) => {
    const want = expected[name]!;
    expect(want.numpy_error).toBeUndefined();
    const { array } = readCsv(readFixtureText('csv', name), name);
    expect(array.dtype).toBe('float64');
    expect(array.shape).toEqual(want.shape);
    expect(hexOf(array)).toBe(want.hex);
  });

  it('returns the header row', () => {
    expect(readCsv(readFixtureText('csv', 'header.csv'), 'h.csv').header).toEqual(['x', 'y', 'z']);
    expect(readCsv(readFixtureText('csv', 'quoted_header.csv'), 'q.csv').header).toEqual(['a', 'b c']);
    expect(readCsv(readFixtureText('csv', 'plain.csv'), 'p.csv').header).toBeNull();
  });

  it('selects columns by name like usecols', () => {
    const text = readFixtureText('csv', 'header.csv');
    // np.loadtxt(f, delimiter=',', skiprows=1, usecols=[2, 0])
    const zx = readCsv(text, 'h.csv', { columns: ['z', 'x'] }).array;
    expect(zx.shape).toEqual(expected['header.csv:z,x']!.shape);
    expect(hexOf(zx)).toBe(expected['header.csv:z,x']!.hex);
    // np.loadtxt(f, delimiter=',', skiprows=1, usecols=[1]) is 1-D
    const y = readCsv(text, 'h.csv', { columns: ['y'] }).array;
    expect(y.shape).toEqual(expected['header.csv:y']!.shape);
    expect(hexOf(y)).toBe(expected['header.csv:y']!.hex);
  });

  it('gives np.loadtxt shapes for empty inputs, but tjax reports them', () => {
    // np.loadtxt returns shape (0,) with a warning for these; tjax treats them as errors.
    for (const name of ['empty.csv', 'only_comments.csv', 'header_only.csv']) {
      expect(expected[name]!.shape).toEqual([0]);
      expect(errorOf(() => readCsv(readFixtureText('csv', name), name))).toBe(`${name}: no data`);
    }
  });
});

describe('readCsv errors', () => {
  it('reports ragged rows with their physical line', () => {
    // np.loadtxt: "the number of columns changed from 4 to 3 at row 3"
    expect(expected['ragged.csv']!.numpy_error).toContain('changed from 4 to 3');
    expect(errorOf(() => readCsv(readFixtureText('csv', 'ragged.csv'), 'x.csv'))).toBe(
      'x.csv: line 4 has 3 columns, expected 4',
    );
  });

  it('reports cells that are not numbers', () => {
    // np.loadtxt: "could not convert string 'abc' to float64 at row 1, column 2."
    expect(expected['bad_cell.csv']!.numpy_error).toContain("'abc'");
    expect(errorOf(() => readCsv(readFixtureText('csv', 'bad_cell.csv'), 'x.csv'))).toBe(
      "x.csv: line 3, column 2: cannot parse 'abc' as a number",
    );
    expect(errorOf(() => readCsv('1,2\n3,1_000\n', 'x.csv'))).toBe(
      "x.csv: line 2, column 2: cannot parse '1_000' as a number",
    );
  });

  it('reports empty cells unless emptyAsNaN', () => {
    const text = readFixtureText('csv', 'empty_cell.csv');
    expect(errorOf(() => readCsv(text, 'x.csv'))).toBe('x.csv: line 2, column 2: empty cell');
    const { array } = readCsv(text, 'x.csv', { emptyAsNaN: true });
    expect([...array.data]).toEqual([1, 2, 3, Number.NaN, 5, 6]);
  });

  it('reports line numbers counting comments, blank lines and the header', () => {
    expect(errorOf(() => readCsv('# c\n\na,b\n1,2\n\n3,x\n', 'x.csv'))).toBe(
      "x.csv: line 6, column 2: cannot parse 'x' as a number",
    );
    expect(errorOf(() => readCsv('1 2\n\n3 4 5\n', 'w.txt'))).toBe('w.txt: line 3 has 3 columns, expected 2');
  });

  it('reports column selection problems', () => {
    const text = readFixtureText('csv', 'header.csv');
    expect(errorOf(() => readCsv(text, 'x.csv', { columns: ['x', 'w'] }))).toBe(
      "x.csv: no column named 'w' (has: x, y, z)",
    );
    expect(errorOf(() => readCsv('1,2\n3,4\n', 'x.csv', { columns: ['a'] }))).toBe(
      "x.csv: cannot select columns 'a': the file has no header row",
    );
  });

  it('reports csv-parse syntax errors with a line', () => {
    expect(errorOf(() => readCsv('a,b\n1,2\n"3,4\n', 'x.csv'))).toBe(
      'x.csv: line 3: a quoted cell is not closed',
    );
  });
});

describe('readCsv options and details', () => {
  it('uses an explicit delimiter', () => {
    expect(readCsv('1;2\n3;4\n', 'x', { delimiter: ';' }).array.shape).toEqual([2, 2]);
    expect(readCsv('1 2\n3   4\n', 'x', { delimiter: ' ' }).array.shape).toEqual([2, 2]);
    // With the wrong delimiter the first row is not numeric, so it is taken as a header.
    expect(errorOf(() => readCsv('1;2\n3;4\n', 'x.csv', { delimiter: ',' }))).toBe(
      "x.csv: line 2, column 1: cannot parse '3;4' as a number",
    );
  });

  it('skips whitespace-only lines and strips trailing comments', () => {
    expect([...readCsv('1,2\n   \n3,4 # note\n', 'x').array.data]).toEqual([1, 2, 3, 4]);
  });

  it('ignores a byte order mark', () => {
    expect(readCsv('\uFEFFa,b\n1,2\n', 'x').header).toEqual(['a', 'b']);
  });

  it('parses cells as np.loadtxt does', () => {
    expect(parseCell(' 3 ')).toBe(3);
    expect(parseCell('-2.5e3')).toBe(-2500);
    expect(parseCell('1.')).toBe(1);
    expect(parseCell('.5')).toBe(0.5);
    expect(parseCell('+1')).toBe(1);
    expect(parseCell('NaN')).toBeNaN();
    expect(parseCell('-nan')).toBeNaN();
    expect(parseCell('Infinity')).toBe(Number.POSITIVE_INFINITY);
    expect(parseCell('-INF')).toBe(Number.NEGATIVE_INFINITY);
    for (const bad of ['abc', '1e', '0x10', '1_000', '1d5', '.', '', 'infinit', '1.2.3'])
      expect(parseCell(bad)).toBeNull();
  });
});

describe('sniffDelimiter', () => {
  it('finds the delimiter from the first lines', () => {
    expect(sniffDelimiter('a,b\n1,2\n')).toBe(',');
    expect(sniffDelimiter('a\tb c\n1\t2\n')).toBe('\t');
    expect(sniffDelimiter('1;2;3\n4;5;6\n')).toBe(';');
    expect(sniffDelimiter('1|2\n')).toBe('|');
    expect(sniffDelimiter('1  2\n3 4\n')).toBe(' ');
    expect(sniffDelimiter('# x,y\n1;2\n')).toBe(';');
    expect(sniffDelimiter('5\n6\n')).toBe(',');
    expect(sniffDelimiter('')).toBe(',');
  });

  it('prefers a delimiter with a consistent count, then one on the first line', () => {
    expect(sniffDelimiter('1,5;2\n3,5;4\n1;2\n')).toBe(';');
    expect(sniffDelimiter('1,2,3\n4,5\n')).toBe(',');
  });
});
