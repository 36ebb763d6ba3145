/**
 * @file Export rules of the primitives of primitives/composed.ts, as mlir.lower_fun of lax code
 * (stack, unstack and tile export directly, JAX's lowerings op for op: export/rules/structural.ts).
 * cumlogsumexp and reduce_xor export the compositions the
 * kernel lowering uses (transforms/rules/composed.ts) where JAX emits a windowed logaddexp reduce
 * and one stablehlo.reduce with xor; optimization_barrier exports its operands and empty zeros
 * (JAX: stablehlo.optimization_barrier, an AllocateBuffer custom call). Like special.ts this
 * traces lax code, so engine/index.ts imports it once the namespaces are loaded.
 */

import { toDType } from '../../core/dtype.js';
import { convertElementType } from '../../lax/convert.js';
import { broadcastInDim } from '../../lax/structural.js';
import { cumlogsumexpImpl, reduceXorImpl } from '../../transforms/rules/composed.js';
import { registerLoweredFunOf } from './special.js';

const nums = (v: unknown) => (v as number[]).map(Number);

registerLoweredFunOf('cumlogsumexp', ([x], p) => cumlogsumexpImpl(x, p));
registerLoweredFunOf('reduce_xor', ([x], p) => reduceXorImpl(x, p));
registerLoweredFunOf('optimization_barrier', (xs) => xs);
registerLoweredFunOf('empty', (_xs, p) =>
  broadcastInDim(convertElementType(0, toDType(p.dtype as string)), nums(p.shape), []),
);
