/**
 * @file WGSL helpers of the incomplete gamma and beta primitives (igamma, igammac, igamma_grad_a,
 * random_gamma_grad, regularized_incomplete_beta): the procedures of
 * compile/special/incomplete.ts rendered in float32 (wgsl-proc.ts), as JAX runs its series and
 * continued fractions in float32 on GPUs. Merged into wgsl.ts's helper table; each helper is
 * emitted only when a kernel uses it (`h_igamma(a, x)`, ..., `h_betainc(a, b, x)`).
 */
import { incompleteProcs } from '../../compile/special/incomplete.js';
import { float32 } from '../../core/dtype.js';
import { procHelpers, type WgslHelper } from './wgsl-proc.js';

export const INCOMPLETE_HELPERS: Record<string, WgslHelper> = procHelpers(
  Object.values(incompleteProcs(float32)),
);
