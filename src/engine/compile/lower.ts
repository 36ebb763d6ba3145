/**
 * @file Lowering: a jaxpr becomes a graph of kernels in the kernel IR.
 *
 * Every jaxpr value is first a *lazy* value: a function from an output multi-index (int32 kernel
 * IR expressions) to the scalar expression that computes that element. Elementwise primitives
 * compose these functions; structural primitives (broadcast, transpose, slice, reshape, pad, ...)
 * remap the index. Nothing is written to memory until a value must be *materialized*: it is a
 * program output, it feeds a reduction/scan/library kernel that needs a buffer, or it is used by
 * more than one equation and is not free to recompute. A materialized value is one map kernel,
 * so a chain of elementwise ops and broadcasts is one kernel. Reductions read their producers
 * through the same functions (a fused prologue); plan.ts later folds a reduction's elementwise
 * consumer into it as an epilogue.
 */
import type { ShapedArray } from '../core/aval.js';
import { Complex, type HostScalar } from '../core/complex.js';
import { type DType, realPart } from '../core/dtype.js';
import type { Params } from '../core/primitive.js';
import { sizeOf, stridesOf } from '../core/shape.js';
import type { ConcreteArray, Value } from '../core/trace.js';
import { type Atom, type Jaxpr, type JaxprEqn, Literal, type Var } from '../ir/jaxpr.js';
import { legalizeComplex } from './complex.js';
import {
  type BufferInfo,
  type BufferRole,
  bin,
  COMPARISONS,
  constant,
  type Kernel,
  type KernelProgram,
  linearIndex,
  load,
  loopVars,
  type ReduceOp,
  type SExpr,
  walk,
} from './kir.js';

/** A value during lowering: an element generator, possibly backed by a buffer. */
export class Lazy {
  /** The scalar expression of the element at a multi-index (one int32 expr per dimension). */
  readonly at: (idx: readonly SExpr[]) => SExpr;
  constructor(
    readonly aval: ShapedArray,
    at: (idx: readonly SExpr[]) => SExpr,
    /** Roughly how many arithmetic ops one element costs (0: a load or a constant). */
    readonly cost: number,
    /** The buffer holding the value, when materialized. */
    readonly buf: number | null = null,
    memo = true,
  ) {
    // The IR is hash-consed, so equal indices give the same expression; memoizing keeps a DAG of
    // shared values from being expanded once per path (exponential in its depth).
    if (!memo) this.at = at;
    else {
      const cache = new Map<string, SExpr>();
      this.at = (idx) => {
        let key = '';
        for (const e of idx) key += `${e.id},`;
        let r = cache.get(key);
        if (r === undefined) {
          r = at(idx);
          cache.set(key, r);
        }
        return r;
      };
    }
  }
}

/** Where a shared value was computed in the first lowering pass: kernel -> distinct indices. */
interface SharedUse {
  cost: number;
  kernels: Map<number, Set<string>>;
}

const NO_LIBS: ReadonlySet<string> = new Set();

/** Ops per element above which recomputing a value at several indices costs more than a buffer. */
const EXPENSIVE = 4;
/**
 * Ops per element up to which a value shared by several kernels is recomputed in each of them
 * rather than written once: a kernel of its own and a round trip through memory cost more than
 * an op or two per element. (A ReLU's mask, x + b > 0, is read by each backward pass of a
 * network; written, it was also a bool buffer, which kept its readers off the SIMD path.) Its
 * cost is judged in the second pass, where the shared values it reads are buffers already, and
 * its ops must be cheap ones (an exp counts one here but is a polynomial on the CPU).
 */
const CHEAP = 2;

const CHEAP_UN: ReadonlySet<string> = new Set(['neg', 'abs', 'sign', 'not', 'floor', 'ceil', 'is_finite']);
const CHEAP_BIN: ReadonlySet<string> = new Set([
  ...COMPARISONS,
  ...['add', 'sub', 'mul', 'max', 'min', 'and', 'or', 'xor', 'shl', 'shr_logical', 'shr_arith'],
]);

/** Whether an element is one instruction or two: no division, no libm function, no table. */
function cheapElement(e: SExpr): boolean {
  let ok = true;
  walk(e, (n) => {
    if (n.k === 'un') ok &&= CHEAP_UN.has(n.op);
    else if (n.k === 'bin') ok &&= CHEAP_BIN.has(n.op);
    else if (n.k === 'sel') ok &&= !n.rare;
    else if (n.k === 'ter' || n.k === 'table') ok = false;
  });
  return ok;
}

export type LowerRule = (ctx: LowerCtx, ins: Lazy[], params: Params, outAvals: ShapedArray[]) => Lazy[];

export interface ScalarReader {
  /** The value of a 0-d concrete array on the host (literals are host values). */
  scalar(x: ConcreteArray): HostScalar;
}

export class LowerCtx {
  readonly buffers: BufferInfo[] = [];
  readonly kernels: Kernel[] = [];
  /**
   * Which shared values to write to memory. The first lowering pass (null) writes none and
   * records in which kernels each shared value is computed (`sharedUses`); the second writes
   * those computed in more than one kernel. Sharing within one kernel is free (the IR is
   * hash-consed), so a DAG of elementwise work stays one kernel.
   */
  readonly sharedUses = new Map<Var, SharedUse>();
  constructor(
    readonly reader: ScalarReader,
    readonly materializeShared: ReadonlySet<Var> | null = null,
    /**
     * Library kernels the target backend implements beyond those every backend has (its
     * `optionalLibs`): a lowering may emit one of these instead of its portable kernel IR.
     */
    readonly libs: ReadonlySet<string> = NO_LIBS,
    /**
     * The platform compiled for (the device's: `cpu`, `webgpu`, `gpujs`): platform_index and a
     * platform_dependent cond resolve to their branch for it here, as JAX's lowering does.
     */
    readonly platform = 'cpu',
  ) {}

  /** Constants of nested calls, as extra program inputs (see embedConst). */
  readonly embedded = new Map<Value, Lazy>();

  /**
   * A constant that a nested call keeps in its closed jaxpr, read from an extra program input:
   * the program takes it after the jaxpr's own constants (KernelProgram.embedded).
   */
  embedConst(x: Value): Lazy {
    let lazy = this.embedded.get(x);
    if (!lazy) {
      lazy = this.fromBuffer(this.newBuffer(x.aval, 'const'), x.aval);
      this.embedded.set(x, lazy);
    }
    return lazy;
  }

  newBuffer(aval: { dtype: DType; shape: readonly number[] }, role: BufferRole): number {
    const id = this.buffers.length;
    this.buffers.push({ id, dtype: aval.dtype, size: sizeOf(aval.shape), role });
    return id;
  }

  /** A lazy value reading a row-major buffer. */
  fromBuffer(buf: number, aval: ShapedArray): Lazy {
    const strides = stridesOf(aval.shape);
    return new Lazy(aval, (idx) => load(buf, linearIndex(idx, strides), aval.dtype), 0, buf);
  }

  constant(aval: ShapedArray, v: HostScalar): Lazy {
    const c =
      v instanceof Complex
        ? bin(
            'complex',
            constant(v.re, realPart(aval.dtype)),
            constant(v.im, realPart(aval.dtype)),
            aval.dtype,
          )
        : constant(v, aval.dtype);
    return new Lazy(aval, () => c, 0);
  }

  /** Write a lazy value to a buffer with one map kernel (no-op if it already has one). */
  materialize(x: Lazy, role: BufferRole = 'temp'): Lazy {
    if (x.buf !== null && role === 'temp') return x;
    const out = this.newBuffer(x.aval, role);
    const vars = loopVars('i', x.aval.shape.length);
    this.kernels.push({ kind: 'map', out, shape: [...x.aval.shape], expr: x.at(vars) });
    return this.fromBuffer(out, x.aval);
  }

  /**
   * A reduction kernel over `axes` of `x` (which becomes its fused prologue). The result keeps
   * the non-reduced dimensions in order; `outDtype` is the accumulator/result dtype.
   */
  reduce(x: Lazy, axes: readonly number[], op: ReduceOp, outAval: ShapedArray): Lazy {
    const shape = x.aval.shape;
    const outShape = shape.filter((_, d) => !axes.includes(d));
    const redShape = axes.map((a) => shape[a]);
    const outVars = loopVars('i', outShape.length);
    const redVars = loopVars('r', redShape.length);
    const idx: SExpr[] = [];
    let o = 0;
    for (let d = 0; d < shape.length; d++) {
      const r = axes.indexOf(d);
      idx.push(r >= 0 ? redVars[r] : outVars[o++]);
    }
    const out = this.newBuffer(outAval, 'temp');
    this.kernels.push({
      kind: 'reduce',
      out,
      outShape,
      redShape,
      op,
      body: x.at(idx),
      epilogue: null,
    });
    return this.fromBuffer(out, outAval);
  }

  /**
   * An argmax/argmin kernel over one `axis` of `x` (its fused prologue); the result has the other
   * dimensions in order and `outAval`'s (integer) dtype.
   */
  argReduce(x: Lazy, axis: number, op: 'argmax' | 'argmin', outAval: ShapedArray): Lazy {
    const shape = x.aval.shape;
    const outVars = loopVars('i', shape.length - 1);
    const [r] = loopVars('r', 1);
    let o = 0;
    const idx = shape.map((_, d) => (d === axis ? r : outVars[o++]));
    const out = this.newBuffer(outAval, 'temp');
    this.kernels.push({
      kind: 'argreduce',
      out,
      outShape: shape.filter((_, d) => d !== axis),
      redSize: shape[axis],
      op,
      body: x.at(idx),
    });
    return this.fromBuffer(out, outAval);
  }

  /** Lower a whole jaxpr given lazy inputs (also used to inline nested jit calls). */
  lowerJaxpr(jaxpr: Jaxpr, consts: Lazy[], args: Lazy[]): Lazy[] {
    const env = new Map<Var, Lazy>();
    const uses = new Map<Var, number>();
    const count = (a: Atom) => {
      if (!(a instanceof Literal)) uses.set(a, (uses.get(a) ?? 0) + 1);
    };
    // Dead-code elimination: equations none of whose results are needed are not lowered, and
    // their reads do not count as uses (so they cannot force a shared value into memory).
    const eqns = liveEqns(jaxpr);
    for (const e of eqns) for (const a of new Set(e.inputs)) count(a);
    for (const a of jaxpr.outvars) count(a);
    for (const [i, v] of jaxpr.constvars.entries()) env.set(v, consts[i]);
    for (const [i, v] of jaxpr.invars.entries()) env.set(v, args[i]);
    const tracked = new Set<Var>();
    const read = (a: Atom): Lazy => {
      if (a instanceof Literal) return this.constant(a.aval, this.reader.scalar(a.val));
      let x = env.get(a)!;
      if ((uses.get(a) ?? 0) > 1 && x.cost > 0 && x.buf === null) {
        if (this.materializeShared === null) {
          if (!tracked.has(a)) {
            // First pass: note every kernel that computes this value.
            tracked.add(a);
            const inner = x;
            const seen: SharedUse = { cost: inner.cost, kernels: new Map() };
            this.sharedUses.set(a, seen);
            x = new Lazy(
              inner.aval,
              (idx) => {
                const k = this.kernels.length;
                let at = seen.kernels.get(k);
                if (!at) seen.kernels.set(k, (at = new Set()));
                at.add(idx.map((e) => e.id).join(','));
                return inner.at(idx);
              },
              inner.cost,
              null,
              false,
            );
            env.set(a, x);
          }
        } else if (
          this.materializeShared.has(a) &&
          (x.cost > CHEAP || !cheapElement(x.at(loopVars('i', x.aval.shape.length))))
        ) {
          // Computed in several kernels: write it once.
          x = this.materialize(x);
          env.set(a, x);
        }
      }
      return x;
    };
    for (const eqn of eqns) {
      const rule = eqn.primitive.rules.lower as LowerRule | undefined;
      if (!rule) throw new Error(`no lowering rule for ${eqn.primitive.name}`);
      const outs = rule(
        this,
        eqn.inputs.map(read),
        eqn.params,
        eqn.outvars.map((v) => v.aval),
      );
      for (const [i, v] of eqn.outvars.entries()) env.set(v, outs[i]);
    }
    return jaxpr.outvars.map(read);
  }
}

/** The equations of a jaxpr that contribute to its outputs, in order (primitives are pure). */
export function liveEqns(jaxpr: Jaxpr): JaxprEqn[] {
  const live = new Set<Atom>(jaxpr.outvars);
  const keep: JaxprEqn[] = [];
  for (let i = jaxpr.eqns.length - 1; i >= 0; i--) {
    const e = jaxpr.eqns[i];
    if (e.outvars.some((v) => live.has(v))) {
      keep.push(e);
      for (const a of e.inputs) live.add(a);
    }
  }
  return keep.reverse();
}

/** Lower a jaxpr to a kernel program: inputs are the invars then the constvars. */
export function lowerProgram(
  jaxpr: Jaxpr,
  reader: ScalarReader,
  libs: ReadonlySet<string> = NO_LIBS,
  platform = 'cpu',
): KernelProgram {
  const first = lowerOnce(jaxpr, new LowerCtx(reader, null, libs, platform));
  // Complex values become float pairs here, so every backend sees real arithmetic only.
  const shared = new Set<Var>();
  for (const [v, use] of first.sharedUses) {
    // Computed in several kernels, or at several indices of one kernel when that is not cheap
    // (a stencil over an expensive value): write it once.
    const manyIndices = [...use.kernels.values()].some((ix) => ix.size > 1);
    if (use.kernels.size > 1 || (manyIndices && use.cost >= EXPENSIVE)) shared.add(v);
  }
  if (shared.size === 0) return legalizeComplex(first.program);
  return legalizeComplex(lowerOnce(jaxpr, new LowerCtx(reader, shared, libs, platform)).program);
}

function lowerOnce(jaxpr: Jaxpr, ctx: LowerCtx): { program: KernelProgram; sharedUses: Map<Var, SharedUse> } {
  const inputs: number[] = [];
  const args = jaxpr.invars.map((v) => {
    const b = ctx.newBuffer(v.aval, 'input');
    inputs.push(b);
    return ctx.fromBuffer(b, v.aval);
  });
  const consts = jaxpr.constvars.map((v) => {
    const b = ctx.newBuffer(v.aval, 'const');
    inputs.push(b);
    return ctx.fromBuffer(b, v.aval);
  });
  const outs = ctx.lowerJaxpr(jaxpr, consts, args);
  for (const e of ctx.embedded.values()) inputs.push(e.buf!);
  const outputs = outs.map((o) => {
    // Inputs pass straight through; everything else gets a fresh output buffer.
    if (o.buf !== null && ctx.buffers[o.buf].role !== 'temp') return o.buf;
    if (o.buf !== null) {
      ctx.buffers[o.buf].role = 'output';
      return o.buf;
    }
    return ctx.materialize(o, 'output').buf!;
  });
  // A temp buffer returned twice (or an output returned twice) is fine: outputs may alias.
  return {
    program: {
      buffers: ctx.buffers,
      inputs,
      outputs,
      kernels: ctx.kernels,
      ...(ctx.embedded.size ? { embedded: [...ctx.embedded.keys()] } : {}),
    },
    sharedUses: ctx.sharedUses,
  };
}
