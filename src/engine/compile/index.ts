/**
 * @file The compile path shared by eager ops and jit: lower a jaxpr to kernels, optimise the
 * kernel graph, compile it for a device's backend, cache it, and run it on concrete arrays.
 * Eager ops are one-equation programs through this same path, so eager and jitted code agree
 * bit for bit on a device.
 */
import type { CompiledProgram, Device } from '../backends/backend.js';
import { resolveDevice } from '../backends/registry.js';
import { ArrayImpl, scalarOf, storageDType } from '../core/array.js';
import { ShapedArray } from '../core/aval.js';
import type { HostScalar } from '../core/complex.js';
import { paramKey } from '../core/hash-key.js';
import { innerMap, memoOn } from '../core/memo.js';
import type { Params, Primitive } from '../core/primitive.js';
import { type ConcreteArray, evalHooks, type Value } from '../core/trace.js';
import { emit, observing } from '../events.js';
import { type ClosedJaxpr, Jaxpr, JaxprEqn, Var } from '../ir/jaxpr.js';
import { lowerProgram } from './lower.js';
import { optimize } from './plan.js';

export interface Executable {
  /** The program as traced (its avals are those of the arguments and results). */
  readonly jaxpr: Jaxpr;
  /** Constants the compiled program takes after the jaxpr's own (see compileHooks). */
  readonly extraConsts: readonly ArrayImpl[];
  readonly device: Device;
  readonly compiled: CompiledProgram;
  readonly key: string;
}

const reader = {
  scalar(x: ConcreteArray): HostScalar {
    const a = x as ArrayImpl;
    return scalarOf(a.dataSync(), a.dtype);
  },
};

/** What a program computes, for device error messages: `sin` for an eager op, else `jit(sin, mul, ...)`. */
function opLabel(jaxpr: Jaxpr): string {
  const names = [...new Set(jaxpr.eqns.map((e) => e.primitive.name))];
  if (names.length === 1 && jaxpr.eqns.length === 1) return names[0];
  return `jit(${names.slice(0, 6).join(', ')}${names.length > 6 ? ', ...' : ''})`;
}

/** Compile counters, for tests and `jit-inspect --stage compiled`. */
export const compileStats = { compiles: 0, eagerCacheHits: 0 };

/**
 * Rewrites a program needs before lowering, installed by the layers that define them: typed PRNG
 * keys become their uint32 words (random/physical.ts). `variant` names what else the rewrite
 * depends on (the threefry counter layout), so each variant compiles once.
 */
export const compileHooks: {
  physical?: (j: Jaxpr) => { jaxpr: Jaxpr; consts: Value[]; variant: string } | null;
} = {};

const byJaxpr = new WeakMap<Jaxpr, Map<Device, Executable>>();
const byJaxprVariant = new WeakMap<Jaxpr, Map<string, Map<Device, Executable>>>();

export function compileJaxpr(jaxpr: Jaxpr, device: Device, key = ''): Executable {
  const phys = compileHooks.physical?.(jaxpr) ?? null;
  const build = () => {
    const t0 = performance.now();
    const program = optimize(
      lowerProgram(phys?.jaxpr ?? jaxpr, reader, device.backend.optionalLibs, device.platform),
    );
    const label = opLabel(jaxpr);
    const compiled = device.backend.compile(program, label);
    compileStats.compiles++;
    const extraConsts = [...(phys?.consts ?? []), ...(program.embedded ?? [])] as ArrayImpl[];
    const exe = { jaxpr, device, compiled, key, extraConsts };
    if (observing.any) {
      const ms = performance.now() - t0;
      emit({
        type: 'compile',
        device: String(device),
        program: label,
        kernels: compiled.program.kernels.length,
        ms,
      });
    }
    return exe;
  };
  if (phys) return memoOn(innerMap(byJaxprVariant, jaxpr), phys.variant, device, build);
  return memoOn(byJaxpr, jaxpr, device, build);
}

/**
 * Pick the device an op runs on, as JAX does: where its committed inputs live (they must agree),
 * else the requested or default device.
 */
export function placement(args: readonly ArrayImpl[], requested?: Device | string | null): Device {
  let committed: Device | null = null;
  for (const a of args) {
    if (!a.committed) continue;
    if (committed && committed !== a.device) {
      throw new Error(
        `Received incompatible devices for jitted computation. Got argument on device ${committed} and argument on device ${a.device}`,
      );
    }
    committed = a.device;
  }
  if (committed) {
    if (requested && resolveDevice(requested) !== committed) {
      throw new Error(
        `Received incompatible devices: argument committed to ${committed}, but computation requested on ${resolveDevice(requested)}`,
      );
    }
    return committed;
  }
  return resolveDevice(requested ?? null);
}

/** Move an array's data to a device (through the host when the backends differ). */
export function transfer(x: ArrayImpl, device: Device, committed = x.committed): ArrayImpl {
  if (x.device === device)
    return committed === x.committed ? x : new ArrayImpl(x.aval, x.buffer, device, committed);
  const host = x.dataSync();
  return new ArrayImpl(x.aval, device.backend.fromHost(host, storageDType(x.dtype)), device, committed);
}

export function execute(
  exe: Executable,
  args: readonly ArrayImpl[],
  consts: readonly ArrayImpl[],
): ArrayImpl[] {
  const device = exe.device;
  const committed = args.some((a) => a.committed);
  const inputs = [...args, ...consts, ...exe.extraConsts].map(
    (a) => (a.device === device ? a : transfer(a, device)).buffer,
  );
  if (observing.any) {
    const c = exe.compiled;
    emit({
      type: 'launch',
      device: String(device),
      program: c.label ?? '',
      kernels: c.program.kernels.length,
    });
  }
  const outs = device.backend.execute(exe.compiled, inputs);
  const avals = exe.jaxpr.outAvals;
  return outs.map((b, i) => new ArrayImpl(avals[i], b, device, committed));
}

/** Run a closed jaxpr on concrete arrays (the eval rule of jit). */
export function runClosedJaxpr(
  cj: ClosedJaxpr,
  args: readonly ArrayImpl[],
  device?: Device | string | null,
): ArrayImpl[] {
  const consts = cj.consts as ArrayImpl[];
  const dev = placement([...args, ...consts], device);
  const exe = compileJaxpr(cj.jaxpr, dev);
  return execute(exe, args, consts);
}

// ---- eager dispatch -----------------------------------------------------------------------------

const eagerCache = new Map<Primitive, Map<string, Jaxpr>>();

/** One-equation jaxpr for a primitive applied to avals, cached by (params, avals). */
function eagerJaxpr(prim: Primitive, avals: ShapedArray[], params: Params): Jaxpr {
  const m = innerMap(eagerCache, prim);
  let key = paramKey(params);
  for (const a of avals) key += a.key();
  let j = m.get(key);
  if (j) {
    compileStats.eagerCacheHits++;
    return j;
  }
  const invars = avals.map((a) => new Var(a));
  const outAvals = prim.rules.abstractEval(avals, params);
  const outvars = outAvals.map((a) => new Var(a));
  j = new Jaxpr([], invars, outvars, [new JaxprEqn(prim, invars, params, outvars)]);
  m.set(key, j);
  return j;
}

function eagerImpl(args: Value[], params: Params, prim: Primitive): Value[] {
  const arrs = args as ArrayImpl[];
  const jaxpr = eagerJaxpr(
    prim,
    arrs.map((a) => a.aval),
    params,
  );
  const dev = placement(arrs);
  return execute(compileJaxpr(jaxpr, dev), arrs, []);
}

evalHooks.eagerImpl = eagerImpl;

export { ShapedArray };
