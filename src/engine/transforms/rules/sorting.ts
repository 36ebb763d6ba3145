/**
 * @file jvp, transpose and batch rules of the arg-reductions, cumulative ops and sorting
 * (primitives/sorting.ts), after JAX 0.10.2:
 * - argmax/argmin are integer-valued (zero tangents);
 * - cumsum is linear; its transpose is the cumsum in the other direction;
 * - cumprod/cummax/cummin differentiate as JAX's _cumred_jvp_rule does: the jvp of an associative
 *   scan (lax.associative_scan's odd/even recursion, built here from slice/pad/concatenate) with
 *   the op as combiner, primal and tangent both (JAX differentiates the scan, not the primitive);
 * - sort appends an iota operand to learn the permutation and gathers the tangents with it
 *   (JAX's _sort_jvp), top_k gathers the tangents at its indices (_top_k_jvp); the gathers use
 *   operand_batching_dims for the dims that are not sorted;
 * - every batch rule moves the batch dim to the front and shifts the axis.
 */
import { ShapedArray } from '../../core/aval.js';
import { uint32 } from '../../core/dtype.js';
import type { Primitive } from '../../core/primitive.js';
import { bind, bind1, type Value } from '../../core/trace.js';
import { NpInt } from '../../ir/pyrepr.js';
import * as L from '../../lax/elementwise.js';
import * as S from '../../lax/structural.js';
import { GatherDimensionNumbers, GatherScatterMode } from '../../primitives/indexing.js';
import * as P from '../../primitives/sorting.js';
import { instantiate, type JvpRule, jvpFlat, Zero } from '../jvp.js';
import type { TransposeRule } from '../transpose.js';
import { type BatchRule, moveBatchAxis } from '../vmap.js';
import { defjvpZero, deflinear, setBatch } from './common.js';
import { gatherWith } from './indexing.js';

type V = Value;
const front = (x: V, d: number | null, n: number) => moveBatchAxis(x, d, 0, n);

// ---- associative scan ------------------------------------------------------------------------------

function sliceAxis(x: V, start: number, limit: number, stride: number, axis: number): V {
  return S.sliceInDim(x, start, limit, stride, axis);
}

/** Interleave a and b along axis (a first); a is as long as b or one longer. */
function interleave(a: V, b: V, axis: number): V {
  const same = a.shape[axis] === b.shape[axis];
  const cfg = (lo: number, hi: number) =>
    a.shape.map((_, d) => (d === axis ? [lo, hi, 1] : [0, 0, 0]) as [number, number, number]);
  const pa = S.pad(a, 0, cfg(0, same ? 1 : 0));
  const pb = S.pad(b, 0, cfg(1, same ? 0 : 1));
  return L.add(pa, pb);
}

/**
 * Inclusive scan of `x` along `axis` with an associative `op`: combine adjacent pairs, scan the
 * half-length result recursively (the odd positions), then fill in the even ones.
 */
export function associativeScan(op: (a: V, b: V) => V, x: V, axis: number, reverse = false): V {
  const scan = (e: V): V => {
    const n = e.shape[axis];
    if (n < 2) return e;
    const reduced = op(sliceAxis(e, 0, n - 1, 2, axis), sliceAxis(e, 1, n, 2, axis));
    const odd = scan(reduced);
    const evenTail =
      n % 2 === 0
        ? op(sliceAxis(odd, 0, odd.shape[axis] - 1, 1, axis), sliceAxis(e, 2, n, 2, axis))
        : op(odd, sliceAxis(e, 2, n, 2, axis));
    const even = S.concatenate([sliceAxis(e, 0, 1, 1, axis), evenTail], axis);
    return interleave(even, odd, axis);
  };
  if (!reverse) return scan(x);
  return S.rev(scan(S.rev(x, [axis])), [axis]);
}

// ---- argmax / argmin -----------------------------------------------------------------------------

defjvpZero(P.argmax);
defjvpZero(P.argmin);
for (const prim of [P.argmax, P.argmin]) {
  setBatch(prim, (([x], [d], p, n) => {
    const axes = (p.axes as number[]).map((a) => new NpInt(Number(a) + 1));
    return [[bind1(prim, [front(x, d, n)], { ...p, axes })], [0]];
  }) satisfies BatchRule);
}

// ---- cumulative ops ------------------------------------------------------------------------------

deflinear(P.cumsum);
P.cumsum.rules.transpose = (([ct], _x, p) => [
  bind1(P.cumsum, [instantiate(ct)], { ...p, reverse: !p.reverse }),
]) satisfies TransposeRule;

/** JAX's _cumulative_jvp_rule: the jvp of `op`'s associative scan gives primal and tangent. */
export function cumJvp(prim: Primitive, op: (a: V, b: V) => V): JvpRule {
  return ([x], [g], p) => {
    if (g instanceof Zero) {
      const ans = bind1(prim, [x], p);
      return [[ans], [new Zero(ans.aval)]];
    }
    const axis = Number(p.axis);
    const reverse = Boolean(p.reverse);
    const [[ans], [t]] = jvpFlat((y) => [associativeScan(op, y, axis, reverse)], [x], [g]);
    return [[ans], [t]];
  };
}
P.cumprod.rules.jvp = cumJvp(P.cumprod, L.mul);
P.cummax.rules.jvp = cumJvp(P.cummax, L.max);
P.cummin.rules.jvp = cumJvp(P.cummin, L.min);

for (const prim of [P.cumsum, P.cumprod, P.cummax, P.cummin]) {
  setBatch(prim, (([x], [d], p, n) => [
    [bind1(prim, [front(x, d, n)], { ...p, axis: Number(p.axis) + 1 })],
    [0],
  ]) satisfies BatchRule);
}

// ---- sort / top_k --------------------------------------------------------------------------------

/**
 * t[..., perm, ...] along `axis`: a gather whose index batch dims are all of t's other dims
 * (perm has t's shape but for `axis`).
 */
function takeAlong(t: V, perm: V, axis: number, viaReshape: boolean): V {
  // sort's batch dims come from np.delete (np.int64 in the text), top_k's from a Python range.
  const others = t.shape
    .map((_, d) => d)
    .filter((d) => d !== axis)
    .map((d) => (viaReshape ? d : (new NpInt(d) as unknown as number)));
  const shape = [...perm.shape, 1];
  // JAX's sort rule adds the index dim by broadcast_in_dim, top_k's by reshape.
  const idx = viaReshape
    ? S.reshape(perm, shape)
    : S.broadcastInDim(
        perm,
        shape,
        perm.shape.map((_, d) => d),
      );
  const dn = new GatherDimensionNumbers({
    offset_dims: [],
    collapsed_slice_dims: [axis],
    start_index_map: [axis],
    operand_batching_dims: others,
    start_indices_batching_dims: others,
  });
  return gatherWith(
    t,
    idx,
    dn,
    t.shape.map(() => 1),
    GatherScatterMode.PROMISE_IN_BOUNDS,
  );
}

P.sort.rules.jvp = ((primals, tangents, p) => {
  const dim = Number(p.dimension);
  const shape = primals[0].shape;
  const iota = S.broadcastedIota(uint32, shape, dim);
  const outs = bind(P.sort, [...primals, iota], p);
  const perm = outs[outs.length - 1];
  const ts = tangents.map((t, i) =>
    t instanceof Zero ? new Zero(outs[i].aval) : takeAlong(t, perm, dim, false),
  );
  return [outs.slice(0, -1), ts];
}) satisfies JvpRule;

P.top_k.rules.jvp = (([x], [g], p) => {
  const [vals, idx] = bind(P.top_k, [x], p);
  const idxZero = new Zero(new ShapedArray(idx.shape, idx.dtype, idx.weakType));
  if (g instanceof Zero)
    return [
      [vals, idx],
      [new Zero(vals.aval), idxZero],
    ];
  return [
    [vals, idx],
    [takeAlong(g, idx, Number(p.axis), true), idxZero],
  ];
}) satisfies JvpRule;

// JAX's _sort_batch_rule: operands move to the first batched operand's batch dim; unbatched ones
// are broadcast there (with Python-int dims).
setBatch(P.sort, ((vals, dims, p) => {
  const k = dims.findIndex((d) => d !== null);
  const proto = vals[k];
  const bd = dims[k] as number;
  const args = vals.map((v, i) => {
    const d = dims[i];
    if (d !== null) return moveBatchAxis(v, d, bd, proto.shape[bd]);
    const bdims = proto.shape.map((_, j) => j).filter((j) => j !== bd);
    return S.broadcastInDim(v, proto.shape, bdims);
  });
  const dim = Number(p.dimension);
  const outs = bind(P.sort, args, { ...p, dimension: dim + (bd <= dim ? 1 : 0) });
  return [outs, outs.map(() => bd)];
}) satisfies BatchRule);

setBatch(P.top_k, (([x], [d], p, n) => {
  const outs = bind(P.top_k, [front(x, d, n)], { ...p, axis: Number(p.axis) + 1 });
  return [outs, [0, 0]];
}) satisfies BatchRule);
