/**
 * @file Everything the numpy namespace exports, gathered from its modules.
 */

export * from './aliases.js';
export * from './compare.js';
// The public where (with its one-argument form); ufuncs' three-argument where is for internal use.
export { where } from './compare.js';
export * from './creation.js';
export * from './dtypes.js';
export * from './indexing.js';
export * from './linalg.js';
export * from './reductions.js';
export * from './shapes.js';
export * from './sorting.js';
export * from './ufuncs.js';
