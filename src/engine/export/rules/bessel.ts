/**
 * @file Export rules of lax.bessel_i0e and bessel_i1e, as JAX 0.10.2 lowers them
 * (jax/_src/lax/special.py): bessel_i1e is CHLO's `chlo.bessel_i1e`; bessel_i0e is
 * mlir.lower_fun of JAX's Python port of Cephes' i0e (a Chebyshev series for |x| <= 8 and one in
 * 32/|x| beyond, chosen by select; float16 computed in float32), written here with lax so the
 * module has JAX's ops in JAX's order. The kernel-IR lowering (primitives/bessel.ts) computes the
 * same series. Imported by engine/index.ts once lax is loaded, as special.ts is.
 */
import { float32 } from '../../core/dtype.js';
import type { Value } from '../../core/trace.js';
import { convertElementType } from '../../lax/convert.js';
import { abs, add, div, le, mul, select, sqrt, sub } from '../../lax/elementwise.js';
import { fullLike } from '../../lax/fill.js';
import { I0E_A32, I0E_A64, I0E_B32, I0E_B64 } from '../../primitives/bessel.js';
import { nary } from './elementwise.js';
import { registerLoweredFun } from './special.js';

nary('bessel_i1e', 'bessel_i1e', true);

/** JAX's evaluate_chebyshev_polynomial, on full_like constants. */
function chebyshev(x: Value, coeffs: readonly number[], round: boolean): Value {
  let b0 = fullLike(x, 0);
  let b1 = fullLike(x, 0);
  let b2 = fullLike(x, 0);
  for (const c of coeffs) {
    b2 = b1;
    b1 = b0;
    b0 = add(sub(mul(x, b1), b2), fullLike(x, round ? Math.fround(c) : c));
  }
  return mul(0.5, sub(b0, b2));
}

function i0eImpl(x0: Value, is64: boolean): Value {
  const x = abs(x0);
  const [a, b] = is64 ? [I0E_A64, I0E_B64] : [I0E_A32, I0E_B32];
  const half = fullLike(x, 0.5);
  const two = fullLike(x, 2.0);
  const thirtyTwo = fullLike(x, 32.0);
  const le8 = chebyshev(sub(mul(half, x), two), a, !is64);
  const gt8 = div(chebyshev(sub(div(thirtyTwo, x), two), b, !is64), sqrt(x));
  return select(le(x, 8.0), le8, gt8);
}

registerLoweredFun('bessel_i0e', (x: Value) => {
  if (x.dtype.name === 'float64') return i0eImpl(x, true);
  if (x.dtype.name === 'float32') return i0eImpl(x, false);
  return convertElementType(i0eImpl(convertElementType(x, float32), false), x.dtype);
});
