/**
 * @file Tests for src/format/text.ts (and through it src/engine/core/print). Expected strings come from
 * NumPy: scalar_cases.json holds str(x) of NumPy float scalars, repr_cases.json holds JAX's Array repr
 * computed with np.array2string (see fixtures/make_format_fixtures.py).
 */

import { describe, expect, it } from 'vitest';
import {
  allocData,
  type DTypeName,
  FormatError,
  type HostArray,
  halfToFloat,
} from '../../src/format/host-array.js';
import { formatCsv, formatRepr, formatScalar, formatText } from '../../src/format/text.js';
import { type Described, fromDescribed, readFixtureJson } from './fixtures.js';

const scalarCases = readFixtureJson<{ cases: Record<string, [string, string][]> }>(
  'npy',
  'scalar_cases.json',
).cases;

interface ReprCase extends Partial<Described> {
  note: string;
  weak_type: boolean;
  expected: string;
  gen?: string;
}
const reprCases = readFixtureJson<{ cases: ReprCase[] }>('npy', 'repr_cases.json').cases;

function valueOfBits(dtype: string, hex: string): number {
  if (dtype === 'float16') return halfToFloat(Number.parseInt(hex, 16));
  if (dtype === 'float32') return new Float32Array(new Uint32Array([Number.parseInt(hex, 16)]).buffer)[0]!;
  return new Float64Array(new BigUint64Array([BigInt(`0x${hex}`)]).buffer)[0]!;
}

/** The arrays the fixture script describes by formula instead of by bytes (np.arange and friends). */
function generated(c: ReprCase): HostArray {
  const dtype = c.dtype!;
  const n = c.shape!.reduce((a, b) => a * b, 1);
  const data = allocData(dtype, n);
  for (let i = 0; i < n; i++) {
    let v = i;
    if (c.gen === 'arange/3') v = i / 3;
    else if (c.gen === 'arange*1e5') v = Math.fround(i) * 1e5;
    else if (c.gen === 'arange%2==0') v = i % 2 === 0 ? 1 : 0;
    (data as Float64Array)[i] = v;
  }
  return { dtype, shape: c.shape!, data };
}

describe('formatScalar', () => {
  // Expected: str(x) for NumPy scalars of each dtype (random bit patterns plus edge values).
  for (const dtype of ['float16', 'float32', 'float64']) {
    it(`matches str() of NumPy ${dtype} scalars (${scalarCases[dtype]!.length} values)`, () => {
      const wrong: string[] = [];
      for (const [hex, want] of scalarCases[dtype]!) {
        const got = formatScalar(dtype as DTypeName, valueOfBits(dtype, hex));
        if (got !== want) wrong.push(`${hex}: ${got} != ${want}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('lays floats out like Python repr', () => {
    // repr(float(...)) / str(np.float32(...)) in Python
    expect(formatScalar('float64', 1)).toBe('1.0');
    expect(formatScalar('float64', 0.5)).toBe('0.5');
    expect(formatScalar('float64', 1e-5)).toBe('1e-05');
    expect(formatScalar('float64', 1.5e20)).toBe('1.5e+20');
    expect(formatScalar('float64', 123456789)).toBe('123456789.0');
    expect(formatScalar('float64', 1e16)).toBe('1e+16');
    expect(formatScalar('float64', 9999999999999998)).toBe('9999999999999998.0');
    expect(formatScalar('float64', -0)).toBe('-0.0');
    expect(formatScalar('float64', Number.NaN)).toBe('nan');
    expect(formatScalar('float64', Number.NEGATIVE_INFINITY)).toBe('-inf');
    expect(formatScalar('float32', 0.1)).toBe('0.1');
    expect(formatScalar('float32', 1e16)).toBe('1e+16');
    expect(formatScalar('float32', 123456789)).toBe('1.2345679e+08');
    expect(formatScalar('float32', 1e-4)).toBe('1e-04');
    expect(formatScalar('float16', 0.1)).toBe('0.1');
    expect(formatScalar('float16', 65504)).toBe('6.55e+04');
  });

  it('writes integers and bools', () => {
    expect(formatScalar('int32', -7)).toBe('-7');
    expect(formatScalar('uint64', 18446744073709551615n)).toBe('18446744073709551615');
    expect(formatScalar('int64', -9223372036854775808n)).toBe('-9223372036854775808');
    expect(formatScalar('bool', true)).toBe('True');
    expect(formatScalar('bool', 0)).toBe('False');
  });
});

describe('formatRepr', () => {
  // Expected: jax_repr(a) from the fixture script, i.e. JAX's __repr__ around np.array2string.
  it.each(reprCases.map((c) => [c.note, c] as const))('%s', (_note, c) => {
    const a = c.gen ? generated(c) : fromDescribed(c as Described);
    expect(formatRepr(a, { weakType: c.weak_type })).toBe(c.expected);
  });

  it('writes the examples from the JAX documentation', () => {
    const f32 = (v: number[], shape: number[]): HostArray => ({
      dtype: 'float32',
      shape,
      data: new Float32Array(v),
    });
    expect(formatRepr(f32([1, 2, 3], [3]))).toBe('Array([1., 2., 3.], dtype=float32)');
    expect(formatRepr(f32([1, 2, 3, 4], [2, 2]))).toBe('Array([[1., 2.],\n       [3., 4.]], dtype=float32)');
    expect(formatRepr({ dtype: 'int32', shape: [], data: new Int32Array([3]) }, { weakType: true })).toBe(
      'Array(3, dtype=int32, weak_type=True)',
    );
    expect(formatRepr({ dtype: 'bool', shape: [2], data: new Uint8Array([1, 0]) })).toBe(
      'Array([ True, False], dtype=bool)',
    );
  });
});

describe('formatText and formatCsv', () => {
  const m: HostArray = {
    dtype: 'float32',
    shape: [2, 3],
    data: new Float32Array([0.1, 2, -3.5, 1e-5, Number.NaN, 1e20]),
  };

  it('lays out like numpy.savetxt with shortest numbers', () => {
    expect(formatText(m)).toBe('0.1 2.0 -3.5\n1e-05 nan 1e+20\n');
    expect(formatCsv(m)).toBe('0.1,2.0,-3.5\n1e-05,nan,1e+20\n');
    expect(formatText(m, '\t')).toBe('0.1\t2.0\t-3.5\n1e-05\tnan\t1e+20\n');
  });

  it('writes 0-d and 1-D arrays', () => {
    expect(formatText({ dtype: 'float64', shape: [], data: new Float64Array([2.5]) })).toBe('2.5\n');
    expect(formatText({ dtype: 'int64', shape: [3], data: new BigInt64Array([1n, -2n, 3n]) })).toBe(
      '1\n-2\n3\n',
    );
    expect(formatText({ dtype: 'bool', shape: [2], data: new Uint8Array([1, 0]) })).toBe('True\nFalse\n');
    expect(formatText({ dtype: 'float16', shape: [1], data: new Uint16Array([0x3555]) })).toBe('0.3333\n');
    expect(formatText({ dtype: 'float32', shape: [0], data: new Float32Array(0) })).toBe('');
  });

  it('refuses higher ranks', () => {
    const a: HostArray = { dtype: 'int8', shape: [1, 1, 1], data: new Int8Array(1) };
    expect(() => formatText(a)).toThrow(FormatError);
    expect(() => formatText(a)).toThrow(
      'cannot write a 3-D array as text (only 0-D, 1-D and 2-D); use JSON or NPY',
    );
  });
});
