/**
 * @file Gather and the scatter family (scatter scatter-add scatter-mul scatter-min scatter-max),
 * with XLA's semantics and JAX's params (jax/_src/lax/slicing.py): GatherDimensionNumbers /
 * ScatterDimensionNumbers, slice_sizes, GatherScatterMode, fill_value, update_jaxpr.
 *
 * gather lowers to an element generator: each output element computes its operand index from the
 * start indices it loads (clamped for CLIP and PROMISE_IN_BOUNDS as XLA clamps; FILL_OR_DROP
 * yields fill_value when a window would leave the operand, as JAX's _gather_fill does), so a
 * gather fuses with its producers and consumers. Scatters write data-dependent places, which a
 * map kernel cannot express: they lower to the `scatter` library kernel
 * (backends/cpu/lib-scatter.ts) on materialized operands.
 */

import { joinComplex, splitComplex } from '../compile/complex-parts.js';
import { bin, cast, constant, iconst, loopVars, type SExpr, sel } from '../compile/kir.js';
import { Lazy, type LowerCtx, type LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { bool, type DType, int32, realPart } from '../core/dtype.js';
import { definePrimitive, type Params, type Primitive } from '../core/primitive.js';
import { Jaxpr, JaxprEqn, Var } from '../ir/jaxpr.js';
import { pyFloat, pyStr } from '../ir/pyrepr.js';
import * as E from './elementwise.js';

// ---- params -------------------------------------------------------------------------------------

/** JAX's GatherScatterMode enum; prints as `GatherScatterMode.CLIP`. */
export class GatherScatterMode {
  static readonly CLIP = new GatherScatterMode('CLIP');
  static readonly FILL_OR_DROP = new GatherScatterMode('FILL_OR_DROP');
  static readonly PROMISE_IN_BOUNDS = new GatherScatterMode('PROMISE_IN_BOUNDS');
  private constructor(readonly name: string) {}

  /** JAX's GatherScatterMode.from_any: null/'fill'/'drop' mean FILL_OR_DROP. */
  static fromAny(s: string | GatherScatterMode | null | undefined): GatherScatterMode {
    if (s instanceof GatherScatterMode) return s;
    if (s === 'clip') return GatherScatterMode.CLIP;
    if (s === null || s === undefined || s === 'fill' || s === 'drop') return GatherScatterMode.FILL_OR_DROP;
    if (s === 'promise_in_bounds') return GatherScatterMode.PROMISE_IN_BOUNDS;
    throw new Error(`Unknown gather mode "${s}"`);
  }
  pyStr(): string {
    return `GatherScatterMode.${this.name}`;
  }
  toString(): string {
    return this.pyStr();
  }
  toJSON(): string {
    return this.pyStr();
  }
}

type Dims = readonly number[];
const tup = (xs: Dims) => pyStr([...xs]);

function dimsOf(o: Record<string, unknown>, snake: string, camel: string): number[] {
  return rawDims(o, snake, camel).map(Number);
}

/** The dims as given, for printing: JAX's batching rules compute some with NumPy (np.int64). */
function rawDims(o: Record<string, unknown>, snake: string, camel: string): unknown[] {
  return [...((o[snake] ?? o[camel] ?? []) as Dims)];
}

const show = (o: Record<string, unknown>, keys: Keys) =>
  keys.map(([snake, camel]) => `${snake}=${pyStr(rawDims(o, snake, camel))}`).join(', ');

type Keys = readonly (readonly [snake: string, camel: string])[];

const GATHER_KEYS = [
  ['offset_dims', 'offsetDims'],
  ['collapsed_slice_dims', 'collapsedSliceDims'],
  ['start_index_map', 'startIndexMap'],
  ['operand_batching_dims', 'operandBatchingDims'],
  ['start_indices_batching_dims', 'startIndicesBatchingDims'],
] as const;
const SCATTER_KEYS = [
  ['update_window_dims', 'updateWindowDims'],
  ['inserted_window_dims', 'insertedWindowDims'],
  ['scatter_dims_to_operand_dims', 'scatterDimsToOperandDims'],
  ['operand_batching_dims', 'operandBatchingDims'],
  ['scatter_indices_batching_dims', 'scatterIndicesBatchingDims'],
] as const;

/** The dims under their snake_case names, as numbers (`dn.offset_dims`): JAX's field names. */
type DimsOf<K extends Keys> = { readonly [P in K[number][0]]: number[] };
type DimsLike<K extends Keys> = { [P in K[number][0] | K[number][1]]?: Dims };

/**
 * What GatherDimensionNumbers and ScatterDimensionNumbers share: each key's dims as numbers under
 * its snake_case name (the subclass declares them, DimsOf), the dims as given (NumPy ints kept) for
 * rules that pass them on as JAX does, and the printed form `Name(key=(...), ...)`.
 */
export abstract class DimensionNumbers<L> {
  private readonly text: string;
  readonly raw: L;
  protected constructor(name: string, o: L, keys: Keys) {
    const r = o as Record<string, unknown>;
    this.text = `${name}(${show(r, keys)})`;
    this.raw = Object.fromEntries(keys.map(([k, c]) => [k, rawDims(r, k, c)])) as L;
    for (const [k, c] of keys) (this as unknown as Record<string, number[]>)[k] = dimsOf(r, k, c);
  }
  /** The dimension numbers themselves, or made from their options (`GatherDimensionNumbers.from(o)`). */
  static from<T, L>(this: new (o: L) => T, o: T | L): T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass `from` is called on.
    return o instanceof this ? o : new this(o as L);
  }
  pyStr(): string {
    return this.text;
  }
  toString(): string {
    return this.pyStr();
  }
}

/** What a caller passes: each key under its snake_case or camelCase name. */
export interface GatherDimensionNumbersLike extends DimsLike<typeof GATHER_KEYS> {}
export interface ScatterDimensionNumbersLike extends DimsLike<typeof SCATTER_KEYS> {}

/** The fields, declared by merging: DimensionNumbers' constructor sets them from the key tables. */
export interface GatherDimensionNumbers extends DimsOf<typeof GATHER_KEYS> {}
export interface ScatterDimensionNumbers extends DimsOf<typeof SCATTER_KEYS> {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above holds the fields it sets.
export class GatherDimensionNumbers extends DimensionNumbers<GatherDimensionNumbersLike> {
  constructor(o: GatherDimensionNumbersLike) {
    super('GatherDimensionNumbers', o, GATHER_KEYS);
  }
}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: as GatherDimensionNumbers.
export class ScatterDimensionNumbers extends DimensionNumbers<ScatterDimensionNumbersLike> {
  constructor(o: ScatterDimensionNumbersLike) {
    super('ScatterDimensionNumbers', o, SCATTER_KEYS);
  }
}

/**
 * A gather fill value as JAX stores it (a Python scalar): floats print as floats (`nan`, `0.0`),
 * ints as ints, bools as True/False.
 */
export class FillValue {
  constructor(
    readonly value: number | bigint | boolean,
    readonly isFloat: boolean,
  ) {}
  pyStr(): string {
    if (this.isFloat) return pyFloat(Number(this.value));
    return pyStr(this.value);
  }
  toJSON(): string {
    return `fill:${this.pyStr()}`;
  }
}

/** JAX's default gather fill: NaN for inexact, the minimum for signed, the maximum for unsigned, True for bool. */
export function defaultFillValue(dt: DType): FillValue {
  if (dt.isFloat) return new FillValue(Number.NaN, true);
  if (dt.isBool) return new FillValue(true, false);
  const bits = BigInt(dt.itemsize * 8);
  if (dt.kind === 'i') {
    const min = -(1n << (bits - 1n));
    return new FillValue(dt.isBig ? min : Number(min), false);
  }
  const max = (1n << bits) - 1n;
  return new FillValue(dt.isBig ? max : Number(max), false);
}

// ---- shared checks ------------------------------------------------------------------------------

function isSorted(dims: Dims, op: string, name: string): void {
  for (let i = 1; i < dims.length; i++) {
    if (dims[i] < dims[i - 1]) throw new TypeError(`${name} in ${op} op must be sorted; got ${tup(dims)}`);
  }
}

function noDuplicates(dims: Dims, op: string, name: string): void {
  if (new Set(dims).size !== dims.length)
    throw new TypeError(`${name} in ${op} op must not repeat; got: ${tup(dims)}.`);
}

function sortedInRange(dims: Dims, rank: number, op: string, name: string): void {
  if (!dims.length) return;
  const bad = dims[0] < 0 ? dims[0] : dims[dims.length - 1] >= rank ? dims[dims.length - 1] : null;
  if (bad !== null)
    throw new TypeError(`Invalid ${name} set in ${op} op; valid range is [0, ${rank}); got: ${bad}.`);
}

function checkIndexDtype(idx: ShapedArray): void {
  if (!idx.dtype.isInt) throw new TypeError('indices must have an integer type');
}

// ---- gather -------------------------------------------------------------------------------------

function gatherParams(p: Params) {
  return {
    dn: p.dimension_numbers as GatherDimensionNumbers,
    sizes: (p.slice_sizes as Dims).map(Number),
    mode: p.mode as GatherScatterMode,
    fill: p.fill_value as FillValue | null,
  };
}

function gatherShape(operand: ShapedArray, indices: ShapedArray, p: Params): number[] {
  const { dn, sizes } = gatherParams(p);
  const rank = operand.ndim;
  if (indices.ndim < 1) {
    throw new TypeError(
      `Gather index leaf dimension must be within [0, rank(indices) + 1). rank(indices) is ${indices.ndim} and gather index leaf dimension is -1.`,
    );
  }
  const ivd = indices.ndim - 1;
  isSorted(dn.offset_dims, 'gather', 'offset_dims');
  noDuplicates(dn.offset_dims, 'gather', 'offset_dims');
  const batchShape = indices.shape.slice(0, ivd);
  const outRank = batchShape.length + dn.offset_dims.length;
  dn.offset_dims.forEach((d, i) => {
    if (d < 0 || d >= outRank)
      throw new TypeError(
        `Offset dimension ${i} in gather op is out of bounds; got ${d}, but should have been in [0, ${outRank})`,
      );
  });
  if (dn.start_index_map.length !== indices.shape[ivd]) {
    throw new TypeError(
      `Gather op has ${dn.start_index_map.length} elements in start_index_map and the bound of dimension index_vector_dim=${ivd} of indices is ${indices.shape[ivd]}. These two numbers must be equal.`,
    );
  }
  dn.start_index_map.forEach((d, i) => {
    if (d < 0 || d >= rank)
      throw new TypeError(`Invalid start_index_map; domain is [0, ${rank}), got: ${i}->${d}.`);
  });
  noDuplicates(dn.start_index_map, 'gather', 'start_index_map');
  isSorted(dn.collapsed_slice_dims, 'gather', 'collapsed_slice_dims');
  sortedInRange(dn.collapsed_slice_dims, rank, 'gather', 'collapsed_slice_dims');
  noDuplicates(dn.collapsed_slice_dims, 'gather', 'collapsed_slice_dims');
  isSorted(dn.operand_batching_dims, 'gather', 'operand_batching_dims');
  sortedInRange(dn.operand_batching_dims, rank, 'gather', 'operand_batching_dims');
  if (dn.operand_batching_dims.length !== dn.start_indices_batching_dims.length) {
    throw new TypeError(
      `Gather op requires equal numbers of operand_batching_dims and start_indices_batching_dims, got ${tup(dn.operand_batching_dims)} and${tup(dn.start_indices_batching_dims)}.`,
    );
  }
  if (sizes.length !== rank) {
    throw new TypeError(
      `Gather op must have one slice size for every input dimension; got: len(slice_sizes)=${sizes.length}, input_shape.rank=${rank}`,
    );
  }
  if (
    sizes.length !==
    dn.offset_dims.length + dn.collapsed_slice_dims.length + dn.operand_batching_dims.length
  ) {
    throw new TypeError(
      `All components of the offset index in a gather op must either be a offset dimension or explicitly collapsed/batching; got len(slice_sizes)=${sizes.length}, output_slice_sizes=${tup(dn.offset_dims)}, collapsed_slice_dims=${tup(dn.collapsed_slice_dims)}, operand_batching_dims=${tup(dn.operand_batching_dims)}.`,
    );
  }
  sizes.forEach((s, i) => {
    if (s < 0 || s > operand.shape[i]) {
      throw new TypeError(
        `Slice size at index ${i} in gather op is out of range, must be within [0, ${operand.shape[i]} + 1), got ${s}.`,
      );
    }
  });
  dn.collapsed_slice_dims.forEach((d, i) => {
    if (sizes[d] !== 1) {
      throw new TypeError(
        `Gather op can only collapse slice dims with bound 1, but bound is ${sizes[d]} for index ${d} at position ${i}.`,
      );
    }
  });
  const offsetSizes = sizes.filter(
    (_, d) => !dn.collapsed_slice_dims.includes(d) && !dn.operand_batching_dims.includes(d),
  );
  const out: number[] = [];
  let b = 0;
  let o = 0;
  for (let d = 0; d < outRank; d++) out.push(dn.offset_dims.includes(d) ? offsetSizes[o++] : batchShape[b++]);
  return out;
}

/** Clamp a start index into [0, hi]. */
function clampTo(i: SExpr, hi: number): SExpr {
  return bin('min', bin('max', i, iconst(0)), iconst(Math.max(hi, 0)));
}

export const gather = definePrimitive('gather', {
  abstractEval([operand, indices], p) {
    checkIndexDtype(indices);
    return [new ShapedArray(gatherShape(operand, indices, p), operand.dtype, operand.weakType)];
  },
  lower: ((_ctx, [x, idx], p, [out]) => {
    const { dn, sizes, mode, fill } = gatherParams(p);
    const shape = x.aval.shape;
    const nIdx = dn.start_index_map.length;
    // Operand dims that are windows of the slice, in order; they line up with offset_dims.
    const windowDims = shape
      .map((_, d) => d)
      .filter((d) => !dn.collapsed_slice_dims.includes(d) && !dn.operand_batching_dims.includes(d));
    const drop = mode === GatherScatterMode.FILL_OR_DROP;
    const fillC = drop ? constant(fill ? fill.value : defaultFillValue(out.dtype).value, out.dtype) : null;
    return [
      new Lazy(
        out,
        (oidx) => {
          const batch = oidx.filter((_, d) => !dn.offset_dims.includes(d));
          const starts = new Map<number, SExpr>();
          let ok: SExpr | null = null;
          for (let k = 0; k < nIdx; k++) {
            const d = dn.start_index_map[k];
            const raw = cast(idx.at([...batch, iconst(k)]), int32);
            const hi = shape[d] - sizes[d];
            if (drop) {
              const c = bin('and', bin('ge', raw, iconst(0), bool), bin('le', raw, iconst(hi), bool), bool);
              ok = ok ? bin('and', ok, c, bool) : c;
            }
            starts.set(d, clampTo(raw, hi));
          }
          const xidx = shape.map((_, d) => {
            const bi = dn.operand_batching_dims.indexOf(d);
            if (bi >= 0) return batch[dn.start_indices_batching_dims[bi]];
            const w = windowDims.indexOf(d);
            const start = starts.get(d) ?? iconst(0);
            return w >= 0 ? bin('add', start, oidx[dn.offset_dims[w]]) : start;
          });
          const v = x.at(xidx);
          return ok && fillC ? sel(ok, v, fillC) : v;
        },
        x.cost + idx.cost * nIdx + 2,
      ),
    ];
  }) satisfies LowerRule,
});

// ---- scatter family -----------------------------------------------------------------------------

export type ScatterKind = 'set' | 'add' | 'mul' | 'min' | 'max';

/** A cached combiner jaxpr (JAX caches _reduction_jaxpr too, so one program shares it). */
class UpdateJaxpr extends Jaxpr {
  constructor(
    readonly kind: string,
    dtype: DType,
    prim: Primitive,
  ) {
    const a = new Var(new ShapedArray([], dtype));
    const b = new Var(new ShapedArray([], dtype));
    const c = new Var(new ShapedArray([], dtype));
    super([], [a, b], [c], [new JaxprEqn(prim, [a, b], {}, [c])]);
  }
  toJSON(): string {
    return `update_jaxpr:${this.kind}:${this.invars[0].aval.dtype.name}`;
  }
}

const COMBINER: Record<Exclude<ScatterKind, 'set'>, Primitive> = {
  add: E.add,
  mul: E.mul,
  min: E.min,
  max: E.max,
};
const updateJaxprs = new Map<string, UpdateJaxpr>();

/**
 * The update_jaxpr param of scatter-<kind> for a dtype (None for plain scatter). JAX's
 * _reduction_jaxpr cache is keyed by the trace context, and a transpose rule runs in another one
 * than the primal computation: `context` names that cache ('transpose'), so a gradient's
 * scatter-mul prints its own combiner, as JAX's does.
 */
export function updateJaxprFor(kind: ScatterKind, dtype: DType, context = ''): Jaxpr | null {
  if (kind === 'set') return null;
  const key = `${kind}:${dtype.name}:${context}`;
  let j = updateJaxprs.get(key);
  if (!j) {
    j = new UpdateJaxpr(kind, dtype, COMBINER[kind]);
    updateJaxprs.set(key, j);
  }
  return j;
}

function scatterShapeRule(
  name: string,
  operand: ShapedArray,
  indices: ShapedArray,
  updates: ShapedArray,
  p: Params,
): void {
  const dn = p.dimension_numbers as ScatterDimensionNumbers;
  const rank = operand.ndim;
  if (indices.ndim < 1) {
    throw new TypeError(
      `Scatter index leaf dimension must be within [0, rank(indices) + 1). rank(indices) is ${indices.ndim} and scatter index leaf dimension is -1.`,
    );
  }
  const ivd = indices.ndim - 1;
  isSorted(dn.update_window_dims, name, 'update_window_dims');
  noDuplicates(dn.update_window_dims, name, 'update_window_dims');
  const expectedRank = dn.update_window_dims.length + ivd;
  if (updates.ndim !== expectedRank)
    throw new TypeError(`Updates tensor must be of rank ${expectedRank}; got ${updates.ndim}.`);
  isSorted(dn.inserted_window_dims, name, 'inserted_window_dims');
  sortedInRange(dn.inserted_window_dims, rank, name, 'inserted_window_dims');
  noDuplicates(dn.inserted_window_dims, name, 'inserted_window_dims');
  const windowSize =
    dn.update_window_dims.length + dn.inserted_window_dims.length + dn.operand_batching_dims.length;
  if (rank !== windowSize)
    throw new TypeError(
      `Scatter op has window of size ${windowSize}; doesn't match operand of rank ${rank}.`,
    );
  if (dn.scatter_dims_to_operand_dims.length !== indices.shape[ivd]) {
    throw new TypeError(
      `Scatter op has ${dn.scatter_dims_to_operand_dims.length} elements in scatter_dims_to_operand_dims and the bound of dimension index_vector_dim=${ivd} of indices is ${indices.shape[ivd]}. These two numbers must be equal`,
    );
  }
  dn.scatter_dims_to_operand_dims.forEach((d, i) => {
    if (d < 0 || d >= rank)
      throw new TypeError(
        `Invalid scatter_dims_to_operand_dims mapping; domain is [0, ${rank}), got: ${i}->${d}.`,
      );
  });
  const windowOperandDims = operand.shape
    .map((_, d) => d)
    .filter((d) => !dn.inserted_window_dims.includes(d) && !dn.operand_batching_dims.includes(d));
  dn.update_window_dims.forEach((u, i) => {
    const bound = operand.shape[windowOperandDims[i]];
    if (updates.shape[u] > bound) {
      throw new TypeError(
        `Bounds of the window dimensions of updates must not exceed the bounds of the corresponding dimensions of operand. For dimension ${u}, updates bound is ${updates.shape[u]}, operand bound is ${bound}.`,
      );
    }
  });
  const scatterDims = updates.shape.map((_, d) => d).filter((d) => !dn.update_window_dims.includes(d));
  scatterDims.forEach((u, i) => {
    if (updates.shape[u] !== indices.shape[i]) {
      throw new TypeError(
        `Bounds of the scatter dimensions of updates must be the same as the bounds of the corresponding dimensions of scatter indices. For scatter dimension ${u}, updates bound is ${updates.shape[u]}, indices bound is ${indices.shape[i]}.`,
      );
    }
  });
}

/** The `scatter` library kernel on real operands (constant indices/updates travel as params). */
function scatterLib(
  ctx: LowerCtx,
  x: Lazy,
  idx: Lazy,
  upd: Lazy,
  p: Params,
  out: ShapedArray,
  kind: ScatterKind,
): Lazy {
  const dn = p.dimension_numbers as ScatterDimensionNumbers;
  // Constant indices / updates (`x.at[1].add(5)`) travel as params instead of buffers.
  const constOf = (v: Lazy): number | bigint | null => {
    if (v.buf !== null) return null;
    const e = v.at(loopVars('i', v.aval.ndim));
    return e.k === 'const' ? e.v : null;
  };
  const idxConst = constOf(idx);
  const updConst = constOf(upd);
  const ins = [ctx.materialize(x).buf!];
  if (idxConst === null) ins.push(ctx.materialize(idx).buf!);
  if (updConst === null) ins.push(ctx.materialize(upd).buf!);
  const o = ctx.newBuffer(out, 'temp');
  ctx.kernels.push({
    kind: 'lib',
    op: 'scatter',
    ins,
    outs: [o],
    params: {
      kind,
      indicesConst: idxConst,
      updatesConst: updConst,
      mode: (p.mode as GatherScatterMode).name,
      operandShape: [...x.aval.shape],
      indicesShape: [...idx.aval.shape],
      updatesShape: [...upd.aval.shape],
      updateWindowDims: [...dn.update_window_dims],
      insertedWindowDims: [...dn.inserted_window_dims],
      scatterDimsToOperandDims: [...dn.scatter_dims_to_operand_dims],
      operandBatchingDims: [...dn.operand_batching_dims],
      scatterIndicesBatchingDims: [...dn.scatter_indices_batching_dims],
    },
  });
  return ctx.fromBuffer(o, out);
}

function scatterPrimitive(name: string, kind: ScatterKind): Primitive {
  return definePrimitive(name, {
    abstractEval([operand, indices, updates], p) {
      checkIndexDtype(indices);
      if (operand.dtype !== updates.dtype) {
        throw new TypeError(
          `lax.scatter requires arguments to have the same dtypes, got ${operand.dtype.name}, ${updates.dtype.name}.`,
        );
      }
      scatterShapeRule(name, operand, indices, updates, p);
      return [new ShapedArray(operand.shape, operand.dtype, operand.weakType)];
    },
    lower: ((ctx, [x, idx, upd], p, [out]) => {
      if (!x.aval.dtype.isComplex) return [scatterLib(ctx, x, idx, upd, p, out, kind)];
      // set and add act on each part alone: one scatter of the real parts, one of the imaginary.
      if (kind !== 'set' && kind !== 'add')
        throw new TypeError(`${name} is not supported for complex operands`);
      const [xr, xi] = splitComplex(x);
      const [ur, ui] = splitComplex(upd);
      const part = new ShapedArray(out.shape, realPart(out.dtype));
      const re = scatterLib(ctx, xr, idx, ur, p, part, kind);
      const im = scatterLib(ctx, xi, idx, ui, p, part, kind);
      return [joinComplex(re, im, out.weakType)];
    }) satisfies LowerRule,
  });
}

export const scatter = scatterPrimitive('scatter', 'set');
export const scatter_add = scatterPrimitive('scatter-add', 'add');
export const scatter_mul = scatterPrimitive('scatter-mul', 'mul');
export const scatter_min = scatterPrimitive('scatter-min', 'min');
export const scatter_max = scatterPrimitive('scatter-max', 'max');

export const SCATTER_PRIMITIVES: Record<ScatterKind, Primitive> = {
  set: scatter,
  add: scatter_add,
  mul: scatter_mul,
  min: scatter_min,
  max: scatter_max,
};
