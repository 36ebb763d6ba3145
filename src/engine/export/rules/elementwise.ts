/**
 * @file Export rules of the elementwise primitives, after jax/_src/lax/lax.py and special.py:
 * `_nary_lower_hlo` (operands broadcast to the result's shape, then one StableHLO or CHLO op),
 * the comparisons' types (FLOAT, SIGNED, UNSIGNED), sign of unsigned integers as a select, exp2
 * as exp(log 2 * x), logistic as 1 / (1 + exp(-x)), integer_pow by repeated squaring,
 * select_n as a select tree, and conversions to bool as `x != 0`.
 */

import type { ShapedArray } from '../../core/aval.js';
import { type DType, toDType } from '../../core/dtype.js';
import type { Params } from '../../core/primitive.js';
import {
  broadcastInDim,
  chlo,
  compare,
  compareType,
  convert,
  elementwise,
  realHlo,
  scalarConst,
  select,
  ty,
  unaryTyped,
} from '../hlo.js';
import { type RuleCtx, registerExportRule } from '../lower.js';
import type { Builder, Value } from '../mlir.js';

/** mlir.multi_broadcast_in_dim: operands of another shape broadcast along trailing dimensions. */
export function broadcastTo(b: Builder, xs: readonly Value[], shape: readonly number[]): Value[] {
  return xs.map((x) => {
    if (x.shape.length === shape.length && x.shape.every((n, i) => n === shape[i])) return x;
    const off = shape.length - x.shape.length;
    return broadcastInDim(
      b,
      x,
      shape,
      x.shape.map((_, i) => off + i),
    );
  });
}

/** mlir.full_like_aval: a constant scalar broadcast (always, even to a scalar) to the aval's shape. */
export function fullLike(
  b: Builder,
  v: number | bigint | boolean,
  a: { shape: readonly number[]; dtype: DType },
): Value {
  return broadcastInDim(b, scalarConst(b, v, a.dtype), a.shape, []);
}

function out0(ctx: RuleCtx): ShapedArray {
  return ctx.avalsOut[0];
}

/** A primitive lowered to one op over its broadcast operands. */
export function nary(prim: string, op: string, isChlo = false): void {
  registerExportRule(prim, (ctx, ins) => {
    const o = out0(ctx);
    const args = broadcastTo(ctx.b, ins, o.shape);
    return [
      isChlo
        ? chlo(ctx.b, op, args, ty(o.shape, o.dtype))
        : elementwise(ctx.b, `stablehlo.${op}`, args, ty(o.shape, o.dtype)),
    ];
  });
}

for (const [p, op] of [
  ['neg', 'negate'],
  ['floor', 'floor'],
  ['ceil', 'ceil'],
  ['abs', 'abs'],
  ['exp', 'exponential'],
  ['log', 'log'],
  ['log1p', 'log_plus_one'],
  ['expm1', 'exponential_minus_one'],
  ['sqrt', 'sqrt'],
  ['rsqrt', 'rsqrt'],
  ['cbrt', 'cbrt'],
  ['sin', 'sine'],
  ['cos', 'cosine'],
  ['tan', 'tan'],
  ['tanh', 'tanh'],
  ['not', 'not'],
  ['population_count', 'popcnt'],
  ['clz', 'count_leading_zeros'],
  ['add', 'add'],
  ['add_any', 'add'],
  ['sub', 'subtract'],
  ['mul', 'multiply'],
  ['div', 'divide'],
  ['rem', 'remainder'],
  ['max', 'maximum'],
  ['min', 'minimum'],
  ['atan2', 'atan2'],
  ['and', 'and'],
  ['or', 'or'],
  ['xor', 'xor'],
  ['shift_left', 'shift_left'],
  ['shift_right_logical', 'shift_right_logical'],
  ['shift_right_arithmetic', 'shift_right_arithmetic'],
] as const)
  nary(p, op);

for (const p of [
  'asin',
  'acos',
  'atan',
  'sinh',
  'cosh',
  'asinh',
  'acosh',
  'atanh',
  'erf',
  'erfc',
  'erf_inv',
  'lgamma',
  'digamma',
])
  nary(p, p, true);
nary('nextafter', 'next_after', true);
nary('polygamma', 'polygamma', true);

registerExportRule('is_finite', (ctx, [x]) => [
  unaryTyped(ctx.b, 'stablehlo.is_finite', x, ty(x.shape, out0(ctx).dtype)),
]);

registerExportRule('stop_gradient', (_ctx, [x]) => [x]);

registerExportRule('sign', (ctx, [x]) => {
  const a = ctx.avalsIn[0];
  if (a.dtype.kind !== 'u') return [elementwise(ctx.b, 'stablehlo.sign', [x])];
  const isZero = compare(ctx.b, 'EQ', x, fullLike(ctx.b, 0, a), 'UNSIGNED');
  return [select(ctx.b, isZero, fullLike(ctx.b, 0, a), fullLike(ctx.b, 1, a))];
});

registerExportRule('round', (ctx, [x], p) => [
  elementwise(
    ctx.b,
    Number(p.rounding_method) === 1 ? 'stablehlo.round_nearest_even' : 'stablehlo.round_nearest_afz',
    [x],
  ),
]);

registerExportRule('square', (ctx, [x]) => [
  ctx.avalsIn[0].dtype.isInt ? elementwise(ctx.b, 'stablehlo.multiply', [x, x]) : chlo(ctx.b, 'square', [x]),
]);

registerExportRule('exp2', (ctx, [x]) => {
  const a = ctx.avalsIn[0];
  const log2 = broadcastInDim(ctx.b, scalarConst(ctx.b, Math.log(2), a.dtype), a.shape, []);
  return [elementwise(ctx.b, 'stablehlo.exponential', [elementwise(ctx.b, 'stablehlo.multiply', [log2, x])])];
});

/** lower_fun(logistic_impl): 1 / (1 + exp(-x)), the literal 1 read once per use. */
registerExportRule('logistic', (ctx, [x]) => {
  const b = ctx.b;
  const a = ctx.avalsIn[0];
  const one = () => broadcastTo(b, [scalarConst(b, 1, a.dtype)], a.shape)[0];
  const e = elementwise(b, 'stablehlo.exponential', [elementwise(b, 'stablehlo.negate', [x])]);
  const d = elementwise(b, 'stablehlo.add', [one(), e]);
  return [elementwise(b, 'stablehlo.divide', [one(), d])];
});

registerExportRule('integer_pow', (ctx, [x], p) => {
  const b = ctx.b;
  const a = ctx.avalsIn[0];
  const mul = (u: Value, v: Value) => elementwise(b, 'stablehlo.multiply', [u, v]);
  let y = Number(p.y);
  if (y === 1) return [x];
  if (y === 2) return [mul(x, x)];
  if (y === 3) return [mul(mul(x, x), x)];
  if (y === -1) return [elementwise(b, 'stablehlo.divide', [fullLike(b, 1, a), x])];
  // lower_fun(_integer_pow): a traced jaxpr of muls; full_like is a broadcast of the literal one
  // (the bare literal for scalars).
  const ones = () =>
    a.shape.length ? broadcastInDim(b, scalarConst(b, 1, a.dtype), a.shape, []) : scalarConst(b, 1, a.dtype);
  if (y === 0) return [ones()];
  const recip = y < 0;
  if (recip) y = -y;
  let acc: Value | null = null;
  let base = x;
  while (y > 0) {
    if (y & 1) acc = acc === null ? base : mul(acc, base);
    y >>= 1;
    if (y > 0) base = mul(base, base);
  }
  return [recip ? elementwise(b, 'stablehlo.divide', [ones(), acc!]) : acc!];
});

registerExportRule('pow', (ctx, [x, y]) => {
  const o = out0(ctx);
  const yy = ctx.avalsIn[1].dtype !== ctx.avalsIn[0].dtype ? convert(ctx.b, y, o.dtype) : y;
  return [elementwise(ctx.b, 'stablehlo.power', broadcastTo(ctx.b, [x, yy], o.shape))];
});

for (const [p, dir] of [
  ['eq', 'EQ'],
  ['ne', 'NE'],
  ['lt', 'LT'],
  ['le', 'LE'],
  ['gt', 'GT'],
  ['ge', 'GE'],
] as const) {
  registerExportRule(p, (ctx, ins) => {
    const [x, y] = broadcastTo(ctx.b, ins, out0(ctx).shape);
    return [compare(ctx.b, dir, x, y, compareType(ctx.avalsIn[0].dtype))];
  });
}

// The total-order comparisons JAX's sort comparators bind (lax.lt_to_p, le_to_p).
for (const [p, dir] of [
  ['lt_to', 'LT'],
  ['le_to', 'LE'],
] as const) {
  registerExportRule(p, (ctx, ins) => {
    const [x, y] = broadcastTo(ctx.b, ins, out0(ctx).shape);
    const d = ctx.avalsIn[0].dtype;
    return [compare(ctx.b, dir, x, y, d.isFloat ? 'TOTALORDER' : compareType(d))];
  });
}

registerExportRule('select_n', (ctx, [which, ...cases]) => {
  const b = ctx.b;
  const wa = ctx.avalsIn[0];
  if (wa.dtype.isBool) {
    if (cases.length === 1) return [cases[0]];
    return [select(b, which, cases[1], cases[0])];
  }
  const kind = wa.dtype.kind === 'i' ? 'SIGNED' : 'UNSIGNED';
  const tree = (offset: number, cs: Value[]): Value => {
    if (cs.length === 1) return cs[0];
    const mid = cs.length >> 1;
    const pred = compare(b, 'LT', which, fullLike(b, offset + mid, wa), kind);
    return select(b, pred, tree(offset, cs.slice(0, mid)), tree(offset + mid, cs.slice(mid)));
  };
  return [tree(0, cases)];
});

registerExportRule('clamp', (ctx, ins) => [
  elementwise(ctx.b, 'stablehlo.clamp', broadcastTo(ctx.b, ins, out0(ctx).shape)),
]);

/**
 * mlir.convert_hlo: to bool is `x != 0`, then the convert (also bool to bool, as JAX emits it);
 * complex to real converts the real part (_convert_element_type_lower).
 */
export function convertHlo(b: Builder, x: Value, from: ShapedArray, to: DType): Value {
  let v = x;
  if (from.dtype.isComplex && !to.isComplex) v = realHlo(b, v);
  if (to.isBool) v = compare(b, 'NE', v, fullLike(b, 0, v), compareType(v.dtype));
  return convert(b, v, to);
}

registerExportRule('convert_element_type', (ctx, [x], p: Params) => [
  convertHlo(ctx.b, x, ctx.avalsIn[0], toDType(p.new_dtype as string)),
]);

registerExportRule('bitcast_convert_type', (ctx, [x]) => {
  const o = out0(ctx);
  return [unaryTyped(ctx.b, 'stablehlo.bitcast_convert', x, ty(o.shape, o.dtype))];
});
