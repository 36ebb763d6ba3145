/** @file AST helpers: freeNames, lineColumn, sourceLine and children. */

import { describe, expect, it } from 'vitest';
import { children, freeNames, lineColumn, parseExpression, sourceLine } from '../../src/expr/index.js';

const free = (source: string): string[] => [...freeNames(parseExpression(source))];

describe('freeNames', () => {
  const cases: [string, string[]][] = [
    ['sum(sin(x)**2 * w)', ['sum', 'sin', 'x', 'w']],
    ['x + x * y', ['x', 'y']],
    ['x.T @ y.shape', ['x', 'y']],
    ['scipy.special.erf(x)', ['scipy', 'x']],
    ['mean(x, axis=a)', ['mean', 'x', 'a']],
    ['mean(x, axis=0)', ['mean', 'x']],
    ['vmap(lambda v: v @ w)(xs)', ['vmap', 'w', 'xs']],
    ['lambda a, b: a + b + c', ['c']],
    ['(lambda x: x)(x)', ['x']],
    ['lambda x: lambda y: x + y + z', ['z']],
    ['f(lambda x: x) + x', ['f', 'x']],
    ['[lambda v: v, v]', ['v']],
    ['a if b else c', ['a', 'b', 'c']],
    ['x[i:j:k, ..., m]', ['x', 'i', 'j', 'k', 'm']],
    ['a < b < c', ['a', 'b', 'c']],
    ['not p and q or r', ['p', 'q', 'r']],
    ["einsum('ij->j', a)", ['einsum', 'a']],
    ['1 + 2.5 + True + None', []],
  ];
  it.each(cases)('%s', (source, expected) => {
    expect(free(source)).toEqual(expected);
  });

  it('returns a Set in order of first appearance', () => {
    const names = freeNames(parseExpression('b + a + b'));
    expect(names).toBeInstanceOf(Set);
    expect([...names]).toEqual(['b', 'a']);
  });
});

describe('lineColumn', () => {
  it('is 1-based and understands \\n, \\r\\n and \\r line breaks', () => {
    const src = 'ab\ncd\r\nef\rgh';
    expect(lineColumn(src, 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn(src, 2)).toEqual({ line: 1, column: 3 });
    expect(lineColumn(src, 3)).toEqual({ line: 2, column: 1 });
    expect(lineColumn(src, 7)).toEqual({ line: 3, column: 1 });
    expect(lineColumn(src, 10)).toEqual({ line: 4, column: 1 });
    expect(lineColumn(src, 12)).toEqual({ line: 4, column: 3 });
    expect(lineColumn(src, 99)).toEqual({ line: 4, column: 3 });
    expect(lineColumn(src, -5)).toEqual({ line: 1, column: 1 });
  });

  it('counts columns in code points', () => {
    expect(lineColumn('\u{1F600}x', 2)).toEqual({ line: 1, column: 2 });
  });

  it('sourceLine returns one line without its terminator', () => {
    expect(sourceLine('ab\ncd\r\nef', 2)).toBe('cd');
    expect(sourceLine('ab', 5)).toBe('');
  });
});

describe('children', () => {
  it('lists direct children in source order', () => {
    const ast = parseExpression('f(a, k=b)[c:d]');
    expect(ast.kind).toBe('Index');
    const kinds = children(ast).map((c) => c.kind);
    expect(kinds).toEqual(['Call', 'Slice']);
    const call = children(ast)[0]!;
    expect(children(call).map((c) => (c.kind === 'Name' ? c.id : c.kind))).toEqual(['f', 'a', 'b']);
    const ifexp = parseExpression('a if b else c');
    expect(children(ifexp).map((c) => (c.kind === 'Name' ? c.id : c.kind))).toEqual(['a', 'b', 'c']);
  });
});

describe('children does not alias node arrays', () => {
  it('returns a fresh array', () => {
    const ast = parseExpression('[a, b]');
    children(ast).reverse();
    expect(children(ast).map((c) => (c.kind === 'Name' ? c.id : ''))).toEqual(['a', 'b']);
  });
});
