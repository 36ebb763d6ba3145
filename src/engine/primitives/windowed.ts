/**
 * @file Windowed reductions, as JAX 0.10.2 has them (jax/_src/lax/windowed_reductions.py):
 * reduce_window_sum, reduce_window_max, reduce_window_min, the general reduce_window (a body
 * jaxpr over any number of operands with scalar init values), and the two primitives max/min
 * pooling differentiates through: select_and_gather_add (the jvp: the tangent at each window's
 * selected element) and select_and_scatter_add (its transpose: each window's cotangent added at
 * its selected element). Params, shape rules and error texts are JAX's; rules live in
 * transforms/rules/windowed.ts.
 *
 * Lowering (compile/window.ts) is kernel IR only. The specialised reductions unroll small
 * windows into map kernels and loop over large ones in reduce kernels. The general form and
 * select_and_gather_add fold their body over the offsets in row-major order, skipping padding and
 * base-dilation holes, as XLA's CPU ReduceWindow does. (XLA leaves the order unspecified, and its
 * CPU backend reorders the window dimensions when some are padded or base-dilated; so a
 * non-associative body, or a tie in select_and_gather_add, can come out differently from JAX
 * there. Row-major ties also make jvp and vjp pick the same element, which JAX's need not.) select_and_scatter_add is a gather rather than XLA's scatter: one kernel finds each
 * window's selected offset (XLA's SelectAndScatter: the first element, then a candidate replaces
 * the selection when `select(selected, candidate)` is false; JAX pads the operand with the
 * select's identity first, so padding takes part), and another sums, for each operand element,
 * the source values of the windows that selected it, in window order as XLA's scatter adds them.
 */

import { bin, constant, iconst, type SExpr, sel } from '../compile/kir.js';
import { Lazy, LowerCtx, type LowerRule } from '../compile/lower.js';
import {
  foldLazy,
  foldOne,
  type Window,
  windowOf,
  windowOffsets,
  windowOutDim,
  windowReduce,
  windowTap,
} from '../compile/window.js';
import { ShapedArray } from '../core/aval.js';
import { bool, type DType, int32 } from '../core/dtype.js';
import { definePrimitive, type Params, type Primitive } from '../core/primitive.js';
import { shapeTuple } from '../core/shape.js';
import type { Jaxpr } from '../ir/jaxpr.js';
import { ge } from './elementwise.js';

export { NotImplementedError } from '../core/errors.js';

// ---- shape rules --------------------------------------------------------------------------------

const nums = (v: unknown): number[] => (v as readonly unknown[]).map(Number);
const tuple = (v: unknown): string => shapeTuple(nums(v));

/** lax._check_shapelike: a 1-D sequence of integers, nonnegative (or strictly positive). */
function checkShapelike(fun: string, arg: string, obj: unknown, nonZero = false): void {
  if (!Array.isArray(obj))
    throw new TypeError(`${fun} ${arg} must be of type tuple/list/ndarray, got ${typeof obj}.`);
  const xs = obj as unknown[];
  if (xs.some((x) => !Number.isInteger(Number(x)))) {
    const types = xs.map((x) => (Number.isInteger(Number(x)) ? "<class 'int'>" : "<class 'float'>"));
    const text = types.length === 1 ? `(${types[0]},)` : `(${types.join(', ')})`;
    throw new TypeError(`${fun} ${arg} must have every element be an integer type, got ${text}.`);
  }
  const low = nonZero ? 1 : 0;
  if (!xs.every((d) => Number(d) >= low))
    throw new TypeError(
      `${fun} ${arg} must have every element be ${nonZero ? 'strictly positive' : 'nonnegative'}, got ${tuple(xs)}.`,
    );
}

/** lax._dilate_shape's check. */
function checkDilation(d: number[]): void {
  if (!d.every((x) => x > 0)) throw new TypeError(`All dilations must be positive, got ${shapeTuple(d)}.`);
}

/** _common_reduce_window_shape_rule: the checks and reduce_window_shape_tuple. */
export function windowShape(a: ShapedArray, p: Params): number[] {
  const wd = p.window_dimensions;
  checkShapelike('reduce_window', 'window_dimensions', wd, true);
  checkShapelike('reduce_window', 'window_strides', p.window_strides, true);
  checkShapelike('reduce_window', 'base_dilation', p.base_dilation);
  checkShapelike('reduce_window', 'window_dilation', p.window_dilation);
  const n = (wd as unknown[]).length;
  if (a.ndim !== n)
    throw new TypeError(
      `reduce_window got the wrong number of window_dimensions for operand: got operand shape ${shapeTuple(a.shape)} with window_dimensions ${tuple(wd)}.`,
    );
  for (const name of ['window_strides', 'base_dilation', 'window_dilation']) {
    if ((p[name] as unknown[]).length !== n)
      throw new TypeError(
        `reduce_window got inconsistent ${name} and window_dimensions: got ${name} ${tuple(p[name])} and window_dimensions ${tuple(wd)}.`,
      );
  }
  return windowShapeTuple(a.shape, p);
}

/** reduce_window_shape_tuple (the padding must give one pair per dimension: JAX's safe_zip). */
function windowShapeTuple(shape: readonly number[], p: Params): number[] {
  checkDilation(nums(p.base_dilation));
  checkDilation(nums(p.window_dilation));
  const pads = p.padding as unknown[];
  if (pads.length !== shape.length) throw safeZipError(shape.length, pads.length);
  const w = windowOf(p);
  return shape.map((n, d) => windowOutDim(w, n, d));
}

/** util.safe_zip's error for two sequences of different lengths. */
function safeZipError(a: number, b: number): Error {
  const e = new Error(
    `safe_zip() argument 1 has length ${b} but argument 0 has length ${a}. All lengths: (${a}, ${b})`,
  );
  e.name = 'ValueError';
  return e;
}

/** The value a max (`'max'`) or min reduction starts from: lax._get_max_identity / _get_min_identity. */
export function reductionIdentity(dt: DType, op: 'max' | 'min'): number | bigint | boolean {
  const hi = op === 'min';
  if (dt.isFloat) return hi ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  if (dt.isBool) return hi;
  const bits = BigInt(dt.itemsize * 8);
  const [lo, top] = dt.kind === 'u' ? [0n, 2n ** bits - 1n] : [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n];
  const v = hi ? top : lo;
  return dt.isBig ? v : Number(v);
}

const allWeak = (avals: ShapedArray[]) => avals.every((a) => a.weakType);

// ---- reduce_window_sum / max / min --------------------------------------------------------------

function specialised(name: string, op: 'add' | 'max' | 'min'): Primitive {
  return definePrimitive(name, {
    abstractEval([a], p) {
      if (op === 'add' && !(a.dtype.isInt || a.dtype.isFloat))
        throw new TypeError(`operand to reduce_window_sum must have a number dtype, got ${a.dtype.name}`);
      return [new ShapedArray(windowShape(a, p), a.dtype, a.weakType)];
    },
    lower: ((ctx, [x], p, [out]) => {
      const id = op === 'add' ? 0 : reductionIdentity(out.dtype, op);
      return [windowReduce(ctx, x, windowOf(p), op, constant(id, out.dtype), out)];
    }) satisfies LowerRule,
  });
}

export const reduce_window_sum = specialised('reduce_window_sum', 'add');
export const reduce_window_max = specialised('reduce_window_max', 'max');
export const reduce_window_min = specialised('reduce_window_min', 'min');

// ---- the general reduce_window ------------------------------------------------------------------

/** Apply a scalar jaxpr to scalar expressions, inline (its equations must all be elementwise). */
function applyScalarJaxpr(ctx: LowerCtx, jaxpr: Jaxpr, args: SExpr[]): SExpr[] {
  // A context of its own that never materializes: the body becomes part of the caller's kernel.
  const sub = new LowerCtx(ctx.reader, new Set());
  const ins = args.map((e, i) => new Lazy(jaxpr.invars[i].aval, () => e, 0));
  const outs = sub.lowerJaxpr(jaxpr, [], ins);
  if (sub.kernels.length)
    throw new Error('reduce_window: the computation must be elementwise on scalars to run in a kernel');
  return outs.map((o) => o.at([]));
}

export const reduce_window = definePrimitive(
  'reduce_window',
  {
    abstractEval(avals, p) {
      const n = avals.length >> 1;
      const ops = avals.slice(0, n);
      const inits = avals.slice(n);
      if (ops.some((o, i) => o.dtype !== inits[i].dtype)) {
        const list = (xs: ShapedArray[]) => `[${xs.map((x) => `dtype('${x.dtype.name}')`).join(', ')}]`;
        throw new TypeError(
          `reduce_window got inconsistent dtypes for operands and init_values: got operand dtypes ${list(ops)} and init_value dtypes ${list(inits)}.`,
        );
      }
      if (inits.some((v) => v.ndim !== 0))
        throw new TypeError(
          `reduce_window expected init_values to be scalars but init_values have shapes [${inits.map((v) => shapeTuple(v.shape)).join(', ')}].`,
        );
      const shape = windowShape(ops[0], p);
      // JAX leaves this to XLA's verifier: the body maps (acc..., x...) scalars to acc scalars.
      const body = (p.jaxpr as Jaxpr).outAvals;
      if (body.length !== n || body.some((b, i) => b.dtype !== inits[i].dtype || b.ndim !== 0))
        throw new TypeError(
          `reduce_window computation must return ${n} scalar(s) of the init values' dtypes (${inits.map((v) => v.dtype.name).join(', ')}), got ${body.map((b) => b.strShort()).join(', ')}`,
        );
      return ops.map((o) => new ShapedArray(shape, o.dtype));
    },
    lower: ((ctx, ins, p, outAvals) => {
      const n = ins.length >> 1;
      const ops = ins.slice(0, n);
      const inits = ins.slice(n);
      const jaxpr = p.jaxpr as Jaxpr;
      if ((p.consts as unknown[]).length) throw new Error('reduce_window: consts are not supported');
      const w = windowOf(p);
      const offsets = windowOffsets(w.dims);
      const shape = ops[0].aval.shape;
      return foldLazy(
        ctx,
        outAvals,
        offsets.length,
        () => inits.map((v) => v.at([])),
        (o, s, acc) => {
          const tap = windowTap(w, shape, o, offsets[s].map(iconst));
          const next = applyScalarJaxpr(ctx, jaxpr, [...acc, ...ops.map((x) => x.at(tap.idx))]);
          return tap.valid ? next.map((e, j) => sel(tap.valid!, e, acc[j])) : next;
        },
        2 + jaxpr.eqns.length,
      );
    }) satisfies LowerRule,
  },
  true,
);

// ---- select_and_gather_add ----------------------------------------------------------------------

const cmpOf = (p: Params): 'ge' | 'le' => ((p.select_prim as Primitive) === ge ? 'ge' : 'le');

export const select_and_gather_add = definePrimitive('select_and_gather_add', {
  abstractEval([t, x], p) {
    if (t.shape.join() !== x.shape.join())
      throw new TypeError(
        `select_and_gather_add tangents and operand shapes must match, got ${shapeTuple(t.shape)} and ${shapeTuple(x.shape)}.`,
      );
    return [new ShapedArray(windowShape(x, p), t.dtype, allWeak([t, x]))];
  },
  /**
   * JAX's _select_and_gather_add_using_variadic_reducewindow: a pair reduction from
   * (identity, 0) whose step keeps the accumulated pair when `select(acc, x)` holds, so ties go
   * to the first extremum.
   */
  lower: ((ctx, [t, x], p, [out]) => {
    const w = windowOf(p);
    const cmp = cmpOf(p);
    const offsets = windowOffsets(w.dims);
    const kAval = new ShapedArray(out.shape, x.aval.dtype);
    const [, v] = foldLazy(
      ctx,
      [kAval, out],
      offsets.length,
      () => [
        constant(reductionIdentity(x.aval.dtype, cmp === 'ge' ? 'max' : 'min'), x.aval.dtype),
        constant(0, out.dtype),
      ],
      (o, s, [kx, vx]) => {
        const tap = windowTap(w, x.aval.shape, o, offsets[s].map(iconst));
        const ky = x.at(tap.idx);
        // A skipped tap keeps the accumulated pair.
        const better = bin(cmp, kx, ky, bool);
        const keep = tap.valid ? sel(tap.valid, better, constant(true, bool)) : better;
        return [sel(keep, kx, ky), sel(keep, vx, t.at(tap.idx))];
      },
      4,
    );
    return [v];
  }) satisfies LowerRule,
});

// ---- select_and_scatter_add ---------------------------------------------------------------------

export const select_and_scatter_add = definePrimitive('select_and_scatter_add', {
  abstractEval([s, x]) {
    return [new ShapedArray(x.shape, s.dtype, allWeak([s, x]))];
  },
  lower: ((ctx, [source, x], p, [out]) => [
    scatterSelected(ctx, source, x, windowOf(p), cmpOf(p), out),
  ]) satisfies LowerRule,
});

/** Each window's selected offset (row-major, int32), over the source's shape. */
function selectedOffsets(
  ctx: LowerCtx,
  x: Lazy,
  w: Window,
  cmp: 'ge' | 'le',
  shape: readonly number[],
): Lazy {
  const offsets = windowOffsets(w.dims);
  const dt = x.aval.dtype;
  const pad = constant(reductionIdentity(dt, cmp === 'ge' ? 'max' : 'min'), dt);
  const tapValue = (o: readonly SExpr[], s: number) => {
    const tap = windowTap(w, x.aval.shape, o, offsets[s].map(iconst));
    const v = x.at(tap.idx);
    return tap.valid ? sel(tap.valid, v, pad) : v;
  };
  const [, k] = foldLazy(
    ctx,
    [new ShapedArray(shape, dt), new ShapedArray(shape, int32)],
    offsets.length - 1,
    (o) => [tapValue(o, 0), iconst(0)],
    (o, s, [best, bk]) => {
      const cand = tapValue(o, s + 1);
      const keep = bin(cmp, best, cand, bool);
      return [sel(keep, best, cand), sel(keep, bk, iconst(s + 1))];
    },
    4,
  );
  return ctx.materialize(k);
}

/**
 * For operand element i, the windows o that can contain it at offset k satisfy
 * `o * stride + k - pad_lo = i` per dimension: with `a = i + pad_lo = q * stride + r`, they are
 * k = r + m * stride, o = q - m for m = 0, 1, ... while k < window. Visiting m downwards visits
 * the windows in increasing (row-major) order, the order XLA's scatter adds in.
 */
function scatterSelected(
  ctx: LowerCtx,
  source: Lazy,
  x: Lazy,
  w: Window,
  cmp: 'ge' | 'le',
  out: ShapedArray,
): Lazy {
  const srcShape = source.aval.shape;
  if (w.dims.some((d) => d === 0) || out.size === 0) return ctx.constant(out, out.dtype.isBool ? false : 0);
  const selected = selectedOffsets(ctx, x, w, cmp, srcShape);
  const rank = w.dims.length;
  const counts = w.dims.map((n, d) => Math.ceil(n / w.strides[d]));
  // Candidate combinations, lexicographically decreasing in m.
  const combos = windowOffsets(counts).reverse();
  const kStrides = w.dims.map((_, d) => w.dims.slice(d + 1).reduce((a, b) => a * b, 1));
  const zero = constant(out.dtype.isBool ? false : 0, out.dtype);
  return foldOne(ctx, out, combos.length, zero, 6, (i, c, acc) => {
    const m = combos[c];
    let ok: SExpr | null = null;
    const both = (e: SExpr) => {
      ok = ok ? bin('and', ok, e, bool) : e;
    };
    const o: SExpr[] = [];
    let flatK: SExpr = iconst(0);
    for (let d = 0; d < rank; d++) {
      const s = w.strides[d];
      const lo = w.padding[d][0];
      // Shift a negative low padding by whole strides so that the division rounds down.
      const shift = lo < 0 ? Math.ceil(-lo / s) : 0;
      const a = bin('add', i[d], iconst(lo + shift * s));
      const r = s === 1 ? iconst(0) : bin('rem', a, iconst(s));
      const q = bin('sub', s === 1 ? a : bin('div', a, iconst(s)), iconst(shift));
      const k = bin('add', r, iconst(m[d] * s));
      if (m[d] * s + (s - 1) >= w.dims[d]) both(bin('lt', k, iconst(w.dims[d]), bool));
      const od = bin('sub', q, iconst(m[d]));
      const n = srcShape[d];
      // The window index ranges over [floor(lo / s), floor((size - 1 + lo) / s)] - m: check
      // (and clamp) only the bounds it can cross.
      const lowOut = Math.floor(lo / s) - m[d] < 0;
      const highOut = Math.floor((x.aval.shape[d] - 1 + lo) / s) - m[d] >= n;
      if (lowOut) both(bin('ge', od, iconst(0), bool));
      if (highOut) both(bin('lt', od, iconst(n), bool));
      o.push(lowOut || highOut ? bin('min', bin('max', od, iconst(0)), iconst(Math.max(n - 1, 0))) : od);
      flatK = bin('add', flatK, bin('mul', k, iconst(kStrides[d])));
    }
    const hit = bin('eq', selected.at(o), flatK, bool);
    const take: SExpr = ok ? bin('and', ok, hit, bool) : hit;
    const v = source.at(o);
    const sum = out.dtype.isBool ? bin('or', acc, v) : bin('add', acc, v);
    return sel(take, sum, acc);
  });
}
