/**
 * @file The matrix-decomposition primitives of JAX 0.10.2's lax.linalg (jax/_src/lax/linalg.py):
 * cholesky, eigh, svd, qr, lu and triangular_solve, with JAX's names, params, output orders
 * (eigh: [v, w]; svd: [s, u, vt] or [s]; qr: [q, r]; lu: [lu, pivots, permutation]) and its
 * shape/dtype errors (linalg_shape_rule, naryop_dtype_rule). All are batched over leading dims;
 * each lowers to one CPU library kernel (backends/cpu/lib-linalg.ts) over the flattened batch.
 *
 * Differences from JAX: only float32 and float64 are accepted (no complex, and no float16/
 * bfloat16, which LAPACK lacks too); qr never pivots (pivoting=True is refused); eigh and svd
 * ignore `algorithm` and accept subset_by_index=None only.
 */

import type { Lazy, LowerCtx, LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { int32 } from '../core/dtype.js';
import { definePrimitive, type Params } from '../core/primitive.js';
import { shapeTuple, sizeOf } from '../core/shape.js';

const pyShape = (s: readonly number[]) => shapeTuple(s);

/** JAX's linalg_shape_rule rank check plus naryop_dtype_rule's dtype check. */
function checkInputs(name: string, avals: readonly ShapedArray[]): void {
  avals.forEach((a, i) => {
    if (a.ndim < 2) {
      throw new TypeError(
        `Input ${i} to ${name} must have rank at least 2, but got shape=${pyShape(a.shape)}`,
      );
    }
    if (!a.dtype.isFloat) {
      throw new TypeError(
        `${name} does not accept dtype ${a.dtype.name} at position ${i}. Accepted dtypes at position ${i} are subtypes of floating, complexfloating.`,
      );
    }
    if (a.dtype.name !== 'float32' && a.dtype.name !== 'float64') {
      throw new TypeError(`${name}: dtype ${a.dtype.name} is not supported (float32 and float64 only).`);
    }
  });
  if (avals.length > 1) {
    if (avals.some((a) => a.ndim !== avals[0].ndim)) {
      throw new TypeError(
        `All inputs to ${name} must have the same number of batch dimensions, but got [${avals.map((a) => a.ndim - 2).join(', ')}] batch dimensions for the inputs.`,
      );
    }
    if (avals.some((a) => a.dtype !== avals[0].dtype)) {
      throw new TypeError(
        `${name} requires arguments to have the same dtypes, got ${avals.map((a) => a.dtype.name).join(', ')}.`,
      );
    }
  }
}

const batchOf = (a: ShapedArray) => a.shape.slice(0, -2);
const weakAll = (avals: readonly ShapedArray[]) => avals.every((a) => a.weakType);

function libLower(op: string, extra: (ins: Lazy[], p: Params) => Record<string, unknown>): LowerRule {
  return ((ctx: LowerCtx, ins: Lazy[], p: Params, outAvals: ShapedArray[]) => {
    const bufs = ins.map((x) => ctx.materialize(x).buf!);
    const outs = outAvals.map((a) => ctx.newBuffer(a, 'temp'));
    const a = ins[ins.length - 1].aval;
    ctx.kernels.push({
      kind: 'lib',
      op,
      ins: bufs,
      outs,
      params: { batch: sizeOf(batchOf(a)), ...extra(ins, p) },
    });
    return outs.map((b, i) => ctx.fromBuffer(b, outAvals[i]));
  }) satisfies LowerRule;
}

const mn = (x: Lazy) => ({ m: x.aval.shape[x.aval.ndim - 2], n: x.aval.shape[x.aval.ndim - 1] });

// ---- cholesky -------------------------------------------------------------------------------------

export const cholesky = definePrimitive('cholesky', {
  abstractEval([a]) {
    checkInputs('cholesky', [a]);
    const [m, n] = a.shape.slice(-2);
    if (m !== n)
      throw new Error(`The input to cholesky must be a square matrix. Got shape ${pyShape([m, n])}.`);
    return [a];
  },
  lower: libLower('cholesky', ([x]) => ({ n: mn(x).n })),
});

// ---- eigh -----------------------------------------------------------------------------------------

export const eigh = definePrimitive(
  'eigh',
  {
    abstractEval([a], p) {
      checkInputs('eigh', [a]);
      const [m, n] = a.shape.slice(-2);
      if (m !== n) {
        throw new Error(
          `Argument to symmetric eigendecomposition must have shape [..., n, n], got shape ${pyShape([m, n])}`,
        );
      }
      if (p.subset_by_index != null) throw new Error('eigh: subset_by_index is not supported');
      const b = batchOf(a);
      return [
        new ShapedArray([...b, n, n], a.dtype, a.weakType),
        new ShapedArray([...b, n], a.dtype, a.weakType),
      ];
    },
    lower: libLower('eigh', ([x], p) => ({ n: mn(x).n, lower: Boolean(p.lower) })),
  },
  true,
);

// ---- svd ------------------------------------------------------------------------------------------

export const svd = definePrimitive(
  'svd',
  {
    abstractEval([a], p) {
      checkInputs('svd', [a]);
      if (p.subset_by_index != null) throw new Error('svd: subset_by_index is not supported');
      const [m, n] = a.shape.slice(-2);
      const k = Math.min(m, n);
      const b = batchOf(a);
      const s = new ShapedArray([...b, k], a.dtype, a.weakType);
      if (!p.compute_uv) return [s];
      const full = Boolean(p.full_matrices);
      return [
        s,
        new ShapedArray([...b, m, full ? m : k], a.dtype, a.weakType),
        new ShapedArray([...b, full ? n : k, n], a.dtype, a.weakType),
      ];
    },
    lower: ((ctx: LowerCtx, ins: Lazy[], p: Params, outAvals: ShapedArray[]) => {
      // Without compute_uv the kernel still writes U and V^T somewhere: give it scratch buffers.
      const a = ins[0].aval;
      const { m, n } = mn(ins[0]);
      const k = Math.min(m, n);
      const full = Boolean(p.full_matrices);
      const avals = p.compute_uv
        ? outAvals
        : [
            outAvals[0],
            new ShapedArray([...batchOf(a), m, full ? m : k], a.dtype),
            new ShapedArray([...batchOf(a), full ? n : k, n], a.dtype),
          ];
      const buf = ctx.materialize(ins[0]).buf!;
      const outs = avals.map((v) => ctx.newBuffer(v, 'temp'));
      ctx.kernels.push({
        kind: 'lib',
        op: 'svd',
        ins: [buf],
        outs,
        params: { batch: sizeOf(batchOf(a)), m, n, full_matrices: full, compute_uv: true },
      });
      return outAvals.map((v, i) => ctx.fromBuffer(outs[i], v));
    }) satisfies LowerRule,
  },
  true,
);

// ---- qr -------------------------------------------------------------------------------------------

export const qr = definePrimitive(
  'qr',
  {
    abstractEval([a], p) {
      checkInputs('qr', [a]);
      if (p.pivoting) throw new Error('qr: pivoting=True is not supported');
      const [m, n] = a.shape.slice(-2);
      const k = p.full_matrices ? m : Math.min(m, n);
      const b = batchOf(a);
      return [
        new ShapedArray([...b, m, k], a.dtype, a.weakType),
        new ShapedArray([...b, k, n], a.dtype, a.weakType),
      ];
    },
    lower: libLower('qr', ([x], p) => ({ ...mn(x), full_matrices: Boolean(p.full_matrices) })),
  },
  true,
);

// ---- lu -------------------------------------------------------------------------------------------

export const lu = definePrimitive(
  'lu',
  {
    abstractEval([a]) {
      checkInputs('lu', [a]);
      const [m, n] = a.shape.slice(-2);
      const b = batchOf(a);
      return [
        a,
        new ShapedArray([...b, Math.min(m, n)], int32, false),
        new ShapedArray([...b, m], int32, false),
      ];
    },
    lower: libLower('lu', ([x]) => mn(x)),
  },
  true,
);

// ---- triangular_solve -----------------------------------------------------------------------------

export const triangular_solve = definePrimitive('triangular_solve', {
  abstractEval([a, b], p) {
    checkInputs('triangular_solve', [a, b]);
    const as = a.shape.slice(-2);
    if (as[0] !== as[1]) {
      throw new Error(
        `The first input to triangular_solve must be a square matrix. Got shape ${pyShape(as)}.`,
      );
    }
    const common = p.left_side ? b.shape[b.ndim - 2] : b.shape[b.ndim - 1];
    if (as[1] !== common) {
      throw new Error(
        `Incompatible shapes for arguments to triangular_solve: ${pyShape(as)} and ${pyShape(b.shape.slice(-2))}.`,
      );
    }
    const ba = batchOf(a);
    const bb = batchOf(b);
    if (ba.some((d, i) => d !== bb[i])) {
      throw new Error(
        `triangular_solve requires equal batch dimensions, got ${pyShape(a.shape)} and ${pyShape(b.shape)}.`,
      );
    }
    return [new ShapedArray(b.shape, b.dtype, weakAll([a, b]))];
  },
  lower: libLower('triangular_solve', ([, x], p) => ({
    ...mn(x),
    left_side: Boolean(p.left_side),
    lower: Boolean(p.lower),
    transpose_a: Boolean(p.transpose_a),
    unit_diagonal: Boolean(p.unit_diagonal),
  })),
});
