/** @file Test helpers for the expression parser: position stripping and a fully parenthesised S-expression view. */

import type { Node } from '../../src/expr/index.js';
import { ExprSyntaxError, parseExpression } from '../../src/expr/index.js';

/** A deep copy of an AST without `start`/`end`, for comparing trees modulo positions. */
export function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k !== 'start' && k !== 'end') out[k] = strip(v);
    }
    return out;
  }
  return value;
}

/** Every node in explicit prefix form, so precedence and associativity are visible at a glance. */
export function sexpr(node: Node): string {
  const s = (n: Node | undefined): string => (n ? sexpr(n) : '_');
  switch (node.kind) {
    case 'Num':
      return node.raw;
    case 'Str':
      return JSON.stringify(node.value);
    case 'Bool':
      return node.value ? 'True' : 'False';
    case 'None':
      return 'None';
    case 'Name':
      return node.id;
    case 'Ellipsis':
      return '...';
    case 'List':
      return `(list${node.elts.map((e) => ` ${s(e)}`).join('')})`;
    case 'Tuple':
      return `(tuple${node.elts.map((e) => ` ${s(e)}`).join('')})`;
    case 'Unary':
      return `(u${node.op} ${s(node.operand)})`;
    case 'Not':
      return `(not ${s(node.operand)})`;
    case 'Binary':
      return `(${node.op} ${s(node.left)} ${s(node.right)})`;
    case 'BoolOp':
      return `(${node.op} ${node.values.map(s).join(' ')})`;
    case 'Compare':
      return `(cmp ${s(node.operands[0])}${node.ops.map((op, i) => ` ${op} ${s(node.operands[i + 1])}`).join('')})`;
    case 'IfExp':
      return `(if ${s(node.test)} ${s(node.body)} ${s(node.orelse)})`;
    case 'Lambda':
      return `(lambda (${node.params.join(' ')}) ${s(node.body)})`;
    case 'Call':
      return `(call ${[s(node.func), ...node.args.map(s), ...node.kwargs.map((k) => `${k.name}=${s(k.value)}`)].join(' ')})`;
    case 'Attribute':
      return `(. ${s(node.value)} ${node.attr})`;
    case 'Index':
      return `([] ${s(node.value)} ${node.items.map(s).join(' ')})`;
    case 'Slice':
      return `(: ${s(node.lower)} ${s(node.upper)} ${s(node.step)})`;
  }
}

export function sx(source: string): string {
  return sexpr(parseExpression(source));
}

/** The syntax error `source` raises (failing the test if it parses). */
export function syntaxError(source: string): ExprSyntaxError {
  try {
    parseExpression(source);
  } catch (e) {
    if (e instanceof ExprSyntaxError) return e;
    throw e;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(source)}`);
}
