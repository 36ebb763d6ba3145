/**
 * @file The incomplete gamma and beta functions on the CPU: the procedures of
 * compile/special/incomplete.ts rendered to JavaScript in float64 (js-proc.ts). Kernels of every
 * float dtype call them (`rt.igamma(a, x)`, ...) and round the result once. They are built on the
 * first call, so that a process that never calls them (most CLI runs) does not pay for it.
 */
import { incompleteProcs } from '../../compile/special/incomplete.js';
import { float64 } from '../../core/dtype.js';
import { instantiateProcs } from './js-proc.js';
import * as special from './special64.js';

type Fns = Record<
  'igamma' | 'igammac' | 'igamma_grad_a' | 'random_gamma_grad' | 'betainc',
  (...a: number[]) => number
>;
let fns: Fns | undefined;
const built = (): Fns => {
  fns ??= instantiateProcs(incompleteProcs(float64), special);
  return fns;
};

/** The regularized lower incomplete gamma function P(a, x) (lax.igamma, scipy gammainc). */
export function igamma(a: number, x: number): number {
  return built().igamma(a, x);
}
/** The regularized upper incomplete gamma function Q(a, x) (lax.igammac, scipy gammaincc). */
export function igammac(a: number, x: number): number {
  return built().igammac(a, x);
}
/** d/da P(a, x) (lax.igamma_grad_a). */
export function igammaGradA(a: number, x: number): number {
  return built().igamma_grad_a(a, x);
}
/** The derivative of a Gamma(a, 1) sample x with respect to a (lax.random_gamma_grad). */
export function randomGammaGrad(a: number, x: number): number {
  return built().random_gamma_grad(a, x);
}
/** The regularized incomplete beta function I_x(a, b) (lax.betainc, scipy betainc). */
export function betainc(a: number, b: number, x: number): number {
  return built().betainc(a, b, x);
}
