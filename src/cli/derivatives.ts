/**
 * @file What `tjax grad` computes: the derivative of a loaded program with respect to chosen inputs,
 * in each mode (gradient, value and gradient, Jacobians, Hessian, JVP with tangents, VJP with a
 * cotangent), as one function of the program's positional inputs, for the command to jit and run.
 * Integer inputs from untyped text sources are promoted to floats; tangents and cotangents take
 * their primal's dtype.
 */
import * as engine from '../engine/index.js';
import { clip } from '../format/quote.js';
import { UsageError } from './errors.js';
import { type Loaded, positional } from './inputs.js';
import { loadSource, parseArgFlag } from './sources.js';

export const MODES = [
  'grad',
  'value-and-grad',
  'jacobian',
  'jacfwd',
  'jacrev',
  'hessian',
  'jvp',
  'vjp',
] as const;
export type Mode = (typeof MODES)[number];

export interface DerivativeFlags {
  wrt?: string;
  tangent?: string[];
  cotangent?: string;
}

/** The derivative of `loaded`'s program in `mode`, as a function of its positional inputs. */
export async function derivative(
  loaded: Loaded,
  mode: Mode,
  flags: DerivativeFlags,
): Promise<(...xs: unknown[]) => unknown> {
  const wrt = flags.wrt === undefined ? [loaded.names[0]] : flags.wrt.split(',').map((s) => s.trim());
  if (wrt.some((w) => w === ''))
    throw new UsageError(`--wrt expects input names separated by commas, got '${clip(flags.wrt ?? '')}'`);
  for (const w of wrt)
    if (!loaded.names.includes(w)) throw new UsageError(`--wrt ${clip(w)}: no --arg named ${clip(w)}`);
  const argnums = wrt.map((w) => loaded.names.indexOf(w));
  for (const i of argnums)
    loaded.values[i] = differentiable(loaded.names[i]!, loaded.values[i], loaded.typed[i]!);
  const f = positional(loaded);
  const keyed = (r: unknown) =>
    wrt.length === 1 ? r : Object.fromEntries(wrt.map((w, i) => [w, (r as unknown[])[i]]));
  const an = wrt.length === 1 ? argnums[0] : argnums;

  let compute!: (...xs: unknown[]) => unknown;
  switch (mode) {
    case 'grad':
      compute = (...xs) => keyed(engine.grad(f, { argnums: an })(...xs));
      break;
    case 'value-and-grad':
      compute = (...xs) => {
        const [value, g] = engine.valueAndGrad(f, { argnums: an })(...xs);
        return { value, grad: keyed(g) };
      };
      break;
    case 'jacobian':
    case 'jacrev':
      compute = (...xs) => keyed(engine.jacrev(f, { argnums: an })(...xs));
      break;
    case 'jacfwd':
      compute = (...xs) => keyed(engine.jacfwd(f, { argnums: an })(...xs));
      break;
    case 'hessian':
      compute = (...xs) => keyed(engine.hessian(f, { argnums: an })(...xs));
      break;
    case 'jvp': {
      const given = new Map(
        (flags.tangent ?? []).map((t) => {
          const a = parseArgFlag(t);
          return [a.name, a.spec] as const;
        }),
      );
      for (const w of wrt)
        if (!given.has(w))
          throw new UsageError(`--mode jvp needs --tangent ${w}=SOURCE for each --wrt input`);
      for (const k of given.keys())
        if (!wrt.includes(k)) throw new UsageError(`--tangent ${k}: ${k} is not a --wrt input`);
      const tangents: unknown[] = [];
      for (const w of wrt)
        tangents.push(likePrimal(await loadSource(given.get(w)!), loaded.values[loaded.names.indexOf(w)]));
      compute = (...xs) => {
        const g = (...ws: unknown[]) =>
          f(...xs.map((x, i) => (argnums.includes(i) ? ws[argnums.indexOf(i)] : x)));
        const [primal, tangent] = engine.jvp(
          g,
          argnums.map((i) => xs[i]),
          tangents,
        );
        return { primal, tangent };
      };
      break;
    }
    case 'vjp': {
      if (!flags.cotangent)
        throw new UsageError('--mode vjp needs --cotangent SOURCE (shaped like the output)');
      const ct = await loadSource(flags.cotangent);
      compute = (...xs) => {
        const g = (...ws: unknown[]) =>
          f(...xs.map((x, i) => (argnums.includes(i) ? ws[argnums.indexOf(i)] : x)));
        const [primal, pullback] = engine.vjp(g, ...argnums.map((i) => xs[i]));
        const cts = pullback(likePrimal(ct, primal)) as unknown[];
        return { primal, cotangent: wrt.length === 1 ? cts[0] : keyed(cts) };
      };
      break;
    }
  }
  return compute;
}

/**
 * An input to differentiate: integers read from text (an inline `[1,2,3]`, JSON, CSV) are promoted
 * to the default float dtype, since text does not say 1 from 1.0; an integer array from a typed
 * source (NPY, NPZ) keeps JAX's error.
 */
function differentiable(name: string, value: unknown, typed: boolean): unknown {
  return engine.tree.map((v: unknown) => {
    if (!(v instanceof engine.Array) || v.dtype.isInexact) return v;
    if (!typed && v.dtype.isInt) return v.astype(engine.config.enableX64 ? 'float64' : 'float32');
    throw new UsageError(
      `cannot differentiate with respect to '${name}': it is ${v.dtype.name}, and derivatives need floating-point inputs ` +
        '(write 1.0 rather than 1 in JSON, or use a float NPY file)',
    );
  }, value);
}

/** A tangent or cotangent cast leaf by leaf to the float dtype of the primal it goes with. */
function likePrimal(t: unknown, primal: unknown): unknown {
  return engine.tree.map(
    (x: unknown, p: unknown) =>
      x instanceof engine.Array &&
      p &&
      typeof p === 'object' &&
      'dtype' in p &&
      x.dtype !== (p as engine.Array).dtype
        ? x.astype((p as engine.Array).dtype)
        : x,
    t,
    primal,
  );
}
