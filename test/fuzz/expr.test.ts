/**
 * @file Property-based fuzzing of the expression language: any text parses or raises
 * ExprSyntaxError with a position; any parsed expression, random tokens or well-formed calls of
 * namespace functions with right and wrong arguments (unknown keywords, too many arguments,
 * nonsense option values), evaluates or raises an error a user can read (never a JavaScript
 * internal such as "x is not iterable"); parsing is linear in the input.
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

/** Well-formed expressions over the namespace: calls with the right or wrong arguments, indexing. */
const FUNCS = [
  'sum',
  'mean',
  'sin',
  'exp',
  'reshape',
  'zeros',
  'linspace',
  'arange',
  'where',
  'concatenate',
  'transpose',
  'max',
  'argmax',
  'cumsum',
  'sort',
  'clip',
  'round',
  'var',
  'std',
  'take',
  'dot',
  // Beyond the draft's list: the other namespaces and their option forms.
  'argsort',
  'pad',
  'tile',
  'split',
  'stack',
  'insert',
  'lexsort',
  'zeros_like',
  'eye',
  'einsum',
  'linalg.norm',
  'nn.softmax',
  'nn.one_hot',
  'nn.standardize',
  'lax.transpose',
  'lax.dot_general',
  'lax.dynamic_update_slice',
  'lax.reduce_window',
  'random.normal',
  'random.choice',
  'max_pool',
];
const wellFormed = fc.letrec((tie) => ({
  atom: fc.constantFrom(
    'x',
    'y',
    '1',
    '2.5',
    '-1',
    '0',
    'True',
    'None',
    "'a'",
    '(2, 3)',
    '[1, 2, 3]',
    '[]',
    '()',
  ),
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('atom'),
    fc
      .tuple(tie('expr'), fc.constantFrom('+', '*', '-', '/', '@', '**', '<', '//'), tie('expr'))
      .map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc
      .tuple(
        fc.constantFrom(...FUNCS),
        fc.array(tie('expr'), { maxLength: 3 }),
        fc.array(
          fc.tuple(
            fc.constantFrom('axis', 'keepdims', 'axs', 'dtype', 'kind', 'decimals', 'num'),
            tie('atom'),
          ),
          { maxLength: 2 },
        ),
      )
      .map(([f, args, kws]) => `${f}(${[...args, ...kws.map(([k, v]) => `${k}=${v}`)].join(', ')})`),
    fc
      .tuple(tie('expr'), fc.constantFrom('[0]', '[:, 1]', '[::2]', '[-1]', '[None]', '.T', '.shape', '[5]'))
      .map(([a, i]) => `${a}${i}`),
  ),
})).expr as fc.Arbitrary<string>;

/** JavaScript's own messages: they must never be what the user sees (Python's `'int' object is not iterable` may). */
const JS_INTERNAL =
  /(?<!object )is not iterable|is not a function|is not a constructor|Cannot read properties|Cannot set properties|Maximum call stack|Invalid (typed )?array length/;

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
      fc.property(fc.oneof(exprText, wellFormed), (text) => {
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
