/**
 * @file Jaxpr -> MLIR, equation by equation, as JAX's mlir.jaxpr_subcomp: each equation's inputs
 * are read (a literal becomes a fresh `stablehlo.constant` at every read, as JAX's _ir_constant
 * makes one), its primitive's export rule appends operations, and its outputs are bound. Rules
 * live in a registry keyed by primitive name (rules/*.ts fill it), so the primitives' own files
 * stay untouched and a test can list primitives without a rule.
 */

import type { ShapedArray } from '../core/aval.js';
import type { Complex } from '../core/complex.js';
import type { DType } from '../core/dtype.js';
import type { Params } from '../core/primitive.js';
import { type Atom, type Jaxpr, type JaxprEqn, Literal, type Var } from '../ir/jaxpr.js';
import type { Mesh } from '../sharding.js';
import { denseScalar } from './attrs.js';
import type { Dce } from './dce.js';
import { call, constant, ret, ty } from './hlo.js';
import { Builder, FuncOp, type Module, type TensorType, type Value } from './mlir.js';

/** Module-wide lowering state: the module, caches of outlined functions, the DCE memo. */
export class ModuleCtx {
  /** Outlined functions by key (a nested jit's name and jaxpr; a helper's name and signature). */
  readonly funcs = new Map<unknown, Map<string, FuncOp>>();
  /** Channel ids for collectives, numbered from 1 in emission order (ModuleContext.new_channel). */
  private channel = 0;
  /** The mesh of the shard_map body being lowered: collectives read it. */
  meshObj: Mesh | null = null;
  /** The module's `@mesh`, declared by the first shard_map or a pmap's shardings. */
  declaredMesh: Mesh | null = null;
  constructor(
    readonly module: Module,
    readonly dce: Dce,
  ) {}
  newChannel(): number {
    return ++this.channel;
  }
  /** The cached function for (object, key), or a new one made by `make` (inserted by it). */
  cachedFunc(obj: unknown, key: string, make: () => FuncOp): FuncOp {
    let m = this.funcs.get(obj);
    if (!m) this.funcs.set(obj, (m = new Map()));
    let f = m.get(key);
    if (!f) {
      f = make();
      m.set(key, f);
    }
    return f;
  }
}

/** What a rule sees of its equation. */
export interface RuleCtx {
  readonly mod: ModuleCtx;
  readonly b: Builder;
  readonly avalsIn: readonly ShapedArray[];
  readonly avalsOut: readonly ShapedArray[];
}

export type ExportRule = (ctx: RuleCtx, ins: Value[], params: Params) => Value[];

const RULES = new Map<string, ExportRule>();

export function registerExportRule(name: string, rule: ExportRule): void {
  if (RULES.has(name)) throw new Error(`export rule for ${name} registered twice`);
  RULES.set(name, rule);
}

export function exportRule(name: string): ExportRule | undefined {
  return RULES.get(name);
}

export function avalType(a: ShapedArray): TensorType {
  return ty(a.shape, a.dtype);
}

/** A scalar literal's constant, as JAX's _python_scalar_handler / ndarray handler emit it. */
export function literalConst(b: Builder, v: number | bigint | boolean | Complex, dtype: DType): Value {
  return constant(b, denseScalar(v, dtype), ty([], dtype));
}

/** Lower `jaxpr` at the builder's insertion point, with values for its constvars and invars. */
export function jaxprSubcomp(
  mod: ModuleCtx,
  b: Builder,
  jaxpr: Jaxpr,
  consts: readonly Value[],
  args: readonly Value[],
): Value[] {
  const env = new Map<Var, Value>();
  if (consts.length !== jaxpr.constvars.length || args.length !== jaxpr.invars.length)
    throw new Error('jaxprSubcomp: wrong number of constants or arguments');
  for (const [i, v] of jaxpr.constvars.entries()) env.set(v, consts[i]);
  for (const [i, v] of jaxpr.invars.entries()) env.set(v, args[i]);
  const read = (a: Atom): Value => {
    if (a instanceof Literal) return literalConst(b, a.value, a.aval.dtype);
    const v = env.get(a);
    if (!v) throw new Error('jaxprSubcomp: unbound variable');
    return v;
  };
  for (const e of jaxpr.eqns) {
    const ins = e.inputs.map(read);
    const outs = lowerEqn(mod, b, e, ins);
    for (const [i, v] of e.outvars.entries()) env.set(v, outs[i]);
  }
  return jaxpr.outvars.map(read);
}

export function lowerEqn(mod: ModuleCtx, b: Builder, e: JaxprEqn, ins: Value[]): Value[] {
  const rule = RULES.get(e.primitive.name);
  if (!rule) throw new Error(`StableHLO export has no lowering for primitive '${e.primitive.name}'`);
  const ctx: RuleCtx = {
    mod,
    b,
    avalsIn: e.inputs.map((a) => a.aval),
    avalsOut: e.outvars.map((v) => v.aval),
  };
  const outs = rule(ctx, ins, e.params);
  if (outs.length !== e.outvars.length)
    throw new Error(
      `export rule for ${e.primitive.name} returned ${outs.length} values for ${e.outvars.length}`,
    );
  return outs;
}

/** A stable text of params for cache keys (jaxprs by identity are not expected here). */
function paramsKey(p: Params): string {
  return JSON.stringify(p, (_k, v) =>
    typeof v === 'bigint'
      ? `${v}n`
      : v && typeof v === 'object' && 'name' in v && 'itemsize' in v
        ? String(v.name)
        : v,
  );
}

/**
 * A rule JAX registers with inline=False: its operations go into a private function named after
 * the primitive (one per primitive, params and operand types), called here.
 */
export function outlined(
  ctx: RuleCtx,
  prim: string,
  ins: Value[],
  params: Params,
  body: (inner: RuleCtx, args: Value[]) => Value[],
): Value[] {
  const key = `${paramsKey(params)}|${ins.map((v) => `${v.dtype.name}[${v.shape}]`).join(',')}`;
  const outTypes = ctx.avalsOut.map(avalType);
  const f = ctx.mod.cachedFunc(`prim:${prim}`, key, () => {
    const fn = ctx.mod.module.insert(
      new FuncOp(
        prim,
        'private',
        ins.map((v) => v.type),
        outTypes,
      ),
    );
    const fb = new Builder(fn.body.block);
    ret(fb, body({ ...ctx, b: fb }, fn.args), true);
    return fn;
  });
  return call(ctx.b, f, ins, outTypes);
}
