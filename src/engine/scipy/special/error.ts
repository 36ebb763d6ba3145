/**
 * @file Relatives of the error function in jax.scipy.special: erfcx (exp(x^2) erfc(x), direct
 * until exp(x^2) would overflow, then its asymptotic series), dawsn (Cody, Paciorek and Thacher's
 * rational approximations on three ranges), owens_t (Patefield and Tandy's 13-point quadrature
 * with the exact cases and the |a| > 1 reflection) and fresnel (Cephes' fresnl, float32 through
 * the single-precision coefficient set). Algorithms, branch points and custom JVPs are JAX
 * 0.10.2's (jax/_src/scipy/special.py, jax/_src/third_party/scipy/special.py); float16 inputs
 * compute in float32 where JAX upcasts them.
 */
import { type DType, float16, float32, float64 } from '../../core/dtype.js';
import * as lax from '../../lax/index.js';
import * as jnp from '../../numpy/index.js';
import { customJvp } from '../../transforms/api.js';
import { jit } from '../../transforms/jit.js';
import { finfo, fullLike, k, polyval, promote, type V } from './util.js';

const SQRT_PI = Math.sqrt(Math.PI);

/** Compute f in float32 for narrow floats and round back, as JAX does for these functions. */
function upcast(x: V, f: (x: V) => V): V {
  if (x.dtype === float32 || x.dtype === float64) return f(x);
  return lax.convertElementType(f(lax.convertElementType(x, float32)), x.dtype);
}

// ---- erfcx ------------------------------------------------------------------------------------------

// c_k = (-1)^k (2k-1)!! / 2^k, highest degree first.
const ERFCX_ASYMPTOTIC = [7918.06640625, -1055.7421875, 162.421875, -29.53125, 6.5625, -1.875, 0.75, -0.5, 1];

function erfcxImpl(x: V, nterms: number): V {
  const threshold = Math.sqrt(Math.log(finfo(x.dtype).max));
  const large = x.gt(k(x, threshold));
  const safe = lax.select(large, fullLike(x, 1), x);
  const direct = lax.exp(lax.square(safe)).mul(lax.erfc(safe));
  const t = k(x, 1).div(lax.square(x));
  const asymp = polyval(ERFCX_ASYMPTOTIC.slice(-nterms), t).div(x.mul(k(x, SQRT_PI)));
  return lax.select(large, asymp, direct);
}

const erfcxCore = customJvp(function _erfcx(x: V): V {
  if (x.dtype === float64) return erfcxImpl(x, 9);
  return upcast(x, (y) => erfcxImpl(y, 5));
});
erfcxCore.defjvps((g: V, ans: V, x: V) =>
  g.mul(
    k(x, 2)
      .mul(x)
      .mul(ans)
      .sub(k(x, 2 / SQRT_PI)),
  ),
);

/** erfcx(x) = exp(x^2) erfc(x), without overflow for large x. */
export function erfcx(x: unknown): V {
  const [xv] = promote('erfcx', x);
  return erfcxCore(xv);
}

// ---- dawsn ------------------------------------------------------------------------------------------

const DAWSN_AN = [
  1.1368149897175597e-11, 8.492622676674738e-10, 1.9443420417555306e-8, 9.531517412544844e-7,
  0.000003078283098749132, 0.00035251336852028877, -0.0008501498467244109, 0.04226182230055466,
  -0.09174803717734524, 1,
];
const DAWSN_AD = [
  2.403720730667626e-11, 1.488646813684934e-9, 5.212652810105416e-8, 0.0000012725847827318697,
  0.00002324902498207895, 0.00032552474182605793, 0.003488058146571626, 0.027944853119882897,
  0.15887424196012057, 0.5749186294893204, 1,
];
const DAWSN_BN = [
  0.5089551564179009, -0.24475441814269785, 0.09415123353035344, -0.021871125514203903, 0.003662076123295692,
  -0.0004232091144603888, 0.000035964130479389666, -0.0000021464035171996896, 9.100107800763914e-8,
  -2.4027452082825098e-9, 3.592333854409284e-11,
];
const DAWSN_BD = [
  1, -0.6318398698733682, 0.2367067882282487, -0.053180636700322324, 0.008480417185862954,
  -0.0009479967684866654, 0.00007810255929445524, -0.000004558751532524426, 1.8910035811142186e-7,
  -4.913246913319206e-9, 7.184664032357345e-11,
];
const DAWSN_CN = [
  -0.5905928605347732, 0.6292352427243688, -0.17285897538038814, 0.016483704782518965, -0.0004868276130204627,
];
const DAWSN_CD = [
  1, -2.698200571975449, 1.7327079904594784, -0.3937085822819395, 0.03442789240412334, -0.0009736552260409412,
];

function dawsnImpl(x: V): V {
  const sign = jnp.sign(x);
  const ax = lax.abs(x);
  const t = k(x, 1).div(lax.square(ax));
  // Each range is evaluated on safe inputs so the others' polynomials cannot overflow to NaN.
  const r1 = ax.lt(k(x, 3.25));
  const r2 = ax.ge(k(x, 3.25)).and(ax.lt(k(x, 6.25)));
  const r3 = ax.ge(k(x, 6.25));
  const a1 = lax.select(r1, ax, fullLike(ax, 1));
  const a1sq = lax.square(a1);
  const v1 = a1.mul(polyval(DAWSN_AN, a1sq)).div(polyval(DAWSN_AD, a1sq));
  const tail = (cond: V, pn: number[], pd: number[]) => {
    const ts = lax.select(cond, t, fullLike(t, 1));
    const as = lax.select(cond, ax, fullLike(ax, 1));
    return k(x, 0.5)
      .div(as)
      .mul(k(x, 1).add(ts.mul(polyval(pn, ts)).div(polyval(pd, ts))));
  };
  const v2 = tail(r2, DAWSN_BN, DAWSN_BD);
  const v3 = tail(r3, DAWSN_CN, DAWSN_CD);
  return sign.mul(lax.select(r1, v1, lax.select(ax.lt(k(x, 6.25)), v2, v3)));
}

const dawsnCore = customJvp(function _dawsn(x: V): V {
  return upcast(x, dawsnImpl);
});
dawsnCore.defjvps((g: V, ans: V, x: V) => g.mul(k(x, 1).sub(k(x, 2).mul(x).mul(ans))));

/** dawsn(x) = exp(-x^2) int_0^x exp(t^2) dt, Dawson's integral. */
export function dawsn(x: unknown): V {
  const [xv] = promote('dawsn', x);
  return dawsnCore(xv);
}

// ---- owens_t ----------------------------------------------------------------------------------------

// T(h, a) ~ a sum_i w_i exp(-h^2 (1 + a^2 t_i) / 2) / (1 + a^2 t_i) (Patefield and Tandy's T5).
const OWENS_PTS = [
  0.0035082039676451716, 0.031279042338030756, 0.08526682628321945, 0.16245071730812277, 0.25851196049125436,
  0.3680755384069753, 0.485010929056047, 0.6027751415261857, 0.7147788421775323, 0.814755109887601,
  0.8971102975594897, 0.9572380808594426, 0.991788329746297,
];
const OWENS_WTS = [
  0.018831438115323503, 0.01856708624397765, 0.018042093461223385, 0.017263829606398752, 0.016243219975989858,
  0.014994592034116705, 0.013535474469662087, 0.011886351605820165, 0.010070377242777432,
  0.008113054574229958, 0.006041900952847024, 0.0038862217010742057, 0.001679303108454609,
];

function owensQuadrature(h: V, a: V): V {
  const pts = jnp.expand_dims(
    jnp.array(OWENS_PTS, { dtype: a.dtype }),
    Array.from({ length: a.ndim }, (_, i) => i),
  );
  const r = jnp.expand_dims(jnp.square(a), -1).mul(pts);
  const integrand = jnp
    .exp(
      k(h, -0.5)
        .mul(jnp.expand_dims(jnp.square(h), -1))
        .mul(k(h, 1).add(r)),
    )
    .div(k(h, 1).add(r));
  return a.mul(jnp.matmul(integrand, jnp.array(OWENS_WTS, { dtype: integrand.dtype })));
}

function owensImpl(h0: V, a: V): V {
  const h = jnp.abs(h0);
  const absA = jnp.abs(a);
  const root2 = k(h, Math.SQRT2);
  const hNormed = h.div(root2);
  const le1 = absA.le(1);
  const ma = jnp.where(le1, absA, jnp.reciprocal(absA));
  const mh = jnp.where(le1, h, absA.mul(h));
  let r = owensQuadrature(mh, ma);
  r = jnp.where(mh.eq(0), jnp.arctan(ma).div(2 * Math.PI), r);
  r = jnp.where(
    ma.eq(1),
    lax
      .erfc(mh.neg().div(root2))
      .mul(lax.erfc(mh.div(root2)))
      .mul(0.125),
    r,
  );
  const normh = lax.erfc(hNormed);
  const normah = lax.erfc(absA.mul(hNormed));
  r = jnp.where(
    absA.gt(1),
    jnp.where(
      absA.mul(h).le(0.67),
      k(h, 0.25)
        .sub(
          lax
            .erf(hNormed)
            .mul(lax.erf(absA.mul(hNormed)))
            .mul(0.25),
        )
        .sub(r),
      normh.add(normah).sub(normh.mul(normah)).mul(0.25).sub(r),
    ),
    r,
  );
  r = lax.sign(a).mul(r);
  return jnp.where(jnp.isnan(a).or(jnp.isnan(h)), fullLike(r, Number.NaN), r);
}

const owensCore = customJvp(function _owens_t_impl(h: V, a: V): V {
  return owensImpl(h, a);
});
owensCore.defjvp(([h, a]: V[], [dh, da]: V[]) => {
  const out = owensCore(h, a);
  const root2 = k(h, Math.SQRT2);
  const dOutDh = lax
    .exp(k(h, -0.5).mul(lax.square(h)))
    .neg()
    .mul(lax.erf(a.mul(h).div(root2)))
    .div(k(h, 2).mul(k(h, Math.sqrt(2 * Math.PI))));
  const a2p1 = lax.square(a).add(1);
  const dOutDa = lax.exp(k(h, -0.5).mul(a2p1).mul(lax.square(h))).div(a2p1.mul(2 * Math.PI));
  return [out, jnp.astype(dOutDh.mul(dh).add(dOutDa.mul(da)), out.dtype)];
});

/** owens_t(h, a): Owen's T function (1/2pi) int_0^a exp(-h^2 (1 + x^2) / 2) / (1 + x^2) dx. */
export function owensT(h: unknown, a: unknown): V {
  const [hv, av] = promote('owens_t', h, a);
  return owensCore(hv, av);
}

// ---- fresnel ----------------------------------------------------------------------------------------

/** sin and cos of pi x^2 / 2, with the argument reduced exactly modulo 2 (SciPy's cephes/trig.h). */
const sinCosPiSquaredHalf = jit(function sincospisquaredhalf(x0: V): V[] {
  const x = jnp.abs(x0);
  const s = jnp.fmod(x, 2);
  const r = jnp.fmod(s.mul(x.sub(s.div(2))), 2);
  const pi = Math.PI;
  const sinpi = jnp.where(
    r.lt(0.5),
    jnp.sin(r.mul(pi)),
    jnp.where(r.gt(1.5), jnp.sin(r.sub(2).mul(pi)), jnp.sin(r.sub(1).mul(pi)).neg()),
  );
  const cospi = jnp.where(
    r.eq(0.5),
    0,
    jnp.where(r.lt(1), jnp.sin(r.sub(0.5).mul(pi)).neg(), jnp.sin(r.sub(1.5).mul(pi))),
  );
  return [sinpi, cospi];
});

const F32 = {
  sn: [
    1.6476294637887e-9, -1.522754752581096e-7, 8.4247488085024e-6, -0.0003120693124703272,
    0.007244727626597022, -0.09228055941124598, 0.5235987735681432,
  ],
  cn: [
    1.416802502367354e-8, -0.000001157231412229871, 0.00005387223446683264, -0.001604381798862293,
    0.02818489036795073, -0.2467398198317899, 0.9999999760004487,
  ],
  fn: [
    -1903009855649.792, 135594238805.0252, -4158143148.511033, 73438484.63587323, -873235.6681548485,
    8.56051546627547e3, -103.2877601091159, 2.999401847870011,
  ],
  gn: [
    -1.86084399762465e11, 12783506733.93208, -377938771.3202229, 6492611.570598858, -77877.89623358162,
    860.2931494734327, -14.93439396592284, 0.9999841934744914,
  ],
};
const F64 = {
  sn: [
    -2991.8191940101983, 708840.0452577386, -62974148.62058625, 2548908805.7337637, -44297951805.96978,
    318016297876.5678,
  ],
  sd: [
    1, 281.3762688899943, 45584.78108065326, 5173438.887700964, 419320245.8981112, 22441179564.534092,
    607366389490.0846,
  ],
  cn: [
    -4.9884311457357354e-8, 0.000009504280628298596, -0.0006451914356839651, 0.018884331939670384,
    -0.20552590095501388, 1,
  ],
  cd: [
    3.99982968972496e-12, 9.154392157746574e-10, 1.2500186247959882e-7, 0.000012226278902417902,
    0.0008680295429417843, 0.04121420907221998, 1,
  ],
  fn: [
    0.4215435550436775, 0.1434079197807589, 0.011522095507358577, 0.000345017939782574,
    0.0000046361374928786735, 3.055689837902576e-8, 1.0230451416490724e-10, 1.7201074326816183e-13,
    1.3428327623306275e-16, 3.763297112699879e-20,
  ],
  fd: [
    1, 0.7515863983533789, 0.11688892585919138, 0.0064405152650885865, 0.00015593440916415301,
    0.0000018462756734893055, 1.1269922476399903e-8, 3.6014002958937136e-11, 5.887545336215784e-14,
    4.5200143407412973e-17, 1.2544323709001127e-20,
  ],
  gn: [
    0.5044420736433832, 0.1971028335255234, 0.018764858409257526, 0.0006840793809153931,
    0.000011513882611188428, 9.828524436884223e-8, 4.4534441586175015e-10, 1.0826804113902088e-12,
    1.375554606332618e-15, 8.363544356306774e-19, 1.8695871016278324e-22,
  ],
  gd: [
    1, 1.4749575992512833, 0.33774898912002, 0.02536037414203388, 0.0008146791071843061,
    0.000012754507566772912, 1.0431458965757199e-7, 4.6068072814652043e-10, 1.1027321506624028e-12,
    1.3879653125957886e-15, 8.391588162831187e-19, 1.8695871016278324e-22,
  ],
};

function fresnelImpl(xxa: V): V[] {
  const single = xxa.dtype !== float64;
  const x = jnp.abs(xxa);
  const x2 = x.mul(x);
  const t4 = x2.mul(x2);
  const rat = (n: number[], d: number[] | undefined, t: V) =>
    d ? polyval(n, t).div(polyval(d, t)) : polyval(n, t);
  const sSmall = x.mul(x2).mul(rat(single ? F32.sn : F64.sn, single ? undefined : F64.sd, t4));
  const cSmall = x.mul(rat(single ? F32.cn : F64.cn, single ? undefined : F64.cd, t4));
  const [sinpi, cospi] = sinCosPiSquaredHalf(x);
  const invPiX = k(x, 1).div(x.mul(Math.PI));
  const cLarge = single ? fullLike(x, 0.5) : k(x, 0.5).add(invPiX.mul(sinpi));
  const sLarge = single ? fullLike(x, 0.5) : k(x, 0.5).sub(invPiX.mul(cospi));
  const tt = x2.mul(Math.PI);
  const u = k(x, 1).div(tt.mul(tt));
  const tInv = k(x, 1).div(tt);
  const f = k(x, 1).sub(u.mul(rat(single ? F32.fn : F64.fn, single ? undefined : F64.fd, u)));
  const g = tInv.mul(rat(single ? F32.gn : F64.gn, single ? undefined : F64.gd, u));
  const piX = x.mul(Math.PI);
  const cOther = k(x, 0.5).add(f.mul(sinpi).sub(g.mul(cospi)).div(piX));
  const sOther = k(x, 0.5).sub(f.mul(cospi).add(g.mul(sinpi)).div(piX));
  const isinf = jnp.isinf(xxa);
  const small = x2.lt(2.5625);
  const large = x.gt(36974.0);
  let s = jnp.where(isinf, 0.5, jnp.where(small, sSmall, jnp.where(large, sLarge, sOther)));
  let c = jnp.where(isinf, 0.5, jnp.where(small, cSmall, jnp.where(large, cLarge, cOther)));
  const neg = xxa.lt(0);
  s = jnp.where(neg, s.neg(), s);
  c = jnp.where(neg, c.neg(), c);
  return [s, c];
}

const fresnelCore = customJvp(function fresnel(x: V): V[] {
  const [xxa] = promote('fresnel', x);
  const dt: DType = xxa.dtype;
  if (dt === float64) return fresnelImpl(xxa);
  const [s, c] = fresnelImpl(lax.convertElementType(xxa, float32));
  return dt === float16 ? [lax.convertElementType(s, dt), lax.convertElementType(c, dt)] : [s, c];
});
fresnelCore.defjvp(([x]: V[], [xDot]: V[]) => {
  const out = fresnelCore(x);
  const [sinpi, cospi] = sinCosPiSquaredHalf(x);
  return [out, [sinpi.mul(xDot), cospi.mul(xDot)]];
});

/** fresnel(x) = [S(x), C(x)], the Fresnel integrals int_0^x sin/cos(pi t^2 / 2) dt. */
export function fresnel(x: unknown): V[] {
  const [xv] = promote('fresnel', x);
  return fresnelCore(xv);
}
