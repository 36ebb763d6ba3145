/**
 * @file Tests for src/format/json.ts. Dtype and shape expectations for numeric JSON come from
 * np.asarray(json.loads(text)) (fixtures/npy/json_cases.json).
 */

import { describe, expect, it } from 'vitest';
import { FormatError, type HostArray } from '../../src/format/host-array.js';
import { isHostArray, type JsonTree, parseJsonValue, toJson } from '../../src/format/json.js';
import { type Described, hexOf, readFixtureJson } from './fixtures.js';

const cases = readFixtureJson<{ cases: (Described & { text: string })[] }>('npy', 'json_cases.json').cases;

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return (e as Error).message;
  }
  throw new Error('expected a FormatError');
}

function arr(t: JsonTree): HostArray {
  expect(isHostArray(t)).toBe(true);
  return t as HostArray;
}

describe('parseJsonValue numbers and lists', () => {
  // Expected: np.asarray(json.loads(text)).dtype / .shape / bytes
  it.each(cases.map((c) => [c.text, c] as const))('%s like np.asarray', (text, c) => {
    const a = arr(parseJsonValue(text, 'x.json'));
    expect(a.dtype).toBe(c.dtype);
    expect(a.shape).toEqual(c.shape);
    expect(hexOf(a)).toBe(c.hex);
  });

  it('rejects integers that fit no 64-bit dtype (NumPy would make an object array)', () => {
    expect(errorOf(() => parseJsonValue('[1, 18446744073709551616]', 'x.json'))).toBe(
      'x.json: integer 18446744073709551616 at the top level does not fit in 64 bits',
    );
    expect(errorOf(() => parseJsonValue('{"w": [1.5, -9223372036854775809]}', 'x.json'))).toBe(
      'x.json: integer -9223372036854775809 at .w does not fit in 64 bits',
    );
  });

  it('reports ragged lists with their path', () => {
    expect(errorOf(() => parseJsonValue('[[1, 2, 3], [4, 5, 6], [7, 8]]', 'x.json'))).toBe(
      'x.json: ragged list at [2]: expected length 3, found 2',
    );
    expect(errorOf(() => parseJsonValue('{"a": {"b c": [[1], [2, 3]]}}', 'x.json'))).toBe(
      'x.json: ragged list at .a["b c"][1]: expected length 1, found 2',
    );
    expect(errorOf(() => parseJsonValue('[[1], 2]', 'x.json'))).toBe(
      'x.json: ragged list at [1]: expected a list of length 1, found a number',
    );
    expect(errorOf(() => parseJsonValue('[1, [2]]', 'x.json'))).toBe(
      'x.json: ragged list at [1]: expected a number, found a list of length 1',
    );
    expect(errorOf(() => parseJsonValue('[[], [true]]', 'x.json'))).toBe(
      'x.json: ragged list at [1]: expected length 0, found 1',
    );
  });
});

describe('parseJsonValue trees', () => {
  it('keeps objects, strings and nulls', () => {
    const t = parseJsonValue(
      '{"w": [[1, 2], [3, 4]], "name": "net", "b": null, "lr": 0.1}',
      'x.json',
    ) as Record<string, JsonTree>;
    expect(Object.keys(t)).toEqual(['w', 'name', 'b', 'lr']);
    expect(arr(t.w!).shape).toEqual([2, 2]);
    expect(t.name).toBe('net');
    expect(t.b).toBeNull();
    expect(arr(t.lr!)).toMatchObject({ dtype: 'float64', shape: [] });
  });

  it('makes lists holding non-numbers into lists of trees', () => {
    const t = parseJsonValue('[[1, 2], {"a": true}, "s", [3, null]]', 'x.json') as JsonTree[];
    expect(Array.isArray(t)).toBe(true);
    expect(arr(t[0]!).dtype).toBe('int64');
    expect(arr((t[1] as Record<string, JsonTree>).a!).dtype).toBe('bool');
    expect(t[2]).toBe('s');
    expect(Array.isArray(t[3])).toBe(true);
  });

  it('treats "__proto__" as an ordinary key and keeps the last duplicate', () => {
    const t = parseJsonValue('{"__proto__": 1, "k": 1, "k": 2}', 'x.json') as Record<string, JsonTree>;
    expect(Object.keys(t)).toEqual(['__proto__', 'k']);
    expect(arr(t.k!).data[0]).toBe(2n);
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
  });

  it('decodes string escapes', () => {
    expect(parseJsonValue('"a\\n\\u00e9\\"\\/"', 'x.json')).toBe('a\né"/');
  });
});

describe('parseJsonValue syntax errors', () => {
  const cases: [string, string][] = [
    ['', 'x.json: line 1, column 1: expected a value, found the end of the input'],
    ['[1, 2', "x.json: line 1, column 6: expected ',' or ']'"],
    ['{\n  "a": 1,\n  "b" 2\n}', "x.json: line 3, column 7: expected ':'"],
    ['[1, 2] 3', 'x.json: line 1, column 8: unexpected data after the JSON value'],
    ['[01]', "x.json: line 1, column 3: expected ',' or ']'"],
    ['{a: 1}', 'x.json: line 1, column 2: expected a property name in double quotes'],
    ['"abc', 'x.json: line 1, column 1: unterminated string'],
    ['"\\q"', 'x.json: line 1, column 2: invalid escape in string'],
    ['[nan]', 'x.json: line 1, column 2: expected a value'],
    ['[1,]', 'x.json: line 1, column 4: expected a value'],
  ];
  it.each(cases)('%j', (text, message) => {
    expect(errorOf(() => parseJsonValue(text, 'x.json'))).toBe(message);
  });
});

describe('toJson', () => {
  it('writes arrays as nested lists with json.dumps spacing', () => {
    // json.dumps(np.array([[1.5, 2], [3, 4]]).tolist()) == '[[1.5, 2.0], [3.0, 4.0]]'
    expect(toJson({ dtype: 'float64', shape: [2, 2], data: new Float64Array([1.5, 2, 3, 4]) })).toBe(
      '[[1.5, 2.0], [3.0, 4.0]]',
    );
    expect(toJson({ dtype: 'int64', shape: [], data: new BigInt64Array([-3n]) })).toBe('-3');
    expect(toJson({ dtype: 'bool', shape: [2], data: new Uint8Array([1, 0]) })).toBe('[true, false]');
    expect(toJson({ dtype: 'float32', shape: [2, 0], data: new Float32Array(0) })).toBe('[[], []]');
    expect(toJson({ dtype: 'float32', shape: [0, 2], data: new Float32Array(0) })).toBe('[]');
  });

  it('writes floats shortest in their own dtype and non-finite values as json.dumps does', () => {
    const a: HostArray = {
      dtype: 'float32',
      shape: [6],
      data: new Float32Array([0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-5, -0]),
    };
    expect(toJson(a)).toBe('[0.1, NaN, Infinity, -Infinity, 1e-05, -0.0]');
    expect(toJson({ dtype: 'float16', shape: [1], data: new Uint16Array([0x2e66]) })).toBe('[0.1]');
  });

  it('writes trees and indents like json.dumps(indent=2)', () => {
    const tree = parseJsonValue('{"w": [1, 2], "s": "x", "n": null, "l": [{"a": 1.5}]}', 't.json');
    expect(toJson(tree)).toBe('{"w": [1, 2], "s": "x", "n": null, "l": [{"a": 1.5}]}');
    expect(toJson(tree, { indent: 2 })).toBe(
      '{\n  "w": [\n    1,\n    2\n  ],\n  "s": "x",\n  "n": null,\n  "l": [\n    {\n      "a": 1.5\n    }\n  ]\n}',
    );
    expect(toJson([], { indent: 2 })).toBe('[]');
  });

  it('round-trips through parseJsonValue', () => {
    const text = '{"a": [[1.0, NaN], [-Infinity, 2.5]], "b": [1, 2], "c": true}';
    expect(toJson(parseJsonValue(text, 'r.json'))).toBe(text);
  });
});
