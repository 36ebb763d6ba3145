/**
 * @file The PRNG primitives: `threefry2x32` (the Threefry-2x32 block cipher of Salmon et al.,
 * "Parallel random numbers: as easy as 1, 2, 3", SC 2011, with the 20 rounds and rotation
 * constants JAX uses) and `iota_2x32_shape` (a row-major uint64 iota split into hi/lo uint32
 * halves, the counters of JAX's partitionable layout). Both carry JAX's names and params, so the
 * jaxprs of raw-key code print as JAX prints the inside of its `random_bits`/`random_split`.
 *
 * threefry2x32 is elementwise: it lowers to uint32 add/xor/shift expressions, and its two outputs
 * share one hash-consed expression tree, so `bits1 ^ bits2` in the same kernel computes the
 * cipher once per element.
 */

import { bin, cast, constant, type SExpr } from '../compile/kir.js';
import { Lazy, type LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { uint32 } from '../core/dtype.js';
import { definePrimitive } from '../core/primitive.js';
import { shapeTuple, stridesOf } from '../core/shape.js';
import { broadcastAt, broadcastingShape } from './common.js';

const u32 = (v: number): SExpr => constant(v >>> 0, uint32);
const add = (a: SExpr, b: SExpr) => bin('add', a, b, uint32);
const xor = (a: SExpr, b: SExpr) => bin('xor', a, b, uint32);
function rotl(x: SExpr, r: number): SExpr {
  return bin('or', bin('shl', x, u32(r), uint32), bin('shr_logical', x, u32(32 - r), uint32), uint32);
}

const ROT = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
];

/** The cipher on scalar expressions: (key1, key2, x1, x2) -> (y1, y2). */
export function threefryExpr(k1: SExpr, k2: SExpr, c1: SExpr, c2: SExpr): [SExpr, SExpr] {
  const ks = [k1, k2, xor(xor(k1, k2), u32(0x1bd11bda))];
  let x0 = add(c1, ks[0]);
  let x1 = add(c2, ks[1]);
  for (let i = 0; i < 5; i++) {
    for (const r of ROT[i % 2]) {
      x0 = add(x0, x1);
      x1 = xor(x0, rotl(x1, r));
    }
    x0 = add(x0, ks[(i + 1) % 3]);
    x1 = add(add(x1, ks[(i + 2) % 3]), u32(i + 1));
  }
  return [x0, x1];
}

export const threefry2x32 = definePrimitive(
  'threefry2x32',
  {
    abstractEval(avals) {
      if (avals.some((a) => a.dtype !== uint32)) {
        throw new TypeError(
          `Arguments to threefry2x32 must have uint32 type, got (${avals.map((a) => a.toString()).join(', ')})`,
        );
      }
      const shape = broadcastingShape(
        'threefry2x32',
        avals.map((a) => a.shape),
      );
      const out = new ShapedArray(shape, uint32);
      return [out, out];
    },
    lower: ((_ctx, ins, _p, [out]) => {
      // Roughly 80 ops per element: shared values are materialized rather than recomputed.
      const cost = ins.reduce((n, x) => n + x.cost, 80);
      const at = (idx: readonly SExpr[]) =>
        threefryExpr(...(ins.map((x) => broadcastAt(x, out.shape, idx)) as [SExpr, SExpr, SExpr, SExpr]));
      return [new Lazy(out, (idx) => at(idx)[0], cost), new Lazy(out, (idx) => at(idx)[1], cost)];
    }) satisfies LowerRule,
  },
  true,
);

export const iota_2x32_shape = definePrimitive(
  'iota_2x32_shape',
  {
    abstractEval(_avals, p) {
      const shape = (p.shape as readonly number[]).map(Number);
      if (shape.length === 0)
        throw new TypeError(`iota_2x32_shape requires a non-empty shape, got ${shapeTuple(shape)}`);
      const out = new ShapedArray(shape, uint32);
      return [out, out];
    },
    lower: ((_ctx, _ins, _p, [out]) => {
      // Flat indices fit in int32 here (buffers are smaller than 2**31 elements): hi is 0.
      const strides = stridesOf(out.shape);
      const flat = (idx: readonly SExpr[]) =>
        idx.reduce<SExpr>(
          (acc, i, d) => bin('add', acc, bin('mul', i, constant(strides[d], i.dt))),
          constant(0, idx[0].dt),
        );
      return [new Lazy(out, () => u32(0), 0), new Lazy(out, (idx) => cast(flat(idx), uint32), 0)];
    }) satisfies LowerRule,
  },
  true,
);
