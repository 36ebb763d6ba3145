/**
 * @file Prints an expression AST back as source with the fewest parentheses that keep its structure,
 * so that parseExpression(formatExpr(ast)) gives the same tree (positions aside). Used in messages and
 * to show users how an expression was understood.
 */

import { pythonRepr } from '../format/quote.js';
import type { BinaryOp, Expr, IndexItem, Node } from './ast.js';

// Binding strength, loosest first; a child printed where a tighter one is required gets parentheses.
const LAMBDA = 0;
const IFEXP = 1;
const OR = 2;
const AND = 3;
const NOT = 4;
const COMPARE = 5;
const UNARY = 12;
const POWER = 13;
const ATOM = 14;

const BINARY_PRECEDENCE: Record<BinaryOp, number> = {
  '|': 6,
  '^': 7,
  '&': 8,
  '<<': 9,
  '>>': 9,
  '+': 10,
  '-': 10,
  '*': 11,
  '/': 11,
  '//': 11,
  '%': 11,
  '@': 11,
  '**': POWER,
};

function precedence(node: Node): number {
  switch (node.kind) {
    case 'Lambda':
      return LAMBDA;
    case 'IfExp':
      return IFEXP;
    case 'BoolOp':
      return node.op === 'or' ? OR : AND;
    case 'Not':
      return NOT;
    case 'Compare':
      return COMPARE;
    case 'Binary':
      return BINARY_PRECEDENCE[node.op];
    case 'Unary':
      return UNARY;
    default:
      return ATOM;
  }
}

/** Source text for `node` with minimal parentheses. */
export function formatExpr(node: Node): string {
  return format(node, LAMBDA);
}

function format(node: Node, minPrecedence: number): string {
  const text = formatBare(node);
  return precedence(node) < minPrecedence ? `(${text})` : text;
}

function formatBare(node: Node): string {
  switch (node.kind) {
    case 'Num':
      return node.raw;
    case 'Str':
      return pythonRepr(node.value);
    case 'Bool':
      return node.value ? 'True' : 'False';
    case 'None':
      return 'None';
    case 'Name':
      return node.id;
    case 'Ellipsis':
      return '...';
    case 'List':
      return `[${node.elts.map((e) => format(e, LAMBDA)).join(', ')}]`;
    case 'Tuple':
      if (node.elts.length === 1) return `(${format(node.elts[0]!, LAMBDA)},)`;
      return `(${node.elts.map((e) => format(e, LAMBDA)).join(', ')})`;
    case 'Unary':
      return `${node.op}${format(node.operand, UNARY)}`;
    case 'Not':
      return `not ${format(node.operand, NOT)}`;
    case 'Binary': {
      const p = BINARY_PRECEDENCE[node.op];
      if (node.op === '**') {
        // The base is a primary and the exponent a factor: (-a)**b and (a**b)**c need parentheses, a**-b does not.
        const left = format(node.left, ATOM);
        const right = format(node.right, UNARY);
        const hug = isSimplePowerOperand(node.left, left) && isSimplePowerOperand(node.right, right);
        return hug ? `${left}**${right}` : `${left} ** ${right}`;
      }
      return `${format(node.left, p)} ${node.op} ${format(node.right, p + 1)}`;
    }
    case 'BoolOp': {
      const p = node.op === 'or' ? OR : AND;
      return node.values.map((v) => format(v, p + 1)).join(` ${node.op} `);
    }
    case 'Compare': {
      // (a < b) < c is not the chain a < b < c, so a comparison operand never is a bare comparison.
      let out = format(node.operands[0]!, COMPARE + 1);
      node.ops.forEach((op, i) => {
        out += ` ${op} ${format(node.operands[i + 1]!, COMPARE + 1)}`;
      });
      return out;
    }
    case 'IfExp':
      return `${format(node.body, OR)} if ${format(node.test, OR)} else ${format(node.orelse, LAMBDA)}`;
    case 'Lambda': {
      const params = node.params.length > 0 ? ` ${node.params.join(', ')}` : '';
      return `lambda${params}: ${format(node.body, LAMBDA)}`;
    }
    case 'Call': {
      const args = [
        ...node.args.map((a) => format(a, LAMBDA)),
        ...node.kwargs.map((k) => `${k.name}=${format(k.value, LAMBDA)}`),
      ];
      return `${format(node.func, ATOM)}(${args.join(', ')})`;
    }
    case 'Attribute': {
      // `1.T` would lex as a malformed number, so a numeric receiver is always parenthesised.
      const value = node.value.kind === 'Num' ? `(${node.value.raw})` : format(node.value, ATOM);
      return `${value}.${node.attr}`;
    }
    case 'Index':
      return `${format(node.value, ATOM)}[${node.items.map(formatIndexItem).join(', ')}]`;
    case 'Slice': {
      const bound = (e: Expr | undefined): string => (e ? format(e, IFEXP) : '');
      const head = `${bound(node.lower)}:${bound(node.upper)}`;
      return node.step ? `${head}:${bound(node.step)}` : head;
    }
  }
}

function formatIndexItem(item: IndexItem): string {
  return format(item, LAMBDA);
}

/** Black's rule for hugging `**` (names, numbers, attribute chains, with an optional unary minus). */
function isSimplePowerOperand(node: Expr, text: string): boolean {
  if (text.startsWith('(')) return false;
  switch (node.kind) {
    case 'Name':
    case 'Num':
      return true;
    case 'Attribute':
      return isAttributeChain(node);
    case 'Unary':
      return node.op === '-' && isSimplePowerOperand(node.operand, text.slice(1));
    case 'Binary':
      // A hugged power stays hugged inside another: a**b**c rather than black's a ** b**c.
      return node.op === '**' && !text.includes(' ');
    default:
      return false;
  }
}

function isAttributeChain(node: Expr): boolean {
  if (node.kind === 'Name') return true;
  return node.kind === 'Attribute' && isAttributeChain(node.value);
}
