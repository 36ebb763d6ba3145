/**
 * @file Floating-point numbers as MLIR's printer writes them in dense attributes, so exported
 * constants read `dense<2.000000e+00>`, `dense<1.41421354>` or `dense<0x7F800000>` exactly as in
 * `jax.jit(f).lower(x).as_text()`.
 *
 * MLIR (mlir/lib/IR/AsmPrinter.cpp, printFloatValue) first tries APFloat::toString with six digits
 * of precision in scientific form and keeps it when the text reads back as the same value; else it
 * uses APFloat's default form (enough digits to round-trip, scientific only for large or small
 * magnitudes) when that form has a decimal point; else the bits in hexadecimal. APFloat's toString
 * (llvm/lib/Support/APFloat.cpp) is exact decimal arithmetic on the significand with two roundings
 * of its own: it first drops whole decimal digits by truncation until the integer is not much
 * wider than the precision asks, then rounds the digit string half up. Both are reproduced here
 * with BigInt, because they decide the last printed digit.
 */

import type { DType } from '../core/dtype.js';

/** IEEE formats by their bits: mantissa bits (without the hidden bit) and exponent bits. */
interface Format {
  bits: number;
  mant: number;
  expBits: number;
}

const FORMATS: Record<string, Format> = {
  float16: { bits: 16, mant: 10, expBits: 5 },
  float32: { bits: 32, mant: 23, expBits: 8 },
  float64: { bits: 64, mant: 52, expBits: 11 },
};

function formatOf(dtype: DType): Format {
  const f = FORMATS[dtype.name];
  if (!f) throw new Error(`no float format for ${dtype.name}`);
  return f;
}

/** The IEEE bits of a host value of this dtype (float16 hosts hold bits already). */
export function floatBits(value: number, dtype: DType): bigint {
  if (dtype.name === 'float16') return BigInt(value & 0xffff);
  if (dtype.name === 'float32') {
    const b = new DataView(new ArrayBuffer(4));
    b.setFloat32(0, value, true);
    return BigInt(b.getUint32(0, true));
  }
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, value, true);
  return b.getBigUint64(0, true);
}

type Decoded =
  | { kind: 'zero' | 'inf' | 'nan'; neg: boolean }
  | { kind: 'finite'; neg: boolean; sig: bigint; exp2: number };

function decode(bits: bigint, f: Format): Decoded {
  const neg = ((bits >> BigInt(f.bits - 1)) & 1n) === 1n;
  const e = Number((bits >> BigInt(f.mant)) & ((1n << BigInt(f.expBits)) - 1n));
  const m = bits & ((1n << BigInt(f.mant)) - 1n);
  const bias = (1 << (f.expBits - 1)) - 1;
  if (e === (1 << f.expBits) - 1) return { kind: m === 0n ? 'inf' : 'nan', neg };
  if (e === 0 && m === 0n) return { kind: 'zero', neg };
  // value = sig * 2^exp2
  if (e === 0) return { kind: 'finite', neg, sig: m, exp2: 1 - bias - f.mant };
  return { kind: 'finite', neg, sig: m | (1n << BigInt(f.mant)), exp2: e - bias - f.mant };
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** APFloat::toString for a finite number (sign handled by the caller). */
function apToString(
  sig0: bigint,
  exp0: number,
  precisionBits: number,
  formatPrecision: number,
  maxPadding: number,
  truncateZero: boolean,
): string {
  let P = formatPrecision;
  if (!P) P = 2 + Math.floor((precisionBits * 59) / 196);
  let sig = sig0;
  let exp = exp0;
  while ((sig & 1n) === 0n) {
    sig >>= 1n;
    exp++;
  }
  if (exp > 0) {
    sig <<= BigInt(exp);
    exp = 0;
  } else if (exp < 0) {
    sig *= 5n ** BigInt(-exp);
  }
  // Drop decimal digits (by truncation) until the integer is about as wide as P digits need.
  const bits = bitLength(sig);
  const bitsRequired = Math.floor((P * 196 + 58) / 59);
  if (bits > bitsRequired) {
    const tens = Math.floor(((bits - bitsRequired) * 59) / 196);
    if (tens > 0) {
      exp += tens;
      sig /= 10n ** BigInt(tens);
    }
  }
  // Digits, least significant first, without trailing zeros.
  let digits = sig.toString();
  const stripped = digits.replace(/0+$/, '');
  exp += digits.length - stripped.length;
  digits = stripped;
  // Round half up to P digits.
  if (digits.length > P) {
    const drop = digits.length - P;
    const head = digits.slice(0, P);
    if (digits[P] < '5') {
      const h = head.replace(/0+$/, '');
      exp += drop + (head.length - h.length);
      digits = h;
    } else {
      const up = (BigInt(head) + 1n).toString();
      if (up.length > head.length) {
        // Carried through every digit: exactly one significant digit remains.
        exp += drop + head.length;
        digits = '1';
      } else {
        const u = up.replace(/0+$/, '');
        exp += drop + (up.length - u.length);
        digits = u;
      }
    }
  }
  const n = digits.length;
  let scientific: boolean;
  if (!maxPadding) scientific = true;
  else if (exp >= 0) scientific = exp > maxPadding || n + exp > P;
  else {
    const msd = exp + n - 1;
    scientific = msd >= 0 ? false : -msd > maxPadding;
  }
  if (scientific) {
    const e10 = exp + n - 1;
    let s = `${digits[0]}.`;
    if (n === 1 && truncateZero) s += '0';
    else s += digits.slice(1);
    if (!truncateZero && P > n - 1) s += '0'.repeat(P - n + 1);
    s += truncateZero ? 'E' : 'e';
    s += e10 >= 0 ? '+' : '-';
    let ed = String(Math.abs(e10));
    if (!truncateZero && ed.length < 2) ed = `0${ed}`;
    return s + ed;
  }
  if (exp >= 0) return digits + '0'.repeat(exp);
  const whole = exp + n;
  if (whole > 0) return `${digits.slice(0, whole)}.${digits.slice(whole)}`;
  return `0.${'0'.repeat(-whole)}${digits}`;
}

/** Parse a decimal string to an exact rational p/q (q a power of ten), sign apart. */
function parseDecimal(s: string): { neg: boolean; num: bigint; den: bigint } {
  const m = /^(-?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) throw new Error(`not a decimal: ${s}`);
  const frac = m[3] ?? '';
  let num = BigInt(m[2] + frac);
  let e10 = Number(m[4] ?? 0) - frac.length;
  let den = 1n;
  if (e10 >= 0) num *= 10n ** BigInt(e10);
  else den = 10n ** BigInt(-e10);
  e10 = 0;
  return { neg: m[1] === '-', num, den };
}

/**
 * Whether the decimal text rounds (to nearest, ties to even) to exactly this finite value: the
 * check APFloat does by parsing the text back. Exact rational comparison against the value's
 * rounding interval.
 */
function readsBackAs(text: string, d: Extract<Decoded, { kind: 'finite' }>, f: Format): boolean {
  const p = parseDecimal(text);
  if (p.neg !== d.neg) return false;
  // Value v = sig * 2^exp2; the interval half-widths are half an ulp on each side (the lower one
  // is a quarter ulp-of-above at a power of two, where the spacing below halves).
  const bias = (1 << (f.expBits - 1)) - 1;
  const minExp2 = 1 - bias - f.mant;
  const hidden = 1n << BigInt(f.mant);
  // Work in units of 2^(exp2 - 2): v = 4*sig, upper = 4*sig + 2, lower = 4*sig - 2 (or -1).
  const shift = d.exp2 - 2;
  const v4 = d.sig * 4n;
  const atPow2 = d.sig === hidden && d.exp2 > minExp2;
  const lower = v4 - (atPow2 ? 1n : 2n);
  const upper = v4 + 2n;
  // Compare num/den with x * 2^shift, i.e. num * 2^-shift vs x * den.
  const lhs = shift >= 0 ? p.num : p.num * (1n << BigInt(-shift));
  const scale = shift >= 0 ? p.den * (1n << BigInt(shift)) : p.den;
  const even = (d.sig & 1n) === 0n;
  const aboveLower = even ? lhs >= lower * scale : lhs > lower * scale;
  const belowUpper = even ? lhs <= upper * scale : lhs < upper * scale;
  return aboveLower && belowUpper;
}

function hexOf(bits: bigint): string {
  return `0x${bits.toString(16).toUpperCase()}`;
}

/** One float element of a dense attribute, as MLIR prints it. */
export function mlirFloat(bits: bigint, dtype: DType): string {
  const f = formatOf(dtype);
  const d = decode(bits, f);
  if (d.kind !== 'finite') return d.kind === 'zero' ? `${d.neg ? '-' : ''}0.000000e+00` : hexOf(bits);
  const sign = d.neg ? '-' : '';
  const sci = sign + apToString(d.sig, d.exp2, f.mant + 1, 6, 0, false);
  if (readsBackAs(sci, d, f)) return sci;
  const plain = sign + apToString(d.sig, d.exp2, f.mant + 1, 0, 3, true);
  if (plain.includes('.')) return plain;
  return hexOf(bits);
}
