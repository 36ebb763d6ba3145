/**
 * @file The control-flow primitives cond, while and scan, with JAX 0.10.2's params (names and
 * values as jax/_src/lax/control_flow binds them, so jaxprs print as JAX prints them):
 *   cond[branches=(...) branches_platforms?]   index, *consts, *operands
 *   while[body_jaxpr body_nconsts cond_jaxpr cond_nconsts]   *cond_consts, *body_consts, *carry
 *   scan[jaxpr length num_carry num_consts reverse unroll]  *consts, *carry, *xs
 * Branch and body jaxprs are ClosedJaxprs without consts (consts are leading operands).
 *
 * Eager execution compiles the one-equation program through the same path as jit (so eager and
 * jitted loops agree bit for bit and a loop is one compiled kernel, not thousands of dispatches);
 * the lowering (compile/control.ts) keeps the loop structured. Closed jaxprs that do carry consts
 * (which only transformations could build) fall back to interpreting the body with evalJaxpr.
 * jvp/transpose/batch slots are left for the transformation rules.
 */

import { lowerCond, lowerScan, lowerWhile } from '../compile/control.js';
import { compileJaxpr, execute, placement } from '../compile/index.js';
import type { LowerRule } from '../compile/lower.js';
import { type ArrayImpl, hostScalar } from '../core/array.js';
import { ShapedArray } from '../core/aval.js';
import { int32 } from '../core/dtype.js';
import { paramKey } from '../core/hash-key.js';
import { innerMap } from '../core/memo.js';
import { definePrimitive, type Params, type Primitive } from '../core/primitive.js';
import { bind1, type Value } from '../core/trace.js';
import { evalJaxpr } from '../ir/eval.js';
import { ClosedJaxpr, Jaxpr, JaxprEqn, Var } from '../ir/jaxpr.js';
import { PyRaw } from '../ir/pyrepr.js';
import { traceToJaxpr } from '../transforms/staging.js';
import { select_n } from './elementwise.js';
import { type BranchesPlatforms, branchesPlatformsRepr, platformBranch } from './platform-index.js';
import { reduce_or } from './reductions.js';
import * as S from './structural.js';

export interface CondParams {
  branches: ClosedJaxpr[];
  /** Set by lax.platform_dependent: the platforms each branch serves (platform-index.ts). */
  branches_platforms?: BranchesPlatforms;
}

export interface WhileParams {
  cond_jaxpr: ClosedJaxpr;
  body_jaxpr: ClosedJaxpr;
  cond_nconsts: number;
  body_nconsts: number;
}

export interface ScanParams {
  jaxpr: ClosedJaxpr;
  length: number;
  reverse: boolean;
  unroll: number;
  num_consts: number;
  num_carry: number;
}

// ---- eager execution ----------------------------------------------------------------------------

const eagerPrograms = new WeakMap<object, Map<string, Jaxpr>>();

/**
 * Run `prim` on concrete arrays as a one-equation compiled program, cached per body jaxpr (so the
 * entry goes when the jaxpr does) and by all of its params (the other branches and bodies by
 * identity: a while loop that shares its body with another but not its cond is another program).
 */
function runCompiled(prim: Primitive, args: ArrayImpl[], params: Params, keyObj: object): ArrayImpl[] {
  const m = innerMap(eagerPrograms, keyObj);
  const avals = args.map((a) => a.aval);
  const key = `${paramKey(params)}|${avals.map((a) => a.key()).join(',')}`;
  let j = m.get(key);
  if (!j) {
    const invars = avals.map((a) => new Var(a));
    const outvars = prim.rules.abstractEval(avals, params).map((a) => new Var(a));
    j = new Jaxpr([], invars, outvars, [new JaxprEqn(prim, invars, params, outvars)]);
    m.set(key, j);
  }
  return execute(compileJaxpr(j, placement(args)), args, []);
}

function hasConsts(...cjs: ClosedJaxpr[]): boolean {
  return cjs.some((c) => c.consts.length > 0);
}

function scalarOfValue(x: Value): number {
  return Number(hostScalar(x as ArrayImpl));
}

function evalClosed(cj: ClosedJaxpr, args: readonly Value[]): Value[] {
  return evalJaxpr(cj.jaxpr, cj.consts, args);
}

// ---- cond ---------------------------------------------------------------------------------------

export const cond_p = definePrimitive(
  'cond',
  {
    abstractEval(avals, p) {
      const { branches } = p as unknown as CondParams;
      const [index, ...ops] = avals;
      if (index.shape.length !== 0 || index.dtype !== int32) {
        throw new TypeError(`cond index must be an int32 scalar, got ${index.strShort()}`);
      }
      for (const b of branches) {
        if (b.inAvals.length !== ops.length) {
          throw new TypeError(`cond branch takes ${b.inAvals.length} operands, got ${ops.length}`);
        }
      }
      return branches[0].outAvals;
    },
    impl(args: ArrayImpl[], p: Params) {
      const { branches } = p as unknown as CondParams;
      if (hasConsts(...branches)) {
        const raw = scalarOfValue(args[0]);
        const i = Math.min(Math.max(raw, 0), branches.length - 1);
        return evalClosed(branches[i], args.slice(1));
      }
      return runCompiled(cond_p, args, p, branches[0]);
    },
    lower: ((ctx, ins, p, outAvals) => {
      const { branches, branches_platforms: bp } = p as unknown as CondParams;
      // A platform_dependent cond keeps only the branch for the platform compiled for (JAX's
      // _cond_lowering does the same), inline: it fuses with its neighbours like any other code.
      const chosen = bp ? branches[platformBranch(bp, ctx.platform)] : null;
      if (chosen && !chosen.consts.length) return ctx.lowerJaxpr(chosen.jaxpr, [], ins.slice(1));
      return lowerCond(ctx, ins, branches, outAvals);
    }) satisfies LowerRule,
    ppParams: (p: Params) =>
      p.branches_platforms
        ? {
            branches: p.branches,
            branches_platforms: new PyRaw(branchesPlatformsRepr(p.branches_platforms as BranchesPlatforms)),
          }
        : { branches: p.branches },
  },
  true,
);

// ---- while --------------------------------------------------------------------------------------

const scalarized = new WeakMap<ClosedJaxpr, Map<ClosedJaxpr, Params>>();

/**
 * A while whose predicate is batched (vmap with a batched predicate keeps the predicate an array,
 * as JAX does) runs while any lane is true, and lanes whose predicate is false keep their carry:
 * the cond becomes reduce_or of the predicate and the body selects, reading the cond consts too
 * (JAX does the same rewrite in its lowering, _pred_bcast_select_hlo). Operands become
 * [cond consts, cond consts, body consts, carry].
 */
function scalarPredicate<T>(args: T[], p: Params): [T[], Params] {
  const q = p as unknown as WhileParams;
  const pa = q.cond_jaxpr.outAvals[0];
  if (pa.shape.length === 0) return [args, p];
  const byBody = innerMap(scalarized, q.cond_jaxpr);
  let np = byBody.get(q.body_jaxpr);
  if (!np) {
    const nc = q.cond_nconsts;
    const nb = q.body_nconsts;
    const carryAvals = q.body_jaxpr.outAvals;
    const condAvals = q.cond_jaxpr.inAvals;
    const pred = (xs: Value[]) => evalClosed(q.cond_jaxpr, xs)[0];
    const cond = traceToJaxpr(
      (...xs) => [bind1(reduce_or, [pred(xs)], { axes: pa.shape.map((_, i) => i), out_sharding: null })],
      condAvals,
    );
    const body = traceToJaxpr(
      (...xs) => {
        const cc = xs.slice(0, nc);
        const carry = xs.slice(nc + nb);
        const pr = pred([...cc, ...carry]);
        const next = evalClosed(q.body_jaxpr, xs.slice(nc));
        return next.map((n, i) => {
          const w = bind1(S.broadcast_in_dim, [pr], {
            shape: [...carryAvals[i].shape],
            broadcast_dimensions: pa.shape.map((_, d) => d),
            sharding: null,
          });
          return bind1(select_n, [w, carry[i], n]);
        });
      },
      [...condAvals.slice(0, nc), ...q.body_jaxpr.inAvals],
    );
    const flat = (cj: ClosedJaxpr) =>
      new ClosedJaxpr(
        new Jaxpr([], [...cj.jaxpr.constvars, ...cj.jaxpr.invars], cj.jaxpr.outvars, cj.jaxpr.eqns),
        [],
      );
    np = {
      cond_jaxpr: flat(cond),
      body_jaxpr: flat(body),
      cond_nconsts: cond.consts.length + nc,
      body_nconsts: body.consts.length + nc + nb,
    };
    if (cond.consts.length || body.consts.length) {
      throw new Error('while: the rewrite of a batched predicate closed over constants');
    }
    byBody.set(q.body_jaxpr, np);
  }
  const nc = q.cond_nconsts;
  return [[...args.slice(0, nc), ...args.slice(0, nc), ...args.slice(nc)], np];
}

export const while_p = definePrimitive(
  'while',
  {
    abstractEval(avals, p) {
      const q = p as unknown as WhileParams;
      const ncarry = avals.length - q.cond_nconsts - q.body_nconsts;
      if (q.cond_jaxpr.inAvals.length !== q.cond_nconsts + ncarry) {
        throw new TypeError(
          `while_loop len(cond_jaxpr.in_avals)=${q.cond_jaxpr.inAvals.length} but len(cond_consts_avals) + len(in_avals)=${q.cond_nconsts + ncarry}`,
        );
      }
      if (q.body_jaxpr.inAvals.length !== q.body_nconsts + ncarry) {
        throw new TypeError(
          `while_loop len(body_jaxpr.in_avals)=${q.body_jaxpr.inAvals.length} but len(body_consts_avals) + len(in_avals)=${q.body_nconsts + ncarry}`,
        );
      }
      return q.body_jaxpr.outAvals;
    },
    impl(args0: ArrayImpl[], p0: Params) {
      const [args, p] = scalarPredicate(args0, p0);
      const q = p as unknown as WhileParams;
      if (hasConsts(q.cond_jaxpr, q.body_jaxpr)) {
        const cc = args.slice(0, q.cond_nconsts);
        const bc = args.slice(q.cond_nconsts, q.cond_nconsts + q.body_nconsts);
        let carry: Value[] = args.slice(q.cond_nconsts + q.body_nconsts);
        while (scalarOfValue(evalClosed(q.cond_jaxpr, [...cc, ...carry])[0])) {
          carry = evalClosed(q.body_jaxpr, [...bc, ...carry]);
        }
        return carry;
      }
      return runCompiled(while_p, args, p, q.body_jaxpr);
    },
    lower: ((ctx, ins0, p0, outAvals) => {
      const [ins, p] = scalarPredicate(ins0, p0);
      return lowerWhile(ctx, ins, p as unknown as WhileParams, outAvals);
    }) satisfies LowerRule,
  },
  true,
);

// ---- scan ---------------------------------------------------------------------------------------

/** The stacked aval of a per-iteration aval: a leading axis of `length`. */
export function stackedAval(a: ShapedArray, length: number): ShapedArray {
  return new ShapedArray([length, ...a.shape], a.dtype, a.weakType);
}

function sliceLeading(x: Value, i: number): Value {
  const shape = x.aval.shape;
  const s = bind1(S.slice, [x], {
    start_indices: shape.map((_, d) => (d === 0 ? i : 0)),
    limit_indices: shape.map((n, d) => (d === 0 ? i + 1 : n)),
    strides: null,
  });
  return bind1(S.squeeze, [s], { dimensions: [0] });
}

function stack(ys: Value[], aval: ShapedArray): Value {
  const shape = [1, ...aval.shape];
  const rows = ys.map((y) =>
    bind1(S.broadcast_in_dim, [y], {
      shape,
      broadcast_dimensions: aval.shape.map((_, d) => d + 1),
      sharding: null,
    }),
  );
  return bind1(S.concatenate, rows, { dimension: 0 });
}

export const scan_p = definePrimitive(
  'scan',
  {
    abstractEval(avals, p) {
      const q = p as unknown as ScanParams;
      const ins = q.jaxpr.inAvals;
      if (ins.length !== avals.length) {
        throw new TypeError(`scan jaxpr takes ${ins.length} inputs, got ${avals.length}`);
      }
      for (let i = q.num_consts + q.num_carry; i < avals.length; i++) {
        if (avals[i].shape[0] !== q.length) {
          throw new TypeError(`scan xs leading axis ${avals[i].shape[0]} disagrees with length ${q.length}`);
        }
      }
      const outs = q.jaxpr.outAvals;
      return [...outs.slice(0, q.num_carry), ...outs.slice(q.num_carry).map((a) => stackedAval(a, q.length))];
    },
    impl(args: ArrayImpl[], p: Params) {
      const q = p as unknown as ScanParams;
      if (hasConsts(q.jaxpr) && q.length > 0) {
        const consts = args.slice(0, q.num_consts);
        let carry: Value[] = args.slice(q.num_consts, q.num_consts + q.num_carry);
        const xs = args.slice(q.num_consts + q.num_carry);
        const ys: Value[][] = [];
        for (let t = 0; t < q.length; t++) {
          const i = q.reverse ? q.length - 1 - t : t;
          const outs = evalClosed(q.jaxpr, [...consts, ...carry, ...xs.map((x) => sliceLeading(x, i))]);
          carry = outs.slice(0, q.num_carry);
          ys[i] = outs.slice(q.num_carry);
        }
        const yAvals = q.jaxpr.outAvals.slice(q.num_carry);
        return [
          ...carry,
          ...yAvals.map((a, j) =>
            stack(
              ys.map((y) => y[j]),
              a,
            ),
          ),
        ];
      }
      return runCompiled(scan_p, args, p, q.jaxpr);
    },
    lower: ((ctx, ins, p, outAvals) =>
      lowerScan(ctx, ins, p as unknown as ScanParams, outAvals)) satisfies LowerRule,
  },
  true,
);
