/**
 * @file Render kernel IR to gpu.js kernel sources. gpu.js compiles a JavaScript subset to GLSL
 * (headless-gl) or WebAssembly and runs it once per output element, so a kernel becomes
 * `function (sp, b0, b3, ...) { ... return v; }` over a 1-D output of the kernel's size: the
 * flat thread index is split into the output multi-index by division with an exact correction,
 * reductions loop over the reduced extent inside the thread, scans loop along their axis. The
 * emitter hoists each hash-consed node to the outermost loop where its inputs exist, as the CPU
 * renderer (cpu/codegen.ts) does.
 *
 * Everything in gpu.js is float32. `canRender` refuses what that cannot honour: 64-bit and
 * float16 types, bitcasts and bit operations on integers, special functions gpu.js lacks, and
 * integer values that may leave +-2^24 (an interval analysis bounds every integer node from the
 * loop extents and the dtype ranges of 8/16-bit loads; int32 loads are unbounded, so kernels
 * computing on int32 data run on the CPU). NaN and +-Infinity come from the `sp` argument
 * (GLSL has no literals for them; gpu.js writes FLT_MAX for `Infinity`).
 */
import type {
  ArgReduceKernel,
  BinExpr,
  BufferInfo,
  Kernel,
  LibKernel,
  MapKernel,
  ReduceKernel,
  ScanKernel,
  SExpr,
  UnExpr,
} from '../../compile/kir.js';
import { walk } from '../../compile/kir.js';
import type { DType } from '../../core/dtype.js';

/** Integers up to this magnitude are exact in float32. */
const EXACT = 2 ** 24;
/** A scan's thread loops over the whole axis; longer axes run on the CPU. */
export const MAX_SCAN_AXIS = 4096;
/** Largest reduction loop a thread runs (keeps GLSL loops and watchdog times sane). */
const MAX_LOOP = 1 << 20;
const FLT_MAX = '3.4028234663852886e38';

const NAN = 'sp[2]';
const INF = 'sp[0]';
const NINF = 'sp[1]';

const VALUE_TYPES = new Set(['float32', 'bool', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32']);
const RANGE: Record<string, [number, number]> = {
  bool: [0, 1],
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
};

const FLOAT_UNARY = new Set([
  'neg',
  'sign',
  'floor',
  'ceil',
  'round_away',
  'round_even',
  'abs',
  'exp',
  'exp2',
  'log',
  'log1p',
  'expm1',
  'sqrt',
  'rsqrt',
  'cbrt',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'sinh',
  'cosh',
  'tanh',
  'asinh',
  'acosh',
  'atanh',
  'logistic',
  'is_finite',
]);
const FLOAT_BINARY = new Set(['add', 'sub', 'mul', 'div', 'rem', 'pow', 'max', 'min', 'atan2']);
const INT_BINARY = new Set(['add', 'sub', 'mul', 'div', 'rem', 'max', 'min']);
const CMP: Record<string, string> = { eq: '===', ne: '!==', lt: '<', le: '<=', gt: '>', ge: '>=' };

type Interval = [number, number];

class Unsupported extends Error {}

function no(why: string): never {
  throw new Unsupported(why);
}

/**
 * Bounds of every integer-valued node (bools included), refusing nodes whose bounds leave the
 * float32-exact range or whose operation gpu.js cannot express.
 */
class Checker {
  private readonly iv = new Map<number, Interval>();
  constructor(private readonly extents: Map<string, number>) {}

  check(e: SExpr): void {
    walk(e, (n) => this.visit(n));
  }

  interval(e: SExpr): Interval {
    return this.iv.get(e.id) ?? [-Infinity, Infinity];
  }

  private set(n: SExpr, lo: number, hi: number): void {
    if (!(Math.abs(lo) < EXACT && Math.abs(hi) < EXACT))
      no(`an integer value (${n.dt.name}) may leave the float32-exact range +-2^24`);
    this.iv.set(n.id, [lo, hi]);
  }

  private visit(n: SExpr): void {
    if (!VALUE_TYPES.has(n.dt.name)) no(`gpu.js computes in float32 and cannot hold ${n.dt.name}`);
    const isInt = !n.dt.isFloat;
    const I = (c: SExpr) => this.interval(c);
    switch (n.k) {
      case 'const':
        if (isInt) this.set(n, Number(n.v), Number(n.v));
        return;
      case 'var':
        this.set(n, 0, Math.max(0, (this.extents.get(n.name) ?? 1) - 1));
        return;
      case 'acc':
        return;
      case 'load': {
        if (!isInt) return;
        const r = RANGE[n.dt.name];
        if (!r) no(`it computes on ${n.dt.name} data, which float32 cannot hold exactly`);
        this.set(n, r[0], r[1]);
        return;
      }
      case 'bitcast':
        no('bitcasts have no float32 form');
        return;
      case 'cast': {
        if (!isInt) return;
        if (n.dt.isBool) {
          this.set(n, 0, 1);
          return;
        }
        const r = RANGE[n.dt.name];
        if (n.x.dt.isFloat) {
          if (!r) no(`a float -> ${n.dt.name} conversion may leave +-2^24`);
          this.set(n, r[0], r[1]);
          return;
        }
        const [lo, hi] = I(n.x);
        if (r && (lo < r[0] || hi > r[1])) no(`a ${n.x.dt.name} -> ${n.dt.name} conversion may wrap`);
        if (n.dt.name === 'uint32' && lo < 0) no('an int -> uint32 conversion may wrap');
        this.set(n, lo, hi);
        return;
      }
      case 'un':
        this.unary(n);
        return;
      case 'bin':
        this.binary(n);
        return;
      case 'ter':
        no(`gpu.js has no ${n.op}`);
        return;
      case 'sel': {
        if (!isInt) return;
        const [a0, a1] = I(n.a);
        const [b0, b1] = I(n.b);
        this.set(n, Math.min(a0, b0), Math.max(a1, b1));
        return;
      }
    }
  }

  private unary(n: UnExpr): void {
    const x = n.x.dt;
    if (x.isFloat) {
      if (!FLOAT_UNARY.has(n.op)) no(`gpu.js has no ${n.op}`);
      if (n.op === 'is_finite') this.set(n, 0, 1);
      return;
    }
    if (x.isBool) {
      if (n.op !== 'not') no(`${n.op} on bool`);
      this.set(n, 0, 1);
      return;
    }
    const [lo, hi] = this.interval(n.x);
    switch (n.op) {
      case 'neg':
        this.set(n, -hi, -lo);
        return;
      case 'abs':
        this.set(n, lo <= 0 && hi >= 0 ? 0 : Math.min(Math.abs(lo), Math.abs(hi)), Math.max(-lo, hi));
        return;
      case 'sign':
        this.set(n, -1, 1);
        return;
      case 'floor':
      case 'ceil':
      case 'round_away':
      case 'round_even':
        this.set(n, lo, hi);
        return;
    }
    no(`integer ${n.op} needs bit operations`);
  }

  private binary(n: BinExpr): void {
    const dt = n.a.dt;
    if (n.op in CMP) {
      this.set(n, 0, 1);
      return;
    }
    if (dt.isFloat) {
      if (!FLOAT_BINARY.has(n.op)) no(`gpu.js has no ${n.op}`);
      return;
    }
    if (dt.isBool) {
      if (n.op !== 'and' && n.op !== 'or' && n.op !== 'xor' && n.op !== 'max' && n.op !== 'min')
        no(`${n.op} on bool`);
      this.set(n, 0, 1);
      return;
    }
    if (!INT_BINARY.has(n.op)) no(`integer ${n.op} needs bit operations`);
    const [a0, a1] = this.interval(n.a);
    const [b0, b1] = this.interval(n.b);
    switch (n.op) {
      case 'add':
        this.set(n, a0 + b0, a1 + b1);
        return;
      case 'sub':
        this.set(n, a0 - b1, a1 - b0);
        return;
      case 'mul': {
        const ps = [a0 * b0, a0 * b1, a1 * b0, a1 * b1];
        this.set(n, Math.min(...ps), Math.max(...ps));
        return;
      }
      case 'max':
        this.set(n, Math.max(a0, b0), Math.max(a1, b1));
        return;
      case 'min':
        this.set(n, Math.min(a0, b0), Math.min(a1, b1));
        return;
      case 'div':
      case 'rem': {
        // x / 0 is -1 and x % 0 is x (XLA); MIN / -1 wraps back to MIN in 8/16-bit types.
        const m = Math.max(Math.abs(a0), Math.abs(a1), 1);
        this.set(n, -m, m);
        return;
      }
    }
  }
}

function literal(v: number | bigint): string {
  const x = Number(v);
  if (Number.isNaN(x)) return NAN;
  if (x === Number.POSITIVE_INFINITY) return INF;
  if (x === Number.NEGATIVE_INFINITY) return `(${NINF})`;
  if (Object.is(x, -0)) return '(-0.0)';
  return x < 0 ? `(${x})` : String(x);
}

/** Emits nodes into loop levels (-1: thread level; k: inside the k-th loop). */
class Emitter {
  readonly names = new Map<number, string>();
  readonly levelOf = new Map<number, number>();
  readonly lines: string[][];
  private tmp = 0;
  constructor(
    private readonly vars: Map<string, { name: string; level: number }>,
    depth: number,
    private readonly prefix = 't',
    private readonly accLevel = -1,
  ) {
    this.lines = Array.from({ length: depth + 1 }, () => []);
  }

  private push(level: number, code: string): string {
    const t = `${this.prefix}${this.tmp++}`;
    this.lines[level + 1].push(`const ${t} = ${code};`);
    return t;
  }

  emit(e: SExpr, minLevel = -1): string {
    walk(e, (n) => {
      if (this.names.has(n.id)) return;
      const name = (c: SExpr) => this.names.get(c.id)!;
      const lv = (c: SExpr) => this.levelOf.get(c.id)!;
      let level = -1;
      switch (n.k) {
        case 'const':
          this.names.set(n.id, literal(n.v));
          this.levelOf.set(n.id, -1);
          return;
        case 'var': {
          const v = this.vars.get(n.name);
          this.names.set(n.id, v?.name ?? '0');
          this.levelOf.set(n.id, v?.level ?? -1);
          return;
        }
        case 'acc':
          this.names.set(n.id, 'acc');
          this.levelOf.set(n.id, this.accLevel);
          return;
        case 'load':
          level = lv(n.idx);
          break;
        case 'un':
        case 'cast':
        case 'bitcast':
          level = lv(n.x);
          break;
        case 'bin':
          level = Math.max(lv(n.a), lv(n.b));
          break;
        case 'sel':
          level = Math.max(lv(n.c), lv(n.a), lv(n.b));
          break;
      }
      level = Math.max(level, minLevel);
      const at = (code: string) => this.push(level, code);
      let out: string;
      switch (n.k) {
        case 'load':
          out = at(`b${n.buf}[${name(n.idx)}]`);
          break;
        case 'un':
          out = renderUnary(n, name(n.x), at);
          break;
        case 'bin':
          out = renderBinary(n, name(n.a), name(n.b), at);
          break;
        case 'sel':
          out = at(`(${name(n.c)} !== 0 ? ${name(n.a)} : ${name(n.b)})`);
          break;
        case 'cast':
          out = renderCast(n.x.dt, n.dt, name(n.x), at);
          break;
        default:
          throw new Error(`gpujs: cannot render ${n.k}`);
      }
      this.names.set(n.id, out);
      this.levelOf.set(n.id, level);
    });
    return this.names.get(e.id)!;
  }
}

type At = (code: string) => string;

/** Kahan's expm1/log1p: exact for tiny x without the series (GLSL's helpers cancel badly). */
function expm1(x: string, at: At): string {
  const u = at(`Math.exp(${x})`);
  const d = at(`${u} - 1`);
  return at(`(${u} === 1 ? ${x} : (${d} === -1 ? -1 : (${d} * ${x}) / Math.log(${u})))`);
}

function renderUnary(e: UnExpr, x: string, at: At): string {
  const dt = e.x.dt;
  if (dt.isBool) return at(`1 - ${x}`);
  if (!dt.isFloat) {
    switch (e.op) {
      case 'neg':
        return at(`-${x}`);
      case 'abs':
        return at(`Math.abs(${x})`);
      case 'sign':
        return at(`(${x} > 0 ? 1 : (${x} < 0 ? -1 : 0))`);
      default:
        return x;
    }
  }
  switch (e.op) {
    case 'neg':
      return at(`-${x}`);
    case 'sign':
      return at(`(${x} > 0 ? 1 : (${x} < 0 ? -1 : ${x}))`);
    case 'floor':
      return at(`Math.floor(${x})`);
    case 'ceil':
      return at(`Math.ceil(${x})`);
    case 'round_away': {
      const t = at(`Math.floor(Math.abs(${x}) + 0.5)`);
      return at(`(Math.abs(${x}) <= ${FLT_MAX} ? (${x} < 0 ? -${t} : ${t}) : ${x})`);
    }
    case 'round_even': {
      const f = at(`Math.floor(${x})`);
      const d = at(`${x} - ${f}`);
      const even = at(`(${f} - 2 * Math.floor(${f} * 0.5) === 0 ? ${f} : ${f} + 1)`);
      return at(
        `(Math.abs(${x}) <= ${FLT_MAX} ? (${d} > 0.5 ? ${f} + 1 : (${d} < 0.5 ? ${f} : ${even})) : ${x})`,
      );
    }
    case 'abs':
      return at(`Math.abs(${x})`);
    case 'exp':
      return at(`Math.exp(${x})`);
    case 'exp2':
      return at(`Math.pow(2, ${x})`);
    case 'log':
      return at(`(${x} < 0 ? ${NAN} : (${x} === 0 ? (${NINF}) : Math.log(${x})))`);
    case 'log1p': {
      const u = at(`1 + ${x}`);
      return at(
        `(${x} < -1 ? ${NAN} : (${u} === 0 ? (${NINF}) : (${u} === 1 ? ${x} : Math.log(${u}) * ${x} / (${u} - 1))))`,
      );
    }
    case 'expm1':
      return expm1(x, at);
    case 'sqrt':
      return at(`(${x} < 0 ? ${NAN} : Math.sqrt(${x}))`);
    case 'rsqrt':
      return at(`(${x} < 0 ? ${NAN} : (${x} === 0 ? ${INF} : 1 / Math.sqrt(${x})))`);
    case 'cbrt':
      return at(`(${x} < 0 ? -Math.pow(-${x}, 1 / 3) : Math.pow(${x}, 1 / 3))`);
    case 'sin':
    case 'cos':
    case 'tan':
      return at(`Math.${e.op}(${x})`);
    // GLSL's asin/acos on llvmpipe are off by ~1e-4 and its atan drops NaN: through atan2.
    case 'asin':
      return at(
        `(${x} !== ${x} || Math.abs(${x}) > 1 ? ${NAN} : Math.atan2(${x}, Math.sqrt((1 - ${x}) * (1 + ${x}))))`,
      );
    case 'acos':
      return at(
        `(${x} !== ${x} || Math.abs(${x}) > 1 ? ${NAN} : 2 * Math.atan2(Math.sqrt(1 - ${x}), Math.sqrt(1 + ${x})))`,
      );
    case 'atan':
      return at(`(${x} !== ${x} ? ${x} : Math.atan(${x}))`);
    case 'sinh': {
      // Through expm1 so that small arguments keep their relative accuracy.
      const a = at(`Math.abs(${x})`);
      const m = expm1(a, at);
      const s = at(
        `(${a} < 1 ? 0.5 * (${m} + ${m} / (${m} + 1)) : 0.5 * Math.exp(${a}) - 0.5 / Math.exp(${a}))`,
      );
      return at(`(${x} < 0 ? -${s} : ${s})`);
    }
    case 'cosh': {
      const a = at(`Math.abs(${x})`);
      return at(`0.5 * Math.exp(${a}) + 0.5 / Math.exp(${a})`);
    }
    case 'tanh': {
      const a = at(`Math.abs(${x})`);
      const m = expm1(at(`-2 * ${a}`), at);
      const t = at(`(${a} > 20 ? 1 : -${m} / (${m} + 2))`);
      return at(`(${x} < 0 ? -${t} : ${t})`);
    }
    case 'asinh': {
      const a = at(`Math.abs(${x})`);
      const s = at(
        `(${a} > 1e18 ? Math.log(${a}) + 0.6931471805599453 : (${a} < 0.0001 ? ${a} : Math.log(${a} + Math.sqrt(${a} * ${a} + 1))))`,
      );
      return at(`(${x} < 0 ? -${s} : ${s})`);
    }
    case 'acosh':
      return at(
        `(${x} < 1 ? ${NAN} : (${x} > 1e18 ? Math.log(${x}) + 0.6931471805599453 : Math.log(${x} + Math.sqrt((${x} - 1) * (${x} + 1)))))`,
      );
    case 'atanh': {
      const a = at(`Math.abs(${x})`);
      const s = at(
        `(${a} > 1 ? ${NAN} : (${a} === 1 ? ${INF} : (${a} < 0.0001 ? ${a} : 0.5 * Math.log((1 + ${a}) / (1 - ${a})))))`,
      );
      return at(`(${x} < 0 ? -${s} : ${s})`);
    }
    case 'logistic':
      return at(`1 / (1 + Math.exp(-${x}))`);
    case 'is_finite':
      return at(`(Math.abs(${x}) <= ${FLT_MAX} ? 1 : 0)`);
  }
  throw new Error(`gpujs: unary ${e.op} on ${dt.name}`);
}

function renderBinary(e: BinExpr, a: string, b: string, at: At): string {
  const dt = e.a.dt;
  if (e.op in CMP) return at(`(${a} ${CMP[e.op]} ${b} ? 1 : 0)`);
  if (dt.isBool) {
    switch (e.op) {
      case 'and':
      case 'min':
        return at(`Math.min(${a}, ${b})`);
      case 'or':
      case 'max':
        return at(`Math.max(${a}, ${b})`);
      case 'xor':
        return at(`(${a} !== ${b} ? 1 : 0)`);
    }
  }
  if (dt.isFloat) {
    switch (e.op) {
      case 'add':
        return at(`${a} + ${b}`);
      case 'sub':
        return at(`${a} - ${b}`);
      case 'mul':
        return at(`${a} * ${b}`);
      case 'div':
        return at(`${a} / ${b}`);
      case 'rem':
        // C's fmod: the sign of the dividend, NaN for a zero divisor or an infinite dividend.
        return at(
          `(${b} === 0 || Math.abs(${a}) > ${FLT_MAX} ? ${NAN} : (Math.abs(${b}) > ${FLT_MAX} ? ${a} : ${a} - ${b} * Math.trunc(${a} / ${b})))`,
        );
      case 'pow': {
        const p = at(`Math.pow(Math.abs(${a}), ${b})`);
        const odd = at(`(${b} - 2 * Math.floor(${b} * 0.5) === 1 ? 1 : 0)`);
        // GLSL's pow is exp2(b * log2(a)): undefined at a <= 0, so the signs, zeros and NaNs are
        // decided here and pow only sees |a| > 0.
        const mag = at(
          `(${a} === 0 ? (${b} < 0 ? ${INF} : 0) : (Math.abs(${a}) > ${FLT_MAX} ? (${b} < 0 ? 0 : ${INF}) : ${p}))`,
        );
        return at(
          `(${b} === 0 || ${a} === 1 ? 1 : (${a} !== ${a} || ${b} !== ${b} ? ${NAN} : (${a} < 0 ? (Math.floor(${b}) === ${b} ? (${odd} === 1 ? -${mag} : ${mag}) : ${NAN}) : ${mag})))`,
        );
      }
      case 'max':
        return at(`(${a} !== ${a} || ${b} !== ${b} ? ${NAN} : Math.max(${a}, ${b}))`);
      case 'min':
        return at(`(${a} !== ${a} || ${b} !== ${b} ? ${NAN} : Math.min(${a}, ${b}))`);
      case 'atan2':
        return at(`(${a} !== ${a} || ${b} !== ${b} ? ${NAN} : Math.atan2(${a}, ${b}))`);
    }
    throw new Error(`gpujs: binary ${e.op} on ${dt.name}`);
  }
  switch (e.op) {
    case 'add':
      return at(`${a} + ${b}`);
    case 'sub':
      return at(`${a} - ${b}`);
    case 'mul':
      return at(`${a} * ${b}`);
    case 'max':
      return at(`Math.max(${a}, ${b})`);
    case 'min':
      return at(`Math.min(${a}, ${b})`);
    case 'div':
    case 'rem': {
      // Truncating division on |a| / |b|, corrected to the exact quotient (all terms < 2^24).
      const aa = at(`Math.abs(${a})`);
      const bb = at(`Math.abs(${b})`);
      const q0 = at(`Math.floor(${aa} / ${bb})`);
      const r0 = at(`${aa} - ${q0} * ${bb}`);
      const q = at(`(${r0} < 0 ? ${q0} - 1 : (${r0} >= ${bb} ? ${q0} + 1 : ${q0}))`);
      if (e.op === 'div') {
        const sq = at(`(${b} === 0 ? -1 : ((${a} < 0) !== (${b} < 0) ? -${q} : ${q}))`);
        const r = RANGE[e.dt.name];
        return r ? at(`(${sq} > ${r[1]} ? ${r[0]} : ${sq})`) : sq;
      }
      const r = at(`${aa} - ${q} * ${bb}`);
      return at(`(${b} === 0 ? ${a} : (${a} < 0 ? -${r} : ${r}))`);
    }
  }
  throw new Error(`gpujs: binary ${e.op} on ${dt.name}`);
}

function renderCast(from: DType, to: DType, x: string, at: At): string {
  if (to.isBool) return at(`(${x} !== 0 ? 1 : 0)`);
  if (to.isFloat) return x;
  if (from.isFloat) {
    const [lo, hi] = RANGE[to.name];
    return at(`(${x} !== ${x} ? 0 : (${x} <= ${lo} ? ${lo} : (${x} >= ${hi} ? ${hi} : Math.trunc(${x}))))`);
  }
  return x;
}

/** Split the flat thread index into the output multi-index (exact for sizes below 2^24). */
function threadIndex(shape: number[], names: string[]): string[] {
  const lines = ['const o = this.thread.x;'];
  let rest = 'o';
  let stride = shape.reduce((n, d) => n * d, 1);
  shape.forEach((d, k) => {
    stride /= d;
    if (d === 1) return;
    const v = names[k];
    if (stride === 1) {
      lines.push(`const ${v} = ${rest};`);
      return;
    }
    lines.push(
      `const ${v}q = Math.floor(${rest} / ${stride});`,
      `const ${v}r = ${rest} - ${v}q * ${stride};`,
      `const ${v} = ${v}r < 0 ? ${v}q - 1 : (${v}r >= ${stride} ? ${v}q + 1 : ${v}q);`,
    );
    if (k < shape.length - 1) {
      lines.push(`const ${v}m = ${rest} - ${v} * ${stride};`);
      rest = `${v}m`;
    }
  });
  return lines;
}

function outVars(shape: number[], prefix = 'i'): Map<string, { name: string; level: number }> {
  const m = new Map<string, { name: string; level: number }>();
  shape.forEach((d, k) => {
    if (d !== 1) m.set(`${prefix}${k}`, { name: `${prefix}${k}`, level: -1 });
  });
  return m;
}

function indent(lines: string[], n: number): string[] {
  const pad = '  '.repeat(n);
  return lines.map((l) => pad + l);
}

/** Loops with emitted lines at each level; `inner` in the innermost. */
function nest(loops: { v: string; extent: number }[], em: Emitter, inner: string[]): string[] {
  const build = (L: number): string[] => {
    if (L === loops.length) return inner;
    const { v, extent } = loops[L];
    return [
      `for (let ${v} = 0; ${v} < ${extent}; ${v}++) {`,
      ...indent([...em.lines[L + 1], ...build(L + 1)], 1),
      '}',
    ];
  };
  return build(0);
}

function renderMapK(k: MapKernel): string[] {
  const em = new Emitter(outVars(k.shape), 0);
  const v = em.emit(k.expr);
  return [
    ...threadIndex(
      k.shape,
      k.shape.map((_, i) => `i${i}`),
    ),
    ...em.lines[0],
    `return ${v};`,
  ];
}

function initOf(op: string, dt: DType): string {
  switch (op) {
    case 'add':
    case 'or':
      return '0';
    case 'mul':
      return '1';
    case 'and':
      return '1';
    case 'max':
      return dt.isFloat ? NINF : dt.isBool ? '0' : String(RANGE[dt.name]?.[0] ?? -(2 ** 31));
    case 'min':
      return dt.isFloat ? INF : dt.isBool ? '1' : String(RANGE[dt.name]?.[1] ?? 2 ** 31 - 1);
  }
  throw new Error(`gpujs: reduction ${op}`);
}

function combine(op: string, dt: DType, v: string): string {
  switch (op) {
    case 'add':
      return `acc = acc + ${v};`;
    case 'mul':
      return `acc = acc * ${v};`;
    case 'and':
      return `acc = Math.min(acc, ${v});`;
    case 'or':
      return `acc = Math.max(acc, ${v});`;
    case 'max':
      return dt.isFloat ? `if (${v} > acc || ${v} !== ${v}) { acc = ${v}; }` : `acc = Math.max(acc, ${v});`;
    case 'min':
      return dt.isFloat ? `if (${v} < acc || ${v} !== ${v}) { acc = ${v}; }` : `acc = Math.min(acc, ${v});`;
  }
  throw new Error(`gpujs: reduction ${op}`);
}

function renderReduceK(k: ReduceKernel): string[] {
  const vars = outVars(k.outShape);
  const loops = k.redShape.map((extent, i) => ({ v: `r${i}`, extent }));
  loops.forEach((l, i) => {
    vars.set(l.v, { name: l.v, level: i });
  });
  const em = new Emitter(vars, loops.length);
  const body = em.emit(k.body);
  const epi = new Emitter(outVars(k.outShape), 0, 'e', -1);
  const result = k.epilogue ? epi.emit(k.epilogue) : 'acc';
  return [
    ...threadIndex(
      k.outShape,
      k.outShape.map((_, i) => `i${i}`),
    ),
    ...em.lines[0],
    `let acc = ${initOf(k.op, k.body.dt)};`,
    ...nest(loops, em, [combine(k.op, k.body.dt, body)]),
    ...epi.lines[0],
    `return ${result};`,
  ];
}

function renderArgReduceK(k: ArgReduceKernel): string[] {
  const vars = outVars(k.outShape);
  vars.set('r0', { name: 'r0', level: 0 });
  const em = new Emitter(vars, 1);
  const v = em.emit(k.body);
  const better = k.op === 'argmax' ? '>' : '<';
  const nan = k.body.dt.isFloat ? ` || ${v} !== ${v}` : '';
  return [
    ...threadIndex(
      k.outShape,
      k.outShape.map((_, i) => `i${i}`),
    ),
    ...em.lines[0],
    'let best = 0;',
    'let bi = 0;',
    ...nest([{ v: 'r0', extent: k.redSize }], em, [
      `if (r0 === 0 || (best === best && (${v} ${better} best${nan}))) {`,
      `  best = ${v};`,
      '  bi = r0;',
      '}',
    ]),
    'return bi;',
  ];
}

function renderScanK(k: ScanKernel): string[] {
  const vars = outVars(k.shape);
  const n = k.shape[k.axis];
  // The thread's own position along the axis is i{axis}; the loop visits positions j in the
  // order the CPU accumulates them and stops contributing past the thread's position.
  const own = `i${k.axis}`;
  vars.set(own, { name: 'j', level: 0 });
  const em = new Emitter(vars, 1);
  const v = em.emit(k.body);
  const pos = n === 1 ? '0' : own;
  const names = k.shape.map((_, i) => `i${i}`);
  const dt = k.body.dt;
  return [
    ...threadIndex(k.shape, names),
    ...em.lines[0],
    `let acc = ${initOf(k.op, dt)};`,
    `for (let s = 0; s < ${n}; s++) {`,
    `  const j = ${k.reverse ? `${n - 1} - s` : 's'};`,
    `  if (${k.reverse ? `j >= ${pos}` : `j <= ${pos}`}) {`,
    ...indent(em.lines[1], 2),
    `    ${combine(k.op, dt, v)}`,
    '  }',
    '}',
    'return acc;',
  ];
}

interface MatmulParams {
  batch: number;
  m: number;
  n: number;
  k: number;
  lhs: [number, number, number];
  rhs: [number, number, number];
}

function renderMatmulK(k: LibKernel): string[] {
  const p = k.params as unknown as MatmulParams;
  const [a, b] = k.ins;
  const lines = threadIndex([p.batch, p.m, p.n], ['bt', 'row', 'col']);
  const term = (v: string, s: number, d: number) => (d === 1 ? '0' : `${v} * ${s}`);
  lines.push(
    `const abase = ${term('bt', p.lhs[0], p.batch)} + ${term('row', p.lhs[1], p.m)};`,
    `const bbase = ${term('bt', p.rhs[0], p.batch)} + ${term('col', p.rhs[2], p.n)};`,
    'let acc = 0;',
    `for (let kk = 0; kk < ${p.k}; kk++) {`,
    `  acc = acc + b${a}[abase + kk * ${p.lhs[2]}] * b${b}[bbase + kk * ${p.rhs[1]}];`,
    '}',
    'return acc;',
  );
  return lines;
}

export interface GpuJsKernelSource {
  /** Buffer ids of the kernel's array arguments, after `sp`. */
  params: number[];
  /** The function gpu.js compiles. */
  source: string;
  /** Output elements (threads). */
  size: number;
  out: number;
}

/** Why gpu.js cannot run kernel `k` of a program, or null when it can. */
export function cannotRender(k: Kernel, buffers: BufferInfo[]): string | null {
  try {
    checkKernel(k, buffers);
    return null;
  } catch (e) {
    if (e instanceof Unsupported) return e.message;
    throw e;
  }
}

function checkKernel(k: Kernel, buffers: BufferInfo[]): void {
  const sizeOk = (b: number) => {
    const info = buffers[b];
    if (info.size >= EXACT) no(`buffer b${b} has ${info.size} elements (gpu.js indexes in float32: < 2^24)`);
    if (!VALUE_TYPES.has(info.dtype.name))
      no(`gpu.js computes in float32 and cannot hold ${info.dtype.name}`);
  };
  const extents = new Map<string, number>();
  const exprs: SExpr[] = [];
  switch (k.kind) {
    case 'map':
      k.shape.forEach((d, i) => {
        extents.set(`i${i}`, d);
      });
      exprs.push(k.expr);
      break;
    case 'reduce':
      k.outShape.forEach((d, i) => {
        extents.set(`i${i}`, d);
      });
      k.redShape.forEach((d, i) => {
        extents.set(`r${i}`, d);
      });
      if (k.redShape.reduce((n, d) => n * d, 1) > MAX_LOOP)
        no(`a reduction over more than ${MAX_LOOP} elements`);
      exprs.push(k.body);
      if (k.epilogue) exprs.push(k.epilogue);
      break;
    case 'argreduce':
      k.outShape.forEach((d, i) => {
        extents.set(`i${i}`, d);
      });
      extents.set('r0', k.redSize);
      if (k.redSize > MAX_LOOP) no(`a reduction over more than ${MAX_LOOP} elements`);
      exprs.push(k.body);
      break;
    case 'scan':
      k.shape.forEach((d, i) => {
        extents.set(`i${i}`, d);
      });
      if (k.shape[k.axis] > MAX_SCAN_AXIS)
        no(
          `a scan along ${k.shape[k.axis]} elements (one thread per element loops the axis; at most ${MAX_SCAN_AXIS})`,
        );
      exprs.push(k.body);
      break;
    case 'lib':
      if (k.op !== 'matmul') no(`library kernel ${k.op} has no gpu.js form`);
      for (const b of [...k.ins, ...k.outs]) {
        sizeOk(b);
        if (buffers[b].dtype.name !== 'float32') no(`matmul on ${buffers[b].dtype.name}`);
      }
      if ((k.params as unknown as MatmulParams).k > MAX_LOOP) no('a matmul contraction over 2^20 elements');
      return;
    default:
      no(`control flow (${k.kind}) runs on the host`);
  }
  sizeOk(k.out);
  const checker = new Checker(extents);
  for (const e of exprs) {
    walk(e, (n) => {
      if (n.k === 'load') sizeOk(n.buf);
    });
    checker.check(e);
  }
  if (k.kind === 'reduce' && !k.body.dt.isFloat && k.op === 'add') {
    const [lo, hi] = checker.interval(k.body);
    const n = k.redShape.reduce((a, d) => a * d, 1);
    if (Math.abs(lo * n) >= EXACT || Math.abs(hi * n) >= EXACT) no('an integer sum that may leave +-2^24');
  }
  if (k.kind === 'reduce' && !k.body.dt.isFloat && k.op === 'mul') no('an integer product');
}

/** Render kernel `k` (which `cannotRender` accepted) for gpu.js. */
export function renderGpuJs(k: Kernel, buffers: BufferInfo[]): GpuJsKernelSource {
  let lines: string[];
  let out: number;
  switch (k.kind) {
    case 'map':
      lines = renderMapK(k);
      out = k.out;
      break;
    case 'reduce':
      lines = renderReduceK(k);
      out = k.out;
      break;
    case 'argreduce':
      lines = renderArgReduceK(k);
      out = k.out;
      break;
    case 'scan':
      lines = renderScanK(k);
      out = k.out;
      break;
    case 'lib':
      lines = renderMatmulK(k);
      out = k.outs[0];
      break;
    default:
      throw new Error(`gpujs: cannot render ${k.kind}`);
  }
  const used = new Set<number>();
  for (const l of lines) for (const m of l.matchAll(/\bb(\d+)\[/g)) used.add(Number(m[1]));
  const params = [...used].sort((a, b) => a - b);
  const source = [
    `function (${['sp', ...params.map((p) => `b${p}`)].join(', ')}) {`,
    ...indent(lines, 1),
    '}',
  ].join('\n');
  return { params, source, size: buffers[out].size, out };
}
