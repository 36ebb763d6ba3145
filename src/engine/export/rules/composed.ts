/**
 * @file Export rules of stack, unstack, tile (primitives/stacking.ts) and of the primitives of
 * primitives/composed.ts, as mlir.lower_fun of lax code. stack, unstack and tile follow JAX
 * 0.10.2's lowerings op for op (broadcast_in_dim + concatenate; slice + reshape per result;
 * reshape, broadcast_in_dim, reshape). cumlogsumexp and reduce_xor export the compositions the
 * kernel lowering uses (transforms/rules/composed.ts) where JAX emits a windowed logaddexp reduce
 * and one stablehlo.reduce with xor; optimization_barrier exports its operands and empty zeros
 * (JAX: stablehlo.optimization_barrier, an AllocateBuffer custom call). Like special.ts this
 * traces lax code, so engine/index.ts imports it once the namespaces are loaded.
 */

import { toDType } from '../../core/dtype.js';
import { convertElementType } from '../../lax/convert.js';
import { broadcastInDim, concatenate, reshape, sliceInDim } from '../../lax/structural.js';
import { cumlogsumexpImpl, reduceXorImpl } from '../../transforms/rules/composed.js';
import { registerLoweredFunOf } from './special.js';

const nums = (v: unknown) => (v as number[]).map(Number);

registerLoweredFunOf('stack', (xs, p) => {
  const axis = Number(p.axis);
  const shape = [...xs[0].shape];
  shape.splice(axis, 0, 1);
  const dims = shape.map((_, d) => d).filter((d) => d !== axis);
  return concatenate(
    xs.map((x) => broadcastInDim(x, shape, dims)),
    axis,
  );
});

registerLoweredFunOf('unstack', ([x], p) => {
  const axis = Number(p.axis);
  const out = x.shape.filter((_, d) => d !== axis);
  return Array.from({ length: x.shape[axis] }, (_, k) => reshape(sliceInDim(x, k, k + 1, 1, axis), out));
});

registerLoweredFunOf('tile', ([x], p) => {
  const reps = nums(p.reps);
  const expanded = reshape(
    x,
    x.shape.flatMap((n) => [1, n]),
  );
  const pairs = x.shape.flatMap((n, d) => [reps[d], n]);
  const b = broadcastInDim(
    expanded,
    pairs,
    pairs.map((_, i) => i),
  );
  return reshape(
    b,
    x.shape.map((n, d) => n * reps[d]),
  );
});

registerLoweredFunOf('cumlogsumexp', ([x], p) => cumlogsumexpImpl(x, p));
registerLoweredFunOf('reduce_xor', ([x], p) => reduceXorImpl(x, p));
registerLoweredFunOf('optimization_barrier', (xs) => xs);
registerLoweredFunOf('empty', (_xs, p) =>
  broadcastInDim(convertElementType(0, toDType(p.dtype as string)), nums(p.shape), []),
);
