/**
 * @file lax.convert_element_type. Concrete host values convert at once (no equation is staged),
 * as JAX converts Python scalars and NumPy constants. The conversion runs the primitive's own
 * one-equation program through the eager compile path, so a value converts the same way on the
 * host, eagerly and under jit (saturating float -> int, NaN -> 0, wrapping int -> int).
 */
import { resolveDevice } from '../backends/registry.js';
import { ArrayImpl } from '../core/array.js';
import { toValue } from '../core/coerce.js';
import { canonicalize, type DType, type DTypeLike, toDType } from '../core/dtype.js';
import { bind1, evalHooks, type Value } from '../core/trace.js';
import { convert_element_type } from '../primitives/elementwise.js';

function hostConvert(x: ArrayImpl, dtype: DType, weakType: boolean): ArrayImpl {
  const params = { new_dtype: dtype, sharding: null, weak_type: weakType };
  // Convert on a device that can read back synchronously (the CPU when x's device cannot), so the
  // result keeps a host copy and can become a jaxpr literal or another host conversion.
  const readable = x.device.backend.toHostSync !== undefined;
  const src = readable
    ? x
    : ArrayImpl.fromHost(x.hostCache!, x.shape, x.dtype, resolveDevice('cpu'), x.weakType, true);
  const [out] = evalHooks.eagerImpl!([src], params, convert_element_type) as ArrayImpl[];
  if (!readable) {
    return ArrayImpl.fromHost(out.dataSync(), out.shape, out.dtype, x.device, out.weakType, x.committed);
  }
  const r = new ArrayImpl(out.aval, out.buffer, out.device, x.committed);
  r.hostCache = out.dataSync();
  return r;
}

let warnedComplexToReal = false;

/** JAX's ComplexWarning on a complex -> real conversion (shown once per process, as Python's
 * default warning filter shows it once per call site). */
function warnComplexToReal(): void {
  if (warnedComplexToReal) return;
  warnedComplexToReal = true;
  process.emitWarning('Casting complex values to real discards the imaginary part', 'ComplexWarning');
}

export function convertElementType(x: unknown, dtype: DTypeLike, weakType = false): Value {
  const v = toValue(x);
  const dt = canonicalize(toDType(dtype));
  if (v.dtype === dt && v.weakType === weakType) return v;
  if (v.dtype.isComplex && !dt.isComplex) warnComplexToReal();
  if (v instanceof ArrayImpl && v.hostCache) return hostConvert(v, dt, weakType);
  return bind1(convert_element_type, [v], { new_dtype: dt, sharding: null, weak_type: weakType });
}
