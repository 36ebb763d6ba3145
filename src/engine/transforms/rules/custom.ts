/**
 * @file Transformation rules of custom_jvp_call, custom_vjp_call, custom_lin (transforms/custom.ts)
 * and remat2 (transforms/checkpoint.ts), after JAX's custom_derivatives.py and ad_checkpoint.py:
 * - custom_jvp_call: jvp calls the user's rule (zeros instantiated); partial evaluation with
 *   unknown inputs inlines the function (the rule is not needed to build linear maps, as in JAX);
 *   vmap batches both the function and the rule.
 * - custom_vjp_call: jvp runs `fwd` and leaves `custom_lin(residuals, tangents)`, whose transpose
 *   runs `bwd`; vmap batches fwd and bwd (cotangents of unbatched inputs summed over the batch).
 * - remat2: jvp/transpose/vmap transform the inner jaxpr and bind remat2 again; partial
 *   evaluation hoists the known part out and stages the rest, recomputing what the policy does
 *   not save (differentiated=True).
 */
import type { Params } from '../../core/primitive.js';
import { bind, bind1, type Value } from '../../core/trace.js';
import { evalJaxpr } from '../../ir/eval.js';
import { ClosedJaxpr, type Jaxpr } from '../../ir/jaxpr.js';
import { reduce_sum } from '../../primitives/reductions.js';
import { type CheckpointPolicy, partialEvalRemat, remat_p } from '../checkpoint.js';
import {
  custom_jvp_call,
  custom_lin,
  custom_vjp_call,
  type FlatBwd,
  type FlatFwd,
  type FlatJvp,
} from '../custom.js';
import { convertConstvars } from '../jit.js';
import { instantiate, type JvpRule, jvpFlat, Zero } from '../jvp.js';
import type { PartialEvalRule, PETracer } from '../partial-eval.js';
import { traceToJaxpr } from '../staging.js';
import type { TransposeRule } from '../transpose.js';
import { type BatchDim, type BatchRule, moveBatchAxis, vmapFlat } from '../vmap.js';
import { nonZero, transposeCall } from './common.js';

function named<F extends (...a: any[]) => any>(f: F, name: string): F {
  Object.defineProperty(f, 'name', { value: name });
  return f;
}

/** A call jaxpr batched with all outputs at axis 0; its new consts are returned to lead the operands. */
function batchCallJaxpr(
  cj: ClosedJaxpr,
  vals: Value[],
  dims: BatchDim[],
  axisSize: number,
): { jaxpr: ClosedJaxpr; consts: Value[] } {
  const traced = traceToJaxpr(
    (...xs) =>
      vmapFlat(
        (...a) => evalJaxpr(cj.jaxpr, cj.consts, a),
        xs,
        dims,
        () => 0,
        axisSize,
      ),
    vals.map((v) => v.aval),
  );
  return convertConstvars(traced);
}

// ---- custom_jvp_call ------------------------------------------------------------------------------------

custom_jvp_call.rules.jvp = ((primals, tangents, params) => {
  const nc = params.num_consts as number;
  const rule = params.jvp_jaxpr_fun as FlatJvp;
  // symbolic_zeros=False: the rule sees zeros as arrays; tangents of closed-over values are dropped.
  return rule(primals.slice(nc), tangents.slice(nc).map(instantiate));
}) satisfies JvpRule;

custom_jvp_call.rules.partialEval = ((_trace, tracers: PETracer[], params) => {
  const cj = params.call_jaxpr as ClosedJaxpr;
  return evalJaxpr(cj.jaxpr, cj.consts, tracers);
}) satisfies PartialEvalRule;

custom_jvp_call.rules.batch = ((vals, dims, params, axisSize) => {
  const { jaxpr, consts } = batchCallJaxpr(params.call_jaxpr as ClosedJaxpr, vals, dims, axisSize);
  const nc = params.num_consts as number;
  const rule = params.jvp_jaxpr_fun as FlatJvp;
  const argDims = dims.slice(nc);
  const batchedRule: FlatJvp = named((primals: Value[], tangents: Value[]) => {
    const m = primals.length;
    let nOut = 0;
    const outs = vmapFlat(
      (...xs) => {
        const [po, to] = rule(xs.slice(0, m), xs.slice(m));
        nOut = po.length;
        return [...po, ...to.map(instantiate)];
      },
      [...primals, ...tangents],
      [...argDims, ...argDims],
      () => 0,
      axisSize,
    );
    return [outs.slice(0, nOut), outs.slice(nOut)];
  }, rule.name);
  const outs = bind(custom_jvp_call, [...consts, ...vals], {
    ...params,
    call_jaxpr: jaxpr,
    jvp_jaxpr_fun: batchedRule,
    num_consts: nc + consts.length,
  });
  return [outs, outs.map(() => 0)];
}) satisfies BatchRule;

// ---- custom_vjp_call ------------------------------------------------------------------------------------

custom_vjp_call.rules.jvp = ((primals, tangents, params) => {
  const nc = params.num_consts as number;
  const { outs, res } = (params.fwd_jaxpr_thunk as FlatFwd)(primals.slice(nc));
  const ts = tangents.slice(nc).map(instantiate);
  const touts = bind(custom_lin, [...res, ...ts], {
    num_res: res.length,
    bwd: params.bwd,
    out_avals: outs.map((o) => o.aval),
    symbolic_zeros: false,
  });
  return [outs, touts];
}) satisfies JvpRule;

custom_lin.rules.transpose = ((cts, args, params) => {
  const nr = params.num_res as number;
  const res = args.slice(0, nr) as Value[];
  const cis = (params.bwd as FlatBwd)(res, cts.map(instantiate));
  return [...res.map(() => null), ...cis];
}) satisfies TransposeRule;

custom_vjp_call.rules.batch = ((vals, dims, params, axisSize) => {
  const { jaxpr, consts } = batchCallJaxpr(params.call_jaxpr as ClosedJaxpr, vals, dims, axisSize);
  const nc = params.num_consts as number;
  const fwd = params.fwd_jaxpr_thunk as FlatFwd;
  const bwd = params.bwd as FlatBwd;
  const argDims = dims.slice(nc);
  const batchedFwd: FlatFwd = named((primals: Value[]) => {
    let nOut = 0;
    const outs = vmapFlat(
      (...xs) => {
        const r = fwd(xs);
        nOut = r.outs.length;
        return [...r.outs, ...r.res];
      },
      primals,
      argDims,
      () => 0,
      axisSize,
    );
    return { outs: outs.slice(0, nOut), res: outs.slice(nOut) };
  }, fwd.name);
  const batchedBwd: FlatBwd = named((res: Value[], cts: Value[]) => {
    const nr = res.length;
    const outs = vmapFlat(
      (...xs) => bwd(xs.slice(0, nr), xs.slice(nr)).map(instantiate),
      [...res, ...cts],
      [...res, ...cts].map(() => 0),
      () => 0,
      axisSize,
    );
    // A cotangent of an input that was not batched sums over the batch (JAX's _match_axes_and_sum).
    return outs.map((o, i) => {
      const d = argDims[i];
      if (d === null) return bind1(reduce_sum, [o], { axes: [0], out_sharding: null });
      return moveBatchAxis(o, 0, d, axisSize);
    });
  }, bwd.name);
  const outs = bind(custom_vjp_call, [...consts, ...vals], {
    ...params,
    call_jaxpr: jaxpr,
    fwd_jaxpr_thunk: batchedFwd,
    bwd: batchedBwd,
    num_consts: nc + consts.length,
  });
  return [outs, outs.map(() => 0)];
}) satisfies BatchRule;

// ---- remat2 ------------------------------------------------------------------------------------------------

function rebindRemat(params: Params, traced: ClosedJaxpr, args: Value[]): Value[] {
  const { jaxpr, consts } = convertConstvars(traced);
  return bind(remat_p, [...consts, ...args], { ...params, jaxpr: jaxpr.jaxpr });
}

remat_p.rules.jvp = ((primals, tangents, params) => {
  const j = params.jaxpr as Jaxpr;
  const nz = tangents.map(nonZero);
  let outZero: boolean[] = [];
  const n = primals.length;
  const traced = traceToJaxpr(
    (...xs) => {
      let k = n;
      const ts = xs.slice(0, n).map((p, i) => (nz[i] ? xs[k++] : new Zero(p.aval)));
      const [po, to] = jvpFlat((...a) => evalJaxpr(j, [], a), xs.slice(0, n), ts);
      outZero = to.map((t) => t instanceof Zero);
      return [...po, ...to.filter(nonZero)];
    },
    [...j.inAvals, ...j.inAvals.filter((_, i) => nz[i])],
  );
  const outs = rebindRemat(params, traced, [...primals, ...tangents.filter(nonZero)]);
  const nOut = j.outvars.length;
  let k = nOut;
  return [outs.slice(0, nOut), j.outAvals.map((a, i) => (outZero[i] ? new Zero(a) : outs[k++]))];
}) satisfies JvpRule;

remat_p.rules.partialEval = ((trace, tracers: PETracer[], params) => {
  const j = params.jaxpr as Jaxpr;
  const unk = tracers.map((t) => !t.pval.isKnown);
  const split = partialEvalRemat(j, unk, params.policy as CheckpointPolicy | null);
  // The known part runs now, outside the remat (JAX hoists it out of the call).
  const knownIns = tracers.filter((_, i) => !unk[i]).map((t) => t.pval.known!);
  const knownOuts = evalJaxpr(
    split.known,
    [],
    knownIns.filter((_, i) => split.knownInputs[i]),
  );
  const nKnown = knownOuts.length - split.numRes;
  const residuals = knownOuts.slice(nKnown).map((r) => trace.fullRaise(r) as PETracer);
  const stagedIns = tracers.filter((_, i) => split.stagedInputs[i]);
  const unkOuts = trace.stage(
    remat_p,
    [...residuals, ...stagedIns],
    { ...params, jaxpr: split.staged, differentiated: true },
    split.staged.outAvals,
  );
  let ki = 0;
  let ui = 0;
  return split.outUnknown.map((u) => (u ? unkOuts[ui++] : knownOuts[ki++]));
}) satisfies PartialEvalRule;

remat_p.rules.transpose = ((cts, args, params) =>
  transposeCall(params.jaxpr as Jaxpr, [], cts, args, (traced, ins) =>
    rebindRemat(params, traced, ins),
  )) satisfies TransposeRule;

remat_p.rules.batch = ((vals, dims, params, axisSize) => {
  const { jaxpr, consts } = batchCallJaxpr(new ClosedJaxpr(params.jaxpr as Jaxpr, []), vals, dims, axisSize);
  const outs = bind(remat_p, [...consts, ...vals], { ...params, jaxpr: jaxpr.jaxpr });
  return [outs, outs.map(() => 0)];
}) satisfies BatchRule;
