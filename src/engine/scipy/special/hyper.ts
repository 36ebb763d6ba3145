/**
 * @file The confluent and Gauss hypergeometric functions of jax.scipy.special, hyp1f1 and hyp2f1,
 * as JAX 0.10.2 computes them (jax/_src/scipy/special.py, after Pearson, Olver and Porter 2014,
 * arXiv:1407.7786): per-element Taylor series run to machine precision (at most 250 terms), the
 * asymptotic expansion of 1F1 for |x| >= 100, terminating series for non-positive integer
 * parameters, the digamma transformation of 2F1 near x = 1 (AMS 55 15.3.10-12), the special cases
 * picked by select_n, and the custom JVPs (series in a, b, c and the shifted function in x).
 * Like JAX these are vectorized: each element's loops stop on their own tolerance.
 */
import { int32 } from '../../core/dtype.js';
import * as lax from '../../lax/index.js';
import * as jnp from '../../numpy/index.js';
import { customJvp } from '../../transforms/api.js';
import { jit } from '../../transforms/jit.js';
import { gamma } from './gamma.js';
import { finfo, k, promote, type V, vectorize } from './util.js';

const digamma = (x: V) => lax.digamma(x);

/**
 * sum_k term_k with term_{k+1} = term_k * ratio(k), from `init` = [serie, term] at k = 1, while
 * k < 250 and |term| / |serie| > eps; `weight(k)` scales each term as it is added.
 */
function series(x: V, serie0: V, term0: V, ratio: (kk: V) => V, weight?: (kk: V) => V): V {
  const eps = finfo(x.dtype).eps;
  const [serie] = lax.whileLoop(
    ([s, kk, t]: V[]) => kk.lt(250).and(lax.abs(t).div(lax.abs(s)).gt(eps)),
    ([s, kk, t]: V[]) => [s.add(weight ? t.mul(weight(kk)) : t), kk.add(1), t.mul(ratio(kk))],
    [serie0, lax.convertElementType(1, int32), term0],
  ) as V[];
  return serie;
}

const kf = (kk: V, x: V) => lax.convertElementType(kk, x.dtype);

function hyp1f1Serie(a: V, b: V, x: V): V {
  const r = (kk: V) => {
    const kx = kf(kk, x);
    return a.add(kx).div(b.add(kx)).mul(x).div(kx.add(1));
  };
  return series(x, k(x, 1), a.div(b).mul(x), r);
}

function hyp1f1Asymptotic(a: V, b: V, x: V): V {
  const r = (kk: V) => {
    const kx = kf(kk, x);
    return b.sub(a).add(kx).mul(k(x, 1).sub(a).add(kx)).div(kx.add(1)).div(x);
  };
  const s = series(x, k(x, 1), b.sub(a).mul(k(x, 1).sub(a)).div(x), r);
  return gamma(b)
    .div(gamma(a))
    .mul(lax.exp(x))
    .mul(jnp.power(x, a.sub(b)))
    .mul(s);
}

/** d/da and d/db of 1F1: its series with each term weighted by digamma differences. */
function hyp1f1ParamDerivative(which: 'a' | 'b') {
  return jit(
    vectorize((a: V, b: V, x: V) => {
      const r = (kk: V) => {
        const kx = kf(kk, x);
        return a.add(kx).div(b.add(kx)).mul(x).div(kx.add(1));
      };
      const w =
        which === 'a'
          ? (kk: V) => digamma(a.add(kf(kk, x))).sub(digamma(a))
          : (kk: V) => digamma(b).sub(digamma(b.add(kf(kk, x))));
      return series(x, k(x, 0), a.div(b).mul(x), r, w);
    }),
  );
}
const hyp1f1DA = hyp1f1ParamDerivative('a');
const hyp1f1DB = hyp1f1ParamDerivative('b');

const hyp1f1Jit = jit(
  vectorize(function hyp1f1(a: V, b: V, x: V): V {
    const result = lax.cond(
      lax.abs(x).lt(100),
      ([aa, bb, xx]: V[]) => hyp1f1Serie(aa, bb, xx),
      ([aa, bb, xx]: V[]) => hyp1f1Asymptotic(aa, bb, xx),
      [a, b, x],
    ) as V;
    const i = (c: V, v: number) => c.astype(int32).mul(v);
    const index = i(a.eq(0), 1)
      .add(i(a.eq(b).and(a.ne(0)), 2))
      .add(i(b.eq(0).and(a.ne(0)), 3));
    return lax.selectN(index, result, k(x, 1), jnp.exp(x), k(x, Number.POSITIVE_INFINITY));
  }),
);
const hyp1f1Core = customJvp(function hyp1f1(a: V, b: V, x: V): V {
  return hyp1f1Jit(a, b, x);
});
hyp1f1Core.defjvps(
  (aDot: V, _o: V, a: V, b: V, x: V) => hyp1f1DA(a, b, x).mul(aDot),
  (bDot: V, _o: V, a: V, b: V, x: V) => hyp1f1DB(a, b, x).mul(bDot),
  (xDot: V, _o: V, a: V, b: V, x: V) =>
    a
      .div(b)
      .mul(hyp1f1Core(a.add(1), b.add(1), x))
      .mul(xDot),
);

/** hyp1f1(a, b, x) = 1F1(a; b; x), Kummer's confluent hypergeometric function (1 for a = b = 0). */
export function hyp1f1(a: unknown, b: unknown, x: unknown): V {
  const [av, bv, xv] = promote('hyp1f1', a, b, x);
  return hyp1f1Core(av, bv, xv);
}

// ---- hyp2f1 -----------------------------------------------------------------------------------------

/** The series of 2F1 when a or b is a non-positive integer: it has |a| + 1 terms. */
function hyp2f1Terminal(a0: V, b0: V, c: V, x: V): V {
  const eps = finfo(x.dtype).eps * 50;
  const ib = jnp.round(b0);
  // Of a and b, run to the negative integer of larger magnitude that c (if a non-positive
  // integer) does not stop first.
  const cStops = jnp.remainder(c, 1).eq(0).and(c.le(0)).and(c.gt(b0));
  const mask = b0
    .lt(a0)
    .and(jnp.abs(b0.sub(ib)).lt(eps))
    .and(cStops.not());
  const a = jnp.abs(jnp.where(mask, b0, a0));
  const b = jnp.where(mask, a0, b0);
  const [serie] = lax.foriLoop(
    lax.convertElementType(1, a.dtype),
    a.add(1),
    (i: V, [s, t]: V[]) => {
      const t2 = t.mul(a.sub(i).add(1).neg().div(c.add(i).sub(1)).mul(b.add(i).sub(1)).div(i).mul(x));
      return [s.add(t2), t2];
    },
    [k(x, 1), k(x, 1)],
  ) as V[];
  return serie;
}

function hyp2f1Serie(a: V, b: V, c: V, x: V): V {
  const rtol = finfo(x.dtype).eps;
  const [serie] = lax.whileLoop(
    ([s, kk, t]: V[]) => kk.lt(250).and(lax.abs(t).gt(lax.abs(s).mul(rtol))),
    ([s, kk, t]: V[]) => [
      s.add(t),
      kk.add(1),
      t.mul(a.add(kk).sub(1).mul(b.add(kk).sub(1)).div(c.add(kk).sub(1)).div(kk).mul(x)),
    ],
    [k(x, 0), k(x, 1), k(x, 1)],
  ) as V[];
  return serie;
}

/** 2F1 near x = 1 when c - a - b is (nearly) an integer: AMS 55 15.3.10-12. */
function hyp2f1DigammaTransform(a: V, b: V, c: V, x: V): V {
  const rtol = finfo(x.dtype).eps;
  const d = c.sub(a).sub(b);
  const s = k(x, 1).sub(x);
  const rd = jnp.round(d);
  const pos = rd.ge(0);
  const e = jnp.where(pos, d, d.neg());
  const d1 = jnp.where(pos, d, k(d, 0));
  const d2 = jnp.where(pos, k(d, 0), d);
  const ard = jnp.where(pos, rd, rd.neg()).astype(int32);
  const ax = jnp.log(s);
  const one = k(x, 1);
  let y = digamma(one)
    .add(digamma(one.add(e)))
    .sub(digamma(a.add(d1)))
    .sub(digamma(b.add(d1)))
    .sub(ax);
  y = y.div(gamma(e.add(1)));
  const p0 = a
    .add(d1)
    .mul(b.add(d1))
    .mul(s)
    .div(gamma(e.add(2)));
  const loop = lax.whileLoop(
    ([, q, , t, yy]: V[]) => t.lt(250).and(jnp.abs(q).ge(jnp.abs(yy).mul(rtol))),
    ([p, , , t, yy]: V[]) => {
      const r = digamma(one.add(t))
        .add(digamma(one.add(t).add(e)))
        .sub(digamma(a.add(t).add(d1)))
        .sub(digamma(b.add(t).add(d1)))
        .sub(ax);
      const q = p.mul(r);
      let p2 = p.mul(s.mul(a.add(t).add(d1)).div(t.add(1)));
      p2 = p2.mul(b.add(t).add(d1).div(t.add(1).add(e)));
      return [p2, q, r, t.add(1), yy.add(q)];
    },
    [p0, y, k(x, 0), k(x, 1), y],
  ) as V[];
  const yOut = loop[4];
  const computeSum = (yy: V): V => {
    const [, , y1] = lax.foriLoop(
      1,
      ard,
      (_i: V, [p, t, acc]: V[]) => {
        const r = one.sub(e).add(t);
        let p2 = p.mul(s.mul(a.add(t).add(d2)).mul(b.add(t).add(d2)).div(r));
        const t2 = t.add(1);
        p2 = p2.div(t2);
        return [p2, t2, acc.add(p2)];
      },
      [k(x, 1), k(x, 0), k(x, 1)],
    ) as V[];
    const gc = gamma(c);
    const y1s = y1.mul(
      gamma(e)
        .mul(gc)
        .div(gamma(a.add(d1)).mul(gamma(b.add(d1)))),
    );
    let y2 = yy.mul(gc.div(gamma(a.add(d2)).mul(gamma(b.add(d2)))));
    y2 = jnp.where(jnp.bitwise_and(ard, 1).ne(0), y2.neg(), y2);
    const q = jnp.power(s, rd);
    return jnp.where(rd.gt(0), y2.mul(q).add(y1s), y2.add(y1s.mul(q)));
  };
  return jnp.where(rd.eq(0), yOut.mul(gamma(c)).div(gamma(a).mul(gamma(b))), computeSum(yOut));
}

function hyp2f1TerminalOrSerie(a: V, b: V, c: V, x: V): V {
  const eps = finfo(x.dtype).eps * 50;
  const d = c.sub(a).sub(b);
  const negIntA = a.le(0).and(jnp.abs(a.sub(jnp.round(a))).lt(eps));
  const negIntB = b.le(0).and(jnp.abs(b.sub(jnp.round(b))).lt(eps));
  const negInt = negIntA.or(negIntB);
  const index = jnp.where(
    x.gt(0.9).and(negInt.not()),
    jnp.where(jnp.abs(d.sub(jnp.round(d))).ge(eps), 0, 1),
    jnp.where(negInt, 2, 0),
  );
  return lax.selectN(
    index,
    hyp2f1Serie(a, b, c, x),
    hyp2f1DigammaTransform(a, b, c, x),
    hyp2f1Terminal(a, b, c, x),
  );
}

/** d/da, d/db and d/dc of 2F1: its series weighted by digamma differences. */
function hyp2f1ParamDerivative(which: 'a' | 'b' | 'c') {
  return jit(
    vectorize((a: V, b: V, c: V, x: V) => {
      const r = (kk: V) => {
        const kx = kf(kk, x);
        return a.add(kx).mul(b.add(kx)).div(c.add(kx)).div(kx.add(1)).mul(x);
      };
      const w = (kk: V) => {
        const kx = kf(kk, x);
        if (which === 'a') return digamma(a.add(kx)).sub(digamma(a));
        if (which === 'b') return digamma(b.add(kx)).sub(digamma(b));
        return digamma(c).sub(digamma(c.add(kx)));
      };
      return series(x, k(x, 0), a.mul(b).div(c).mul(x), r, w);
    }),
  );
}
const hyp2f1DA = hyp2f1ParamDerivative('a');
const hyp2f1DB = hyp2f1ParamDerivative('b');
const hyp2f1DC = hyp2f1ParamDerivative('c');

const hyp2f1Jit = jit(
  vectorize(function hyp2f1(a: V, b: V, c: V, x: V): V {
    const eps = finfo(x.dtype).eps * 50;
    const d = c.sub(a).sub(b);
    const s = k(x, 1).sub(x);
    const ca = c.sub(a);
    const cb = c.sub(b);
    const id = jnp.round(d);
    const w = jnp.where;
    const index = w(
      x.eq(0).or(a.eq(0).or(b.eq(0)).and(c.ne(0))),
      0,
      w(
        c.eq(0).or(c.lt(0).and(jnp.remainder(c, 1).eq(0))),
        1,
        w(
          d.le(-1).and(jnp.abs(d.sub(id)).ge(eps).and(s.lt(0)).not()),
          2,
          w(
            d.le(0).and(x.eq(1)),
            1,
            w(x.lt(1).and(b.eq(c)), 3, w(x.lt(1).and(a.eq(c)), 4, w(x.gt(1), 1, w(x.eq(1), 5, 6)))),
          ),
        ),
      ),
    );
    return lax.selectN(
      index,
      k(x, 1),
      k(x, Number.POSITIVE_INFINITY),
      jnp.power(s, d).mul(hyp2f1TerminalOrSerie(ca, cb, c, x)),
      jnp.power(s, a.neg()),
      jnp.power(s, b.neg()),
      gamma(c)
        .mul(gamma(d))
        .div(gamma(ca).mul(gamma(cb))),
      hyp2f1TerminalOrSerie(a, b, c, x),
    );
  }),
);
const hyp2f1Core = customJvp(function hyp2f1(a: V, b: V, c: V, x: V): V {
  return hyp2f1Jit(a, b, c, x);
});
hyp2f1Core.defjvps(
  (g: V, _o: V, a: V, b: V, c: V, x: V) => hyp2f1DA(a, b, c, x).mul(g),
  (g: V, _o: V, a: V, b: V, c: V, x: V) => hyp2f1DB(a, b, c, x).mul(g),
  (g: V, _o: V, a: V, b: V, c: V, x: V) => hyp2f1DC(a, b, c, x).mul(g),
  (g: V, _o: V, a: V, b: V, c: V, x: V) =>
    a
      .mul(b)
      .div(c)
      .mul(hyp2f1Core(a.add(1), b.add(1), c.add(1), x))
      .mul(g),
);

/** hyp2f1(a, b, c, x) = 2F1(a, b; c; x), Gauss's hypergeometric function. */
export function hyp2f1(a: unknown, b: unknown, c: unknown, x: unknown): V {
  const [av, bv, cv, xv] = promote('hyp2f1', a, b, c, x);
  return hyp2f1Core(av, bv, cv, xv);
}
