/**
 * @file The custom_linear_solve primitive (JAX's linear_solve_p, jax/_src/lax/control_flow/
 * solves.py): operands are the consts of its four jaxprs (matvec, vecmat, solve, transpose_solve,
 * counted by `const_lengths`) then b; its value is solve(b). The jaxprs let its rules
 * differentiate implicitly at the solution instead of through the solver (rules/linear-solve.ts).
 * Eagerly it evaluates the solve jaxpr; jit and export inline it (JAX lowers it through
 * lower_fun of its impl). Params print as JAX's `_LinearSolveTuple(...)`, each jaxpr as Python's
 * str() of it, and the printer looks inside for jaxprs to hoist, as JAX's does.
 */
import type { LowerRule } from '../compile/lower.js';
import { definePrimitive, type Params } from '../core/primitive.js';
import type { Value } from '../core/trace.js';
import { evalJaxpr } from '../ir/eval.js';
import type { ClosedJaxpr, Jaxpr } from '../ir/jaxpr.js';

const FIELDS = ['matvec', 'vecmat', 'solve', 'transpose_solve'] as const;

/** JAX's _LinearSolveTuple: one value per jaxpr of a linear solve. */
export class LinearSolveTuple<T> {
  constructor(
    readonly matvec: T,
    readonly vecmat: T,
    readonly solve: T,
    readonly transpose_solve: T,
  ) {}
  /** The tuple of the transposed solve: matvec and vecmat, solve and transpose_solve swapped. */
  transpose(): LinearSolveTuple<T> {
    return new LinearSolveTuple(this.vecmat, this.matvec, this.transpose_solve, this.solve);
  }
  map<U>(f: (x: T, field: (typeof FIELDS)[number]) => U): LinearSolveTuple<U> {
    const [a, b, c, d] = FIELDS.map((k) => f(this[k], k));
    return new LinearSolveTuple(a, b, c, d);
  }
  toArray(): T[] {
    return FIELDS.map((k) => this[k]);
  }
  /** Nested jaxprs, for the printer's search for jaxprs to hoist. */
  nestedJaxprs(): Jaxpr[] {
    return this.toArray()
      .filter((x): x is T & ClosedJaxpr => typeof x === 'object' && x !== null && 'jaxpr' in x)
      .map((c) => c.jaxpr);
  }
  pyStr(): string {
    const s = (x: T) => (x === null || x === undefined ? 'None' : String(x));
    return `_LinearSolveTuple(${FIELDS.map((k) => `${k}=${s(this[k])}`).join(', ')})`;
  }
}

export interface LinearSolveParams {
  const_lengths: LinearSolveTuple<number>;
  jaxprs: LinearSolveTuple<ClosedJaxpr | null>;
}

/** The operands split into each jaxpr's consts, and b. */
export function splitLinearSolveArgs<T>(
  args: readonly T[],
  lengths: LinearSolveTuple<number>,
): [LinearSolveTuple<T[]>, T[]] {
  let at = 0;
  const groups = lengths.map((n) => {
    const g = args.slice(at, at + n);
    at += n;
    return g;
  });
  return [groups, args.slice(at)];
}

function solveJaxpr(p: Params): ClosedJaxpr {
  return (p as unknown as LinearSolveParams).jaxprs.solve!;
}

export const custom_linear_solve = definePrimitive(
  'custom_linear_solve',
  {
    abstractEval(avals, p) {
      const { const_lengths, jaxprs } = p as unknown as LinearSolveParams;
      const nConsts = const_lengths.toArray().reduce((a, b) => a + b, 0);
      const b = avals.slice(nConsts);
      const nAux = jaxprs.solve!.outAvals.length - jaxprs.matvec!.outAvals.length;
      return [...b, ...(nAux > 0 ? jaxprs.solve!.outAvals.slice(-nAux) : [])];
    },
    impl(args: Value[], p: Params) {
      const { const_lengths } = p as unknown as LinearSolveParams;
      const [params, b] = splitLinearSolveArgs(args, const_lengths);
      const cj = solveJaxpr(p);
      return evalJaxpr(cj.jaxpr, cj.consts, [...params.solve, ...b]);
    },
    lower: ((ctx, ins, p) => {
      const { const_lengths } = p as unknown as LinearSolveParams;
      const [params, b] = splitLinearSolveArgs(ins, const_lengths);
      const cj = solveJaxpr(p);
      if (cj.consts.length) throw new Error('custom_linear_solve lowering expects jaxprs without constants');
      return ctx.lowerJaxpr(cj.jaxpr, [], [...params.solve, ...b]);
    }) satisfies LowerRule,
  },
  true,
);
