/**
 * @file The trace stack, as Autodidax builds it. Values are concrete Arrays (interpreted by the
 * eval trace at the bottom of the stack) or Tracers boxed by a transformation's trace. `bind`
 * finds the highest-level trace among its arguments (and the dynamic trace, for staging), raises
 * every argument to it, and lets it interpret the primitive.
 */
import type { ShapedArray } from './aval.js';
import { ArrayMethods } from './methods.js';
import type { Params, Primitive } from './primitive.js';

/** JAX's name for each tracer class (tjax's PETracer is JAX's LinearizeTracer, ...). */
const JAX_TRACER_NAMES: Record<string, string> = {
  JaxprTracer: 'DynamicJaxprTracer',
  PETracer: 'LinearizeTracer',
};

/**
 * JAX's UnexpectedTracerError: a tracer used after its transformation ended (saved to a global,
 * returned through a side channel), with the function that was being traced when it leaked.
 */
export class UnexpectedTracerError extends Error {
  override name = 'UnexpectedTracerError';
  constructor(t: Tracer) {
    const cls = t.constructor.name;
    const label = t.trace.main.label;
    super(
      `Encountered an unexpected tracer. A function transformed by JAX had a side effect, allowing for a reference to an intermediate value with type ${t.aval.dtype.name}[${t.aval.shape.join(',')}] wrapped in a ${JAX_TRACER_NAMES[cls] ?? cls} to escape the scope of the transformation.\n` +
        'JAX transformations require that functions explicitly return their outputs, and disallow saving intermediate values to global state.\n' +
        (label ? `The function being traced when the value leaked was ${label}.\n` : '') +
        'See https://docs.jax.dev/en/latest/errors.html#jax.errors.UnexpectedTracerError',
    );
  }
}

/** Concrete arrays implement this (core/array.ts); kept abstract here to avoid a cycle. */
export interface ConcreteArray extends ArrayMethods<Value> {
  readonly aval: ShapedArray;
  readonly isConcrete: true;
}

export type Value = ConcreteArray | Tracer;

export type TraceCtor = new (main: MainTrace) => Trace;

export class MainTrace {
  /** Cleared when the transformation ends: a tracer of a dead main has leaked out of it. */
  alive = true;
  /** What was being traced (`f traced for jit`), for UnexpectedTracerError. */
  readonly label: string | null = tracingLabel;
  constructor(
    readonly level: number,
    readonly traceType: TraceCtor,
    readonly globalData: unknown,
  ) {}
}

let tracingLabel: string | null = null;

/**
 * Run `f` with traces it starts labelled `label` (`f traced for jit`), so that a tracer leaking
 * out of them is reported with the function it leaked from, as JAX's debug info does.
 */
export function withTracingLabel<T>(label: string, f: () => T): T {
  const prev = tracingLabel;
  tracingLabel = label;
  try {
    return f();
  } finally {
    tracingLabel = prev;
  }
}

export abstract class Trace {
  constructor(readonly main: MainTrace) {}
  /** Box a concrete array into this trace. */
  abstract pure(x: ConcreteArray): Tracer;
  /** Box a tracer of a lower trace into this one. */
  abstract lift(x: Tracer): Tracer;
  abstract processPrimitive(prim: Primitive, tracers: Value[], params: Params): Value[];
  fullRaise(v: Value): Value {
    if (!(v instanceof Tracer)) return this.pure(v);
    const level = this.main.level;
    if (v.trace.main === this.main) return v;
    if (v.trace.main.level < level) return this.lift(v);
    if (!v.trace.main.alive) throw new UnexpectedTracerError(v);
    if (v.trace.main.level > level) {
      throw new Error(`Can't lift level ${v.trace.main.level} to ${level}`);
    }
    throw new Error(`Different traces at same level: ${v.trace.main.level}, ${level}.`);
  }
}

export abstract class Tracer extends ArrayMethods<Value> {
  readonly isConcrete = false as const;
  constructor(readonly trace: Trace) {
    super();
  }
  abstract override get aval(): ShapedArray;
  /** The concrete value when this tracer wraps one (e.g. a JVP primal from eager code). */
  fullLower(): Value {
    return this;
  }
}

/** The eval trace interprets primitives on concrete arrays: eager execution. */
export class EvalTrace extends Trace {
  /** Concrete arrays are the eval trace's values as they are. */
  pure(x: ConcreteArray): Tracer {
    return x as unknown as Tracer;
  }
  lift(_x: Tracer): Tracer {
    throw new Error('EvalTrace.lift is never called: nothing is below the eval trace');
  }
  processPrimitive(prim: Primitive, args: Value[], params: Params): Value[] {
    const impl = prim.rules.impl ?? evalHooks.eagerImpl;
    if (!impl) throw new Error(`no eager implementation for ${prim.name}`);
    return impl(args, params, prim) as Value[];
  }
}

/** Hooks filled in by upper layers (the compile path runs eager primitives). */
export const evalHooks: {
  eagerImpl?: (args: any[], params: Params, prim: Primitive) => Value[];
} = {};

const traceStack: MainTrace[] = [new MainTrace(0, EvalTrace, null)];
/** The innermost staging trace (omnistaging): everything under jit/makeJaxpr is staged to it. */
let dynamicTrace: MainTrace = traceStack[0];

export function currentDynamicTrace(): MainTrace {
  return dynamicTrace;
}

/** Push a new main trace for the duration of `f` (Autodidax's `new_main`). */
export function withNewMain<T>(traceType: TraceCtor, globalData: unknown, f: (main: MainTrace) => T): T {
  const main = new MainTrace(traceStack.length, traceType, globalData);
  traceStack.push(main);
  try {
    return f(main);
  } finally {
    traceStack.pop();
    main.alive = false;
  }
}

/** Like withNewMain, and make the new main the dynamic trace, as jit and makeJaxpr do. */
export function withNewDynamicMain<T>(
  traceType: TraceCtor,
  globalData: unknown,
  f: (main: MainTrace) => T,
): T {
  return withNewMain(traceType, globalData, (main) => {
    const prev = dynamicTrace;
    dynamicTrace = main;
    try {
      return f(main);
    } finally {
      dynamicTrace = prev;
    }
  });
}

export function isTracer(x: unknown): x is Tracer {
  return x instanceof Tracer;
}

/**
 * Set by transforms/axes.ts: the trace owning a collective's named axes (a named vmap), which
 * interprets it even when no operand is its tracer (`axis_index('i')` has no operands at all).
 */
export const bindHooks: { axisMain?: (prim: Primitive, params: Params) => MainTrace | null } = {};

function findTopTrace(xs: readonly Value[], prim: Primitive, params: Params): Trace {
  let top = traceStack[0];
  for (const x of xs) {
    if (!(x instanceof Tracer)) continue;
    if (!x.trace.main.alive) throw new UnexpectedTracerError(x);
    if (x.trace.main.level > top.level) top = x.trace.main;
  }
  if (dynamicTrace.level > top.level) top = dynamicTrace;
  const axisMain = prim.rules.axisNames ? bindHooks.axisMain?.(prim, params) : null;
  if (axisMain && axisMain.level > top.level) top = axisMain;
  return new top.traceType(top);
}

function fullLower(v: Value): Value {
  return v instanceof Tracer ? v.fullLower() : v;
}

/** Apply a primitive to values through the trace stack; always returns the list of results. */
export function bind(prim: Primitive, args: readonly Value[], params: Params = {}): Value[] {
  const trace = findTopTrace(args, prim, params);
  const tracers = args.map((a) => trace.fullRaise(a));
  const outs = trace.processPrimitive(prim, tracers, params);
  return outs.map(fullLower);
}

/** bind for single-result primitives. */
export function bind1(prim: Primitive, args: readonly Value[], params: Params = {}): Value {
  return bind(prim, args, params)[0];
}

export function getAval(x: Value): ShapedArray {
  return x.aval;
}
