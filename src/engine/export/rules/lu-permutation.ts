/**
 * @file The permutation LU's export computes from LAPACK's pivots, as JAX's CPU lowering does
 * (lower_fun of lax.linalg._generic_lu_pivots_to_permutation): an iota of the rows, then a
 * fori_loop over the pivots that swaps entries i and pivots[i] (vmapped over batch dims). The
 * loop is traced with tjax's own lax and numpy, so it lowers as a rolled scan like JAX's. Export
 * rules cannot import the namespaces (they sit above them), so engine/index.ts imports this file
 * last and it hands the builder to linalg.ts.
 */

import { ShapedArray } from '../../core/aval.js';
import { fromHostData } from '../../core/coerce.js';
import { int32 } from '../../core/dtype.js';
import type { Value } from '../../core/trace.js';
import type { ClosedJaxpr } from '../../ir/jaxpr.js';
import { foriLoop } from '../../lax/control.js';
import { convertElementType } from '../../lax/convert.js';
import { add, lt, selectN } from '../../lax/elementwise.js';
import { scatter } from '../../lax/indexing.js';
import { broadcastedIota, broadcastInDim, dynamicSlice, squeeze } from '../../lax/structural.js';
import { vmap } from '../../transforms/api.js';
import { makeJaxpr } from '../../transforms/jit.js';
import { linalgHooks } from './linalg.js';

/** `x[i]` for a traced int32 scalar i, as jnp's indexing normalizes it (the convert included). */
function index1(x: Value, i: Value, convertFirst: boolean): Value {
  const n = x.shape[0];
  const neg = lt(i, 0);
  const wrapped = add(convertFirst ? convertElementType(i, int32) : i, n);
  return squeeze(dynamicSlice(x, [selectN(neg, i, wrapped)], [1]), [0]);
}

/** `x.at[i].set(v)` for a traced int32 scalar i: a one-element scatter that drops out-of-range. */
function set1(x: Value, i: Value, v: Value, convertAfter: boolean): Value {
  let k = selectN(lt(i, 0), i, add(i, x.shape[0]));
  if (convertAfter) k = convertElementType(k, int32);
  const dn = {
    update_window_dims: [],
    inserted_window_dims: [0],
    scatter_dims_to_operand_dims: [0],
    operand_batching_dims: [],
    scatter_indices_batching_dims: [],
  };
  return scatter(x, broadcastInDim(k, [1], []), v, dn, {
    indicesAreSorted: true,
    uniqueIndices: true,
    mode: 'fill',
  });
}

/**
 * _lu_pivots_body_fn_inner on one row of pivots, with the operations jnp's indexing emits for
 * `swaps[..., i]`, `permutation[..., i]`, `permutation[j]` and the two `.at[...].set`.
 */
function swapStep(i: Value, permutation: Value, swaps: Value): Value {
  const j = index1(swaps, i, true);
  const x = index1(permutation, i, true);
  const y = index1(permutation, j, false);
  return set1(set1(permutation, i, y, true), j, x, false);
}

const cache = new Map<string, ClosedJaxpr>();

/** The jaxpr of pivots (batch..., k) int32 -> permutation (batch..., m) int32. */
function luPermutationJaxpr(pivotShape: readonly number[], m: number): ClosedJaxpr {
  const key = `${pivotShape.join(',')}|${m}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const batch = pivotShape.slice(0, -1);
  const k = pivotShape[pivotShape.length - 1];
  let step: (i: Value, p: Value, s: Value) => Value = swapStep;
  for (let d = 0; d < batch.length; d++) step = vmap(step, { inAxes: [null, 0, 0] }) as typeof step;
  const fn = (swaps: Value): Value => {
    const p0 = broadcastedIota(int32, [...batch, m], batch.length);
    if (m === 0 || k === 0) return p0;
    const lo = fromHostData(new Int32Array([0]), [], int32);
    const hi = fromHostData(new Int32Array([k]), [], int32);
    const [perm] = foriLoop(lo, hi, (i, [p, s]: [Value, Value]) => [step(i, p, s), s] as [Value, Value], [
      p0,
      swaps,
    ] as [Value, Value]);
    return perm;
  };
  const cj = makeJaxpr(fn)(new ShapedArray(pivotShape, int32, false) as never);
  cache.set(key, cj);
  return cj;
}

linalgHooks.luPermutation = luPermutationJaxpr;
