/**
 * @file Tests for src/format/host-array.ts: half-precision conversion (checked exhaustively against the
 * IEEE binary16 definition, and against NumPy's float16 values in scalar_cases.json) and array checks.
 */

import { describe, expect, it } from 'vitest';
import {
  checkHostArray,
  elementAt,
  FormatError,
  floatToHalf,
  halfToFloat,
  shapeRepr,
  shapeSize,
} from '../../src/format/host-array.js';
import { readFixtureJson } from './fixtures.js';

const scalarCases = readFixtureJson<{ cases: Record<string, [string, string][]> }>(
  'npy',
  'scalar_cases.json',
).cases;

describe('halfToFloat / floatToHalf', () => {
  it('decode the special values', () => {
    expect(halfToFloat(0x0000)).toBe(0);
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x0400)).toBe(2 ** -14);
    expect(halfToFloat(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(halfToFloat(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('agree with the float16 values NumPy printed (str(np.float16) of those bits)', () => {
    // NumPy's text for each value must convert back to exactly those bits.
    for (const [hex, s] of scalarCases.float16!) {
      const bits = Number.parseInt(hex, 16);
      if (s === 'nan') expect(halfToFloat(bits)).toBeNaN();
      else expect(floatToHalf(Number(s.replace('inf', 'Infinity')))).toBe(bits);
    }
  });

  it('round-trip every non-NaN half', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue;
      expect(floatToHalf(halfToFloat(h))).toBe(h);
    }
  });

  it('round to nearest with ties to even, directly from double', () => {
    for (let h = 0; h < 0x7bff; h++) {
      const a = halfToFloat(h);
      const b = halfToFloat(h + 1);
      const mid = (a + b) / 2;
      expect(floatToHalf(mid)).toBe(h % 2 === 0 ? h : h + 1);
      expect(floatToHalf(-mid)).toBe((h % 2 === 0 ? h : h + 1) | 0x8000);
      // Just either side of the midpoint, closer than float32 could express: no double rounding.
      expect(floatToHalf(mid + mid * 2 ** -40)).toBe(h + 1);
      expect(floatToHalf(mid - mid * 2 ** -40)).toBe(h);
    }
  });

  it('overflow to infinity from the midpoint above the largest half', () => {
    expect(floatToHalf(65519.99)).toBe(0x7bff);
    expect(floatToHalf(65520)).toBe(0x7c00);
    expect(floatToHalf(-1e10)).toBe(0xfc00);
    expect(floatToHalf(Number.NaN)).toBe(0x7e00);
    expect(floatToHalf(-0)).toBe(0x8000);
    expect(floatToHalf(2 ** -26)).toBe(0); // below half the smallest subnormal
    expect(floatToHalf(2 ** -25 + 2 ** -40)).toBe(1);
  });
});

describe('array helpers', () => {
  it('spell shapes as Python tuples', () => {
    expect(shapeRepr([])).toBe('()');
    expect(shapeRepr([3])).toBe('(3,)');
    expect(shapeRepr([2, 0])).toBe('(2, 0)');
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([2, 0, 5])).toBe(0);
  });

  it('read elements as values', () => {
    expect(elementAt({ dtype: 'float16', shape: [1], data: new Uint16Array([0x3800]) }, 0)).toBe(0.5);
    expect(elementAt({ dtype: 'bool', shape: [1], data: new Uint8Array([1]) }, 0)).toBe(true);
    expect(elementAt({ dtype: 'uint64', shape: [1], data: new BigUint64Array([5n]) }, 0)).toBe(5n);
  });

  it('check arrays for consistency', () => {
    expect(() =>
      checkHostArray({ dtype: 'float32', shape: [2], data: new Float32Array(2) }, 'x'),
    ).not.toThrow();
    expect(() => checkHostArray({ dtype: 'float16', shape: [1], data: new Float32Array(1) }, 'x')).toThrow(
      new FormatError('x: float16 data must be a Uint16Array'),
    );
    expect(() =>
      checkHostArray({ dtype: 'complex256' as never, shape: [], data: new Float32Array(1) }, 'x'),
    ).toThrow("x: unknown dtype 'complex256'");
    // A complex element is two numbers: a complex64 array of shape (2,) holds four float32s.
    expect(() => checkHostArray({ dtype: 'complex64', shape: [2], data: new Float32Array(2) }, 'x')).toThrow(
      'x: data has 2 elements but shape [2] needs 4',
    );
    expect(() => checkHostArray({ dtype: 'int8', shape: [1.5], data: new Int8Array(1) }, 'x')).toThrow(
      'x: invalid shape [1.5]',
    );
  });
});
