/** @file Entry point of the expression parser: source text to AST, with no dependency on the engine. */

import type { Expr } from './ast.js';
import { Parser } from './parser.js';

/**
 * Parses one tjax expression (a safe subset of Python expression syntax) into an AST. Newlines count as
 * whitespace anywhere, and a top-level `a, b` is a tuple, as in Python's `eval`.
 *
 * @throws ExprSyntaxError with the 1-based line and column of the problem.
 */
export function parseExpression(source: string): Expr {
  return new Parser(source).parse();
}

/** The parse and the parser's work (tokens consumed plus constructs entered), for linearity tests. */
export function parseExpressionCounted(source: string): { ast: Expr; steps: number } {
  const p = new Parser(source);
  return { ast: p.parse(), steps: p.steps };
}
