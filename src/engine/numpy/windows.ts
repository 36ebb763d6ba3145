/**
 * @file The window functions of jax.numpy: bartlett, blackman, hamming, hanning and kaiser, as
 * JAX 0.10.2 writes them (jax/_src/numpy/window_functions.py), in the default float dtype:
 * expressions of n = iota(M) with the same constants and order of operations, so values match
 * JAX's bit for bit; kaiser divides i0(beta sqrt(1 - ((n - alpha) / alpha)^2)) by i0(beta).
 */

import { defaultFloat } from '../core/dtype.js';
import { ConcretizationTypeError } from '../core/errors.js';
import { isTracer, type Value } from '../core/trace.js';
import { full } from '../lax/fill.js';
import { iota } from '../lax/structural.js';
import { i0 } from './math.js';
import * as uf from './ufuncs.js';

function windowLength(M: unknown, name: string): number {
  if (isTracer(M))
    throw new ConcretizationTypeError((M as Value).aval.toString(), `M argument of jnp.${name}`);
  const n = Number(M);
  if (!Number.isInteger(n)) throw new TypeError(`'${typeof M}' object cannot be interpreted as an integer`);
  return n;
}

/** The window body on n = 0..M-1, or ones for M <= 1 (an empty array for M <= 0). */
function window(M0: unknown, name: string, body: (n: Value, M: number) => Value): Value {
  const M = windowLength(M0, name);
  const dtype = defaultFloat();
  if (M <= 1) return full([Math.max(M, 0)], 1, dtype);
  return body(iota(dtype, M), M);
}

/** jnp.blackman(M): the Blackman window. */
export function blackman(M: number): Value {
  return window(M, 'blackman', (n, m) =>
    uf.add(
      uf.subtract(0.42, uf.multiply(0.5, uf.cos(uf.true_divide(uf.multiply(2 * Math.PI, n), m - 1)))),
      uf.multiply(0.08, uf.cos(uf.true_divide(uf.multiply(4 * Math.PI, n), m - 1))),
    ),
  );
}

/** jnp.bartlett(M): the triangular (Bartlett) window. */
export function bartlett(M: number): Value {
  return window(M, 'bartlett', (n, m) =>
    uf.subtract(1, uf.true_divide(uf.abs(uf.subtract(uf.add(uf.multiply(2, n), 1), m)), m - 1)),
  );
}

/** jnp.hamming(M): the Hamming window. */
export function hamming(M: number): Value {
  return window(M, 'hamming', (n, m) =>
    uf.subtract(0.54, uf.multiply(0.46, uf.cos(uf.true_divide(uf.multiply(2 * Math.PI, n), m - 1)))),
  );
}

/** jnp.hanning(M): the Hann window. */
export function hanning(M: number): Value {
  return window(M, 'hanning', (n, m) =>
    uf.multiply(0.5, uf.subtract(1, uf.cos(uf.true_divide(uf.multiply(2 * Math.PI, n), m - 1)))),
  );
}

/** jnp.kaiser(M, beta): the Kaiser window with shape parameter beta. */
export function kaiser(M: number, beta: unknown): Value {
  return window(M, 'kaiser', (n, m) => {
    const alpha = 0.5 * (m - 1);
    const r = uf.true_divide(uf.subtract(n, alpha), alpha);
    return uf.true_divide(i0(uf.multiply(beta, uf.sqrt(uf.subtract(1, uf.power(r, 2))))), i0(beta));
  });
}
