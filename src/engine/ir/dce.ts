/**
 * @file Dead-code elimination of a jaxpr, as JAX's pe.dce_jaxpr with its pjit rule: equations
 * whose outputs nothing reads are dropped, and a nested `jit` (or `cond`, in every branch) keeps
 * only the outputs that are read and the inputs its pruned body reads (its body DCE'd the same way). Results are cached per
 * jaxpr and choice of outputs, as JAX caches them, so one inner jaxpr stays one object.
 * grad's partial evaluation of a jitted function uses it (JAX's linearize leaves no dead code
 * in the primal and tangent calls of a jit).
 */

import { memoOn } from '../core/memo.js';
import type { Atom, JaxprEqn } from './jaxpr.js';
import { ClosedJaxpr, JaxprEqn as Eqn, Jaxpr, Var } from './jaxpr.js';

export interface DceResult {
  jaxpr: Jaxpr;
  /** Per input of the original jaxpr: whether the pruned one reads it. */
  usedInputs: boolean[];
}

const cache = new WeakMap<Jaxpr, Map<string, DceResult>>();

/**
 * The jaxpr with only the outputs marked used (and the equations they need); its invars are all
 * the original ones (pruneInputs drops the unused ones where a caller wants that).
 */
export function dceJaxpr(jaxpr: Jaxpr, usedOutputs: readonly boolean[]): DceResult {
  return memoOn(cache, jaxpr, usedOutputs.map(Number).join(''), () => dceUncached(jaxpr, usedOutputs));
}

function dceUncached(jaxpr: Jaxpr, usedOutputs: readonly boolean[]): DceResult {
  const outvars = jaxpr.outvars.filter((_, i) => usedOutputs[i]);
  const live = new Set<Var>();
  const mark = (a: Atom) => {
    if (a instanceof Var) live.add(a);
  };
  outvars.forEach(mark);
  const kept: JaxprEqn[] = [];
  for (let i = jaxpr.eqns.length - 1; i >= 0; i--) {
    const e = jaxpr.eqns[i];
    const used = e.outvars.map((v) => live.has(v));
    if (!used.some(Boolean)) continue;
    if (e.primitive.name === 'jit' || e.primitive.name === 'cond') {
      const pruned = e.primitive.name === 'jit' ? pruneJitEqn(e, used) : pruneCondEqn(e, used);
      pruned.inputs.forEach(mark);
      kept.push(pruned);
    } else {
      e.inputs.forEach(mark);
      kept.push(e);
    }
  }
  kept.reverse();
  const same = kept.length === jaxpr.eqns.length && kept.every((e, i) => e === jaxpr.eqns[i]);
  const out =
    same && outvars.length === jaxpr.outvars.length
      ? jaxpr
      : new Jaxpr(jaxpr.constvars, jaxpr.invars, outvars, kept);
  return { jaxpr: out, usedInputs: jaxpr.invars.map((v) => live.has(v)) };
}

/** JAX's dce_jaxpr_pjit_rule: the call keeps the read outputs and the inputs its body reads. */
function pruneJitEqn(e: JaxprEqn, usedOutputs: boolean[]): JaxprEqn {
  const cj = e.params.jaxpr as ClosedJaxpr;
  const { jaxpr, usedInputs } = dceJaxpr(cj.jaxpr, usedOutputs);
  if (usedInputs.every(Boolean) && usedOutputs.every(Boolean) && jaxpr === cj.jaxpr) return e;
  const body = pruneInputs(jaxpr, usedInputs);
  return new Eqn(
    e.primitive,
    e.inputs.filter((_, i) => usedInputs[i]),
    { ...e.params, jaxpr: closedOf(body, cj) },
    e.outvars.filter((_, i) => usedOutputs[i]),
  );
}

/**
 * JAX's _cond_dce_rule: every branch keeps the read outputs and the inputs any branch reads
 * (its body DCE'd); the index stays.
 */
function pruneCondEqn(e: JaxprEqn, usedOutputs: boolean[]): JaxprEqn {
  const branches = e.params.branches as ClosedJaxpr[];
  const dced = branches.map((b) => dceJaxpr(b.jaxpr, usedOutputs));
  const usedInputs = branches[0].jaxpr.invars.map((_, i) => dced.some((d) => d.usedInputs[i]));
  const bodies = dced.map((d) => pruneInputs(d.jaxpr, usedInputs));
  if (
    usedInputs.every(Boolean) &&
    usedOutputs.every(Boolean) &&
    bodies.every((b, i) => b === branches[i].jaxpr)
  )
    return e;
  return new Eqn(
    e.primitive,
    [e.inputs[0], ...e.inputs.slice(1).filter((_, i) => usedInputs[i])],
    { ...e.params, branches: bodies.map((b, i) => closedOf(b, branches[i])) },
    e.outvars.filter((_, i) => usedOutputs[i]),
  );
}

const closedCache = new WeakMap<Jaxpr, ClosedJaxpr>();
function closedOf(j: Jaxpr, like: ClosedJaxpr): ClosedJaxpr {
  if (j === like.jaxpr) return like;
  let c = closedCache.get(j);
  if (!c) {
    c = new ClosedJaxpr(j, like.consts);
    closedCache.set(j, c);
  }
  return c;
}

const pruneCache = new WeakMap<Jaxpr, Map<string, Jaxpr>>();

/** The jaxpr without the invars marked unused (cached, so the pruned jaxpr is one object). */
export function pruneInputs(j: Jaxpr, usedInputs: readonly boolean[]): Jaxpr {
  if (usedInputs.every(Boolean)) return j;
  return memoOn(
    pruneCache,
    j,
    usedInputs.map(Number).join(''),
    () =>
      new Jaxpr(
        j.constvars,
        j.invars.filter((_, i) => usedInputs[i]),
        j.outvars,
        j.eqns,
      ),
  );
}
