/**
 * @file The tree namespace (jax.tree / jax.tree_util): flatten, unflatten, map, leaves, structure
 * and custom node registration.
 */
export {
  registerPytreeNode,
  TreeDef,
  treeFlatten as flatten,
  treeLeaves as leaves,
  treeMap as map,
  treeStructure as structure,
  treeUnflatten as unflatten,
} from '../core/pytree.js';
