/**
 * @file Rules of the `jit` primitive (transforms/jit.ts): each transforms the inner jaxpr by
 * tracing `evalJaxpr` under the transformation to a new jaxpr and binds `jit` again, so a jitted
 * function stays one call under jvp, grad and vmap (keeping its name, as JAX does). Partial evaluation splits the jaxpr into a known call and an unknown one that
 * receives the known residuals (Autodidax part 5's `_xla_call_partial_eval`).
 */
import type { Params } from '../../core/primitive.js';
import { bind, isTracer, type Value } from '../../core/trace.js';
import { evalJaxpr } from '../../ir/eval.js';
import type { ClosedJaxpr, Jaxpr } from '../../ir/jaxpr.js';
import { convertConstvars, jit_p } from '../jit.js';
import { type JvpRule, jvpFlat, Zero } from '../jvp.js';
import { type CallSource, type PartialEvalRule, type PETracer, splitJitCall } from '../partial-eval.js';
import { traceToJaxpr } from '../staging.js';
import type { TransposeRule } from '../transpose.js';
import { type BatchRule, batchFlat, moveBatchAxis } from '../vmap.js';
import { memoOn, nonZero, transposeCall } from './common.js';

function rebind(params: Params, traced: ClosedJaxpr, args: Value[], name: string): Value[] {
  const { jaxpr, consts } = convertConstvars(traced);
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
  // JAX's jvp_jaxpr is cached per jaxpr: two calls of one jitted function stay one jaxpr.
  const { traced, outZero } = cj.consts.some(isTracer)
    ? trace()
    : memoOn(jvpCache, cj.jaxpr, nz.map(Number).join(''), trace);
  const outs = rebind(params, traced, [...primals, ...tangents.filter(nonZero)], String(params.name));
  const nOut = cj.outAvals.length;
  let k = nOut;
  const to = cj.outAvals.map((a, i) => (outZero[i] ? new Zero(a) : outs[k++]));
  return [outs.slice(0, nOut), to];
}) satisfies JvpRule;

jit_p.rules.partialEval = ((trace, tracers: PETracer[], params) => {
  const cj = params.jaxpr as ClosedJaxpr;
  const unk = tracers.map((t) => !t.pval.isKnown);
  const sp = splitJitCall(cj, unk);
  const knownIns = tracers.filter((_, i) => !unk[i]).map((t) => t.pval.known!);
  // The known call is bound even when it has no outputs, as JAX's pjit partial evaluation does.
  const callOuts = rebind(params, sp.known, knownIns, String(params.name));
  const from = ([kind, k]: CallSource) => (kind === 'in' ? knownIns[k] : callOuts[k]);
  const knownOuts = sp.primal.map(from);
  const residuals = sp.residuals.map((s) => trace.fullRaise(from(s)) as PETracer);
  const unkOuts = trace.stage(
    jit_p,
    [...residuals, ...tracers.filter((_, i) => unk[i])],
    { ...params, jaxpr: sp.unknown },
    sp.unknown.outAvals,
  );
  let ki = 0;
  let ui = 0;
  return sp.outUnknown.map((u) => (u ? unkOuts[ui++] : knownOuts[ki++]));
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
  const key = `${dims.join(',')}|${axisSize}`;
  const { traced, outDims } = cj.consts.some(isTracer) ? trace() : memoOn(batchCache, cj.jaxpr, key, trace);
  const outs = rebind(params, traced, vals, String(params.name));
  return [outs, outDims];
}) satisfies BatchRule;
