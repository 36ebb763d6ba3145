/**
 * @file The `eig` primitive of jax.lax.linalg (jax/_src/lax/linalg.py, JAX 0.10.2): the
 * eigendecomposition of general square matrices, batched over leading dimensions. Params are
 * JAX's (compute_left_eigenvectors, compute_right_eigenvectors, enable_eigvec_derivs,
 * implementation); outputs are [w, vl?, vr?], all of the operand's complex dtype. Like JAX's, it
 * has a CPU lowering only: the `eig` library kernel (backends/cpu/lib-eig.ts); on another device
 * the backend reports that it has no such kernel.
 */
import type { Lazy, LowerCtx, LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { complexOf } from '../core/dtype.js';
import { definePrimitive, type Params } from '../core/primitive.js';
import { shapeTuple, sizeOf } from '../core/shape.js';

function valueError(message: string): Error {
  const e = new Error(message);
  e.name = 'ValueError';
  return e;
}

export interface EigFlags {
  left: boolean;
  right: boolean;
}

export function eigFlags(p: Params): EigFlags {
  return { left: Boolean(p.compute_left_eigenvectors), right: Boolean(p.compute_right_eigenvectors) };
}

export const eig = definePrimitive(
  'eig',
  {
    abstractEval([a], p) {
      if (a.ndim < 2)
        throw new TypeError(`Input 0 to eig must have rank at least 2, but got shape=${shapeTuple(a.shape)}`);
      const dn = a.dtype.name;
      if (!a.dtype.isInexact)
        throw new TypeError(
          `eig does not accept dtype ${dn}. Accepted dtypes are subtypes of floating, complexfloating.`,
        );
      if (dn === 'float16')
        throw new TypeError('eig: dtype float16 is not supported (LAPACK has no half precision)');
      const [m, n] = a.shape.slice(-2);
      if (m !== n)
        throw valueError(`The input to eig must be a square matrix. Got shape ${shapeTuple([m, n])}.`);
      const { left, right } = eigFlags(p);
      const dt = complexOf(a.dtype);
      const batch = a.shape.slice(0, -2);
      const vec = new ShapedArray(a.shape, dt, a.weakType);
      return [
        new ShapedArray([...batch, n], dt, a.weakType),
        ...(left ? [vec] : []),
        ...(right ? [vec] : []),
      ];
    },
    lower: ((ctx: LowerCtx, [x]: Lazy[], p: Params, outAvals: ShapedArray[]) => {
      const buf = ctx.materialize(x).buf!;
      const outs = outAvals.map((a) => ctx.newBuffer(a, 'temp'));
      const { left, right } = eigFlags(p);
      const n = x.aval.shape[x.aval.ndim - 1];
      ctx.kernels.push({
        kind: 'lib',
        op: 'eig',
        ins: [buf],
        outs,
        params: {
          batch: sizeOf(x.aval.shape.slice(0, -2)),
          n,
          left,
          right,
          realInput: !x.aval.dtype.isComplex,
        },
      });
      return outs.map((b, i) => ctx.fromBuffer(b, outAvals[i]));
    }) satisfies LowerRule,
  },
  true,
);
