/**
 * @file Rules of the `fft` primitive, as jax/_src/lax/fft.py: linear (the jvp applies the transform
 * to the tangent); the transpose of FFT is FFT and of IFFT is IFFT (the DFT matrix is symmetric);
 * RFFT transposes to a scaled IRFFT of the conjugated cotangent divided by a mask that counts the
 * Hermitian bins twice (JAX's jitted `_rfft_transpose`), IRFFT to the conjugate of a masked, scaled
 * RFFT (the convention of https://github.com/jax-ml/jax/issues/6223); batching moves the batch
 * dimension to the front, ahead of the transformed minor dimensions.
 */
import { toValue } from '../../core/coerce.js';
import type { Value } from '../../core/trace.js';
import { conj } from '../../lax/complex.js';
import { convertElementType } from '../../lax/convert.js';
import * as L from '../../lax/elementwise.js';
import { fft as laxFft } from '../../lax/fft.js';
import { broadcastInDim, dynamicUpdateSlice, expandDims } from '../../lax/structural.js';
import { FftType, fft, fftParams } from '../../primitives/fft.js';
import { jit } from '../jit.js';
import { instantiate } from '../jvp.js';
import type { TransposeRule } from '../transpose.js';
import { moveBatchAxis } from '../vmap.js';
import { deflinear, setBatch } from './common.js';

/** The mask over the last axis of a half spectrum of m bins: 1 at DC (and Nyquist for even n), else 2. */
function hermitianMask(like: Value, m: number, n: number): Value {
  const full = (v: number, size: number) => broadcastInDim(convertElementType(v, like.dtype), [size], []);
  let mask = dynamicUpdateSlice(full(2, m), full(1, 1), [0]);
  if (n % 2 === 0) mask = dynamicUpdateSlice(mask, full(1, 1), [m - 1]);
  // No new axes: JAX's staging forwards the identity broadcast_in_dim, so no equation is left.
  return like.ndim === 1 ? mask : expandDims(mask, [...Array(like.ndim - 1).keys()]);
}

const rfftTranspose = jit(
  function _rfft_transpose(t: Value, lengths: readonly number[]): Value {
    const n = lengths[lengths.length - 1];
    const mask = hermitianMask(t, t.shape[t.ndim - 1], n);
    const N = lengths.reduce((a, b) => a * b, 1);
    return L.mul(N, laxFft(L.div(conj(t), mask), FftType.IRFFT, lengths));
  },
  { staticArgnums: [1] },
);

function irfftTranspose(t: Value, lengths: readonly number[]): Value {
  const x = laxFft(t, FftType.RFFT, lengths);
  const mask = hermitianMask(x, x.shape[x.ndim - 1], lengths[lengths.length - 1]);
  const scale = 1 / lengths.reduce((a, b) => a * b, 1);
  return conj(L.mul(L.mul(scale, mask), x));
}

deflinear(fft);

fft.rules.transpose = (([ct], _args, params) => {
  const { type, lengths } = fftParams(params);
  const t = instantiate(ct);
  if (type === FftType.RFFT) return [rfftTranspose(t, lengths) as Value];
  if (type === FftType.IRFFT) return [irfftTranspose(t, lengths)];
  return [laxFft(t, type as 0 | 1, lengths)];
}) satisfies TransposeRule;

setBatch(fft, ([x], [d], params, axisSize) => {
  const { type, lengths } = fftParams(params);
  const moved = moveBatchAxis(toValue(x), d, 0, axisSize);
  return [[laxFft(moved, type as 0 | 1 | 2 | 3, lengths)], [0]];
});
