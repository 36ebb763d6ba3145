/**
 * @file The `fft` primitive of jax.lax (jax/_src/lax/fft.py, JAX 0.10.2): XLA's FFT over the last
 * `len(fft_lengths)` dimensions, with params `fft_type` (jax.lax.FftType: 0 FFT, 1 IFFT, 2 RFFT,
 * 3 IRFFT; printed as its number, as JAX's jaxprs show it) and `fft_lengths`, JAX's shape and
 * dtype rules and ValueError texts. It lowers to the `fft` library kernel over the operand's
 * buffer (backends/cpu/lib-fft.ts, backends/webgpu/lib-fft.ts); complex buffers reach it
 * interleaved, as every library kernel in compile/complex.ts's COMPLEX_LIBS takes them.
 */
import { type FftParams, FftType, type FftTypeValue } from '../compile/fft-params.js';
import type { LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { complexOf, realPart } from '../core/dtype.js';
import { definePrimitive, type Params } from '../core/primitive.js';
import { shapeTuple } from '../core/shape.js';

export { FftType, type FftTypeValue };

function valueError(message: string): Error {
  const e = new Error(message);
  e.name = 'ValueError';
  return e;
}

export function fftParams(p: Params): { type: number; lengths: number[] } {
  return { type: Number(p.fft_type), lengths: (p.fft_lengths as number[]).map(Number) };
}

const same = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

export const fft = definePrimitive('fft', {
  abstractEval([x], p) {
    const { type, lengths } = fftParams(p);
    const k = lengths.length;
    const tup = shapeTuple;
    if (k > x.ndim) {
      throw valueError(
        `FFT input shape ${tup(x.shape)} must have at least as many input dimensions as fft_lengths ${tup(lengths)}.`,
      );
    }
    const minor = x.shape.slice(x.ndim - k);
    if (type === FftType.RFFT) {
      if (x.dtype.name !== 'float32' && x.dtype.name !== 'float64')
        throw valueError(`RFFT input must be float32 or float64, got ${x.dtype.name}`);
      if (!same(minor, lengths))
        throw valueError(
          `RFFT input shape ${tup(x.shape)} minor dimensions must be equal to fft_lengths ${tup(lengths)}`,
        );
      const shape = [
        ...x.shape.slice(0, x.ndim - k),
        ...lengths.slice(0, -1),
        Math.floor(lengths[k - 1] / 2) + 1,
      ];
      return [new ShapedArray(shape, complexOf(x.dtype), x.weakType)];
    }
    if (type === FftType.IRFFT) {
      if (!x.dtype.isComplex)
        throw valueError(`IRFFT input must be complex64 or complex128, got ${x.dtype.name}`);
      if (!same(minor.slice(0, -1), lengths.slice(0, -1)))
        throw valueError(
          `IRFFT input shape ${tup(x.shape)} minor dimensions must be equal to all except the last fft_length, got fft_lengths=${tup(lengths)}`,
        );
      return [new ShapedArray([...x.shape.slice(0, x.ndim - k), ...lengths], realPart(x.dtype), x.weakType)];
    }
    if (!x.dtype.isComplex)
      throw valueError(`FFT input must be complex64 or complex128, got ${x.dtype.name}`);
    if (!same(minor, lengths))
      throw valueError(
        `FFT input shape ${tup(x.shape)} minor dimensions must be equal to fft_lengths ${tup(lengths)}`,
      );
    return [new ShapedArray(x.shape, x.dtype, x.weakType)];
  },
  lower: ((ctx, [x], p, [out]) => {
    const { type, lengths } = fftParams(p);
    const buf = ctx.materialize(x).buf!;
    const o = ctx.newBuffer(out, 'temp');
    ctx.kernels.push({
      kind: 'lib',
      op: 'fft',
      ins: [buf],
      outs: [o],
      params: {
        fftType: type,
        lengths,
        inShape: [...x.aval.shape],
        outShape: [...out.shape],
      } satisfies FftParams,
    });
    return [ctx.fromBuffer(o, out)];
  }) satisfies LowerRule,
});
