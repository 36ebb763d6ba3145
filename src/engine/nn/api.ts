/**
 * @file The jax.nn namespace as `import { nn } from 'tjax'` sees it: the first set of functions
 * (index.ts, which the engine's own modules import), the later activations (activations.ts) and
 * dot_product_attention (attention.ts), which build on index.ts.
 */
export * from './activations.js';
export * from './attention.js';
export * from './index.js';
