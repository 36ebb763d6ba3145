/**
 * @file The WebAssembly tier's 3x3 convolutions as Winograd's F(2x2, 3x3) (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", CVPR 2016), taken by wasm/conv.ts for float32
 * 2-d convolutions with a 3x3 window, unit strides and dilations, one group and channels-last
 * features in multiples of four (the forward pass and the input gradient of NHWC convolutions).
 *
 * Each 2x2 block of outputs (a tile) reads a 4x4 block of the input: its transform V = B^T d B,
 * times the kernel's U = G g G^T element by element, summed over input features, is M; the outputs
 * are A^T M A. The sum over features is 16 GEMMs (one per element xi of the 4x4 tile: tiles x C by
 * C x O), 36 / 16 = 2.25 times fewer multiply-adds than the direct product; the transforms are
 * additions. The WebAssembly SIMD tier is bound by multiply-adds (its GEMM runs at ~95% of one
 * core's 128-bit FMA rate), so this is what makes it faster.
 *
 * A job (conv-units.ts's pattern): the calling thread transforms the kernel (in float32, here) and
 * packs U as the GEMM's B slivers; then compute units, one per (image, band of tile rows), claimed
 * by the threads one at a time: transform the band's input tiles (kernels in winograd-kernels.ts;
 * tiles at the border gathered with zeros first), pack and multiply each V[xi] by U[xi] with the
 * GEMM's functions, transform back into the thread's scratch and copy the band's rows out. Every
 * output element is computed by one fixed sequence of operations, whatever the threads.
 *
 * Rounding differs from the direct sum's: the transforms add values of the tile before the
 * products are summed, so an output's error is bounded by the sizes of its tile's inputs rather
 * than by its own products alone. For non-finite values the tile mixes them too (an infinity in
 * the input reaches the other outputs of its tile as NaN), so a unit that produces a non-finite
 * output marks the job, and the convolution is then computed again by direct summation, which
 * gives XLA's infinities and NaNs; a kernel with a non-finite value goes there at once.
 */

import type { ConvPlan } from '../conv-plan.js';
import { P } from '../conv-plan.js';
import { cpuThreads, ownsPool } from '../threads.js';
import { gemmConfig, gemmEngine, viewOf } from './gemm.js';
import type { MicroShape } from './gemm-kernels.js';
import { runnerSource } from './gemm-units.js';
import {
  ensureBytes,
  type JobState,
  jobLayout,
  jobSlots,
  jobState,
  reach,
  runJob,
  setSlots,
  sharedTarget,
  slotReader,
} from './jobs.js';

/** Tests and benchmarks may turn it off (then wasm/conv.ts sums directly). */
export const winogradConfig = {
  enabled: true,
  /** Input features per group at least: below, the direct sum's error bound is the tighter one. */
  minFeatures: 16,
  /** Tiles per compute unit, about (whole rows of tiles). */
  unitTiles: 64,
};

/** What this thread's calls did (tests check which path ran). */
export const winogradStats = { runs: 0, fallbacks: 0 };

const PAGE = 65536;
const MAX_PAGES = 65536;

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;
const align = (bytes: number) => roundUp(bytes, 64);

/** The slots both Winograd jobs start with (imageSlots fills the first ones). */
export const IMAGE_SLOTS = [
  'id',
  'f32',
  'esz',
  'N',
  'H',
  'W',
  'C',
  'O',
  'padH',
  'padW',
  'snB',
  'shB',
  'swB',
  'TH',
  'TW',
  'kPad',
  'kc',
  'oPad',
  'mr',
  'nr',
  // Memory: the transformed products M (xi apart), the result, the threads' scratch.
  'mAt',
  'msB',
  'yAt',
  'scrAt',
  'scrB',
] as const;

/** Runner source reading the shared slots that both runners use first. */
export const IMAGE_PRELUDE = (() => {
  const r = slotReader(jobLayout(IMAGE_SLOTS));
  return `
    const C = ${r('C')}, O = ${r('O')}, kPad = ${r('kPad')}, kc = ${r('kc')}, oPad = ${r('oPad')};
    const mr = ${r('mr')}, nr = ${r('nr')};`;
})();

/** Indices into a Winograd job's Float64Array (addresses and strides in bytes end in At / B). */
const [WJ, j] = jobSlots([
  ...IMAGE_SLOTS,
  'packing',
  'OH',
  'OW',
  'tb',
  'bands',
  'lhsAt',
  'uAt',
  'uPack',
  'uGroupB',
  'gAt',
  'pksB',
  'pAt',
  'cOff',
  'cM',
  'cO',
] as const);

/** The runner: `(rt, module, memory, job, ctl, out, lo, hi)`; `lo` is this call's scratch slot. */
const WINOGRAD_RUNNER_SOURCE = runnerSource(`${IMAGE_PRELUDE}
    if (${j('packing')} === 1) {
      x.winoKernel32(${j('gAt')}, C, O, ${j('uAt')});
      for (let xi = 0; xi < 16; xi++)
        x.packB32(${j('uAt')} + xi * C * O * 4, 4, O * 4, O, C, kPad, oPad,
          ${j('uPack')} + xi * ${j('uGroupB')}, 0, oPad / nr, kc);
      return;
    }
    const H = ${j('H')}, W = ${j('W')}, OH = ${j('OH')}, OW = ${j('OW')};
    const padH = ${j('padH')}, padW = ${j('padW')}, shB = ${j('shB')}, swB = ${j('swB')};
    const TW = ${j('TW')}, TH = ${j('TH')}, tb = ${j('tb')}, bands = ${j('bands')};
    const scr = ${j('scrAt')} + lo * ${j('scrB')};
    const PK = scr + ${j('pAt')}, MM = scr + ${j('mAt')}, Y = scr + ${j('yAt')};
    const patch = scr;
    const pks = ${j('pksB')}, ms = ${j('msB')}, uPack = ${j('uPack')}, uG = ${j('uGroupB')};
    const cOff = ${j('cOff')}, cM = ${j('cM')}, cO = ${j('cO')};
    const yRow = 2 * TW * O;
    let view = null;
    const all = ${j('N')} * bands;
    for (let u = Atomics.add(ctl, 1, 1); u < all; u = Atomics.add(ctl, 1, 1)) {
      const n = Math.floor(u / bands);
      const ty0 = (u % bands) * tb;
      const rowsT = Math.min(tb, TH - ty0);
      const T = rowsT * TW;
      const tPad = Math.ceil(T / mr) * mr;
      const img = ${j('lhsAt')} + n * ${j('snB')};
      view ??= new Float32Array(memory.buffer);
      if (T < tPad) {
        // The last sliver's rows past T are zeros.
        for (let xi = 0; xi < 16; xi++) {
          const at = (PK + xi * pks) / 4 + (tPad - mr) * kPad;
          view.fill(0, at, at + mr * kPad);
        }
      }
      for (let t = 0; t < T; t++) {
        const iy = 2 * (ty0 + Math.floor(t / TW)) - padH;
        const ix = 2 * (t % TW) - padW;
        const v = PK + (Math.floor(t / mr) * kPad * mr + (t % mr)) * 4;
        if (iy >= 0 && iy + 4 <= H && ix >= 0 && ix + 4 <= W) {
          x.winoIn32(img + iy * shB + ix * swB, shB, swB, C, v, pks);
        } else {
          x.winoPatch32(img, shB, swB, H, W, iy, ix, C, patch);
          x.winoIn32(patch, 16 * C, 4 * C, C, v, pks);
        }
      }
      for (let xi = 0; xi < 16; xi++)
        x.compute32(PK + xi * pks, uPack + xi * uG, MM + xi * ms, oPad * 4, 0, tPad / mr, 0, oPad / nr,
          kPad, kc, tPad, oPad, 1);
      if (x.winoOut32(MM, ms, oPad * 4, O, T, TW, Y, yRow * 4) !== 0) Atomics.store(ctl, 2, 1);
      const from = Y / 4;
      const rowsY = Math.min(2 * rowsT, OH - 2 * ty0);
      if (cO === 1 && cM === O && OW === 2 * TW) {
        // The band's rows lie one after another in the output too.
        out.set(view.subarray(from, from + rowsY * yRow), cOff + (n * OH + 2 * ty0) * OW * O);
        continue;
      }
      for (let r = 0; r < rowsY; r++) {
        const oy = 2 * ty0 + r;
        const a = from + r * yRow;
        const m0 = (n * OH + oy) * OW;
        if (cO === 1 && cM === O) out.set(view.subarray(a, a + OW * O), cOff + m0 * O);
        else
          for (let ox = 0; ox < OW; ox++)
            for (let o = 0; o < O; o++) out[cOff + (m0 + ox) * cM + o * cO] = view[a + ox * O + o];
      }
    }`);

let state: JobState | null = null;

/**
 * The slots both Winograd jobs start with: the module and precision, then the input image's
 * geometry (its batch N, features C, the O results per position, padding, byte strides of a
 * batch element, a row and a column) and the grid of TH x TW tiles.
 */
export function imageSlots(
  id: number,
  g: { N: number; H: number; W: number; C: number; O: number; TH: number; TW: number },
  pad: readonly number[],
  strides: readonly number[],
): Record<string, number> {
  const [snB, shB, swB] = strides.map((s) => s * 4);
  return { id, f32: 1, esz: 4, ...g, padH: pad[0], padW: pad[1], snB, shB, swB };
}

/** A Winograd convolution into `out`; false when a value was not finite (then sum directly). */
export type WinogradRun = (
  plan: ConvPlan,
  lhs: Float32Array,
  rhs: Float32Array,
  out: Float32Array,
) => boolean;

/** The GEMM engine and its float32 micro-kernel's shape (rows mr, columns nr). */
export function f32Kernel(): {
  eng: ReturnType<typeof gemmEngine>;
  shape: MicroShape;
  mr: number;
  nr: number;
} {
  const eng = gemmEngine();
  const shape = eng.f32;
  return { eng, shape, mr: shape.mr, nr: shape.nv * 4 };
}

/**
 * What both Winograd forms need: float32, Winograd on, one group, unit strides and dilations, and
 * `three` (the window, or the weight gradient's result) 3x3.
 */
export function plainFloat32(
  plan: ConvPlan,
  out: Float32Array | Float64Array,
  three: readonly number[],
): boolean {
  const p = plan.params;
  const ones = (xs: readonly number[]) => xs.every((s) => s === 1);
  return (
    winogradConfig.enabled &&
    out instanceof Float32Array &&
    plan.groups === 1 &&
    three.length === 2 &&
    three.every((k) => k === 3) &&
    ones(p.strides) &&
    ones(p.lhsDil) &&
    ones(p.rhsDil)
  );
}

/** Whether wasm/conv.ts may run this convolution as F(2x2, 3x3). */
export function winogradFits(plan: ConvPlan, out: Float32Array | Float64Array): boolean {
  const p = plan.params;
  return (
    plainFloat32(plan, out, p.kSp) &&
    plan.rows &&
    p.lhs[1] === 1 &&
    p.Cg % 4 === 0 &&
    p.Og % 4 === 0 &&
    p.Cg >= winogradConfig.minFeatures &&
    p.Cg <= gemmConfig.kc &&
    plan.M > 0 &&
    p.Og > 0
  );
}

/**
 * The kernel, dense as (ky, kx, c, o), at float `at` of `view` for winoKernel32 to transform.
 * False where a value is not finite.
 */
function placeKernel(plan: ConvPlan, rhs: Float32Array, view: Float32Array, at: number): boolean {
  const { Cg: C, Og: O } = plan.params;
  const rK = plan.nums[P.rK];
  const rO = plan.nums[P.rO];
  const n = 9 * C * O;
  if (rO === 1 && rK === O) view.set(rhs.subarray(0, n), at);
  else
    for (let k = 0; k < 9 * C; k++) for (let o = 0; o < O; o++) view[at + k * O + o] = rhs[k * rK + o * rO];
  for (let i = at; i < at + n; i++) if (!Number.isFinite(view[i])) return false;
  return true;
}

/**
 * Runs the convolution (winogradFits holds) into `out`. False when a value was not finite: the
 * caller then computes it by direct summation.
 */
export const wasmWinograd: WinogradRun = (plan, lhs, rhs, out) => {
  const p = plan.params;
  state ??= jobState('conv_winograd', WINOGRAD_RUNNER_SOURCE, WJ, 3);
  const { eng, shape, mr, nr } = f32Kernel();
  const { Cg: C, Og: O, outN: N } = p;
  const [H, W] = p.inSp;
  const [OH, OW] = p.outSp;
  const [sB, , sH, sW] = p.lhs;
  const TH = Math.ceil(OH / 2);
  const TW = Math.ceil(OW / 2);
  const tb = Math.max(1, Math.min(TH, Math.round(winogradConfig.unitTiles / TW)));
  const bands = Math.ceil(TH / tb);
  const tMax = roundUp(tb * TW, mr);
  const kPad = roundUp(C, shape.ku);
  const kc = Math.min(roundUp(gemmConfig.kc, shape.ku), kPad);
  const oPad = roundUp(O, nr);
  const threads = 2 * plan.M * plan.K * O >= 2 * gemmConfig.parallelMin && ownsPool() ? cpuThreads() : 1;
  // Memory: lhs, U, packed U, then each thread's scratch (patch, V, packed V, M, Y).
  const lhsLen = reach([N, H, W, C], [sB, sH, sW, 1]);
  const gAt = align(lhsLen * 4);
  const uAt = align(gAt + 9 * C * O * 4);
  const uPack = align(uAt + 16 * C * O * 4);
  const uGroupB = align(kPad * oPad * 4);
  const scrAt = uPack + 16 * uGroupB;
  const pAt = align(16 * C * 4);
  const pksB = align(tMax * kPad * 4);
  const mAt = pAt + 16 * pksB;
  const msB = align(tMax * oPad * 4);
  const yAt = mAt + 16 * msB;
  const scrB = yAt + align(2 * tb * 2 * TW * O * 4);
  const bytes = scrAt + threads * scrB;
  if (bytes > MAX_PAGES * PAGE) return false;
  const mem = eng.memory;
  ensureBytes(mem, bytes);
  const view = viewOf(mem, true) as Float32Array;
  if (!placeKernel(plan, rhs, view, gAt / 4)) {
    winogradStats.fallbacks++;
    return false;
  }
  view.set(lhs.subarray(0, lhsLen), 0);
  const job = state.job;
  setSlots(job, WJ, {
    ...imageSlots(eng.id, { N, H, W, C, O, TH, TW }, p.padLo, [sB, sH, sW]),
    OH,
    OW,
    tb,
    bands,
    kPad,
    kc,
    oPad,
    mr,
    nr,
    lhsAt: 0,
    uAt,
    uPack,
    uGroupB,
    scrAt,
    scrB,
    gAt,
    pksB,
    pAt,
    mAt,
    msB,
    yAt,
    cOff: 0,
    cM: plan.nums[P.cM],
    cO: plan.nums[P.cO],
  });
  const target = sharedTarget(out, threads);
  const ctl = state.ctl;
  const args = [eng.module, mem, job, ctl, target];
  job[WJ.packing] = 1;
  runJob(state, args, 1);
  job[WJ.packing] = 0;
  ctl[1] = 0;
  ctl[2] = 0;
  runJob(state, args, threads);
  winogradStats.runs++;
  if (ctl[2] !== 0) {
    winogradStats.fallbacks++;
    return false;
  }
  if (target !== out) out.set(target);
  return true;
};
