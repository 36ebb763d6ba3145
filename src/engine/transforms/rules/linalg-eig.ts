/**
 * @file Rules of `eig` (primitives/linalg-eig.ts), after JAX 0.10.2's eig_jvp_rule and
 * _eig_vec_jvp (nondegenerate perturbation theory, Giles 2008, sec. 3.1): dw = diag(V^{-1} dA V);
 * eigenvector tangents only with enable_eigvec_derivs, else JAX's NotImplementedError.
 *
 * One difference in how, not what: JAX computes V^{-1} X with an LU solve; tjax takes it from the
 * left eigenvectors instead, V^{-1} = D^{-1} VL^H with D = diag(VL^H V) (left and right
 * eigenvectors of distinct eigenvalues are biorthogonal), so the rule needs no complex solver.
 * The values agree; the jaxprs of these derivatives differ from JAX's.
 */
import { int32 } from '../../core/dtype.js';
import { NotImplementedError } from '../../core/errors.js';
import { bind, type Value } from '../../core/trace.js';
import * as C from '../../lax/complex.js';
import { convertElementType } from '../../lax/convert.js';
import * as L from '../../lax/elementwise.js';
import { batchMatmul, eyeMatrix, mT } from '../../lax/linalg.js';
import { reduceSum } from '../../lax/reductions.js';
import { argmax } from '../../lax/sorting.js';
import * as S from '../../lax/structural.js';
import { eig, eigFlags } from '../../primitives/linalg-eig.js';
import { instantiate, type JvpRule, Zero } from '../jvp.js';
import { type BatchRule, moveBatchAxis } from '../vmap.js';
import { setBatch } from './common.js';

type V = Value;

/** x broadcast over the leading (batch) dims of `like` (the eye of _eig_vec_jvp). */
function batchLike(x: V, like: V): V {
  const nb = like.ndim - x.ndim;
  return nb > 0 ? S.broadcast(x, like.shape.slice(0, nb)) : x;
}

const H = (x: V) => C.conj(mT(x));
/** Insert a size-1 dim at `axis` (counted on the result). */
const expand = (x: V, axis: number) => S.expandDims(x, [axis]);

/** V^{-1} X from the biorthogonal pair (u, v): diag(1 / (u^H v))_jj rows of u^H X. */
function solveWith(u: V, v: V, x: V): V {
  const d = reduceSum(L.mul(C.conj(u), v), [u.ndim - 2]);
  return L.div(batchMatmul(H(u), x), expand(d, d.ndim));
}

/** JAX's _eig_vec_jvp with `solve` as above: [dw, dv] for eigenpairs (w, v). */
function eigVecJvp(w: V, v: V, inv: (x: V) => V, da: V): [V, V] {
  const n = w.shape[w.ndim - 1];
  const eye = batchLike(eyeMatrix(w.dtype, n), v);
  const wRow = expand(w, w.ndim - 1);
  const wCol = expand(w, w.ndim);
  const F = L.sub(L.reciprocal(L.sub(L.add(eye, wRow), wCol)), eye);
  const P = batchMatmul(inv(da), v);
  const dw = reduceSum(L.mul(P, eye), [P.ndim - 1]);
  const U = batchMatmul(v, L.mul(F, P));
  const rowAxis = v.ndim - 2;
  const k = argmax(L.abs(v), rowAxis, int32);
  const mask = convertElementType(
    L.eq(S.broadcastedIota(int32, v.shape, rowAxis), expand(k, rowAxis)),
    v.dtype,
  );
  const re = L.neg(C.real(reduceSum(L.mul(C.conj(v), U), [rowAxis])));
  const im = L.div(
    L.neg(C.imag(reduceSum(L.mul(mask, U), [rowAxis]))),
    C.real(reduceSum(L.mul(mask, v), [rowAxis])),
  );
  const c = C.complex(re, im);
  return [dw, L.add(U, L.mul(v, expand(c, rowAxis)))];
}

eig.rules.jvp = ((primals, [tangent], params) => {
  const [a] = primals;
  const { left, right } = eigFlags(params);
  if ((left || right) && !params.enable_eigvec_derivs) {
    throw new NotImplementedError(
      'Derivatives of non-symmetric eigenvectors are only valid under assumptions on the input that JAX cannot check (see the enable_eigvec_derivs argument to jax.lax.linalg.eig). Pass enable_eigvec_derivs=True to jax.lax.linalg.eig to opt in. See https://github.com/jax-ml/jax/issues/2748 for discussion.',
    );
  }
  // Both eigenvector sets: the right ones for the rule, the left ones for V^{-1}.
  const [w, vl, vr] = bind(eig, [a], {
    ...params,
    compute_left_eigenvectors: true,
    compute_right_eigenvectors: true,
  });
  const primal = [w, ...(left ? [vl] : []), ...(right ? [vr] : [])];
  if (tangent instanceof Zero) return [primal, primal.map((o) => new Zero(o.aval))];
  const da = convertElementType(instantiate(tangent), vr.dtype);
  const invR = (x: V) => solveWith(vl, vr, x);
  if (!(left || right)) {
    return [primal, [reduceSum(L.mul(invR(da), mT(vr)), [vr.ndim - 1])]];
  }
  const [dw, dvr] = eigVecJvp(w, vr, invR, da);
  const tangents: V[] = [dw];
  if (left) {
    // Left eigenvectors are the right ones of A^H for conj(w); their inverse pairs with vr.
    const [, dvl] = eigVecJvp(C.conj(w), vl, (x) => solveWith(vr, vl, x), H(da));
    tangents.push(dvl);
  }
  if (right) tangents.push(dvr);
  return [primal, tangents];
}) satisfies JvpRule;

setBatch(eig, ((vals, dims, params, axisSize) => {
  const x = moveBatchAxis(vals[0], dims[0], 0, axisSize);
  const outs = bind(eig, [x], params);
  return [outs, outs.map(() => 0)];
}) satisfies BatchRule);
