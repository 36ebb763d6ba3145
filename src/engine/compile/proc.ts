/**
 * @file Scalar procedures in the kernel IR: functions of a few float scalars whose bodies are kir
 * expressions in structured statements (locals, if/else, bounded loops with `break`, calls of other
 * procedures, reads of constant float tables, return). They hold algorithms that need control flow
 * a kernel expression cannot express (series and continued fractions that stop when converged), so
 * that such an algorithm is written once (compile/special/) and each backend renders the same
 * statements (proc-render.ts) with its own operations and precision: the CPU as JavaScript functions
 * in float64 (backends/cpu/js-proc.ts), WebGPU as WGSL functions in float32
 * (backends/webgpu/wgsl-proc.ts).
 *
 * `ProcBuilder` writes a procedure; its expressions may be given as source text in JavaScript's
 * syntax and precedence (`c * (x / (a + i))`), which keeps a transcribed algorithm's operations and
 * their order visibly the same as its reference. A call of another procedure inside an expression is
 * evaluated by a `call` statement just before the statement that holds it.
 */
import { bool, type DType } from '../core/dtype.js';
import { type BinOp, bin, constant, local, type SExpr, sel, type UnOp, un, type VarExpr } from './kir.js';

/** A constant float table a procedure reads at a computed index (`read`). */
export interface ProcTable {
  /** Unique among tables; renderers declare each once. */
  readonly name: string;
  readonly values: readonly number[];
}

export type Stmt =
  /** Declares a mutable local. */
  | { readonly s: 'let'; readonly v: VarExpr; readonly e: SExpr }
  | { readonly s: 'set'; readonly v: VarExpr; readonly e: SExpr }
  /** Declares `v` = proc(args). */
  | { readonly s: 'call'; readonly v: VarExpr; readonly proc: Proc; readonly args: readonly SExpr[] }
  /** Declares `v` = table[idx] (idx a float holding an integer in range). */
  | { readonly s: 'read'; readonly v: VarExpr; readonly table: ProcTable; readonly idx: SExpr }
  | { readonly s: 'if'; readonly c: SExpr; readonly yes: readonly Stmt[]; readonly no: readonly Stmt[] }
  /** At most `max` passes over the body; `break` leaves the innermost loop. */
  | { readonly s: 'loop'; readonly max: number; readonly body: readonly Stmt[] }
  | { readonly s: 'break' }
  | { readonly s: 'return'; readonly e: SExpr };

export interface Proc {
  readonly name: string;
  /** The result's dtype; parameters are of the same float dtype. */
  readonly dt: DType;
  readonly params: readonly VarExpr[];
  readonly body: readonly Stmt[];
}

/** Every procedure `roots` call, callees first, each once. */
export function procClosure(roots: readonly Proc[]): Proc[] {
  const out: Proc[] = [];
  const seen = new Set<Proc>();
  const visit = (p: Proc) => {
    if (seen.has(p)) return;
    seen.add(p);
    forEachStmt(p.body, (s) => {
      if (s.s === 'call') visit(s.proc);
    });
    out.push(p);
  };
  for (const p of roots) visit(p);
  return out;
}

/** The tables a procedure reads (not its callees'). */
export function procTables(p: Proc): ProcTable[] {
  const out = new Set<ProcTable>();
  forEachStmt(p.body, (s) => {
    if (s.s === 'read') out.add(s.table);
  });
  return [...out];
}

function forEachStmt(body: readonly Stmt[], f: (s: Stmt) => void): void {
  for (const s of body) {
    f(s);
    if (s.s === 'if') {
      forEachStmt(s.yes, f);
      forEachStmt(s.no, f);
    } else if (s.s === 'loop') forEachStmt(s.body, f);
  }
}

/** A kir expression or its source text (see the file comment). */
export type Src = SExpr | string;

/** Names a procedure's source text may use besides its locals: constants and procedures. */
export interface ProcScope {
  readonly consts: Readonly<Record<string, number>>;
  readonly procs: ReadonlyMap<string, Proc>;
}

const UNARY: Readonly<Record<string, UnOp>> = {
  abs: 'abs',
  sign: 'sign',
  floor: 'floor',
  sqrt: 'sqrt',
  exp: 'exp',
  expm1: 'expm1',
  log: 'log',
  log1p: 'log1p',
  erfc: 'erfc',
  digamma: 'digamma',
};
const BINARY: Readonly<Record<string, BinOp>> = {
  '+': 'add',
  '-': 'sub',
  '*': 'mul',
  '/': 'div',
  '**': 'pow',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
  '==': 'eq',
  '!=': 'ne',
  '&&': 'and',
  '||': 'or',
};

export class ProcBuilder {
  private readonly blocks: Stmt[][] = [[]];
  private readonly scopes: Map<string, VarExpr>[] = [new Map()];
  private readonly params: VarExpr[];
  private temps = 0;

  constructor(
    readonly name: string,
    paramNames: readonly string[],
    readonly dt: DType,
    private readonly scope: ProcScope,
  ) {
    this.params = paramNames.map((n) => this.declare(n, dt));
  }

  /** The finished procedure. */
  build(): Proc {
    return { name: this.name, dt: this.dt, params: this.params, body: this.blocks[0] };
  }

  /** A float constant of the procedure's dtype. */
  c(v: number): SExpr {
    return constant(v, this.dt);
  }

  /** The kir expression of `src`. */
  e(src: Src): SExpr {
    return typeof src === 'string' ? new Parser(src, this).parse() : src;
  }

  let(name: string, src: Src): void {
    const e = this.e(src);
    this.push({ s: 'let', v: this.declare(name, e.dt), e });
  }

  set(name: string, src: Src): void {
    const v = this.lookup(name);
    if (!v) throw new Error(`proc ${this.name}: set of undeclared ${name}`);
    this.push({ s: 'set', v, e: this.e(src) });
  }

  read(name: string, table: ProcTable, idx: Src): void {
    const e = this.e(idx);
    this.push({ s: 'read', v: this.declare(name, this.dt), table, idx: e });
  }

  if(c: Src, then: () => void, otherwise?: () => void): void {
    const cond = this.e(c);
    const t = this.block(then);
    const f = otherwise ? this.block(otherwise) : [];
    this.push({ s: 'if', c: cond, yes: t, no: f });
  }

  loop(max: number, body: () => void): void {
    this.push({ s: 'loop', max, body: this.block(body) });
  }

  break(): void {
    this.push({ s: 'break' });
  }

  ret(src: Src): void {
    this.push({ s: 'return', e: this.e(src) });
  }

  /** `v` = proc(args) into a fresh local; its variable. */
  call(proc: Proc, args: SExpr[]): VarExpr {
    const v = this.declare(`_${this.temps++}`, proc.dt);
    this.push({ s: 'call', v, proc, args });
    return v;
  }

  lookup(name: string): VarExpr | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i].get(name);
      if (v) return v;
    }
    return undefined;
  }

  resolve(name: string, args: SExpr[] | null): SExpr {
    if (args === null) {
      const v = this.lookup(name);
      if (v) return v;
      if (name in this.scope.consts) return this.c(this.scope.consts[name]);
      if (name === 'NaN') return this.c(Number.NaN);
      if (name === 'Infinity') return this.c(Number.POSITIVE_INFINITY);
      throw new Error(`proc ${this.name}: unknown name ${name}`);
    }
    const proc = this.scope.procs.get(name);
    if (proc) {
      if (args.length !== proc.params.length)
        throw new Error(`proc ${this.name}: ${name} takes ${proc.params.length}`);
      return this.call(proc, args);
    }
    if (name in UNARY && args.length === 1) return un(UNARY[name], args[0]);
    if ((name === 'min' || name === 'max') && args.length === 2) return bin(name, args[0], args[1]);
    // NaN test: renderers that compile with fast-math may fold x != x, so they render it as a bit test.
    if (name === 'isnan' && args.length === 1) return bin('ne', args[0], args[0]);
    throw new Error(`proc ${this.name}: unknown function ${name}/${args.length}`);
  }

  private declare(name: string, dt: DType): VarExpr {
    if (this.lookup(name)) throw new Error(`proc ${this.name}: ${name} is already declared`);
    const v = local(name, dt);
    this.scopes[this.scopes.length - 1].set(name, v);
    return v;
  }

  private push(s: Stmt): void {
    this.blocks[this.blocks.length - 1].push(s);
  }

  private block(f: () => void): Stmt[] {
    this.blocks.push([]);
    this.scopes.push(new Map());
    f();
    this.scopes.pop();
    return this.blocks.pop()!;
  }
}

/** A recursive-descent parser of JavaScript expression syntax (see the file comment). */
class Parser {
  private readonly toks: string[];
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly b: ProcBuilder,
  ) {
    this.toks = src.match(/\d+\.?\d*(?:e[+-]?\d+)?|\.\d+|[A-Za-z_]\w*|\*\*|[<>=!]=|&&|\|\||\S/g) ?? [];
  }

  parse(): SExpr {
    const e = this.ternary();
    if (this.pos < this.toks.length) this.fail(`unexpected ${this.toks[this.pos]}`);
    return e;
  }

  private fail(msg: string): never {
    throw new Error(`proc ${this.b.name}: ${msg} in '${this.src}'`);
  }

  private peek(): string | undefined {
    return this.toks[this.pos];
  }

  private eat(t: string): boolean {
    if (this.toks[this.pos] !== t) return false;
    this.pos++;
    return true;
  }

  private expect(t: string): void {
    if (!this.eat(t)) this.fail(`expected ${t}`);
  }

  private ternary(): SExpr {
    const c = this.binary(0);
    if (!this.eat('?')) return c;
    const a = this.ternary();
    this.expect(':');
    return sel(c, a, this.ternary());
  }

  /** Binary operators by JavaScript's precedence, all left-associative here. */
  private static readonly LEVELS = [
    ['||'],
    ['&&'],
    ['==', '!='],
    ['<', '<=', '>', '>='],
    ['+', '-'],
    ['*', '/'],
  ];

  private binary(level: number): SExpr {
    if (level === Parser.LEVELS.length) return this.unary();
    let a = this.binary(level + 1);
    for (;;) {
      const op = this.peek();
      if (op === undefined || !Parser.LEVELS[level].includes(op)) return a;
      this.pos++;
      const b = this.binary(level + 1);
      const kop = BINARY[op];
      a = kop === 'and' || kop === 'or' ? bin(kop, a, b, bool) : bin(kop, a, b);
    }
  }

  private unary(): SExpr {
    if (this.eat('-')) {
      const x = this.unary();
      // A negative literal is a constant, as JavaScript's `-0.5` is the number -0.5.
      return x.k === 'const' ? this.b.c(-(x.v as number)) : un('neg', x);
    }
    if (this.eat('!')) return un('not', this.unary());
    const base = this.primary();
    // `**` is right-associative and binds tighter than the other binary operators.
    return this.eat('**') ? bin('pow', base, this.unary()) : base;
  }

  private primary(): SExpr {
    const t = this.toks[this.pos++];
    if (t === undefined) this.fail('unexpected end');
    if (t === '(') {
      const e = this.ternary();
      this.expect(')');
      return e;
    }
    if (/^[\d.]/.test(t)) return this.b.c(Number(t));
    if (!/^[A-Za-z_]/.test(t)) this.fail(`unexpected ${t}`);
    if (!this.eat('(')) return this.b.resolve(t, null);
    const args: SExpr[] = [];
    if (!this.eat(')')) {
      do args.push(this.ternary());
      while (this.eat(','));
      this.expect(')');
    }
    return this.b.resolve(t, args);
  }
}
