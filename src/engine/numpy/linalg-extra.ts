/**
 * @file jnp.linalg functions built on the decompositions, as JAX 0.10.2 writes them
 * (jax/_src/numpy/linalg.py): lstsq through the SVD with small singular values cut at rcond,
 * pinv with JAX's custom derivative (Golub & Pereyra's formula for the derivative of a
 * pseudo-inverse), matrix_power by repeated squaring, matrix_rank, multi_dot, tensorinv,
 * tensorsolve, cond and linalg.cross. The linalg object (linalg.ts) spreads these in; this file
 * must not import linalg.ts, so the products and norms it needs are written here on lax.
 */
import { type ArrayImpl, hostScalar } from '../core/array.js';
import { normalizeAxis } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import { Precision } from '../lax/dot.js';
import { customJvp } from '../transforms/custom.js';
import { namedJit } from '../transforms/jit.js';
import { array, eye, zeros } from './creation.js';
import { finfo } from './dtypes.js';
import { einsum } from './einsum.js';
import { ValueError } from './errors.js';
import { getitem, sl } from './indexing.js';
import { inv, solve, svd } from './linalg-decomp.js';
import { matmul } from './matmul.js';
import { cross as jnpCross } from './products.js';
import { any, max, min, sum } from './reductions.js';
import { broadcast_to, expand_dims, moveaxis, ravel, reshape, swapaxes } from './shapes.js';
import * as uf from './ufuncs.js';
import { asValue, promoteArgsInexact } from './util.js';

const pyShape = (s: readonly number[]) => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);
const mT = (x: Value) => swapaxes(x, -1, -2);
const HIGHEST = { precision: Precision.HIGHEST };

export interface LstsqOptions {
  rcond?: number | null;
  numpyResid?: boolean;
}

function lstsqCore(a0: Value, b0: Value, rcond0: Value | number | null, numpyResid: boolean): Value[] {
  const [a, b1] = promoteArgsInexact(a0, b0);
  if (a.shape[0] !== b1.shape[0]) throw new ValueError('Leading dimensions of input arrays must match');
  const bOrigNdim = b1.ndim;
  const b = b1.ndim === 1 ? getitem(b1, [sl(), null]) : b1;
  if (a.ndim !== 2) throw new TypeError(`${a.ndim}-dimensional array given. Array must be two-dimensional`);
  if (b.ndim !== 2)
    throw new TypeError(`${b.ndim}-dimensional array given. Array must be one or two-dimensional`);
  const [m, n] = a.shape;
  let s: Value;
  let rank: Value;
  let x: Value;
  if (a.size === 0) {
    s = zeros([0], { dtype: a.dtype });
    rank = array(0);
    x = zeros([n, ...b.shape.slice(1)], { dtype: a.dtype });
  } else {
    const eps = finfo(a.dtype).eps;
    const rcond = rcond0 === null ? eps * Math.max(n, m) : uf.where(uf.less(rcond0, 0), eps, rcond0);
    const [u, s1, vt] = svd(a, { fullMatrices: false });
    s = s1;
    const mask = uf.logical_and(
      uf.greater(s, 0),
      uf.greater_equal(s, uf.multiply(array(rcond, { dtype: s.dtype }), getitem(s, [0]))),
    );
    rank = sum(mask);
    const safe = convertElementType(uf.where(mask, s, 1), a.dtype);
    const sInv = getitem(uf.where(mask, uf.true_divide(1, safe), 0), [sl(), null]);
    const uTb = matmul(mT(u), b, HIGHEST);
    x = matmul(mT(vt), uf.multiply(sInv, uTb), HIGHEST);
  }
  let resid: Value;
  if (numpyResid && (Number(hostScalar(rank as ArrayImpl)) < n || m <= n))
    resid = zeros([0], { dtype: a.dtype });
  else {
    const r = uf.subtract(b, matmul(a, x, HIGHEST));
    resid = sum(uf.multiply(r, r), { axis: 0 });
  }
  if (bOrigNdim === 1) x = ravel(x);
  return [x, resid, rank, s];
}

const lstsqJit = namedJit('lstsq', function lstsq(a: Value, b: Value, rcond: Value | null): Value[] {
  return lstsqCore(a, b, rcond, false);
});

/**
 * jnp.linalg.lstsq(a, b, {rcond, numpyResid}): [x, residuals, rank, singular values] of
 * min ||a x - b||. With numpyResid, residuals are empty when a is rank-deficient or not tall, as
 * NumPy's are (that needs the rank, so it does not work under jit).
 */
export function lstsq(a: unknown, b: unknown, opts: LstsqOptions = {}): [Value, Value, Value, Value] {
  const rcond = opts.rcond === undefined || opts.rcond === null ? null : asValue(opts.rcond);
  if (opts.numpyResid) return lstsqCore(asValue(a), asValue(b), rcond, true) as [Value, Value, Value, Value];
  return lstsqJit(asValue(a), asValue(b), rcond) as [Value, Value, Value, Value];
}

// ---- pinv -------------------------------------------------------------------------------------

const pinvCore = namedJit(
  '_pinv',
  function _pinv(a: Value, rtol0: Value | null, hermitian: boolean): Value {
    const [arr] = promoteArgsInexact(a);
    const [m, n] = arr.shape.slice(-2);
    if (m === 0 || n === 0) return zeros([...arr.shape.slice(0, -2), n, m], { dtype: arr.dtype });
    if (hermitian) throw new ValueError('pinv: hermitian=True is not supported');
    const rtol = rtol0 ?? uf.multiply(10 * Math.max(m, n), array(finfo(arr.dtype).eps, { dtype: arr.dtype }));
    const [u, s0, vh] = svd(arr, { fullMatrices: false });
    let r = getitem(asValue(rtol), ['...', null]);
    if (s0.ndim - r.ndim > 0) r = expand_dims(r, [...Array(s0.ndim - r.ndim).keys()]);
    const cutoff = uf.multiply(r, getitem(s0, ['...', sl(0, 1)]));
    const s = convertElementType(uf.where(uf.greater(s0, cutoff), s0, Number.POSITIVE_INFINITY), u.dtype);
    const res = matmul(mT(vh), uf.true_divide(mT(u), getitem(s, ['...', null])), HIGHEST);
    return convertElementType(res, arr.dtype);
  },
  { staticArgnums: [2] },
);

const pinvCustom = customJvp(
  function _pinv(rtol: Value | null, hermitian: boolean, a: Value): Value {
    return pinvCore(a, rtol, hermitian);
  },
  { nondiffArgnums: [0, 1] },
);
pinvCustom.defjvp(function _pinv_jvp(
  rtol: Value | null,
  hermitian: boolean,
  primals: Value[],
  tangents: Value[],
) {
  const [a] = primals;
  const [aDot] = tangents;
  const p = pinvCustom(rtol, hermitian, a);
  const [m, n] = a.shape.slice(-2);
  const mm = (x: Value, y: Value) => matmul(x, y);
  let pDot: Value;
  if (m >= n) {
    const s = mm(mm(p, mT(p)), mT(aDot));
    const t = mm(mm(mT(aDot), mT(p)), p);
    pDot = uf.subtract(
      uf.add(uf.subtract(uf.add(uf.negative(mm(mm(p, aDot), p)), s), mm(mm(s, a), p)), t),
      mm(mm(p, a), t),
    );
  } else {
    const s = mm(p, mm(mT(p), mT(aDot)));
    const t = mm(mT(aDot), mm(mT(p), p));
    pDot = uf.subtract(
      uf.add(uf.subtract(uf.add(uf.negative(mm(p, mm(aDot, p))), s), mm(s, mm(a, p))), t),
      mm(p, mm(a, t)),
    );
  }
  return [p, pDot];
});

export interface PinvOptions {
  rtol?: unknown;
  hermitian?: boolean;
  rcond?: unknown;
}

/** jnp.linalg.pinv(a, {rtol, hermitian, rcond}): the Moore-Penrose pseudo-inverse. */
export function pinv(a: unknown, opts: PinvOptions = {}): Value {
  let rtol = opts.rtol ?? null;
  if (opts.rcond !== undefined && opts.rcond !== null) {
    if (rtol !== null) throw new ValueError('pinv: only one of rtol and rcond may be specified.');
    rtol = opts.rcond;
  }
  return pinvCustom(rtol === null ? null : asValue(rtol), opts.hermitian ?? false, asValue(a));
}

// ---- matrix_power, matrix_rank -------------------------------------------------------------------

const matrixPowerJit = namedJit(
  'matrix_power',
  function matrix_power(a: Value, n0: number): Value {
    if (a.ndim < 2)
      throw new TypeError(`${a.ndim}-dimensional array given. Array must be at least two-dimensional`);
    if (a.shape[a.ndim - 2] !== a.shape[a.ndim - 1])
      throw new TypeError('Last 2 dimensions of the array must be square');
    let arr = a;
    let n = n0;
    if (n === 0) return broadcast_to(eye(a.shape[a.ndim - 1], null, 0, { dtype: a.dtype }), a.shape);
    if (n < 0) {
      arr = inv(arr);
      n = -n;
    }
    // Python's `@`: jnp.matmul.
    const mm = (x: Value, y: Value) => matmul(x, y);
    if (n === 1) return arr;
    if (n === 2) return mm(arr, arr);
    if (n === 3) return mm(mm(arr, arr), arr);
    let z: Value | null = null;
    let result: Value | null = null;
    while (n > 0) {
      z = z === null ? arr : mm(z, z);
      const bit = n % 2;
      n = Math.floor(n / 2);
      if (bit) result = result === null ? z : mm(result, z);
    }
    return result as Value;
  },
  { staticArgnums: [1] },
);

/** jnp.linalg.matrix_power(a, n): a @ a @ ... (n times; inverse powers for n < 0). */
export function matrix_power(a: unknown, n: number): Value {
  if (!Number.isInteger(n)) throw new TypeError(`exponent must be an integer, got ${n}`);
  return matrixPowerJit(asValue(a), n);
}

export interface MatrixRankOptions {
  rtol?: unknown;
  hermitian?: boolean;
  tol?: unknown;
}

const matrixRankJit = namedJit('matrix_rank', function matrix_rank(M0: Value, rtol0: Value | null): Value {
  const [M] = promoteArgsInexact(M0);
  if (M.ndim < 2) return convertElementType(any(uf.not_equal(M, 0)), 'int32');
  const S = svd(M, { fullMatrices: false, computeUv: false });
  const rtol =
    rtol0 ??
    uf.multiply(uf.multiply(max(S, { axis: -1 }), Math.max(...M.shape.slice(-2))), finfo(S.dtype).eps);
  return sum(uf.greater(S, expand_dims(rtol, [rtol.ndim])), { axis: -1 });
});

/** jnp.linalg.matrix_rank(M, {rtol, tol}): the number of singular values above the cutoff. */
export function matrix_rank(M: unknown, opts: MatrixRankOptions = {}): Value {
  let rtol = opts.rtol ?? null;
  if (opts.tol !== undefined && opts.tol !== null) {
    if (rtol !== null) throw new ValueError('matrix_rank: only one of tol or rtol may be specified.');
    rtol = opts.tol;
  }
  if (opts.hermitian) throw new ValueError('matrix_rank: hermitian=True is not supported');
  return matrixRankJit(asValue(M), rtol === null ? null : asValue(rtol));
}

// ---- multi_dot, tensorinv, tensorsolve ------------------------------------------------------------

/** jnp.linalg.multi_dot(arrays, {precision}): the chained product, as one einsum. */
export function multi_dot(arrays: readonly unknown[], opts: { precision?: unknown } = {}): Value {
  const arrs = arrays.map(asValue);
  if (arrs.length < 2)
    throw new ValueError(`multi_dot requires at least two arrays; got len(arrays)=${arrs.length}`);
  const shapes = `[${arrs.map((a) => pyShape(a.shape)).join(', ')}]`;
  const last = arrs[arrs.length - 1];
  if (
    !(
      [1, 2].includes(arrs[0].ndim) &&
      [1, 2].includes(last.ndim) &&
      arrs.slice(1, -1).every((a) => a.ndim === 2)
    )
  ) {
    throw new ValueError(
      `multi_dot: input arrays must all be two-dimensional, except for the first and last array which may be 1 or 2 dimensional. Got array shapes ${shapes}`,
    );
  }
  if (arrs.slice(0, -1).some((a, i) => a.shape[a.ndim - 1] !== arrs[i + 1].shape[0])) {
    throw new ValueError(
      `multi_dot: last dimension of each array must match first dimension of following array. Got array shapes ${shapes}`,
    );
  }
  const letter = (i: number) => String.fromCharCode(97 + i);
  const subs = arrs.map((_, i) => [letter(i), letter(i + 1)]);
  if (arrs[0].ndim === 1) subs[0] = subs[0].slice(1);
  if (last.ndim === 1) subs[subs.length - 1] = subs[subs.length - 1].slice(0, 1);
  const free = [
    ...(arrs[0].ndim === 2 ? [letter(0)] : []),
    ...(last.ndim === 2 ? [letter(arrs.length)] : []),
  ];
  const spec = `${subs.map((s) => s.join('')).join(',')}->${free.join('')}`;
  return einsum(spec, ...arrs, { precision: opts.precision ?? null } as never);
}

/** jnp.linalg.tensorinv(a, {ind}): the inverse of a tensor viewed as a square matrix. */
export function tensorinv(a: unknown, opts: { ind?: number } = {}): Value {
  const arr = asValue(a);
  const ind = opts.ind ?? 2;
  if (ind <= 0) throw new ValueError(`ind must be a positive integer; got ind=${ind}`);
  const contracting = arr.shape.slice(0, ind);
  const batch = arr.shape.slice(ind);
  const prod = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
  if (prod(contracting) !== prod(batch)) {
    throw new ValueError(
      `tensorinv is only possible when the product of the first \`ind\` dimensions equals that of the remaining dimensions. got arr.shape=${pyShape(arr.shape)} with ind=${ind}.`,
    );
  }
  return reshape(inv(reshape(arr, [prod(contracting), prod(batch)])), [...batch, ...contracting]);
}

/** jnp.linalg.tensorsolve(a, b, {axes}): x with tensordot(a, x, x.ndim) == b. */
export function tensorsolve(a: unknown, b: unknown, opts: { axes?: readonly number[] | null } = {}): Value {
  let aa = asValue(a);
  const bb = asValue(b);
  if (opts.axes)
    aa = moveaxis(
      aa,
      [...opts.axes],
      opts.axes.map(() => aa.ndim - 1),
    );
  const outShape = aa.shape.slice(bb.ndim);
  if (aa.shape.slice(0, bb.ndim).join() !== bb.shape.join()) {
    throw new ValueError(
      `After moving axes to end, leading shape of a must match shape of b. got a.shape=${pyShape(aa.shape)}, b.shape=${pyShape(bb.shape)}`,
    );
  }
  const nOut = outShape.reduce((x, y) => x * y, 1);
  if (bb.size !== nOut) {
    throw new ValueError(
      `Input arrays must have prod(a.shape[:b.ndim]) == prod(a.shape[b.ndim:]); got a.shape=${pyShape(aa.shape)}, b.ndim=${bb.ndim}.`,
    );
  }
  return reshape(solve(reshape(aa, [bb.size, nOut]), ravel(bb)), outShape);
}

// ---- cond, cross --------------------------------------------------------------------------------

type CondP = number | 'fro' | 'nuc' | null;

/** The matrix norms cond needs, over the last two axes. */
function matrixNorm(x: Value, p: CondP): Value {
  const absx = uf.abs(x);
  if (p === 'fro') return uf.sqrt(sum(uf.multiply(x, x), { axis: [-2, -1] }));
  if (p === 'nuc') return sum(svd(x, { computeUv: false }), { axis: -1 });
  if (p === 1) return max(sum(absx, { axis: -2 }), { axis: -1 });
  if (p === -1) return min(sum(absx, { axis: -2 }), { axis: -1 });
  if (p === Number.POSITIVE_INFINITY) return max(sum(absx, { axis: -1 }), { axis: -1 });
  if (p === Number.NEGATIVE_INFINITY) return min(sum(absx, { axis: -1 }), { axis: -1 });
  throw new ValueError('Invalid norm order for matrices.');
}

const condJit = namedJit(
  'cond',
  function cond(x: Value, pText: string): Value {
    const p: CondP = pText === 'None' ? null : pText === 'fro' || pText === 'nuc' ? pText : Number(pText);
    if (x.ndim < 2)
      throw new ValueError(
        `jnp.linalg.cond: input array must be at least 2D; got arr.shape=${pyShape(x.shape)}`,
      );
    if (x.shape[x.ndim - 1] === 0 || x.shape[x.ndim - 2] === 0) {
      throw new ValueError(
        `jnp.linalg.cond: input array must not be empty; got arr.shape=${pyShape(x.shape)}`,
      );
    }
    let r: Value;
    if (p === null || p === 2) {
      const s = svd(x, { computeUv: false, fullMatrices: false });
      return uf.true_divide(getitem(s, ['...', 0]), getitem(s, ['...', -1]));
    }
    if (p === -2) {
      const s = svd(x, { computeUv: false, fullMatrices: false });
      r = uf.true_divide(getitem(s, ['...', -1]), getitem(s, ['...', 0]));
    } else {
      if (x.shape[x.ndim - 2] !== x.shape[x.ndim - 1]) {
        throw new ValueError(
          `jnp.linalg.cond: for p=${String(p)}, array must be square; got arr.shape=${pyShape(x.shape)}`,
        );
      }
      r = uf.multiply(matrixNorm(x, p), matrixNorm(inv(x), p));
    }
    return uf.where(
      uf.logical_and(uf.isnan(r), uf.logical_not(any(uf.isnan(x), { axis: [-2, -1] }))),
      Number.POSITIVE_INFINITY,
      r,
    );
  },
  { staticArgnums: [1] },
);

/** jnp.linalg.cond(x, {p}): the condition number in the p-norm (2 by default). */
export function cond(x: unknown, opts: { p?: CondP } = {}): Value {
  // The static argument as text: jit's static key would not tell Infinity from null.
  return condJit(asValue(x), opts.p === undefined || opts.p === null ? 'None' : String(opts.p));
}

/** jnp.linalg.cross(x1, x2, {axis}): the cross product of 3-vectors (only). */
export function cross(x1: unknown, x2: unknown, opts: { axis?: number } = {}): Value {
  const a = asValue(x1);
  const b = asValue(x2);
  const axis = opts.axis ?? -1;
  const na = a.shape[normalizeAxis(axis, a.ndim)];
  const nb = b.shape[normalizeAxis(axis, b.ndim)];
  if (na !== 3 || nb !== 3) {
    throw new ValueError(
      `Both input arrays must be (arrays of) 3-dimensional vectors, but they have x1.shape[axis]=${na} and x2.shape[axis]=${nb}`,
    );
  }
  return jnpCross(a, b, { axis });
}
