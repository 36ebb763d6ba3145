/**
 * @file lax's windowed reductions: reduceWindow (jax.lax.reduce_window) and reduceWindowShapeTuple,
 * with JAX 0.10.2's argument handling (jax/_src/lax/windowed_reductions.py,
 * jax/_src/lax/lax.py). reduceWindow picks reduce_window_sum/max/min when the computation is
 * lax.add/lax.max/lax.min and the init value is a concrete scalar equal to its identity, as JAX's
 * _get_monoid_window_reducer does; anything else traces the computation on the init values'
 * avals (cached per function, as JAX caches _variadic_reduction_jaxpr) into the general
 * reduce_window primitive. Operands may be a pytree with a matching tree of init values.
 *
 * One deliberate difference: a JS number init value of the general form takes its operand's
 * dtype (weakly), as JS scalars do everywhere in tjax's lax, where JAX would refuse a Python int
 * init for a float operand. Array init values keep JAX's dtype check.
 */

import { dilateDim } from '../compile/window.js';
import { ArrayImpl, hostReadable, hostScalar } from '../core/array.js';
import type { ShapedArray } from '../core/aval.js';
import { toValue } from '../core/coerce.js';
import { ValueError } from '../core/errors.js';
import { type TreeDef, treeFlatten, treeUnflatten } from '../core/pytree.js';
import { rawFunction } from '../core/raw-function.js';
import { type Shape, shapeTuple } from '../core/shape.js';
import { bind, bind1, isTracer, type Value } from '../core/trace.js';
import type { Jaxpr } from '../ir/jaxpr.js';
import {
  NotImplementedError,
  reduce_window,
  reduce_window_max,
  reduce_window_min,
  reduce_window_sum,
  reductionIdentity,
} from '../primitives/windowed.js';
import { traceToJaxpr } from '../transforms/staging.js';
import { convertElementType } from './convert.js';
import { add, max, min } from './elementwise.js';
import { padKind, samePads } from './same-padding.js';

/** 'VALID', 'SAME' or 'SAME_LOWER' (any case), or explicit `[lo, hi]` pairs per dimension. */
export type WindowPadding = string | readonly (readonly [number, number])[];

/** Python's RuntimeError, which JAX raises for an unknown padding name. */
class RuntimeError extends Error {
  override name = 'RuntimeError';
}

/** A list as NumPy prints an array's shape in a broadcasting error: `(2,)`. */
const len1 = (n: number) => `(${n},)`;

/**
 * lax.padtype_to_pads as reduce_window calls it: the (low, high) padding of each dimension for a
 * padding name. SAME pads so that the output has ceil(in / stride) elements, the odd element
 * going high (SAME_LOWER: low). The arguments broadcast against each other as NumPy arrays do
 * (reduce_window passes `window_strides or []`, so SAME without strides fails as in JAX). The
 * public lax.padtypeToPads lives with the convolutions (lax/conv.ts); this one is not exported.
 */
function windowPads(
  inShape: Shape,
  windowShape: Shape,
  windowStrides: Shape,
  padding: string,
): [number, number][] {
  const kind = padKind(padding, RuntimeError);
  if (kind === 'VALID') return inShape.map(() => [0, 0]);
  const lens = [inShape.length, windowStrides.length, windowShape.length];
  const pair = (a: number, b: number) => {
    if (a !== b && a !== 1 && b !== 1)
      throw new ValueError(`operands could not be broadcast together with shapes ${len1(a)} ${len1(b)} `);
    return a === 1 ? b : a;
  };
  const n = pair(pair(lens[0], lens[1]), lens[2]);
  const at = (xs: readonly number[], i: number) => (xs.length === 1 ? xs[0] : xs[i]);
  return Array.from({ length: n }, (_, i) =>
    samePads(kind, at(inShape, i), at(windowStrides, i), at(windowShape, i)),
  );
}

/** lax.reduce_window_shape_tuple: the output shape of a windowed reduction. */
export function reduceWindowShapeTuple(
  operandShape: readonly number[],
  windowDimensions: readonly number[],
  windowStrides: readonly number[],
  padding: readonly (readonly [number, number])[],
  baseDilation?: readonly number[],
  windowDilation?: readonly number[],
): number[] {
  return operandShape.map((n, d) => {
    const padded = dilateDim(n, baseDilation?.[d] ?? 1) + padding[d][0] + padding[d][1];
    const span = dilateDim(windowDimensions[d], windowDilation?.[d] ?? 1);
    return Math.max(0, Math.floor((padded - span) / windowStrides[d]) + 1);
  });
}

/** The params every windowed primitive takes (JAX's names, tuples as arrays). */
export interface WindowParams {
  window_dimensions: number[];
  window_strides: number[];
  padding: [number, number][];
  base_dilation: number[];
  window_dilation: number[];
}

type Computation = (a: any, b: any) => any;

interface Traced {
  jaxpr: Jaxpr;
  outTree: TreeDef;
}

const traced = new WeakMap<Computation, Map<string, Traced>>();

/**
 * The computation as a jaxpr over (left leaves, right leaves), JAX's _variadic_reduction_jaxpr.
 * Closing over a tracer is JAX's NotImplementedError; closing over an array would make the
 * `consts` param unhashable, which JAX 0.10.2 refuses as well.
 */
function reductionJaxpr(computation: Computation, avals: ShapedArray[], tree: TreeDef): Traced {
  const key = `${avals.map((a) => a.key()).join(';')}|${tree.key()}`;
  let m = traced.get(computation);
  const hit = m?.get(key);
  if (hit) return hit;
  let outTree: TreeDef | undefined;
  const n = avals.length;
  const closed = traceToJaxpr(
    (...xs: Value[]) => {
      const left = treeUnflatten(tree, xs.slice(0, n));
      const right = treeUnflatten(tree, xs.slice(n));
      const [leaves, t] = treeFlatten(computation(left, right));
      outTree = t;
      return leaves.map(toValue);
    },
    [...avals, ...avals],
  );
  if (closed.consts.some(isTracer))
    throw new NotImplementedError(
      "Reduction computations can't close over Tracers. Please open an issue at https://github.com/jax-ml/jax.",
    );
  if (closed.consts.length)
    throw new TypeError(
      `As of JAX v0.7, parameters to jaxpr equations must have __hash__ and __eq__ methods. In a call to primitive reduce_window, the value of parameter consts was not hashable: (${closed.consts.map(String).join(', ')},)`,
    );
  const entry = { jaxpr: closed.jaxpr, outTree: outTree! };
  if (!m) traced.set(computation, (m = new Map()));
  m.set(key, entry);
  return entry;
}

/**
 * A concrete, host-readable 0-d value's JS scalar, or null. An init value resident on a device
 * that cannot be read synchronously (webgpu) counts as not concrete, like a tracer: it takes the
 * general form, which needs its dtype to match the operand's.
 */
function concreteScalar(v: Value): number | bigint | boolean | null {
  if (!(v instanceof ArrayImpl) || v.ndim !== 0 || !hostReadable(v) || v.dtype.isComplex) return null;
  return hostScalar(v) as number | bigint | boolean;
}

function sameNumber(a: number | bigint | boolean, b: number | bigint | boolean): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') return BigInt(a) === BigInt(b);
  return Number(a) === Number(b);
}

/** The specialised primitive for (computation, init), or null: JAX's _get_monoid_window_reducer. */
function monoidPrimitive(fn: Computation, init: Value) {
  // `lax.add` as users pass it is the public (argument-checking) wrapper of add.
  const computation = rawFunction(fn);
  const val = concreteScalar(init);
  if (val === null) return null;
  if (computation === add) return sameNumber(val, 0) ? reduce_window_sum : null;
  if (computation === max)
    return sameNumber(val, reductionIdentity(init.dtype, 'max')) ? reduce_window_max : null;
  if (computation === min)
    return sameNumber(val, reductionIdentity(init.dtype, 'min')) ? reduce_window_min : null;
  return null;
}

/**
 * jax.lax.reduce_window: reduce each window of `operand` (an array or a pytree of arrays) with
 * `computation`, starting from `initValue` (a scalar or a matching pytree of scalars). Windows
 * move by `windowStrides` (default 1) over the operand dilated by `baseDilation` and padded by
 * `padding`; `windowDilation` spaces a window's taps.
 */
export function reduceWindow(
  operand: unknown,
  initValue: unknown,
  computation: Computation,
  windowDimensions: readonly number[],
  windowStrides?: readonly number[] | null,
  padding: WindowPadding = 'VALID',
  baseDilation?: readonly number[] | null,
  windowDilation?: readonly number[] | null,
): any {
  const [opLeaves, opTree] = treeFlatten(operand);
  const [initLeaves, initTree] = treeFlatten(initValue);
  if (!opTree.equals(initTree))
    throw new ValueError(
      `Operands must have the same tree structure as init_values: ${opTree} vs. ${initTree}`,
    );
  if (opLeaves.length === 0) throw new ValueError('reduce_window must have at least one operand.');
  const ops = opLeaves.map(toValue);
  const dims = [...windowDimensions];
  const ones = dims.map(() => 1);
  let pads: [number, number][];
  if (typeof padding === 'string') {
    let span = dims;
    if (windowDilation) {
      // lax._dilate_shape: positive dilations, missing leading ones taken as 1.
      if (!windowDilation.every((d) => d > 0))
        throw new TypeError(`All dilations must be positive, got ${shapeTuple(windowDilation)}.`);
      if (windowDilation.length > dims.length)
        throw new ValueError('safe_map() argument 2 is longer than argument 1');
      const lead = dims.length - windowDilation.length;
      span = dims.map((n, i) => dilateDim(n, i < lead ? 1 : windowDilation[i - lead]));
    }
    pads = windowPads(ops[0].shape, span, windowStrides ?? [], padding);
  } else pads = padding.map(([lo, hi]) => [lo, hi]);
  const params: WindowParams = {
    window_dimensions: dims,
    window_strides: windowStrides ? [...windowStrides] : ones,
    padding: pads,
    base_dilation: baseDilation ? [...baseDilation] : ones,
    window_dilation: windowDilation ? [...windowDilation] : ones,
  };
  if (ops.length === 1) {
    const prim = monoidPrimitive(computation, toValue(initLeaves[0]));
    if (prim) return treeUnflatten(opTree, [bind1(prim, ops, { ...params })]);
  }
  const inits = initLeaves.map((v, i) =>
    typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint'
      ? convertElementType(toValue(v), ops[i].dtype, true)
      : toValue(v),
  );
  const { jaxpr, outTree } = reductionJaxpr(
    computation,
    inits.map((v) => v.aval),
    initTree,
  );
  if (!outTree.equals(opTree))
    throw new ValueError(
      `reduce_window output must have the same tree structure as the operands ${opTree} vs. ${outTree}`,
    );
  const outs = bind(reduce_window, [...ops, ...inits], { jaxpr, consts: [], ...params });
  return treeUnflatten(opTree, outs);
}
