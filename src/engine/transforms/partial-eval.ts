/**
 * @file Partial evaluation and linearize, after Autodidax part 4: a PartialEvalTrace whose tracers
 * are known (a value of the trace below, computed now) or unknown (recorded as an equation of the
 * linear jaxpr). linearize runs the JVP of `f` under it with known primals and unknown tangents:
 * every primal computation happens at once (so JS control flow on primal values works, as in
 * JAX), and the tangent computations are staged to a jaxpr that is linear in the tangents.
 * Also the syntactic partial evaluation of a jaxpr (Autodidax's partial_eval_jaxpr) that the
 * `jit` primitive's rule uses.
 */
import { type ArrayImpl, hostReadable, hostScalar } from '../core/array.js';
import type { ShapedArray } from '../core/aval.js';
import type { Params, Primitive } from '../core/primitive.js';
import type { ConcreteArray, MainTrace, Value } from '../core/trace.js';
import { bind, Trace, Tracer, withNewMain } from '../core/trace.js';
import { type Atom, Jaxpr, JaxprEqn, Literal, Var } from '../ir/jaxpr.js';
import { hasTangentSpace, jvpFlat, type Tangent, Zero } from './jvp.js';

export class PartialVal {
  private constructor(
    readonly aval: ShapedArray,
    readonly known: Value | null,
  ) {}
  static known(v: Value): PartialVal {
    return new PartialVal(v.aval, v);
  }
  static unknown(aval: ShapedArray): PartialVal {
    return new PartialVal(aval, null);
  }
  get isKnown(): boolean {
    return this.known !== null;
  }
}

type Recipe = { kind: 'arg' } | { kind: 'const'; val: Value } | { kind: 'eqn'; eqn: EqnRecipe };

interface EqnRecipe {
  prim: Primitive;
  inputs: PETracer[];
  params: Params;
  outs: PETracer[];
}

export class PETracer extends Tracer {
  constructor(
    trace: Trace,
    readonly pval: PartialVal,
    readonly recipe: Recipe | null,
  ) {
    super(trace);
  }
  get aval(): ShapedArray {
    return this.pval.aval;
  }
  override fullLower(): Value {
    const k = this.pval.known;
    if (k === null) return this;
    return k instanceof Tracer ? k.fullLower() : k;
  }
  protected override toPrimitive(hint: string): number | string | bigint | boolean {
    const k = this.pval.known;
    if (k === null) return super.toPrimitive(hint);
    return (k as unknown as { [Symbol.toPrimitive](h: string): number | string | bigint | boolean })[
      Symbol.toPrimitive
    ](hint);
  }
}

/** What a partial-eval rule (`rules.partialEval`) of a higher-order primitive receives. */
export type PartialEvalRule = (trace: PartialEvalTrace, tracers: PETracer[], params: Params) => Value[];

export class PartialEvalTrace extends Trace {
  get eqns(): EqnRecipe[] {
    return this.main.globalData as EqnRecipe[];
  }
  newArg(pval: PartialVal): PETracer {
    return new PETracer(this, pval, pval.isKnown ? null : { kind: 'arg' });
  }
  pure(x: ConcreteArray): Tracer {
    return new PETracer(this, PartialVal.known(x), null);
  }
  lift(x: Tracer): Tracer {
    return new PETracer(this, PartialVal.known(x), null);
  }
  /** A known value used by an unknown computation becomes a constant of the staged jaxpr. */
  instantiateConst(t: PETracer): PETracer {
    if (!t.pval.isKnown) return t;
    return new PETracer(this, PartialVal.unknown(t.aval), { kind: 'const', val: t.pval.known! });
  }
  /** Record an equation on unknown outputs. */
  stage(prim: Primitive, inputs: PETracer[], params: Params, outAvals: ShapedArray[]): PETracer[] {
    const eqn: EqnRecipe = { prim, inputs: inputs.map((t) => this.instantiateConst(t)), params, outs: [] };
    eqn.outs = outAvals.map((a) => new PETracer(this, PartialVal.unknown(a), { kind: 'eqn', eqn }));
    this.eqns.push(eqn);
    return eqn.outs;
  }
  processPrimitive(prim: Primitive, tracers: Value[], params: Params): Value[] {
    const ts = tracers as PETracer[];
    if (ts.every((t) => t.pval.isKnown)) {
      return bind(
        prim,
        ts.map((t) => t.pval.known!),
        params,
      );
    }
    const rule = prim.rules.partialEval as PartialEvalRule | undefined;
    if (rule) return rule(this, ts, params);
    const outAvals = prim.rules.abstractEval(
      ts.map((t) => t.aval),
      params,
    );
    return this.stage(prim, ts, params, outAvals);
  }
}

/**
 * The jaxpr of the unknown part: invars are the unknown inputs, constvars the known values it
 * uses (its residuals). Equations come in the order they were recorded (a topological order);
 * those no output needs are dropped.
 */
function tracersToJaxpr(
  trace: PartialEvalTrace,
  ins: PETracer[],
  outs: PETracer[],
): { jaxpr: Jaxpr; consts: Value[] } {
  const vars = new Map<PETracer, Var>();
  const constvars: Var[] = [];
  const consts: Value[] = [];
  const constOf = new Map<Value, Var>();
  const needed = new Set<EqnRecipe>();
  const stack = [...outs];
  while (stack.length) {
    const t = stack.pop()!;
    if (t.recipe?.kind === 'eqn' && !needed.has(t.recipe.eqn)) {
      needed.add(t.recipe.eqn);
      stack.push(...t.recipe.eqn.inputs);
    }
  }
  for (const t of ins) vars.set(t, new Var(t.aval));
  const atom = (t: PETracer): Atom => {
    const v = vars.get(t);
    if (v) return v;
    if (t.recipe?.kind === 'const') {
      const val = t.recipe.val;
      let cv = constOf.get(val);
      if (!cv) {
        if (inlinable(val)) {
          const lit = new Literal(val as ConcreteArray, val.aval, hostScalar(val as ArrayImpl));
          return lit;
        }
        cv = new Var(val.aval);
        constOf.set(val, cv);
        constvars.push(cv);
        consts.push(val);
      }
      vars.set(t, cv);
      return cv;
    }
    throw new Error('partial evaluation: an unknown value has no recipe in this trace');
  };
  const eqns: JaxprEqn[] = [];
  for (const e of trace.eqns) {
    if (!needed.has(e)) continue;
    const inputs = e.inputs.map(atom);
    const outvars = e.outs.map((o) => {
      const v = new Var(o.aval);
      vars.set(o, v);
      return v;
    });
    eqns.push(new JaxprEqn(e.prim, inputs, e.params, outvars));
  }
  const outAtoms = outs.map(atom);
  return {
    jaxpr: new Jaxpr(
      constvars,
      ins.map((t) => vars.get(t)!),
      outAtoms,
      eqns,
    ),
    consts,
  };
}

/**
 * Whether a known 0-d value becomes a literal of the staged jaxpr, as JAX inlines scalars. One
 * still on a device that cannot be read synchronously (webgpu) stays a constvar: reading it would
 * wait for the device, and the transpose or evaluation binds it like any other constant.
 */
export function inlinable(val: Value): boolean {
  return (
    val.aval.shape.length === 0 &&
    (val as ConcreteArray).isConcrete === true &&
    hostReadable(val as ArrayImpl)
  );
}

export interface PartialEvalResult {
  /** The unknown part; its constvars are bound to `consts`. */
  jaxpr: Jaxpr;
  consts: Value[];
  /** Per output: known value, or null where it is an output of `jaxpr` (in order). */
  knownOuts: (Value | null)[];
}

/**
 * Partially evaluate `f` for inputs that are known values or unknown avals (Autodidax's
 * partial_eval_flat). Known outputs are returned as values; unknown ones are the jaxpr's outputs.
 */
export function partialEvalFlat(f: (...xs: Value[]) => Value[], pvals: PartialVal[]): PartialEvalResult {
  return withNewMain(PartialEvalTrace, [] as EqnRecipe[], (main: MainTrace) => {
    const trace = new PartialEvalTrace(main);
    const ins = pvals.map((p) => trace.newArg(p));
    const outs = f(...ins).map((o) => trace.fullRaise(o) as PETracer);
    const unkIns = ins.filter((t) => !t.pval.isKnown);
    const unkOuts = outs.filter((t) => !t.pval.isKnown);
    const { jaxpr, consts } = tracersToJaxpr(trace, unkIns, unkOuts);
    return { jaxpr, consts, knownOuts: outs.map((t) => t.pval.known) };
  });
}

/** A linear function of tangents: a jaxpr plus where its outputs are symbolic zeros. */
export interface LinearFn {
  jaxpr: Jaxpr;
  consts: Value[];
  /** Avals of the primal inputs (tangent inputs of integer primals are float0: not jaxpr invars). */
  inAvals: ShapedArray[];
  /** Which inputs are invars of the jaxpr (those with a tangent space). */
  inLinear: boolean[];
  /** Per output: Zero where the tangent is a symbolic zero, else null (an output of the jaxpr). */
  outZeros: (Zero | null)[];
}

/**
 * linearize for flat inputs: JVP under partial evaluation with known primals and unknown
 * tangents. Returns the primal outputs and the linear function of the tangents.
 */
export function linearizeFlat(
  f: (...xs: Value[]) => Value[],
  primals: Value[],
): { primalsOut: Value[]; lin: LinearFn } {
  const inLinear = primals.map((p) => hasTangentSpace(p.aval));
  let primalsOut: Value[] = [];
  let outZeros: (Zero | null)[] = [];
  const n = primals.length;
  const res = partialEvalFlat(
    (...xs) => {
      const tangentsIn: Tangent[] = [];
      let k = n;
      for (let i = 0; i < n; i++) tangentsIn.push(inLinear[i] ? xs[k++] : new Zero(primals[i].aval));
      const [po, to] = jvpFlat(f, xs.slice(0, n), tangentsIn, 'linearize');
      primalsOut = po;
      outZeros = to.map((t) => (t instanceof Zero ? t : null));
      return to.filter((t): t is Value => !(t instanceof Zero));
    },
    [
      ...primals.map((p) => PartialVal.known(p)),
      ...primals.filter((_, i) => inLinear[i]).map((p) => PartialVal.unknown(p.aval)),
    ],
  );
  // Tangent outputs that turned out known (e.g. instantiated zeros) become jaxpr constants.
  let { jaxpr } = res;
  const consts = [...res.consts];
  if (res.knownOuts.some((k) => k !== null)) {
    const constvars = [...jaxpr.constvars];
    let u = 0;
    const outvars = res.knownOuts.map((k) => {
      if (k === null) return jaxpr.outvars[u++];
      const v = new Var(k.aval);
      constvars.push(v);
      consts.push(k);
      return v;
    });
    jaxpr = new Jaxpr(constvars, jaxpr.invars, outvars, jaxpr.eqns);
  }
  primalsOut = primalsOut.map((p) => {
    if (!(p instanceof PETracer)) return p;
    if (!p.pval.isKnown) {
      // A primitive whose jvp computes primal and tangent outputs together (the general
      // reduce_window) cannot be split into known and linear parts: JAX's error.
      const e = new Error(
        'Linearization failed to produce known values for all output primals. This is typically caused by attempting to differentiate a function uses an operation that does not support reverse-mode autodiff.',
      );
      e.name = 'ValueError';
      throw e;
    }
    return p.fullLower();
  });
  return { primalsOut, lin: { jaxpr, consts, inAvals: primals.map((p) => p.aval), inLinear, outZeros } };
}
