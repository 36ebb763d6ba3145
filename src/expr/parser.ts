/**
 * @file Recursive-descent parser for tjax's expression language: one function per level of Python's
 * expression grammar, so precedence and associativity match Python's exactly.
 *
 *   expression  := lambda | disjunction ['if' disjunction 'else' expression]
 *   disjunction := conjunction ('or' conjunction)*
 *   conjunction := inversion ('and' inversion)*
 *   inversion   := 'not' inversion | comparison
 *   comparison  := bitor (('<' | '<=' | '>' | '>=' | '==' | '!=') bitor)*
 *   bitor, xor, bitand, shift, arith, term := left-associative binary levels
 *   factor      := ('-' | '+' | '~') factor | power
 *   power       := primary ['**' factor]
 *   primary     := atom (call | subscript | '.' NAME)*
 *
 * The top level also accepts a bare tuple (`a, b`), as Python's `eval` does.
 */

import {
  type BinaryOp,
  type CompareOp,
  children,
  type Expr,
  type IndexItem,
  type Keyword,
  type Node,
  type Slice,
  type Span,
  type UnaryOp,
} from './ast.js';
import { ExprSyntaxError } from './errors.js';
import { Lexer, type Token } from './lexer.js';

/** Python's tokenizer allows 200 nested brackets; the same bound keeps recursion far from JS stack limits. */
const MAX_DEPTH = 200;
/**
 * Left-associative chains (`x + x + ... + x`) parse in a loop but build a tree as deep as they are long,
 * and every later consumer (formatting, evaluation) walks trees recursively; bounding the tree's height
 * here keeps all of them safe.
 */
const MAX_TREE_HEIGHT = 1000;

const COMPARE_OPS: ReadonlySet<string> = new Set(['<', '<=', '>', '>=', '==', '!=']);
const UNARY_OPS: ReadonlySet<string> = new Set(['-', '+', '~']);
const BINARY_LEVELS: readonly ReadonlySet<string>[] = [
  new Set(['|']),
  new Set(['^']),
  new Set(['&']),
  new Set(['<<', '>>']),
  new Set(['+', '-']),
  new Set(['*', '/', '//', '%', '@']),
];
const CLOSERS: ReadonlySet<string> = new Set([')', ']', '}']);

export class Parser {
  private readonly lexer: Lexer;
  private readonly lookahead: Token[] = [];
  private last: Token | undefined;
  private depth = 0;
  /** Tokens consumed plus constructs entered: the parser's work, which tests bound on nested input. */
  steps = 0;
  /** Span including the parentheses, for nodes that were written parenthesised. */
  private readonly parenthesised = new WeakMap<Node, Span>();

  constructor(private readonly source: string) {
    this.lexer = new Lexer(source);
  }

  parse(): Expr {
    const first = this.peek();
    if (first.kind === 'eof') this.fail('empty expression', first.start);
    const expr = this.parseTopLevel();
    const t = this.peek();
    if (t.kind !== 'eof') this.failTrailing(t);
    this.checkHeight(expr);
    return expr;
  }

  /** Iterative, so that it cannot itself overflow the stack on the trees it exists to reject. */
  private checkHeight(root: Node): void {
    const stack: [Node, number][] = [[root, 1]];
    while (stack.length > 0) {
      const [node, depth] = stack.pop()!;
      if (depth > MAX_TREE_HEIGHT) {
        this.fail(
          `expression is too complex (its syntax tree is more than ${MAX_TREE_HEIGHT} levels deep)`,
          node.start,
        );
      }
      // Reversed, so the first too-deep node found is the first in the source.
      for (const child of children(node).reverse()) stack.push([child, depth + 1]);
    }
  }

  // ---- token helpers ----

  private peek(k = 0): Token {
    while (this.lookahead.length <= k) this.lookahead.push(this.lexer.next());
    return this.lookahead[k]!;
  }

  private advance(): Token {
    this.steps++;
    const t = this.peek();
    this.lookahead.shift();
    this.last = t;
    return t;
  }

  private isOp(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'op' && t.text === text;
  }

  private isKeyword(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'keyword' && t.text === text;
  }

  private fail(reason: string, offset: number): never {
    throw new ExprSyntaxError(reason, this.source, offset);
  }

  private describe(t: Token): string {
    if (t.kind === 'eof') return 'end of expression';
    const text = t.text.length > 30 ? `${t.text.slice(0, 27)}...` : t.text;
    return t.kind === 'string' ? `string ${text}` : `'${text}'`;
  }

  private unexpected(t: Token): string {
    if (t.kind === 'eof') return 'unexpected end of expression';
    return t.kind === 'string' ? `unexpected ${this.describe(t)}` : `unexpected token ${this.describe(t)}`;
  }

  private expectKeyword(text: string): Token {
    const t = this.peek();
    if (t.kind === 'keyword' && t.text === text) return this.advance();
    if (t.kind === 'eof') this.fail(`expected '${text}'`, t.start);
    return this.fail(`expected '${text}' but found ${this.describe(t)}`, t.start);
  }

  private enter(offset: number): void {
    this.steps++;
    if (++this.depth > MAX_DEPTH)
      this.fail(`expression is nested too deeply (more than ${MAX_DEPTH} levels)`, offset);
  }

  private leave(): void {
    this.depth--;
  }

  private startOf(node: Node): number {
    return this.parenthesised.get(node)?.start ?? node.start;
  }

  private endOf(node: Node): number {
    return this.parenthesised.get(node)?.end ?? node.end;
  }

  /** Errors for tokens that Python users reach for but the language leaves out, wherever they occur. */
  private failUnsupported(t: Token): void {
    if (t.kind === 'keyword' && (t.text === 'for' || t.text === 'async')) {
      this.fail(`'${t.text}' is not supported (comprehensions and generator expressions)`, t.start);
    }
    if (t.kind !== 'op') return;
    if (t.text === '=') this.fail("'=' is not allowed here (did you mean '=='?)", t.start);
    if (t.text === ':=') this.fail("':=' is not supported (assignment expressions)", t.start);
    if (t.text === ';') this.fail("';' is not supported (write a single expression)", t.start);
    if (t.text.length >= 2 && t.text.endsWith('=') && !COMPARE_OPS.has(t.text)) {
      this.fail(`'${t.text}' is not supported (augmented assignment)`, t.start);
    }
  }

  private failTrailing(t: Token): never {
    if (t.kind === 'op' && CLOSERS.has(t.text)) this.fail(`unmatched '${t.text}'`, t.start);
    this.failUnsupported(t);
    const hint = t.newlineBefore ? ' on a new line (the input must be a single expression)' : '';
    return this.fail(`${this.unexpected(t)}${hint}`, t.start);
  }

  /** After an item of a bracketed, comma-separated list: neither ',' nor the closer came next. */
  private failInList(closer: string): never {
    const t = this.peek();
    if (t.kind === 'eof') this.fail(`expected '${closer}'`, t.start);
    this.failUnsupported(t);
    return this.fail(`expected ',' or '${closer}' but found ${this.describe(t)}`, t.start);
  }

  private failIfStar(t: Token, what: string): void {
    if (t.kind === 'op' && (t.text === '*' || t.text === '**')) {
      this.fail(`'${t.text}' is not supported here (${what})`, t.start);
    }
  }

  /** Comma-separated items up to `closer` (already past the opener); a trailing comma is allowed. */
  private parseSequence<T>(
    closer: string,
    item: () => T,
  ): { items: T[]; trailingComma: boolean; close: Token } {
    const items: T[] = [];
    let trailingComma = false;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && t.text === closer) break;
      if (t.kind === 'eof') this.fail(`expected '${closer}'`, t.start);
      items.push(item());
      trailingComma = this.isOp(',');
      if (trailingComma) this.advance();
      else if (!this.isOp(closer)) this.failInList(closer);
    }
    return { items, trailingComma, close: this.advance() };
  }

  // ---- grammar ----

  private parseTopLevel(): Expr {
    const first = this.parseElement('star unpacking');
    if (!this.isOp(',')) return first;
    const elts = [first];
    while (this.isOp(',')) {
      this.advance();
      if (this.peek().kind === 'eof') break;
      elts.push(this.parseElement('star unpacking'));
    }
    return { kind: 'Tuple', elts, start: this.startOf(first), end: this.last!.end };
  }

  /** An item of a list, tuple or argument list, where Python would also allow `*x`. */
  private parseElement(what: string): Expr {
    this.failIfStar(this.peek(), what);
    return this.parseExpression();
  }

  private parseExpression(): Expr {
    this.enter(this.peek().start);
    let result: Expr;
    if (this.isKeyword('lambda')) {
      result = this.parseLambda();
    } else {
      result = this.parseDisjunction();
      if (this.isKeyword('if')) {
        this.advance();
        const test = this.parseDisjunction();
        this.expectKeyword('else');
        const orelse = this.parseExpression();
        result = {
          kind: 'IfExp',
          test,
          body: result,
          orelse,
          start: this.startOf(result),
          end: this.endOf(orelse),
        };
      }
    }
    this.leave();
    return result;
  }

  private parseLambda(): Expr {
    const keyword = this.advance();
    const params: string[] = [];
    while (!this.isOp(':')) {
      const t = this.peek();
      this.failIfStar(t, 'star parameters');
      if (t.kind === 'eof') this.fail("expected ':'", t.start);
      if (t.kind !== 'name')
        this.fail(`expected a parameter name or ':' but found ${this.describe(t)}`, t.start);
      this.advance();
      if (params.includes(t.text)) this.fail(`duplicate parameter '${t.text}' in lambda`, t.start);
      params.push(t.text);
      if (this.isOp('=')) this.fail('lambda parameter defaults are not supported', this.peek().start);
      if (this.isOp(',')) this.advance();
      else if (!this.isOp(':')) {
        const u = this.peek();
        if (u.kind === 'eof') this.fail("expected ':'", u.start);
        this.fail(`expected ',' or ':' but found ${this.describe(u)}`, u.start);
      }
    }
    this.advance();
    const body = this.parseExpression();
    return { kind: 'Lambda', params, body, start: keyword.start, end: this.endOf(body) };
  }

  private parseBoolOp(op: 'and' | 'or', operand: () => Expr): Expr {
    const first = operand();
    if (!this.isKeyword(op)) return first;
    const values = [first];
    while (this.isKeyword(op)) {
      this.advance();
      values.push(operand());
    }
    return { kind: 'BoolOp', op, values, start: this.startOf(first), end: this.endOf(values.at(-1)!) };
  }

  private parseDisjunction(): Expr {
    return this.parseBoolOp('or', () => this.parseConjunction());
  }

  private parseConjunction(): Expr {
    return this.parseBoolOp('and', () => this.parseInversion());
  }

  private parseInversion(): Expr {
    if (!this.isKeyword('not')) return this.parseComparison();
    const keyword = this.advance();
    this.enter(keyword.start);
    const operand = this.parseInversion();
    this.leave();
    return { kind: 'Not', operand, start: keyword.start, end: this.endOf(operand) };
  }

  private parseComparison(): Expr {
    const first = this.parseBinary(0);
    const ops: CompareOp[] = [];
    const operands = [first];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && COMPARE_OPS.has(t.text)) {
        this.advance();
        ops.push(t.text as CompareOp);
        operands.push(this.parseBinary(0));
        continue;
      }
      if (
        t.kind === 'keyword' &&
        (t.text === 'in' || t.text === 'is' || (t.text === 'not' && this.isKeyword('in', 1)))
      ) {
        const op =
          t.text === 'not' ? 'not in' : t.text === 'is' && this.isKeyword('not', 1) ? 'is not' : t.text;
        this.fail(`'${op}' comparisons are not supported (only < <= > >= == !=)`, t.start);
      }
      break;
    }
    if (ops.length === 0) return first;
    return { kind: 'Compare', ops, operands, start: this.startOf(first), end: this.endOf(operands.at(-1)!) };
  }

  /** The left-associative binary levels, `|` (level 0) through `* / // % @` (level 5). */
  private parseBinary(level: number): Expr {
    if (level === BINARY_LEVELS.length) return this.parseFactor();
    const ops = BINARY_LEVELS[level]!;
    let left = this.parseBinary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !ops.has(t.text)) return left;
      this.advance();
      const right = this.parseBinary(level + 1);
      left = {
        kind: 'Binary',
        op: t.text as BinaryOp,
        left,
        right,
        start: this.startOf(left),
        end: this.endOf(right),
      };
    }
  }

  private parseFactor(): Expr {
    const t = this.peek();
    if (t.kind !== 'op' || !UNARY_OPS.has(t.text)) return this.parsePower();
    this.advance();
    this.enter(t.start);
    const operand = this.parseFactor();
    this.leave();
    return { kind: 'Unary', op: t.text as UnaryOp, operand, start: t.start, end: this.endOf(operand) };
  }

  private parsePower(): Expr {
    const base = this.parsePrimary();
    if (!this.isOp('**')) return base;
    const op = this.advance();
    // The exponent is a factor, so `2**-1` works and `a**b**c` groups to the right.
    this.enter(op.start);
    const exponent = this.parseFactor();
    this.leave();
    return {
      kind: 'Binary',
      op: '**',
      left: base,
      right: exponent,
      start: this.startOf(base),
      end: this.endOf(exponent),
    };
  }

  private parsePrimary(): Expr {
    let expr = this.parseAtom();
    for (;;) {
      if (this.isOp('(')) {
        expr = this.parseCall(expr);
      } else if (this.isOp('[')) {
        expr = this.parseSubscript(expr);
      } else if (this.isOp('.')) {
        this.advance();
        const t = this.peek();
        if (t.kind !== 'name') {
          if (t.kind === 'eof') this.fail("expected an attribute name after '.'", t.start);
          this.fail(`expected an attribute name after '.' but found ${this.describe(t)}`, t.start);
        }
        this.advance();
        expr = { kind: 'Attribute', value: expr, attr: t.text, start: this.startOf(expr), end: t.end };
      } else {
        return expr;
      }
    }
  }

  private parseCall(func: Expr): Expr {
    this.advance();
    const args: Expr[] = [];
    const kwargs: Keyword[] = [];
    const { close } = this.parseSequence(')', () => {
      const value = this.parseElement('star arguments');
      if (this.isOp('=')) {
        const eq = this.peek();
        if (value.kind !== 'Name' || this.parenthesised.has(value)) {
          this.fail("a keyword argument must be a plain name before '=' (did you mean '=='?)", eq.start);
        }
        this.advance();
        if (kwargs.some((k) => k.name === value.id)) {
          this.fail(`keyword argument repeated: '${value.id}'`, value.start);
        }
        const kwValue = this.parseElement('star arguments');
        kwargs.push({ name: value.id, value: kwValue, start: value.start, end: this.endOf(kwValue) });
      } else {
        if (kwargs.length > 0) this.fail('positional argument follows keyword argument', this.startOf(value));
        args.push(value);
      }
    });
    return { kind: 'Call', func, args, kwargs, start: this.startOf(func), end: close.end };
  }

  private parseSubscript(value: Expr): Expr {
    this.advance();
    if (this.isOp(']')) this.fail("expected an index between '[' and ']'", this.peek().start);
    const { items, close } = this.parseSequence(']', () => this.parseIndexItem());
    return { kind: 'Index', value, items, start: this.startOf(value), end: close.end };
  }

  private parseIndexItem(): IndexItem {
    const t = this.peek();
    if (this.isOp('...')) {
      this.advance();
      return { kind: 'Ellipsis', start: t.start, end: t.end };
    }
    this.failIfStar(t, 'star unpacking');
    let lower: Expr | undefined;
    if (!this.isOp(':')) {
      lower = this.parseExpression();
      if (!this.isOp(':')) return lower;
    }
    const colon = this.advance();
    const slice: Slice = { kind: 'Slice', start: lower ? this.startOf(lower) : colon.start, end: colon.end };
    if (lower) slice.lower = lower;
    if (!this.atSliceBoundEnd()) slice.upper = this.parseExpression();
    if (this.isOp(':')) {
      this.advance();
      if (!this.atSliceBoundEnd()) slice.step = this.parseExpression();
    }
    slice.end = this.last!.end;
    return slice;
  }

  private atSliceBoundEnd(): boolean {
    const t = this.peek();
    return t.kind === 'eof' || (t.kind === 'op' && (t.text === ':' || t.text === ',' || t.text === ']'));
  }

  private parseAtom(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.advance();
        return {
          kind: 'Num',
          value: t.num,
          isInt: t.isInt,
          ...(t.imag ? { imag: true } : {}),
          raw: t.text,
          start: t.start,
          end: t.end,
        };
      case 'string': {
        // Adjacent literals concatenate, as in Python: 'ij,jk' '->ik'.
        let value = '';
        let last = t;
        while (this.peek().kind === 'string') {
          last = this.advance();
          value += last.value;
        }
        return { kind: 'Str', value, start: t.start, end: last.end };
      }
      case 'name':
        this.advance();
        return { kind: 'Name', id: t.text, start: t.start, end: t.end };
      case 'keyword':
        if (t.text === 'True' || t.text === 'False') {
          this.advance();
          return { kind: 'Bool', value: t.text === 'True', start: t.start, end: t.end };
        }
        if (t.text === 'None') {
          this.advance();
          return { kind: 'None', start: t.start, end: t.end };
        }
        if (t.text === 'lambda' || t.text === 'not') {
          this.fail(`'${t.text}' must be parenthesised here`, t.start);
        }
        return this.fail(`unexpected keyword '${t.text}'`, t.start);
      case 'eof':
        return this.fail('unexpected end of expression', t.start);
      case 'op':
        if (t.text === '(') return this.parseParenthesised();
        if (t.text === '[') {
          this.advance();
          const { items, close } = this.parseSequence(']', () => this.parseElement('star unpacking'));
          return { kind: 'List', elts: items, start: t.start, end: close.end };
        }
        if (t.text === '...') {
          this.fail("'...' is only allowed as a subscript item, as in x[..., 0]", t.start);
        }
        if (t.text === '{') this.fail('dict and set literals are not supported', t.start);
        if (CLOSERS.has(t.text)) this.fail(`unexpected token '${t.text}'`, t.start);
        this.failUnsupported(t);
        return this.fail(this.unexpected(t), t.start);
    }
  }

  /** `()`, `(a)`, `(a,)` or `(a, b, ...)`. */
  private parseParenthesised(): Expr {
    const open = this.advance();
    const { items, trailingComma, close } = this.parseSequence(')', () =>
      this.parseElement('star unpacking'),
    );
    if (items.length === 1 && !trailingComma) {
      const inner = items[0]!;
      this.parenthesised.set(inner, { start: open.start, end: close.end });
      return inner;
    }
    return { kind: 'Tuple', elts: items, start: open.start, end: close.end };
  }
}
