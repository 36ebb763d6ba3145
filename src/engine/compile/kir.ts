/**
 * @file The kernel IR: a small, backend-neutral scalar expression language plus a handful of
 * kernel shapes (map, reduce, argreduce, scan, library). Every backend renders this IR: the CPU
 * backend to JavaScript (and later WebAssembly), the WebGPU backend to WGSL. Shape follows
 * tinygrad: the frontend lowers everything to one IR; a device is a renderer of it.
 *
 * Expressions are hash-consed: building the same node twice returns the same object, so common
 * subexpressions are shared and a renderer emits each one once.
 *
 * Index arithmetic is ordinary int32 arithmetic in the same IR; loop variables are `var` nodes
 * (`i0..` for output dimensions, `r0..` for reduced dimensions). Expressions may have complex
 * dtypes while a program is lowered (the part ops `real`, `imag`, `conj`, `complex` exist for
 * them); compile/complex.ts rewrites them into float pairs before a backend renders anything.
 * Scalar procedures (proc.ts) put these expressions in statements with control flow, over
 * `local` variables.
 */
import { bool, type DType, int32 } from '../core/dtype.js';
import type { Value } from '../core/trace.js';

export type UnOp =
  | 'neg'
  | 'sign'
  | 'floor'
  | 'ceil'
  | 'round_away'
  | 'round_even'
  | 'abs'
  | 'exp'
  | 'exp2'
  | 'log'
  | 'log1p'
  | 'expm1'
  | 'sqrt'
  | 'rsqrt'
  | 'cbrt'
  | 'sin'
  | 'cos'
  | 'tan'
  | 'asin'
  | 'acos'
  | 'atan'
  | 'sinh'
  | 'cosh'
  | 'tanh'
  | 'asinh'
  | 'acosh'
  | 'atanh'
  | 'logistic'
  | 'erf'
  | 'erfc'
  | 'erf_inv'
  | 'lgamma'
  | 'digamma'
  | 'is_finite'
  | 'not'
  | 'population_count'
  | 'clz'
  // Complex parts (compile/complex.ts rewrites them away before any backend sees them).
  | 'real'
  | 'imag'
  | 'conj';

export type BinOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'rem'
  | 'pow'
  | 'max'
  | 'min'
  | 'atan2'
  | 'nextafter'
  | 'polygamma'
  | 'igamma'
  | 'igammac'
  | 'igamma_grad_a'
  | 'random_gamma_grad'
  | 'and'
  | 'or'
  | 'xor'
  | 'shl'
  | 'shr_logical'
  | 'shr_arith'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  // complex(re, im) (compile/complex.ts rewrites it away before any backend sees it).
  | 'complex';

/** Ternary scalar functions (the operands share the result's dtype). */
export type TerOp = 'betainc';

export const COMPARISONS: ReadonlySet<BinOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

interface Base {
  readonly id: number;
  readonly dt: DType;
}
export interface ConstExpr extends Base {
  readonly k: 'const';
  readonly v: number | bigint;
}
export interface VarExpr extends Base {
  readonly k: 'var';
  readonly name: string;
}
export interface LoadExpr extends Base {
  readonly k: 'load';
  readonly buf: number;
  readonly idx: SExpr;
}
export interface UnExpr extends Base {
  readonly k: 'un';
  readonly op: UnOp;
  readonly x: SExpr;
}
export interface BinExpr extends Base {
  readonly k: 'bin';
  readonly op: BinOp;
  readonly a: SExpr;
  readonly b: SExpr;
}
export interface TerExpr extends Base {
  readonly k: 'ter';
  readonly op: TerOp;
  readonly a: SExpr;
  readonly b: SExpr;
  readonly c: SExpr;
}
export interface SelExpr extends Base {
  readonly k: 'sel';
  readonly c: SExpr;
  readonly a: SExpr;
  readonly b: SExpr;
  /**
   * `c` is rarely true (`rare()`): a renderer may compute `a` only where it is needed (a branch in
   * JavaScript, a second pass over the tiles that need it in WebAssembly SIMD). The value is the
   * same either way.
   */
  readonly rare?: true;
}
/** A read of a constant int32 table (compile/libm: the bits of 2/pi) at an int32 index in range. */
export interface TableExpr extends Base {
  readonly k: 'table';
  readonly table: Table;
  readonly idx: SExpr;
}
export interface Table {
  /** A name unique among tables (renderers declare each table once, by name). */
  readonly name: string;
  readonly values: Int32Array;
}
export interface CastExpr extends Base {
  readonly k: 'cast';
  readonly x: SExpr;
}
export interface BitcastExpr extends Base {
  readonly k: 'bitcast';
  readonly x: SExpr;
}
/** The accumulated value of the enclosing reduce kernel, for its fused epilogue. */
export interface AccExpr extends Base {
  readonly k: 'acc';
}

export type SExpr =
  | ConstExpr
  | VarExpr
  | LoadExpr
  | UnExpr
  | BinExpr
  | TerExpr
  | SelExpr
  | CastExpr
  | BitcastExpr
  | TableExpr
  | AccExpr;

// ---- hash-consing -------------------------------------------------------------------------------

const table = new Map<string, SExpr>();
let nextId = 0;

function intern<T extends SExpr>(key: string, make: (id: number) => T): T {
  let e = table.get(key);
  if (!e) {
    e = make(nextId++);
    table.set(key, e);
    // The table only speeds up sharing; drop it when it grows large (ids stay unique).
    if (table.size > 200_000) table.clear();
  }
  return e as T;
}

export function constant(v: number | bigint | boolean, dt: DType): ConstExpr {
  let val: number | bigint = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  if (dt.isBig) val = BigInt(val);
  else val = Number(val);
  const repr = typeof val === 'number' && Object.is(val, -0) ? '-0' : String(val);
  return intern(`c:${dt.name}:${repr}`, (id) => ({ k: 'const', id, dt, v: val }));
}

export function iconst(n: number): ConstExpr {
  return constant(n, int32);
}

export function variable(name: string): VarExpr {
  return intern(`v:${name}`, (id) => ({ k: 'var', id, dt: int32, name }));
}

/**
 * A local variable of a scalar procedure (compile/proc.ts): a `var` node of any dtype, never a loop
 * index of a kernel.
 */
export function local(name: string, dt: DType): VarExpr {
  return intern(`lv:${name}:${dt.name}`, (id) => ({ k: 'var', id, dt, name }));
}

export function load(buf: number, idx: SExpr, dt: DType): LoadExpr {
  return intern(`l:${buf}:${idx.id}:${dt.name}`, (id) => ({ k: 'load', id, dt, buf, idx }));
}

export function un(op: UnOp, x: SExpr, dt: DType = op === 'is_finite' ? bool : x.dt): UnExpr {
  return intern(`u:${op}:${x.id}:${dt.name}`, (id) => ({ k: 'un', id, dt, op, x }));
}

export function bin(op: BinOp, a: SExpr, b: SExpr, dt?: DType): SExpr {
  const outDt = dt ?? (COMPARISONS.has(op) ? bool : a.dt);
  // Fold int32 index arithmetic, which the structural lowerings generate a lot of.
  if (outDt === int32 && a.dt === int32 && b.dt === int32) {
    const folded = foldInt(op, a, b);
    if (folded) return folded;
  }
  return intern(`b:${op}:${a.id}:${b.id}:${outDt.name}`, (id) => ({ k: 'bin', id, dt: outDt, op, a, b }));
}

function isC(e: SExpr, v?: number): e is ConstExpr {
  return e.k === 'const' && (v === undefined || e.v === v);
}

function foldInt(op: BinOp, a: SExpr, b: SExpr): SExpr | null {
  if (isC(a) && isC(b)) {
    const x = a.v as number;
    const y = b.v as number;
    switch (op) {
      case 'add':
        return iconst((x + y) | 0);
      case 'sub':
        return iconst((x - y) | 0);
      case 'mul':
        return iconst(Math.imul(x, y));
      case 'div':
        if (y !== 0) return iconst(Math.trunc(x / y));
        break;
      case 'rem':
        if (y !== 0) return iconst(x % y);
        break;
      case 'max':
        return iconst(Math.max(x, y));
      case 'min':
        return iconst(Math.min(x, y));
    }
    return null;
  }
  if (op === 'mul' && (isC(a, 0) || isC(b, 0))) return iconst(0);
  if (op === 'rem' && isC(b, 1)) return iconst(0);
  const unit = UNIT[op];
  if (unit === undefined) return null;
  if ((op === 'add' || op === 'mul') && isC(a, unit)) return b;
  return isC(b, unit) ? a : null;
}

/** The right identity of an integer op (x op unit = x); add's and mul's are also left ones. */
const UNIT: Partial<Record<BinOp, number>> = { add: 0, sub: 0, mul: 1, div: 1 };

export function ter(op: TerOp, a: SExpr, b: SExpr, c: SExpr, dt: DType = a.dt): TerExpr {
  return intern(`t:${op}:${a.id}:${b.id}:${c.id}:${dt.name}`, (id) => ({ k: 'ter', id, dt, op, a, b, c }));
}

export function sel(c: SExpr, a: SExpr, b: SExpr): SExpr {
  if (c.k === 'const') return c.v ? a : b;
  if (a === b) return a;
  return intern(`s:${c.id}:${a.id}:${b.id}`, (id) => ({ k: 'sel', id, dt: a.dt, c, a, b }));
}

/** `c ? a : b` where `c` is rarely true: see SelExpr.rare. */
export function rare(c: SExpr, a: SExpr, b: SExpr): SExpr {
  if (c.k === 'const') return c.v ? a : b;
  if (a === b) return a;
  return intern(`sr:${c.id}:${a.id}:${b.id}`, (id) => ({ k: 'sel', id, dt: a.dt, c, a, b, rare: true }));
}

export function tableAt(table: Table, idx: SExpr): TableExpr {
  return intern(`tb:${table.name}:${idx.id}`, (id) => ({ k: 'table', id, dt: int32, table, idx }));
}

export function cast(x: SExpr, dt: DType): SExpr {
  if (x.dt === dt) return x;
  return intern(`x:${x.id}:${dt.name}`, (id) => ({ k: 'cast', id, dt, x }));
}

export function bitcast(x: SExpr, dt: DType): SExpr {
  if (x.dt === dt) return x;
  return intern(`bc:${x.id}:${dt.name}`, (id) => ({ k: 'bitcast', id, dt, x }));
}

export function acc(dt: DType): AccExpr {
  return intern(`a:${dt.name}`, (id) => ({ k: 'acc', id, dt }));
}

/** Row-major flat index of a multi-index against strides. */
export function linearIndex(idx: readonly SExpr[], strides: readonly number[]): SExpr {
  let flat: SExpr = iconst(0);
  for (let d = 0; d < idx.length; d++) flat = bin('add', flat, bin('mul', idx[d], iconst(strides[d])));
  return flat;
}

/** Loop variables for a kernel of the given rank. */
export function loopVars(prefix: string, rank: number): VarExpr[] {
  return Array.from({ length: rank }, (_, i) => variable(`${prefix}${i}`));
}

/** Replace sub-expressions by a mapping function applied bottom-up (returns new interned nodes). */
export function rewrite(
  e: SExpr,
  f: (e: SExpr) => SExpr | undefined,
  memo = new Map<number, SExpr>(),
): SExpr {
  const hit = memo.get(e.id);
  if (hit) return hit;
  const direct = f(e);
  let out: SExpr;
  if (direct) out = direct;
  else {
    switch (e.k) {
      case 'const':
      case 'var':
      case 'acc':
        out = e;
        break;
      case 'load':
        out = load(e.buf, rewrite(e.idx, f, memo), e.dt);
        break;
      case 'un':
        out = un(e.op, rewrite(e.x, f, memo), e.dt);
        break;
      case 'bin':
        out = bin(e.op, rewrite(e.a, f, memo), rewrite(e.b, f, memo), e.dt);
        break;
      case 'ter':
        out = ter(e.op, rewrite(e.a, f, memo), rewrite(e.b, f, memo), rewrite(e.c, f, memo), e.dt);
        break;
      case 'sel':
        out = (e.rare ? rare : sel)(rewrite(e.c, f, memo), rewrite(e.a, f, memo), rewrite(e.b, f, memo));
        break;
      case 'table':
        out = tableAt(e.table, rewrite(e.idx, f, memo));
        break;
      case 'cast':
        out = cast(rewrite(e.x, f, memo), e.dt);
        break;
      case 'bitcast':
        out = bitcast(rewrite(e.x, f, memo), e.dt);
        break;
    }
  }
  memo.set(e.id, out);
  return out;
}

/** A node's operands, in the order `walk` visits them. */
export function children(e: SExpr): SExpr[] {
  switch (e.k) {
    case 'load':
    case 'table':
      return [e.idx];
    case 'un':
    case 'cast':
    case 'bitcast':
      return [e.x];
    case 'bin':
      return [e.a, e.b];
    case 'ter':
      return [e.a, e.b, e.c];
    case 'sel':
      return [e.c, e.a, e.b];
    default:
      return [];
  }
}

/** Visit every distinct node once, children before parents. */
export function walk(e: SExpr, visit: (e: SExpr) => void, seen = new Set<number>()): void {
  if (seen.has(e.id)) return;
  seen.add(e.id);
  switch (e.k) {
    case 'load':
    case 'table':
      walk(e.idx, visit, seen);
      break;
    case 'un':
    case 'cast':
    case 'bitcast':
      walk(e.x, visit, seen);
      break;
    case 'bin':
      walk(e.a, visit, seen);
      walk(e.b, visit, seen);
      break;
    case 'ter':
      walk(e.a, visit, seen);
      walk(e.b, visit, seen);
      walk(e.c, visit, seen);
      break;
    case 'sel':
      walk(e.c, visit, seen);
      walk(e.a, visit, seen);
      walk(e.b, visit, seen);
      break;
  }
  visit(e);
}

/** Buffers an expression reads. */
export function buffersRead(e: SExpr): Set<number> {
  const s = new Set<number>();
  walk(e, (n) => {
    if (n.k === 'load') s.add(n.buf);
  });
  return s;
}

// ---- kernels ------------------------------------------------------------------------------------

export type ReduceOp = 'add' | 'mul' | 'max' | 'min' | 'and' | 'or';

/** out[i0..] = expr(i0..) over the output shape. */
export interface MapKernel {
  kind: 'map';
  out: number;
  shape: number[];
  expr: SExpr;
}

/** out[i0..] = epilogue(reduce_op over r0.. of body(i0.., r0..)). */
export interface ReduceKernel {
  kind: 'reduce';
  out: number;
  outShape: number[];
  redShape: number[];
  op: ReduceOp;
  body: SExpr;
  /** Expression of `acc` (and loads indexed by i0..) giving the stored value; default: acc. */
  epilogue: SExpr | null;
  /**
   * A float `add` rounds its accumulator to the body's dtype after every step, as XLA:CPU
   * accumulates a float32 dot; otherwise it is carried in float64 and rounded once (sum, mean).
   */
  roundEach?: boolean;
}

/** Index of the max/min of body over one reduced dimension r0 (first occurrence; NaN wins). */
export interface ArgReduceKernel {
  kind: 'argreduce';
  out: number;
  outShape: number[];
  redSize: number;
  op: 'argmax' | 'argmin';
  body: SExpr;
}

/** Cumulative op along `axis` of the shape; body indexed by i0.. (full shape). */
export interface ScanKernel {
  kind: 'scan';
  out: number;
  shape: number[];
  axis: number;
  reverse: boolean;
  op: 'add' | 'mul' | 'max' | 'min';
  body: SExpr;
}

/** A kernel the backend implements by hand (sort, scatter, top_k, ...). */
export interface LibKernel {
  kind: 'lib';
  op: string;
  ins: number[];
  outs: number[];
  params: Record<string, unknown>;
}

/**
 * Structured control flow (compile/control.ts): the bodies are nested kernel programs with their
 * own buffers, which the backend runs from a host loop; the outer program sees one kernel.
 * `cond` runs branch `index` (an int32 scalar buffer, clamped) on `ins`, writing `outs`.
 */
export interface CondKernel {
  kind: 'cond';
  index: number;
  branches: KernelProgram[];
  ins: number[];
  outs: number[];
}

/** `while`: carry = init; while cond(condConsts, carry)[0]: carry = body(bodyConsts, carry). */
export interface WhileKernel {
  kind: 'while';
  cond: KernelProgram;
  body: KernelProgram;
  condConsts: number[];
  bodyConsts: number[];
  init: number[];
  outs: number[];
}

/**
 * `loop` (lax.scan): `length` iterations of body(consts, carry, x[i]) -> (carry, y[i]); x[i] is the
 * i-th leading slice of each xs buffer, y[i] is written at the i-th slice of each ys buffer.
 */
export interface LoopKernel {
  kind: 'loop';
  body: KernelProgram;
  length: number;
  reverse: boolean;
  consts: number[];
  init: number[];
  xs: number[];
  /** Final carry buffers. */
  outs: number[];
  /** Stacked per-iteration outputs. */
  ys: number[];
}

export type ControlKernel = CondKernel | WhileKernel | LoopKernel;

export type Kernel = MapKernel | ReduceKernel | ArgReduceKernel | ScanKernel | LibKernel | ControlKernel;

/** Functions by kernel kind, each taking its own kind of kernel (a backend's renderers). */
export type KernelTable<A extends unknown[], R> = {
  [K in Kernel['kind']]?: (k: Extract<Kernel, { kind: K }>, ...args: A) => R;
};

/** Calls `table`'s function for k's kind; undefined where the table has none. */
export function byKind<A extends unknown[], R>(
  table: KernelTable<A, R>,
  k: Kernel,
  ...args: A
): R | undefined {
  const f = table[k.kind] as ((k: Kernel, ...args: A) => R) | undefined;
  return f?.(k, ...args);
}

export type BufferRole = 'input' | 'const' | 'temp' | 'output';

export interface BufferInfo {
  id: number;
  dtype: DType;
  size: number;
  role: BufferRole;
  /** For temps: the slot in the buffer plan they share with other temps (set by plan.ts). */
  slot?: number;
}

export interface KernelProgram {
  buffers: BufferInfo[];
  /** Buffer ids of the program inputs, in order (constants follow the user inputs). */
  inputs: number[];
  /** Buffer ids of the outputs (an output may be an input buffer, passed through). */
  outputs: number[];
  kernels: Kernel[];
  /**
   * The values of the last inputs: constants that nested calls keep in their closed jaxprs (a
   * jit's, as JAX's pjit keeps them), which the caller passes after the jaxpr's own constants.
   */
  embedded?: readonly Value[];
}

export function kernelOutputs(k: Kernel): number[] {
  switch (k.kind) {
    case 'lib':
    case 'cond':
    case 'while':
      return k.outs;
    case 'loop':
      return [...k.outs, ...k.ys];
    default:
      return [k.out];
  }
}

export function kernelInputs(k: Kernel): number[] {
  switch (k.kind) {
    case 'map':
      return [...buffersRead(k.expr)];
    case 'reduce': {
      const s = buffersRead(k.body);
      if (k.epilogue) for (const b of buffersRead(k.epilogue)) s.add(b);
      return [...s];
    }
    case 'argreduce':
    case 'scan':
      return [...buffersRead(k.body)];
    case 'lib':
      return k.ins;
    case 'cond':
      return [k.index, ...k.ins];
    case 'while':
      return [...k.condConsts, ...k.bodyConsts, ...k.init];
    case 'loop':
      return [...k.consts, ...k.init, ...k.xs];
  }
}
