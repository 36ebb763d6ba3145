/**
 * @file jnp.diagonal and jnp.trace as JAX 0.10.2 writes them (jax/_src/numpy/lax_numpy.py), with
 * the axis helpers their neighbours share (moveaxis, the options of diagonal and trace). Its own file so that
 * numpy/linalg.ts (diag, trace) and numpy/linalg-decomp.ts (slogdet) both build on it.
 */
import { type DTypeLike, requestDType } from '../core/dtype.js';
import { normalizeAxis } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { platformDependent } from '../lax/control.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { reduceSum } from '../lax/reductions.js';
import { namedJit } from '../transforms/jit.js';
import { arange, eye } from './creation.js';
import { Ellipsis } from './index-parse.js';
import { getitem } from './indexing.js';
import { permute } from './matmul.js';
import * as red from './reductions.js';
import * as uf from './ufuncs.js';
import { asValue, fullLike } from './util.js';

export interface DiagonalOptions {
  offset?: number;
  axis1?: number;
  axis2?: number;
}

/** Move axes `src` to positions `dst` (jnp.moveaxis). */
export function moveaxis(x: Value, src: number[], dst: number[]): Value {
  const s = src.map((a) => normalizeAxis(a, x.ndim));
  const d = dst.map((a) => normalizeAxis(a, x.ndim));
  const rest = [...Array(x.ndim).keys()].filter((a) => !s.includes(a));
  const perm: number[] = new Array(x.ndim);
  s.forEach((a, i) => {
    perm[d[i]] = a;
  });
  let k = 0;
  for (let i = 0; i < x.ndim; i++) if (perm[i] === undefined) perm[i] = rest[k++];
  return permute(x, perm);
}

export function diagOpts(
  o: number | DiagonalOptions | undefined,
  axis1: number,
  axis2: number,
): Required<DiagonalOptions> {
  if (typeof o === 'number') return { offset: o, axis1, axis2 };
  return { offset: o?.offset ?? 0, axis1: o?.axis1 ?? axis1, axis2: o?.axis2 ?? axis2 };
}

/** jnp.diagonal(a, offset=0, axis1=0, axis2=1): the diagonal becomes the last axis. */
export function diagonal(a: unknown, opts?: number | DiagonalOptions): Value {
  const x = asValue(a);
  if (x.ndim < 2) throw new Error('diagonal requires an array of at least two dimensions.');
  const { offset, axis1, axis2 } = diagOpts(opts, 0, 1);
  if (normalizeAxis(axis1, x.ndim) === normalizeAxis(axis2, x.ndim))
    throw new Error('axis1 and axis2 cannot be the same');
  return diagonalJit(x, offset, axis1, axis2);
}

/** JAX's arange(start, start + size) of ints, as it stages it: an iota, shifted unless start is 0. */
function iotaFrom(start: number, size: number): Value {
  const i = arange(size);
  return start === 0 ? i : lax.add(convertElementType(start, i.dtype), i);
}

/**
 * JAX's jitted diagonal (static offset and axes; jax/_src/numpy/lax_numpy.py): a gather of
 * `a[..., i, j]` after moving the two axes last. A square 2-D non-boolean matrix with offset 0
 * goes through lax.platform_dependent instead, as JAX's does: the gather by default, and for
 * Pallas' `mosaic` platform the column sums of `eye * a` (no tjax device is mosaic, so every
 * device takes the gather; the jaxpr holds both, as JAX's does).
 */
const diagonalJit = namedJit(
  'diagonal',
  function diagonal(a: Value, offset: number, axis1: number, axis2: number): Value {
    const defaultDiag = (x: Value): Value => {
      const n = x.shape[normalizeAxis(axis1, x.ndim)];
      const m = x.shape[normalizeAxis(axis2, x.ndim)];
      const moved = moveaxis(x, [axis1, axis2], [-2, -1]);
      const size = Math.max(0, Math.min(n + Math.min(offset, 0), m - Math.max(offset, 0)));
      const i = iotaFrom(0, size);
      const j = iotaFrom(Math.abs(offset), size);
      return getitem(moved, offset >= 0 ? [Ellipsis, i, j] : [Ellipsis, j, i]);
    };
    if (a.shape[0] !== a.shape[1] || a.ndim !== 2 || offset !== 0 || a.dtype.isBool) return defaultDiag(a);
    const e = eye(a.shape[0], null, 0, { dtype: a.dtype });
    const mosaicDiag = (x: Value): Value => reduceSum(lax.mul(e, x), [0]);
    return platformDependent(a, { default: defaultDiag, mosaic: mosaicDiag }) as Value;
  },
  { staticArgnums: [1, 2, 3] },
);

/** jnp.trace: the sum of a diagonal (NumPy's sum dtype rules; `dtype` overrides). */
export function trace(a: unknown, opts?: number | (DiagonalOptions & { dtype?: DTypeLike | null })): Value {
  const x = asValue(a);
  const o = diagOpts(opts, 0, 1);
  if (x.ndim < 2) throw new Error('diagonal requires an array of at least two dimensions.');
  if (normalizeAxis(o.axis1, x.ndim) === normalizeAxis(o.axis2, x.ndim)) {
    throw new Error(`axis1 and axis2 can not be same. axis1=${o.axis1} and axis2=${o.axis2}`);
  }
  const dtype = typeof opts === 'object' ? opts.dtype : undefined;
  return traceJit(x, o.offset, o.axis1, o.axis2, dtype ? requestDType(dtype, 'trace').name : null);
}

/** JAX's jitted trace: the axes moved last, the eye mask selected with _where, then summed. */
const traceJit = namedJit(
  'trace',
  function trace(x: Value, offset: number, axis1: number, axis2: number, dtype: string | null): Value {
    const n = x.shape[normalizeAxis(axis1, x.ndim)];
    const m = x.shape[normalizeAxis(axis2, x.ndim)];
    const a = moveaxis(x, [axis1, axis2], [-2, -1]);
    const mask = eye(n, m, offset, { dtype: 'bool' });
    return red.sum(uf.where(mask, a, fullLike(a, 0)), { axis: [-2, -1], dtype });
  },
  { staticArgnums: [1, 2, 3, 4] },
);
