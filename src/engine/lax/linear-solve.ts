/**
 * @file lax.custom_linear_solve(matvec, b, solve, transpose_solve=None, symmetric=False,
 * has_aux=False) as JAX 0.10.2 stages it (jax/_src/lax/control_flow/solves.py): matvec, its
 * transpose (vecmat, by linear transposition of matvec at b), solve(matvec, .) and
 * transpose_solve(vecmat, .) are traced on b's avals, their consts become leading operands, and
 * one custom_linear_solve binds them all (primitives/linear-solve.ts). Its derivatives are taken
 * implicitly at the solution (rules/linear-solve.ts), not through the solver.
 */
import { ValueError } from '../core/errors.js';
import { type TreeDef, treeFlatten, treeUnflatten } from '../core/pytree.js';
import { bind, type Value } from '../core/trace.js';
import { ClosedJaxpr } from '../ir/jaxpr.js';
import { custom_linear_solve, LinearSolveTuple } from '../primitives/linear-solve.js';
import { linearTranspose } from '../transforms/api.js';
import { flattenValues, type Traced, traceFlat } from './control-staging.js';

type Fn = (...args: any[]) => any;

function shapeText(avals: readonly { shape: readonly number[] }[]): string {
  const t = (s: readonly number[]) => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);
  return `[${avals.map((a) => t(a.shape)).join(', ')}]`;
}

/** JAX's _check_shapes and _check_tree for one traced function's output against b. */
function checkOut(name: string, t: Traced, bTree: TreeDef, bAvals: readonly Value[], hasAux: boolean): void {
  let tree = t.outTree;
  if (hasAux) {
    const kids = tree.children;
    if (kids.length !== 2)
      throw new ValueError(
        `${name}() produced a pytree with structure ${tree}, but a pytree tuple with auxiliary output was expected because has_aux was set to True.`,
      );
    tree = kids[0];
  }
  if (!tree.equals(bTree))
    throw new TypeError(`${name}() output pytree structure must match b, got ${tree} and ${bTree}.`);
  const outs = t.outAvals.slice(0, bAvals.length);
  if (outs.some((a, i) => a.shape.join() !== bAvals[i].shape.join()))
    throw new ValueError(
      `${name}() output shapes must match b, got ${shapeText(outs)} and ${shapeText(bAvals)}`,
    );
}

/** A const-free closed jaxpr for the primitive's params; the consts go first among the operands. */
function closed(t: Traced): ClosedJaxpr {
  return new ClosedJaxpr(t.jaxpr.jaxpr, []);
}

/** lax.custom_linear_solve: x = solve(matvec, b), differentiated as the solution of matvec(x) = b. */
export function customLinearSolve(
  matvec: Fn,
  b: unknown,
  solve: Fn,
  transposeSolve: Fn | null = null,
  symmetric = false,
  hasAux = false,
): any {
  let trSolve = transposeSolve;
  if (trSolve === null && symmetric) trSolve = solve;
  const [bFlat, bTree] = flattenValues(b);
  const [, argTree] = treeFlatten([b]);
  const avals = bFlat.map((x) => x.aval);
  const trace = (name: string, f: Fn, aux: boolean) => {
    const t = traceFlat(f, argTree, avals);
    checkOut(name, t, bTree, bFlat, aux);
    return t;
  };
  const mv = trace('matvec', matvec, false);
  const sv = trace('solve', (x: unknown) => solve(matvec, x), hasAux);
  let vm: Traced | null = null;
  let ts: Traced | null = null;
  if (trSolve !== null) {
    const vecmat: Fn = symmetric
      ? matvec
      : (x: unknown) => (linearTranspose(matvec, treeUnflatten(bTree, avals)) as Fn)(x)[0];
    vm = symmetric ? mv : trace('transpose_solve', vecmat, false);
    const tsFn = trSolve;
    ts = trace('transpose_solve', (x: unknown) => tsFn(vecmat, x), hasAux);
  }
  const traced = new LinearSolveTuple(mv, vm, sv, ts);
  const outs = bind(custom_linear_solve, [...traced.toArray().flatMap((t) => t?.consts ?? []), ...bFlat], {
    const_lengths: traced.map((t) => t?.consts.length ?? 0),
    jaxprs: traced.map((t) => (t ? closed(t) : null)),
  });
  return treeUnflatten(sv.outTree, outs);
}
