/**
 * @file The WebAssembly tier's convolution (the `conv_gemm` kernel's portable tier, lib-conv.ts):
 * conv-plan.ts's C[g] = A[g] @ B[g], with A's patches gathered block by block straight into the
 * SIMD GEMM's panels (conv-units.ts) on this thread and the pool, in the GEMM's shared
 * WebAssembly memory and with its module (gemm.ts). This file plans a call and moves the data: the
 * lhs and the window table are copied in (a WebAssembly function sees only its own memory), B
 * too, to be packed once; each compute unit copies its block of C out.
 */

import type { ConvPlan } from '../conv-plan.js';
import { P } from '../conv-plan.js';
import { cpuThreads, ownsPool } from '../threads.js';
import { CJ, CONV_RUNNER_SOURCE } from './conv-units.js';
import { gemmConfig, gemmEngine, viewOf } from './gemm.js';
import { ensureBytes, type JobState, jobState, reach, runJob, sharedTarget } from './jobs.js';
import { wasmWinograd, winogradFits } from './winograd.js';
import { wasmWinogradFilter, winogradFilterFits } from './winograd-filter.js';

type Float = Float32Array | Float64Array;

const PAGE = 65536;
const MAX_PAGES = 65536;
/** Patch rows ('rows') or columns ('cols') per compute unit, at most. */
const BLOCK = { rows: 240, cols: 512 };

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;
const align = (bytes: number) => roundUp(bytes, 64);

let state: JobState | null = null;

export function wasmConv(plan: ConvPlan, lhs: Float, rhs: Float, out: Float): void {
  const { M, K, Og, groups, rows, nums } = plan;
  if (M === 0 || Og === 0 || groups === 0) return;
  if (K === 0) {
    fillZero(plan, out);
    return;
  }
  if (
    winogradFits(plan, out) &&
    wasmWinograd(plan, lhs as Float32Array, rhs as Float32Array, out as Float32Array)
  )
    return;
  if (
    winogradFilterFits(plan, out) &&
    wasmWinogradFilter(plan, lhs as Float32Array, rhs as Float32Array, out as Float32Array)
  )
    return;
  const eng = gemmEngine();
  state ??= jobState('conv_gemm', CONV_RUNNER_SOURCE, CJ, 2);
  const f32 = out instanceof Float32Array;
  const esz = f32 ? 4 : 8;
  const shape = f32 ? eng.f32 : eng.f64;
  const mr = shape.mr;
  const nr = shape.nv * (f32 ? 4 : 2);
  const kPad = roundUp(K, shape.ku);
  const kc = Math.min(roundUp(gemmConfig.kc, shape.ku), kPad);
  const flops = 2 * groups * M * K * Og;
  const threads = flops >= 2 * gemmConfig.parallelMin && ownsPool() ? cpuThreads() : 1;
  // Compute units: blocks of the patch dimension, at least four per thread where M allows.
  const gran = rows ? mr : nr;
  const blk = Math.max(
    gran,
    Math.min(rows ? BLOCK.rows : BLOCK.cols, roundUp(Math.ceil((M * groups) / (4 * threads)), gran)),
  );
  const blocks = Math.ceil(M / blk);
  // The other operand: B (K x Og) packed as B slivers for 'rows', as A slivers (of B^T) for 'cols'.
  const oW = rows ? nr : mr;
  const oPad = roundUp(Og, oW);
  const oSlivers = oPad / oW;
  const oG = oSlivers;
  const oUnits = 1;
  // Memory: lhs, table, B, packed B, then each thread's scratch (gathered block, packed block, C block).
  const lhsLen =
    reach([groups, plan.params.outN, plan.params.Cg], [nums[P.lG], nums[P.sB], nums[P.sC]]) +
    Math.max(0, plan.tableMax);
  const bLen = reach([groups, K, Og], [nums[P.rG], nums[P.rK], nums[P.rO]]);
  const blkPad = roundUp(blk, gran);
  const lhsAt = 0;
  const tabAt = align(lhsAt + lhsLen * esz);
  const oAt = align(tabAt + plan.table.length * 4);
  const oPack = align(oAt + bLen * esz);
  const oGroupB = align(kPad * oPad * esz);
  const pAt = align(blk * kc * esz);
  const cbAt = pAt + align(blkPad * kc * esz);
  const scrB = cbAt + align(blkPad * oPad * esz) + 64;
  const scrAt = oPack + groups * oGroupB;
  const bytes = scrAt + threads * scrB;
  if (bytes > MAX_PAGES * PAGE) {
    throw new RangeError(
      `conv_gemm: a convolution with ${M}x${K} patches needs more than 4 GiB of WebAssembly memory`,
    );
  }
  const mem = eng.memory;
  ensureBytes(mem, bytes);
  const view = viewOf(mem, f32);
  view.set(lhs.subarray(0, lhsLen), lhsAt / esz);
  new Int32Array(mem.buffer, tabAt, plan.table.length).set(plan.table);
  view.set(rhs.subarray(0, bLen), oAt / esz);
  const job = state.job;
  const set = (k: keyof typeof CJ, v: number) => {
    job[CJ[k]] = v;
  };
  set('id', eng.id);
  set('f32', f32 ? 1 : 0);
  set('esz', esz);
  set('rows', rows ? 1 : 0);
  set('groups', groups);
  set('M', M);
  set('K', K);
  set('kPad', kPad);
  set('kc', kc);
  set('Og', Og);
  set('Cg', nums[P.Cg]);
  set('KS', nums[P.KS]);
  set('OS', nums[P.OS]);
  set('outN', nums[P.outN]);
  set('sB', nums[P.sB]);
  set('sC', nums[P.sC]);
  set('lG', nums[P.lG]);
  set('lhsAt', lhsAt);
  set('tabAt', tabAt);
  set('oAt', oAt);
  set('oSgB', nums[P.rG] * esz);
  set('oSkB', nums[P.rK] * esz);
  set('oSnB', nums[P.rO] * esz);
  set('oPack', oPack);
  set('oGroupB', oGroupB);
  set('oPad', oPad);
  set('mr', mr);
  set('nr', nr);
  set('oSlivers', oSlivers);
  set('oUnits', oUnits);
  set('oG', oG);
  set('blk', blk);
  set('blocks', blocks);
  set('scrAt', scrAt);
  set('scrB', scrB);
  set('pAt', pAt);
  set('cbAt', cbAt);
  set('cOff', 0);
  set('cG', nums[P.cG]);
  set('cM', nums[P.cM]);
  set('cO', nums[P.cO]);
  // Workers write the output directly: it must be shared (small outputs are not: a shared copy).
  const target = sharedTarget(out, threads);
  const ctl = state.ctl;
  const args = [eng.module, mem, job, ctl, target];
  set('packing', 1);
  ctl[1] = 0;
  runJob(state, args, 1);
  set('packing', 0);
  ctl[1] = 0;
  runJob(state, args, threads);
  if (target !== out) out.set(target as Float64Array);
}

function fillZero(plan: ConvPlan, out: Float): void {
  const { nums } = plan;
  for (let g = 0; g < plan.groups; g++)
    for (let m = 0; m < plan.M; m++)
      for (let o = 0; o < plan.Og; o++) out[g * nums[P.cG] + m * nums[P.cM] + o * nums[P.cO]] = 0;
}
