/**
 * @file Export rules of the zeta, bessel_i0e and bessel_i1e primitives (primitives/special.ts), as
 * JAX 0.10.2 lowers them (jax/_src/lax/special.py): zeta and bessel_i1e are one CHLO op each
 * (`_nary_lower_hlo`), bessel_i0e is `mlir.lower_fun(bessel_i0e_impl)`, Cephes' Chebyshev series
 * written in lax operations, which is traced here op for op as JAX writes it (float16 upcast to
 * float32) and lowered inline. Like export/rules/special.ts this imports lax, so
 * engine/index.ts loads it once the namespaces are.
 */
import { ShapedArray } from '../../core/aval.js';
import { float32, float64 } from '../../core/dtype.js';
import type { Value } from '../../core/trace.js';
import type { ClosedJaxpr } from '../../ir/jaxpr.js';
import { convertElementType } from '../../lax/convert.js';
import { abs, add, div, le, mul, select, sqrt, sub } from '../../lax/elementwise.js';
import { broadcastInDim } from '../../lax/structural.js';
import { I0E_A64, I0E_B64 } from '../../primitives/special-kir.js';
import { makeJaxpr } from '../../transforms/jit.js';
import { chlo, ty } from '../hlo.js';
import { jaxprSubcomp, registerExportRule } from '../lower.js';
import { arrayConstant } from '../module.js';
import { broadcastTo } from './elementwise.js';

for (const name of ['zeta', 'bessel_i1e']) {
  registerExportRule(name, (ctx, ins) => {
    const o = ctx.avalsOut[0];
    return [chlo(ctx.b, name, broadcastTo(ctx.b, ins, o.shape), ty(o.shape, o.dtype))];
  });
}

const fullLike = (x: Value, v: number) => broadcastInDim(convertElementType(v, x.dtype), x.shape, []);

/** jax/_src/lax/special.py's evaluate_chebyshev_polynomial. */
function chebyshev(x: Value, coeffs: readonly number[]): Value {
  let b0 = fullLike(x, 0);
  let b1 = fullLike(x, 0);
  let b2 = fullLike(x, 0);
  for (const c of coeffs) {
    b2 = b1;
    b1 = b0;
    b0 = add(sub(mul(x, b1), b2), fullLike(x, c));
  }
  return mul(0.5, sub(b0, b2));
}

/** bessel_i0e_impl: _i0e_impl64 for float64, _i0e_impl32 otherwise (float16 computed in float32). */
function besselI0eImpl(x0: Value): Value {
  const d = x0.dtype;
  const f64 = d === float64;
  const xw = f64 || d === float32 ? x0 : convertElementType(x0, float32);
  const x = abs(xw);
  const half = fullLike(x, 0.5);
  const two = fullLike(x, 2);
  const thirtyTwo = fullLike(x, 32);
  const low = chebyshev(sub(mul(half, x), two), f64 ? I0E_A64 : I0E_A64.slice(-18));
  const high = div(chebyshev(sub(div(thirtyTwo, x), two), f64 ? I0E_B64 : I0E_B64.slice(-7)), sqrt(x));
  const r = select(le(x, 8), low, high);
  return r.dtype === d ? r : convertElementType(r, d);
}

const cache = new Map<string, ClosedJaxpr>();
registerExportRule('bessel_i0e', (ctx, ins) => {
  const a = ctx.avalsIn[0];
  const key = `${a.dtype.name}[${a.shape}]`;
  let cj = cache.get(key);
  if (!cj) {
    cj = makeJaxpr((x: Value) => besselI0eImpl(x))(new ShapedArray(a.shape, a.dtype, false) as never);
    cache.set(key, cj);
  }
  const consts = cj.consts.map((c) => arrayConstant(ctx.b, c));
  return jaxprSubcomp(ctx.mod, ctx.b, cj.jaxpr, consts, ins);
});
