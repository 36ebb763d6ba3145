/**
 * @file NumPy's str() of a scalar and array2string, and jax.Array.__repr__ on top of it: the one
 * implementation of array printing in tjax. The engine's `String(x)` (installed by numpy/repr.ts) and the
 * CLI's text output (src/format/text.ts) both print through here.
 *
 * Input is a PrintArray: a dtype name, a shape and C-ordered host data (float16 as raw bits, bool as 0/1
 * bytes, 64-bit integers as BigInt arrays). Engine arrays and src/format's HostArray both are one without
 * a copy.
 *
 * The rules follow numpy/_core/arrayprint.py (default print options: precision 8, 'maxprec' float
 * mode, line width 75, summarising with '...' above 1000 elements, 3 edge items; FloatingFormat's
 * scientific switch and padding) and jax/_src/array.py's __repr__: prefix `Array(`, suffix `,`, then
 * the dtype text (`, weak_type=True` for weak arrays). JAX puts that text after a run of six spaces, not
 * on a new line, when it would overflow the last line; that quirk is kept so output matches JAX
 * character for character. Digits come from float-format.ts (Dragon4's rules in the value's own dtype).
 */

import { h2f } from '../../backends/cpu/runtime.js';
import type { DTypeName, TypedArray } from '../dtype.js';
import { type Shape, shapeTuple, sizeOf } from '../shape.js';
import {
  type FloatDType,
  formatFloatScalar,
  formatPositional,
  formatScientific,
  roundToDType,
} from './float-format.js';

/** What printing needs of an array; engine arrays and src/format's HostArray both fit without copying. */
export interface PrintArray {
  readonly dtype: DTypeName;
  readonly shape: Shape;
  /** C-ordered; float16 holds raw IEEE half bits, bool holds 0/1. */
  readonly data: TypedArray;
}

function isFloat(dtype: DTypeName): dtype is FloatDType {
  return dtype === 'float16' || dtype === 'float32' || dtype === 'float64';
}

/** The float dtype of a complex dtype's parts, or null for other dtypes. */
function complexPart(dtype: DTypeName): FloatDType | null {
  return dtype === 'complex64' ? 'float32' : dtype === 'complex128' ? 'float64' : null;
}

/**
 * NumPy's str() of a complex scalar: `(1+2j)`, `1j` when the real part is +0, each part with the
 * shortest digits of its float dtype and no trailing `.0` (numpy/_core/src/multiarray/scalartypes.c).
 */
export function formatComplexScalar(re: number, im: number, part: FloatDType): string {
  const text = (x: number) => {
    if (Number.isNaN(x)) return 'nan';
    if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
    const s = formatFloatScalar(roundToDType(x, part), part);
    return s.endsWith('.0') ? s.slice(0, -2) : s;
  };
  const i = text(im);
  if (re === 0 && !Object.is(re, -0)) return `${i}j`;
  return `(${text(re)}${i.startsWith('-') ? '' : '+'}${i}j)`;
}

/**
 * One value as NumPy's str() of a scalar of this dtype writes it: floats with the shortest digits that
 * read back as the same value in their own dtype, positional (with a digit after the point) when
 * 1e-4 <= |x| < 1e16/1e6/1e3 for float64/float32/float16, else `1.5e+20`; integers in decimal; bools
 * as True/False. Floats are given by value (float16 too, not its bits) and rounded to the dtype first.
 */
export function formatScalar(dtype: DTypeName, value: number | bigint | boolean): string {
  if (dtype === 'bool') return value ? 'True' : 'False';
  const part = complexPart(dtype);
  // A complex value given as a number has no imaginary part.
  if (part) return formatComplexScalar(Number(value), 0, part);
  if (isFloat(dtype)) return formatFloatScalar(roundToDType(Number(value), dtype), dtype);
  return typeof value === 'bigint' ? value.toString() : String(Math.trunc(Number(value)));
}

/** Element i of a as a JS number (float16 decoded) or bigint; bools stay 0/1. */
function numericAt(a: PrintArray, i: number): number | bigint {
  const v = a.data[i]!;
  return a.dtype === 'float16' ? h2f(v as number) : v;
}

/** formatScalar of element i (flat, C order) of a (complex: the pair at 2i, 2i + 1). */
export function formatElement(a: PrintArray, i: number): string {
  const part = complexPart(a.dtype);
  if (part) return formatComplexScalar(a.data[2 * i] as number, a.data[2 * i + 1] as number, part);
  return formatScalar(a.dtype, numericAt(a, i));
}

// NumPy's default print options.
const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const PRECISION = 8;
// np.finfo(dtype).precision, which caps where NumPy 2 switches large values to exponent notation.
const FINFO_PRECISION: Record<FloatDType, number> = { float16: 3, float32: 6, float64: 15 };

/** Flat indices of the elements array2string shows: all of them, or the corners when summarising. */
function shownIndices(shape: Shape, summarise: boolean): number[] {
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
function floatFormatter(a: PrintArray, dtype: FloatDType, shown: number[]): ElementFormatter {
  return floatingFormat((i) => numericAt(a, i) as number, dtype, shown, false);
}

/**
 * NumPy's ComplexFloatingFormat: a FloatingFormat of the real parts, one of the imaginary parts
 * with sign='+', and the `j` written before the imaginary part's trailing padding.
 */
function complexFormatter(a: PrintArray, part: FloatDType, shown: number[]): ElementFormatter {
  const re = floatingFormat((i) => a.data[2 * i] as number, part, shown, false);
  const im = floatingFormat((i) => a.data[2 * i + 1] as number, part, shown, true);
  return (i) => {
    const s = im(i);
    const end = s.trimEnd().length;
    return `${re(i)}${s.slice(0, end)}j${s.slice(end)}`;
  };
}

/** FloatingFormat over `valueAt` of the shown indices; `plus` is NumPy's sign='+'. */
function floatingFormat(
  valueAt: (i: number) => number,
  dtype: FloatDType,
  shown: number[],
  plus: boolean,
): ElementFormatter {
  const values = shown.map(valueAt);
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
      const s = formatScientific(v, dtype, { precision: PRECISION, plus });
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
      const s = formatPositional(v, dtype, { precision: PRECISION, plus });
      const [intPart, frac] = s.split('.') as [string, string];
      padLeft = Math.max(padLeft, intPart.length);
      padRight = Math.max(padRight, frac.length);
    }
  }
  if (finite.length !== values.length) {
    const negInf = plus || values.some((v) => v === Number.NEGATIVE_INFINITY) ? 1 : 0;
    const offset = padRight + 1;
    padLeft = Math.max(padLeft, 3 - offset, 3 + negInf - offset);
  }

  return (i) => {
    const x = valueAt(i);
    if (!Number.isFinite(x)) {
      const sign = x < 0 ? '-' : plus ? '+' : '';
      const ret = sign + (Number.isNaN(x) ? 'nan' : 'inf');
      return ' '.repeat(Math.max(0, padLeft + padRight + 1 - ret.length)) + ret;
    }
    if (expFormat) {
      return formatScientific(x, dtype, {
        precision,
        minDigits: precision,
        padLeft,
        expDigits: expSize,
        plus,
      });
    }
    return formatPositional(x, dtype, { precision, padLeft, padRight, plus });
  };
}

function integerFormatter(a: PrintArray, shown: number[]): ElementFormatter {
  let width = 0;
  for (const i of shown) width = Math.max(width, String(a.data[i]!).length);
  return (i) => String(a.data[i]!).padStart(width, ' ');
}

function boolFormatter(a: PrintArray): ElementFormatter {
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
  shape: Shape,
  fmt: ElementFormatter,
  lineWidth: number,
  nextLinePrefix: string,
  separator: string,
  summarise: boolean,
): string {
  const nd = shape.length;
  const sepTrim = separator.trimEnd();

  // For a C-ordered array the flat index of a[i0, i1, ...] is built up axis by axis.
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
  return recurse(0, 0, nextLinePrefix, lineWidth);
}

export interface Array2StringOptions {
  /** Text that will stand before the result; continuation lines are indented past it. */
  prefix?: string;
  /** Text that will follow the result; the last line leaves room for it. */
  suffix?: string;
  /** Between elements; NumPy's default is ' ', repr uses ', '. */
  separator?: string;
  lineWidth?: number;
}

/** np.array2string(a, separator=..., prefix=..., suffix=...) with NumPy's default print options. */
export function array2string(a: PrintArray, opts: Array2StringOptions = {}): string {
  const size = sizeOf(a.shape);
  if (size === 0) return '[]';
  const summarise = size > THRESHOLD;
  const shown = shownIndices(a.shape, summarise);
  let fmt: ElementFormatter;
  const part = complexPart(a.dtype);
  if (a.dtype === 'bool') fmt = boolFormatter(a);
  else if (part) fmt = complexFormatter(a, part, shown);
  else if (isFloat(a.dtype)) fmt = floatFormatter(a, a.dtype, shown);
  else fmt = integerFormatter(a, shown);
  const lineWidth = (opts.lineWidth ?? LINE_WIDTH) - (opts.suffix ?? '').length;
  const nextLinePrefix = ' '.repeat((opts.prefix ?? '').length + 1);
  return formatNested(a.shape, fmt, lineWidth, nextLinePrefix, opts.separator ?? ' ', summarise);
}

/**
 * jax.Array's repr, e.g. `Array([1., 2.], dtype=float32)` or `Array(3, dtype=int32, weak_type=True)`.
 */
export function arrayRepr(a: PrintArray, opts: { weakType?: boolean } = {}): string {
  const prefix = 'Array(';
  const dtypeStr = opts.weakType ? `dtype=${a.dtype}, weak_type=True)` : `dtype=${a.dtype})`;
  const s =
    sizeOf(a.shape) === 0
      ? `[], shape=${shapeTuple(a.shape)}`
      : array2string(a, { prefix, suffix: ',', separator: ', ' });
  // Same arithmetic as JAX (including its off-by-two when there is no newline).
  const lastLineLen = s.length - s.lastIndexOf('\n') + 1;
  const sep = lastLineLen + dtypeStr.length + 1 > LINE_WIDTH ? ' '.repeat(prefix.length) : ' ';
  return `${prefix}${s},${sep}${dtypeStr}`;
}
