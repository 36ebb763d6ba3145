/**
 * @file Render kernel-IR expressions to the JavaScript subset gpu.js compiles: operators, casts
 * and literals in float32, NaN and +-Infinity read from the `sp` argument (GLSL has no literals
 * for them; gpu.js writes FLT_MAX for `Infinity`), and the `Emitter` that hoists each hash-consed
 * node to the outermost loop where its inputs exist, as the CPU renderer (cpu/codegen.ts) does.
 */
import type { BinExpr, SExpr, UnExpr } from '../../compile/kir.js';
import { walk } from '../../compile/kir.js';
import { LevelEmitter } from '../../compile/level-emitter.js';
import { INFIX } from '../../compile/op-domain.js';
import type { DType } from '../../core/dtype.js';
import { CMP, RANGE } from './check.js';

const FLT_MAX = '3.4028234663852886e38';

export const NAN = 'sp[2]';
export const INF = 'sp[0]';
export const NINF = 'sp[1]';

export function literal(v: number | bigint): string {
  const x = Number(v);
  if (Number.isNaN(x)) return NAN;
  if (x === Number.POSITIVE_INFINITY) return INF;
  if (x === Number.NEGATIVE_INFINITY) return `(${NINF})`;
  if (Object.is(x, -0)) return '(-0.0)';
  return x < 0 ? `(${x})` : String(x);
}

/**
 * Emits nodes into loop levels (compile/level-emitter.ts; -1: thread level; k: inside the k-th
 * loop). Loop variables are renamed (`vars`); an operator's renderer may bind several temporaries.
 */
export class Emitter extends LevelEmitter {
  constructor(
    private readonly vars: Map<string, { name: string; level: number }>,
    depth: number,
    prefix = 't',
    accLevel = -1,
  ) {
    super(new Map([...vars].map(([v, { level }]) => [v, level])), depth + 1, prefix, 'acc', accLevel);
  }

  protected override varName(v: string): string {
    return this.vars.get(v)?.name ?? '0';
  }

  emit(e: SExpr, minLevel = -1): string {
    walk(e, (n) => {
      if (this.names.has(n.id) || this.nameLeaf(n, (c) => literal(c.v))) return;
      const name = this.nameOf;
      const level = this.levelFor(n, minLevel);
      const at = (code: string) => {
        const t = this.fresh();
        this.push(level, `const ${t} = ${code};`);
        return t;
      };
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

export type At = (code: string) => string;

/** Kahan's expm1/log1p: exact for tiny x without the series (GLSL's helpers cancel badly). */
function expm1(x: string, at: At): string {
  const u = at(`Math.exp(${x})`);
  const d = at(`${u} - 1`);
  return at(`(${u} === 1 ? ${x} : (${d} === -1 ? -1 : (${d} * ${x}) / Math.log(${u})))`);
}

export function renderUnary(e: UnExpr, x: string, at: At): string {
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

export function renderBinary(e: BinExpr, a: string, b: string, at: At): string {
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
  // The same operator on floats, integers and the bool ops that reach here.
  if (e.op in INFIX) return at(`${a} ${INFIX[e.op]} ${b}`);
  if (dt.isFloat) {
    switch (e.op) {
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

export function renderCast(from: DType, to: DType, x: string, at: At): string {
  if (to.isBool) return at(`(${x} !== 0 ? 1 : 0)`);
  if (to.isFloat) return x;
  if (from.isFloat) {
    const [lo, hi] = RANGE[to.name];
    return at(`(${x} !== ${x} ? 0 : (${x} <= ${lo} ? ${lo} : (${x} >= ${hi} ? ${hi} : Math.trunc(${x}))))`);
  }
  return x;
}

/** Split the flat thread index into the output multi-index (exact for sizes below 2^24). */
