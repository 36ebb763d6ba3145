/**
 * @file Export rules of the complex-number primitives and the FFT, after jax/_src/lax/lax.py and
 * jax/_src/lax/fft.py: `real`/`imag` are stablehlo.real/imag, `complex` is stablehlo.complex of
 * its broadcast operands, `conj` is JAX's lower_fun of `_conj_impl` (complex(real x, -imag x) for
 * a complex x, complex(x, 0) for a real one), and `fft` is one stablehlo.fft with JAX's type name
 * and lengths. Complex element types print as `complex<f32>` (mlir.ts), complex constants as
 * `(re,im)` pairs (attrs.ts).
 */

import type { Params } from '../../core/primitive.js';
import { complexHlo, elementwise, functionalType, imagHlo, list, realHlo, ty } from '../hlo.js';
import { registerExportRule } from '../lower.js';
import { Op } from '../mlir.js';
import { broadcastTo, fullLike } from './elementwise.js';

registerExportRule('real', (ctx, [z]) => [realHlo(ctx.b, z)]);
registerExportRule('imag', (ctx, [z]) => [imagHlo(ctx.b, z)]);

registerExportRule('complex', (ctx, ins) => {
  const o = ctx.avalsOut[0];
  const [re, im] = broadcastTo(ctx.b, ins, o.shape);
  return [complexHlo(ctx.b, re, im)];
});

registerExportRule('conj', (ctx, [x]) => {
  const { b } = ctx;
  if (!x.dtype.isComplex) return [complexHlo(b, x, fullLike(b, 0, x))];
  const re = realHlo(b, x);
  const im = elementwise(b, 'stablehlo.negate', [imagHlo(b, x)]);
  return [complexHlo(b, re, im)];
});

/** jax.lax.FftType's names by the number the jaxpr param holds. */
const FFT_TYPES = ['FFT', 'IFFT', 'RFFT', 'IRFFT'];

registerExportRule('fft', (ctx, [x], p: Params) => {
  const o = ctx.avalsOut[0];
  const out = ty(o.shape, o.dtype);
  const type = FFT_TYPES[Number(p.fft_type)];
  const lengths = (p.fft_lengths as readonly number[]).map(Number);
  const op = new Op(
    'stablehlo.fft',
    [x],
    [out],
    (pr) =>
      `stablehlo.fft ${pr.v(x)}, type = ${type}, length = ${list(lengths)} : ${functionalType([x.type], [out])}`,
  );
  return [ctx.b.add(op).results[0]];
});
