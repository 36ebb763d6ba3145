/**
 * @file Everything the numpy namespace exports, gathered from its modules.
 */

export * from './compare.js';
export * from './complex.js';
export * from './convolve.js';
export * from './creation.js';
export * from './dtypes.js';
export * as fft from './fft.js';
export * from './indexing.js';
export * from './linalg.js';
export { roots } from './linalg-eig.js';
export * from './reductions.js';
export * from './shapes.js';
export * from './sorting.js';
export * from './ufuncs.js';
