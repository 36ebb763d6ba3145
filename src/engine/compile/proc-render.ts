/**
 * @file The statements of a scalar procedure (compile/proc.ts) as lines of a C-like language: the
 * part every renderer shares. A backend supplies its syntax (`ProcSyntax`: declarations, loop
 * heads, table reads, and each expression node through its own operations); each statement's
 * expression DAG becomes one temporary per node, named after the statement, so a value is
 * computed once per statement and mutable locals are read where the statement stands.
 */
import { type ConstExpr, type SExpr, type VarExpr, walk } from './kir.js';
import type { Proc, ProcTable, Stmt } from './proc.js';

export interface ProcSyntax {
  /** A constant's literal. */
  literal(e: ConstExpr): string;
  /** An operation node (un, bin, sel) over its operands' names. */
  node(e: SExpr, name: (c: SExpr) => string): string;
  /** Declares an immutable temporary or call result (`const t = ...;`). */
  temp(name: string, e: SExpr, code: string): string;
  /** Declares a mutable local (`let v = ...;`). */
  local(name: string, v: VarExpr, code: string): string;
  /** The head of a loop of at most `max` passes over counter `it`, ending in `{`. */
  loop(it: string, max: number): string;
  /** A read of a table at a float index. */
  index(table: ProcTable, idx: string): string;
  /** The function a procedure renders to. */
  fn(p: Proc): string;
}

/** A local's rendered name (prefixed, so that no local shadows a built-in of the target). */
export const localName = (v: VarExpr): string => `v_${v.name}`;

/** The body of `p` as indented lines (one level in). */
export function renderProcBody(p: Proc, syn: ProcSyntax): string[] {
  const lines: string[] = [];
  let stmt = 0;
  const expr = (e: SExpr, ind: string): string => {
    const names = new Map<number, string>();
    const prefix = `t${stmt++}_`;
    let n = 0;
    walk(e, (x) => {
      if (x.k === 'const') names.set(x.id, syn.literal(x));
      else if (x.k === 'var') names.set(x.id, localName(x));
      else {
        const t = `${prefix}${n++}`;
        lines.push(
          ind +
            syn.temp(
              t,
              x,
              syn.node(x, (c) => names.get(c.id)!),
            ),
        );
        names.set(x.id, t);
      }
    });
    return names.get(e.id)!;
  };
  const block = (body: readonly Stmt[], depth: number): void => {
    const ind = '  '.repeat(depth);
    for (const s of body) {
      switch (s.s) {
        case 'let':
          lines.push(ind + syn.local(localName(s.v), s.v, expr(s.e, ind)));
          break;
        case 'set':
          lines.push(`${ind}${localName(s.v)} = ${expr(s.e, ind)};`);
          break;
        case 'call': {
          const args = s.args.map((a) => expr(a, ind));
          lines.push(ind + syn.temp(localName(s.v), s.v, `${syn.fn(s.proc)}(${args.join(', ')})`));
          break;
        }
        case 'read':
          lines.push(ind + syn.local(localName(s.v), s.v, syn.index(s.table, expr(s.idx, ind))));
          break;
        case 'if':
          lines.push(`${ind}if (${expr(s.c, ind)}) {`);
          block(s.yes, depth + 1);
          if (s.no.length) {
            lines.push(`${ind}} else {`);
            block(s.no, depth + 1);
          }
          lines.push(`${ind}}`);
          break;
        case 'loop':
          lines.push(ind + syn.loop(`it${depth}`, s.max));
          block(s.body, depth + 1);
          lines.push(`${ind}}`);
          break;
        case 'break':
          lines.push(`${ind}break;`);
          break;
        case 'return':
          lines.push(`${ind}return ${expr(s.e, ind)};`);
          break;
      }
    }
  };
  block(p.body, 1);
  return lines;
}
