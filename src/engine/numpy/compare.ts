/**
 * @file Whole-array comparisons and nonzero queries: isclose allclose array_equal array_equiv
 * count_nonzero nonzero argwhere flatnonzero isscalar (iscomplexobj/isrealobj: complex.ts).
 *
 * isclose follows jax.numpy 0.10.2: arguments are promoted (to an inexact dtype), rtol/atol are
 * converted to that dtype, and the test is `a == b | (isfinite(b) & |a-b| <= atol + rtol*|b|)`.
 * nonzero needs concrete input unless a static `size` is given; with `size` it is computed with
 * broadcast comparisons and reductions, so it also traces (JAX uses cumsum and scatter).
 */
import { ArrayImpl } from '../core/array.js';
import { fillTyped, isValue, scalarArray } from '../core/coerce.js';
import { defaultInt, realPart } from '../core/dtype.js';
import { ConcretizationTypeError, ValueError } from '../core/errors.js';
import { stridesOf } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import * as S from '../lax/structural.js';
import { namedJit } from '../transforms/jit.js';
import { arange, array } from './creation.js';
import { bincount } from './histogram.js';
import * as red from './reductions.js';
import { atleast_1d, ravel, transpose, vstack } from './shapes.js';
import { cumsum } from './sorting.js';
import * as uf from './ufuncs.js';
import { asValue, promoteArgs, promoteArgsInexactShapes } from './util.js';

type In = unknown;

export interface CloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}

export function isclose(a: In, b: In, opts: CloseOptions = {}): Value {
  const tol = (t: number | undefined) => (t === undefined ? null : asValue(t));
  return iscloseJit(asValue(a), asValue(b), tol(opts.rtol), tol(opts.atol), opts.equalNan ?? false);
}

/**
 * JAX's jitted isclose (static equal_nan). Tolerances the caller passed are traced arguments;
 * JAX's defaults (1e-05, 1e-08) are constants of the trace, as they are in JAX.
 */
const iscloseJit = namedJit(
  'isclose',
  function isclose(a: Value, b: Value, rtol: Value | null, atol: Value | null, equalNan: boolean): Value {
    const [x, y] = promoteArgsInexactShapes('isclose', ...promoteArgs(a, b));
    // Tolerances compare with magnitudes: a complex operand's are its part dtype.
    const dt = realPart(x.dtype);
    const rt = convertElementType(rtol ?? 1e-5, dt);
    const at = convertElementType(atol ?? 1e-8, dt);
    const bothNan = uf.logical_and(uf.isnan(x), uf.isnan(y));
    const checkFin = uf.isfinite(y);
    const inRange = lax.le(lax.abs(lax.sub(x, y)), lax.add(at, lax.mul(rt, lax.abs(y))));
    const out = uf.logical_or(lax.eq(x, y), uf.logical_and(checkFin, inRange));
    return equalNan ? uf.logical_or(out, bothNan) : out;
  },
  { staticArgnums: [4] },
);

export function allclose(a: In, b: In, opts: CloseOptions = {}): Value {
  return allcloseJit(
    asValue(a),
    asValue(b),
    opts.rtol === undefined ? null : asValue(opts.rtol),
    opts.atol === undefined ? null : asValue(opts.atol),
    opts.equalNan ?? false,
  );
}

/**
 * JAX's jitted allclose: isclose with the tolerances passed on (so traced there), then all. Its
 * defaults are Python floats bound inside it, so they reach isclose as literals.
 */
const allcloseJit = namedJit(
  'allclose',
  function allclose(a: Value, b: Value, rtol: Value | null, atol: Value | null, equalNan: boolean): Value {
    return red.all(iscloseJit(a, b, rtol ?? asValue(1e-5), atol ?? asValue(1e-8), equalNan));
  },
  { staticArgnums: [4] },
);

/** jnp.array_equal: False (not an error) when the shapes differ. */
export function array_equal(a1: In, a2: In, opts: { equalNan?: boolean } = {}): Value {
  const x = asValue(a1);
  const y = asValue(a2);
  if (x.ndim !== y.ndim || x.shape.some((n, i) => n !== y.shape[i])) return array(false);
  let eq = uf.equal(x, y);
  if (opts.equalNan) eq = uf.logical_or(eq, uf.logical_and(uf.isnan(x), uf.isnan(y)));
  return red.all(eq);
}
export const arrayEqual = array_equal;

/**
 * jnp.array_equiv: equal after broadcasting. Shapes that do not broadcast give False (JAX 0.10.2
 * means to, but lets lax's TypeError escape).
 */
export function array_equiv(a1: In, a2: In): Value {
  const x = asValue(a1);
  const y = asValue(a2);
  let eq: Value;
  try {
    eq = uf.equal(x, y);
  } catch (e) {
    if (e instanceof TypeError && /incompatible shapes/.test(e.message)) return array(false);
    throw e;
  }
  return red.all(eq);
}
export const arrayEquiv = array_equiv;

// count_nonzero is reductions.ts's (JAX's reductions.py has it).
export { count_nonzero, countNonzero } from './reductions.js';

export interface NonzeroOptions {
  size?: number | null;
  fillValue?: number | readonly number[] | null;
}

function fillFor(fill: NonzeroOptions['fillValue'], d: number): number {
  if (fill === undefined || fill === null) return 0;
  return typeof fill === 'number' ? fill : fill[d];
}

/** jnp.nonzero: one index array per dimension. */
export function nonzero(a: In, opts: NonzeroOptions = {}): Value[] {
  const v = asValue(a);
  if (v.ndim === 0) {
    throw new RangeError(
      'Calling nonzero on 0d arrays is not allowed. Use jnp.atleast_1d(scalar).nonzero() instead.',
    );
  }
  const size = opts.size ?? null;
  if (v instanceof ArrayImpl) return nonzeroHost(v, size, opts.fillValue);
  if (size === null) {
    throw new ConcretizationTypeError(
      `traced array with shape ${v.aval.strShort()}`,
      'The size argument of jnp.nonzero must be statically specified to use jnp.nonzero within JAX transformations.',
    );
  }
  return nonzeroTraced(v, size, opts.fillValue);
}

function nonzeroHost(v: ArrayImpl, size: number | null, fill: NonzeroOptions['fillValue']): Value[] {
  const data = v.dataSync();
  const flat: number[] = [];
  for (let i = 0; i < v.size; i++) if (data[i] !== 0 && data[i] !== 0n) flat.push(i);
  // float16 storage is bits: only +0 (0) and -0 (0x8000) are zero.
  if (v.dtype.name === 'float16') {
    flat.length = 0;
    for (let i = 0; i < v.size; i++) if ((Number(data[i]) & 0x7fff) !== 0) flat.push(i);
  }
  const n = size ?? flat.length;
  const strides = stridesOf(v.shape);
  const it = defaultInt();
  return v.shape.map((dim, d) => {
    const vals = Array.from({ length: n }, (_, k) =>
      k < flat.length ? Math.floor(flat[k] / strides[d]) % dim : fillFor(fill, d),
    );
    return ArrayImpl.fromHost(fillTyped(it, vals), [n], it, v.device);
  });
}

/**
 * nonzero with a static size on a traced array, as JAX writes it: the k-th nonzero's flat index
 * is cumsum(bincount(cumsum(mask), length=size))[k], split into coordinates by each dimension's
 * stride; entries past the count of nonzeros take the fill value when one is given.
 */
function nonzeroTraced(v: Value, size: number, fill: NonzeroOptions['fillValue']): Value[] {
  const it = defaultInt();
  if (v.size === 0 || size === 0) return v.shape.map(() => S.broadcastInDim(scalarArray(0, it), [size], []));
  const mask = v.dtype.isBool ? v : lax.ne(v, 0);
  const flat = cumsum(bincount(cumsum(mask), { length: size }));
  const strides = stridesOf(v.shape);
  const out = v.shape.map((dim, d) =>
    uf.remainder(uf.floor_divide(flat, scalarArray(strides[d], flat.dtype)), dim),
  );
  if (fill === undefined || fill === null) return out;
  const fillMask = uf.greater_equal(arange(size), red.sum(mask));
  return out.map((entry, d) => uf.where(fillMask, fillFor(fill, d), entry));
}

export function argwhere(a: In, opts: NonzeroOptions = {}): Value {
  const v = asValue(a);
  const result = transpose(vstack(nonzero(atleast_1d(v), opts)));
  if (v.ndim === 0) return S.reshape(S.sliceInDim(result, 0, 0, 1, 0), [result.shape[0], 0]);
  return result;
}

export function flatnonzero(a: In, opts: NonzeroOptions = {}): Value {
  return nonzero(ravel(a), opts)[0];
}

/** True for JS scalars and 0-d arrays, as jnp.isscalar. */
export function isscalar(x: unknown): boolean {
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return true;
  return isValue(x) && x.ndim === 0;
}

/**
 * jnp.where: the three-argument form selects (ufuncs' `where`); with the condition alone it is
 * `nonzero(condition, { size, fillValue })`, as JAX's is.
 */
export function where(condition: In, x: In, y: In): Value;
export function where(condition: In, x?: null, y?: null, opts?: NonzeroOptions): Value[];
export function where(
  condition: In,
  x?: In | null,
  y?: In | null,
  opts: NonzeroOptions = {},
): Value | Value[] {
  const none = (v: unknown) => v === undefined || v === null;
  if (none(x) && none(y)) return nonzero(condition, opts);
  if (none(x) || none(y))
    throw new TypeError(
      `where requires ndarray or scalar arguments, got <class 'NoneType'> at position ${none(x) ? 1 : 2}.`,
    );
  if ((opts.size ?? null) !== null || (opts.fillValue ?? null) !== null)
    throw new ValueError('size and fill_value arguments cannot be used in three-term where function.');
  return uf.where(condition, x, y);
}
