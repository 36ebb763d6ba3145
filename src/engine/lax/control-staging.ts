/**
 * @file The staging steps lax's control flow (control.ts) shares, after JAX's partial evaluation
 * helpers (jax/_src/interpreters/partial_eval.py, jax/_src/lax/control_flow/common.py and
 * loops.py): a body traced to a closed jaxpr on the avals of its flattened operands with its
 * consts separated, output forwarding and pruning, binder moves, merge_lists, dce_jaxpr, and the
 * promotion of weakly typed initial carries.
 */
import type { ShapedArray } from '../core/aval.js';
import { scalarArray, toValue } from '../core/coerce.js';
import { type DType, promoteTypes } from '../core/dtype.js';
import { type TreeDef, treeFlatten, treeUnflatten } from '../core/pytree.js';
import type { Value } from '../core/trace.js';
import { type Atom, ClosedJaxpr, Jaxpr, Literal, Var } from '../ir/jaxpr.js';
import { convertConstvars } from '../transforms/jit.js';
import { traceToJaxpr } from '../transforms/staging.js';
import { convertElementType } from './convert.js';

export type Fn = (...args: any[]) => any;

// ---- tracing helpers ----------------------------------------------------------------------------

export interface Traced {
  /** Consts moved to leading invars (JAX's separate_consts). */
  jaxpr: ClosedJaxpr;
  consts: Value[];
  outTree: TreeDef;
  outAvals: ShapedArray[];
}

/** Trace `f(...unflatten(inTree, args))` on avals to a closed jaxpr with its consts separated. */
export function traceFlat(f: Fn, inTree: TreeDef, avals: ShapedArray[]): Traced {
  let outTree: TreeDef | undefined;
  const closed = traceToJaxpr((...tracers) => {
    const args = treeUnflatten(inTree, tracers) as unknown[];
    const [leaves, tree] = treeFlatten(f(...args));
    outTree = tree;
    return leaves.map(toValue);
  }, avals);
  const { jaxpr, consts } = convertConstvars(closed);
  return { jaxpr, consts, outTree: outTree!, outAvals: jaxpr.outAvals };
}

export function flattenValues(x: unknown): [Value[], TreeDef] {
  const [leaves, tree] = treeFlatten(x);
  return [leaves.map(toValue), tree];
}

/** JAX's typematch: shapes and dtypes agree (weak types may differ). */
export function typematch(a: ShapedArray, b: ShapedArray): boolean {
  return (
    a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i])
  );
}

/** Which input each output forwards unchanged (pe._jaxpr_forwarding), or null. */
export function forwarding(j: Jaxpr): (number | null)[] {
  return j.outvars.map((v) => (v instanceof Var ? j.invars.indexOf(v) : -1)).map((i) => (i < 0 ? null : i));
}

export function pruneOutputs(cj: ClosedJaxpr, keep: readonly boolean[]): ClosedJaxpr {
  if (keep.every(Boolean)) return cj;
  const j = cj.jaxpr;
  return new ClosedJaxpr(
    new Jaxpr(
      j.constvars,
      j.invars,
      j.outvars.filter((_, i) => keep[i]),
      j.eqns,
    ),
    cj.consts,
  );
}

export function moveBindersToFront(cj: ClosedJaxpr, toMove: readonly boolean[]): ClosedJaxpr {
  const j = cj.jaxpr;
  const invars = [...j.invars.filter((_, i) => toMove[i]), ...j.invars.filter((_, i) => !toMove[i])];
  return new ClosedJaxpr(new Jaxpr(j.constvars, invars, j.outvars, j.eqns), cj.consts);
}

export function partition<T>(mask: readonly boolean[], xs: readonly T[]): [T[], T[]] {
  return [xs.filter((_, i) => !mask[i]), xs.filter((_, i) => mask[i])];
}

/** Interleave `ins` back where `mask` is true, the others from `outs` (pe.merge_lists). */
export function mergeLists<T>(mask: readonly boolean[], outs: readonly T[], ins: readonly T[]): T[] {
  let a = 0;
  let b = 0;
  return mask.map((m) => (m ? ins[b++] : outs[a++]));
}

/** Dead-code elimination (pe.dce_jaxpr with all outputs used): unused eqns go, and unused invars not instantiated. */
export function dceJaxpr(j: Jaxpr, instantiate: readonly boolean[]): { jaxpr: Jaxpr; keep: boolean[] } {
  const live = new Set<Atom>(j.outvars);
  const eqns = [];
  for (let i = j.eqns.length - 1; i >= 0; i--) {
    const e = j.eqns[i];
    if (e.outvars.some((v) => live.has(v))) {
      eqns.push(e);
      for (const a of e.inputs) if (!(a instanceof Literal)) live.add(a);
    }
  }
  const keep = j.invars.map((v, i) => instantiate[i] || live.has(v));
  return {
    jaxpr: new Jaxpr(
      j.constvars,
      j.invars.filter((_, i) => keep[i]),
      j.outvars,
      eqns.reverse(),
    ),
    keep,
  };
}

/** A strongly typed concrete scalar, printed as a literal like NumPy constants in JAX. */
export function strongScalar(v: number, dtype: DType): Value {
  return scalarArray(v, dtype);
}

/** loops._promote_weak_typed_input: a weak initial carry takes the dtype the body gives it. */
export function promoteWeakInputs(
  vals: Value[],
  inAvals: ShapedArray[],
  outAvals: ShapedArray[],
): [Value[], boolean] {
  let changed = false;
  const out = vals.map((v, i) => {
    const a = inAvals[i];
    const b = outAvals[i];
    if (a.weakType && b && !typematch(a, b)) {
      changed = true;
      const dt = promoteTypes(
        { dtype: a.dtype, weakType: true },
        { dtype: b.dtype, weakType: b.weakType },
      ).dtype;
      return convertElementType(v, dt, false);
    }
    return v;
  });
  return [out, changed];
}
