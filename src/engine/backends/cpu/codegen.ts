/**
 * @file Render kernel IR to JavaScript source. One kernel becomes one function
 * `(rt, b0, b1, ...) => void` over typed arrays. Loops follow the kernel's shape; every
 * expression node is emitted once (the IR is hash-consed) at the shallowest loop level where its
 * inputs are available, which hoists loop-invariant loads and arithmetic.
 *
 * Numeric semantics per dtype: float32 results are rounded with Math.fround after every op and
 * float16 with rt.f16r, so a fused kernel computes exactly what the same ops would eagerly;
 * integer results wrap to their width; int64/uint64 use BigInt; bools are 0/1.
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
      return `((${e}) >>> 0)`;
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

function literal(v: number | bigint, dt: DType): string {
  if (typeof v === 'bigint' || dt.isBig) return `${BigInt(v)}n`;
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
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
      return wrap(dt, `Math.abs(${x})`);
    case 'sign':
      return `Math.sign(${x})`;
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
  if (e.op in CMP) return `(${a} ${CMP[e.op]} ${b} ? 1 : 0)`;
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
      return wrap(out, `rt.idiv(${a}, ${b})`);
    case 'rem':
      return wrap(out, `rt.irem(${a}, ${b})`);
    case 'pow':
      return wrap(out, `rt.ipow(${a}, ${b})`);
    case 'max':
      return `Math.max(${a}, ${b})`;
    case 'min':
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

function constShift(e: BinExpr, n: number): boolean {
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
    return wrap(to, `BigInt(${x})`);
  }
  if (from.isBig)
    return wrap(
      to,
      `Number(${to.isFloat ? x : `BigInt.as${to.kind === 'u' ? 'Uint' : 'Int'}N(${bits(to)}, ${x})`})`,
    );
  if (to.isFloat) return wrap(to, x);
  if (from.isFloat) {
    const [lo, hi] = INT_RANGE[to.name];
    return `rt.f2i(${x}, ${lo}, ${hi})`;
  }
  return wrap(to, x);
}

function renderBitcast(from: DType, to: DType, x: string): string {
  if (from.name === 'float32') return to.name === 'uint32' ? `(rt.f32bits(${x}) >>> 0)` : `rt.f32bits(${x})`;
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
 * inside loop L (used for reduction results).
 */
function loopNest(
  loops: Loop[],
  em: Emitter,
  from: number,
  inner: string[],
  around: Map<number, { before: string[]; after: string[] }> = new Map(),
): string[] {
  const build = (L: number): string[] => {
    if (L === loops.length) return inner;
    const { v, extent, head = [] } = loops[L];
    const wrapIt = around.get(L + 1);
    const innerPart = wrapIt ? [...wrapIt.before, ...build(L + 1), ...wrapIt.after] : build(L + 1);
    return [
      `for (let ${v} = 0; ${v} < ${extent}; ${v}++) {`,
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
  const store = renderStore(outDt, `b${k.out}`, 'o++', v);
  const loops = vars.map((name, i) => ({ v: name, extent: k.shape[i] }));
  return ['let o = 0;', ...em.lines[0], ...loopNest(loops, em, 0, [store])];
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
          : String(INT_RANGE[dt.name][1]),
  // All ones: -1 in two's complement, the type's maximum for unsigned ints, true for bools.
  and: (dt) =>
    dt.isBool
      ? '1'
      : dt.isBig
        ? dt.kind === 'u'
          ? `${2n ** 64n - 1n}n`
          : '-1n'
        : dt.kind === 'u'
          ? String(INT_RANGE[dt.name][1])
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
      return dt.isBig ? `(${b} > ${a} ? ${b} : ${a})` : `Math.max(${a}, ${b})`;
    case 'min':
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
  const around = new Map([[nOut, { before: [`let acc = ${REDUCE_INIT[k.op](accDt)};`], after: finish }]]);
  const inner = [`acc = ${combine(k.op, accDt, 'acc', body)};`];
  return ['let o = 0;', ...em.lines[0], ...loopNest(loops, em, 0, inner, around)];
}

function renderArgReduce(k: ArgReduceKernel, valDt: DType, outDt: DType): string[] {
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const nOut = ovars.length;
  const em = new Emitter(varLevels([...ovars, 'r0']), nOut + 1);
  const v = em.emit(k.body);
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
  return ['let o = 0;', ...em.lines[0], ...loopNest(loops, em, 0, inner, around)];
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
  return [...em.lines[0], ...loopNest(loops, em, 0, inner, around)];
}

export interface RenderedKernel {
  /** Buffer ids the function takes, in parameter order. */
  params: number[];
  source: string;
}

export function renderKernel(k: Kernel, dtypeOf: (buf: number) => DType, accDtype?: DType): RenderedKernel {
  let lines: string[];
  switch (k.kind) {
    case 'map':
      lines = renderMap(k, dtypeOf(k.out));
      break;
    case 'reduce':
      lines = renderReduce(k, accDtype ?? k.body.dt, dtypeOf(k.out));
      break;
    case 'argreduce':
      lines = renderArgReduce(k, k.body.dt, dtypeOf(k.out));
      break;
    case 'scan':
      lines = renderScan(k, dtypeOf(k.out));
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
  const source = [`(rt, ${params.map((p) => `b${p}`).join(', ')}) => {`, ...indent(lines, 1), '}'].join('\n');
  return { params, source };
}
