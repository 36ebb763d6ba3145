/**
 * @file Map kernels as WebAssembly SIMD: four elements per step, in 128-bit lanes.
 *
 * A large map kernel whose every operation has an exact SIMD counterpart (simd-expr.ts) is
 * compiled to a WebAssembly function instead of JavaScript, and computes the very bits the
 * JavaScript kernel would. That covers the random samplers' kernels (threefry2x32, the
 * bits-to-float conversion and the normal's erf_inv fuse into one SIMD loop) and fused chains of
 * float32 arithmetic with the libm's functions (compile/libm).
 *
 * The kernel runs in tiles: the JavaScript wrapper copies each tile of the contiguous inputs in,
 * calls the function, and copies the tile of the output out (both copies are memcpy between typed
 * arrays of one type). A kernel that reads its loop indices only through loads at the flat index
 * runs as 1-D; otherwise the output's last dimension must be a multiple of 4 when the rank is
 * above 1, so that four lanes never straddle a row.
 *
 * The wrapper is source text that compiles the module itself (the bytes are in it, base64), so a
 * worker thread compiles it exactly as it compiles a JavaScript kernel (threads.ts). The kernels
 * of a thread share one memory (runtime.ts `simdMemory`, grown to the largest kernel's need):
 * kernels run one at a time on a thread, and the wrapper re-reads its views when it has grown.
 */

import type { MapKernel } from '../../../compile/kir.js';
import { linearIndex, loopVars } from '../../../compile/kir.js';
import { sizeOf, stridesOf } from '../../../core/shape.js';
import { FuncWriter, I32, OP, SIMD, V128 } from './encode.js';
import { type Hooks, isWord, type Pass, regroup, usesIndices } from './simd-expr.js';
import { type Compiled, compileBody, finishKernel, type SimdMaker, unflatten } from './simd-kernel.js';

/** Elements per tile. */
const TILE = 4096;
/** Vectors per loop step (interleaved: independent work for the core's other ports). */
const UNROLL = 4;
/** Elements per loop step at most: the loop runs whole steps, so tiles have this much slack. */
const STEP = 4 * UNROLL;

/** The SIMD path's switch: TJAX_CPU_SIMD=0 turns it off (tests compare the two paths). */
export const cpuSimd = { enabled: process.env.TJAX_CPU_SIMD !== '0' };
/** Kernels placed on the SIMD path so far, shared ones counted each time (tests check that the SIMD path ran). */
export const simdStats = { kernels: 0 };

export type { WasmKernel } from './simd-kernel.js';

/** The SIMD version of a map kernel, or null when some part of it has no exact SIMD form. */
export const wasmMapKernel: SimdMaker<MapKernel> = (k, dtypeOf, sizeOf) => {
  const outDt = dtypeOf(k.out);
  if (k.shape.length === 0 || !isWord(outDt) || k.expr.dt !== outDt) return null;
  if (k.shape.some((d) => d === 0)) return null;
  const flat = linearIndex(loopVars('i', k.shape.length), stridesOf(k.shape));
  const expr = regroup(k.expr);
  // A kernel that reads the loop indices only through loads at the flat index runs as 1-D, for
  // any row length.
  const shape = usesIndices(expr, flat) ? k.shape : [sizeOf(k.out)];
  const rank = shape.length;
  if (rank > 1 && shape[rank - 1] % 4 !== 0) return null;

  // Memory: small inputs and tables (whole), a tile for each contiguous input, then the output's.
  const tileBytes = (TILE + STEP) * 4;
  const vars = new Set(shape.map((_, d) => `i${d}`));
  const ex = compileBody(expr, { flat, stepVars: vars, laneVar: `i${rank - 1}`, tileBytes }, dtypeOf, sizeOf);
  if (!ex) return null;
  const outOffset = ex.mem.alloc(tileBytes);

  // Parameters: the tile's first flat index, its element count, (rank > 1) its multi-index, the
  // scratch region's address, and where each tile buffer's and the output's elements start (in
  // the heap, or their copies in the scratch region).
  const tileBufs = [...ex.tiles.keys()];
  const base = 2 + (rank > 1 ? rank : 0);
  const SB = base;
  const nParams = base + 2 + tileBufs.length;
  const f = new FuncWriter(nParams);
  const START = 0;
  const COUNT = 1;
  const counters = rank > 1 ? shape.map(() => f.local(I32)) : [];
  const j = f.local(I32);
  const addrs = [...tileBufs, k.out].map(() => f.local(I32));
  const addrOf = new Map(tileBufs.map((b, i) => [b, addrs[i]]));
  const outAddr = addrs[addrs.length - 1];
  // Loop-level values are computed for UNROLL vectors per step (4 * u lanes on), interleaved.
  const unroll = rank === 1 || shape[rank - 1] % (4 * UNROLL) === 0 ? UNROLL : 1;
  const hooks: Hooks = {
    variable(fw, name, u) {
      const d = Number(name.slice(1));
      if (rank === 1) fw.get(START).get(j).op(OP.i32Add).simd(SIMD.i32x4Splat);
      else fw.get(counters[d]).simd(SIMD.i32x4Splat);
      if (d === rank - 1) fw.i32x4(4 * u, 4 * u + 1, 4 * u + 2, 4 * u + 3).simd(SIMD.i32x4Add);
    },
    tile(fw, buf, u) {
      fw.get(addrOf.get(buf)!).mem(SIMD.load, 16 * u, true);
    },
    scratch(fw) {
      fw.get(SB);
    },
  };
  if (ex.rares.length > 0) ex.anyRare = f.local(V128);

  /** One pass over the tile: the per-step nodes for `unroll` vectors, then stores. */
  const loop = (pass: Pass) => {
    f.i32(0).set(j);
    for (const [i, a] of addrs.entries()) f.get(SB + 1 + i).set(a);
    for (let d = 0; d < counters.length; d++) f.get(2 + d).set(counters[d]);
    f.op(OP.loop, 0x40);
    ex.emitStep(f, pass, unroll, hooks);
    for (let u = 0; u < unroll; u++) {
      f.get(outAddr)
        .get(ex.value(expr, u, pass))
        .mem(SIMD.store, 16 * u, true);
    }
    f.get(j)
      .i32(4 * unroll)
      .op(OP.i32Add)
      .set(j);
    for (const a of addrs) {
      f.get(a)
        .i32(16 * unroll)
        .op(OP.i32Add)
        .set(a);
    }
    if (rank > 1) {
      // Advance the multi-index by 4 (the last dimension is a multiple of 4), carrying over.
      const carry = (d: number) => {
        f.get(counters[d])
          .i32(d === rank - 1 ? 4 * unroll : 1)
          .op(OP.i32Add)
          .set(counters[d]);
        if (d === 0) return;
        f.get(counters[d]).i32(shape[d]).op(OP.i32GeS).op(OP.if, 0x40);
        f.i32(0).set(counters[d]);
        carry(d - 1);
        f.op(OP.end);
      };
      carry(rank - 1);
    }
    f.get(j).get(COUNT).op(OP.i32LtU).op(OP.br_if, 0).op(OP.end);
  };

  ex.emitInvariants(f, 'fast', hooks);
  if (ex.rares.length > 0) f.i32x4(0).set(ex.anyRare);
  loop('fast');
  if (ex.rares.length > 0) {
    // Some lane of the tile needs a rare branch: compute the tile again with both branches.
    f.get(ex.anyRare).simd(SIMD.anyTrue).op(OP.if, 0x40);
    ex.emitInvariants(f, 'full', hooks);
    loop('full');
    f.op(OP.end);
  }

  return finishKernel(ex, nParams, f, (c) => wrapper(k, c, shape, outOffset));
};

/**
 * The JavaScript around the module: for each tile, the addresses of the inputs' and the
 * output's elements in the heap, or copies in the scratch region (a buffer outside the heap, or
 * an input that is the output itself: the rare pass rereads the inputs), the call, the copy out.
 */
function wrapper(k: MapKernel, c: Compiled, shape: readonly number[], outOffset: number): string {
  const { small, tiles } = c.ex;
  // `lo, hi` count rows of the kernel's own shape; `shape` is the one the loop runs over.
  const rank = shape.length;
  const inner = sizeOf(k.shape.slice(1));
  const bufs = [...new Set([...small.keys(), ...tiles.keys(), k.out])].sort((a, b) => a - b);
  const multi: string[] = [];
  const args = ['s', 'n'];
  if (rank > 1) {
    multi.push(...unflatten(shape, 's', 'c'));
    for (let d = 0; d < rank; d++) args.push(`c${d}`);
  }
  args.push('SB');
  const tileList = [...tiles];
  const shift = (b: number) => Math.log2(c.dtypeOf(b).itemsize);
  const body = [
    `const ho = rt.heapOffset(b${k.out});`,
    // An input in the heap is read in place unless it is the output itself.
    ...tileList.map(([b]) => `const h${b} = b${b} === b${k.out} ? -1 : rt.heapOffset(b${b});`),
    `let s = lo * ${inner};`,
    `const e = hi * ${inner};`,
    'while (s < e) {',
    `  const n = Math.min(${TILE}, e - s);`,
    // The loop runs whole steps of ${STEP} elements: a tile that ends inside one (the warm-up
    // ranges, a chunk's last tile) would read and write past the range, and past the buffers
    // in the heap (their neighbours, or the memory's end); it goes through the scratch copies.
    `  const r = (n & ${STEP - 1}) !== 0;`,
    ...tileList.flatMap(([b, off]) => [
      `  let a${b} = h${b} + ${4} * s;`,
      `  if (h${b} < 0 || r) { ${c.view(b)}.set(b${b}.subarray(s, s + n), (SB + ${off}) >> ${shift(b)}); a${b} = SB + ${off}; }`,
    ]),
    ...multi.map((l) => `  ${l}`),
    `  run(${[...args, ...tileList.map(([b]) => `a${b}`), `ho < 0 || r ? SB + ${outOffset} : ho + 4 * s`].join(', ')});`,
    `  if (ho < 0 || r) b${k.out}.set(${c.view(k.out)}.subarray((SB + ${outOffset}) >> 2, ((SB + ${outOffset}) >> 2) + n), s);`,
    '  s += n;',
    '}',
  ];
  return c.wrap(bufs, ['lo', 'hi'], body);
}
