/** @file Tests for src/format/py-literal.ts, the parser for NPY header dictionaries. */

import { describe, expect, it } from 'vitest';
import { PySyntaxError, parsePyLiteral, pyRepr } from '../../src/format/py-literal.js';

const roundTrip = (s: string, opts = {}) => pyRepr(parsePyLiteral(s, opts));

describe('parsePyLiteral', () => {
  it('parses what numpy.save writes', () => {
    expect(roundTrip("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }   \n")).toBe(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)}",
    );
    expect(roundTrip("{'shape': (), 'x': (7,)}")).toBe("{'shape': (), 'x': (7,)}");
  });

  it('accepts other spellings ast.literal_eval accepts', () => {
    expect(roundTrip('{"a" : ( 1 , ) ,\n # comment\n "b":[1,2,],}')).toBe("{'a': (1,), 'b': [1, 2]}");
    expect(roundTrip("'a' \"b\" u'c'")).toBe("'abc'");
    expect(roundTrip("'\\x3c\\t\\'\\u00e9\\101'")).toBe('"<\\t\'éA"');
    expect(roundTrip('(0x1F, 0o17, 0b101, 1_000, -3, +4, 1.5, 2e3, None, True)')).toBe(
      '(31, 15, 5, 1000, -3, 4, 1.5, 2000.0, None, True)',
    );
    expect(roundTrip('(1)')).toBe('1');
    expect(roundTrip("'''tri\nple'''")).toBe("'tri\\nple'");
    expect(roundTrip('"it\'s"')).toBe('"it\'s"');
  });

  it('accepts the Python 2 long suffix only when asked', () => {
    expect(roundTrip('(3L,)', { allowLongSuffix: true })).toBe('(3,)');
    expect(() => parsePyLiteral('(3L,)')).toThrow(PySyntaxError);
  });

  it('rejects what is not a literal', () => {
    const bad: [string, string][] = [
      ["{'a': 1", "expected ',' or '}' but found end of header at offset 7"],
      ["{'a' 1}", 'expected \':\' but found character "1" at offset 5'],
      ['(1, 2', "expected ',' or ')' but found end of header at offset 5"],
      ["'abc", 'unterminated string at offset 4'],
      ['foo', "unexpected name 'foo' at offset 0"],
      ['007', 'leading zeros in a decimal integer at offset 3'],
      ['1 2', 'unexpected character "2" at offset 2'],
      ['-True', 'unary sign applied to a non-number at offset 5'],
      ['', 'unexpected end of header at offset 0'],
      ['12abc', 'bad number at offset 2'],
    ];
    for (const [text, message] of bad) expect(() => parsePyLiteral(text)).toThrow(message);
  });
});
