/**
 * @file Vectorizing map: the batching trace of Autodidax part 3. A BatchTracer is a value with
 * the batch dimension at `batchDim` (or null: not batched). Primitives without a batch rule fall
 * back to a loop over the batch (slice, apply, stack), which is correct for any primitive.
 */
import { ShapedArray } from '../core/aval.js';
import type { Params, Primitive } from '../core/primitive.js';
import type { ConcreteArray, MainTrace, Value } from '../core/trace.js';
import { bind, bind1, Trace, Tracer, withNewMain } from '../core/trace.js';
import { NpInt } from '../ir/pyrepr.js';
import { broadcast_in_dim, concatenate, reshape, slice, transpose } from '../primitives/structural.js';
import { type AxisName, type AxisRef, withAxisFrame } from './axes.js';

export type BatchDim = number | null;

/** A batch rule: values (batched at dims) to outputs and their batch dims. */
export type BatchRule = (
  vals: Value[],
  dims: BatchDim[],
  params: Params,
  axisSize: number,
) => [Value[], BatchDim[]];

export class BatchTracer extends Tracer {
  constructor(
    trace: Trace,
    readonly val: Value,
    readonly batchDim: BatchDim,
  ) {
    super(trace);
  }
  get aval(): ShapedArray {
    const a = this.val.aval;
    if (this.batchDim === null) return a;
    return new ShapedArray(
      a.shape.filter((_, d) => d !== this.batchDim),
      a.dtype,
      a.weakType,
    );
  }
  override fullLower(): Value {
    if (this.batchDim !== null) return this;
    return this.val instanceof Tracer ? this.val.fullLower() : this.val;
  }
}

interface BatchData {
  axisSize: number;
  /** vmap's axis_name, which collectives over this axis refer to. */
  axisName: AxisName | null;
}

/**
 * The axis name of the batch trace whose rule is running: a rule that batches an inner jaxpr
 * (jit, cond, scan, custom rules) re-enters the same named axis, as JAX's axis_data carries it.
 */
let ruleAxisName: AxisName | null = null;

/** The name of the vmapped axis a batch rule is running for (collectives' rules read it). */
export function currentAxisName(): AxisName | null {
  return ruleAxisName;
}

/** Axis names a collective primitive refers to (a rule slot of collectives). */
type AxisNamesRule = (params: Params) => readonly AxisRef[];

export class BatchTrace extends Trace {
  get axisSize(): number {
    return (this.main.globalData as BatchData).axisSize;
  }
  get axisName(): AxisName | null {
    return (this.main.globalData as BatchData).axisName;
  }
  pure(x: ConcreteArray): Tracer {
    return new BatchTracer(this, x, null);
  }
  lift(x: Tracer): Tracer {
    return new BatchTracer(this, x, null);
  }
  processPrimitive(prim: Primitive, tracers: Value[], params: Params): Value[] {
    const ts = tracers as BatchTracer[];
    const vals = ts.map((t) => t.val);
    const dims = ts.map((t) => t.batchDim);
    // A collective over this trace's axis is batched even with no batched operand (JAX's
    // skippable_batchers: only collectives over other axes pass through).
    const axes = (prim.rules.axisNames as AxisNamesRule | undefined)?.(params);
    const ours = axes !== undefined && this.axisName !== null && axes.includes(this.axisName);
    if (!ours && dims.every((d) => d === null)) return bind(prim, vals, params);
    const rule = (prim.rules.batch as BatchRule | undefined) ?? loopBatch(prim);
    const prev = ruleAxisName;
    ruleAxisName = this.axisName;
    let res: [Value[], BatchDim[]];
    try {
      res = rule(vals, dims, params, this.axisSize);
    } finally {
      ruleAxisName = prev;
    }
    const [outs, outDims] = res;
    return outs.map((o, i) => new BatchTracer(this, o, outDims[i]));
  }
}

// ---- helpers for batch rules ----------------------------------------------------------------------

/** Move the batch dim of `x` from `from` to `to` (materializing it by broadcasting if absent). */
export function moveBatchAxis(x: Value, from: BatchDim, to: number, axisSize: number): Value {
  if (from === null) {
    // JAX's batching.broadcast: the dims come from np.delete (np.int64 in the printed params).
    const shape = [...x.shape];
    shape.splice(to, 0, axisSize);
    const dims = x.shape.map((_, i) => new NpInt(i < to ? i : i + 1));
    return bind1(broadcast_in_dim, [x], { shape, broadcast_dimensions: dims, sharding: null });
  }
  if (from === to) return x;
  const perm = x.shape.map((_, i) => i).filter((i) => i !== from);
  perm.splice(to, 0, from);
  return bind1(transpose, [x], { permutation: perm });
}

/** Batch dim moved to the front (unbatched values stay as they are). */
export function batchToFront(x: Value, d: BatchDim, axisSize: number): Value {
  return d === null ? x : moveBatchAxis(x, d, 0, axisSize);
}

export function bdimAtFront(x: Value, d: BatchDim, axisSize: number): Value {
  return moveBatchAxis(x, d, 0, axisSize);
}

/** The generic rule: apply the primitive to each batch element and stack the results. */
export function loopBatch(prim: Primitive): BatchRule {
  return (vals, dims, params, axisSize) => {
    const fronted = vals.map((v, i) => batchToFront(v, dims[i], axisSize));
    const perItem: Value[][] = [];
    for (let b = 0; b < axisSize; b++) {
      const args = fronted.map((v, i) => (dims[i] === null ? v : indexFront(v, b)));
      perItem.push(bind(prim, args, params));
    }
    const nOut = perItem.length
      ? perItem[0].length
      : prim.rules.abstractEval(
          vals.map((v) => v.aval),
          params,
        ).length;
    const outs: Value[] = [];
    for (let k = 0; k < nOut; k++) {
      const parts = perItem.map((r) => {
        const o = r[k];
        return bind1(broadcast_in_dim, [o], {
          shape: [1, ...o.shape],
          broadcast_dimensions: o.shape.map((_, i) => i + 1),
          sharding: null,
        });
      });
      outs.push(parts.length === 1 ? parts[0] : bind1(concatenate, parts, { dimension: 0 }));
    }
    return [outs, outs.map(() => 0)];
  };
}

function indexFront(v: Value, b: number): Value {
  const start = v.shape.map((_, d) => (d === 0 ? b : 0));
  const limit = v.shape.map((n, d) => (d === 0 ? b + 1 : n));
  const s = bind1(slice, [v], { start_indices: start, limit_indices: limit, strides: null });
  return bind1(reshape, [s], { new_sizes: v.shape.slice(1), dimensions: null, sharding: null });
}

/**
 * Run `f` batched: values with their batch dims in, outputs with their batch dims out
 * (Autodidax's vmap_flat without the final moveaxis).
 */
export function batchFlat(
  f: (...xs: Value[]) => Value[],
  vals: Value[],
  dims: BatchDim[],
  axisSize: number,
  axisName: AxisName | null = ruleAxisName,
): [Value[], BatchDim[]] {
  return withNewMain(BatchTrace, { axisSize, axisName } satisfies BatchData, (main: MainTrace) => {
    const trace = new BatchTrace(main);
    const ins = vals.map((v, i) => (dims[i] === null ? v : new BatchTracer(trace, v, dims[i])));
    const frame = axisName === null ? null : { name: axisName, size: axisSize, main };
    const prev = ruleAxisName;
    ruleAxisName = null;
    try {
      const outs = withAxisFrame(frame, () => f(...ins)).map((o) => trace.fullRaise(o) as BatchTracer);
      return [outs.map((o) => o.val), outs.map((o) => o.batchDim)];
    } finally {
      ruleAxisName = prev;
    }
  });
}

/** Outputs of batchFlat moved to `outAxes` (null: must be unbatched). */
export function vmapFlat(
  f: (...xs: Value[]) => Value[],
  vals: Value[],
  inDims: BatchDim[],
  outAxes: BatchDim[] | ((i: number) => BatchDim),
  axisSize: number,
  axisName: AxisName | null = ruleAxisName,
): Value[] {
  const [outs, dims] = batchFlat(f, vals, inDims, axisSize, axisName);
  return outs.map((o, i) => {
    const want = typeof outAxes === 'function' ? outAxes(i) : outAxes[i];
    const d = dims[i];
    if (want === null) {
      if (d !== null) {
        throw new Error('vmap has mapped output but out_axes is None');
      }
      return o;
    }
    const rank = o.ndim + (d === null ? 1 : 0);
    const to = want < 0 ? want + rank : want;
    if (to < 0 || to >= rank) {
      throw new Error(`axis ${want} is out of bounds for array of dimension ${rank}`);
    }
    if (d === null) {
      // batching.matchaxis broadcasts an unbatched output with dimensions from np.delete, so
      // they print as np.int64, as in JAX.
      const shape = [...o.shape];
      shape.splice(to, 0, axisSize);
      const dims = o.shape.map((_, k) => new NpInt(k < to ? k : k + 1));
      return bind1(broadcast_in_dim, [o], { shape, broadcast_dimensions: dims, sharding: null });
    }
    return moveBatchAxis(o, d, to, axisSize);
  });
}
