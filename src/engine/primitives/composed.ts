/**
 * @file JAX 0.10.2 primitives whose XLA lowering tjax writes as a composition of other
 * primitives, as JAX's `mlir.lower_fun` does: cumlogsumexp (JAX lowers it to a windowed
 * logaddexp reduction; tjax to the associative scan its jvp uses), reduce_xor (a pairwise xor
 * tree) and the trivial ones, optimization_barrier (its operands) and empty (zeros: JAX leaves
 * the contents to the backend). Abstract evaluation is here, with JAX's shape and dtype rules
 * and messages; lowering and the other rules are in transforms/rules/composed.ts, which can
 * trace lax code.
 */
import type { LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { toDType } from '../core/dtype.js';
import { definePrimitive } from '../core/primitive.js';
import { shapeTuple } from '../core/shape.js';

/** cumlogsumexp(operand, axis, reverse): log(cumsum(exp(x))) along `axis`, computed stably. */
export const cumlogsumexp = definePrimitive('cumlogsumexp', {
  abstractEval([a], p) {
    const axis = Number(p.axis);
    if (axis < 0) throw new Error('XLA operations do not allow negative axes');
    if (axis >= a.ndim)
      throw new Error(`axis ${axis} is out of bounds for array of shape ${shapeTuple(a.shape)}`);
    if (!(a.dtype.isInt || a.dtype.isFloat))
      throw new TypeError(
        `cumlogsumexp does not accept dtype ${a.dtype.name}. Accepted dtypes are subtypes of number.`,
      );
    return [a];
  },
});

/** reduce_xor(operand, axes): the bitwise xor of the elements over `axes` (integers and bools). */
export const reduce_xor = definePrimitive('reduce_xor', {
  abstractEval([a], p) {
    if (!(a.dtype.isInt || a.dtype.isBool))
      throw new TypeError(`logical reduction requires operand dtype bool or int, got ${a.dtype.name}.`);
    const axes = (p.axes as number[]).map(Number);
    for (const ax of axes)
      if (ax < 0 || ax >= a.ndim)
        throw new TypeError(
          `reduce_xor: axis ${ax} is out of bounds for array of shape ${shapeTuple(a.shape)}`,
        );
    if (new Set(axes).size !== axes.length)
      throw new TypeError(`reduce_xor: duplicate value in 'axes' ${shapeTuple(axes)}`);
    return [a.withShape(a.shape.filter((_, d) => !axes.includes(d)))];
  },
});

/** optimization_barrier(*operands): the operands unchanged (a scheduling fence for XLA). */
export const optimization_barrier = definePrimitive(
  'optimization_barrier',
  {
    abstractEval: (avals) => avals,
    lower: ((_ctx, ins) => ins) satisfies LowerRule,
  },
  true,
);

/** empty(shape, dtype): an array whose contents are unspecified (tjax's are zeros). */
export const empty = definePrimitive('empty', {
  abstractEval(_avals, p) {
    const shape = (p.shape as number[]).map(Number);
    return [new ShapedArray(shape, toDType(p.dtype as string), false)];
  },
  lower: ((ctx, _ins, _p, [out]) => [ctx.constant(out, 0)]) satisfies LowerRule,
});
