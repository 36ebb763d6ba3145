/**
 * @file Text output of arrays: single values, numpy.savetxt-style lines, CSV, and JAX's Array repr.
 *
 * Scalars print like NumPy scalars print with str(): floats use the shortest digits that read back as
 * the same value in their own dtype (float32 0.1 is `0.1`), laid out positionally with at least one
 * digit after the point when 1e-4 <= |x| < 1e16 for float64 (exactly Python's repr of a float), and
 * when 1e-4 <= |x| < 1e6 for float32 and < 1e3 for float16 (NumPy's limits for those dtypes), otherwise
 * as `1.5e+20`/`1e-05`. Integers print in decimal, bools as True/False.
 *
 * formatRepr reproduces jax.Array.__repr__, which is NumPy's array2string (default print options:
 * precision 8, 'maxprec' float mode, line width 75, summarising with '...' above 1000 elements, 3 edge
 * items) with prefix `Array(` and suffix `,`, followed by the dtype (and weak_type) text. JAX puts that
 * text after a run of six spaces, not on a new line, when it would overflow the last line; that quirk is
 * kept so output matches JAX character for character.
 */

import {
  type FloatDType,
  formatFloatScalar,
  formatPositional,
  formatScientific,
  roundToDType,
} from './float-format.js';
import {
  type DTypeName,
  FormatError,
  type HostArray,
  halfToFloat,
  isFloatDType,
  shapeRepr,
  shapeSize,
} from './host-array.js';

/**
 * One value as NumPy's str() of a scalar of this dtype writes it (see the file comment). Floats are given
 * by value (float16 too, not its bits) and rounded to the dtype first.
 */
export function formatScalar(dtype: DTypeName, value: number | bigint | boolean): string {
  if (dtype === 'bool') return value ? 'True' : 'False';
  if (isFloatDType(dtype)) return formatFloatScalar(roundToDType(Number(value), dtype), dtype);
  return typeof value === 'bigint' ? value.toString() : String(Math.trunc(Number(value)));
}

/** Element i of a as a JS number (float16 decoded) or bigint. */
function numericAt(a: HostArray, i: number): number | bigint {
  const v = a.data[i]!;
  return a.dtype === 'float16' ? halfToFloat(v as number) : v;
}

function elementText(a: HostArray, i: number): string {
  return formatScalar(a.dtype, numericAt(a, i));
}

/**
 * numpy.savetxt's layout with shortest round-trip numbers: a 0-d array is one value and a newline, 1-D
 * one value per line, 2-D one row per line joined by the delimiter. Higher ranks have no text layout.
 */
export function formatText(a: HostArray, delimiter = ' '): string {
  const nd = a.shape.length;
  if (nd === 0) return `${elementText(a, 0)}\n`;
  if (nd === 1) {
    let out = '';
    for (let i = 0; i < a.shape[0]!; i++) out += `${elementText(a, i)}\n`;
    return out;
  }
  if (nd === 2) {
    const [rows, cols] = a.shape as [number, number];
    const lines: string[] = [];
    for (let r = 0; r < rows; r++) {
      const cells: string[] = [];
      for (let c = 0; c < cols; c++) cells.push(elementText(a, r * cols + c));
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

// NumPy's default print options.
const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const PRECISION = 8;
// np.finfo(dtype).precision, which caps where NumPy 2 switches large values to exponent notation.
const FINFO_PRECISION: Record<FloatDType, number> = { float16: 3, float32: 6, float64: 15 };

/** Flat indices of the elements array2string shows: all of them, or the corners when summarising. */
function shownIndices(shape: number[], summarise: boolean): number[] {
  let idx = [0];
  for (const len of shape) {
    const keep: number[] = [];
    if (summarise && len > 2 * EDGE_ITEMS) {
      for (let i = 0; i < EDGE_ITEMS; i++) keep.push(i);
      for (let i = len - EDGE_ITEMS; i < len; i++) keep.push(i);
    } else {
      for (let i = 0; i < len; i++) keep.push(i);
    }
    const next: number[] = [];
    for (const base of idx) for (const k of keep) next.push(base * len + k);
    idx = next;
  }
  return idx;
}

type ElementFormatter = (i: number) => string;

/** NumPy's FloatingFormat in 'maxprec' mode with precision 8, built from the values that will be shown. */
function floatFormatter(a: HostArray, shown: number[]): ElementFormatter {
  const dtype = a.dtype as FloatDType;
  const values = shown.map((i) => numericAt(a, i) as number);
  const finite = values.filter((v) => Number.isFinite(v));
  const absNonZero = finite.filter((v) => v !== 0).map(Math.abs);
  let expFormat = false;
  if (absNonZero.length > 0) {
    let max = absNonZero[0]!;
    let min = absNonZero[0]!;
    for (const v of absNonZero) {
      if (v > max) max = v;
      if (v < min) min = v;
    }
    // NumPy compares in the array's dtype (Python float operands are weak), hence the rounding.
    const cutoff = roundToDType(10 ** Math.min(8, FINFO_PRECISION[dtype]), dtype);
    expFormat = max >= cutoff || min < roundToDType(0.0001, dtype) || roundToDType(max / min, dtype) > 1000;
  }

  let padLeft = 0;
  let padRight = 0;
  let precision = PRECISION;
  let expSize = -1;
  if (finite.length > 0 && expFormat) {
    let maxFrac = 0;
    for (const v of finite) {
      const s = formatScientific(v, dtype, { precision: PRECISION });
      const [mant, exp] = s.split('e') as [string, string];
      const [intPart, frac] = mant.split('.') as [string, string];
      expSize = Math.max(expSize, exp.length - 1);
      maxFrac = Math.max(maxFrac, frac.length);
      padLeft = Math.max(padLeft, intPart.length);
    }
    precision = maxFrac;
    padRight = expSize + 2 + precision;
  } else if (finite.length > 0) {
    for (const v of finite) {
      const s = formatPositional(v, dtype, { precision: PRECISION });
      const [intPart, frac] = s.split('.') as [string, string];
      padLeft = Math.max(padLeft, intPart.length);
      padRight = Math.max(padRight, frac.length);
    }
  }
  if (finite.length !== values.length) {
    const negInf = values.some((v) => v === Number.NEGATIVE_INFINITY) ? 1 : 0;
    const offset = padRight + 1;
    padLeft = Math.max(padLeft, 3 - offset, 3 + negInf - offset);
  }

  return (i) => {
    const x = numericAt(a, i) as number;
    if (!Number.isFinite(x)) {
      const ret = Number.isNaN(x) ? 'nan' : x < 0 ? '-inf' : 'inf';
      return ' '.repeat(Math.max(0, padLeft + padRight + 1 - ret.length)) + ret;
    }
    if (expFormat) {
      return formatScientific(x, dtype, { precision, minDigits: precision, padLeft, expDigits: expSize });
    }
    return formatPositional(x, dtype, { precision, padLeft, padRight });
  };
}

function integerFormatter(a: HostArray, shown: number[]): ElementFormatter {
  let width = 0;
  for (const i of shown) width = Math.max(width, String(a.data[i]!).length);
  return (i) => String(a.data[i]!).padStart(width, ' ');
}

function boolFormatter(a: HostArray): ElementFormatter {
  // The extra space lines " True" up with "False", except in a 0-d array.
  const t = a.shape.length === 0 ? 'True' : ' True';
  return (i) => (a.data[i] ? t : 'False');
}

function extendLine(
  s: string,
  line: string,
  word: string,
  width: number,
  nextPrefix: string,
): [string, string] {
  // Wrapping cannot help when the line holds nothing but the indent.
  if (line.length + word.length > width && line.length > nextPrefix.length) {
    s += `${line.trimEnd()}\n`;
    line = nextPrefix;
  }
  return [s, line + word];
}

/** NumPy's _formatArray: nested brackets, wrapping rows at the line width, '...' when summarising. */
function formatNested(
  a: HostArray,
  fmt: ElementFormatter,
  lineWidth: number,
  nextLinePrefix: string,
  separator: string,
  summarise: boolean,
): string {
  const shape = a.shape;
  const nd = shape.length;
  const sepTrim = separator.trimEnd();

  const recurse = (axis: number, base: number, hanging: string, width: number): string => {
    if (axis === nd) return fmt(base);
    const nextHanging = `${hanging} `;
    const nextWidth = width - 1;
    const len = shape[axis]!;
    const showSummary = summarise && 2 * EDGE_ITEMS < len;
    const leading = showSummary ? EDGE_ITEMS : 0;
    const trailing = showSummary ? EDGE_ITEMS : len;
    const child = (i: number) => recurse(axis + 1, base * len + i, nextHanging, nextWidth);
    let s = '';
    if (axis === nd - 1) {
      const elemWidth = width - Math.max(sepTrim.length, 1);
      let line = hanging;
      for (let i = 0; i < leading; i++) {
        [s, line] = extendLine(s, line, child(i), elemWidth, hanging);
        line += separator;
      }
      if (showSummary) {
        [s, line] = extendLine(s, line, '...', elemWidth, hanging);
        line += separator;
      }
      for (let i = trailing; i > 1; i--) {
        [s, line] = extendLine(s, line, child(len - i), elemWidth, hanging);
        line += separator;
      }
      [s, line] = extendLine(s, line, child(len - 1), elemWidth, hanging);
      s += line;
    } else {
      const lineSep = sepTrim + '\n'.repeat(nd - axis - 1);
      for (let i = 0; i < leading; i++) s += hanging + child(i) + lineSep;
      if (showSummary) s += `${hanging}...${lineSep}`;
      for (let i = trailing; i > 1; i--) s += hanging + child(len - i) + lineSep;
      s += hanging + child(len - 1);
    }
    return `[${s.slice(hanging.length)}]`;
  };
  // For a C-ordered array the flat index of a[i0, i1, ...] is built up axis by axis.
  return recurse(0, 0, nextLinePrefix, lineWidth);
}

/** np.array2string(a, separator=', ', prefix=prefix, suffix=suffix) with default print options. */
export function array2string(a: HostArray, prefix: string, suffix: string): string {
  const size = shapeSize(a.shape);
  if (size === 0) return '[]';
  const summarise = size > THRESHOLD;
  const shown = shownIndices(a.shape, summarise);
  let fmt: ElementFormatter;
  if (a.dtype === 'bool') fmt = boolFormatter(a);
  else if (isFloatDType(a.dtype)) fmt = floatFormatter(a, shown);
  else fmt = integerFormatter(a, shown);
  return formatNested(a, fmt, LINE_WIDTH - suffix.length, ' '.repeat(prefix.length + 1), ', ', summarise);
}

/**
 * jax.Array's repr, e.g. `Array([1., 2.], dtype=float32)` or `Array(3, dtype=int32, weak_type=True)`.
 */
export function formatRepr(a: HostArray, opts: { weakType?: boolean } = {}): string {
  const prefix = 'Array(';
  const dtypeStr = opts.weakType ? `dtype=${a.dtype}, weak_type=True)` : `dtype=${a.dtype})`;
  const s = shapeSize(a.shape) === 0 ? `[], shape=${shapeRepr(a.shape)}` : array2string(a, prefix, ',');
  // Same arithmetic as JAX (including its off-by-two when there is no newline).
  const lastLineLen = s.length - s.lastIndexOf('\n') + 1;
  const sep = lastLineLen + dtypeStr.length + 1 > LINE_WIDTH ? ' '.repeat(prefix.length) : ' ';
  return `${prefix}${s},${sep}${dtypeStr}`;
}
