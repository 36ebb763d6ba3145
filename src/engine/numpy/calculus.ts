/**
 * @file Interpolation and numerical calculus: jnp.interp, gradient, trapezoid and unwrap, as JAX
 * 0.10.2 writes them (jax/_src/numpy/lax_numpy.py). interp finds each x's interval by searchsorted
 * and interpolates linearly (`left`/`right` fill or 'extrapolate', `period` wraps);
 * gradient takes central differences inside and one-sided ones at the edges (uniform spacing or
 * coordinates per axis); trapezoid sums the trapezoid rule along an axis; unwrap removes jumps
 * larger than `discont` by adding multiples of `period`.
 */
import type { Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import * as S from '../lax/sorting.js';
import { expandDims, sliceInDim } from '../lax/structural.js';
import { namedJit } from '../transforms/jit.js';
import { NotImplementedError, ValueError } from './errors.js';
import { getitem, sl } from './indexing.js';
import { sum } from './reductions.js';
import { concatenate, diff, moveaxis, reshape } from './shapes.js';
import { cumsum, searchsorted } from './sorting.js';
import * as uf from './ufuncs.js';
import { asValue, promoteArgs, promoteArgsInexact, staticAxis } from './util.js';

export type InterpFill = unknown | 'extrapolate' | null;

export interface InterpOptions {
  left?: InterpFill;
  right?: InterpFill;
  period?: unknown;
}

/** The float32 (or float64) spacing of eps: JAX's `np.spacing(np.finfo(dtype).eps)`. */
const SPACING_OF_EPS: Record<string, number> = { float16: 2 ** -20, float32: 2 ** -46, float64: 2 ** -104 };

function interpCore(
  x0: Value,
  xp0: Value,
  fp0: Value,
  left: InterpFill,
  right: InterpFill,
  period: Value | null,
): Value {
  if (xp0.ndim !== 1 || xp0.shape.join() !== fp0.shape.join()) {
    throw new ValueError('xp and fp must be one-dimensional arrays of equal size');
  }
  let [x, xp] = promoteArgsInexact(x0, xp0);
  let [fp] = promoteArgsInexact(fp0);
  const extrapolate = (side: string, v: InterpFill) => {
    if (typeof v !== 'string') return false;
    if (v !== 'extrapolate') {
      throw new ValueError(`the only valid string value of \`${side}\` is 'extrapolate', but got: '${v}'`);
    }
    return true;
  };
  const extrapolateLeft = extrapolate('left', left);
  const extrapolateRight = extrapolate('right', right);
  if (period !== null) {
    if (period.ndim !== 0) throw new ValueError(`period must be a scalar; got ${String(period)}`);
    const p = uf.abs(period);
    x = uf.remainder(x, p);
    xp = uf.remainder(xp, p);
    [xp, fp] = S.sortKeyVal(xp, fp);
    xp = concatenate([
      uf.subtract(getitem(xp, [sl(-1, null)]), p),
      xp,
      uf.add(getitem(xp, [sl(null, 1)]), p),
    ]);
    fp = concatenate([getitem(fp, [sl(-1, null)]), fp, getitem(fp, [sl(null, 1)])]);
  }
  const n = xp.shape[0];
  const i = uf.clip(searchsorted(xp, x, { side: 'right' }), 1, n - 1);
  const im1 = uf.subtract(i, 1);
  const df = uf.subtract(getitem(fp, [i]), getitem(fp, [im1]));
  const dx = uf.subtract(getitem(xp, [i]), getitem(xp, [im1]));
  const delta = uf.subtract(x, getitem(xp, [im1]));
  const dx0 = lax.le(lax.abs(dx), convertElementType(SPACING_OF_EPS[xp.dtype.name], dx.dtype, true));
  let f = uf.where(
    dx0,
    getitem(fp, [im1]),
    uf.add(getitem(fp, [im1]), uf.multiply(uf.true_divide(delta, uf.where(dx0, 1, dx)), df)),
  );
  if (!extrapolateLeft && period === null) {
    f = uf.where(
      uf.less(x, getitem(xp, [0])),
      left === null || left === undefined ? getitem(fp, [0]) : left,
      f,
    );
  }
  if (!extrapolateRight && period === null) {
    f = uf.where(
      uf.greater(x, getitem(xp, [-1])),
      right === null || right === undefined ? getitem(fp, [-1]) : right,
      f,
    );
  }
  return f;
}

// JAX jits _interp with left/right static when they are strings or None, period static when None.
const interpJits = new Map<string, (...a: unknown[]) => Value>();
function interpJitFor(key: string, staticNums: number[]) {
  let f = interpJits.get(key);
  if (!f) {
    f = namedJit(
      '_interp',
      function _interp(
        x: Value,
        xp: Value,
        fp: Value,
        left: InterpFill,
        right: InterpFill,
        period: Value | null,
      ) {
        return interpCore(x, xp, fp, left, right, period);
      },
      { staticArgnums: staticNums },
    ) as (...a: unknown[]) => Value;
    interpJits.set(key, f);
  }
  return f;
}

/** jnp.interp(x, xp, fp, {left, right, period}): piecewise-linear interpolation of (xp, fp) at x. */
export function interp(x: unknown, xp: unknown, fp: unknown, opts: InterpOptions = {}): Value {
  const left = opts.left ?? null;
  const right = opts.right ?? null;
  const period = opts.period ?? null;
  const staticNums: number[] = [];
  if (typeof left === 'string' || left === null) staticNums.push(3);
  if (typeof right === 'string' || right === null) staticNums.push(4);
  if (period === null) staticNums.push(5);
  const f = interpJitFor(staticNums.join(), staticNums);
  const dyn = (v: unknown) => (v === null || typeof v === 'string' ? v : asValue(v));
  return f(asValue(x), asValue(xp), asValue(fp), dyn(left), dyn(right), dyn(period));
}

export interface GradientOptions {
  axis?: number | readonly number[] | null;
  edgeOrder?: number | null;
}

function gradientAlongAxis(a: Value, h: Value, axis: number): Value {
  const sliced = (lo: number | null, hi: number | null) => sliceIn(a, lo, hi, axis);
  let upper = uf.subtract(sliced(1, 2), sliced(0, 1));
  let lower = uf.subtract(sliced(-1, null), sliced(-2, -1));
  let inner: Value;
  if (h.ndim === 0) {
    inner = uf.true_divide(uf.multiply(uf.subtract(sliced(2, null), sliced(null, -2)), 0.5), h);
    lower = uf.true_divide(lower, h);
    upper = uf.true_divide(upper, h);
  } else if (h.ndim === 1) {
    if (h.shape[0] !== a.shape[axis]) {
      throw new ValueError(
        'Spacing arrays must have the same length as the dimension along which the gradient is calculated.',
      );
    }
    const hShape = a.shape.map(() => 1);
    hShape[axis] = h.shape[0];
    const hh = reshape(h, hShape);
    const sx = (lo: number | null, hi: number | null) => sliceIn(hh, lo, hi, axis);
    upper = uf.true_divide(upper, uf.subtract(sx(1, 2), sx(0, 1)));
    lower = uf.true_divide(lower, uf.subtract(sx(-1, null), sx(-2, -1)));
    const dx1 = uf.subtract(sx(1, -1), sx(0, -2));
    const dx2 = uf.subtract(sx(2, null), sx(1, -1));
    const ca = uf.true_divide(uf.negative(dx2), uf.multiply(dx1, uf.add(dx1, dx2)));
    const cb = uf.true_divide(uf.subtract(dx2, dx1), uf.multiply(dx1, dx2));
    const cc = uf.true_divide(dx1, uf.multiply(dx2, uf.add(dx1, dx2)));
    inner = uf.add(
      uf.add(uf.multiply(ca, sliced(0, -2)), uf.multiply(cb, sliced(1, -1))),
      uf.multiply(cc, sliced(2, null)),
    );
  } else throw new ValueError('Spacing arrays must be 1D arrays or scalars.');
  return concatenate([upper, inner, lower], { axis });
}

/** lax.slice_in_dim with Python slice bounds (negative and None). */
function sliceIn(x: Value, lo: number | null, hi: number | null, axis: number): Value {
  const n = x.shape[axis];
  const norm = (v: number | null, d: number) =>
    v === null ? d : v < 0 ? Math.max(0, v + n) : Math.min(v, n);
  return sliceInDim(x, norm(lo, 0), norm(hi, n), 1, axis);
}

const gradientJit = namedJit(
  'gradient',
  function gradient(f: Value, spacing: Value[], axis: number | number[] | null): Value | Value[] {
    const [a, ...dxs] = promoteArgsInexact(f, ...spacing);
    const axes =
      axis === null
        ? [...Array(a.ndim).keys()]
        : (typeof axis === 'number' ? [axis] : axis).map((x) => (x < 0 ? x + a.ndim : x));
    if (axes.some((x) => x < 0 || x >= a.ndim)) {
      throw new RangeError(`axis ${String(axis)} is out of bounds for array of dimension ${a.ndim}`);
    }
    if (axes.length === 0) return [];
    if (Math.min(...axes.map((d) => a.shape[d])) < 2) {
      throw new ValueError(
        'Shape of array too small to calculate a numerical gradient, at least 2 elements are required.',
      );
    }
    let hs: Value[];
    if (dxs.length === 0) hs = axes.map(() => asValue(1.0));
    else if (dxs.length === 1) hs = axes.map(() => dxs[0]);
    else if (dxs.length === axes.length) hs = dxs;
    else throw new TypeError(`Invalid number of spacing arguments ${dxs.length} for axis=${String(axis)}`);
    const grads = axes.map((ax, k) => gradientAlongAxis(a, hs[k], ax));
    return axes.length === 1 ? grads[0] : grads;
  },
  { staticArgnums: [2] },
);

function isOptions(v: unknown): v is GradientOptions {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !('aval' in (v as object));
}

/**
 * jnp.gradient(f, ...spacing, {axis}): the derivative of sampled f along each axis (one array
 * per axis, or one array for a single axis). Spacing is a scalar step or coordinates per axis.
 */
export function gradient(f: unknown, ...rest: unknown[]): Value | Value[] {
  const opts = rest.length && isOptions(rest[rest.length - 1]) ? (rest.pop() as GradientOptions) : {};
  if (opts.edgeOrder !== undefined && opts.edgeOrder !== null) {
    throw new NotImplementedError("The 'edge_order' argument to jnp.gradient is not supported.");
  }
  const axis = staticAxis(opts.axis);
  return gradientJit(asValue(f), rest.map(asValue), axis);
}

export interface TrapezoidOptions {
  x?: unknown;
  dx?: unknown;
  axis?: number;
}

const trapezoidJit = namedJit(
  'trapezoid',
  function trapezoid(y0: Value, x0: Value | null, dx: Value, axis: number): Value {
    let dxa: Value;
    let y: Value;
    if (x0 === null) {
      [y] = promoteArgsInexact(y0);
      dxa = dx;
      if (dxa.ndim > 0) {
        dxa = expandDims(dxa, [...Array(y.ndim - dxa.ndim).keys()]);
        dxa = moveaxis(dxa, axis, -1);
      }
    } else {
      let x: Value;
      [y, x] = promoteArgsInexact(y0, x0);
      dxa = x.ndim === 1 ? diff(x) : moveaxis(diff(x, { axis }), axis, -1);
    }
    y = moveaxis(y, axis, -1);
    if (dxa.ndim === 0 || dxa.shape[dxa.ndim - 1] === 1) {
      const d = dxa.ndim === 0 ? dxa : getitem(dxa, ['...', 0]);
      const ends = uf.add(getitem(y, ['...', 0]), getitem(y, ['...', -1]));
      return uf.multiply(d, uf.subtract(sum(y, { axis: -1 }), uf.multiply(0.5, ends)));
    }
    const mids = uf.add(getitem(y, ['...', sl(1, null)]), getitem(y, ['...', sl(null, -1)]));
    return uf.multiply(0.5, sum(uf.multiply(dxa, mids), { axis: -1 }));
  },
  { staticArgnums: [3] },
);

/** jnp.trapezoid(y, {x, dx, axis}): the integral of y by the trapezoid rule. */
export function trapezoid(y: unknown, opts: TrapezoidOptions = {}): Value {
  const x = opts.x === undefined || opts.x === null ? null : asValue(opts.x);
  return trapezoidJit(asValue(y), x, asValue(opts.dx ?? 1.0), opts.axis ?? -1);
}

export interface UnwrapOptions {
  discont?: unknown;
  axis?: number;
  period?: unknown;
}

const unwrapJit = namedJit(
  'unwrap',
  function unwrap(p0: Value, discont0: Value | null, period0: Value, axis: number): Value {
    const [p, period] = promoteArgs(p0, period0);
    const ax = axis < 0 ? axis + p.ndim : axis;
    if (p.shape[ax] === 0) return p;
    const discont = discont0 ?? uf.true_divide(period, 2);
    const interval = p.dtype.isInt ? uf.floor_divide(period, 2) : uf.true_divide(period, 2);
    const dd = diff(p, { axis });
    let ddmod = uf.subtract(uf.remainder(uf.add(dd, interval), period), interval);
    ddmod = uf.where(
      uf.logical_and(uf.equal(ddmod, uf.negative(interval)), uf.greater(dd, 0)),
      interval,
      ddmod,
    );
    const correct = uf.where(uf.less(uf.abs(dd), discont), 0, uf.subtract(ddmod, dd));
    return concatenate(
      [sliceInDim(p, 0, 1, 1, ax), uf.add(sliceInDim(p, 1, p.shape[ax], 1, ax), cumsum(correct, { axis }))],
      { axis },
    );
  },
  { staticArgnums: [3] },
);

/** jnp.unwrap(p, {discont, axis, period}): phases with jumps above discont unwrapped. */
export function unwrap(p: unknown, opts: UnwrapOptions = {}): Value {
  const discont = opts.discont === undefined || opts.discont === null ? null : asValue(opts.discont);
  return unwrapJit(asValue(p), discont, asValue(opts.period ?? 2 * Math.PI), opts.axis ?? -1);
}
