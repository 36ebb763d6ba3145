/**
 * @file Primitives: a name plus a table of rules, as in Autodidax. Every transformation is an
 * interpreter that looks a primitive's rule up here. The registry lets a test find primitives
 * whose rule tables have gaps.
 */
import type { ShapedArray } from './aval.js';

/** Params are plain data; nested jaxprs and dtypes are allowed values. */
export type Params = Record<string, unknown>;

/**
 * Rule slots. Types are deliberately loose here (`any`) because the rules live in layers above
 * core (transforms/, compile/); each layer declares and checks its own rule signature.
 */
export interface PrimitiveRules {
  abstractEval: (avals: ShapedArray[], params: Params) => ShapedArray[];
  /** Eager implementation for higher-order primitives (jit, control flow). Others compile. */
  impl?: (args: any[], params: Params) => any[];
  /** Lowering to the kernel graph (compile/lower.ts). */
  lower?: any;
  jvp?: any;
  transpose?: any;
  batch?: any;
  /** Partial evaluation / staging hook for higher-order primitives. */
  [slot: string]: unknown;
}

export class Primitive {
  readonly rules: PrimitiveRules;
  constructor(
    readonly name: string,
    rules: PrimitiveRules,
    readonly multipleResults = false,
  ) {
    this.rules = rules;
  }
  toString(): string {
    return this.name;
  }
}

const registry = new Map<string, Primitive>();

export function definePrimitive(name: string, rules: PrimitiveRules, multipleResults = false): Primitive {
  if (registry.has(name)) throw new Error(`primitive ${name} defined twice`);
  const p = new Primitive(name, rules, multipleResults);
  registry.set(name, p);
  return p;
}

export function primitives(): Primitive[] {
  return [...registry.values()];
}

export function getPrimitive(name: string): Primitive {
  const p = registry.get(name);
  if (!p) throw new Error(`unknown primitive ${name}`);
  return p;
}
