/**
 * @file Forward-mode differentiation: the JVP trace of Autodidax part 2, with JAX's symbolic zeros
 * (`Zero`) for tangents known to vanish, so integer/bool values (whose tangents are float0) and
 * values that do not depend on the inputs cost nothing. Also the two primitives that automatic
 * differentiation introduces: `add_any` (tangent/cotangent accumulation) and `stop_gradient`.
 */

import { bin } from '../compile/kir.js';
import type { ShapedArray } from '../core/aval.js';
import { deviceScalar, scalarArray } from '../core/coerce.js';
import { definePrimitive, type Params, type Primitive } from '../core/primitive.js';
import { shapesEqual } from '../core/shape.js';
import type { ConcreteArray, MainTrace, Value } from '../core/trace.js';
import { bind, bind1, Trace, Tracer, withNewMain } from '../core/trace.js';
import { elementwiseLowering, naryRules } from '../primitives/common.js';
import { convert_element_type } from '../primitives/elementwise.js';
import { reduce_sum } from '../primitives/reductions.js';
import { broadcast_in_dim, reshape } from '../primitives/structural.js';

/**
 * A symbolic zero tangent or cotangent. For integer and bool primals it stands for JAX's float0
 * tangent (`isFloat0`): those have no tangent space, only the shape survives.
 */
export class Zero {
  constructor(readonly aval: ShapedArray) {}
  get isFloat0(): boolean {
    return !this.aval.dtype.isInexact;
  }
  get shape(): number[] {
    return [...this.aval.shape];
  }
  toString(): string {
    return this.isFloat0 ? `Zero(float0[${this.aval.shape.join(',')}])` : `Zero(${this.aval.strShort()})`;
  }
}

export type Tangent = Value | Zero;

export function isZero(t: unknown): t is Zero {
  return t instanceof Zero;
}

/** Whether values of this aval have a tangent space (JAX: inexact dtypes). */
export function hasTangentSpace(aval: ShapedArray): boolean {
  return aval.dtype.isInexact;
}

/** The aval of tangents of a primal (float0 is represented by the primal's aval on a Zero). */
export function tangentAval(aval: ShapedArray): ShapedArray {
  return aval;
}

/**
 * How zeros that JVP rules instantiate come out, after which JAX machinery runs the rule. Under
 * linearize (grad, vjp: JAX's LinearizeTrace and `_pjit_linearize`) a rule runs in a partial
 * evaluation over the primal computation, and its zeros are device arrays: known values that a
 * tangent equation reads, so a jit's split passes them across as residuals (`in (b, 0.0:f32[])`).
 * Under jvp (jax.jvp, jacfwd, and so a custom_jvp rule that calls jvp, like zeta's) a jit's jvp is
 * staged to a jaxpr first (jvp_jaxpr), where a 0-d zero becomes a plain literal that the later
 * split inlines: no residual. Each JVP trace has one of the two modes; rule-internal JVPs (a
 * jit's body, cumsum's associative scan) take the mode of the trace running the rule.
 */
export type JvpMode = 'linearize' | 'jvp';

let ruleMode: JvpMode = 'linearize';

/** The mode of the JVP trace whose rule is running (linearize's outside any rule). */
export function currentJvpMode(): JvpMode {
  return ruleMode;
}

/** Concrete zeros of an aval (a literal for scalars; a broadcast of one otherwise, as JAX stages it). */
export function zerosLike(aval: ShapedArray): Value {
  const v = aval.dtype.isBool ? false : 0;
  const z = ruleMode === 'linearize' ? deviceScalar(v, aval.dtype) : scalarArray(v, aval.dtype);
  if (aval.shape.length === 0) return z;
  return bind1(broadcast_in_dim, [z], { shape: [...aval.shape], broadcast_dimensions: [], sharding: null });
}

export function instantiate(t: Tangent): Value {
  return t instanceof Zero ? zerosLike(t.aval) : t;
}

/** Bring a tangent to an aval's shape and dtype (rules may return rank-0 or size-1 shapes). */
export function fitTangent(t: Value, aval: ShapedArray): Value {
  let v = t;
  if (v.dtype !== aval.dtype) {
    v = bind1(convert_element_type, [v], { new_dtype: aval.dtype, sharding: null, weak_type: aval.weakType });
  }
  if (!shapesEqual(v.shape, aval.shape)) {
    const r = aval.shape.length;
    let dims = v.ndim === 0 ? [] : v.shape.map((_, i) => i + (r - v.ndim));
    if (v.ndim === r) {
      // JAX's _maybe_broadcast: the size-1 dims are reshaped away, the others broadcast in place.
      dims = dims.filter((d) => v.shape[d] === aval.shape[d]);
      const squeezed = dims.map((d) => v.shape[d]);
      v = bind1(reshape, [v], { new_sizes: squeezed, dimensions: null, sharding: null });
    }
    v = bind1(broadcast_in_dim, [v], { shape: [...aval.shape], broadcast_dimensions: dims, sharding: null });
  }
  return v;
}

/**
 * Sum a value that was broadcast (rank-0 or size-1 dims, as lax's elementwise ops allow) back to
 * `aval`'s shape: the transpose of implicit broadcasting (JAX's _unbroadcast).
 */
export function unbroadcast(aval: ShapedArray, x: Value): Value {
  if (shapesEqual(aval.shape, x.shape)) return x;
  if (aval.shape.length === 0) {
    return bind1(reduce_sum, [x], { axes: x.shape.map((_, i) => i), out_sharding: null });
  }
  const axes = x.shape.map((_, i) => i).filter((i) => aval.shape[i] !== x.shape[i]);
  const s = bind1(reduce_sum, [x], { axes, out_sharding: null });
  return bind1(reshape, [s], { new_sizes: [...aval.shape], dimensions: null, sharding: null });
}

// ---- add_any and stop_gradient -------------------------------------------------------------------

/** Adds tangents or cotangents; JAX's `add_any` (add_jaxvals_p). */
export const add_any = definePrimitive(
  'add_any',
  naryRules('add_any', 'any', ([a, b], _p, out) => bin('add', a, b, out.dtype)),
);

export const stop_gradient = definePrimitive('stop_gradient', {
  abstractEval([a]) {
    return [a];
  },
  lower: elementwiseLowering(([x]) => x),
});

export function addTangents(a: Tangent, b: Tangent): Tangent {
  if (a instanceof Zero) return b;
  if (b instanceof Zero) return a;
  return bind1(add_any, [a, b]);
}

// ---- the JVP trace -------------------------------------------------------------------------------

/** A JVP rule: primal and tangent outputs from primal and (possibly symbolic-zero) tangent inputs. */
export type JvpRule = (primals: Value[], tangents: Tangent[], params: Params) => [Value[], Tangent[]];

export class JVPTracer extends Tracer {
  constructor(
    trace: Trace,
    readonly primal: Value,
    readonly tangent: Tangent,
  ) {
    super(trace);
  }
  get aval(): ShapedArray {
    return this.primal.aval;
  }
  /** A tracer with a zero tangent is just its primal (JAX's full_lower). */
  override fullLower(): Value {
    if (this.tangent instanceof Zero)
      return this.primal instanceof Tracer ? this.primal.fullLower() : this.primal;
    return this;
  }
  /** Python control flow on a primal works under jvp/grad, as in JAX. */
  protected override toPrimitive(hint: string): number | string | bigint | boolean {
    return (
      this.primal as unknown as { [Symbol.toPrimitive](h: string): number | string | bigint | boolean }
    )[Symbol.toPrimitive](hint);
  }
}

export class JVPTrace extends Trace {
  get mode(): JvpMode {
    return this.main.globalData as JvpMode;
  }
  pure(x: ConcreteArray): Tracer {
    return new JVPTracer(this, x, new Zero(tangentAval(x.aval)));
  }
  lift(x: Tracer): Tracer {
    return new JVPTracer(this, x, new Zero(tangentAval(x.aval)));
  }
  processPrimitive(prim: Primitive, tracers: Value[], params: Params): Value[] {
    const ts = tracers as JVPTracer[];
    const primals = ts.map((t) => t.primal);
    const tangents = ts.map((t) => t.tangent);
    if (tangents.every((t) => t instanceof Zero)) {
      return bind(prim, primals, params);
    }
    const rule = prim.rules.jvp as JvpRule | undefined;
    if (!rule) throw new Error(`Differentiation rule for '${prim.name}' not implemented`);
    const prev = ruleMode;
    ruleMode = this.mode;
    let po: Value[];
    let to: Tangent[];
    try {
      [po, to] = rule(primals, tangents, params);
    } finally {
      ruleMode = prev;
    }
    return po.map((p, i) => {
      let t = to[i];
      if (!hasTangentSpace(p.aval)) t = new Zero(p.aval);
      else if (!(t instanceof Zero)) t = fitTangent(t, p.aval);
      return new JVPTracer(this, p, t);
    });
  }
}

/**
 * Run `f` on JVP tracers: Autodidax's jvp_flat. Output tangents may be symbolic zeros. The mode
 * (see JvpMode) is the running rule's unless given: user-level jvp passes 'jvp', linearize
 * 'linearize'.
 */
export function jvpFlat(
  f: (...xs: Value[]) => Value[],
  primals: Value[],
  tangents: Tangent[],
  mode: JvpMode = ruleMode,
): [Value[], Tangent[]] {
  return withNewMain(JVPTrace, mode, (main: MainTrace) => {
    const trace = new JVPTrace(main);
    const ins = primals.map(
      (p, i) => new JVPTracer(trace, p, hasTangentSpace(p.aval) ? tangents[i] : new Zero(p.aval)),
    );
    const outs = f(...ins).map((o) => trace.fullRaise(o) as JVPTracer);
    return [outs.map((o) => o.primal), outs.map((o) => o.tangent)];
  });
}
