/**
 * @file The lax namespace: JAX's lax functions in camelCase.
 */

export * from './aliases.js';
export * from './associative-scan.js';
export * from './bessel.js';
export * from './complex.js';
export * from './composed.js';
export * from './control.js';
export * from './conv.js';
export * from './conv-local.js';
export * from './convenience.js';
export * from './dot.js';
export * from './elementwise.js';
export { FftType, fft } from './fft.js';
export * from './fill.js';
export * from './indexing.js';
export * as linalg from './linalg.js';
export * from './linear-solve.js';
export * from './parallel.js';
export * from './ragged.js';
export * from './reductions.js';
export * from './sorting.js';
export * from './stacking.js';
export * from './structural.js';
export * from './windowed.js';
