/**
 * @file AST of tjax's array expression language (a safe subset of Python expression syntax), with
 * helpers for source positions, child traversal and the free names an expression refers to.
 *
 * Every node carries `start` (inclusive) and `end` (exclusive) offsets into the source string, counted in
 * UTF-16 code units so that `source.slice(node.start, node.end)` gives the node's text. A parenthesised
 * expression has no node of its own, and its span excludes the parentheses (as in Python's `ast`), but a
 * node built around it (`(a + b) * c`) spans from the opening parenthesis.
 */

export interface Span {
  start: number;
  end: number;
}

/**
 * A Python int, float or imaginary literal. `isInt` matters: Python scalars are weakly typed in JAX.
 * An imaginary literal (`2j`) has `imag` set and its imaginary part as `value`.
 */
export interface Num extends Span {
  kind: 'Num';
  /** A bigint for an int literal beyond 2 ** 53 (exact, as a Python int is). */
  value: number | bigint;
  isInt: boolean;
  imag?: boolean;
  /** The literal exactly as written (`1_000`, `0x1f`), so formatting and big ints lose nothing. */
  raw: string;
}

/** A string literal after escape decoding; adjacent literals (`'a' 'b'`) are already concatenated. */
export interface Str extends Span {
  kind: 'Str';
  value: string;
}

export interface Bool extends Span {
  kind: 'Bool';
  value: boolean;
}

export interface NoneLit extends Span {
  kind: 'None';
}

export interface Name extends Span {
  kind: 'Name';
  /** NFKC-normalised, as Python normalises identifiers. */
  id: string;
}

export interface List extends Span {
  kind: 'List';
  elts: Expr[];
}

export interface Tuple extends Span {
  kind: 'Tuple';
  elts: Expr[];
}

export type UnaryOp = '-' | '+' | '~';

export interface Unary extends Span {
  kind: 'Unary';
  op: UnaryOp;
  operand: Expr;
}

export type BinaryOp = '|' | '^' | '&' | '<<' | '>>' | '+' | '-' | '*' | '/' | '//' | '%' | '@' | '**';

export interface Binary extends Span {
  kind: 'Binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

/** `a and b and c` is one node with three values, as in Python's `ast.BoolOp`. */
export interface BoolOp extends Span {
  kind: 'BoolOp';
  op: 'and' | 'or';
  values: Expr[];
}

export interface Not extends Span {
  kind: 'Not';
  operand: Expr;
}

export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/**
 * A comparison chain: `a < b <= c` has ops ['<', '<='] and operands [a, b, c], meaning
 * `a < b and b <= c` with `b` evaluated once. `operands.length === ops.length + 1`.
 */
export interface Compare extends Span {
  kind: 'Compare';
  ops: CompareOp[];
  operands: Expr[];
}

/** `body if test else orelse`. */
export interface IfExp extends Span {
  kind: 'IfExp';
  test: Expr;
  body: Expr;
  orelse: Expr;
}

/** `name=value` inside a call; the span covers both. */
export interface Keyword extends Span {
  name: string;
  value: Expr;
}

export interface Call extends Span {
  kind: 'Call';
  func: Expr;
  args: Expr[];
  kwargs: Keyword[];
}

export interface Attribute extends Span {
  kind: 'Attribute';
  value: Expr;
  attr: string;
}

/**
 * `value[items]`. `x[i, j]` has two items; `x[(i, j)]` has one Tuple item, and `x[i,]` one item `i`
 * (NumPy treats all of these alike for basic indexing; the evaluator decides).
 */
export interface Index extends Span {
  kind: 'Index';
  value: Expr;
  items: IndexItem[];
}

/**
 * `lower:upper:step` inside a subscript, any part omitted. The bounds are named as in Python's
 * `ast.Slice` because `start`/`end` are already the node's source offsets.
 */
export interface Slice extends Span {
  kind: 'Slice';
  lower?: Expr;
  upper?: Expr;
  step?: Expr;
}

/** `...`, which the parser only accepts as a subscript item. */
export interface Ellipsis extends Span {
  kind: 'Ellipsis';
}

export interface Lambda extends Span {
  kind: 'Lambda';
  params: string[];
  body: Expr;
}

export type Expr =
  | Num
  | Str
  | Bool
  | NoneLit
  | Name
  | List
  | Tuple
  | Unary
  | Binary
  | BoolOp
  | Not
  | Compare
  | IfExp
  | Call
  | Attribute
  | Index
  | Lambda;

export type IndexItem = Expr | Slice | Ellipsis;

/** Every node kind, including the two that can only appear as subscript items. */
export type Node = Expr | Slice | Ellipsis;

export type NodeKind = Node['kind'];

/** 1-based line and column of a source offset; columns count code points, lines break at \n, \r\n or \r. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  const end = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < end; i++) {
    const c = source.charCodeAt(i);
    const low = c >= 0xdc00 && c <= 0xdfff;
    const prev = source.charCodeAt(i - 1);
    if (low && i > lineStart && prev >= 0xd800 && prev <= 0xdbff) continue;
    column++;
  }
  return { line, column };
}

/** The text of a 1-based source line without its line terminator ('' past the end). */
export function sourceLine(source: string, line: number): string {
  return source.split(/\r\n|\r|\n/)[line - 1] ?? '';
}

/**
 * Direct child nodes in source order (a call's keyword values included, after its positional args), as a
 * fresh array that the caller may modify.
 */
export function children(node: Node): Node[] {
  switch (node.kind) {
    case 'Num':
    case 'Str':
    case 'Bool':
    case 'None':
    case 'Name':
    case 'Ellipsis':
      return [];
    case 'List':
    case 'Tuple':
      return [...node.elts];
    case 'Unary':
    case 'Not':
      return [node.operand];
    case 'Binary':
      return [node.left, node.right];
    case 'BoolOp':
      return [...node.values];
    case 'Compare':
      return [...node.operands];
    case 'IfExp':
      return [node.body, node.test, node.orelse];
    case 'Call':
      return [node.func, ...node.args, ...node.kwargs.map((k) => k.value)];
    case 'Attribute':
      return [node.value];
    case 'Index':
      return [node.value, ...node.items];
    case 'Slice': {
      const out: Node[] = [];
      if (node.lower) out.push(node.lower);
      if (node.upper) out.push(node.upper);
      if (node.step) out.push(node.step);
      return out;
    }
    case 'Lambda':
      return [node.body];
  }
}

/**
 * Names the expression reads that no enclosing lambda binds, in order of first appearance in the source.
 * Attribute names (`x.T`) and keyword-argument names are not names in this sense. Builtins such as `sin`
 * are included: which names are functions and which are inputs is for the caller to decide.
 */
export function freeNames(node: Node): Set<string> {
  const out = new Set<string>();
  const visit = (n: Node, bound: ReadonlySet<string>): void => {
    if (n.kind === 'Name') {
      if (!bound.has(n.id)) out.add(n.id);
    } else if (n.kind === 'Lambda') {
      const inner = new Set(bound);
      for (const p of n.params) inner.add(p);
      visit(n.body, inner);
    } else {
      for (const c of children(n)) visit(c, bound);
    }
  };
  visit(node, new Set());
  return out;
}
