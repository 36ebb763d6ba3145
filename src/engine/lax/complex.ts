/**
 * @file lax's complex-number functions: `lax.real`, `lax.imag`, `lax.complex`, `lax.conj`
 * (jax/_src/lax/lax.py), binding the primitives of primitives/complex.ts.
 */
import { toValue } from '../core/coerce.js';
import { bind1, type Value } from '../core/trace.js';
import * as P from '../primitives/complex.js';

export function real(x: unknown): Value {
  return bind1(P.real, [toValue(x)]);
}

export function imag(x: unknown): Value {
  return bind1(P.imag, [toValue(x)]);
}

/** lax.complex(x, y) = x + i y, for float32 or float64 operands of one dtype. */
export function complex(x: unknown, y: unknown): Value {
  return bind1(P.complex, [toValue(x), toValue(y)]);
}

export function conj(x: unknown): Value {
  const v = toValue(x);
  return bind1(P.conj, [v], { input_dtype: v.dtype });
}
