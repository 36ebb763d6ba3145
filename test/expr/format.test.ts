/** @file formatExpr: minimal-parenthesis printing and the parse -> format -> parse round trip. */

import { describe, expect, it } from 'vitest';
import { formatExpr, parseExpression, pythonRepr } from '../../src/expr/index.js';
import { strip } from './helpers.js';

const fmt = (source: string): string => formatExpr(parseExpression(source));

describe('formatExpr', () => {
  const cases: [string, string][] = [
    ['(a + b) * c', '(a + b) * c'],
    ['((a)) + (b)', 'a + b'],
    ['a - (b - c)', 'a - (b - c)'],
    ['(a - b) - c', 'a - b - c'],
    ['-(x**2)', '-x**2'],
    ['(-x)**2', '(-x) ** 2'],
    ['2**(-1)', '2**-1'],
    ['a**(b**c)', 'a**b**c'],
    ['(a**b)**c', '(a**b) ** c'],
    ['x.T**2', 'x.T**2'],
    ['f(x)**2', 'f(x) ** 2'],
    ['not (a == b)', 'not a == b'],
    ['(not a) == b', '(not a) == b'],
    ['(a < b) < c', '(a < b) < c'],
    ['a < (b < c)', 'a < (b < c)'],
    ['(a or b) or c', '(a or b) or c'],
    ['a or (b and c)', 'a or b and c'],
    ['(a or b) and c', '(a or b) and c'],
    ['(a if b else c) if d else e', '(a if b else c) if d else e'],
    ['a if b else (c if d else e)', 'a if b else c if d else e'],
    ['(lambda x: x)(1)', '(lambda x: x)(1)'],
    ['f(lambda: 0, k=lambda a, b: a)', 'f(lambda: 0, k=lambda a, b: a)'],
    ['(1).T', '(1).T'],
    ['(a + b).T', '(a + b).T'],
    ['x[(1, 2)]', 'x[(1, 2)]'],
    ['x[1, 2]', 'x[1, 2]'],
    ['x[1,]', 'x[1]'],
    ['x[::]', 'x[:]'],
    ['x[1::2, :3, ...]', 'x[1::2, :3, ...]'],
    ['a, b', '(a, b)'],
    ['(a,)', '(a,)'],
    ['[ 1 ,2, ]', '[1, 2]'],
    ['"abc"', "'abc'"],
    ['"it\'s"', '"it\'s"'],
    ['\'a\' "b"', "'ab'"],
    ['1_000 + 0x1F + .5e3', '1_000 + 0x1F + .5e3'],
    ['mean( x ,axis = 0 )', 'mean(x, axis=0)'],
    ['- - x', '--x'],
    ['a * -b', 'a * -b'],
    ['lambda: (1, 2)', 'lambda: (1, 2)'],
  ];
  it.each(cases)('%s -> %s', (source, expected) => {
    expect(fmt(source)).toBe(expected);
  });

  it('writes strings as Python repr() does', () => {
    expect(pythonRepr('abc')).toBe("'abc'");
    expect(pythonRepr("it's")).toBe('"it\'s"');
    expect(pythonRepr('a\'b"c')).toBe("'a\\'b\"c'");
    expect(pythonRepr('\\\n\r\t')).toBe("'\\\\\\n\\r\\t'");
    expect(pythonRepr('\x00\x7f\u00e9\u200b\u{1F600}\u{E0001}')).toBe(
      "'\\x00\\x7f\u00e9\\u200b\u{1F600}\\U000e0001'",
    );
  });
});

describe('round trip: parse(formatExpr(parse(s))) equals parse(s) modulo positions', () => {
  const sources = [
    '-x**2',
    '2**-1',
    'a**b**c',
    '(a**b)**c',
    '(-a)**-b',
    'a - b - c',
    'a - (b - c)',
    'a @ b + c',
    'a / (b * c)',
    'a // b % c @ d',
    '~a << b >> (c | d) ^ e & f',
    'not a == b',
    'not (a and b)',
    'a < b <= c > d >= e == f != g',
    '(a < b) == (c < d)',
    'a and b or c and not d',
    'a and (b or c)',
    'a if b else c',
    '(a if b else c) + 1',
    'x if (y if z else w) else v',
    'sum(sin(x)**2 * w)',
    'x[:, 1:3].T @ y',
    'x[::-1]',
    'x[..., 0]',
    'x[None, :, None]',
    'x[[0, 2]]',
    'x[x > 0]',
    'x[(i, j)]',
    'x[i, j]',
    'x[1:2:3, :2, ::3, 1:, :]',
    'x[a if b else c:d]',
    'mean(x, axis=0)',
    'norm.pdf(x, loc=1, scale=2)',
    'x.sum(axis=1, keepdims=True)',
    'scipy.special.erf(x)',
    'random.normal(key(0), (3,))',
    "einsum('ij,jk->ik', a, b)",
    'vmap(lambda v: v @ w)(xs)',
    'grad(lambda t: sum(t**2))(x)',
    'vmap(lambda a, b: a * b, in_axes=(0, None))(x, y)',
    'lambda x: lambda y: x + y',
    'lambda: (lambda: 1)()',
    '(lambda x: x) if a else lambda y: y',
    '[1, 2.5, 1e-3, .5, 1_000, 0x1f, 0b101, 0o17]',
    "['a', \"b'\", 'c\\n\\t\\\\', '\\x00\\u1234']",
    '(True, False, None, ())',
    '((a,),)',
    'a, b, c',
    '(1).real + (2.5).imag',
    '-(-(-x))',
    '+x - -y',
    'f(x)(y)[z].w(v)',
    '(a + b)[0]',
    "'%s' % x",
    'x ** -y ** -z',
    '- x ** - y',
    '[lambda: 1, (lambda: 2)()]',
    'f(\n  x,  # input\n  y,\n)',
  ];
  it.each(sources)('%s', (source) => {
    const ast = parseExpression(source);
    const printed = formatExpr(ast);
    expect(strip(parseExpression(printed))).toEqual(strip(ast));
    // Formatting is idempotent: printed text is already in normal form.
    expect(formatExpr(parseExpression(printed))).toBe(printed);
  });
});
