/**
 * @file The `fft` library kernel's contract between its lowering (primitives/fft.ts) and the
 * backends that run it (backends/cpu/lib-fft.ts, backends/webgpu/lib-fft.ts): jax.lax.FftType's
 * numbering and the params the kernel carries.
 */

/** jax.lax.FftType, by the numbers its jaxprs print. */
export const FftType = { FFT: 0, IFFT: 1, RFFT: 2, IRFFT: 3 } as const;
export type FftTypeValue = (typeof FftType)[keyof typeof FftType];

/** Params of an `fft` library kernel. */
export interface FftParams {
  fftType: number;
  lengths: number[];
  /** Operand shape (complex elements for FFT/IFFT/IRFFT, real ones for RFFT). */
  inShape: number[];
  outShape: number[];
}
