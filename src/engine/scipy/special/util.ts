/**
 * @file Plumbing shared by the jax.scipy.special functions of this folder, in the vocabulary of
 * JAX's own source (jax/_src/scipy/special.py): promote_args_inexact, finfo, polyval with
 * constant coefficients, piecewise and vectorize. The functions here are compositions of
 * jnp/lax operations, so they trace, jit into fused kernels and differentiate through the
 * primitives' rules (or through custom_jvp where JAX defines one).
 */
import { type DType, float16, float64 } from '../../core/dtype.js';
import type { Value } from '../../core/trace.js';
import * as lax from '../../lax/index.js';
import * as jnp from '../../numpy/index.js';
import { promoteArgsInexact, promoteShapes } from '../../numpy/util.js';
import { vmap } from '../../transforms/api.js';

export type V = Value;

/** promote_args_inexact: a common inexact dtype and NumPy rank promotion (lax broadcasts 1s). */
export function promote(name: string, ...xs: unknown[]): V[] {
  return promoteShapes(name, promoteArgsInexact(...xs));
}

/** Wrap an implementation as a named function of `nargs` array arguments, promoted as JAX does. */
export function special<F extends (...a: V[]) => V>(name: string, nargs: number, f: F) {
  const g = (...xs: unknown[]): V => {
    if (xs.length !== nargs)
      throw new TypeError(`${name}() takes ${nargs} positional arguments but ${xs.length} were given`);
    return f(...promote(name, ...xs));
  };
  Object.defineProperty(g, 'name', { value: name });
  return g;
}

/** finfo(dtype).eps, tiny and max. */
export function finfo(dt: DType) {
  if (dt === float64) return { eps: 2 ** -52, tiny: 2.2250738585072014e-308, max: Number.MAX_VALUE };
  if (dt === float16) return { eps: 2 ** -10, tiny: 6.103515625e-5, max: 65504 };
  return { eps: 2 ** -23, tiny: 1.1754943508222875e-38, max: 3.4028234663852886e38 };
}

/** A strongly typed 0-d constant of x's dtype (JAX's `_lax_const(x, v)`). */
export function k(x: V, v: number): V {
  return lax.convertElementType(v, x.dtype);
}

/** lax.full_like(x, v): v in x's dtype (and weak type) broadcast to x's shape. */
export function fullLike(x: V, v: number): V {
  const c = lax.convertElementType(v, x.dtype, x.weakType);
  return x.ndim ? lax.broadcastInDim(c, x.shape, []) : c;
}

/**
 * jnp.polyval(c, x) for constant coefficients, highest degree first, as JAX's scipy.special
 * calls it: the coefficients become an array of x's dtype (a constant of the traced program) and
 * the jitted polyval's scan evaluates Horner's rule from 0 (so an infinite x gives NaN there too).
 */
export function polyval(c: readonly number[], x: V): V {
  return jnp.polyval(jnp.array(c, { dtype: x.dtype }), x);
}

type Branch = number | ((x: V) => V);

/**
 * jnp.piecewise(x, conds, funcs): every branch is computed on the whole array (as XLA evaluates
 * JAX's vectorized switch) and the first true condition picks, the last function where none is.
 */
export function piecewise(x: V, conds: V[], funcs: Branch[]): V {
  const vals = funcs.map((f) => (typeof f === 'number' ? fullLike(x, f) : f(x)));
  let out = vals[vals.length - 1];
  for (let i = conds.length - 1; i >= 0; i--) out = jnp.where(conds[i], vals[i], out);
  return out;
}

/**
 * jnp.vectorize over scalar arguments: broadcast, flatten, vmap the scalar function, reshape.
 * JAX's per-element while loops become one batched loop that runs until every element is done.
 */
export function vectorize(f: (...xs: V[]) => V): (...xs: V[]) => V {
  return (...xs: V[]) => {
    const shape = jnp.broadcast_shapes(...xs.map((x) => x.shape)) as number[];
    if (shape.length === 0) return f(...xs);
    const flat = xs.map((x) => jnp.ravel(jnp.broadcast_to(x, shape)));
    return jnp.reshape(vmap(f)(...flat) as V, shape);
  };
}
