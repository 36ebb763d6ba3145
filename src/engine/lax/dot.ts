/**
 * @file lax's contractions: dotGeneral and dot, plus the Precision enum. Arguments and errors
 * follow jax.lax.dot_general / jax.lax.dot (JAX 0.10.2): no dtype promotion (the primitive
 * accepts mixed operand dtypes and picks the wider), `precision` canonicalized to a pair.
 */
import { toValue } from '../core/coerce.js';
import { type DTypeLike, requestDType } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { shapeTuple } from '../core/shape.js';
import { bind1, type Value } from '../core/trace.js';
import { PyRaw } from '../ir/pyrepr.js';
import { type DotDimensionNumbers, dot_general } from '../primitives/dot.js';

type In = Value | number | boolean | readonly unknown[];

/** lax.Precision: values print as JAX's enum members (`Precision.HIGHEST`). */
export const Precision = {
  DEFAULT: new PyRaw('Precision.DEFAULT'),
  HIGH: new PyRaw('Precision.HIGH'),
  HIGHEST: new PyRaw('Precision.HIGHEST'),
} as const;

export type PrecisionValue = (typeof Precision)[keyof typeof Precision];
export type PrecisionLike =
  | PrecisionValue
  | string
  | null
  | undefined
  | readonly [PrecisionValue | string, PrecisionValue | string];

// JAX's _precision_strings: config-style names map onto the three enum members.
const PRECISION_STRINGS: Record<string, PrecisionValue> = {
  default: Precision.DEFAULT,
  fastest: Precision.DEFAULT,
  bfloat16: Precision.DEFAULT,
  high: Precision.HIGH,
  bfloat16_3x: Precision.HIGH,
  tensorfloat32: Precision.HIGH,
  highest: Precision.HIGHEST,
  float32: Precision.HIGHEST,
};

/** JAX 0.10.2's message for a precision it does not know (lax.canonicalize_precision). */
function precisionError(p: unknown): Error {
  return new ValueError(
    'Precision argument must be one of:\n- None,\n' +
      "- a string in ['highest', 'float32', 'high', 'bfloat16_3x', 'tensorfloat32', 'default', 'bfloat16', 'fastest', None],\n" +
      '- a lax.Precision value,\n- a tuple of two lax.Precision values or strings,\n' +
      '- a lax.DotAlgorithmPreset or the name of one of these presets, or\n' +
      `- a lax.DotAlgorithm value;\nbut got ${String(p)}.`,
  );
}

function onePrecision(p: PrecisionValue | string): PrecisionValue {
  if (p instanceof PyRaw) return p;
  const found = typeof p === 'string' ? PRECISION_STRINGS[p.toLowerCase()] : undefined;
  if (!found) throw precisionError(p);
  return found;
}

/** canonicalize_precision: None, or a pair of Precision members. */
export function canonicalizePrecision(p: PrecisionLike): [PrecisionValue, PrecisionValue] | null {
  if (p === null || p === undefined) return null;
  if (Array.isArray(p)) {
    if (p.length !== 2) throw precisionError(`(${p.map(String).join(', ')})`);
    return [onePrecision(p[0]), onePrecision(p[1])];
  }
  const one = onePrecision(p as PrecisionValue | string);
  return [one, one];
}

export interface DotOptions {
  precision?: PrecisionLike;
  preferredElementType?: DTypeLike | null;
  /** Accepted for signature compatibility; single-device arrays have no sharding to pick. */
  outSharding?: null;
}

/** lax.dot_general(lhs, rhs, ((lc, rc), (lb, rb)), {precision, preferredElementType}). */
export function dotGeneral(
  lhs: In,
  rhs: In,
  dimensionNumbers: DotDimensionNumbers,
  opts: DotOptions = {},
): Value {
  const [[lc, rc], [lb, rb]] = dimensionNumbers;
  const pet =
    opts.preferredElementType === null || opts.preferredElementType === undefined
      ? null
      : requestDType(opts.preferredElementType, 'dot');
  return bind1(dot_general, [toValue(lhs), toValue(rhs)], {
    dimension_numbers: [
      [[...lc], [...rc]],
      [[...lb], [...rb]],
    ],
    precision: canonicalizePrecision(opts.precision),
    preferred_element_type: pet,
    out_sharding: null,
  });
}

/**
 * lax.dot(lhs, rhs): matrix/vector products of 1-D and 2-D operands, contracting the last axis of
 * lhs with the first of rhs; other ranks need `dimensionNumbers`.
 */
export function dot(
  lhs: In,
  rhs: In,
  opts: DotOptions & { dimensionNumbers?: DotDimensionNumbers } = {},
): Value {
  const l = toValue(lhs);
  const r = toValue(rhs);
  let dn = opts.dimensionNumbers;
  if (!dn) {
    if (l.ndim >= 1 && l.ndim <= 2 && r.ndim >= 1 && r.ndim <= 2 && l.shape[l.ndim - 1] === r.shape[0]) {
      dn = [
        [[l.ndim - 1], [0]],
        [[], []],
      ];
    } else {
      throw new Error(
        'jax.lax.dot: dimension_numbers must be specified when not performing simple un-batched matrix-matrix, ' +
          `matrix-vector, or vector-vector products; got lhs_shape=${shapeTuple(l.shape)} rhs_shape=${shapeTuple(r.shape)}`,
      );
    }
  }
  return dotGeneral(l, r, dn, opts);
}
