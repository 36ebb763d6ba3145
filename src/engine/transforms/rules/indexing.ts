/**
 * @file jvp, transpose and batch rules of gather and the scatter family (primitives/indexing.ts),
 * after jax/_src/lax/slicing.py (JAX 0.10.2):
 * - gather is linear in its operand (tangents gathered with fill 0); its transpose is a scatter-add
 *   into zeros with the mirrored dimension numbers; the batch rule moves batch dims to the front
 *   and makes them offset dims (batched operand), index batch dims (batched indices) or
 *   operand_batching_dims (both), as _gather_batching_rule;
 * - scatter-add is linear in operand and updates (transpose: the cotangent itself, and a gather of
 *   it for the updates);
 * - scatter (set) differentiates by JAX's id trick: scatter ids to find which update won each
 *   place, mask the losers and scatter-add the survivors, so it needs no transpose of its own;
 * - scatter-mul is linear in the operand and, with unique indices, differentiable in the updates;
 *   scatter-min/max split the tangent evenly among the operand and updates that attain the result
 *   (JAX's _scatter_extremal_jvp);
 * - every scatter batches by moving batch dims to the front (_scatter_batching_rule).
 * The batch rules are exported for dynamic_slice / dynamic_update_slice with batched indices.
 */
import { uint32, uint64 } from '../../core/dtype.js';
import type { Params, Primitive } from '../../core/primitive.js';
import { bind1, type Value } from '../../core/trace.js';
import { NpInt } from '../../ir/pyrepr.js';
import * as L from '../../lax/elementwise.js';
import { full, fullLike } from '../../lax/fill.js';
import * as S from '../../lax/structural.js';
import {
  FillValue,
  GatherDimensionNumbers,
  GatherScatterMode,
  gather,
  ScatterDimensionNumbers,
  scatter,
  scatter_add,
  scatter_max,
  scatter_min,
  scatter_mul,
  updateJaxprFor,
} from '../../primitives/indexing.js';
import { instantiate, type JvpRule, type Tangent, Zero, zerosLike } from '../jvp.js';
import { type TransposeRule, UndefPrimal } from '../transpose.js';
import { type BatchRule, moveBatchAxis } from '../vmap.js';
import { deflinear, setBatch } from './common.js';

type V = Value;
const plus1 = (ds: readonly number[]) => ds.map((d) => d + 1);
/** np.add(1, dims), as JAX's batching rules shift dims: np.int64 in the printed params. */
const npPlus1 = (ds: readonly number[]) => ds.map((d) => new NpInt(d + 1) as unknown as number);

/**
 * Gather's and scatter's dimension numbers field by field: the same five roles (window dims, dims
 * dropped from the window, the index map, operand batching dims, indices batching dims) under two
 * sets of names, so that a rule can mirror one into the other or shift both alike.
 */
const GATHER_ROLES = [
  'offset_dims',
  'collapsed_slice_dims',
  'start_index_map',
  'operand_batching_dims',
  'start_indices_batching_dims',
] as const;
const SCATTER_ROLES = [
  'update_window_dims',
  'inserted_window_dims',
  'scatter_dims_to_operand_dims',
  'operand_batching_dims',
  'scatter_indices_batching_dims',
] as const;
type Dims<K extends string> = Record<K, readonly number[]>;
type GatherRole = (typeof GATHER_ROLES)[number];

/** The dims of `from`'s roles under `to`'s names (a gather's mirrored as a scatter's, or back). */
function mirrored<F extends string, T extends string>(dn: Dims<F>, from: readonly F[], to: readonly T[]) {
  return Object.fromEntries(to.map((k, i) => [k, [...dn[from[i]]]])) as Record<T, number[]>;
}

/**
 * The dims once the batch axis is at 0 of the operand (and, with `indices`, of the indices too), as
 * JAX's batching rules shift them: a new leading window dim, or a new leading batching dim of both.
 */
function batchedDims<K extends string>(dn: Dims<K>, roles: readonly K[], indices: boolean) {
  const [window, dropped, map, xBatch, iBatch] = roles;
  const lead = (ds: readonly number[], yes: boolean) => (yes ? [0, ...npPlus1(ds)] : npPlus1(ds));
  return {
    [window]: lead(dn[window], !indices),
    [dropped]: npPlus1(dn[dropped]),
    [map]: npPlus1(dn[map]),
    [xBatch]: lead(dn[xBatch], indices),
    [iBatch]: indices ? lead(dn[iBatch], true) : [...dn[iBatch]],
  } as Record<K, number[]>;
}

/** A gather of `x` with explicit params (the gather primitive's full param set). */
export function gatherWith(
  x: V,
  idx: V,
  dn: GatherDimensionNumbers,
  sliceSizes: number[],
  mode: GatherScatterMode,
  opts: { fill?: FillValue | null; sorted?: boolean; unique?: boolean } = {},
): V {
  return bind1(gather, [x, idx], {
    dimension_numbers: dn,
    fill_value: mode === GatherScatterMode.FILL_OR_DROP ? (opts.fill ?? null) : null,
    indices_are_sorted: Boolean(opts.sorted),
    mode,
    slice_sizes: sliceSizes,
    unique_indices: Boolean(opts.unique),
  });
}

/** A scatter-<kind> with the params lax.scatter_* would give. */
function scatterWith(
  prim: Primitive,
  kind: 'set' | 'add' | 'mul' | 'min' | 'max',
  x: V,
  idx: V,
  upd: V,
  dn: ScatterDimensionNumbers,
  p: Params,
): V {
  return bind1(prim, [x, idx, upd], {
    dimension_numbers: dn,
    indices_are_sorted: Boolean(p.indices_are_sorted),
    mode: p.mode,
    unique_indices: Boolean(p.unique_indices),
    update_consts: [],
    update_jaxpr: updateJaxprFor(kind, x.dtype),
  });
}

/** The gather that reads back, for each update, the operand window a scatter wrote it to. */
function inverseGather(dn: ScatterDimensionNumbers, operandNdim: number, updatesShape: readonly number[]) {
  const gdn = new GatherDimensionNumbers(mirrored(dn, SCATTER_ROLES, GATHER_ROLES));
  const sizes: number[] = [];
  let pos = 0;
  for (let i = 0; i < operandNdim; i++) {
    if (dn.inserted_window_dims.includes(i) || dn.operand_batching_dims.includes(i)) sizes.push(1);
    else sizes.push(updatesShape[dn.update_window_dims[pos++]]);
  }
  return { gdn, sizes };
}

/** The Python int 0 JAX's gather jvp and scatter transposes pass as fill_value (it prints `0`). */
const zeroFill = (_x: unknown) => new FillValue(0, false);

// ---- gather --------------------------------------------------------------------------------------

gather.rules.jvp = (([x, idx], [g], p) => {
  const ans = bind1(gather, [x, idx], p);
  if (g instanceof Zero) return [[ans], [new Zero(ans.aval)]];
  // Filled places have a zero tangent, whatever the primal's fill value.
  const tp = p.mode === GatherScatterMode.FILL_OR_DROP ? { ...p, fill_value: zeroFill(x) } : p;
  return [[ans], [bind1(gather, [g, idx], tp)]];
}) satisfies JvpRule;

gather.rules.transpose = (([ct], [x, idx], p) => {
  const a = (x as UndefPrimal).aval;
  if (idx instanceof UndefPrimal) throw new Error('gather transpose: the indices cannot be linear');
  const dn = p.dimension_numbers as GatherDimensionNumbers;
  // The raw dims: NumPy ints print as JAX's transpose passes them on.
  const sdn = new ScatterDimensionNumbers(mirrored(dn.raw as Dims<GatherRole>, GATHER_ROLES, SCATTER_ROLES));
  const c = instantiate(ct);
  return [scatterWith(scatter_add, 'add', zerosLike(a), idx, c, sdn, p), null];
}) satisfies TransposeRule;

/** JAX's _gather_batching_rule. */
export const gatherBatch: BatchRule = ([x, idx], [bx, bi], p, n) => {
  const dn = p.dimension_numbers as GatherDimensionNumbers;
  const sizes = (p.slice_sizes as number[]).map(Number);
  const mode = p.mode as GatherScatterMode;
  const opts = { fill: p.fill_value as FillValue | null };
  if (bi === null) {
    const xf = moveBatchAxis(x, bx, 0, n);
    const gdn = new GatherDimensionNumbers(batchedDims(dn, GATHER_ROLES, false));
    const out = gatherWith(xf, idx, gdn, [n, ...sizes], mode, {
      ...opts,
      sorted: Boolean(p.indices_are_sorted),
      unique: Boolean(p.unique_indices),
    });
    return [[out], [0]];
  }
  const idf = moveBatchAxis(idx, bi, 0, n);
  if (bx === null) {
    const gdn = new GatherDimensionNumbers({
      offset_dims: plus1(dn.offset_dims),
      collapsed_slice_dims: dn.collapsed_slice_dims,
      start_index_map: dn.start_index_map,
      operand_batching_dims: dn.operand_batching_dims,
      start_indices_batching_dims: npPlus1(dn.start_indices_batching_dims),
    });
    // Batched lookups into one array may repeat or be out of order.
    return [[gatherWith(x, idf, gdn, sizes, mode, opts)], [0]];
  }
  const xf = moveBatchAxis(x, bx, 0, n);
  const gdn = new GatherDimensionNumbers(batchedDims(dn, GATHER_ROLES, true));
  const both = { ...opts, sorted: Boolean(p.indices_are_sorted), unique: Boolean(p.unique_indices) };
  return [[gatherWith(xf, idf, gdn, [1, ...sizes], mode, both)], [0]];
};
setBatch(gather, gatherBatch);

// ---- scatter-add ---------------------------------------------------------------------------------

deflinear(scatter_add, (i) => i !== 1);

scatter_add.rules.transpose = (([ct], [x, idx, upd], p) => {
  if (idx instanceof UndefPrimal) throw new Error('scatter-add transpose: the indices cannot be linear');
  const c = instantiate(ct);
  const dn = p.dimension_numbers as ScatterDimensionNumbers;
  const tOp = x instanceof UndefPrimal ? c : null;
  let tUpd: V | null = null;
  if (upd instanceof UndefPrimal) {
    const { gdn, sizes } = inverseGather(dn, c.ndim, upd.aval.shape);
    tUpd = gatherWith(c, idx, gdn, sizes, p.mode as GatherScatterMode, { fill: zeroFill(c) });
  }
  return [tOp, null, tUpd];
}) satisfies TransposeRule;

// ---- scatter (set) -------------------------------------------------------------------------------

scatter.rules.jvp = (([x, idx, upd], [gx, , gu], p) => {
  const dn = p.dimension_numbers as ScatterDimensionNumbers;
  if (gx instanceof Zero && gu instanceof Zero) {
    const ans = bind1(scatter, [x, idx, upd], p);
    return [[ans], [new Zero(ans.aval)]];
  }
  const tx = instantiate(gx);
  const tu = instantiate(gu);
  if (p.unique_indices) {
    return [[bind1(scatter, [x, idx, upd], p)], [bind1(scatter, [tx, idx, tu], p)]];
  }
  // JAX's _scatter_jvp: give every update (window) a positive unsigned id, scatter the ids, read
  // back which id won, mask the losers off and scatter-add what is left.
  const idsShape = upd.shape.map((s, d) => (dn.update_window_dims.includes(d) ? 1 : s));
  const numIds = idsShape.reduce((a, b) => a * b, 1);
  const idDtype = numIds < 2 ** 32 ? uint32 : uint64;
  const updateIds = L.add(S.reshape(S.iota(idDtype, numIds), idsShape), fullLike(upd, 1, idDtype));
  const scatteredIds = scatterWith(scatter, 'set', full(x.shape, 0, idDtype), idx, updateIds, dn, p);
  const { gdn, sizes } = inverseGather(dn, x.ndim, upd.shape);
  const gatheredIds = gatherWith(scatteredIds, idx, gdn, sizes, GatherScatterMode.PROMISE_IN_BOUNDS);
  // lax._zeros is a device zero broadcast where each mask needs one, as JAX writes them.
  const zeros = (v: V) => zerosLike(v.aval);
  const maskOperand = (v: V) => L.select(L.eq(scatteredIds, zeros(scatteredIds)), v, zeros(v));
  const maskUpdates = (v: V) => L.select(L.eq(updateIds, gatheredIds), v, zeros(v));
  const mx = maskOperand(x);
  const mu = maskUpdates(upd);
  const mtx = maskOperand(tx);
  const mtu = maskUpdates(tu);
  const addP = { ...p, update_jaxpr: updateJaxprFor('add', x.dtype) };
  const val = scatterWith(scatter_add, 'add', mx, idx, mu, dn, addP);
  const tan = scatterWith(scatter_add, 'add', mtx, idx, mtu, dn, addP);
  return [[val], [tan]];
}) satisfies JvpRule;

scatter.rules.transpose = (([ct], [x, idx, upd], p) => {
  if (!p.unique_indices) throw new Error('scatter transpose is only implemented where unique_indices=True');
  if (idx instanceof UndefPrimal) throw new Error('scatter transpose: the indices cannot be linear');
  const c = instantiate(ct);
  const dn = p.dimension_numbers as ScatterDimensionNumbers;
  const updShape = upd instanceof UndefPrimal ? upd.aval.shape : (upd as V).shape;
  // The operand's cotangent is zero where the updates overwrote it; the updates read theirs back.
  const tOp =
    x instanceof UndefPrimal
      ? bind1(scatter, [c, idx, S.broadcastInDim(L.convertElementType(0, c.dtype, false), updShape, [])], p)
      : null;
  let tUpd: V | null = null;
  if (upd instanceof UndefPrimal) {
    const { gdn, sizes } = inverseGather(dn, c.ndim, updShape);
    tUpd = gatherWith(c, idx, gdn, sizes, p.mode as GatherScatterMode, { fill: zeroFill(c) });
  }
  return [tOp, null, tUpd];
}) satisfies TransposeRule;

// ---- scatter-mul ---------------------------------------------------------------------------------

scatter_mul.rules.jvp = (([x, idx, upd], [gx, , gu], p) => {
  const ans = bind1(scatter_mul, [x, idx, upd], p);
  let t: Tangent = new Zero(ans.aval);
  if (!(gx instanceof Zero)) t = bind1(scatter_mul, [gx, idx, upd], p);
  if (!(gu instanceof Zero)) {
    if (!p.unique_indices)
      throw new Error('scatter_mul gradients are only implemented if `unique_indices=True`');
    const dn = p.dimension_numbers as ScatterDimensionNumbers;
    const placed = scatterWith(scatter_add, 'add', zerosLike(x.aval), idx, gu, dn, p);
    const tu = L.mul(x, placed);
    t = t instanceof Zero ? tu : L.add(t, tu);
  }
  return [[ans], [t]];
}) satisfies JvpRule;

scatter_mul.rules.transpose = (([ct], [x, idx, upd], p) => {
  if (upd instanceof UndefPrimal)
    throw new Error('scatter_mul transpose is only implemented where updates are constant');
  if (!(x instanceof UndefPrimal)) return [null, null, null];
  const tp = { ...p, update_jaxpr: updateJaxprFor('mul', x.aval.dtype, 'transpose') };
  return [bind1(scatter_mul, [instantiate(ct), idx as V, upd as V], tp), null, null];
}) satisfies TransposeRule;

// ---- scatter-min / scatter-max -------------------------------------------------------------------

function extremalJvp(prim: Primitive): JvpRule {
  return ([x, idx, upd], [gx, , gu], p) => {
    const ans = bind1(prim, [x, idx, upd], p);
    if (gx instanceof Zero && gu instanceof Zero) return [[ans], [new Zero(ans.aval)]];
    const tx = instantiate(gx);
    const tu = instantiate(gu);
    const dn = p.dimension_numbers as ScatterDimensionNumbers;
    const mode = p.mode as GatherScatterMode;
    const { gdn, sizes } = inverseGather(dn, x.ndim, upd.shape);
    const fill = new FillValue(Number.NaN, true);
    const ones = (v: V) => L.add(zerosLike(v.aval), 1);
    // Updates that attain the result at their place, and operand places that kept their value.
    const won = L.eq(upd, gatherWith(ans, idx, gdn, sizes, mode, { fill }));
    const kept = L.eq(x, ans);
    const zeroU = zerosLike(upd.aval);
    const zeroX = zerosLike(x.aval);
    const addP = { ...p, update_jaxpr: updateJaxprFor('add', x.dtype) };
    const nWon = scatterWith(scatter_add, 'add', zeroX, idx, L.select(won, ones(upd), zeroU), dn, addP);
    const nRefs = L.add(nWon, L.select(kept, ones(x), zeroX));
    const share = L.div(ones(x), L.select(L.eq(nRefs, 0), ones(x), nRefs));
    const xCoef = L.select(kept, share, zeroX);
    const uCoef = L.select(won, gatherWith(share, idx, gdn, sizes, mode, { fill: zeroFill(x) }), zeroU);
    const t = scatterWith(scatter_add, 'add', L.mul(tx, xCoef), idx, L.mul(tu, uCoef), dn, addP);
    return [[ans], [t]];
  };
}
scatter_min.rules.jvp = extremalJvp(scatter_min);
scatter_max.rules.jvp = extremalJvp(scatter_max);

// ---- batching ------------------------------------------------------------------------------------

/** JAX's _scatter_batching_rule (one rule for every scatter kind). */
export function scatterBatch(prim: Primitive): BatchRule {
  return ([x, idx, upd], [bx, bi, bu], p, n) => {
    const dn = p.dimension_numbers as ScatterDimensionNumbers;
    const xf = moveBatchAxis(x, bx, 0, n);
    const uf = moveBatchAxis(upd, bu, 0, n);
    if (bi === null) {
      const sdn = new ScatterDimensionNumbers(batchedDims(dn, SCATTER_ROLES, false));
      return [[bind1(prim, [xf, idx, uf], { ...p, dimension_numbers: sdn })], [0]];
    }
    const idf = moveBatchAxis(idx, bi, 0, n);
    const sdn = new ScatterDimensionNumbers(batchedDims(dn, SCATTER_ROLES, true));
    return [[bind1(prim, [xf, idf, uf], { ...p, dimension_numbers: sdn })], [0]];
  };
}
for (const prim of [scatter, scatter_add, scatter_mul, scatter_min, scatter_max])
  setBatch(prim, scatterBatch(prim));
