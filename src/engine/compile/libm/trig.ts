/**
 * @file float32 sin, cos and tan as kernel IR. The argument is reduced to r = x - k pi/2, held as
 * a double-float rh + rl (so that r is right to far more than 24 bits even when x is close to a
 * multiple of pi/2), and the quadrant k mod 4 picks sin r or cos r and the sign.
 *
 * Two reductions (the scheme of fdlibm's __ieee754_rem_pio2f and of the Payne-Hanek reduction,
 * M. Payne and R. Hanek, "Radian reduction for trigonometric functions", SIGNUM Newsletter 1983):
 * - |x| < 4096: Cody and Waite. pi/2 is split into pieces on fixed binary grids (PIO2_CW), the
 *   first four with at most 12 significant bits, so k * piece is exact for |k| < 2^12;
 *   x - k P1 - k P2 is then exact too, and the next two subtractions are exact or, when they
 *   round, Fast2Sum keeps their error.
 * - |x| >= 4096 (rare: a `rare` select, so the renderers compute it only where needed): in
 *   integers. x = m 2^s with m a 24-bit integer, and x 2/pi mod 4 = m (2^s 2/pi mod 4) mod 4;
 *   a table holds 2^s 2/pi mod 4 for every s as seven 12-bit limbs (84 bits: 2 integer bits and
 *   82 fraction bits, from the binary expansion of 2/pi), and m times them is 13 int32 products of
 *   12-bit halves with carries. The top bits are the quadrant; the fraction, at least 2^-40 for
 *   every float32 x, becomes a double-float and is multiplied by pi/2 with Dekker's product.
 *
 * Then sin r = r + r^3 S(r^2) and cos r = 1 - r^2/2 + r^4 C(r^2) (minimax, scripts/
 * make_libm_coeffs.py), with fdlibm's way of adding up 1 - r^2/2 and the terms of rl.
 */
import { type Table, tableAt } from '../kir.js';
import {
  absBits,
  add,
  and,
  bits,
  type DF,
  divDF,
  type E,
  f,
  fastTwoSum,
  flipSign,
  ge,
  horner,
  i,
  lt,
  max,
  min,
  mul,
  ne,
  neg,
  or,
  rare,
  roundEven,
  select,
  shl,
  shr,
  shru,
  sub,
  toF,
  toI,
  twoProdConst,
} from './build.js';
import { COS, PIO2_CW, PIO2_HI, PIO2_LO, SIN, TWO_OVER_PI, TWO_OVER_PI_HEX } from './coeffs.js';

/** x = (k + f) pi/2: r = f pi/2 as a double-float, and k (int32; only k mod 4 matters). */
interface Reduced {
  r: DF;
  q: E;
}

/** |x| >= 4096 (and finite): the Payne-Hanek reduction. */
const CW_LIMIT = 0x45800000;
const INF_BITS = 0x7f800000;
/** The exponents s (x = m 2^s, m in [2^23, 2^24)) of finite float32 values >= 4096. */
const S_MIN = -11;
const S_MAX = 104;
const LIMBS = 7;

function codyWaite(x: E): Reduced {
  const kf = roundEven(mul(x, f(TWO_OVER_PI)));
  const [p1, p2, p3, p4, p5] = PIO2_CW;
  const r2 = sub(sub(x, mul(kf, f(p1))), mul(kf, f(p2)));
  const a = fastTwoSum(r2, neg(mul(kf, f(p3))));
  const b = fastTwoSum(a.hi, neg(mul(kf, f(p4))));
  const l = sub(add(a.lo, b.lo), mul(kf, f(p5)));
  return { r: fastTwoSum(b.hi, l), q: toI(kf) };
}

let limbTable: Table | null = null;

/** Row s - S_MIN: floor(2^s 2/pi 2^82) mod 2^84 as seven 12-bit limbs, most significant first. */
export function twoOverPiLimbs(): Table {
  if (limbTable) return limbTable;
  const bitsOf = BigInt(`0x${TWO_OVER_PI_HEX}`);
  const values = new Int32Array((S_MAX - S_MIN + 1) * LIMBS);
  for (let s = S_MIN; s <= S_MAX; s++) {
    // 2^s 2/pi 2^82 = bitsOf 2^(s + 82 - 256).
    const w = (bitsOf >> BigInt(174 - s)) & ((1n << 84n) - 1n);
    for (let j = 0; j < LIMBS; j++) {
      values[(s - S_MIN) * LIMBS + j] = Number((w >> BigInt(12 * (LIMBS - 1 - j))) & 0xfffn);
    }
  }
  limbTable = { name: 'two_over_pi_limbs', values };
  return limbTable;
}

function payneHanek(x: E): Reduced {
  const u = absBits(x);
  const s = sub(shru(u, 23), i(150));
  const row = mul(sub(max(min(s, i(S_MAX)), i(S_MIN)), i(S_MIN)), i(LIMBS));
  const m = or(and(u, i(0x7fffff)), i(0x800000));
  const m1 = shru(m, 12);
  const m0 = and(m, i(0xfff));
  const table = twoOverPiLimbs();
  const w = Array.from({ length: LIMBS }, (_, j) => tableAt(table, add(row, i(j))));
  // Column c (weight 2^(12c - 82)): m0 w[6 - c] + m1 w[7 - c]; m1 w[0] is a multiple of 4.
  const col: E[] = [];
  for (let c = 0; c < LIMBS; c++) {
    const lo = mul(m0, w[LIMBS - 1 - c]);
    col.push(c === 0 ? lo : add(lo, mul(m1, w[LIMBS - c])));
  }
  for (let c = 0; c < LIMBS - 1; c++) {
    col[c + 1] = add(col[c + 1], shr(col[c], 12));
    col[c] = and(col[c], i(0xfff));
  }
  // Round to the nearest quadrant: add a half, take the two integer bits, and the fraction signed.
  const top = add(col[6], i(0x200));
  const q = and(shr(top, 10), i(3));
  const f6 = sub(and(top, i(0x3ff)), i(0x200));
  const hi = mul(toF(add(shl(f6, 12), col[5])), f(2 ** -22));
  const mid = mul(toF(add(shl(col[4], 12), col[3])), f(2 ** -46));
  const lo = mul(toF(add(shl(col[2], 12), col[1])), f(2 ** -70));
  const a = fastTwoSum(hi, mid);
  const fr = fastTwoSum(a.hi, add(a.lo, lo));
  // r = fraction * pi/2.
  const p = twoProdConst(fr.hi, PIO2_HI);
  const r = fastTwoSum(p.hi, add(p.lo, add(mul(fr.hi, f(PIO2_LO)), mul(fr.lo, f(PIO2_HI)))));
  const sign = bits(x);
  return {
    r: { hi: flipSign(r.hi, sign), lo: flipSign(r.lo, sign) },
    q: select(lt(sign, i(0)), sub(i(0), q), q),
  };
}

/** sin and cos of the reduced argument rh + rl, as double-floats (high part + rest). */
function kernels(r: DF): { s: DF; c: DF } {
  const { hi: rh, lo: rl } = r;
  const z = mul(rh, rh);
  const hz = mul(f(0.5), z);
  const w = sub(f(1), hz);
  const cl = add(sub(sub(f(1), w), hz), sub(mul(mul(z, z), horner(z, COS)), mul(rl, rh)));
  const sl = add(mul(mul(rh, z), horner(z, SIN)), mul(rl, add(w, cl)));
  return { s: { hi: rh, lo: sl }, c: { hi: w, lo: cl } };
}

type Which = 'sin' | 'cos' | 'tan';

function fromQuadrant(which: Which, red: Reduced): E {
  const { s, c } = kernels(red.r);
  const odd = ne(and(red.q, i(1)), i(0));
  const sv = add(s.hi, s.lo);
  const cv = add(c.hi, c.lo);
  switch (which) {
    case 'sin':
      return flipSign(select(odd, cv, sv), shl(red.q, 30));
    case 'cos':
      return flipSign(select(odd, sv, cv), shl(add(red.q, i(1)), 30));
    case 'tan': {
      // s / c, or -c / s: the quotient of the double-floats, corrected once.
      const n = { hi: select(odd, c.hi, s.hi), lo: select(odd, c.lo, s.lo) };
      const d = { hi: select(odd, s.hi, c.hi), lo: select(odd, s.lo, c.lo) };
      return flipSign(divDF(n.hi, n.lo, d.hi, d.lo), shl(red.q, 31));
    }
  }
}

function trig(which: Which, x: E): E {
  const u = absBits(x);
  const big = ge(u, i(CW_LIMIT));
  const finite = lt(u, i(INF_BITS));
  const v = rare(and(big, finite), fromQuadrant(which, payneHanek(x)), fromQuadrant(which, codyWaite(x)));
  // sin x and tan x round to x below 2^-13 (this also keeps -0, which x - k pi/2 would not).
  return which === 'cos' ? v : select(lt(u, i(0x39000000)), x, v);
}

export const sin32 = (x: E): E => trig('sin', x);
export const cos32 = (x: E): E => trig('cos', x);
export const tan32 = (x: E): E => trig('tan', x);
