/**
 * @file Map kernels as WebAssembly SIMD: four elements per step, in 128-bit lanes.
 *
 * A large map kernel whose every operation has an exact SIMD counterpart is compiled to a
 * WebAssembly function instead of JavaScript. "Exact" is the rule: the SIMD code must compute
 * the very bits that codegen.ts's JavaScript computes, so a kernel gives the same result whichever
 * way it runs. That admits 32-bit integer arithmetic, bitwise ops and shifts by constant amounts,
 * comparisons and selects, float32 arithmetic, min/max, sqrt and rounding (each rounded once to
 * float32, as Math.fround does), the casts between them, bitcasts, and float32 erf_inv, whose
 * SIMD version (below) repeats runtime.ts's `erfinv32` operation for operation in float64 lanes.
 * That covers the random samplers' kernels: threefry2x32, the bits-to-float conversion and the
 * normal's erf_inv fuse into one SIMD loop. Everything else (transcendental functions, 64-bit and
 * narrow types, gathers of large inputs) stays JavaScript.
 *
 * A WebAssembly function reads and writes only its own memory, so the kernel runs in tiles: the
 * JavaScript wrapper copies each tile of the contiguous inputs in, calls the function, and copies
 * the tile of the output out (both copies are memcpy between typed arrays of one type). Small
 * inputs read at a constant or loop-invariant index (keys, scalars, clamped gathers) are copied in
 * once per call. Loads must be one of these; the output's last dimension must be a multiple of 4
 * when the rank is above 1, so that four lanes never straddle a row. The loop computes four
 * vectors per step, interleaved, with no branches in it (see erfinvHalf).
 *
 * The wrapper is source text that compiles the module itself (the bytes are in it, base64), so a
 * worker thread compiles it exactly as it compiles a JavaScript kernel (threads.ts). The kernels
 * of a thread share one memory (runtime.ts `simdMemory`, grown to the largest kernel's need):
 * kernels run one at a time on a thread, and the wrapper re-reads its views when it has grown.
 */

import type { LoadExpr, MapKernel, SExpr, Table } from '../../../compile/kir.js';
import { bin, children, linearIndex, loopVars, rewrite } from '../../../compile/kir.js';
import type { DType } from '../../../core/dtype.js';
import { sizeOf, stridesOf } from '../../../core/shape.js';
import { constShift } from '../codegen.js';
import { ERFINV32_GE5, ERFINV32_LT5, LN2_HI, LN2_LO, LOG1P32_SERIES, TINY_LOG1P } from '../runtime.js';
import { FuncWriter, I32, moduleBytes, OP, SIMD, V128 } from './encode.js';

/** Elements per tile. */
const TILE = 4096;
/** Vectors per loop step (interleaved: independent work for the core's other ports). */
const UNROLL = 4;
/** Inputs read at a constant or loop-invariant index are copied in whole: up to this many elements. */
const SMALL_MAX = 16384;

const WORD_TYPES = new Set(['int32', 'uint32', 'float32']);
const CTOR: Record<string, string> = { int32: 'Int32Array', uint32: 'Uint32Array', float32: 'Float32Array' };

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
 * Where a load reads: a tile of a contiguous input; a small input (copied whole) at a constant
 * element; or a small input at a loop-invariant computed element (a clamped gather index).
 */
type Role =
  | { kind: 'tile'; offset: number }
  | { kind: 'small'; offset: number }
  | { kind: 'small-at'; offset: number };

const FLOAT_UN: Record<string, number> = {
  neg: SIMD.f32x4Neg,
  abs: SIMD.f32x4Abs,
  sqrt: SIMD.f32x4Sqrt,
  floor: SIMD.f32x4Floor,
  ceil: SIMD.f32x4Ceil,
  round_even: SIMD.f32x4Nearest,
};
const FLOAT_BIN: Record<string, number> = {
  add: SIMD.f32x4Add,
  sub: SIMD.f32x4Sub,
  mul: SIMD.f32x4Mul,
  div: SIMD.f32x4Div,
  max: SIMD.f32x4Max,
  min: SIMD.f32x4Min,
  eq: SIMD.f32x4Eq,
  ne: SIMD.f32x4Ne,
  lt: SIMD.f32x4Lt,
  le: SIMD.f32x4Le,
  gt: SIMD.f32x4Gt,
  ge: SIMD.f32x4Ge,
};
const INT_BIN: Record<string, number> = {
  add: SIMD.i32x4Add,
  sub: SIMD.i32x4Sub,
  mul: SIMD.i32x4Mul,
  and: SIMD.and,
  or: SIMD.or,
  xor: SIMD.xor,
  eq: SIMD.i32x4Eq,
  ne: SIMD.i32x4Ne,
};
const SIGNED_BIN: Record<string, number> = {
  lt: SIMD.i32x4LtS,
  le: SIMD.i32x4LeS,
  gt: SIMD.i32x4GtS,
  ge: SIMD.i32x4GeS,
  max: SIMD.i32x4MaxS,
  min: SIMD.i32x4MinS,
};
const UNSIGNED_BIN: Record<string, number> = {
  lt: SIMD.i32x4LtU,
  le: SIMD.i32x4LeU,
  gt: SIMD.i32x4GtU,
  ge: SIMD.i32x4GeU,
  max: SIMD.i32x4MaxU,
  min: SIMD.i32x4MinU,
};
const SHIFTS: Record<string, number> = {
  shl: SIMD.i32x4Shl,
  shr_logical: SIMD.i32x4ShrU,
  shr_arith: SIMD.i32x4ShrS,
};

const isWord = (dt: DType): boolean => WORD_TYPES.has(dt.name);
const isInt = (dt: DType): boolean => dt.name === 'int32' || dt.name === 'uint32';

/** Whether one node has an exact SIMD form (its children are checked on their own). */
function supported(n: SExpr, roleOf: (l: LoadExpr) => Role | null): boolean {
  const word = (dt: DType) => isWord(dt) || dt.isBool;
  if (!word(n.dt)) return false;
  switch (n.k) {
    case 'const':
    case 'var':
      return true;
    case 'load':
      return isWord(n.dt) && roleOf(n) !== null;
    case 'un': {
      const dt = n.x.dt;
      if (dt.name === 'float32') return n.op in FLOAT_UN || n.op === 'erf_inv';
      if (dt.isBool) return n.op === 'not';
      return isInt(dt) && (n.op === 'neg' || n.op === 'not' || n.op === 'abs');
    }
    case 'bin': {
      const dt = n.a.dt;
      if (!word(dt) || n.a.dt !== n.b.dt) return false;
      if (dt.name === 'float32') return n.op in FLOAT_BIN;
      if (dt.isBool) return ['and', 'or', 'xor', 'eq', 'ne', 'max', 'min'].includes(n.op);
      if (n.op in SHIFTS) {
        // JavaScript's shifts take the amount mod 32, as WebAssembly's do, but XLA's out-of-range
        // results need the runtime helpers: only constant in-range amounts are exact.
        return constShift(n, 32);
      }
      return n.op in INT_BIN || n.op in SIGNED_BIN;
    }
    case 'sel':
      return n.c.dt.isBool;
    case 'cast':
      // (float -> int32/uint32 truncates and saturates as i32x4.trunc_sat does, NaN -> 0.)
      return word(n.x.dt);
    case 'bitcast':
      return isWord(n.x.dt) && isWord(n.dt);
    default:
      return false;
  }
}

/** Pushes `fround` of an f64x2 value: demote to float32 lanes and back. */
function fr(f: FuncWriter): FuncWriter {
  return f.simd(SIMD.f32x4DemoteF64x2Zero).simd(SIMD.f64x2PromoteLowF32x4);
}

/** bitselect(a, b, mask) of two constants: b ^ (mask & (a ^ b)), two instructions, not three. */
function selectConst(f: FuncWriter, a: number, b: number, mask: number): FuncWriter {
  const bits = (v: number) => new BigInt64Array(new Float64Array([v]).buffer)[0];
  const xor = bits(a) ^ bits(b);
  return f.get(mask).i64x2(xor).simd(SIMD.and).f64x2(b).simd(SIMD.xor);
}

/**
 * float32 erf_inv of two float32 values held as f64x2 in local `x`; leaves the result (float32
 * values as f64x2) on the stack. Operation for operation runtime.ts's `erfinv32`, with selects for
 * its branches. (Branching on the rare lanes instead, as a scalar loop would, makes V8's code for
 * the loop about twice as slow: no control flow inside the SIMD loop.)
 */
function erfinvHalf(f: FuncWriter, x: number): void {
  const u = f.local(V128);
  const y = f.local(V128);
  const ya = f.local(V128);
  const kf = f.local(V128);
  const fm = f.local(V128);
  const s = f.local(V128);
  const z = f.local(V128);
  const lm = f.local(V128);
  const l = f.local(V128);
  const w = f.local(V128);
  const mask = f.local(V128);
  const ww = f.local(V128);
  const r = f.local(V128);
  // u = -fround(x * x); y = 1 + u
  fr(f.get(x).get(x).simd(SIMD.f64x2Mul)).simd(SIMD.f64x2Neg).set(u);
  f.f64x2(1).get(u).simd(SIMD.f64x2Add).set(y);
  // y = 2^k m, m in [sqrt(1/2), sqrt(2)): shift the exponent field so that it splits there.
  f.get(y)
    .i64x2(0x95f62n << 32n)
    .simd(SIMD.i64x2Add)
    .set(ya);
  // k as a double: (ya >> 52) - 1023 added to the bits of 1.5 * 2^52.
  f.get(ya)
    .i32(52)
    .simd(SIMD.i64x2ShrS)
    .i64x2(0x4338000000000000n - 0x3ffn)
    .simd(SIMD.i64x2Add);
  f.f64x2(1.5 * 2 ** 52)
    .simd(SIMD.f64x2Sub)
    .set(kf);
  f.get(ya)
    .i64x2(0x000fffffffffffffn)
    .simd(SIMD.and)
    .i64x2(0x3fe6a09en << 32n)
    .simd(SIMD.i64x2Add);
  f.f64x2(1).simd(SIMD.f64x2Sub).set(fm);
  // s = f / (2 + f); log m = s * (2 + 2z/3 + 2z^2/5 + ...), z = s^2
  f.get(fm).f64x2(2).get(fm).simd(SIMD.f64x2Add).simd(SIMD.f64x2Div).tee(s).get(s).simd(SIMD.f64x2Mul).set(z);
  const n = LOG1P32_SERIES.length;
  f.f64x2(LOG1P32_SERIES[n - 1]);
  for (let i = n - 2; i >= 0; i--) f.get(z).simd(SIMD.f64x2Mul).f64x2(LOG1P32_SERIES[i]).simd(SIMD.f64x2Add);
  f.get(s).simd(SIMD.f64x2Mul).set(lm);
  // k ln2_hi + (k ln2_lo + log m)
  f.get(kf).f64x2(LN2_HI).simd(SIMD.f64x2Mul);
  f.get(kf).f64x2(LN2_LO).simd(SIMD.f64x2Mul).get(lm).simd(SIMD.f64x2Add);
  f.simd(SIMD.f64x2Add).set(l);
  // |u| tiny: u itself (log1p(u) rounds to u); 1 + u <= 0: -inf at 0, else NaN (NaN stays NaN).
  f.get(u).get(l).get(u).simd(SIMD.f64x2Abs).f64x2(TINY_LOG1P).simd(SIMD.f64x2Lt).simd(SIMD.bitselect).set(l);
  f.get(l).f64x2(Number.NaN).get(y).f64x2(0).simd(SIMD.f64x2Gt).simd(SIMD.bitselect).set(l);
  f.f64x2(Number.NEGATIVE_INFINITY).get(l).get(y).f64x2(0).simd(SIMD.f64x2Eq).simd(SIMD.bitselect);
  // w = -fround(log1p(u)); the two branches of Giles' polynomial, chosen per lane (w < 5 or not).
  fr(f).simd(SIMD.f64x2Neg).set(w);
  f.get(w).f64x2(5).simd(SIMD.f64x2Lt).set(mask);
  fr(f.get(w).f64x2(2.5).simd(SIMD.f64x2Sub));
  fr(fr(f.get(w).simd(SIMD.f64x2Sqrt)).f64x2(3).simd(SIMD.f64x2Sub));
  f.get(mask).simd(SIMD.bitselect).set(ww);
  selectConst(f, ERFINV32_LT5[0], ERFINV32_GE5[0], mask);
  for (let i = 1; i < ERFINV32_LT5.length; i++) {
    f.get(ww).simd(SIMD.f64x2Mul);
    selectConst(f, ERFINV32_LT5[i], ERFINV32_GE5[i], mask);
    fr(f.simd(SIMD.f64x2Add));
  }
  fr(f.get(x).simd(SIMD.f64x2Mul)).set(r);
  // +-1 -> +-inf
  f.get(x).f64x2(Number.POSITIVE_INFINITY).simd(SIMD.f64x2Mul).get(r);
  f.get(x).simd(SIMD.f64x2Abs).f64x2(1).simd(SIMD.f64x2Eq).simd(SIMD.bitselect);
}

/** float32 erf_inv of the f32x4 value in local `x`, left on the stack. */
function erfinv32x4(f: FuncWriter, x: number): void {
  const lo = f.local(V128);
  const hi = f.local(V128);
  const rlo = f.local(V128);
  f.get(x).simd(SIMD.f64x2PromoteLowF32x4).set(lo);
  f.get(x).get(x).shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
  f.simd(SIMD.f64x2PromoteLowF32x4).set(hi);
  erfinvHalf(f, lo);
  f.simd(SIMD.f32x4DemoteF64x2Zero).set(rlo);
  f.get(rlo);
  erfinvHalf(f, hi);
  f.simd(SIMD.f32x4DemoteF64x2Zero);
  f.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
}

/** The nodes `root` needs, children first; `fast` leaves out the rare branches of rare selects. */
function schedule(root: SExpr, fast: boolean): SExpr[] {
  const seen = new Set<number>();
  const out: SExpr[] = [];
  const visit = (n: SExpr): void => {
    if (seen.has(n.id)) return;
    seen.add(n.id);
    for (const c of children(n))
      if (!(fast && n.k === 'sel' && n.rare && c === n.a && c !== n.b && c !== n.c)) visit(c);
    out.push(n);
  };
  visit(root);
  return out;
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
  const innerVar = `i${rank - 1}`;

  // Memory: small inputs and tables (whole), then a tile for each contiguous input and the output.
  let top = 0;
  const tileBytes = (TILE + 4 * UNROLL) * 4;
  const small = new Map<number, number>();
  const tables = new Map<string, { offset: number; table: Table }>();
  const tiles = new Map<number, number>();
  const roles = new Map<number, Role | null>();
  const level = new Map<number, number>();
  /** Nodes whose value may differ between the four lanes of a vector. */
  const lanewise = new Map<number, boolean>();
  const roleOf = (l: LoadExpr): Role | null => {
    if (roles.has(l.id)) return roles.get(l.id)!;
    let role: Role | null = null;
    if (dtypeOf(l.buf) === l.dt) {
      if (l.idx === flat) {
        if (!tiles.has(l.buf)) {
          tiles.set(l.buf, top);
          top += tileBytes;
        }
        role = { kind: 'tile', offset: tiles.get(l.buf)! };
      } else if (sizeOf(l.buf) <= SMALL_MAX) {
        const size = sizeOf(l.buf);
        const place = () => {
          if (!small.has(l.buf)) {
            small.set(l.buf, top);
            top += Math.ceil((size * 4) / 16) * 16;
          }
          return small.get(l.buf)!;
        };
        if (l.idx.k === 'const') {
          const i = Number(l.idx.v);
          if (i >= 0 && i < size) role = { kind: 'small', offset: place() + 4 * i };
        } else if (!lanewise.get(l.idx.id)) {
          // The same element in all four lanes (a loop-invariant or per-row index); the lowering
          // clamps gather indices into range, as JAX does.
          role = { kind: 'small-at', offset: place() };
        }
      }
    }
    roles.set(l.id, role);
    return role;
  };
  const tableOffset = (t: Table): number => {
    let at = tables.get(t.name);
    if (!at) {
      at = { offset: top, table: t };
      tables.set(t.name, at);
      top += Math.ceil((t.values.length * 4) / 16) * 16;
    }
    return at.offset;
  };

  // Check every node; split them into loop-invariant ones (level 0) and per-step ones.
  const full = schedule(expr, false);
  for (const n of full) {
    if (n.k === 'table') {
      tableOffset(n.table);
    } else if (!supported(n, roleOf)) return null;
    // (A tile load's index is not computed: its role says where the value is.)
    let lv = 0;
    let lanes = false;
    if (n.k === 'var') {
      lv = 1;
      lanes = n.name === innerVar;
    } else if (n.k === 'load' && roleOf(n)!.kind === 'tile') {
      lv = 1;
      lanes = true;
    } else {
      for (const c of children(n)) {
        lv = Math.max(lv, level.get(c.id) ?? 0);
        lanes ||= lanewise.get(c.id) ?? false;
      }
    }
    level.set(n.id, lv);
    lanewise.set(n.id, lanes);
  }
  const fast = schedule(expr, true);
  const rares = fast.filter((n) => n.k === 'sel' && n.rare);
  const outOffset = top;
  top += tileBytes;

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
  const local = new Map<string, number>();
  const key = (c: SExpr, u: number, pass: string) =>
    level.get(c.id) === 0 ? `${c.id}` : `${pass}:${c.id}:${u}`;
  const anyRare = rares.length > 0 ? f.local(V128) : -1;
  const emit = (n: SExpr, u: number, pass: 'fast' | 'full') => {
    const at = (c: SExpr) => f.get(local.get(key(c, u, pass))!);
    switch (n.k) {
      case 'const': {
        const v = Number(n.v);
        if (n.dt.name === 'float32') f.f32x4(v);
        else if (n.dt.isBool) f.i32x4(v ? -1 : 0);
        else f.i32x4(v | 0);
        break;
      }
      case 'var': {
        const d = Number(n.name.slice(1));
        if (rank === 1) f.get(START).get(j).op(OP.i32Add).simd(SIMD.i32x4Splat);
        else f.get(counters[d]).simd(SIMD.i32x4Splat);
        if (d === rank - 1) f.i32x4(4 * u, 4 * u + 1, 4 * u + 2, 4 * u + 3).simd(SIMD.i32x4Add);
        break;
      }
      case 'load': {
        const role = roleOf(n)!;
        if (role.kind === 'tile') f.get(addr).mem(SIMD.load, role.offset + 16 * u, true);
        else if (role.kind === 'small') f.i32(0).mem(OP.i32Load, role.offset).simd(SIMD.i32x4Splat);
        else {
          at(n.idx).simd(SIMD.i32x4ExtractLane).op(0).i32(2).op(OP.i32Shl);
          f.mem(OP.i32Load, role.offset).simd(SIMD.i32x4Splat);
        }
        break;
      }
      case 'table': {
        // A gather, lane by lane (only rare branches read tables).
        const offset = tableOffset(n.table);
        for (let lane = 0; lane < 4; lane++) {
          at(n.idx).simd(SIMD.i32x4ExtractLane).op(lane).i32(2).op(OP.i32Shl).mem(OP.i32Load, offset);
          if (lane === 0) f.simd(SIMD.i32x4Splat);
          else f.simd(SIMD.i32x4ReplaceLane).op(lane);
        }
        break;
      }
      case 'un': {
        const dt = n.x.dt;
        if (dt.name === 'float32') {
          if (n.op === 'erf_inv') erfinv32x4(f, local.get(key(n.x, u, pass))!);
          else at(n.x).simd(FLOAT_UN[n.op]);
        } else if (n.op === 'not') at(n.x).simd(SIMD.not);
        else if (n.op === 'neg') at(n.x).simd(SIMD.i32x4Neg);
        else if (dt.name === 'int32') at(n.x).simd(SIMD.i32x4Abs);
        else at(n.x); // abs of a uint32
        break;
      }
      case 'bin': {
        const dt = n.a.dt;
        const rot = byteRotation(n);
        if (rot !== null) {
          // A rotation by whole bytes is one byte shuffle.
          at(rot.x);
          at(rot.x);
          f.shuffle(Array.from({ length: 16 }, (_, b) => (b & ~3) + (((b & 3) - rot.bytes) & 3)));
          break;
        }
        at(n.a);
        if (n.op in SHIFTS) {
          f.i32(Number((n.b as { v: number }).v)).simd(SHIFTS[n.op]);
          break;
        }
        at(n.b);
        if (dt.name === 'float32') f.simd(FLOAT_BIN[n.op]);
        else if (dt.isBool && (n.op === 'max' || n.op === 'min')) f.simd(n.op === 'max' ? SIMD.or : SIMD.and);
        else if (n.op in INT_BIN) f.simd(INT_BIN[n.op]);
        // Bools as masks (-1 true, 0 false) order as unsigned; uint32 is unsigned.
        else f.simd((dt.name === 'int32' ? SIGNED_BIN : UNSIGNED_BIN)[n.op]);
        break;
      }
      case 'sel':
        if (n.rare && pass === 'fast') {
          // The common branch; note whether any lane needs the rare one.
          f.get(anyRare);
          at(n.c);
          f.simd(SIMD.or).set(anyRare);
          at(n.b);
          break;
        }
        at(n.a);
        at(n.b);
        at(n.c);
        f.simd(SIMD.bitselect);
        break;
      case 'cast': {
        const from = n.x.dt;
        const to = n.dt;
        at(n.x);
        if (to.isBool) {
          if (from.name === 'float32') f.f32x4(0).simd(SIMD.f32x4Ne);
          else if (!from.isBool) f.i32x4(0).simd(SIMD.i32x4Ne);
        } else if (from.isBool) {
          if (to.name === 'float32') f.f32x4(1).simd(SIMD.and);
          else f.i32x4(1).simd(SIMD.and);
        } else if (to.name === 'float32' && from.name !== 'float32') {
          f.simd(from.name === 'int32' ? SIMD.f32x4ConvertI32x4S : SIMD.f32x4ConvertI32x4U);
        } else if (from.name === 'float32' && to.name !== 'float32') {
          // Truncation, saturating at the range, NaN -> 0: rt.f2i's semantics.
          f.simd(to.name === 'int32' ? SIMD.i32x4TruncSatF32x4S : SIMD.i32x4TruncSatF32x4U);
        }
        break;
      }
      case 'bitcast':
        at(n.x);
        break;
    }
    const l = f.local(V128);
    f.set(l);
    local.set(key(n, u, pass), l);
  };

  /** One pass over the tile: the per-step nodes of `nodes` for `unroll` vectors, then stores. */
  const loop = (nodes: SExpr[], pass: 'fast' | 'full') => {
    f.i32(0).set(j).i32(0).set(addr);
    for (let d = 0; d < counters.length; d++) f.get(2 + d).set(counters[d]);
    f.op(OP.loop, 0x40);
    for (const n of nodes) if (level.get(n.id) === 1) for (let u = 0; u < unroll; u++) emit(n, u, pass);
    for (let u = 0; u < unroll; u++) {
      f.get(addr)
        .get(local.get(key(expr, u, pass))!)
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

  for (const n of fast) if (level.get(n.id) === 0) emit(n, 0, 'fast');
  if (rares.length > 0) f.i32x4(0).set(anyRare);
  loop(fast, 'fast');
  if (rares.length > 0) {
    // Some lane of the tile needs a rare branch: compute the tile again with both branches.
    f.get(anyRare).simd(SIMD.anyTrue).op(OP.if, 0x40);
    for (const n of full) if (level.get(n.id) === 0 && !local.has(key(n, 0, 'full'))) emit(n, 0, 'full');
    loop(full, 'full');
    f.op(OP.end);
  }

  const params = Array(nParams).fill(I32);
  const pages = Math.ceil(top / 65536);
  const bytes = moduleBytes(params, f, pages);
  return {
    source: wrapperSource(k, shape, bytes, pages, dtypeOf, small, tables, tiles, outOffset),
    bytes: bytes.length,
  };
}

/** Whether `e` reads a loop index other than through loads at the flat index `flat`. */
function usesIndices(e: SExpr, flat: SExpr): boolean {
  const seen = new Set<number>();
  const visit = (n: SExpr): boolean => {
    if (seen.has(n.id)) return false;
    seen.add(n.id);
    if (n.k === 'var') return true;
    if (n.k === 'load' && n.idx === flat) return false;
    return children(n).some(visit);
  };
  return visit(e);
}

/** `(x << 8b) | (x >>> (32 - 8b))` (either order): x and b, else null. */
function byteRotation(n: SExpr): { x: SExpr; bytes: number } | null {
  if (n.k !== 'bin' || n.op !== 'or' || !isInt(n.dt)) return null;
  const amount = (e: SExpr, op: string): [SExpr, number] | null =>
    e.k === 'bin' && e.op === op && e.b.k === 'const' ? [e.a, Number(e.b.v)] : null;
  for (const [l, r] of [
    [n.a, n.b],
    [n.b, n.a],
  ]) {
    const left = amount(l, 'shl');
    const right = amount(r, 'shr_logical');
    if (
      left &&
      right &&
      left[0] === right[0] &&
      left[1] + right[1] === 32 &&
      left[1] % 8 === 0 &&
      left[1] > 0
    ) {
      return { x: left[0], bytes: left[1] / 8 };
    }
  }
  return null;
}

/**
 * Integer sums regrouped so that loop-invariant terms add up before the loop:
 * `(x + a) + b` with a and b invariant becomes `x + (a + b)` (wrapping addition is associative).
 * threefry's key injections, `x + ks + round`, then cost one addition per step, not two.
 */
function regroup(e: SExpr): SExpr {
  const variant = new Map<number, boolean>();
  const isVariant = (x: SExpr): boolean => {
    let v = variant.get(x.id);
    if (v === undefined) {
      if (x.k === 'var') v = true;
      else if (x.k === 'load') v = x.idx.k !== 'const';
      else v = children(x).some(isVariant);
      variant.set(x.id, v);
    }
    return v;
  };
  const memo = new Map<number, SExpr>();
  const f = (x: SExpr): SExpr | undefined => {
    if (x.k !== 'bin' || x.op !== 'add' || !isInt(x.dt)) return undefined;
    let a = rewrite(x.a, f, memo);
    let b = rewrite(x.b, f, memo);
    if (!isVariant(b) && isVariant(a)) {
      // fine as is
    } else if (!isVariant(a) && isVariant(b)) [a, b] = [b, a];
    else return bin('add', a, b, x.dt);
    if (a.k === 'bin' && a.op === 'add' && a.dt === x.dt) {
      if (!isVariant(a.b)) return bin('add', a.a, bin('add', a.b, b, x.dt), x.dt);
      if (!isVariant(a.a)) return bin('add', a.b, bin('add', a.a, b, x.dt), x.dt);
    }
    return bin('add', a, b, x.dt);
  };
  return rewrite(e, f, memo);
}

/** The JavaScript around the module: tiles in, the call, the tile out. */
function wrapperSource(
  k: MapKernel,
  shape: readonly number[],
  bytes: Uint8Array,
  pages: number,
  dtypeOf: (b: number) => DType,
  small: Map<number, number>,
  tables: Map<string, { offset: number; table: Table }>,
  tiles: Map<number, number>,
  outOffset: number,
): string {
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
