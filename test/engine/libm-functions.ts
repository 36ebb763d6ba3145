/**
 * @file The libm functions the CPU and WebGPU libm tests run (libm-guard.test.ts, webgpu/libm.test.ts),
 * as lax calls: pow on |x| with a small exponent, so that every input has a finite result.
 */
import type { Value } from '../../src/engine/index.js';
import { lax } from '../../src/engine/index.js';

export const LIBM_FUNCTIONS: [string, (x: Value) => Value][] = [
  ['sin', lax.sin],
  ['cos', lax.cos],
  ['tan', lax.tan],
  ['exp', lax.exp],
  ['expm1', lax.expm1],
  ['log', lax.log],
  ['log1p', lax.log1p],
  ['tanh', lax.tanh],
  ['erf', lax.erf],
  ['logistic', lax.logistic],
  ['pow', (x) => lax.pow(lax.abs(x), lax.div(x, 1e3))],
];
