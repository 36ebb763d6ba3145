/**
 * @file jnp.matmul (Python's `@`) and the dtype rule jnp's products share: the promoted type is
 * passed to dot_general as `preferred_element_type` and the operands are not converted
 * (jax/_src/numpy/tensor_contractions.py of JAX 0.10.2). Its own file so that linalg-extra's
 * matrix_power, pinv and lstsq can call it without an import circle through linalg.ts.
 */
import { type DType, type DTypeLike, promoteTypes, requestDType } from '../core/dtype.js';
import type { Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import { type DotOptions, dotGeneral, type PrecisionLike } from '../lax/dot.js';
import { expandDims, squeeze, transpose } from '../lax/structural.js';
import type { DotDimensionNumbers } from '../primitives/dot.js';
import { asValue } from './util.js';

export interface ProductOptions {
  precision?: PrecisionLike;
  preferredElementType?: DTypeLike | null;
}

/** The dtype jnp passes as preferred_element_type, and whether the result is weak. */
export function productType(
  name: string,
  vals: Value[],
  pet: DTypeLike | null | undefined,
): { dtype: DType; weak: boolean } {
  if (pet === null || pet === undefined) {
    const r = promoteTypes(...vals.map((v) => ({ dtype: v.dtype, weakType: v.weakType })));
    return { dtype: r.dtype, weak: r.weakType };
  }
  return { dtype: requestDType(pet, name), weak: false };
}

export function dotOpts(opts: ProductOptions, dtype: DType): DotOptions {
  return { precision: opts.precision, preferredElementType: dtype };
}

function isIdentity(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

/** lax.transpose, elided for the identity permutation as JAX's is. */
export function permute(x: Value, perm: readonly number[]): Value {
  return isIdentity(perm) ? x : transpose(x, perm);
}

/** jnp.matmul (`@`): NumPy broadcasting of batch dimensions, 1-D operands promoted and removed. */
export function matmul(a: unknown, b: unknown, opts: ProductOptions = {}): Value {
  let x = asValue(a);
  let y = asValue(b);
  [x, y].forEach((v, i) => {
    if (v.ndim < 1)
      throw new Error(`matmul input operand ${i} must have ndim at least 1, but it has ndim ${v.ndim}`);
  });
  const { dtype, weak } = productType('matmul', [x, y], opts.preferredElementType);
  const aMat = x.ndim > 1;
  const bMat = y.ndim > 1;
  let aB: (number | null)[] = aMat ? x.shape.slice(0, -2) : [];
  let bB: (number | null)[] = bMat ? y.shape.slice(0, -2) : [];
  const nb = Math.max(aB.length, bB.length);
  aB = [...new Array(nb - aB.length).fill(null), ...aB];
  bB = [...new Array(nb - bB.length).fill(null), ...bB];
  const aSq: number[] = [];
  const bSq: number[] = [];
  const bothSq: number[] = [];
  const aBatch: number[] = [];
  const bBatch: number[] = [];
  const idxBatch: number[] = [];
  const idxA: number[] = [];
  const idxB: number[] = [];
  for (let i = 0; i < nb; i++) {
    const ba = aB[i];
    const bb = bB[i];
    if (ba === null) idxB.push(i);
    else if (bb === null) idxA.push(i);
    else if (ba === 1 && bb === 1) {
      aSq.push(idxBatch.length + idxA.length + aSq.length);
      bSq.push(idxBatch.length + idxB.length + bSq.length);
      bothSq.push(i);
    } else if (ba === 1) {
      idxB.push(i);
      aSq.push(idxBatch.length + idxA.length + aSq.length);
    } else if (bb === 1) {
      idxA.push(i);
      bSq.push(idxBatch.length + idxB.length + bSq.length);
    } else if (ba === bb) {
      aBatch.push(idxBatch.length + idxA.length);
      bBatch.push(idxBatch.length + idxB.length);
      idxBatch.push(i);
    } else {
      throw new Error(
        `Incompatible types for matmul arguments: ${x.dtype.name}[${x.shape.join(',')}] and ${y.dtype.name}[${y.shape.join(',')}]`,
      );
    }
  }
  if (aMat) idxA.push(nb);
  if (bMat) idxB.push(nb + (aMat ? 1 : 0));
  const order = [...idxBatch, ...idxA, ...idxB];
  const perm = order.map((_, i) => i).sort((p, q) => order[p] - order[q]);
  if (aSq.length) x = squeeze(x, aSq);
  if (bSq.length) y = squeeze(y, bSq);
  const dn: DotDimensionNumbers = [
    [[x.ndim - 1], [y.ndim - 1 - (bMat ? 1 : 0)]],
    [aBatch, bBatch],
  ];
  let out = permute(dotGeneral(x, y, dn, dotOpts(opts, dtype)), perm);
  if (bothSq.length) out = expandDims(out, bothSq);
  return convertElementType(out, dtype, weak);
}
