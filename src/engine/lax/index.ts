/**
 * @file The lax namespace: JAX's lax functions in camelCase.
 */
export * from './elementwise.js';
export * from './structural.js';
export * from './reductions.js';
export * from './dot.js';
export * from './indexing.js';
export * from './sorting.js';
export * from './control.js';
