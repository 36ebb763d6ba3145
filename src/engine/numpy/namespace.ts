/**
 * @file Everything the numpy namespace exports, gathered from its modules.
 */
export * from './creation.js';
export * from './dtypes.js';
export * from './reductions.js';
export * from './ufuncs.js';
export * from './linalg.js';
export * from './indexing.js';
export * from './sorting.js';
export * from './shapes.js';
export * from './compare.js';
