/**
 * @file The staging trace: interpreting primitives by recording them as jaxpr equations
 * (Autodidax's JaxprTrace with omnistaging). jit and makeJaxpr push it as the dynamic trace,
 * so every op under them is staged, including ops on values closed over from outside, which
 * become constvars (or literals, for scalars, as JAX inlines them).
 */
import { type ArrayImpl, hostReadable, hostScalar } from '../core/array.js';
import type { ShapedArray } from '../core/aval.js';
import type { Params, Primitive } from '../core/primitive.js';
import {
  type ConcreteArray,
  type MainTrace,
  Trace,
  Tracer,
  UnexpectedTracerError,
  type Value,
  withNewDynamicMain,
} from '../core/trace.js';
import { type Atom, ClosedJaxpr, Jaxpr, JaxprEqn, Literal, Var } from '../ir/jaxpr.js';

export class JaxprTracer extends Tracer {
  constructor(
    trace: Trace,
    readonly aval: ShapedArray,
  ) {
    super(trace);
  }
}

export class JaxprBuilder {
  readonly eqns: JaxprEqn[] = [];
  readonly tracerToVar = new Map<JaxprTracer, Var>();
  readonly constTracers = new Map<Value, JaxprTracer>();
  readonly constVals = new Map<Var, Value>();

  newTracer(trace: Trace, aval: ShapedArray): JaxprTracer {
    const t = new JaxprTracer(trace, aval);
    this.tracerToVar.set(t, new Var(aval));
    return t;
  }
  getVar(t: JaxprTracer): Var {
    const v = this.tracerToVar.get(t);
    if (!v) {
      if (!t.trace.main.alive) throw new UnexpectedTracerError(t);
      throw new Error('tracer from another staging trace leaked into this one');
    }
    return v;
  }
  getConst(trace: Trace, x: Value): JaxprTracer {
    let t = this.constTracers.get(x);
    if (!t) {
      t = this.newTracer(trace, x.aval);
      this.constTracers.set(x, t);
      this.constVals.set(this.getVar(t), x);
    }
    return t;
  }

  build(inTracers: JaxprTracer[], outTracers: JaxprTracer[]): ClosedJaxpr {
    const constvars: Var[] = [];
    const consts: Value[] = [];
    const literals = new Map<Var, Literal>();
    for (const [v, val] of this.constVals) {
      // JAX inlines scalar constants as literals; other constants stay constvars (so does a 0-d
      // result still on a device that cannot be read synchronously).
      // A 0-d key array is two words, not a scalar: it stays a constvar, as in JAX.
      if (
        val.aval.shape.length === 0 &&
        !val.aval.dtype.isKey &&
        (val as ConcreteArray).isConcrete === true &&
        hostReadable(val as ArrayImpl)
      ) {
        literals.set(v, new Literal(val as ConcreteArray, val.aval, hostScalar(val as ArrayImpl)));
      } else {
        constvars.push(v);
        consts.push(val);
      }
    }
    const atom = (v: Var): Atom => literals.get(v) ?? v;
    const eqns = this.eqns.map((e) =>
      literals.size
        ? new JaxprEqn(
            e.primitive,
            e.inputs.map((a) => (a instanceof Var ? atom(a) : a)),
            e.params,
            e.outvars,
          )
        : e,
    );
    const jaxpr = new Jaxpr(
      constvars,
      inTracers.map((t) => this.getVar(t)),
      outTracers.map((t) => atom(this.getVar(t))),
      eqns,
    );
    return new ClosedJaxpr(jaxpr, consts);
  }
}

export class JaxprTrace extends Trace {
  get builder(): JaxprBuilder {
    return this.main.globalData as JaxprBuilder;
  }
  newArg(aval: ShapedArray): JaxprTracer {
    return this.builder.newTracer(this, aval);
  }
  pure(x: ConcreteArray): Tracer {
    return this.builder.getConst(this, x);
  }
  /** A tracer of an outer trace closed over by the staged function becomes a constvar. */
  lift(x: Tracer): Tracer {
    return this.builder.getConst(this, x);
  }
  processPrimitive(prim: Primitive, tracers: Value[], params: Params): Value[] {
    const ins = tracers as JaxprTracer[];
    const avals = prim.rules.abstractEval(
      ins.map((t) => t.aval),
      params,
    );
    const outs = avals.map((a) => this.builder.newTracer(this, a));
    this.builder.eqns.push(
      new JaxprEqn(
        prim,
        ins.map((t) => this.builder.getVar(t)),
        params,
        outs.map((t) => this.builder.getVar(t)),
      ),
    );
    return outs;
  }
}

/**
 * Stage `f` (taking and returning flat lists of values) to a closed jaxpr for the given input
 * avals: Autodidax's make_jaxpr_v1 with omnistaging.
 */
export function traceToJaxpr(f: (...args: Value[]) => Value[], inAvals: ShapedArray[]): ClosedJaxpr {
  const builder = new JaxprBuilder();
  return withNewDynamicMain(JaxprTrace, builder, (main: MainTrace) => {
    const trace = new JaxprTrace(main);
    const ins = inAvals.map((a) => trace.newArg(a));
    const outs = f(...ins);
    const outTracers = outs.map((o) => trace.fullRaise(o) as JaxprTracer);
    return builder.build(ins, outTracers);
  });
}
