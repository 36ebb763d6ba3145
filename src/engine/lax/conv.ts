/**
 * @file lax's convolutions: convGeneralDilated, conv, convWithGeneralPadding, convTranspose, and
 * the helpers JAX exports beside them (convDimensionNumbers, convGeneralPermutations,
 * padtypeToPads, the shape-tuple functions). Argument handling, defaults and error texts follow
 * jax/_src/lax/convolution.py and lax.padtype_to_pads (JAX 0.10.2): string padding is resolved to
 * explicit pairs here, layout strings to a ConvDimensionNumbers, then the primitive is bound.
 */
import { toValue } from '../core/coerce.js';
import { type DTypeLike, requestDType } from '../core/dtype.js';
import { shapeTuple } from '../core/shape.js';
import { bind1, type Value } from '../core/trace.js';
import { pyStr } from '../ir/pyrepr.js';
import {
  ConvDimensionNumbers,
  conv_general_dilated,
  convShapeTuple,
  dilateDim,
  take,
} from '../primitives/conv.js';
import { rev, transpose } from '../primitives/structural.js';
import { canonicalizePrecision, type PrecisionLike } from './dot.js';
import { padKind, samePads } from './same-padding.js';

export { ConvDimensionNumbers, convShapeTuple };

type In = Value | number | boolean | readonly unknown[];

/** 'SAME', 'SAME_LOWER', 'VALID' (any case), or explicit (low, high) pairs per spatial dim. */
export type ConvPadding = string | readonly (readonly [number, number])[];

/** Layout strings (`['NHWC', 'HWIO', 'NHWC']`), a ConvDimensionNumbers, or null (NCHW/OIHW/NCHW). */
export type ConvDimensionNumbersLike =
  | readonly [string, string, string]
  | ConvDimensionNumbers
  | null
  | undefined;

/** Python's repr of a string tuple, as JAX's messages show one. */
const reprStrings = (xs: readonly unknown[]) => `(${xs.map((x) => `'${String(x)}'`).join(', ')})`;

/** The Python type name JAX's messages print for a value (`<class 'int'>`). */
function pyType(v: unknown): string {
  if (typeof v === 'string') return "<class 'str'>";
  if (typeof v === 'number') return Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>";
  if (typeof v === 'boolean') return "<class 'bool'>";
  if (v === null || v === undefined) return "<class 'NoneType'>";
  if (Array.isArray(v)) return "<class 'tuple'>";
  return "<class 'dict'>";
}

/**
 * conv_general_permutations: the (lhs, rhs, out) permutations to canonical (batch, feature,
 * spatial...) order; spatial dims are ordered as they appear in the rhs spec.
 */
export function convGeneralPermutations(
  dimensionNumbers: readonly [string, string, string],
): [number[], number[], number[]] {
  const [lhsSpec, rhsSpec, outSpec] = dimensionNumbers;
  const charpairs: [string, string][] = [
    ['N', 'C'],
    ['O', 'I'],
    ['N', 'C'],
  ];
  const count = (s: string, ch: string) => [...s].filter((c) => c === ch).length;
  charpairs.forEach(([a, b], i) => {
    const spec = dimensionNumbers[i];
    if (!(count(spec, a) === 1 && count(spec, b) === 1)) {
      throw new TypeError(
        `convolution dimension_numbers[${i}] must contain the characters '${a}' and '${b}' exactly once, got ${spec}.`,
      );
    }
    if (new Set(spec).size !== spec.length) {
      throw new TypeError(
        `convolution dimension_numbers[${i}] cannot have duplicate characters, got ${spec}.`,
      );
    }
  });
  const spatialSet = (s: string, pair: [string, string]) =>
    [...s]
      .filter((c) => !pair.includes(c))
      .sort()
      .join('');
  const sets = dimensionNumbers.map((s, i) => spatialSet(s, charpairs[i]));
  if (!(sets[0] === sets[1] && sets[1] === sets[2])) {
    throw new TypeError(
      `convolution dimension_numbers elements must each have the same set of spatial characters, got ${reprStrings(dimensionNumbers)}.`,
    );
  }
  const getperm = (spec: string, pair: [string, string], isRhs: boolean): number[] => {
    let spatial = [...Array(spec.length).keys()].filter((i) => !pair.includes(spec[i]));
    if (!isRhs) spatial = spatial.sort((x, y) => rhsSpec.indexOf(spec[x]) - rhsSpec.indexOf(spec[y]));
    return [spec.indexOf(pair[0]), spec.indexOf(pair[1]), ...spatial];
  };
  return [
    getperm(lhsSpec, charpairs[0], false),
    getperm(rhsSpec, charpairs[1], true),
    getperm(outSpec, charpairs[2], false),
  ];
}

/** conv_dimension_numbers: a ConvDimensionNumbers from layout strings, an instance, or null. */
export function convDimensionNumbers(
  lhsShape: readonly number[],
  rhsShape: readonly number[],
  dimensionNumbers: ConvDimensionNumbersLike,
): ConvDimensionNumbers {
  if (dimensionNumbers instanceof ConvDimensionNumbers) return dimensionNumbers;
  if (lhsShape.length !== rhsShape.length) {
    throw new TypeError(
      `convolution requires lhs and rhs ndim to be equal, got ${lhsShape.length} and ${rhsShape.length}.`,
    );
  }
  if (dimensionNumbers === null || dimensionNumbers === undefined) {
    const iota = [...lhsShape.keys()];
    return new ConvDimensionNumbers(iota, iota, iota);
  }
  if (!Array.isArray(dimensionNumbers)) {
    throw new TypeError(
      `convolution dimension_numbers must be tuple/list or None, got ${pyType(dimensionNumbers)}.`,
    );
  }
  if (dimensionNumbers.length !== 3) {
    throw new TypeError(
      `convolution dimension_numbers list/tuple must be length 3, got ${dimensionNumbers.length}.`,
    );
  }
  if (!dimensionNumbers.every((e) => typeof e === 'string')) {
    throw new TypeError(
      `convolution dimension_numbers elements must be strings, got (${dimensionNumbers.map(pyType).join(', ')}).`,
    );
  }
  dimensionNumbers.forEach((e: string, i) => {
    if (e.length !== lhsShape.length) {
      throw new TypeError(
        `convolution dimension_numbers[${i}] must have len equal to the ndim of lhs and rhs, got ${e.length} for lhs and rhs shapes ${shapeTuple(lhsShape)} and ${shapeTuple(rhsShape)}.`,
      );
    }
  });
  const [l, r, o] = convGeneralPermutations(dimensionNumbers as [string, string, string]);
  return new ConvDimensionNumbers(l, r, o);
}

/**
 * lax.padtype_to_pads: 'VALID' pads nothing; 'SAME' and 'SAME_LOWER' pad so that the output has
 * ceil(in / stride) elements, the odd element going last ('SAME') or first ('SAME_LOWER').
 */
export function padtypeToPads(
  inShape: readonly number[],
  windowShape: readonly number[],
  windowStrides: readonly number[],
  padding: string,
): [number, number][] {
  const kind = padKind(padding, Error);
  if (kind === 'VALID') return inShape.map(() => [0, 0]);
  const n = Math.min(inShape.length, windowShape.length, windowStrides.length);
  return [...Array(n).keys()].map((i) => samePads(kind, inShape[i], windowStrides[i], windowShape[i]));
}

export interface ConvGeneralDilatedOptions {
  lhsDilation?: readonly number[] | null;
  rhsDilation?: readonly number[] | null;
  dimensionNumbers?: ConvDimensionNumbersLike;
  featureGroupCount?: number;
  batchGroupCount?: number;
  precision?: PrecisionLike;
  preferredElementType?: DTypeLike | null;
  /** Accepted for signature compatibility; single-device arrays have no sharding to pick. */
  outSharding?: null;
}

/** The padding argument as explicit integer pairs, or JAX's error. */
function explicitPads(padding: ConvPadding): [number, number][] {
  const bad = () => {
    const text = Array.isArray(padding)
      ? `[${padding.map((q) => (Array.isArray(q) ? pyStr(q) : pyStr(q))).join(', ')}]`
      : pyStr(padding);
    return new RangeError(
      `padding argument to conv_general_dilated should be a string or a sequence of (low, high) pairs, got ${text}`,
    );
  };
  if (!Array.isArray(padding)) throw bad();
  return padding.map((q: unknown) => {
    if (
      !Array.isArray(q) ||
      q.length !== 2 ||
      !q.every((v) => Number.isInteger(Number(v)) && typeof v !== 'boolean')
    ) {
      throw bad();
    }
    return [Number(q[0]), Number(q[1])] as [number, number];
  });
}

/**
 * lax.conv_general_dilated(lhs, rhs, windowStrides, padding, { lhsDilation, rhsDilation,
 * dimensionNumbers, featureGroupCount, batchGroupCount, precision, preferredElementType }).
 */
export function convGeneralDilated(
  lhs: In,
  rhs: In,
  windowStrides: readonly number[],
  padding: ConvPadding,
  opts: ConvGeneralDilatedOptions = {},
): Value {
  const l = toValue(lhs);
  const r = toValue(rhs);
  const dnums = convDimensionNumbers(l.shape, r.shape, opts.dimensionNumbers);
  let lhsDilation = opts.lhsDilation;
  if (lhsDilation === null || lhsDilation === undefined) lhsDilation = new Array(l.ndim - 2).fill(1);
  else if (typeof padding === 'string' && !lhsDilation.every((d) => d === 1)) {
    throw new RangeError(
      'String padding is not implemented for transposed convolution using this op. Please either exactly ' +
        'specify the required padding or use conv_transpose.',
    );
  }
  const rhsDilation = opts.rhsDilation ?? new Array(r.ndim - 2).fill(1);
  let pads: [number, number][];
  if (typeof padding === 'string') {
    const kernel = take(r.shape, dnums.rhs_spec).slice(2);
    const effective = kernel.slice(0, rhsDilation.length).map((k, i) => dilateDim(k, rhsDilation[i]));
    pads = padtypeToPads(take(l.shape, dnums.lhs_spec).slice(2), effective, windowStrides, padding);
  } else pads = explicitPads(padding);
  const pet =
    opts.preferredElementType === null || opts.preferredElementType === undefined
      ? null
      : requestDType(opts.preferredElementType, 'conv_general_dilated');
  return bind1(conv_general_dilated, [l, r], {
    window_strides: [...windowStrides].map(Number),
    padding: pads,
    lhs_dilation: [...lhsDilation].map(Number),
    rhs_dilation: [...rhsDilation].map(Number),
    dimension_numbers: dnums,
    feature_group_count: opts.featureGroupCount ?? 1,
    batch_group_count: opts.batchGroupCount ?? 1,
    precision: canonicalizePrecision(opts.precision),
    preferred_element_type: pet,
    out_sharding: null,
  });
}

export interface ConvOptions {
  precision?: PrecisionLike;
  preferredElementType?: DTypeLike | null;
}

/** lax.conv: NCHW/OIHW convolution with 'SAME' or 'VALID' padding. */
export function conv(
  lhs: In,
  rhs: In,
  windowStrides: readonly number[],
  padding: ConvPadding,
  opts: ConvOptions = {},
): Value {
  return convGeneralDilated(lhs, rhs, windowStrides, padding, opts);
}

/** lax.conv_with_general_padding: conv with explicit padding and dilations. */
export function convWithGeneralPadding(
  lhs: In,
  rhs: In,
  windowStrides: readonly number[],
  padding: ConvPadding,
  lhsDilation: readonly number[] | null = null,
  rhsDilation: readonly number[] | null = null,
  opts: ConvOptions = {},
): Value {
  return convGeneralDilated(lhs, rhs, windowStrides, padding, { ...opts, lhsDilation, rhsDilation });
}

/**
 * _conv_transpose_padding: (before, after) padding of one dim of a transposed convolution with
 * kernel size k and stride s, for the padding of the corresponding forward convolution.
 */
export function convTransposePadding(
  k: number,
  s: number,
  padding: string | readonly number[],
): [number, number] {
  let padLen: number;
  let padA: number;
  if (padding === 'SAME') {
    padLen = k + s - 2;
    padA = s > k - 1 ? k - 1 : Math.ceil(padLen / 2);
  } else if (padding === 'VALID') {
    padLen = k + s - 2 + Math.max(k - s, 0);
    padA = k - 1;
  } else if (Array.isArray(padding)) {
    const pads = padding.map((p) => k - p - 1);
    padA = pads[0];
    padLen = pads.reduce((a, b) => a + b, 0);
  } else {
    throw new RangeError(`Invalid padding mode: ${String(padding)}`);
  }
  return [padA, padLen - padA];
}

export interface ConvTransposeOptions extends ConvOptions {
  rhsDilation?: readonly number[] | null;
  dimensionNumbers?: ConvDimensionNumbersLike;
  /** Flip the kernel's spatial axes and swap its in/out feature axes (Keras' Conv2DTranspose). */
  transposeKernel?: boolean;
  /** Read explicit pairs as the forward convolution's padding too (PyTorch's convention). */
  useConsistentPadding?: boolean;
}

const CONV_TRANSPOSE_DEFAULTS: Record<number, [string, string, string]> = {
  2: ['NC', 'IO', 'NC'],
  3: ['NHC', 'HIO', 'NHC'],
  4: ['NHWC', 'HWIO', 'NHWC'],
  5: ['NHWDC', 'HWDIO', 'NHWDC'],
};

/**
 * lax.conv_transpose: a fractionally strided convolution (lhs dilated by `strides`), with padding
 * 'SAME'/'VALID' read as the forward convolution's; layouts default to TensorFlow's (NHWC/HWIO).
 */
export function convTranspose(
  lhs: In,
  rhs: In,
  strides: readonly number[],
  padding: ConvPadding,
  opts: ConvTransposeOptions = {},
): Value {
  const l = toValue(lhs);
  let r = toValue(rhs);
  if (!(l.ndim === r.ndim && l.ndim >= 2)) {
    throw new Error(
      'conv_transpose: lhs and rhs must have the same rank, at least 2 (AssertionError in JAX)',
    );
  }
  const ndims = l.ndim;
  const one = new Array(ndims - 2).fill(1);
  let dnIn = opts.dimensionNumbers;
  if (dnIn === null || dnIn === undefined) {
    dnIn = CONV_TRANSPOSE_DEFAULTS[ndims];
    if (!dnIn) throw new RangeError('No 4+ dimensional dimension_number defaults.');
  }
  const dn = convDimensionNumbers(l.shape, r.shape, dnIn);
  const kSdims = take(r.shape, dn.rhs_spec).slice(2);
  const rhsDilation = opts.rhsDilation ?? new Array(r.ndim - 2).fill(1);
  let pads: ConvPadding;
  if (opts.useConsistentPadding || padding === 'SAME' || padding === 'VALID') {
    const replicated: readonly (string | readonly number[])[] =
      typeof padding === 'string' ? strides.map(() => padding) : (padding as readonly (readonly number[])[]);
    const n = Math.min(kSdims.length, rhsDilation.length, strides.length, replicated.length);
    pads = [...Array(n).keys()].map((i) =>
      convTransposePadding(dilateDim(kSdims[i], rhsDilation[i]), strides[i], replicated[i]),
    );
  } else pads = padding;
  if (opts.transposeKernel) {
    for (const axis of dn.rhs_spec.slice(2)) r = bind1(rev, [r], { dimensions: [axis] });
    const perm = r.shape.map((_, i) => i);
    perm[dn.rhs_spec[0]] = dn.rhs_spec[1];
    perm[dn.rhs_spec[1]] = dn.rhs_spec[0];
    r = bind1(transpose, [r], { permutation: perm });
  }
  return convGeneralDilated(l, r, one, pads, {
    lhsDilation: strides,
    rhsDilation,
    dimensionNumbers: dn,
    precision: opts.precision,
    preferredElementType: opts.preferredElementType,
  });
}

/**
 * A shape rule given layout strings (JAX's conv_*_shape_tuple): `f` sees the operands' shapes in
 * (batch, feature, spatial...) order, and its result is put back in the output layout.
 */
function inLayout(
  f: (lt: number[], rt: number[], windowStrides: readonly number[], padding: ConvPadding) => number[],
) {
  return (
    lhsShape: readonly number[],
    rhsShape: readonly number[],
    windowStrides: readonly number[],
    padding: ConvPadding,
    dimensionNumbers: readonly [string, string, string],
  ): number[] => {
    const [lp, rp, op] = convGeneralPermutations(dimensionNumbers);
    const outT = f(take(lhsShape, lp), take(rhsShape, rp), windowStrides, padding);
    const out = new Array<number>(op.length);
    op.forEach((d, i) => {
      out[d] = outT[i];
    });
    return out;
  };
}

/** conv_general_shape_tuple: the output shape of a convolution given layout strings. */
export const convGeneralShapeTuple = inLayout((lt, rt, windowStrides, padding) => {
  const pads =
    typeof padding === 'string'
      ? padtypeToPads(lt.slice(2), rt.slice(2), windowStrides, padding)
      : explicitPads(padding);
  return convShapeTuple(lt, rt, windowStrides, pads);
});

/** conv_transpose_shape_tuple: the output shape of lax.convTranspose given layout strings. */
export const convTransposeShapeTuple = inLayout((lt, rt, windowStrides, padding) => {
  const pairs =
    typeof padding === 'string'
      ? rt.slice(2).map((k, i) => convTransposePadding(k, windowStrides[i], padding))
      : explicitPads(padding);
  const outSpace = lt
    .slice(2)
    .map((n, i) => (n - 1) * windowStrides[i] - rt[2 + i] + 2 + pairs[i][0] + pairs[i][1]);
  return [lt[0], rt[0], ...outSpace];
});
