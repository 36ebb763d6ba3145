/**
 * @file jax.numpy's complex-number functions: real, imag, conj/conjugate, angle, iscomplex,
 * isreal, iscomplexobj, isrealobj, sort_complex (and the ComplexWarning class), as
 * jax/_src/numpy/ufuncs.py and lax_numpy.py define them (a real operand passes through real/conj
 * unchanged and has a zero imaginary part; `angle` is a jitted function, so its jaxpr shows
 * `jit[name=angle ...]` as JAX's does).
 */
import { Complex } from '../core/complex.js';
import { complexOf, defaultFloat } from '../core/dtype.js';
import type { Value } from '../core/trace.js';
import * as lc from '../lax/complex.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { sort as laxSort } from '../lax/sorting.js';
import { jit, namedJit } from '../transforms/jit.js';
import { zerosLike } from './creation.js';
import { rad2deg } from './ufuncs.js';
import { asValue } from './util.js';

/**
 * NumPy's ComplexWarning: what a complex -> real conversion warns with (emitted through
 * process.emitWarning with this name; the class is exported, as jnp exports numpy's).
 */
export class ComplexWarning extends Error {
  override name = 'ComplexWarning';
}

/** jnp.sort_complex: lax.sort along the last axis (real part first, then imaginary), as complex; jitted as JAX's. */
const sortComplexJit = jit(function sort_complex(a: Value): Value {
  const v = laxSort(a);
  return convertElementType(v, complexOf(v.dtype.isInexact ? v.dtype : defaultFloat()));
});
export function sort_complex(a: unknown): Value {
  return sortComplexJit(asValue(a));
}
export const sortComplex = sort_complex;

/** jnp.iscomplexobj: whether the value's dtype is complex (a JS Complex scalar is). */
export function iscomplexobj(x: unknown): boolean {
  if (x instanceof Complex) return true;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return false;
  return asValue(x).dtype.isComplex;
}

export function isrealobj(x: unknown): boolean {
  return !iscomplexobj(x);
}

export function real(x: unknown): Value {
  const v = asValue(x);
  return v.dtype.isComplex ? lc.real(v) : v;
}

export function imag(x: unknown): Value {
  const v = asValue(x);
  return v.dtype.isComplex ? lc.imag(v) : zerosLike(v);
}

export function conjugate(x: unknown): Value {
  const v = asValue(x);
  return v.dtype.isComplex ? lc.conj(v) : v;
}
export const conj = conjugate;

const angleJit = jit(function angle(z: Value): Value {
  let re = real(z);
  let im = imag(z);
  // An integer operand, or a real 0-d one, gives the default float dtype (JAX's rule).
  if (!re.dtype.isInexact || (z.dtype.isFloat && z.ndim === 0)) {
    re = convertElementType(re, defaultFloat());
    im = convertElementType(im, defaultFloat());
  }
  return lax.atan2(im, re);
});

/** jnp.angle(z, deg=false): the argument of z, atan2(imag z, real z). */
export function angle(z: unknown, deg = false): Value {
  const r = angleJit(asValue(z)) as Value;
  return deg ? rad2deg(r) : r;
}

const iscomplexJit = namedJit('iscomplex', function iscomplex(x: Value): Value {
  return lax.ne(imag(x), 0);
});
const isrealJit = namedJit('isreal', function isreal(x: Value): Value {
  return lax.eq(imag(x), 0);
});

/** jnp.iscomplex: elementwise, whether the imaginary part is nonzero (jitted, as JAX's). */
export function iscomplex(x: unknown): Value {
  return iscomplexJit(asValue(x));
}

/** jnp.isreal: elementwise, whether the imaginary part is zero (jitted, as JAX's). */
export function isreal(x: unknown): Value {
  return isrealJit(asValue(x));
}
