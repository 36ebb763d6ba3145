/**
 * @file Transformation rules of the control-flow primitives cond, while and scan
 * (primitives/control.ts), after JAX 0.10.2's jax/_src/lax/control_flow/{conditionals,loops}.py:
 *   cond:  jvp (each branch's jvp, same index), partial eval (known index; branch residuals
 *          joined, zeros where a branch has none), transpose (each branch transposed), batch
 *          (batched index: every branch inlined and a select_n; else each branch batched).
 *   while: jvp (fixed point on the carries with nonzero tangents), partial eval (a known loop
 *          for the known carries, the whole loop staged for the others, as JAX's
 *          _while_partial_eval), transpose raising JAX's error, batch (fixed point on batched
 *          carries; a batched predicate keeps the predicate batched, the lowering runs the loop
 *          while any lane is true and selects, as JAX's lowering does).
 *   scan:  jvp (fixed point on carry tangents), partial eval (known/unknown split of the body;
 *          residuals forwarded from consts/xs where possible, otherwise stacked as extra ys of
 *          the known scan), transpose (a reverse scan over the transposed body with the
 *          consts' cotangents accumulated in the carry), batch (xs/ys batched at axis 1,
 *          carries batched by fixed point).
 * Every body transformation traces `evalJaxpr(body)` under the transformation to a new closed
 * jaxpr (as rules/jit.ts does); constants a rule closes over become leading operands, since the
 * lowering wants constant-free bodies.
 */

import { constant } from '../../compile/kir.js';
import { Lazy, type LowerRule } from '../../compile/lower.js';
import type { ShapedArray } from '../../core/aval.js';
import { ShapedArray as ShapedArrayClass } from '../../core/aval.js';
import { scalarArray } from '../../core/coerce.js';
import type { DType } from '../../core/dtype.js';
import { definePrimitive, type Params } from '../../core/primitive.js';
import { bind, bind1, type Value } from '../../core/trace.js';
import { evalJaxpr } from '../../ir/eval.js';
import { type Atom, ClosedJaxpr, Jaxpr, Literal, Var } from '../../ir/jaxpr.js';
import {
  type CondParams,
  cond_p,
  type ScanParams,
  scan_p,
  stackedAval,
  type WhileParams,
  while_p,
} from '../../primitives/control.js';
import { eq, select_n } from '../../primitives/elementwise.js';
import { broadcast_in_dim } from '../../primitives/structural.js';
import { convertConstvars } from '../jit.js';
import {
  add_any,
  hasTangentSpace,
  instantiate,
  type JvpRule,
  jvpFlat,
  stop_gradient,
  Zero,
  zerosLike,
} from '../jvp.js';
import {
  inlinable,
  type PartialEvalRule,
  PartialVal,
  type PETracer,
  partialEvalFlat,
} from '../partial-eval.js';
import { traceToJaxpr } from '../staging.js';
import { backwardPass, type TransposeArg, type TransposeRule, UndefPrimal } from '../transpose.js';
import { type BatchDim, type BatchRule, batchFlat, bdimAtFront, moveBatchAxis } from '../vmap.js';
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
function emptyLike(aval: ShapedArray): Value {
  const e = bind1(empty2, [], { dtype: aval.dtype, memory_space: 'MemorySpace.Device' });
  if (aval.shape.length === 0) return e;
  return bind1(broadcast_in_dim, [e], { shape: [...aval.shape], broadcast_dimensions: [], sharding: null });
}

const sum = (bs: readonly boolean[]) => bs.filter(Boolean).length;
const or = (a: readonly boolean[], b: readonly boolean[]) => a.map((x, i) => x || b[i]);
const same = (a: readonly boolean[], b: readonly boolean[]) => a.every((x, i) => x === b[i]);

function splitAt<T>(xs: readonly T[], ...sizes: number[]): T[][] {
  const out: T[][] = [];
  let k = 0;
  for (const n of sizes) {
    out.push(xs.slice(k, k + n));
    k += n;
  }
  out.push(xs.slice(k));
  return out;
}

/** A body jaxpr without consts plus the values of the leading invars its consts became. */
interface Body {
  jaxpr: ClosedJaxpr;
  consts: Value[];
}

function closeOver(traced: ClosedJaxpr): Body {
  return convertConstvars(traced);
}

function evalClosed(cj: ClosedJaxpr, args: readonly Value[]): Value[] {
  return evalJaxpr(cj.jaxpr, cj.consts, args);
}

/** The same jaxpr with its invars and outvars reordered (`ins[k]` is the old index of new binder k). */
function permute(cj: ClosedJaxpr, ins: readonly number[], outs: readonly number[]): ClosedJaxpr {
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
function groupOrder(sizes: readonly number[], order: readonly number[]): number[] {
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
function jvpJaxpr(
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
function batchJaxpr(
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
function transposeJaxpr(
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
function joinBranchConsts(bodies: Body[]): { branches: ClosedJaxpr[]; consts: Value[] } {
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

// ---- cond -----------------------------------------------------------------------------------------

cond_p.rules.jvp = ((primals, tangents, params) => {
  const { branches } = params as unknown as CondParams;
  const [index, ...ops] = primals;
  const opsNz = tangents.slice(1).map(nonZero);
  const outsNz = branches.map((b) => jvpJaxpr(b, opsNz, []).outNz);
  const outNz = outsNz[0].map((_, k) => outsNz.some((o) => o[k]));
  const joined = joinBranchConsts(branches.map((b) => jvpJaxpr(b, opsNz, outNz)));
  const dots = tangents.slice(1).filter(nonZero);
  const outs = bind(cond_p, [index, ...joined.consts, ...ops, ...dots], {
    ...params,
    branches: joined.branches,
  });
  const n = branches[0].outAvals.length;
  let k = n;
  return [outs.slice(0, n), outs.slice(0, n).map((p, i) => (outNz[i] ? outs[k++] : new Zero(p.aval)))];
}) satisfies JvpRule;

cond_p.rules.partialEval = ((trace, tracers: PETracer[], params) => {
  const { branches } = params as unknown as CondParams;
  const [indexT, ...opsT] = tracers;
  if (!indexT.pval.isKnown) {
    return trace.stage(
      cond_p,
      tracers,
      params,
      branches[0].outAvals.map((a) => a),
    );
  }
  const opsUk = opsT.map((t) => !t.pval.isKnown);
  const noFwd = opsUk.map(() => false);
  const uks = branches.map((b) => partialEvalJaxprNoUnits(b, opsUk, [], noFwd).outUk);
  const outUk = uks[0].map((_, k) => uks.some((u) => u[k]));
  const splits = branches.map((b) => partialEvalJaxprNoUnits(b, opsUk, outUk, noFwd));
  // Residual slots: each branch's residuals matched to slots of equal type in order, as JAX's
  // _merge_branch_residuals; a branch fills the slots it does not use with zeros.
  const slotAvals: ShapedArray[] = [];
  const slotsOf = splits.map((s) => {
    const taken = new Set<number>();
    return s.resAvals.map((a) => {
      let at = slotAvals.findIndex((b, i) => !taken.has(i) && b.key() === a.key());
      if (at < 0) {
        at = slotAvals.length;
        slotAvals.push(a);
      }
      taken.add(at);
      return at;
    });
  });
  const knownIns = opsT.filter((t) => t.pval.isKnown).map((t) => t.pval.known!);
  const nKnownOuts = outUk.filter((u) => !u).length;
  const knownBodies = splits.map((s, bi) => {
    const traced = traceToJaxpr(
      (...xs) => {
        const outs = evalClosed(s.known.jaxpr, [...s.known.consts, ...xs]);
        let r = nKnownOuts;
        const resVals = s.res.map((src) => {
          if (src.kind === 'in') return xs[src.index];
          if (src.kind === 'const') return src.val;
          return outs[r++];
        });
        const slots = slotAvals.map(emptyLike);
        slotsOf[bi].forEach((slot, i) => {
          slots[slot] = resVals[i];
        });
        return [...outs.slice(0, nKnownOuts), ...slots];
      },
      knownIns.map((v) => v.aval),
    );
    return closeOver(traced);
  });
  const known = joinBranchConsts(knownBodies);
  const knownOuts = bind(cond_p, [indexT.pval.known!, ...known.consts, ...knownIns], {
    ...params,
    branches: known.branches,
  });
  const res = knownOuts.slice(nKnownOuts);
  const unknownBranches = splits.map((s, bi) => {
    const j = s.unknown.jaxpr;
    const nres = s.resAvals.length;
    const slotVars = slotAvals.map((a) => new Var(a));
    slotsOf[bi].forEach((slot, i) => {
      slotVars[slot] = j.invars[i];
    });
    return new ClosedJaxpr(new Jaxpr([], [...slotVars, ...j.invars.slice(nres)], j.outvars, j.eqns), []);
  });
  const unkOuts = trace.stage(
    cond_p,
    [indexT, ...res.map((r) => trace.fullRaise(r) as PETracer), ...opsT.filter((_, i) => opsUk[i])],
    { ...params, branches: unknownBranches },
    unknownBranches[0].outAvals,
  );
  let ki = 0;
  let ui = 0;
  return outUk.map((u) => (u ? unkOuts[ui++] : knownOuts[ki++]));
}) satisfies PartialEvalRule;

cond_p.rules.transpose = ((cts, args, params) => {
  const { branches } = params as unknown as CondParams;
  const [index, ...ops] = args;
  const linear = ops.map((a) => a instanceof UndefPrimal);
  const res = ops.filter((a): a is Value => !(a instanceof UndefPrimal));
  const ctNz = cts.map(nonZero);
  const resAvals = res.map((r) => r.aval);
  const nLin = sum(linear);
  const nzs = branches.map((b) => transposeJaxpr(b, linear, ctNz, resAvals, null).outNz);
  const outNz = Array.from({ length: nLin }, (_, k) => nzs.some((o) => o[k]));
  const joined = joinBranchConsts(branches.map((b) => transposeJaxpr(b, linear, ctNz, resAvals, outNz)));
  const outs = bind(cond_p, [index as Value, ...joined.consts, ...res, ...cts.filter(nonZero)], {
    ...params,
    branches: joined.branches,
  });
  let j = 0;
  let q = 0;
  return [
    null,
    ...ops.map((a) => {
      if (!(a instanceof UndefPrimal)) return null;
      return outNz[q++] ? outs[j++] : new Zero(a.aval);
    }),
  ];
}) satisfies TransposeRule;

/** select_n with `which` broadcast to the cases' shape (JAX's _bcast_select_n). */
function bcastSelectN(which: Value, cases: Value[]): Value {
  let w = which;
  if (w.ndim !== cases[0].ndim) {
    w = bind1(broadcast_in_dim, [w], {
      shape: [...cases[0].shape],
      broadcast_dimensions: w.shape.map((_, i) => i),
      sharding: null,
    });
  }
  return bind1(select_n, [w, ...cases]);
}

cond_p.rules.batch = ((vals, dims, params, axisSize) => {
  const { branches } = params as unknown as CondParams;
  const [indexDim, ...opDims] = dims;
  if (indexDim !== null) {
    // A batched index: every branch runs on every lane and a select_n picks the results.
    const [index, ...ops] = vals.map((v, i) => bdimAtFront(v, dims[i], axisSize));
    const nOut = branches[0].outAvals.length;
    const branchOuts = branches.map((b, bi) => {
      const bj = batchJaxpr(
        b,
        b.inAvals.map(() => true),
        b.outAvals.map(() => true),
        axisSize,
      );
      // Inputs of the branches not taken are cut off from differentiation (jax issue 1052).
      const pred = bind1(eq, [index, scalarArray(bi, index.dtype)]);
      const opsI = ops.map((x) => bcastSelectN(pred, [bind1(stop_gradient, [x]), x]));
      return evalClosed(bj.jaxpr, [...bj.consts, ...opsI]);
    });
    const outs = Array.from({ length: nOut }, (_, k) =>
      bcastSelectN(
        index,
        branchOuts.map((o) => o[k]),
      ),
    );
    return [outs, outs.map(() => 0)];
  }
  const batched = opDims.map((d) => d !== null);
  const ops = vals.slice(1).map((v, i) => (batched[i] ? moveBatchAxis(v, opDims[i], 0, axisSize) : v));
  const bats = branches.map((b) => batchJaxpr(b, batched, [], axisSize).outBatched);
  const outBat = bats[0].map((_, k) => bats.some((o) => o[k]));
  const joined = joinBranchConsts(branches.map((b) => batchJaxpr(b, batched, outBat, axisSize)));
  const outs = bind(cond_p, [vals[0], ...joined.consts, ...ops], { ...params, branches: joined.branches });
  return [outs, outBat.map((b) => (b ? 0 : null))];
}) satisfies BatchRule;

// ---- while ----------------------------------------------------------------------------------------

export const WHILE_REVERSE_ERROR =
  'Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with dynamic ' +
  'start/stop values. Try using lax.scan, or using fori_loop with static start/stop.';

while_p.rules.jvp = ((primals, tangents, params) => {
  const q = params as unknown as WhileParams;
  const nz = tangents.map(nonZero);
  const [, bconstNz, initNz] = splitAt(nz, q.cond_nconsts, q.body_nconsts);
  let carryNz = initNz;
  let body = jvpJaxpr(q.body_jaxpr, [...bconstNz, ...carryNz], carryNz);
  for (let it = 0; it <= carryNz.length; it++) {
    if (same(body.outNz, carryNz)) break;
    carryNz = or(carryNz, body.outNz);
    body = jvpJaxpr(q.body_jaxpr, [...bconstNz, ...carryNz], carryNz);
  }
  const [cconst, bconst, init] = splitAt(primals, q.cond_nconsts, q.body_nconsts);
  const [, bconstT, initT] = splitAt(tangents, q.cond_nconsts, q.body_nconsts);
  const bconstDot = bconstT.filter(nonZero);
  const initDot = initT.filter((_, i) => carryNz[i]).map(instantiate);
  const nb = q.body_nconsts;
  const nc = init.length;
  // [extra, bconst, carry, bconst_dot, carry_dot] -> [extra, bconst, bconst_dot, carry, carry_dot]
  const ne = body.consts.length;
  const order = groupOrder([ne, nb, nc, bconstDot.length, initDot.length], [0, 1, 3, 2, 4]);
  const bodyJaxpr = permute(
    body.jaxpr,
    order,
    body.jaxpr.outAvals.map((_, i) => i),
  );
  const cj = q.cond_jaxpr.jaxpr;
  const condJaxpr = new ClosedJaxpr(
    new Jaxpr(cj.constvars, [...cj.invars, ...initDot.map((d) => new Var(d.aval))], cj.outvars, cj.eqns),
    q.cond_jaxpr.consts,
  );
  const outs = bind(while_p, [...cconst, ...body.consts, ...bconst, ...bconstDot, ...init, ...initDot], {
    ...params,
    cond_jaxpr: condJaxpr,
    body_jaxpr: bodyJaxpr,
    body_nconsts: ne + nb + bconstDot.length,
  });
  const carry = outs.slice(0, nc);
  let k = nc;
  return [carry, carry.map((p, i) => (carryNz[i] ? outs[k++] : new Zero(p.aval)))];
}) satisfies JvpRule;

while_p.rules.partialEval = ((trace, tracers: PETracer[], params) => {
  const q = params as unknown as WhileParams;
  const uk = tracers.map((t) => !t.pval.isKnown);
  const [ccUk, bcUk, initUk] = splitAt(uk, q.cond_nconsts, q.body_nconsts);
  const stageAll = () => trace.stage(while_p, tracers, params, q.body_jaxpr.outAvals);
  const nofwd = (n: number) => Array<boolean>(n).fill(false);
  let carryUk = initUk;
  let split = partialEvalJaxprNoUnits(q.body_jaxpr, [...bcUk, ...carryUk], carryUk, nofwd(uk.length));
  for (let it = 0; it <= carryUk.length; it++) {
    const outUk = split.outUk;
    if (same(outUk, carryUk)) break;
    carryUk = or(carryUk, outUk);
    split = partialEvalJaxprNoUnits(q.body_jaxpr, [...bcUk, ...carryUk], carryUk, nofwd(uk.length));
  }
  const condSplit = partialEvalJaxprNoUnits(q.cond_jaxpr, [...ccUk, ...carryUk], [false], nofwd(uk.length));
  if (condSplit.outUk[0] || uk.every((u) => !u) || carryUk.every(Boolean)) return stageAll();
  // The known carries run in a loop of their own (the residual outputs dropped); the unknown
  // ones come from the whole loop, staged (it recomputes the known part, as JAX does).
  const known = (t: PETracer[], mask: boolean[]) => t.filter((_, i) => !mask[i]).map((x) => x.pval.known!);
  const [cc, bc, init] = splitAt(tracers, q.cond_nconsts, q.body_nconsts);
  const kb = split.known;
  const nKnownCarry = carryUk.filter((u) => !u).length;
  const bodyKnown = new ClosedJaxpr(
    new Jaxpr(
      kb.jaxpr.jaxpr.constvars,
      kb.jaxpr.jaxpr.invars,
      kb.jaxpr.jaxpr.outvars.slice(0, nKnownCarry),
      kb.jaxpr.jaxpr.eqns,
    ),
    [],
  );
  const kc = condSplit.known;
  const condKnown = new ClosedJaxpr(
    new Jaxpr(
      kc.jaxpr.jaxpr.constvars,
      kc.jaxpr.jaxpr.invars,
      kc.jaxpr.jaxpr.outvars.slice(0, 1),
      kc.jaxpr.jaxpr.eqns,
    ),
    [],
  );
  const outKnown = bind(
    while_p,
    [...kc.consts, ...known(cc, ccUk), ...kb.consts, ...known(bc, bcUk), ...known(init, carryUk)],
    {
      cond_jaxpr: condKnown,
      body_jaxpr: bodyKnown,
      cond_nconsts: kc.consts.length + ccUk.filter((u) => !u).length,
      body_nconsts: kb.consts.length + bcUk.filter((u) => !u).length,
    },
  );
  const all = stageAll();
  let ki = 0;
  return carryUk.map((u, i) => (u ? all[i] : outKnown[ki++]));
}) satisfies PartialEvalRule;

while_p.rules.transpose = (() => {
  throw new Error(WHILE_REVERSE_ERROR);
}) satisfies TransposeRule;

while_p.rules.batch = ((vals, dims, params, axisSize) => {
  const q = params as unknown as WhileParams;
  const bat = dims.map((d) => d !== null);
  const [ccBat, bcBat, initBat] = splitAt(bat, q.cond_nconsts, q.body_nconsts);
  let carryBat = initBat;
  for (let it = 0; it <= carryBat.length; it++) {
    const out = batchJaxpr(q.body_jaxpr, [...bcBat, ...carryBat], carryBat, axisSize).outBatched;
    if (same(out, carryBat)) break;
    carryBat = or(carryBat, out);
  }
  const predBat = batchJaxpr(q.cond_jaxpr, [...ccBat, ...carryBat], [false], axisSize).outBatched[0];
  // A batched predicate batches every carry: lanes that are done keep their values (the
  // lowering selects), so each needs its own copy.
  if (predBat) carryBat = carryBat.map(() => true);
  const body = batchJaxpr(q.body_jaxpr, [...bcBat, ...carryBat], carryBat, axisSize);
  const cond = batchJaxpr(q.cond_jaxpr, [...ccBat, ...carryBat], [predBat], axisSize);
  const [cc, bc, init] = splitAt(vals, q.cond_nconsts, q.body_nconsts);
  const [ccD, bcD, initD] = splitAt(dims, q.cond_nconsts, q.body_nconsts);
  const front = (xs: Value[], ds: BatchDim[]) =>
    xs.map((x, i) => (ds[i] === null ? x : moveBatchAxis(x, ds[i], 0, axisSize)));
  const newInit = init.map((x, i) => (carryBat[i] ? moveBatchAxis(x, initD[i], 0, axisSize) : x));
  const outs = bind(
    while_p,
    [...cond.consts, ...front(cc, ccD), ...body.consts, ...front(bc, bcD), ...newInit],
    {
      ...params,
      cond_jaxpr: cond.jaxpr,
      body_jaxpr: body.jaxpr,
      cond_nconsts: cond.consts.length + q.cond_nconsts,
      body_nconsts: body.consts.length + q.body_nconsts,
    },
  );
  return [outs, carryBat.map((b) => (b ? 0 : null))];
}) satisfies BatchRule;

// ---- scan -----------------------------------------------------------------------------------------

scan_p.rules.jvp = ((primals, tangents, params) => {
  const q = params as unknown as ScanParams;
  const nCarry = q.num_carry;
  const nConsts = q.num_consts;
  const nXs = primals.length - nConsts - nCarry;
  const nYs = q.jaxpr.outAvals.length - nCarry;
  const nz = tangents.map(nonZero);
  const [constNz, initNz, xsNz] = splitAt(nz, nConsts, nCarry);
  const ysInst = Array<boolean>(nYs).fill(false);
  let carryNz = initNz;
  let body = jvpJaxpr(q.jaxpr, [...constNz, ...carryNz, ...xsNz], [...carryNz, ...ysInst]);
  for (let it = 0; it <= nCarry; it++) {
    const out = body.outNz.slice(0, nCarry);
    if (same(out, carryNz)) break;
    carryNz = or(carryNz, out);
    body = jvpJaxpr(q.jaxpr, [...constNz, ...carryNz, ...xsNz], [...carryNz, ...ysInst]);
  }
  const [consts, init, xs] = splitAt(primals, nConsts, nCarry);
  const [constT, initT, xsT] = splitAt(tangents, nConsts, nCarry);
  const constDot = constT.filter(nonZero);
  const initDot = initT.filter((_, i) => carryNz[i]).map(instantiate);
  const xsDot = xsT.filter(nonZero);
  const ne = body.consts.length;
  const nOutDot = sum(body.outNz);
  const nCarryDot = initDot.length;
  // ins [extra, consts, carry, xs, consts_dot, carry_dot, xs_dot] -> scan order
  const ins = groupOrder(
    [ne, nConsts, nCarry, nXs, constDot.length, nCarryDot, xsDot.length],
    [0, 1, 4, 2, 5, 3, 6],
  );
  // outs [carry, ys, carry_dot, ys_dot] -> [carry, carry_dot, ys, ys_dot]
  const outsOrder = groupOrder([nCarry, nYs, nCarryDot, nOutDot - nCarryDot], [0, 2, 1, 3]);
  const jaxpr = permute(body.jaxpr, ins, outsOrder);
  const outs = bind(scan_p, [...body.consts, ...consts, ...constDot, ...init, ...initDot, ...xs, ...xsDot], {
    ...params,
    jaxpr,
    num_consts: ne + nConsts + constDot.length,
    num_carry: nCarry + nCarryDot,
  });
  const [carry, carryDot, ys, ysDot] = splitAt(outs, nCarry, nCarryDot, nYs);
  const primalsOut = [...carry, ...ys];
  const dots = [...carryDot, ...ysDot];
  let k = 0;
  return [primalsOut, primalsOut.map((p, i) => (body.outNz[i] ? dots[k++] : new Zero(p.aval)))];
}) satisfies JvpRule;

scan_p.rules.partialEval = ((trace, tracers: PETracer[], params) => {
  const q = params as unknown as ScanParams;
  const nCarry = q.num_carry;
  const nConsts = q.num_consts;
  const nYs = q.jaxpr.outAvals.length - nCarry;
  const uk = tracers.map((t) => !t.pval.isKnown);
  const [constUk, initUk, xsUk] = splitAt(uk, nConsts, nCarry);
  // Residuals may come straight from known consts and xs, never from the carry.
  const fwd = uk.map((_, i) => i < nConsts || i >= nConsts + nCarry);
  const ysInst = Array<boolean>(nYs).fill(false);
  let carryUk = initUk;
  let split = partialEvalJaxprNoUnits(
    q.jaxpr,
    [...constUk, ...carryUk, ...xsUk],
    [...carryUk, ...ysInst],
    fwd,
  );
  for (let it = 0; it <= nCarry; it++) {
    const out = split.outUk.slice(0, nCarry);
    if (same(out, carryUk)) break;
    carryUk = or(carryUk, out);
    split = partialEvalJaxprNoUnits(q.jaxpr, [...constUk, ...carryUk, ...xsUk], [...carryUk, ...ysInst], fwd);
  }
  const unknowns = [...constUk, ...carryUk, ...xsUk];
  const knownIns = tracers.filter((_, i) => !unknowns[i]).map((t) => t.pval.known!);
  const nConstsKnown = nConsts - sum(constUk);
  const nCarryKnown = nCarry - sum(carryUk);
  const kb = split.known;
  let knownOuts: Value[] = [];
  if (kb.jaxpr.outAvals.length) {
    knownOuts = bind(scan_p, [...kb.consts, ...knownIns], {
      ...params,
      jaxpr: kb.jaxpr,
      num_consts: kb.consts.length + nConstsKnown,
      num_carry: nCarryKnown,
    });
  }
  const extOuts = knownOuts.slice(split.numKnownOuts);
  // Residuals read once per iteration from a slice (stacked outputs, forwarded xs) are
  // extensive; those from consts are intensive (loop-invariant) and become scan consts.
  let e = 0;
  const resVals: Value[] = [];
  const resExt: boolean[] = [];
  for (const src of split.res) {
    if (src.kind === 'out') {
      resVals.push(extOuts[e++]);
      resExt.push(true);
    } else if (src.kind === 'const') {
      resVals.push(src.val);
      resExt.push(false);
    } else {
      resVals.push(knownIns[src.index]);
      resExt.push(src.index >= nConstsKnown + nCarryKnown);
    }
  }
  const nRes = resVals.length;
  const intRes = resVals.filter((_, i) => !resExt[i]);
  const extRes = resVals.filter((_, i) => resExt[i]);
  const nUnkIn = sum(unknowns);
  // binders [res..., unknown ins] -> [int_res, unknown ins, ext_res]
  const resIdx = resVals.map((_, i) => i);
  const order = [
    ...resIdx.filter((i) => !resExt[i]),
    ...Array.from({ length: nUnkIn }, (_, i) => nRes + i),
    ...resIdx.filter((i) => resExt[i]),
  ];
  const jaxprUnknown = permute(
    split.unknown,
    order,
    split.unknown.outAvals.map((_, i) => i),
  );
  const raise = (v: Value) => trace.fullRaise(v) as PETracer;
  const unkTracers = tracers.filter((_, i) => unknowns[i]);
  const outAvals = split.unknown.outAvals.map((a, i) => (i < sum(carryUk) ? a : stackedAval(a, q.length)));
  const unkOuts = trace.stage(
    scan_p,
    [...intRes.map(raise), ...unkTracers, ...extRes.map(raise)],
    { ...params, jaxpr: jaxprUnknown, num_consts: intRes.length + sum(constUk), num_carry: sum(carryUk) },
    outAvals,
  );
  let ki = 0;
  let ui = 0;
  return split.outUk.map((u) => (u ? unkOuts[ui++] : knownOuts[ki++]));
}) satisfies PartialEvalRule;

scan_p.rules.transpose = ((cts, args, params) => {
  const q = params as unknown as ScanParams;
  const nCarry = q.num_carry;
  const nConsts = q.num_consts;
  const [consts, carry, xs] = splitAt(args, nConsts, nCarry);
  const constLin = consts.map((a) => a instanceof UndefPrimal);
  const xsLin = xs.map((a) => a instanceof UndefPrimal);
  // Every carry is linear here; a carry that is a known value (an instantiated zero tangent)
  // just gets no cotangent.
  const linear = [...constLin, ...carry.map(() => true), ...xsLin];
  const ires = consts.filter((a): a is Value => !(a instanceof UndefPrimal));
  const eres = xs.filter((a): a is Value => !(a instanceof UndefPrimal));
  const [ctCarry, ctYs] = splitAt(cts, nCarry);
  const ctCarryVals = ctCarry.map(instantiate);
  const ysNz = ctYs.map(nonZero);
  const ctYsVals = ctYs.filter(nonZero);
  const body = q.jaxpr;
  const constLinAvals = body.inAvals.slice(0, nConsts).filter((_, i) => constLin[i]);
  const carryAvals = body.inAvals.slice(nConsts, nConsts + nCarry);
  const yAvals = body.outAvals.slice(nCarry).filter((_, i) => ysNz[i]);
  const eresAvals = body.inAvals.slice(nConsts + nCarry).filter((_, i) => !xsLin[i]);
  const iresAvals = ires.map((r) => r.aval);
  const nCl = constLinAvals.length;
  // Transposed body: consts [ires], carry [ct_consts, ct_carry], xs [ct_ys, eres]
  //   -> carry [ct_consts + this iteration's, ct_carry_in], ys [ct_xs]
  const traced = traceToJaxpr(
    (...vs) => {
      const [ir, ctc, ctcar, cty, er] = splitAt(vs, iresAvals.length, nCl, nCarry, yAvals.length);
      let a = 0;
      let b = 0;
      const targs: TransposeArg[] = body.inAvals.map((av, i) => {
        if (linear[i]) return new UndefPrimal(av);
        return i < nConsts ? ir[a++] : er[b++];
      });
      let y = 0;
      const ctsIn = body.outAvals.map((av, i) => {
        if (i < nCarry) return ctcar[i];
        return ysNz[i - nCarry] ? cty[y++] : new Zero(av);
      });
      const outs = backwardPass(body.jaxpr, body.consts, targs, ctsIn);
      const [dc, dcar, dxs] = splitAt(outs, nCl, nCarry);
      const acc = ctc.map((c, i) => (dc[i] instanceof Zero ? c : bind1(add_any, [c, dc[i] as Value])));
      return [...acc, ...dcar.map(instantiate), ...dxs.map(instantiate)];
    },
    [...iresAvals, ...constLinAvals, ...carryAvals, ...yAvals, ...eresAvals],
  );
  const t = closeOver(traced);
  const outs = bind(
    scan_p,
    [...t.consts, ...ires, ...constLinAvals.map((av) => zerosLike(av)), ...ctCarryVals, ...ctYsVals, ...eres],
    {
      ...params,
      jaxpr: t.jaxpr,
      reverse: !q.reverse,
      num_consts: t.consts.length + ires.length,
      num_carry: nCl + nCarry,
    },
  );
  const [ctConsts, ctInit, ctXs] = splitAt(outs, nCl, nCarry);
  let c = 0;
  let x = 0;
  return [
    ...consts.map((a) => (a instanceof UndefPrimal ? ctConsts[c++] : null)),
    ...carry.map((a, i) => (a instanceof UndefPrimal ? ctInit[i] : null)),
    ...xs.map((a) => (a instanceof UndefPrimal ? ctXs[x++] : null)),
  ];
}) satisfies TransposeRule;

scan_p.rules.batch = ((vals, dims, params, axisSize) => {
  const q = params as unknown as ScanParams;
  const nCarry = q.num_carry;
  const nConsts = q.num_consts;
  const nYs = q.jaxpr.outAvals.length - nCarry;
  const bat = dims.map((d) => d !== null);
  const [constBat, initBat, xsBat] = splitAt(bat, nConsts, nCarry);
  const ysInst = Array<boolean>(nYs).fill(false);
  let carryBat = initBat;
  let body = batchJaxpr(q.jaxpr, [...constBat, ...carryBat, ...xsBat], [...carryBat, ...ysInst], axisSize);
  for (let it = 0; it <= nCarry; it++) {
    const out = body.outBatched.slice(0, nCarry);
    if (same(out, carryBat)) break;
    carryBat = or(carryBat, out);
    body = batchJaxpr(q.jaxpr, [...constBat, ...carryBat, ...xsBat], [...carryBat, ...ysInst], axisSize);
  }
  const [consts, init, xs] = splitAt(vals, nConsts, nCarry);
  const [constD, initD, xsD] = splitAt(dims, nConsts, nCarry);
  const newConsts = consts.map((x, i) => (constD[i] === null ? x : moveBatchAxis(x, constD[i], 0, axisSize)));
  const newInit = init.map((x, i) => (carryBat[i] ? moveBatchAxis(x, initD[i], 0, axisSize) : x));
  const newXs = xs.map((x, i) => (xsD[i] === null ? x : moveBatchAxis(x, xsD[i], 1, axisSize)));
  const outs = bind(scan_p, [...body.consts, ...newConsts, ...newInit, ...newXs], {
    ...params,
    jaxpr: body.jaxpr,
    num_consts: body.consts.length + nConsts,
  });
  const ysBat = body.outBatched.slice(nCarry);
  return [outs, [...carryBat.map((b) => (b ? 0 : null)), ...ysBat.map((b) => (b ? 1 : null))]];
}) satisfies BatchRule;

export type { Params };
