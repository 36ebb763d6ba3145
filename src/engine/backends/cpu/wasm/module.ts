/**
 * @file A WebAssembly module of several exported functions over one imported memory (shared
 * between threads where asked), for kernels larger than encode.ts's one-function map kernels: the
 * GEMM (gemm-kernels.ts) and the SIMD ceiling benchmark. Also the opcodes those use beyond
 * encode.ts's tables, and the detection of relaxed SIMD (`f32x4.relaxed_madd`), which Node 20's
 * V8 has behind `--experimental-wasm-relaxed-simd`; a process may turn the flag on for itself
 * before it compiles (V8's flags are process-wide, so worker threads see it too).
 */

import v8 from 'node:v8';
import { type FuncWriter, name, OP, section, uleb } from './encode.js';

/** encode.ts's plain opcodes and those the multi-function kernels use beyond them. */
export const OP2 = {
  ...OP,
  block: 0x02,
  br: 0x0c,
  return: 0x0f,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32GtU: 0x4b,
  i32ShrU: 0x76,
  f32Load: 0x2a,
  f64Load: 0x2b,
  f32Store: 0x38,
  f64Store: 0x39,
  f32Add: 0x92,
  f32Mul: 0x94,
  f64Add: 0xa0,
  f64Mul: 0xa2,
  memoryCopy: [0xfc, 10, 0, 0],
  memoryFill: [0xfc, 11, 0],
} as const;

/** SIMD opcodes (after 0xfd) beyond encode.ts's SIMD. */
export const SIMD2 = {
  load32Splat: 0x09,
  load64Splat: 0x0a,
  f32x4Splat: 0x13,
  f64x2Splat: 0x14,
  f32x4ExtractLane: 0x1f,
  f32x4ReplaceLane: 0x20,
  f64x2ExtractLane: 0x21,
  f64x2ReplaceLane: 0x22,
  store32Lane: 0x5a,
  store64Lane: 0x5b,
  load32Zero: 0x5c,
  load64Zero: 0x5d,
  f32x4RelaxedMadd: 0x105,
  f64x2RelaxedMadd: 0x107,
} as const;

export interface FuncDef {
  name: string;
  params: readonly number[];
  results: readonly number[];
  body: FuncWriter;
}

/** The imported memory `env.m`: at least `pages` 64 KiB pages; shared memories need a maximum. */
export interface MemoryDef {
  pages: number;
  maxPages?: number;
  shared?: boolean;
}

/** A module exporting `funcs` by name (function i calls function j as index j). */
export function moduleOf(funcs: readonly FuncDef[], mem: MemoryDef): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(types, funcs.length);
  for (const f of funcs) {
    types.push(0x60);
    uleb(types, f.params.length);
    types.push(...f.params);
    uleb(types, f.results.length);
    types.push(...f.results);
  }
  section(out, 1, types);
  const imports: number[] = [1];
  name(imports, 'env');
  name(imports, 'm');
  imports.push(0x02);
  if (mem.maxPages === undefined) imports.push(0x00);
  else imports.push(mem.shared ? 0x03 : 0x01);
  uleb(imports, mem.pages);
  if (mem.maxPages !== undefined) uleb(imports, mem.maxPages);
  section(out, 2, imports);
  const fns: number[] = [];
  uleb(fns, funcs.length);
  for (let i = 0; i < funcs.length; i++) uleb(fns, i);
  section(out, 3, fns);
  const exports: number[] = [];
  uleb(exports, funcs.length);
  for (const [i, f] of funcs.entries()) {
    name(exports, f.name);
    exports.push(0x00);
    uleb(exports, i);
  }
  section(out, 7, exports);
  const code: number[] = [];
  uleb(code, funcs.length);
  for (const f of funcs) {
    const body = f.body.body();
    uleb(code, body.length);
    for (const b of body) code.push(b);
  }
  section(out, 10, code);
  return Uint8Array.from(out);
}

/** What the WebAssembly API here offers (the project's TypeScript libs declare none of it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A module whose one function uses `f32x4.relaxed_madd`. */
const RELAXED_PROBE = Uint8Array.from([
  0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 8, 1, 0x60, 3, 0x7b, 0x7b, 0x7b, 1, 0x7b, 3, 2, 1, 0, 10, 13, 1, 11, 0,
  0x20, 0, 0x20, 1, 0x20, 2, 0xfd, 0x85, 0x02, 0x0b,
]);

let relaxed: boolean | null = null;

/**
 * Whether this engine compiles relaxed SIMD, turning on V8's flag for it first where it is
 * behind one (Node 20). Engines without it answer false, and the kernels use mul + add.
 */
export function relaxedSimd(): boolean {
  if (relaxed === null) {
    relaxed = wasm.validate(RELAXED_PROBE);
    if (!relaxed) {
      try {
        v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
        relaxed = wasm.validate(RELAXED_PROBE);
      } catch {
        relaxed = false;
      }
    }
  }
  return relaxed;
}
