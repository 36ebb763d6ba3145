/** @file Tokenizer tests: token kinds, operators, newline tracking and where end-of-input points. */

import { describe, expect, it } from 'vitest';
import { Lexer, type Token } from '../../src/expr/lexer.js';

function tokens(source: string): Token[] {
  const lexer = new Lexer(source);
  const out: Token[] = [];
  for (;;) {
    const t = lexer.next();
    out.push(t);
    if (t.kind === 'eof') return out;
  }
}

const texts = (source: string): string[] => tokens(source).map((t) => `${t.kind}:${t.text}`);

describe('Lexer', () => {
  it('takes the longest operator', () => {
    expect(texts('a**=b//c<<=d...e->f:=g!=h')).toEqual([
      'name:a',
      'op:**=',
      'name:b',
      'op://',
      'name:c',
      'op:<<=',
      'name:d',
      'op:...',
      'name:e',
      'op:->',
      'name:f',
      'op::=',
      'name:g',
      'op:!=',
      'name:h',
      'eof:',
    ]);
  });

  it('tells keywords from names and string prefixes from names', () => {
    expect(texts("lambda if None match r'x' rx u")).toEqual([
      'keyword:lambda',
      'keyword:if',
      'keyword:None',
      'name:match',
      "string:r'x'",
      'name:rx',
      'name:u',
      'eof:',
    ]);
  });

  it('separates a leading-dot float from attribute access and ellipsis', () => {
    expect(texts('x.T .5 x[...]')).toEqual([
      'name:x',
      'op:.',
      'name:T',
      'number:.5',
      'name:x',
      'op:[',
      'op:...',
      'op:]',
      'eof:',
    ]);
  });

  it('records newlines before a token but not backslash continuations', () => {
    const ts = tokens('a\n  b \\\n c # x\n d');
    expect(ts.map((t) => t.newlineBefore)).toEqual([false, true, false, true, false]);
  });

  it('puts end of input right after the last token, ignoring trailing blanks and comments', () => {
    const ts = tokens('f(x,  # comment\n\n');
    expect(ts.at(-1)).toMatchObject({ kind: 'eof', start: 4, end: 4 });
    expect(tokens('   ').at(-1)).toMatchObject({ kind: 'eof', start: 0 });
  });

  it('returns eof repeatedly at the end', () => {
    const lexer = new Lexer('x');
    lexer.next();
    expect(lexer.next().kind).toBe('eof');
    expect(lexer.next().kind).toBe('eof');
  });
});
