/**
 * @file JAX 0.10.2's stack, unstack and tile primitives (jax/_src/lax/lax.py stack_p, unstack_p,
 * tile_p), with its shape rules and messages. Like the other structural primitives they lower to
 * index remappings of their operands' element generators, so they fuse with their neighbours
 * (XLA's lowering is broadcast_in_dim + concatenate, slice + reshape, reshape + broadcast).
 * Rules: transforms/rules/stacking.ts.
 */
import { bin, iconst, sel } from '../compile/kir.js';
import { Lazy, type LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { bool } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { definePrimitive } from '../core/primitive.js';
import { shapeTuple } from '../core/shape.js';

const nums = (v: unknown): number[] => (v as readonly number[]).map(Number);

/** stack(*operands, axis): a new axis of length len(operands) at `axis`. */
export const stack = definePrimitive('stack', {
  abstractEval(avals, p) {
    const axis = Number(p.axis);
    if (avals.length === 0) throw new ValueError('stack expects at least one operand, got 0.');
    if (new Set(avals.map((a) => a.ndim)).size !== 1)
      throw new ValueError(
        `Cannot stack arrays with different numbers of dimensions: got ${avals.map((a) => shapeTuple(a.shape)).join(', ')}.`,
      );
    if (new Set(avals.map((a) => a.shape.join())).size !== 1)
      throw new ValueError(
        `All input arrays must have the same shape. Got ${avals.map((a) => shapeTuple(a.shape)).join(', ')}.`,
      );
    if (new Set(avals.map((a) => a.dtype)).size !== 1)
      throw new TypeError(
        `lax.stack requires arguments to have the same dtypes, got ${avals.map((a) => a.dtype.name).join(', ')}.`,
      );
    const shape = [...avals[0].shape];
    shape.splice(axis, 0, avals.length);
    return [
      new ShapedArray(
        shape,
        avals[0].dtype,
        avals.every((a) => a.weakType),
      ),
    ];
  },
  lower: ((_ctx, xs, p, [out]) => {
    const axis = Number(p.axis);
    return [
      new Lazy(
        out,
        (idx) => {
          const inner = idx.filter((_, d) => d !== axis);
          let e = xs[xs.length - 1].at(inner);
          for (let k = xs.length - 2; k >= 0; k--)
            e = sel(bin('eq', idx[axis], iconst(k), bool), xs[k].at(inner), e);
          return e;
        },
        xs.reduce((c, x) => c + x.cost, 1),
      ),
    ];
  }) satisfies LowerRule,
});

/** unstack(operand, axis): the slices along `axis`, each without it. */
export const unstack = definePrimitive(
  'unstack',
  {
    abstractEval([a], p) {
      if (a.ndim === 0)
        throw new ValueError(
          `unstack requires arrays with rank > 0, however a scalar array of shape ${shapeTuple(a.shape)} was passed.`,
        );
      const axis = Number(p.axis);
      const shape = a.shape.filter((_, d) => d !== axis);
      return Array.from({ length: a.shape[axis] }, () => new ShapedArray(shape, a.dtype, a.weakType));
    },
    lower: ((_ctx, [x], p, outs) => {
      const axis = Number(p.axis);
      return outs.map(
        (out, k) =>
          new Lazy(
            out,
            (idx) => {
              const full = [...idx];
              full.splice(axis, 0, iconst(k));
              return x.at(full);
            },
            x.cost,
          ),
      );
    }) satisfies LowerRule,
  },
  true,
);

/** tile(operand, reps): operand repeated reps[d] times along each dimension d. */
export const tile = definePrimitive('tile', {
  abstractEval([a], p) {
    const reps = nums(p.reps);
    if (a.ndim !== reps.length)
      throw new TypeError(
        `reps length must be equal to the ndim of x, got len(reps)=${reps.length} and x.ndim=${a.ndim}.`,
      );
    return [
      new ShapedArray(
        a.shape.map((n, d) => n * reps[d]),
        a.dtype,
        a.weakType,
      ),
    ];
  },
  lower: ((_ctx, [x], p, [out]) => {
    const reps = nums(p.reps);
    return [
      new Lazy(
        out,
        (idx) => x.at(idx.map((i, d) => (reps[d] === 1 ? i : bin('rem', i, iconst(x.aval.shape[d]))))),
        x.cost,
      ),
    ];
  }) satisfies LowerRule,
});
