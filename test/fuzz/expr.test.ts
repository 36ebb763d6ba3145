/**
 * @file Property-based fuzzing of the expression language: any text parses or raises
 * ExprSyntaxError with a position; any parsed expression evaluates or raises an error a user can
 * read (never a JavaScript internal such as "x is not iterable"); parsing is linear in the input.
 */
import { describe, expect, it } from 'vitest';
import * as engine from '../../src/engine/index.js';
import { evaluateExpression } from '../../src/expr/evaluate.js';
import { ExprSyntaxError } from '../../src/expr/index.js';
import { parseExpression, parseExpressionCounted } from '../../src/expr/parse.js';
import { fc } from './config.js';

const tokens = fc.constantFrom(
  ...'x y 1 2.5 0 -1 ( ) [ ] , : + - * / // % ** @ < > == != and or not if else lambda sum mean sin exp reshape arange zeros T shape . axis= keepdims= True False None "a" \'b\' 1e400 2147483648 0x10 1_000 [:, 0] ::2 ...'.split(
    ' ',
  ),
);
const exprText = fc.array(tokens, { maxLength: 12 }).map((ts) => ts.join(' '));

/** JavaScript's own messages: they must never be what the user sees. */
const JS_INTERNAL =
  /is not iterable|is not a function|is not a constructor|Cannot read properties|Cannot set properties|Maximum call stack|Invalid (typed )?array length/;

describe('the expression parser', () => {
  it('parses any text, or raises ExprSyntaxError with a line and column', () => {
    fc.assert(
      fc.property(fc.oneof(exprText, fc.string({ maxLength: 80 })), (text) => {
        try {
          parseExpression(text);
        } catch (e) {
          expect(e).toBeInstanceOf(ExprSyntaxError);
          expect((e as Error).message).toMatch(/ at \d+:\d+$/);
        }
      }),
    );
  });

  it('does work linear in the input on nested parentheses, calls, lists and unary signs', () => {
    const shapes = [
      (d: number) => `${'('.repeat(d)}x${')'.repeat(d)}`,
      (d: number) => `${'sin('.repeat(d)}x${')'.repeat(d)}`,
      (d: number) => `${'['.repeat(d)}1${']'.repeat(d)}`,
      (d: number) => `${'-'.repeat(d)}x`,
      (d: number) => `x${'[0]'.repeat(d)}`,
    ];
    for (const make of shapes) {
      for (const depth of [5, 20, 60]) {
        const text = make(depth);
        const { steps } = parseExpressionCounted(text);
        expect(steps).toBeLessThanOrEqual(2 * text.length + 4);
      }
    }
  });
});

describe('the evaluator', () => {
  const x = engine.numpy.arange(6, null, null, { dtype: 'float32' }).reshape([2, 3]);
  const y = engine.numpy.asarray([1, 2, 3]);

  it('evaluates any parsed expression, or raises an error a user can read', () => {
    fc.assert(
      fc.property(exprText, (text) => {
        let ast: ReturnType<typeof parseExpression>;
        try {
          ast = parseExpression(text);
        } catch {
          return;
        }
        try {
          const r = evaluateExpression(
            text,
            ast,
            new Map<string, unknown>([
              ['x', x],
              ['y', y],
            ]),
          );
          if (r instanceof engine.Array) r.dataSync();
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          const msg = (e as Error).message;
          expect(msg, text).not.toMatch(JS_INTERNAL);
        }
      }),
      { numRuns: 400 },
    );
  });
});
