/**
 * @file Rules of the `jit` primitive (transforms/jit.ts): each transforms the inner jaxpr by
 * tracing `evalJaxpr` under the transformation to a new jaxpr and binds `jit` again, so a jitted
 * function stays one call under jvp, grad and vmap (keeping its name, as JAX does). Partial
 * evaluation splits the jaxpr into a known call and an unknown one that receives the known
 * residuals, as JAX's pjit rule does: equation by equation (jit-split.ts, JAX's in/out forwarding
 * and DCE) where every unknown equation is first-order or a nested jit, otherwise through
 * pe.partial_eval_jaxpr_nounits, retracing the body under a partial-evaluation trace so scan, cond
 * and while split by their own rules.
 */
import { contextKey } from '../../core/eqn-context.js';
import { memoOn } from '../../core/memo.js';
import type { Params } from '../../core/primitive.js';
import { bind, isTracer, type Value } from '../../core/trace.js';
import { dceJaxpr } from '../../ir/dce.js';
import { evalJaxpr } from '../../ir/eval.js';
import { ClosedJaxpr, type Jaxpr } from '../../ir/jaxpr.js';
import { callConsts, jit_p } from '../jit.js';
import { type CallSource, splitJitCall } from '../jit-split.js';
import { currentJvpMode, type JvpRule, jvpFlat, Zero } from '../jvp.js';
import type { PartialEvalRule, PETracer } from '../partial-eval.js';
import { traceToJaxpr } from '../staging.js';
import type { TransposeRule } from '../transpose.js';
import { type BatchRule, batchFlat, moveBatchAxis } from '../vmap.js';
import { nonZero, transposeCall } from './common.js';
import { partialEvalJaxprNoUnits } from './control.js';

function rebind(params: Params, traced: ClosedJaxpr, args: Value[], name: string): Value[] {
  const { jaxpr, consts } = callConsts(traced);
  return bind(jit_p, [...consts, ...args], { ...params, jaxpr, name });
}

const jvpCache = new WeakMap<Jaxpr, Map<string, { traced: ClosedJaxpr; outZero: boolean[] }>>();

jit_p.rules.jvp = ((primals, tangents, params) => {
  const cj = params.jaxpr as ClosedJaxpr;
  const nz = tangents.map(nonZero);
  const n = primals.length;
  const trace = () => {
    let outZero: boolean[] = [];
    const traced = traceToJaxpr(
      (...xs) => {
        let k = n;
        const ts = xs.slice(0, n).map((p, i) => (nz[i] ? xs[k++] : new Zero(p.aval)));
        const [po, to] = jvpFlat((...a) => evalJaxpr(cj.jaxpr, cj.consts, a), xs.slice(0, n), ts);
        outZero = to.map((t) => t instanceof Zero);
        return [...po, ...to.filter(nonZero)];
      },
      [...cj.inAvals, ...cj.inAvals.filter((_, i) => nz[i])],
    );
    return { traced, outZero };
  };
  // JAX's jvp_jaxpr is cached per jaxpr: two calls of one jitted function stay one jaxpr. Its
  // linearization is another cache (and traces zeros of another kind: see JvpMode).
  const key = `${currentJvpMode()}:${nz.map(Number).join('')}${contextKey()}`;
  const { traced, outZero } = cj.consts.some(isTracer) ? trace() : memoOn(jvpCache, cj.jaxpr, key, trace);
  const outs = rebind(params, traced, [...primals, ...tangents.filter(nonZero)], String(params.name));
  const nOut = cj.outAvals.length;
  let k = nOut;
  const to = cj.outAvals.map((a, i) => (outZero[i] ? new Zero(a) : outs[k++]));
  return [outs.slice(0, nOut), to];
}) satisfies JvpRule;

jit_p.rules.partialEval = ((trace, tracers: PETracer[], params) => {
  const cj = params.jaxpr as ClosedJaxpr;
  const unk = tracers.map((t) => !t.pval.isKnown);
  const knownIns = tracers.filter((_, i) => !unk[i]).map((t) => t.pval.known!);
  const sp = splitJitCall(cj, unk);
  let knownOuts: Value[];
  let residuals: Value[];
  let unknown: ClosedJaxpr;
  let outUnknown: boolean[];
  if (sp) {
    // The known call is bound even when it has no outputs, as JAX's pjit partial evaluation does.
    const callOuts = rebind(params, sp.known, knownIns, String(params.name));
    const from = ([kind, k]: CallSource) =>
      kind === 'in' ? knownIns[k] : kind === 'const' ? cj.consts[k] : callOuts[k];
    knownOuts = sp.primal.map(from);
    residuals = sp.residuals.map(from);
    ({ unknown, outUnknown } = sp);
  } else {
    // Nested higher-order equations (scan, cond, while, ...) split by their own rules.
    const split = partialEvalJaxprNoUnits(
      cj,
      unk,
      unk.map(() => false),
      unk.map(() => true),
    );
    // JAX's jit linearization DCEs the primal call (control flow included: a cond's branches
    // lose the residual fillers no output reads).
    const kj = split.known.jaxpr;
    const dead = dceJaxpr(
      kj.jaxpr,
      kj.jaxpr.outvars.map(() => true),
    ).jaxpr;
    const known = dead === kj.jaxpr ? kj : new ClosedJaxpr(dead, kj.consts);
    knownOuts = known.outAvals.length
      ? bind(jit_p, [...split.known.consts, ...knownIns], { ...params, jaxpr: known })
      : [];
    let r = split.numKnownOuts;
    residuals = split.res.map((src) =>
      src.kind === 'in' ? knownIns[src.index] : src.kind === 'const' ? src.val : knownOuts[r++],
    );
    ({ unknown, outUk: outUnknown } = split);
  }
  const unkOuts = trace.stage(
    jit_p,
    [...residuals.map((v) => trace.fullRaise(v) as PETracer), ...tracers.filter((_, i) => unk[i])],
    { ...params, jaxpr: unknown },
    unknown.jaxpr.outAvals,
  );
  let ki = 0;
  let ui = 0;
  return outUnknown.map((u) => (u ? unkOuts[ui++] : knownOuts[ki++]));
}) satisfies PartialEvalRule;

jit_p.rules.transpose = ((cts, args, params) => {
  const cj = params.jaxpr as ClosedJaxpr;
  return transposeCall(cj.jaxpr, cj.consts, cts, args, (traced, ins) =>
    rebind(params, traced, ins, String(params.name)),
  );
}) satisfies TransposeRule;

const batchCache = new WeakMap<Jaxpr, Map<string, { traced: ClosedJaxpr; outDims: (number | null)[] }>>();

jit_p.rules.batch = ((vals, dims, params, axisSize) => {
  const cj = params.jaxpr as ClosedJaxpr;
  // Outputs the inner function leaves unbatched stay unbatched (as JAX's batch rule keeps them),
  // so an enclosing vmap with out_axes=None, as in jacfwd(grad(f)), sees them as such.
  const trace = () => {
    let outDims: (number | null)[] = [];
    const traced = traceToJaxpr(
      (...xs) => {
        const [outs, ds] = batchFlat((...a) => evalJaxpr(cj.jaxpr, cj.consts, a), xs, dims, axisSize);
        outDims = ds.map((d) => (d === null ? null : 0));
        return outs.map((o, i) => (ds[i] === null ? o : moveBatchAxis(o, ds[i], 0, axisSize)));
      },
      vals.map((v) => v.aval),
    );
    return { traced, outDims };
  };
  const key = `${dims.join(',')}|${axisSize}${contextKey()}`;
  const { traced, outDims } = cj.consts.some(isTracer) ? trace() : memoOn(batchCache, cj.jaxpr, key, trace);
  const outs = rebind(params, traced, vals, String(params.name));
  return [outs, outDims];
}) satisfies BatchRule;
