/**
 * @file What gpu.js can run. Everything in gpu.js is float32, so `cannotRender` refuses what that
 * cannot honour: 64-bit and float16 types, bitcasts and bit operations on integers, special
 * functions gpu.js lacks, and integer values that may leave +-2^24 (an interval analysis bounds
 * every integer node from the loop extents and the dtype ranges of 8/16-bit loads; int32 loads are
 * unbounded, so kernels computing on int32 data run on the CPU). The renderer (render.ts) only sees
 * kernels this check accepted.
 */
import type { BinExpr, BufferInfo, Kernel, SExpr, UnExpr } from '../../compile/kir.js';
import { walk } from '../../compile/kir.js';
import type { MatmulParams } from '../../compile/matmul-layout.js';

/** Integers up to this magnitude are exact in float32. */
const EXACT = 2 ** 24;
/** A scan's thread loops over the whole axis; longer axes run on the CPU. */
export const MAX_SCAN_AXIS = 4096;
/** Largest reduction loop a thread runs (keeps GLSL loops and watchdog times sane). */
const MAX_LOOP = 1 << 20;

const VALUE_TYPES = new Set(['float32', 'bool', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32']);
/** Value ranges of the integer dtypes narrower than int32, which bound loads. */
export const RANGE: Record<string, [number, number]> = {
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
/** Comparison operators, as gpu.js writes them. */
export const CMP: Record<string, string> = { eq: '===', ne: '!==', lt: '<', le: '<=', gt: '>', ge: '>=' };

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
