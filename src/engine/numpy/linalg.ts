/**
 * @file NumPy's products and linear-algebra surface on dot_general: matmul (matmul.ts,
 * re-exported) dot vdot inner outer tensordot kron diag (diagonal.ts: diagonal, trace) matrix_transpose, and
 * `linalg` (norm, vector_norm,
 * matrix_norm, ...). Semantics, dtypes (jnp.dot/matmul/tensordot pass the promoted result type
 * as `preferred_element_type`, operands are not converted) and error texts follow
 * jax/_src/numpy/tensor_contractions.py, lax_numpy.py and linalg.py of JAX 0.10.2.
 */
import { type DTypeLike, requestDType } from '../core/dtype.js';
import { normalizeAxis, shapeTuple } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { conj } from '../lax/complex.js';
import { convertElementType } from '../lax/convert.js';
import { dotGeneral } from '../lax/dot.js';
import * as lax from '../lax/elementwise.js';
import { expandDims, pad, reshape, transpose } from '../lax/structural.js';
import { namedJit } from '../transforms/jit.js';
import * as cx from './complex.js';
import { eye } from './creation.js';
import { diagonal, moveaxis, trace } from './diagonal.js';
import * as decomp from './linalg-decomp.js';
import * as eigDecomp from './linalg-eig.js';
import * as extra from './linalg-extra.js';
import { dotOpts, matmul, type ProductOptions, productType } from './matmul.js';
import * as red from './reductions.js';
import * as uf from './ufuncs.js';
import { asValue, constantLike, promoteArgs, promoteArgsInexact } from './util.js';

export { type DiagonalOptions, diagonal, trace } from './diagonal.js';
export { einsum } from './einsum.js';
export { matmul, type ProductOptions, productType } from './matmul.js';

function ravel(x: Value): Value {
  return x.ndim === 1 ? x : reshape(x, [x.size]);
}

// ---- products ----------------------------------------------------------------------------------

/** jnp.dot: last axis of a with the second-to-last of b (or its only axis); scalars multiply. */
export function dot(a: unknown, b: unknown, opts: ProductOptions = {}): Value {
  const x = asValue(a);
  const y = asValue(b);
  const { dtype, weak } = productType('dot', [x, y], opts.preferredElementType);
  let contract: [number[], number[]];
  if (x.ndim === 0 || y.ndim === 0) contract = [[], []];
  else contract = [[x.ndim - 1], [y.ndim === 1 ? 0 : y.ndim - 2]];
  const out = dotGeneral(x, y, [contract, [[], []]], dotOpts(opts, dtype));
  return convertElementType(out, dtype, weak);
}

/** jnp.vdot: the dot product of the flattened operands, the first conjugated when complex. */
export function vdot(a: unknown, b: unknown, opts: ProductOptions = {}): Value {
  let x = asValue(a);
  if (x.dtype.isComplex) x = conj(x);
  return dot(ravel(x), ravel(asValue(b)), opts);
}

export type TensordotAxes =
  | number
  | readonly [number, number]
  | readonly [readonly number[], readonly number[]];

/** jnp.tensordot: contract the last `axes` axes of a with the first of b, or the listed pairs. */
export function tensordot(a: unknown, b: unknown, axes: TensordotAxes = 2, opts: ProductOptions = {}): Value {
  const x = asValue(a);
  const y = asValue(b);
  const { dtype, weak } = productType('tensordot', [x, y], opts.preferredElementType);
  let contract: [number[], number[]];
  if (typeof axes === 'number') {
    if (axes > Math.min(x.ndim, y.ndim)) {
      throw new TypeError(
        `Number of tensordot axes (axes ${axes}) exceeds input ranks (${shapeTuple(x.shape)} and ${shapeTuple(y.shape)})`,
      );
    }
    contract = [
      Array.from({ length: axes }, (_, i) => x.ndim - axes + i),
      Array.from({ length: axes }, (_, i) => i),
    ];
  } else if (Array.isArray(axes) && axes.length === 2) {
    const [a1, a2] = axes as [unknown, unknown];
    if (typeof a1 === 'number' && typeof a2 === 'number')
      contract = [[normalizeAxis(a1, x.ndim)], [normalizeAxis(a2, y.ndim)]];
    else if (Array.isArray(a1) && Array.isArray(a2)) {
      if (a1.length !== a2.length) {
        throw new TypeError(
          `tensordot requires axes lists to have equal length, got ${shapeTuple(a1)} and ${shapeTuple(a2)}.`,
        );
      }
      contract = [
        a1.map((d: number) => normalizeAxis(d, x.ndim)),
        a2.map((d: number) => normalizeAxis(d, y.ndim)),
      ];
    } else {
      throw new TypeError(
        `tensordot requires both axes lists to be either ints, tuples or lists, got ${String(a1)} and ${String(a2)}`,
      );
    }
  } else {
    throw new TypeError(
      'tensordot axes argument must be an int, a pair of ints, or a pair of lists/tuples of ints.',
    );
  }
  const out = dotGeneral(x, y, [contract, [[], []]], dotOpts(opts, dtype));
  return convertElementType(out, dtype, weak);
}

/** jnp.inner: contract the last axes of both (scalars multiply). */
export function inner(a: unknown, b: unknown, opts: ProductOptions = {}): Value {
  let x = asValue(a);
  let y = asValue(b);
  if (x.ndim === 0 || y.ndim === 0) {
    if (opts.preferredElementType) {
      x = convertElementType(x, requestDType(opts.preferredElementType, 'inner'));
      y = convertElementType(y, requestDType(opts.preferredElementType, 'inner'));
    }
    return uf.multiply(x, y);
  }
  return tensordot(x, y, [-1, -1], opts);
}

/** jnp.outer: the flattened operands as a column times a row. */
export function outer(a: unknown, b: unknown): Value {
  const [x, y] = promoteArgs(a, b);
  return uf.multiply(expandDims(ravel(x), [1]), expandDims(ravel(y), [0]));
}

/** jnp.kron: the Kronecker product (block matrix of a[i] * b), jitted as JAX's. */
export function kron(a: unknown, b: unknown): Value {
  return kronJit(asValue(a), asValue(b));
}

const kronJit = namedJit('kron', function kron(a: Value, b: Value): Value {
  let [x, y] = promoteArgs(a, b);
  if (x.ndim < y.ndim) x = expandDims(x, [...Array(y.ndim - x.ndim).keys()]);
  else if (y.ndim < x.ndim) y = expandDims(y, [...Array(x.ndim - y.ndim).keys()]);
  const n = x.ndim;
  const xr = expandDims(
    x,
    Array.from({ length: n }, (_, i) => 2 * i + 1),
  );
  const yr = expandDims(
    y,
    Array.from({ length: n }, (_, i) => 2 * i),
  );
  const shape = x.shape.map((d, i) => d * y.shape[i]);
  const prod = x.dtype.isBool ? lax.bitwiseAnd(xr, yr) : lax.mul(xr, yr);
  return reshape(prod, shape);
});

// ---- diagonals ---------------------------------------------------------------------------------

/** jnp.diag: a 1-D array becomes a diagonal matrix; a 2-D array gives its k-th diagonal. */
export function diag(v: unknown, k = 0): Value {
  return diagJit(asValue(v), k);
}

/** JAX's jitted `_diag` (static k). */
const diagJit = namedJit(
  '_diag',
  function _diag(x: Value, k: number): Value {
    if (x.ndim === 1) {
      const n = x.shape[0] + Math.abs(k);
      const zero = constantLike(x, 0);
      const padded = pad(x, zero, [[Math.max(0, -k), Math.max(0, k), 0]]);
      return uf.where(eye(n, null, k, { dtype: 'bool' }), expandDims(padded, [1]), zero);
    }
    if (x.ndim === 2) return diagonal(x, k);
    throw new Error('diag input must be 1d or 2d');
  },
  { staticArgnums: [1] },
);

/** jnp.matrix_transpose: swap the last two axes. */
export function matrix_transpose(x: unknown): Value {
  const v = asValue(x);
  if (v.ndim < 2)
    throw new Error(`x must be at least two-dimensional for matrix_transpose; got ndim=${v.ndim}`);
  const perm = [...Array(v.ndim).keys()];
  perm[v.ndim - 2] = v.ndim - 1;
  perm[v.ndim - 1] = v.ndim - 2;
  return transpose(v, perm);
}
export const matrixTranspose = matrix_transpose;

// ---- norms -------------------------------------------------------------------------------------

export type NormOrd = number | 'fro' | 'f' | 'nuc' | null | undefined;

export interface NormOptions {
  ord?: NormOrd;
  axis?: number | readonly number[] | null;
  keepdims?: boolean;
}

function sumSquares(x: Value, axis: number | readonly number[] | null, keepdims: boolean): Value {
  // JAX: sqrt(sum(real(x * conj(x)))); for a real x, conj and real are x itself.
  return uf.sqrt(red.sum(cx.real(uf.multiply(x, cx.conj(x))), { axis, keepdims }));
}

/** jnp.linalg.vector_norm along `axis` (all axes when null); no promotion, as JAX's. */
function vector_norm(x: unknown, opts: NormOptions = {}): Value {
  const v = asValue(x);
  const ord = opts.ord ?? 2;
  const axis = opts.axis ?? null;
  const keepdims = opts.keepdims ?? false;
  if (ord === 2) return sumSquares(v, axis, keepdims);
  if (ord === Number.POSITIVE_INFINITY) return red.max(uf.abs(v), { axis, keepdims, initial: 0 });
  if (ord === Number.NEGATIVE_INFINITY) return red.min(uf.abs(v), { axis, keepdims });
  if (ord === 0) return red.sum(uf.not_equal(v, 0), { axis, keepdims, dtype: v.dtype });
  if (ord === 1) return red.sum(uf.abs(v), { axis, keepdims });
  if (typeof ord === 'string') throw new Error(`Invalid order '${ord}' for vector norm.`);
  const ax = uf.abs(v);
  const p = constantLike(ax, ord);
  const inv = constantLike(ax, 1 / ord);
  return uf.power(red.sum(uf.power(ax, p), { axis, keepdims }), inv);
}

function matrixNorm(v: Value, ord: NormOrd, rowAxis: number, colAxis: number, keepdims: boolean): Value {
  if (ord === null || ord === undefined || ord === 'fro' || ord === 'f')
    return sumSquares(v, [rowAxis, colAxis], keepdims);
  const absSum = (axis: number) => red.sum(uf.abs(v), { axis, keepdims });
  if (ord === 1 || ord === -1) {
    const c = !keepdims && colAxis > rowAxis ? colAxis - 1 : colAxis;
    return ord === 1
      ? red.max(absSum(rowAxis), { axis: c, keepdims, initial: 0 })
      : red.min(absSum(rowAxis), { axis: c, keepdims });
  }
  if (ord === Number.POSITIVE_INFINITY || ord === Number.NEGATIVE_INFINITY) {
    const r = !keepdims && rowAxis > colAxis ? rowAxis - 1 : rowAxis;
    return ord > 0
      ? red.max(absSum(colAxis), { axis: r, keepdims, initial: 0 })
      : red.min(absSum(colAxis), { axis: r, keepdims });
  }
  if (ord === 'nuc' || ord === 2 || ord === -2) {
    // From the singular values of the matrices, the two axes moved last (as JAX does).
    const s = decomp.svdvals(moveaxis(v, [rowAxis, colAxis], [-2, -1]));
    const r =
      ord === 2
        ? red.max(s, { axis: -1, initial: 0 })
        : ord === -2
          ? red.min(s, { axis: -1 })
          : red.sum(s, { axis: -1 });
    return keepdims ? expandDims(r, [rowAxis, colAxis]) : r;
  }
  throw new Error(`Invalid order '${String(ord)}' for matrix norm.`);
}

/** jnp.linalg.norm: vector norms over one axis, matrix norms over two, Frobenius by default. */
function norm(x: unknown, opts: NormOptions = {}): Value {
  const ax = opts.axis ?? null;
  const axis = ax === null || typeof ax === 'number' ? ax : [...ax];
  // A numeric ord travels as text: the static key must tell inf, -inf and null apart.
  const ord = typeof opts.ord === 'number' ? String(opts.ord) : (opts.ord ?? null);
  return normJit(asValue(x), ord, axis, opts.keepdims ?? false);
}

/** JAX's jitted norm (static ord, axis, keepdims). */
const normJit = namedJit(
  'norm',
  function norm(x: Value, ordKey: string | null, axis: number | number[] | null, keepdims: boolean): Value {
    const ord =
      ordKey === null || ['fro', 'f', 'nuc'].includes(ordKey) ? (ordKey as NormOrd) : Number(ordKey);
    return normImpl(x, { ord, axis, keepdims });
  },
  { staticArgnums: [1, 2, 3] },
);

function normImpl(x: Value, opts: NormOptions): Value {
  const [v] = promoteArgsInexact(x);
  const keepdims = opts.keepdims ?? false;
  const ord = opts.ord;
  let axes: number[];
  if (opts.axis === null || opts.axis === undefined) {
    if (ord === null || ord === undefined) return sumSquares(v, null, keepdims);
    axes = [...Array(v.ndim).keys()];
  } else if (typeof opts.axis === 'number') axes = [normalizeAxis(opts.axis, v.ndim)];
  else axes = opts.axis.map((a) => normalizeAxis(a, v.ndim));
  if (axes.length === 1) return vector_norm(v, { ord: ord ?? 2, axis: axes, keepdims });
  if (axes.length === 2) return matrixNorm(v, ord, axes[0], axes[1], keepdims);
  throw new Error(
    `Improper number of axes for norm: axis=${shapeTuple(axes)}. Pass one axis to compute a vector-norm, or two axes to compute a matrix-norm.`,
  );
}

/** jnp.linalg.matrix_norm over the last two axes. */
function matrix_norm(x: unknown, opts: { ord?: NormOrd; keepdims?: boolean } = {}): Value {
  const [v] = promoteArgsInexact(x);
  return norm(v, { ord: opts.ord ?? 'fro', axis: [-2, -1], keepdims: opts.keepdims });
}

/** jnp.linalg.vecdot: sum over `axis` of a * b (broadcast). */
export function vecdot(a: unknown, b: unknown, opts: { axis?: number } = {}): Value {
  return red.sum(uf.multiply(a as Value, b as Value), { axis: opts.axis ?? -1 });
}

export const linalg = {
  ...decomp,
  eig: (a: unknown) => eigDecomp.eig(a),
  eigvals: (a: unknown) => eigDecomp.eigvals(a),
  ...extra,
  matrixPower: extra.matrix_power,
  matrixRank: extra.matrix_rank,
  multiDot: extra.multi_dot,
  norm,
  vector_norm,
  vectorNorm: vector_norm,
  matrix_norm,
  matrixNorm: matrix_norm,
  matrix_transpose,
  matrixTranspose: matrix_transpose,
  matmul,
  tensordot,
  outer,
  vecdot,
  trace: (x: unknown, opts: { offset?: number; dtype?: DTypeLike | null } = {}) =>
    trace(x, { ...opts, axis1: -2, axis2: -1 }),
  diagonal: (x: unknown, opts: { offset?: number } = {}) => diagonal(x, { ...opts, axis1: -2, axis2: -1 }),
};
