/**
 * @file Transformation rules of cond (primitives/control.ts), after JAX 0.10.2's
 * jax/_src/lax/control_flow/conditionals.py: jvp (each branch's jvp, same index), partial eval
 * (known index; branch residuals joined, zeros where a branch has none), transpose (each branch
 * transposed), batch (batched index: every branch inlined and a select_n; else each branch batched;
 * a platform_dependent cond's index is never batched). The rules keep `branches_platforms`.
 */

import type { ShapedArray } from '../../core/aval.js';
import { scalarArray } from '../../core/coerce.js';
import { bind, bind1, type Value } from '../../core/trace.js';
import { ClosedJaxpr, Jaxpr, Var } from '../../ir/jaxpr.js';
import { type CondParams, cond_p } from '../../primitives/control.js';
import { eq, select_n } from '../../primitives/elementwise.js';
import { platform_index } from '../../primitives/platform-index.js';
import { broadcast_in_dim } from '../../primitives/structural.js';
import { type JvpRule, stop_gradient, Zero } from '../jvp.js';
import type { PartialEvalRule, PETracer } from '../partial-eval.js';
import { traceToJaxpr } from '../staging.js';
import { type TransposeRule, UndefPrimal } from '../transpose.js';
import { type BatchRule, bdimAtFront, moveBatchAxis } from '../vmap.js';
import { nonZero } from './common.js';
import {
  batchJaxpr,
  closeOver,
  emptyLike,
  evalClosed,
  joinBranchConsts,
  jvpJaxpr,
  partialEvalJaxprNoUnits,
  sum,
  transposeJaxpr,
} from './control.js';

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
  const { branches, branches_platforms } = params as unknown as CondParams;
  const [indexDim, ...opDims] = dims;
  if (branches_platforms && indexDim !== null) {
    // A platform_dependent cond's index only looks batched: a fresh platform_index replaces it
    // (JAX issue 29329), and the branches stay a cond.
    const index = bind1(platform_index, [], { platforms: branches_platforms });
    return cond_p.rules.batch!([index, ...vals.slice(1)], [null, ...opDims], params, axisSize);
  }
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
