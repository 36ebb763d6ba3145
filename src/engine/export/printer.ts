/**
 * @file Module text as MLIR's AsmPrinter writes it (mlir/lib/IR/AsmPrinter.cpp, SSANameState):
 * values are numbered per function (`%0`, `%1:2` and `%1#0` for several results), ops may name
 * their results (`%cst`, `%c`, `%values`), entry-block arguments are `%argN`, and a name used
 * already in an enclosing region gets `_N` from a counter. A nested region starts from the
 * counters its parent region reached, so sibling regions (a while's cond and body) reuse the same
 * numbers and names.
 */

import {
  type Block,
  type FuncOp,
  type Module,
  type Op,
  type OpPrinter,
  type Region,
  symbol,
  typeText,
  type Value,
} from './mlir.js';

interface Counters {
  value: number;
  arg: number;
  conflict: number;
}

class Scope {
  private readonly own = new Set<string>();
  constructor(private readonly parent: Scope | null) {}
  has(n: string): boolean {
    return this.own.has(n) || (this.parent?.has(n) ?? false);
  }
  add(n: string): void {
    this.own.add(n);
  }
}

/** Names of one function's values. */
class Names {
  private readonly named = new Map<Value, string>();
  private readonly ids = new Map<Op, number>();

  constructor(f: FuncOp) {
    this.region(f.body, { value: 0, arg: 0, conflict: 0 }, new Scope(null), null);
  }

  private unique(name: string, c: Counters, scope: Scope): string {
    let n = name;
    while (scope.has(n)) n = `${name}_${c.conflict++}`;
    scope.add(n);
    return n;
  }

  private region(r: Region, c: Counters, scope: Scope, argHint: string | null): void {
    const b: Block = r.block;
    for (const a of b.args) this.named.set(a, this.unique(argHint ?? `arg${c.arg++}`, c, scope));
    for (const op of b.ops) {
      if (op.resultNames)
        for (const [i, v] of op.results.entries())
          this.named.set(v, this.unique(op.resultNames[i], c, scope));
      else if (op.results.length) this.ids.set(op, c.value++);
    }
    for (const op of b.ops)
      for (const sub of op.regions) this.region(sub, { ...c }, new Scope(scope), op.blockArgName);
  }

  text(v: Value): string {
    const n = this.named.get(v);
    if (n !== undefined) return `%${n}`;
    const id = this.ids.get(v.op!);
    if (id === undefined) throw new Error('value used outside the function that defines it');
    return v.op!.results.length === 1 ? `%${id}` : `%${id}#${v.index}`;
  }

  declare(op: Op): string {
    if (!op.results.length) return '';
    if (op.resultNames) return `${op.results.map((v) => this.text(v)).join(', ')} = `;
    const id = this.ids.get(op)!;
    return op.results.length === 1 ? `%${id} = ` : `%${id}:${op.results.length} = `;
  }
}

function printOps(ops: readonly Op[], names: Names, indent: string, inFunc: boolean): string {
  return ops
    .map((op) => {
      const p: OpPrinter = {
        v: (x) => names.text(x),
        vs: (xs) => xs.map((x) => names.text(x)).join(', '),
        indent,
        inFunc,
        body: (r) => printOps(r.block.ops, names, `${indent}  `, false),
        args: (xs) => xs.map((x) => `${names.text(x)}: ${typeText(x.type)}`).join(', '),
      };
      return `${indent}${names.declare(op)}${op.format(p, op)}`;
    })
    .join('\n');
}

function printFunc(f: FuncOp): string {
  const names = new Names(f);
  const args = f.args
    .map((a, i) => `${names.text(a)}: ${typeText(a.type)}${f.argAttrs[i] ? ` {${f.argAttrs[i]}}` : ''}`)
    .join(', ');
  const res = f.resultTypes.map(
    (t, i) => `${typeText(t)}${f.resultAttrs[i] ? ` {${f.resultAttrs[i]}}` : ''}`,
  );
  const arrow =
    res.length === 0
      ? ''
      : res.length === 1 && !f.resultAttrs[0]
        ? ` -> ${res[0]}`
        : ` -> (${res.join(', ')})`;
  const head = `  func.func ${f.visibility} ${symbol(f.name)}(${args})${arrow} {`;
  return `${head}\n${printOps(f.body.block.ops, names, '    ', true)}\n  }`;
}

/** The whole module, as `Lowered.as_text()` prints it (with its final newline). */
export function printModule(m: Module): string {
  const parts = [...m.preamble.map((l) => `  ${l}`), ...m.funcs.map(printFunc)];
  return `module @${m.name} attributes {${m.attributes}} {\n${parts.join('\n')}\n}\n`;
}
