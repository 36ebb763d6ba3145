/**
 * @file jax.numpy.fft (jax/_src/numpy/fft.py, JAX 0.10.2): fft ifft rfft irfft hfft ihfft, the
 * 2-D and n-D forms, fftfreq rfftfreq, fftshift ifftshift. Arguments follow NumPy: `s`/`n` pad
 * or truncate the input along the transformed axes, `axes` moves them last first, `norm` is
 * "backward" (default), "ortho" or "forward"; more than three axes are transformed three at a time,
 * as JAX does, since XLA's FFT takes at most three. NumPy's keyword arguments come as a trailing
 * options object (`fft(x, { n: 8, axis: 0 })`) or positionally in NumPy's order (`fft(x, 8, 0)`).
 */
import { type DTypeLike, defaultFloat, requestDType } from '../core/dtype.js';
import { normalizeAxis } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { conj } from '../lax/complex.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { FftType, fft as laxFft } from '../lax/fft.js';
import { pad, slice } from '../lax/structural.js';
import { arange } from './creation.js';
import { moveaxis, roll } from './shapes.js';
import { asValue } from './util.js';

export type FftNorm = 'backward' | 'ortho' | 'forward';
type FftTypeValue = (typeof FftType)[keyof typeof FftType];

function valueError(message: string): Error {
  const e = new Error(message);
  e.name = 'ValueError';
  return e;
}

const isOptions = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype;

/** NumPy-style arguments: positional values in `names` order, then a trailing options object. */
function readArgs<T extends Record<string, unknown>>(
  names: readonly (keyof T)[],
  args: unknown[],
): Partial<T> {
  const out: Record<string, unknown> = {};
  const last = args.length ? args[args.length - 1] : undefined;
  const pos = isOptions(last) ? args.slice(0, -1) : args;
  pos.forEach((v, i) => {
    if (i >= names.length) throw new TypeError(`too many positional arguments (at most ${names.length + 1})`);
    if (v !== undefined) out[names[i] as string] = v;
  });
  if (isOptions(last)) {
    for (const [k, v] of Object.entries(last)) {
      if (!names.includes(k as keyof T)) throw new TypeError(`unexpected keyword argument '${k}'`);
      if (k in out) throw new TypeError(`got multiple values for argument '${k}'`);
      if (v !== undefined) out[k] = v;
    }
  }
  return out as Partial<T>;
}

/** The scale `norm` applies after an unnormalized forward or 1/n-normalized inverse transform. */
function normFactor(s: readonly number[], funcName: string, norm: string): number {
  const n = s.reduce((a, b) => a * b, 1);
  const inverse = funcName.startsWith('i');
  if (norm === 'ortho') return inverse ? Math.sqrt(n) : 1 / Math.sqrt(n);
  if (norm === 'forward') return inverse ? n : 1 / n;
  throw valueError(`Invalid norm value ${norm}; should be "backward","ortho" or "forward".`);
}

/** JAX's _fft_core_nd: XLA transforms at most three axes at once. */
function fftCoreNd(arr: Value, type: FftTypeValue, s: readonly number[]): Value {
  if (s.length <= 3) return laxFft(arr, type, s);
  const n = s.length === 4 ? 2 : 3;
  const src = Array.from({ length: s.length - n }, (_, i) => arr.ndim - s.length + i);
  const dst = src.map((d) => d + n);
  if (type === FftType.RFFT || type === FftType.FFT) {
    let x = laxFft(arr, type, s.slice(-n));
    x = moveaxis(x, src, dst);
    x = fftCoreNd(x, FftType.FFT, s.slice(0, -n));
    return moveaxis(x, dst, src);
  }
  let x = moveaxis(arr, src, dst);
  x = fftCoreNd(x, FftType.IFFT, s.slice(0, -n));
  x = moveaxis(x, dst, src);
  return laxFft(x, type, s.slice(-n));
}

function fftCore(
  funcName: string,
  type: FftTypeValue,
  a: unknown,
  sIn: readonly number[] | null | undefined,
  axesIn: readonly number[] | null | undefined,
  norm: string | null | undefined,
): Value {
  const fullName = `jax.numpy.fft.${funcName}`;
  let arr = asValue(a);
  let s = sIn ? sIn.map(Number) : null;
  if (s?.some((d) => d <= 0)) throw valueError('Shape should be positive.');
  if (s && axesIn && s.length !== axesIn.length) throw valueError('Shape and axes have different lengths.');
  let axes = axesIn
    ? [...axesIn]
    : s === null
      ? [...Array(arr.ndim).keys()]
      : Array.from({ length: s.length }, (_, i) => arr.ndim - s!.length + i);
  if (new Set(axes.map((d) => normalizeAxis(d, arr.ndim))).size !== axes.length)
    throw valueError(`${fullName} does not support repeated axes. Got axes ${axesText(axes)}.`);
  if (axesIn) {
    axes = Array.from({ length: axes.length }, (_, i) => arr.ndim - axes.length + i);
    arr = moveaxis(arr, [...axesIn], axes);
  }
  if (s) {
    const inS = [...arr.shape];
    axes.forEach((ax, i) => {
      inS[ax] = s![i];
    });
    if (type === FftType.IRFFT) inS[inS.length - 1] = Math.floor(inS[inS.length - 1] / 2) + 1;
    if (inS.some((d, i) => d < arr.shape[i]))
      arr = slice(
        arr,
        inS.map(() => 0),
        inS.map((d, i) => Math.min(d, arr.shape[i])),
      );
    if (inS.some((d, i) => d > arr.shape[i]))
      arr = pad(
        arr,
        convertElementType(0, arr.dtype),
        inS.map((d, i) => [0, Math.max(0, d - arr.shape[i]), 0] as [number, number, number]),
      );
  } else if (type === FftType.IRFFT) {
    s = axes.slice(0, -1).map((ax) => arr.shape[ax]);
    if (axes.length) s.push(Math.max(0, 2 * (arr.shape[axes[axes.length - 1]] - 1)));
  } else s = axes.map((ax) => arr.shape[ax]);
  let out = fftCoreNd(arr, type, s);
  if (norm !== null && norm !== undefined && norm !== 'backward')
    out = lax.mul(out, convertElementType(normFactor(s, funcName, norm), out.dtype));
  if (axesIn) out = moveaxis(out, axes, [...axesIn]);
  return out;
}

function axesText(axes: readonly number[]): string {
  return axes.length === 1 ? `(${axes[0]},)` : `(${axes.join(', ')})`;
}

interface Opts1 extends Record<string, unknown> {
  n: number | null;
  axis: number;
  norm: FftNorm | null;
}

function core1d(funcName: string, type: FftTypeValue, a: unknown, args: unknown[]): Value {
  const { n, axis = -1, norm } = readArgs<Opts1>(['n', 'axis', 'norm'], args);
  if (Array.isArray(axis)) {
    const full = `jax.numpy.fft.${funcName}`;
    throw valueError(
      `${full} does not support multiple axes. Please use ${full}n. Got axis = ${axesText(axis)}.`,
    );
  }
  return fftCore(funcName, type, a, n === null || n === undefined ? null : [n], [axis], norm);
}

/** One transform of a family as a named function `(a, ...args)`: its name is the one errors print. */
function transform(
  funcName: string,
  core: (a: unknown, args: unknown[]) => Value,
): (a: unknown, ...args: unknown[]) => Value {
  const f = (a: unknown, ...args: unknown[]): Value => core(a, args);
  return Object.defineProperty(f, 'name', { value: funcName });
}

/** fft(a, n?, axis = -1, norm?): the one-dimensional discrete Fourier transform; ifft, rfft, irfft alike. */
const oneD = (funcName: string, type: FftTypeValue) =>
  transform(funcName, (a, args) => core1d(funcName, type, a, args));
export const fft = oneD('fft', FftType.FFT);
export const ifft = oneD('ifft', FftType.IFFT);
export const rfft = oneD('rfft', FftType.RFFT);
export const irfft = oneD('irfft', FftType.IRFFT);

/** hfft: the transform of a signal with Hermitian symmetry (a real spectrum), n = 2 (m - 1) by default. */
export function hfft(a: unknown, ...args: unknown[]): Value {
  const o = readArgs<Opts1>(['n', 'axis', 'norm'], args);
  const ca = conjugateAny(asValue(a));
  const axis = o.axis ?? -1;
  const nn = o.n ?? (ca.shape[normalizeAxis(axis, ca.ndim)] - 1) * 2;
  return lax.mul(core1d('hfft', FftType.IRFFT, ca, [o]), nn);
}

/** ihfft: the inverse of hfft, conj(rfft(a)) / n. */
export function ihfft(a: unknown, ...args: unknown[]): Value {
  const o = readArgs<Opts1>(['n', 'axis', 'norm'], args);
  const arr = asValue(a);
  const nn = o.n ?? arr.shape[normalizeAxis(o.axis ?? -1, arr.ndim)];
  const out = core1d('ihfft', FftType.RFFT, arr, [o]);
  return lax.mul(conj(out), 1 / nn);
}

/** jnp.conj: a real operand passes through. */
function conjugateAny(x: Value): Value {
  return x.dtype.isComplex ? conj(x) : x;
}

interface OptsN extends Record<string, unknown> {
  s: number[] | null;
  axes: number[] | null;
  norm: FftNorm | null;
}

function coreNd(funcName: string, type: FftTypeValue, a: unknown, args: unknown[], twoD: boolean): Value {
  const o = readArgs<OptsN>(['s', 'axes', 'norm'], args);
  let axes = o.axes ?? null;
  if (twoD) {
    axes ??= [-2, -1];
    if (axes.length !== 2)
      throw valueError(`jax.numpy.fft.${funcName} only supports 2 axes. Got axes = ${axesText(axes)}.`);
  }
  return fftCore(funcName, type, a, o.s, axes, o.norm);
}

/** fftn(a, s?, axes?, norm?) and the 2-d forms (axes default to the last two, and must be two). */
const nD = (funcName: string, type: FftTypeValue, twoD: boolean) =>
  transform(funcName, (a, args) => coreNd(funcName, type, a, args, twoD));
export const fftn = nD('fftn', FftType.FFT, false);
export const ifftn = nD('ifftn', FftType.IFFT, false);
export const rfftn = nD('rfftn', FftType.RFFT, false);
export const irfftn = nD('irfftn', FftType.IRFFT, false);
export const fft2 = nD('fft2', FftType.FFT, true);
export const ifft2 = nD('ifft2', FftType.IFFT, true);
export const rfft2 = nD('rfft2', FftType.RFFT, true);
export const irfft2 = nD('irfft2', FftType.IRFFT, true);

interface FreqOpts extends Record<string, unknown> {
  d: number;
  dtype: DTypeLike | null;
}

function checkFreqArgs(name: string, n: unknown, d: unknown): void {
  if (Array.isArray(n))
    throw valueError(`The n argument of jax.numpy.fft.${name} only takes an int. Got n = [${n.join(', ')}].`);
  if (Array.isArray(d))
    throw valueError(
      `The d argument of jax.numpy.fft.${name} only takes a single value. Got d = [${d.join(', ')}].`,
    );
}

/** fftfreq(n, d = 1): the sample frequencies [0, 1, ..., -1] / (d n). */
export function fftfreq(n: number, ...args: unknown[]): Value {
  const { d = 1, dtype } = readArgs<FreqOpts>(['d', 'dtype'], args);
  checkFreqArgs('fftfreq', n, d);
  const dt = dtype ? requestDType(dtype, 'fftfreq') : defaultFloat();
  const i = arange(n, { dtype: dt });
  const half = Math.floor(n / 2);
  const k = lax.sub(lax.rem(lax.add(i, half), n), half);
  return lax.div(k, convertElementType(d * n, dt));
}

/** rfftfreq(n, d = 1): the non-negative sample frequencies [0, ..., n // 2] / (d n). */
export function rfftfreq(n: number, ...args: unknown[]): Value {
  const { d = 1, dtype } = readArgs<FreqOpts>(['d', 'dtype'], args);
  checkFreqArgs('rfftfreq', n, d);
  const dt = dtype ? requestDType(dtype, 'rfftfreq') : defaultFloat();
  const k = arange(0, Math.floor(n / 2) + 1, { dtype: dt });
  return lax.div(k, convertElementType(d * n, dt));
}

type ShiftAxes = number | readonly number[] | null | undefined;

function shiftBy(x: Value, axes: ShiftAxes, sign: 1 | -1): Value {
  if (axes === null || axes === undefined) {
    const all = [...Array(x.ndim).keys()];
    return roll(
      x,
      all.map((d) => sign * Math.floor(x.shape[d] / 2)),
      { axis: all },
    );
  }
  if (typeof axes === 'number')
    return roll(x, sign * Math.floor(x.shape[normalizeAxis(axes, x.ndim)] / 2), { axis: axes });
  return roll(
    x,
    axes.map((ax) => sign * Math.floor(x.shape[normalizeAxis(ax, x.ndim)] / 2)),
    { axis: [...axes] },
  );
}

/** fftshift: the zero frequency to the center (roll by n // 2 along each axis). */
export function fftshift(x: unknown, axes?: ShiftAxes | { axes?: ShiftAxes }): Value {
  return shiftBy(asValue(x), isOptions(axes) ? (axes.axes as ShiftAxes) : (axes as ShiftAxes), 1);
}

/** ifftshift: the inverse of fftshift. */
export function ifftshift(x: unknown, axes?: ShiftAxes | { axes?: ShiftAxes }): Value {
  return shiftBy(asValue(x), isOptions(axes) ? (axes.axes as ShiftAxes) : (axes as ShiftAxes), -1);
}
