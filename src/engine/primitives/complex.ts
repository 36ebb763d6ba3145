/**
 * @file The complex-number primitives of lax: `real`, `imag`, `complex` and `conj`, with
 * JAX 0.10.2's dtype rules (jax/_src/lax/lax.py): real/imag take a complex operand and give its
 * part dtype; complex takes two float32 or two float64 operands; conj takes those or a complex
 * operand (conj of a real x is complex(x, 0)) and records `input_dtype`, which its transpose reads.
 * Each lowers to the kernel IR's part ops, which compile/complex.ts rewrites into float pairs.
 */
import { bin, constant, un } from '../compile/kir.js';
import { ShapedArray } from '../core/aval.js';
import { complexOf, type DType, realPart, toDType } from '../core/dtype.js';
import { definePrimitive, type Params } from '../core/primitive.js';
import { broadcastingShape, checkDType, checkSameDTypes, elementwiseLowering, naryRules } from './common.js';

export const real = definePrimitive(
  'real',
  naryRules('real', 'complex', ([x], _p, out) => un('real', x, out.dtype), realPart),
);

export const imag = definePrimitive(
  'imag',
  naryRules('imag', 'complex', ([x], _p, out) => un('imag', x, out.dtype), realPart),
);

export const complex = definePrimitive('complex', {
  abstractEval([x, y]) {
    checkDType('complex', x.dtype, 'complex_parts', 0);
    checkDType('complex', y.dtype, 'complex_parts', 1);
    const dt = checkSameDTypes('complex', [x, y]);
    const shape = broadcastingShape('complex', [x.shape, y.shape]);
    return [new ShapedArray(shape, complexOf(dt), x.weakType && y.weakType)];
  },
  lower: elementwiseLowering(([a, b], _p, out) => bin('complex', a, b, out.dtype)),
});

export const conj = definePrimitive('conj', {
  abstractEval([x]) {
    checkDType('conj', x.dtype, 'conj');
    return [new ShapedArray(x.shape, complexOf(x.dtype), x.weakType)];
  },
  lower: elementwiseLowering(([x], _p, out) =>
    x.dt.isComplex ? un('conj', x, out.dtype) : bin('complex', x, constant(0, x.dt), out.dtype),
  ),
});

/** conj's `input_dtype` param (a DType, or its name in params read back from JSON). */
export function conjInputDType(p: Params): DType {
  return toDType(p.input_dtype as DType);
}
