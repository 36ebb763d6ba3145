/**
 * @file Everything the numpy namespace exports, gathered from its modules.
 */
export * from './creation.js';
export * from './dtypes.js';
export * from './reductions.js';
export * from './ufuncs.js';
