/** @file Syntax error messages, their line:column positions and caret rendering, and name suggestions. */

import { describe, expect, it } from 'vitest';
import { ExprError, ExprSyntaxError, parseExpression, suggestName } from '../../src/expr/index.js';
import { syntaxError } from './helpers.js';

describe('syntax error messages', () => {
  const cases: [string, string][] = [
    ['sum(x, ', "expected ')' at 1:7"],
    ['sum(x,\n', "expected ')' at 1:7"],
    ['f(x', "expected ')' at 1:4"],
    ['[1, 2', "expected ']' at 1:6"],
    ['x[1:', "expected ']' at 1:5"],
    ['x + ]', "unexpected token ']' at 1:5"],
    ["f('abc", 'unterminated string at 1:3'],
    ["'abc\ndef'", 'unterminated string at 1:1'],
    ["'''abc", 'unterminated string at 1:1'],
    ["r'abc\\'", 'unterminated string at 1:1'],
    ['1e', "invalid number literal '1e' at 1:1"],
    ['x + 1e+', "invalid number literal '1e' at 1:5"],
    ['1_', "invalid number literal '1_' at 1:1"],
    ['1__0', "invalid number literal '1__0' at 1:1"],
    ['0x', "invalid number literal '0x' at 1:1"],
    ['0b102', "invalid number literal '0b102' at 1:1"],
    ['3abc', "invalid number literal '3abc' at 1:1"],
    ['012', "invalid number literal '012' (leading zeros are not allowed; write 0o12 for octal) at 1:1"],
    ['1jx', "invalid number literal '1jx' at 1:1"],
    ['0x1j', "invalid number literal '0x1j' at 1:1"],
    ['x + y *', 'unexpected end of expression at 1:8'],
    ['-', 'unexpected end of expression at 1:2'],
    ['', 'empty expression at 1:1'],
    ['  # only a comment\n', 'empty expression at 1:1'],
    ['f(*args)', "'*' is not supported here (star arguments) at 1:3"],
    ['f(x, **kw)', "'**' is not supported here (star arguments) at 1:6"],
    ['f(k=*a)', "'*' is not supported here (star arguments) at 1:5"],
    ['[*a, b]', "'*' is not supported here (star unpacking) at 1:2"],
    ['x[*i]', "'*' is not supported here (star unpacking) at 1:3"],
    ['*a, b', "'*' is not supported here (star unpacking) at 1:1"],
    ['lambda *a: a', "'*' is not supported here (star parameters) at 1:8"],
    ['f(a=1, b)', 'positional argument follows keyword argument at 1:8'],
    ['f(a=1, a=2)', "keyword argument repeated: 'a' at 1:8"],
    ['f(a.b=1)', "a keyword argument must be a plain name before '=' (did you mean '=='?) at 1:6"],
    ['f((a)=1)', "a keyword argument must be a plain name before '=' (did you mean '=='?) at 1:6"],
    ['x = 1', "'=' is not allowed here (did you mean '=='?) at 1:3"],
    ['[a = 1]', "'=' is not allowed here (did you mean '=='?) at 1:4"],
    ['(y := 1)', "':=' is not supported (assignment expressions) at 1:4"],
    ['x += 1', "'+=' is not supported (augmented assignment) at 1:3"],
    ['a; b', "';' is not supported (write a single expression) at 1:2"],
    ['a b', "unexpected token 'b' at 1:3"],
    ["a 'b'", "unexpected string 'b' at 1:3"],
    [
      'sum(x)\nmean(x)',
      "unexpected token 'mean' on a new line (the input must be a single expression) at 2:1",
    ],
    ['f(x y)', "expected ',' or ')' but found 'y' at 1:5"],
    ['[1 2]', "expected ',' or ']' but found '2' at 1:4"],
    ['x[0 1]', "expected ',' or ']' but found '1' at 1:5"],
    ['(a]', "expected ',' or ')' but found ']' at 1:3"],
    ['a)', "unmatched ')' at 1:2"],
    ['x]', "unmatched ']' at 1:2"],
    ['x[]', "expected an index between '[' and ']' at 1:3"],
    ['x[...:1]', "expected ',' or ']' but found ':' at 1:6"],
    ['...', "'...' is only allowed as a subscript item, as in x[..., 0] at 1:1"],
    ['{1: 2}', 'dict and set literals are not supported at 1:1'],
    ['a in b', "'in' comparisons are not supported (only < <= > >= == !=) at 1:3"],
    ['a not in b', "'not in' comparisons are not supported (only < <= > >= == !=) at 1:3"],
    ['a is None', "'is' comparisons are not supported (only < <= > >= == !=) at 1:3"],
    ['a is not None', "'is not' comparisons are not supported (only < <= > >= == !=) at 1:3"],
    ['[x for x in y]', "'for' is not supported (comprehensions and generator expressions) at 1:4"],
    ['sum(x for x in y)', "'for' is not supported (comprehensions and generator expressions) at 1:7"],
    ['a if b', "expected 'else' at 1:7"],
    ['a if b c', "expected 'else' but found 'c' at 1:8"],
    ['1 + lambda: 2', "'lambda' must be parenthesised here at 1:5"],
    ['a == not b', "'not' must be parenthesised here at 1:6"],
    ['lambda a, a: a', "duplicate parameter 'a' in lambda at 1:11"],
    ['lambda a=1: a', 'lambda parameter defaults are not supported at 1:9'],
    ['lambda a b: a', "expected ',' or ':' but found 'b' at 1:10"],
    ['lambda (a): a', "expected a parameter name or ':' but found '(' at 1:8"],
    ['lambda a', "expected ':' at 1:9"],
    ['lambda if: 1', "expected a parameter name or ':' but found 'if' at 1:8"],
    ['x.', "expected an attribute name after '.' at 1:3"],
    ['x.if', "expected an attribute name after '.' but found 'if' at 1:3"],
    ['import os', "unexpected keyword 'import' at 1:1"],
    ["b'x'", 'bytes literals are not supported at 1:1'],
    ["f'{x}'", 'f-strings are not supported at 1:1'],
    ["'\\x4'", 'truncated \\xXX escape at 1:2'],
    ["'\\u12'", 'truncated \\uXXXX escape at 1:2'],
    ["'\\U00110000'", 'illegal Unicode character in \\U escape at 1:2'],
    ["'\\N{DASH}'", '\\N{...} escapes are not supported at 1:2'],
    ['x ! y', "unexpected character '!' (use 'not' for negation, '!=' for inequality) at 1:3"],
    ['a $ b', "unexpected character '$' at 1:3"],
    [
      'a \\ b',
      "unexpected character '\\' (a '\\' outside a string is only allowed at the end of a line) at 1:3",
    ],
    ['\u2018a\u2019', "unexpected character '\u2018' (U+2018; use ' to quote strings) at 1:1"],
    ['a \u2212 b', "unexpected character '\u2212' (U+2212; use '-' for minus) at 1:3"],
    ['a\u00a0+ b', 'unexpected character U+00A0 at 1:2'],
    [
      `${'('.repeat(250)}x${')'.repeat(250)}`,
      'expression is nested too deeply (more than 200 levels) at 1:201',
    ],
  ];
  it.each(cases)('%j', (source, message) => {
    const e = syntaxError(source);
    expect(e.message).toBe(message);
    expect(e).toBeInstanceOf(ExprSyntaxError);
    expect(e).toBeInstanceOf(ExprError);
    expect(e.name).toBe('ExprSyntaxError');
  });

  it('exposes line, column, offset and the bare reason', () => {
    const e = syntaxError('f(a,\n  b c)');
    expect(e).toMatchObject({ line: 2, column: 5, offset: 9, reason: "expected ',' or ')' but found 'c'" });
  });

  it('parses deeply but not too deeply nested input', () => {
    expect(() => parseExpression(`${'('.repeat(150)}x${')'.repeat(150)}`)).not.toThrow();
    expect(() => parseExpression(`${'-'.repeat(150)}x`)).not.toThrow();
    expect(() => parseExpression(`${'-'.repeat(1000)}x`)).toThrow(/nested too deeply/);
    expect(() => parseExpression(`x${'**x'.repeat(1000)}`)).toThrow(/nested too deeply/);
    // A flat chain nests as deeply as it is long; the tree's height is bounded so that walkers cannot overflow.
    expect(() => parseExpression(Array(1000).fill('x').join(' + '))).not.toThrow();
    expect(syntaxError(Array(1001).fill('x').join(' + ')).message).toBe(
      'expression is too complex (its syntax tree is more than 1000 levels deep) at 1:1',
    );
  });
});

describe('rendering', () => {
  it('shows the message, the source line and a caret under the column', () => {
    expect(syntaxError('sum(x, ').render()).toBe("error: expected ')' at 1:7\nsum(x, \n      ^");
    expect(syntaxError('x + ]').render()).toBe("error: unexpected token ']' at 1:5\nx + ]\n    ^");
    expect(syntaxError('1e').render()).toBe("error: invalid number literal '1e' at 1:1\n1e\n^");
  });

  it('renders the offending line of a multi-line source', () => {
    const src = 'mean(\n  x[:, 1:3],\n  axis=0 +\n)';
    const e = syntaxError(src);
    expect(e.message).toBe("unexpected token ')' at 4:1");
    expect(e.render()).toBe("error: unexpected token ')' at 4:1\n)\n^");
    const crlf = syntaxError("f(\r\n  x,\r\n  'abc\r\n)");
    expect(crlf.render()).toBe("error: unterminated string at 3:3\n  'abc\n  ^");
  });

  it('points at the end of the last token when the input ends early', () => {
    const e = syntaxError('f(x,\n   y +\n\n   # nothing more\n');
    expect(e.render()).toBe('error: unexpected end of expression at 2:7\n   y +\n      ^');
  });

  it('keeps tabs so the caret lines up', () => {
    expect(syntaxError('\tx +\t]').render()).toBe("error: unexpected token ']' at 1:6\n\tx +\t]\n\t   \t^");
  });

  it('counts columns in code points', () => {
    const e = syntaxError("'\u{1F600}' $");
    expect(e.column).toBe(5);
    expect(e.render()).toBe("error: unexpected character '$' at 1:5\n'\u{1F600}' $\n    ^");
  });

  it('renders against a source given later', () => {
    const e = syntaxError('a +');
    expect(e.render('a +')).toBe(e.render());
  });

  it('underlines a span for evaluator errors', () => {
    const src = 'sum(sine(x))';
    const e = new ExprError("unknown name 'sine' (did you mean 'sin'?)", src, 4, 8);
    expect(e.message).toBe("unknown name 'sine' (did you mean 'sin'?) at 1:5");
    expect(e.render()).toBe(
      "error: unknown name 'sine' (did you mean 'sin'?) at 1:5\nsum(sine(x))\n    ^^^^",
    );
    expect(e.name).toBe('ExprError');
    expect(new ExprError('bad', 'ab\ncd', 1, 4).render()).toBe('error: bad at 1:2\nab\n ^');
  });
});

describe('suggestName (difflib.get_close_matches, n=1, cutoff=0.6)', () => {
  const known = ['sin', 'sinh', 'cos', 'mean', 'max', 'maximum', 'einsum', 'x', 'xs', 'norm', 'argmax'];
  const cases: [string, string | undefined][] = [
    ['sine', 'sin'],
    ['sinn', 'sin'],
    ['mena', 'mean'],
    ['maxx', 'max'],
    ['maximun', 'maximum'],
    ['ensum', 'einsum'],
    ['Sin', 'sin'],
    ['y', undefined],
    ['foo', undefined],
    ['argmx', 'argmax'],
    ['x1', 'x'],
    ['nrom', 'norm'],
  ];
  it.each(cases)('%s -> %s', (name, expected) => {
    expect(suggestName(name, known)).toBe(expected);
  });

  it('accepts any iterable and returns undefined when there are no candidates', () => {
    expect(suggestName('sine', new Set(['sin']))).toBe('sin');
    expect(suggestName('sine', [])).toBeUndefined();
  });
});
