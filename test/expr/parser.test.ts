/** @file Parser tests: Python precedence and associativity, every literal form, subscripts, calls and lambdas. */

import { describe, expect, it } from 'vitest';
import { parseExpression } from '../../src/expr/index.js';
import { strip, sx } from './helpers.js';

describe('precedence and associativity', () => {
  const table: [string, string][] = [
    ['-x**2', '(u- (** x 2))'],
    ['2**-1', '(** 2 (u- 1))'],
    ['a**b**c', '(** a (** b c))'],
    ['(a**b)**c', '(** (** a b) c)'],
    ['-a**-b', '(u- (** a (u- b)))'],
    ['a - b - c', '(- (- a b) c)'],
    ['a / b * c', '(* (/ a b) c)'],
    ['a // b % c', '(% (// a b) c)'],
    ['a @ b + c', '(+ (@ a b) c)'],
    ['a + b @ c', '(+ a (@ b c))'],
    ['a + b * c ** d', '(+ a (* b (** c d)))'],
    ['a << b + c', '(<< a (+ b c))'],
    ['a & b << c', '(& a (<< b c))'],
    ['a ^ b & c', '(^ a (& b c))'],
    ['a | b ^ c', '(| a (^ b c))'],
    ['a | b | c', '(| (| a b) c)'],
    ['a < b | c', '(cmp a < (| b c))'],
    ['not a == b', '(not (cmp a == b))'],
    ['not not a', '(not (not a))'],
    ['a < b < c', '(cmp a < b < c)'],
    ['a < b <= c != d', '(cmp a < b <= c != d)'],
    ['(a < b) < c', '(cmp (cmp a < b) < c)'],
    ['a == b and c', '(and (cmp a == b) c)'],
    ['not a and b', '(and (not a) b)'],
    ['a or b and c', '(or a (and b c))'],
    ['a and b and c', '(and a b c)'],
    ['a or b or c', '(or a b c)'],
    ['(a or b) or c', '(or (or a b) c)'],
    ['a if c else b', '(if c a b)'],
    ['a if c else b if d else e', '(if c a (if d b e))'],
    ['a or b if c or d else e', '(if (or c d) (or a b) e)'],
    ['lambda v: v if c else w', '(lambda (v) (if c v w))'],
    ['-x.T', '(u- (. x T))'],
    ['~a + b', '(+ (u~ a) b)'],
    ['+-~a', '(u+ (u- (u~ a)))'],
    ['- - a', '(u- (u- a))'],
    ['x[:, 1:3].T @ y', '(@ (. ([] x (: _ _ _) (: 1 3 _)) T) y)'],
    ['f(x)[0].y(z)', '(call (. ([] (call f x) 0) y) z)'],
    ['-f(x)**2', '(u- (** (call f x) 2))'],
    ['a * -b', '(* a (u- b))'],
    ['(a + b) * c', '(* (+ a b) c)'],
    ['a - (b - c)', '(- a (- b c))'],
    ['(a)', 'a'],
    ['((a))', 'a'],
  ];
  it.each(table)('%s', (source, expected) => {
    expect(sx(source)).toBe(expected);
  });
});

describe('literals', () => {
  const nums: [string, number | bigint, boolean][] = [
    ['1', 1, true],
    ['0', 0, true],
    ['00', 0, true],
    ['2.5', 2.5, false],
    ['1e-3', 0.001, false],
    ['1E+3', 1000, false],
    ['.5', 0.5, false],
    ['5.', 5, false],
    ['1.e2', 100, false],
    ['1_000', 1000, true],
    ['1_000.000_1', 1000.0001, false],
    ['0x1f', 31, true],
    ['0X1F', 31, true],
    ['0x_ff', 255, true],
    ['0b101', 5, true],
    ['0B1_0', 2, true],
    ['0o17', 15, true],
    ['007.5', 7.5, false],
    ['012e1', 120, false],
    ['1e999', Number.POSITIVE_INFINITY, false],
    // Beyond 2 ** 53 an int literal stays exact, as a Python int is.
    ['18446744073709551616', 18446744073709551616n, true],
  ];
  it.each(nums)('number %s', (raw, value, isInt) => {
    expect(parseExpression(raw)).toEqual({ kind: 'Num', value, isInt, raw, start: 0, end: raw.length });
  });

  const strs: [string, string][] = [
    ["'abc'", 'abc'],
    ['"abc"', 'abc'],
    ["'ij,jk->ik'", 'ij,jk->ik'],
    [`"it's"`, "it's"],
    [String.raw`'it\'s'`, "it's"],
    [String.raw`'a\nb\tc\\d'`, 'a\nb\tc\\d'],
    [String.raw`'\x41\u00e9\U0001F600\101\0'`, 'A\u00e9\u{1F600}A\0'],
    [String.raw`'\a\b\f\v\r'`, '\x07\b\f\v\r'],
    [String.raw`'\d'`, '\\d'],
    ["'a\\\nb'", 'ab'],
    [String.raw`r'\n\d'`, '\\n\\d'],
    [String.raw`R'\''`, "\\'"],
    ["u'x'", 'x'],
    ["'''a'b\n\"c'''", 'a\'b\n"c'],
    ['"""x\r\ny"""', 'x\ny'],
    ["''", ''],
    ['\'ab\' "cd"', 'abcd'],
    ["'ij,jk'\n  '->ik'", 'ij,jk->ik'],
  ];
  it.each(strs)('string %s', (source, value) => {
    const ast = parseExpression(source);
    expect(ast).toEqual({ kind: 'Str', value, start: 0, end: source.length });
  });

  it('keeps the int/float distinction that JAX weak typing needs', () => {
    expect(parseExpression('2')).toMatchObject({ isInt: true });
    expect(parseExpression('2.0')).toMatchObject({ isInt: false });
    expect(parseExpression('2e0')).toMatchObject({ isInt: false });
  });

  it('parses True, False, None and names, including unicode names normalised as Python does', () => {
    expect(strip(parseExpression('True'))).toEqual({ kind: 'Bool', value: true });
    expect(strip(parseExpression('False'))).toEqual({ kind: 'Bool', value: false });
    expect(strip(parseExpression('None'))).toEqual({ kind: 'None' });
    expect(strip(parseExpression('_x1'))).toEqual({ kind: 'Name', id: '_x1' });
    expect(strip(parseExpression('\u03b1 + \u00b5'))).toEqual(strip(parseExpression('\u03b1 + \u03bc')));
    expect(sx('rb + u')).toBe('(+ rb u)');
  });

  it('parses lists and tuples', () => {
    expect(sx('[a, b]')).toBe('(list a b)');
    expect(sx('[a, b,]')).toBe('(list a b)');
    expect(sx('[]')).toBe('(list)');
    expect(sx('[[1, 2], [3]]')).toBe('(list (list 1 2) (list 3))');
    expect(sx('(a, b)')).toBe('(tuple a b)');
    expect(sx('(a,)')).toBe('(tuple a)');
    expect(sx('()')).toBe('(tuple)');
    expect(sx('(a)')).toBe('a');
    expect(sx('((a,),)')).toBe('(tuple (tuple a))');
    expect(sx('a, b')).toBe('(tuple a b)');
    expect(sx('a,')).toBe('(tuple a)');
    expect(sx('(lambda: 1, 2)')).toBe('(tuple (lambda () 1) 2)');
  });
});

describe('subscripts', () => {
  const cases: [string, string][] = [
    ['x[0]', '([] x 0)'],
    ['x[-1]', '([] x (u- 1))'],
    ['x[i, j]', '([] x i j)'],
    ['x[i,]', '([] x i)'],
    ['x[(i, j)]', '([] x (tuple i j))'],
    ['x[None]', '([] x None)'],
    ['x[..., 0]', '([] x ... 0)'],
    ['x[0, ...]', '([] x 0 ...)'],
    ['x[[0, 2]]', '([] x (list 0 2))'],
    ['x[x > 0]', '([] x (cmp x > 0))'],
    ['x[:]', '([] x (: _ _ _))'],
    ['x[::]', '([] x (: _ _ _))'],
    ['x[1:]', '([] x (: 1 _ _))'],
    ['x[:2]', '([] x (: _ 2 _))'],
    ['x[::2]', '([] x (: _ _ 2))'],
    ['x[1:2]', '([] x (: 1 2 _))'],
    ['x[1::2]', '([] x (: 1 _ 2))'],
    ['x[:2:3]', '([] x (: _ 2 3))'],
    ['x[1:2:3]', '([] x (: 1 2 3))'],
    ['x[1:2:]', '([] x (: 1 2 _))'],
    ['x[::-1]', '([] x (: _ _ (u- 1)))'],
    ['x[:, 1:3]', '([] x (: _ _ _) (: 1 3 _))'],
    ['x[..., ::2, None]', '([] x ... (: _ _ 2) None)'],
    ['x[a+1:b*2]', '([] x (: (+ a 1) (* b 2) _))'],
    ['x[a if c else b:]', '([] x (: (if c a b) _ _))'],
    ['x[0][1]', '([] ([] x 0) 1)'],
    ['x[\n  0,\n  1\n]', '([] x 0 1)'],
  ];
  it.each(cases)('%s', (source, expected) => {
    expect(sx(source)).toBe(expected);
  });

  it('records slice and ellipsis spans', () => {
    const ast = parseExpression('x[1:2, ..., :]');
    expect(ast).toMatchObject({
      kind: 'Index',
      start: 0,
      end: 14,
      items: [
        { kind: 'Slice', start: 2, end: 5 },
        { kind: 'Ellipsis', start: 7, end: 10 },
        { kind: 'Slice', start: 12, end: 13 },
      ],
    });
  });
});

describe('calls and attributes', () => {
  const cases: [string, string][] = [
    ['f()', '(call f)'],
    ['f(x)', '(call f x)'],
    ['f(x,)', '(call f x)'],
    ['mean(x, axis=0)', '(call mean x axis=0)'],
    ['mean(x, axis=(0, 1), keepdims=True)', '(call mean x axis=(tuple 0 1) keepdims=True)'],
    ['norm.pdf(x, loc=1, scale=2)', '(call (. norm pdf) x loc=1 scale=2)'],
    ['f(a=1)', '(call f a=1)'],
    ['f(a == 1)', '(call f (cmp a == 1))'],
    ['x.T', '(. x T)'],
    ['x.shape', '(. x shape)'],
    ['x.sum(axis=1)', '(call (. x sum) axis=1)'],
    ['scipy.special.erf(x)', '(call (. (. scipy special) erf) x)'],
    ['random.normal(key(0), (3,))', '(call (. random normal) (call key 0) (tuple 3))'],
    ["einsum('ij,jk->ik', a, b)", '(call einsum "ij,jk->ik" a b)'],
    ['(a + b).T', '(. (+ a b) T)'],
    ['(1).real', '(. 1 real)'],
    ['1 .real', '(. 1 real)'],
    ['f(g(h(x)))', '(call f (call g (call h x)))'],
    ['f(\n  x,  # the input\n  axis=0,\n)', '(call f x axis=0)'],
    ['f(x, match=1, case=2, type=3)', '(call f x match=1 case=2 type=3)'],
  ];
  it.each(cases)('%s', (source, expected) => {
    expect(sx(source)).toBe(expected);
  });

  it('records keyword argument spans', () => {
    const ast = parseExpression('mean(x, axis=0)');
    expect(ast).toMatchObject({ kind: 'Call', kwargs: [{ name: 'axis', start: 8, end: 14 }] });
  });
});

describe('lambdas', () => {
  const cases: [string, string][] = [
    ['lambda v: v @ w', '(lambda (v) (@ v w))'],
    ['lambda a, b: a + b', '(lambda (a b) (+ a b))'],
    ['lambda a, b,: a', '(lambda (a b) a)'],
    ['lambda: 0', '(lambda () 0)'],
    ['lambda x: lambda y: x * y', '(lambda (x) (lambda (y) (* x y)))'],
    ['vmap(lambda v: v @ w)(xs)', '(call (call vmap (lambda (v) (@ v w))) xs)'],
    ['grad(lambda t: sum(t**2))(x)', '(call (call grad (lambda (t) (call sum (** t 2)))) x)'],
    [
      'vmap(lambda a, b: a * b, in_axes=(0, None))(x, y)',
      '(call (call vmap (lambda (a b) (* a b)) in_axes=(tuple 0 None)) x y)',
    ],
    ['(lambda x: x)(1)', '(call (lambda (x) x) 1)'],
    ['lambda x: x, 1', '(tuple (lambda (x) x) 1)'],
    ['a if c else lambda: b', '(if c a (lambda () b))'],
    ['[lambda: 1, lambda: 2]', '(list (lambda () 1) (lambda () 2))'],
    ['f(k=lambda v: v)', '(call f k=(lambda (v) v))'],
  ];
  it.each(cases)('%s', (source, expected) => {
    expect(sx(source)).toBe(expected);
  });
});

describe('whitespace, comments and line structure', () => {
  it('treats newlines as whitespace inside and outside brackets', () => {
    expect(sx('sum(\n  x\n)')).toBe('(call sum x)');
    expect(sx('a +\nb')).toBe('(+ a b)');
    expect(sx('a\n+ b\n')).toBe('(+ a b)');
    expect(sx('a + \\\n b')).toBe('(+ a b)');
    expect(sx('a + \\\r\n b')).toBe('(+ a b)');
    expect(sx('\r\na\r\n*\rb\r\n')).toBe('(* a b)');
  });

  it('skips comments and tabs', () => {
    expect(sx('# leading comment\nx  # trailing comment')).toBe('x');
    expect(sx('f(x, # first\n  y) # done')).toBe('(call f x y)');
    expect(sx('\ta\t*\fb')).toBe('(* a b)');
    expect(sx("'#not a comment'")).toBe('"#not a comment"');
  });
});

describe('positions', () => {
  it('spans nodes in UTF-16 offsets, excluding a parenthesised operand only at its own level', () => {
    const src = '(a + b) * c';
    const ast = parseExpression(src);
    expect(ast).toMatchObject({ kind: 'Binary', start: 0, end: 11, left: { start: 1, end: 6 } });
    const call = parseExpression('  f(x)[0].T  ');
    expect(call).toMatchObject({ start: 2, end: 11 });
    const tuple = parseExpression('(1, 2)');
    expect(tuple).toMatchObject({ kind: 'Tuple', start: 0, end: 6 });
    const lam = parseExpression('lambda v: (v)');
    expect(lam).toMatchObject({ kind: 'Lambda', start: 0, end: 13, body: { start: 11, end: 12 } });
  });

  it('gives every node a span that slices back to its source text', () => {
    const src = "mean(x[:, 1:3] ** 2, axis=0) + f(lambda v: -v)['k'] < 3 if not b else None";
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) {
        node.forEach(visit);
        return;
      }
      if (node === null || typeof node !== 'object') return;
      const n = node as { start?: number; end?: number };
      if (typeof n.start === 'number' && typeof n.end === 'number') {
        expect(n.start).toBeLessThan(n.end);
        const text = src.slice(n.start, n.end);
        expect(text.trim()).toBe(text);
      }
      for (const v of Object.values(node)) visit(v);
    };
    visit(parseExpression(src));
  });
});
