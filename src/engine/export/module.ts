/**
 * @file The module around a lowered program, as mlir.lower_jaxpr_to_module builds it for
 * `jax.jit(f).lower(*args)`: `module @jit_<name>` with mhlo.num_replicas / num_partitions, a
 * public `@main` whose unused arguments are pruned (jit's keep_unused=False), closed-over arrays
 * as `stablehlo.constant`s at its start, and `jax.result_info` naming each result by its path in
 * the output pytree (`result`, `result[0]`, `result['a']`).
 */

import { compileHooks } from '../compile/index.js';
import { ArrayImpl } from '../core/array.js';
import { NotImplementedError } from '../core/errors.js';
import type { TreeDef } from '../core/pytree.js';
import type { Value as EngineValue } from '../core/trace.js';
import type { ClosedJaxpr } from '../ir/jaxpr.js';
import type { Mesh, PartitionSpec } from '../sharding.js';
import { denseOf } from './attrs.js';
import { Dce } from './dce.js';
import { constant, ret } from './hlo.js';
import { avalType, jaxprSubcomp, ModuleCtx } from './lower.js';
import { Builder, FuncOp, Module, type Value } from './mlir.js';
import { printModule } from './printer.js';
import { shardingText, useMesh } from './rules/collectives.js';

export interface ExportOptions {
  /** The function's name: the module is `jit_<name>`. */
  name: string;
  /** Leading invars of the jaxpr that are closed-over constants, with their values. */
  consts?: readonly EngineValue[];
  /** The output pytree, for `jax.result_info`. */
  outTree?: TreeDef | null;
  /** Keep unused arguments in @main's signature (jit's keep_unused=True). */
  keepUnused?: boolean;
  /** A pmap's mesh and the specs of its arguments and results (`sdy.sharding` on @main). */
  shardings?: ExportShardings | null;
}

export interface ExportShardings {
  mesh: Mesh;
  inSpecs: readonly PartitionSpec[];
  outSpecs: readonly PartitionSpec[];
}

export interface ExportedModule {
  /** The module's text, as `Lowered.as_text()` prints it. */
  text: string;
  /** Which of the function's (non-constant) arguments @main takes, in order. */
  keptArgs: number[];
}

/** JAX's mlir.sanitize_name(...).rstrip('_') of `jit(<name>)`. */
export function moduleName(name: string): string {
  return `jit(${name})`.replace(/[^\w.-]/g, '_').replace(/_+$/, '');
}

/** Key paths of the leaves of a pytree: `[0]`, `['a']`, `[1][0]`. */
export function leafPaths(t: TreeDef): string[] {
  switch (t.kind) {
    case 'leaf':
      return [''];
    case 'none':
      return [];
    case 'list':
      return t.children.flatMap((c, i) => leafPaths(c).map((p) => `[${i}]${p}`));
    case 'dict': {
      const keys = t.aux as string[];
      return t.children.flatMap((c, i) => leafPaths(c).map((p) => `['${keys[i]}']${p}`));
    }
    case 'custom':
      return t.children.flatMap((c, i) => leafPaths(c).map((p) => `[${i}]${p}`));
  }
}

/** A concrete array as a `stablehlo.constant` (the constvars JAX lowers at the top of @main). */
export function arrayConstant(b: Builder, x: EngineValue): Value {
  if (!(x instanceof ArrayImpl)) throw new Error('export: a closed-over value is not a concrete array');
  return constant(b, denseOf(x.dataSync(), x.shape, x.dtype), avalType(x.aval));
}

export function lowerToModule(
  closed: ClosedJaxpr,
  opts: ExportOptions,
  setup?: (mod: ModuleCtx) => void,
): ExportedModule {
  const consts = opts.consts ?? [];
  const nConsts = consts.length;
  const dce = new Dce();
  // Typed PRNG keys are exported as their uint32 words, their primitives as threefry.
  const phys = compileHooks.physical?.(closed.jaxpr) ?? null;
  if (phys?.consts.length) {
    throw new NotImplementedError(
      'StableHLO export of a key program whose threefry expansion has array constants',
    );
  }
  const j0 = phys ? phys.jaxpr : closed.jaxpr;
  const used = j0.outvars.map(() => true);
  const [j, usedIns] = opts.keepUnused
    ? dce.jaxpr(
        j0,
        used,
        j0.invars.map((_, i) => i >= nConsts),
      )
    : dce.jaxpr(j0, used);
  const keptConsts = consts.filter((_, i) => usedIns[i]);
  const keptArgs = usedIns.slice(nConsts).flatMap((u, i) => (u ? [i] : []));

  const module = new Module(
    moduleName(opts.name),
    'mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32',
  );
  const mod = new ModuleCtx(module, dce);
  const sh = opts.shardings ?? null;
  if (sh) useMesh(mod, sh.mesh);
  setup?.(mod);
  const argVars = j.invars.slice(keptConsts.length);
  const paths = opts.outTree ? leafPaths(opts.outTree) : null;
  const main = module.insert(
    new FuncOp(
      'main',
      'public',
      argVars.map((v) => avalType(v.aval)),
      j.outvars.map((v) => avalType(v.aval)),
    ),
  );
  main.resultAttrs = j.outvars.map((v, i) => {
    const path =
      paths && paths.length === j.outvars.length ? paths[i] : j.outvars.length === 1 ? '' : `[${i}]`;
    const info = `jax.result_info = "result${path.replace(/"/g, '\\"')}"`;
    return sh ? `${info}, sdy.sharding = #sdy.sharding${shardingText(sh.outSpecs[i], v.aval.ndim)}` : info;
  });
  if (sh)
    for (const [k, i] of keptArgs.entries())
      main.argAttrs[k] = `sdy.sharding = #sdy.sharding${shardingText(sh.inSpecs[i], argVars[k].aval.ndim)}`;
  const b = new Builder(main.body.block);
  const constVals = keptConsts.map((c) => arrayConstant(b, c));
  const outs = jaxprSubcomp(mod, b, j, [], [...constVals, ...main.args]);
  ret(b, outs, true);
  return { text: printModule(module), keptArgs };
}
