/**
 * @file The geometry of the `scatter` library kernel (primitives/indexing.ts lowers scatter,
 * scatter-add/mul/min/max to it), read once from its params for every backend that runs it
 * (backends/cpu/lib-scatter.ts in JavaScript, backends/webgpu/lib.ts in WGSL): XLA's scatter
 * dimension numbers turned into strides, the index batch (scatter positions), the update window
 * and its extent in every operand dim.
 */
import { stridesOf } from '../core/shape.js';

/** The scatter library kernel's params, as primitives/indexing.ts lowers them. */
export interface ScatterParams {
  kind: 'set' | 'add' | 'mul' | 'min' | 'max';
  /** Every index / update element, when constant (then there is no input buffer for it). */
  indicesConst: number | bigint | null;
  updatesConst: number | bigint | null;
  mode: 'CLIP' | 'FILL_OR_DROP' | 'PROMISE_IN_BOUNDS';
  operandShape: number[];
  indicesShape: number[];
  updatesShape: number[];
  updateWindowDims: number[];
  insertedWindowDims: number[];
  scatterDimsToOperandDims: number[];
  operandBatchingDims: number[];
  scatterIndicesBatchingDims: number[];
}

export interface ScatterLayout {
  /** Row-major strides of the operand, the updates and the indices. */
  oStrides: number[];
  uStrides: number[];
  iStrides: number[];
  /** The index vector dim of the indices (their last) and its length. */
  ivd: number;
  nIdx: number;
  /** The scatter positions: the indices' dims before the index vector dim. */
  batchShape: number[];
  nBatch: number;
  /** Updates dims that are scatter dims (not update_window_dims), in order. */
  uScatterDims: number[];
  /** Operand dims the window spans (neither inserted nor batching dims), in order. */
  windowOperandDims: number[];
  windowShape: number[];
  nWindow: number;
  /** The window's extent in every operand dim (1 for inserted and batching dims). */
  extent: number[];
}

export function scatterLayout(p: ScatterParams): ScatterLayout {
  const oShape = p.operandShape;
  const ivd = p.indicesShape.length - 1;
  const batchShape = p.indicesShape.slice(0, ivd);
  const windowOperandDims = oShape
    .map((_, d) => d)
    .filter((d) => !p.insertedWindowDims.includes(d) && !p.operandBatchingDims.includes(d));
  const windowShape = p.updateWindowDims.map((d) => p.updatesShape[d]);
  const extent = new Array<number>(oShape.length).fill(1);
  windowOperandDims.forEach((d, j) => {
    extent[d] = windowShape[j];
  });
  return {
    oStrides: stridesOf(oShape),
    uStrides: stridesOf(p.updatesShape),
    iStrides: stridesOf(p.indicesShape),
    ivd,
    nIdx: p.indicesShape[ivd],
    batchShape,
    nBatch: batchShape.reduce((a, b) => a * b, 1),
    uScatterDims: p.updatesShape.map((_, d) => d).filter((d) => !p.updateWindowDims.includes(d)),
    windowOperandDims,
    windowShape,
    nWindow: windowShape.reduce((a, b) => a * b, 1),
    extent,
  };
}
