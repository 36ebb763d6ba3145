/**
 * @file jvp, transpose and batch rules of the elementwise primitives (primitives/elementwise.ts)
 * and of add_any / stop_gradient. The derivative formulas are JAX's (lax.py's defjvp calls), so
 * the staged programs of grad read like JAX's.
 */
import type { ShapedArray } from '../../core/aval.js';
import type { Primitive } from '../../core/primitive.js';
import { broadcastShapes } from '../../core/shape.js';
import { bind1, type Value } from '../../core/trace.js';
import * as C from '../../lax/complex.js';
import * as L from '../../lax/elementwise.js';
import { broadcastInDim } from '../../lax/structural.js';
import * as P from '../../primitives/elementwise.js';
import { add_any, instantiate, type JvpRule, stop_gradient, unbroadcast, Zero, zerosLike } from '../jvp.js';
import { type TransposeRule, UndefPrimal } from '../transpose.js';
import { type BatchRule, moveBatchAxis } from '../vmap.js';
import { broadcastBatcher, constLike, defjvp, defjvpZero, fullLike, setBatch } from './common.js';

type V = Value;

// ---- jvp -----------------------------------------------------------------------------------------

defjvp(P.neg, (g) => L.neg(g));
defjvp(P.exp, (g, ans) => L.mul(g, ans));
defjvp(P.exp2, (g, ans, x) => L.mul(L.log(constLike(x, 2)), L.mul(g, ans)));
defjvp(P.log, (g, _a, x) => L.div(g, x));
defjvp(P.log1p, (g, _a, x) => L.div(g, L.add(x, 1)));
defjvp(P.expm1, (g, ans) => L.mul(g, L.add(ans, 1)));
defjvp(P.sqrt, (g, ans) => L.mul(g, L.div(0.5, ans)));
defjvp(P.rsqrt, (g, ans, x) => L.mul(g, L.mul(-0.5, L.div(ans, x))));
defjvp(P.cbrt, (g, ans, x) => L.mul(g, L.mul(constLike(x, 1 / 3), L.integerPow(ans, -2))));
defjvp(P.sin, (g, _a, x) => L.mul(g, L.cos(x)));
defjvp(P.cos, (g, _a, x) => L.neg(L.mul(g, L.sin(x))));
defjvp(P.tan, (g, ans) => L.mul(g, L.add(1, L.square(ans))));
defjvp(P.asin, (g, _a, x) => L.mul(g, L.rsqrt(L.sub(1, L.square(x)))));
defjvp(P.acos, (g, _a, x) => L.mul(g, L.neg(L.rsqrt(L.sub(1, L.square(x))))));
defjvp(P.atan, (g, _a, x) => L.div(g, L.add(1, L.square(x))));
defjvp(P.sinh, (g, _a, x) => L.mul(g, L.cosh(x)));
defjvp(P.cosh, (g, _a, x) => L.mul(g, L.sinh(x)));
defjvp(P.tanh, (g, ans) => L.mul(L.add(g, L.mul(g, ans)), L.sub(1, ans)));
defjvp(P.asinh, (g, _a, x) => L.mul(g, L.rsqrt(L.add(L.square(x), 1))));
// JAX uses x^2 - 1 rather than (x + 1)(x - 1).
defjvp(P.acosh, (g, _a, x) => L.mul(g, L.rsqrt(L.sub(L.square(x), 1))));
defjvp(P.atanh, (g, _a, x) => L.mul(L.reciprocal(L.add(1, x)), L.div(g, L.sub(1, x))));
defjvp(P.logistic, (g, ans) => L.mul(g, L.mul(ans, L.sub(1, ans))));
defjvp(P.erf, (g, _a, x) => L.mul(constLike(x, 2 / Math.sqrt(Math.PI)), L.mul(g, L.exp(L.neg(L.square(x))))));
defjvp(P.erfc, (g, _a, x) =>
  L.mul(constLike(x, -2 / Math.sqrt(Math.PI)), L.mul(g, L.exp(L.neg(L.square(x))))),
);
defjvp(P.erf_inv, (g, ans, x) => L.mul(constLike(x, Math.sqrt(Math.PI) / 2), L.mul(g, L.exp(L.square(ans)))));
defjvp(P.lgamma, (g, _a, x) => L.mul(g, L.digamma(x)));
defjvp(P.square, (g, _a, x) => L.mul(g, L.mul(2, x)));
// JAX's _abs_jvp_rule: for complex x, real(g * conj(x) / replace_zero(complex(|x|))).
defjvp(P.abs, (g, ans, x) => {
  if (!x.dtype.isComplex) return L.select(L.ge(x, 0), g, L.neg(g));
  const cx = C.conj(x);
  const a = bind1(P.convert_element_type, [ans], { new_dtype: x.dtype, sharding: null, weak_type: false });
  return C.real(L.mul(g, L.div(cx, replaceZero(a))));
});

for (const p of [
  P.sign,
  P.floor,
  P.ceil,
  P.round,
  P.is_finite,
  P.not,
  P.population_count,
  P.clz,
  P.nextafter,
])
  defjvpZero(p);
for (const p of [P.and, P.or, P.xor, P.shift_left, P.shift_right_logical, P.shift_right_arithmetic])
  defjvpZero(p);
for (const p of [P.eq, P.ne, P.lt, P.le, P.gt, P.ge, P.lt_to, P.le_to, P.bitcast_convert_type]) defjvpZero(p);
defjvpZero(stop_gradient);

P.integer_pow.rules.jvp = ((primals, [g], params) => {
  const [x] = primals;
  const y = Number(params.y);
  const ans = bind1(P.integer_pow, [x], params);
  if (g instanceof Zero || y === 0) return [[ans], [new Zero(ans.aval)]];
  const coef = y === 1 ? null : L.mul(y, y === 2 ? x : L.integerPow(x, y - 1));
  return [[ans], [coef === null ? g : L.mul(g, coef)]];
}) satisfies JvpRule;

defjvp(
  P.add,
  (g) => g,
  (g) => g,
);
defjvp(
  add_any,
  (g) => g,
  (g) => g,
);
defjvp(
  P.sub,
  (g) => g,
  (g) => L.neg(g),
);
// JAX's _add_jvp / _sub_jvp: with both tangents nonzero the tangent is add(xdot, ydot) (resp.
// sub), not an add_any of the two contributions, so jvp jaxprs print as JAX's do.
for (const prim of [P.add, P.sub]) {
  const general = prim.rules.jvp as JvpRule;
  prim.rules.jvp = ((primals, tangents, params) => {
    const [gx, gy] = tangents;
    if (gx instanceof Zero || gy instanceof Zero) return general(primals, tangents, params);
    return [[bind1(prim, primals, params)], [bind1(prim, [gx, gy], params)]];
  }) satisfies JvpRule;
}
defjvp(
  P.mul,
  (g, _a, _x, y) => L.mul(g, y),
  (g, _a, x) => L.mul(x, g),
);
defjvp(
  P.div,
  (g, _a, _x, y) => L.div(g, y),
  (g, _a, x, y) => L.mul(L.mul(L.neg(g), x), L.integerPow(y, -2)),
);
defjvp(
  P.rem,
  (g) => g,
  (g, _a, x, y) => L.mul(L.neg(g), L.mul(L.sign(L.div(x, y)), L.floor(L.abs(L.div(x, y))))),
);

/** JAX's _replace_zero: ones where x is zero. */
function replaceZero(x: V): V {
  return L.select(L.eq(x, constLike(x, 0)), fullLike(x, 1), x);
}
// JAX's _pow_jvp_lhs / _pow_jvp_rhs.
defjvp(
  P.pow,
  (g, _a, x, y) => {
    // A float exponent is y * x ** (y - 1) (operands of different shapes broadcast in the ops).
    if (!y.dtype.isInt) return L.mul(g, L.mul(y, L.pow(x, L.sub(y, fullLike(y, 1)))));
    // y in the result dtype (x's float dtype), broadcast against x, as JAX's rule does.
    const shape = broadcastShapes('pow', x.shape, y.shape);
    const [xb, yb] = [x, L.convertElementType(y, x.dtype)].map((v) =>
      v.shape.join() === shape.join()
        ? v
        : broadcastInDim(
            v,
            shape,
            v.shape.map((_, i) => i + shape.length - v.ndim),
          ),
    );
    const jac = L.select(
      L.eq(yb, constLike(yb, 0)),
      fullLike(yb, 0),
      L.mul(replaceZero(yb), L.pow(xb, L.sub(yb, fullLike(yb, 1)))),
    );
    return L.mul(g, jac);
  },
  (g, ans, x, y) => L.convertElementType(L.mul(g, L.mul(L.log(replaceZero(x)), ans)), y.dtype),
);

/** JAX's _balanced_eq: 1 where x is the result, 0.5 where both operands are. */
function balancedEq(x: V, z: V, y: V): V {
  const num = L.select(L.eq(x, z), fullLike(z, 1), fullLike(z, 0));
  return L.div(num, L.select(L.eq(y, z), fullLike(z, 2), fullLike(z, 1)));
}
defjvp(
  P.max,
  (g, ans, x, y) => L.mul(g, balancedEq(x, ans, y)),
  (g, ans, x, y) => L.mul(g, balancedEq(y, ans, x)),
);
defjvp(
  P.min,
  (g, ans, x, y) => L.mul(g, balancedEq(x, ans, y)),
  (g, ans, x, y) => L.mul(g, balancedEq(y, ans, x)),
);
defjvp(
  P.atan2,
  (g, _a, x, y) => L.mul(g, L.div(y, L.add(L.square(x), L.square(y)))),
  (g, _a, x, y) => L.mul(g, L.div(L.neg(x), L.add(L.square(x), L.square(y)))),
);

P.select_n.rules.jvp = ((primals, tangents, params) => {
  const ans = bind1(P.select_n, primals, params);
  const ts = tangents.slice(1);
  if (ts.every((t) => t instanceof Zero)) return [[ans], [new Zero(ans.aval)]];
  return [[ans], [bind1(P.select_n, [primals[0], ...ts.map(instantiate)])]];
}) satisfies JvpRule;

P.clamp.rules.jvp = ((primals, [glo, gx, ghi], params) => {
  const [lo, x, hi] = primals;
  const ans = bind1(P.clamp, primals, params);
  // JAX's clamp jvps, each `select(pred, g, _zeros(operand))`, summed with add_any.
  const full = (g: V) => (g.ndim === ans.ndim ? g : L.add(zerosLike(ans.aval), g));
  let t: V | Zero = new Zero(ans.aval);
  const acc = (c: V) => {
    t = t instanceof Zero ? c : bind1(add_any, [t, c]);
  };
  if (!(glo instanceof Zero)) {
    const pred = L.bitwiseAnd(L.gt(lo, x), L.lt(lo, hi));
    acc(L.select(pred, full(glo), fullLike(x, 0)));
  }
  if (!(gx instanceof Zero)) {
    const pred = L.bitwiseAnd(L.gt(x, lo), L.lt(x, hi));
    acc(L.select(pred, gx, fullLike(x, 0)));
  }
  if (!(ghi instanceof Zero)) {
    const pred = L.lt(hi, x);
    acc(L.select(pred, full(ghi), fullLike(x, 0)));
  }
  return [[ans], [t]];
}) satisfies JvpRule;

P.convert_element_type.rules.jvp = ((primals, [g], params) => {
  const ans = bind1(P.convert_element_type, primals, params);
  if (g instanceof Zero || !ans.dtype.isInexact || !primals[0].dtype.isInexact)
    return [[ans], [new Zero(ans.aval)]];
  return [[ans], [bind1(P.convert_element_type, [g], params)]];
}) satisfies JvpRule;

defjvp(P.digamma, (g, _a, x) => L.mul(g, L.polygamma(L.convertElementType(1, x.dtype, false), x)));
// JAX has no derivative in m (an integer order); the tangent of m is dropped.
defjvp(P.polygamma, null, (g, _a, m, x) => L.mul(g, L.polygamma(L.add(m, 1), x)));

// igamma / igammac / regularized_incomplete_beta: JAX's igamma_grada/igamma_gradx,
// igammac_grada/igammac_gradx and betainc_gradx (jax/_src/lax/special.py), term for term.
const igammaGradX = (g: V, a: V, x: V): V =>
  L.mul(g, L.exp(L.sub(L.add(L.neg(x), L.mul(L.sub(a, 1), L.log(x))), L.lgamma(a))));
defjvp(
  P.igamma,
  (g, _ans, a, x) => L.mul(g, L.igammaGradA(a, x)),
  (g, _ans, a, x) => igammaGradX(g, a, x),
);
defjvp(
  P.igammac,
  (g, _ans, a, x) => L.neg(L.mul(g, L.igammaGradA(a, x))),
  (g, _ans, a, x) => L.neg(igammaGradX(g, a, x)),
);
function betaincGradAB(): never {
  const e = new Error('Betainc gradient with respect to a and b not supported.');
  e.name = 'ValueError';
  throw e;
}
defjvp(P.regularized_incomplete_beta, betaincGradAB, betaincGradAB, (g, _ans, a, b, x) => {
  const lbeta = L.sub(L.add(L.lgamma(a), L.lgamma(b)), L.lgamma(L.add(a, b)));
  const partialX = L.exp(
    L.sub(L.add(L.mul(L.sub(b, 1), L.log1p(L.neg(x))), L.mul(L.sub(a, 1), L.log(x))), lbeta),
  );
  return L.mul(partialX, g);
});
// JAX defines no derivative of igamma_grad_a or random_gamma_grad: a tangent raises JAX's error.
for (const p of [P.igamma_grad_a, P.random_gamma_grad]) {
  p.rules.jvp = ((primals, tangents, params) => {
    if (tangents.some((t) => !(t instanceof Zero)))
      throw new Error(`Differentiation rule for '${p.name}' not implemented`);
    const ans = bind1(p, primals, params);
    return [[ans], [new Zero(ans.aval)]];
  }) satisfies JvpRule;
}

// ---- transpose -----------------------------------------------------------------------------------

const undefAval = (a: unknown): ShapedArray | null => (a instanceof UndefPrimal ? a.aval : null);

function linearCt(aval: ShapedArray | null, ct: V): V | null {
  return aval ? unbroadcast(aval, ct) : null;
}

P.neg.rules.transpose = (([ct]) => [L.neg(instantiate(ct))]) satisfies TransposeRule;

const addT: TransposeRule = ([ct], [x, y]) => {
  const c = instantiate(ct);
  return [linearCt(undefAval(x), c), linearCt(undefAval(y), c)];
};
P.add.rules.transpose = addT;
add_any.rules.transpose = addT;
P.sub.rules.transpose = (([ct], [x, y]) => {
  const c = instantiate(ct);
  const ay = undefAval(y);
  return [linearCt(undefAval(x), c), ay ? unbroadcast(ay, L.neg(c)) : null];
}) satisfies TransposeRule;
P.mul.rules.transpose = (([ct], [x, y]) => {
  const c = instantiate(ct);
  if (x instanceof UndefPrimal) {
    if (y instanceof UndefPrimal)
      throw new Error('mul transpose: both operands are linear (the function is not linear)');
    return [unbroadcast(x.aval, L.mul(c, y)), null];
  }
  return [null, unbroadcast((y as UndefPrimal).aval, L.mul(x, c))];
}) satisfies TransposeRule;
P.div.rules.transpose = (([ct], [x, y]) => {
  if (y instanceof UndefPrimal)
    throw new Error('div transpose: the divisor is linear (the function is not linear)');
  return [unbroadcast((x as UndefPrimal).aval, L.div(instantiate(ct), y)), null];
}) satisfies TransposeRule;
P.convert_element_type.rules.transpose = (([ct], [x]) => {
  const a = (x as UndefPrimal).aval;
  const c = instantiate(ct);
  // complex -> real cotangents bind the primitive as JAX does (no ComplexWarning from a transpose).
  if (c.dtype.isComplex && !a.dtype.isComplex)
    return [
      bind1(P.convert_element_type, [c], { new_dtype: a.dtype, sharding: null, weak_type: a.weakType }),
    ];
  return [L.convertElementType(c, a.dtype, a.weakType)];
}) satisfies TransposeRule;
P.select_n.rules.transpose = (([ct], [which, ...cases]) => {
  if (which instanceof UndefPrimal) throw new Error('select_n transpose: the predicate cannot be linear');
  const c = instantiate(ct);
  const zeros = zerosLike(c.aval);
  return [
    null,
    ...cases.map((k, i) =>
      k instanceof UndefPrimal
        ? unbroadcast(k.aval, bind1(P.select_n, [which as V, ...cases.map((_, j) => (j === i ? c : zeros))]))
        : null,
    ),
  ];
}) satisfies TransposeRule;
stop_gradient.rules.transpose = (([ct]) => [instantiate(ct)]) satisfies TransposeRule;

// ---- batch ---------------------------------------------------------------------------------------

const unaryOrNary: Primitive[] = [
  P.neg,
  P.sign,
  P.floor,
  P.ceil,
  P.round,
  P.abs,
  P.exp,
  P.exp2,
  P.log,
  P.log1p,
  P.expm1,
  P.sqrt,
  P.rsqrt,
  P.cbrt,
  P.sin,
  P.cos,
  P.tan,
  P.asin,
  P.acos,
  P.atan,
  P.sinh,
  P.cosh,
  P.tanh,
  P.asinh,
  P.acosh,
  P.atanh,
  P.logistic,
  P.erf,
  P.erfc,
  P.erf_inv,
  P.lgamma,
  P.digamma,
  P.not,
  P.population_count,
  P.clz,
  P.square,
  P.is_finite,
  P.integer_pow,
  P.convert_element_type,
  P.bitcast_convert_type,
  P.add,
  P.sub,
  P.mul,
  P.div,
  P.rem,
  P.pow,
  P.max,
  P.min,
  P.atan2,
  P.nextafter,
  P.polygamma,
  P.igamma,
  P.igammac,
  P.igamma_grad_a,
  P.random_gamma_grad,
  P.regularized_incomplete_beta,
  P.and,
  P.or,
  P.xor,
  P.shift_left,
  P.shift_right_logical,
  P.shift_right_arithmetic,
  P.eq,
  P.ne,
  P.lt,
  P.le,
  P.lt_to,
  P.le_to,
  P.gt,
  P.ge,
  add_any,
  stop_gradient,
];
for (const p of unaryOrNary) setBatch(p, broadcastBatcher(p));

/** ad_util's add_batched: an unbatched operand is broadcast to the other's full batched shape. */
setBatch(add_any, ([x, y], [dx, dy], _p, size) => {
  if (dx === dy) return [[bind1(add_any, [x, y])], [dx]];
  if (dx === null) return [[bind1(add_any, [moveBatchAxis(x, null, dy!, size), y])], [dy]];
  if (dy === null) return [[bind1(add_any, [x, moveBatchAxis(y, null, dx, size)])], [dx]];
  return [[bind1(add_any, [moveBatchAxis(x, dx, dy, size), y])], [dy]];
});

/** JAX's _select_batch_rule, special cases first (no transposes or broadcasts where none is needed). */
P.select_n.rules.batch = ((vals, dims, _params, axisSize) => {
  let [which, ...cases] = vals;
  const [wd, ...cds] = dims;
  const same = (a: readonly number[], b: readonly number[]) => a.join() === b.join();
  if (cds.every((d) => d === wd)) {
    if (same(which.shape, cases[0].shape)) return [[bind1(P.select_n, vals)], [wd]];
    const w = broadcastInDim(which, cases[0].shape, [wd as number]);
    return [[bind1(P.select_n, [w, ...cases])], [wd]];
  }
  if (which.ndim === 0 && cds.every((d) => d !== null)) {
    if (cds.every((d) => d === cds[0])) return [[bind1(P.select_n, vals)], [cds[0]]];
    if (cases.every((c) => same(c.shape, cases[0].shape))) {
      const bd = cds[0] as number;
      const others = cases.slice(1).map((c, i) => moveBatchAxis(c, cds[i + 1], bd, axisSize));
      return [[bind1(P.select_n, [which, cases[0], ...others])], [bd]];
    }
  }
  if (which.ndim > 0) which = moveBatchAxis(which, wd, 0, axisSize);
  if (!cases.every((c) => c.ndim === 0)) cases = cases.map((c, i) => moveBatchAxis(c, cds[i], 0, axisSize));
  if (which.ndim > 0 && which.ndim < cases[0].ndim) which = broadcastInDim(which, cases[0].shape, [0]);
  if (which.ndim > cases[0].ndim) cases = cases.map((c) => broadcastInDim(c, which.shape, []));
  return [[bind1(P.select_n, [which, ...cases])], [0]];
}) satisfies BatchRule;
/** JAX's _clamp_batch_rule: no transposes or broadcasts where none is needed. */
P.clamp.rules.batch = ((vals, dims, _params, axisSize) => {
  let [lo, x, hi] = vals;
  const [dl, dx, dh] = dims;
  const same = (a: V, b: V) => a.shape.join() === b.shape.join();
  if (dl === dx && dx === dh) {
    if (same(lo, x) && same(x, hi)) return [[bind1(P.clamp, vals)], [dx]];
    if (lo.ndim === 0 && hi.ndim === 0) return [[bind1(P.clamp, vals)], [dx]];
    if (lo.ndim === 1 && hi.ndim === 1) {
      lo = broadcastInDim(lo, x.shape, [dl as number]);
      hi = broadcastInDim(hi, x.shape, [dh as number]);
      return [[bind1(P.clamp, [lo, x, hi])], [dx]];
    }
  } else if (lo.ndim === 0 && hi.ndim === 0 && dx !== null) return [[bind1(P.clamp, vals)], [dx]];
  if (lo.ndim > 0) lo = moveBatchAxis(lo, dl, 0, axisSize);
  if (hi.ndim > 0) hi = moveBatchAxis(hi, dh, 0, axisSize);
  if (x.ndim > 0) x = moveBatchAxis(x, dx, 0, axisSize);
  if (lo.ndim === 0 && x.ndim > 0) lo = broadcastInDim(lo, x.shape, []);
  if (hi.ndim === 0 && x.ndim > 0) hi = broadcastInDim(hi, x.shape, []);
  if (lo.ndim > 0 && lo.ndim < x.ndim) lo = broadcastInDim(lo, x.shape, [0]);
  if (hi.ndim > 0 && hi.ndim < x.ndim) hi = broadcastInDim(hi, x.shape, [0]);
  if (lo.ndim > x.ndim) x = broadcastInDim(x, lo.shape, []);
  return [[bind1(P.clamp, [lo, x, hi])], [0]];
}) satisfies BatchRule;
