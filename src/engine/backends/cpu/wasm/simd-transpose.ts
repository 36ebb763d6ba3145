/**
 * @file Transposing copies as WebAssembly SIMD: a map kernel that only moves 32-bit elements
 * (its expression one load) along a dimension `d` where the input is contiguous while the output
 * is contiguous along the last one (codegen.ts transposedDim). Blocks of 4 x 4 elements: four
 * vector loads down the input's contiguous dimension, a 4 x 4 transpose in eight lane shuffles,
 * four vector stores along the output's rows; blocks of 4 rows walk 64 columns at a time so that
 * the input lines stay in the cache between them. The edges (dimensions not multiples of 4) are
 * copied element by element.
 *
 * The kernel reads and writes the heap in place (heap.ts); where a buffer is not in the heap the
 * wrapper runs the kernel's JavaScript form instead (a copy has no bits to disagree on).
 */

import type { LoadExpr, MapKernel, SExpr } from '../../../compile/kir.js';
import type { DType } from '../../../core/dtype.js';
import { stridesOf } from '../../../core/shape.js';
import { HEAP_MAX_PAGES } from '../heap.js';
import { strideOf } from '../layout.js';
import { FuncWriter, I32, interleave32, lanesOf, moduleBytes, OP, SIMD, V128 } from './encode.js';
import type { WasmKernel } from './simd.js';
import { isWord } from './simd-expr.js';

/** Columns (of the output's last dimension) a block of four rows walks before the next rows. */
const SPAN = 64;

/**
 * The SIMD version of a transposing copy, or null. `d` is the dimension along which the input is
 * contiguous (codegen.ts transposedDim); `js` the kernel's JavaScript source, for buffers outside
 * the heap.
 */
export function wasmTransposeKernel(
  k: MapKernel,
  d: number,
  dtypeOf: (b: number) => DType,
  js: string,
): WasmKernel | null {
  const e = k.expr;
  const rank = k.shape.length;
  if (e.k !== 'load' || !isWord(e.dt) || dtypeOf(e.buf) !== e.dt || dtypeOf(k.out) !== e.dt) return null;
  if (d < 0 || rank < 2) return null;
  // The input index: affine in every output index, stride 1 along d.
  const inStrides = k.shape.map((_, i) => strideOf(e.idx, `i${i}`));
  if (inStrides.some((s) => s === null) || inStrides[d] !== 1) return null;
  const outStrides = stridesOf(k.shape);
  const S = inStrides as number[];
  const c0 = atZero(e.idx);
  if (c0 === null) return null;

  // Parameters: input and output byte addresses of element (i_d, i_l) = (0, 0) of the slab, its
  // extents along d and l, the input's byte stride along l, the output's along d.
  const [IN, OUT, D, L, SL, OD] = [0, 1, 2, 3, 4, 5];
  const f = new FuncWriter(6);
  const i = f.local(I32);
  const j = f.local(I32);
  const j0 = f.local(I32);
  const jEnd = f.local(I32);
  const src = f.local(I32);
  const dst = f.local(I32);
  const v = [0, 1, 2, 3].map(() => f.local(V128));
  const t = [0, 1, 2, 3].map(() => f.local(V128));
  /** Push the byte address base + a * 4 + b * stride. */
  const addr = (base: number, a: number, b: number, stride: number) => {
    f.get(base).get(a).i32(2).op(OP.i32Shl).op(OP.i32Add).get(b).get(stride).op(OP.i32Mul).op(OP.i32Add);
  };
  /** Copy element (ii, jj) one by one. */
  const scalar = (ii: number, jj: number) => {
    addr(OUT, jj, ii, OD);
    addr(IN, ii, jj, SL);
    f.mem(OP.i32Load, 0).mem(OP.i32Store, 0);
  };
  f.i32(0).set(i);
  // Blocks of four rows (d) while they last.
  f.get(D).i32(4).op(OP.i32GeS).op(OP.if, 0x40).op(OP.loop, 0x40);
  f.i32(0).set(j0);
  f.op(OP.loop, 0x40);
  // Columns [j0, min(j0 + SPAN, L & ~3)) in 4 x 4 blocks.
  f.get(j0).i32(SPAN).op(OP.i32Add).get(L).i32(-4).op(OP.i32And);
  f.get(j0).i32(SPAN).op(OP.i32Add).get(L).i32(-4).op(OP.i32And).op(OP.i32LtS);
  f.op(OP.select).set(jEnd);
  f.get(j0).set(j);
  f.get(j).get(jEnd).op(OP.i32LtS).op(OP.if, 0x40).op(OP.loop, 0x40);
  {
    // v[c] = input rows i..i+3 at column j + c (contiguous along d).
    addr(IN, i, j, SL);
    f.set(src);
    for (let c = 0; c < 4; c++) {
      f.get(src).mem(SIMD.load, 0, true).set(v[c]);
      if (c < 3) f.get(src).get(SL).op(OP.i32Add).set(src);
    }
    interleave32(f, v, t);
    addr(OUT, j, i, OD);
    f.set(dst);
    const rows: [number, number, number[]][] = [
      [0, 2, lanesOf(4, [0, 1, 4, 5])],
      [0, 2, lanesOf(4, [2, 3, 6, 7])],
      [1, 3, lanesOf(4, [0, 1, 4, 5])],
      [1, 3, lanesOf(4, [2, 3, 6, 7])],
    ];
    for (const [r, [a, b, sh]] of rows.entries()) {
      f.get(dst).get(t[a]).get(t[b]).shuffle(sh).mem(SIMD.store, 0, true);
      if (r < 3) f.get(dst).get(OD).op(OP.i32Add).set(dst);
    }
    f.get(j).i32(4).op(OP.i32Add).tee(j).get(jEnd).op(OP.i32LtS).op(OP.br_if, 0);
  }
  f.op(OP.end).op(OP.end);
  f.get(j0).i32(SPAN).op(OP.i32Add).tee(j0).get(L).i32(-4).op(OP.i32And).op(OP.i32LtS).op(OP.br_if, 0);
  f.op(OP.end);
  // The last columns (L mod 4) of these four rows, one by one.
  f.get(L).i32(-4).op(OP.i32And).set(j);
  f.get(j).get(L).op(OP.i32LtS).op(OP.if, 0x40).op(OP.loop, 0x40);
  for (let r = 0; r < 4; r++) {
    if (r > 0) f.get(i).i32(1).op(OP.i32Add).set(i);
    scalar(i, j);
  }
  f.get(i).i32(3).op(OP.i32Sub).set(i);
  f.get(j).i32(1).op(OP.i32Add).tee(j).get(L).op(OP.i32LtS).op(OP.br_if, 0);
  f.op(OP.end).op(OP.end);
  f.get(i).i32(4).op(OP.i32Add).tee(i).i32(4).op(OP.i32Add).get(D).op(OP.i32LeS).op(OP.br_if, 0);
  f.op(OP.end).op(OP.end);
  // The last rows (D mod 4), one by one.
  f.get(i).get(D).op(OP.i32LtS).op(OP.if, 0x40).op(OP.loop, 0x40);
  f.i32(0).set(j);
  f.get(L).i32(0).op(OP.i32GtS).op(OP.if, 0x40).op(OP.loop, 0x40);
  scalar(i, j);
  f.get(j).i32(1).op(OP.i32Add).tee(j).get(L).op(OP.i32LtS).op(OP.br_if, 0);
  f.op(OP.end).op(OP.end);
  f.get(i).i32(1).op(OP.i32Add).tee(i).get(D).op(OP.i32LtS).op(OP.br_if, 0);
  f.op(OP.end).op(OP.end);

  const bytes = moduleBytes(Array(6).fill(I32), f, HEAP_MAX_PAGES);
  return { source: wrapperSource(k, d, S, c0, outStrides, bytes, js), bytes: bytes.length };
}

/**
 * The JavaScript around the module: a call per slab (the other dimensions' indices fixed), the
 * ranged rows of dimension 0 cut to [lo, hi); the JavaScript kernel for buffers outside the heap.
 */
function wrapperSource(
  k: MapKernel,
  d: number,
  S: readonly number[],
  c0v: number,
  outStrides: readonly number[],
  bytes: Uint8Array,
  js: string,
): string {
  const e = k.expr as LoadExpr;
  const rank = k.shape.length;
  const l = rank - 1;
  const b64 = Buffer.from(bytes).toString('base64');
  const [bin, bout] = [`b${e.buf}`, `b${k.out}`];
  const params = [...new Set([e.buf, k.out])].sort((a, b) => a - b).map((b) => `b${b}`);
  // The input's constant offset: its index at all-zero output indices.
  const c0 = 'c0';
  const others = k.shape.map((_, x) => x).filter((x) => x !== d && x !== l);
  // Dimension 0 is ranged: as d (rows [lo, hi)) or as the outermost of the others.
  const ranges = (x: number) => (x === 0 ? ['lo', 'hi'] : ['0', String(k.shape[x])]);
  const loops = others.map((x) => {
    const [a, b] = ranges(x);
    return `for (let i${x} = ${a}; i${x} < ${b}; i${x}++)`;
  });
  const inOff = others.map((x) => `i${x} * ${S[x]}`).join(' + ') || '0';
  const outOff = others.map((x) => `i${x} * ${outStrides[x]}`).join(' + ') || '0';
  const [dLo, dHi] = ranges(d);
  return [
    '(() => {',
    `  const module = new WebAssembly.Module(Uint8Array.from(atob('${b64}'), (c) => c.charCodeAt(0)));`,
    `  const js = ${js.replace(/\n/g, '\n  ')};`,
    '  let run = null;',
    `  return (rt, ${params.join(', ')}, lo, hi) => {`,
    `    const hi_ = rt.heapOffset(${bin});`,
    `    const ho = rt.heapOffset(${bout});`,
    `    if (hi_ < 0 || ho < 0 || ${bin} === ${bout}) return js(rt, ${params.join(', ')}, lo, hi);`,
    '    const { m } = rt.heap();',
    '    run ??= new WebAssembly.Instance(module, { env: { m } }).exports.k;',
    // The input index at all-zero output indices (a constant offset: a slice's start).
    `    const ${c0} = ${c0v};`,
    `    ${loops.join(' ')} {`,
    `      run(hi_ + 4 * (${c0} + ${inOff} + ${dLo} * ${S[d]}), ho + 4 * (${outOff} + ${dLo} * ${outStrides[d]}), ${dHi} - ${dLo}, ${k.shape[l]}, ${4 * S[l]}, ${4 * outStrides[d]});`,
    '    }',
    '  };',
    '})()',
  ].join('\n');
}

/** An affine index at all-zero loop indices (the load's constant offset: a slice's start), or null. */
function atZero(e: SExpr): number | null {
  if (e.k === 'var') return 0;
  if (e.k === 'const') return Number(e.v);
  if (e.k !== 'bin' || !['add', 'sub', 'mul'].includes(e.op)) return null;
  const a = atZero(e.a);
  const b = atZero(e.b);
  if (a === null || b === null) return null;
  return e.op === 'add' ? a + b : e.op === 'sub' ? a - b : a * b;
}
