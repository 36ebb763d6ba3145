/**
 * @file Host data (a file's typed array, dtype and shape) as engine arrays and back. With x64 off,
 * 64-bit data narrows as jnp.asarray narrows it, value by value as NumPy's astype does: integers keep
 * their low 32 bits (C's wrap-around), floats round to float32.
 */
import { fromHostData } from '../core/coerce.js';
import { config } from '../core/config.js';
import { canonicalize, type DType, type TypedArray, toDType, typedArrayFor } from '../core/dtype.js';
import type { Value } from '../core/trace.js';

/** What the file formats read and write (src/format's HostArray, without importing it here). */
export interface HostData {
  dtype: string;
  shape: readonly number[];
  data: TypedArray | ArrayLike<number>;
}

/** The dtype 64-bit data takes when x64 is off (itself when it is on, or for narrower data). */
export function narrowedDType(declared: DType): DType {
  return config.enableX64 ? declared : canonicalize(declared);
}

/** The values of `data` in dtype `to`, converted as astype converts them. */
export function convertHost(data: TypedArray, to: DType): TypedArray {
  // A complex dtype stores two numbers per element (complex128 -> complex64 keeps the pairs).
  const out = typedArrayFor(to, data.length / to.lanes);
  if (data instanceof BigInt64Array && !to.isBig)
    for (let i = 0; i < data.length; i++) out[i] = Number(BigInt.asIntN(32, data[i]!));
  else if (data instanceof BigUint64Array && !to.isBig)
    for (let i = 0; i < data.length; i++) out[i] = Number(BigInt.asUintN(32, data[i]!));
  else for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

/** An engine array of host data; `narrowed` says whether 64-bit data had to narrow. */
export function hostToValue(h: HostData): { value: Value; narrowed: DType | null } {
  const declared = toDType(h.dtype);
  const dt = narrowedDType(declared);
  const data = dt === declared ? (h.data as TypedArray) : convertHost(h.data as TypedArray, dt);
  return { value: fromHostData(data, h.shape, dt), narrowed: dt === declared ? null : dt };
}

/** Host data of an engine array (waits for it). */
export async function valueToHost(v: Value): Promise<HostData> {
  return { dtype: v.dtype.name, shape: [...v.shape], data: (await v.data()) as TypedArray };
}
