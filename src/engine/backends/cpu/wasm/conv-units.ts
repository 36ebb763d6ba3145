/**
 * @file The units of work of the WebAssembly convolution (conv.ts plans a call into a job) and the
 * runner every thread compiles, as gemm-units.ts is for the GEMM. A job is two phases: packing
 * the "other" operand (B: the kernel, or a weight gradient's cotangent), which the calling thread
 * does alone before the others start (it is small, and on a loaded machine a thread that stalls
 * in the middle of it would hold up every other), then compute units, one per (group, block of
 * the patch dimension M), claimed by the threads one at a time. A compute unit walks
 * k in blocks: it gathers its block of patches into the thread's scratch (conv-kernels.ts), packs
 * it with the GEMM's packing, multiplies it into the block of C in scratch (the k-blocks after the
 * first continue the sums there: `first` = 0), and at the end copies the block to the output.
 * The patch block is gathered once per k-block and is in cache when it is multiplied, so the
 * patch matrix never exists whole, in memory or packed.
 *
 * Orientations (conv-plan.ts): 'rows' multiplies A (patches, packed as A slivers) by B; 'cols'
 * computes C^T = B^T A^T, the patches packed as B slivers, whose runs along the lhs batch are then
 * contiguous along a sliver's width. Each element of C is summed in ascending k from +0, carried
 * through C between k-blocks, so the result does not depend on blocks or threads.
 */
import { runnerSource } from './gemm-units.js';
import { jobLayout, slotReader } from './jobs.js';

/** Indices into a conv job's Float64Array. Addresses and strides ending in "At"/"B" are in bytes. */
export const CJ = jobLayout([
  // (The slots runnerSource reads, as in every job.)
  'id',
  'f32',
  'esz',
  'rows',
  'groups',
  'M',
  'K',
  'kPad',
  'kc',
  'Og',
  'Cg',
  'KS',
  'OS',
  'outN',
  /** lhs strides in elements: batch, feature, group. */
  'sB',
  'sC',
  'lG',
  'lhsAt',
  'tabAt',
  /** The other operand's copy: where, and its group, k and column strides in bytes. */
  'oAt',
  'oSgB',
  'oSkB',
  'oSnB',
  /** Its packed slivers: where, bytes per group, padded columns (or rows, for 'cols'). */
  'oPack',
  'oGroupB',
  'oPad',
  'mr',
  'nr',
  /** Slivers of the other operand, packing units per group and slivers per unit. */
  'oSlivers',
  'oUnits',
  'oG',
  /** Patch rows (or columns) per compute unit; units per group. */
  'blk',
  'blocks',
  /** Per-thread scratch: where thread slot 0's is, bytes per slot, and its parts. */
  'scrAt',
  'scrB',
  'pAt',
  'cbAt',
  /** The output: element offset and group, row (m) and column strides. */
  'cOff',
  'cG',
  'cM',
  'cO',
  /** 1: this call packs the other operand (all of it) and returns; 0: compute units only. */
  'packing',
] as const);

const j = slotReader(CJ);

/**
 * The runner: `(rt, module, memory, job, ctl, out, lo, hi)`: claims units of the job's phase from
 * `ctl[1]` until none are left; `lo` is this call's slot (its scratch).
 */
export const CONV_RUNNER_SOURCE = runnerSource(`
    const rows = ${j('rows')} === 1;
    const M = ${j('M')}, K = ${j('K')}, kPad = ${j('kPad')}, kc = ${j('kc')}, Og = ${j('Og')};
    const mr = ${j('mr')}, nr = ${j('nr')}, oPad = ${j('oPad')};
    const oUnits = ${j('oUnits')}, oG = ${j('oG')}, oSlivers = ${j('oSlivers')};
    const blk = ${j('blk')}, blocks = ${j('blocks')};
    const packing = ${j('packing')} === 1;
    const nPack = packing ? ${j('groups')} * oUnits : 0;
    const all = packing ? nPack : ${j('groups')} * blocks;
    const scr = ${j('scrAt')} + lo * ${j('scrB')};
    const R = scr, P = scr + ${j('pAt')}, CB = scr + ${j('cbAt')};
    const pack = rows ? (f32 ? x.packB32 : x.packB64) : (f32 ? x.packA32 : x.packA64);
    const packP = rows ? (f32 ? x.packA32 : x.packA64) : (f32 ? x.packB32 : x.packB64);
    const gather = rows ? (f32 ? x.gatherRows32 : x.gatherRows64) : (f32 ? x.gatherCols32 : x.gatherCols64);
    const compute = f32 ? x.compute32 : x.compute64;
    const cOff = ${j('cOff')}, cG = ${j('cG')}, cM = ${j('cM')}, cO = ${j('cO')};
    let view = null;
    for (let u = Atomics.add(ctl, 1, 1); u < all; u = Atomics.add(ctl, 1, 1)) {
      if (packing) {
        const g = Math.floor(u / oUnits);
        const s0 = (u % oUnits) * oG;
        pack(${j('oAt')} + g * ${j('oSgB')}, ${j('oSnB')}, ${j('oSkB')}, Og, K, kPad, oPad,
          ${j('oPack')} + g * ${j('oGroupB')}, s0, Math.min(s0 + oG, oSlivers), kc);
        continue;
      }
      const v = u;
      const g = Math.floor(v / blocks);
      const p0 = (v % blocks) * blk;
      const w = Math.min(blk, M - p0);
      const wPad = Math.ceil(w / (rows ? mr : nr)) * (rows ? mr : nr);
      const lhs = ${j('lhsAt')} + g * ${j('lG')} * esz;
      const other = ${j('oPack')} + g * ${j('oGroupB')};
      for (let pc = 0; pc < kPad; pc += kc) {
        const kcb = Math.min(kc, kPad - pc);
        const kw = Math.min(kcb, K - pc);
        const first = pc === 0 ? 1 : 0;
        if (rows) {
          gather(lhs, ${j('tabAt')}, p0, w, pc, kw, R, ${j('OS')}, ${j('KS')}, ${j('Cg')}, ${j('sB')});
          packP(R, kw * esz, esz, w, kw, kcb, wPad, P, 0, wPad / mr, kcb);
          compute(P, other + pc * oPad * esz, CB, oPad * esz, 0, wPad / mr, 0, oPad / nr, kcb, kcb, wPad, oPad, first);
        } else {
          gather(lhs, ${j('tabAt')}, p0, w, pc, kw, R, ${j('KS')}, ${j('outN')}, ${j('sC')});
          packP(R, esz, w * esz, w, kw, kcb, wPad, P, 0, wPad / nr, kcb);
          compute(other + pc * oPad * esz, P, CB, wPad * esz, 0, oPad / mr, 0, wPad / nr, kcb, kcb, oPad, wPad, first);
        }
      }
      view ??= f32 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
      const from = CB / esz;
      const to = cOff + g * cG + p0 * cM;
      if (rows) {
        for (let i = 0; i < w; i++) {
          const a = from + i * oPad, b = to + i * cM;
          if (cO === 1 && Og > 32) out.set(view.subarray(a, a + Og), b);
          else for (let o = 0; o < Og; o++) out[b + o * cO] = view[a + o];
        }
      } else {
        for (let o = 0; o < Og; o++) {
          const a = from + o * wPad, b = to + o * cO;
          if (cM === 1 && w > 32) out.set(view.subarray(a, a + w), b);
          else for (let i = 0; i < w; i++) out[b + i * cM] = view[a + i];
        }
      }
    }`);
