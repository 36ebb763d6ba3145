/**
 * @file The GEMM's units of work and the code that runs them on every thread (gemm.ts plans a
 * call into a job). A job is two phases: packing (units of slivers of A or B, for one batch) and
 * computing (units of one block of C each, copied out to the output array when every thread can
 * see it). Each thread that takes part claims units one at a time from the job's counter, in
 * increasing order, until none are left (so a late or busy thread only takes fewer; the pool,
 * threads.ts, just starts the threads). When a thread claims a compute unit, every packing unit
 * has been claimed: it waits (Atomics.wait) until they are done, then computes. Which thread
 * computes a block changes nothing in its result.
 *
 * The runner is source text, compiled by each worker as threads.ts compiles any kernel (and by
 * this thread), so it imports nothing: the job's numbers come in a Float64Array at the indices of
 * `J`, the WebAssembly module and the shared memory as arguments.
 */

import { jobLayout, slotReader } from './jobs.js';

/** Indices into a job's Float64Array. Addresses and strides are in bytes. */
export const J = jobLayout([
  /** Which compiled module the job uses (a thread re-instantiates when it changes). */
  'id',
  'f32',
  'esz',
  'm',
  'n',
  'k',
  'mPad',
  'nPad',
  'kPad',
  'kc',
  'mr',
  'nr',
  /** Batches in this job; distinct batches of A and B (1 where broadcast). */
  'batch',
  'batchesA',
  'batchesB',
  /** Where A's (0,0,0) is, its batch stride, row stride, k stride. */
  'aAt',
  'aSb',
  'aRs',
  'aKs',
  /** Where B's (0,0,0) is, its batch stride, k stride, column stride. */
  'bAt',
  'bSb',
  'bKs',
  'bNs',
  'packedA',
  'packedB',
  'cAt',
  /** Packing units per batch of A and slivers per unit; the same for B. */
  'aUnits',
  'aG',
  'bUnits',
  'bG',
  /** Rows and columns of a block of C; blocks per matrix along each. */
  'mc',
  'nc',
  'mBlocks',
  'nBlocks',
  /** 1: compute units copy their block to `out` (element offset, strides in elements). */
  'copyOut',
  'cOff',
  'cSb',
  'cSr',
  'cSc',
  /** The first batch of this job, for the output's offset. */
  'batch0',
  /** Threads the job was planned for. */
  'threads',
] as const);

const j = slotReader(J);

/**
 * A runner's source around its `body`: `(rt, module, memory, job, ctl, out, lo, hi)` instantiates
 * the job's module once per thread (again when the job's module id changes) and reads its
 * precision into `f32` and `esz`, from the first three slots of every job (J.id, J.f32, J.esz).
 */
export function runnerSource(body: string): string {
  return `(() => {
  let id = -1;
  let x = null;
  return (rt, module, memory, job, ctl, out, lo, hi) => {
    if (x === null || job[${J.id}] !== id) {
      x = new WebAssembly.Instance(module, { env: { m: memory } }).exports;
      id = job[${J.id}];
    }
    const f32 = job[${J.f32}] === 1;
    const esz = job[${J.esz}];${body}
  };
})()`;
}

/**
 * The runner: `(rt, module, memory, job, ctl, out, lo, hi)` takes part in the job: it claims
 * units from `ctl[1]` until there are none left (`lo` and `hi`, the pool's range, are ignored);
 * `ctl[0]` counts finished packing units.
 */
export const RUNNER_SOURCE = runnerSource(`
    const m = ${j('m')}, n = ${j('n')}, k = ${j('k')};
    const mPad = ${j('mPad')}, nPad = ${j('nPad')}, kPad = ${j('kPad')}, kc = ${j('kc')};
    const mr = ${j('mr')}, nr = ${j('nr')};
    const aUnits = ${j('aUnits')}, aG = ${j('aG')}, bUnits = ${j('bUnits')}, bG = ${j('bG')};
    const nA = ${j('batchesA')} * aUnits;
    const nPack = nA + ${j('batchesB')} * bUnits;
    const aSize = kPad * mPad * esz;
    const bSize = kPad * nPad * esz;
    const mc = ${j('mc')}, nc = ${j('nc')}, nBlocks = ${j('nBlocks')};
    const perBatch = ${j('mBlocks')} * nBlocks;
    const all = nPack + ${j('batch')} * perBatch;
    let view = null;
    for (let u = Atomics.add(ctl, 1, 1); u < all; u = Atomics.add(ctl, 1, 1)) {
      if (u < nPack) {
        try {
          if (u < nA) {
            const bi = Math.floor(u / aUnits);
            const s0 = (u % aUnits) * aG;
            (f32 ? x.packA32 : x.packA64)(${j('aAt')} + bi * ${j('aSb')}, ${j('aRs')}, ${j('aKs')}, m, k, kPad, mPad,
              ${j('packedA')} + bi * aSize, s0, Math.min(s0 + aG, mPad / mr), kc);
          } else {
            const bi = Math.floor((u - nA) / bUnits);
            const t0 = ((u - nA) % bUnits) * bG;
            (f32 ? x.packB32 : x.packB64)(${j('bAt')} + bi * ${j('bSb')}, ${j('bNs')}, ${j('bKs')}, n, k, kPad, nPad,
              ${j('packedB')} + bi * bSize, t0, Math.min(t0 + bG, nPad / nr), kc);
          }
        } finally {
          if (Atomics.add(ctl, 0, 1) + 1 === nPack) Atomics.notify(ctl, 0);
        }
        continue;
      }
      for (let d = Atomics.load(ctl, 0); d < nPack; d = Atomics.load(ctl, 0)) Atomics.wait(ctl, 0, d);
      const v = u - nPack;
      const bi = Math.floor(v / perBatch);
      const i0 = Math.floor((v % perBatch) / nBlocks) * mc;
      const j0 = (v % nBlocks) * nc;
      const aAt = ${j('packedA')} + (${j('batchesA')} === 1 ? 0 : bi) * aSize;
      const bAt = ${j('packedB')} + (${j('batchesB')} === 1 ? 0 : bi) * bSize;
      const cAt = ${j('cAt')} + (bi * mPad * nPad + i0 * nPad + j0) * esz;
      (f32 ? x.compute32 : x.compute64)(aAt, bAt, cAt, nPad * esz, i0 / mr, Math.min(mc, mPad - i0) / mr,
        j0 / nr, Math.min(nc, nPad - j0) / nr, kPad, kc, mPad, nPad, 1);
      if (${j('copyOut')} === 1) {
        view ??= f32 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
        const rows = Math.min(mc, m - i0);
        const cols = Math.min(nc, n - j0);
        const sr = ${j('cSr')}, sc = ${j('cSc')};
        let to = ${j('cOff')} + (${j('batch0')} + bi) * ${j('cSb')} + i0 * sr + j0 * sc;
        let from = cAt / esz;
        for (let i = 0; i < rows; i++, to += sr, from += nPad) {
          // (A short row is cheaper element by element than through a subarray.)
          if (sc === 1 && cols > 32) out.set(view.subarray(from, from + cols), to);
          else for (let q = 0; q < cols; q++) out[to + q * sc] = view[from + q];
        }
      }
    }`);
