/**
 * @file optax.masked (optax/transforms/_masking.py): apply an inner transformation to the leaves a mask
 * selects, and pass the others through untouched. Masked-out leaves are replaced by `MaskedNode`, a pytree
 * node with no children (optax's empty NamedTuple), so the inner transformation neither sees them nor keeps
 * state for them. The mask is a pytree of booleans that is a prefix of the params (`true` stands for a whole
 * subtree), or a function of the params (or updates) that returns one.
 */
import { ArrayMethods } from '../core/methods.js';
import { registerPytreeNode, treeStructure } from '../core/pytree.js';
import type { Value } from '../core/trace.js';
import type { GradientTransformation, OptState, Params, PyTree, Updates } from './base.js';
import { mapPrefix } from './tree.js';

/** Stands in for a masked-out leaf (optax.MaskedNode): a pytree node with no leaves. */
export class MaskedNode {
  toString(): string {
    return 'MaskedNode()';
  }
}
registerPytreeNode(MaskedNode, {
  name: 'MaskedNode',
  flatten: () => [[], null],
  unflatten: () => new MaskedNode(),
});

export interface MaskedState {
  inner_state: OptState;
}

export type Mask = PyTree | ((tree: PyTree) => PyTree);

/** A mask leaf as a JS boolean (Python's `if m`): booleans, numbers, or concrete one-element arrays. */
function truthy(m: unknown): boolean {
  if (typeof m === 'boolean') return m;
  if (typeof m === 'number') return m !== 0;
  if (m instanceof ArrayMethods) {
    const v = m as Value;
    if (v.size !== 1)
      throw new TypeError(`A mask leaf must be a single boolean, got an array of shape (${v.shape}).`);
    return Boolean(v.dataSync()[0]);
  }
  throw new TypeError(`A mask leaf must be a boolean, got ${String(m)}.`);
}

function maskPytree(tree: PyTree, maskTree: PyTree): PyTree {
  return mapPrefix((m, p) => (truthy(m) ? p : new MaskedNode()), maskTree, tree);
}

export interface MaskedOptions {
  /** Also mask extra args whose tree structure equals the updates' (optax's mask_compatible_extra_args). */
  maskCompatibleExtraArgs?: boolean;
}

/** Applies `inner` to the leaves `mask` selects; the other updates pass through unchanged. */
export function masked<S>(
  inner: GradientTransformation<S>,
  mask: Mask,
  opts: MaskedOptions = {},
): GradientTransformation<MaskedState> {
  const maskOf = (tree: PyTree): PyTree => (typeof mask === 'function' ? mask(tree) : mask);
  return {
    init(params: Params) {
      return { inner_state: inner.init(maskPytree(params, maskOf(params))) };
    },
    update(
      updates: Updates,
      state: MaskedState,
      params?: Params | null,
      extraArgs?: Record<string, unknown>,
    ) {
      const maskTree = maskOf(updates);
      let extra = extraArgs;
      if (extraArgs && opts.maskCompatibleExtraArgs) {
        extra = {};
        const def = treeStructure(updates);
        for (const [k, v] of Object.entries(extraArgs)) {
          extra[k] = treeStructure(v).equals(def) ? maskPytree(v, maskTree) : v;
        }
      }
      const maskedParams = params === null || params === undefined ? null : maskPytree(params, maskTree);
      const [newMasked, innerState] = inner.update(
        maskPytree(updates, maskTree),
        state.inner_state as S,
        maskedParams,
        extra,
      );
      const newUpdates = mapPrefix((m, nu, old) => (truthy(m) ? nu : old), maskTree, newMasked, updates);
      return [newUpdates, { inner_state: innerState }];
    },
  };
}
