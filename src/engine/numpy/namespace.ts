/**
 * @file Everything the numpy namespace exports, gathered from its modules.
 */

export * from './bits.js';
export * from './calculus.js';
export * from './compare.js';
// The public where (with its one-argument form); ufuncs' three-argument where is for internal use.
export { where } from './compare.js';
export * from './complex.js';
export * from './convolve.js';
export * from './creation.js';
export * from './dtype-info.js';
export * from './dtypes.js';
export * as fft from './fft.js';
export * from './functional.js';
export * from './grids.js';
export * from './histogram.js';
export * from './host-data.js';
export * from './index-tricks.js';
export * from './indexing.js';
export * from './insert.js';
export * from './linalg.js';
export * from './math.js';
export * from './nan-reductions.js';
export { type PadMode, type PadWidth, pad } from './pad.js';
export * from './partition.js';
export * from './polynomial.js';
export * from './products.js';
export * from './quantile.js';
export * from './rearrange.js';
export * from './reductions.js';
export * from './setops.js';
export * from './shapes.js';
export * from './sorting.js';
export * from './spacing.js';
export * from './statistics.js';
export * from './take.js';
export * from './ufuncs.js';
export * from './vectorize.js';
export * from './windows.js';
