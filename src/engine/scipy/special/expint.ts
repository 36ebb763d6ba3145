/**
 * @file Exponential and trigonometric integrals of jax.scipy.special: expi (Cephes ei.c's rational
 * approximations on (0, 2], (2, 4], ..., (64, inf); -E1(-x) for x < 0), expn (Cephes expn.c: the
 * power series, the continued fraction for x > 1 and the large-n expansion, vectorized per element
 * as JAX does so each element's loop stops on its own tolerance), exp1 = expn(1, x), and sici
 * (Cephes sici.c: series up to 4, asymptotic f/g expansions to 1e9, then the leading terms). As in
 * JAX 0.10.2 (jax/_src/scipy/special.py), with its custom JVPs: expi' = exp(x)/x,
 * expn' = -E_{n-1}(x), sici' = (sinc(x/pi), cos(x)/x).
 */
import { defaultFloat } from '../../core/dtype.js';
import * as lax from '../../lax/index.js';
import * as jnp from '../../numpy/index.js';
import { customJvp } from '../../transforms/api.js';
import { jit } from '../../transforms/jit.js';
import { finfo, k, piecewise, polyval, promote, type V, vectorize } from './util.js';

const EULER = 0.5772156649015329;

// Cephes ei.c: expi on (0, 2] directly, then exp(x)/x (1 + P(1/x)/Q(1/x) / x) per interval.
const EI_1 = {
  a: [
    -5.350447357812543, 218.50491688166133, -4176.572384826693, 55411.76756393557, -331338.13311781443,
    1592627.1633849454,
  ],
  b: [
    1.0, -52.505479591128626, 1259.6161867867906, -17565.495819735348, 149306.2117002726, -729494.9239640528,
    1592627.1633849454,
  ],
};
const EI_K: { a: number[]; b: number[] }[] = [
  {
    a: [
      0.019818085032596897, -1.2716456259849176, -2.0881603356812284, 2.7555445091879367, -0.44095070487016,
      0.046656238059358916, -0.0015450426796734852, 0.00007059980605299618,
    ],
    b: [
      1.0, 1.4764986709149215, 0.5629177174822436, 0.16990178978793072, 0.02291647179034212,
      0.0044501504397287525, 0.00017274396122065214, 0.00003953167195549672,
    ],
  },
  {
    a: [
      -1.3732153758712087, -0.7084559133740839, 1.580806855547941, -0.2601500427425623, 0.029946746941137137,
      -0.001038086040188744, 0.00004371064420753005, 0.000002141783679522603,
    ],
    b: [
      1.0, 0.8585231423622028, 0.4483285822873995, 0.07687932158124476, 0.024498682410218877,
      0.0008832165941927797, 0.00045909522995113536, -0.000004729848351866523, 2.66519553739071e-6,
    ],
  },
  {
    a: [
      -2.1069346016919166, 1.7327338696646881, -0.2423619178935842, 0.02322724180937566,
      0.00023728804404931798, -0.00008343219561192553, 0.000013634087956052505, -3.655412321999254e-7,
      1.4649417339759612e-8, 6.17640786371036e-10,
    ],
    b: [
      1.0, -0.2298062239901678, 0.11050770414740378, -0.015665429666307924, 0.002761106850817353,
      -0.00020891480122840484, 0.000017085289388076754, -4.4593117963566865e-7, 1.3946349303538475e-8,
      6.150865933977338e-10,
    ],
  },
  {
    a: [
      -0.24581193676740204, -0.14833822533220778, 0.07248291795735552, -0.013483156873809405,
      0.001342775069788637, -0.00007942465637159712, 0.000002644179518984236, -4.239473659313765e-8,
    ],
    b: [
      1.0, -0.10442259084438711, -0.26764531281014026, 0.09695000254621984, -0.01601745692712991,
      0.001496414899205908, -0.00008462452563778485, 0.0000027289384034767266, -4.239462431819542e-8,
    ],
  },
  {
    a: [
      0.12125611181054567, -0.5823133179043894, 0.2348887314557017, -0.030400343181132484,
      0.0015100821468651906, -0.000025231370954995714,
    ],
    b: [
      1.0, -1.002252150365854, 0.2928709694872224, -0.03337004338674008, 0.0015605448811273888,
      -0.000025231370936032347,
    ],
  },
  {
    a: [
      -0.7657847078286127, 0.6886192415566705, -0.2132598113545206, 0.033461075523841935,
      -0.003076541477344756, 0.00017471193164549074, -0.0000061037116822741705, 1.218032765428652e-7,
      -1.0860761027932903e-9,
    ],
    b: [
      1.0, -1.8888028686623086, 1.066691687211409, -0.27519159823063805, 0.039308526882338234,
      -0.003414684558602365, 0.00018668443707035555, -0.000006345146083130515, 1.239754287483207e-7,
      -1.0860761027931265e-9,
    ],
  },
];

function expint1(x: V): V {
  const f = polyval(EI_1.a, x).div(polyval(EI_1.b, x));
  return x.mul(f).add(EULER).add(jnp.log(x));
}

function expintK(c: { a: number[]; b: number[] }, x: V): V {
  const one = k(x, 1);
  const w = one.div(x);
  const f = w.mul(polyval(c.a, w).div(polyval(c.b, w))).add(one);
  return jnp.exp(x).mul(w).mul(f);
}

function expiPos(x: V): V {
  const conds = [
    k(x, 0)
      .lt(x)
      .and(x.le(k(x, 2))),
  ];
  for (let i = 1; i < 6; i++)
    conds.push(
      k(x, 2 ** i)
        .lt(x)
        .and(x.le(k(x, 2 ** (i + 1)))),
    );
  return piecewise(x, conds, [expint1, ...EI_K.map((c) => (y: V) => expintK(c, y))]);
}

const expiJit = jit(function expi(x: V): V {
  return piecewise(x, [x.lt(0)], [(y) => exp1(y.neg()).neg(), expiPos]);
});
const expiCore = customJvp(function expi(x: V): V {
  return expiJit(x);
});
expiCore.defjvp(
  jit(function expi_jvp([x]: V[], [xDot]: V[]) {
    return [expiCore(x), jnp.exp(x).div(x).mul(xDot)];
  }),
);

/** expi(x) = Ei(x), the exponential integral int_{-inf}^x e^t / t dt. */
export function expi(x: unknown): V {
  const [xv] = promote('expi', x);
  return expiCore(xv);
}

// ---- expn -------------------------------------------------------------------------------------------

/** The power series of E_n(x) (x <= 1), a while loop to machine precision. */
function expn1(x: V, n: V): V {
  const eps = finfo(x.dtype).eps;
  const zero = k(x, 0);
  const one = k(x, 1);
  let psi = k(x, -EULER).sub(jnp.log(x));
  psi = lax.foriLoop(k(n, 1), n, (i: V, p: V) => p.add(one.div(i)), psi) as V;
  const n1 = jnp.where(n.eq(k(n, 1)), one.add(one), n);
  const init = [
    x,
    x.neg(),
    zero,
    one,
    one.sub(n),
    jnp.where(n.eq(k(n, 1)), zero, one.div(one.sub(n1))),
    k(x, Infinity),
  ];
  const out = lax.whileLoop(
    ([xx, , , , , , t]: V[]) => xx.gt(0).and(t.gt(eps)),
    ([xx, z, xk0, yk0, pk0, ans0]: V[]) => {
      const xk = xk0.add(one);
      const yk = yk0.mul(z.div(xk));
      const pk = pk0.add(one);
      const ans = ans0.add(jnp.where(pk.ne(zero), yk.div(pk), zero));
      const t = jnp.where(ans.ne(zero), jnp.abs(yk.div(ans)), one);
      return [xx, z, xk, yk, pk, ans, t];
    },
    init,
  ) as V[];
  const z = out[1];
  const ans = out[5];
  const r = n.sub(k(n, 1));
  return jnp
    .power(z, r)
    .mul(psi)
    .div(jnp.exp(lax.lgamma(n)))
    .sub(ans);
}

/** The continued fraction of E_n(x) for x > 1 (rescaled when the convergents grow past 2^57). */
function expn2(x: V, n: V): V {
  const big = k(x, 144115188075855870);
  const eps = finfo(x.dtype).eps;
  const zero = k(x, 0);
  const one = k(x, 1);
  // k, pkm2, qkm2, pkm1, qkm1, ans, t, r
  const init = [k(n, 1), one, x, one, x.add(n), one.div(x.add(n)), k(x, Infinity), zero];
  const out = lax.whileLoop(
    ([, , , , , , t]: V[]) => x.gt(0).and(t.gt(eps)),
    ([k0, pkm2, qkm2, pkm1, qkm1, ans0, , r0]: V[]) => {
      const kk = k0.add(k(k0, 1));
      const odd = jnp.remainder(kk, k(kk, 2)).eq(k(kk, 1));
      const yk = jnp.where(odd, one, x);
      const xk = jnp.where(odd, n.add(kk.sub(k(kk, 1)).div(k(kk, 2))), kk.div(k(kk, 2)));
      const pk = pkm1.mul(yk).add(pkm2.mul(xk));
      const qk = qkm1.mul(yk).add(qkm2.mul(xk));
      const nz = qk.ne(zero);
      const r = jnp.where(nz, pk.div(qk), r0);
      const t = jnp.where(nz, jnp.abs(ans0.sub(r).div(r)), one);
      const ans = jnp.where(nz, r, ans0);
      const isBig = jnp.abs(pk).gt(big);
      const scale = (v: V) => jnp.where(isBig, v.div(big), v);
      return [kk, scale(pkm1), scale(qkm1), scale(pk), scale(qk), ans, t, r];
    },
    init,
  ) as V[];
  return out[5].mul(jnp.exp(x.neg()));
}

/** The large-n expansion of E_n(x) (n >= 5000). */
function expn3(x: V, n: V): V {
  const one = k(x, 1);
  const xk = x.add(n);
  const yk = one.div(xk.mul(xk));
  let ans = yk.mul(n).mul(k(x, 6).mul(x).mul(x).sub(k(x, 8).mul(n).mul(x)).add(n.mul(n)));
  ans = yk.mul(ans.add(n.mul(n.sub(k(x, 2).mul(x)))));
  ans = yk.mul(ans.add(n));
  return ans.add(one).mul(jnp.exp(x.neg())).div(xk);
}

/**
 * One element of expn. JAX evaluates every branch on every element; here each looping branch
 * gets a harmless stand-in where it is not the one selected (the continued fraction needs some
 * 1.4 million iterations for x = 1e-5, the series' digamma loop n iterations), which leaves the
 * selected values unchanged and keeps every element's loops short.
 */
const expnScalar = jit(function expn(n: V, x: V): V {
  const zero = k(x, 0);
  const one = k(x, 1);
  const conds = [
    n.lt(k(n, 0)).or(x.lt(zero)),
    x.eq(zero).and(n.lt(k(n, 2))),
    x.eq(zero).and(n.ge(k(n, 2))),
    n.eq(k(n, 0)).and(x.ge(zero)),
    n.ge(k(n, 5000)),
    x.gt(one),
  ];
  const none = conds
    .slice(0, 4)
    .reduce((a, b) => a.or(b))
    .not();
  const useCf = none.and(conds[4].not()).and(conds[5]);
  const useSeries = none.and(conds[4].not()).and(conds[5].not());
  const n1 = jnp.where(n.eq(k(n, 1)), n.add(n), n);
  return piecewise(x, conds, [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    () => one.div(n1),
    (y) => jnp.exp(y.neg()).div(y),
    (y) => expn3(y, n),
    (y) => expn2(jnp.where(useCf, y, k(y, 2)), jnp.where(useCf, n, k(n, 1))),
    (y) => expn1(jnp.where(useSeries, y, k(y, 0.5)), jnp.where(useSeries, n, k(n, 1))),
  ]);
});
const expnVec = vectorize((n: V, x: V) => expnScalar(n, x));

const expnCore = customJvp(
  function expn(n: V, x: V): V {
    const [nv, xv] = promote('expn', n, x);
    return expnVec(nv, xv);
  },
  { nondiffArgnums: [0] },
);
expnCore.defjvp(
  jit(function expn_jvp(n: V, [x]: V[], [xDot]: V[]) {
    return [expnCore(n, x), lax.mul(lax.neg(xDot), expnCore(lax.sub(n, k(n, 1)), x))];
  }),
);

/** expn(n, x) = E_n(x) = int_1^inf e^{-xt} / t^n dt, the generalized exponential integral. */
export function expn(n: unknown, x: unknown): V {
  const [nv, xv] = promote('expn', n, x);
  return expnCore(nv, xv);
}

/** exp1(x) = E_1(x) = expn(1, x). */
export function exp1(x: unknown): V {
  const [xv] = promote('exp1', x);
  return expn(1, xv);
}

// ---- sici -------------------------------------------------------------------------------------------

const SN = [
  -8.391678279103039e-11, 4.625917144270128e-8, -0.000009757593038436328, 0.0009769454381704354,
  -0.04134703162294066, 1,
];
const SD = [
  2.0326926619595193e-12, 1.279978911799433e-9, 4.418278428012189e-7, 0.00009964121220438756,
  0.01420852393261499, 1,
];
const CN = [
  2.0252400238910228e-11, -1.3524950491579076e-8, 0.000003593250514199931, -0.0004740072068734079,
  0.028915965260755523, -1,
];
const CD = [
  4.077460400618806e-12, 3.067809975818878e-9, 0.0000012321035568588342, 0.00031744202477503275,
  0.051002805623644606, 4,
];
const FN4 = [
  4.236128628922166, 5.4593771716181285, 1.6208328770153833, 0.16700661183132304, 0.006810201324725182,
  0.00010893658065032867, 5.489002234213736e-7,
];
const FD4 = [
  1, 8.16496634205391, 7.308288225055645, 1.867922579501842, 0.1787920529631499, 0.007017106683227897,
  0.00011003435715391573, 5.489002527562557e-7,
];
const GN4 = [
  0.08710016989731142, 0.6113791099522193, 0.3971802963923375, 0.07485277376284691, 0.005388686814621773,
  0.00016199979459893403, 0.0000019796387414096365, 7.825790407440903e-9,
];
const GD4 = [
  1, 1.6440220241335535, 0.666296701268988, 0.09887717612776888, 0.006223963454417684, 0.0001732210814741771,
  0.0000020265918208634397, 7.825792189335346e-9,
];
const FN8 = [
  0.4558808734704653, 0.7137152741001467, 0.16030015822231947, 0.01160642294081244, 0.00034955644244785906,
  0.0000048621543082645475, 3.200927900910049e-8, 9.41779576128513e-11, 9.70507110881952e-14,
];
const FD8 = [
  1, 0.9174636118736841, 0.17868554533207454, 0.012225359477197129, 0.00035869648188185157,
  0.000004924350643178815, 3.21956939101046e-8, 9.437205903502767e-11, 9.70507110881952e-14,
];
const GN8 = [
  0.6973599534432762, 0.33041097930563207, 0.03848787676499743, 0.001717182390523479, 0.000034894116550227946,
  3.471311670841167e-7, 1.7040445278204452e-9, 3.859459254302766e-12, 3.1404009894636335e-15,
];
const GD8 = [
  1, 1.6854889881101165, 0.48785225869530496, 0.04679131942596258, 0.0019028442667439953,
  0.00003684755044425611, 3.5704322344374083e-7, 1.7269374896631615e-9, 3.878301660239547e-12,
  3.1404009894636335e-15,
];

/** A Python float (a weakly typed float constant), as JAX's source writes 0.0 or np.pi / 2. */
function pyFloat(v: number): V {
  return lax.convertElementType(v, defaultFloat(), true);
}

// The three pieces as JAX's _sici_series, _sici_asympt and _sici_approx write them, in their order.
function siciSeries(x: V): [V, V] {
  const siSeries = (x: V) => {
    const t = x.mul(x);
    return x.mul(polyval(SN, t)).div(polyval(SD, t));
  };
  const ciSeries = (x: V) => {
    const t = x.mul(x);
    const head = jnp.add(EULER, jnp.log(x));
    return head.add(t.mul(polyval(CN, t)).div(polyval(CD, t)));
  };
  const si = jnp.where(x.eq(0), pyFloat(0), siSeries(x));
  const ci = jnp.where(x.eq(0), Number.NEGATIVE_INFINITY, ciSeries(x));
  return [si, ci];
}

function siciAsympt(x: V): [V, V] {
  const s = jnp.sin(x);
  const c = jnp.cos(x);
  const z = k(x, 1).div(x.mul(x));
  const f4 = polyval(FN4, z).div(x.mul(polyval(FD4, z)));
  const g4 = z.mul(polyval(GN4, z)).div(polyval(GD4, z));
  const f8 = polyval(FN8, z).div(x.mul(polyval(FD8, z)));
  const g8 = z.mul(polyval(GN8, z)).div(polyval(GD8, z));
  const mask = x.lt(8);
  const f = jnp.where(mask, f4, f8);
  const g = jnp.where(mask, g4, g8);
  return [
    k(x, Math.PI / 2)
      .sub(f.mul(c))
      .sub(g.mul(s)),
    f.mul(s).sub(g.mul(c)),
  ];
}

function siciApprox(x: V): [V, V] {
  const si = k(x, Math.PI / 2).sub(jnp.cos(x).div(x));
  const ci = jnp.sin(x).div(x);
  return [
    jnp.where(x.eq(Number.POSITIVE_INFINITY), Math.PI / 2, si),
    jnp.where(x.eq(Number.POSITIVE_INFINITY), pyFloat(0), ci),
  ];
}

// As in JAX, the argument is promoted inside the jit (an int32 input reaches it as int32).
const siciJit = jit(function sici(x0: V): V[] {
  const [x] = promote('sici', x0);
  const ax = jnp.abs(x);
  const [siS, ciS] = siciSeries(ax);
  const [siA, ciA] = siciAsympt(ax);
  const [siX, ciX] = siciApprox(ax);
  const c1 = ax.le(4);
  const c2 = ax.gt(4).and(ax.le(1e9));
  const si = jnp.select([c1, c2], [siS, siA], { default: siX });
  const ci = jnp.select([c1, c2], [ciS, ciA], { default: ciX });
  return [jnp.sign(x).mul(si), jnp.where(x.eq(Number.NEGATIVE_INFINITY), Number.NaN, ci)];
});
/** jnp.sinc(x) = sin(pi x) / (pi x), 1 at 0 (first-order values only, as sici's JVP needs). */
function sinc(x: V): V {
  const zero = x.eq(0);
  const piX = x.mul(Math.PI);
  const safe = jnp.where(zero, k(x, 1), piX);
  return jnp.where(zero, k(x, 1), jnp.sin(safe).div(safe));
}

const siciCore = customJvp(function sici(x: V): V[] {
  return siciJit(x);
});
siciCore.defjvp(
  jit(function sici_jvp([p]: V[], [t]: V[]) {
    return [siciCore(p), [sinc(p.div(Math.PI)).mul(t), jnp.cos(p).div(p).mul(t)]];
  }),
);

/** sici(x) = [Si(x), Ci(x)], the sine and cosine integrals. */
export function sici(x: unknown): V[] {
  return siciCore(jnp.asarray(x));
}
