/**
 * @file jax.scipy.special.bessel_jn (i0, i0e, i1 and i1e are ../bessel.ts): JAX's backward
 * recurrence (Miller's algorithm, a reversed scan normalised by the sum J0 + 2 J2 + 2 J4 + ... = 1),
 * vmapped over the elements as JAX does.
 */
import * as lax from '../../lax/index.js';
import * as jnp from '../../numpy/index.js';
import { promoteArgsInexact } from '../../numpy/util.js';
import { vmap } from '../../transforms/api.js';
import { jit } from '../../transforms/jit.js';
import { k, type V } from './util.js';

/** J_0..J_v at one point z by the recurrence f_k = 2(k+1) f_{k+1} / z - f_{k+2}, run downwards. */
function besselJnOne(z: V, v: number, nIter: number): V {
  const init = [k(z, 0), k(z, 1e-16), k(z, 0), z];
  const [[, , bs], jVals] = lax.scan(
    ([f0, f1, acc, zz]: V[], kk: V) => {
      const f = lax.sub(lax.div(lax.mul(lax.mul(k(zz, 2), lax.add(kk, k(kk, 1))), f1), zz), f0);
      const even = jnp.remainder(kk, 2).eq(0);
      const acc2 = lax.cond(
        even,
        ([b, ff]: V[]) => lax.add(b, lax.mul(k(ff, 2), ff)),
        ([b]: V[]) => b,
        [acc, f],
      ) as V;
      return [[f1, f, acc2, zz], f];
    },
    init,
    lax.iota(z.dtype, nIter + 1),
    { reverse: true },
  ) as [V[], V];
  const f = lax.squeeze(lax.slice(jVals, [0], [1]), [0]);
  const first = lax.slice(jVals, [0], [v + 1]);
  return lax.div(first, lax.sub(bs, f));
}

const besselJnJit = jit(
  function bessel_jn(z: V, v: number, nIter: number): V {
    let fn = (zz: V) => besselJnOne(zz, v, nIter);
    for (let i = 0; i < z.ndim; i++) fn = vmap(fn) as typeof fn;
    return jnp.moveaxis(fn(z), -1, 0);
  },
  { staticArgnums: [1, 2] },
);

/**
 * bessel_jn(z, {v, n_iter=50}): J_0(z), ..., J_v(z) for integer order v, stacked on a new
 * leading axis (shape (v + 1, ...z.shape)).
 */
export function besselJn(z: unknown, opts: { v: number; n_iter?: number; nIter?: number }): V {
  const v = opts?.v;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new TypeError(`Argument v of bessel_jn must be a concrete integer, got ${String(v)}`);
  const nIter = opts.n_iter ?? opts.nIter ?? 50;
  const [zv] = promoteArgsInexact(z);
  return besselJnJit(zv, v, nIter);
}
export { besselJn as bessel_jn };
