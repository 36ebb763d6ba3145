/**
 * @file The names an expression can use: the numpy namespace (as `sin`, and as `jnp.sin`), `lax`,
 * the transformations, and dtype names. Free names that are not here bind to `--arg` inputs.
 * Only these objects, arrays and their documented methods are reachable from an expression.
 */
import * as engine from '../engine/index.js';

/** A namespace value in scope: attribute access reads only its own listed members. */
export class Namespace {
  constructor(
    readonly name: string,
    readonly members: ReadonlyMap<string, unknown>,
  ) {}
  get(attr: string): unknown {
    return this.members.get(attr);
  }
  has(attr: string): boolean {
    return this.members.has(attr);
  }
}

function fromModule(name: string, mod: Record<string, unknown>): Namespace {
  const m = new Map<string, unknown>();
  for (const [k, v] of Object.entries(mod)) {
    if (k.startsWith('_')) continue;
    if (v && typeof v === 'object' && !(v instanceof engine.DType) && !Array.isArray(v)) {
      m.set(k, fromModule(`${name}.${k}`, v as Record<string, unknown>));
    } else m.set(k, v);
  }
  return new Namespace(name, m);
}

let cached: Map<string, unknown> | null = null;

/** The global names of the expression language. */
export function builtins(): Map<string, unknown> {
  if (cached) return cached;
  const jnp = fromModule('jnp', engine.numpy as unknown as Record<string, unknown>);
  const lax = fromModule('lax', engine.lax as unknown as Record<string, unknown>);
  const m = new Map<string, unknown>();
  for (const [k, v] of jnp.members) m.set(k, v);
  m.set('jnp', jnp);
  m.set('np', jnp);
  m.set('numpy', jnp);
  m.set('lax', lax);
  m.set('nn', fromModule('nn', engine.nn as unknown as Record<string, unknown>));
  // The transformations, under JAX's Python names.
  m.set('jit', engine.jit);
  m.set('grad', engine.grad);
  m.set('value_and_grad', engine.valueAndGrad);
  m.set('vmap', engine.vmap);
  m.set('jacfwd', engine.jacfwd);
  m.set('jacrev', engine.jacrev);
  m.set('jacobian', engine.jacobian);
  m.set('hessian', engine.hessian);
  m.set('stop_gradient', engine.stopGradient);
  // Python builtins that make sense on arrays.
  m.set('abs', engine.numpy.abs);
  m.set('min', engine.numpy.min);
  m.set('max', engine.numpy.max);
  m.set('round', engine.numpy.round);
  m.set('pi', Math.PI);
  m.set('e', Math.E);
  m.set('inf', Number.POSITIVE_INFINITY);
  m.set('nan', Number.NaN);
  m.set('newaxis', null);
  cached = m;
  return m;
}
