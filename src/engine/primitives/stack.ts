/**
 * @file JAX 0.10.2's `stack`, `unstack` and `tile` primitives (jax/_src/lax/lax.py stack_p,
 * unstack_p, tile_p), which jnp.stack, jnp.tile and the stack's transpose bind: their params,
 * shape rules and messages, and lowerings that remap indices (an output element reads one input
 * element, so they fuse with their neighbours like any structural op). lax/stacking.ts binds them
 * for lax.stack/unstack/tile; rules: transforms/rules/stack.ts; export: export/rules/composed.ts.
 */
import { bin, iconst, type SExpr, sel } from '../compile/kir.js';
import { Lazy, type LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { bool } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { definePrimitive } from '../core/primitive.js';
import { shapeTuple } from '../core/shape.js';
import { weakAll } from './common.js';

const nums = (v: unknown): number[] => (v as readonly number[]).map(Number);

export const stack = definePrimitive('stack', {
  abstractEval(avals, p) {
    if (avals.length === 0) throw new ValueError('stack expects at least one operand, got 0.');
    const a0 = avals[0];
    if (new Set(avals.map((a) => a.ndim)).size !== 1)
      throw new ValueError(
        `Cannot stack arrays with different numbers of dimensions: got ${avals.map((a) => shapeTuple(a.shape)).join(', ')}.`,
      );
    if (new Set(avals.map((a) => a.shape.join())).size !== 1)
      throw new ValueError(
        `All input arrays must have the same shape. Got ${avals.map((a) => shapeTuple(a.shape)).join(', ')}.`,
      );
    if (avals.some((a) => a.dtype !== a0.dtype))
      throw new TypeError(
        `lax.stack requires arguments to have the same dtypes, got ${avals.map((a) => a.dtype.name).join(', ')}.`,
      );
    const shape = [...a0.shape];
    shape.splice(Number(p.axis), 0, avals.length);
    return [new ShapedArray(shape, a0.dtype, weakAll(avals))];
  },
  lower: ((_ctx, xs, p, [out]) => {
    const axis = Number(p.axis);
    return [
      new Lazy(
        out,
        (idx) => {
          const inner = idx.filter((_, d) => d !== axis);
          let e: SExpr = xs[xs.length - 1].at(inner);
          for (let k = xs.length - 2; k >= 0; k--)
            e = sel(bin('eq', idx[axis], iconst(k), bool), xs[k].at(inner), e);
          return e;
        },
        xs.reduce((c, x) => c + x.cost, 1),
      ),
    ];
  }) satisfies LowerRule,
});

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
      return outs.map((out, j) => {
        const at = (idx: readonly SExpr[]) => {
          const full = [...idx];
          full.splice(axis, 0, iconst(j));
          return full;
        };
        return new Lazy(out, (idx) => x.at(at(idx)), x.cost);
      });
    }) satisfies LowerRule,
  },
  true,
);

export const tile = definePrimitive('tile', {
  abstractEval([a], p) {
    const reps = nums(p.reps);
    if (reps.length !== a.ndim)
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
  lower: ((_ctx, [x], _p, [out]) => [
    new Lazy(
      out,
      (idx) =>
        x.at(
          idx.map((i, d) => (x.aval.shape[d] === out.shape[d] ? i : bin('rem', i, iconst(x.aval.shape[d])))),
        ),
      x.cost,
    ),
  ]) satisfies LowerRule,
});
