/**
 * @file jax.numpy's host-side conveniences: frombuffer and fromstring (NumPy's readers, then
 * asarray, so float64 data becomes the default float), copy, iterable, array_str/array_repr
 * (NumPy's printing of an array, through core/print) and get_printoptions (NumPy's defaults,
 * which are the ones tjax prints with). fromiter and fromfile raise JAX's NotImplementedError:
 * JAX leaves them out because they may be impure.
 */
import { defaultDevice } from '../backends/registry.js';
import { ArrayImpl } from '../core/array.js';
import { canonicalize, type DType, type DTypeLike, float64, toDType, typedArrayFor } from '../core/dtype.js';
import { array2string } from '../core/print/array2string.js';
import { shapeTuple } from '../core/shape.js';
import { isTracer, type Value } from '../core/trace.js';
import { array } from './creation.js';
import { NotImplementedError, ValueError } from './errors.js';
import { asValue } from './util.js';

export interface FrombufferOptions {
  dtype?: DTypeLike;
  count?: number;
  offset?: number;
}

/** The dtype NumPy reads with: the default `float` is float64 (canonicalized afterwards, as JAX's asarray). */
const readDType = (d: DTypeLike | undefined): DType => (d === undefined ? float64 : toDType(d));

/** jnp.frombuffer(buffer, {dtype, count, offset}): an array over raw little-endian bytes. */
export function frombuffer(buffer: ArrayBuffer | ArrayBufferView, opts: FrombufferOptions = {}): Value {
  const dt = readDType(opts.dtype);
  const bytes =
    buffer instanceof ArrayBuffer
      ? new Uint8Array(buffer)
      : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const offset = opts.offset ?? 0;
  if (offset < 0 || offset > bytes.length) {
    throw new ValueError(`offset must be non-negative and no greater than buffer length (${bytes.length})`);
  }
  const avail = bytes.length - offset;
  let count = opts.count ?? -1;
  if (count < 0) {
    if (avail % dt.itemsize) throw new ValueError('buffer size must be a multiple of element size');
    count = avail / dt.itemsize;
  } else if (count * dt.itemsize > avail) throw new ValueError('buffer is smaller than requested size');
  const data = typedArrayFor(dt, count);
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(
    bytes.subarray(offset, offset + count * dt.itemsize),
  );
  return array(ArrayImpl.fromHost(data, [count], dt, defaultDevice()), { dtype: canonicalize(dt) });
}

export interface FromstringOptions {
  dtype?: DTypeLike;
  count?: number;
  /** The separator between numbers (required: NumPy's binary mode is deprecated). */
  sep: string;
}

/** jnp.fromstring(string, {dtype, count, sep}): numbers parsed from text. */
export function fromstring(text: string, opts: FromstringOptions): Value {
  const sep = opts?.sep;
  if (sep === undefined) throw new TypeError("fromstring() missing required keyword-only argument: 'sep'");
  if (sep === '') {
    throw new ValueError('The binary mode of fromstring is removed, use frombuffer instead');
  }
  const dt = readDType(opts.dtype);
  const parts = sep.trim() === '' ? text.trim().split(/\s+/) : text.split(sep).map((s) => s.trim());
  const values: number[] = [];
  const count = opts.count ?? -1;
  for (const p of parts) {
    if (count >= 0 && values.length >= count) break;
    if (p === '') break;
    const v = dt.isFloat ? Number(p) : Number.parseInt(p, 10);
    if (Number.isNaN(v) && !/^[+-]?nan$/i.test(p)) break;
    values.push(v);
  }
  if (count >= 0 && values.length < count) throw new ValueError('string is smaller than requested size');
  return array(values, { dtype: canonicalize(dt) });
}

/** jnp.fromiter: not in JAX (it may be impure); JAX's error. */
export function fromiter(..._args: unknown[]): never {
  throw new NotImplementedError(
    'jnp.fromiter() is not implemented because it may be non-pure and thus unsafe for use with JIT and other JAX transformations. Consider using jnp.asarray(np.fromiter(...)) instead, although care should be taken if np.fromiter is used within a jax transformations because of its potential side-effect of consuming the iterable object; for more information see https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html#pure-functions',
  );
}

/** jnp.fromfile: not in JAX (it may be impure); JAX's error. */
export function fromfile(..._args: unknown[]): never {
  throw new NotImplementedError(
    'jnp.fromfile() is not implemented because it may be non-pure and thus unsafe for use with JIT and other JAX transformations. Consider using jnp.asarray(np.fromfile(...)) instead, although care should be taken if np.fromfile is used within a jax transformations because of its potential side-effect of consuming the file object; for more information see https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html#pure-functions',
  );
}

/** jnp.copy(a): a copy of the array. */
export function copy(a: unknown, _opts: { order?: string | null } = {}): Value {
  return array(asValue(a));
}

/** jnp.iterable(y): whether y can be iterated (an array with dimensions, a list, a string). */
export function iterable(y: unknown): boolean {
  if (y !== null && typeof y === 'object' && 'shape' in y) return (y as Value).ndim > 0;
  return typeof y === 'string' || (y !== null && typeof y === 'object' && Symbol.iterator in y);
}

export interface ArrayStrOptions {
  maxLineWidth?: number | null;
  precision?: number | null;
  suppressSmall?: boolean | null;
}

function hostPrintable(a: unknown, name: string, opts: ArrayStrOptions) {
  if (opts.precision != null || opts.suppressSmall != null) {
    throw new NotImplementedError(
      `jnp.${name}: tjax prints with NumPy's default precision and suppress_small only`,
    );
  }
  const v = asValue(a);
  if (isTracer(v)) throw new TypeError(`jnp.${name} needs a concrete array, got a traced one`);
  return { dtype: v.dtype.name, shape: v.shape, data: (v as ArrayImpl).dataSync() };
}

/** jnp.array_str(a, {maxLineWidth}): NumPy's str() of the array's values. */
export function array_str(a: unknown, opts: ArrayStrOptions = {}): string {
  const p = hostPrintable(a, 'array_str', opts);
  if (p.shape.length === 0) return array2string({ ...p, shape: [1] }).slice(1, -1);
  return array2string(p, { lineWidth: opts.maxLineWidth ?? undefined });
}

/** NumPy leaves these dtypes out of a repr (its _typelessdata). */
const TYPELESS = new Set(['int64', 'float64', 'bool']);

/** jnp.array_repr(a, {maxLineWidth}): NumPy's repr of the array, as JAX returns it (`ArrayImpl(...)`). */
export function array_repr(a: unknown, opts: ArrayStrOptions = {}): string {
  const p = hostPrintable(a, 'array_repr', opts);
  const width = opts.maxLineWidth ?? 75;
  const prefix = 'ArrayImpl(';
  const size = p.shape.reduce((x, y) => x * y, 1);
  const skip = TYPELESS.has(p.dtype) && size > 0;
  const suffix = skip ? ')' : ',';
  let body: string;
  if (size > 0 || (p.shape.length === 1 && p.shape[0] === 0)) {
    body =
      p.shape.length === 0
        ? array2string({ ...p, shape: [1] }).slice(1, -1)
        : array2string(p, { prefix, suffix, separator: ', ', lineWidth: width });
  } else body = `[], shape=${shapeTuple(p.shape)}`;
  const s = `${prefix}${body}${suffix}`;
  if (skip) return s;
  const dtypeStr = `dtype=${p.dtype})`;
  const last = s.length - s.lastIndexOf('\n') - 1;
  const spacer = last + dtypeStr.length + 1 > width ? `\n${' '.repeat(prefix.length)}` : ' ';
  return `${s}${spacer}${dtypeStr}`;
}
export const arrayStr = array_str;
export const arrayRepr = array_repr;

/** jnp.get_printoptions(): NumPy's default print options, the ones tjax prints with. */
export function get_printoptions(): Record<string, unknown> {
  return {
    edgeitems: 3,
    threshold: 1000,
    floatmode: 'maxprec',
    precision: 8,
    suppress: false,
    linewidth: 75,
    nanstr: 'nan',
    infstr: 'inf',
    sign: '-',
    formatter: null,
    legacy: false,
    override_repr: null,
  };
}
export const getPrintoptions = get_printoptions;
