/**
 * @file argmax and argmin along a contiguous axis as WebAssembly SIMD, for float32, int32 and
 * uint32 values: eight lanes, each keeping the first index of its best value (or of its first
 * NaN, which wins, as in JAX); the wrapper then takes the best of the lanes, the smallest index
 * among equals. That is the first occurrence of the row's best, which is what the JavaScript
 * kernel's one pass finds (codegen-reduce.ts renderArgReduce), so both give the same index. A
 * row whose every element is the initial value (-inf for argmax, ...) keeps no lane: index 0.
 */

import type { ArgReduceKernel, ReduceKernel } from '../../../compile/kir.js';
import { linearIndex, loopVars } from '../../../compile/kir.js';
import { stridesOf } from '../../../core/shape.js';
import { reduceLayout } from '../layout.js';
import { SIMD, V128 } from './encode.js';
import { type Hooks, isWord, regroup } from './simd-expr.js';
import { compileBody, finishKernel, RowFunc, rowBlocks, type SimdMaker } from './simd-kernel.js';

const TILE = 16384;
const MIN_ROW = 64;

/** The SIMD version of an argmax/argmin kernel along a contiguous axis, or null. */
export const wasmArgReduceKernel: SimdMaker<ArgReduceKernel> = (k, dtypeOf, sizeOf_) => {
  const dt = k.body.dt;
  const R = k.redSize;
  const nOut = k.outShape.length;
  // (Rows past a tile long, outside the heap, would not fit its copy: those stay JavaScript.)
  if (!isWord(dt) || nOut === 0 || R < MIN_ROW || R > TILE || k.outShape.some((d) => d === 0)) return null;
  if (dtypeOf(k.out).name !== 'int32') return null;
  const asReduce: ReduceKernel = {
    kind: 'reduce',
    out: k.out,
    outShape: k.outShape,
    redShape: [R],
    op: 'max',
    body: k.body,
    epilogue: null,
  };
  if (reduceLayout(asReduce) !== 'rows') return null;
  const ovars = loopVars('i', nOut).map((v) => v.name);
  const flat = linearIndex([...loopVars('i', nOut), ...loopVars('r', 1)], stridesOf([...k.outShape, R]));
  const body = regroup(k.body);
  const layout = { flat, stepVars: new Set(['r0']), laneVar: 'r0', tileBytes: TILE * 4 + 64 };
  const ex = compileBody(body, layout, dtypeOf, sizeOf_);
  if (!ex) return null;
  const ACC = ex.mem.alloc(64);
  const float = dt.name === 'float32';
  const max = k.op === 'argmax';
  const init = float
    ? max
      ? -Infinity
      : Infinity
    : dt.name === 'int32'
      ? max
        ? -(2 ** 31)
        : 2 ** 31 - 1
      : max
        ? 0
        : -1;
  const better = float
    ? max
      ? SIMD.f32x4Gt
      : SIMD.f32x4Lt
    : dt.name === 'int32'
      ? max
        ? SIMD.i32x4GtS
        : SIMD.i32x4LtS
      : max
        ? SIMD.i32x4GtU
        : SIMD.i32x4LtU;

  // Parameters: the row's length, the scratch region's address, the row's output multi-index,
  // where each tile buffer's row starts.
  const [LEN, SB] = [0, 1];
  const nParams = 2 + nOut + ex.tiles.size;
  const rf = new RowFunc(ex, nParams);
  const { f, j, addrOf } = rf;
  const bestV = [f.local(V128), f.local(V128)];
  const bestI = [f.local(V128), f.local(V128)];
  const hooks: Hooks = {
    variable(fw, name, u) {
      if (name === 'r0') {
        const b = 4 * (u % 2);
        fw.get(j)
          .simd(SIMD.i32x4Splat)
          .i32x4(b, b + 1, b + 2, b + 3)
          .simd(SIMD.i32x4Add);
      } else fw.get(2 + ovars.indexOf(name)).simd(SIMD.i32x4Splat);
    },
    tile(fw, buf, u) {
      fw.get(addrOf.get(buf)!).mem(SIMD.load, 16 * (u % 2), true);
    },
    scratch(fw) {
      fw.get(SB);
    },
  };
  /** Lane-wise: take vector u's value and index where it is better (and, if `mask`, valid). */
  const update = (u: number, mask: number) => {
    const h = u % 2;
    const v = ex.value(body, u, 'full');
    const take = f.local(V128);
    f.get(v).get(bestV[h]).simd(better);
    if (float) {
      // A NaN wins over anything but a NaN.
      f.get(v).get(v).simd(SIMD.f32x4Ne).get(bestV[h]).get(bestV[h]).simd(SIMD.f32x4Eq).simd(SIMD.and);
      f.simd(SIMD.or);
    }
    if (mask >= 0) f.get(mask).simd(SIMD.and);
    f.set(take);
    f.get(v).get(bestV[h]).get(take).simd(SIMD.bitselect).set(bestV[h]);
    const b = 4 * h;
    f.get(j)
      .simd(SIMD.i32x4Splat)
      .i32x4(b, b + 1, b + 2, b + 3)
      .simd(SIMD.i32x4Add);
    f.get(bestI[h]).get(take).simd(SIMD.bitselect).set(bestI[h]);
  };

  ex.emitInvariants(f, 'full', hooks);
  for (const h of [0, 1]) {
    if (float) f.f32x4(init);
    else f.i32x4(init);
    f.set(bestV[h]);
    f.i32x4(-1).set(bestI[h]);
  }
  rf.loop({
    len: LEN,
    addrParam: 2 + nOut,
    step: 8,
    main: [0, 1],
    last: [2, 3],
    lane: (u) => 4 * (u % 2),
    hooks,
    add: update,
  });
  for (const h of [0, 1]) {
    f.get(SB)
      .get(bestV[h])
      .mem(SIMD.store, ACC + 16 * h, true);
    f.get(SB)
      .get(bestI[h])
      .mem(SIMD.store, ACC + 32 + 16 * h, true);
  }
  // The wrapper: rows in place or copied by blocks, a call per row, the lanes' best.
  const tiles = [...ex.tiles];
  const bufs = [...new Set([...ex.small.keys(), ...ex.tiles.keys(), k.out])].sort((a, b) => a - b);
  const valView = float ? 'Float32Array' : dt.name === 'int32' ? 'Int32Array' : 'Uint32Array';
  const cmp = max ? '>' : '<';
  const perRow = [
    `run(${[String(R), 'SB', ...ovars, ...tiles.map(([b]) => `a${b}`)].join(', ')});`,
    // The lanes' best: NaN first, then the better value, then the smaller index.
    'let bi = -1;',
    'let bv = 0;',
    'for (let l = 0; l < 8; l++) {',
    '  const i = vI[l];',
    '  if (i < 0) continue;',
    '  const v = vV[l];',
    `  if (bi < 0 || (v !== v ? bv === bv || i < bi : bv === bv && (v ${cmp} bv || (v === bv && i < bi)))) { bi = i; bv = v; }`,
    '}',
    `b${k.out}[o] = bi < 0 ? 0 : bi;`,
  ];
  const block = Math.max(1, Math.floor(TILE / R));
  const fixed: [string, string, string, number][] = [
    ['vV', valView, `SB + ${ACC}`, 8],
    ['vI', 'Int32Array', `SB + ${ACC + 32}`, 8],
  ];
  return finishKernel(ex, nParams, f, (c) => {
    const body = [
      ...tiles.map(([b]) => `const h${b} = rt.heapOffset(b${b});`),
      ...rowBlocks(c, { outShape: k.outShape, R, block, whole: true, perRow }),
    ];
    return c.wrap(bufs, ['lo', 'hi'], body, { fixed });
  });
};
