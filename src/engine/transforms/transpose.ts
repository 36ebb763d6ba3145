/**
 * @file Transposition of linear jaxprs: the backward pass of Autodidax part 4 (and JAX's
 * backward_pass). Inputs are residuals (values) or `UndefPrimal`s, the linear inputs whose
 * cotangents are wanted. Equations are visited in reverse; each primitive's transpose rule maps
 * output cotangents to cotangents of its linear inputs, accumulated with `add_any`. Symbolic zero
 * cotangents skip equations entirely. Equations that read no linear value are evaluated forward
 * first (JAX does this too), so jaxprs with non-linear residual computations transpose as well.
 */
import type { ShapedArray } from '../core/aval.js';
import { withEqnContext } from '../core/eqn-context.js';
import type { Params } from '../core/primitive.js';
import { bind, type Value } from '../core/trace.js';
import { type Atom, type Jaxpr, type JaxprEqn, Literal, Var } from '../ir/jaxpr.js';
import { add_any, fitTangent, type Tangent, Zero } from './jvp.js';

/** A linear input of a transposed equation: only its aval is known. */
export class UndefPrimal {
  constructor(readonly aval: ShapedArray) {}
}

export type TransposeArg = Value | UndefPrimal;

export function isUndef(x: unknown): x is UndefPrimal {
  return x instanceof UndefPrimal;
}

/**
 * A transpose rule: cotangents of the outputs (possibly zero) and the equation's inputs (values
 * or UndefPrimal) to cotangents of each input (null/Zero for non-linear inputs or zero results).
 */
export type TransposeRule = (cts: Tangent[], args: TransposeArg[], params: Params) => (Tangent | null)[];

export function backwardPass(
  jaxpr: Jaxpr,
  consts: readonly Value[],
  args: TransposeArg[],
  cts: Tangent[],
): Tangent[] {
  const primal = new Map<Var, Value>();
  const linear = new Set<Var>();
  const ctEnv = new Map<Var, Value>();
  jaxpr.constvars.forEach((v, i) => {
    primal.set(v, consts[i]);
  });
  jaxpr.invars.forEach((v, i) => {
    const a = args[i];
    if (a instanceof UndefPrimal) linear.add(v);
    else primal.set(v, a);
  });
  const readPrimal = (a: Atom): TransposeArg => {
    if (a instanceof Literal) return a.val;
    const p = primal.get(a);
    if (p !== undefined) return p;
    return new UndefPrimal(a.aval);
  };
  const isLinear = (a: Atom) => a instanceof Var && linear.has(a);
  const linearEqns: JaxprEqn[] = [];
  // Equations run (and transpose) in JAX's eqn context, as in evalJaxpr (core/eqn-context.ts).
  withEqnContext(() => {
    for (const e of jaxpr.eqns) {
      if (e.inputs.some(isLinear)) {
        for (const v of e.outvars) linear.add(v);
        linearEqns.push(e);
      } else {
        const outs = bind(e.primitive, e.inputs.map(readPrimal) as Value[], e.params);
        e.outvars.forEach((v, i) => {
          primal.set(v, outs[i]);
        });
      }
    }
  });
  const writeCt = (a: Atom, ct: Tangent | null) => {
    if (ct === null || ct instanceof Zero || !(a instanceof Var) || !linear.has(a)) return;
    const c = fitTangent(ct, a.aval);
    const prev = ctEnv.get(a);
    ctEnv.set(a, prev === undefined ? c : bind(add_any, [prev, c])[0]);
  };
  const readCt = (v: Var): Tangent => ctEnv.get(v) ?? new Zero(v.aval);
  jaxpr.outvars.forEach((v, i) => {
    writeCt(v, cts[i]);
  });
  withEqnContext(() => {
    for (let k = linearEqns.length - 1; k >= 0; k--) {
      const e = linearEqns[k];
      const ctsIn = e.outvars.map(readCt);
      for (const v of e.outvars) ctEnv.delete(v);
      if (ctsIn.every((c) => c instanceof Zero)) continue;
      const rule = e.primitive.rules.transpose as TransposeRule | undefined;
      if (!rule)
        throw new Error(
          `Transpose rule (for reverse-mode differentiation) for '${e.primitive.name}' not implemented`,
        );
      const ctsOut = rule(ctsIn, e.inputs.map(readPrimal), e.params);
      e.inputs.forEach((a, i) => {
        writeCt(a, ctsOut[i] ?? null);
      });
    }
  });
  return jaxpr.invars.filter((_, i) => args[i] instanceof UndefPrimal).map(readCt);
}
