/**
 * @file The incomplete gamma and beta functions on the CPU: the procedures of
 * compile/special/incomplete.ts rendered to JavaScript in float64 (js-proc.ts). Kernels of every
 * float dtype call them (`rt.igamma(a, x)`, ...) and round the result once.
 */
import { incompleteProcs } from '../../compile/special/incomplete.js';
import { float64 } from '../../core/dtype.js';
import { instantiateProcs } from './js-proc.js';
import * as special from './special64.js';

const fns = instantiateProcs(incompleteProcs(float64), special);

/** The regularized lower incomplete gamma function P(a, x) (lax.igamma, scipy gammainc). */
export const igamma: (a: number, x: number) => number = fns.igamma;
/** The regularized upper incomplete gamma function Q(a, x) (lax.igammac, scipy gammaincc). */
export const igammac: (a: number, x: number) => number = fns.igammac;
/** d/da P(a, x) (lax.igamma_grad_a). */
export const igammaGradA: (a: number, x: number) => number = fns.igamma_grad_a;
/** The derivative of a Gamma(a, 1) sample x with respect to a (lax.random_gamma_grad). */
export const randomGammaGrad: (a: number, x: number) => number = fns.random_gamma_grad;
/** The regularized incomplete beta function I_x(a, b) (lax.betainc, scipy betainc). */
export const betainc: (a: number, b: number, x: number) => number = fns.betainc;
