/** @file Public API of the expression language: parsing, the AST, formatting and positioned errors. */

export { pythonRepr } from '../format/quote.js';
export type {
  Attribute,
  Binary,
  BinaryOp,
  Bool,
  BoolOp,
  Call,
  Compare,
  CompareOp,
  Ellipsis,
  Expr,
  IfExp,
  Index,
  IndexItem,
  Keyword,
  Lambda,
  List,
  Name,
  Node,
  NodeKind,
  NoneLit,
  Not,
  Num,
  Slice,
  Span,
  Str,
  Tuple,
  Unary,
  UnaryOp,
} from './ast.js';
export { children, freeNames, lineColumn, sourceLine } from './ast.js';
export { ExprError, ExprSyntaxError, suggestName } from './errors.js';
export { formatExpr } from './format.js';
export { parseExpression } from './parse.js';
