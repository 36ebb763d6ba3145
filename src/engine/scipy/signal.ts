/**
 * @file scipy.signal's direct convolutions: convolve, correlate (n-d), convolve2d, correlate2d,
 * as jax/_src/scipy/signal.py (JAX 0.10.2) computes them: promote to an inexact dtype, put the
 * larger operand first, flip the kernel, and run one conv_general_dilated on (1, 1, ...) views
 * with the mode's padding ('same' centres as SciPy does, which differs from jnp.convolve).
 * Only what JAX implements is here: method 'auto'/'direct' (JAX's 'fft' needs an FFT, which tjax
 * does not have yet, and says so), and for the 2-d forms boundary 'fill' with fillvalue 0.
 */
import { toValue } from '../core/coerce.js';
import type { Value } from '../core/trace.js';
import { convGeneralDilated } from '../lax/conv.js';
import type { PrecisionLike } from '../lax/dot.js';
import { getitem } from '../numpy/indexing.js';
import { flip } from '../numpy/shapes.js';
import { promoteArgsInexact } from '../numpy/util.js';

export type SignalMode = 'full' | 'same' | 'valid';

export interface SignalOptions {
  mode?: SignalMode;
  method?: 'auto' | 'direct' | 'fft';
  precision?: PrecisionLike;
}

export interface Signal2dOptions {
  mode?: SignalMode;
  boundary?: string;
  fillvalue?: number;
  precision?: PrecisionLike;
}

import { NotImplementedError } from '../core/errors.js';

export { NotImplementedError };

const shapeText = (s: readonly number[]) => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);
const leading = (x: Value) => getitem(x, [null, null]);

/** _convolve_nd. */
function convolveNd(a: Value, b: Value, mode: string, precision: PrecisionLike): Value {
  if (!['full', 'same', 'valid'].includes(mode))
    throw new RangeError("mode must be one of ['full', 'same', 'valid']");
  if (a.ndim !== b.ndim) throw new RangeError('in1 and in2 must have the same number of dimensions');
  if (a.size === 0 || b.size === 0) {
    throw new RangeError(
      `zero-size arrays not supported in convolutions, got shapes ${shapeText(a.shape)} and ${shapeText(b.shape)}.`,
    );
  }
  let [in1, in2] = promoteArgsInexact(a, b);
  const noSwap = in1.shape.every((s, i) => s >= in2.shape[i]);
  const swap = in1.shape.every((s, i) => s <= in2.shape[i]);
  if (!(noSwap || swap)) throw new RangeError('One input must be smaller than the other in every dimension.');
  const shapeO = in2.shape;
  if (swap) [in1, in2] = [in2, in1];
  const shape = in2.shape;
  in2 = flip(in2);
  let padding: [number, number][];
  if (mode === 'valid') padding = shape.map(() => [0, 0]);
  else if (mode === 'same') {
    padding = shape.map((s, i) => [
      s - 1 - Math.floor((shapeO[i] - 1) / 2),
      s - shapeO[i] + Math.floor((shapeO[i] - 1) / 2),
    ]);
  } else padding = shape.map((s) => [s - 1, s - 1]);
  const strides = shape.map(() => 1);
  const result = convGeneralDilated(leading(in1), leading(in2), strides, padding, { precision });
  return getitem(result, [0, 0]);
}

/** The options with the mode merged in: `mode` is either the mode itself or the options object. */
function withMode<O extends { mode?: SignalMode }>(mode: SignalMode | O | undefined, opts: O): O {
  return typeof mode === 'object' && mode !== null ? { ...mode, ...opts } : { ...opts, mode };
}

function methodCheck(method: string): void {
  if (method === 'fft') {
    throw new NotImplementedError(
      "scipy.signal method='fft' needs an FFT, which tjax does not have; use 'direct'",
    );
  }
  if (method !== 'direct' && method !== 'auto') {
    throw new RangeError(
      `Got method=${JSON.stringify(method).replace(/"/g, "'")}; expected 'auto', 'fft', or 'direct'.`,
    );
  }
}

/** The calling convention of the four: two operands, then the mode or the options, then the options. */
type SignalFunction<O> = (in1: unknown, in2: unknown, mode?: SignalMode | O, opts?: O) => Value;

/** scipy.signal.convolve(in1, in2, mode = 'full', { method, precision }). */
export const convolve: SignalFunction<SignalOptions> = function convolve(in1, in2, mode, opts = {}) {
  const o = withMode(mode, opts);
  methodCheck(o.method ?? 'auto');
  return convolveNd(toValue(in1), toValue(in2), o.mode ?? 'full', o.precision ?? null);
};

/** scipy.signal.correlate(in1, in2, mode = 'full', { method, precision }): convolve with the flipped kernel. */
export const correlate: SignalFunction<SignalOptions> = function correlate(in1, in2, mode, opts = {}) {
  return convolve(in1, flip(toValue(in2)), mode, opts);
};

/** The operands, mode and precision of convolve2d or correlate2d, checked as JAX checks them. */
function args2d(
  name: string,
  in1: unknown,
  in2: unknown,
  mode: SignalMode | Signal2dOptions | undefined,
  opts: Signal2dOptions,
) {
  const o = withMode(mode, opts);
  const a = toValue(in1);
  const b = toValue(in2);
  if ((o.boundary ?? 'fill') !== 'fill' || (o.fillvalue ?? 0) !== 0) {
    throw new NotImplementedError(`${name}() only supports boundary='fill', fillvalue=0`);
  }
  if (a.ndim !== 2 || b.ndim !== 2) throw new RangeError(`${name}() only supports 2-dimensional inputs.`);
  return { a, b, m: o.mode ?? 'full', p: o.precision ?? null };
}

/** scipy.signal.convolve2d(in1, in2, mode = 'full', { boundary: 'fill', fillvalue: 0, precision }). */
export const convolve2d: SignalFunction<Signal2dOptions> = function convolve2d(in1, in2, mode, opts = {}) {
  const { a, b, m, p } = args2d('convolve2d', in1, in2, mode, opts);
  return convolveNd(a, b, m, p);
};

/** scipy.signal.correlate2d(in1, in2, mode = 'full', { boundary: 'fill', fillvalue: 0, precision }). */
export const correlate2d: SignalFunction<Signal2dOptions> = function correlate2d(in1, in2, mode, opts = {}) {
  const { a, b, m, p } = args2d('correlate2d', in1, in2, mode, opts);
  const swap = a.shape.every((s, i) => s <= b.shape[i]);
  const sameShape = a.shape.every((s, i) => s === b.shape[i]);
  // JAX's case analysis: which operand is flipped decides whether the result is flipped back.
  if (m === 'same') return flip(convolveNd(flip(a), b, m, p));
  if (m === 'valid') {
    if (swap && !sameShape) return convolveNd(flip(b), a, m, p);
    return flip(convolveNd(flip(a), b, m, p));
  }
  if (swap) return convolveNd(flip(b), a, m, p);
  return flip(convolveNd(flip(a), b, m, p));
};
