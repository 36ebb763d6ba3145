/**
 * @file Reading numeric CSV / delimited text into a float64 HostArray, following np.loadtxt.
 *
 * Delimited text is split by csv-parse; whitespace-separated text (np.loadtxt's default, delimiter=None)
 * is split on runs of spaces and tabs here. Like np.loadtxt: `#` starts a comment anywhere on a line,
 * blank lines are skipped, cells are parsed as np.loadtxt parses float64 (surrounding whitespace allowed;
 * `nan`, `inf`, `infinity` in any case, with a sign; no underscores or hex), and the result is squeezed:
 * several rows and columns -> [rows, cols]; one column -> [rows]; one row -> [cols]; one value -> []
 * (np.loadtxt returns shape () for a file holding one number).
 *
 * Beyond np.loadtxt: the delimiter is sniffed when not given; a first row in which no cell parses
 * as a number is taken as a header (its names can select columns), while a first row that mixes
 * numbers and other text is data with a malformed cell, reported as np.loadtxt reports it; lines holding only whitespace count as blank
 * (np.loadtxt rejects them unless splitting on whitespace); double-quoted cells are unquoted; empty cells
 * can be read as NaN. Errors name the 1-based physical line (the header line counts) and column.
 */

import { parse } from 'csv-parse/sync';
import { FormatError, type HostArray } from './host-array.js';
import { clip } from './quote.js';

export interface CsvOptions {
  /** A single character, or any whitespace (e.g. ' ') for runs of spaces/tabs. Sniffed when absent. */
  delimiter?: string;
  /** Select and order columns by header name. */
  columns?: string[];
  /** Read empty cells as NaN instead of failing. */
  emptyAsNaN?: boolean;
}

export interface CsvResult {
  array: HostArray;
  header: string[] | null;
}

interface Row {
  cells: string[];
  line: number;
}

const CANDIDATES = [',', '\t', ';', '|'];
const SNIFF_LINES = 20;

function stripComment(line: string): string {
  const i = line.indexOf('#');
  return i < 0 ? line : line.slice(0, i);
}

function contentLines(text: string, limit = Number.POSITIVE_INFINITY): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length && out.length < limit; i++) {
    const t = stripComment(lines[i]!);
    if (t.trim() !== '') out.push({ text: t, line: i + 1 });
  }
  return out;
}

function countOf(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

/**
 * Picks the delimiter from the first content lines: a candidate (comma, tab, semicolon, pipe, in that
 * order of preference) that appears the same number of times on every sampled line wins; failing that,
 * one that at least appears on the first line (the file is probably ragged and will be reported);
 * failing that, whitespace runs if lines have inner whitespace. Returns ' ' for whitespace.
 */
export function sniffDelimiter(text: string): string {
  const lines = contentLines(text, SNIFF_LINES).map((l) => l.text.trim());
  if (lines.length === 0) return ',';
  const counts = CANDIDATES.map((c) => lines.map((l) => countOf(l, c)));
  for (let i = 0; i < CANDIDATES.length; i++) {
    const cs = counts[i]!;
    if (cs[0]! > 0 && cs.every((n) => n === cs[0])) return CANDIDATES[i]!;
  }
  for (let i = 0; i < CANDIDATES.length; i++) if (counts[i]![0]! > 0) return CANDIDATES[i]!;
  if (lines.some((l) => /\S\s+\S/.test(l))) return ' ';
  return ',';
}

const NUMBER_RE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;

/** A cell as np.loadtxt reads a float64, or null when it is not a number. Empty cells are handled by the caller. */
export function parseCell(cell: string): number | null {
  // Fast path: JS's Number() agrees with Python's float() on decimal numbers (it also trims
  // whitespace); it differs on hex/binary/octal literals, which float() rejects.
  const n = Number(cell);
  if (!Number.isNaN(n) && cell.trim() !== '' && !/[xXbBoO]/.test(cell)) return n;
  const s = cell.trim();
  if (!NUMBER_RE.test(s)) return null;
  const body = s.replace(/^[+-]/, '').toLowerCase();
  const neg = s.startsWith('-');
  if (body.startsWith('nan')) return Number.NaN;
  if (body.startsWith('inf')) return neg ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return Number(s);
}

function splitWhitespace(text: string): Row[] {
  return contentLines(text).map(({ text: t, line }) => ({ cells: t.trim().split(/\s+/), line }));
}

const CSV_PARSE_MESSAGES: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell is not closed',
  CSV_INVALID_CLOSING_QUOTE: 'unexpected character after a closing quote',
};

function splitDelimited(text: string, delimiter: string, source: string): Row[] {
  // Without quotes there is nothing for csv-parse to do that a split cannot, and splitting is an
  // order of magnitude faster on large numeric files.
  if (!text.includes('"')) {
    return contentLines(text).map(({ text: t, line }) => ({ cells: t.split(delimiter), line }));
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      delimiter,
      comment: '#',
      quote: '"',
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const e = err as { code?: string; lines?: number; message: string };
    const what = (e.code && CSV_PARSE_MESSAGES[e.code]) ?? e.message;
    throw new FormatError(`${source}: ${e.lines !== undefined ? `line ${e.lines}: ` : ''}${what}`);
  }
  const rows: Row[] = [];
  for (const { record, info } of records) {
    // A line of only spaces (or spaces before a comment) is blank, not a one-cell row.
    if (record.length === 1 && record[0]!.trim() === '') continue;
    rows.push({ cells: record, line: info.lines });
  }
  return rows;
}

/**
 * A header row has names and no numbers. A row with both (`1..2,1`, `0x10,1`) is a data row with a
 * typo: taking it as a header would drop a line of data without a word.
 */
function isHeaderRow(cells: string[]): boolean {
  let names = 0;
  for (const c of cells) {
    if (c.trim() === '') continue;
    if (parseCell(c) !== null) return false;
    names++;
  }
  return names > 0;
}

/**
 * The common case, fast: unquoted single-character-delimited decimal numbers, no column
 * selection. One pass over the text with no per-row objects. Returns null at anything else (a
 * header, an odd cell, a ragged row, a comment), and the general path below takes over and
 * reports errors with their positions.
 */
function readPlainNumbers(
  text: string,
  delimiter: string,
): { data: Float64Array; rows: number; cols: number; header: string[] | null } | null {
  if (delimiter.length !== 1 || delimiter.trim() === '' || text.includes('"') || text.includes('#'))
    return null;
  let data = new Float64Array(1024);
  let n = 0;
  let cols = -1;
  let rows = 0;
  let pos = 0;
  let header: string[] | null = null;
  const len = text.length;
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    let lineEnd = end;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    if (rows === 0 && header === null && lineEnd > pos) {
      // A first line without a single number is the header (see isHeaderRow).
      const cells = text.slice(pos, lineEnd).split(delimiter);
      if (isHeaderRow(cells)) {
        header = cells.map((c) => c.trim());
        cols = cells.length;
        pos = end + 1;
        continue;
      }
    }
    if (lineEnd > pos && text.slice(pos, lineEnd).trim() !== '') {
      let count = 0;
      let start = pos;
      for (;;) {
        let d = text.indexOf(delimiter, start);
        if (d < 0 || d > lineEnd) d = lineEnd;
        const v = +text.slice(start, d);
        // NaN, an empty cell (+'' is 0) or a radix literal: leave it to the general path.
        if (Number.isNaN(v) || (v === 0 && text.slice(start, d).trim() === '')) return null;
        if (n === data.length) {
          const bigger = new Float64Array(data.length * 2);
          bigger.set(data);
          data = bigger;
        }
        data[n++] = v;
        count++;
        if (d === lineEnd) break;
        start = d + 1;
      }
      if (cols < 0) cols = count;
      else if (count !== cols) return null;
      rows++;
    }
    pos = end + 1;
  }
  if (rows === 0) return null;
  return { data: data.slice(0, n), rows, cols, header };
}

const RADIX = /(^|[^eE\d.])0[xXbBoO]/;

/** Parses numeric delimited text; see the file comment for the rules. */
export function readCsv(text: string, source: string, opts: CsvOptions = {}): CsvResult {
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const delimiter = opts.delimiter ?? sniffDelimiter(text);
  const plain = RADIX.test(text) ? null : readPlainNumbers(text, delimiter);
  if (
    plain &&
    (opts.columns === undefined || (plain.header && opts.columns.every((c) => plain.header!.includes(c))))
  ) {
    const { rows: nr, header } = plain;
    let { data, cols: nc } = plain;
    if (opts.columns !== undefined && header) {
      const pick = opts.columns.map((c) => header.indexOf(c));
      const sel = new Float64Array(nr * pick.length);
      for (let r = 0; r < nr; r++)
        for (let j = 0; j < pick.length; j++) sel[r * pick.length + j] = data[r * nc + pick[j]!]!;
      data = sel;
      nc = pick.length;
    }
    const shape = nr === 1 && nc === 1 ? [] : nr === 1 ? [nc] : nc === 1 ? [nr] : [nr, nc];
    return { array: { dtype: 'float64', shape, data }, header };
  }
  const rows = delimiter.trim() === '' ? splitWhitespace(text) : splitDelimited(text, delimiter, source);
  if (rows.length === 0) throw new FormatError(`${source}: no data`);

  const expected = rows[0]!.cells.length;
  let header: string[] | null = null;
  let first = 0;
  if (isHeaderRow(rows[0]!.cells)) {
    header = rows[0]!.cells.map((c) => c.trim());
    first = 1;
  }

  let selected: number[];
  if (opts.columns !== undefined) {
    if (header === null) {
      throw new FormatError(
        `${source}: cannot select columns ${clip(opts.columns.map((c) => `'${c}'`).join(', '))}: the file has no header row`,
      );
    }
    const names = header;
    selected = opts.columns.map((name) => {
      const i = names.indexOf(name);
      if (i < 0)
        throw new FormatError(`${source}: no column named '${clip(name)}' (has: ${clip(names.join(', '))})`);
      return i;
    });
  } else {
    selected = Array.from({ length: expected }, (_, i) => i);
  }

  const nrows = rows.length - first;
  if (nrows === 0) throw new FormatError(`${source}: no data`);
  const ncols = selected.length;
  const data = new Float64Array(nrows * ncols);
  for (let r = 0; r < nrows; r++) {
    const { cells, line } = rows[first + r]!;
    if (cells.length !== expected) {
      throw new FormatError(`${source}: line ${line} has ${cells.length} columns, expected ${expected}`);
    }
    for (let c = 0; c < ncols; c++) {
      const col = selected[c]!;
      const cell = cells[col]!;
      // Fast path for ordinary decimal numbers; everything else (empty, nan/inf spellings, hex that
      // float() rejects, garbage) goes through the checks below.
      const fast = +cell;
      if (!Number.isNaN(fast) && fast !== 0 && (!Number.isInteger(fast) || !/[xXbBoO]/.test(cell))) {
        data[r * ncols + c] = fast;
        continue;
      }
      let v: number | null;
      if (cell.trim() === '') {
        if (!opts.emptyAsNaN) throw new FormatError(`${source}: line ${line}, column ${col + 1}: empty cell`);
        v = Number.NaN;
      } else {
        v = parseCell(cell);
        if (v === null) {
          throw new FormatError(
            `${source}: line ${line}, column ${col + 1}: cannot parse '${clip(cell)}' as a number`,
          );
        }
      }
      data[r * ncols + c] = v;
    }
  }

  let shape: number[];
  if (nrows === 1 && ncols === 1) shape = [];
  else if (nrows === 1) shape = [ncols];
  else if (ncols === 1) shape = [nrows];
  else shape = [nrows, ncols];
  return { array: { dtype: 'float64', shape, data }, header };
}
