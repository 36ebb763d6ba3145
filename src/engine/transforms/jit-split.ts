/**
 * @file The equation-level split of a jitted jaxpr with some unknown inputs, as JAX's pjit
 * partial evaluation prints it under grad (jax/_src/pjit.py `_pjit_partial_eval`, and the DCE of
 * `_pjit_linearize`): known equations go to a known call, the rest to an unknown call taking the
 * residuals; nested jit equations split the same way; known outputs forwarding known inputs leave
 * the known call (in_fwd) and residuals repeating kept outputs are read from them (out_fwd). A
 * jaxpr holding an unknown equation with its own partial-eval rule (scan, cond, while, remat, ...)
 * is not split here: `splitJitCall` says null and the jit rule retraces the body instead
 * (rules/jit.ts), as pe.partial_eval_jaxpr_nounits does.
 */
import { isDeviceScalar } from '../core/coerce.js';
import { memoOn } from '../core/memo.js';
import type { Value } from '../core/trace.js';
import { dceJaxpr } from '../ir/dce.js';
import { type Atom, ClosedJaxpr, Jaxpr, JaxprEqn, Literal, Var } from '../ir/jaxpr.js';

export interface JaxprSplit {
  /**
   * Known inputs -> known outputs, then the residuals it computes. Its constvars are the split
   * jaxpr's, then one per `newConsts` value.
   */
  known: Jaxpr;
  /**
   * Constants of nested calls that their unknown halves read: the known jaxpr holds them as
   * constvars of its own and passes them on as computed residuals, as JAX's linearize does.
   */
  newConsts: Value[];
  /** Residuals then unknown inputs -> unknown outputs. */
  unknown: Jaxpr;
  outUnknown: boolean[];
  /**
   * Where each residual comes from: a known input or a constant of the split jaxpr, passed
   * straight through (as JAX's linearize forwards `[*jaxpr.consts, *primals_in]`), or null for the
   * next computed residual output of `known`.
   */
  residualSources: (readonly ['in' | 'const', number] | null)[];
}

/**
 * Where a value of a split call comes from: an output of the known call, a known input, or a
 * constant its closed jaxpr keeps.
 */
export type CallSource = readonly ['out' | 'in' | 'const', number];

/**
 * A jit call with some unknown inputs as JAX's pjit partial evaluation splits it: a known call
 * (always bound, even with no outputs) computing the known outputs and the residuals, and an
 * unknown call taking the residuals, then the unknown inputs. Known outputs that merely forward a
 * known input leave the known call (in_fwd), and residuals that repeat a kept output are read from
 * it (out_fwd).
 */
export interface JitSplit {
  known: ClosedJaxpr;
  unknown: ClosedJaxpr;
  outUnknown: boolean[];
  /** Per known output of the original call, in order. */
  primal: CallSource[];
  /** Per residual the unknown call takes, in order. */
  residuals: CallSource[];
}

const jitSplitCache = new WeakMap<Jaxpr, Map<string, JitSplit | null>>();

/** The split of a jit call, or null where an unknown equation needs its own partial-eval rule. */
export function splitJitCall(cj: ClosedJaxpr, inUnknown: boolean[]): JitSplit | null {
  return memoOn(jitSplitCache, cj.jaxpr, inUnknown.map(Number).join(''), () =>
    splitJitCallUncached(cj, inUnknown),
  );
}

function splitJitCallUncached(cj: ClosedJaxpr, inUnknown: boolean[]): JitSplit | null {
  const inner = partialEvalJaxpr(cj.jaxpr, inUnknown);
  if (!inner) return null;
  const nPrimal = inner.outUnknown.filter((u) => !u).length;
  const kept: Atom[] = [];
  const primal: CallSource[] = [];
  const computed: CallSource[] = [];
  inner.known.outvars.forEach((v, i) => {
    const inIdx = v instanceof Var ? inner.known.invars.indexOf(v) : -1;
    if (i < nPrimal && inIdx >= 0) {
      primal.push(['in', inIdx]);
      return;
    }
    const dup = i >= nPrimal ? kept.indexOf(v) : -1;
    const src: CallSource =
      dup >= 0 && dup < primal.filter((p) => p[0] === 'out').length
        ? ['out', dup]
        : ['out', kept.push(v) - 1];
    (i < nPrimal ? primal : computed).push(src);
  });
  let c = 0;
  const residuals = inner.residualSources.map((src): CallSource => src ?? computed[c++]);
  return {
    known: withoutUnusedConsts(prunedKnown(inner, kept), [...cj.consts, ...inner.newConsts]),
    unknown: new ClosedJaxpr(inner.unknown, []),
    outUnknown: inner.outUnknown,
    primal,
    residuals,
  };
}

/** The known call's jaxpr without the constants it no longer reads (JAX's _dce_consts). */
function withoutUnusedConsts(j: Jaxpr, consts: Value[]): ClosedJaxpr {
  const read = new Set<Atom>(j.outvars);
  for (const e of j.eqns) for (const a of e.inputs) read.add(a);
  const keep = j.constvars.map((v) => read.has(v));
  if (keep.every(Boolean)) return new ClosedJaxpr(j, consts);
  return new ClosedJaxpr(
    new Jaxpr(
      j.constvars.filter((_, i) => keep[i]),
      j.invars,
      j.outvars,
      j.eqns,
    ),
    consts.filter((_, i) => keep[i]),
  );
}

/**
 * A nested jit equation with known and unknown inputs, split as splitJitCall says (false: it
 * cannot be). A residual that is a constant of the nested call is read from `constVar`, a
 * constvar of the enclosing known jaxpr.
 */
function splitCall(
  e: JaxprEqn,
  isUnk: (a: Atom) => boolean,
  knownEqns: JaxprEqn[],
  addUnknown: (e: JaxprEqn) => void,
  alias: Map<Var, Atom>,
  constVar: (val: Value) => Var,
): boolean {
  const cj = e.params.jaxpr as ClosedJaxpr;
  const sp = splitJitCall(cj, e.inputs.map(isUnk));
  if (!sp) return false;
  const knownIns = e.inputs.filter((a) => !isUnk(a));
  const knownOuts = e.outvars.filter((_, i) => !sp.outUnknown[i]);
  const callOuts: Var[] = sp.known.jaxpr.outvars.map((a) => new Var(a.aval));
  sp.primal.forEach(([kind, k], i) => {
    if (kind === 'in') alias.set(knownOuts[i], knownIns[k]);
    else callOuts[k] = knownOuts[i];
  });
  knownEqns.push(new JaxprEqn(e.primitive, knownIns, { ...e.params, jaxpr: sp.known }, callOuts));
  const residuals = sp.residuals.map(([kind, k]) =>
    kind === 'in' ? knownIns[k] : kind === 'const' ? constVar(cj.consts[k]) : callOuts[k],
  );
  addUnknown(
    new JaxprEqn(
      e.primitive,
      [...residuals, ...e.inputs.filter(isUnk)],
      { ...e.params, jaxpr: sp.unknown },
      e.outvars.filter((_, i) => sp.outUnknown[i]),
    ),
  );
  return true;
}

const prunedCache = new WeakMap<JaxprSplit, Map<string, Jaxpr>>();

/** The known jaxpr with only the kept outputs (one object per split and choice of outputs). */
function prunedKnown(inner: JaxprSplit, kept: Atom[]): Jaxpr {
  const all = inner.known.outvars;
  if (kept.length === all.length && kept.every((a, i) => a === all[i])) return inner.known;
  const key = kept.map((a) => all.indexOf(a)).join(',');
  return memoOn(
    prunedCache,
    inner,
    key,
    () => new Jaxpr(inner.known.constvars, inner.known.invars, kept, inner.known.eqns),
  );
}

/**
 * Split a jaxpr whose inputs are partly unknown: an equation is unknown when any input is, and
 * known values that unknown equations read are passed across as residuals (device-array scalar
 * literals too, as JAX passes them; see isDeviceScalar).
 */
export function partialEvalJaxpr(jaxpr: Jaxpr, inUnknown: boolean[]): JaxprSplit | null {
  // Cached per jaxpr, as JAX's partial_eval_jaxpr_nounits is: one inner jaxpr stays one.
  return memoOn(splitCache, jaxpr, inUnknown.map(Number).join(''), () =>
    partialEvalJaxprUncached(jaxpr, inUnknown),
  );
}

const splitCache = new WeakMap<Jaxpr, Map<string, JaxprSplit | null>>();

function partialEvalJaxprUncached(jaxpr: Jaxpr, inUnknown: boolean[]): JaxprSplit | null {
  const unknown = new Set<Var>();
  jaxpr.invars.forEach((v, i) => {
    if (inUnknown[i]) unknown.add(v);
  });
  const alias = new Map<Var, Atom>();
  const read = (a: Atom): Atom => (a instanceof Var ? (alias.get(a) ?? a) : a);
  const isUnk = (a: Atom) => a instanceof Var && unknown.has(a);
  const knownEqns: JaxprEqn[] = [];
  const unkEqns: JaxprEqn[] = [];
  const residuals: Atom[] = [];
  const resSet = new Set<Atom>();
  const literalRes = new Map<unknown, Var>();
  const newConsts = new Map<Value, Var>();
  const constVar = (val: Value) => {
    let v = newConsts.get(val);
    if (!v) newConsts.set(val, (v = new Var(val.aval)));
    return v;
  };
  const addRes = (a: Atom) => {
    if (a instanceof Var && !unknown.has(a) && !resSet.has(a)) {
      resSet.add(a);
      residuals.push(a);
    }
  };
  const addUnknown = (e: JaxprEqn) => {
    const inputs = e.inputs.map((a) => {
      if (!(a instanceof Literal) || !isDeviceScalar(a.val)) {
        addRes(a);
        return a;
      }
      let v = literalRes.get(a.val);
      if (!v) {
        v = new Var(a.aval);
        literalRes.set(a.val, v);
        residuals.push(a);
      }
      return v;
    });
    const eq = inputs.some((a, i) => a !== e.inputs[i])
      ? new JaxprEqn(e.primitive, inputs, e.params, e.outvars)
      : e;
    unkEqns.push(eq);
    for (const v of e.outvars) unknown.add(v);
  };
  for (const e0 of jaxpr.eqns) {
    const e = e0.inputs.some((a) => read(a) !== a)
      ? new JaxprEqn(e0.primitive, e0.inputs.map(read), e0.params, e0.outvars)
      : e0;
    if (!e.inputs.some(isUnk)) knownEqns.push(e);
    else if (e.primitive.name === 'jit') {
      if (!splitCall(e, isUnk, knownEqns, addUnknown, alias, constVar)) return null;
    } else if (e.primitive.rules.partialEval) return null;
    else addUnknown(e);
  }
  const outvars = jaxpr.outvars.map(read);
  const outUnknown = outvars.map(isUnk);
  const knownInvars = jaxpr.invars.filter((_, i) => !inUnknown[i]);
  // JAX's linearize of a jit leaves no dead code: the unknown side keeps what its outputs need,
  // the residuals it no longer reads are dropped, and the known side keeps what its outputs and
  // the remaining residuals need.
  const allResVars = residuals.map((r) => (r instanceof Var ? r : literalRes.get(r.val)!));
  const unkInvars = jaxpr.invars.filter((_, i) => inUnknown[i]);
  const unk0 = new Jaxpr(
    [],
    [...allResVars, ...unkInvars],
    outvars.filter((_, i) => outUnknown[i]),
    unkEqns,
  );
  const { jaxpr: unkD, usedInputs } = dceJaxpr(
    unk0,
    unk0.outvars.map(() => true),
  );
  const kept = residuals.filter((_, i) => usedInputs[i]);
  const resVars = allResVars.filter((_, i) => usedInputs[i]);
  const residualSources = kept.map((r): JaxprSplit['residualSources'][number] => {
    if (!(r instanceof Var)) return null;
    const k = knownInvars.indexOf(r);
    if (k >= 0) return ['in', k];
    const c = jaxpr.constvars.indexOf(r);
    return c >= 0 ? ['const', c] : null;
  });
  const known0 = new Jaxpr(
    [...jaxpr.constvars, ...newConsts.values()],
    knownInvars,
    [...outvars.filter((_, i) => !outUnknown[i]), ...kept.filter((_, i) => residualSources[i] === null)],
    knownEqns,
  );
  const known = dceJaxpr(
    known0,
    known0.outvars.map(() => true),
  ).jaxpr;
  // Each jaxpr gets its own Var objects for the residuals it receives.
  const unk = new Jaxpr([], [...resVars, ...unkInvars], unkD.outvars, unkD.eqns);
  return { known, newConsts: [...newConsts.keys()], unknown: unk, outUnknown, residualSources };
}
