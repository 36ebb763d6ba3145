/**
 * @file Scalar procedures (compile/proc.ts) as JavaScript functions: each node rendered with the
 * kernels' own operations (js-ops.ts), so a float64 procedure computes exactly the operations its
 * source writes, in its order. `instantiateProcs` compiles them against the runtime functions they
 * call (`rt.erfc`, ...).
 */
import type { SExpr } from '../../compile/kir.js';
import { type Proc, type ProcTable, procClosure, procTables } from '../../compile/proc.js';
import { localName, type ProcSyntax, renderProcBody } from '../../compile/proc-render.js';
import { literal, renderBinary, renderUnary } from './js-ops.js';

const tableName = (t: ProcTable): string => `T_${t.name}`;

const JS: ProcSyntax = {
  literal: (e) => literal(e.v, e.dt),
  node(e: SExpr, name) {
    if (e.k === 'un') return renderUnary(e, name(e.x));
    if (e.k === 'bin') return renderBinary(e, name(e.a), name(e.b));
    if (e.k === 'sel') return `(${name(e.c)} ? ${name(e.a)} : ${name(e.b)})`;
    throw new Error(`js-proc: cannot render ${e.k}`);
  },
  temp: (name, _e, code) => `const ${name} = ${code};`,
  local: (name, _v, code) => `let ${name} = ${code};`,
  loop: (it, max) => `for (let ${it} = 0; ${it} < ${max}; ${it}++) {`,
  index: (t, idx) => `${tableName(t)}[${idx}]`,
  fn: (p) => `p_${p.name}`,
};

/** JavaScript source declaring the procedures `roots` need (functions `p_<name>`, tables `T_<name>`). */
export function renderProcsJs(roots: readonly Proc[]): string {
  const out: string[] = [];
  const tables = new Set<ProcTable>();
  for (const p of procClosure(roots)) {
    for (const t of procTables(p)) tables.add(t);
    out.push(`function ${JS.fn(p)}(${p.params.map(localName).join(', ')}) {`, ...renderProcBody(p, JS), '}');
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
  const body = `${src}\nreturn {${names.map((k, i) => `${JSON.stringify(k)}: ${JS.fn(roots[i])}`).join(', ')}};`;
  return new Function('rt', body)(rt);
}
