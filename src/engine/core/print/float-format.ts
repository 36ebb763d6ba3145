/**
 * @file Decimal digit generation for float16/float32/float64 values, matching NumPy's Dragon4 output
 * (numpy/_core/src/multiarray/dragon4.c is the reference for the rules; the code is our own). The one
 * implementation of float digits in tjax: the Array repr (print/array2string.ts) and the CLI's text and
 * JSON output (src/format) both use it.
 *
 * NumPy prints a float with the shortest digit string that reads back as the same value *in its own
 * dtype* (so float32 0.1 prints as 0.1), picking the closest such string and breaking exact ties towards
 * an even last digit; when a digit limit cuts the string short it rounds the exact binary value,
 * again ties to even. This module reproduces that without a bignum Dragon4 on the common path:
 *
 * - float64: ECMAScript's Number-to-string already yields the shortest, closest digits under the same
 *   round-half-even reading, so those digits are used directly.
 * - float32/float16: a binary search over the digit count for the correctly rounded decimal that reads
 *   back as x (Math.fround / f16r), with the few cases where that shortcut could differ from
 *   Dragon4 (powers of two, decimals on a rounding boundary, digit ties) sent to a careful path that
 *   tests both p-digit neighbours of x against its rounding interval (the midpoints to its neighbours,
 *   exact in double precision; the ends count only when x's last mantissa bit is even). Comparisons
 *   fall back to exact BigInt arithmetic only when doubles cannot decide.
 * - dragon4Digits is a plain BigInt Dragon4, used where NumPy wants more digits than the shortest form
 *   and by the tests as the reference for the fast paths.
 * - limited precision (NumPy's precision=8 in array printing): toFixed/toExponential round the exact
 *   value half-up; an exact tie is detected with BigInt and resolved to the even digit instead.
 */

import { f2h, f16r, h2f } from '../../backends/cpu/runtime.js';

export type FloatDType = 'float16' | 'float32' | 'float64';

/** A positive decimal d1.d2d3... x 10^exp; digits has no trailing zeros. Zero is {digits: '0', exp: 0}. */
export interface Dec {
  digits: string;
  exp: number;
}

/** x rounded to the nearest value of dtype. */
export function roundToDType(x: number, dtype: FloatDType): number {
  if (dtype === 'float32') return Math.fround(x);
  if (dtype === 'float16') return f16r(x);
  return x;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Exact x = m * 2^e for a finite double. */
function decompose(x: number): { m: bigint; e: number } {
  f64[0] = x;
  const bits = u64[0]!;
  const be = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  if (be === 0) return { m: frac, e: -1074 };
  return { m: frac | 0x10000000000000n, e: be - 1075 };
}

/** Sign of (n * 10^k) - x, exactly, for integer n >= 0 and finite x >= 0. */
function cmpDecExact(n: number | bigint, k: number, x: number): number {
  const { m, e } = decompose(x);
  let left = BigInt(n);
  let right = m;
  if (k >= 0) left *= 10n ** BigInt(k);
  else right *= 10n ** BigInt(-k);
  if (e >= 0) right <<= BigInt(e);
  else left <<= BigInt(-e);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Sign of (n * 10^k) - x, using the correctly rounded double of the decimal when that decides it. */
function cmpDec(n: number, k: number, x: number): number {
  const v = Number(`${n}e${k}`);
  if (v < x) return -1;
  if (v > x) return 1;
  return cmpDecExact(n, k, x);
}

function stripZeros(digits: string, exp: number): Dec {
  const d = digits.replace(/0+$/, '');
  return d === '' ? { digits: '0', exp: 0 } : { digits: d, exp };
}

/** Parses the digits of a non-negative JS number string ('123.45', '1.5e-7', '1e+21'). */
function parseNumberString(s: string): Dec {
  const ei = s.indexOf('e');
  const mant = ei < 0 ? s : s.slice(0, ei);
  const e10 = ei < 0 ? 0 : Number(s.slice(ei + 1));
  const dot = mant.indexOf('.');
  const intPart = dot < 0 ? mant : mant.slice(0, dot);
  const all = intPart + (dot < 0 ? '' : mant.slice(dot + 1));
  const lead = all.search(/[1-9]/);
  if (lead < 0) return { digits: '0', exp: 0 };
  // The leading digit sits at 10^(intPart.length - 1 - lead) before applying the written exponent.
  return stripZeros(all.slice(lead), intPart.length - 1 - lead + e10);
}

interface Interval {
  lo: number;
  hi: number;
  inclusive: boolean;
}

/** Midpoints between x and its neighbours in a 16- or 32-bit format; x > 0 finite. */
function roundingInterval(x: number, dtype: 'float16' | 'float32'): Interval {
  let prev: number;
  let next: number;
  let bits: number;
  if (dtype === 'float32') {
    f32[0] = x;
    bits = u32[0]!;
    u32[0] = bits - 1;
    prev = bits === 0 ? 0 : f32[0]!;
    u32[0] = bits + 1;
    next = f32[0]!;
  } else {
    bits = f2h(x);
    prev = h2f(bits - 1);
    next = h2f(bits + 1);
  }
  const lo = (x + prev) / 2;
  // Above the largest finite value the next step is infinity; the gap is mirrored instead.
  const hi = Number.isFinite(next) ? (x + next) / 2 : x + (x - prev) / 2;
  return { lo, hi, inclusive: (bits & 1) === 0 };
}

function inInterval(n: number, k: number, iv: Interval): boolean {
  const cl = cmpDec(n, k, iv.lo);
  const ch = cmpDec(n, k, iv.hi);
  return (cl > 0 || (cl === 0 && iv.inclusive)) && (ch < 0 || (ch === 0 && iv.inclusive));
}

function mantissaEndsIn5(s: string): boolean {
  const e = s.indexOf('e');
  return (e < 0 ? s : s.slice(0, e)).endsWith('5');
}

/** Whether x is exactly halfway between lowN*10^lowK and highN*10^highK. */
function isExactTie(lowN: number, lowK: number, highN: number, highK: number, x: number): boolean {
  const k = Math.min(lowK, highK);
  const sum = BigInt(lowN) * 10n ** BigInt(lowK - k) + BigInt(highN) * 10n ** BigInt(highK - k);
  return cmpDecExact(sum, k, 2 * x) === 0;
}

function shortestSmall(x: number, dtype: 'float16' | 'float32'): Dec {
  const iv = roundingInterval(x, dtype);
  const maxP = dtype === 'float32' ? 9 : 5;
  for (let p = 1; p <= maxP; p++) {
    const c = parseNumberString(x.toExponential(p - 1));
    // c as an integer n times 10^k, with n having exactly p digits.
    const k = c.exp - p + 1;
    const n = Number(c.digits.padEnd(p, '0'));
    const side = cmpDec(n, k, x);
    if (side === 0) return c;
    let lowN: number;
    let lowK = k;
    let highN: number;
    let highK = k;
    if (side > 0) {
      highN = n;
      lowN = n - 1;
      // Below 10^e the p-digit grid is ten times finer.
      if (lowN < 10 ** (p - 1)) {
        lowN = 10 ** p - 1;
        lowK = k - 1;
      }
    } else {
      lowN = n;
      highN = n + 1;
    }
    const lowOk = inInterval(lowN, lowK, iv);
    const highOk = inInterval(highN, highK, iv);
    if (!lowOk && !highOk) continue;
    let useLow: boolean;
    if (lowOk !== highOk) useLow = lowOk;
    // A tie needs x to have an exact (p+1)-digit expansion ending in 5; only then is BigInt needed.
    else if (mantissaEndsIn5(x.toExponential(p)) && isExactTie(lowN, lowK, highN, highK, x))
      useLow = lowN % 2 === 0;
    else useLow = side < 0; // c, the correctly rounded one, is the nearer
    if (highN === 10 ** p) {
      highN = 1;
      highK += p;
    }
    return useLow
      ? stripZeros(String(lowN), lowK + String(lowN).length - 1)
      : stripZeros(String(highN), highK + String(highN).length - 1);
  }
  // Unreachable: 9 (float32) or 5 (float16) significant digits always identify a value.
  return parseNumberString(x.toExponential(maxP - 1));
}

/**
 * Exact digit generation as NumPy's Dragon4 does it (unique mode): digits of |x| are produced one at a
 * time and generation stops once the prefix identifies x within its dtype (and at least minCount digits
 * exist), or at maxCount digits. The last digit is then rounded by the same rule as NumPy: down when
 * only the truncated prefix identifies x, up when only the incremented one does, otherwise to nearest
 * with ties to even. Used where NumPy asks for more digits than the shortest form has, which prints the
 * exact value's further digits rather than zeros. BigInt throughout; x finite and non-zero.
 */
export function dragon4Digits(x: number, dtype: FloatDType, minCount: number, maxCount: number): Dec {
  const ax = Math.abs(x);
  let prev: number;
  let next: number | null;
  let inclusive: boolean;
  if (dtype === 'float64') {
    f64[0] = ax;
    const bits = u64[0]!;
    inclusive = (bits & 1n) === 0n;
    u64[0] = bits - 1n;
    prev = f64[0]!;
    u64[0] = bits + 1n;
    next = f64[0]!;
  } else {
    const iv = roundingInterval(ax, dtype);
    inclusive = iv.inclusive;
    // The interval ends are exact midpoints, so the neighbours they came from are recovered exactly.
    prev = 2 * iv.lo - ax;
    next = 2 * iv.hi - ax;
  }
  return dragon4Exact(ax, prev, Number.isFinite(next) ? next : null, inclusive, minCount, maxCount);
}

/** next === null: x is the largest finite value; its upper gap mirrors the lower one. */
function dragon4Exact(
  x: number,
  prev: number,
  next: number | null,
  inclusive: boolean,
  minCount: number,
  maxCount: number,
): Dec {
  // Work in units of 2^(e-1) so that the midpoints (x+prev)/2 and (x+next)/2 are integers.
  const dx = decompose(x);
  const dp = decompose(prev);
  const dn = next === null ? dx : decompose(next);
  const e = Math.min(dx.e, dp.e, dn.e) - 1;
  const X = dx.m << BigInt(dx.e - e);
  const P = dp.m << BigInt(dp.e - e);
  const N = next === null ? 2n * X - P : dn.m << BigInt(dn.e - e);
  let mLow = (X - P) / 2n;
  let mHigh = (N - X) / 2n;
  // Exponent of the leading digit: 10^k <= x < 10^(k+1).
  let k = Math.floor(Math.log10(x));
  while (cmpDecExact(1, k, x) > 0) k--;
  while (cmpDecExact(1, k + 1, x) <= 0) k++;
  // x / 10^k = R / S
  let R = X;
  let S = 1n;
  if (e >= 0) {
    R <<= BigInt(e);
    mLow <<= BigInt(e);
    mHigh <<= BigInt(e);
  } else {
    S <<= BigInt(-e);
  }
  if (k >= 0) {
    S *= 10n ** BigInt(k);
  } else {
    const f = 10n ** BigInt(-k);
    R *= f;
    mLow *= f;
    mHigh *= f;
  }
  const digits: number[] = [];
  let low = false;
  let high = false;
  let d = 0;
  for (;;) {
    d = Number(R / S);
    R %= S;
    low = inclusive ? R <= mLow : R < mLow;
    high = inclusive ? R + mHigh >= S : R + mHigh > S;
    const count = digits.length + 1;
    if (((low || high) && count >= minCount) || count >= maxCount) break;
    digits.push(d);
    R *= 10n;
    mLow *= 10n;
    mHigh *= 10n;
  }
  let roundDown = low;
  if (low === high) {
    const c = 2n * R - S;
    roundDown = c < 0n || (c === 0n && d % 2 === 0);
  }
  if (roundDown) {
    digits.push(d);
  } else {
    d += 1;
    while (d === 10 && digits.length > 0) d = digits.pop()! + 1;
    if (d === 10) {
      digits.push(1);
      k += 1;
    } else {
      digits.push(d);
    }
  }
  const str = digits.join('');
  // Keep requested trailing zeros: callers asking for minCount digits want them.
  return { digits: str, exp: k };
}

/** The shortest round-trip digits of |x| in dtype (x finite; x must already be a value of dtype). */
export function shortestDigits(x: number, dtype: FloatDType): Dec {
  const ax = Math.abs(x);
  if (ax === 0) return { digits: '0', exp: 0 };
  if (dtype === 'float64') return parseNumberString(String(ax));
  return shortestSmallFast(ax, dtype) ?? shortestSmall(ax, dtype);
}

/**
 * Whether the decimal read as the double d rounds to x in the small dtype. Returns undefined when d sits
 * exactly on a midpoint between two values of the dtype: the decimal itself may lie on either side, and
 * rounding the double again would decide it wrongly (double rounding), so the caller must be exact.
 */
function roundsTo(d: number, x: number, dtype: 'float16' | 'float32'): boolean | undefined {
  const round = dtype === 'float32' ? Math.fround : f16r;
  const f = round(d);
  // d is a midpoint exactly when its mirror image through f is also a value of the dtype.
  const mirror = 2 * d - f;
  if (f !== d && round(mirror) === mirror) return undefined;
  return f === x;
}

/**
 * The common case of shortestSmall, several times faster: binary search for the fewest digits whose
 * correctly rounded decimal reads back as x. Validity is monotone in the digit count because the
 * rounding interval is symmetric unless x is a power of two. Returns null when that or anything else
 * needs the careful path: powers of two, decimals on a rounding boundary, and possible digit ties.
 */
function shortestSmallFast(x: number, dtype: 'float16' | 'float32'): Dec | null {
  let bits: number;
  if (dtype === 'float32') {
    f32[0] = x;
    bits = u32[0]!;
    if ((bits & 0x7fffff) === 0) return null;
  } else {
    bits = f2h(x);
    if ((bits & 0x3ff) === 0) return null;
  }
  let lo = 1;
  let hi = dtype === 'float32' ? 9 : 5;
  let best = '';
  let bestP = 0;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = x.toPrecision(mid);
    const ok = roundsTo(Number(c), x, dtype);
    if (ok === undefined) return null;
    if (ok) {
      hi = mid;
      best = c;
      bestP = mid;
    } else {
      lo = mid + 1;
    }
  }
  if (bestP !== lo) {
    // The upper end (9 or 5 digits, always enough) was never tried.
    best = x.toPrecision(lo);
    if (roundsTo(Number(best), x, dtype) !== true) return null;
  }
  // An exact tie between two valid neighbours goes to the even digit; toPrecision would round up.
  if (mantissaEndsIn5(x.toPrecision(lo + 1))) return null;
  return parseNumberString(best);
}

/**
 * Resolves an exact half-way case of a half-up rounded string to the even neighbour. `rounded` is the
 * half-up result (n units of 10^k), `longer` has one more digit; returns n adjusted.
 */
function halfEvenFix(n: bigint, k: number, longer: string, ax: number): bigint {
  if (!mantissaEndsIn5(longer) || n % 2n === 0n) return n;
  // Half-up went up from n-1 on a tie only if ax == (n - 0.5) * 10^k exactly.
  const below = n - 1n;
  if (below < 0n) return n;
  const twice = 2n * below + 1n;
  const { m, e } = decompose(ax);
  let left = twice;
  let right = m * 2n;
  if (k >= 0) left *= 10n ** BigInt(k);
  else right *= 10n ** BigInt(-k);
  if (e >= 0) right <<= BigInt(e);
  else left <<= BigInt(-e);
  return left === right ? below : n;
}

/** |x| correctly rounded (ties to even) to `frac` digits after the decimal point; |x| < 1e21. */
export function fixedDigits(x: number, frac: number): Dec {
  const ax = Math.abs(x);
  const s = ax.toFixed(frac);
  let n = BigInt(s.replace('.', ''));
  if (frac < 100) n = halfEvenFix(n, -frac, ax.toFixed(frac + 1), ax);
  if (n === 0n) return { digits: '0', exp: 0 };
  const ds = n.toString();
  return stripZeros(ds, ds.length - 1 - frac);
}

/** |x| correctly rounded (ties to even) to `sig` significant digits. */
export function sigDigits(x: number, sig: number): Dec {
  const ax = Math.abs(x);
  if (ax === 0) return { digits: '0', exp: 0 };
  const d = parseNumberString(ax.toExponential(sig - 1));
  const nStr = d.digits.padEnd(sig, '0');
  const k = d.exp - sig + 1;
  let n = BigInt(nStr);
  if (sig < 100) n = halfEvenFix(n, k, ax.toExponential(sig), ax);
  const ds = n.toString();
  // Fixing a tie downwards can turn 10...0 into 9...9, one digit shorter.
  return stripZeros(ds, k + ds.length - 1);
}

/** Number of digits after the decimal point that d needs in positional notation. */
export function fractionLength(d: Dec): number {
  if (d.digits === '0') return 0;
  return Math.max(0, d.digits.length - 1 - d.exp);
}

export interface PositionalOptions {
  /** Maximum digits after the point; the shortest digits are rounded when longer. -1 for no limit. */
  precision: number;
  /** Pad the integer part (with its sign) on the left with spaces to this width. */
  padLeft?: number;
  /** Pad the fraction part on the right with spaces to this width. */
  padRight?: number;
  /** Write a '+' before non-negative values (NumPy's sign='+', used for imaginary parts). */
  plus?: boolean;
}

/** Digits of x under NumPy's unique mode with an optional precision cap, positional cutoff. */
export function positionalDec(x: number, dtype: FloatDType, precision: number): Dec {
  const d = shortestDigits(x, dtype);
  if (precision >= 0 && fractionLength(d) > precision) return fixedDigits(x, precision);
  return d;
}

/** Digits of x under NumPy's unique mode with an optional cap on digits after the leading one. */
export function scientificDec(x: number, dtype: FloatDType, precision: number): Dec {
  const d = shortestDigits(x, dtype);
  if (precision >= 0 && d.digits.length - 1 > precision) return sigDigits(x, precision + 1);
  return d;
}

/** NumPy's dragon4_positional(x, unique=True, fractional=True, trim='.', min_digits=0) with padding. */
export function formatPositional(x: number, dtype: FloatDType, o: PositionalOptions): string {
  const d = positionalDec(x, dtype, o.precision);
  let intPart: string;
  let fracPart: string;
  if (d.digits === '0') {
    intPart = '0';
    fracPart = '';
  } else if (d.exp >= 0) {
    intPart = d.digits.slice(0, d.exp + 1).padEnd(d.exp + 1, '0');
    fracPart = d.digits.slice(d.exp + 1);
  } else {
    intPart = '0';
    fracPart = '0'.repeat(-d.exp - 1) + d.digits;
  }
  const sign = x < 0 || Object.is(x, -0) ? '-' : o.plus ? '+' : '';
  const left = (sign + intPart).padStart(o.padLeft ?? 0, ' ');
  return `${left}.${fracPart.padEnd(o.padRight ?? 0, ' ')}`;
}

export interface ScientificOptions {
  precision: number;
  minDigits?: number;
  padLeft?: number;
  expDigits?: number;
  plus?: boolean;
}

/** NumPy's dragon4_scientific(x, unique=True, trim='.' or 'k' via minDigits) with the given padding. */
export function formatScientific(x: number, dtype: FloatDType, o: ScientificOptions): string {
  let d = scientificDec(x, dtype, o.precision);
  const minDigits = o.minDigits ?? 0;
  if (minDigits > d.digits.length - 1 && x !== 0) {
    // NumPy generates real digits of the exact value up to min_digits instead of padding with zeros.
    const cap = o.precision >= 0 ? o.precision + 1 : Number.POSITIVE_INFINITY;
    d = dragon4Digits(x, dtype, minDigits + 1, cap);
  }
  let frac = d.digits.slice(1);
  if (o.minDigits !== undefined && frac.length < o.minDigits) frac = frac.padEnd(o.minDigits, '0');
  const sign = x < 0 || Object.is(x, -0) ? '-' : o.plus ? '+' : '';
  const left = (sign + d.digits[0]!).padStart(o.padLeft ?? 0, ' ');
  const expSign = d.exp < 0 ? '-' : '+';
  const expStr = String(Math.abs(d.exp)).padStart(Math.max(2, o.expDigits ?? 2), '0');
  return `${left}.${frac}e${expSign}${expStr}`;
}

// NumPy scalars switch to exponent notation at 10^3 (float16), 10^6 (float32) and 10^16 (float64).
const POSITIONAL_LIMIT: Record<FloatDType, number> = { float16: 1e3, float32: 1e6, float64: 1e16 };

/**
 * str() of a NumPy float scalar: shortest round-trip digits in the value's own dtype; positional
 * (always with a digit after the point) when 1e-4 <= |x| < the dtype's limit, else d.ddde+XX.
 * For float64 this is exactly Python's repr(float).
 */
export function formatFloatScalar(x: number, dtype: FloatDType): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const ax = Math.abs(x);
  const d = shortestDigits(ax, dtype);
  if (ax === 0 || (ax >= 1e-4 && ax < POSITIONAL_LIMIT[dtype])) {
    if (d.digits === '0') return `${sign}0.0`;
    if (d.exp >= 0) {
      const intPart = d.digits.slice(0, d.exp + 1).padEnd(d.exp + 1, '0');
      const fracPart = d.digits.slice(d.exp + 1);
      return `${sign}${intPart}.${fracPart || '0'}`;
    }
    return `${sign}0.${'0'.repeat(-d.exp - 1)}${d.digits}`;
  }
  const mant = d.digits.length > 1 ? `${d.digits[0]}.${d.digits.slice(1)}` : d.digits;
  const exp = `${d.exp < 0 ? '-' : '+'}${String(Math.abs(d.exp)).padStart(2, '0')}`;
  return `${sign}${mant}e${exp}`;
}
