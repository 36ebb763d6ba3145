/**
 * @file The jaxpr: JAX's closed, typed, first-order program form. Vars and Literals are atoms;
 * an equation applies one primitive to atoms and binds fresh vars; a Jaxpr lists constvars,
 * invars, equations and outvars. A ClosedJaxpr pairs a Jaxpr with the values of its constvars.
 */
import type { ShapedArray } from '../core/aval.js';
import type { HostScalar } from '../core/complex.js';
import type { Params, Primitive } from '../core/primitive.js';
import type { ConcreteArray, Value } from '../core/trace.js';

let varCount = 0;

export class Var {
  readonly count = varCount++;
  constructor(readonly aval: ShapedArray) {}
}

/** A var that an equation binds but nothing uses; printed as `_`. */
export class DropVar extends Var {}

/** An inline constant: a scalar (0-d) concrete array. */
export class Literal {
  constructor(
    readonly val: ConcreteArray,
    readonly aval: ShapedArray,
    /** The value as a JS scalar (read when the literal is made; literals are host scalars). */
    readonly value: HostScalar,
  ) {}
}

export type Atom = Var | Literal;

export class JaxprEqn {
  constructor(
    readonly primitive: Primitive,
    readonly inputs: Atom[],
    readonly params: Params,
    readonly outvars: Var[],
  ) {}
}

export class Jaxpr {
  constructor(
    readonly constvars: Var[],
    readonly invars: Var[],
    readonly outvars: Atom[],
    readonly eqns: JaxprEqn[],
  ) {}
  get inAvals(): ShapedArray[] {
    return this.invars.map((v) => v.aval);
  }
  get outAvals(): ShapedArray[] {
    return this.outvars.map((v) => v.aval);
  }
  toString(): string {
    return printHooks.print(this);
  }
}

export class ClosedJaxpr {
  constructor(
    readonly jaxpr: Jaxpr,
    readonly consts: Value[],
  ) {}
  get inAvals(): ShapedArray[] {
    return this.jaxpr.inAvals;
  }
  get outAvals(): ShapedArray[] {
    return this.jaxpr.outAvals;
  }
  toString(): string {
    return printHooks.print(this.jaxpr);
  }
}

/** Set by printer.ts (kept apart so jaxpr.ts stays a plain data module). */
export const printHooks: { print: (j: Jaxpr) => string } = {
  print: () => '<jaxpr>',
};
