/**
 * @file The weight gradient of a 3x3 convolution on the WebAssembly tier as Winograd's F(3x3, 2x2)
 * (Lavin and Gray 2016, whose gradients use the same transforms with the roles of the filter and
 * the output exchanged): taken by wasm/conv.ts for float32 'cols' convolutions (primitives/
 * conv-gemm.ts: the lhs is the input with batch and feature exchanged, the "kernel" the output
 * gradient, the result 3x3) with unit strides and dilations, one group, features in multiples of
 * four and the lhs's batch (the input's features) contiguous.
 *
 * The output gradient's positions go in 2x2 tiles; each tile's 4x4 block of the input, transformed
 * (V = B^T d B, winograd-kernels.ts winoInRows32), and its 2x2 gradient block, transformed (U = G' h
 * G'^T, winoDy32), contribute V[xi]^T U[xi] to M[xi] (C x O), summed over every tile of every
 * image: 16 GEMMs with k = the tiles (36 / 16 = 2.25 times fewer multiply-adds than the direct
 * sum), then the result is A^T M A (winoOut3x32). A job has three phases, each a pass of this
 * runner: units of UNIT_TILES tiles, claimed by the threads, each transforming its tiles into the
 * thread's scratch (where they stay in cache) and multiplying them into its own partial M (the
 * GEMM's packing and micro-kernel, k ascending from +0); then M[xi] = the partials summed in unit
 * order (one unit per xi); then the output transform (the calling thread). Units are fixed by the
 * shapes, so every result element is computed by one fixed sequence of operations, whatever the
 * threads. As for the forward pass (winograd.ts), a non-finite result sends the convolution back
 * to direct summation.
 */

import type { ConvPlan } from '../conv-plan.js';
import { P } from '../conv-plan.js';
import { cpuThreads, ownsPool } from '../threads.js';
import { gemmConfig, viewOf } from './gemm.js';
import { runnerSource } from './gemm-units.js';
import { ensureBytes, type JobState, jobSlots, jobState, reach, runJob, setSlots } from './jobs.js';
import {
  f32Kernel,
  IMAGE_PRELUDE,
  IMAGE_SLOTS,
  imageSlots,
  plainFloat32,
  type WinogradRun,
  winogradConfig,
  winogradStats,
} from './winograd.js';

const PAGE = 65536;
const MAX_PAGES = 65536;
/** Tiles per transform unit. */
const UNIT_TILES = 256;

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;
const align = (bytes: number) => roundUp(bytes, 64);

/** Indices into the job's Float64Array (addresses and strides in bytes end in At / B). */
const [FJ, j] = jobSlots([
  ...IMAGE_SLOTS,
  'phase',
  'KH',
  'KW',
  'dyRowB',
  'dyColB',
  'dyImgB',
  'T',
  'xAt',
  'dyAt',
  'vAt',
  'vsB',
  'uAt',
  'usB',
  'paAt',
  'pbAt',
  'cPad',
  'units',
  'ku',
] as const);

const FILTER_RUNNER_SOURCE = runnerSource(`${IMAGE_PRELUDE}
    const phase = ${j('phase')}, T = ${j('T')}, cPad = ${j('cPad')}, units = ${j('units')};
    const mAt = ${j('mAt')}, ms = ${j('msB')};
    if (phase === 2) {
      if (x.winoOut3x32(mAt, ms, oPad * 4, C, O, ${j('yAt')}) !== 0) Atomics.store(ctl, 2, 1);
      return;
    }
    if (phase === 1) {
      // M[xi] = the units' partial sums, in unit order (unit 0's is M itself).
      for (let xi = Atomics.add(ctl, 1, 1); xi < 16; xi = Atomics.add(ctl, 1, 1))
        for (let u = 1; u < units; u++) x.addInto32(mAt + xi * ms, mAt + (u * 16 + xi) * ms, ms);
      return;
    }
    const scr = ${j('scrAt')} + lo * ${j('scrB')};
    const V = scr + ${j('vAt')}, vs = ${j('vsB')}, U = scr + ${j('uAt')}, us = ${j('usB')};
    const PA = scr + ${j('paAt')}, PB = scr + ${j('pbAt')};
    const H = ${j('H')}, W = ${j('W')}, KH = ${j('KH')}, KW = ${j('KW')};
    const padH = ${j('padH')}, padW = ${j('padW')}, snB = ${j('snB')}, shB = ${j('shB')}, swB = ${j('swB')};
    const dyRow = ${j('dyRowB')}, dyCol = ${j('dyColB')}, dyImg = ${j('dyImgB')};
    const TH = ${j('TH')}, TW = ${j('TW')}, xAt = ${j('xAt')}, dyAt = ${j('dyAt')};
    const perImage = TH * TW;
    for (let u = Atomics.add(ctl, 1, 1); u < units; u = Atomics.add(ctl, 1, 1)) {
      const t0 = u * ${UNIT_TILES};
      const tiles = Math.min(T, t0 + ${UNIT_TILES}) - t0;
      for (let i = 0; i < tiles; i++) {
        const t = t0 + i;
        const n = Math.floor(t / perImage);
        const ty = Math.floor((t % perImage) / TW);
        const tx = t % TW;
        const img = xAt + n * snB;
        const iy = 2 * ty - padH;
        const ix = 2 * tx - padW;
        if (iy >= 0 && iy + 4 <= H && ix >= 0 && ix + 4 <= W) {
          x.winoInRows32(img + iy * shB + ix * swB, shB, swB, C, V + i * C * 4, vs);
        } else {
          x.winoPatch32(img, shB, swB, H, W, iy, ix, C, scr);
          x.winoInRows32(scr, 16 * C, 4 * C, C, V + i * C * 4, vs);
        }
        const dimg = dyAt + n * dyImg;
        if (2 * ty + 2 <= KH && 2 * tx + 2 <= KW) {
          x.winoDy32(dimg + 2 * ty * dyRow + 2 * tx * dyCol, dyRow, dyCol, O, U + i * O * 4, us);
        } else {
          x.winoPatch32(dimg, dyRow, dyCol, KH, KW, 2 * ty, 2 * tx, O, scr);
          x.winoDy32(scr, 16 * O, 4 * O, O, U + i * O * 4, us);
        }
      }
      // This unit's part of each M[xi]: V[xi]^T U[xi] over its tiles, k ascending from +0.
      const kp = Math.ceil(tiles / ${j('ku')}) * ${j('ku')};
      for (let xi = 0; xi < 16; xi++) {
        x.packA32(V + xi * vs, 4, C * 4, C, tiles, kp, cPad, PA, 0, cPad / mr, kp);
        x.packB32(U + xi * us, 4, O * 4, O, tiles, kp, oPad, PB, 0, oPad / nr, kp);
        x.compute32(PA, PB, mAt + (u * 16 + xi) * ms, oPad * 4, 0, cPad / mr, 0, oPad / nr, kp, kp, cPad, oPad, 1);
      }
    }`);

let state: JobState | null = null;

/** Whether wasm/conv.ts may run this weight gradient as F(3x3, 2x2). */
export function winogradFilterFits(plan: ConvPlan, out: Float32Array | Float64Array): boolean {
  const p = plan.params;
  return (
    plainFloat32(plan, out, p.outSp) &&
    !plan.rows &&
    p.lhs[0] === 1 &&
    plan.nums[P.rO] === 1 &&
    p.outN % 4 === 0 &&
    p.Og % 4 === 0 &&
    plan.K >= 4 * winogradConfig.minFeatures
  );
}

/**
 * Runs the weight gradient (winogradFilterFits holds) into `out`; false when a value was not
 * finite (the caller then sums directly).
 */
export const wasmWinogradFilter: WinogradRun = (plan, lhs, rhs, out) => {
  const p = plan.params;
  state ??= jobState('conv_winograd_filter', FILTER_RUNNER_SOURCE, FJ, 3);
  const { eng, shape, mr, nr } = f32Kernel();
  // In the plan's terms the input's features are the lhs batch (C = outN) and its batch the lhs
  // feature (N = Cg); the output gradient is B, k = (n, y, x), with the window kSp its image.
  const C = p.outN;
  const N = p.Cg;
  const O = p.Og;
  const [H, W] = p.inSp;
  const [KH, KW] = p.kSp;
  const [sC, sN, sH, sW] = p.lhs;
  const rK = plan.nums[P.rK];
  const TH = Math.ceil(KH / 2);
  const TW = Math.ceil(KW / 2);
  const T = N * TH * TW;
  const cPad = roundUp(C, mr);
  const oPad = roundUp(O, nr);
  const units = Math.ceil(T / UNIT_TILES);
  const kMax = roundUp(Math.min(T, UNIT_TILES), shape.ku);
  const threads = 2 * plan.M * plan.K * O >= 2 * gemmConfig.parallelMin && ownsPool() ? cpuThreads() : 1;
  const xLen = reach([C, N, H, W], [sC, sN, sH, sW]);
  const dyLen = reach([N * KH * KW, O], [rK, 1]);
  const dyAt = align(xLen * 4);
  // Then every unit's partial M (unit 0's becomes M), the result, the threads' scratch (a border
  // patch, the unit's V and U, packed V[xi]^T and U[xi]).
  const mAt = align(dyAt + dyLen * 4);
  const msB = align(cPad * oPad * 4);
  const yAt = mAt + units * 16 * msB;
  const scrAt = yAt + align(9 * C * O * 4);
  const vAt = align(16 * Math.max(C, O) * 4);
  const vsB = align(kMax * C * 4);
  const uAt = vAt + 16 * vsB;
  const usB = align(kMax * O * 4);
  const paAt = uAt + 16 * usB;
  const pbAt = paAt + align(cPad * kMax * 4);
  const scrB = pbAt + align(oPad * kMax * 4);
  const bytes = scrAt + threads * scrB;
  if (bytes > MAX_PAGES * PAGE) return false;
  const mem = eng.memory;
  ensureBytes(mem, bytes);
  const view = viewOf(mem, true) as Float32Array;
  view.set(lhs.subarray(0, xLen), 0);
  view.set(rhs.subarray(0, dyLen), dyAt / 4);
  const job = state.job;
  setSlots(job, FJ, {
    ...imageSlots(eng.id, { N, H, W, C, O, TH, TW }, p.padLo, [sN, sH, sW]),
    KH,
    KW,
    dyRowB: KW * rK * 4,
    dyColB: rK * 4,
    dyImgB: KH * KW * rK * 4,
    T,
    xAt: 0,
    dyAt,
    vAt,
    vsB,
    uAt,
    usB,
    mAt,
    msB,
    yAt,
    scrAt,
    scrB,
    paAt,
    pbAt,
    cPad,
    units,
    ku: shape.ku,
    kPad: kMax,
    kc: kMax,
    oPad,
    mr,
    nr,
  });
  const ctl = state.ctl;
  const args = [eng.module, mem, job, ctl, out];
  ctl[2] = 0;
  for (const phase of [0, 1]) {
    job[FJ.phase] = phase;
    ctl[1] = 0;
    runJob(state, args, threads);
  }
  job[FJ.phase] = 2;
  runJob(state, args, 1);
  winogradStats.runs++;
  if (ctl[2] !== 0) {
    winogradStats.fallbacks++;
    return false;
  }
  // The result, (ky, kx, c) rows of O, into C's layout: m = (ky*3 + kx) * C + c.
  const y = view.subarray(yAt / 4, yAt / 4 + 9 * C * O);
  const cM = plan.nums[P.cM];
  const cO = plan.nums[P.cO];
  if (cO === 1 && cM === O) out.set(y);
  else for (let m = 0; m < 9 * C; m++) for (let o = 0; o < O; o++) out[m * cM + o * cO] = y[m * O + o];
  return true;
};
