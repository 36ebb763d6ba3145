/**
 * @file The conv_general_dilated primitive: XLA's Conv, an n-d convolution with strides, explicit
 * padding, lhs (input) and rhs (kernel) dilation, and feature or batch grouping, in any layout.
 * Params, shape rule, dtype rule and their error texts follow jax/_src/lax/convolution.py (JAX
 * 0.10.2): `window_strides`, `padding` (explicit (lo, hi) pairs; lax/conv.ts resolves 'SAME' and
 * friends), `lhs_dilation`, `rhs_dilation`, `dimension_numbers` (a ConvDimensionNumbers of three
 * permutations: (batch, feature, spatial...) of lhs and out, (out feature, in feature,
 * spatial...) of rhs), `feature_group_count`, `batch_group_count`, `precision`,
 * `preferred_element_type` and `out_sharding` (always None on one device), all printed as JAX
 * prints them. The rules live in transforms/rules/conv.ts, the lowering in conv-lower.ts.
 */

import { ShapedArray } from '../core/aval.js';
import type { DType } from '../core/dtype.js';
import { definePrimitive } from '../core/primitive.js';
import { shapeTuple } from '../core/shape.js';
import { pyStr } from '../ir/pyrepr.js';
import { checkSameDTypes } from './common.js';
import { lowerConv } from './conv-lower.js';
import { type ConvParams, convParams } from './conv-params.js';

export { ConvDimensionNumbers, type ConvParams, convParams } from './conv-params.js';

const tup = (xs: readonly number[]) => shapeTuple(xs);
/** A NumPy integer tuple as JAX's messages show one (`(np.int64(4),)`). */
const npTup = (xs: readonly number[]) => tup(xs.map((n) => `np.int64(${n})` as unknown as number));

/** max(0, 1 + dilation * (d - 1)) (core.dilate_dim). */
export function dilateDim(d: number, dilation: number): number {
  return dilation === 1 ? d : Math.max(1 + dilation * (d - 1), 0);
}

/** max(0, (d - window) // stride + 1) (core.stride_dim). */
export function strideDim(d: number, window: number, stride: number): number {
  return Math.max(Math.floor((d - window) / stride) + 1, 0);
}

/** lax._dilate_shape: dilations apply to the trailing dimensions. */
export function dilateShape(shape: readonly number[], dilation: readonly number[]): number[] {
  if (!dilation.every((d) => d > 0))
    throw new TypeError(`All dilations must be positive, got ${tup(dilation)}.`);
  const full = [...new Array(shape.length - dilation.length).fill(1), ...dilation];
  return shape.map((d, i) => dilateDim(d, full[i]));
}

export const take = (xs: readonly number[], idx: readonly number[]): number[] => idx.map((i) => xs[i]);

/** The inverse permutation (np.argsort of a permutation). */
export function argsortPerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((d, i) => {
    inv[d] = i;
  });
  return inv;
}

/**
 * conv_shape_tuple: the output shape in canonical order (batch, feature, spatial...) from the
 * lhs and rhs shapes in canonical order and explicit pads.
 */
export function convShapeTuple(
  lhsShape: readonly number[],
  rhsShape: readonly number[],
  strides: readonly number[],
  pads: readonly (readonly [number, number])[],
  batchGroupCount = 1,
  /** Whether lhsShape came from NumPy (its message prints np.int64). */
  numpyShape = false,
): number[] {
  if (pads.length !== lhsShape.length - 2) {
    throw new TypeError(
      `Wrong number of explicit pads for convolution: expected ${lhsShape.length - 2}, got ${pads.length}.`,
    );
  }
  const spatial = lhsShape.slice(2);
  const padded = spatial.map((d, i) => d + pads[i][0] + pads[i][1]);
  if (padded.some((d) => d < 0)) {
    const padText = pyStr(pads.map((p) => [p[0], p[1]]));
    throw new RangeError(
      'Negative padding is larger than the size of the corresponding dimension: ' +
        `got padding=${padText} for lhs_shape[2:]=${numpyShape ? npTup(spatial) : tup(spatial)}`,
    );
  }
  strides.forEach((s, i) => {
    if (!(s > 0)) {
      throw new RangeError(
        `conv_general_dilated expects window to have positive stride for ${i}-th window dimension, but got ${s}.`,
      );
    }
  });
  const outSpace = padded.map((d, i) => strideDim(d, rhsShape[2 + i], strides[i]));
  const out0 = batchGroupCount > 1 ? lhsShape[0] / batchGroupCount : lhsShape[0];
  return [out0, rhsShape[0], ...outSpace];
}

/** _conv_general_dilated_shape_rule, with JAX's checks in JAX's order. */
function shapeRule(lhs: ShapedArray, rhs: ShapedArray, p: ConvParams): number[] {
  const dn = p.dimension_numbers;
  if (lhs.ndim !== rhs.ndim) {
    throw new RangeError(
      `conv_general_dilated lhs and rhs must have the same number of dimensions, but got ${tup(lhs.shape)} and ${tup(rhs.shape)}.`,
    );
  }
  const fgc = p.feature_group_count;
  const bgc = p.batch_group_count;
  if (!(fgc > 0)) {
    throw new RangeError(`conv_general_dilated feature_group_count must be a positive integer, got ${fgc}.`);
  }
  const lhsFeatures = lhs.shape[dn.lhs_spec[1]];
  const rhsIn = rhs.shape[dn.rhs_spec[1]];
  const rhsOut = rhs.shape[dn.rhs_spec[0]];
  if (lhsFeatures % fgc) {
    throw new RangeError(
      `conv_general_dilated feature_group_count must divide lhs feature dimension size, but ${fgc} does not divide ${lhsFeatures}.`,
    );
  }
  if (lhsFeatures / fgc !== rhsIn) {
    throw new RangeError(
      'conv_general_dilated lhs feature dimension size divided by feature_group_count must equal the ' +
        `rhs input feature dimension size, but ${lhsFeatures} // ${fgc} != ${rhsIn}.`,
    );
  }
  if (rhsOut % fgc) {
    throw new RangeError(
      'conv_general_dilated rhs output feature dimension size must be a multiple of feature_group_count, ' +
        `but ${rhsOut} is not a multiple of ${fgc}.`,
    );
  }
  if (!(bgc > 0)) {
    throw new RangeError(`conv_general_dilated batch_group_count must be a positive integer, got ${bgc}.`);
  }
  const lhsBatch = lhs.shape[dn.lhs_spec[0]];
  if (bgc > 1 && lhsBatch % bgc !== 0) {
    throw new RangeError(
      `conv_general_dilated batch_group_count must divide lhs batch dimension size, but ${bgc} does not divide ${lhsBatch}.`,
    );
  }
  if (rhsOut % bgc) {
    throw new RangeError(
      'conv_general_dilated rhs output feature dimension size must be a multiple of batch_group_count, ' +
        `but ${rhsOut} is not a multiple of ${bgc}.`,
    );
  }
  if (bgc > 1 && fgc > 1) {
    throw new RangeError(
      `At most one of batch_group_count and feature_group_count may be > 1, got batch_group_count=${bgc} and feature_group_count=${fgc}`,
    );
  }
  const nsp = dn.rhs_spec.length - 2;
  if (nsp !== p.window_strides.length) {
    throw new RangeError(
      `conv_general_dilated window and window_strides must have the same number of dimensions, but got ${nsp} and ${p.window_strides.length}`,
    );
  }
  const lhsTrans = dilateShape(take(lhs.shape, dn.lhs_spec), p.lhs_dilation);
  const rhsTrans = dilateShape(take(rhs.shape, dn.rhs_spec), p.rhs_dilation);
  const outTrans = convShapeTuple(lhsTrans, rhsTrans, p.window_strides, p.padding, bgc, true);
  return take(outTrans, argsortPerm(dn.out_spec));
}

const isSignedInt = (d: DType) => d.kind === 'i';

/** lax._validate_preferred_element_type. */
export function validatePreferredElementType(input: DType, preferred: DType): void {
  if (!(input.isInt && preferred.isFloat)) {
    if ((input.isInt && !preferred.isInt) || (input.isFloat && !preferred.isFloat)) {
      throw new TypeError(
        'Input type is incompatible with `preferred_element_type`. The compatible combinations of ' +
          '(input_type, preferred_element_type) are (integral, integral), (integral, floating), ' +
          '(floating, floating), (complex, complex.',
      );
    }
    if (isSignedInt(input) && !isSignedInt(preferred)) {
      throw new TypeError('`preferred_element_type` must have the same signedness as the original type.');
    }
  }
  if (preferred.itemsize < input.itemsize) {
    throw new TypeError('`preferred_element_type` must not be narrower than the original type.');
  }
}

export const conv_general_dilated = definePrimitive('conv_general_dilated', {
  abstractEval([lhs, rhs], params) {
    const p = convParams(params);
    const shape = shapeRule(lhs, rhs, p);
    const dt = checkSameDTypes('conv_general_dilated', [lhs, rhs]);
    const pet = p.preferred_element_type;
    if (pet) validatePreferredElementType(dt, pet);
    return [new ShapedArray(shape, pet ?? dt, lhs.weakType && rhs.weakType)];
  },
  lower: lowerConv,
});
