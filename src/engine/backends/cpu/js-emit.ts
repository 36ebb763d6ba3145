/**
 * @file Kernel-IR expressions into JavaScript loop nests: the Emitter places every (hash-consed)
 * node once, at the shallowest loop level where its inputs are available, which hoists
 * loop-invariant loads and arithmetic; a rare select's rare branch goes into an if-block of its
 * own. loopNest writes the loops around the emitted lines; REDUCE_INIT and combine are the
 * reductions' identities and steps.
 */

import type { SExpr, SelExpr, Table } from '../../compile/kir.js';
import { children } from '../../compile/kir.js';
import { LevelEmitter } from '../../compile/level-emitter.js';
import { type DType, INT_RANGE } from '../../core/dtype.js';
import {
  bits,
  literal,
  renderBinary,
  renderBitcast,
  renderCast,
  renderLoad,
  renderUnary,
  unsigned,
  wrap,
} from './js-ops.js';

/**
 * Emits expression nodes into loop levels (compile/level-emitter.ts); in `flat` mode every new
 * node goes into lines[0] (the body of a rare branch), whatever its level.
 */
export class Emitter extends LevelEmitter {
  constructor(
    varLevel: Map<string, number>,
    depth: number,
    prefix = 't',
    accName: string | null = null,
    accLevel = -1,
    private readonly flat = false,
  ) {
    super(varLevel, flat ? 1 : depth + 1, prefix, accName, accLevel);
  }

  /** Emit `e` (and its inputs) at level >= minLevel; returns the JS expression naming its value. */
  emit(e: SExpr, minLevel = -1): string {
    const visit = (n: SExpr): void => {
      if (this.names.has(n.id)) return;
      if (n.k === 'sel' && n.rare) {
        this.emitRare(n, minLevel, visit);
        return;
      }
      for (const c of children(n)) visit(c);
      if (!this.nameLeaf(n, (c) => literal(c.v, c.dt)))
        this.bind(n, minLevel, (t) => `const ${t} = ${this.code(n)};`);
    };
    visit(e);
    return this.names.get(e.id)!;
  }

  protected override push(level: number, line: string): void {
    this.lines[this.flat ? 0 : level + 1].push(line);
  }

  /** The JavaScript of one node whose inputs are named. */
  private code(n: SExpr): string {
    const name = this.nameOf;
    switch (n.k) {
      case 'load':
        return renderLoad(n.dt, `b${n.buf}`, name(n.idx));
      case 'table':
        TABLES.set(n.table.name, n.table);
        return `T_${n.table.name}[${name(n.idx)}]`;
      case 'un':
        return renderUnary(n, name(n.x));
      case 'bin':
        return renderBinary(n, name(n.a), name(n.b));
      case 'ter':
        // betainc, the only ternary op: computed in double, rounded once.
        return wrap(n.dt, `rt.${n.op}(${name(n.a)}, ${name(n.b)}, ${name(n.c)})`);
      case 'sel':
        return `(${name(n.c)} ? ${name(n.a)} : ${name(n.b)})`;
      case 'cast':
        return renderCast(n.x.dt, n.dt, name(n.x));
      case 'bitcast':
        return renderBitcast(n.x.dt, n.dt, name(n.x));
      default:
        throw new Error(`no code for a ${n.k} node`);
    }
  }

  /**
   * `c ? a : b` with `c` rarely true: `a` is computed only when needed, in a block of its own
   * (its nodes are named there and forgotten after it, so that later uses emit them again).
   */
  private emitRare(n: SelExpr, minLevel: number, visit: (n: SExpr) => void): void {
    visit(n.c);
    visit(n.b);
    const level = Math.max(
      this.levelOf.get(n.c.id)!,
      this.levelOf.get(n.b.id)!,
      this.treeLevel(n.a),
      minLevel,
    );
    const t = this.fresh();
    const inner = new Emitter(this.varLevel, 0, `${t}_`, this.accName, this.accLevel, true);
    for (const [id, v] of this.names) inner.names.set(id, v);
    for (const [id, v] of this.levelOf) inner.levelOf.set(id, v);
    const a = inner.emit(n.a);
    this.push(level, `let ${t} = ${this.names.get(n.b.id)!};`);
    this.push(level, `if (${this.names.get(n.c.id)!}) {`);
    for (const l of inner.lines[0]) this.push(level, `  ${l}`);
    this.push(level, `  ${t} = ${a};`);
    this.push(level, '}');
    this.names.set(n.id, t);
    this.levelOf.set(n.id, level);
  }

  /** The loop level at which all of `e`'s inputs are available. */
  private treeLevel(e: SExpr, memo = new Map<number, number>()): number {
    const known = this.levelOf.get(e.id);
    if (known !== undefined) return known;
    let l = memo.get(e.id);
    if (l === undefined) {
      if (e.k === 'var') l = this.varLevel.get(e.name) ?? -1;
      else if (e.k === 'acc') l = this.accLevel;
      else l = children(e).reduce((m, c) => Math.max(m, this.treeLevel(c, memo)), -1);
      memo.set(e.id, l);
    }
    return l;
  }
}

/** Tables kernels read (by name; see TableExpr), declared in front of the kernel that uses one. */
export const TABLES = new Map<string, Table>();

/** Declarations of the constants that `lines` use: tables (`T_name[`) and bitcast views (`F32_`). */
export function closureDecls(lines: readonly string[]): string[] {
  const tables = new Set<string>();
  for (const l of lines) for (const m of l.matchAll(/\bT_(\w+)\[/g)) tables.add(m[1]);
  const decl = [...tables].map((t) => `const T_${t} = new Int32Array([${TABLES.get(t)!.values.join(',')}]);`);
  if (lines.some((l) => l.includes('F32_[0]'))) {
    decl.push('const F32_ = new Float32Array(1);', 'const I32_ = new Int32Array(F32_.buffer);');
  }
  return decl;
}

export function indent(lines: string[], n: number): string[] {
  const pad = '  '.repeat(n);
  return lines.map((l) => pad + l);
}

export interface Loop {
  /** The loop counter. */
  v: string;
  extent: number;
  /** Lines at the top of the loop body, before the emitted lines of this level. */
  head?: string[];
  /** The loop's `for (...)` header, when not `v` from 0 (or lo) to the extent (or hi) by 1. */
  header?: string;
}

/**
 * Nested loops `loops[from..]`; inside loop L go `head`, then the emitter's lines of level L,
 * then the next loop. `inner` is the body of the innermost loop; `after[L]` follows loop L+1
 * inside loop L (used for reduction results). A `ranged` nest runs its outermost loop over the
 * kernel's `[lo, hi)` parameters instead of its whole extent (chunks, possibly on worker threads).
 */
export function loopNest(
  loops: Loop[],
  em: Emitter,
  from: number,
  inner: string[],
  around: Map<number, { before: string[]; after: string[] }> = new Map(),
  ranged: boolean | number = false,
): string[] {
  // `ranged`: true for the outermost loop, or the position of the loop that runs over [lo, hi).
  const rangedAt = ranged === true ? 0 : ranged === false ? -1 : ranged;
  const build = (L: number): string[] => {
    if (L === loops.length) return inner;
    const { v, extent, head = [], header } = loops[L];
    const wrapIt = around.get(L + 1);
    const innerPart = wrapIt ? [...wrapIt.before, ...build(L + 1), ...wrapIt.after] : build(L + 1);
    const [start, end] = L === rangedAt ? ['lo', 'hi'] : ['0', String(extent)];
    return [
      header ? `${header} {` : `for (let ${v} = ${start}; ${v} < ${end}; ${v}++) {`,
      ...indent([...head, ...em.lines[L + 1], ...innerPart], 1),
      '}',
    ];
  };
  const top = around.get(from);
  const body = top ? [...top.before, ...build(from), ...top.after] : build(from);
  return body;
}

export function varLevels(names: string[]): Map<string, number> {
  return new Map(names.map((v, i) => [v, i]));
}

/** `o`, the flat output index, at the start of the outermost loop's range. */
export function outStart(shape: readonly number[], ranged: boolean): string {
  if (!ranged) return 'let o = 0;';
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return inner === 1 ? 'let o = lo;' : `let o = lo * ${inner};`;
}

/** The lowest (or, `high`, the highest) value of a dtype, as a literal: -Infinity (Infinity) for floats. */
function extreme(dt: DType, high: boolean): string {
  if (dt.isFloat) return high ? 'Infinity' : '-Infinity';
  if (dt.isBig) {
    if (dt.kind === 'u') return high ? `${2n ** 64n - 1n}n` : '0n';
    return high ? `${2n ** 63n - 1n}n` : `${-(2n ** 63n)}n`;
  }
  if (dt.isBool) return high ? '1' : '0';
  return high ? literal(INT_RANGE[dt.name][1], dt) : String(INT_RANGE[dt.name][0]);
}

export const REDUCE_INIT: Record<string, (dt: DType) => string> = {
  add: (dt) => (dt.isBig ? '0n' : '0'),
  mul: (dt) => (dt.isBig ? '1n' : '1'),
  max: (dt) => extreme(dt, false),
  min: (dt) => extreme(dt, true),
  // All ones: -1 in two's complement, the type's maximum for unsigned ints, true for bools.
  and: (dt) => (dt.isBool || dt.kind === 'u' ? extreme(dt, true) : dt.isBig ? '-1n' : '-1'),
  or: (dt) => (dt.isBig ? '0n' : '0'),
};

export function combine(op: string, dt: DType, a: string, b: string): string {
  switch (op) {
    case 'add':
      // Floats accumulate in double and are rounded once at the end; ints wrap as they go.
      return dt.isFloat ? `${a} + ${b}` : wrap(dt, `${a} + ${b}`);
    case 'mul':
      if (dt.isFloat) return `${a} * ${b}`;
      return wrap(dt, !dt.isBig && bits(dt) === 32 ? `Math.imul(${a}, ${b})` : `${a} * ${b}`);
    case 'max':
      if (dt.name === 'uint32') return `(${unsigned(dt, b)} > ${unsigned(dt, a)} ? ${b} : ${a})`;
      return dt.isBig ? `(${b} > ${a} ? ${b} : ${a})` : `Math.max(${a}, ${b})`;
    case 'min':
      if (dt.name === 'uint32') return `(${unsigned(dt, b)} < ${unsigned(dt, a)} ? ${b} : ${a})`;
      return dt.isBig ? `(${b} < ${a} ? ${b} : ${a})` : `Math.min(${a}, ${b})`;
    case 'and':
      return dt.isBig || dt.isBool ? `(${a} & ${b})` : wrap(dt, `${a} & ${b}`);
    case 'or':
      return dt.isBig || dt.isBool ? `(${a} | ${b})` : wrap(dt, `${a} | ${b}`);
  }
  throw new Error(`unknown reduction ${op}`);
}
