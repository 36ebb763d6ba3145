/**
 * @file The jax.nn namespace as `import { nn } from 'tjax'` sees it: the activations and friends
 * (index.ts, which the engine's own modules import) and dot_product_attention (attention.ts),
 * which builds on index.ts.
 */
export * from './attention.js';
export * from './index.js';
