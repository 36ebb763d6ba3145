/**
 * @file lax.convert_element_type and the broadcasting helpers every namespace needs. Concrete
 * host values convert on the host (no equation is staged), as JAX converts Python scalars.
 */
import { ArrayImpl } from '../core/array.js';
import { fillTyped, toValue } from '../core/coerce.js';
import { type DType, type DTypeLike, canonicalize, float16, toDType } from '../core/dtype.js';
import { bind1, type Value } from '../core/trace.js';
import { h2f } from '../backends/cpu/runtime.js';
import { convert_element_type } from '../primitives/elementwise.js';

function hostConvert(x: ArrayImpl, dtype: DType, weakType: boolean): ArrayImpl {
  const src = x.hostCache!;
  const vals: (number | bigint)[] = new Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    vals[i] = x.dtype === float16 ? h2f(v as number) : v;
  }
  let data;
  if (dtype.isInt && x.dtype.isFloat) {
    // Saturating truncation, NaN -> 0, as the kernels convert.
    data = fillTyped(
      dtype,
      vals.map((v) => (Number.isNaN(v) ? 0 : Math.trunc(Number(v)))),
    );
  } else data = fillTyped(dtype, vals as number[]);
  return ArrayImpl.fromHost(data, x.shape, dtype, x.device, weakType, x.committed);
}

export function convertElementType(x: unknown, dtype: DTypeLike, weakType = false): Value {
  const v = toValue(x);
  const dt = canonicalize(toDType(dtype));
  if (v.dtype === dt && v.weakType === weakType) return v;
  if (v instanceof ArrayImpl && v.hostCache) return hostConvert(v, dt, weakType);
  return bind1(convert_element_type, [v], { new_dtype: dt, sharding: null, weak_type: weakType });
}
