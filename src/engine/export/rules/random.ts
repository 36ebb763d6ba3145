/**
 * @file Export rules of the PRNG primitives, as JAX 0.10.2 lowers them for the CPU (so a key gives
 * the same bits in XLA as in tjax): `iota_2x32_shape` (jax/_src/random/prng.py) as uint64 iotas
 * times their strides split into hi/lo uint32 halves, and `threefry2x32`
 * (random/threefry2x32.py, `_threefry2x32_lowering` with use_rolled_loops=True) as a private
 * `@threefry2x32` function: the key schedule, then a fori_loop of five steps (a rolled scan, its
 * step `@closed_call` doing four rounds with the rotations read from a rotating constant list).
 */

import { int32, uint32, uint64 } from '../../core/dtype.js';
import {
  broadcastInDim,
  call,
  constant,
  convert,
  elementwise,
  iota,
  reshape,
  ret,
  scalarConst,
  slice,
  ty,
} from '../hlo.js';
import { type ModuleCtx, outlined, registerExportRule } from '../lower.js';
import { Builder, FuncOp, type Value } from '../mlir.js';
import { rolledScan } from './control.js';

registerExportRule('iota_2x32_shape', (ctx, _ins, p) => {
  const b = ctx.b;
  const shape = (p.shape as number[]).map(Number);
  const iotas = shape.map((_, d) => iota(b, shape, uint64, d));
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, n) => a * n, 1));
  const terms = iotas.map((io, d) =>
    elementwise(b, 'stablehlo.multiply', [
      broadcastInDim(b, scalarConst(b, strides[d], uint64), shape, []),
      io,
    ]),
  );
  const counts = terms.reduce((acc, t) => elementwise(b, 'stablehlo.add', [acc, t]));
  const shift = broadcastInDim(b, scalarConst(b, 32, uint64), shape, []);
  const hiBits = elementwise(b, 'stablehlo.shift_right_logical', [counts, shift]);
  const lo = convert(b, counts, uint32);
  const hi = convert(b, hiBits, uint32);
  return [hi, lo];
});

/** A lax binary op with NumPy broadcasting of its operands (jnp-style `+`, `^`, ... on uint32). */
function bin(b: Builder, op: string, x: Value, y: Value): Value {
  const rank = Math.max(x.shape.length, y.shape.length);
  const shape = Array.from({ length: rank }, (_, i) => {
    const a = x.shape[i - (rank - x.shape.length)] ?? 1;
    const c = y.shape[i - (rank - y.shape.length)] ?? 1;
    return a === 1 ? c : a;
  });
  const widen = (v: Value) => {
    if (v.shape.length === rank && v.shape.every((n, i) => n === shape[i])) return v;
    const off = rank - v.shape.length;
    return broadcastInDim(
      b,
      v,
      shape,
      v.shape.map((_, i) => off + i),
    );
  };
  return elementwise(b, `stablehlo.${op}`, [widen(x), widen(y)]);
}

/** lax.index_in_dim(r, j, keepdims=False) on a 1-d array: a slice and a reshape. */
function element(b: Builder, r: Value, j: number): Value {
  return reshape(b, slice(b, r, [j], [j + 1], null), []);
}

/** rolled_loop_step: four rounds with the first rotation list, key injection, lists rotated. */
function stepFunc(mod: ModuleCtx, x: Value, key: Value): FuncOp {
  const i32 = ty([], int32);
  const k = key.type;
  const r4 = ty([4], uint32);
  const types = [i32, x.type, x.type, k, k, k, r4, r4];
  const f = mod.module.insert(new FuncOp('closed_call', 'private', types, [...types]));
  const b = new Builder(f.body.block);
  const [i, a0, a1, ks0, ks1, ks2, rot0, rot1] = f.args;
  const next = elementwise(b, 'stablehlo.add', [i, scalarConst(b, 1, int32)]);
  let v0 = a0;
  let v1 = a1;
  for (let j = 0; j < 4; j++) {
    const r = element(b, rot0, j);
    v0 = elementwise(b, 'stablehlo.add', [v0, v1]);
    const left = bin(b, 'shift_left', v1, r);
    const rest = elementwise(b, 'stablehlo.subtract', [scalarConst(b, 32, uint32), r]);
    const right = bin(b, 'shift_right_logical', v1, rest);
    v1 = elementwise(b, 'stablehlo.xor', [v0, elementwise(b, 'stablehlo.or', [left, right])]);
  }
  const n0 = bin(b, 'add', v0, ks0);
  const n1 = bin(b, 'add', v1, ks1);
  const ip1 = convert(b, elementwise(b, 'stablehlo.add', [i, scalarConst(b, 1, int32)]), uint32);
  const n1b = bin(b, 'add', n1, ip1);
  ret(b, [next, n0, n1b, ks1, ks2, ks0, rot1, rot0], true);
  return f;
}

registerExportRule('threefry2x32', (ctx, ins, p) =>
  outlined(ctx, 'threefry2x32', ins, p, (ic, [k1, k2, x1, x2]) => {
    const b = ic.b;
    const rot0 = constant(b, 'dense<[13, 15, 26, 6]>', ty([4], uint32));
    const rot1 = constant(b, 'dense<[17, 29, 16, 24]>', ty([4], uint32));
    const ks2 = elementwise(b, 'stablehlo.xor', [
      elementwise(b, 'stablehlo.xor', [k1, k2]),
      scalarConst(b, 0x1bd11bda, uint32),
    ]);
    const x0 = bin(b, 'add', x1, k1);
    const y0 = bin(b, 'add', x2, k2);
    // fori_loop(0, 5, ...) with concrete bounds is a scan whose carry starts with the literal 0.
    const lower = scalarConst(b, 0, int32);
    let step: FuncOp | null = null;
    const outs = rolledScan(ic.mod, b, {
      length: 5,
      reverse: false,
      consts: [],
      carry: [lower, x0, y0, k2, ks2, k1, rot0, rot1],
      xs: [],
      yAvals: [],
      body: (bb, args) => {
        step ??= stepFunc(ic.mod, x0, k1);
        return call(bb, step, args, step.resultTypes);
      },
    });
    return [outs[1], outs[2]];
  }),
);
