/**
 * @file The expression half of the WebAssembly SIMD kernels (simd.ts: map kernels, simd-reduce.ts:
 * reductions): which kernel-IR nodes have an exact SIMD form, where each load reads from, and the
 * code of each node for four lanes.
 *
 * "Exact" is the rule: the SIMD code computes the very bits that the JavaScript kernels compute
 * (js-ops.ts), so a kernel gives the same result whichever way it runs: 32-bit integer
 * arithmetic, bitwise ops and shifts by constant amounts, comparisons and selects on lane masks,
 * float32 arithmetic, min/max, sqrt and rounding (each rounded once to float32, as Math.fround
 * does), the casts between them (float -> int as i32x4.trunc_sat, which is rt.f2i), bitcasts,
 * gathers from constant tables, float32 erf_inv (erfinv.ts) and so everything the libm
 * (compile/libm) expands to.
 *
 * A WebAssembly function reads and writes only its own memory, so the kernels copy their inputs in
 * by tiles (Memory plans the offsets): loads at the kernel's flat index read the current tile;
 * small inputs read at a constant or lane-invariant index (keys, scalars, clamped gathers, one
 * value per row) are copied in whole; tables too. Nodes are computed once per call when they do
 * not change from step to step (level 0), else in the loop, for `unroll` vectors at a time
 * (interleaved: independent work for the core's other ports). A rare select's rare branch is left
 * out of the first pass over a tile (`fast`) and computed in a second pass (`full`) only where some
 * lane of the tile needed it: no branches inside the loop, where V8's code for SIMD loops with
 * control flow ran twice as slow.
 */

import type { LoadExpr, SExpr, Table } from '../../../compile/kir.js';
import { bin, children, rewrite } from '../../../compile/kir.js';
import type { DType } from '../../../core/dtype.js';
import { constShift } from '../js-ops.js';
import { strideOf } from '../layout.js';
import { type FuncWriter, OP, SIMD, V128 } from './encode.js';
import { erfinv32x4 } from './erfinv.js';

/** Inputs read at a constant or lane-invariant index are copied in whole: up to this many elements. */
const SMALL_MAX = 16384;

const WORD_TYPES = new Set(['int32', 'uint32', 'float32']);
export const CTOR: Record<string, string> = {
  int32: 'Int32Array',
  uint32: 'Uint32Array',
  float32: 'Float32Array',
};

/**
 * Where a load reads: a tile of a contiguous input; a small input (copied whole) at a constant
 * element; at an element the same in all four lanes (a clamped gather index, a per-row value); or
 * at four consecutive elements (a row broadcast along the output's rows).
 */
export type Role =
  | { kind: 'tile'; offset: number }
  | { kind: 'small'; offset: number }
  | { kind: 'small-at'; offset: number }
  | { kind: 'small-run'; offset: number };

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

export const isWord = (dt: DType): boolean => WORD_TYPES.has(dt.name);
export const isInt = (dt: DType): boolean => dt.name === 'int32' || dt.name === 'uint32';

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

/**
 * The nodes `root` needs, children first; `fast` leaves out the rare branches of rare selects.
 */
function schedule(root: SExpr, fast: boolean, flat: SExpr): SExpr[] {
  const seen = new Set<number>();
  const out: SExpr[] = [];
  const visit = (n: SExpr): void => {
    if (seen.has(n.id)) return;
    seen.add(n.id);
    // (A tile load's index is not computed: the kernel walks the tile.)
    if (!(n.k === 'load' && n.idx === flat)) {
      for (const c of children(n))
        if (!(fast && n.k === 'sel' && n.rare && c === n.a && c !== n.b && c !== n.c)) visit(c);
    }
    out.push(n);
  };
  visit(root);
  return out;
}

/** The memory of a kernel: byte offsets handed out in order, 16-byte aligned. */
export class Memory {
  top = 0;
  alloc(bytes: number): number {
    const at = this.top;
    this.top += Math.ceil(bytes / 16) * 16;
    return at;
  }
}

/** How a kernel's loop runs over its variables. */
export interface Layout {
  /** The index of loads that read the current tile (each such buffer gets a tile of its own). */
  flat: SExpr;
  /** Variables that change from step to step (the others are fixed for a call). */
  stepVars: ReadonlySet<string>;
  /** The variable whose value differs between the four lanes of a vector. */
  laneVar: string;
  /** Bytes of each tile. */
  tileBytes: number;
}

/** How the kernel produces its loop variables, the loads of its tiles and its scratch address. */
export interface Hooks {
  /** Push the i32x4 of variable `name` at unrolled vector `u`. */
  variable(f: FuncWriter, name: string, u: number): void;
  /** Push the v128 load of buffer `buf`'s current elements for unrolled vector `u`. */
  tile(f: FuncWriter, buf: number, u: number): void;
  /** Push the byte address of the thread's scratch region (offsets here are relative to it). */
  scratch(f: FuncWriter): void;
}

export type Pass = 'fast' | 'full';

/** One expression's SIMD code: analysis at construction, then `emit` node by node. */
export class ExprCompiler {
  readonly small = new Map<number, number>();
  readonly tables = new Map<string, { offset: number; table: Table }>();
  readonly tiles = new Map<number, number>();
  /** Whether every node has an exact SIMD form. */
  readonly ok: boolean;
  /** The nodes of each pass, children first. */
  readonly fast: SExpr[];
  readonly full: SExpr[];
  readonly rares: SExpr[];
  private readonly roles = new Map<number, Role | null>();
  private readonly levels = new Map<number, number>();
  /** Nodes whose value may differ between the four lanes of a vector. */
  private readonly lanewise = new Map<number, boolean>();
  private readonly local = new Map<string, number>();
  /** A v128 mask: some lane of the tile needs a rare branch (-1 where the kernel has none). */
  anyRare = -1;

  constructor(
    readonly root: SExpr,
    readonly layout: Layout,
    readonly dtypeOf: (b: number) => DType,
    readonly sizeOf: (b: number) => number,
    readonly mem: Memory,
  ) {
    this.full = schedule(root, false, layout.flat);
    this.fast = schedule(root, true, layout.flat);
    this.rares = this.fast.filter((n) => n.k === 'sel' && n.rare);
    this.ok = this.analyze();
  }

  level(n: SExpr): number {
    return this.levels.get(n.id) ?? 0;
  }

  private analyze(): boolean {
    for (const n of this.full) {
      if (n.k === 'table') this.tableOffset(n.table);
      else if (!supported(n, (l) => this.roleOf(l))) return false;
      // (A tile load's index is not computed: its role says where the value is.)
      let lv = 0;
      let lanes = false;
      if (n.k === 'var') {
        lv = this.layout.stepVars.has(n.name) ? 1 : 0;
        lanes = n.name === this.layout.laneVar;
      } else if (n.k === 'load' && this.roleOf(n)!.kind === 'tile') {
        lv = 1;
        lanes = true;
      } else {
        for (const c of children(n)) {
          lv = Math.max(lv, this.levels.get(c.id) ?? 0);
          lanes ||= this.lanewise.get(c.id) ?? false;
        }
      }
      this.levels.set(n.id, lv);
      this.lanewise.set(n.id, lanes);
    }
    return true;
  }

  private roleOf(l: LoadExpr): Role | null {
    if (this.roles.has(l.id)) return this.roles.get(l.id)!;
    let role: Role | null = null;
    if (this.dtypeOf(l.buf) === l.dt) {
      const size = this.sizeOf(l.buf);
      if (l.idx === this.layout.flat) {
        if (!this.tiles.has(l.buf)) this.tiles.set(l.buf, this.mem.alloc(this.layout.tileBytes));
        role = { kind: 'tile', offset: this.tiles.get(l.buf)! };
      } else if (size <= SMALL_MAX) {
        const place = () => {
          if (!this.small.has(l.buf)) this.small.set(l.buf, this.mem.alloc(size * 4));
          return this.small.get(l.buf)!;
        };
        if (l.idx.k === 'const') {
          const i = Number(l.idx.v);
          if (i >= 0 && i < size) role = { kind: 'small', offset: place() + 4 * i };
        } else if (!this.lanewise.get(l.idx.id)) {
          // The same element in all four lanes (a loop-invariant or per-row index); the lowering
          // clamps gather indices into range, as JAX does.
          role = { kind: 'small-at', offset: place() };
        } else if (strideOf(l.idx, this.layout.laneVar) === 1) {
          // Four consecutive elements (a broadcast along the rows): one load from lane 0's index.
          role = { kind: 'small-run', offset: place() };
        }
      }
    }
    this.roles.set(l.id, role);
    return role;
  }

  private tableOffset(t: Table): number {
    let at = this.tables.get(t.name);
    if (!at) {
      at = { offset: this.mem.alloc(t.values.length * 4), table: t };
      this.tables.set(t.name, at);
    }
    return at.offset;
  }

  private key(c: SExpr, u: number, pass: Pass): string {
    return this.level(c) === 0 ? `${c.id}` : `${pass}:${c.id}:${u}`;
  }

  /** The local holding `n`'s value for vector `u` of `pass` (emitted before). */
  value(n: SExpr, u: number, pass: Pass): number {
    return this.local.get(this.key(n, u, pass))!;
  }

  has(n: SExpr, u: number, pass: Pass): boolean {
    return this.local.has(this.key(n, u, pass));
  }

  /** Emit `n` (its inputs emitted) into a new local. */
  emit(f: FuncWriter, n: SExpr, u: number, pass: Pass, hooks: Hooks): void {
    const at = (c: SExpr) => f.get(this.value(c, u, pass));
    switch (n.k) {
      case 'const': {
        const v = Number(n.v);
        if (n.dt.name === 'float32') f.f32x4(v);
        else if (n.dt.isBool) f.i32x4(v ? -1 : 0);
        else f.i32x4(v | 0);
        break;
      }
      case 'var':
        hooks.variable(f, n.name, u);
        break;
      case 'load': {
        const role = this.roleOf(n)!;
        if (role.kind === 'tile') hooks.tile(f, n.buf, u);
        else if (role.kind === 'small') {
          hooks.scratch(f);
          f.mem(OP.i32Load, role.offset).simd(SIMD.i32x4Splat);
        } else {
          at(n.idx).simd(SIMD.i32x4ExtractLane).op(0).i32(2).op(OP.i32Shl);
          hooks.scratch(f);
          f.op(OP.i32Add);
          if (role.kind === 'small-run') f.mem(SIMD.load, role.offset, true);
          else f.mem(OP.i32Load, role.offset).simd(SIMD.i32x4Splat);
        }
        break;
      }
      case 'table': {
        // A gather, lane by lane (only rare branches read tables).
        const offset = this.tableOffset(n.table);
        for (let lane = 0; lane < 4; lane++) {
          at(n.idx).simd(SIMD.i32x4ExtractLane).op(lane).i32(2).op(OP.i32Shl);
          hooks.scratch(f);
          f.op(OP.i32Add).mem(OP.i32Load, offset);
          if (lane === 0) f.simd(SIMD.i32x4Splat);
          else f.simd(SIMD.i32x4ReplaceLane).op(lane);
        }
        break;
      }
      case 'un': {
        const dt = n.x.dt;
        if (dt.name === 'float32') {
          if (n.op === 'erf_inv') erfinv32x4(f, this.value(n.x, u, pass));
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
          f.get(this.anyRare);
          at(n.c);
          f.simd(SIMD.or).set(this.anyRare);
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
    this.local.set(this.key(n, u, pass), l);
  }

  /** The loop-invariant nodes of `pass` not emitted yet, emitted (before the pass's loop). */
  emitInvariants(f: FuncWriter, pass: Pass, hooks: Hooks): void {
    for (const n of pass === 'fast' ? this.fast : this.full) {
      if (this.level(n) === 0 && !this.has(n, 0, pass)) this.emit(f, n, 0, pass, hooks);
    }
  }

  /** The per-step nodes of `pass`, for `unroll` vectors. */
  emitStep(f: FuncWriter, pass: Pass, unroll: number, hooks: Hooks): void {
    this.emitStepAt(
      f,
      pass,
      Array.from({ length: unroll }, (_, u) => u),
      hooks,
    );
  }

  /** The per-step nodes of `pass`, for the vectors numbered `us` (hooks map them to lanes). */
  emitStepAt(f: FuncWriter, pass: Pass, us: readonly number[], hooks: Hooks): void {
    for (const n of pass === 'fast' ? this.fast : this.full) {
      if (this.level(n) === 1) for (const u of us) this.emit(f, n, u, pass, hooks);
    }
  }

  /**
   * JavaScript that copies the small inputs and tables into the scratch region at byte address
   * `SB` (`view(b)` names a view of the whole memory of buffer b's type).
   */
  copyIn(view: (b: number) => string): string[] {
    return [
      ...[...this.small].map(([b, off]) => `${view(b)}.set(b${b}, (SB + ${off}) >> 2);`),
      ...[...this.tables.values()].map(
        ({ offset, table }) => `vInt32Array.set(T_${table.name}, (SB + ${offset}) >> 2);`,
      ),
    ];
  }

  /** JavaScript that declares the tables (in the wrapper's closure). */
  tableDecls(): string[] {
    return [...this.tables.values()].map(
      ({ table }) => `const T_${table.name} = new Int32Array([${table.values.join(',')}]);`,
    );
  }
}

/** Whether `e` reads a loop index other than through loads at the flat index `flat`. */
export function usesIndices(e: SExpr, flat: SExpr): boolean {
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
export function regroup(e: SExpr): SExpr {
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
