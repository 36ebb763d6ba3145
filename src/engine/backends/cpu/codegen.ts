/**
 * @file Render kernel IR to JavaScript source. One kernel becomes one function
 * `(rt, b0, b1, ...) => void` over typed arrays. Loops follow the kernel's shape; every
 * expression node is emitted once (the IR is hash-consed) at the shallowest loop level where its
 * inputs are available, which hoists loop-invariant loads and arithmetic.
 *
 * Numeric semantics per dtype: float32 results are rounded with Math.fround after every op and
 * float16 with rt.f16r, so a fused kernel computes exactly what the same ops would eagerly;
 * integer results wrap to their width; int64/uint64 use BigInt; bools are 0/1.
 *
 * uint32 values are carried as their int32 bit patterns (`x | 0`: loads, constants and results
 * alike), which V8 keeps in integer registers where `>>> 0` values above 2^31 would be heap
 * doubles; the unsigned value (`x >>> 0`) is taken only where it matters: comparisons, max/min,
 * division, conversion to floats and BigInts. Stores need nothing (Uint32Array stores wrap).
 */

import type {
  ArgReduceKernel,
  BinExpr,
  Kernel,
  MapKernel,
  ReduceKernel,
  ScanKernel,
  SExpr,
  UnExpr,
} from '../../compile/kir.js';
import { walk } from '../../compile/kir.js';
import type { DType } from '../../core/dtype.js';

/** Wrap a JS number expression to the value set of a dtype. */
export function wrap(dt: DType, e: string): string {
  switch (dt.name) {
    case 'float32':
      return `Math.fround(${e})`;
    case 'float16':
      return `rt.f16r(${e})`;
    case 'float64':
      return e;
    case 'int32':
      return `((${e}) | 0)`;
    case 'uint32':
      // The bit pattern as int32: see the file comment.
      return `((${e}) | 0)`;
    case 'int16':
      return `(((${e}) << 16) >> 16)`;
    case 'uint16':
      return `((${e}) & 65535)`;
    case 'int8':
      return `(((${e}) << 24) >> 24)`;
    case 'uint8':
      return `((${e}) & 255)`;
    case 'bool':
      return `((${e}) ? 1 : 0)`;
    case 'int64':
      return `BigInt.asIntN(64, ${e})`;
    case 'uint64':
      return `BigInt.asUintN(64, ${e})`;
  }
}

function bits(dt: DType): number {
  return dt.itemsize * 8;
}

/** The unsigned value of a uint32 (carried as its int32 bit pattern); other dtypes as they are. */
function unsigned(dt: DType, x: string): string {
  return dt.name === 'uint32' ? `(${x} >>> 0)` : x;
}

function literal(v: number | bigint, dt: DType): string {
  if (typeof v === 'bigint' || dt.isBig) return `${BigInt(v)}n`;
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  if (dt.name === 'uint32') v |= 0;
  return v < 0 ? `(${v})` : String(v);
}

const FLOAT_UNARY: Partial<Record<string, (x: string) => string>> = {
  neg: (x) => `-${x}`,
  sign: (x) => `Math.sign(${x})`,
  floor: (x) => `Math.floor(${x})`,
  ceil: (x) => `Math.ceil(${x})`,
  round_away: (x) => `rt.roundAway(${x})`,
  round_even: (x) => `rt.rint(${x})`,
  abs: (x) => `Math.abs(${x})`,
  exp: (x) => `Math.exp(${x})`,
  exp2: (x) => `(2 ** ${x})`,
  log: (x) => `Math.log(${x})`,
  log1p: (x) => `Math.log1p(${x})`,
  expm1: (x) => `Math.expm1(${x})`,
  sqrt: (x) => `Math.sqrt(${x})`,
  rsqrt: (x) => `(1 / Math.sqrt(${x}))`,
  cbrt: (x) => `Math.cbrt(${x})`,
  sin: (x) => `Math.sin(${x})`,
  cos: (x) => `Math.cos(${x})`,
  tan: (x) => `Math.tan(${x})`,
  asin: (x) => `Math.asin(${x})`,
  acos: (x) => `Math.acos(${x})`,
  atan: (x) => `Math.atan(${x})`,
  sinh: (x) => `Math.sinh(${x})`,
  cosh: (x) => `Math.cosh(${x})`,
  tanh: (x) => `Math.tanh(${x})`,
  asinh: (x) => `Math.asinh(${x})`,
  acosh: (x) => `Math.acosh(${x})`,
  atanh: (x) => `Math.atanh(${x})`,
  logistic: (x) => `rt.logistic(${x})`,
  erf: (x) => `rt.erf(${x})`,
  erfc: (x) => `rt.erfc(${x})`,
  erf_inv: (x) => `rt.erfinv(${x})`,
  lgamma: (x) => `rt.lgamma(${x})`,
  digamma: (x) => `rt.digamma(${x})`,
};

function renderUnary(e: UnExpr, x: string): string {
  const dt = e.x.dt;
  if (e.op === 'is_finite') return `(Number.isFinite(${x}) ? 1 : 0)`;
  if (dt.isFloat) {
    // float32 (and float16, upcast) erf_inv is XLA's float32 polynomial; float64 is refined.
    if (e.op === 'erf_inv' && dt.name !== 'float64') {
      return dt.name === 'float32' ? `rt.erfinv32(${x})` : wrap(e.dt, `rt.erfinv32(${x})`);
    }
    const f = FLOAT_UNARY[e.op];
    if (!f) throw new Error(`unary ${e.op} is not defined on ${dt.name}`);
    return wrap(e.dt, f(x));
  }
  if (dt.isBig) {
    switch (e.op) {
      case 'neg':
        return wrap(dt, `-${x}`);
      case 'abs':
        return wrap(dt, `(${x} < 0n ? -${x} : ${x})`);
      case 'sign':
        return `(${x} > 0n ? 1n : ${x} < 0n ? -1n : 0n)`;
      case 'not':
        return wrap(dt, `~${x}`);
      case 'population_count':
        return wrap(dt, `rt.popcount64(${x})`);
      case 'clz':
        return wrap(dt, `rt.clz64(${x})`);
    }
    throw new Error(`unary ${e.op} is not defined on ${dt.name}`);
  }
  if (dt.isBool) {
    if (e.op === 'not') return `(${x} ? 0 : 1)`;
    throw new Error(`unary ${e.op} is not defined on bool`);
  }
  switch (e.op) {
    case 'neg':
      return wrap(dt, `-${x}`);
    case 'abs':
      return dt.kind === 'u' ? x : wrap(dt, `Math.abs(${x})`);
    case 'sign':
      return dt.kind === 'u' ? `(${x} !== 0 ? 1 : 0)` : `Math.sign(${x})`;
    case 'not':
      return wrap(dt, `~${x}`);
    case 'population_count':
      return `rt.popcount(${wrapUnsigned(dt, x)})`;
    case 'clz':
      return `(Math.clz32(${wrapUnsigned(dt, x)}) - ${32 - bits(dt)})`;
    case 'floor':
    case 'ceil':
    case 'round_away':
    case 'round_even':
      return x;
  }
  throw new Error(`unary ${e.op} is not defined on ${dt.name}`);
}

function wrapUnsigned(dt: DType, x: string): string {
  const b = bits(dt);
  return b === 32 ? `(${x} >>> 0)` : `(${x} & ${(1 << b) - 1})`;
}

/** The bits of an n-bit unsigned value read as signed. */
function signedOf(n: number, x: string): string {
  return n === 32 ? `(${x} | 0)` : `((${x} << ${32 - n}) >> ${32 - n})`;
}

const CMP: Record<string, string> = { eq: '===', ne: '!==', lt: '<', le: '<=', gt: '>', ge: '>=' };

function renderBinary(e: BinExpr, a: string, b: string): string {
  const dt = e.a.dt;
  const out = e.dt;
  if (e.op in CMP) {
    if (e.op === 'eq' || e.op === 'ne') return `(${a} ${CMP[e.op]} ${b} ? 1 : 0)`;
    return `(${unsigned(dt, a)} ${CMP[e.op]} ${unsigned(dt, b)} ? 1 : 0)`;
  }
  if (dt.isBig) {
    switch (e.op) {
      case 'add':
        return wrap(out, `${a} + ${b}`);
      case 'sub':
        return wrap(out, `${a} - ${b}`);
      case 'mul':
        return wrap(out, `${a} * ${b}`);
      case 'div':
        return wrap(out, `rt.bdiv(${a}, ${b})`);
      case 'rem':
        return wrap(out, `rt.brem(${a}, ${b})`);
      case 'max':
        return `(${a} > ${b} ? ${a} : ${b})`;
      case 'min':
        return `(${a} < ${b} ? ${a} : ${b})`;
      case 'and':
        return wrap(out, `${a} & ${b}`);
      case 'or':
        return wrap(out, `${a} | ${b}`);
      case 'xor':
        return wrap(out, `${a} ^ ${b}`);
      case 'shl':
        return `(${b} >= 64n || ${b} < 0n ? 0n : ${wrap(out, `${a} << ${b}`)})`;
      case 'shr_logical':
        return `(${b} >= 64n || ${b} < 0n ? 0n : ${wrap(out, `BigInt.asUintN(64, ${a}) >> ${b}`)})`;
      case 'shr_arith':
        // XLA shifts the bits as signed, also for uint64 (the sign bit fills in).
        return wrap(out, `BigInt.asIntN(64, ${a}) >> (${b} >= 64n || ${b} < 0n ? 63n : ${b})`);
      case 'pow':
        return wrap(out, `(${b} < 0n ? 0n : ${a} ** ${b})`);
    }
    throw new Error(`binary ${e.op} is not defined on ${dt.name}`);
  }
  if (dt.isFloat) {
    switch (e.op) {
      case 'add':
        return wrap(out, `${a} + ${b}`);
      case 'sub':
        return wrap(out, `${a} - ${b}`);
      case 'mul':
        return wrap(out, `${a} * ${b}`);
      case 'div':
        return wrap(out, `${a} / ${b}`);
      case 'rem':
        return wrap(out, `${a} % ${b}`);
      case 'pow':
        return wrap(out, `rt.pow(${a}, ${b})`);
      case 'max':
        return `Math.max(${a}, ${b})`;
      case 'min':
        return `Math.min(${a}, ${b})`;
      case 'atan2':
        return wrap(out, `Math.atan2(${a}, ${b})`);
      case 'polygamma':
        return wrap(out, `rt.polygamma(${a}, ${b})`);
      case 'igamma':
        return wrap(out, `rt.igamma(${a}, ${b})`);
      case 'igammac':
        return wrap(out, `rt.igammac(${a}, ${b})`);
      case 'igamma_grad_a':
        return wrap(out, `rt.igammaGradA(${a}, ${b})`);
      case 'random_gamma_grad':
        return wrap(out, `rt.randomGammaGrad(${a}, ${b})`);
      case 'nextafter': {
        const f =
          dt.name === 'float64' ? 'nextafter64' : dt.name === 'float16' ? 'nextafter16' : 'nextafter32';
        return `rt.${f}(${a}, ${b})`;
      }
    }
    throw new Error(`binary ${e.op} is not defined on ${dt.name}`);
  }
  // Integers and bools (as 0/1 numbers).
  const n = bits(dt);
  switch (e.op) {
    case 'add':
      return wrap(out, `${a} + ${b}`);
    case 'sub':
      return wrap(out, `${a} - ${b}`);
    case 'mul':
      return wrap(out, n === 32 ? `Math.imul(${a}, ${b})` : `${a} * ${b}`);
    case 'div':
      return wrap(out, `rt.idiv(${unsigned(dt, a)}, ${unsigned(dt, b)})`);
    case 'rem':
      return wrap(out, `rt.irem(${unsigned(dt, a)}, ${unsigned(dt, b)})`);
    case 'pow':
      // ipow multiplies with Math.imul, so only the exponent needs its unsigned value.
      return wrap(out, `rt.ipow(${a}, ${unsigned(dt, b)})`);
    case 'max':
      if (dt.name === 'uint32') return `(${unsigned(dt, a)} >= ${unsigned(dt, b)} ? ${a} : ${b})`;
      return `Math.max(${a}, ${b})`;
    case 'min':
      if (dt.name === 'uint32') return `(${unsigned(dt, a)} <= ${unsigned(dt, b)} ? ${a} : ${b})`;
      return `Math.min(${a}, ${b})`;
    case 'and':
      return wrap(out, `${a} & ${b}`);
    case 'or':
      return wrap(out, `${a} | ${b}`);
    case 'xor':
      return wrap(out, `${a} ^ ${b}`);
    case 'shl':
      // A constant in-range amount (threefry's rotations) needs no range check.
      if (constShift(e, n)) return wrap(out, `(${a} << ${b})`);
      return wrap(out, `rt.shl(${a}, ${b}, ${n})`);
    case 'shr_logical':
      if (constShift(e, n) && n === 32) return wrap(out, `(${a} >>> ${b})`);
      return wrap(out, `rt.shrl(${a}, ${b}, ${n})`);
    case 'shr_arith':
      // XLA shifts the bits as signed, also for unsigned types (the top bit fills in).
      return wrap(out, `rt.shra(${dt.kind === 'u' ? signedOf(n, a) : a}, ${b}, ${n})`);
  }
  throw new Error(`binary ${e.op} is not defined on ${dt.name}`);
}

/** A shift by a constant amount in [0, n): plain JavaScript (and WebAssembly) shifts are exact. */
export function constShift(e: BinExpr, n: number): boolean {
  return e.b.k === 'const' && typeof e.b.v === 'number' && e.b.v >= 0 && e.b.v < n;
}

const INT_RANGE: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

export function renderCast(from: DType, to: DType, x: string): string {
  if (to.isBool) return from.isBig ? `(${x} !== 0n ? 1 : 0)` : `(${x} !== 0 ? 1 : 0)`;
  if (to.isBig) {
    if (from.isBig) return wrap(to, x);
    if (from.isFloat) return `rt.f2big(${x}, ${to.name === 'int64'})`;
    return wrap(to, `BigInt(${unsigned(from, x)})`);
  }
  if (from.isBig)
    return wrap(
      to,
      `Number(${to.isFloat ? x : `BigInt.as${to.kind === 'u' ? 'Uint' : 'Int'}N(${bits(to)}, ${x})`})`,
    );
  if (to.isFloat) return wrap(to, unsigned(from, x));
  if (from.isFloat) {
    const [lo, hi] = INT_RANGE[to.name];
    return to.name === 'uint32' ? wrap(to, `rt.f2i(${x}, ${lo}, ${hi})`) : `rt.f2i(${x}, ${lo}, ${hi})`;
  }
  return wrap(to, x);
}

function renderBitcast(from: DType, to: DType, x: string): string {
  if (from.name === 'float32') return `rt.f32bits(${x})`;
  if (to.name === 'float32') return `rt.bitsf32(${x})`;
  if (from.name === 'float64')
    return to.name === 'uint64' ? `BigInt.asUintN(64, rt.f64bits(${x}))` : `rt.f64bits(${x})`;
  if (to.name === 'float64') return `rt.bitsf64(${x})`;
  if (from.name === 'float16') return wrap(to, `rt.f2h(${x})`);
  if (to.name === 'float16') return `rt.h2f(${x} & 65535)`;
  return wrap(to, x);
}

/** Loads: typed arrays give numbers; float16 is stored as bits. */
function renderLoad(dt: DType, buf: string, idx: string): string {
  if (dt.name === 'float16') return `rt.h2f(${buf}[${idx}])`;
  if (dt.isBig) return `(${buf}[${idx}] ?? 0n)`;
  if (dt.name === 'uint32') return `(${buf}[${idx}] | 0)`;
  return `${buf}[${idx}]`;
}

function renderStore(dt: DType, buf: string, idx: string, v: string): string {
  if (dt.name === 'float16') return `${buf}[${idx}] = rt.f2h(${v});`;
  return `${buf}[${idx}] = ${v};`;
}

/**
 * Emits expression nodes into loop levels. Level -1 is before all loops; level k is inside the
 * k-th loop (0-based, outermost first). `lines[k + 1]` holds the lines of level k.
 */
class Emitter {
  readonly names = new Map<number, string>();
  readonly levelOf = new Map<number, number>();
  readonly lines: string[][];
  private tmp = 0;
  constructor(
    private readonly varLevel: Map<string, number>,
    depth: number,
    private readonly prefix = 't',
    private readonly accName: string | null = null,
    private readonly accLevel = -1,
  ) {
    this.lines = Array.from({ length: depth + 1 }, () => []);
  }

  /** Emit `e` (and its inputs) at level >= minLevel; returns the JS expression naming its value. */
  emit(e: SExpr, minLevel = -1): string {
    walk(e, (n) => {
      if (this.names.has(n.id)) return;
      let level = -1;
      let code: string;
      const name = (c: SExpr) => this.names.get(c.id)!;
      const lv = (c: SExpr) => this.levelOf.get(c.id)!;
      switch (n.k) {
        case 'const':
          this.names.set(n.id, literal(n.v, n.dt));
          this.levelOf.set(n.id, -1);
          return;
        case 'var':
          this.names.set(n.id, n.name);
          this.levelOf.set(n.id, this.varLevel.get(n.name) ?? -1);
          return;
        case 'acc':
          if (!this.accName) throw new Error('acc outside a reduce epilogue');
          this.names.set(n.id, this.accName);
          this.levelOf.set(n.id, this.accLevel);
          return;
        case 'load':
          level = lv(n.idx);
          code = renderLoad(n.dt, `b${n.buf}`, name(n.idx));
          break;
        case 'un':
          level = lv(n.x);
          code = renderUnary(n, name(n.x));
          break;
        case 'bin':
          level = Math.max(lv(n.a), lv(n.b));
          code = renderBinary(n, name(n.a), name(n.b));
          break;
        case 'ter':
          // betainc, the only ternary op: computed in double, rounded once.
          level = Math.max(lv(n.a), lv(n.b), lv(n.c));
          code = wrap(n.dt, `rt.${n.op}(${name(n.a)}, ${name(n.b)}, ${name(n.c)})`);
          break;
        case 'sel':
          level = Math.max(lv(n.c), lv(n.a), lv(n.b));
          code = `(${name(n.c)} ? ${name(n.a)} : ${name(n.b)})`;
          break;
        case 'cast':
          level = lv(n.x);
          code = renderCast(n.x.dt, n.dt, name(n.x));
          break;
        case 'bitcast':
          level = lv(n.x);
          code = renderBitcast(n.x.dt, n.dt, name(n.x));
          break;
      }
      level = Math.max(level, minLevel);
      const t = `${this.prefix}${this.tmp++}`;
      this.lines[level + 1].push(`const ${t} = ${code};`);
      this.names.set(n.id, t);
      this.levelOf.set(n.id, level);
    });
    return this.names.get(e.id)!;
  }
}

function indent(lines: string[], n: number): string[] {
  const pad = '  '.repeat(n);
  return lines.map((l) => pad + l);
}

interface Loop {
  /** The loop counter. */
  v: string;
  extent: number;
  /** Lines at the top of the loop body, before the emitted lines of this level. */
  head?: string[];
}

/**
 * Nested loops `loops[from..]`; inside loop L go `head`, then the emitter's lines of level L,
 * then the next loop. `inner` is the body of the innermost loop; `after[L]` follows loop L+1
 * inside loop L (used for reduction results). A `ranged` nest runs its outermost loop over the
 * kernel's `[lo, hi)` parameters instead of its whole extent (chunks, possibly on worker threads).
 */
function loopNest(
  loops: Loop[],
  em: Emitter,
  from: number,
  inner: string[],
  around: Map<number, { before: string[]; after: string[] }> = new Map(),
  ranged = false,
): string[] {
  const build = (L: number): string[] => {
    if (L === loops.length) return inner;
    const { v, extent, head = [] } = loops[L];
    const wrapIt = around.get(L + 1);
    const innerPart = wrapIt ? [...wrapIt.before, ...build(L + 1), ...wrapIt.after] : build(L + 1);
    const [start, end] = ranged && L === 0 ? ['lo', 'hi'] : ['0', String(extent)];
    return [
      `for (let ${v} = ${start}; ${v} < ${end}; ${v}++) {`,
      ...indent([...head, ...em.lines[L + 1], ...innerPart], 1),
      '}',
    ];
  };
  const top = around.get(from);
  const body = top ? [...top.before, ...build(from), ...top.after] : build(from);
  return body;
}

function varLevels(names: string[]): Map<string, number> {
  return new Map(names.map((v, i) => [v, i]));
}

function renderMap(k: MapKernel, outDt: DType): string[] {
  const vars = k.shape.map((_, i) => `i${i}`);
  const em = new Emitter(varLevels(vars), vars.length);
  const v = em.emit(k.expr);
  // The flat output index from the loop counters (a row offset per loop level, `o0`, `o1`, ...;
  // cheaper for V8 than one counter bumped per element), so any range of the outer loop works.
  const loops: Loop[] = vars.map((name, i) => ({ v: name, extent: k.shape[i] }));
  const rank = loops.length;
  let strides = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (d < rank - 1) loops[d].head = [`const o${d} = ${d === 0 ? '' : `o${d - 1} + `}i${d} * ${strides};`];
    strides *= k.shape[d];
  }
  const at = rank === 0 ? '0' : rank === 1 ? 'i0' : `o${rank - 2} + i${rank - 1}`;
  const store = renderStore(outDt, `b${k.out}`, at, v);
  return [...em.lines[0], ...loopNest(loops, em, 0, [store], undefined, rank > 0)];
}

/** `o`, the flat output index, at the start of the outermost loop's range. */
function outStart(shape: readonly number[], ranged: boolean): string {
  if (!ranged) return 'let o = 0;';
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return inner === 1 ? 'let o = lo;' : `let o = lo * ${inner};`;
}

const REDUCE_INIT: Record<string, (dt: DType) => string> = {
  add: (dt) => (dt.isBig ? '0n' : '0'),
  mul: (dt) => (dt.isBig ? '1n' : '1'),
  max: (dt) =>
    dt.isFloat
      ? '-Infinity'
      : dt.isBig
        ? dt.kind === 'u'
          ? '0n'
          : `${-(2n ** 63n)}n`
        : dt.isBool
          ? '0'
          : String(INT_RANGE[dt.name][0]),
  min: (dt) =>
    dt.isFloat
      ? 'Infinity'
      : dt.isBig
        ? dt.kind === 'u'
          ? `${2n ** 64n - 1n}n`
          : `${2n ** 63n - 1n}n`
        : dt.isBool
          ? '1'
          : literal(INT_RANGE[dt.name][1], dt),
  // All ones: -1 in two's complement, the type's maximum for unsigned ints, true for bools.
  and: (dt) =>
    dt.isBool
      ? '1'
      : dt.isBig
        ? dt.kind === 'u'
          ? `${2n ** 64n - 1n}n`
          : '-1n'
        : dt.kind === 'u'
          ? literal(INT_RANGE[dt.name][1], dt)
          : '-1',
  or: (dt) => (dt.isBig ? '0n' : '0'),
};

function combine(op: string, dt: DType, a: string, b: string): string {
  switch (op) {
    case 'add':
      // Floats accumulate in double and are rounded once at the end; ints wrap as they go.
      return dt.isFloat ? `${a} + ${b}` : wrap(dt, `${a} + ${b}`);
    case 'mul':
      if (dt.isFloat) return `${a} * ${b}`;
      return wrap(dt, !dt.isBig && bits(dt) === 32 ? `Math.imul(${a}, ${b})` : `${a} * ${b}`);
    case 'max':
      if (dt.name === 'uint32') return `(${unsigned(dt, b)} > ${unsigned(dt, a)} ? ${b} : ${a})`;
      return dt.isBig ? `(${b} > ${a} ? ${b} : ${a})` : `Math.max(${a}, ${b})`;
    case 'min':
      if (dt.name === 'uint32') return `(${unsigned(dt, b)} < ${unsigned(dt, a)} ? ${b} : ${a})`;
      return dt.isBig ? `(${b} < ${a} ? ${b} : ${a})` : `Math.min(${a}, ${b})`;
    case 'and':
      return dt.isBig || dt.isBool ? `(${a} & ${b})` : wrap(dt, `${a} & ${b}`);
    case 'or':
      return dt.isBig || dt.isBool ? `(${a} | ${b})` : wrap(dt, `${a} | ${b}`);
  }
  throw new Error(`unknown reduction ${op}`);
}

function renderReduce(k: ReduceKernel, accDt: DType, outDt: DType): string[] {
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const rvars = k.redShape.map((_, i) => `r${i}`);
  const nOut = ovars.length;
  const em = new Emitter(varLevels([...ovars, ...rvars]), nOut + rvars.length);
  const body = em.emit(k.body);
  // The epilogue runs once per output element, after the reduction loops.
  const epi = new Emitter(varLevels(ovars), nOut, 'e', 'accv', nOut - 1);
  const result = k.epilogue ? epi.emit(k.epilogue, nOut - 1) : 'accv';
  const finish = [
    `const accv = ${accDt.isFloat ? wrap(accDt, 'acc') : 'acc'};`,
    ...epi.lines[nOut],
    renderStore(outDt, `b${k.out}`, 'o++', result),
  ];
  const loops = [
    ...ovars.map((v, i) => ({ v, extent: k.outShape[i] })),
    ...rvars.map((v, i) => ({ v, extent: k.redShape[i] })),
  ];
  const init = REDUCE_INIT[k.op](accDt);
  const step = combine(k.op, accDt, 'acc', body);
  const inner = [`acc = ${k.roundEach && accDt.isFloat ? wrap(accDt, step) : step};`];
  if (nOut === 0 && rvars.length > 0) {
    // A full reduction runs its outermost reduced loop in consecutive ranges, in order (its
    // rounding depends on the order): each call continues from the accumulator `acc0` the last
    // one returned (chunks.ts runCarried). Every call stores its result, so the last one's stays;
    // a finish that ran only in the last call would lack V8 type feedback when the function is
    // optimized, and deoptimize it.
    const carry = new Map([
      [0, { before: [`let acc = lo === 0 ? ${init} : acc0;`], after: [...finish, 'return acc;'] }],
    ]);
    return ['let o = 0;', ...em.lines[0], ...loopNest(loops, em, 0, inner, carry, true)];
  }
  const around = new Map([[nOut, { before: [`let acc = ${init};`], after: finish }]]);
  // Outputs are independent: the outer output loop can run in ranges.
  const ranged = nOut > 0;
  return [outStart(k.outShape, ranged), ...em.lines[0], ...loopNest(loops, em, 0, inner, around, ranged)];
}

function renderArgReduce(k: ArgReduceKernel, valDt: DType, outDt: DType): string[] {
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const nOut = ovars.length;
  const em = new Emitter(varLevels([...ovars, 'r0']), nOut + 1);
  // `best` holds the compared value: a uint32's unsigned value, not its bit pattern.
  const v = unsigned(valDt, em.emit(k.body));
  const better = k.op === 'argmax' ? '>' : '<';
  const nanCheck = valDt.isFloat ? ` || ${v} !== ${v}` : '';
  const inner = [
    `if (r0 === 0 || (best === best && (${v} ${better} best${nanCheck}))) { best = ${v}; bi = r0; }`,
  ];
  const loops = [
    ...ovars.map((name, i) => ({ v: name, extent: k.outShape[i] })),
    { v: 'r0', extent: k.redSize },
  ];
  const around = new Map([
    [
      nOut,
      {
        before: [`let best = ${valDt.isBig ? '0n' : '0'};`, 'let bi = 0;'],
        after: [renderStore(outDt, `b${k.out}`, 'o++', outDt.isBig ? 'BigInt(bi)' : 'bi')],
      },
    ],
  ]);
  const ranged = nOut > 0;
  return [outStart(k.outShape, ranged), ...em.lines[0], ...loopNest(loops, em, 0, inner, around, ranged)];
}

function renderScan(k: ScanKernel, dt: DType): string[] {
  // Every dimension is looped, the scanned axis innermost, with one accumulator per line. The
  // axis loop counts steps `s`; the element index runs backwards for reverse scans.
  const rank = k.shape.length;
  const order = [...Array(rank).keys()].filter((d) => d !== k.axis).concat([k.axis]);
  const vars = order.map((d) => `i${d}`);
  const em = new Emitter(varLevels(vars), rank);
  const v = em.emit(k.body);
  let stride = 1;
  const terms: string[] = [];
  for (let d = rank - 1; d >= 0; d--) {
    terms.unshift(`i${d} * ${stride}`);
    stride *= k.shape[d];
  }
  const n = k.shape[k.axis];
  const loops: Loop[] = order.map((d) => ({ v: `i${d}`, extent: k.shape[d] }));
  loops[rank - 1] = {
    v: 's',
    extent: n,
    head: [`const i${k.axis} = ${k.reverse ? `${n - 1} - s` : 's'};`],
  };
  const inner = [
    `acc = ${wrap(dt, combine(k.op, dt, 'acc', v))};`,
    renderStore(dt, `b${k.out}`, terms.join(' + '), 'acc'),
  ];
  const around = new Map([[rank - 1, { before: [`let acc = ${REDUCE_INIT[k.op](dt)};`], after: [] }]]);
  // With more than one dimension the outermost loop is not the scanned axis: lines are independent.
  return [...em.lines[0], ...loopNest(loops, em, 0, inner, around, rank > 1)];
}

export interface RenderedKernel {
  /** Buffer ids the function takes, in parameter order (then `lo, hi`). */
  params: number[];
  source: string;
  /**
   * The extent of the outermost loop when it runs over `[lo, hi)` (iterations independent of
   * one another, or `carry`), else 0 (the function ignores `lo, hi`).
   */
  extent: number;
  /**
   * A full reduction: its ranges must run in order, each call taking the accumulator the
   * previous one returned as a last argument (`acc0`, ignored when `lo` is 0).
   */
  carry: boolean;
  /** Elements computed (reduced elements for reductions): how much work a call does. */
  work: number;
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

export function renderKernel(k: Kernel, dtypeOf: (buf: number) => DType, accDtype?: DType): RenderedKernel {
  let lines: string[];
  let extent = 0;
  let work = 0;
  let carry = false;
  switch (k.kind) {
    case 'map':
      lines = renderMap(k, dtypeOf(k.out));
      extent = k.shape[0] ?? 0;
      work = prod(k.shape);
      break;
    case 'reduce':
      lines = renderReduce(k, accDtype ?? k.body.dt, dtypeOf(k.out));
      carry = k.outShape.length === 0 && k.redShape.length > 0;
      extent = carry ? k.redShape[0] : (k.outShape[0] ?? 0);
      work = prod(k.outShape) * prod(k.redShape);
      break;
    case 'argreduce':
      lines = renderArgReduce(k, k.body.dt, dtypeOf(k.out));
      extent = k.outShape[0] ?? 0;
      work = prod(k.outShape) * k.redSize;
      break;
    case 'scan':
      lines = renderScan(k, dtypeOf(k.out));
      extent = k.shape.length > 1 ? k.shape[k.axis === 0 ? 1 : 0] : 0;
      work = prod(k.shape);
      break;
    case 'lib':
      throw new Error('library kernels are not rendered');
    case 'cond':
    case 'while':
    case 'loop':
      throw new Error('control-flow kernels are not rendered (backends/cpu/control.ts runs them)');
  }
  const used = new Set<number>();
  for (const l of lines) for (const m of l.matchAll(/\bb(\d+)\b/g)) used.add(Number(m[1]));
  const params = [...used].sort((a, b) => a - b);
  const args = [...params.map((p) => `b${p}`), 'lo', 'hi', ...(carry ? ['acc0'] : [])].join(', ');
  const source = [`(rt, ${args}) => {`, ...indent(lines, 1), '}'].join('\n');
  return { params, source, extent, work, carry };
}
