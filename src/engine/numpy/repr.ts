/**
 * @file The Array repr, as JAX 0.10.2 prints it: `Array([1., 2.], dtype=float32)`.
 *
 * jax.Array.__repr__ is NumPy's `array2string` (default print options: precision 8, floatmode
 * 'maxprec', line width 75 less the `,` suffix, summarisation with `...` above 1000 elements and 3
 * edge items) with prefix `Array(`, then the dtype text (`, weak_type=True` for weak arrays) after a
 * single space, or after six spaces when it would overflow the last line (JAX's quirk, kept).
 *
 * The float rules follow numpy/_core/arrayprint.py's FloatingFormat with NumPy's Dragon4: each value
 * gets the shortest digits that identify it in its own dtype, cut (with exact round-half-even) at
 * 8 fractional digits; scientific notation is used when a non-zero magnitude is >= 10**min(8,
 * finfo.precision) or < 1e-4, or the max/min ratio exceeds 1000; a first pass over the values fixes
 * the common widths. Installed into core's reprHooks at load time (imported by numpy/index.ts).
 */
import { type ArrayImpl, reprHooks, scalarOf } from '../core/array.js';
import type { DType, TypedArray } from '../core/dtype.js';
import { shapeTuple } from '../core/shape.js';

const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const PRECISION = 8;

// ---- exact decimals ------------------------------------------------------------------------------

/** A finite non-negative decimal: the integer `digits` times 10**scale (digits has no leading 0s). */
interface Dec {
  digits: string;
  scale: number;
}

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** The exact decimal value of |x| (every binary float is a finite decimal). */
function exactDecimal(x: number): Dec {
  F64[0] = Math.abs(x);
  const bits = U64[0];
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  if (mant === 0n) return { digits: '0', scale: 0 };
  if (e >= 0) return { digits: (mant << BigInt(e)).toString(), scale: 0 };
  // m * 2^e = m * 5^-e * 10^e
  return stripZeros({ digits: (mant * 5n ** BigInt(-e)).toString(), scale: e });
}

function stripZeros(d: Dec): Dec {
  let { digits, scale } = d;
  if (digits === '0') return { digits, scale: 0 };
  let n = digits.length;
  while (n > 1 && digits[n - 1] === '0') n--;
  scale += digits.length - n;
  digits = digits.slice(0, n);
  return { digits, scale };
}

/** Drop the last `drop` digits of d, rounding half to even on the exact value. */
function roundDigits(d: Dec, drop: number): Dec {
  if (drop <= 0) return d;
  const { digits } = d;
  const keep = digits.length - drop;
  if (keep < 0) return { digits: '0', scale: 0 };
  const head = keep === 0 ? 0n : BigInt(digits.slice(0, keep));
  const tail = digits.slice(keep);
  const half = `5${'0'.repeat(tail.length - 1)}`;
  let up: boolean;
  if (tail > half) up = true;
  else if (tail < half) up = false;
  else up = head % 2n === 1n;
  const v = up ? head + 1n : head;
  if (v === 0n) return { digits: '0', scale: 0 };
  return stripZeros({ digits: v.toString(), scale: d.scale + drop });
}

/** float16 rounding of a double (round half to even; overflow to infinity). */
function roundHalf(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a >= 65520) return Math.sign(x) * Number.POSITIVE_INFINITY;
  let e = Math.max(Math.floor(Math.log2(a)), -14);
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  e = Math.max(e, -14);
  const ulp = 2 ** (e - 10);
  const q = a / ulp;
  let r = Math.round(q);
  if (r - q === 0.5 && r % 2 === 1) r--;
  return Math.sign(x) * r * ulp;
}

function sameInDType(s: string, x: number, dtype: DType): boolean {
  const v = Number(s);
  if (dtype.name === 'float32') return Math.fround(v) === x;
  if (dtype.name === 'float16') return roundHalf(v) === x;
  return v === x;
}

function decFromExponential(s: string): Dec {
  const [m, e] = s.split('e');
  const [ip, fp = ''] = m.replace('-', '').split('.');
  const digits = (ip + fp).replace(/^0+(?=\d)/, '');
  return stripZeros({ digits, scale: Number(e) - fp.length });
}

/** The shortest digits of |x| that read back as x in its dtype (Dragon4's unique mode). */
function shortestDecimal(x: number, dtype: DType): Dec {
  const a = Math.abs(x);
  if (a === 0) return { digits: '0', scale: 0 };
  if (dtype.name === 'float64') return decFromExponential(a.toExponential());
  const maxDigits = dtype.name === 'float16' ? 5 : 9;
  // Candidates are rounded half to even from the exact value, as Dragon4's last digit is.
  const ex = exactDecimal(a);
  for (let p = 1; p < maxDigits; p++) {
    const d = roundDigits(ex, ex.digits.length - p);
    if (sameInDType(`${d.digits}e${d.scale}`, a, dtype)) return d;
    // At a power of two the interval below is half as wide: a farther neighbour may still fit.
    const pad = Math.max(0, p - d.digits.length);
    for (const delta of [-1n, 1n]) {
      const n = BigInt(d.digits) * 10n ** BigInt(pad) + delta;
      const sc = d.scale - pad;
      if (n > 0n && sameInDType(`${n}e${sc}`, a, dtype))
        return stripZeros({ digits: n.toString(), scale: sc });
    }
  }
  return roundDigits(ex, ex.digits.length - maxDigits);
}

/** Decimal exponent of the leading digit. */
function sciExp(d: Dec): number {
  return d.digits === '0' ? 0 : d.digits.length - 1 + d.scale;
}

/** Unique digits of |x| with at most `frac` fractional digits (exact rounding when cut). */
function positionalDec(x: number, dtype: DType, frac: number): Dec {
  const s = shortestDecimal(x, dtype);
  if (-s.scale <= frac) return s;
  const ex = exactDecimal(x);
  return roundDigits(ex, -frac - ex.scale);
}

/**
 * Unique digits of |x| with at most `prec` digits after the leading one; with `minDigits`, Dragon4
 * goes on past the unique digits to that many, from the exact value (not with zeros).
 */
function scientificDec(x: number, dtype: DType, prec: number, minDigits = 0): Dec {
  const s = shortestDecimal(x, dtype);
  const n = s.digits.length - 1;
  if (n <= prec && (n >= minDigits || s.digits === '0')) return s;
  const ex = exactDecimal(x);
  return roundDigits(ex, ex.digits.length - (prec + 1));
}

function positionalParts(x: number, dtype: DType, frac: number): [string, string] {
  const d = positionalDec(x, dtype, frac);
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  let ip: string;
  let fp: string;
  if (d.scale >= 0) {
    ip = d.digits === '0' ? '0' : d.digits + '0'.repeat(d.scale);
    fp = '';
  } else {
    const n = -d.scale;
    const padded = d.digits.padStart(n + 1, '0');
    ip = padded.slice(0, padded.length - n);
    fp = padded.slice(padded.length - n);
  }
  return [sign + ip, fp];
}

function scientificParts(x: number, dtype: DType, prec: number, minDigits = 0): [string, string, number] {
  const d = scientificDec(x, dtype, prec, minDigits);
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  return [sign + d.digits[0], d.digits.slice(1), sciExp(d)];
}

function expText(e: number, digits: number): string {
  return (e < 0 ? '-' : '+') + String(Math.abs(e)).padStart(digits, '0');
}

// ---- element formatters --------------------------------------------------------------------------

type Formatter = (v: number | bigint | boolean) => string;

/** NumPy's finfo(dtype).precision. */
function finfoPrecision(dtype: DType): number {
  return dtype.name === 'float16' ? 3 : dtype.name === 'float32' ? 6 : 15;
}

function floatFormatter(values: number[], dtype: DType): Formatter {
  const finite = values.filter(Number.isFinite);
  const nonZero = finite.filter((v) => v !== 0).map(Math.abs);
  let expFormat = false;
  if (nonZero.length) {
    const max = Math.max(...nonZero);
    const min = Math.min(...nonZero);
    const cutoff = 10 ** Math.min(8, finfoPrecision(dtype));
    if (max >= cutoff || min < 0.0001 || max / min > 1000) expFormat = true;
  }
  let padLeft = 0;
  let padRight = 0;
  let precision = PRECISION;
  let expSize = -1;
  if (finite.length === 0) {
    // only non-finite values
  } else if (expFormat) {
    const parts = finite.map((v) => scientificParts(v, dtype, PRECISION));
    expSize = Math.max(...parts.map(([, , e]) => Math.max(2, String(Math.abs(e)).length)));
    precision = Math.max(...parts.map(([, f]) => f.length));
    padLeft = Math.max(...parts.map(([i]) => i.length));
    padRight = expSize + 2 + precision;
  } else {
    const parts = finite.map((v) => positionalParts(v, dtype, PRECISION));
    padLeft = Math.max(...parts.map(([i]) => i.length));
    padRight = Math.max(...parts.map(([, f]) => f.length));
  }
  if (finite.length !== values.length) {
    const negInf = values.some((v) => v === Number.NEGATIVE_INFINITY) ? 1 : 0;
    const offset = padRight + 1;
    padLeft = Math.max(padLeft, 3 - offset, 3 + negInf - offset);
  }
  return (raw) => {
    const x = Number(raw);
    if (!Number.isFinite(x)) {
      const s = Number.isNaN(x) ? 'nan' : x < 0 ? '-inf' : 'inf';
      return s.padStart(padLeft + padRight + 1);
    }
    if (expFormat) {
      const [ip, fp, e] = scientificParts(x, dtype, precision, precision);
      return `${ip.padStart(padLeft)}.${fp.padEnd(precision, '0')}e${expText(e, expSize)}`;
    }
    const [ip, fp] = positionalParts(x, dtype, precision);
    return `${ip.padStart(padLeft)}.${fp.padEnd(padRight)}`;
  };
}

function intFormatter(values: (number | bigint)[]): Formatter {
  let width = 0;
  if (values.length) {
    let max = values[0];
    let min = values[0];
    for (const v of values) {
      if (v > max) max = v;
      if (v < min) min = v;
    }
    width = Math.max(String(max).length, String(min).length);
  }
  return (v) => String(v).padStart(width);
}

function boolFormatter(is0d: boolean): Formatter {
  const t = is0d ? 'True' : ' True';
  return (v) => (v ? t : 'False');
}

// ---- array2string --------------------------------------------------------------------------------

function stridesFor(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Flat indices of the elements a summarised print shows (NumPy's _leading_trailing). */
function shownIndices(shape: readonly number[], summarise: boolean): number[] {
  const strides = stridesFor(shape);
  const out: number[] = [];
  const go = (d: number, base: number) => {
    if (d === shape.length) {
      out.push(base);
      return;
    }
    const n = shape[d];
    const idx =
      summarise && n > 2 * EDGE_ITEMS
        ? [
            ...Array.from({ length: EDGE_ITEMS }, (_, i) => i),
            ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i),
          ]
        : Array.from({ length: n }, (_, i) => i);
    for (const i of idx) go(d + 1, base + i * strides[d]);
  };
  go(0, 0);
  return out;
}

function extendLine(
  s: string,
  line: string,
  word: string,
  width: number,
  nextPrefix: string,
): [string, string] {
  let wrap = line.length + word.length > width;
  if (line.length <= nextPrefix.length) wrap = false;
  if (wrap) {
    s += `${line.trimEnd()}\n`;
    line = nextPrefix;
  }
  return [s, line + word];
}

function formatArray(
  shape: readonly number[],
  elem: (flat: number) => string,
  lineWidth: number,
  nextLinePrefix: string,
  separator: string,
  summarise: boolean,
): string {
  const strides = stridesFor(shape);
  const ndim = shape.length;
  const rec = (axis: number, base: number, hanging: string, width: number): string => {
    const left = ndim - axis;
    if (left === 0) return elem(base);
    const nextHanging = `${hanging} `;
    const nextWidth = width - 1;
    const n = shape[axis];
    const showSummary = summarise && 2 * EDGE_ITEMS < n;
    const leading = showSummary ? EDGE_ITEMS : 0;
    const trailing = showSummary ? EDGE_ITEMS : n;
    const at = (i: number) => base + (i < 0 ? n + i : i) * strides[axis];
    let s = '';
    if (left === 1) {
      const elemWidth = width - Math.max(separator.trimEnd().length, 1);
      let line = hanging;
      for (let i = 0; i < leading; i++) {
        [s, line] = extendLine(s, line, rec(axis + 1, at(i), nextHanging, nextWidth), elemWidth, hanging);
        line += separator;
      }
      if (showSummary) {
        [s, line] = extendLine(s, line, '...', elemWidth, hanging);
        line += separator;
      }
      for (let i = trailing; i > 1; i--) {
        [s, line] = extendLine(s, line, rec(axis + 1, at(-i), nextHanging, nextWidth), elemWidth, hanging);
        line += separator;
      }
      [s, line] = extendLine(s, line, rec(axis + 1, at(-1), nextHanging, nextWidth), elemWidth, hanging);
      s += line;
    } else {
      const lineSep = separator.trimEnd() + '\n'.repeat(left - 1);
      for (let i = 0; i < leading; i++) s += hanging + rec(axis + 1, at(i), nextHanging, nextWidth) + lineSep;
      if (showSummary) s += `${hanging}...${lineSep}`;
      for (let i = trailing; i > 1; i--)
        s += hanging + rec(axis + 1, at(-i), nextHanging, nextWidth) + lineSep;
      s += hanging + rec(axis + 1, at(-1), nextHanging, nextWidth);
    }
    return `[${s.slice(hanging.length)}]`;
  };
  return rec(0, 0, nextLinePrefix, lineWidth);
}

/**
 * NumPy's array2string of host data with JAX's repr options (prefix, `, ` separator, `,` suffix).
 * Exported for the CLI's text output.
 */
export function array2string(
  data: TypedArray,
  shape: readonly number[],
  dtype: DType,
  opts: { prefix?: string; separator?: string; suffix?: string; lineWidth?: number } = {},
): string {
  const prefix = opts.prefix ?? '';
  const separator = opts.separator ?? ' ';
  const lineWidth = (opts.lineWidth ?? LINE_WIDTH) - (opts.suffix ?? '').length;
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 0) return '[]';
  const summarise = size > THRESHOLD;
  const value = (i: number) => scalarOf(data, dtype, i);
  const shown = shownIndices(shape, summarise).map(value);
  let fmt: Formatter;
  if (dtype.isBool) fmt = boolFormatter(shape.length === 0);
  else if (dtype.isFloat) fmt = floatFormatter(shown as number[], dtype);
  else fmt = intFormatter(shown as (number | bigint)[]);
  return formatArray(
    shape,
    (i) => fmt(value(i)),
    lineWidth,
    ` ${' '.repeat(prefix.length)}`,
    separator,
    summarise,
  );
}

/** jax.Array.__repr__ for host data. */
export function arrayRepr(
  data: TypedArray,
  shape: readonly number[],
  dtype: DType,
  weakType: boolean,
): string {
  const prefix = 'Array(';
  const dtypeStr = weakType ? `dtype=${dtype.name}, weak_type=True` : `dtype=${dtype.name}`;
  const size = shape.reduce((a, b) => a * b, 1);
  const s =
    size === 0
      ? `[], shape=${shapeTuple(shape)}`
      : array2string(data, shape, dtype, { prefix, separator: ', ', suffix: ',', lineWidth: LINE_WIDTH });
  const lastLineLen = s.length - s.lastIndexOf('\n') + 1;
  const sep = lastLineLen + dtypeStr.length + 2 > LINE_WIDTH ? ' '.repeat(prefix.length) : ' ';
  return `${prefix}${s},${sep}${dtypeStr})`;
}

reprHooks.repr = (x: ArrayImpl, data: TypedArray) => arrayRepr(data, x.shape, x.dtype, x.weakType);
