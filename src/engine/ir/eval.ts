/**
 * @file Evaluate a jaxpr by binding its equations on whatever trace is current: this is how
 * transformations re-interpret a staged program (Autodidax's eval_jaxpr).
 */

import { withEqnContext } from '../core/eqn-context.js';
import type { Value } from '../core/trace.js';
import { bind } from '../core/trace.js';
import { type Atom, type ClosedJaxpr, type Jaxpr, Literal, type Var } from './jaxpr.js';

export function evalJaxpr(jaxpr: Jaxpr, consts: readonly Value[], args: readonly Value[]): Value[] {
  const env = new Map<Var, Value>();
  const read = (a: Atom): Value => {
    if (a instanceof Literal) return a.val;
    const v = env.get(a);
    if (v === undefined) throw new Error('jaxpr evaluation read an unbound variable');
    return v;
  };
  if (args.length !== jaxpr.invars.length) {
    throw new TypeError(`jaxpr expects ${jaxpr.invars.length} arguments, got ${args.length}`);
  }
  for (const [i, v] of jaxpr.constvars.entries()) env.set(v, consts[i]);
  for (const [i, v] of jaxpr.invars.entries()) env.set(v, args[i]);
  // Each equation runs in JAX's eqn context (core/eqn-context.ts): jits traced by rules it
  // invokes are cached apart from those traced by user code.
  withEqnContext(() => {
    for (const eqn of jaxpr.eqns) {
      const outs = bind(eqn.primitive, eqn.inputs.map(read), eqn.params);
      for (const [i, v] of eqn.outvars.entries()) env.set(v, outs[i]);
    }
  });
  return jaxpr.outvars.map(read);
}

export function evalClosedJaxpr(cj: ClosedJaxpr, args: readonly Value[]): Value[] {
  return evalJaxpr(cj.jaxpr, cj.consts, args);
}
