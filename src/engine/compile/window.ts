/**
 * @file Windowed computations in the kernel IR: where a window offset of an output element reads
 * its operand (strides, low/high padding, base and window dilation), a reduce kernel over the
 * window offsets, and a fold that applies a scalar step once per offset in order. Only index
 * arithmetic of the kernel IR is used, so every backend renders the result with no code of its
 * own. The semantics are XLA's ReduceWindow (openxla.org operation semantics): an output element
 * visits the window offsets in row-major order and skips those that land in padding or in the
 * holes of base dilation; XLA's CPU backend (which JAX 0.10.2 runs) folds `acc = f(acc, x)`
 * starting from the init value.
 */
import { ShapedArray } from '../core/aval.js';
import { bool } from '../core/dtype.js';
import type { Params } from '../core/primitive.js';
import { bin, iconst, type SExpr, sel } from './kir.js';
import { Lazy, type LowerCtx } from './lower.js';

/** A window's geometry, one entry per operand dimension. */
export interface Window {
  dims: number[];
  strides: number[];
  padding: [number, number][];
  baseDilation: number[];
  windowDilation: number[];
}

const nums = (v: unknown): number[] => (v as readonly unknown[]).map(Number);

/** The geometry in a primitive's params (JAX's names; dilations default to 1). */
export function windowOf(p: Params): Window {
  const dims = nums(p.window_dimensions);
  const ones = dims.map(() => 1);
  return {
    dims,
    strides: nums(p.window_strides),
    padding: (p.padding as readonly (readonly unknown[])[]).map((q) => [Number(q[0]), Number(q[1])]),
    baseDilation: p.base_dilation ? nums(p.base_dilation) : ones,
    windowDilation: p.window_dilation ? nums(p.window_dilation) : ones,
  };
}

/** max(0, 1 + d * (n - 1)): a size after dilation (core.dilate_dim). */
export function dilateDim(n: number, d: number): number {
  return d === 1 ? n : Math.max(0, 1 + d * (n - 1));
}

/** Output size along one dimension (reduce_window_shape_tuple, core.stride_dim). */
export function windowOutDim(w: Window, n: number, d: number): number {
  const padded = dilateDim(n, w.baseDilation[d]) + w.padding[d][0] + w.padding[d][1];
  const span = dilateDim(w.dims[d], w.windowDilation[d]);
  return Math.max(0, Math.floor((padded - span) / w.strides[d]) + 1);
}

/** Every window offset, in row-major order (the order XLA visits them in). */
export function windowOffsets(dims: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const n of dims) {
    const next: number[][] = [];
    for (const o of out) for (let k = 0; k < n; k++) next.push([...o, k]);
    out = next;
  }
  return out;
}

const and = (a: SExpr | null, b: SExpr): SExpr => (a ? bin('and', a, b, bool) : b);

/**
 * Where window offset `k` of output element `o` reads an operand of `shape`: the (clamped, so
 * always in bounds) operand index and a boolean that is false in padding and dilation holes
 * (null when every tap of the window is valid). In base-dilated, padded coordinates the tap is
 * `t = o * stride + k * window_dilation - pad_lo`; it is an operand element when `t >= 0`,
 * `t` is a multiple of the base dilation, and `t / base_dilation < n`.
 */
export function windowTap(
  w: Window,
  shape: readonly number[],
  o: readonly SExpr[],
  k: readonly SExpr[],
): { idx: SExpr[]; valid: SExpr | null } {
  let valid: SExpr | null = null;
  const idx = shape.map((n, d) => {
    const [lo] = w.padding[d];
    const bd = w.baseDilation[d];
    const os = bin('mul', o[d], iconst(w.strides[d]));
    const kd = k[d];
    // With a static offset the constant part folds into one term (hoisted loops stay short).
    const t =
      kd.k === 'const'
        ? bin('add', os, iconst((kd.v as number) * w.windowDilation[d] - lo))
        : bin('sub', bin('add', os, bin('mul', kd, iconst(w.windowDilation[d]))), iconst(lo));
    const i = bd === 1 ? t : bin('div', t, iconst(bd));
    const outN = windowOutDim(w, n, d);
    const maxT = (outN - 1) * w.strides[d] + (w.dims[d] - 1) * w.windowDilation[d] - lo;
    const needLow = lo > 0;
    const needHigh = maxT > (n - 1) * bd;
    if (needLow) valid = and(valid, bin('ge', t, iconst(0), bool));
    if (needHigh) valid = and(valid, bin('lt', i, iconst(n), bool));
    if (bd !== 1) valid = and(valid, bin('eq', bin('rem', t, iconst(bd)), iconst(0), bool));
    if (!needLow && !needHigh) return i;
    return bin('min', bin('max', i, iconst(0)), iconst(Math.max(n - 1, 0)));
  });
  return { idx, valid };
}

/** Ops per element above which a windowed operand is written to memory rather than recomputed per tap. */
const EXPENSIVE = 4;

/** Windows of at most this many taps are unrolled into a map kernel; larger ones loop in a reduce kernel. */
const UNROLL = 32;

/**
 * `op` over each window of `x`, skipping taps outside the operand (`identity` is the op's
 * identity): the specialised reduce_window_sum/max/min. A small window is unrolled into one
 * expression per output element (a map kernel): each tap's validity and index then depend only
 * on the output index, so the backend hoists them out of the inner loops, and consumers fuse.
 * A large window is a reduce kernel whose reduced loops are the window offsets.
 */
export function windowReduce(
  ctx: LowerCtx,
  x0: Lazy,
  w: Window,
  op: 'add' | 'max' | 'min',
  identity: SExpr,
  outAval: ShapedArray,
): Lazy {
  const rank = x0.aval.shape.length;
  const offsets = windowOffsets(w.dims);
  const x = offsets.length > 1 && x0.cost >= EXPENSIVE ? ctx.materialize(x0) : x0;
  if (offsets.length <= UNROLL) {
    return foldOne(ctx, outAval, offsets.length, identity, x.cost + 2, (o, s, acc) => {
      const tap = windowTap(w, x.aval.shape, o, offsets[s].map(iconst));
      // The first tap needs no combine when it is always valid: acc is the identity.
      if (s === 0 && !tap.valid) return x.at(tap.idx);
      const next = bin(op, acc, x.at(tap.idx));
      return tap.valid ? sel(tap.valid, next, acc) : next;
    });
  }
  const virtual = new Lazy(
    new ShapedArray([...outAval.shape, ...w.dims], x.aval.dtype),
    (idx) => {
      const tap = windowTap(w, x.aval.shape, idx.slice(0, rank), idx.slice(rank));
      const v = x.at(tap.idx);
      return tap.valid ? sel(tap.valid, v, identity) : v;
    },
    x.cost + 1,
  );
  return ctx.reduce(
    virtual,
    w.dims.map((_, d) => rank + d),
    op,
    outAval,
  );
}

/** Fold steps per kernel: a longer fold is cut into kernels that hand their accumulators on in memory. */
const FOLD_CHUNK = 32;

/**
 * A sequential fold per output element: `acc = init(o)`, then `acc = step(o, s, acc)` for
 * s = 0..steps-1, unrolled into the element's expression (the steps are static: window offsets).
 * Several accumulators fold together (a variadic reduction) and each is one output. Every
 * FOLD_CHUNK steps the accumulators are written to memory, so expressions stay small for large
 * windows. The last chunk stays lazy, so consumers fuse with it.
 */
export function foldLazy(
  ctx: LowerCtx,
  outAvals: readonly ShapedArray[],
  steps: number,
  init: (o: readonly SExpr[]) => SExpr[],
  step: (o: readonly SExpr[], s: number, acc: SExpr[]) => SExpr[],
  stepCost: number,
): Lazy[] {
  let start = init;
  let from = 0;
  for (;;) {
    const lo = from;
    const hi = Math.min(steps, from + FOLD_CHUNK);
    const begin = start;
    const memo = new Map<string, SExpr[]>();
    const run = (o: readonly SExpr[]): SExpr[] => {
      const key = o.map((e) => e.id).join(',');
      let acc = memo.get(key);
      if (!acc) {
        acc = begin(o);
        for (let s = lo; s < hi; s++) acc = step(o, s, acc);
        memo.set(key, acc);
      }
      return acc;
    };
    const cost = 1 + (hi - lo) * stepCost;
    const outs = outAvals.map((a, j) => new Lazy(a, (o) => run(o)[j], cost));
    if (hi >= steps) return outs;
    const bufs = outs.map((l) => ctx.materialize(l));
    start = (o) => bufs.map((b) => b.at(o));
    from = hi;
  }
}

/** foldLazy of one accumulator that starts at the same `init` for every output element. */
export function foldOne(
  ctx: LowerCtx,
  out: ShapedArray,
  steps: number,
  init: SExpr,
  stepCost: number,
  step: (o: readonly SExpr[], s: number, acc: SExpr) => SExpr,
): Lazy {
  const [y] = foldLazy(
    ctx,
    [out],
    steps,
    () => [init],
    (o, s, [acc]) => [step(o, s, acc)],
    stepCost,
  );
  return y;
}
