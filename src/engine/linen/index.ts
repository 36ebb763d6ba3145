/**
 * @file The linen namespace: flax.linen's functions and modules in camelCase (pooling so far).
 */
export * from './pooling.js';
