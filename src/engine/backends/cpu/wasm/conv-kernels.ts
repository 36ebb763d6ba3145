/**
 * @file The WebAssembly functions that gather a convolution's patches (wasm/conv.ts drives them):
 * a block of the patch matrix A, row-major, from the lhs and the window table (conv-plan.ts), by
 * whole runs of lhs elements with `memory.copy` (zeros with `memory.fill`), as
 * native/blas/src/conv.c's gathers do. The GEMM's own packing (gemm-kernels.ts packFn) then lays
 * the block out in slivers: in a block gathered row-major, a sliver's values are contiguous along
 * k (rows) or along its width (cols), which are packFn's vector paths.
 *
 * The lowering (primitives/conv-gemm.ts) makes runs contiguous: in 'rows' blocks they follow the
 * input feature (stride 1, or one element when there is one feature per group), in 'cols' blocks
 * the lhs batch (stride 1), so a run is one copy of `len * esz` bytes.
 */

import { FuncWriter, I32, OP } from './encode.js';
import type { Precision } from './gemm-kernels.js';
import { type FuncDef, OP2 } from './module.js';

const I32_DIV_U = 0x6e;
const SELECT = 0x1b;
const VOID = 0x40;

/** Copies `bytes` from local `src` (or zeros where local `s` < 0) to local `dst`, then advances dst. */
function run(f: FuncWriter, s: number, dst: number, src: () => void, bytes: number): void {
  f.get(s).i32(0).op(OP2.i32LtS).op(OP.if, VOID);
  f.get(dst)
    .i32(0)
    .get(bytes)
    .op(...OP2.memoryFill);
  f.op(0x05); // else
  f.get(dst);
  src();
  f.get(bytes).op(...OP2.memoryCopy);
  f.op(OP.end);
  f.get(dst).get(bytes).op(OP.i32Add).set(dst);
}

/** Pushes min(a, b) of two locals. */
function min(f: FuncWriter, a: number, b: number): void {
  f.get(a).get(b).get(a).get(b).op(OP2.i32LtS).op(SELECT);
}

/** Locals of a gather's inner loop (runs). */
interface RunLocals {
  /** Elements per line (a feature row, a batch column); where the first run starts in its line. */
  width: number;
  first: number;
  /** The position along the gathered dimension, up to `end`; the line it is in. */
  pos: number;
  end: number;
  line: number;
  base: number;
  len: number;
  s: number;
  bytes: number;
  tmp: number;
}

/**
 * The loop both gathers share: from `pos` to `end`, one run per line of contiguous lhs elements
 * (`first` to the line's end, or fewer at `end`), each copied from `base` at the window table's
 * entry (its address pushed by `entry`) plus `first`, or zeros where the entry is -1.
 */
function runs(f: FuncWriter, esz: number, dst: number, l: RunLocals, entry: () => void): void {
  const { width, first, pos, end, line, base, len, s, bytes, tmp } = l;
  f.op(OP.loop, VOID);
  f.get(width).get(first).op(OP2.i32Sub).set(len);
  f.get(end).get(pos).op(OP2.i32Sub).set(tmp);
  min(f, len, tmp);
  f.set(len);
  entry();
  f.mem(OP.i32Load, 0).set(s);
  f.get(len).i32(esz).op(OP2.i32Mul).set(bytes);
  run(
    f,
    s,
    dst,
    () => f.get(base).get(s).get(first).op(OP.i32Add).i32(esz).op(OP2.i32Mul).op(OP.i32Add),
    bytes,
  );
  f.get(pos).get(len).op(OP.i32Add).set(pos);
  f.get(line).i32(1).op(OP.i32Add).set(line);
  f.i32(0).set(first);
  f.get(pos).get(end).op(OP2.i32LtS).op(OP.br_if, 0);
  f.op(OP.end);
}

/**
 * `gatherRows(lhs, tab, m0, mw, k0, kw, dst, OS, KS, CG, SB)`: rows m0.. (mw >= 1) and columns
 * k0.. (kw >= 1) of A, row-major at byte `dst`; row m is batch m / OS at output position m % OS, k
 * = ks * CG + c; `lhs` and `tab` are byte addresses, SB the batch stride in elements.
 */
function gatherRowsFn(p: Precision): FuncWriter {
  const f = new FuncWriter(11);
  const [LHS, TAB, M0, MW, K0, KW, DST, OS, KS, CG, SB] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [r, n, row, base, k, end, ks, c0, len, s, bytes, tmp] = Array.from({ length: 12 }, () =>
    f.local(I32),
  );
  const esz = p.esz;
  f.i32(0).set(r);
  f.op(OP.loop, VOID);
  // n = m / OS; row = tab + (m - n*OS) * KS * 4; base = lhs + n * SB * esz
  f.get(M0).get(r).op(OP.i32Add).set(tmp);
  f.get(tmp).get(OS).op(I32_DIV_U).set(n);
  f.get(TAB)
    .get(tmp)
    .get(n)
    .get(OS)
    .op(OP2.i32Mul)
    .op(OP2.i32Sub)
    .get(KS)
    .op(OP2.i32Mul)
    .i32(4)
    .op(OP2.i32Mul);
  f.op(OP.i32Add).set(row);
  f.get(LHS).get(n).get(SB).op(OP2.i32Mul).i32(esz).op(OP2.i32Mul).op(OP.i32Add).set(base);
  f.get(K0).set(k);
  f.get(K0).get(KW).op(OP.i32Add).set(end);
  f.get(k).get(CG).op(I32_DIV_U).set(ks);
  f.get(k).get(ks).get(CG).op(OP2.i32Mul).op(OP2.i32Sub).set(c0);
  runs(f, esz, DST, { width: CG, first: c0, pos: k, end, line: ks, base, len, s, bytes, tmp }, () =>
    f.get(row).get(ks).i32(4).op(OP2.i32Mul).op(OP.i32Add),
  );
  f.get(r).i32(1).op(OP.i32Add).tee(r).get(MW).op(OP2.i32LtS).op(OP.br_if, 0);
  f.op(OP.end);
  return f;
}

/**
 * `gatherCols(lhs, tab, m0, mw, k0, kw, dst, KS, OUTN, SC)`: the same block of A transposed (kw
 * rows of mw, row-major at `dst`): k = c * KS + ks, m = os * OUTN + n; SC the feature stride.
 */
function gatherColsFn(p: Precision): FuncWriter {
  const f = new FuncWriter(10);
  const [LHS, TAB, M0, MW, K0, KW, DST, KS, OUTN, SC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [kk, c, ks, base, m, end, os, n0, len, s, bytes, tmp] = Array.from({ length: 12 }, () =>
    f.local(I32),
  );
  const esz = p.esz;
  f.get(K0).get(KS).op(I32_DIV_U).set(c);
  f.get(K0).get(c).get(KS).op(OP2.i32Mul).op(OP2.i32Sub).set(ks);
  f.get(M0).get(MW).op(OP.i32Add).set(end);
  f.i32(0).set(kk);
  f.op(OP.loop, VOID);
  f.get(LHS).get(c).get(SC).op(OP2.i32Mul).i32(esz).op(OP2.i32Mul).op(OP.i32Add).set(base);
  f.get(M0).set(m);
  f.get(m).get(OUTN).op(I32_DIV_U).set(os);
  f.get(m).get(os).get(OUTN).op(OP2.i32Mul).op(OP2.i32Sub).set(n0);
  runs(f, esz, DST, { width: OUTN, first: n0, pos: m, end, line: os, base, len, s, bytes, tmp }, () =>
    f.get(TAB).get(os).get(KS).op(OP2.i32Mul).get(ks).op(OP.i32Add).i32(4).op(OP2.i32Mul).op(OP.i32Add),
  );
  // Next k: ks + 1, carrying into c.
  f.get(ks).i32(1).op(OP.i32Add).set(ks);
  f.get(ks).get(KS).op(OP2.i32Eq).op(OP.if, VOID);
  f.i32(0).set(ks);
  f.get(c).i32(1).op(OP.i32Add).set(c);
  f.op(OP.end);
  f.get(kk).i32(1).op(OP.i32Add).tee(kk).get(KW).op(OP2.i32LtS).op(OP.br_if, 0);
  f.op(OP.end);
  return f;
}

/** The gather functions for one precision. */
export function convFuncs(p: Precision, suffix: string): FuncDef[] {
  const i32s = (n: number) => Array<number>(n).fill(I32);
  return [
    { name: `gatherRows${suffix}`, params: i32s(11), results: [], body: gatherRowsFn(p) },
    { name: `gatherCols${suffix}`, params: i32s(10), results: [], body: gatherColsFn(p) },
  ];
}
