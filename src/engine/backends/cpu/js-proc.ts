/**
 * @file Scalar procedures (compile/proc.ts) as JavaScript functions: each statement's expression
 * DAG becomes `const` temporaries rendered node by node with the kernels' own operations
 * (js-ops.ts), so a float64 procedure computes exactly the operations its source writes, in its
 * order. `instantiateProcs` compiles them against the runtime functions they call (`rt.erfc`, ...).
 */
import { type SExpr, walk } from '../../compile/kir.js';
import { type Proc, type ProcTable, procClosure, procTables, type Stmt } from '../../compile/proc.js';
import { literal, renderBinary, renderUnary } from './js-ops.js';

const fnName = (p: Proc): string => `p_${p.name}`;
const tableName = (t: ProcTable): string => `T_${t.name}`;

class ProcEmitter {
  private stmt = 0;
  readonly lines: string[] = [];

  /** The expression as a name or literal, its temporaries pushed at `ind`. */
  expr(e: SExpr, ind: string): string {
    const names = new Map<number, string>();
    const prefix = `t${this.stmt++}_`;
    let n = 0;
    walk(e, (x) => {
      const name = (c: SExpr) => names.get(c.id)!;
      let code: string;
      switch (x.k) {
        case 'const':
          names.set(x.id, literal(x.v, x.dt));
          return;
        case 'var':
          names.set(x.id, `v_${x.name}`);
          return;
        case 'un':
          code = renderUnary(x, name(x.x));
          break;
        case 'bin':
          code = renderBinary(x, name(x.a), name(x.b));
          break;
        case 'sel':
          code = `(${name(x.c)} ? ${name(x.a)} : ${name(x.b)})`;
          break;
        default:
          throw new Error(`js-proc: cannot render ${x.k}`);
      }
      const t = `${prefix}${n++}`;
      this.lines.push(`${ind}const ${t} = ${code};`);
      names.set(x.id, t);
    });
    return names.get(e.id)!;
  }

  block(body: readonly Stmt[], depth: number): void {
    const ind = '  '.repeat(depth);
    for (const s of body) {
      switch (s.s) {
        case 'let':
          this.lines.push(`${ind}let v_${s.v.name} = ${this.expr(s.e, ind)};`);
          break;
        case 'set':
          this.lines.push(`${ind}v_${s.v.name} = ${this.expr(s.e, ind)};`);
          break;
        case 'call': {
          const args = s.args.map((a) => this.expr(a, ind));
          this.lines.push(`${ind}const v_${s.v.name} = ${fnName(s.proc)}(${args.join(', ')});`);
          break;
        }
        case 'read':
          this.lines.push(`${ind}let v_${s.v.name} = ${tableName(s.table)}[${this.expr(s.idx, ind)}];`);
          break;
        case 'if':
          this.lines.push(`${ind}if (${this.expr(s.c, ind)}) {`);
          this.block(s.yes, depth + 1);
          if (s.no.length) {
            this.lines.push(`${ind}} else {`);
            this.block(s.no, depth + 1);
          }
          this.lines.push(`${ind}}`);
          break;
        case 'loop': {
          const it = `it${depth}`;
          this.lines.push(`${ind}for (let ${it} = 0; ${it} < ${s.max}; ${it}++) {`);
          this.block(s.body, depth + 1);
          this.lines.push(`${ind}}`);
          break;
        }
        case 'break':
          this.lines.push(`${ind}break;`);
          break;
        case 'return':
          this.lines.push(`${ind}return ${this.expr(s.e, ind)};`);
          break;
      }
    }
  }
}

/** JavaScript source declaring the procedures `roots` need (functions `p_<name>`, tables `T_<name>`). */
export function renderProcsJs(roots: readonly Proc[]): string {
  const out: string[] = [];
  const tables = new Set<ProcTable>();
  for (const p of procClosure(roots)) {
    for (const t of procTables(p)) tables.add(t);
    const em = new ProcEmitter();
    em.block(p.body, 1);
    out.push(`function ${fnName(p)}(${p.params.map((v) => `v_${v.name}`).join(', ')}) {`, ...em.lines, '}');
  }
  for (const t of tables) out.push(`const ${tableName(t)} = new Float64Array([${t.values.join(', ')}]);`);
  return out.join('\n');
}

/** The procedures compiled, by name, calling `rt` for the runtime functions they use. */
export function instantiateProcs<K extends string>(
  procs: Readonly<Record<K, Proc>>,
  rt: object,
): Record<K, (...args: number[]) => number> {
  const names = Object.keys(procs) as K[];
  const roots = names.map((k) => procs[k]);
  const src = renderProcsJs(roots);
  for (const m of src.matchAll(/\brt\.(\w+)/g))
    if (typeof (rt as Record<string, unknown>)[m[1]] !== 'function')
      throw new Error(`js-proc: rt.${m[1]} is missing`);
  const body = `${src}\nreturn {${names.map((k, i) => `${JSON.stringify(k)}: ${fnName(roots[i])}`).join(', ')}};`;
  return new Function('rt', body)(rt);
}
