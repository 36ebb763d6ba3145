/**
 * @file What the renderers of the kernel IR (backends/cpu/js-ops.ts, backends/webgpu/wgsl-expr.ts,
 * backends/gpujs/expr.ts) decide the same way: rounding ops are the identity on integers,
 * add, sub and mul are the infix operator of JavaScript and WGSL alike on every number type, and an
 * op with no rendering for a dtype says so in one message.
 */
import type { UnOp } from './kir.js';

/** Unary ops that return an integer operand unchanged. */
export const INTEGER_IDENTITY: ReadonlySet<UnOp> = new Set<UnOp>([
  'floor',
  'ceil',
  'round_away',
  'round_even',
]);

/** Binary ops written as the same infix operator in JavaScript and WGSL, on floats and integers. */
export const INFIX: Readonly<Record<string, string>> = { add: '+', sub: '-', mul: '*' };

/** The error for an op that a renderer has no code for on dtype `dtype` (its name). */
export function notDefinedOn(arity: 'unary' | 'binary', op: string, dtype: string): Error {
  return new Error(`${arity} ${op} is not defined on ${dtype}`);
}
