/**
 * @file A kernel-graph pass that keeps every generated kernel within a backend's limit on the
 * buffers one kernel may bind (WebGPU's `maxStorageBuffersPerShaderStage`: 8 by default, 16 on
 * many adapters). Lowering (lower.ts) and epilogue fusion (plan.ts) fuse without counting, so a
 * long elementwise chain over many arrays (an optimizer step over every parameter's moments, a
 * loss over many inputs) can read more buffers than a GPU shader stage may bind.
 *
 * The pass is backend-neutral: a backend that has such a limit runs it before rendering, the CPU
 * does not. An over-wide map, reduce, argreduce or scan kernel is split by materializing
 * subexpressions into map kernels of their own, bottom-up: a node whose (already fitted)
 * operands together read more buffers than a kernel may bind writes its widest operands to
 * buffers until it fits, so each materialized subtree is the largest one on its path that still
 * fits (few extra kernels), and every new kernel fits by construction. A subexpression is a
 * function of the loop variables it mentions only (the IR is pure), so it becomes a map over
 * exactly those variables' extents (renamed `i0..`): a map's subexpression over its own shape or
 * a part of it, a reduction prologue's over the output and reduced dimensions it uses (what an
 * unfused producer would have written). A reduction whose fused epilogue leaves its prologue too
 * little room is first cut back into a reduce and a map (plan.ts's fusion undone). Library and
 * control-flow kernels bind what their implementations bind: backends check those themselves
 * (control kernels' nested programs go through this pass when the backend compiles them).
 */
import { sizeOf, stridesOf } from '../core/shape.js';
import {
  type BufferInfo,
  bin,
  bitcast,
  buffersRead,
  cast,
  children,
  type Kernel,
  type KernelProgram,
  linearIndex,
  load,
  loopVars,
  type MapKernel,
  rare,
  rewrite,
  type SExpr,
  sel,
  tableAt,
  ter,
  un,
  variable,
  walk,
} from './kir.js';
import { replanBuffers } from './plan.js';

export interface BindingLimit {
  /** Buffers one kernel may bind: its inputs and outputs together, plus `extra`. */
  limit: number;
  /** Bindings a backend adds to kernels of a kind beyond their inputs and outputs (scratch). */
  extra?: Partial<Record<Kernel['kind'], number>>;
}

/** Distinct buffers a kernel reads and writes. */
export function kernelBindings(k: Kernel): number {
  switch (k.kind) {
    case 'map':
      return bindingsOf([k.expr], k.out);
    case 'reduce':
      return bindingsOf(k.epilogue ? [k.body, k.epilogue] : [k.body], k.out);
    case 'argreduce':
    case 'scan':
      return bindingsOf([k.body], k.out);
    case 'lib':
      return new Set([...k.ins, ...k.outs]).size;
    default:
      return 0;
  }
}

function bindingsOf(es: SExpr[], out: number): number {
  const s = new Set<number>([out]);
  for (const e of es) for (const b of buffersRead(e)) s.add(b);
  return s.size;
}

/**
 * The program with every generated kernel binding at most `limit.limit` buffers (the same
 * program when all fit; else a copy, with its temporaries planned again).
 */
export function fitBindings(p: KernelProgram, limit: BindingLimit): KernelProgram {
  const extra = (kind: Kernel['kind']) => limit.extra?.[kind] ?? 0;
  const fits = (k: Kernel) =>
    k.kind === 'lib' || k.kind === 'cond' || k.kind === 'while' || k.kind === 'loop'
      ? true
      : kernelBindings(k) + extra(k.kind) <= limit.limit;
  if (p.kernels.every(fits)) return p;
  // Every node has at most three operands: a budget of three reads can always be met.
  const mapBudget = limit.limit - 1 - extra('map');
  if (limit.limit - 1 - Math.max(0, ...Object.values(limit.extra ?? {})) < 3) {
    throw new Error(
      `fitBindings: a limit of ${limit.limit} buffers per kernel is too small to split kernels`,
    );
  }
  const out: KernelProgram = {
    buffers: p.buffers.map((b) => ({ ...b })),
    inputs: p.inputs,
    outputs: p.outputs,
    kernels: [],
  };
  const work = [...p.kernels].reverse();
  while (work.length) {
    const k = work.pop()!;
    if (fits(k)) {
      out.kernels.push(k);
      continue;
    }
    const budget = limit.limit - 1 - extra(k.kind);
    switch (k.kind) {
      case 'map': {
        const s = new Splitter(out, extentsOf(k.shape, []), mapBudget);
        out.kernels.push({ ...k, expr: s.fit(k.expr, budget) });
        break;
      }
      case 'scan': {
        const s = new Splitter(out, extentsOf(k.shape, []), mapBudget);
        out.kernels.push({ ...k, body: s.fit(k.body, budget) });
        break;
      }
      case 'argreduce': {
        const s = new Splitter(out, extentsOf(k.outShape, [k.redSize]), mapBudget);
        out.kernels.push({ ...k, body: s.fit(k.body, budget) });
        break;
      }
      case 'reduce': {
        const epiReads = k.epilogue ? buffersRead(k.epilogue).size : 0;
        if (k.epilogue && budget - epiReads < 3) {
          // Too little room beside the epilogue: reduce into a temp, then the epilogue as a map.
          const [red, map] = unfuseEpilogue(out, k);
          work.push(map, red);
          break;
        }
        const s = new Splitter(out, extentsOf(k.outShape, k.redShape), mapBudget);
        out.kernels.push({ ...k, body: s.fit(k.body, budget - epiReads) });
        break;
      }
      default:
        out.kernels.push(k);
    }
  }
  replanBuffers(out);
  return out;
}

/** Loop variables and their extents: `i0..` over the output, `r0..` over the reduced shape. */
function extentsOf(outShape: readonly number[], redShape: readonly number[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const [d, n] of outShape.entries()) m.set(`i${d}`, n);
  for (const [d, n] of redShape.entries()) m.set(`r${d}`, n);
  return m;
}

function newTemp(p: KernelProgram, dtype: BufferInfo['dtype'], size: number): number {
  const id = p.buffers.length;
  p.buffers.push({ id, dtype, size, role: 'temp' });
  return id;
}

/** plan.ts's epilogue fusion undone: the reduction into a temp, and a map reading it. */
function unfuseEpilogue(p: KernelProgram, k: Kernel & { kind: 'reduce' }): [Kernel, MapKernel] {
  let accDt: BufferInfo['dtype'] | null = null;
  walk(k.epilogue!, (e) => {
    if (e.k === 'acc') accDt = e.dt;
  });
  if (!accDt) throw new Error('fitBindings: a reduction epilogue without its accumulator');
  const t = newTemp(p, accDt, sizeOf(k.outShape));
  const at = load(t, linearIndex(loopVars('i', k.outShape.length), stridesOf(k.outShape)), accDt);
  const expr = rewrite(k.epilogue!, (e) => (e.k === 'acc' ? at : undefined));
  return [
    { ...k, out: t, epilogue: null },
    { kind: 'map', out: k.out, shape: [...k.outShape], expr },
  ];
}

/** Rebuild a node over new operands (in `children` order). */
function withChildren(e: SExpr, c: SExpr[]): SExpr {
  switch (e.k) {
    case 'load':
      return load(e.buf, c[0], e.dt);
    case 'table':
      return tableAt(e.table, c[0]);
    case 'un':
      return un(e.op, c[0], e.dt);
    case 'cast':
      return cast(c[0], e.dt);
    case 'bitcast':
      return bitcast(c[0], e.dt);
    case 'bin':
      return bin(e.op, c[0], c[1], e.dt);
    case 'ter':
      return ter(e.op, c[0], c[1], c[2], e.dt);
    case 'sel':
      return (e.rare ? rare : sel)(c[0], c[1], c[2]);
    default:
      return e;
  }
}

/** Splits the expressions of one kernel, appending the map kernels it creates to the program. */
class Splitter {
  private readonly memo = new Map<number, SExpr>();
  private readonly reads = new Map<number, Set<number>>();
  private readonly written = new Map<number, SExpr>();
  private readonly order: string[];
  constructor(
    private readonly p: KernelProgram,
    private readonly extents: Map<string, number>,
    /** Buffers a materialized subexpression may read (its map kernel binds one more). */
    private readonly inner: number,
  ) {
    this.order = [...extents.keys()];
  }

  /** `root` rewritten to read at most `budget` buffers. */
  fit(root: SExpr, budget: number): SExpr {
    return this.visit(root, root, budget);
  }

  private readsOf(e: SExpr): Set<number> {
    let s = this.reads.get(e.id);
    if (!s) {
      s = new Set();
      if (e.k === 'load') s.add(e.buf);
      for (const c of children(e)) for (const b of this.readsOf(c)) s.add(b);
      this.reads.set(e.id, s);
    }
    return s;
  }

  private visit(e: SExpr, root: SExpr, rootBudget: number): SExpr {
    const hit = this.memo.get(e.id);
    if (hit) return hit;
    const kids = children(e).map((c) => this.visit(c, root, rootBudget));
    let n = kids.length ? withChildren(e, kids) : e;
    const budget = e === root ? rootBudget : this.inner;
    if (this.readsOf(n).size > budget) {
      // Write the widest operands to buffers until the node fits; an operand reading one buffer
      // gains nothing, and with every operand down to one the node reads at most three.
      const widest = [...new Set(kids)]
        .filter((c) => this.readsOf(c).size >= 2)
        .sort((a, b) => this.readsOf(b).size - this.readsOf(a).size);
      const swap = new Map<number, SExpr>();
      for (const c of widest) {
        swap.set(c.id, this.materialize(c));
        n = withChildren(
          e,
          kids.map((x) => swap.get(x.id) ?? x),
        );
        if (this.readsOf(n).size <= budget) break;
      }
    }
    this.memo.set(e.id, n);
    return n;
  }

  /** Write `e` with a map over the loop variables it uses; a load of the result in its place. */
  private materialize(e: SExpr): SExpr {
    const hit = this.written.get(e.id);
    if (hit) return hit;
    const used = new Set<string>();
    walk(e, (n) => {
      if (n.k === 'var') used.add(n.name);
      if (n.k === 'acc') throw new Error('fitBindings: cannot materialize an expression of the accumulator');
    });
    const names = this.order.filter((v) => used.has(v));
    for (const v of used) {
      if (!this.extents.has(v)) throw new Error(`fitBindings: unknown loop variable ${v}`);
    }
    const shape = names.map((v) => this.extents.get(v)!);
    const renamed = new Map(names.map((v, j) => [v, variable(`i${j}`)]));
    const expr = rewrite(e, (n) => (n.k === 'var' ? renamed.get(n.name) : undefined));
    const buf = newTemp(this.p, e.dt, sizeOf(shape));
    this.p.kernels.push({ kind: 'map', out: buf, shape, expr });
    const at = load(
      buf,
      linearIndex(
        names.map((v) => variable(v)),
        stridesOf(shape),
      ),
      e.dt,
    );
    this.written.set(e.id, at);
    return at;
  }
}
