/**
 * @file Dead-code elimination of a jaxpr, as JAX's pe.dce_jaxpr with its pjit rule: equations
 * whose outputs nothing reads are dropped, and a nested `jit` keeps only the outputs that are read
 * and the inputs its pruned body reads (its body DCE'd the same way). Results are cached per
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
  const key = usedOutputs.map(Number).join('');
  return memoOn(cache, jaxpr, key, () => dceUncached(jaxpr, usedOutputs));
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
    if (e.primitive.name === 'jit') {
      const pruned = pruneJitEqn(e, used);
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
  const key = usedInputs.map(Number).join('');
  return memoOn(
    pruneCache,
    j,
    key,
    () =>
      new Jaxpr(
        j.constvars,
        j.invars.filter((_, i) => usedInputs[i]),
        j.outvars,
        j.eqns,
      ),
  );
}
