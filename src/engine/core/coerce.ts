/**
 * @file Turning JS values into arrays: scalars become weakly typed 0-d arrays (as Python scalars
 * are weak in JAX), nested lists and typed arrays become arrays with NumPy's dtype inference.
 */

import type { Device } from '../backends/backend.js';
import { f2h } from '../backends/cpu/runtime.js';
import { defaultDevice, resolveDevice } from '../backends/registry.js';
import { ArrayImpl } from './array.js';
import { ShapedArray } from './aval.js';
import { Complex } from './complex.js';
import {
  bool,
  canonicalize,
  type DType,
  defaultComplex,
  defaultFloat,
  defaultInt,
  float16,
  float32,
  float64,
  int8,
  int16,
  int32,
  int64,
  type TypedArray,
  typedArrayFor,
  uint8,
  uint16,
  uint32,
  uint64,
} from './dtype.js';
import { OverflowError } from './errors.js';
import { ArrayMethods } from './methods.js';
import type { Value } from './trace.js';

export type ArrayInput = Value | number | boolean | bigint | Complex | TypedArray | readonly unknown[];

/**
 * Write JS numbers into a typed array of `dtype`, converting as NumPy's astype would. A complex
 * dtype gets (re, im) pairs; a Complex value written to a real dtype keeps its real part.
 */
export function fillTyped(
  dtype: DType,
  values: globalThis.ArrayLike<number | boolean | bigint | Complex>,
): TypedArray {
  const out = typedArrayFor(dtype, values.length);
  for (let i = 0; i < values.length; i++) {
    const raw = values[i];
    if (dtype.isComplex) {
      out[2 * i] = raw instanceof Complex ? raw.re : Number(raw);
      out[2 * i + 1] = raw instanceof Complex ? raw.im : 0;
      continue;
    }
    const v = raw instanceof Complex ? raw.re : raw;
    if (dtype.isBig) (out as BigInt64Array)[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    else if (dtype === float16) (out as Uint16Array)[i] = f2h(Number(v));
    else if (dtype.isBool) out[i] = v ? 1 : 0;
    else if (dtype.isInt && typeof v === 'number' && !Number.isFinite(v)) out[i] = 0;
    else out[i] = Number(v);
  }
  return out;
}

/** Whether an integer fits the default integer dtype (int32, or int64 under x64). */
function fitsDefaultInt(v: number | bigint): boolean {
  const bits = defaultInt().itemsize * 8;
  const b = typeof v === 'bigint' ? v : BigInt(v);
  return b >= -(1n << BigInt(bits - 1)) && b < 1n << BigInt(bits - 1);
}

/**
 * A 0-d array holding a JS scalar; weakly typed for numbers, as Python scalars are in JAX. A bigint
 * is a Python int: one that does not fit the default integer dtype raises JAX's OverflowError
 * (wrapping it would give a silently wrong result). A JS number is a weak int when it is an integer
 * in that range, and a weak float otherwise (JS has one number type: 2 ** 40 or 1e20 written in
 * JavaScript means the number, not an int32 that wraps).
 */
export function scalarArray(
  v: number | boolean | bigint | Complex,
  dtype?: DType,
  device?: Device,
): ArrayImpl {
  let dt: DType;
  let weak = false;
  if (dtype) dt = dtype;
  else if (v instanceof Complex) {
    // A Python complex: weakly typed complex (the lattice's c*).
    dt = defaultComplex();
    weak = true;
  } else if (typeof v === 'boolean') dt = bool;
  else if (typeof v === 'bigint') {
    dt = defaultInt();
    if (!fitsDefaultInt(v)) throw new OverflowError(`Python int ${v} too large to convert to ${dt.name}`);
    weak = true;
  } else {
    dt = Number.isInteger(v) && !Object.is(v, -0) && fitsDefaultInt(v) ? defaultInt() : defaultFloat();
    weak = true;
  }
  const a = ArrayImpl.fromHost(fillTyped(dt, [v]), [], dt, device ?? defaultDevice(), weak);
  if (weak && typeof v === 'number') pyScalars.set(a, v);
  return a;
}

/**
 * The JS number a weakly typed scalar was made from. JAX keeps a Python scalar as it is until a
 * promotion converts it, so a weak literal prints the Python value (`0.2`), where the float32 it
 * holds would print `0.20000000298023224`.
 */
const pyScalars = new WeakMap<object, number>();

export function pyScalarOf(x: unknown): number | undefined {
  return typeof x === 'object' && x !== null ? pyScalars.get(x) : undefined;
}

/**
 * Scalars JAX makes as device arrays (`full`, `zeros_like`: what instantiated zero tangents and
 * `_zeros`/`_ones` are), as opposed to NumPy constants (`_const`, Python scalars). Both print as
 * literals, but JAX's partial evaluation of a jaxpr passes a device-array literal that an unknown
 * equation reads across as a residual, and inlines a NumPy one: grad jaxprs show the difference.
 */
const deviceScalars = new WeakSet<object>();

/** scalarArray, marked as one of JAX's device-array scalars (see deviceScalars). */
export function deviceScalar(v: number | boolean | bigint, dtype: DType): ArrayImpl {
  const a = scalarArray(v, dtype);
  deviceScalars.add(a);
  return a;
}

export function isDeviceScalar(x: unknown): boolean {
  return typeof x === 'object' && x !== null && deviceScalars.has(x);
}

function dtypeOfTyped(t: TypedArray): DType {
  if (t instanceof Float32Array) return float32;
  if (t instanceof Float64Array) return float64;
  if (t instanceof Int32Array) return int32;
  if (t instanceof Uint32Array) return uint32;
  if (t instanceof Int16Array) return int16;
  if (t instanceof Uint16Array) return uint16;
  if (t instanceof Int8Array) return int8;
  if (t instanceof Uint8Array) return uint8;
  if (t instanceof BigInt64Array) return int64;
  return uint64;
}

/** Shape and flat leaves of a (rectangular) nested JS list. */
export function nestedShape(v: unknown): { shape: number[]; flat: unknown[] } {
  const shape: number[] = [];
  let probe: unknown = v;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat: unknown[] = [];
  const go = (x: unknown, d: number, path: string) => {
    if (d === shape.length) {
      if (Array.isArray(x))
        throw new TypeError(
          `setting an array element with a sequence: inhomogeneous shape at ${path || 'top'}`,
        );
      flat.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d]) {
      throw new TypeError(
        `setting an array element with a sequence. The requested array has an inhomogeneous shape after ${d} dimensions. ` +
          `The detected shape was (${shape.slice(0, d).join(', ')}${d === 1 ? ',' : ''}) + inhomogeneous part.`,
      );
    }
    x.forEach((e, i) => {
      go(e, d + 1, `${path}[${i}]`);
    });
  };
  go(v, 0, '');
  return { shape, flat };
}

/** NumPy's dtype inference for a list of JS scalars (x32: canonicalized), and whether weak. */
function inferDType(flat: unknown[], isScalar: boolean): { dtype: DType; weak: boolean } {
  let kind: 'b' | 'i' | 'f' | 'c' = 'b';
  for (const x of flat) {
    if (x instanceof ArrayMethods) {
      const d = x.dtype;
      if (d.isComplex) kind = 'c';
      else if (d.isFloat && kind !== 'c') kind = 'f';
      else if (d.isInt && kind === 'b') kind = 'i';
      continue;
    }
    if (x instanceof Complex) {
      kind = 'c';
      continue;
    }
    if (typeof x === 'boolean') continue;
    if (typeof x === 'bigint') {
      if (kind === 'b') kind = 'i';
    } else if (typeof x === 'number') {
      if (!Number.isInteger(x) || Object.is(x, -0)) {
        if (kind !== 'c') kind = 'f';
      } else if (kind === 'b') kind = 'i';
    } else throw new TypeError(`cannot convert ${String(x)} (${typeof x}) to an array element`);
  }
  if (flat.length === 0) return { dtype: defaultFloat(), weak: false };
  const dtype =
    kind === 'b' ? bool : kind === 'i' ? defaultInt() : kind === 'f' ? defaultFloat() : defaultComplex();
  // Python scalars are weak; lists of them are not (jnp.array([1, 2]) is int32, not weak).
  return { dtype, weak: isScalar && kind !== 'b' };
}

export interface AsArrayOptions {
  dtype?: DType;
  device?: Device | string | null;
}

/** jnp.asarray without tracing: a concrete array from JS data. */
export function hostArray(v: unknown, opts: AsArrayOptions = {}): ArrayImpl {
  const device = opts.device ? resolveDevice(opts.device) : defaultDevice();
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const t = v as TypedArray;
    const src = dtypeOfTyped(t);
    const dt = opts.dtype ?? canonicalize(src);
    const data =
      dt === src ? (t.slice() as TypedArray) : fillTyped(dt, Array.from(t as globalThis.ArrayLike<number>));
    return ArrayImpl.fromHost(data, [t.length], dt, device);
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v instanceof Complex) {
    return scalarArray(v, opts.dtype, device);
  }
  const { shape, flat } = nestedShape(v);
  const { dtype, weak } = inferDType(flat, false);
  const dt = opts.dtype ?? dtype;
  const values = flat.map((x) => (x instanceof ArrayImpl ? elementOf(x) : (x as number | Complex)));
  return ArrayImpl.fromHost(fillTyped(dt, values), shape, dt, device, weak && !opts.dtype);
}

/** The one element of a size-1 array in a nested list, as a JS scalar (Complex for complex). */
function elementOf(x: ArrayImpl): number | Complex {
  const d = x.dataSync();
  return x.dtype.isComplex ? new Complex(d[0] as number, d[1] as number) : (d[0] as number);
}

export function isValue(x: unknown): x is Value {
  return x instanceof ArrayMethods;
}

/** A value for a primitive: arrays pass through, JS scalars become weak 0-d arrays. */
export function toValue(x: unknown): Value {
  if (x instanceof ArrayMethods) return x as Value;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint' || x instanceof Complex)
    return scalarArray(x);
  if (Array.isArray(x) && x.some((e) => e instanceof ArrayMethods && !(e instanceof ArrayImpl))) {
    throw new TypeError('lists containing traced arrays must be stacked with jnp.stack');
  }
  return hostArray(x);
}

export { ShapedArray };

/** An array from C-ordered host data already in the dtype's storage form (see typedArrayFor). */
export function fromHostData(
  data: TypedArray,
  shape: readonly number[],
  dtype: DType,
  device?: Device | string | null,
): ArrayImpl {
  return ArrayImpl.fromHost(data, shape, dtype, device ? resolveDevice(device) : defaultDevice());
}
