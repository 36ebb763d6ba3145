/**
 * @file Export rules of sort and top_k (jax/_src/lax/lax.py `_sort_lower`, `_top_k_lower`): the
 * sort comparator is lower_fun(_sort_lt_comparator): float keys canonicalized (-0 to 0, every NaN
 * to one NaN), then a lexicographic total-order less-than over the keys; top_k is chlo.top_k
 * along the last axis (transposed there and back for another axis).
 */

import type { DType } from '../../core/dtype.js';
import {
  compare,
  elementwise,
  functionalType,
  generic,
  imagHlo,
  realHlo,
  ret,
  scalarConst,
  select,
  transpose,
  ty,
} from '../hlo.js';
import { avalType, registerExportRule } from '../lower.js';
import { type Builder, Op, Region, type Value } from '../mlir.js';

function canonicalize(b: Builder, x: Value): Value {
  const isZero = compare(b, 'EQ', x, scalarConst(b, 0, x.dtype));
  const r = select(b, isZero, scalarConst(b, 0, x.dtype), x);
  const isNan = compare(b, 'NE', x, x);
  return select(b, isNan, scalarConst(b, Number.NaN, x.dtype), r);
}

function totalType(d: DType): string {
  if (d.isFloat) return 'TOTALORDER';
  return d.kind === 'i' ? 'SIGNED' : 'UNSIGNED';
}

registerExportRule('sort', (ctx, ins, p) => {
  const numKeys = Number(p.num_keys);
  const region = new Region(ins.flatMap((v) => [ty([], v.dtype), ty([], v.dtype)]));
  const b = ctx.b;
  b.within(region, () => {
    const args = region.block.args;
    const xs: Value[] = [];
    const ys: Value[] = [];
    // _operands_to_keys: a complex key is two keys, its real and imaginary parts.
    const keys = (v: Value): Value[] =>
      v.dtype.isComplex
        ? [canonicalize(b, realHlo(b, v)), canonicalize(b, imagHlo(b, v))]
        : [v.dtype.isFloat ? canonicalize(b, v) : v];
    for (let k = 0; k < numKeys; k++) {
      xs.push(...keys(args[2 * k]));
      ys.push(...keys(args[2 * k + 1]));
    }
    let pred: Value | null = null;
    for (let k = xs.length - 1; k >= 0; k--) {
      const t = totalType(xs[k].dtype);
      const lt = compare(b, 'LT', xs[k], ys[k], t);
      pred =
        pred === null
          ? lt
          : elementwise(b, 'stablehlo.or', [
              lt,
              elementwise(b, 'stablehlo.and', [compare(b, 'EQ', xs[k], ys[k], t), pred]),
            ]);
    }
    ret(b, [pred!]);
  });
  const props = `dimension = ${Number(p.dimension)} : i64, is_stable = ${Boolean(p.is_stable)}`;
  return generic(b, 'stablehlo.sort', ins, ctx.avalsOut.map(avalType), props, [region]).results;
});

registerExportRule('top_k', (ctx, [x0], p) => {
  const b = ctx.b;
  const k = Number(p.k);
  const nd = x0.shape.length;
  const axis = p.axis === undefined || p.axis === null ? nd - 1 : Number(p.axis);
  let perm: number[] | null = null;
  let x = x0;
  if (axis !== nd - 1) {
    perm = [...Array(nd).keys()];
    [perm[axis], perm[nd - 1]] = [perm[nd - 1], perm[axis]];
    x = transpose(b, x, perm);
  }
  const shape = [...x.shape.slice(0, -1), k];
  const [vo, io] = ctx.avalsOut;
  const outs = [ty(shape, vo.dtype), ty(shape, io.dtype)];
  const op = new Op(
    'chlo.top_k',
    [x],
    outs,
    (pr) =>
      `chlo.top_k(${pr.v(x)}, k = ${k}) : ${functionalType([x.type], outs).replace(/^\((.*)\) ->/, '$1 ->')}`,
    [],
    ['values', 'indices'],
  );
  const res = b.add(op).results;
  return perm ? res.map((r) => transpose(b, r, perm!)) : res;
});
