/**
 * @file Render kernel IR to JavaScript source. One kernel becomes one function
 * `(rt, b0, b1, ...) => void` over typed arrays (a closure when it has constant tables). Loops
 * follow the kernel's shape; every expression node is emitted once (the IR is hash-consed) at the
 * shallowest loop level where its inputs are available (js-emit.ts); nodes are rendered per dtype
 * by js-ops.ts, reductions by codegen-reduce.ts.
 *
 * Numeric semantics per dtype: float32 results are rounded with Math.fround after every op and
 * float16 with rt.f16r, so a fused kernel computes exactly what the same ops would eagerly;
 * integer results wrap to their width; int64/uint64 use BigInt; bools are 0/1.
 */

import type { Kernel, MapKernel, ScanKernel, SExpr } from '../../compile/kir.js';
import { linearIndex, loopVars, walk } from '../../compile/kir.js';
import type { DType } from '../../core/dtype.js';
import { stridesOf } from '../../core/shape.js';
import { renderArgReduce, renderReduce } from './codegen-reduce.js';
import {
  closureDecls,
  combine,
  Emitter,
  indent,
  type Loop,
  loopNest,
  REDUCE_INIT,
  varLevels,
} from './js-emit.js';
import { renderStore, wrap } from './js-ops.js';
import { strideOf } from './layout.js';

/** Side of the square blocks a transposing map kernel walks its two dimensions in. */
const BLOCK = 32;

/**
 * The dimension a map kernel should walk in blocks together with the last one: the innermost
 * other dimension along which some load reads consecutive elements, when none does so along the
 * last (a transpose, or a transposing broadcast); else -1.
 */
export function transposedDim(k: MapKernel): number {
  const rank = k.shape.length;
  if (rank < 2 || k.shape[rank - 1] < BLOCK) return -1;
  const loads: SExpr[] = [];
  walk(k.expr, (n) => {
    if (n.k === 'load') loads.push(n.idx);
  });
  if (loads.length === 0 || loads.some((idx) => strideOf(idx, `i${rank - 1}`) === 1)) return -1;
  for (let d = rank - 2; d >= 0; d--) {
    if (k.shape[d] >= BLOCK && loads.some((idx) => strideOf(idx, `i${d}`) === 1)) return d;
  }
  return -1;
}

/**
 * A transposing map kernel: dimensions `d` and the last in BLOCK x BLOCK blocks, so that the
 * lines the strided loads touch are reused from the cache before they leave it.
 */
function renderMapBlocked(k: MapKernel, outDt: DType, d: number): string[] {
  const rank = k.shape.length;
  const l = rank - 1;
  const others = k.shape.map((_, i) => i).filter((i) => i !== d && i !== l);
  // Loop order: the other dimensions (outer ones first), the two block loops among them, then
  // the two blocked dimensions innermost. Block loops carry no variable of the kernel.
  const order: { name: string; loop: Loop }[] = [];
  const block = (i: number, ranged: boolean): Loop => {
    const from = ranged ? 'lo' : '0';
    const to = ranged ? 'hi' : String(k.shape[i]);
    return {
      v: `B${i}`,
      extent: k.shape[i],
      header: `for (let B${i} = ${from}; B${i} < ${to}; B${i} += ${BLOCK})`,
    };
  };
  const inBlock = (i: number, ranged: boolean): Loop => {
    const to = ranged ? 'hi' : String(k.shape[i]);
    return {
      v: `i${i}`,
      extent: k.shape[i],
      header: `for (let i${i} = B${i}, e${i} = Math.min(B${i} + ${BLOCK}, ${to}); i${i} < e${i}; i${i}++)`,
    };
  };
  for (const i of others) {
    if (i > d && !order.some((o) => o.name === `B${d}`))
      order.push({ name: `B${d}`, loop: block(d, d === 0) });
    order.push({ name: `i${i}`, loop: { v: `i${i}`, extent: k.shape[i] } });
  }
  if (!order.some((o) => o.name === `B${d}`)) order.push({ name: `B${d}`, loop: block(d, d === 0) });
  order.push({ name: `B${l}`, loop: block(l, false) });
  order.push({ name: `i${d}`, loop: inBlock(d, d === 0) });
  order.push({ name: `i${l}`, loop: inBlock(l, false) });
  const em = new Emitter(varLevels(order.map((o) => o.name)), order.length);
  const v = em.emit(k.expr);
  const at = em.emit(linearIndex(loopVars('i', rank), stridesOf(k.shape)));
  const store = renderStore(outDt, `b${k.out}`, at, v);
  // (With d = 0 the block loop over it is the ranged one; else dimension 0 is, as usual.)
  return [
    ...em.lines[0],
    ...loopNest(
      order.map((o) => o.loop),
      em,
      0,
      [store],
      undefined,
      d === 0 ? 0 : true,
    ),
  ];
}

function renderMap(k: MapKernel, outDt: DType): string[] {
  const blocked = transposedDim(k);
  if (blocked >= 0) return renderMapBlocked(k, outDt, blocked);
  const vars = k.shape.map((_, i) => `i${i}`);
  const em = new Emitter(varLevels(vars), vars.length);
  const v = em.emit(k.expr);
  // The flat output index from the loop counters (a row offset per loop level, `o0`, `o1`, ...;
  // cheaper for V8 than one counter bumped per element), so any range of the outer loop works.
  const loops: Loop[] = vars.map((name, i) => ({ v: name, extent: k.shape[i] }));
  const rank = loops.length;
  let strides = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (d < rank - 1) loops[d].head = [`const o${d} = ${d === 0 ? '' : `o${d - 1} + `}i${d} * ${strides};`];
    strides *= k.shape[d];
  }
  const at = rank === 0 ? '0' : rank === 1 ? 'i0' : `o${rank - 2} + i${rank - 1}`;
  const store = renderStore(outDt, `b${k.out}`, at, v);
  return [...em.lines[0], ...loopNest(loops, em, 0, [store], undefined, rank > 0)];
}

function renderScan(k: ScanKernel, dt: DType): string[] {
  // Every dimension is looped, the scanned axis innermost, with one accumulator per line. The
  // axis loop counts steps `s`; the element index runs backwards for reverse scans.
  const rank = k.shape.length;
  const order = [...Array(rank).keys()].filter((d) => d !== k.axis).concat([k.axis]);
  const vars = order.map((d) => `i${d}`);
  const em = new Emitter(varLevels(vars), rank);
  const v = em.emit(k.body);
  let stride = 1;
  const terms: string[] = [];
  for (let d = rank - 1; d >= 0; d--) {
    terms.unshift(`i${d} * ${stride}`);
    stride *= k.shape[d];
  }
  const n = k.shape[k.axis];
  const loops: Loop[] = order.map((d) => ({ v: `i${d}`, extent: k.shape[d] }));
  loops[rank - 1] = {
    v: 's',
    extent: n,
    head: [`const i${k.axis} = ${k.reverse ? `${n - 1} - s` : 's'};`],
  };
  const inner = [
    `acc = ${wrap(dt, combine(k.op, dt, 'acc', v))};`,
    renderStore(dt, `b${k.out}`, terms.join(' + '), 'acc'),
  ];
  const around = new Map([[rank - 1, { before: [`let acc = ${REDUCE_INIT[k.op](dt)};`], after: [] }]]);
  // With more than one dimension the outermost loop is not the scanned axis: lines are independent.
  return [...em.lines[0], ...loopNest(loops, em, 0, inner, around, rank > 1)];
}

export interface RenderedKernel {
  /** Buffer ids the function takes, in parameter order (then `lo, hi`). */
  params: number[];
  source: string;
  /**
   * The extent of the outermost loop when it runs over `[lo, hi)` (iterations independent of
   * one another, or `carry`), else 0 (the function ignores `lo, hi`).
   */
  extent: number;
  /**
   * A full reduction: its ranges must run in order, each call taking the accumulator the
   * previous one returned as a last argument (`acc0`, ignored when `lo` is 0).
   */
  carry: boolean;
  /** Elements computed (reduced elements for reductions): how much work a call does. */
  work: number;
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

export function renderKernel(k: Kernel, dtypeOf: (buf: number) => DType, accDtype?: DType): RenderedKernel {
  let lines: string[];
  let extent = 0;
  let work = 0;
  let carry = false;
  switch (k.kind) {
    case 'map':
      lines = renderMap(k, dtypeOf(k.out));
      extent = k.shape[0] ?? 0;
      work = prod(k.shape);
      break;
    case 'reduce':
      lines = renderReduce(k, accDtype ?? k.body.dt, dtypeOf(k.out));
      carry = k.outShape.length === 0 && k.redShape.length > 0;
      extent = carry ? k.redShape[0] : (k.outShape[0] ?? 0);
      work = prod(k.outShape) * prod(k.redShape);
      break;
    case 'argreduce':
      lines = renderArgReduce(k, k.body.dt, dtypeOf(k.out));
      extent = k.outShape[0] ?? 0;
      work = prod(k.outShape) * k.redSize;
      break;
    case 'scan':
      lines = renderScan(k, dtypeOf(k.out));
      extent = k.shape.length > 1 ? k.shape[k.axis === 0 ? 1 : 0] : 0;
      work = prod(k.shape);
      break;
    case 'lib':
      throw new Error('library kernels are not rendered');
    case 'cond':
    case 'while':
    case 'loop':
      throw new Error('control-flow kernels are not rendered (backends/cpu/control.ts runs them)');
  }
  const used = new Set<number>();
  for (const l of lines) for (const m of l.matchAll(/\bb(\d+)\b/g)) used.add(Number(m[1]));
  const params = [...used].sort((a, b) => a - b);
  const args = [...params.map((p) => `b${p}`), 'lo', 'hi', ...(carry ? ['acc0'] : [])].join(', ');
  let source = [`(rt, ${args}) => {`, ...indent(lines, 1), '}'].join('\n');
  const decl = closureDecls(lines);
  if (decl.length > 0) {
    // Tables and the bitcast views are the kernel's own constants: a closure holds them.
    source = ['(() => {', ...indent(decl, 1), `  return ${source.replace(/\n/g, '\n  ')};`, '})()'].join(
      '\n',
    );
  }
  return { params, source, extent, work, carry };
}
