/**
 * @file ppermute's batching rule over its own axis is JAX's `v.take(perm_indices, d)`: jnp.take,
 * which transformation rules cannot import (namespaces sit above them), so it is handed over
 * here, once both the lax and numpy namespaces are loaded (engine/index.ts imports this last).
 */
import { toValue } from '../core/coerce.js';
import { take } from '../numpy/take.js';
import { collectiveHooks } from '../transforms/rules/collectives.js';

collectiveHooks.take = (x, idx, axis) => take(x, toValue(idx), { axis });
