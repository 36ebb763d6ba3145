/**
 * @file jnp.linspace, logspace and geomspace, as JAX 0.10.2 computes them
 * (jax/_src/numpy/array_creation.py `_linspace`, `_logspace`, `_geomspace`): jitted functions of
 * array-valued endpoints (broadcast together, so `linspace([0, 1], 5, 3)` gives a column per
 * pair), num, endpoint and axis static. linspace interpolates start * (1 - t) + stop * t with
 * t = iota / div in the computation dtype, which returns the endpoints exactly; the last point is
 * `stop` itself when endpoint is true. Integer dtypes floor before the cast.
 */
import { scalarArray } from '../core/coerce.js';
import { type DType, type DTypeLike, defaultFloat, promoteTypes, requestDType } from '../core/dtype.js';
import { broadcastShapes, normalizeAxis } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { devicePut } from '../device-put.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { full } from '../lax/fill.js';
import { concatenate, expandDims, iota, transpose } from '../lax/structural.js';
import { namedJit } from '../transforms/jit.js';
import { ValueError } from './errors.js';
import { reshape } from './shapes.js';
import * as uf from './ufuncs.js';
import { asValue, broadcastTo } from './util.js';

export interface LinspaceOptions {
  endpoint?: boolean;
  retstep?: boolean;
  dtype?: DTypeLike | null;
  axis?: number;
  device?: unknown;
}

const toInexact = (d: DType): DType => (d.isFloat ? d : defaultFloat());

/** dtypes.result_type of the endpoints, made inexact (the weak type dropped). */
function endpointType(start: Value, stop: Value, dtype: string | null, where: string): DType {
  if (dtype !== null) return requestDType(dtype, where);
  return toInexact(promoteTypes(start, stop).dtype);
}

/** The result dtype, the inexact dtype computed in, and the endpoints converted to it. */
function endpoints(start0: Value, stop0: Value, dtypeName: string | null, where: string) {
  const dtype = endpointType(start0, stop0, dtypeName, where);
  const comp = toInexact(dtype);
  return { dtype, comp, start: convertElementType(start0, comp), stop: convertElementType(stop0, comp) };
}

function linspaceCore(
  start0: Value,
  stop0: Value,
  num: number,
  endpoint: boolean,
  retstep: boolean,
  dtypeName: string | null,
  axis0: number,
): Value | [Value, Value] {
  if (num < 0) throw new ValueError(`Number of samples, ${num}, must be non-negative.`);
  const { dtype, comp, start, stop } = endpoints(start0, stop0, dtypeName, 'linspace');
  const bounds = broadcastShapes('linspace', start.shape, stop.shape);
  const bStart = broadcastTo(start, bounds);
  const bStop = broadcastTo(stop, bounds);
  const axis = axis0 < 0 ? bounds.length + axis0 + 1 : axis0;
  const boundsShape = [...bounds];
  boundsShape.splice(axis, 0, 1);
  const div = endpoint ? num - 1 : num;
  let delta: Value;
  let out: Value;
  if (num > 1) {
    delta = lax.div(convertElementType(lax.sub(stop, start), comp), scalarArray(div, comp));
    const iotaShape = boundsShape.map(() => 1);
    iotaShape[axis] = div;
    const step = convertElementType(
      uf.true_divide(reshape(iota(comp, div), iotaShape), scalarArray(div, comp)),
      comp,
    );
    out = uf.add(
      uf.multiply(reshape(bStart, boundsShape), uf.subtract(1, step)),
      uf.multiply(reshape(bStop, boundsShape), step),
    );
    if (endpoint) out = concatenate([out, expandDims(bStop, [axis])], normalizeAxis(axis, out.ndim));
  } else if (num === 1) {
    delta = endpoint ? scalarArray(Number.NaN, comp) : convertElementType(lax.sub(stop, start), comp);
    out = reshape(bStart, boundsShape);
  } else {
    const empty = [...bounds];
    empty.splice(axis, 0, 0);
    delta = full([], Number.NaN, comp);
    out = reshape(convertElementType(asValue([]), dtype), empty);
  }
  if (dtype.isInt && !out.dtype.isInt) out = lax.floor(out);
  const result = convertElementType(out, dtype);
  return retstep ? [result, delta] : result;
}

const linspaceJit = namedJit(
  '_linspace',
  function _linspace(
    start: Value,
    stop: Value,
    num: number,
    endpoint: boolean,
    retstep: boolean,
    dtype: string | null,
    axis: number,
  ) {
    return linspaceCore(start, stop, num, endpoint, retstep, dtype, axis);
  },
  { staticArgnums: [2, 3, 4, 5, 6] },
);

const dtypeKey = (d: DTypeLike | null | undefined) =>
  d === undefined || d === null ? null : requestDType(d, 'linspace').name;

function checkInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${what} must be a concrete integer, got ${String(v)}`);
  }
  return v;
}

function placed<T>(x: T, device: unknown): T {
  return device === undefined || device === null ? x : devicePut(x, device as string);
}

/** jnp.linspace(start, stop, num = 50, {endpoint, retstep, dtype, axis}): evenly spaced values. */
export function linspace(
  start: unknown,
  stop: unknown,
  num?: number,
  opts?: LinspaceOptions & { retstep?: false },
): Value;
export function linspace(
  start: unknown,
  stop: unknown,
  num: number | undefined,
  opts: LinspaceOptions & { retstep: true },
): [Value, Value];
export function linspace(
  start: unknown,
  stop: unknown,
  num = 50,
  opts: LinspaceOptions = {},
): Value | [Value, Value] {
  const n = checkInt(num, "'num' argument of jnp.linspace");
  const axis = checkInt(opts.axis ?? 0, "'axis' argument of jnp.linspace");
  const out = linspaceJit(
    asValue(start),
    asValue(stop),
    n,
    opts.endpoint ?? true,
    opts.retstep ?? false,
    dtypeKey(opts.dtype),
    axis,
  );
  return placed(out, opts.device);
}

export interface LogspaceOptions {
  endpoint?: boolean;
  base?: unknown;
  dtype?: DTypeLike | null;
  axis?: number;
}

const logspaceJit = namedJit(
  '_logspace',
  function _logspace(
    start0: Value,
    stop0: Value,
    base: Value,
    num: number,
    endpoint: boolean,
    dtypeName: string | null,
    axis: number,
  ): Value {
    const { dtype, start, stop } = endpoints(start0, stop0, dtypeName, 'logspace');
    const lin = linspaceJit(start, stop, num, endpoint, false, null, axis) as Value;
    return convertElementType(uf.power(base, lin), dtype);
  },
  { staticArgnums: [3, 4, 5, 6] },
);

/** jnp.logspace(start, stop, num = 50, {endpoint, base, dtype, axis}): base ** linspace(...). */
export function logspace(start: unknown, stop: unknown, num = 50, opts: LogspaceOptions = {}): Value {
  const n = checkInt(num, "'num' argument of jnp.logspace");
  const axis = checkInt(opts.axis ?? 0, "'axis' argument of jnp.logspace");
  return logspaceJit(
    asValue(start),
    asValue(stop),
    asValue(opts.base ?? 10.0),
    n,
    opts.endpoint ?? true,
    dtypeKey(opts.dtype),
    axis,
  );
}

export type GeomspaceOptions = Omit<LogspaceOptions, 'base'>;

const geomspaceJit = namedJit(
  '_geomspace',
  function _geomspace(
    start0: Value,
    stop0: Value,
    num: number,
    endpoint: boolean,
    dtypeName: string | null,
    axis0: number,
  ): Value {
    const { dtype, comp, start, stop } = endpoints(start0, stop0, dtypeName, 'geomspace');
    const sign = uf.sign(start);
    let res = uf.multiply(
      sign,
      logspaceJit(
        uf.log10(uf.true_divide(start, sign)),
        uf.log10(uf.true_divide(stop, sign)),
        10.0,
        num,
        endpoint,
        comp.name,
        0,
      ),
    );
    const axis = normalizeAxis(axis0, res.ndim);
    if (axis !== 0) {
      const perm = [...Array(axis).keys()].map((i) => i + 1);
      res = transpose(res, [...perm, 0, ...[...Array(res.ndim - axis - 1).keys()].map((i) => i + axis + 1)]);
    }
    return convertElementType(res, dtype);
  },
  { staticArgnums: [2, 3, 4, 5] },
);

/** jnp.geomspace(start, stop, num = 50, {endpoint, dtype, axis}): a geometric progression. */
export function geomspace(start: unknown, stop: unknown, num = 50, opts: GeomspaceOptions = {}): Value {
  const n = checkInt(num, "'num' argument of jnp.geomspace");
  const axis = checkInt(opts.axis ?? 0, "'axis' argument of jnp.geomspace");
  return geomspaceJit(asValue(start), asValue(stop), n, opts.endpoint ?? true, dtypeKey(opts.dtype), axis);
}
