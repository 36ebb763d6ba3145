/**
 * @file What the SIMD kernel makers share (simd.ts for maps, simd-reduce.ts and simd-columns.ts for
 * reductions, simd-argreduce.ts): the kernel they return and their signature, the body compiled
 * over a fresh scratch memory (simd-expr.ts), the finished module, and the JavaScript wrapper
 * around it with the pieces of its body they all write: a flat index split into a multi-index,
 * and rows walked in blocks, copied into the scratch region where a buffer is not in the heap.
 */

import type { SExpr } from '../../../compile/kir.js';
import type { DType } from '../../../core/dtype.js';
import { sizeOf } from '../../../core/shape.js';
import { HEAP_MAX_PAGES, SCRATCH_BYTES } from '../heap.js';
import { indent } from '../js-emit.js';
import { FuncWriter, I32, moduleBytes, OP, SIMD, V128 } from './encode.js';
import { CTOR, ExprCompiler, type Hooks, type Layout, Memory } from './simd-expr.js';

export interface WasmKernel {
  /** A JavaScript expression evaluating to the kernel function `(rt, ...buffers, lo, hi)`. */
  source: string;
  /** Size of the WebAssembly module. */
  bytes: number;
}

/** A kernel maker: the SIMD version of a kernel `k`, or null; `sizeOf` gives a buffer's element count. */
export type SimdMaker<K> = (
  k: K,
  dtypeOf: (b: number) => DType,
  sizeOf: (b: number) => number,
) => WasmKernel | null;

/** The expression compiler for `body` over a fresh scratch memory, or null where a node has no exact SIMD form. */
export function compileBody(
  body: SExpr,
  layout: Layout,
  dtypeOf: (b: number) => DType,
  sizeOf: (b: number) => number,
): ExprCompiler | null {
  const ex = new ExprCompiler(body, layout, dtypeOf, sizeOf, new Memory());
  return ex.ok ? ex : null;
}

/**
 * The kernel whose WebAssembly function is `f` (`nParams` i32 parameters) and whose wrapper
 * `source` writes, or null when its scratch does not fit the region.
 */
export function finishKernel(
  ex: ExprCompiler,
  nParams: number,
  f: FuncWriter,
  source: (c: Compiled) => string,
): WasmKernel | null {
  if (ex.mem.top > SCRATCH_BYTES) return null;
  const bytes = moduleBytes(Array(nParams).fill(I32), f, HEAP_MAX_PAGES);
  return { source: source(new Compiled(ex, bytes)), bytes: bytes.length };
}

/** A kernel's compiled body and module, and its JavaScript wrapper. */
export class Compiled {
  readonly dtypeOf: (b: number) => DType;
  constructor(
    readonly ex: ExprCompiler,
    readonly bytes: Uint8Array,
  ) {
    this.dtypeOf = ex.dtypeOf;
  }

  /** The wrapper's view of the whole memory that buffer `b`'s elements are read through. */
  view(b: number): string {
    return `v${CTOR[this.dtypeOf(b).name]}`;
  }

  /**
   * A SIMD kernel's JavaScript wrapper: its module compiled once (the bytes are in the source, so a
   * worker compiles it as it compiles a JavaScript kernel), the closure's constants (tables,
   * `decls`), and a function `(rt, ...buffers, ...params)` (the buffers `bufs`, sorted) that
   * instantiates the module on this thread's heap, keeps a view of the whole memory per constructor
   * (`v<Ctor>`, those of `bufs` in their order) and the fixed views `fixed` (made again whenever the
   * memory has grown), copies the small inputs and tables into the scratch region `SB`, then runs
   * `body`.
   */
  wrap(
    bufs: Iterable<number>,
    params: string[],
    body: string[],
    more: { decls?: string[]; fixed?: [string, string, string, number][] } = {},
  ): string {
    const all = [...bufs];
    const b64 = Buffer.from(this.bytes).toString('base64');
    const ctors = [
      ...new Set([
        ...all.map((b) => CTOR[this.dtypeOf(b).name]).filter((x) => x !== undefined),
        'Int32Array',
      ]),
    ];
    const fixed = more.fixed ?? [];
    const args = [...[...all].sort((a, b) => a - b).map((b) => `b${b}`), ...params];
    return [
      '(() => {',
      `  const module = new WebAssembly.Module(Uint8Array.from(atob('${b64}'), (c) => c.charCodeAt(0)));`,
      ...this.ex.tableDecls().map((l) => `  ${l}`),
      ...(more.decls ?? []).map((l) => `  ${l}`),
      '  let run = null;',
      '  let mem = null;',
      ...ctors.map((x) => `  let v${x} = null;`),
      ...fixed.map(([name]) => `  let ${name} = null;`),
      `  return (rt, ${args.join(', ')}) => {`,
      '    const { m, s: SB } = rt.heap();',
      '    if (m.buffer !== mem) {',
      '      run ??= new WebAssembly.Instance(module, { env: { m } }).exports.k;',
      '      mem = m.buffer;',
      ...ctors.map((x) => `      v${x} = new ${x}(mem);`),
      ...fixed.map(([name, ctor, at, n]) => `      ${name} = new ${ctor}(mem, ${at}, ${n});`),
      '    }',
      ...this.ex.copyIn((b) => this.view(b)).map((l) => `    ${l}`),
      ...body.map((l) => `    ${l}`),
      '  };',
      '})()',
    ].join('\n');
  }
}

/** Lines splitting the flat index `flat` of `shape` into `<v>0`, `<v>1`, ... (row-major). */
export function unflatten(shape: readonly number[], flat: string, v: string): string[] {
  const lines = [`let q = ${flat};`];
  for (let d = shape.length - 1; d > 0; d--) {
    lines.push(`const ${v}${d} = q % ${shape[d]};`, `q = (q - ${v}${d}) / ${shape[d]};`);
  }
  lines.push(`const ${v}0 = q;`);
  return lines;
}

/**
 * Rows `o` of `R` elements over [lo * inner, hi * inner) (inner: the outputs per unit of the
 * range, those of `outShape`'s dimensions after the first), `block` rows at a time; per row, its
 * multi-index `i0, i1, ...` in `outShape`, then `perRow`. `whole`: each row fits a tile, and each
 * tile buffer `[id, offset]` not in the heap (`h<id>` < 0) has its block of rows copied to the
 * scratch region at its offset first; `a<id>` is where its row starts, in place or there.
 */
export function rowBlocks(
  c: Compiled,
  o: { outShape: readonly number[]; R: number; block: number; whole: boolean; perRow: string[] },
): string[] {
  const { R, block } = o;
  const tiles = [...c.ex.tiles];
  const inner = sizeOf(o.outShape.slice(1));
  const copy = (b: number, off: number) =>
    `  if (h${b} < 0) ${c.view(b)}.set(b${b}.subarray(o0 * ${R}, o1 * ${R}), (SB + ${off}) >> 2);`;
  const start = (b: number, off: number) =>
    `const a${b} = h${b} >= 0 ? h${b} + ${4 * R} * o : SB + ${off} + ${4 * R} * (o - o0);`;
  return [
    `for (let o0 = lo * ${inner}; o0 < hi * ${inner}; o0 += ${block}) {`,
    `  const o1 = Math.min(o0 + ${block}, hi * ${inner});`,
    ...(o.whole ? tiles.map(([b, off]) => copy(b, off)) : []),
    '  for (let o = o0; o < o1; o++) {',
    ...indent(
      [
        ...unflatten(o.outShape, 'o', 'i'),
        ...(o.whole ? tiles.map(([b, off]) => start(b, off)) : []),
        ...o.perRow,
      ],
      2,
    ),
    '  }',
    '}',
  ];
}

/**
 * The WebAssembly function of a kernel that reduces rows (simd-reduce.ts, simd-argreduce.ts), with
 * its first locals: `j`, the position in the row segment, `full`, where its whole steps end, and
 * an address per tile buffer (`addrOf`), moved on as the steps go.
 */
export class RowFunc {
  readonly f: FuncWriter;
  readonly j: number;
  readonly full: number;
  readonly addrs: number[];
  readonly addrOf: Map<number, number>;
  constructor(
    readonly ex: ExprCompiler,
    nParams: number,
  ) {
    const f = new FuncWriter(nParams);
    this.f = f;
    this.j = f.local(I32);
    this.full = f.local(I32);
    const tileBufs = [...ex.tiles.keys()];
    this.addrs = tileBufs.map(() => f.local(I32));
    this.addrOf = new Map(tileBufs.map((b, i) => [b, this.addrs[i]]));
  }

  /**
   * The row loop: from j = 0 and the addresses in parameters `addrParam`..., whole steps of `step`
   * elements (vectors `main`) while they last, then (`eight`) one step of 8 with those vectors
   * when 8 or more elements are left, then the partial last step (vectors `last`), its lanes at
   * or past the segment's length (parameter `len`) masked: `add(u, mask)` folds vector u into the
   * lanes, `mask` -1 or a local whose lanes are true where they are in the segment. Vector u
   * covers the lanes `lane(u)` to `lane(u) + 3` of its step.
   */
  loop(o: {
    len: number;
    addrParam: number;
    step: number;
    main: number[];
    eight?: number[];
    last: number[];
    lane: (u: number) => number;
    hooks: Hooks;
    add: (u: number, mask: number) => void;
  }): void {
    const { ex, f, j, full, addrs } = this;
    const stepOf = (us: number[], n: number) => {
      ex.emitStepAt(f, 'full', us, o.hooks);
      for (const u of us) o.add(u, -1);
      f.get(j).i32(n).op(OP.i32Add).set(j);
      for (const a of addrs)
        f.get(a)
          .i32(4 * n)
          .op(OP.i32Add)
          .set(a);
    };
    f.i32(0).set(j);
    for (const [i, a] of addrs.entries()) f.get(o.addrParam + i).set(a);
    f.get(o.len).i32(-o.step).op(OP.i32And).set(full);
    f.get(full).op(OP.if, 0x40).op(OP.loop, 0x40);
    stepOf(o.main, o.step);
    f.get(j).get(full).op(OP.i32LtU).op(OP.br_if, 0).op(OP.end).op(OP.end);
    if (o.eight) {
      f.get(o.len).get(j).op(OP.i32Sub).i32(8).op(OP.i32GeS).op(OP.if, 0x40);
      stepOf(o.eight, 8);
      f.op(OP.end);
    }
    f.get(o.len).get(j).op(OP.i32Ne).op(OP.if, 0x40);
    ex.emitStepAt(f, 'full', o.last, o.hooks);
    for (const u of o.last) {
      const mask = f.local(V128);
      const b = o.lane(u);
      f.i32x4(b, b + 1, b + 2, b + 3)
        .get(o.len)
        .get(j)
        .op(OP.i32Sub)
        .simd(SIMD.i32x4Splat)
        .simd(SIMD.i32x4LtS)
        .set(mask);
      o.add(u, mask);
    }
    f.op(OP.end);
  }
}
