/**
 * @file Helpers for writing transformation rules: JAX's `defjvp` (one tangent contribution per
 * operand, summed), `deflinear` (linear primitives: jvp applies the primitive to tangents),
 * and the broadcasting batcher of lax's elementwise ops.
 */
import { deviceScalar, scalarArray } from '../../core/coerce.js';
import { memoOn } from '../../core/memo.js';
import type { Params, Primitive } from '../../core/primitive.js';
import { bind, bind1, isTracer, type Value } from '../../core/trace.js';
import type { ClosedJaxpr, Jaxpr } from '../../ir/jaxpr.js';
import { NpInt } from '../../ir/pyrepr.js';
import { broadcastInDim } from '../../lax/structural.js';
import { broadcast_in_dim } from '../../primitives/structural.js';
import { addTangents, currentJvpMode, instantiate, type JvpRule, type Tangent, Zero } from '../jvp.js';
import { traceToJaxpr } from '../staging.js';
import { backwardPass, UndefPrimal } from '../transpose.js';
import { type BatchRule, moveBatchAxis } from '../vmap.js';

/** JAX's `_const(x, v)`: a 0-d constant of x's dtype (a typed literal when staged). */
export function constLike(x: Value, v: number): Value {
  return scalarArray(x.dtype.isBool ? v !== 0 : v, x.dtype);
}

/** JAX's `full_like(x, v)` (`_zeros`, `_ones`, `_twos`): `broadcast_in_dim v` when staged. */
export function fullLike(x: Value, v: number): Value {
  const fill = x.dtype.isBool ? v !== 0 : v;
  // A device array where a linearize rule runs (a residual once split), a literal under jvp.
  const s = currentJvpMode() === 'linearize' ? deviceScalar(fill, x.dtype) : scalarArray(fill, x.dtype);
  return broadcastInDim(s, x.shape, []);
}

export type TangentFn = (g: Value, ans: Value, ...primals: Value[]) => Value;

/** jvp from one function per operand (null: that operand is not differentiable), as JAX's defjvp2. */
export function defjvp(prim: Primitive, ...fns: (TangentFn | null)[]): void {
  const rule: JvpRule = (primals, tangents, params) => {
    const ans = bind1(prim, primals, params);
    let t: Tangent = new Zero(ans.aval);
    tangents.forEach((g, i) => {
      const f = fns[i];
      if (g instanceof Zero || !f) return;
      t = addTangents(t, f(g, ans, ...primals));
    });
    return [[ans], [t]];
  };
  prim.rules.jvp = rule;
}

/** jvp of a primitive bilinear in its two operands (dot_general, conv): f(dx, y) + f(x, dy). */
export function defbilinear(prim: Primitive): void {
  const rule: JvpRule = ([x, y], [gx, gy], p) => {
    const ans = bind1(prim, [x, y], p);
    let t: Tangent = new Zero(ans.aval);
    if (!(gx instanceof Zero)) t = addTangents(t, bind1(prim, [gx, y], p));
    if (!(gy instanceof Zero)) t = addTangents(t, bind1(prim, [x, gy], p));
    return [[ans], [t]];
  };
  prim.rules.jvp = rule;
}

/** The output tangent is zero whatever the inputs' (piecewise-constant or integer-valued ops). */
export function defjvpZero(prim: Primitive): void {
  const rule: JvpRule = (primals, _t, params) => {
    const outs = bind(prim, primals, params);
    return [outs, outs.map((o) => new Zero(o.aval))];
  };
  prim.rules.jvp = rule;
}

/**
 * jvp of a primitive that is linear in the operands at `linear` (others are non-differentiable
 * parameters such as indices): apply the primitive to the tangents, instantiating zeros.
 */
export function deflinear(prim: Primitive, linear?: (i: number, n: number) => boolean): void {
  const rule: JvpRule = (primals, tangents, params) => {
    const outs = bind(prim, primals, params);
    const lin = primals.map((_, i) => (linear ? linear(i, primals.length) : true));
    if (tangents.every((t, i) => !lin[i] || t instanceof Zero))
      return [outs, outs.map((o) => new Zero(o.aval))];
    const targs = primals.map((p, i) => (lin[i] ? instantiate(tangents[i]) : p));
    return [outs, bind(prim, targs, params)];
  };
  prim.rules.jvp = rule;
}

/**
 * The batcher of lax's broadcasting elementwise ops: operands batched at the same dim with the
 * same rank (and 0-d unbatched ones) apply as they are; otherwise batch dims move to the front and
 * unbatched operands get a leading 1 (lax broadcasts size-1 dimensions).
 */
export function broadcastBatcher(prim: Primitive): BatchRule {
  return (vals, dims, params, axisSize) => {
    const batched = vals.map((_, i) => dims[i] !== null);
    const d0 = dims.find((d) => d !== null)!;
    const nd0 = vals[batched.indexOf(true)].ndim;
    if (vals.every((v, i) => (batched[i] ? dims[i] === d0 && v.ndim === nd0 : v.ndim === 0))) {
      const outs = bind(prim, vals, params);
      return [outs, outs.map(() => d0)];
    }
    const rank = Math.max(...vals.map((v, i) => v.ndim - (batched[i] ? 1 : 0)));
    // As JAX's broadcast_batcher: first every operand gets its batch axis in front (a size-1 one
    // for unbatched arrays), then batched scalars are expanded to the full rank.
    const fronted = vals.map((v, i) => {
      if (!batched[i]) {
        if (v.ndim === 0) return v;
        return bind1(broadcast_in_dim, [v], {
          shape: [1, ...v.shape],
          // JAX computes these with NumPy: they print as np.int64.
          broadcast_dimensions: v.shape.map((_, k) => new NpInt(k + 1)),
          sharding: null,
        });
      }
      return moveBatchAxis(v, dims[i], 0, axisSize);
    });
    const args = fronted.map((f, i) => {
      if (batched[i] && f.ndim - 1 < rank) {
        const shape = [axisSize, ...new Array(rank).fill(1)];
        return bind1(broadcast_in_dim, [f], { shape, broadcast_dimensions: [0], sharding: null });
      }
      return f;
    });
    const outs = bind(prim, args, params);
    return [outs, outs.map(() => 0)];
  };
}

export function setBatch(prim: Primitive, rule: BatchRule): void {
  prim.rules.batch = rule;
}

export type { Params };

/** A tangent that is not a symbolic zero. */
export const nonZero = (t: Tangent): t is Value => !(t instanceof Zero);

/**
 * The transpose rule of a call primitive (jit, remat): trace the backward pass of its jaxpr, whose
 * inputs are the residuals (the call's known arguments) then the nonzero cotangents, bind the
 * primitive again on that program (`rebind`), and give its outputs to the linear inputs.
 */
const transposeCache = new WeakMap<Jaxpr, Map<string, ClosedJaxpr>>();

export function transposeCall(
  jaxpr: Jaxpr,
  consts: readonly Value[],
  cts: readonly Tangent[],
  args: readonly (Value | UndefPrimal)[],
  rebind: (traced: ClosedJaxpr, ins: Value[]) => Value[],
): (Value | null)[] {
  const res = args.filter((a): a is Value => !(a instanceof UndefPrimal));
  const ctNz = cts.map(nonZero);
  const trace = () =>
    traceToJaxpr(
      (...xs) => {
        let k = res.length;
        const ctsIn = jaxpr.outAvals.map((a, i) => (ctNz[i] ? xs[k++] : new Zero(a)));
        let r = 0;
        const targs = args.map((a) => (a instanceof UndefPrimal ? a : xs[r++]));
        return backwardPass(jaxpr, consts, targs, ctsIn).map(instantiate);
      },
      [...res.map((v) => v.aval), ...jaxpr.outAvals.filter((_, i) => ctNz[i])],
    );
  const key = `${args.map((a) => (a instanceof UndefPrimal ? 'u' : a.aval.key())).join(',')}|${ctNz.map(Number).join('')}`;
  const traced = consts.some(isTracer) ? trace() : memoOn(transposeCache, jaxpr, key, trace);
  const outs = rebind(traced, [...res, ...cts.filter(nonZero)]);
  let k = 0;
  return args.map((a) => (a instanceof UndefPrimal ? outs[k++] : null));
}
