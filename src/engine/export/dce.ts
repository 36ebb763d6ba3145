/**
 * @file Dead-code elimination before lowering, as jit's lowering does it (pxla._dce_jaxpr and
 * pe.dce_jaxpr with the primitives' dce rules): unused equations go, unused arguments of the
 * top-level function are pruned (keep_unused=False), nested jit bodies lose their unused
 * inputs and outputs, cond branches and scan bodies are pruned as JAX's rules prune them. Results
 * are memoized by (jaxpr, used outputs, instantiate), as JAX's weakref_lru_cache does, so one
 * nested jaxpr DCE'd the same way twice stays one object and one MLIR function.
 */

import type { Params } from '../core/primitive.js';
import { type Atom, ClosedJaxpr, Jaxpr, JaxprEqn, Literal, type Var } from '../ir/jaxpr.js';

type Rule = (used: boolean[], eqn: JaxprEqn, dce: Dce) => [boolean[], JaxprEqn | null];

const keepWhere = <T>(xs: readonly T[], keep: readonly boolean[]): T[] => xs.filter((_, i) => keep[i]);

export class Dce {
  private readonly memo = new Map<Jaxpr, Map<string, [Jaxpr, boolean[]]>>();
  private readonly closedMemo = new Map<ClosedJaxpr, Map<string, ClosedJaxpr>>();

  /** pe.dce_jaxpr: the pruned jaxpr and which inputs it still reads (or must keep). */
  jaxpr(
    j: Jaxpr,
    used: readonly boolean[],
    instantiate: boolean | readonly boolean[] = false,
  ): [Jaxpr, boolean[]] {
    const inst = typeof instantiate === 'boolean' ? j.invars.map(() => instantiate) : [...instantiate];
    const key = `${used.map(Number).join('')}|${inst.map(Number).join('')}`;
    let m = this.memo.get(j);
    if (!m) this.memo.set(j, (m = new Map()));
    const hit = m.get(key);
    if (hit) return hit;
    const live = new Set<Var>();
    const mark = (a: Atom, b: boolean) => {
      if (b && !(a instanceof Literal)) live.add(a);
    };
    for (const [i, v] of j.outvars.entries()) mark(v, used[i]);
    const eqns: JaxprEqn[] = [];
    for (let k = j.eqns.length - 1; k >= 0; k--) {
      const e = j.eqns[k];
      const usedOuts = e.outvars.map((v) => live.has(v));
      const rule = RULES[e.primitive.name] ?? defaultRule;
      const [usedIns, ne] = rule(usedOuts, e, this);
      if (ne) eqns.push(ne);
      for (const [i, a] of e.inputs.entries()) mark(a, usedIns[i]);
    }
    const usedInputs = j.invars.map((v, i) => live.has(v) || inst[i]);
    const out = new Jaxpr(
      j.constvars,
      keepWhere(j.invars, usedInputs),
      keepWhere(j.outvars, used),
      eqns.reverse(),
    );
    const res: [Jaxpr, boolean[]] = [out, usedInputs];
    m.set(key, res);
    return res;
  }

  /** A closed jaxpr DCE'd the same way twice is the same object (one function in the module). */
  closed(
    cj: ClosedJaxpr,
    used: readonly boolean[],
    instantiate: boolean | readonly boolean[] = false,
  ): [ClosedJaxpr, boolean[]] {
    const [j, usedIns] = this.jaxpr(cj.jaxpr, used, instantiate);
    const key = `${used.map(Number).join('')}|${String(instantiate)}`;
    let m = this.closedMemo.get(cj);
    if (!m) this.closedMemo.set(cj, (m = new Map()));
    let c = m.get(key);
    if (!c) m.set(key, (c = new ClosedJaxpr(j, cj.consts)));
    return [c, usedIns];
  }
}

function defaultRule(used: boolean[], e: JaxprEqn): [boolean[], JaxprEqn | null] {
  if (!used.some(Boolean)) return [e.inputs.map(() => false), null];
  return [e.inputs.map(() => true), e];
}

function rebuilt(e: JaxprEqn, usedIns: boolean[], usedOuts: boolean[], params: Params): JaxprEqn {
  return new JaxprEqn(e.primitive, keepWhere(e.inputs, usedIns), params, keepWhere(e.outvars, usedOuts));
}

/** pjit's rule: the body loses unused outputs and inputs. */
const jitRule: Rule = (used, e, dce) => {
  if (!used.some(Boolean)) return [e.inputs.map(() => false), null];
  const [j, usedIns] = dce.closed(e.params.jaxpr as ClosedJaxpr, used);
  if (!usedIns.some(Boolean) && !used.some(Boolean)) return [usedIns, null];
  return [usedIns, rebuilt(e, usedIns, used, { ...e.params, jaxpr: j })];
};

/** cond: branches keep the inputs any branch reads; the index stays. */
const condRule: Rule = (used, e, dce) => {
  if (!used.some(Boolean)) return [e.inputs.map(() => false), null];
  const branches = e.params.branches as ClosedJaxpr[];
  let usedIns = branches[0].jaxpr.invars.map(() => false);
  for (const br of branches) {
    const [, u] = dce.jaxpr(br.jaxpr, used);
    usedIns = usedIns.map((x, i) => x || u[i]);
  }
  const nb = branches.map((br) => new ClosedJaxpr(dce.jaxpr(br.jaxpr, used, usedIns)[0], br.consts));
  const all = [true, ...usedIns];
  return [all, rebuilt(e, all, used, { ...e.params, branches: nb })];
};

/** scan: a fixpoint over the carries, as loops._scan_dce_rule. */
const scanRule: Rule = (used, e, dce) => {
  if (!used.some(Boolean)) return [e.inputs.map(() => false), null];
  const cj = e.params.jaxpr as ClosedJaxpr;
  const nConsts = Number(e.params.num_consts);
  const nCarry = Number(e.params.num_carry);
  const nXs = cj.jaxpr.invars.length - nConsts - nCarry;
  let carryOut = used.slice(0, nCarry);
  const ysOut = used.slice(nCarry);
  let j: Jaxpr | null = null;
  let usedIns: boolean[] = [];
  for (let it = 0; it <= nCarry; it++) {
    const usedOuts = [...carryOut, ...ysOut];
    [j, usedIns] = dce.jaxpr(cj.jaxpr, usedOuts, [
      ...Array(nConsts).fill(false),
      ...carryOut,
      ...Array(nXs).fill(false),
    ]);
    const carryIn = usedIns.slice(nConsts, nConsts + nCarry);
    if (carryIn.every((b, i) => b === carryOut[i])) break;
    carryOut = carryOut.map((b, i) => b || carryIn[i]);
  }
  const usedOuts = [...carryOut, ...ysOut];
  const params = {
    ...e.params,
    num_consts: usedIns.slice(0, nConsts).filter(Boolean).length,
    num_carry: usedIns.slice(nConsts, nConsts + nCarry).filter(Boolean).length,
    jaxpr: new ClosedJaxpr(j!, cj.consts),
  };
  return [usedIns, rebuilt(e, usedIns, usedOuts, params)];
};

/** custom_jvp_call / custom_vjp_call: the call keeps every input, its body loses unused outputs. */
const customRule: Rule = (used, e, dce) => {
  if (!used.some(Boolean)) return [e.inputs.map(() => false), null];
  const [cj] = dce.closed(e.params.call_jaxpr as ClosedJaxpr, used, true);
  const all = e.inputs.map(() => true);
  return [all, rebuilt(e, all, used, { ...e.params, call_jaxpr: cj })];
};

/** checkpoint (remat2): the body loses unused inputs, prevent_cse follows. */
const rematRule: Rule = (used, e, dce) => {
  if (!used.some(Boolean)) return [e.inputs.map(() => false), null];
  const [j, usedIns] = dce.jaxpr(e.params.jaxpr as Jaxpr, used);
  const pc = e.params.prevent_cse;
  const preventCse = Array.isArray(pc) ? keepWhere(pc, usedIns) : pc;
  return [usedIns, rebuilt(e, usedIns, used, { ...e.params, jaxpr: j, prevent_cse: preventCse })];
};

/** shard_map: the body loses unused inputs and outputs, with their specs. */
const shardMapRule: Rule = (used, e, dce) => {
  if (!used.some(Boolean)) return [e.inputs.map(() => false), null];
  const [j, usedIns] = dce.jaxpr(e.params.jaxpr as Jaxpr, used);
  const params = {
    ...e.params,
    jaxpr: j,
    in_specs: keepWhere(e.params.in_specs as unknown[], usedIns),
    out_specs: keepWhere(e.params.out_specs as unknown[], used),
  };
  return [usedIns, rebuilt(e, usedIns, used, params)];
};

const RULES: Record<string, Rule> = {
  jit: jitRule,
  cond: condRule,
  scan: scanRule,
  custom_jvp_call: customRule,
  custom_vjp_call: customRule,
  remat2: rematRule,
  shard_map: shardMapRule,
};
