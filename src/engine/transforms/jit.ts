/**
 * @file jit, makeJaxpr and the jit primitive (JAX's pjit). A jitted function traces once per (input tree,
 * avals, static values, device) into a jaxpr; calling it binds `jit` with that jaxpr, so under
 * an outer transformation the call is one equation, and at the bottom (eager) its impl runs
 * the compiled program from the compile cache.
 */
import type { Device } from '../backends/backend.js';
import { resolveDevice } from '../backends/registry.js';
import { compileJaxpr, type Executable, placement, runClosedJaxpr } from '../compile/index.js';
import type { LowerRule } from '../compile/lower.js';
import { type ArrayImpl, ArrayImpl as ArrayImplClass } from '../core/array.js';
import { type ShapedArray, ShapedArray as ShapedArrayClass } from '../core/aval.js';
import { toValue } from '../core/coerce.js';
import { config } from '../core/config.js';
import { contextKey } from '../core/eqn-context.js';
import { staticKey } from '../core/hash-key.js';
import { definePrimitive, type Params } from '../core/primitive.js';
import { type TreeDef, treeFlatten, treeUnflatten } from '../core/pytree.js';
import { bind, isTracer, type Value, withTracingLabel } from '../core/trace.js';
import { emit, observing } from '../events.js';
import { type ExportedModule, type ExportShardings, lowerToModule } from '../export/index.js';
import { ClosedJaxpr, Jaxpr } from '../ir/jaxpr.js';
import { traceToJaxpr } from './staging.js';

/** Move constvars to the front of the invars (JAX's convert_constvars_jaxpr). */
export function convertConstvars(cj: ClosedJaxpr): { jaxpr: ClosedJaxpr; consts: Value[] } {
  const j = cj.jaxpr;
  if (j.constvars.length === 0) return { jaxpr: cj, consts: [] };
  const jaxpr = new Jaxpr([], [...j.constvars, ...j.invars], j.outvars, j.eqns);
  return { jaxpr: new ClosedJaxpr(jaxpr, []), consts: cj.consts };
}

/**
 * What a jit call keeps of its traced function's constants, as JAX's pjit does
 * (jax/_src/pjit.py `_create_pjit_jaxpr`): concrete ones stay in the closed jaxpr, printed as its
 * constvars before `;`; if any is a tracer of an enclosing trace, all of them become leading
 * arguments of the call (pe.separate_consts).
 */
export function callConsts(cj: ClosedJaxpr): { jaxpr: ClosedJaxpr; consts: Value[] } {
  return cj.consts.some(isTracer) ? convertConstvars(cj) : { jaxpr: cj, consts: [] };
}

export const jit_p = definePrimitive(
  'jit',
  {
    abstractEval(_avals, p) {
      return (p.jaxpr as ClosedJaxpr).outAvals;
    },
    impl(args, p) {
      return runClosedJaxpr(p.jaxpr as ClosedJaxpr, args as ArrayImpl[], p.device as Device | null);
    },
    lower: ((ctx, ins, p) => {
      const cj = p.jaxpr as ClosedJaxpr;
      return ctx.lowerJaxpr(
        cj.jaxpr,
        cj.consts.map((c) => ctx.embedConst(c)),
        ins,
      );
    }) satisfies LowerRule,
    /** Only these params print, as JAX's pjit pretty-printing rule does. */
    ppParams: (p: Params) => ({ name: p.name, jaxpr: p.jaxpr }),
    ppSuggestNames: true,
  },
  true,
);

export interface JitOptions {
  staticArgnums?: number | readonly number[];
  staticArgnames?: string | readonly string[];
  device?: Device | string | null;
}

interface CacheEntry {
  jaxpr: ClosedJaxpr;
  consts: Value[];
  outTree: TreeDef;
}

/** Arguments typed as arrays also accept what becomes one: JS numbers, booleans, nested lists. */
export type ArrayArgs<P extends readonly unknown[]> = {
  [K in keyof P]: P[K] | number | boolean | readonly unknown[];
};

export interface Jitted<F extends (...args: any[]) => any> {
  (...args: ArrayArgs<Parameters<F>>): ReturnType<F>;
  /** Trace and lower for these arguments: JAX's ahead-of-time `jitted.lower(...).compile()`. */
  lower(...args: ArrayArgs<Parameters<F>>): Lowered;
  /** How many times this function has been traced (cache misses). */
  readonly traceCount: number;
  readonly cacheSize: number;
}

export class Compiled {
  constructor(
    readonly executable: Executable,
    readonly lowered: Lowered,
  ) {}
  get kernelCount(): number {
    return this.executable.compiled.program.kernels.length;
  }
  get compileMs(): number {
    return this.executable.compiled.compileMs;
  }
  get tempBytes(): number {
    return this.executable.compiled.tempBytes;
  }
  /** The generated code for the device. */
  asText(): string {
    return this.executable.compiled.source;
  }
}

export class Lowered {
  constructor(
    readonly closedJaxpr: ClosedJaxpr,
    readonly device: Device,
    readonly cacheKey: string,
    readonly name: string,
    /** Closed-over constants: the values of the jaxpr's leading invars. */
    readonly consts: readonly Value[] = [],
    /** The output pytree (names results in a StableHLO export). */
    readonly outTree: TreeDef | null = null,
    /** A pmap's mesh and argument/result specs (sharding annotations of the export). */
    readonly shardings: ExportShardings | null = null,
  ) {}
  /** The same lowering with these shardings and output tree (pmap's). */
  withShardings(shardings: ExportShardings, outTree: TreeDef | null): Lowered {
    return new Lowered(
      this.closedJaxpr,
      this.device,
      this.cacheKey,
      this.name,
      this.consts,
      outTree,
      shardings,
    );
  }
  compile(): Compiled {
    return new Compiled(compileJaxpr(this.closedJaxpr.jaxpr, this.device, this.cacheKey), this);
  }
  /**
   * The staged program: its jaxpr, or with `{ dialect: 'stablehlo' }` the MLIR module that
   * `jax.jit(f).lower(*args).as_text()` prints (the kernels are shown by `compile().asText()`).
   */
  asText(opts: { dialect?: 'jaxpr' | 'stablehlo' } = {}): string {
    if (opts.dialect === 'stablehlo') return this.export().text;
    return this.closedJaxpr.toString();
  }
  /** The StableHLO export, with which arguments its @main keeps (unused ones are pruned). */
  export(): ExportedModule {
    return lowerToModule(this.closedJaxpr, {
      name: this.name,
      consts: this.consts,
      outTree: this.outTree,
      shardings: this.shardings,
    });
  }
}

function fnName(f: { name: string }): string {
  return f.name || '<lambda>';
}

export function jit<F extends (...args: any[]) => any>(f: F, opts: JitOptions = {}): Jitted<F> {
  return makeJit(f, opts, fnName(f));
}

/**
 * jit under an explicit name, for the namespaces' inner jits: their `jit[name=...]` must be JAX's
 * name, and a JS function's own name is not reliable (the bundler renames `sort` to `sort4` when
 * another `sort` is in scope).
 */
export function namedJit<F extends (...args: any[]) => any>(
  name: string,
  f: F,
  opts: JitOptions = {},
): Jitted<F> {
  return makeJit(f, opts, name);
}

/** A static_argnums or static_argnames option (none, one, or several) as a set. */
export function staticSet<T extends number | string>(opt: T | readonly T[] | undefined): Set<T> {
  return new Set(opt === undefined ? [] : typeof opt === 'object' ? opt : [opt as T]);
}

function makeJit<F extends (...args: any[]) => any>(f: F, opts: JitOptions, name: string): Jitted<F> {
  const staticNums = staticSet(opts.staticArgnums);
  const staticNames = staticSet(opts.staticArgnames);
  const cache = new Map<string, CacheEntry>();
  let traceCount = 0;

  /** Split args into the dynamic part (traced) and a static key; returns a re-assembler. */
  const prepare = (args: unknown[]) => {
    const n = args.length;
    const statics: unknown[] = [];
    const dyn: unknown[] = args.map((a, i) => {
      if (staticNums.has(i) || staticNums.has(i - n)) {
        statics.push([i, a]);
        return null;
      }
      return a;
    });
    // Static names apply to a trailing options object's keys (JS's keyword arguments).
    if (staticNames.size && n > 0) {
      const last = dyn[n - 1];
      if (last && typeof last === 'object' && !Array.isArray(last) && !('aval' in (last as object))) {
        const rest: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(last as Record<string, unknown>)) {
          if (staticNames.has(k)) statics.push([k, v]);
          else rest[k] = v;
        }
        dyn[n - 1] = rest;
      }
    }
    const [leaves, inTree] = treeFlatten(dyn);
    const vals = leaves.map(toValueOrAbstract);
    const rebuild = (tracers: Value[]) => {
      const a = treeUnflatten(inTree, tracers) as unknown[];
      for (const [k, v] of statics as [number | string, unknown][]) {
        if (typeof k === 'number') a[k] = v;
        else (a[n - 1] as Record<string, unknown>)[k] = v;
      }
      return a;
    };
    return { vals, inTree, statics, rebuild };
  };

  const getEntry = (args: unknown[]): { entry: CacheEntry; vals: (Value | ShapedArray)[]; key: string } => {
    const { vals, inTree, statics, rebuild } = prepare(args);
    const avals: ShapedArray[] = vals.map(avalOf);
    const dev = opts.device ? String(resolveDevice(opts.device)) : '';
    // JAX's trace context is part of the key: inside a re-evaluated equation it differs.
    let key = `${inTree.key()}|${avals.map((a) => a.key()).join(',')}|${dev}${contextKey()}`;
    // Static values by value when hashable (numbers, strings, tuples), by identity when not
    // (functions, class instances), as JAX hashes them; dicts and arrays raise JAX's ValueError.
    for (const [k, v] of statics as [number | string, unknown][]) key += `|${k}=${staticKey(v)}`;
    let entry = cache.get(key);
    if (!entry) {
      traceCount++;
      const t0 = performance.now();
      let outTree: TreeDef | undefined;
      const closed = withTracingLabel(`${name} traced for jit`, () =>
        traceToJaxpr((...tracers) => {
          const out = f(...rebuild(tracers));
          const [outLeaves, tree] = treeFlatten(out);
          outTree = tree;
          return outLeaves.map(toValue);
        }, avals),
      );
      const { jaxpr, consts } = callConsts(closed);
      entry = { jaxpr, consts, outTree: outTree! };
      if (observing.any) emit({ type: 'trace', name, ms: performance.now() - t0 });
      // Constants that are tracers of an enclosing transformation are only valid for this call.
      if (!consts.some(isTracer)) cache.set(key, entry);
    }
    return { entry, vals, key };
  };

  const jitted = ((...args: unknown[]) => {
    if (config.disableJit) return f(...args);
    const { entry, vals: raw } = getEntry(args);
    if (raw.some((v) => v instanceof ShapedArrayClass))
      throw new TypeError('abstract arguments (ShapedArray) can only be lowered, not called');
    const vals = raw as Value[];
    const outs = bind(jit_p, [...entry.consts, ...vals], {
      jaxpr: entry.jaxpr,
      name,
      device: opts.device ? resolveDevice(opts.device) : null,
    });
    return treeUnflatten(entry.outTree, outs);
  }) as unknown as Jitted<F>;

  Object.defineProperties(jitted, {
    traceCount: { get: () => traceCount },
    cacheSize: { get: () => cache.size },
    name: { value: name },
  });
  jitted.lower = (...args: unknown[]) => {
    const { entry, vals, key } = getEntry(args);
    // The lowered program takes every constant as a leading argument, kept or not.
    const lifted = convertConstvars(entry.jaxpr);
    const consts = [...lifted.consts, ...entry.consts];
    const concrete = [...consts, ...vals].filter((v) => v instanceof ArrayImplClass) as ArrayImpl[];
    const device = placement(concrete, opts.device);
    return new Lowered(lifted.jaxpr, device, `${name}|${key}|${device}`, name, consts, entry.outTree);
  };
  return jitted;
}

export interface MakeJaxprOptions {
  staticArgnums?: number | readonly number[];
  /** Also return the output pytree structure: [jaxpr, outTree]. */
  returnShape?: boolean;
}

/** jax.make_jaxpr: `makeJaxpr(f)(...args)` returns the ClosedJaxpr JAX would print for f. */
export function makeJaxpr<F extends (...args: any[]) => any>(
  f: F,
  opts: MakeJaxprOptions = {},
): (...args: ArrayArgs<Parameters<F>>) => ClosedJaxpr {
  const staticNums = staticSet(opts.staticArgnums);
  return (...args: unknown[]) => {
    const dyn = args.map((a, i) => (staticNums.has(i) ? null : a));
    const [leaves, inTree] = treeFlatten(dyn);
    const vals = leaves.map(toValueOrAbstract);
    return withTracingLabel(`${fnName(f)} traced for make_jaxpr`, () =>
      traceToJaxpr((...tracers) => {
        const a = treeUnflatten(inTree, tracers) as unknown[];
        staticNums.forEach((i) => {
          a[i] = args[i];
        });
        return treeFlatten(f(...a))[0].map(toValue);
      }, vals.map(avalOf)),
    );
  };
}

/** Arguments may be abstract (a ShapedArray, like jax.ShapeDtypeStruct) for tracing and lowering. */
function toValueOrAbstract(x: unknown): Value | ShapedArray {
  return x instanceof ShapedArrayClass ? x : toValue(x);
}

function avalOf(v: Value | ShapedArray): ShapedArray {
  return v instanceof ShapedArrayClass ? v : v.aval;
}
