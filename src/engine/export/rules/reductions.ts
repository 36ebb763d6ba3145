/**
 * @file Export rules of the reductions (jax/_src/lax/lax.py `_unary_reduce_lower`, the argmin/argmax
 * lowering `_compute_argminmax`, and the cumulative reductions of control_flow/loops.py, which
 * JAX lowers on CPU to a reduce_window over a window as long as the axis). argmin/argmax and the
 * cumulative ones are registered with inline=False in JAX, so they become private functions named
 * after the primitive.
 */

import type { DType } from '../../core/dtype.js';
import type { Params } from '../../core/primitive.js';
import {
  compare,
  elementwise,
  iota,
  reduce,
  reducerRegion,
  reduceWindow,
  scalarConst,
  select,
} from '../hlo.js';
import { outlined, registerExportRule } from '../lower.js';
import type { Builder, Value } from '../mlir.js';
import { fullLike } from './elementwise.js';

const INT_RANGE: Record<string, [bigint, bigint]> = {
  int8: [-128n, 127n],
  int16: [-32768n, 32767n],
  int32: [-2147483648n, 2147483647n],
  int64: [-9223372036854775808n, 9223372036854775807n],
  uint8: [0n, 255n],
  uint16: [0n, 65535n],
  uint32: [0n, 4294967295n],
  uint64: [0n, 18446744073709551615n],
};

/** lax._get_max_identity / _get_min_identity. */
export function maxIdentity(d: DType): number | bigint | boolean {
  if (d.isFloat) return -Infinity;
  if (d.isBool) return false;
  return INT_RANGE[d.name][0];
}
export function minIdentity(d: DType): number | bigint | boolean {
  if (d.isFloat) return Infinity;
  if (d.isBool) return true;
  return INT_RANGE[d.name][1];
}

/** The JS value of an identity in the dtype (bool stays bool, 32-bit ints become numbers). */
function asValue(v: number | bigint | boolean): number | bigint | boolean {
  return typeof v === 'bigint' && v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v;
}

type Combine = (b: Builder, x: Value, y: Value) => Value;
const op =
  (name: string): Combine =>
  (b, x, y) =>
    elementwise(b, `stablehlo.${name}`, [x, y]);

const REDUCERS: Record<string, [Combine, (d: DType) => number | bigint | boolean]> = {
  reduce_sum: [op('add'), (d) => (d.isBool ? false : 0)],
  reduce_prod: [op('multiply'), (d) => (d.isBool ? true : 1)],
  reduce_max: [op('maximum'), maxIdentity],
  reduce_min: [op('minimum'), minIdentity],
  reduce_or: [op('or'), (d) => (d.isBool ? false : 0)],
  reduce_and: [op('and'), (d) => (d.isBool ? true : -1)],
};

const axesOf = (p: Params) => (p.axes as number[]).map(Number);

for (const [name, [combine, identity]] of Object.entries(REDUCERS)) {
  registerExportRule(name, (ctx, [x], p) => {
    const d = ctx.avalsOut[0].dtype;
    const init = scalarConst(ctx.b, asValue(identity(d)), d);
    const body = reducerRegion(ctx.b, [d], ([acc], [v]) => [combine(ctx.b, acc, v)]);
    return reduce(ctx.b, [x], [init], axesOf(p), body);
  });
}

/** _compute_argminmax: a variadic reduce of (value, index) pairs, NaNs and first indices win. */
function argReduce(name: 'argmax' | 'argmin'): void {
  registerExportRule(name, (ctx, ins, p) =>
    outlined(ctx, name, ins, p, (ic, [x]) => {
      const b = ic.b;
      const [axis] = axesOf(p);
      const idt = ctx.avalsOut[0].dtype;
      const d = x.dtype;
      const idx = iota(b, x.shape, idt, axis);
      const init = scalarConst(b, asValue(name === 'argmax' ? maxIdentity(d) : minIdentity(d)), d);
      const zero = scalarConst(b, 0, idt);
      const body = reducerRegion(b, [d, idt], ([opVal, opIdx], [accVal, accIdx]) => {
        const better = compare(b, name === 'argmax' ? 'GT' : 'LT', opVal, accVal);
        const pickVal = elementwise(b, 'stablehlo.or', [better, compare(b, 'NE', opVal, opVal)]);
        const tie = elementwise(b, 'stablehlo.and', [
          compare(b, 'EQ', opVal, accVal),
          compare(b, 'LT', opIdx, accIdx),
        ]);
        const pickIdx = elementwise(b, 'stablehlo.or', [pickVal, tie]);
        return [select(b, pickVal, opVal, accVal), select(b, pickIdx, opIdx, accIdx)];
      });
      return [reduce(b, [x, idx], [init, zero], [axis], body)[1]];
    }),
  );
}
argReduce('argmax');
argReduce('argmin');

/** cumred_reduce_window_impl: a window as long as the axis, padded before it (after it, reversed). */
function cumulative(name: string, combine: string, init: (b: Builder, d: DType) => Value): void {
  registerExportRule(name, (ctx, ins, p) =>
    outlined(ctx, name, ins, p, (ic, [x]) => {
      const axis = Number(p.axis);
      const n = x.shape[axis];
      if (n === 0) return [x];
      const padding = x.shape.map((_, i) => (i === axis ? (p.reverse ? [0, n - 1] : [n - 1, 0]) : [0, 0]));
      const window = x.shape.map((_, i) => (i === axis ? n : 1));
      const ones = x.shape.map(() => 1);
      const iv = init(ic.b, x.dtype);
      return reduceWindow(ic.b, [x], [iv], window, ones, padding, ones, ones, (b, [acc], [v]) => [
        elementwise(b, `stablehlo.${combine}`, [acc, v]),
      ]);
    }),
  );
}
cumulative('cumsum', 'add', (b, d) => fullLike(b, 0, { shape: [], dtype: d }));
cumulative('cumprod', 'multiply', (b, d) => scalarConst(b, 1, d));
cumulative('cummax', 'maximum', (b, d) => fullLike(b, asValue(maxIdentity(d)), { shape: [], dtype: d }));
cumulative('cummin', 'minimum', (b, d) => fullLike(b, asValue(minIdentity(d)), { shape: [], dtype: d }));
