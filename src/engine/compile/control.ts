/**
 * @file Lowering of structured control flow (cond, while, scan) to the kernel IR's control
 * kernels. A loop is not unrolled: its body jaxpr is lowered once, on its own, to a nested
 * KernelProgram (own buffers, own fusion and buffer plan), and the outer program gets one kernel
 * that names the nested programs and the outer buffers they read and write. Every operand is
 * materialized first, since the nested program reads it through a buffer binding; results land
 * in fresh temps of the outer program. The design follows XLA's While/Conditional HLOs: control
 * flow stays structured in the IR, and each backend decides how to drive it (the CPU backend
 * runs the nested programs from a JS loop, see backends/cpu/control.ts).
 */
import type { ShapedArray } from '../core/aval.js';
import { splitAt } from '../core/lists.js';
import type { ClosedJaxpr, Jaxpr } from '../ir/jaxpr.js';
import type { KernelProgram } from './kir.js';
import { type Lazy, type LowerCtx, lowerProgram } from './lower.js';
import { optimize } from './plan.js';

function openJaxpr(cj: ClosedJaxpr | Jaxpr): Jaxpr {
  if ('jaxpr' in cj) {
    if (cj.consts.length) {
      throw new Error('control-flow lowering expects closed jaxprs without constants (consts are operands)');
    }
    return cj.jaxpr;
  }
  return cj;
}

/** Lower a body jaxpr (no constvars: consts come in as leading invars) to its own program. */
export function lowerBody(ctx: LowerCtx, cj: ClosedJaxpr | Jaxpr): KernelProgram {
  return optimize(lowerProgram(openJaxpr(cj), ctx.reader, ctx.libs, ctx.platform));
}

/** The buffer of each operand, writing lazy ones with a map kernel. */
export function operandBuffers(ctx: LowerCtx, ins: readonly Lazy[]): number[] {
  return ins.map((x) => ctx.materialize(x).buf!);
}

/** Fresh temp buffers for the results, and lazy readers of them. */
export function resultBuffers(
  ctx: LowerCtx,
  avals: readonly ShapedArray[],
): { bufs: number[]; outs: Lazy[] } {
  const bufs = avals.map((a) => ctx.newBuffer(a, 'temp'));
  return { bufs, outs: bufs.map((b, i) => ctx.fromBuffer(b, avals[i])) };
}

export function lowerCond(
  ctx: LowerCtx,
  ins: Lazy[],
  branches: readonly ClosedJaxpr[],
  outAvals: ShapedArray[],
): Lazy[] {
  const [index, ...ops] = operandBuffers(ctx, ins);
  const programs = branches.map((b) => lowerBody(ctx, b));
  const { bufs, outs } = resultBuffers(ctx, outAvals);
  ctx.kernels.push({ kind: 'cond', index, branches: programs, ins: ops, outs: bufs });
  return outs;
}

export function lowerWhile(
  ctx: LowerCtx,
  ins: Lazy[],
  p: { cond_jaxpr: ClosedJaxpr; body_jaxpr: ClosedJaxpr; cond_nconsts: number; body_nconsts: number },
  outAvals: ShapedArray[],
): Lazy[] {
  const [condConsts, bodyConsts, init] = splitAt(operandBuffers(ctx, ins), p.cond_nconsts, p.body_nconsts);
  const cond = lowerBody(ctx, p.cond_jaxpr);
  const body = lowerBody(ctx, p.body_jaxpr);
  const { bufs, outs } = resultBuffers(ctx, outAvals);
  ctx.kernels.push({ kind: 'while', cond, body, condConsts, bodyConsts, init, outs: bufs });
  return outs;
}

export function lowerScan(
  ctx: LowerCtx,
  ins: Lazy[],
  p: { jaxpr: ClosedJaxpr; length: number; reverse: boolean; num_consts: number; num_carry: number },
  outAvals: ShapedArray[],
): Lazy[] {
  const [consts, init, xs] = splitAt(operandBuffers(ctx, ins), p.num_consts, p.num_carry);
  const body = lowerBody(ctx, p.jaxpr);
  const res = resultBuffers(ctx, outAvals);
  const [carryOuts, ys] = splitAt(res.bufs, p.num_carry);
  ctx.kernels.push({
    kind: 'loop',
    body,
    length: p.length,
    reverse: p.reverse,
    consts,
    init,
    xs,
    outs: carryOuts,
    ys,
  });
  return res.outs;
}
