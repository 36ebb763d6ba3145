/**
 * @file The `scatter` CPU library kernel behind scatter, scatter-add, scatter-mul, scatter-min and
 * scatter-max (primitives/indexing.ts), with XLA's scatter semantics: the output starts as a copy
 * of the operand; for every scatter position (the index batch dimensions) the start vector is
 * read from the indices, and the update window is combined into the output.
 *
 * Out-of-bounds windows: CLIP clamps the start so the window fits; FILL_OR_DROP and
 * PROMISE_IN_BOUNDS skip the whole window, which is what XLA does (checked against JAX 0.10.2).
 * Updates apply in order, so with duplicate indices a plain scatter keeps the last one.
 *
 * Values combine in the storage dtype: typed-array stores round float32 and wrap integers;
 * float16 goes through its bits; bools combine as or (add) / and (mul); min/max propagate NaN.
 */
import { type ScatterParams, scatterLayout } from '../../compile/scatter-layout.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { registerLibKernel } from './lib.js';
import { f2h, h2f } from './runtime.js';

type Combine = (a: any, b: any) => any;

function combiner(kind: ScatterParams['kind'], dt: DType): Combine {
  const big = dt.isBig;
  switch (kind) {
    case 'set':
      return (_a, b) => b;
    case 'add':
      if (dt.isBool) return (a, b) => a | b;
      return (a, b) => a + b;
    case 'mul':
      if (dt.isBool) return (a, b) => a & b;
      return (a, b) => a * b;
    case 'min':
      // BigInts cannot go through Math.min; ints and floats can (NaN propagates, as in XLA).
      return big ? bigMin : (a, b) => Math.min(a, b);
    case 'max':
      return big ? bigMax : (a, b) => Math.max(a, b);
  }
}

function bigMin(a: bigint, b: bigint): bigint {
  if (b < a) return b;
  return a;
}

function bigMax(a: bigint, b: bigint): bigint {
  if (b > a) return b;
  return a;
}

function indexReader(idx: TypedArray): (i: number) => number {
  if (idx instanceof BigInt64Array || idx instanceof BigUint64Array) {
    return (i) => Number(BigInt.asIntN(32, idx[i] as bigint));
  }
  const a = idx as Exclude<TypedArray, BigInt64Array | BigUint64Array>;
  return (i) => a[i];
}

registerLibKernel('scatter', (ins, outs, rawParams, infos) => {
  const p = rawParams as unknown as ScatterParams;
  const operand = ins[0];
  let k = 1;
  const indices = p.indicesConst === null ? ins[k++] : null;
  const updates = p.updatesConst === null ? ins[k++] : null;
  const out = outs[0];
  out.set(operand as never);
  const dt = infos[0].dtype;
  const half = dt.name === 'float16';
  const f = combiner(p.kind, dt);
  const combine: Combine = half ? (a, b) => f2h(f(h2f(a), h2f(b))) : f;
  const idxConst = Number(p.indicesConst);
  const readIdx = indices ? indexReader(indices) : () => idxConst;
  // A constant update is a value; stored ones are in storage form (float16 bits, bools 0/1).
  const updConst =
    p.updatesConst === null
      ? null
      : half
        ? f2h(Number(p.updatesConst))
        : dt.isBig
          ? BigInt(p.updatesConst)
          : p.updatesConst;
  const readUpd = updates ? (u: number) => updates[u] : () => updConst;

  const oShape = p.operandShape;
  const rank = oShape.length;
  const L = scatterLayout(p);
  const { oStrides, uStrides, iStrides, ivd, nIdx, batchShape, nBatch, uScatterDims, windowOperandDims } = L;
  const { windowShape, nWindow, extent } = L;
  const clip = p.mode === 'CLIP';

  const bIdx = new Array<number>(batchShape.length).fill(0);
  const start = new Array<number>(rank).fill(0);
  const wIdx = new Array<number>(windowShape.length).fill(0);
  if (nWindow === 0) return;
  for (let b = 0; b < nBatch; b++) {
    // Start vector of this scatter position.
    let iBase = 0;
    let uBase = 0;
    for (let k = 0; k < bIdx.length; k++) {
      iBase += bIdx[k] * iStrides[k];
      uBase += bIdx[k] * uStrides[uScatterDims[k]];
    }
    start.fill(0);
    let inBounds = true;
    for (let k = 0; k < nIdx; k++) {
      const d = p.scatterDimsToOperandDims[k];
      let s = readIdx(iBase + k * iStrides[ivd]);
      const hi = oShape[d] - extent[d];
      if (clip) s = Math.min(Math.max(s, 0), hi);
      else if (s < 0 || s > hi) inBounds = false;
      start[d] = s;
    }
    p.operandBatchingDims.forEach((d, i) => {
      start[d] = bIdx[p.scatterIndicesBatchingDims[i]];
    });
    if (inBounds) {
      let oBase = 0;
      for (let d = 0; d < rank; d++) oBase += start[d] * oStrides[d];
      wIdx.fill(0);
      for (let w = 0; w < nWindow; w++) {
        let o = oBase;
        let u = uBase;
        for (let j = 0; j < wIdx.length; j++) {
          o += wIdx[j] * oStrides[windowOperandDims[j]];
          u += wIdx[j] * uStrides[p.updateWindowDims[j]];
        }
        out[o] = combine(out[o], readUpd(u));
        for (let j = wIdx.length - 1; j >= 0; j--) {
          if (++wIdx[j] < windowShape[j]) break;
          wIdx[j] = 0;
        }
      }
    }
    for (let k = bIdx.length - 1; k >= 0; k--) {
      if (++bIdx[k] < batchShape[k]) break;
      bIdx[k] = 0;
    }
  }
});
