/**
 * @file Arg-reductions, cumulative ops and sorting: argmax argmin (an argreduce kernel),
 * cumsum cumprod cummax cummin (a scan kernel), sort and top_k (library kernels in
 * backends/cpu/lib-sort.ts). Params, shape rules and error texts follow JAX 0.10.2's lax
 * (jax/_src/lax/lax.py, jax/_src/lax/control_flow/loops.py); the operand's elementwise producer
 * fuses into the argreduce/scan kernel as its body.
 */

import { doublingScan, joinComplex, splitComplex } from '../compile/complex-parts.js';
import { loopVars } from '../compile/kir.js';
import type { Lazy, LowerCtx, LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { type DType, int32 } from '../core/dtype.js';
import { definePrimitive, type Params, type Primitive } from '../core/primitive.js';
import { shapeTuple } from '../core/shape.js';

const nums = (v: unknown): number[] => (v as readonly number[]).map(Number);

// ---- argmax / argmin ------------------------------------------------------------------------------

function argReducer(name: 'argmax' | 'argmin'): Primitive {
  return definePrimitive(name, {
    abstractEval([a], p) {
      const [axis] = nums(p.axes);
      if (!(axis >= 0 && axis < a.ndim))
        throw new Error(`Invalid axis ${axis} for operand shape ${shapeTuple(a.shape)}`);
      if (a.shape[axis] < 1) {
        throw new Error(
          `argmin and argmax require non-empty reduced dimension. operand.shape=${shapeTuple(a.shape)} axis=${axis}`,
        );
      }
      const idt = p.index_dtype as DType;
      if (!idt.isInt) throw new TypeError(`index_dtype must be an integer type, but got ${idt.name}`);
      return [
        new ShapedArray(
          a.shape.filter((_, d) => d !== axis),
          idt,
          false,
        ),
      ];
    },
    lower: ((ctx, [x], p, [out]) => [ctx.argReduce(x, nums(p.axes)[0], name, out)]) satisfies LowerRule,
  });
}

export const argmax = argReducer('argmax');
export const argmin = argReducer('argmin');

// ---- cumulative reductions ----------------------------------------------------------------------

function cumulative(name: string, op: 'add' | 'mul' | 'max' | 'min'): Primitive {
  return definePrimitive(name, {
    abstractEval([a], p) {
      const axis = Number(p.axis);
      if (axis < 0) throw new Error('XLA operations do not allow negative axes');
      if (axis >= a.ndim)
        throw new Error(`axis ${axis} is out of bounds for array of shape ${shapeTuple(a.shape)}`);
      if (!(a.dtype.isInt || a.dtype.isInexact)) {
        throw new TypeError(
          `${name} does not accept dtype ${a.dtype.name}. Accepted dtypes are subtypes of number.`,
        );
      }
      return [a];
    },
    lower: ((ctx: LowerCtx, [x]: Lazy[], p: Params, [out]: ShapedArray[]) => {
      // A complex product or max/min mixes the parts at every step: log2(n) doubling passes.
      if (x.aval.dtype.isComplex && op !== 'add')
        return [doublingScan(ctx, x, Number(p.axis), Boolean(p.reverse), op)];
      // The scan kernel rounds the running value to the dtype after every step.
      const buf = ctx.newBuffer(out, 'temp');
      ctx.kernels.push({
        kind: 'scan',
        out: buf,
        shape: [...out.shape],
        axis: Number(p.axis),
        reverse: Boolean(p.reverse),
        op,
        body: x.at(loopVars('i', out.ndim)),
      });
      return [ctx.fromBuffer(buf, out)];
    }) satisfies LowerRule,
  });
}

export const cumsum = cumulative('cumsum', 'add');
export const cumprod = cumulative('cumprod', 'mul');
export const cummax = cumulative('cummax', 'max');
export const cummin = cumulative('cummin', 'min');

// ---- sort ---------------------------------------------------------------------------------------

/**
 * Multi-operand sort along `dimension`: lexicographic over the first `num_keys` operands, floats
 * in JAX's order (-0.0 equal to 0.0, NaNs of either sign last); the sort is always stable, which
 * is a valid answer for is_stable=False too.
 */
export const sort = definePrimitive(
  'sort',
  {
    abstractEval(avals, p) {
      if (avals.length === 0) throw new TypeError('Sort requires at least one operand');
      if (
        avals.some(
          (a) => a.shape.length !== avals[0].shape.length || a.shape.some((n, i) => n !== avals[0].shape[i]),
        )
      ) {
        throw new TypeError(
          `Arguments to sort must have equal shapes, got: ${avals.map((a) => shapeTuple(a.shape)).join(' ')}`,
        );
      }
      const dim = Number(p.dimension);
      if (!(dim >= 0 && dim < avals[0].ndim)) {
        throw new Error(`axis ${dim} is out of bounds for array of dimension ${avals[0].ndim}`);
      }
      const k = Number(p.num_keys);
      if (!(k >= 1 && k <= avals.length))
        throw new Error(`num_keys=${k} must be between 1 and len(operand)=${avals.length}`);
      return avals;
    },
    lower: ((ctx: LowerCtx, ins: Lazy[], p: Params, outAvals: ShapedArray[]) => {
      // A complex operand sorts as its (real, imaginary) parts: as a key, NumPy's lexicographic
      // order on complex numbers.
      const numKeys = Number(p.num_keys);
      const parts = ins.map((x) => (x.aval.dtype.isComplex ? splitComplex(x) : [x]));
      const flat = parts.flat();
      const keys = parts.slice(0, numKeys).reduce((n, ps) => n + ps.length, 0);
      const bufs = flat.map((x) => ctx.materialize(x).buf!);
      const outs = flat.map((x) => ctx.newBuffer(x.aval, 'temp'));
      ctx.kernels.push({
        kind: 'lib',
        op: 'sort',
        ins: bufs,
        outs,
        params: {
          shape: [...outAvals[0].shape],
          dimension: Number(p.dimension),
          numKeys: keys,
        },
      });
      let k = 0;
      return parts.map((ps, i) => {
        const got = ps.map((x) => ctx.fromBuffer(outs[k++], x.aval));
        return got.length === 2 ? joinComplex(got[0], got[1], outAvals[i].weakType) : got[0];
      });
    }) satisfies LowerRule,
  },
  true,
);

// ---- top_k --------------------------------------------------------------------------------------

/**
 * The k largest entries along `axis` and their int32 indices, in descending order of the total
 * order on floats (-NaN < -inf < ... < -0.0 < 0.0 < ... < inf < NaN); ties keep the lower index
 * first. The indices keep the operand's weak type, as JAX's abstract eval does.
 */
export const top_k = definePrimitive(
  'top_k',
  {
    abstractEval([a], p) {
      const k = Number(p.k);
      const axis = Number(p.axis);
      if (k < 0) throw new Error(`k argument to top_k must be nonnegative, got ${k}`);
      if (a.ndim === 0)
        throw new TypeError(`top_k operand must have >= 1 dimension, got ${shapeTuple(a.shape)}`);
      if (!(axis >= 0 && axis < a.ndim))
        throw new Error(`axis argument out of range: axis=${axis} for operand.shape=${shapeTuple(a.shape)}`);
      if (a.shape[axis] < k) {
        throw new Error(
          `k argument to top_k must be no larger than size along axis; got k=${k} with shape=[${a.shape.join(', ')}] and axis=${axis}`,
        );
      }
      const shape = a.shape.map((n, d) => (d === axis ? k : n));
      return [new ShapedArray(shape, a.dtype, a.weakType), new ShapedArray(shape, int32, a.weakType)];
    },
    lower: ((ctx: LowerCtx, [x]: Lazy[], p: Params, outAvals: ShapedArray[]) => {
      const buf = ctx.materialize(x).buf!;
      const outs = outAvals.map((a) => ctx.newBuffer(a, 'temp'));
      ctx.kernels.push({
        kind: 'lib',
        op: 'top_k',
        ins: [buf],
        outs,
        params: { shape: [...x.aval.shape], axis: Number(p.axis), k: Number(p.k) },
      });
      return outs.map((b, i) => ctx.fromBuffer(b, outAvals[i]));
    }) satisfies LowerRule,
  },
  true,
);
