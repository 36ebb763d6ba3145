/**
 * @file Rematerialisation: jax.checkpoint / jax.remat and the primitive it binds, which JAX 0.10.2
 * prints as `remat2[differentiated=False jaxpr={...} policy=None prevent_cse=True]`. Under
 * differentiation the primal computation of the checkpointed function is hoisted out for the
 * forward pass and done again inside the staged (differentiated=True) call for the backward pass,
 * except for values the policy saves (JAX's ad_checkpoint.py: partial_eval_jaxpr_custom with a
 * `saveable` predicate; this file has that split, rules/custom.ts the primitive's rules).
 */

import { runClosedJaxpr } from '../compile/index.js';
import type { LowerRule } from '../compile/lower.js';
import type { ArrayImpl } from '../core/array.js';
import { toValue } from '../core/coerce.js';
import { definePrimitive, type Params, type Primitive } from '../core/primitive.js';
import { type TreeDef, treeFlatten, treeUnflatten } from '../core/pytree.js';
import { bind } from '../core/trace.js';
import { type Atom, ClosedJaxpr, Jaxpr, JaxprEqn, Literal, Var } from '../ir/jaxpr.js';
import { convertConstvars, staticSet } from './jit.js';
import { traceToJaxpr } from './staging.js';

// ---- policies -------------------------------------------------------------------------------------------

/** A checkpoint policy: which primitive results may be saved for the backward pass. */
export interface CheckpointPolicy {
  readonly name: string;
  saveable(prim: Primitive, params: Params): boolean;
  /** How JAX prints the policy param. */
  pyStr(): string;
}

function fnPolicy(name: string, saveable: (prim: Primitive, params: Params) => boolean): CheckpointPolicy {
  // JAX prints plain-function policies by repr; addresses are not reproducible, so a fixed one.
  return { name, saveable, pyStr: () => `<function ${name} at 0xXXXXXXXXXXXX>` };
}

function dotsPolicy(onlyIfNoBatchDims: boolean): CheckpointPolicy {
  return {
    name: onlyIfNoBatchDims ? 'dots_with_no_batch_dims_saveable' : 'dots_saveable',
    saveable(prim, params) {
      if (prim.name !== 'dot_general') return false;
      if (!onlyIfNoBatchDims) return true;
      const dn = params.dimension_numbers as [unknown, [number[], number[]]];
      return dn[1][0].length === 0 && dn[1][1].length === 0;
    },
    pyStr: () => `DotsSaveable(only_if_no_batch_dims=${onlyIfNoBatchDims ? 'True' : 'False'})`,
  };
}

/** jax.checkpoint_policies (the ones that do not depend on names or offloading). */
export const checkpointPolicies = {
  nothingSaveable: fnPolicy('nothing_saveable', () => false),
  everythingSaveable: fnPolicy('everything_saveable', () => true),
  dotsSaveable: dotsPolicy(false),
  dotsWithNoBatchDimsSaveable: dotsPolicy(true),
  checkpointDots: dotsPolicy(false),
  checkpointDotsWithNoBatchDims: dotsPolicy(true),
} as const;

// ---- the primitive ------------------------------------------------------------------------------------

export const remat_p = definePrimitive(
  'remat2',
  {
    abstractEval(_avals, p) {
      return (p.jaxpr as Jaxpr).outAvals;
    },
    impl(args, p) {
      return runClosedJaxpr(new ClosedJaxpr(p.jaxpr as Jaxpr, []), args as ArrayImpl[], null);
    },
    lower: ((ctx, ins, p) => ctx.lowerJaxpr(p.jaxpr as Jaxpr, [], ins)) satisfies LowerRule,
  },
  true,
);

export interface CheckpointOptions {
  /** Which intermediates to save (default: none, JAX's policy=None). */
  policy?: CheckpointPolicy | null;
  preventCse?: boolean;
  staticArgnums?: number | readonly number[];
}

/** jax.checkpoint (jax.remat): same values, but differentiation recomputes f's intermediates. */
export function checkpoint<F extends (...args: any[]) => any>(f: F, opts: CheckpointOptions = {}): F {
  const statics = staticSet(opts.staticArgnums);
  const wrapped = (...args: unknown[]) => {
    const n = args.length;
    const isStatic = (i: number) => statics.has(i) || statics.has(i - n);
    const dyn = args.filter((_, i) => !isStatic(i));
    const [leaves, inTree] = treeFlatten(dyn);
    const vals = leaves.map(toValue);
    let outTree: TreeDef | undefined;
    const closed = traceToJaxpr(
      (...xs) => {
        const d = treeUnflatten(inTree, xs) as unknown[];
        let k = 0;
        const full = args.map((a, i) => (isStatic(i) ? a : d[k++]));
        const [ol, ot] = treeFlatten(f(...full));
        outTree = ot;
        return ol.map(toValue);
      },
      vals.map((v) => v.aval),
    );
    const { jaxpr, consts } = convertConstvars(closed);
    const outs = bind(remat_p, [...consts, ...vals], {
      differentiated: false,
      jaxpr: jaxpr.jaxpr,
      policy: opts.policy ?? null,
      prevent_cse: opts.preventCse ?? true,
    });
    return treeUnflatten(outTree!, outs);
  };
  Object.defineProperty(wrapped, 'name', { value: f.name || '<lambda>' });
  return wrapped as F;
}

export const remat = checkpoint;

// ---- partial evaluation with a policy ---------------------------------------------------------------

export interface RematSplit {
  /** Known inputs -> known outputs, then the residuals. */
  known: Jaxpr;
  /** Residuals, then the used inputs (`stagedInputs`) -> unknown outputs. */
  staged: Jaxpr;
  outUnknown: boolean[];
  numRes: number;
  /** Which of the original inputs the staged jaxpr takes (after the residuals). */
  stagedInputs: boolean[];
  /** Which known inputs the known jaxpr takes. */
  knownInputs: boolean[];
}

/** Drop equations no wanted output needs; also report which invars are still read. */
function dce(j: Jaxpr, wanted: boolean[]): { jaxpr: Jaxpr; usedIn: boolean[] } {
  const outvars = j.outvars.filter((_, i) => wanted[i]);
  const live = new Set<Var>(outvars.filter((a): a is Var => a instanceof Var));
  const eqns: JaxprEqn[] = [];
  for (let k = j.eqns.length - 1; k >= 0; k--) {
    const e = j.eqns[k];
    if (!e.outvars.some((v) => live.has(v))) continue;
    eqns.push(e);
    for (const a of e.inputs) if (a instanceof Var) live.add(a);
  }
  eqns.reverse();
  const usedIn = j.invars.map((v) => live.has(v));
  return {
    jaxpr: new Jaxpr(
      [],
      j.invars.filter((_, i) => usedIn[i]),
      outvars,
      eqns,
    ),
    usedIn,
  };
}

/**
 * JAX's partial_eval_jaxpr_custom for remat: an equation with an unknown input is staged; a known
 * one runs in the known jaxpr and, when the staged part reads its results, is either saved (a
 * residual, when the policy allows) or staged again to be recomputed. Known inputs are available
 * to the staged jaxpr directly. Both jaxprs are pruned to what their outputs need.
 */
export function partialEvalRemat(
  jaxpr: Jaxpr,
  inUnknown: boolean[],
  policy: CheckpointPolicy | null,
): RematSplit {
  const unk = new Set<Var>();
  /** Known vars not available in the staged jaxpr (saved results): reading them makes residuals. */
  const notInst = new Set<Var>();
  jaxpr.invars.forEach((v, i) => {
    if (inUnknown[i]) unk.add(v);
  });
  const residuals: Var[] = [];
  const resSet = new Set<Var>();
  const useInStaged = (a: Atom) => {
    if (a instanceof Var && notInst.has(a) && !resSet.has(a)) {
      resSet.add(a);
      residuals.push(a);
    }
  };
  const knownEqns: JaxprEqn[] = [];
  const stagedEqns: JaxprEqn[] = [];
  for (const e of jaxpr.eqns) {
    if (e.inputs.some((a) => a instanceof Var && unk.has(a))) {
      e.inputs.forEach(useInStaged);
      stagedEqns.push(e);
      for (const v of e.outvars) unk.add(v);
    } else {
      knownEqns.push(e);
      if (policy?.saveable(e.primitive, e.params)) {
        for (const v of e.outvars) notInst.add(v);
      } else {
        e.inputs.forEach(useInStaged);
        stagedEqns.push(e);
      }
    }
  }
  const isUnk = (a: Atom) => a instanceof Var && unk.has(a);
  const outUnknown = jaxpr.outvars.map(isUnk);
  // Outputs of the staged jaxpr: the unknown outputs (known ones are the known jaxpr's).
  const stagedFull = new Jaxpr(
    [],
    [...residuals, ...jaxpr.invars],
    jaxpr.outvars.filter((_, i) => outUnknown[i]),
    stagedEqns,
  );
  const { jaxpr: staged0, usedIn } = dce(
    stagedFull,
    stagedFull.outvars.map(() => true),
  );
  const usedRes = usedIn.slice(0, residuals.length);
  const stagedInputs = usedIn.slice(residuals.length);
  const res = residuals.filter((_, i) => usedRes[i]);
  // Each jaxpr gets its own residual vars (a var is bound once per jaxpr).
  const fresh = new Map<Var, Var>(res.map((r) => [r, new Var(r.aval)]));
  const staged = renameInvars(staged0, fresh);
  const knownFull = new Jaxpr(
    [],
    jaxpr.invars.filter((_, i) => !inUnknown[i]),
    [...jaxpr.outvars.filter((_, i) => !outUnknown[i]), ...res],
    knownEqns,
  );
  const { jaxpr: known, usedIn: knownUsed } = dce(
    knownFull,
    knownFull.outvars.map(() => true),
  );
  return { known, staged, outUnknown, numRes: res.length, stagedInputs, knownInputs: knownUsed };
}

function renameInvars(j: Jaxpr, m: Map<Var, Var>): Jaxpr {
  if (!m.size) return j;
  const sub = (a: Atom): Atom => (a instanceof Literal ? a : (m.get(a) ?? a));
  return new Jaxpr(
    [],
    j.invars.map((v) => m.get(v) ?? v),
    j.outvars.map(sub),
    j.eqns.map((e) => new JaxprEqn(e.primitive, e.inputs.map(sub), e.params, e.outvars)),
  );
}
