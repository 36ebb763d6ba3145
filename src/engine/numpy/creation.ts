/**
 * @file Array creation: array/asarray from JS data (typed arrays, nested lists, scalars) and
 * the constructors zeros ones full empty arange linspace eye identity and the *_like family.
 */

import type { Device } from '../backends/backend.js';
import { defaultDevice, resolveDevice } from '../backends/registry.js';
import { ArrayImpl } from '../core/array.js';
import { fillTyped, hostArray, isValue, scalarArray, toValue } from '../core/coerce.js';
import {
  bool,
  type DType,
  type DTypeLike,
  defaultFloat,
  defaultInt,
  promoteTypes,
  toDType,
} from '../core/dtype.js';
import { broadcastShapes, checkShape } from '../core/shape.js';
import { bind1, currentDynamicTrace, type Value } from '../core/trace.js';
import { devicePut } from '../device-put.js';
import { convertElementType } from '../lax/convert.js';
import * as S from '../lax/structural.js';
import { iota } from '../primitives/structural.js';
import { jit } from '../transforms/jit.js';
import * as uf from './ufuncs.js';
import { broadcastTo, dtypeOpt } from './util.js';

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
    // Lists holding arrays (maybe traced) are stacked.
    const flat = (x: unknown): boolean =>
      Array.isArray(x) ? x.some(flat) : isValue(x) && !(x instanceof ArrayImpl);
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
        : Number.isInteger(fillValue)
          ? defaultInt()
          : defaultFloat());
  const v = convertElementType(fv, dtype, false);
  // Eagerly, fill on the host. Under a trace, stage a broadcast_in_dim of the scalar as JAX does
  // (`broadcast_in_dim 0.0:f32[]`), rather than closing over a constant array.
  const tracing = currentDynamicTrace().level > 0;
  if (!tracing && v instanceof ArrayImpl && v.hostCache && v.size === 1) {
    const n = s.reduce((a, b) => a * b, 1);
    const data = fillTyped(dtype, []);
    const out = new (data.constructor as any)(n);
    out.fill(v.hostCache[0]);
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
export function zerosLike(x: Value, opts: CreateOptions & { shape?: ShapeArg } = {}): Value {
  return full(opts.shape ?? x.shape, 0, { dtype: opts.dtype ?? x.dtype, device: opts.device });
}
export function onesLike(x: Value, opts: CreateOptions & { shape?: ShapeArg } = {}): Value {
  return full(opts.shape ?? x.shape, 1, { dtype: opts.dtype ?? x.dtype, device: opts.device });
}
export function fullLike(
  x: Value,
  fillValue: unknown,
  opts: CreateOptions & { shape?: ShapeArg } = {},
): Value {
  return full(opts.shape ?? x.shape, fillValue, { dtype: opts.dtype ?? x.dtype, device: opts.device });
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

export interface LinspaceOptions extends CreateOptions {
  endpoint?: boolean;
  retstep?: boolean;
  axis?: number;
}

/**
 * jnp.linspace(start, stop, num=50): JAX's jitted `_linspace`, computed in the float dtype as JAX
 * does (start * (1 - step) + stop * step, the endpoint concatenated), so values and jaxprs match.
 */
export function linspace(start: unknown, stop: unknown, num = 50, opts: LinspaceOptions = {}): Value {
  if (opts.device) {
    return devicePut(linspace(start, stop, num, { ...opts, device: null }), opts.device);
  }
  const dtype = dtypeOpt(opts.dtype, 'linspace')?.name ?? null;
  return linspaceJit(toValue(start), toValue(stop), num, opts.endpoint ?? true, dtype, opts.axis ?? 0);
}

const linspaceJit = jit(
  function _linspace(
    start: Value,
    stop: Value,
    num: number,
    endpoint: boolean,
    dtypeName: string | null,
    axis: number,
  ): Value {
    if (num < 0) throw new RangeError(`Number of samples, ${num}, must be non-negative.`);
    const inexact = (d: DType) => (d.isFloat ? d : defaultFloat());
    const dtype = dtypeName
      ? toDType(dtypeName)
      : inexact(
          promoteTypes(
            { dtype: start.dtype, weakType: start.weakType },
            { dtype: stop.dtype, weakType: stop.weakType },
          ).dtype,
        );
    const cdt = inexact(dtype);
    const a = convertElementType(start, cdt);
    const b = convertElementType(stop, cdt);
    const bounds = broadcastShapes('linspace', a.shape, b.shape);
    const bStart = broadcastTo(a, bounds);
    const bStop = broadcastTo(b, bounds);
    const ax = axis < 0 ? bounds.length + axis + 1 : axis;
    const shape = [...bounds];
    shape.splice(ax, 0, 1);
    const div = endpoint ? num - 1 : num;
    let out: Value;
    if (num > 1) {
      // JAX computes the step (for retstep) whether or not it is returned: it is in the jaxpr.
      uf.divide(convertElementType(uf.subtract(b, a), cdt), scalarArray(div, cdt));
      const iotaShape = shape.map((_, d) => (d === ax ? div : 1));
      const it = bind1(iota, [], { dtype: cdt, shape: [div], dimension: 0, sharding: null });
      const step = uf.divide(S.reshape(it, iotaShape), scalarArray(div, cdt));
      out = uf.add(
        uf.multiply(S.reshape(bStart, shape), uf.subtract(1, step)),
        uf.multiply(S.reshape(bStop, shape), step),
      );
      if (endpoint) out = S.concatenate([out, S.expandDims(bStop, [ax])], ax);
    } else if (num === 1) out = S.reshape(bStart, shape);
    else {
      const empty = [...bounds];
      empty.splice(ax, 0, 0);
      out = broadcastTo(scalarArray(0, dtype), empty);
    }
    if (dtype.isInt && !out.dtype.isInt) out = uf.floor(out);
    return convertElementType(out, dtype);
  },
  { staticArgnums: [2, 3, 4, 5] },
);

/** jnp.eye(N, M=None, k=0). */
export function eye(n: number, m?: number | null, k = 0, opts: CreateOptions = {}): Value {
  const cols = m ?? n;
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
