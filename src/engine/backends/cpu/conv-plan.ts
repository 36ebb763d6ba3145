/**
 * @file The `conv_gemm` library kernel's plan, shared by its three tiers (native conv.c,
 * WebAssembly wasm/conv.ts, JavaScript conv-js.ts): the convolution as C[g] (M x Og) = A[g] (M x
 * K) @ B[g] (K x Og), with A gathered from the lhs (primitives/conv-gemm.ts says how and why).
 *
 * Everything about the window's geometry (strides, padding, both dilations) is folded into one
 * small table: for output position `os` and window position `ks`, the offset of the lhs element
 * (batch 0, feature 0) they read, or -1 where that is padding or a hole of the lhs dilation. A
 * gather then only adds the batch and feature offsets, so the three tiers share this one
 * description of what A holds. The table has (output positions x window positions) entries (9216
 * for a 32x32 image and a 3x3 window): small, and built once per compiled kernel.
 *
 * The numbers go to native code and to worker threads as one Float64Array, in conv.c's order.
 */

import type { ConvWindow } from '../../compile/conv-window.js';

/** The kernel's params, as primitives/conv-gemm.ts emits them: the window, and the operands' layout. */
export interface ConvGemmParams extends ConvWindow {
  /** 'rows': k = (window position, feature), runs along the feature; 'cols': m = (output position, batch), runs along the batch. */
  orient: 'rows' | 'cols';
  /** lhs element strides: batch, feature, then each spatial dimension. */
  lhs: number[];
  /** lhs stride from one group to the next. */
  lhsGroup: number;
  /** B's strides: group, k, column. */
  rhs: [number, number, number];
  /** C's strides: group, row (m), column. */
  out: [number, number, number];
}

/** Indices into the plan's numbers (native/blas/src/conv.c's enum). */
export const P = {
  orient: 0,
  groups: 1,
  M: 2,
  K: 3,
  Og: 4,
  Cg: 5,
  KS: 6,
  OS: 7,
  outN: 8,
  lOrg: 9,
  lG: 10,
  sB: 11,
  sC: 12,
  rOff: 13,
  rG: 14,
  rK: 15,
  rO: 16,
  cOff: 17,
  cG: 18,
  cM: 19,
  cO: 20,
  tm: 21,
  kb: 22,
  tiles: 23,
} as const;
export const PLAN_SIZE = 24;

export interface ConvPlan {
  params: ConvGemmParams;
  rows: boolean;
  groups: number;
  M: number;
  K: number;
  Og: number;
  /** The window table (see the file comment), on a SharedArrayBuffer so that workers can read it. */
  table: Int32Array;
  /** The table's largest entry (-1 when every window position is padding). */
  tableMax: number;
  /** The numbers, in P's order (tiling for the native tier). */
  nums: Float64Array;
}

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** table[os * KS + ks]: see the file comment. */
function windowTable(p: ConvGemmParams): Int32Array {
  const nsp = p.outSp.length;
  const OS = prod(p.outSp);
  const KS = prod(p.kSp);
  // Per dimension, the offset (or -1) for each (output position, window position) pair.
  const per = p.outSp.map((on, d) => {
    const kn = p.kSp[d];
    const ld = p.lhsDil[d];
    const size = (p.inSp[d] - 1) * ld + 1;
    const t = new Int32Array(on * kn);
    for (let o = 0; o < on; o++) {
      for (let k = 0; k < kn; k++) {
        const pos = o * p.strides[d] + k * p.rhsDil[d] - p.padLo[d];
        t[o * kn + k] = pos >= 0 && pos < size && pos % ld === 0 ? (pos / ld) * p.lhs[2 + d] : -1;
      }
    }
    return t;
  });
  const table = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, OS * KS))).subarray(0, OS * KS);
  const o = new Array<number>(nsp).fill(0);
  const k = new Array<number>(nsp).fill(0);
  let i = 0;
  for (let os = 0; os < OS; os++) {
    k.fill(0);
    for (let ks = 0; ks < KS; ks++) {
      let off = 0;
      for (let d = 0; d < nsp && off >= 0; d++) {
        const v = per[d][o[d] * p.kSp[d] + k[d]];
        off = v < 0 ? -1 : off + v;
      }
      table[i++] = off;
      for (let d = nsp - 1; d >= 0 && ++k[d] === p.kSp[d]; d--) k[d] = 0;
    }
    for (let d = nsp - 1; d >= 0 && ++o[d] === p.outSp[d]; d--) o[d] = 0;
  }
  return table;
}

/**
 * Tiles of C's rows and blocks of k for the native tier, from the shapes alone (so every element
 * of C has one order of operations whatever the thread count): k in blocks of at most ~2048, rows
 * so that a gathered tile of A takes ~512 KiB (it is read once more by BLAS's own packing, from
 * L2), and at least 8 tiles where there are rows enough, to share them among the threads.
 */
export function nativeTiling(M: number, K: number): { tm: number; kb: number; tiles: number } {
  const kb = K <= 4096 ? Math.max(1, K) : Math.ceil(K / Math.ceil(K / 2048));
  const round16 = (x: number) => Math.max(16, Math.floor(x / 16) * 16);
  const tm = Math.min(round16((1 << 17) / kb), Math.max(16, Math.ceil(Math.ceil(M / 8) / 16) * 16));
  return { tm, kb, tiles: Math.max(1, Math.ceil(M / tm)) };
}

const plans = new WeakMap<object, ConvPlan>();

/** The plan of a kernel's params (built once per compiled kernel: params objects live with it). */
export function convPlan(params: Record<string, unknown>): ConvPlan {
  let plan = plans.get(params);
  if (plan) return plan;
  const p = params as unknown as ConvGemmParams;
  const rows = p.orient === 'rows';
  const OS = prod(p.outSp);
  const KS = prod(p.kSp);
  const M = p.outN * OS;
  const K = p.Cg * KS;
  const { tm, kb, tiles } = nativeTiling(M, K);
  const nums = new Float64Array(PLAN_SIZE);
  const set: [keyof typeof P, number][] = [
    ['orient', rows ? 0 : 1],
    ['groups', p.groups],
    ['M', M],
    ['K', K],
    ['Og', p.Og],
    ['Cg', p.Cg],
    ['KS', KS],
    ['OS', OS],
    ['outN', p.outN],
    ['lOrg', 0],
    ['lG', p.lhsGroup],
    ['sB', p.lhs[0]],
    ['sC', p.lhs[1]],
    ['rOff', 0],
    ['rG', p.rhs[0]],
    ['rK', p.rhs[1]],
    ['rO', p.rhs[2]],
    ['cOff', 0],
    ['cG', p.out[0]],
    ['cM', p.out[1]],
    ['cO', p.out[2]],
    ['tm', tm],
    ['kb', kb],
    ['tiles', tiles],
  ];
  for (const [name, v] of set) nums[P[name]] = v;
  const table = windowTable(p);
  let tableMax = -1;
  for (const v of table) tableMax = Math.max(tableMax, v);
  plan = { params: p, rows, groups: p.groups, M, K, Og: p.Og, table, tableMax, nums };
  plans.set(params, plan);
  return plan;
}
