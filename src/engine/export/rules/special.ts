/**
 * @file Export rules of the special functions JAX lowers with mlir.lower_fun of Python
 * implementations (jax/_src/lax/special.py, ported from XLA's client/lib/math.cc): igamma,
 * igammac, igamma_grad_a and random_gamma_grad (a power series and a continued fraction, each a
 * while loop over an `enabled` mask) and regularized_incomplete_beta (the Lentz-Thompson-Barnett
 * continued fraction). The same algorithms are written here with tjax's lax, traced to a jaxpr
 * per operand shape and dtype and lowered inline, as lower_fun does; _up_and_broadcast's
 * broadcasting and float16 upcast come first. Export rules cannot import lax (it sits above
 * them), so engine/index.ts imports this file once the namespaces are loaded.
 */

import { ShapedArray } from '../../core/aval.js';
import { type DType, float32, int32 } from '../../core/dtype.js';
import type { Params } from '../../core/primitive.js';
import type { Value } from '../../core/trace.js';
import type { ClosedJaxpr } from '../../ir/jaxpr.js';
import { whileLoop } from '../../lax/control.js';
import { convertElementType } from '../../lax/convert.js';
import {
  abs,
  add,
  bitwiseAnd,
  bitwiseNot,
  bitwiseOr,
  digamma,
  div,
  eq,
  exp,
  ge,
  gt,
  le,
  lgamma,
  log,
  log1p,
  lt,
  mul,
  ne,
  neg,
  reciprocal,
  rem,
  select,
  sub,
} from '../../lax/elementwise.js';
import { reduceOr } from '../../lax/reductions.js';
import { broadcastInDim } from '../../lax/structural.js';
import { makeJaxpr } from '../../transforms/jit.js';
import { jaxprSubcomp, registerExportRule } from '../lower.js';
import { arrayConstant } from '../module.js';

type Mode = 'value' | 'derivative' | 'sample_derivative';

interface FInfo {
  eps: number;
  max: number;
  tiny: number;
}

function finfo(d: DType): FInfo {
  if (d.name === 'float64') return { eps: 2 ** -52, max: Number.MAX_VALUE, tiny: 2 ** -1022 };
  if (d.name === 'float16') return { eps: 2 ** -10, max: 65504, tiny: 2 ** -14 };
  return { eps: 2 ** -23, max: 3.4028234663852886e38, tiny: 2 ** -126 };
}

/** lax.full_like(x, v): v in x's dtype, broadcast to x's shape. */
function fullLike(x: Value, v: number): Value {
  return broadcastInDim(convertElementType(v, x.dtype), x.shape, []);
}

const isNan = (x: Value) => ne(x, x);

/** special._any: reduce_or over every dimension. */
function any(p: Value): Value {
  return reduceOr(
    p,
    p.shape.map((_, i) => i),
  );
}

const orAll = (ps: Value[]) => ps.reduce((a, b) => bitwiseOr(a, b));

function igammaSeries(ax: Value, x: Value, a: Value, enabled: Value, d: DType, mode: Mode): Value {
  const { eps } = finfo(d);
  const init = [enabled, a, fullLike(a, 1), fullLike(a, 1), x, fullLike(a, 0), fullLike(a, 0)];
  const vals = whileLoop<Value[]>(
    (v) => any(v[0]),
    (v) => {
      const [en, r0, c0, ans0, xx, dcda0, dansda0] = v;
      const r = add(r0, 1);
      const dcda = sub(mul(dcda0, div(xx, r)), div(mul(c0, xx), mul(r, r)));
      const dansda = add(dansda0, dcda);
      const c = mul(c0, div(xx, r));
      const ans = add(ans0, c);
      const conditional =
        mode === 'value'
          ? bitwiseAnd(en, gt(div(c, ans), eps))
          : bitwiseAnd(en, gt(abs(div(dcda, dansda)), eps));
      return [conditional, ...[r, c, ans, xx, dcda, dansda].map((n, k) => select(en, n, v[k + 1]))];
    },
    init,
  );
  const ans = vals[3];
  const dansda = vals[6];
  if (mode === 'value') return div(mul(ans, ax), a);
  const dlogaxda = sub(log(x), digamma(add(a, 1)));
  if (mode === 'derivative') return div(mul(ax, add(mul(ans, dlogaxda), dansda)), a);
  return div(mul(neg(add(dansda, mul(ans, dlogaxda))), x), a);
}

function igammacContinuedFraction(
  ax: Value,
  x: Value,
  a: Value,
  enabled: Value,
  d: DType,
  mode: Mode,
): Value {
  const { eps } = finfo(d);
  const y = sub(1, a);
  const z = add(add(x, y), 1);
  const c = convertElementType(0, x.dtype);
  const pkm2 = fullLike(x, 1);
  const qkm2 = x;
  const pkm1 = add(x, 1);
  const qkm1 = mul(z, x);
  const ans = div(pkm1, qkm1);
  const t = fullLike(x, 1);
  const dpkm2da = fullLike(x, 0);
  const dqkm2da = fullLike(x, 0);
  const dpkm1da = fullLike(x, 0);
  const dqkm1da = neg(x);
  const dansda = div(sub(dpkm1da, mul(ans, dqkm1da)), qkm1);
  const init = [enabled, ans, t, y, z, c, pkm1, qkm1, pkm2, qkm2, dpkm2da, dqkm2da, dpkm1da, dqkm1da, dansda];
  const vals = whileLoop<Value[]>(
    (v) => bitwiseAnd(lt(v[5], 2000), any(v[0])),
    (v) => {
      const en = v[0];
      let [, ans_, t_, y_, z_, c_, pkm1_, qkm1_, pkm2_, qkm2_, dpkm2_, dqkm2_, dpkm1_, dqkm1_] = v;
      const dansda_ = v[14];
      c_ = add(c_, 1);
      y_ = add(y_, 1);
      z_ = add(z_, 2);
      const yc = mul(y_, c_);
      const pk = sub(mul(pkm1_, z_), mul(pkm2_, yc));
      const qk = sub(mul(qkm1_, z_), mul(qkm2_, yc));
      const nz = ne(qk, 0);
      const r = div(pk, qk);
      t_ = select(nz, abs(div(sub(ans_, r), r)), fullLike(r, 1));
      ans_ = select(nz, r, ans_);
      const dpkda = add(sub(sub(mul(dpkm1_, z_), pkm1_), mul(dpkm2_, yc)), mul(pkm2_, c_));
      const dqkda = add(sub(sub(mul(dqkm1_, z_), qkm1_), mul(dqkm2_, yc)), mul(qkm2_, c_));
      const dansdaNew = select(nz, div(sub(dpkda, mul(ans_, dqkda)), qk), dansda_);
      const gradCond = select(nz, abs(sub(dansdaNew, dansda_)), fullLike(dansda_, 1));
      pkm2_ = pkm1_;
      pkm1_ = pk;
      qkm2_ = qkm1_;
      qkm1_ = qk;
      dpkm2_ = dpkm1_;
      dqkm2_ = dqkm1_;
      dpkm1_ = dpkda;
      dqkm1_ = dqkda;
      const rescale = gt(abs(pk), reciprocal(convertElementType(eps, pk.dtype)));
      const sc = (q: Value) => select(rescale, mul(q, eps), q);
      pkm2_ = sc(pkm2_);
      pkm1_ = sc(pkm1_);
      qkm2_ = sc(qkm2_);
      qkm1_ = sc(qkm1_);
      dpkm2_ = sc(dpkm2_);
      dqkm2_ = sc(dqkm2_);
      dpkm1_ = sc(dpkm1_);
      dqkm1_ = sc(dqkm1_);
      const conditional = mode === 'value' ? bitwiseAnd(en, gt(t_, eps)) : bitwiseAnd(en, gt(gradCond, eps));
      // Every value keeps its old one where the mask is off, except the iteration count c.
      const next = [
        ans_,
        t_,
        y_,
        z_,
        c_,
        pkm1_,
        qkm1_,
        pkm2_,
        qkm2_,
        dpkm2_,
        dqkm2_,
        dpkm1_,
        dqkm1_,
        dansdaNew,
      ];
      return [conditional, ...next.map((n, k) => (k === 4 ? n : select(en, n, v[k + 1])))];
    },
    init,
  );
  const ansF = vals[1];
  if (mode === 'value') return mul(ansF, ax);
  const dlogaxda = sub(log(x), digamma(a));
  if (mode === 'derivative') return mul(ax, add(mul(ansF, dlogaxda), vals[14]));
  return neg(mul(add(vals[14], mul(ansF, dlogaxda)), x));
}

/** -log(finfo(dtype).max), computed in the program as JAX's NumPy scalar log is. */
const negLogMax = (d: DType): Value => neg(log(convertElementType(finfo(d).max, d)));

/** a*log(x) - x - lgamma(a), its underflow test and exp. */
function axTerms(a: Value, x: Value, d: DType): [Value, Value] {
  const ax = sub(sub(mul(a, log(x)), x), lgamma(a));
  const underflow = lt(ax, negLogMax(d));
  return [exp(ax), underflow];
}

function igammaImpl(a: Value, x: Value, d: DType): Value {
  const nan = bitwiseOr(isNan(a), isNan(x));
  const xInf = eq(x, Number.POSITIVE_INFINITY);
  const aZero = eq(a, 0);
  const xZero = eq(x, 0);
  const domain = orAll([lt(x, 0), lt(a, 0), bitwiseAnd(aZero, xZero), nan]);
  const useC = bitwiseAnd(ge(x, 1), gt(x, a));
  const [ax, underflow] = axTerms(a, x, d);
  const enabled = bitwiseNot(orAll([xZero, domain, underflow, xInf]));
  let out = select(
    useC,
    sub(
      convertElementType(1, a.dtype),
      igammacContinuedFraction(ax, x, a, bitwiseAnd(enabled, useC), d, 'value'),
    ),
    igammaSeries(ax, x, a, bitwiseAnd(enabled, bitwiseNot(useC)), d, 'value'),
  );
  out = select(xZero, fullLike(a, 0), out);
  out = select(xInf, fullLike(a, 1), out);
  return select(domain, fullLike(a, Number.NaN), out);
}

function igammacImpl(a: Value, x: Value, d: DType): Value {
  const nan = bitwiseOr(isNan(a), isNan(x));
  const aZero = eq(a, 0);
  const xZero = eq(x, 0);
  const xInf = eq(x, Number.POSITIVE_INFINITY);
  const domain = orAll([lt(x, 0), lt(a, 0), bitwiseAnd(aZero, xZero), nan]);
  const useI = bitwiseOr(lt(x, 1), lt(x, a));
  const axRaw = sub(sub(mul(a, log(x)), x), lgamma(a));
  const underflow = lt(axRaw, negLogMax(d));
  const enabled = bitwiseNot(orAll([domain, underflow, xInf, aZero]));
  const ax = exp(axRaw);
  const series = igammaSeries(ax, x, a, bitwiseAnd(enabled, useI), d, 'value');
  const cf = igammacContinuedFraction(ax, x, a, bitwiseAnd(enabled, bitwiseNot(useI)), d, 'value');
  let out = select(useI, sub(convertElementType(1, a.dtype), series), cf);
  out = select(bitwiseOr(xInf, aZero), fullLike(out, 0), out);
  return select(domain, fullLike(a, Number.NaN), out);
}

/** igamma_grad_a (mode 'derivative') and random_gamma_grad (mode 'sample_derivative'). */
function igammaGradImpl(a: Value, x: Value, d: DType, mode: Mode): Value {
  const nan = bitwiseOr(isNan(a), isNan(x));
  const xZero = eq(x, fullLike(x, 0));
  const domain = bitwiseOr(lt(x, fullLike(x, 0)), le(a, fullLike(a, 0)));
  const useC = bitwiseAnd(gt(x, fullLike(x, 1)), gt(x, a));
  const [ax, underflow] = axTerms(a, x, d);
  const enabled = bitwiseNot(bitwiseOr(bitwiseOr(bitwiseOr(xZero, domain), underflow), nan));
  let out = select(
    useC,
    neg(igammacContinuedFraction(ax, x, a, bitwiseAnd(enabled, useC), d, mode)),
    igammaSeries(ax, x, a, bitwiseAnd(enabled, bitwiseNot(useC)), d, mode),
  );
  out = select(xZero, fullLike(out, 0), out);
  return select(bitwiseOr(domain, nan), fullLike(a, Number.NaN), out);
}

function lentzThompsonBarnett(
  numIterations: number,
  small: number,
  threshold: number,
  numerator: (i: Value) => Value,
  denominator: (i: Value) => Value,
  like: Value,
): Value {
  const i0 = convertElementType(0, int32, true);
  const pd0 = denominator(i0);
  const smallV = convertElementType(small, like.dtype);
  const h = select(lt(abs(pd0), smallV), broadcastInDim(smallV, pd0.shape, []), pd0);
  const init = [
    convertElementType(1, int32, true),
    convertElementType(true, 'bool', true),
    h,
    fullLike(h, 0),
    h,
  ];
  const vals = whileLoop<Value[]>(
    (v) => bitwiseAnd(lt(v[0], numIterations), v[1]),
    (v) => {
      const it = v[0];
      const pn = numerator(it);
      const pd = denominator(it);
      let c = add(pd, div(pn, v[2]));
      const sm = fullLike(c, small);
      c = select(lt(abs(c), sm), sm, c);
      let dd = add(pd, mul(pn, v[3]));
      dd = select(lt(abs(dd), sm), sm, dd);
      dd = reciprocal(dd);
      const delta = mul(c, dd);
      const hh = mul(v[4], delta);
      return [add(it, 1), any(ge(abs(sub(delta, 1)), threshold)), c, dd, hh];
    },
    init,
  );
  return vals[4];
}

function betaincImpl(a0: Value, b0: Value, x0: Value, d: DType): Value {
  const shape = a0.shape;
  const info = finfo(d);
  const numerator = (it: Value, a: Value, b: Value, x: Value): Value => {
    const ib = broadcastInDim(it, shape, []);
    const even = eq(rem(ib, fullLike(ib, 2)), fullLike(ib, 0));
    const isOne = eq(ib, fullLike(ib, 1));
    const im1 = sub(ib, fullLike(ib, 1));
    const mi = div(im1, fullLike(im1, 2));
    const mZero = eq(mi, fullLike(mi, 0));
    const m = convertElementType(mi, d);
    const one = fullLike(a, 1);
    const two = fullLike(a, 2);
    const zeroNum = div(mul(neg(add(a, b)), x), add(a, one));
    // Written as JAX's Python expressions evaluate (a + 2m recomputed), for the same program.
    const evenNum = select(
      mZero,
      zeroNum,
      div(
        mul(mul(neg(add(a, m)), add(add(a, b), m)), x),
        mul(add(a, mul(two, m)), add(add(a, mul(two, m)), one)),
      ),
    );
    const oddNum = div(mul(mul(m, sub(b, m)), x), mul(sub(add(a, mul(two, m)), one), add(a, mul(two, m))));
    return select(isOne, fullLike(x, 1), select(even, evenNum, oddNum));
  };
  const denominator = (it: Value, x: Value): Value => {
    const ib = broadcastInDim(it, shape, []);
    return select(eq(ib, fullLike(ib, 0)), fullLike(x, 0), fullLike(x, 1));
  };
  const aZero = bitwiseOr(eq(a0, fullLike(a0, 0)), eq(b0, fullLike(b0, Number.POSITIVE_INFINITY)));
  const bZero = bitwiseOr(eq(b0, fullLike(b0, 0)), eq(a0, fullLike(a0, Number.POSITIVE_INFINITY)));
  const xZero = eq(x0, fullLike(x0, 0));
  const xOne = eq(x0, fullLike(x0, 1));
  const xNotZero = bitwiseNot(xZero);
  const xNotOne = bitwiseNot(xOne);
  const nan = bitwiseOr(bitwiseOr(isNan(a0), isNan(b0)), isNan(x0));
  const resZero = bitwiseOr(bitwiseAnd(bZero, xNotOne), bitwiseAnd(aZero, xZero));
  const resOne = bitwiseOr(bitwiseAnd(aZero, xNotZero), bitwiseAnd(bZero, xOne));
  let resNan = bitwiseOr(
    bitwiseOr(bitwiseOr(lt(a0, fullLike(a0, 0)), lt(b0, fullLike(b0, 0))), lt(x0, fullLike(x0, 0))),
    gt(x0, fullLike(x0, 1)),
  );
  resNan = bitwiseOr(resNan, bitwiseOr(bitwiseAnd(aZero, bZero), nan));
  const fast = lt(x0, div(add(a0, fullLike(a0, 1)), add(add(a0, b0), fullLike(b0, 2))));
  const a = select(fast, a0, b0);
  const b = select(fast, b0, a0);
  const x = select(fast, x0, sub(fullLike(x0, 1), x0));
  const cf = lentzThompsonBarnett(
    d.name === 'float32' ? 200 : 600,
    info.eps / 2,
    info.eps / 2,
    (it) => numerator(it, a, b, x),
    (it) => denominator(it, x),
    a,
  );
  const verySmall = info.tiny * 2;
  const lbetaSmallA = sub(lgamma(b), lgamma(add(a, b)));
  const lbeta = add(lgamma(a), lbetaSmallA);
  const factor = select(
    lt(a, fullLike(a, verySmall)),
    exp(sub(mul(log1p(neg(x)), b), lbetaSmallA)),
    div(exp(sub(add(mul(log(x), a), mul(log1p(neg(x)), b)), lbeta)), a),
  );
  let result = mul(cf, factor);
  result = select(fast, result, sub(fullLike(result, 1), result));
  result = select(resZero, fullLike(a, 0), result);
  result = select(resOne, fullLike(a, 1), result);
  return select(resNan, fullLike(a, Number.NaN), result);
}

/** _up_and_broadcast: operands to their common shape, float16 computed in float32. */
function upAndBroadcast(doit: (args: Value[], d: DType) => Value) {
  return (...args: Value[]): Value => {
    const rank = Math.max(...args.map((v) => v.shape.length));
    const shape = Array.from({ length: rank }, (_, i) =>
      Math.max(...args.map((v) => v.shape[i - (rank - v.shape.length)] ?? 1)),
    );
    // lax.broadcast_in_dim returns an operand of the target shape as it is.
    let xs = args.map((v) =>
      v.shape.length === rank && v.shape.every((n, i) => n === shape[i])
        ? v
        : broadcastInDim(
            v,
            shape,
            v.shape.map((_, i) => i),
          ),
    );
    const d0 = xs[0].dtype;
    const up = d0.name === 'float16';
    if (up) xs = xs.map((v) => convertElementType(v, float32));
    const r = doit(xs, up ? float32 : d0);
    return up ? convertElementType(r, d0) : r;
  };
}

/**
 * The lower_fun'd implementations. JAX 0.10.2 has no random_gamma_grad primitive: its
 * lax.random_gamma_grad traces random_gamma_grad_impl into the program (no upcast or broadcast),
 * where jit's DCE drops its unused `exp`; tjax's primitive lowers the same way.
 */
const IMPLS: Record<string, [(...args: Value[]) => Value, boolean]> = {
  igamma: [upAndBroadcast(([a, x], d) => igammaImpl(a, x, d)), false],
  igammac: [upAndBroadcast(([a, x], d) => igammacImpl(a, x, d)), false],
  igamma_grad_a: [upAndBroadcast(([a, x], d) => igammaGradImpl(a, x, d, 'derivative')), false],
  random_gamma_grad: [(a, x) => igammaGradImpl(a, x, a.dtype, 'sample_derivative'), true],
  regularized_incomplete_beta: [upAndBroadcast(([a, b, x], d) => betaincImpl(a, b, x, d)), false],
};

const cache = new Map<string, ClosedJaxpr>();

/**
 * Register `impl` as the export rule of `name`, as JAX's mlir.lower_fun: traced to a jaxpr per
 * operand shape and dtype (cached) and lowered inline; `inline` drops outputs jit's DCE would.
 */
export function registerLoweredFun(name: string, impl: (...args: Value[]) => Value, inline = false): void {
  registerLoweredFunOf(name, (xs) => impl(...xs), inline);
}

/** registerLoweredFun for an `impl` that reads the equation's params (traced per params too). */
export function registerLoweredFunOf(
  name: string,
  impl: (xs: Value[], params: Params) => Value | Value[],
  inline = false,
): void {
  registerExportRule(name, (ctx, ins, params) => {
    const key = `${name}|${JSON.stringify(params)}|${ctx.avalsIn.map((a) => `${a.dtype.name}[${a.shape}]`).join(',')}`;
    let cj = cache.get(key);
    if (!cj) {
      cj = makeJaxpr((...xs: Value[]) => impl(xs, params))(
        ...(ctx.avalsIn.map((a) => new ShapedArray(a.shape, a.dtype, false)) as never[]),
      );
      cache.set(key, cj);
    }
    let jaxpr = cj.jaxpr;
    if (inline) jaxpr = ctx.mod.dce.jaxpr(jaxpr, [true], true)[0];
    const consts = cj.consts.map((c) => arrayConstant(ctx.b, c));
    return jaxprSubcomp(ctx.mod, ctx.b, jaxpr, consts, ins);
  });
}

for (const [name, [impl, inline]] of Object.entries(IMPLS)) registerLoweredFun(name, impl, inline);
