/**
 * @file The lax namespace: JAX's lax functions in camelCase.
 */

export * from './aliases.js';
export * from './bessel.js';
export * from './control.js';
export * from './conv.js';
export * from './dot.js';
export * from './elementwise.js';
export * from './fill.js';
export * from './indexing.js';
export * as linalg from './linalg.js';
export * from './parallel.js';
export * from './reductions.js';
export * from './sorting.js';
export * from './structural.js';
export * from './windowed.js';
