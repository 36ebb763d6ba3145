/**
 * @file flax.linen.dtypes: the dtype a layer computes in. `promoteDtype` casts a layer's inputs and
 * parameters to one dtype, the given one or the promotion of theirs (made inexact: integer inputs
 * promote with float32), as flax/linen/dtypes.py does.
 */
import { toValue } from '../core/coerce.js';
import { type DType, float32, promoteTypes, toDType } from '../core/dtype.js';
import type { Value } from '../core/trace.js';
import * as jnp from '../numpy/namespace.js';
import { ValueError } from '../transforms/api.js';
import type { DTypeOption } from './module.js';

/** flax's `canonicalize_dtype`: the dtype `promoteDtype` casts to. */
export function canonicalizeDtype(
  args: readonly unknown[],
  dtype: DTypeOption = null,
  inexact = true,
): DType {
  let dt: DType;
  if (dtype === null) {
    const vals = args.filter((a) => a !== null && a !== undefined).map((a) => toValue(a as Value));
    dt = promoteTypes(...vals.map((v) => ({ dtype: v.dtype, weakType: v.weakType }))).dtype;
    if (inexact && !dt.isFloat)
      dt = promoteTypes({ dtype: float32, weakType: false }, { dtype: dt, weakType: false }).dtype;
  } else dt = toDType(dtype);
  if (inexact && !dt.isFloat) throw new ValueError(`Dtype must be inexact: ${dt.name}`);
  return dt;
}

/** flax's `promote_dtype`: every argument cast to one dtype; nulls stay null. */
export function promoteDtype<T extends readonly unknown[]>(
  args: T,
  dtype: DTypeOption = null,
  inexact = true,
): { [K in keyof T]: T[K] extends null ? null : Value } {
  const dt = canonicalizeDtype(args, dtype, inexact);
  return args.map((a) => (a === null || a === undefined ? null : jnp.asarray(a, { dtype: dt }))) as {
    [K in keyof T]: T[K] extends null ? null : Value;
  };
}
