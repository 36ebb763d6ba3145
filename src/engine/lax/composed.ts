/**
 * @file lax.cumlogsumexp, lax.reduce_xor, lax.optimization_barrier and lax.empty (binding the
 * primitives of primitives/composed.ts), lax.reduce and the RoundingMethod enum, with JAX 0.10.2's
 * argument handling (jax/_src/lax/lax.py, control_flow/loops.py).
 *
 * lax.reduce recognises JAX's monoids as _get_monoid_reducer does (add with 0, mul with 1, max
 * with -inf or the dtype's minimum, min likewise, the bitwise ops with their identities) and binds
 * reduce_sum, reduce_prod, ...; any other computation is reduced pairwise, halving the reduced
 * axis each step with the computation vmapped over the rest: the order JAX's own reduce_p
 * derivative (_reduce_jvp) uses. Where JAX binds reduce_p with the computation's jaxpr, tjax's
 * jaxpr shows that composition.
 */
import { ArrayImpl } from '../core/array.js';
import { toValue } from '../core/coerce.js';
import { type DTypeLike, toDType } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { treeFlatten, treeUnflatten } from '../core/pytree.js';
import { rawFunction } from '../core/raw-function.js';
import { bind, bind1, type Value } from '../core/trace.js';
import * as P from '../primitives/composed.js';
import * as PM from '../primitives/mulhi.js';
import { vmap } from '../transforms/api.js';
import { convertElementType } from './convert.js';
import * as L from './elementwise.js';
import * as R from './reductions.js';
import * as S from './structural.js';

type In = Value | number | boolean | readonly unknown[];

/** lax.RoundingMethod: lax.round's rounding_method values. */
export const RoundingMethod = { AWAY_FROM_ZERO: 0, TO_NEAREST_EVEN: 1 } as const;

export interface CumlogsumexpOptions {
  axis?: number;
  reverse?: boolean;
}

/** lax.cumlogsumexp(operand, axis=0, reverse=false): log of the cumulative sum of exp(operand). */
export function cumlogsumexp(operand: In, opts: CumlogsumexpOptions = {}): Value {
  return bind1(P.cumlogsumexp, [toValue(operand)], { axis: opts.axis ?? 0, reverse: opts.reverse ?? false });
}

/** lax.mulhi(x, y): the high half of the double-width product of integers of one dtype. */
export function mulhi(x: In, y: In): Value {
  return bind1(PM.mulhi, [toValue(x), toValue(y)]);
}

/** lax.reduce_xor(operand, axes): bitwise xor over `axes`. */
export function reduceXor(operand: In, axes: readonly number[]): Value {
  return bind1(P.reduce_xor, [toValue(operand)], { axes: [...axes] });
}

/** lax.optimization_barrier(operand): the pytree unchanged, its leaves through one barrier. */
export function optimizationBarrier<T>(operand: T): T {
  const [leaves, tree] = treeFlatten(operand);
  const outs = bind(
    P.optimization_barrier,
    leaves.map((l) => toValue(l as In)),
    {},
  );
  return treeUnflatten(tree, outs) as T;
}

/** lax.empty(shape, dtype): an array of unspecified contents (zeros in tjax). */
export function empty(shape: number | readonly number[], dtype: DTypeLike): Value {
  const dims = typeof shape === 'number' ? [shape] : [...shape];
  return bind1(P.empty, [], { shape: dims, dtype: toDType(dtype), out_sharding: null });
}

type Computation = (a: any, b: any) => any;

const isIntLike = (v: Value) => v.dtype.isBool || v.dtype.isInt;

/** _get_monoid_reducer: the reduce_* function for a known monoid and its identity, or null. */
function monoidReducer(op: Computation, init: Value): ((x: Value, axes: number[]) => Value) | null {
  if (init.ndim !== 0 || !(init instanceof ArrayImpl)) return null;
  const v = Number(init.dataSync()[0]);
  const f = rawFunction(op);
  const d = init.dtype;
  const lowest = d.isBool
    ? 0
    : d.isFloat
      ? Number.NEGATIVE_INFINITY
      : d.name.startsWith('uint')
        ? 0
        : -(2 ** (8 * d.itemsize - 1));
  const highest = d.isBool
    ? 1
    : d.isFloat
      ? Number.POSITIVE_INFINITY
      : d.name.startsWith('uint')
        ? 2 ** (8 * d.itemsize) - 1
        : 2 ** (8 * d.itemsize - 1) - 1;
  if (f === L.add) return v === 0 ? R.reduceSum : null;
  if (f === L.mul) return v === 1 ? R.reduceProd : null;
  if (f === L.bitwiseOr && isIntLike(init)) return v === 0 ? R.reduceOr : null;
  if (f === L.bitwiseAnd && isIntLike(init))
    return v === (d.isBool ? 1 : d.name.startsWith('uint') ? highest : -1) ? R.reduceAnd : null;
  if (f === L.bitwiseXor && isIntLike(init)) return v === 0 ? reduceXor : null;
  if (f === L.max) return v === lowest ? R.reduceMax : null;
  if (f === L.min) return v === highest ? R.reduceMin : null;
  return null;
}

/**
 * lax.reduce(operands, init_values, computation, dimensions): operands (one array or a list of
 * same-shaped arrays, matched by init_values) reduced over `dimensions` by `computation`, which
 * with init_values must form a monoid.
 */
export function reduce(
  operands: unknown,
  initValues: unknown,
  computation: Computation,
  dimensions: readonly number[],
): any {
  const [ops, opTree] = treeFlatten(operands);
  const [inits, initTree] = treeFlatten(initValues);
  if (opTree.key() !== initTree.key())
    throw new ValueError(
      `Operands must have the same tree structure as init_values: ${String(opTree)} vs. ${String(initTree)}`,
    );
  if (ops.length !== inits.length)
    throw new ValueError(
      `Must have same total number of operands as init_values:  ${ops.length} vs. ${inits.length}`,
    );
  const xs = ops.map((o) => toValue(o as In));
  const ivs = inits.map((i) => toValue(i as In));
  const dims = [...dimensions];
  if (xs.length === 1) {
    const m = monoidReducer(computation, ivs[0]);
    if (m) {
      const out = m(xs[0], dims);
      const weak = xs[0].weakType && ivs[0].weakType;
      return out.weakType === weak ? out : convertElementType(out, out.dtype, weak);
    }
  }
  return treeUnflatten(opTree, pairwiseReduce(xs, ivs, computation, opTree, dims));
}

/** Reduce `dims` of same-shaped `xs` by halving them pairwise (init values pad odd lengths). */
function pairwiseReduce(
  xs: Value[],
  inits: Value[],
  computation: Computation,
  tree: ReturnType<typeof treeFlatten>[1],
  dims: number[],
): Value[] {
  const shape = xs[0].shape;
  const keep = shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const outShape = keep.map((d) => shape[d]);
  const m = outShape.reduce((a, b) => a * b, 1);
  let n = dims.reduce((a, d) => a * shape[d], 1);
  let vs = xs.map((x, i) =>
    S.reshape(S.transpose(convertElementType(x, inits[i].dtype), [...dims, ...keep]), [n, m]),
  );
  const combine = (a: Value[], b: Value[]): Value[] =>
    treeFlatten(computation(treeUnflatten(tree, a), treeUnflatten(tree, b)))[0].map((v) => toValue(v as In));
  const rowwise = vmap(vmap((...ab: Value[]) => combine(ab.slice(0, xs.length), ab.slice(xs.length))));
  if (n === 0) return inits.map((i) => S.broadcastInDim(i, outShape, []));
  while (n > 1) {
    if (n % 2) vs = vs.map((v, i) => S.concatenate([v, S.broadcastInDim(inits[i], [1, m], [])], 0));
    const h = (n + (n % 2)) / 2;
    const lo = vs.map((v) => S.sliceInDim(v, 0, h, 1, 0));
    const hi = vs.map((v) => S.sliceInDim(v, h, 2 * h, 1, 0));
    vs = rowwise(...lo, ...hi) as Value[];
    n = h;
  }
  return vs.map((v) => S.reshape(v, outShape));
}
