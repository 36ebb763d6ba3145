/**
 * @file lax.convert_element_type. Concrete host values convert at once (no equation is staged),
 * as JAX converts Python scalars and NumPy constants. The conversion runs the primitive's own
 * one-equation program through the eager compile path, so a value converts the same way on the
 * host, eagerly and under jit (saturating float -> int, NaN -> 0, wrapping int -> int).
 */
import { ArrayImpl } from '../core/array.js';
import { toValue } from '../core/coerce.js';
import { canonicalize, type DType, type DTypeLike, toDType } from '../core/dtype.js';
import { bind1, evalHooks, type Value } from '../core/trace.js';
import { convert_element_type } from '../primitives/elementwise.js';

function hostConvert(x: ArrayImpl, dtype: DType, weakType: boolean): ArrayImpl {
  const params = { new_dtype: dtype, sharding: null, weak_type: weakType };
  const [out] = evalHooks.eagerImpl!([x], params, convert_element_type) as ArrayImpl[];
  const r = new ArrayImpl(out.aval, out.buffer, out.device, x.committed);
  // Keep a host copy so the result can become a jaxpr literal or another host conversion.
  if (out.device.backend.toHostSync) r.hostCache = out.dataSync();
  return r;
}

export function convertElementType(x: unknown, dtype: DTypeLike, weakType = false): Value {
  const v = toValue(x);
  const dt = canonicalize(toDType(dtype));
  if (v.dtype === dt && v.weakType === weakType) return v;
  if (v instanceof ArrayImpl && v.hostCache) return hostConvert(v, dt, weakType);
  return bind1(convert_element_type, [v], { new_dtype: dt, sharding: null, weak_type: weakType });
}
