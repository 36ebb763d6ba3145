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
import type { DType } from '../../../core/dtype.js';
import { sizeOf, stridesOf } from '../../../core/shape.js';
import { FuncWriter, I32, moduleBytes, OP, SIMD, V128 } from './encode.js';
import {
  CTOR,
  ExprCompiler,
  type Hooks,
  isWord,
  Memory,
  type Pass,
  regroup,
  usesIndices,
} from './simd-expr.js';

/** Elements per tile. */
const TILE = 4096;
/** Vectors per loop step (interleaved: independent work for the core's other ports). */
const UNROLL = 4;

/** The SIMD path's switch: TJAX_CPU_SIMD=0 turns it off (tests compare the two paths). */
export const cpuSimd = { enabled: process.env.TJAX_CPU_SIMD !== '0' };
/** Kernels compiled to WebAssembly so far (tests check that the SIMD path ran). */
export const simdStats = { kernels: 0 };

export interface WasmKernel {
  /** A JavaScript expression evaluating to the kernel function `(rt, ...buffers, lo, hi)`. */
  source: string;
  /** Size of the WebAssembly module. */
  bytes: number;
}

/**
 * The SIMD version of a map kernel, or null when some part of it has no exact SIMD form.
 * `sizeOf` gives a buffer's element count.
 */
export function wasmMapKernel(
  k: MapKernel,
  dtypeOf: (b: number) => DType,
  sizeOf: (b: number) => number,
): WasmKernel | null {
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
  const mem = new Memory();
  const tileBytes = (TILE + 4 * UNROLL) * 4;
  const vars = new Set(shape.map((_, d) => `i${d}`));
  const ex = new ExprCompiler(
    expr,
    { flat, stepVars: vars, laneVar: `i${rank - 1}`, tileBytes },
    dtypeOf,
    sizeOf,
    mem,
  );
  if (!ex.ok) return null;
  const outOffset = mem.alloc(tileBytes);

  // Parameters: the tile's first flat index, its element count, and (rank > 1) its multi-index.
  const nParams = rank > 1 ? 2 + rank : 2;
  const f = new FuncWriter(nParams);
  const START = 0;
  const COUNT = 1;
  const counters = rank > 1 ? shape.map(() => f.local(I32)) : [];
  const j = f.local(I32);
  const addr = f.local(I32);
  // Loop-level values are computed for UNROLL vectors per step (4 * u lanes on), interleaved.
  const unroll = rank === 1 || shape[rank - 1] % (4 * UNROLL) === 0 ? UNROLL : 1;
  const hooks: Hooks = {
    variable(fw, name, u) {
      const d = Number(name.slice(1));
      if (rank === 1) fw.get(START).get(j).op(OP.i32Add).simd(SIMD.i32x4Splat);
      else fw.get(counters[d]).simd(SIMD.i32x4Splat);
      if (d === rank - 1) fw.i32x4(4 * u, 4 * u + 1, 4 * u + 2, 4 * u + 3).simd(SIMD.i32x4Add);
    },
    tile(fw, offset, u) {
      fw.get(addr).mem(SIMD.load, offset + 16 * u, true);
    },
  };
  if (ex.rares.length > 0) ex.anyRare = f.local(V128);

  /** One pass over the tile: the per-step nodes for `unroll` vectors, then stores. */
  const loop = (pass: Pass) => {
    f.i32(0).set(j).i32(0).set(addr);
    for (let d = 0; d < counters.length; d++) f.get(2 + d).set(counters[d]);
    f.op(OP.loop, 0x40);
    ex.emitStep(f, pass, unroll, hooks);
    for (let u = 0; u < unroll; u++) {
      f.get(addr)
        .get(ex.value(expr, u, pass))
        .mem(SIMD.store, outOffset + 16 * u, true);
    }
    f.get(j)
      .i32(4 * unroll)
      .op(OP.i32Add)
      .set(j);
    f.get(addr)
      .i32(16 * unroll)
      .op(OP.i32Add)
      .set(addr);
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

  const params = Array(nParams).fill(I32);
  const pages = Math.ceil(mem.top / 65536);
  const bytes = moduleBytes(params, f, pages);
  return { source: wrapperSource(k, shape, bytes, pages, dtypeOf, ex, outOffset), bytes: bytes.length };
}

/** The JavaScript around the module: tiles in, the call, the tile out. */
function wrapperSource(
  k: MapKernel,
  shape: readonly number[],
  bytes: Uint8Array,
  pages: number,
  dtypeOf: (b: number) => DType,
  ex: ExprCompiler,
  outOffset: number,
): string {
  const { small, tables, tiles } = ex;
  // `lo, hi` count rows of the kernel's own shape; `shape` is the one the loop runs over.
  const rank = shape.length;
  const inner = sizeOf(k.shape.slice(1));
  const bufs = [...new Set([...small.keys(), ...tiles.keys(), k.out])].sort((a, b) => a - b);
  const ctors = [
    ...new Set([...bufs.map((b) => CTOR[dtypeOf(b).name]), ...(tables.size ? ['Int32Array'] : [])]),
  ];
  const view = (b: number) => `v${CTOR[dtypeOf(b).name]}`;
  const b64 = Buffer.from(bytes).toString('base64');
  const multi: string[] = [];
  const args = ['s', 'n'];
  if (rank > 1) {
    multi.push('let q = s;');
    for (let d = rank - 1; d > 0; d--) {
      multi.push(`const c${d} = q % ${shape[d]};`, `q = (q - c${d}) / ${shape[d]};`);
    }
    multi.push('const c0 = q;');
    for (let d = 0; d < rank; d++) args.push(`c${d}`);
  }
  return [
    '(() => {',
    `  const module = new WebAssembly.Module(Uint8Array.from(atob('${b64}'), (c) => c.charCodeAt(0)));`,
    ...[...tables.values()].map(
      ({ table }) => `  const T_${table.name} = new Int32Array([${table.values.join(',')}]);`,
    ),
    '  let run = null;',
    '  let mem = null;',
    ...ctors.map((c) => `  let v${c} = null;`),
    `  return (rt, ${bufs.map((b) => `b${b}`).join(', ')}, lo, hi) => {`,
    `    const m = rt.simdMemory(${pages});`,
    '    if (m.buffer !== mem) {',
    '      run ??= new WebAssembly.Instance(module, { env: { m } }).exports.k;',
    '      mem = m.buffer;',
    ...ctors.map((c) => `      v${c} = new ${c}(mem);`),
    '    }',
    ...[...small].map(([b, off]) => `    ${view(b)}.set(b${b}, ${off / 4});`),
    ...[...tables.values()].map(
      ({ offset, table }) => `    vInt32Array.set(T_${table.name}, ${offset / 4});`,
    ),
    `    let s = lo * ${inner};`,
    `    const e = hi * ${inner};`,
    '    while (s < e) {',
    `      const n = Math.min(${TILE}, e - s);`,
    ...[...tiles].map(([b, off]) => `      ${view(b)}.set(b${b}.subarray(s, s + n), ${off / 4});`),
    ...multi.map((l) => `      ${l}`),
    `      run(${args.join(', ')});`,
    `      b${k.out}.set(${view(k.out)}.subarray(${outOffset / 4}, ${outOffset / 4} + n), s);`,
    '      s += n;',
    '    }',
    '  };',
    '})()',
  ].join('\n');
}
