/**
 * @file Reductions along a contiguous axis as WebAssembly SIMD (layout.ts `rows`): sums, products,
 * max and min of float32 (float64 lanes for sums and products, as the JavaScript kernels
 * accumulate them), int32/uint32 sums, max and min, bool and/or, with any fused body the
 * expression compiler takes (simd-expr.ts: logsumexp's exp(x - max), a mean's cast, ...).
 *
 * Eight lanes per step, element r of the reduced axis into lane r mod 8: the order layout.ts
 * fixes for the JavaScript kernels, so both give the same bits. A row's last, partial step masks
 * the lanes past its end with the identity. The WebAssembly function accumulates one segment of
 * one row into the eight lanes held in memory (`ACC`); the JavaScript wrapper copies blocks of
 * whole rows (or a long row segment by segment) in, calls it per row, and combines the lanes, adds
 * the epilogue and stores the result with the same code the JavaScript kernel runs
 * (codegen-reduce.ts finishLines). A full reduction (its ranges run in order, chunks.ts
 * runCarried) carries the lanes and its position from call to call; a range that ends inside a
 * group of eight leaves the rest to the next call, so that lanes stay r mod 8.
 */

import type { ReduceKernel, SExpr } from '../../../compile/kir.js';
import { children, linearIndex, loopVars } from '../../../compile/kir.js';
import type { DType } from '../../../core/dtype.js';
import { sizeOf, stridesOf } from '../../../core/shape.js';
import { finishLines } from '../codegen-reduce.js';
import { closureDecls, combine, indent } from '../js-emit.js';
import { laneCombine, laneSplit, reduceLayout } from '../layout.js';
import { OP, SIMD, V128 } from './encode.js';
import { type Hooks, isWord, regroup } from './simd-expr.js';
import {
  type Compiled,
  compileBody,
  finishKernel,
  RowFunc,
  rowBlocks,
  type SimdMaker,
} from './simd-kernel.js';

/** Elements per tile: whole rows up to this length, longer rows in segments of it. */
const TILE = 16384;
/** Rows shorter than this stay JavaScript (a call per row would cost more than it saves). */
const MIN_ROW = 64;

export type Acc = 'f64' | 'f32' | 'i32' | 'u32' | 'bool';

/** How a reduction accumulates: the lane type, the identity, the combining instruction. */
export interface Plan {
  acc: Acc;
  identity: number;
  op: number;
}

/**
 * `ordered`: each output adds its elements one by one (the `columns` layout); else float sums
 * and products are the `rows` layout's lanes.
 */
export function plan(k: ReduceKernel, dt: DType, ordered = false): Plan | null {
  const op = k.op;
  // (float32 accumulation, rounded after every add: the contractions', not here.)
  if (k.roundEach && dt.isFloat && (op === 'add' || op === 'mul')) return null;
  if (dt.name === 'float32') {
    if (op === 'add' || op === 'mul') {
      if (!ordered && !laneSplit(k, dt)) return null;
      return { acc: 'f64', identity: op === 'add' ? 0 : 1, op: op === 'add' ? SIMD.f64x2Add : SIMD.f64x2Mul };
    }
    if (op === 'max') return { acc: 'f32', identity: Number.NEGATIVE_INFINITY, op: SIMD.f32x4Max };
    if (op === 'min') return { acc: 'f32', identity: Number.POSITIVE_INFINITY, op: SIMD.f32x4Min };
    return null;
  }
  if (dt.name === 'int32' || dt.name === 'uint32') {
    const s = dt.name === 'int32';
    if (op === 'add') return { acc: s ? 'i32' : 'u32', identity: 0, op: SIMD.i32x4Add };
    if (op === 'max')
      return {
        acc: s ? 'i32' : 'u32',
        identity: s ? -(2 ** 31) : 0,
        op: s ? SIMD.i32x4MaxS : SIMD.i32x4MaxU,
      };
    if (op === 'min')
      return {
        acc: s ? 'i32' : 'u32',
        identity: s ? 2 ** 31 - 1 : -1,
        op: s ? SIMD.i32x4MinS : SIMD.i32x4MinU,
      };
    return null;
  }
  if (dt.isBool && (op === 'and' || op === 'or')) {
    return { acc: 'bool', identity: op === 'and' ? -1 : 0, op: op === 'and' ? SIMD.and : SIMD.or };
  }
  return null;
}

/** Whether `e` reads one of `vars` other than through loads at the flat index `flat`. */
export function readsVars(e: SExpr, flat: SExpr, vars: ReadonlySet<string>): boolean {
  const seen = new Set<number>();
  const visit = (n: SExpr): boolean => {
    if (seen.has(n.id)) return false;
    seen.add(n.id);
    if (n.k === 'var') return vars.has(n.name);
    if (n.k === 'load' && n.idx === flat) return false;
    return children(n).some(visit);
  };
  return visit(e);
}

/**
 * The SIMD version of a reduce kernel over one contiguous axis, or null (another layout, several
 * reduced axes, rows too short, an op or a node without an exact SIMD form).
 */
export const wasmReduceKernel: SimdMaker<ReduceKernel> = (k, dtypeOf, sizeOf_) => {
  const dt = k.body.dt;
  const nRed = k.redShape.length;
  if (nRed === 0 || reduceLayout(k) !== 'rows' || !(isWord(dt) || dt.isBool)) return null;
  const R = sizeOf(k.redShape);
  if (R < MIN_ROW || k.outShape.some((d) => d === 0)) return null;
  const p = plan(k, dt);
  if (!p) return null;
  const nOut = k.outShape.length;
  const ovars = loopVars('i', nOut).map((v) => v.name);
  const rvars = loopVars('r', nRed);
  const flat = linearIndex([...loopVars('i', nOut), ...rvars], stridesOf([...k.outShape, ...k.redShape]));
  const body = regroup(k.body);
  // Several reduced axes run as one, r = their flat index, when the body reads them only through
  // loads at the flat index and the innermost is a multiple of 8 (so that r mod 8, the lane, is
  // the innermost index mod 8, as in the JavaScript kernel).
  if (
    nRed > 1 &&
    (k.redShape[nRed - 1] % 8 !== 0 || readsVars(body, flat, new Set(rvars.map((v) => v.name))))
  ) {
    return null;
  }
  const tileBytes = TILE * 4 + 64;
  const layout = { flat, stepVars: new Set(rvars.map((v) => v.name)), laneVar: `r${nRed - 1}`, tileBytes };
  const ex = compileBody(body, layout, dtypeOf, sizeOf_);
  if (!ex) return null;
  const ACC = ex.mem.alloc(64);

  // Parameters: the segment's length, its first r, whether to start the lanes afresh, the scratch
  // region's address, the row's output multi-index, and where each tile buffer's segment starts
  // (in the heap, or a copy in the scratch region).
  const [LEN, RPOS, INIT, SB] = [0, 1, 2, 3];
  const nParams = 4 + nOut + ex.tiles.size;
  const rf = new RowFunc(ex, nParams);
  const { f, j, addrOf } = rf;
  const wide = p.acc === 'f64';
  // Float sums: 8 elements a step into 4 f64x2 (lane r mod 8, the order layout.ts fixes); the
  // others (exact in any order): 16 a step into 4 vectors, folded into two at the end.
  const accs = Array.from({ length: 4 }, () => f.local(V128));
  const step = wide ? 8 : 16;
  /** The first element (within its step) of vector u: main loop, one 8-wide step, the last one. */
  const laneBase = (u: number): number => (wide ? 4 * (u % 2) : u < 4 ? 4 * u : 4 * (u % 2));
  const hooks: Hooks = {
    variable(fw, name, u) {
      if (name === 'r0') {
        fw.get(RPOS).get(j).op(OP.i32Add).simd(SIMD.i32x4Splat);
        const b = laneBase(u);
        fw.i32x4(b, b + 1, b + 2, b + 3).simd(SIMD.i32x4Add);
      } else fw.get(4 + ovars.indexOf(name)).simd(SIMD.i32x4Splat);
    },
    tile(fw, buf, u) {
      fw.get(addrOf.get(buf)!).mem(SIMD.load, 4 * laneBase(u), true);
    },
    scratch(fw) {
      fw.get(SB);
    },
  };
  const identity = () => (p.acc === 'f32' ? f.f32x4(p.identity) : f.i32x4(p.identity));
  /** Add vector `u` into its lanes; `mask` (a local, or -1) keeps the lanes past the end. */
  const accumulate = (u: number, mask: number) => {
    const v = ex.value(body, u, 'full');
    const masked = () => {
      f.get(v);
      if (mask >= 0) {
        identity();
        f.get(mask).simd(SIMD.bitselect);
      }
    };
    if (wide) {
      // float32 -> the two float64 lanes of each half.
      const half = laneBase(u) / 4;
      for (const hi of [0, 1]) {
        const a = accs[2 * half + hi];
        f.get(a);
        masked();
        if (hi) {
          const l = f.local(V128);
          f.set(l).get(l).get(l);
          f.shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
        }
        f.simd(SIMD.f64x2PromoteLowF32x4).simd(p.op).set(a);
      }
    } else {
      const a = accs[laneBase(u) / 4];
      f.get(a);
      masked();
      f.simd(p.op).set(a);
    }
  };

  // Rare branches are computed in every step here (one pass): reductions of trigonometric
  // functions of huge arguments are not worth a second pass.
  ex.emitInvariants(f, 'full', hooks);
  for (const [i, a] of accs.entries()) {
    if (!wide && i >= 2) {
      identity();
      f.set(a);
      continue;
    }
    f.get(INIT).op(OP.if, 0x7b);
    if (wide) f.f64x2(p.identity);
    else identity();
    f.op(OP.else)
      .get(SB)
      .mem(SIMD.load, ACC + 16 * i, true)
      .op(OP.end)
      .set(a);
  }
  rf.loop({
    len: LEN,
    addrParam: 4 + nOut,
    step,
    main: wide ? [0, 1] : [0, 1, 2, 3],
    // (Not wide: one 8-wide step when 8 or more are left.)
    eight: wide ? undefined : [4, 5],
    last: wide ? [2, 3] : [6, 7],
    lane: laneBase,
    hooks,
    add: accumulate,
  });
  if (!wide) {
    for (const i of [0, 1])
      f.get(accs[i])
        .get(accs[i + 2])
        .simd(p.op)
        .set(accs[i]);
  }
  for (const [i, a] of accs.entries()) {
    if (wide || i < 2) {
      f.get(SB)
        .get(a)
        .mem(SIMD.store, ACC + 16 * i, true);
    }
  }

  return finishKernel(ex, nParams, f, (c) => wrapper(k, c, dt, p, R, ACC));
};

/**
 * The JavaScript around the module: per row (segment), where each tile buffer's elements start
 * (in the heap, or a block of rows copied into the scratch region), the call, the lanes combined.
 */
function wrapper(k: ReduceKernel, c: Compiled, dt: DType, p: Plan, R: number, ACC: number): string {
  const nOut = k.outShape.length;
  const outDt = c.dtypeOf(k.out);
  const tiles = [...c.ex.tiles];
  const bufs = new Set<number>([...c.ex.small.keys(), ...c.ex.tiles.keys(), k.out]);
  // The lanes as JavaScript values, combined in order (layout.ts for float sums).
  const accView = {
    f64: 'Float64Array',
    f32: 'Float32Array',
    i32: 'Int32Array',
    u32: 'Int32Array',
    bool: 'Int32Array',
  }[p.acc];
  const lane = (j: number) => (p.acc === 'bool' ? `(A[${j}] !== 0 ? 1 : 0)` : `A[${j}]`);
  const combined =
    p.acc === 'f64'
      ? laneCombine(k.op === 'mul' ? '*' : '+', lane)
      : Array.from({ length: 7 }, (_, j) => j + 1).reduce((a, j) => combine(k.op, dt, a, lane(j)), lane(0));
  const finish = finishLines(k, dt, outDt, 'o');
  for (const l of finish) for (const m of l.matchAll(/\bb(\d+)\b/g)) bufs.add(Number(m[1]));
  const idx = Array.from({ length: nOut }, (_, d) => `i${d}`);
  /** Lines setting `a<b>` for every tile buffer: elements [from, from + n) of it, copied if needed. */
  const place = (from: string, n: string, copyAt: string) =>
    tiles.map(
      ([b, off]) =>
        `const a${b} = h${b} >= 0 ? h${b} + 4 * (${from}) : (${c.view(b)}.set(b${b}.subarray(${from}, ${from} + ${n}), (SB + ${off}) >> 2), SB + ${off} + ${copyAt});`,
    );
  const call = (len: string, rpos: string, init: string) =>
    `run(${[len, rpos, init, 'SB', ...idx, ...tiles.map(([b]) => `a${b}`)].join(', ')});`;
  const rows = Math.max(1, Math.floor(TILE / R));
  let body: string[];
  if (nOut > 0) {
    // Rows up to a tile long: a block of them copied at once where a copy is needed.
    const row =
      R <= TILE
        ? [call(String(R), '0', '1')]
        : [
            `for (let s = 0; s < ${R}; s += ${TILE}) {`,
            `  const n = Math.min(${TILE}, ${R} - s);`,
            ...indent(place(`o * ${R} + s`, 'n', '0'), 1),
            `  ${call('n', 's', 's === 0 ? 1 : 0')}`,
            '}',
          ];
    const perRow = [...row, 'const A = vA;', `const acc = ${combined};`, ...finish];
    body = rowBlocks(c, { outShape: k.outShape, R, block: R <= TILE ? rows : 1, whole: R <= TILE, perRow });
  } else {
    // A full reduction over [lo, hi) of R, continuing the lanes and position of the last call.
    const init = `new ${accView}(8).fill(${p.identity})`;
    // (lo, hi count the outermost reduced axis.)
    const unit = sizeOf(k.redShape.slice(1));
    body = [
      `const st = lo === 0 ? { L: ${init}, pos: 0 } : acc0;`,
      `const h = hi * ${unit};`,
      `const end = h === ${R} ? h : Math.max(st.pos, h - (h & 7));`,
      'vA.set(st.L);',
      `for (let s = st.pos; s < end; s += ${TILE}) {`,
      `  const n = Math.min(${TILE}, end - s);`,
      ...indent(place('s', 'n', '0'), 1),
      `  ${call('n', 's', '0')}`,
      '}',
      'st.L.set(vA);',
      'st.pos = end;',
      'const A = st.L;',
      `const acc = ${combined};`,
      'const o = 0;',
      ...finish,
      'return st;',
    ];
  }
  const params = ['lo', 'hi', ...(nOut === 0 ? ['acc0'] : [])];
  const decls = closureDecls(finish);
  body = [...tiles.map(([b]) => `const h${b} = rt.heapOffset(b${b});`), ...body];
  return c.wrap(bufs, params, body, { decls, fixed: [['vA', accView, `SB + ${ACC}`, 8]] });
}
