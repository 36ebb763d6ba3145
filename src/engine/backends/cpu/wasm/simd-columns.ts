/**
 * @file Reductions over leading axes as WebAssembly SIMD (layout.ts `columns`: a sum over axis 0):
 * the lanes are four neighbouring outputs, each adding its elements in order, one by one, as the
 * JavaScript kernel does (codegen-reduce.ts renderColumns), so both give the same bits.
 *
 * For a range of output columns the kernel walks the reduced rows in memory order: every row adds
 * a vector of four columns at a time into their accumulators, which live in the thread's scratch
 * region (float64 for float32 sums and products, as in JavaScript). The last, partial vector of a
 * row reads only the columns that exist (lane loads) and leaves the accumulators past them alone.
 * Buffers in the heap are read where they are; others are copied in by blocks of rows. The
 * wrapper then finishes each output with codegen-reduce.ts's own code (rounding, epilogue, store).
 */

import type { ReduceKernel } from '../../../compile/kir.js';
import { linearIndex, loopVars } from '../../../compile/kir.js';
import type { DType } from '../../../core/dtype.js';
import { sizeOf, stridesOf } from '../../../core/shape.js';
import { finishLines } from '../codegen-reduce.js';
import { closureDecls, indent } from '../js-emit.js';
import { reduceLayout } from '../layout.js';
import { FuncWriter, I32, OP, SIMD, V128 } from './encode.js';
import { type Hooks, isWord, regroup } from './simd-expr.js';
import { type Compiled, compileBody, finishKernel, type SimdMaker } from './simd-kernel.js';
import { plan, readsVars } from './simd-reduce.js';

/** Output columns per call (their accumulators: 8 bytes each). */
const COLS = 2048;
/** Elements per tile, when rows are copied in. */
const TILE = 16384;

/** The SIMD version of a `columns` reduce kernel with one output axis, or null. */
export const wasmColumnsKernel: SimdMaker<ReduceKernel> = (k, dtypeOf, sizeOf_) => {
  const dt = k.body.dt;
  if (k.outShape.length !== 1 || reduceLayout(k) !== 'columns' || !(isWord(dt) || dt.isBool)) return null;
  const O = k.outShape[0];
  const R = sizeOf(k.redShape);
  if (O < 4 || R === 0) return null;
  const p = plan(k, dt, true);
  if (!p) return null;
  const rvars = loopVars('r', k.redShape.length);
  const flat = linearIndex([...rvars, ...loopVars('i', 1)], stridesOf([...k.redShape, O]));
  const body = regroup(k.body);
  // The reduced axes run as one (r, their flat index): the body may read them only at the flat index.
  if (readsVars(body, flat, new Set(rvars.map((v) => v.name)))) return null;
  const layout = { flat, stepVars: new Set(['i0']), laneVar: 'i0', tileBytes: TILE * 4 + 64 };
  const ex = compileBody(body, layout, dtypeOf, sizeOf_);
  if (!ex) return null;
  const wide = p.acc === 'f64';
  const ACC = ex.mem.alloc(COLS * (wide ? 8 : 4) + 64);

  // Parameters: the columns (count, first), the rows, whether to start the accumulators afresh,
  // the scratch region's address, the bytes from one row to the next, where each tile buffer's
  // first element (row 0, first column) is.
  const tileBufs = [...ex.tiles.keys()];
  const [W, C0, NR, INIT, SB, STRIDE] = [0, 1, 2, 3, 4, 5];
  const nParams = 6 + tileBufs.length;
  const f = new FuncWriter(nParams);
  const c = f.local(I32);
  const r = f.local(I32);
  const row = tileBufs.map(() => f.local(I32));
  const rowOf = new Map(tileBufs.map((b, i) => [b, row[i]]));
  const tail = f.local(V128);
  const hooks: Hooks = {
    variable(fw) {
      fw.get(C0).get(c).op(OP.i32Add).simd(SIMD.i32x4Splat).i32x4(0, 1, 2, 3).simd(SIMD.i32x4Add);
    },
    tile(fw, buf, u) {
      const a = rowOf.get(buf)!;
      if (u === 0) {
        fw.get(a).get(c).i32(2).op(OP.i32Shl).op(OP.i32Add).mem(SIMD.load, 0, true);
        return;
      }
      // The partial last vector: only the lanes of columns that exist (W - c of them, 1 to 3).
      fw.i32x4(0).set(tail);
      for (let lane = 0; lane < 3; lane++) {
        if (lane > 0) fw.get(W).get(c).op(OP.i32Sub).i32(lane).op(OP.i32GtS).op(OP.if, 0x40);
        fw.get(a).get(c).i32(2).op(OP.i32Shl).op(OP.i32Add).get(tail);
        fw.simd(SIMD.v128Load32Lane)
          .op(2, 4 * lane, lane)
          .set(tail);
        if (lane > 0) fw.op(OP.end);
      }
      fw.get(tail);
    },
    scratch(fw) {
      fw.get(SB);
    },
  };
  const identity = () => (p.acc === 'f32' ? f.f32x4(p.identity) : f.i32x4(p.identity));
  /** acc[c..c+3] op= the body of vector u, lanes past the last column (tail) left as they are. */
  const accumulate = (u: number) => {
    const v = ex.value(body, u, 'full');
    const value = () => {
      f.get(v);
      if (u === 1) {
        identity();
        f.i32x4(0, 1, 2, 3).get(W).get(c).op(OP.i32Sub).simd(SIMD.i32x4Splat).simd(SIMD.i32x4LtS);
        f.simd(SIMD.bitselect);
      }
    };
    if (wide) {
      for (const hi of [0, 1]) {
        // address of acc[c + 2 hi] (float64)
        f.get(SB).get(c).i32(3).op(OP.i32Shl).op(OP.i32Add);
        f.get(SB)
          .get(c)
          .i32(3)
          .op(OP.i32Shl)
          .op(OP.i32Add)
          .mem(SIMD.load, ACC + 16 * hi, true);
        value();
        if (hi) {
          const l = f.local(V128);
          f.set(l).get(l).get(l);
          f.shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
        }
        f.simd(SIMD.f64x2PromoteLowF32x4)
          .simd(p.op)
          .mem(SIMD.store, ACC + 16 * hi, true);
      }
    } else {
      f.get(SB).get(c).i32(2).op(OP.i32Shl).op(OP.i32Add);
      f.get(SB).get(c).i32(2).op(OP.i32Shl).op(OP.i32Add).mem(SIMD.load, ACC, true);
      value();
      f.simd(p.op).mem(SIMD.store, ACC, true);
    }
  };

  ex.emitInvariants(f, 'full', hooks);
  // Fresh accumulators: the identity in every lane (past W too: the tail's lanes stay it).
  f.get(INIT).op(OP.if, 0x40);
  f.i32(0).set(c).op(OP.loop, 0x40);
  f.get(SB)
    .get(c)
    .i32(wide ? 3 : 2)
    .op(OP.i32Shl)
    .op(OP.i32Add);
  if (wide) f.f64x2(p.identity);
  else identity();
  f.mem(SIMD.store, ACC, true);
  f.get(c)
    .i32(wide ? 2 : 4)
    .op(OP.i32Add)
    .set(c);
  f.get(c).get(W).op(OP.i32LtS).op(OP.br_if, 0).op(OP.end);
  f.op(OP.end);
  // Row by row; in a row, four columns a step, then the partial vector.
  for (const [i, a] of row.entries()) f.get(6 + i).set(a);
  f.i32(0).set(r).op(OP.loop, 0x40);
  f.i32(0).set(c);
  f.get(W).i32(4).op(OP.i32GeS).op(OP.if, 0x40).op(OP.loop, 0x40);
  ex.emitStepAt(f, 'full', [0], hooks);
  accumulate(0);
  f.get(c).i32(4).op(OP.i32Add).set(c);
  f.get(c).i32(4).op(OP.i32Add).get(W).op(OP.i32LeS).op(OP.br_if, 0);
  f.op(OP.end).op(OP.end);
  f.get(c).get(W).op(OP.i32LtS).op(OP.if, 0x40);
  ex.emitStepAt(f, 'full', [1], hooks);
  accumulate(1);
  f.op(OP.end);
  for (const a of row) f.get(a).get(STRIDE).op(OP.i32Add).set(a);
  f.get(r).i32(1).op(OP.i32Add).tee(r).get(NR).op(OP.i32LtS).op(OP.br_if, 0).op(OP.end);

  return finishKernel(ex, nParams, f, (c) => wrapper(k, c, dt, p.acc, ACC));
};

/** The JavaScript around the module: blocks of columns, their rows in place or copied, the finish. */
function wrapper(k: ReduceKernel, c: Compiled, dt: DType, acc: string, ACC: number): string {
  const O = k.outShape[0];
  const R = sizeOf(k.redShape);
  const outDt = c.dtypeOf(k.out);
  const tiles = [...c.ex.tiles];
  const bufs = new Set<number>([...c.ex.small.keys(), ...c.ex.tiles.keys(), k.out]);
  const accView = { f64: 'Float64Array', f32: 'Float32Array' }[acc as 'f64'] ?? 'Int32Array';
  const value = acc === 'bool' ? '(A[c - cb] !== 0 ? 1 : 0)' : 'A[c - cb]';
  const finish = finishLines(k, dt, outDt, 'c');
  for (const l of finish) for (const m of l.matchAll(/\bb(\d+)\b/g)) bufs.add(Number(m[1]));
  const args = (nr: string, init: string, stride: string) =>
    ['w', 'cb', nr, init, 'SB', stride, ...tiles.map(([b]) => `a${b}`)].join(', ');
  // Rows copied in: as many whole rows of the block as a tile holds.
  const copied = [
    `const g = copy ? Math.max(1, Math.floor(${TILE} / w)) : ${R};`,
    `for (let r0 = 0; r0 < ${R}; r0 += g) {`,
    `  const nr = Math.min(g, ${R} - r0);`,
    ...tiles.flatMap(([b, off]) => [
      `  let a${b} = h${b} + 4 * (r0 * ${O} + cb);`,
      `  if (h${b} < 0) {`,
      `    for (let r = 0; r < nr; r++) ${c.view(b)}.set(b${b}.subarray((r0 + r) * ${O} + cb, (r0 + r) * ${O} + cb + w), ((SB + ${off}) >> 2) + r * w);`,
      `    a${b} = SB + ${off};`,
      '  }',
    ]),
    `  run(${args('nr', 'r0 === 0 ? 1 : 0', `copy ? 4 * w : ${4 * O}`)});`,
    '}',
  ];
  const body = [
    // Every tile buffer in the heap: its rows are read in place, all of them in one call; else
    // all are copied, a block of rows at a time.
    `const copy = ${tiles.map(([b]) => `rt.heapOffset(b${b}) < 0`).join(' || ') || 'false'};`,
    ...tiles.map(([b]) => `const h${b} = copy ? -1 : rt.heapOffset(b${b});`),
    `for (let cb = lo; cb < hi; cb += ${COLS}) {`,
    `  const w = Math.min(${COLS}, hi - cb);`,
    ...indent(copied, 1),
    '  const A = vA;',
    '  for (let c = cb; c < cb + w; c++) {',
    `    const acc = ${value};`,
    '    const i0 = c;',
    ...indent(finish, 2),
    '  }',
    '}',
  ];
  const fixed: [string, string, string, number][] = [['vA', accView, `SB + ${ACC}`, COLS]];
  return c.wrap(bufs, ['lo', 'hi'], body, { decls: closureDecls(finish), fixed });
}
