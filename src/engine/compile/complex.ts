/**
 * @file Complex numbers in the kernel IR, legalized into real arithmetic.
 *
 * Lowering builds expressions of complex dtype freely: loads of complex buffers, constants (real
 * valued; `complex(re, im)` makes the others), the arithmetic and transcendental ops on complex
 * operands, selects, casts, and the part ops `real`, `imag`, `conj`. This pass runs on every
 * lowered program (compile/lower.ts) and rewrites all of it into real arithmetic before any
 * backend sees the program, so the JavaScript, WebAssembly, WGSL and gpu.js renderers never meet
 * a complex value:
 *
 * - a complex value is a pair of expressions of its part dtype (float32 for complex64);
 * - a complex buffer of n elements becomes a float buffer of 2n, real and imaginary parts
 *   interleaved, which is NumPy's memory layout, so NPY bytes are the device bytes;
 * - a kernel that writes complex values gets one more, innermost dimension of size 2, the lane
 *   (0: real part, 1: imaginary part), and its expression selects the part by the lane. The pair
 *   does not depend on the lane, so the CPU renderer hoists it out of the lane loop and computes
 *   each element once. A complex sum (a reduce or scan with `add`) is the sum of each lane.
 *
 * Formulas follow JAX's and XLA's complex lowerings: sin and cos are jax/_src/lax/lax.py's
 * `_sin_complex`/`_cos_complex` (expm1-based sinh and cosh), sqrt is XLA's (the branch on the sign
 * of the real part avoids cancellation), division is Smith's algorithm (CACM 5(8), 1962), and the
 * inverse functions are the principal branches through log1p and sqrt (Kahan's identities).
 */
import { type DType, int32, int64, realPart } from '../core/dtype.js';
import { cached } from '../core/memo.js';
import {
  type BinExpr,
  bin,
  bitcast,
  cast,
  constant,
  iconst,
  type Kernel,
  type KernelProgram,
  kernelInputs,
  kernelOutputs,
  load,
  rare,
  type SExpr,
  sel,
  tableAt,
  ter,
  type UnExpr,
  un,
  variable,
  walk,
} from './kir.js';

type Pair = readonly [SExpr, SExpr];

/** Library kernels that know the interleaved layout of complex buffers. */
export const COMPLEX_LIBS: ReadonlySet<string> = new Set(['fft', 'eig']);

/** Real arithmetic on expressions of one float dtype, with complex functions built from it. */
class ComplexMath {
  constructor(readonly R: DType) {}
  k(v: number): SExpr {
    return constant(v, this.R);
  }
  add = (a: SExpr, b: SExpr) => bin('add', a, b);
  sub = (a: SExpr, b: SExpr) => bin('sub', a, b);
  mul = (a: SExpr, b: SExpr) => bin('mul', a, b);
  div = (a: SExpr, b: SExpr) => bin('div', a, b);
  f = (op: Parameters<typeof un>[0], x: SExpr) => un(op, x);

  neg([a, b]: Pair): Pair {
    return [this.f('neg', a), this.f('neg', b)];
  }
  cadd([a, b]: Pair, [c, d]: Pair): Pair {
    return [this.add(a, c), this.add(b, d)];
  }
  csub([a, b]: Pair, [c, d]: Pair): Pair {
    return [this.sub(a, c), this.sub(b, d)];
  }
  cmul([a, b]: Pair, [c, d]: Pair): Pair {
    return [this.sub(this.mul(a, c), this.mul(b, d)), this.add(this.mul(a, d), this.mul(b, c))];
  }
  /**
   * Smith's algorithm (divide by the larger of |c| and |d| first, so no product overflows), with
   * XLA's special cases: a zero divisor gives (inf * a, inf * b) with the sign of c, an infinite
   * dividend over a finite divisor infinities, a finite dividend over an infinite divisor zeros.
   */
  cdiv([a, b]: Pair, [c, d]: Pair): Pair {
    const big = bin('ge', this.f('abs', c), this.f('abs', d));
    // |c| >= |d|: r = d / c, den = c + d r; else r = c / d, den = c r + d.
    const r1 = this.div(d, c);
    const den1 = this.add(c, this.mul(d, r1));
    const re1 = this.div(this.add(a, this.mul(b, r1)), den1);
    const im1 = this.div(this.sub(b, this.mul(a, r1)), den1);
    const r2 = this.div(c, d);
    const den2 = this.add(this.mul(c, r2), d);
    const re2 = this.div(this.add(this.mul(a, r2), b), den2);
    const im2 = this.div(this.sub(this.mul(b, r2), a), den2);
    let re = sel(big, re1, re2);
    let im = sel(big, im1, im2);
    const zero = this.k(0);
    const inf = this.k(Number.POSITIVE_INFINITY);
    const isInf = (x: SExpr) => bin('eq', this.f('abs', x), inf);
    const finite = (x: SExpr) => bin('lt', this.f('abs', x), inf);
    const unit = (x: SExpr, on: SExpr) => sel(on, this.copySign(this.k(1), x), zero);
    // An infinite dividend over a finite, nonzero divisor.
    const numInf = bin('and', bin('or', isInf(a), isInf(b)), bin('and', finite(c), finite(d)));
    const ai = unit(a, isInf(a));
    const bi = unit(b, isInf(b));
    re = sel(numInf, this.mul(inf, this.add(this.mul(ai, c), this.mul(bi, d))), re);
    im = sel(numInf, this.mul(inf, this.sub(this.mul(bi, c), this.mul(ai, d))), im);
    // A finite dividend over an infinite divisor.
    const denInf = bin('and', bin('or', isInf(c), isInf(d)), bin('and', finite(a), finite(b)));
    const ci = unit(c, isInf(c));
    const di = unit(d, isInf(d));
    re = sel(denInf, this.mul(zero, this.add(this.mul(a, ci), this.mul(b, di))), re);
    im = sel(denInf, this.mul(zero, this.sub(this.mul(b, ci), this.mul(a, di))), im);
    // A zero divisor.
    const denZero = bin('and', bin('eq', c, zero), bin('eq', d, zero));
    const s = this.copySign(inf, c);
    return [sel(denZero, this.mul(s, a), re), sel(denZero, this.mul(s, b), im)];
  }
  /** |x| with the sign of y (y's sign bit, so -0 counts as negative). */
  copySign(x: SExpr, y: SExpr): SExpr {
    const neg = bin(
      'lt',
      bitcast(y, this.R.name === 'float64' ? int64 : int32),
      this.R.name === 'float64' ? constant(0n, int64) : iconst(0),
    );
    const ax = this.f('abs', x);
    return sel(neg, this.f('neg', ax), ax);
  }
  /** |a + bi| without overflow or underflow: the larger part times sqrt(1 + (smaller/larger)^2). */
  abs([a, b]: Pair): SExpr {
    const x = this.f('abs', a);
    const y = this.f('abs', b);
    const m = bin('max', x, y);
    const n = bin('min', x, y);
    const r = this.div(n, m);
    const h = this.mul(m, this.f('sqrt', this.add(this.k(1), this.mul(r, r))));
    return sel(bin('eq', n, this.k(0)), m, sel(bin('eq', m, this.k(Number.POSITIVE_INFINITY)), m, h));
  }
  exp([a, b]: Pair): Pair {
    const e = this.f('exp', a);
    // exp(x + 0i) is real even where e is infinite (inf * cos 0 would be inf, inf * sin 0 NaN).
    const real = bin('eq', b, this.k(0));
    return [sel(real, e, this.mul(e, this.f('cos', b))), sel(real, b, this.mul(e, this.f('sin', b)))];
  }
  expm1([a, b]: Pair): Pair {
    // e^a cos b - 1 = expm1(a) cos b + (cos b - 1), and cos b - 1 = -2 sin^2(b/2).
    const s = this.f('sin', this.mul(b, this.k(0.5)));
    const re = this.sub(this.mul(this.f('expm1', a), this.f('cos', b)), this.mul(this.k(2), this.mul(s, s)));
    return [re, sel(bin('eq', b, this.k(0)), b, this.mul(this.f('exp', a), this.f('sin', b)))];
  }
  log(z: Pair): Pair {
    return [this.f('log', this.abs(z)), bin('atan2', z[1], z[0])];
  }
  log1p([a, b]: Pair): Pair {
    // Near zero, |1 + z|^2 = 1 + (2a + a^2 + b^2): log1p of the small part keeps its digits.
    const small = bin('lt', this.abs([a, b]), this.k(0.5));
    const t = this.add(this.mul(a, this.add(this.k(2), a)), this.mul(b, b));
    const reSmall = this.mul(this.k(0.5), this.f('log1p', t));
    const a1 = this.add(a, this.k(1));
    const reBig = this.f('log', this.abs([a1, b]));
    return [sel(small, reSmall, reBig), bin('atan2', b, a1)];
  }
  sqrt([a, b]: Pair): Pair {
    const t = this.f('sqrt', this.mul(this.add(this.f('abs', a), this.abs([a, b])), this.k(0.5)));
    const t2 = this.mul(this.k(2), t);
    const pos = bin('ge', a, this.k(0));
    const re = sel(pos, t, this.div(this.f('abs', b), t2));
    const im = sel(pos, this.div(b, t2), sel(bin('lt', b, this.k(0)), this.f('neg', t), t));
    const zero = bin('eq', t, this.k(0));
    return [sel(zero, this.k(0), re), sel(zero, b, im)];
  }
  /** sinh(b) and cosh(b) from expm1, as JAX's _sin_complex (no cancellation for small b). */
  private sinhCosh(b: SExpr): Pair {
    const e1 = this.f('expm1', b);
    const e2 = this.f('expm1', this.f('neg', b));
    const half = this.k(0.5);
    return [this.mul(this.sub(e1, e2), half), this.mul(this.add(this.add(e1, e2), this.k(2)), half)];
  }
  sin([a, b]: Pair): Pair {
    const [snh, csh] = this.sinhCosh(b);
    const im = this.mul(this.f('cos', a), snh);
    return [sel(bin('eq', a, this.k(0)), this.k(0), this.mul(this.f('sin', a), csh)), im];
  }
  cos([a, b]: Pair): Pair {
    const [snh, csh] = this.sinhCosh(b);
    const im = this.mul(this.f('neg', this.f('sin', a)), snh);
    return [this.mul(this.f('cos', a), csh), sel(bin('eq', a, this.k(0)), this.k(0), im)];
  }
  /** Multiply by i: i (a + bi) = -b + ai. */
  private timesI([a, b]: Pair): Pair {
    return [this.f('neg', b), a];
  }
  /** Multiply by -i: -i (a + bi) = b - ai. */
  private timesMinusI([a, b]: Pair): Pair {
    return [b, this.f('neg', a)];
  }
  sinh(z: Pair): Pair {
    return this.timesMinusI(this.sin(this.timesI(z)));
  }
  cosh(z: Pair): Pair {
    return this.cos(this.timesI(z));
  }
  tanh([a, b]: Pair): Pair {
    // (sinh a cosh a + i sin b cos b) / (sinh^2 a + cos^2 b): the denominator, cosh 2a + cos 2b
    // halved, written without the cancellation near the poles. For |a| > 20 the real part is
    // sign(a) to working precision and the imaginary part 4 sin b cos b e^{-2|a|} (the formula
    // would overflow).
    const sh = this.f('sinh', a);
    const cs = this.f('cos', b);
    const sn = this.f('sin', b);
    const den = this.add(this.mul(sh, sh), this.mul(cs, cs));
    const big = bin('gt', this.f('abs', a), this.k(20));
    const imBig = this.mul(
      this.mul(this.k(4), this.mul(sn, cs)),
      this.f('exp', this.mul(this.k(-2), this.f('abs', a))),
    );
    return [
      sel(big, this.f('sign', a), this.div(this.mul(sh, this.f('cosh', a)), den)),
      sel(big, imBig, this.div(this.mul(sn, cs), den)),
    ];
  }
  tan(z: Pair): Pair {
    return this.timesMinusI(this.tanh(this.timesI(z)));
  }
  /** asinh(w) = log1p(w + w^2 / (1 + sqrt(w^2 + 1))), on the half plane Re w >= 0 (it is odd). */
  asinh([a, b]: Pair): Pair {
    const flip = bin('lt', a, this.k(0));
    const w: Pair = [sel(flip, this.f('neg', a), a), sel(flip, this.f('neg', b), b)];
    const one: Pair = [this.k(1), this.k(0)];
    const w2 = this.cmul(w, w);
    const s = this.sqrt(this.cadd(w2, one));
    const u = this.cadd(w, this.cdiv(w2, this.cadd(one, s)));
    const r = this.log1p(u);
    return [sel(flip, this.f('neg', r[0]), r[0]), sel(flip, this.f('neg', r[1]), r[1])];
  }
  asin(z: Pair): Pair {
    return this.timesMinusI(this.asinh(this.timesI(z)));
  }
  acos(z: Pair): Pair {
    const s = this.asin(z);
    return [this.sub(this.k(Math.PI / 2), s[0]), this.f('neg', s[1])];
  }
  acosh(z: Pair): Pair {
    const one: Pair = [this.k(1), this.k(0)];
    const s = this.cmul(this.sqrt(this.cadd(z, one)), this.sqrt(this.csub(z, one)));
    return this.log(this.cadd(z, s));
  }
  atanh(z: Pair): Pair {
    const p = this.log1p(z);
    const m = this.log1p(this.neg(z));
    return [this.mul(this.k(0.5), this.sub(p[0], m[0])), this.mul(this.k(0.5), this.sub(p[1], m[1]))];
  }
  atan(z: Pair): Pair {
    return this.timesMinusI(this.atanh(this.timesI(z)));
  }
  sign(z: Pair): Pair {
    const m = this.abs(z);
    const zero = bin('eq', m, this.k(0));
    return [sel(zero, this.k(0), this.div(z[0], m)), sel(zero, this.k(0), this.div(z[1], m))];
  }
  pow(x: Pair, y: Pair): Pair {
    const r = this.exp(this.cmul(y, this.log(x)));
    // 0 ** y as XLA: 1 for y = 0, 0 for a real y > 0, else what exp(y log 0) gives (NaN).
    const xz = bin('and', bin('eq', x[0], this.k(0)), bin('eq', x[1], this.k(0)));
    const yz = bin('and', bin('eq', y[0], this.k(0)), bin('eq', y[1], this.k(0)));
    const yPos = bin('and', bin('gt', y[0], this.k(0)), bin('eq', y[1], this.k(0)));
    const re = sel(xz, sel(yz, this.k(1), sel(yPos, this.k(0), r[0])), r[0]);
    const im = sel(xz, sel(yz, this.k(0), sel(yPos, this.k(0), r[1])), r[1]);
    return [re, im];
  }
  /** NumPy's and XLA's order on complex numbers: lexicographic on (real, imaginary). */
  greater([a, b]: Pair, [c, d]: Pair): SExpr {
    return bin('or', bin('gt', a, c), bin('and', bin('eq', a, c), bin('gt', b, d)));
  }
}

/** Unary ops that ComplexMath implements under their own name. */
const DIRECT = [
  ...['neg', 'sign', 'exp', 'expm1', 'log', 'log1p', 'sqrt'],
  ...['sin', 'cos', 'tan', 'sinh', 'cosh', 'tanh', 'asin', 'acos', 'atan', 'asinh', 'acosh', 'atanh'],
] as const;

const UNARY: Record<string, ((m: ComplexMath, z: Pair) => Pair) | undefined> = {
  ...Object.fromEntries(DIRECT.map((op) => [op, (m: ComplexMath, z: Pair) => m[op](z)])),
  conj: (m, [a, b]) => [a, m.f('neg', b)],
  exp2: (m, z) => m.exp(m.cmul([m.k(Math.LN2), m.k(0)], z)),
  rsqrt: (m, z) => m.cdiv([m.k(1), m.k(0)], m.sqrt(z)),
  logistic: (m, z) => m.cdiv([m.k(1), m.k(0)], m.cadd([m.k(1), m.k(0)], m.exp(m.neg(z)))),
};

const BINARY: Record<string, ((m: ComplexMath, x: Pair, y: Pair) => Pair) | undefined> = {
  add: (m, x, y) => m.cadd(x, y),
  sub: (m, x, y) => m.csub(x, y),
  mul: (m, x, y) => m.cmul(x, y),
  div: (m, x, y) => m.cdiv(x, y),
  pow: (m, x, y) => m.pow(x, y),
  max: (m, x, y) => {
    const g = bin('or', m.greater(x, y), bin('ne', x[0], x[0]));
    return [sel(g, x[0], y[0]), sel(g, x[1], y[1])];
  },
  // XLA's complex atan2(y, x) = -i log((x + i y) / sqrt(x^2 + y^2)).
  atan2: (m, y, x) => {
    const num = m.cadd(x, [m.f('neg', y[1]), y[0]]);
    const den = m.sqrt(m.cadd(m.cmul(x, x), m.cmul(y, y)));
    const [a, b] = m.log(m.cdiv(num, den));
    return [b, m.f('neg', a)];
  },
  min: (m, x, y) => {
    const g = bin('or', m.greater(y, x), bin('ne', x[0], x[0]));
    return [sel(g, x[0], y[0]), sel(g, x[1], y[1])];
  },
};

function unsupported(what: string): never {
  throw new TypeError(`${what} is not supported for complex operands`);
}

/** Rewrites the expressions of one program; memoized per node id. */
class Legalizer {
  private readonly reals = new Map<number, SExpr>();
  private readonly pairs = new Map<number, Pair>();
  private readonly math = new Map<DType, ComplexMath>();

  private mathOf(dt: DType): ComplexMath {
    const R = realPart(dt);
    return cached(this.math, R, () => new ComplexMath(R));
  }

  /** The rewritten form of a real-valued expression. */
  real(e: SExpr): SExpr {
    if (e.dt.isComplex) throw new Error('internal: a complex expression where a real one is expected');
    return cached(this.reals, e.id, () => this.realUncached(e));
  }

  private realUncached(e: SExpr): SExpr {
    switch (e.k) {
      case 'const':
      case 'var':
      case 'acc':
        return e;
      case 'load':
        return load(e.buf, this.real(e.idx), e.dt);
      case 'un':
        return this.realUnary(e);
      case 'bin':
        return this.realBinary(e);
      case 'ter':
        return ter(e.op, this.real(e.a), this.real(e.b), this.real(e.c), e.dt);
      case 'sel':
        return (e.rare ? rare : sel)(this.real(e.c), this.real(e.a), this.real(e.b));
      case 'table':
        return tableAt(e.table, this.real(e.idx));
      case 'cast': {
        if (!e.x.dt.isComplex) return cast(this.real(e.x), e.dt);
        const [re, im] = this.pair(e.x);
        // To bool: nonzero when either part is (x != 0); to a number: the real part (XLA's convert).
        if (e.dt.isBool)
          return bin('or', bin('ne', re, constant(0, re.dt)), bin('ne', im, constant(0, im.dt)));
        return cast(re, e.dt);
      }
      case 'bitcast':
        if (e.x.dt.isComplex) unsupported('bitcast_convert_type');
        return bitcast(this.real(e.x), e.dt);
    }
  }

  private realUnary(e: UnExpr): SExpr {
    if (!e.x.dt.isComplex) return un(e.op, this.real(e.x), e.dt);
    const z = this.pair(e.x);
    switch (e.op) {
      case 'real':
        return cast(z[0], e.dt);
      case 'imag':
        return cast(z[1], e.dt);
      case 'abs':
        return cast(this.mathOf(e.x.dt).abs(z), e.dt);
    }
    return unsupported(e.op);
  }

  private realBinary(e: BinExpr): SExpr {
    if (!e.a.dt.isComplex) return bin(e.op, this.real(e.a), this.real(e.b), e.dt);
    const [a, b] = this.pair(e.a);
    const [c, d] = this.pair(e.b);
    if (e.op === 'eq') return bin('and', bin('eq', a, c), bin('eq', b, d));
    if (e.op === 'ne') return bin('or', bin('ne', a, c), bin('ne', b, d));
    return unsupported(e.op);
  }

  /** The (real part, imaginary part) of a complex-valued expression. */
  pair(e: SExpr): Pair {
    if (!e.dt.isComplex) throw new Error('internal: a real expression where a complex one is expected');
    return cached(this.pairs, e.id, () => this.pairUncached(e));
  }

  private pairUncached(e: SExpr): Pair {
    const R = realPart(e.dt);
    const m = this.mathOf(e.dt);
    switch (e.k) {
      case 'const':
        return [constant(e.v, R), m.k(0)];
      case 'load': {
        const at = bin('mul', this.real(e.idx), iconst(2));
        return [load(e.buf, at, R), load(e.buf, bin('add', at, iconst(1)), R)];
      }
      case 'sel': {
        const c = this.real(e.c);
        const [a0, a1] = this.pair(e.a);
        const [b0, b1] = this.pair(e.b);
        const s = e.rare ? rare : sel;
        return [s(c, a0, b0), s(c, a1, b1)];
      }
      case 'cast': {
        if (e.x.dt.isComplex) {
          const [a, b] = this.pair(e.x);
          return [cast(a, R), cast(b, R)];
        }
        return [cast(this.real(e.x), R), m.k(0)];
      }
      case 'un': {
        const f = UNARY[e.op];
        if (!f) return unsupported(e.op);
        return f(m, this.pair(e.x));
      }
      case 'bin': {
        if (e.op === 'complex') return [cast(this.real(e.a), R), cast(this.real(e.b), R)];
        const f = BINARY[e.op];
        if (!f) return unsupported(e.op);
        return f(m, this.pair(e.a), this.pair(e.b));
      }
      default:
        throw new Error(`internal: complex ${e.k} expression`);
    }
  }

  /** A kernel body writing complex values, as one value per lane of a trailing dimension of 2. */
  lanes(e: SExpr, laneVar: number): SExpr {
    const [re, im] = this.pair(e);
    return sel(bin('eq', variable(`i${laneVar}`), iconst(0)), re, im);
  }
}

function legalizeKernel(k: Kernel, L: Legalizer, isComplex: (buf: number) => boolean): Kernel {
  switch (k.kind) {
    case 'map':
      if (isComplex(k.out)) return { ...k, shape: [...k.shape, 2], expr: L.lanes(k.expr, k.shape.length) };
      return { ...k, expr: L.real(k.expr) };
    case 'reduce':
      if (k.epilogue) throw new Error('internal: complex legalization runs before epilogue fusion');
      if (k.body.dt.isComplex) {
        if (k.op !== 'add') unsupported(`reduce_${k.op}`);
        return { ...k, outShape: [...k.outShape, 2], body: L.lanes(k.body, k.outShape.length) };
      }
      return { ...k, body: L.real(k.body) };
    case 'argreduce':
      if (k.body.dt.isComplex) unsupported(k.op);
      return { ...k, body: L.real(k.body) };
    case 'scan':
      if (k.body.dt.isComplex) {
        if (k.op !== 'add') unsupported(`cum${k.op === 'mul' ? 'prod' : k.op}`);
        return { ...k, shape: [...k.shape, 2], body: L.lanes(k.body, k.shape.length) };
      }
      return { ...k, body: L.real(k.body) };
    case 'lib':
      if (!COMPLEX_LIBS.has(k.op) && [...k.ins, ...k.outs].some(isComplex)) unsupported(k.op);
      return k;
    default:
      // Control flow: the nested programs were legalized when they were lowered.
      return k;
  }
}

/** The scalar expressions of a kernel (control kernels have none of their own). */
function kernelExprs(k: Kernel): SExpr[] {
  switch (k.kind) {
    case 'map':
      return [k.expr];
    case 'reduce':
      return k.epilogue ? [k.body, k.epilogue] : [k.body];
    case 'argreduce':
    case 'scan':
      return [k.body];
    default:
      return [];
  }
}

/** Whether a kernel reads, writes or computes any complex value (most do not, and stay as they are). */
function touchesComplex(k: Kernel, isComplex: (buf: number) => boolean): boolean {
  if ([...kernelInputs(k), ...kernelOutputs(k)].some(isComplex)) return true;
  let found = false;
  const seen = new Set<number>();
  for (const e of kernelExprs(k))
    walk(
      e,
      (n) => {
        if (n.dt.isComplex) found = true;
      },
      seen,
    );
  return found;
}

/** Rewrite a lowered program's complex values into float pairs (see the file comment). */
export function legalizeComplex(p: KernelProgram): KernelProgram {
  const complexBufs = new Set(p.buffers.filter((b) => b.dtype.isComplex).map((b) => b.id));
  const isComplex = (b: number) => complexBufs.has(b);
  const touched = p.kernels.map((k) => touchesComplex(k, isComplex));
  if (complexBufs.size === 0 && !touched.some(Boolean)) return p;
  const L = new Legalizer();
  const kernels = p.kernels.map((k, i) => (touched[i] ? legalizeKernel(k, L, isComplex) : k));
  const buffers = p.buffers.map((b) =>
    b.dtype.isComplex ? { ...b, dtype: realPart(b.dtype), size: 2 * b.size } : b,
  );
  return { ...p, buffers, kernels };
}
