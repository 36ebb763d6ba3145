/**
 * @file Shared pieces for defining primitives: shape/dtype checks with JAX's messages, the
 * broadcasting rule of lax's elementwise ops, and helpers that build rule tables for families of
 * elementwise primitives.
 */

import { iconst, type SExpr } from '../compile/kir.js';
import { Lazy, type LowerCtx, type LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import type { DType } from '../core/dtype.js';
import type { Params, PrimitiveRules } from '../core/primitive.js';
import { shapeTuple } from '../core/shape.js';

/**
 * Dtype classes of lax's rules, named by the text JAX's messages list them with: floating;
 * floating, complexfloating; integer, floating, complexfloating; ...
 */
export type DTypeClass =
  | 'float'
  | 'complex'
  | 'complex_parts'
  | 'conj'
  | 'ordered'
  | 'float_complex'
  | 'int'
  | 'integer_or_bool'
  | 'numeric'
  | 'int_or_float'
  | 'signed_or_float'
  | 'any';

export function dtypeOk(dt: DType, cls: DTypeClass): boolean {
  switch (cls) {
    case 'float':
      return dt.isFloat;
    case 'complex':
      return dt.isComplex;
    case 'complex_parts':
      return dt.name === 'float32' || dt.name === 'float64';
    case 'conj':
      return dt.isComplex || dt.name === 'float32' || dt.name === 'float64';
    case 'float_complex':
      return dt.isInexact;
    case 'ordered':
      return dt.isInt || dt.isFloat || dt.isBool;
    case 'int':
      return dt.isInt;
    case 'integer_or_bool':
      return dt.isInt || dt.isBool;
    case 'numeric':
      return dt.isInt || dt.isInexact;
    case 'int_or_float':
      return dt.isInt || dt.isFloat;
    case 'signed_or_float':
      return dt.kind === 'i' || dt.isInexact;
    case 'any':
      return true;
  }
}

const CLASS_TEXT: Record<DTypeClass, string> = {
  float: 'floating',
  complex: 'complexfloating',
  complex_parts: 'float32, float64',
  conj: 'float32, complexfloating, float64',
  ordered: 'integer, floating, bool',
  float_complex: 'floating, complexfloating',
  int: 'integer',
  integer_or_bool: 'integer, bool',
  numeric: 'integer, floating, complexfloating',
  int_or_float: 'integer, floating',
  signed_or_float: 'floating, complexfloating, signedinteger',
  any: 'any',
};

/** JAX's dtype rule error: `sin does not accept dtype int32. Accepted dtypes are subtypes of floating, complexfloating.` */
export function checkDType(name: string, dt: DType, cls: DTypeClass, pos?: number): void {
  if (!dtypeOk(dt, cls)) {
    const which = pos === undefined ? '' : ` at position ${pos}`;
    throw new TypeError(
      `${name} does not accept dtype ${dt.name}${which}. Accepted dtypes${which} are subtypes of ${CLASS_TEXT[cls]}.`,
    );
  }
}

/** The jnp function JAX's same-dtype error suggests for a lax primitive (jax/_src/lax/lax.py). */
const JNP_TIP: Record<string, string> = {
  add: 'add',
  sub: 'subtract',
  mul: 'multiply',
  div: 'divide',
  max: 'maximum',
  min: 'minimum',
  eq: 'equal',
  ne: 'not_equal',
  shift_left: 'left_shift',
  shift_right_arithmetic: 'right_shift',
  shift_right_logical: 'right_shift',
  select: 'where',
};

/** lax's same-dtype rule: `lax.add requires arguments to have the same dtypes, got float32, int32. (Tip: ...)`. */
export function checkSameDTypes(name: string, avals: ShapedArray[]): DType {
  const dts = avals.map((a) => a.dtype);
  if (dts.some((d) => d !== dts[0])) {
    const tip = JNP_TIP[name]
      ? ` (Tip: jnp.${JNP_TIP[name]} is a similar function that does automatic type promotion on inputs).`
      : '';
    throw new TypeError(
      `lax.${name} requires arguments to have the same dtypes, got ${dts.map((d) => d.name).join(', ')}.${tip}`,
    );
  }
  return dts[0];
}

/**
 * lax's broadcasting rule for n-ary elementwise ops: ranks agree (0-d operands excepted, the
 * scalar promotion jnp relies on) and each dimension is equal across operands or 1.
 */
export function broadcastingShape(name: string, shapes: (readonly number[])[]): number[] {
  const nonScalar = shapes.filter((s) => s.length > 0);
  if (nonScalar.length === 0) return [];
  const rank = nonScalar[0].length;
  if (nonScalar.some((s) => s.length !== rank)) {
    // As JAX prints the set of ranks: `{1, 2}`.
    const ranks = [...new Set(nonScalar.map((s) => s.length))].sort((a, b) => a - b);
    throw new TypeError(`${name}: arrays must have the same number of dimensions, got {${ranks.join(', ')}}`);
  }
  const out: number[] = [];
  for (let d = 0; d < rank; d++) {
    const sizes = new Set(nonScalar.map((s) => s[d]).filter((n) => n !== 1));
    if (sizes.size > 1) {
      throw new TypeError(
        `${name} got incompatible shapes for broadcasting: ${shapes.map(shapeTuple).join(', ')}.`,
      );
    }
    out.push(sizes.size ? [...sizes][0] : 1);
  }
  return out;
}

/** Index an operand of an elementwise op at the output's multi-index (broadcasting 0-d and 1s). */
export function broadcastAt(x: Lazy, outShape: readonly number[], idx: readonly SExpr[]): SExpr {
  const s = x.aval.shape;
  if (s.length === 0) return x.at([]);
  return x.at(s.map((n, d) => (n === 1 && outShape[d] !== 1 ? iconst(0) : idx[d])));
}

/** Lowering of an elementwise primitive from a scalar function of its operands' expressions. */
export function elementwiseLowering(f: (xs: SExpr[], params: Params, out: ShapedArray) => SExpr): LowerRule {
  return (_ctx: LowerCtx, ins: Lazy[], params: Params, outAvals: ShapedArray[]) => {
    const out = outAvals[0];
    const cost = ins.reduce((n, x) => n + x.cost, 1);
    return [
      new Lazy(
        out,
        (idx) =>
          f(
            ins.map((x) => broadcastAt(x, out.shape, idx)),
            params,
            out,
          ),
        cost,
      ),
    ];
  };
}

export function weakAll(avals: ShapedArray[]): boolean {
  return avals.every((a) => a.weakType);
}

/** Rule table for an n-ary elementwise primitive with identical input dtypes. */
export function naryRules(
  name: string,
  cls: DTypeClass,
  scalar: (xs: SExpr[], params: Params, out: ShapedArray) => SExpr,
  outDType?: (inDt: DType, params: Params) => DType,
): PrimitiveRules {
  return {
    abstractEval(avals, params) {
      avals.forEach((a, i) => {
        checkDType(name, a.dtype, cls, avals.length > 1 ? i : undefined);
      });
      const dt = checkSameDTypes(name, avals);
      const shape = broadcastingShape(
        name,
        avals.map((a) => a.shape),
      );
      const od = outDType ? outDType(dt, params) : dt;
      return [new ShapedArray(shape, od, od.isBool ? false : weakAll(avals))];
    },
    lower: elementwiseLowering(scalar),
  };
}

export { Lazy };
