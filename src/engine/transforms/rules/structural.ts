/**
 * @file jvp, transpose and batch rules of the structural primitives (primitives/structural.ts).
 * All are linear in their array operands; transposes follow JAX's lax.py (slice <-> pad,
 * broadcast_in_dim <-> reduce_sum, dynamic_slice <-> dynamic_update_slice). dynamic_slice and
 * dynamic_update_slice with batched start indices batch as a gather / scatter, as JAX's do.
 */
import { scalarArray } from '../../core/coerce.js';
import { bool } from '../../core/dtype.js';
import { bind, bind1, type Value } from '../../core/trace.js';
import { NpInt } from '../../ir/pyrepr.js';
import * as L from '../../lax/elementwise.js';
import { broadcast, concatenate, expandDims } from '../../lax/structural.js';
import {
  GatherDimensionNumbers,
  GatherScatterMode,
  ScatterDimensionNumbers,
  scatter,
} from '../../primitives/indexing.js';
import { reduce_sum } from '../../primitives/reductions.js';
import * as P from '../../primitives/structural.js';
import { instantiate, type JvpRule, Zero, zerosLike } from '../jvp.js';
import { type TransposeRule, UndefPrimal } from '../transpose.js';
import { type BatchRule, moveBatchAxis } from '../vmap.js';
import { deflinear, setBatch } from './common.js';
import { gatherBatch, scatterBatch } from './indexing.js';

type V = Value;
const nums = (v: unknown): number[] => (v as readonly number[]).map(Number);

function reshapeTo(x: V, shape: readonly number[]): V {
  if (x.shape.length === shape.length && x.shape.every((n, i) => n === shape[i])) return x;
  return bind1(P.reshape, [x], { new_sizes: [...shape], dimensions: null, sharding: null });
}
function padV(x: V, v: V, cfg: number[][]): V {
  return bind1(P.pad, [x, v], { padding_config: cfg });
}
function sliceV(x: V, start: number[], limit: number[], strides: number[] | null): V {
  return bind1(P.slice, [x], {
    start_indices: start,
    limit_indices: limit,
    // NumPy-computed strides (NpInt, as JAX's pad transpose passes them) are kept even when all 1.
    strides: strides?.some((s) => (s as unknown) instanceof NpInt || s !== 1) ? strides : null,
  });
}
/** A 0-d zero of x's dtype (a literal when staged). */
function zeroScalar(x: V): V {
  return scalarArray(x.dtype.isBool ? false : 0, x.dtype);
}

// ---- jvp -----------------------------------------------------------------------------------------

for (const p of [
  P.broadcast_in_dim,
  P.reshape,
  P.transpose,
  P.squeeze,
  P.rev,
  P.slice,
  P.pad,
  P.concatenate,
  P.split,
  P.copy,
])
  deflinear(p);
// JAX's copy_p: its transpose copies the cotangent; it batches elementwise.
P.copy.rules.transpose = (([ct]) => [bind1(P.copy, [instantiate(ct)])]) satisfies TransposeRule;
setBatch(P.copy, ([x], [d]) => [[bind1(P.copy, [x])], [d]]);
deflinear(P.dynamic_slice, (i) => i === 0);
deflinear(P.dynamic_update_slice, (i) => i < 2);
P.iota.rules.jvp = ((_p, _t, params) => {
  const out = bind1(P.iota, [], params);
  return [[out], [new Zero(out.aval)]];
}) satisfies JvpRule;

// ---- transpose -----------------------------------------------------------------------------------

// JAX's _broadcast_in_dim_transpose_rule: reduce_sum over the broadcast axes (bound even when
// there are none), then expand_dims back over the operand's unit dims.
P.broadcast_in_dim.rules.transpose = (([ct], [x], p) => {
  const a = (x as UndefPrimal).aval;
  if (ct instanceof Zero) return [new Zero(a)];
  const dims = nums(p.broadcast_dimensions);
  const unit = a.shape.map((n, i) => (n === 1 ? i : -1)).filter((i) => i >= 0);
  const bdims = dims.filter((_, i) => !unit.includes(i));
  const axes = ct.shape.map((_, i) => i).filter((i) => !bdims.includes(i));
  const summed = bind1(reduce_sum, [ct], { axes, out_sharding: null });
  return [expandDims(summed, unit)];
}) satisfies TransposeRule;

P.reshape.rules.transpose = (([ct], [x], p) => {
  const shape = (x as UndefPrimal).aval.shape;
  if (p.dimensions === null || p.dimensions === undefined) return [reshapeTo(instantiate(ct), shape)];
  // JAX's _reshape_transpose_rule: reshape to the permuted operand shape, then undo the permutation.
  const dims = nums(p.dimensions);
  const inv = new Array<number>(dims.length);
  dims.forEach((d, i) => {
    inv[d] = i;
  });
  const r = reshapeTo(
    instantiate(ct),
    dims.map((d) => shape[d]),
  );
  return [bind1(P.transpose, [r], { permutation: inv })];
}) satisfies TransposeRule;
// JAX's _squeeze_transpose_rule: expand_dims, a broadcast_in_dim.
P.squeeze.rules.transpose = (([ct], _x, p) => [
  expandDims(instantiate(ct), nums(p.dimensions)),
]) satisfies TransposeRule;

P.transpose.rules.transpose = (([ct], _x, p) => {
  const perm = nums(p.permutation);
  const inv = new Array<number>(perm.length);
  perm.forEach((d, i) => {
    inv[d] = i;
  });
  return [bind1(P.transpose, [instantiate(ct)], { permutation: inv })];
}) satisfies TransposeRule;

P.rev.rules.transpose = (([ct], _x, p) => [bind1(P.rev, [instantiate(ct)], p)]) satisfies TransposeRule;

P.slice.rules.transpose = (([ct], [x], p) => {
  const shape = (x as UndefPrimal).aval.shape;
  const c = instantiate(ct);
  const start = nums(p.start_indices);
  const strides = p.strides ? nums(p.strides) : start.map(() => 1);
  // JAX computes the high padding (and, with strides, the interior) with NumPy: np.int64 in the text.
  const np = (k: number) => new NpInt(k) as unknown as number;
  const cfg = shape.map((n, d) => {
    if (!p.strides || strides.every((k) => k === 1)) return [start[d], np(n - nums(p.limit_indices)[d]), 0];
    const realLimit = c.shape[d] === 0 ? start[d] : start[d] + (c.shape[d] - 1) * strides[d] + 1;
    return [start[d], np(n - realLimit), np(strides[d] - 1)];
  });
  return [padV(c, zeroScalar(c), cfg)];
}) satisfies TransposeRule;

// JAX's _pad_transpose: the cotangent padded by the negated widths (cropping it), then sliced
// with the interior padding as strides (NumPy ints in the text); the padding value gets the sum
// of the cotangent minus the sum of the operand's part.
P.pad.rules.transpose = (([ct], [x, v], p) => {
  const c = instantiate(ct);
  const cfg = (p.padding_config as number[][]).map((r) => r.map(Number));
  const np = (k: number) => new NpInt(k) as unknown as number;
  const total = (y: V) =>
    bind1(reduce_sum, [y], {
      axes: y.shape.map((_, i) => i),
      out_sharding: null,
    });
  const tOpOf = () => {
    const unpadded = padV(
      c,
      zeroScalar(c),
      cfg.map(([lo, hi]) => [np(-lo), np(-hi), np(0)]),
    );
    return sliceV(
      unpadded,
      cfg.map(() => np(0)),
      [...unpadded.shape],
      cfg.map(([, , interior]) => np(interior + 1)),
    );
  };
  const tOp = x instanceof UndefPrimal ? tOpOf() : null;
  const tPadv = v instanceof UndefPrimal ? L.sub(total(c), total(tOp ?? tOpOf())) : null;
  return [tOp, tPadv];
}) satisfies TransposeRule;

// JAX's _concatenate_transpose_rule: one split of the cotangent (its pieces for defined operands unused).
P.concatenate.rules.transpose = (([ct], xs, p) => {
  const dim = Number(p.dimension);
  if (ct instanceof Zero) return xs.map((x) => (x instanceof UndefPrimal ? new Zero(x.aval) : null));
  const sizes = xs.map((x) => (x as V | UndefPrimal).aval.shape[dim]);
  const pieces = bind(P.split, [ct], { sizes, axis: dim });
  return xs.map((x, i) => (x instanceof UndefPrimal ? pieces[i] : null));
}) satisfies TransposeRule;

/** split's transpose concatenates the cotangents (zeros where one is symbolically zero). */
P.split.rules.transpose = ((cts, [x], p) => {
  if (cts.every((c) => c instanceof Zero)) return [new Zero((x as UndefPrimal).aval)];
  return [bind1(P.concatenate, cts.map(instantiate), { dimension: Number(p.axis) })];
}) satisfies TransposeRule;

P.dynamic_slice.rules.transpose = (([ct], [x, ...idx]) => {
  const a = (x as UndefPrimal).aval;
  const c = instantiate(ct);
  return [bind1(P.dynamic_update_slice, [zerosLike(a), c, ...(idx as V[])]), ...idx.map(() => null)];
}) satisfies TransposeRule;

P.dynamic_update_slice.rules.transpose = (([ct], [x, u, ...idx]) => {
  const c = instantiate(ct);
  const ua = (u as V | UndefPrimal).aval;
  const tOp =
    x instanceof UndefPrimal ? bind1(P.dynamic_update_slice, [c, zerosLike(ua), ...(idx as V[])]) : null;
  const tUp =
    u instanceof UndefPrimal
      ? bind1(P.dynamic_slice, [c, ...(idx as V[])], { slice_sizes: [...ua.shape] })
      : null;
  return [tOp, tUp, ...idx.map(() => null)];
}) satisfies TransposeRule;

// ---- batch ---------------------------------------------------------------------------------------

const front = (x: V, d: number | null, n: number) => moveBatchAxis(x, d, 0, n);

setBatch(P.broadcast_in_dim, ([x], [d], p, n) => {
  const xf = front(x, d, n);
  return [
    [
      bind1(P.broadcast_in_dim, [xf], {
        ...p,
        shape: [n, ...nums(p.shape)],
        broadcast_dimensions: [0, ...nums(p.broadcast_dimensions).map((k) => new NpInt(k + 1))],
      }),
    ],
    [0],
  ];
});
setBatch(P.reshape, ([x], [d], p, n) => [
  [
    bind1(P.reshape, [front(x, d, n)], {
      ...p,
      new_sizes: [n, ...nums(p.new_sizes)],
      dimensions:
        p.dimensions === null || p.dimensions === undefined
          ? null
          : [0, ...nums(p.dimensions).map((k) => k + 1)],
    }),
  ],
  [0],
]);
setBatch(P.transpose, ([x], [d], p) => {
  const perm = nums(p.permutation);
  // Keep the batch dim where it is: permute the other dims around it.
  const logical = x.shape.map((_, i) => i).filter((i) => i !== d);
  const full = perm.map((k) => logical[k]);
  full.splice(d!, 0, d!);
  return [[bind1(P.transpose, [x], { permutation: full })], [d]];
});
setBatch(P.squeeze, ([x], [d], p, n) => [
  [bind1(P.squeeze, [front(x, d, n)], { dimensions: nums(p.dimensions).map((k) => k + 1) })],
  [0],
]);
setBatch(P.rev, ([x], [d], p, n) => [
  [bind1(P.rev, [front(x, d, n)], { dimensions: nums(p.dimensions).map((k) => k + 1) })],
  [0],
]);
setBatch(P.slice, ([x], [d], p, n) => {
  const strides = p.strides ? [1, ...nums(p.strides)] : null;
  return [
    [
      bind1(P.slice, [front(x, d, n)], {
        start_indices: [0, ...nums(p.start_indices)],
        limit_indices: [n, ...nums(p.limit_indices)],
        strides,
      }),
    ],
    [0],
  ];
});
setBatch(P.pad, ([x, v], [dx, dv], p, n) => {
  const cfg = [[0, 0, 0], ...(p.padding_config as number[][])];
  const xf = front(x, dx, n);
  if (dv === null) return [[padV(xf, v, cfg)], [0]];
  // A batched padding value: pad with zeros, then take the padding positions from v.
  const padded = padV(xf, zeroScalar(xf), cfg);
  const inner = xf.shape.slice(1);
  const ones = bind1(P.broadcast_in_dim, [scalarArray(true, bool)], {
    shape: inner,
    broadcast_dimensions: [],
    sharding: null,
  });
  const mask = padV(ones, scalarArray(false, bool), cfg.slice(1));
  const mb = bind1(P.broadcast_in_dim, [mask], {
    shape: padded.shape,
    broadcast_dimensions: mask.shape.map((_, i) => i + 1),
    sharding: null,
  });
  const vb = bind1(P.broadcast_in_dim, [front(v, dv, n)], {
    shape: padded.shape,
    broadcast_dimensions: [0],
    sharding: null,
  });
  return [[L.select(mb, padded, vb)], [0]];
});
setBatch(P.split, ([x], [d], p) => {
  const axis = Number(p.axis);
  const bd = d!;
  const outs = bind(P.split, [x], { ...p, axis: axis >= bd ? axis + 1 : axis });
  return [outs, outs.map(() => bd)];
});
setBatch(P.concatenate, (xs, ds, p, n) => {
  const dim = Number(p.dimension);
  return [
    [
      bind1(
        P.concatenate,
        xs.map((x, i) => front(x, ds[i], n)),
        { dimension: dim + 1 },
      ),
    ],
    [0],
  ];
});

/**
 * Start indices (scalars, some batched) as one index vector per batch element, [n, ndim] with the
 * batch at 0 (JAX's _batch_dynamic_slice_indices); mixed index dtypes meet at int32.
 */
function batchedStartIndices(idx: V[], dims: (number | null)[], n: number): [V, number | null] {
  const same = idx.every((i) => i.dtype === idx[0].dtype);
  const cast = (i: V) => (same ? i : L.convertElementType(i, 'int32', false));
  if (dims.every((d) => d === null)) {
    // No index batched: one index vector for every batch element (lax.broadcast of each to (1,)).
    return [
      concatenate(
        idx.map((i) => broadcast(cast(i), [1])),
        0,
      ),
      null,
    ];
  }
  const cols = idx.map((i, k) =>
    bind1(P.broadcast_in_dim, [cast(i)], {
      shape: [n, 1],
      broadcast_dimensions: dims[k] === null ? [] : [0],
      sharding: null,
    }),
  );
  return [concatenate(cols, 1), 0];
}

/** JAX's _dynamic_slice_batching_rule: always a gather of the slices (through the gather batcher). */
const dynSliceBatch: BatchRule = (vals, dims, p, n) => {
  const [x, ...idx] = vals;
  const ds = Array.from({ length: dims[0] === null ? x.ndim : x.ndim - 1 }, (_, d) => d);
  const dn = new GatherDimensionNumbers({ offset_dims: ds, collapsed_slice_dims: [], start_index_map: ds });
  const params = {
    dimension_numbers: dn,
    fill_value: null,
    indices_are_sorted: true,
    mode: GatherScatterMode.CLIP,
    slice_sizes: nums(p.slice_sizes),
    unique_indices: true,
  };
  const [index, bd] = batchedStartIndices(idx, dims.slice(1), n);
  return gatherBatch([x, index], [dims[0], bd], params, n);
};
setBatch(P.dynamic_slice, dynSliceBatch);
// JAX's _dynamic_update_slice_batching_rule: always a scatter of the update windows, clipped into
// bounds as dynamic_update_slice clamps (through the scatter batcher).
setBatch(P.dynamic_update_slice, (vals, dims, _p, n) => {
  const [x, u, ...idx] = vals;
  const ds = Array.from({ length: u.ndim - (dims[1] === null ? 0 : 1) }, (_, d) => d);
  const dn = new ScatterDimensionNumbers({
    update_window_dims: ds,
    inserted_window_dims: [],
    scatter_dims_to_operand_dims: ds,
  });
  const params = {
    dimension_numbers: dn,
    indices_are_sorted: true,
    mode: GatherScatterMode.CLIP,
    unique_indices: true,
    update_consts: [],
    update_jaxpr: null,
  };
  const [index, bd] = batchedStartIndices(idx, dims.slice(2), n);
  if (dims[0] === null && dims[1] === null && bd === null)
    return [[bind1(scatter, [x, index, u], params)], [null]];
  return scatterBatch(scatter)([x, index, u], [dims[0], bd, dims[1]], params, n);
});
