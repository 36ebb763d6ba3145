/**
 * @file lax.conv_general_dilated_patches and lax.conv_general_dilated_local, as JAX 0.10.2 writes
 * them (jax/_src/lax/other.py): patches are a grouped convolution with an identity kernel, one
 * output channel per (input channel, filter position), so each output location holds its
 * flattened receptive field (channel major); the unshared (locally connected) convolution
 * contracts those patches with a kernel that has its own weights at every output location.
 */
import { toValue } from '../core/coerce.js';
import { type DType, type DTypeLike, int32 } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import type { Value } from '../core/trace.js';
import {
  type ConvDimensionNumbersLike,
  type ConvPadding,
  convDimensionNumbers,
  convGeneralDilated,
} from './conv.js';
import { convertElementType } from './convert.js';
import { canonicalizePrecision, dotGeneral, Precision, type PrecisionLike } from './dot.js';
import { add, eq } from './elementwise.js';
import { broadcastedIota, broadcastInDim, reshape, transpose } from './structural.js';

type In = Value | number | boolean | readonly unknown[];

/** lax._eye(dtype, (n, n)) with its offset 0, as JAX traces it (iota + 0 == iota). */
function eye(dtype: DType, n: number): Value {
  const rows = add(broadcastedIota(int32, [n, n], 0), convertElementType(0, int32));
  return convertElementType(eq(rows, broadcastedIota(int32, [n, n], 1)), dtype);
}

/** jax._src.util.moveaxis: move axes `src` to positions `dst` by one transpose. */
function moveaxis(x: Value, src: readonly number[], dst: readonly number[]): Value {
  const n = x.ndim;
  const s = src.map((a) => (a < 0 ? a + n : a));
  const d = dst.map((a) => (a < 0 ? a + n : a));
  if (s.join() === d.join()) return x;
  const perm = [...Array(n).keys()].filter((i) => !s.includes(i));
  for (const [dest, from] of d.map((v, i) => [v, s[i]] as const).sort((a, b) => a[0] - b[0]))
    perm.splice(dest, 0, from);
  return transpose(x, perm);
}

export interface ConvPatchesOptions {
  lhsDilation?: readonly number[] | null;
  rhsDilation?: readonly number[] | null;
  dimensionNumbers?: ConvDimensionNumbersLike;
  precision?: PrecisionLike;
  preferredElementType?: DTypeLike | null;
}

/**
 * lax.conv_general_dilated_patches(lhs, filterShape, windowStrides, padding, {...}): the patches
 * a convolution with `filterShape` windows would see, flattened into the output's channel axis
 * (size prod(filterShape) * channels).
 */
export function convGeneralDilatedPatches(
  lhs: In,
  filterShape: readonly number[],
  windowStrides: readonly number[],
  padding: ConvPadding,
  opts: ConvPatchesOptions = {},
): Value {
  const l = toValue(lhs);
  const dn = convDimensionNumbers(l.shape, [1, 1, ...filterShape], opts.dimensionNumbers);
  const spatial = filterShape.reduce((a, b) => a * b, 1);
  const channels = l.shape[dn.lhs_spec[1]];
  let rhs = eye(l.dtype, spatial);
  rhs = broadcastInDim(rhs, [channels, spatial, spatial], [1, 2]);
  rhs = reshape(rhs, [channels * spatial, 1, ...filterShape]);
  rhs = moveaxis(rhs, [0, 1], [dn.rhs_spec[0], dn.rhs_spec[1]]);
  return convGeneralDilated(l, rhs, windowStrides, padding, {
    lhsDilation: opts.lhsDilation,
    rhsDilation: opts.rhsDilation,
    dimensionNumbers: dn,
    precision:
      opts.precision === null || opts.precision === undefined
        ? null
        : [opts.precision as never, Precision.DEFAULT],
    featureGroupCount: channels,
    preferredElementType: opts.preferredElementType,
  });
}

export interface ConvLocalOptions {
  lhsDilation?: readonly number[] | null;
  rhsDilation?: readonly number[] | null;
  dimensionNumbers?: ConvDimensionNumbersLike;
  precision?: PrecisionLike;
}

/**
 * lax.conv_general_dilated_local(lhs, rhs, windowStrides, padding, filterShape, {...}): an
 * unshared convolution; rhs has the output's spatial dimensions besides I (patch size) and O.
 */
export function convGeneralDilatedLocal(
  lhs: In,
  rhs: In,
  windowStrides: readonly number[],
  padding: ConvPadding,
  filterShape: readonly number[],
  opts: ConvLocalOptions = {},
): Value {
  const l = toValue(lhs);
  const precision = canonicalizePrecision(opts.precision);
  let lhsPrecision: PrecisionLike = null;
  if (precision !== null && precision !== undefined) {
    if (!Array.isArray(precision) || precision.length !== 2)
      throw new ValueError(`Unsupported precision for conv_general_dilated_local: ${String(opts.precision)}`);
    lhsPrecision = precision[0];
  }
  const patches = convGeneralDilatedPatches(l, filterShape, windowStrides, padding, {
    lhsDilation: opts.lhsDilation,
    rhsDilation: opts.rhsDilation,
    dimensionNumbers: opts.dimensionNumbers,
    precision: lhsPrecision,
  });
  const dn = convDimensionNumbers(l.shape, [1, 1, ...filterShape], opts.dimensionNumbers);
  const outSpec = [...dn.out_spec];
  const rhsSpec = [...dn.rhs_spec];
  const lhsB = outSpec.slice(2);
  const rhsB0 = rhsSpec.slice(2);
  const order = [...lhsB.keys()].sort((a, b) => lhsB[a] - lhsB[b]);
  const rhsB = order.map((i) => rhsB0[i]);
  const lhsBSorted = [...lhsB].sort((a, b) => a - b);
  const out = dotGeneral(
    patches,
    toValue(rhs),
    [
      [[outSpec[1]], [rhsSpec[1]]],
      [lhsBSorted, rhsB],
    ],
    { precision: opts.precision },
  );
  return moveaxis(out, [-2, -1], [outSpec[0], outSpec[1]]);
}
