/**
 * @file Complex numbers in the expression language: Python's imaginary literals (`2j`, `1.5e3J`,
 * `1_0j`, `01j`), constant folding of Python complex arithmetic on scalars (as Python does, so
 * `1+2j` is one weak complex scalar), `complex(re, im)`, `.real`/`.imag` of scalars and arrays,
 * `.conj()`, and promotion of real arrays by a complex scalar.
 */
import { describe, expect, it } from 'vitest';
import { complex, numpy as jnp } from '../../src/engine/index.js';
import { evaluateExpression } from '../../src/expr/evaluate.js';
import { formatExpr } from '../../src/expr/format.js';
import { Lexer } from '../../src/expr/lexer.js';
import { parseExpression } from '../../src/expr/parse.js';

function evaluate(src: string, inputs: Record<string, unknown> = {}): any {
  return evaluateExpression(src, parseExpression(src), new Map(Object.entries(inputs)));
}

describe('imaginary literals', () => {
  it('lex as one number token carrying the imaginary part', () => {
    for (const [src, im] of [
      ['2j', 2],
      ['1.5e3J', 1500],
      ['1_0j', 10],
      ['01j', 1],
      ['.5j', 0.5],
    ] as const) {
      const t = new Lexer(src).next();
      expect(t).toMatchObject({ kind: 'number', text: src, num: im, imag: true, isInt: false });
    }
  });
  it('parse to Num nodes that format back as written', () => {
    const ast = parseExpression('x * 2.5j + 1_0J');
    expect(formatExpr(ast)).toBe('x * 2.5j + 1_0J');
  });
});

describe('evaluating complex scalars', () => {
  it('folds Python complex arithmetic as Python does', () => {
    expect(String(evaluate('1 + 2j'))).toBe('(1+2j)');
    expect(String(evaluate('(1+2j) * (3-1j)'))).toBe('(5+5j)');
    expect(String(evaluate('(1+2j) / (1-1j)'))).toBe('(-0.5+1.5j)');
    expect(String(evaluate('-2j'))).toBe('(-0-2j)');
    expect(evaluate('1j == complex(0, 1)')).toBe(true);
    expect(String(evaluate('complex(1.5, 2)'))).toBe('(1.5+2j)');
    expect(Number(evaluate('(3+4j).imag'))).toBe(4);
  });
  it('promotes arrays by weak complex scalars and reads parts of arrays', async () => {
    const x = jnp.array([1, 2]);
    const y = evaluate('x * (1-1j)', { x });
    expect(y.dtype.name).toBe('complex64');
    expect(await y.tolist()).toEqual([complex(1, -1), complex(2, -2)]);
    expect(await evaluate('(x * 1j).conj().imag', { x }).tolist()).toEqual([-1, -2]);
    expect(await evaluate('abs(3+4j)').item()).toBe(5);
    expect(() => evaluate('complex([1, 2])')).toThrow('complex() argument must be a string or a number');
  });
});
