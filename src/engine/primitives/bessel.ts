/**
 * @file The exponentially scaled modified Bessel functions of the first kind, lax.bessel_i0e and
 * lax.bessel_i1e (e^-|x| I0(x), e^-|x| I1(x)), as JAX 0.10.2 lowers them through XLA
 * (xla/hlo/builder/lib/math.cc I0eImpl32/64, I1eImpl32/64, after Cephes' i0e/i1e): a Chebyshev
 * series in x/2 - 2 for |x| <= 8 and in 32/|x| - 2 over sqrt(|x|) beyond, evaluated with XLA's
 * recurrence b0 = t b1 - b2 + c. The lowering is kernel-IR arithmetic, so every backend runs it;
 * float16 computes in float32, as XLA upcasts it.
 */
import { bin, cast, constant, type SExpr, sel, un } from '../compile/kir.js';
import { type DType, float32 } from '../core/dtype.js';
import { definePrimitive } from '../core/primitive.js';
import { naryRules } from './common.js';

// Cephes i0e (float, then the double tails XLA prepends for float64).
export const I0E_A32 = [
  -1.300025009986248e-8, 6.046995022541919e-8, -2.670793853940612e-7, 1.1173875391201037e-6,
  -4.4167383584587505e-6, 1.6448448070728896e-5, -5.754195010082104e-5, 0.00018850288509584165,
  -0.0005763755745385824, 0.0016394756169413357, -0.004324309995050576, 0.010546460394594998,
  -0.02373741480589947, 0.04930528423967071, -0.09490109704804764, 0.17162090152220877, -0.3046826723431984,
  0.6767952744094761,
];
export const I0E_A64 = [
  -4.4153416464793395e-18,
  3.3307945188222384e-17,
  -2.431279846547955e-16,
  1.715391285555133e-15,
  -1.1685332877993451e-14,
  7.676185498604936e-14,
  -4.856446783111929e-13,
  2.95505266312964e-12,
  -1.726826291441556e-11,
  9.675809035373237e-11,
  -5.189795601635263e-10,
  2.6598237246823866e-9,
  ...I0E_A32,
];
export const I0E_B32 = [
  3.3962320257083865e-9, 2.266668990498178e-8, 2.0489185894690638e-7, 2.8913705208347567e-6,
  6.889758346916825e-5, 0.0033691164782556943, 0.8044904110141088,
];
export const I0E_B64 = [
  -7.233180487874754e-18,
  -4.830504485944182e-18,
  4.46562142029676e-17,
  3.461222867697461e-17,
  -2.8276239805165836e-16,
  -3.425485619677219e-16,
  1.7725601330565263e-15,
  3.8116806693526224e-15,
  -9.554846698828307e-15,
  -4.150569347287222e-14,
  1.54008621752141e-14,
  3.8527783827421426e-13,
  7.180124451383666e-13,
  -1.7941785315068062e-12,
  -1.3215811840447713e-11,
  -3.1499165279632416e-11,
  1.1889147107846439e-11,
  4.94060238822497e-10,
  ...I0E_B32,
];
// Cephes i1e.
const I1E_A32 = [
  9.381537386495773e-9, -4.445059128796328e-8, 2.0032947535521353e-7, -8.568720264695455e-7,
  3.4702513081376785e-6, -1.3273163656039436e-5, 4.781565107550054e-5, -0.00016176081582589674,
  0.0005122859561685758, -0.0015135724506312532, 0.004156422944312888, -0.010564084894626197,
  0.024726449030626516, -0.05294598120809499, 0.1026436586898471, -0.17641651835783406, 0.25258718644363365,
];
const I1E_A64 = [
  2.7779141127610464e-18,
  -2.111421214358166e-17,
  1.5536319577362005e-16,
  -1.1055969477353862e-15,
  7.600684294735408e-15,
  -5.042185504727912e-14,
  3.223793365945575e-13,
  -1.9839743977649436e-12,
  1.1736186298890901e-11,
  -6.663489723502027e-11,
  3.625590281552117e-10,
  -1.8872497517228294e-9,
  ...I1E_A32,
];
const I1E_B32 = [
  -3.835380385964237e-9, -2.6314688468895196e-8, -2.512236237870209e-7, -3.882564808877691e-6,
  -0.00011058893876262371, -0.009761097491361469, 0.7785762350182801,
];
const I1E_B64 = [
  7.517296310842105e-18,
  4.414348323071708e-18,
  -4.6503053684893586e-17,
  -3.209525921993424e-17,
  2.96262899764595e-16,
  3.3082023109209285e-16,
  -1.8803547755107825e-15,
  -3.8144030724370075e-15,
  1.0420276984128802e-14,
  4.272440016711951e-14,
  -2.1015418427726643e-14,
  -4.0835511110921974e-13,
  -7.198551776245908e-13,
  2.0356285441470896e-12,
  1.4125807436613782e-11,
  3.2526035830154884e-11,
  -1.8974958123505413e-11,
  -5.589743462196584e-10,
  ...I1E_B32,
];

/** XLA's EvaluateChebyshevPolynomial: b0 = t b1 - b2 + c over the coefficients, then (b0 - b2) / 2. */
function chebyshev(t: SExpr, coeffs: readonly number[], dt: DType): SExpr {
  let b0: SExpr = constant(0, dt);
  let b1: SExpr = b0;
  let b2: SExpr = b0;
  for (const c of coeffs) {
    b2 = b1;
    b1 = b0;
    b0 = bin(
      'add',
      bin('sub', bin('mul', t, b1, dt), b2, dt),
      constant(dt === float32 ? Math.fround(c) : c, dt),
      dt,
    );
  }
  return bin('mul', constant(0.5, dt), bin('sub', b0, b2, dt), dt);
}

/** The two branches of i0e/i1e at |x| (`z`), selected at |x| <= 8. */
function branches(
  z: SExpr,
  a: readonly number[],
  b: readonly number[],
  dt: DType,
  scaleSmall: boolean,
): SExpr {
  const c = (v: number) => constant(v, dt);
  const small = chebyshev(bin('sub', bin('mul', c(0.5), z, dt), c(2), dt), a, dt);
  const big = bin(
    'div',
    chebyshev(bin('sub', bin('div', c(32), z, dt), c(2), dt), b, dt),
    un('sqrt', z, dt),
    dt,
  );
  return sel(bin('le', z, c(8)), scaleSmall ? bin('mul', z, small, dt) : small, big);
}

/** Compute in float32 for float16 (XLA's DoWithUpcastToF32), in the input's dtype otherwise. */
function upcast(x: SExpr, out: DType, f: (x: SExpr, dt: DType, is64: boolean) => SExpr): SExpr {
  const dt = out.itemsize < 4 ? float32 : out;
  return cast(f(cast(x, dt), dt, dt.itemsize === 8), out);
}

export const bessel_i0e = definePrimitive(
  'bessel_i0e',
  naryRules('bessel_i0e', 'float', ([x], _p, out) =>
    upcast(x, out.dtype, (v, dt, is64) =>
      branches(un('abs', v, dt), is64 ? I0E_A64 : I0E_A32, is64 ? I0E_B64 : I0E_B32, dt, false),
    ),
  ),
);

export const bessel_i1e = definePrimitive(
  'bessel_i1e',
  naryRules('bessel_i1e', 'float', ([x], _p, out) =>
    upcast(x, out.dtype, (v, dt, is64) =>
      bin(
        'mul',
        un('sign', v, dt),
        branches(un('abs', v, dt), is64 ? I1E_A64 : I1E_A32, is64 ? I1E_B64 : I1E_B32, dt, true),
        dt,
      ),
    ),
  ),
);
