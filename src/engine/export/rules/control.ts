/**
 * @file Export rules of the control-flow primitives (jax/_src/lax/control_flow): `cond` as
 * `stablehlo.case` (branch i is region i, operands captured implicitly; a platform_dependent one
 * keeps only CPU's branch, as JAX lowers it for one platform, and platform_index is a constant), `while` as
 * `stablehlo.while` (consts travel in the loop state; a batched predicate is or-reduced and the
 * body selects per element, as JAX's _while_lowering does), and `scan` the way JAX lowers it on
 * every backend: lower_fun(_scan_impl), a while loop over the trip count whose body calls
 * `@dynamic_index_in_dim` for each xs, `@closed_call` for the body and
 * `@dynamic_update_index_in_dim` for each ys, with the xs and consts as loop-invariant state.
 */

import type { ShapedArray } from '../../core/aval.js';
import { bool, int32 } from '../../core/dtype.js';
import type { ClosedJaxpr } from '../../ir/jaxpr.js';
import { type LinearSolveParams, splitLinearSolveArgs } from '../../primitives/linear-solve.js';
import { type BranchesPlatforms, platformBranch } from '../../primitives/platform-index.js';
import {
  broadcastInDim,
  call,
  compare,
  dynamicSlice,
  dynamicUpdateSlice,
  elementwise,
  generic,
  reduce,
  reducerRegion,
  reshape,
  ret,
  scalarConst,
  select,
  tt,
  ty,
} from '../hlo.js';
import { avalType, jaxprSubcomp, type ModuleCtx, registerExportRule } from '../lower.js';
import { Builder, FuncOp, Op, Region, type TensorType, type Value } from '../mlir.js';
import { arrayConstant } from '../module.js';
import { jaxprFunc } from './calls.js';

function subcomp(mod: ModuleCtx, b: Builder, cj: ClosedJaxpr, args: readonly Value[]): Value[] {
  const consts = cj.consts.map((c) => arrayConstant(b, c));
  return jaxprSubcomp(mod, b, cj.jaxpr, consts, args);
}

/** The platform exports are lowered for: JAX's default backend here, its CPU. */
const EXPORT_PLATFORM = 'cpu';

registerExportRule('platform_index', (ctx, _ins, p) => [
  scalarConst(ctx.b, platformBranch(p.platforms as BranchesPlatforms, EXPORT_PLATFORM), int32),
]);

registerExportRule('cond', (ctx, [index0, ...args], p) => {
  let branches = p.branches as ClosedJaxpr[];
  let index = index0;
  const bp = p.branches_platforms as BranchesPlatforms | undefined;
  if (bp) {
    // JAX's _cond_lowering for a platform_dependent cond: only the platform's branch is kept, and a
    // first case maps the platform index to its position among the kept ones.
    const kept = platformBranch(bp, EXPORT_PLATFORM);
    const i32 = ty([], int32);
    const regions = branches.map(() => {
      const r = new Region();
      ctx.b.within(r, () => ret(ctx.b, [scalarConst(ctx.b, 0, int32)]));
      return r;
    });
    index = generic(ctx.b, 'stablehlo.case', [index], [i32], '', regions).results[0];
    branches = [branches[kept]];
  }
  const regions = branches.map((br) => {
    const r = new Region();
    ctx.b.within(r, () => ret(ctx.b, subcomp(ctx.mod, ctx.b, br, args)));
    return r;
  });
  return generic(ctx.b, 'stablehlo.case', [index], ctx.avalsOut.map(avalType), '', regions).results;
});

/** stablehlo.while with its custom form: `stablehlo.while(%iterArg = %x, ...) : types cond {...} do {...}`. */
export function whileOp(
  b: Builder,
  init: readonly Value[],
  cond: (b: Builder, args: Value[]) => Value,
  body: (b: Builder, args: Value[]) => Value[],
): Value[] {
  const types: TensorType[] = init.map((v) => v.type);
  const condR = new Region(types);
  const bodyR = new Region(types);
  b.within(condR, () => ret(b, [cond(b, condR.block.args)]));
  b.within(bodyR, () => ret(b, body(b, bodyR.block.args)));
  const op = new Op(
    'stablehlo.while',
    init,
    types,
    (pr) => {
      const pairs = condR.block.args.map((a, i) => `${pr.v(a)} = ${pr.v(init[i])}`).join(', ');
      return `stablehlo.while(${pairs}) : ${types.map(tt).join(', ')}\n${pr.indent}cond {\n${pr.body(condR)}\n${pr.indent}} do {\n${pr.body(bodyR)}\n${pr.indent}}`;
    },
    [condR, bodyR],
    null,
    'iterArg',
  );
  return b.add(op).results;
}

/** Or-reduce a batched predicate to a scalar (lax._unary_reduce_lower with OrOp). */
function anyTrue(b: Builder, pred: Value): Value {
  const init = scalarConst(b, false, bool);
  const body = reducerRegion(b, [bool], ([acc], [x]) => [elementwise(b, 'stablehlo.or', [acc, x])]);
  return reduce(
    b,
    [pred],
    [init],
    pred.shape.map((_, i) => i),
    body,
  )[0];
}

registerExportRule('while', (ctx, ins, p) => {
  const condJ = p.cond_jaxpr as ClosedJaxpr;
  const bodyJ = p.body_jaxpr as ClosedJaxpr;
  const nc = Number(p.cond_nconsts);
  const nb = Number(p.body_nconsts);
  const predAval = condJ.jaxpr.outvars[0].aval;
  const batched = predAval.shape.length > 0;
  // The loop carries the constants too; the equation's outputs are the carried values only.
  const state = whileOp(
    ctx.b,
    ins,
    (b, args) => {
      const x = args.slice(0, nc);
      const z = args.slice(nc + nb);
      const [pred] = subcomp(ctx.mod, b, condJ, [...x, ...z]);
      return batched ? anyTrue(b, pred) : pred;
    },
    (b, args) => {
      const x = args.slice(0, nc);
      const y = args.slice(nc, nc + nb);
      const z = args.slice(nc + nb);
      let newZ = subcomp(ctx.mod, b, bodyJ, [...y, ...z]);
      if (batched) {
        const [bp] = subcomp(ctx.mod, b, condJ, [...x, ...newZ]);
        newZ = newZ.map((nz, i) => {
          const pb = broadcastInDim(
            b,
            bp,
            nz.shape,
            predAval.shape.map((_, k) => k),
          );
          return select(b, pb, nz, z[i]);
        });
      }
      return [...x, ...y, ...newZ];
    },
  );
  return state.slice(nc + nb);
});

/** custom_linear_solve lowers as JAX's (lower_fun of its impl): the solve jaxpr, inline. */
registerExportRule('custom_linear_solve', (ctx, ins, p) => {
  const { const_lengths, jaxprs } = p as unknown as LinearSolveParams;
  const [params, b] = splitLinearSolveArgs(ins, const_lengths);
  return subcomp(ctx.mod, ctx.b, jaxprs.solve!, [...params.solve, ...b]);
});

registerExportRule('empty2', (ctx, _ins, p) => [
  scalarConst(ctx.b, 0, ctx.avalsOut[0].dtype ?? (p.dtype as never)),
]);

/** A helper JAX defines with @jit (lax.dynamic_index_in_dim and friends): one function per signature. */
function helperFunc(
  mod: ModuleCtx,
  name: string,
  ins: readonly TensorType[],
  outs: readonly TensorType[],
  key: string,
  body: (b: Builder, args: Value[]) => Value[],
): FuncOp {
  const sig = `${key}|${ins.map(tt).join(',')}`;
  return mod.cachedFunc(`helper:${name}`, sig, () => {
    const f = mod.module.insert(new FuncOp(name, 'private', ins, [...outs]));
    const b = new Builder(f.body.block);
    ret(b, body(b, f.args), true);
    return f;
  });
}

/** lax.dynamic_index_in_dim(x, i, axis=0, keepdims=False): a dynamic_slice and a reshape. */
function dynamicIndex(mod: ModuleCtx, b: Builder, x: Value, i: Value): Value {
  const out = ty(x.shape.slice(1), x.dtype);
  const f = helperFunc(mod, 'dynamic_index_in_dim', [x.type, i.type], [out], 'axis0', (fb, [xa, ia]) => {
    const zeros = x.shape.slice(1).map(() => scalarConst(fb, 0, i.dtype));
    const s = dynamicSlice(fb, xa, [ia, ...zeros], [1, ...x.shape.slice(1)]);
    return [reshape(fb, s, out.shape)];
  });
  return call(b, f, [x, i], [out])[0];
}

/** lax.dynamic_update_index_in_dim(y, u, i, 0): u gains the axis, then a dynamic_update_slice. */
function dynamicUpdateIndex(mod: ModuleCtx, b: Builder, y: Value, u: Value, i: Value): Value {
  const f = helperFunc(
    mod,
    'dynamic_update_index_in_dim',
    [y.type, u.type, i.type],
    [y.type],
    'axis0',
    (fb, [ya, ua, ia]) => {
      const e = broadcastInDim(
        fb,
        ua,
        [1, ...u.shape],
        u.shape.map((_, k) => k + 1),
      );
      const zeros = u.shape.map(() => scalarConst(fb, 0, i.dtype));
      return [dynamicUpdateSlice(fb, ya, e, [ia, ...zeros])];
    },
  );
  return call(b, f, [y, u, i], [y.type])[0];
}

/** The scan body as `@closed_call` (core.closed_call's lowering, cached per body jaxpr). */
function closedCall(mod: ModuleCtx, b: Builder, cj: ClosedJaxpr, args: Value[]): Value[] {
  const f = jaxprFunc(mod, 'closed_call', cj);
  return call(b, f, args, f.resultTypes);
}

registerExportRule('scan', (ctx, ins, p) => {
  const cj = p.jaxpr as ClosedJaxpr;
  const nConsts = Number(p.num_consts);
  const nCarry = Number(p.num_carry);
  // With unroll > 1 JAX's _scan_impl repeats the body inside the loop (and unrolls a remainder);
  // the rolled loop computes the same values, so it is emitted for every unroll (the text then
  // differs from JAX's, the numbers do not).
  const yAvals = cj.jaxpr.outvars.slice(nCarry).map((v) => v.aval);
  return rolledScan(ctx.mod, ctx.b, {
    length: Number(p.length),
    reverse: Boolean(p.reverse),
    consts: ins.slice(0, nConsts),
    carry: ins.slice(nConsts, nConsts + nCarry),
    xs: ins.slice(nConsts + nCarry),
    yAvals,
    body: (b, args) => closedCall(ctx.mod, b, cj, args),
  });
});

export interface ScanSpec {
  length: number;
  reverse: boolean;
  consts: Value[];
  carry: Value[];
  xs: Value[];
  yAvals: readonly ShapedArray[];
  /** The body on (consts, carry, x slices), returning (carry, y slices). */
  body: (b: Builder, args: Value[]) => Value[];
}

/**
 * _scan_impl with unroll=1, as its traced while loop lowers: the ys start as broadcast zeros
 * (empty2), the xs and consts ride in the loop state ahead of the counter.
 */
export function rolledScan(mod: ModuleCtx, b: Builder, s: ScanSpec): Value[] {
  const { length, reverse, consts, carry, xs } = s;
  const nCarry = carry.length;
  const ys0 = s.yAvals.map((a) => broadcastInDim(b, scalarConst(b, 0, a.dtype), [length, ...a.shape], []));
  const i0 = scalarConst(b, 0, int32);
  const bodyConsts = [...xs, ...consts];
  const nb = bodyConsts.length;
  const outs = whileOp(
    b,
    [...bodyConsts, i0, ...carry, ...ys0],
    (cb, args) => compare(cb, 'LT', args[nb], scalarConst(cb, length, int32)),
    (bb, args) => {
      const xsA = args.slice(0, xs.length);
      const cA = args.slice(xs.length, nb);
      const i_ = args[nb];
      const carryA = args.slice(nb + 1, nb + 1 + nCarry);
      const ysA = args.slice(nb + 1 + nCarry);
      let i = i_;
      if (reverse) {
        const t = elementwise(bb, 'stablehlo.subtract', [scalarConst(bb, length, int32), i_]);
        i = elementwise(bb, 'stablehlo.subtract', [t, scalarConst(bb, 1, int32)]);
      }
      const xsI = xsA.map((x) => dynamicIndex(mod, bb, x, i));
      const res = s.body(bb, [...cA, ...carryA, ...xsI]);
      const newYs = ysA.map((y, k) => dynamicUpdateIndex(mod, bb, y, res[nCarry + k], i));
      const next = elementwise(bb, 'stablehlo.add', [i_, scalarConst(bb, 1, int32)]);
      return [...args.slice(0, nb), next, ...res.slice(0, nCarry), ...newYs];
    },
  );
  return outs.slice(nb + 1);
}
