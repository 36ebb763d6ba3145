/**
 * @file The WebAssembly functions of the SIMD GEMM (gemm.ts drives them): packing and the
 * register-blocked macro-kernel, for float32 (f32x4) and float64 (f64x2), generated with
 * encode.ts's FuncWriter into one module over a shared memory.
 *
 * The loop structure is BLIS's (Van Zee and van de Geijn, "BLIS: A Framework for Rapidly
 * Instantiating BLAS Functionality", 2015), after GotoBLAS (Goto and van de Geijn, "Anatomy of
 * High-Performance Matrix Multiplication", 2008): both operands are packed into slivers, k-major
 * (a sliver holds, for each k, `w` consecutive rows of A or columns of B, zero past the matrix's
 * edge and past k's end up to a multiple of the unroll), in blocks of `kc` k-values. The
 * macro-kernel walks one block of C: per k-block, per sliver of B (kept in L1), per sliver of A
 * (the A block stays in L2), the micro-kernel holds an `mr` x `nr` tile of C in
 * `mr * nr / lanes` vector accumulators over the block's k-values: each step loads `nr / lanes`
 * vectors of B, splats `mr` values of A and does `mr * nr / lanes` multiply-adds.
 *
 * Each output element is the sum of its products in ascending k, started from +0 and carried
 * through C between k-blocks: one fixed order, whatever the blocking or the threads. Zero
 * padding adds `+0 * +0 = +0`, which changes no sum (a sum started from +0 is never -0).
 */

import { FuncWriter, I32, interleave32, lanesOf, OP, SIMD, V128 } from './encode.js';
import { type FuncDef, OP2, SIMD2 } from './module.js';

/** A micro-kernel's shape. */
export interface MicroShape {
  /** Rows of C per tile. */
  mr: number;
  /** Vectors of C per tile row (nr = nv * lanes). */
  nv: number;
  /** k-steps per loop iteration: k is padded to a multiple of it. */
  ku: number;
  /** Fused multiply-add (relaxed_madd) instead of mul + add. */
  fma: boolean;
  /**
   * How A's values become vectors: 'load' splats each from memory (load32_splat); 'shuffle'
   * loads `lanes` of them as one vector and splats lanes by shuffles; 'addr' is 'load' with
   * each address computed (no offset immediate).
   */
  splat?: 'load' | 'shuffle' | 'addr';
}

export interface Precision {
  lanes: 4 | 2;
  /** Bytes per element. */
  esz: 4 | 8;
}
export const F32X4: Precision = { lanes: 4, esz: 4 };
export const F64X2: Precision = { lanes: 2, esz: 8 };

const ELSE = 0x05;
const SELECT = 0x1b;
const VOID = 0x40;

/** Structured loops and branches over FuncWriter. */
export class Emit {
  constructor(readonly f: FuncWriter) {}
  /** `body` then loop while local `i` (after `i += step`) is below the value `limit` pushes. */
  doWhileLt(i: number, step: number | (() => void), limit: () => void, body: () => void): void {
    const f = this.f;
    f.op(OP.loop, VOID);
    body();
    f.get(i);
    if (typeof step === 'number') f.i32(step);
    else step();
    f.op(OP.i32Add).tee(i);
    limit();
    f.op(OP2.i32LtS).op(OP.br_if, 0).op(OP.end);
  }
  /** `i` from `lo` while `i < limit`: a guarded do-while. */
  forLt(i: number, lo: () => void, step: number, limit: () => void, body: () => void): void {
    const f = this.f;
    lo();
    f.tee(i);
    limit();
    f.op(OP2.i32LtS).op(OP.if, VOID);
    this.doWhileLt(i, step, limit, body);
    f.op(OP.end);
  }
  ifElse(cond: () => void, then: () => void, otherwise?: () => void): void {
    cond();
    this.f.op(OP.if, VOID);
    then();
    if (otherwise) {
      this.f.op(ELSE);
      otherwise();
    }
    this.f.op(OP.end);
  }
  /**
   * The k-blocks of a packed operand: `body` per block, with local `pc` its first k (from pc's
   * value, stepping by local `kc` while below local `kpad`) and local `kcb` = min(kc, kpad - pc).
   */
  kBlocks(pc: number, kcb: number, kc: number, kpad: number, body: () => void): void {
    const f = this.f;
    this.doWhileLt(
      pc,
      () => f.get(kc),
      () => f.get(kpad),
      () => {
        f.get(kpad).get(pc).op(OP2.i32Sub).set(kcb);
        this.min(kcb, kc);
        f.set(kcb);
        body();
      },
    );
  }
  /** Pushes min(a, b) of two locals (signed). */
  min(a: number, b: number): void {
    this.f.get(a).get(b).get(a).get(b).op(OP2.i32LtS).op(SELECT);
  }
}

/**
 * Transposes the `lanes` x `lanes` block in locals `rows` (row t holds elements (t, 0..)),
 * leaving column q in `cols[q]`; `tmp` holds scratch vectors.
 */
function transpose(f: FuncWriter, p: Precision, rows: number[], cols: number[], tmp: number[]): void {
  let halves = rows;
  if (p.lanes === 4) {
    // 32-bit lanes of rows 0/1 and 2/3 interleaved, then 64-bit halves of those.
    interleave32(f, rows, tmp);
    halves = tmp;
  }
  const h = p.lanes / 2;
  for (let q = 0; q < p.lanes; q++) {
    f.get(halves[q >> 1])
      .get(halves[(q >> 1) + h])
      .shuffle(lanesOf(8, q & 1 ? [1, 3] : [0, 2]))
      .set(cols[q]);
  }
}

/**
 * `pack_w(src, rs, ks, rows, k, kpad, pad, dst, s0, s1, kc)`: slivers [s0, s1) of a
 * (rows x k) operand whose element (i, p) is at byte `src + i*rs + p*ks`, for every k-block,
 * into `dst` laid out as [k-block][sliver][p][w]: the block starting at pc holds `pad` rows of
 * `kcb` values each, `kcb = min(kc, kpad - pc)`. Whole slivers contiguous along w are copied
 * as vectors; whole slivers contiguous along k (a row-major A, a transposed B) are transposed
 * `lanes` x `lanes` in registers; the rest (edges, other strides) goes element by element.
 */
export function packFn(p: Precision, w: number): FuncWriter {
  const f = new FuncWriter(11);
  const e = new Emit(f);
  const [SRC, RS, KS, ROWS, K, KPAD, PAD, DST, S0, S1, KC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const pc = f.local(I32);
  const kcb = f.local(I32);
  const kPos = f.local(I32);
  const s = f.local(I32);
  const d = f.local(I32);
  const rowBase = f.local(I32);
  const live = f.local(I32);
  const kk = f.local(I32);
  const q = f.local(I32);
  const r = f.local(I32);
  const tmpI = f.local(I32);
  const esz = p.esz;
  const lanes = p.lanes;
  const load = esz === 4 ? OP2.f32Load : OP2.f64Load;
  const store = esz === 4 ? OP2.f32Store : OP2.f64Store;
  // Whole vectors of a sliver (the fast paths); its last `w % lanes` values go one by one.
  const vecs = Math.floor(w / lanes);
  const wide = vecs > 0;
  // Byte offsets of the sliver's rows (r * rs), for the transposing path.
  const rowOff = wide ? Array.from({ length: w }, () => f.local(I32)) : [];
  const rowsV = Array.from({ length: lanes }, () => f.local(V128));
  const colsV = Array.from({ length: lanes }, () => f.local(V128));
  const tmpV = Array.from({ length: 4 }, () => f.local(V128));
  for (const [i, l] of rowOff.entries()) f.get(RS).i32(i).op(OP2.i32Mul).set(l);
  const allOf =
    (...conds: (() => void)[]) =>
    () => {
      for (const [i, c] of conds.entries()) {
        c();
        if (i > 0) f.op(OP2.i32And);
      }
    };
  const whole = () => f.get(live).i32(w).op(OP2.i32Eq);
  const unit = (x: number) => () => f.get(x).i32(esz).op(OP2.i32Eq);
  /** q = rowBase + (pc + kk) * ks */
  const setQ = () => f.get(rowBase).get(pc).get(kk).op(OP.i32Add).get(KS).op(OP2.i32Mul).op(OP.i32Add).set(q);

  /** One k-value of a sliver, element by element, zeros past the last row; advances d. */
  const copyRows = () => {
    setQ();
    e.forLt(
      r,
      () => f.i32(0),
      1,
      () => f.get(live),
      () => {
        f.get(d).get(q).mem(load, 0).mem(store, 0);
        f.get(q).get(RS).op(OP.i32Add).set(q);
        f.get(d).i32(esz).op(OP.i32Add).set(d);
      },
    );
    f.i32(w).get(live).op(OP2.i32Sub).i32(esz).op(OP2.i32Mul).set(tmpI);
    f.get(d)
      .i32(0)
      .get(tmpI)
      .op(...OP2.memoryFill);
    f.get(d).get(tmpI).op(OP.i32Add).set(d);
  };

  e.kBlocks(pc, kcb, KC, KPAD, () => {
    // kPos = clamp(k - pc, 0, kcb): the k-values the operand has.
    f.get(K).get(pc).op(OP2.i32Sub).set(kPos);
    e.min(kPos, kcb);
    f.set(kPos);
    f.get(kPos).i32(0).get(kPos).i32(0).op(OP2.i32GtS).op(SELECT).set(kPos);
    e.forLt(
      s,
      () => f.get(S0),
      1,
      () => f.get(S1),
      () => {
        // d = dst + (pc*pad + s*w*kcb)*esz; live = min(w, rows - s*w)
        f.get(DST).get(pc).get(PAD).op(OP2.i32Mul);
        f.get(s).i32(w).op(OP2.i32Mul).get(kcb).op(OP2.i32Mul).op(OP.i32Add);
        f.i32(esz).op(OP2.i32Mul).op(OP.i32Add).set(d);
        f.get(ROWS).get(s).i32(w).op(OP2.i32Mul).op(OP2.i32Sub).set(live);
        f.i32(w).set(tmpI);
        e.min(live, tmpI);
        f.set(live);
        f.get(SRC).get(s).i32(w).op(OP2.i32Mul).get(RS).op(OP2.i32Mul).op(OP.i32Add).set(rowBase);
        f.i32(0).set(kk);
        const generic = () =>
          e.forLt(
            kk,
            () => f.get(kk),
            1,
            () => f.get(kPos),
            copyRows,
          );
        if (!wide) generic();
        else {
          e.ifElse(
            allOf(whole, unit(RS)),
            // Contiguous along w: vector copies.
            () =>
              e.forLt(
                kk,
                () => f.i32(0),
                1,
                () => f.get(kPos),
                () => {
                  setQ();
                  for (let v = 0; v < vecs; v++) {
                    f.get(d)
                      .get(q)
                      .mem(SIMD.load, 16 * v, true)
                      .mem(SIMD.store, 16 * v, true);
                  }
                  for (let t = vecs * lanes; t < w; t++) {
                    f.get(d)
                      .get(q)
                      .mem(load, t * esz)
                      .mem(store, t * esz);
                  }
                  f.get(d)
                    .i32(w * esz)
                    .op(OP.i32Add)
                    .set(d);
                },
              ),
            () => {
              e.ifElse(allOf(whole, unit(KS)), () => {
                // Contiguous along k: lanes x lanes transposes, lanes k-values at a time.
                f.get(kPos)
                  .i32(lanes - 1)
                  .op(OP2.i32Sub)
                  .set(tmpI);
                e.forLt(
                  kk,
                  () => f.i32(0),
                  lanes,
                  () => f.get(tmpI),
                  () => {
                    setQ();
                    for (let t = vecs * lanes; t < w; t++) {
                      for (let c = 0; c < lanes; c++) {
                        f.get(d)
                          .get(q)
                          .get(rowOff[t])
                          .op(OP.i32Add)
                          .mem(load, c * esz)
                          .mem(store, (c * w + t) * esz);
                      }
                    }
                    for (let g = 0; g < vecs; g++) {
                      for (let t = 0; t < lanes; t++) {
                        f.get(q)
                          .get(rowOff[g * lanes + t])
                          .op(OP.i32Add)
                          .mem(SIMD.load, 0, true)
                          .set(rowsV[t]);
                      }
                      transpose(f, p, rowsV, colsV, tmpV);
                      for (let c = 0; c < lanes; c++) {
                        f.get(d)
                          .get(colsV[c])
                          .mem(SIMD.store, (c * w + g * lanes) * esz, true);
                      }
                    }
                    f.get(d)
                      .i32(lanes * w * esz)
                      .op(OP.i32Add)
                      .set(d);
                  },
                );
              });
              generic();
            },
          );
        }
        // Zeros past k's end: (kcb - kPos) values of the sliver.
        f.get(d)
          .i32(0)
          .get(kcb)
          .get(kPos)
          .op(OP2.i32Sub)
          .i32(w * esz)
          .op(OP2.i32Mul)
          .op(...OP2.memoryFill);
      },
    );
  });
  return f;
}

/**
 * `compute(a, b, c, ldc, s0, mt, t0, nt, kpad, kc, mpad, npad, first)`: the C block whose tiles
 * are A's slivers [s0, s0+mt) by B's [t0, t0+nt), at byte `c` (its top-left corner) with rows
 * `ldc` bytes apart, from the packed operands at `a` and `b` (packFn's layout), over all
 * k-blocks. mt, nt >= 1 and kpad >= ku. `first` = 0 continues sums already in C from its first
 * k-block on (a caller that packs and multiplies one k-block at a time: wasm/conv.ts).
 */
export function computeFn(p: Precision, s: MicroShape): FuncWriter {
  const f = new FuncWriter(13);
  const e = new Emit(f);
  const [A, B, C, LDC, S0, MT, T0, NT, KPAD, KC, MPAD, NPAD, FIRST] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
  ];
  const { mr, nv, ku } = s;
  const esz = p.esz;
  const nr = nv * p.lanes;
  const pc = f.local(I32);
  const kcb = f.local(I32);
  const aBlk = f.local(I32);
  const bBlk = f.local(I32);
  const jt = f.local(I32);
  const it = f.local(I32);
  const ap = f.local(I32);
  const bp = f.local(I32);
  const cp = f.local(I32);
  const crow = f.local(I32);
  const kk = f.local(I32);
  const acc = Array.from({ length: mr }, () => Array.from({ length: nv }, () => f.local(V128)));
  const bv = Array.from({ length: nv }, () => f.local(V128));
  const av = f.local(V128);
  const avs = Array.from({ length: Math.ceil(mr / p.lanes) }, () => f.local(V128));
  const mul = p.lanes === 4 ? SIMD.f32x4Mul : SIMD.f64x2Mul;
  const add = p.lanes === 4 ? SIMD.f32x4Add : SIMD.f64x2Add;
  const madd = p.lanes === 4 ? SIMD2.f32x4RelaxedMadd : SIMD2.f64x2RelaxedMadd;
  const splat = p.lanes === 4 ? SIMD2.load32Splat : SIMD2.load64Splat;
  const log2ku = Math.log2(ku);
  if (!Number.isInteger(log2ku)) throw new Error(`gemm: the k unroll must be a power of 2, not ${ku}`);
  e.kBlocks(pc, kcb, KC, KPAD, () => {
    // aBlk = a + (pc*mpad + s0*mr*kcb)*esz, and so for B.
    for (const [blk, base, pad, s0, w] of [
      [aBlk, A, MPAD, S0, mr],
      [bBlk, B, NPAD, T0, nr],
    ]) {
      f.get(base).get(pc).get(pad).op(OP2.i32Mul);
      f.get(s0).i32(w).op(OP2.i32Mul).get(kcb).op(OP2.i32Mul).op(OP.i32Add);
      f.i32(esz).op(OP2.i32Mul).op(OP.i32Add).set(blk);
    }
    f.i32(0).set(jt);
    e.doWhileLt(
      jt,
      1,
      () => f.get(NT),
      () => {
        f.i32(0).set(it);
        e.doWhileLt(
          it,
          1,
          () => f.get(MT),
          () => {
            f.get(aBlk)
              .get(it)
              .get(kcb)
              .op(OP2.i32Mul)
              .i32(mr * esz)
              .op(OP2.i32Mul)
              .op(OP.i32Add)
              .set(ap);
            f.get(bBlk)
              .get(jt)
              .get(kcb)
              .op(OP2.i32Mul)
              .i32(nr * esz)
              .op(OP2.i32Mul)
              .op(OP.i32Add)
              .set(bp);
            f.get(C).get(it).i32(mr).op(OP2.i32Mul).get(LDC).op(OP2.i32Mul).op(OP.i32Add);
            f.get(jt)
              .i32(nr * esz)
              .op(OP2.i32Mul)
              .op(OP.i32Add)
              .set(cp);
            // The tile's sums so far: zero in the first k-block, else from C.
            e.ifElse(
              () => f.get(pc).op(OP2.i32Eqz).get(FIRST).op(OP2.i32And),
              () => {
                for (const row of acc) for (const a of row) (p.lanes === 4 ? f.f32x4(0) : f.f64x2(0)).set(a);
              },
              () => {
                f.get(cp).set(crow);
                for (const [i, row] of acc.entries()) {
                  for (const [v, a] of row.entries())
                    f.get(crow)
                      .mem(SIMD.load, 16 * v, true)
                      .set(a);
                  if (i < mr - 1) f.get(crow).get(LDC).op(OP.i32Add).set(crow);
                }
              },
            );
            f.get(kcb).i32(log2ku).op(OP2.i32ShrU).set(kk);
            f.op(OP.loop, VOID);
            for (let u = 0; u < ku; u++) {
              for (const [v, b] of bv.entries())
                f.get(bp)
                  .mem(SIMD.load, (u * nr + v * p.lanes) * esz, true)
                  .set(b);
              if (s.splat === 'shuffle') {
                for (const [g, a] of avs.entries())
                  f.get(ap)
                    .mem(SIMD.load, (u * mr + g * p.lanes) * esz, true)
                    .set(a);
              }
              for (const [i, row] of acc.entries()) {
                if (s.splat === 'shuffle') {
                  const a = avs[Math.floor(i / p.lanes)];
                  const l = i % p.lanes;
                  f.get(a)
                    .get(a)
                    .shuffle(Array.from({ length: 16 }, (_, b) => l * esz + (b % esz)));
                } else if (s.splat === 'addr') {
                  f.get(ap)
                    .i32((u * mr + i) * esz)
                    .op(OP.i32Add)
                    .mem(splat, 0, true);
                } else f.get(ap).mem(splat, (u * mr + i) * esz, true);
                f.set(av);
                for (const [v, a] of row.entries()) {
                  if (s.fma) f.get(av).get(bv[v]).get(a).simd(madd);
                  else f.get(a).get(av).get(bv[v]).simd(mul).simd(add);
                  f.set(a);
                }
              }
            }
            f.get(ap)
              .i32(ku * mr * esz)
              .op(OP.i32Add)
              .set(ap);
            f.get(bp)
              .i32(ku * nr * esz)
              .op(OP.i32Add)
              .set(bp);
            f.get(kk).i32(1).op(OP2.i32Sub).tee(kk).op(OP.br_if, 0).op(OP.end);
            f.get(cp).set(crow);
            for (const [i, row] of acc.entries()) {
              for (const [v, a] of row.entries())
                f.get(crow)
                  .get(a)
                  .mem(SIMD.store, 16 * v, true);
              if (i < mr - 1) f.get(crow).get(LDC).op(OP.i32Add).set(crow);
            }
          },
        );
      },
    );
  });
  return f;
}

/** The GEMM module's functions for one precision and micro-kernel shape. */
export function gemmFuncs(p: Precision, s: MicroShape, suffix: string): FuncDef[] {
  const i32s = (n: number) => Array<number>(n).fill(I32);
  return [
    { name: `packA${suffix}`, params: i32s(11), results: [], body: packFn(p, s.mr) },
    { name: `packB${suffix}`, params: i32s(11), results: [], body: packFn(p, s.nv * p.lanes) },
    { name: `compute${suffix}`, params: i32s(13), results: [], body: computeFn(p, s) },
  ];
}
