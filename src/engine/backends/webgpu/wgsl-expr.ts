/**
 * @file Render kernel-IR expressions (compile/kir.ts) to WGSL: unary, binary, cast and bitcast
 * operators with XLA's semantics, loads and stores, and the `Emitter` that places every
 * hash-consed node once, at the shallowest loop level where its inputs are available, as the CPU
 * emitter (backends/cpu/codegen.ts) does.
 */

import type { BinExpr, SExpr, UnExpr } from '../../compile/kir.js';
import { walk } from '../../compile/kir.js';
import { LevelEmitter } from '../../compile/level-emitter.js';
import { INFIX, INTEGER_IDENTITY, notDefinedOn } from '../../compile/op-domain.js';
import { type DType, INT_RANGE } from '../../core/dtype.js';
import { bits, checkDtype, literal, vtype, wrap } from './wgsl-dtype.js';
import { Helpers } from './wgsl-helpers.js';

const FLOAT_UNARY: Record<string, (x: string, h: Helpers) => string> = {
  neg: (x) => `-(${x})`,
  sign: (x, h) => `${h.use('h_sign')}(${x})`,
  floor: (x) => `floor(${x})`,
  ceil: (x) => `ceil(${x})`,
  round_away: (x, h) => `${h.use('h_round_away')}(${x})`,
  round_even: (x) => `round(${x})`,
  abs: (x) => `abs(${x})`,
  exp: (x) => `exp(${x})`,
  exp2: (x) => `exp2(${x})`,
  log: (x) => `log(${x})`,
  log1p: (x, h) => `${h.use('h_log1p')}(${x})`,
  expm1: (x, h) => `${h.use('h_expm1')}(${x})`,
  sqrt: (x) => `sqrt(${x})`,
  rsqrt: (x) => `(1.0f / sqrt(${x}))`,
  cbrt: (x, h) => `${h.use('h_cbrt')}(${x})`,
  sin: (x) => `sin(${x})`,
  cos: (x) => `cos(${x})`,
  tan: (x) => `tan(${x})`,
  asin: (x, h) => `${h.use('h_asin')}(${x})`,
  acos: (x, h) => `${h.use('h_acos')}(${x})`,
  atan: (x, h) => `${h.use('h_atan')}(${x})`,
  sinh: (x, h) => `${h.use('h_sinh')}(${x})`,
  cosh: (x, h) => `${h.use('h_cosh')}(${x})`,
  tanh: (x, h) => `${h.use('h_tanh')}(${x})`,
  asinh: (x, h) => `${h.use('h_asinh')}(${x})`,
  acosh: (x, h) => `${h.use('h_acosh')}(${x})`,
  atanh: (x, h) => `${h.use('h_atanh')}(${x})`,
  logistic: (x, h) => `${h.use('h_logistic')}(${x})`,
  erf: (x, h) => `${h.use('h_erf')}(${x})`,
  erfc: (x, h) => `${h.use('h_erfc')}(${x})`,
  erf_inv: (x, h) => `${h.use('h_erfinv')}(${x})`,
  lgamma: (x, h) => `${h.use('h_lgamma')}(${x})`,
  digamma: (x, h) => `${h.use('h_digamma')}(${x})`,
};

function renderUnary(e: UnExpr, x: string, h: Helpers): string {
  const dt = e.x.dt;
  if (e.op === 'is_finite') return `${h.use('h_isfinite')}(${x})`;
  if (dt.isFloat) {
    const f = FLOAT_UNARY[e.op];
    if (!f) throw notDefinedOn('unary', e.op, dt.name);
    return wrap(e.dt, f(x, h));
  }
  if (dt.isBool) {
    if (e.op === 'not') return `!(${x})`;
    throw notDefinedOn('unary', e.op, 'bool');
  }
  const signed = dt.kind !== 'u';
  const n = bits(dt);
  switch (e.op) {
    case 'neg':
      return wrap(dt, signed ? `(0i - ${x})` : `(0u - ${x})`);
    case 'abs':
      return signed ? wrap(dt, `select(${x}, 0i - ${x}, ${x} < 0i)`) : x;
    case 'sign':
      return signed ? `sign(${x})` : `min(${x}, 1u)`;
    case 'not':
      return wrap(dt, `(~${x})`);
    case 'population_count': {
      const u = signed ? `bitcast<u32>(${x})` : x;
      const m = n === 32 ? u : `(${u} & ${(2 ** n - 1) >>> 0}u)`;
      return signed ? `i32(countOneBits(${m}))` : `countOneBits(${m})`;
    }
    case 'clz': {
      const u = signed ? `bitcast<u32>(${x})` : x;
      const m = n === 32 ? u : `(${u} & ${(2 ** n - 1) >>> 0}u)`;
      const c = `(countLeadingZeros(${m}) - ${32 - n}u)`;
      return signed ? `i32${c}` : c;
    }
  }
  if (INTEGER_IDENTITY.has(e.op)) return x;
  throw notDefinedOn('unary', e.op, dt.name);
}

const CMP: Record<string, string> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

function renderBinary(e: BinExpr, a: string, b: string, h: Helpers): string {
  const dt = e.a.dt;
  const out = e.dt;
  if (e.op in CMP) {
    if (dt.isBool) return `(u32(${a}) ${CMP[e.op]} u32(${b}))`;
    return `(${a} ${CMP[e.op]} ${b})`;
  }
  if (dt.isBool) {
    switch (e.op) {
      case 'add':
      case 'or':
      case 'max':
        return `(${a} || ${b})`;
      case 'mul':
      case 'and':
      case 'min':
        return `(${a} && ${b})`;
      case 'xor':
      case 'sub':
        return `(${a} != ${b})`;
    }
    throw notDefinedOn('binary', e.op, 'bool');
  }
  // The same operator on floats and integers, wrapped to the narrow types either way.
  if (e.op in INFIX) return wrap(out, `(${a} ${INFIX[e.op]} ${b})`);
  if (dt.isFloat) {
    const f = (s: string) => wrap(out, s);
    switch (e.op) {
      case 'div':
        return f(`(${a} / ${b})`);
      case 'rem':
        return f(`(${a} % ${b})`);
      case 'pow':
        return f(`${h.use('h_pow')}(${a}, ${b})`);
      case 'max':
        return `${h.use('h_fmax')}(${a}, ${b})`;
      case 'min':
        return `${h.use('h_fmin')}(${a}, ${b})`;
      case 'atan2':
        return f(`${h.use('h_atan2')}(${a}, ${b})`);
      case 'polygamma':
        return f(`${h.use('h_polygamma')}(${a}, ${b})`);
      case 'igamma':
      case 'igammac':
      case 'igamma_grad_a':
      case 'random_gamma_grad':
        return f(`${h.use(`h_${e.op}`)}(${a}, ${b})`);
      case 'nextafter':
        return dt.name === 'float16'
          ? `${h.use('h_nextafter16')}(${a}, ${b})`
          : `${h.use('h_nextafter')}(${a}, ${b})`;
    }
    throw notDefinedOn('binary', e.op, dt.name);
  }
  const signed = dt.kind !== 'u';
  const n = bits(dt);
  const w = (s: string) => wrap(out, s);
  const shiftIn = (s: string) => (signed ? `u32(${s})` : s);
  switch (e.op) {
    case 'div':
      return w(signed ? `${h.use('h_idiv')}(${a}, ${b})` : `${h.use('h_udiv')}(${a}, ${b})`);
    case 'rem':
      return w(signed ? `${h.use('h_irem')}(${a}, ${b})` : `${h.use('h_urem')}(${a}, ${b})`);
    case 'pow':
      return w(signed ? `${h.use('h_ipow')}(${a}, ${b})` : `${h.use('h_upow')}(${a}, ${b})`);
    case 'max':
      return `max(${a}, ${b})`;
    case 'min':
      return `min(${a}, ${b})`;
    case 'and':
      return `(${a} & ${b})`;
    case 'or':
      return `(${a} | ${b})`;
    case 'xor':
      return `(${a} ^ ${b})`;
    case 'shl': {
      const zero = signed ? '0i' : '0u';
      const oob = signed ? `(${b} < 0i || ${b} >= ${n}i)` : `(${b} >= ${n}u)`;
      return `select(${w(`(${a} << ${shiftIn(b)})`)}, ${zero}, ${oob})`;
    }
    case 'shr_logical': {
      const mask = n === 32 ? 'ua' : `(ua & ${(2 ** n - 1) >>> 0}u)`;
      const ua = signed ? `bitcast<u32>(${a})` : a;
      const shifted = `(${mask.replace('ua', ua)} >> ${shiftIn(b)})`;
      const res = signed ? `bitcast<i32>${shifted}` : shifted;
      const zero = signed ? '0i' : '0u';
      const oob = signed ? `(${b} < 0i || ${b} >= ${n}i)` : `(${b} >= ${n}u)`;
      return `select(${w(res)}, ${zero}, ${oob})`;
    }
    case 'shr_arith': {
      // XLA shifts the bits as signed, also for unsigned types (the top bit fills in).
      const sa = signed
        ? a
        : n === 32
          ? `bitcast<i32>(${a})`
          : `((bitcast<i32>(${a}) << ${32 - n}u) >> ${32 - n}u)`;
      const amt = signed
        ? `select(u32(${b}), ${n - 1}u, ${b} < 0i || ${b} >= ${n}i)`
        : `select(${b}, ${n - 1}u, ${b} >= ${n}u)`;
      const r = `(${sa} >> ${amt})`;
      return signed ? w(r) : w(`bitcast<u32>${r}`);
    }
  }
  throw notDefinedOn('binary', e.op, dt.name);
}

export function renderCast(from: DType, to: DType, x: string, h: Helpers): string {
  if (to.isBool) {
    if (from.isBool) return x;
    return from.isFloat ? `(${x} != 0.0f)` : `(${x} != ${from.kind === 'u' ? '0u' : '0i'})`;
  }
  const tt = vtype(to);
  if (from.isBool) return to.isFloat ? `select(0.0f, 1.0f, ${x})` : `${tt}(${x})`;
  if (to.isFloat) return wrap(to, from.isFloat ? x : `f32(${x})`);
  if (from.isFloat) {
    const [lo, hi] = INT_RANGE[to.name];
    return to.kind === 'u'
      ? `${h.use('h_f2u')}(${x}, ${hi}u)`
      : `${h.use('h_f2i')}(${x}, ${literal(lo, to)}, ${hi}i)`;
  }
  const fromT = vtype(from);
  const conv = fromT === tt ? x : `bitcast<${tt}>(${x})`;
  return wrap(to, conv);
}

function renderBitcast(from: DType, to: DType, x: string): string {
  if (from.name === 'float16') {
    const bitsU = `(pack2x16float(vec2<f32>(${x}, 0.0f)) & 0xffffu)`;
    return to.kind === 'u' ? bitsU : wrap(to, `bitcast<i32>${bitsU}`);
  }
  if (to.name === 'float16') {
    const u = from.kind === 'u' ? x : `bitcast<u32>(${x})`;
    return `unpack2x16float(${u} & 0xffffu).x`;
  }
  if (from.isBool || to.isBool) return renderCast(from, to, x, new Helpers());
  return wrap(to, `bitcast<${vtype(to)}>(${x})`);
}

function renderLoad(dt: DType, buf: string, idx: string): string {
  return dt.isBool ? `(${buf}[${idx}] != 0u)` : `${buf}[${idx}]`;
}

export function renderStore(dt: DType, buf: string, idx: string, v: string): string {
  return dt.isBool ? `${buf}[${idx}] = select(0u, 1u, ${v});` : `${buf}[${idx}] = ${v};`;
}

/**
 * Emits expression nodes into loop levels (compile/level-emitter.ts), as the CPU emitter does.
 * Level -1 is before all loops (after the thread's output indices are known); level k is inside
 * the k-th loop.
 */
export class Emitter extends LevelEmitter {
  readonly bufs = new Set<number>();
  constructor(
    readonly helpers: Helpers,
    varLevel: Map<string, number>,
    depth: number,
    prefix = 't',
    accName: string | null = null,
    accLevel = -1,
  ) {
    super(varLevel, depth + 1, prefix, accName, accLevel);
  }

  emit(e: SExpr, minLevel = -1): string {
    walk(e, (n) => {
      if (this.names.has(n.id)) return;
      if (n.k === 'const') checkDtype(n.dt);
      if (this.nameLeaf(n, (c) => literal(c.v, c.dt))) return;
      this.bind(n, minLevel, (t) => `let ${t}: ${vtype(n.dt)} = ${this.code(n)};`);
    });
    return this.names.get(e.id)!;
  }

  /** The WGSL of one node whose inputs are named. */
  private code(n: SExpr): string {
    const h = this.helpers;
    const name = this.nameOf;
    switch (n.k) {
      case 'load':
        checkDtype(n.dt);
        this.bufs.add(n.buf);
        return renderLoad(n.dt, `b${n.buf}`, name(n.idx));
      case 'table':
        h.tables.set(n.table.name, n.table);
        return `T_${n.table.name}[${name(n.idx)}]`;
      case 'un':
        return renderUnary(n, name(n.x), h);
      case 'bin':
        return renderBinary(n, name(n.a), name(n.b), h);
      case 'ter':
        // betainc, the only ternary op.
        return wrap(n.dt, `${h.use(`h_${n.op}`)}(${name(n.a)}, ${name(n.b)}, ${name(n.c)})`);
      case 'sel':
        return `select(${name(n.b)}, ${name(n.a)}, ${name(n.c)})`;
      case 'cast':
        checkDtype(n.dt);
        return renderCast(n.x.dt, n.dt, name(n.x), h);
      case 'bitcast':
        checkDtype(n.dt);
        return renderBitcast(n.x.dt, n.dt, name(n.x));
      default:
        throw new Error(`no code for a ${n.k} node`);
    }
  }
}
