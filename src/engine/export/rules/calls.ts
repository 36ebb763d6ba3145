/**
 * @file Export rules of the call-like primitives: a nested `jit` becomes a private function
 * called with `call @name` (one function per name and jaxpr, as pjit's lowering caches them;
 * MLIR's symbol table renames a second body of the same name `name_0`), custom_jvp_call and
 * custom_vjp_call lower their primal body inline (what is left of them after differentiation),
 * and checkpoint (remat2) lowers inline behind an optimization barrier when it was differentiated.
 */

import type { ClosedJaxpr, Jaxpr } from '../../ir/jaxpr.js';
import { call, ret } from '../hlo.js';
import { avalType, jaxprSubcomp, type ModuleCtx, registerExportRule } from '../lower.js';
import { Builder, FuncOp, Op, typeText, type Value } from '../mlir.js';
import { arrayConstant } from '../module.js';

/** The private function for a closed jaxpr under this name (cached by name and jaxpr). */
export function jaxprFunc(mod: ModuleCtx, name: string, cj: ClosedJaxpr): FuncOp {
  return mod.cachedFunc(cj, name, () => {
    const j = cj.jaxpr;
    const f = mod.module.insert(
      new FuncOp(
        name,
        'private',
        j.invars.map((v) => avalType(v.aval)),
        j.outvars.map((v) => avalType(v.aval)),
      ),
    );
    const b = new Builder(f.body.block);
    const consts = cj.consts.map((c) => arrayConstant(b, c));
    ret(b, jaxprSubcomp(mod, b, j, consts, f.args), true);
    return f;
  });
}

registerExportRule('jit', (ctx, ins, p) => {
  const cj = p.jaxpr as ClosedJaxpr;
  const f = jaxprFunc(ctx.mod, String(p.name), cj);
  return call(ctx.b, f, ins, f.resultTypes);
});

function inlineCall(ctx: { mod: ModuleCtx; b: Builder }, cj: ClosedJaxpr, ins: Value[]): Value[] {
  const consts = cj.consts.map((c) => arrayConstant(ctx.b, c));
  return jaxprSubcomp(ctx.mod, ctx.b, cj.jaxpr, consts, ins);
}

registerExportRule('custom_jvp_call', (ctx, ins, p) => inlineCall(ctx, p.call_jaxpr as ClosedJaxpr, ins));
registerExportRule('custom_vjp_call', (ctx, ins, p) => inlineCall(ctx, p.call_jaxpr as ClosedJaxpr, ins));

/** ad_checkpoint._remat_lowering: differentiated bodies see their inputs through a barrier. */
registerExportRule('remat2', (ctx, ins, p) => {
  const pc = p.prevent_cse;
  const mask = Array.isArray(pc) ? pc.map(Boolean) : ins.map(() => Boolean(pc ?? true));
  let args = ins;
  if (p.differentiated && mask.some(Boolean)) {
    const barred = ins.filter((_, i) => mask[i]);
    const types = barred.map((v) => v.type);
    const op = ctx.b.add(
      new Op(
        'stablehlo.optimization_barrier',
        barred,
        types,
        (pr) => `stablehlo.optimization_barrier ${pr.vs(barred)} : ${types.map(typeText).join(', ')}`,
      ),
    );
    let k = 0;
    args = ins.map((v, i) => (mask[i] ? op.results[k++] : v));
  }
  return jaxprSubcomp(ctx.mod, ctx.b, p.jaxpr as Jaxpr, [], args);
});

registerExportRule('custom_lin', () => {
  throw new TypeError("can't apply forward-mode autodiff (jvp) to a custom_vjp function.");
});
