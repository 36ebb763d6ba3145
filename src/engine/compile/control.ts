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

/**
 * Lower a body jaxpr to its own program (its operands, consts included, come in as leading
 * invars). Constants that the body still holds — its closed jaxpr's (a key rewrite can leave
 * some: random/physical.ts) and those its nested calls keep in theirs, as JAX's pjit does — become
 * the program's first inputs: `consts` are the outer buffers holding them, which the caller passes
 * ahead of the body's own operands.
 */
export function lowerBody(
  ctx: LowerCtx,
  cj: ClosedJaxpr | Jaxpr,
): { program: KernelProgram; consts: number[] } {
  const [jaxpr, closed] = 'jaxpr' in cj ? [cj.jaxpr, cj.consts] : [cj, []];
  const program = optimize(lowerProgram(jaxpr, ctx.reader, ctx.libs, ctx.platform));
  const held = [...closed, ...(program.embedded ?? [])];
  if (!held.length) return { program, consts: [] };
  const n = program.inputs.length - held.length;
  program.inputs = [...program.inputs.slice(n), ...program.inputs.slice(0, n)];
  program.embedded = undefined;
  return {
    program,
    consts: operandBuffers(
      ctx,
      held.map((c) => ctx.embedConst(c)),
    ),
  };
}

/**
 * Branches that must take the same operands: each takes every branch's nested-call constants
 * first (an unused input where they are another branch's).
 */
function lowerBranches(
  ctx: LowerCtx,
  branches: readonly ClosedJaxpr[],
): { programs: KernelProgram[]; consts: number[] } {
  const bodies = branches.map((b) => lowerBody(ctx, b));
  const consts = bodies.flatMap((b) => b.consts);
  if (!consts.length) return { programs: bodies.map((b) => b.program), consts };
  let at = 0;
  const programs = bodies.map(({ program, consts: own }) => {
    const k = own.length;
    const extra = (from: number, to: number) =>
      consts.slice(from, to).map((outer) => {
        const info = ctx.buffers[outer];
        const id = program.buffers.length;
        program.buffers.push({ id, dtype: info.dtype, size: info.size, role: 'input' });
        return id;
      });
    const before = extra(0, at);
    const after = extra(at + k, consts.length);
    program.inputs = [...before, ...program.inputs.slice(0, k), ...after, ...program.inputs.slice(k)];
    at += k;
    return program;
  });
  return { programs, consts };
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
  const { programs, consts } = lowerBranches(ctx, branches);
  const { bufs, outs } = resultBuffers(ctx, outAvals);
  ctx.kernels.push({ kind: 'cond', index, branches: programs, ins: [...consts, ...ops], outs: bufs });
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
  ctx.kernels.push({
    kind: 'while',
    cond: cond.program,
    body: body.program,
    condConsts: [...cond.consts, ...condConsts],
    bodyConsts: [...body.consts, ...bodyConsts],
    init,
    outs: bufs,
  });
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
    body: body.program,
    length: p.length,
    reverse: p.reverse,
    consts: [...body.consts, ...consts],
    init,
    xs,
    outs: carryOuts,
    ys,
  });
  return res.outs;
}
