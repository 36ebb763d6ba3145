/**
 * @file One kernel-IR node as a JavaScript expression, per dtype: the value-set wrapping (Math.fround
 * after every float32 op, rt.f16r for float16, integer widths, BigInt for 64-bit ints, 0/1 bools),
 * unary and binary operations with XLA's semantics, casts, bitcasts, loads and stores. codegen.ts
 * and js-emit.ts assemble these into kernels.
 *
 * uint32 values are carried as their int32 bit patterns (`x | 0`: loads, constants and results
 * alike), which V8 keeps in integer registers where `>>> 0` values above 2^31 would be heap
 * doubles; the unsigned value (`x >>> 0`) is taken only where it matters: comparisons, max/min,
 * division, conversion to floats and BigInts. Stores need nothing (Uint32Array stores wrap).
 */

import type { BinExpr, UnExpr } from '../../compile/kir.js';
import { INTEGER_IDENTITY, notDefinedOn } from '../../compile/op-domain.js';
import { type DType, INT_RANGE } from '../../core/dtype.js';

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
    case 'complex64':
    case 'complex128':
      throw new Error('complex values reach a renderer only as pairs of floats (compile/complex.ts)');
  }
}

export function bits(dt: DType): number {
  return dt.itemsize * 8;
}

/** The unsigned value of a uint32 (carried as its int32 bit pattern); other dtypes as they are. */
export function unsigned(dt: DType, x: string): string {
  return dt.name === 'uint32' ? `(${x} >>> 0)` : x;
}

export function literal(v: number | bigint, dt: DType): string {
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
  // float32 and float16 values: rint inline (a float32 >= 2^51 in magnitude is an integer).
  round_even_narrow: (x) =>
    `(Math.abs(${x}) < 2251799813685248 ? ((${x} + 6755399441055744) - 6755399441055744 || ${x} * 0) : ${x})`,
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

export function renderUnary(e: UnExpr, x: string): string {
  const dt = e.x.dt;
  if (e.op === 'is_finite') return `(Number.isFinite(${x}) ? 1 : 0)`;
  if (dt.isFloat) {
    // float32 (and float16, upcast) erf_inv is XLA's float32 polynomial; float64 is refined.
    if (e.op === 'erf_inv' && dt.name !== 'float64') {
      return dt.name === 'float32' ? `rt.erfinv32(${x})` : wrap(e.dt, `rt.erfinv32(${x})`);
    }
    const f = FLOAT_UNARY[e.op === 'round_even' && dt.name !== 'float64' ? 'round_even_narrow' : e.op];
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
  }
  if (INTEGER_IDENTITY.has(e.op)) return x;
  throw notDefinedOn('unary', e.op, dt.name);
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

/** Binary ops written `a OP b` and wrapped to the result dtype, where that is exact for the operands. */
const INFIX: Record<string, string> = {
  add: '+',
  sub: '-',
  mul: '*',
  div: '/',
  rem: '%',
  and: '&',
  or: '|',
  xor: '^',
};
const BIG_INFIX = new Set(['add', 'sub', 'mul', 'and', 'or', 'xor']);
const FLOAT_INFIX = new Set(['add', 'sub', 'mul', 'div', 'rem']);
const INT_INFIX = new Set(['add', 'sub', 'and', 'or', 'xor']);
/** Binary ops of floats written as a call `f(a, b)` and wrapped to the result dtype. */
const FLOAT_CALL: Record<string, string> = {
  pow: 'rt.pow',
  atan2: 'Math.atan2',
  polygamma: 'rt.polygamma',
  igamma: 'rt.igamma',
  igammac: 'rt.igammac',
  igamma_grad_a: 'rt.igammaGradA',
  random_gamma_grad: 'rt.randomGammaGrad',
};

export function renderBinary(e: BinExpr, a: string, b: string): string {
  const dt = e.a.dt;
  const out = e.dt;
  if (e.op in CMP) {
    if (e.op === 'eq' || e.op === 'ne') return `(${a} ${CMP[e.op]} ${b} ? 1 : 0)`;
    return `(${unsigned(dt, a)} ${CMP[e.op]} ${unsigned(dt, b)} ? 1 : 0)`;
  }
  if (dt.isBig) {
    if (BIG_INFIX.has(e.op)) return wrap(out, `${a} ${INFIX[e.op]} ${b}`);
    switch (e.op) {
      case 'div':
        return wrap(out, `rt.bdiv(${a}, ${b})`);
      case 'rem':
        return wrap(out, `rt.brem(${a}, ${b})`);
      case 'max':
        return `(${a} > ${b} ? ${a} : ${b})`;
      case 'min':
        return `(${a} < ${b} ? ${a} : ${b})`;
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
    if (FLOAT_INFIX.has(e.op)) return wrap(out, `${a} ${INFIX[e.op]} ${b}`);
    if (e.op in FLOAT_CALL) return wrap(out, `${FLOAT_CALL[e.op]}(${a}, ${b})`);
    switch (e.op) {
      case 'max':
        return `Math.max(${a}, ${b})`;
      case 'min':
        return `Math.min(${a}, ${b})`;
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
  if (INT_INFIX.has(e.op)) return wrap(out, `${a} ${INFIX[e.op]} ${b}`);
  switch (e.op) {
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
    case 'shl':
      // A constant in-range amount (threefry's rotations) needs no range check.
      if (constShift(e, n)) return wrap(out, `(${a} << ${b})`);
      return wrap(out, `rt.shl(${a}, ${b}, ${n})`);
    case 'shr_logical':
      if (constShift(e, n) && n === 32) return wrap(out, `(${a} >>> ${b})`);
      return wrap(out, `rt.shrl(${a}, ${b}, ${n})`);
    case 'shr_arith':
      // XLA shifts the bits as signed, also for unsigned types (the top bit fills in).
      if (constShift(e, n) && n === 32) return wrap(out, `(${signedOf(n, a)} >> ${b})`);
      return wrap(out, `rt.shra(${dt.kind === 'u' ? signedOf(n, a) : a}, ${b}, ${n})`);
  }
  throw new Error(`binary ${e.op} is not defined on ${dt.name}`);
}

/** A shift by a constant amount in [0, n): plain JavaScript (and WebAssembly) shifts are exact. */
export function constShift(e: BinExpr, n: number): boolean {
  return e.b.k === 'const' && typeof e.b.v === 'number' && e.b.v >= 0 && e.b.v < n;
}

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
    // rt.f2i inline: truncate, saturate at the range, NaN -> 0 (uint32 as its int32 bits).
    const [lo, hi] = INT_RANGE[to.name];
    return `(${x} >= ${hi} ? ${hi | 0} : ${x} <= ${lo} ? ${lo} : ${x} | 0)`;
  }
  return wrap(to, x);
}

export function renderBitcast(from: DType, to: DType, x: string): string {
  // Through the kernel's own pair of views (declared by renderKernel when used).
  if (from.name === 'float32') return `(F32_[0] = ${x}, I32_[0])`;
  if (to.name === 'float32') return `(I32_[0] = ${x}, F32_[0])`;
  if (from.name === 'float64')
    return to.name === 'uint64' ? `BigInt.asUintN(64, rt.f64bits(${x}))` : `rt.f64bits(${x})`;
  if (to.name === 'float64') return `rt.bitsf64(${x})`;
  if (from.name === 'float16') return wrap(to, `rt.f2h(${x})`);
  if (to.name === 'float16') return `rt.h2f(${x} & 65535)`;
  return wrap(to, x);
}

/** Loads: typed arrays give numbers; float16 is stored as bits. */
export function renderLoad(dt: DType, buf: string, idx: string): string {
  if (dt.name === 'float16') return `rt.h2f(${buf}[${idx}])`;
  if (dt.isBig) return `(${buf}[${idx}] ?? 0n)`;
  if (dt.name === 'uint32') return `(${buf}[${idx}] | 0)`;
  return `${buf}[${idx}]`;
}

export function renderStore(dt: DType, buf: string, idx: string, v: string): string {
  if (dt.name === 'float16') return `${buf}[${idx}] = rt.f2h(${v});`;
  return `${buf}[${idx}] = ${v};`;
}
