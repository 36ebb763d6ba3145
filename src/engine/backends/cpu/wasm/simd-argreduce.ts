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
import type { DType } from '../../../core/dtype.js';
import { sizeOf, stridesOf } from '../../../core/shape.js';
import { HEAP_MAX_PAGES, SCRATCH_BYTES } from '../heap.js';
import { reduceLayout } from '../layout.js';
import { FuncWriter, I32, moduleBytes, OP, SIMD, V128 } from './encode.js';
import type { WasmKernel } from './simd.js';
import {
  CTOR,
  ExprCompiler,
  type Hooks,
  isWord,
  Memory,
  regroup,
  wrapperSource as wrap,
} from './simd-expr.js';

const TILE = 16384;
const MIN_ROW = 64;

/** The SIMD version of an argmax/argmin kernel along a contiguous axis, or null. */
export function wasmArgReduceKernel(
  k: ArgReduceKernel,
  dtypeOf: (b: number) => DType,
  sizeOf_: (b: number) => number,
): WasmKernel | null {
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
  const mem = new Memory();
  const ex = new ExprCompiler(
    body,
    { flat, stepVars: new Set(['r0']), laneVar: 'r0', tileBytes: TILE * 4 + 64 },
    dtypeOf,
    sizeOf_,
    mem,
  );
  if (!ex.ok) return null;
  const ACC = mem.alloc(64);
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
  const tileBufs = [...ex.tiles.keys()];
  const LEN = 0;
  const SB = 1;
  const nParams = 2 + nOut + tileBufs.length;
  const f = new FuncWriter(nParams);
  const j = f.local(I32);
  const full = f.local(I32);
  const addrs = tileBufs.map(() => f.local(I32));
  const addrOf = new Map(tileBufs.map((b, i) => [b, addrs[i]]));
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
  f.i32(0).set(j);
  for (const [i, a] of addrs.entries()) f.get(2 + nOut + i).set(a);
  f.get(LEN).i32(-8).op(OP.i32And).set(full);
  f.get(full).op(OP.if, 0x40).op(OP.loop, 0x40);
  ex.emitStepAt(f, 'full', [0, 1], hooks);
  update(0, -1);
  update(1, -1);
  f.get(j).i32(8).op(OP.i32Add).set(j);
  for (const a of addrs) f.get(a).i32(32).op(OP.i32Add).set(a);
  f.get(j).get(full).op(OP.i32LtU).op(OP.br_if, 0).op(OP.end).op(OP.end);
  f.get(LEN).get(j).op(OP.i32Ne).op(OP.if, 0x40);
  ex.emitStepAt(f, 'full', [2, 3], hooks);
  for (const u of [2, 3]) {
    const mask = f.local(V128);
    const b = 4 * (u % 2);
    f.i32x4(b, b + 1, b + 2, b + 3)
      .get(LEN)
      .get(j)
      .op(OP.i32Sub)
      .simd(SIMD.i32x4Splat)
      .simd(SIMD.i32x4LtS)
      .set(mask);
    update(u, mask);
  }
  f.op(OP.end);
  for (const h of [0, 1]) {
    f.get(SB)
      .get(bestV[h])
      .mem(SIMD.store, ACC + 16 * h, true);
    f.get(SB)
      .get(bestI[h])
      .mem(SIMD.store, ACC + 32 + 16 * h, true);
  }
  if (mem.top > SCRATCH_BYTES) return null;
  const bytes = moduleBytes(Array(nParams).fill(I32), f, HEAP_MAX_PAGES);

  // The wrapper: rows in place or copied by blocks, a call per row, the lanes' best.
  const tiles = [...ex.tiles];
  const bufs = [...new Set([...ex.small.keys(), ...ex.tiles.keys(), k.out])].sort((a, b) => a - b);
  const view = (b: number) => `v${CTOR[dtypeOf(b).name]}`;
  const valView = float ? 'Float32Array' : dt.name === 'int32' ? 'Int32Array' : 'Uint32Array';
  const inner = sizeOf(k.outShape.slice(1));
  const rows = Math.max(1, Math.floor(TILE / R));
  const index: string[] = ['let q = o;'];
  for (let d = nOut - 1; d > 0; d--)
    index.push(`const i${d} = q % ${k.outShape[d]};`, `q = (q - i${d}) / ${k.outShape[d]};`);
  index.push('const i0 = q;');
  const cmp = max ? '>' : '<';
  const source = wrap({
    bytes,
    ex,
    params: [...bufs.map((b) => `b${b}`), 'lo', 'hi'],
    ctors: bufs.map((b) => CTOR[dtypeOf(b).name]),
    view,
    fixed: [
      ['vV', valView, `SB + ${ACC}`, 8],
      ['vI', 'Int32Array', `SB + ${ACC + 32}`, 8],
    ],
    body: [
      ...tiles.map(([b]) => `const h${b} = rt.heapOffset(b${b});`),
      `for (let o0 = lo * ${inner}; o0 < hi * ${inner}; o0 += ${rows}) {`,
      `  const o1 = Math.min(o0 + ${rows}, hi * ${inner});`,
      ...tiles.map(
        ([b, off]) =>
          `  if (h${b} < 0) ${view(b)}.set(b${b}.subarray(o0 * ${R}, o1 * ${R}), (SB + ${off}) >> 2);`,
      ),
      '  for (let o = o0; o < o1; o++) {',
      ...index.map((l) => `    ${l}`),
      ...tiles.map(
        ([b, off]) =>
          `    const a${b} = h${b} >= 0 ? h${b} + ${4 * R} * o : SB + ${off} + ${4 * R} * (o - o0);`,
      ),
      `    run(${[String(R), 'SB', ...ovars, ...tiles.map(([b]) => `a${b}`)].join(', ')});`,
      // The lanes' best: NaN first, then the better value, then the smaller index.
      '    let bi = -1;',
      '    let bv = 0;',
      '    for (let l = 0; l < 8; l++) {',
      '      const i = vI[l];',
      '      if (i < 0) continue;',
      '      const v = vV[l];',
      `      if (bi < 0 || (v !== v ? bv === bv || i < bi : bv === bv && (v ${cmp} bv || (v === bv && i < bi)))) { bi = i; bv = v; }`,
      '    }',
      `    b${k.out}[o] = bi < 0 ? 0 : bi;`,
      '  }',
      '}',
    ],
  });
  return { source, bytes: bytes.length };
}
