/**
 * @file What the rules of the control-flow primitives (cond.ts, while.ts, scan.ts beside this file)
 * share: JAX's empty2 residual filler, body jaxprs closed over their constants, and the
 * jaxpr-level transformations, after JAX 0.10.2's jax/_src/interpreters (ad.jvp_jaxpr,
 * batching.batch_jaxpr, pe.partial_eval_jaxpr_nounits, backward_pass over a jaxpr). Every body
 * transformation traces `evalJaxpr(body)` under the transformation to a new closed jaxpr (as
 * rules/jit.ts does); constants a rule closes over become leading operands, since the lowering
 * wants constant-free bodies.
 */

import { constant } from '../../compile/kir.js';
import { Lazy, type LowerRule } from '../../compile/lower.js';
import type { ShapedArray } from '../../core/aval.js';
import { ShapedArray as ShapedArrayClass } from '../../core/aval.js';
import type { DType } from '../../core/dtype.js';
import { definePrimitive, type Params } from '../../core/primitive.js';
import { bind, bind1, type Value } from '../../core/trace.js';
import { evalJaxpr } from '../../ir/eval.js';
import { type Atom, ClosedJaxpr, Jaxpr, Literal, Var } from '../../ir/jaxpr.js';
import { broadcast_in_dim } from '../../primitives/structural.js';
import { convertConstvars } from '../jit.js';
import { hasTangentSpace, type JvpRule, jvpFlat, Zero, zerosLike } from '../jvp.js';
import { inlinable, PartialVal, partialEvalFlat } from '../partial-eval.js';
import { traceToJaxpr } from '../staging.js';
import { backwardPass, type TransposeArg, UndefPrimal } from '../transpose.js';
import { type BatchRule, batchFlat, moveBatchAxis } from '../vmap.js';
import { nonZero } from './common.js';

/**
 * JAX's empty2: an uninitialized scalar (zeros here) that fills residual slots a cond branch
 * does not use (ad_util.empty_like_aval), so grad-of-cond jaxprs print as JAX prints them.
 */
export const empty2 = definePrimitive('empty2', {
  abstractEval(_avals, p) {
    return [new ShapedArrayClass([], p.dtype as DType, false)];
  },
  lower: ((_ctx, _ins, _p, [out]) => [new Lazy(out, () => constant(0, out.dtype), 0)]) satisfies LowerRule,
});
empty2.rules.jvp = ((_primals, _tangents, params) => {
  const [o] = bind(empty2, [], params);
  return [[o], [new Zero(o.aval)]];
}) satisfies JvpRule;
empty2.rules.batch = ((_vals, _dims, params) => [bind(empty2, [], params), [null]]) satisfies BatchRule;

/** ad_util.empty_like_aval: empty2 broadcast to the aval's shape. */
export function emptyLike(aval: ShapedArray): Value {
  const e = bind1(empty2, [], { dtype: aval.dtype, memory_space: 'MemorySpace.Device' });
  if (aval.shape.length === 0) return e;
  return bind1(broadcast_in_dim, [e], { shape: [...aval.shape], broadcast_dimensions: [], sharding: null });
}

export const sum = (bs: readonly boolean[]) => bs.filter(Boolean).length;
export const or = (a: readonly boolean[], b: readonly boolean[]) => a.map((x, i) => x || b[i]);
export const same = (a: readonly boolean[], b: readonly boolean[]) => a.every((x, i) => x === b[i]);

export { splitAt } from '../../core/lists.js';

/** A body jaxpr without consts plus the values of the leading invars its consts became. */
export interface Body {
  jaxpr: ClosedJaxpr;
  consts: Value[];
}

export function closeOver(traced: ClosedJaxpr): Body {
  return convertConstvars(traced);
}

export function evalClosed(cj: ClosedJaxpr, args: readonly Value[]): Value[] {
  return evalJaxpr(cj.jaxpr, cj.consts, args);
}

/** The same jaxpr with its invars and outvars reordered (`ins[k]` is the old index of new binder k). */
export function permute(cj: ClosedJaxpr, ins: readonly number[], outs: readonly number[]): ClosedJaxpr {
  const j = cj.jaxpr;
  return new ClosedJaxpr(
    new Jaxpr(
      j.constvars,
      ins.map((i) => j.invars[i]),
      outs.map((i) => j.outvars[i]),
      j.eqns,
    ),
    cj.consts,
  );
}

/** Indices that gather the groups of `sizes` in the order `order` (a permutation of group ids). */
export function groupOrder(sizes: readonly number[], order: readonly number[]): number[] {
  const starts: number[] = [];
  let k = 0;
  for (const n of sizes) {
    starts.push(k);
    k += n;
  }
  return order.flatMap((g) => Array.from({ length: sizes[g] }, (_, i) => starts[g] + i));
}

// ---- jaxpr-level transformations -----------------------------------------------------------------

/**
 * JAX's ad.jvp_jaxpr: [primals, nonzero tangents] -> [primal outs, nonzero tangent outs]; an
 * output tangent is instantiated (zeros) where `inst` asks and the output has a tangent space.
 */
export function jvpJaxpr(
  cj: ClosedJaxpr,
  nonzeros: readonly boolean[],
  inst: readonly boolean[],
): Body & { outNz: boolean[] } {
  const avals = cj.inAvals;
  const n = avals.length;
  let outNz: boolean[] = [];
  const traced = traceToJaxpr(
    (...xs) => {
      let k = n;
      const ts = avals.map((a, i) => (nonzeros[i] ? xs[k++] : new Zero(a)));
      const [po, to] = jvpFlat((...a) => evalClosed(cj, a), xs.slice(0, n), ts);
      const outs = to.map((t, i) =>
        t instanceof Zero && inst[i] && hasTangentSpace(po[i].aval) ? zerosLike(t.aval) : t,
      );
      outNz = outs.map(nonZero);
      return [...po, ...outs.filter(nonZero)];
    },
    [...avals, ...avals.filter((_, i) => nonzeros[i])],
  );
  return { ...closeOver(traced), outNz };
}

/**
 * JAX's batching.batch_jaxpr with every batched input and output at axis 0: outputs batched, or
 * asked for by `inst`, come out batched at 0.
 */
export function batchJaxpr(
  cj: ClosedJaxpr,
  batched: readonly boolean[],
  inst: readonly boolean[],
  axisSize: number,
): Body & { outBatched: boolean[] } {
  let outBatched: boolean[] = [];
  const avals = cj.inAvals.map((a, i) =>
    batched[i] ? new ShapedArrayClass([axisSize, ...a.shape], a.dtype, a.weakType) : a,
  );
  const traced = traceToJaxpr((...xs) => {
    const [outs, dims] = batchFlat(
      (...a) => evalClosed(cj, a),
      xs,
      batched.map((b) => (b ? 0 : null)),
      axisSize,
    );
    outBatched = dims.map((d, i) => d !== null || inst[i]);
    return outs.map((o, i) => (outBatched[i] ? moveBatchAxis(o, dims[i], 0, axisSize) : o));
  }, avals);
  return { ...closeOver(traced), outBatched };
}

/** Where the unknown part of a split finds one residual. */
export type ResSource =
  | { kind: 'in'; index: number } // a known input passed straight through
  | { kind: 'const'; val: Value } // a value known outside the body (a constant)
  | { kind: 'out' }; // the next residual output of the known jaxpr

export interface Split {
  /** Known inputs (after `known.consts` leading operands) -> known outputs, then 'out' residuals. */
  known: Body;
  /** Residuals, then the unknown inputs -> unknown outputs. No consts. */
  unknown: ClosedJaxpr;
  outUk: boolean[];
  resAvals: ShapedArray[];
  res: ResSource[];
  numKnownOuts: number;
}

/**
 * JAX's pe.partial_eval_jaxpr_nounits (with residual forwarding): evaluates the body under a
 * partial-evaluation trace whose known inputs are staged values, so nested higher-order
 * primitives split through their own partial-eval rules. `inst` forces outputs unknown;
 * `fwd` says which known inputs may be handed to the unknown side directly.
 */
export function partialEvalJaxprNoUnits(
  cj: ClosedJaxpr,
  unknowns: readonly boolean[],
  inst: readonly boolean[],
  fwd: readonly boolean[],
): Split {
  const avals = cj.inAvals;
  const knownIdx = avals.map((_, i) => i).filter((i) => !unknowns[i]);
  let outUk: boolean[] = [];
  let unkJaxpr: Jaxpr | null = null;
  let res: ResSource[] = [];
  let resAvals: ShapedArray[] = [];
  let numKnownOuts = 0;
  const traced = traceToJaxpr(
    (...kins) => {
      let k = 0;
      const pvals = avals.map((a, i) => (unknowns[i] ? PartialVal.unknown(a) : PartialVal.known(kins[k++])));
      const r = partialEvalFlat((...a) => evalClosed(cj, a), pvals);
      const j = r.jaxpr;
      outUk = r.knownOuts.map((kv, i) => kv === null || inst[i]);
      // Residuals: the unknown side's constvars, then known outputs it must return itself.
      const resVals: Value[] = [...r.consts];
      const resVars: Var[] = [...j.constvars];
      let u = 0;
      const outvars: Atom[] = [];
      r.knownOuts.forEach((kv, i) => {
        if (kv === null) outvars.push(j.outvars[u++]);
        else if (inst[i]) {
          const at = resVals.indexOf(kv);
          if (at >= 0) outvars.push(resVars[at]);
          else if (inlinable(kv)) {
            const host = (kv as unknown as { dataSync(): ArrayLike<number | bigint> }).dataSync()[0];
            outvars.push(new Literal(kv as never, kv.aval, kv.dtype.isBool ? host !== 0 : host));
          } else {
            const v = new Var(kv.aval);
            resVals.push(kv);
            resVars.push(v);
            outvars.push(v);
          }
        }
      });
      unkJaxpr = new Jaxpr([], [...resVars, ...j.invars], outvars, j.eqns);
      res = resVals.map((v): ResSource => {
        const at = kins.indexOf(v);
        if (at >= 0 && fwd[knownIdx[at]]) return { kind: 'in', index: at };
        if ((v as { isConcrete?: boolean }).isConcrete === true) return { kind: 'const', val: v };
        return { kind: 'out' };
      });
      resAvals = resVals.map((v) => v.aval);
      const knownOuts = r.knownOuts.filter((kv, i): kv is Value => kv !== null && !inst[i]);
      numKnownOuts = knownOuts.length;
      return [...knownOuts, ...resVals.filter((_, i) => res[i].kind === 'out')];
    },
    knownIdx.map((i) => avals[i]),
  );
  return {
    known: closeOver(traced),
    unknown: new ClosedJaxpr(unkJaxpr!, []),
    outUk,
    resAvals,
    res,
    numKnownOuts,
  };
}

/** Transposed body: [residual values..., nonzero cts...] -> cotangents of the linear inputs. */
export function transposeJaxpr(
  cj: ClosedJaxpr,
  linear: readonly boolean[],
  ctNz: readonly boolean[],
  resAvals: readonly ShapedArray[],
  instOut: readonly boolean[] | null,
): Body & { outNz: boolean[] } {
  let outNz: boolean[] = [];
  const nres = resAvals.length;
  const traced = traceToJaxpr(
    (...xs) => {
      let r = 0;
      const args: TransposeArg[] = cj.inAvals.map((a, i) => (linear[i] ? new UndefPrimal(a) : xs[r++]));
      let k = nres;
      const cts = cj.outAvals.map((a, i) => (ctNz[i] ? xs[k++] : new Zero(a)));
      const outs = backwardPass(cj.jaxpr, cj.consts, args, cts);
      const res = outs.map((o, i) => (instOut?.[i] && o instanceof Zero ? zerosLike(o.aval) : o));
      outNz = res.map(nonZero);
      return res.filter(nonZero);
    },
    [...resAvals, ...cj.outAvals.filter((_, i) => ctNz[i])],
  );
  return { ...closeOver(traced), outNz };
}

/**
 * Give every branch the union of the branches' extra consts as leading invars (each branch
 * binds its own, the others are unused), so all branches share one signature.
 */
export function joinBranchConsts(bodies: Body[]): { branches: ClosedJaxpr[]; consts: Value[] } {
  const consts = bodies.flatMap((b) => b.consts);
  let off = 0;
  const branches = bodies.map((b) => {
    const j = b.jaxpr.jaxpr;
    const nb = b.consts.length;
    const lead = consts.map((c, i) => (i >= off && i < off + nb ? j.invars[i - off] : new Var(c.aval)));
    off += nb;
    return new ClosedJaxpr(new Jaxpr(j.constvars, [...lead, ...j.invars.slice(nb)], j.outvars, j.eqns), []);
  });
  return { branches, consts };
}

export type { Params };
