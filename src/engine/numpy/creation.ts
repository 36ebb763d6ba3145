/**
 * @file Array creation: array/asarray from JS data (typed arrays, nested lists, scalars) and
 * the constructors zeros ones full empty arange linspace eye identity and the *_like family.
 */

import type { Device } from '../backends/backend.js';
import { defaultDevice, resolveDevice } from '../backends/registry.js';
import { ArrayImpl } from '../core/array.js';
import { fillTyped, hostArray, isValue } from '../core/coerce.js';
import { Complex } from '../core/complex.js';
import {
  bool,
  type DType,
  type DTypeLike,
  defaultComplex,
  defaultFloat,
  defaultInt,
  promoteTypes,
  typedArrayFor,
} from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { checkShape } from '../core/shape.js';
import { bind1, currentDynamicTrace, type Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import { iota } from '../primitives/structural.js';
import * as uf from './ufuncs.js';
import { asValue, broadcastTo, dtypeOpt } from './util.js';

export interface CreateOptions {
  dtype?: DTypeLike | null;
  device?: Device | string | null;
}

type ShapeArg = number | readonly number[];

function shapeOf(s: ShapeArg): number[] {
  return checkShape(typeof s === 'number' ? [s] : [...s]);
}

/** jnp.array / jnp.asarray. Arrays (and tracers) pass through, converted if a dtype is given. */
export function array(v: unknown, opts: CreateOptions = {}): Value {
  const dtype = dtypeOpt(opts.dtype);
  if (isValue(v)) return dtype ? convertElementType(v, dtype) : v;
  if (Array.isArray(v) && v.some((e) => isValue(e) || Array.isArray(e))) {
    // Lists holding arrays (traced, or with dimensions) are stacked; 0-d concrete ones are scalars.
    const flat = (x: unknown): boolean =>
      Array.isArray(x) ? x.some(flat) : isValue(x) && (!(x instanceof ArrayImpl) || x.ndim > 0);
    if (flat(v)) {
      const { stack } = stackHook;
      const out = stack((v as unknown[]).map((e) => array(e)));
      return dtype ? convertElementType(out, dtype) : out;
    }
  }
  const device = opts.device ? resolveDevice(opts.device) : undefined;
  const out = hostArray(v, { dtype, device });
  // jnp.array of a Python scalar is not weak (only the scalars themselves are).
  if (out.weakType && !isValue(v)) {
    return ArrayImpl.fromHost(out.hostCache!, out.shape, out.dtype, out.device, false);
  }
  return out;
}
export const asarray = array;

/** Set by shapes.ts (stack needs concatenate). */
export const stackHook: { stack: (xs: Value[]) => Value } = {
  stack: () => {
    throw new Error('stack not loaded');
  },
};

export function full(shape: ShapeArg, fillValue: unknown, opts: CreateOptions = {}): Value {
  const s = shapeOf(shape);
  const fv = isValue(fillValue) ? fillValue : array(fillValue as number);
  const dtype =
    dtypeOpt(opts.dtype, 'full') ??
    (isValue(fillValue)
      ? fv.dtype
      : typeof fillValue === 'boolean'
        ? bool
        : fillValue instanceof Complex
          ? defaultComplex()
          : Number.isInteger(fillValue)
            ? defaultInt()
            : defaultFloat());
  const v = convertElementType(fv, dtype, false);
  // Eagerly, fill on the host. Under a trace, stage a broadcast_in_dim of the scalar as JAX does
  // (`broadcast_in_dim 0.0:f32[]`), rather than closing over a constant array.
  const tracing = currentDynamicTrace().level > 0;
  if (!tracing && v instanceof ArrayImpl && v.hostCache && v.size === 1) {
    const n = s.reduce((a, b) => a * b, 1);
    const out = typedArrayFor(dtype, n);
    if (dtype.isComplex) {
      // (re, im) pairs.
      const [re, im] = [v.hostCache[0], v.hostCache[1]] as number[];
      for (let i = 0; i < n; i++) {
        out[2 * i] = re;
        out[2 * i + 1] = im;
      }
    } else (out as { fill(x: unknown): void }).fill(v.hostCache[0]);
    const device = opts.device ? resolveDevice(opts.device) : defaultDevice();
    return ArrayImpl.fromHost(out, s, dtype, device);
  }
  return broadcastTo(v, s);
}

export function zeros(shape: ShapeArg, opts: CreateOptions = {}): Value {
  return full(shape, 0, { ...opts, dtype: dtypeOpt(opts.dtype, 'zeros') ?? defaultFloat() });
}
export function ones(shape: ShapeArg, opts: CreateOptions = {}): Value {
  return full(shape, 1, { ...opts, dtype: dtypeOpt(opts.dtype, 'ones') ?? defaultFloat() });
}
export function empty(shape: ShapeArg, opts: CreateOptions = {}): Value {
  return zeros(shape, opts);
}
// The *_like functions take any array-like (`zeros_like([1, 2])`), as JAX's do.
export function zerosLike(x: unknown, opts: CreateOptions & { shape?: ShapeArg } = {}): Value {
  const v = asValue(x);
  return full(opts.shape ?? v.shape, 0, { dtype: opts.dtype ?? v.dtype, device: opts.device });
}
export function onesLike(x: unknown, opts: CreateOptions & { shape?: ShapeArg } = {}): Value {
  const v = asValue(x);
  return full(opts.shape ?? v.shape, 1, { dtype: opts.dtype ?? v.dtype, device: opts.device });
}
export function fullLike(
  x: unknown,
  fillValue: unknown,
  opts: CreateOptions & { shape?: ShapeArg } = {},
): Value {
  const v = asValue(x);
  return full(opts.shape ?? v.shape, fillValue, { dtype: opts.dtype ?? v.dtype, device: opts.device });
}
export const emptyLike = zerosLike;

function isOptions(v: unknown): v is CreateOptions {
  return typeof v === 'object' && v !== null;
}

/** jnp.arange(stop) / arange(start, stop, step) with NumPy's length and dtype rules. */
export function arange(
  start: number,
  stop?: number | null | CreateOptions,
  step?: number | null | CreateOptions,
  opts: CreateOptions = {},
): Value {
  // The options object may follow any of the positional arguments: arange(5, { dtype }).
  if (isOptions(stop)) [opts, stop, step] = [stop, undefined, undefined];
  else if (isOptions(step)) [opts, step] = [step, undefined];
  if ((stop === undefined || stop === null) && (step === undefined || step === null) && !opts.device) {
    // JAX's arange(stop) is lax.iota (staged as `iota` under jit); other forms are host constants.
    const n = Math.max(0, Math.ceil(start));
    const dtype = dtypeOpt(opts.dtype, 'arange') ?? (Number.isInteger(start) ? defaultInt() : defaultFloat());
    return bind1(iota, [], { dtype, shape: [n], dimension: 0, sharding: null });
  }
  if (stop === undefined || stop === null) {
    stop = start;
    start = 0;
  }
  const st = step ?? 1;
  if (st === 0) throw new RangeError('arange: step cannot be zero');
  const n = Math.max(0, Math.ceil((stop - start) / st));
  const allInt = [start, stop, st].every(Number.isInteger);
  const dtype = dtypeOpt(opts.dtype, 'arange') ?? (allInt ? defaultInt() : defaultFloat());
  const vals = new Array<number>(n);
  for (let i = 0; i < n; i++) vals[i] = start + i * st;
  const device = opts.device ? resolveDevice(opts.device) : defaultDevice();
  return ArrayImpl.fromHost(fillTyped(dtype, vals), [n], dtype, device);
}

/** jnp.eye(N, M=None, k=0). */
export function eye(n: number, m?: number | null, k = 0, opts: CreateOptions = {}): Value {
  const cols = m ?? n;
  if (n < 0 || cols < 0)
    throw new ValueError(
      `negative dimensions are not allowed, got ${n} and ${m === undefined || m === null ? 'None' : m}`,
    );
  const dtype = dtypeOpt(opts.dtype, 'eye') ?? defaultFloat();
  const rows = bind1(iota, [], { dtype: defaultInt(), shape: [n, cols], dimension: 0, sharding: null });
  const cs = bind1(iota, [], { dtype: defaultInt(), shape: [n, cols], dimension: 1, sharding: null });
  return convertElementType(uf.equal(uf.add(rows, k), cs), dtype);
}

export function identity(n: number, opts: CreateOptions = {}): Value {
  return eye(n, null, 0, opts);
}

/** result_type of arguments, as jnp.result_type (dtype only). */
export function resultType(...xs: (Value | DType | number | boolean)[]): DType {
  return promoteTypes(
    ...xs.map((x) => {
      if (isValue(x)) return { dtype: x.dtype, weakType: x.weakType };
      if (typeof x === 'number')
        return { dtype: Number.isInteger(x) ? defaultInt() : defaultFloat(), weakType: true };
      if (typeof x === 'boolean') return { dtype: bool, weakType: false };
      return { dtype: x, weakType: false };
    }),
  ).dtype;
}
