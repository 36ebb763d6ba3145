/**
 * @file jax.lax.fft(x, fft_type, fft_lengths): jitted with static type and lengths, as JAX's is
 * (so jaxprs show `jit[name=fft ...]`); converts the operand to the transform's input dtype
 * (complex, or real inexact for RFFT) and binds the `fft` primitive (primitives/fft.ts).
 */

import { toValue } from '../core/coerce.js';
import { complexOf, type DType, defaultFloat } from '../core/dtype.js';
import { bind1, type Value } from '../core/trace.js';
import { FftType, type FftTypeValue, fft as fftP } from '../primitives/fft.js';
import { jit } from '../transforms/jit.js';
import { convertElementType } from './convert.js';

export { FftType };

export type FftTypeLike =
  | FftTypeValue
  | 'fft'
  | 'FFT'
  | 'ifft'
  | 'IFFT'
  | 'rfft'
  | 'RFFT'
  | 'irfft'
  | 'IRFFT';

function valueError(message: string): Error {
  const e = new Error(message);
  e.name = 'ValueError';
  return e;
}

function fftTypeOf(t: FftTypeLike): FftTypeValue {
  if (typeof t === 'number') {
    if (t === 0 || t === 1 || t === 2 || t === 3) return t;
    throw new TypeError(`Unknown FFT type value '${t}'`);
  }
  const k = t.toUpperCase() as keyof typeof FftType;
  if (t !== k && t !== k.toLowerCase()) throw valueError(`Unknown FFT type '${t}'`);
  const v = FftType[k];
  if (v === undefined) throw valueError(`Unknown FFT type '${t}'`);
  return v;
}

const inexact = (d: DType): DType => (d.isInexact ? d : defaultFloat());

const fftJit = jit(
  function fft(x: Value, type: FftTypeValue, lengths: readonly number[]): Value {
    let v = x;
    if (type === FftType.RFFT) {
      if (v.dtype.isComplex) throw valueError('only real valued inputs supported for rfft');
      v = convertElementType(v, inexact(v.dtype));
    } else v = convertElementType(v, complexOf(inexact(v.dtype)));
    // XLA's FFT has no 0-d form.
    if (lengths.length === 0) return v;
    return bind1(fftP, [v], { fft_type: type, fft_lengths: [...lengths] });
  },
  { staticArgnums: [1, 2] },
);

/** lax.fft(x, fftType, fftLengths): the transform over the last len(fftLengths) dimensions. */
export function fft(x: unknown, fftType: FftTypeLike, fftLengths: readonly number[]): Value {
  return fftJit(toValue(x), fftTypeOf(fftType), [...fftLengths].map(Number)) as Value;
}
