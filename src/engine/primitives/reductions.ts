/**
 * @file Reductions over axes: reduce_sum reduce_max reduce_min reduce_prod reduce_and reduce_or.
 * Each is one reduce kernel whose body is the fused elementwise producer of its operand.
 */

import { treeReduce } from '../compile/complex-parts.js';
import type { ReduceOp } from '../compile/kir.js';
import type { LowerRule } from '../compile/lower.js';
import { definePrimitive, type Params, type Primitive } from '../core/primitive.js';
import { shapeTuple } from '../core/shape.js';
import { checkDType, type DTypeClass } from './common.js';

function reducer(name: string, op: ReduceOp, cls: DTypeClass, showOutSharding: boolean): Primitive {
  return definePrimitive(name, {
    ppParams: showOutSharding ? undefined : (p: Params) => ({ axes: p.axes }),
    abstractEval([a], p) {
      checkDType(name, a.dtype, cls);
      const axes = (p.axes as number[]).map(Number);
      for (const ax of axes) {
        if (ax < 0 || ax >= a.ndim)
          throw new TypeError(
            `${name}: axis ${ax} is out of bounds for array of shape ${shapeTuple(a.shape)}`,
          );
      }
      if (new Set(axes).size !== axes.length)
        throw new TypeError(`${name}: duplicate value in 'axes' ${shapeTuple(axes)}`);
      return [a.withShape(a.shape.filter((_, d) => !axes.includes(d)))];
    },
    lower: ((ctx, [x], p, [out]) => {
      const axes = (p.axes as number[]).map(Number);
      // A complex product or max/min mixes the parts at every step: a tree of map kernels.
      if (x.aval.dtype.isComplex && op !== 'add') return [treeReduce(ctx, x, axes, op, out)];
      return [ctx.reduce(x, axes, op, out)];
    }) satisfies LowerRule,
  });
}

export const reduce_sum = reducer('reduce_sum', 'add', 'numeric', true);
export const reduce_prod = reducer('reduce_prod', 'mul', 'numeric', false);
export const reduce_max = reducer('reduce_max', 'max', 'any', false);
export const reduce_min = reducer('reduce_min', 'min', 'any', false);
export const reduce_and = reducer('reduce_and', 'and', 'integer_or_bool', false);
export const reduce_or = reducer('reduce_or', 'or', 'integer_or_bool', false);
