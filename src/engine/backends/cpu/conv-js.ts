/**
 * @file The convolution on the JavaScript GEMM (TJAX_CPU_SIMD=0 without the native tier): tiles
 * of A gathered as native/blas/src/conv.c gathers them (conv-plan.ts), each multiplied by
 * gemm-js.ts over the whole of k, so every element is the sum of its products in ascending k from
 * +0, rounded after each step: the reference reduce kernel's bits, where k's order is its own.
 */
import type { ConvPlan } from './conv-plan.js';
import { P } from './conv-plan.js';
import { jsGemm } from './gemm-js.js';

type Float = Float32Array | Float64Array;

/** A gather: rows m0..m0+mw of A, for the group whose lhs elements start at `base`, into dst. */
type Gather = (plan: ConvPlan, lhs: Float, base: number, m0: number, mw: number, dst: Float) => void;

/** Rows m0..m0+mw of A (all of k), row-major, into dst (conv.c's gather_rows). */
const gatherRows: Gather = (plan, lhs, base, m0, mw, dst) => {
  const n = plan.nums;
  const [cg, KS, OS, sb, sc] = [n[P.Cg], n[P.KS], n[P.OS], n[P.sB], n[P.sC]];
  const t = plan.table;
  let d = 0;
  for (let r = 0; r < mw; r++) {
    const m = m0 + r;
    const b = Math.floor(m / OS);
    const row = (m - b * OS) * KS;
    for (let ks = 0; ks < KS; ks++) {
      const s = t[row + ks];
      if (s < 0) {
        dst.fill(0, d, d + cg);
        d += cg;
      } else {
        const at = base + b * sb + s;
        for (let c = 0; c < cg; c++) dst[d++] = lhs[at + c * sc];
      }
    }
  }
};

/** The same rows of A transposed (k-major: K rows of mw), into dst (conv.c's gather_cols). */
const gatherCols: Gather = (plan, lhs, base, m0, mw, dst) => {
  const n = plan.nums;
  const [KS, outN, sb, sc] = [n[P.KS], n[P.outN], n[P.sB], n[P.sC]];
  const t = plan.table;
  const end = m0 + mw;
  let d = 0;
  for (let k = 0; k < plan.K; k++) {
    const c = Math.floor(k / KS);
    const ks = k - c * KS;
    for (let m = m0; m < end; ) {
      const os = Math.floor(m / outN);
      const n0 = m - os * outN;
      const len = Math.min(outN - n0, end - m);
      const s = t[os * KS + ks];
      if (s < 0) dst.fill(0, d, d + len);
      else {
        const at = base + c * sc + s + n0 * sb;
        for (let i = 0; i < len; i++) dst[d + i] = lhs[at + i * sb];
      }
      d += len;
      m += len;
    }
  }
};

export function jsConv(plan: ConvPlan, lhs: Float, rhs: Float, out: Float): void {
  const { M, K, Og, groups, nums } = plan;
  if (M === 0 || Og === 0) return;
  const dtype = out instanceof Float32Array ? 'float32' : 'float64';
  // Tiles of ~1M elements of A (the whole of k each: the JavaScript GEMM does not accumulate).
  const tm = Math.max(1, Math.min(M, Math.floor((1 << 20) / Math.max(1, K))));
  const Ctor = out.constructor as new (n: number) => Float;
  const a = new Ctor(tm * K);
  const [rG, rK, rO] = [nums[P.rG], nums[P.rK], nums[P.rO]];
  const [cG, cM, cO] = [nums[P.cG], nums[P.cM], nums[P.cO]];
  for (let g = 0; g < groups; g++) {
    const base = g * nums[P.lG];
    for (let m0 = 0; m0 < M; m0 += tm) {
      const mw = Math.min(tm, M - m0);
      if (plan.rows) gatherRows(plan, lhs, base, m0, mw, a);
      else gatherCols(plan, lhs, base, m0, mw, a);
      jsGemm(
        dtype,
        1,
        mw,
        Og,
        K,
        { data: a, offset: 0, strides: [0, plan.rows ? K : 1, plan.rows ? 1 : mw] },
        { data: rhs, offset: g * rG, strides: [0, rK, rO] },
        { data: out, offset: g * cG + m0 * cM, strides: [0, cM, cO] },
      );
    }
  }
}
