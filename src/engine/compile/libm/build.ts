/**
 * @file The vocabulary the float32 libm (compile/libm) is written in: float32 and int32 kernel-IR
 * operations under short names, Horner's rule, and the error-free transformations of
 * double-float arithmetic (Dekker, "A floating-point technique for extending the available
 * precision", Numer. Math. 1971; Knuth, TAOCP vol. 2, 4.2.2; Muller et al., Handbook of
 * Floating-Point Arithmetic, ch. 4). There is no fused multiply-add: every product and sum is
 * rounded to float32 on its own, which is what JavaScript (Math.fround after every op),
 * WebAssembly SIMD (f32x4) and WGSL all compute alike.
 *
 * Special values are tested on the bits (int32 comparisons), never with float comparisons against
 * infinity or NaN: WGSL implementations may assume finite math.
 */
import { bool, float32, int32 } from '../../core/dtype.js';
import { type BinOp, bin, bitcast, cast, constant, rare, type SExpr, sel, un } from '../kir.js';

export type E = SExpr;

/** A float32 constant; the value must be a float32 (coefficients are stored rounded). */
export function f(v: number): E {
  if (Math.fround(v) !== v && !Number.isNaN(v)) throw new Error(`libm constant ${v} is not a float32`);
  return constant(v, float32);
}

export function i(v: number): E {
  return constant(v | 0, int32);
}

/** The bits of the float32 `v` as an int32 constant. */
export function fb(v: number): E {
  return i(new Int32Array(new Float32Array([v]).buffer)[0]);
}

/** The two-operand kernel-IR operations under their own names: `add(a, b)` is `bin('add', a, b)`. */
const binary =
  (op: BinOp) =>
  (a: E, b: E): E =>
    bin(op, a, b);
export const [add, sub, mul, div, max, min] = (['add', 'sub', 'mul', 'div', 'max', 'min'] as const).map(
  binary,
);
export const [lt, le, gt, ge, eq, ne] = (['lt', 'le', 'gt', 'ge', 'eq', 'ne'] as const).map(binary);
export const [or, and, xor] = (['or', 'and', 'xor'] as const).map(binary);
export const neg = (a: E): E => un('neg', a);
export const abs = (a: E): E => un('abs', a);
export const roundEven = (a: E): E => un('round_even', a);
export const not = (a: E): E => un('not', a);
export const shl = (a: E, n: number): E => bin('shl', a, i(n));
export const shr = (a: E, n: number): E => bin('shr_arith', a, i(n));
export const shru = (a: E, n: number): E => bin('shr_logical', a, i(n));
export const select = sel;
export { rare };

/** The bits of a float32 as int32, and back. */
export const bits = (x: E): E => bitcast(x, int32);
export const fromBits = (n: E): E => bitcast(n, float32);
/** int32 -> float32 (exact below 2^24), float32 -> int32 (truncating; inputs here are integers). */
export const toF = (n: E): E => cast(n, float32);
export const toI = (x: E): E => cast(x, int32);
export const isTrue = (b: E): E => (b.dt === bool ? b : ne(b, i(0)));

/** |x|'s bits: ordered as the magnitudes are, NaNs above +inf (0x7f800000). */
export const absBits = (x: E): E => and(bits(x), i(0x7fffffff));
/** x with the sign of s (bits). */
export const copySign = (x: E, s: E): E => fromBits(or(absBits(x), and(bits(s), i(-0x80000000))));
/** x with its sign flipped where `flip` (an int32) has bit 31 set. */
export const flipSign = (x: E, flip: E): E => fromBits(xor(bits(x), and(flip, i(-0x80000000))));
/** 2^n for an int32 n in [-126, 127]. */
export const pow2 = (n: E): E => fromBits(shl(add(n, i(127)), 23));

/** c[0] + x (c[1] + x (c[2] + ...)), lowest degree first. */
export function horner(x: E, c: readonly number[]): E {
  let p = f(c[c.length - 1]);
  for (let k = c.length - 2; k >= 0; k--) p = add(f(c[k]), mul(x, p));
  return p;
}

/** A double-float value hi + lo, |lo| <= ulp(hi) / 2. */
export interface DF {
  hi: E;
  lo: E;
}

/** a + b = s + e exactly, given |a| >= |b| or a = 0 (Dekker's Fast2Sum). */
export function fastTwoSum(a: E, b: E): DF {
  const s = add(a, b);
  return { hi: s, lo: sub(b, sub(s, a)) };
}

/** a + b = s + e exactly, for any a, b (Knuth's TwoSum). */
export function twoSum(a: E, b: E): DF {
  const s = add(a, b);
  const bb = sub(s, a);
  return { hi: s, lo: add(sub(a, sub(s, bb)), sub(b, bb)) };
}

/** x = hi + lo with hi the upper 12 significant bits (so products of halves are exact). */
export function split(x: E): DF {
  const hi = fromBits(and(bits(x), i(0xfffff000 | 0)));
  return { hi, lo: sub(x, hi) };
}

/** A float32 constant split as `split` does, at build time. */
export function splitConst(v: number): [number, number] {
  const b = new Float32Array([v]);
  new Uint32Array(b.buffer)[0] &= 0xfffff000;
  return [b[0], Math.fround(v - b[0])];
}

/** a * b = p + e exactly (Dekker's product); b a constant. */
export function twoProdConst(a: E, b: number): DF {
  const p = mul(a, f(b));
  const [bh, bl] = splitConst(b);
  const s = split(a);
  const e = add(add(add(sub(mul(s.hi, f(bh)), p), mul(s.hi, f(bl))), mul(s.lo, f(bh))), mul(s.lo, f(bl)));
  return { hi: p, lo: e };
}

/** a * b = p + e exactly (Dekker's product). */
export function twoProd(a: E, b: E): DF {
  const p = mul(a, b);
  const sa = split(a);
  const sb = split(b);
  const e = add(add(add(sub(mul(sa.hi, sb.hi), p), mul(sa.hi, sb.lo)), mul(sa.lo, sb.hi)), mul(sa.lo, sb.lo));
  return { hi: p, lo: e };
}

/**
 * (nh + nl) / (dh + dl), to within about half an ulp: the float32 quotient, corrected once by the
 * remainder computed exactly (Dekker's division step). nh - q dh must be exact (Sterbenz), so
 * nh + nl and dh + dl must be double-floats whose high parts carry the value.
 */
export function divDF(nh: E, nl: E, dh: E, dl: E): E {
  const q = div(add(nh, nl), add(dh, dl));
  const p = twoProd(q, dh);
  const rho = add(sub(sub(nh, p.hi), p.lo), sub(nl, mul(q, dl)));
  return add(q, div(rho, dh));
}
