/**
 * @file The dot_general primitive: a general tensor contraction with batch dimensions, as XLA's
 * DotGeneral. Output dimensions are (batch, lhs free, rhs free). Params, shape and dtype rules and
 * their error texts follow jax/_src/lax/lax.py (JAX 0.10.2): `dimension_numbers` is
 * `((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch))`, `precision` is None or a pair
 * of `Precision.X`, `preferred_element_type` is None or a dtype, `out_sharding` is never printed.
 *
 * Lowering has two paths:
 * - the reference path, one `reduce` kernel over the contracting dimensions whose body is the
 *   product of the (fused) operands, converted to the result dtype first; a float32 sum is
 *   rounded to float32 after every add (`roundEach`), as XLA:CPU accumulates a float32 dot;
 * - for large float32/float64 products, the `matmul` library kernel on operands addressed by
 *   strides, which the CPU device runs as a GEMM (backends/cpu/gemm.ts): the machine's BLAS on
 *   the native tier, else the WebAssembly SIMD GEMM (float32 accumulated in float32, with fused
 *   multiply-adds where the engine has them), or with SIMD off a JavaScript kernel that computes
 *   the reduce path's bits exactly.
 */

import { joinComplex, splitComplex } from '../compile/complex-parts.js';
import { bin, cast, loopVars, type SExpr } from '../compile/kir.js';
import { Lazy, type LowerCtx, type LowerRule } from '../compile/lower.js';
import { affine } from '../compile/matmul-layout.js';
import { ShapedArray } from '../core/aval.js';
import { type DType, float32, float64, realPart, toDType } from '../core/dtype.js';
import { definePrimitive, type Params } from '../core/primitive.js';
import { shapeTuple, stridesOf } from '../core/shape.js';
import { pyList } from '../ir/pyrepr.js';

/** `((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch))`. */
export type DotDimensionNumbers = readonly [
  readonly [readonly number[], readonly number[]],
  readonly [readonly number[], readonly number[]],
];

/** Tuning knobs of the lowering (tests lower the threshold to exercise the library kernel). */
export const dotConfig = {
  /**
   * Use the matmul library kernel when batch*m*n*k is at least this (float32/float64 only). Below
   * it the fused reduce kernel costs less than materializing the operands; from about 16x16x16 up
   * a GEMM call (native or portable) is faster on the CPU (measured with jitted square products).
   */
  libMinWork: 4096,
};

function dimsOf(p: Params): { lc: number[]; rc: number[]; lb: number[]; rb: number[] } {
  const [[lc, rc], [lb, rb]] = p.dimension_numbers as DotDimensionNumbers;
  return { lc: lc.map(Number), rc: rc.map(Number), lb: lb.map(Number), rb: rb.map(Number) };
}

/** Free (non-contracting, non-batch) dimensions in ascending order. */
function freeDims(ndim: number, contracting: number[], batch: number[]): number[] {
  return [...Array(ndim).keys()].filter((d) => !contracting.includes(d) && !batch.includes(d));
}

/** XLA's HigherPrecisionType ordering key (complex types aside): exponent, mantissa, bits, signed. */
function typeProperties(dt: DType): number[] {
  const fl: Record<string, [number, number]> = { float16: [16, 10], float32: [128, 23], float64: [1024, 52] };
  // Complex ranks above every real type, then by its parts' precision.
  const part = realPart(dt);
  const [maxexp, nmant] = part.isFloat ? fl[part.name] : [-1, -1];
  const bitWidth = dt.isBool ? 1 : dt.itemsize * 8;
  return [dt.isComplex ? 1 : 0, maxexp, nmant, bitWidth, dt.kind === 'u' ? 0 : 1];
}

function compareProps(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function resultDType(l: DType, r: DType, preferred: DType | null): DType {
  const c = compareProps(typeProperties(l), typeProperties(r));
  let res: DType;
  if (c > 0) res = l;
  else if (c < 0) res = r;
  else {
    if (l !== r) throw new TypeError(`lax.dot_general argument type error: ${l.name}, ${r.name}`);
    res = l;
  }
  if (preferred === null || preferred === res) return res;
  const width = (d: DType) => (d.isBool ? 1 : d.itemsize * 8);
  if (!res.isFloat && width(preferred) < width(res)) {
    throw new TypeError(
      `\`preferred_element_type\` must not be narrower than the original type, got preferred_element_type of ${preferred.name} for result type of ${res.name}.`,
    );
  }
  return preferred;
}

const tup = (xs: readonly number[]) => shapeTuple(xs);

function checkShapes(l: ShapedArray, r: ShapedArray, p: Params): number[] {
  const { lc, rc, lb, rb } = dimsOf(p);
  const inRange = (ds: number[], n: number) => ds.every((d) => Number.isInteger(d) && d >= 0 && d < n);
  if (!inRange(lc, l.ndim) || !inRange(lb, l.ndim)) {
    throw new TypeError(
      `dot_general requires lhs dimension numbers to be nonnegative and less than the number of axes of the lhs value, got lhs_batch of ${tup(lb)} and lhs_contracting of ${tup(lc)} for lhs of rank ${l.ndim}`,
    );
  }
  if (!inRange(rc, r.ndim) || !inRange(rb, r.ndim)) {
    throw new TypeError(
      `dot_general requires rhs dimension numbers to be nonnegative and less than the number of axes of the rhs value, got rhs_batch of ${tup(rb)} and rhs_contracting of ${tup(rc)} for rhs of rank ${r.ndim}`,
    );
  }
  if (lb.length !== rb.length) {
    throw new TypeError(
      `dot_general requires equal numbers of lhs_batch and rhs_batch dimensions, got lhs_batch ${tup(lb)} and rhs_batch ${tup(rb)}.`,
    );
  }
  const distinct = (ds: number[]) => new Set(ds).size === ds.length;
  if (!distinct(lb))
    throw new TypeError(
      `dot_general requires lhs batch dimensions to be distinct, got lhs_batch ${tup(lb)}.`,
    );
  if (!distinct(rb))
    throw new TypeError(
      `dot_general requires rhs batch dimensions to be distinct, got rhs_batch ${tup(rb)}.`,
    );
  if (!distinct(lc))
    throw new TypeError(
      `dot_general requires lhs contracting dimensions to be distinct, got lhs_contracting ${tup(lc)}.`,
    );
  if (!distinct(rc))
    throw new TypeError(
      `dot_general requires rhs contracting dimensions to be distinct, got rhs_contracting ${tup(rc)}.`,
    );
  if (lc.some((d) => lb.includes(d))) {
    throw new TypeError(
      `dot_general requires lhs batch dimensions to be disjoint from contracting dimensions, got lhs_batch ${tup(lb)} and lhs_contracting ${tup(lc)}.`,
    );
  }
  if (rc.some((d) => rb.includes(d))) {
    throw new TypeError(
      `dot_general requires rhs batch dimensions to be disjoint from contracting dimensions, got rhs_batch ${tup(rb)} and rhs_contracting ${tup(rc)}.`,
    );
  }
  const lbs = lb.map((d) => l.shape[d]);
  const rbs = rb.map((d) => r.shape[d]);
  if (lbs.length !== rbs.length || lbs.some((n, i) => n !== rbs[i])) {
    throw new TypeError(
      `dot_general requires lhs batch dimensions and rhs batch dimensions to have the same shape, got ${tup(lbs)} and ${tup(rbs)}.`,
    );
  }
  const lcs = lc.map((d) => l.shape[d]);
  const rcs = rc.map((d) => r.shape[d]);
  if (lcs.length !== rcs.length || lcs.some((n, i) => n !== rcs[i])) {
    throw new TypeError(
      `dot_general requires contracting dimensions to have the same shape, got ${tup(lcs)} and ${tup(rcs)}.`,
    );
  }
  return [
    ...lbs,
    ...freeDims(l.ndim, lc, lb).map((d) => l.shape[d]),
    ...freeDims(r.ndim, rc, rb).map((d) => r.shape[d]),
  ];
}

/** The product of two elements in the result dtype (bools: logical and). */
function product(a: SExpr, b: SExpr, dt: DType): SExpr {
  const x = cast(a, dt);
  const y = cast(b, dt);
  return dt.isBool ? bin('and', x, y) : bin('mul', x, y);
}

/**
 * Operand index maps: for each operand dimension, where its loop variable comes from. `kind`
 * 'o' reads an output variable, 'r' a reduction variable.
 */
function indexer(ndim: number, contracting: number[], batch: number[], freeOffset: number) {
  const free = freeDims(ndim, contracting, batch);
  return (outIdx: readonly SExpr[], redIdx: readonly SExpr[]): SExpr[] => {
    const idx: SExpr[] = new Array(ndim);
    batch.forEach((d, t) => {
      idx[d] = outIdx[t];
    });
    free.forEach((d, t) => {
      idx[d] = outIdx[freeOffset + t];
    });
    contracting.forEach((d, t) => {
      idx[d] = redIdx[t];
    });
    return idx;
  };
}

function lowerReduce(ctx: LowerCtx, lhs: Lazy, rhs: Lazy, p: Params, out: ShapedArray): Lazy {
  const { lc, rc, lb, rb } = dimsOf(p);
  const nl = freeDims(lhs.aval.ndim, lc, lb).length;
  const li = indexer(lhs.aval.ndim, lc, lb, lb.length);
  const ri = indexer(rhs.aval.ndim, rc, rb, lb.length + nl);
  const dt = out.dtype;
  if (lc.length === 0) {
    // No contraction: an elementwise (outer) product that fuses like any map.
    return new Lazy(
      out,
      (idx) => product(lhs.at(li(idx, [])), rhs.at(ri(idx, [])), dt),
      lhs.cost + rhs.cost + 1,
    );
  }
  const outVars = loopVars('i', out.ndim);
  const redVars = loopVars('r', lc.length);
  const buf = ctx.newBuffer(out, 'temp');
  ctx.kernels.push({
    kind: 'reduce',
    out: buf,
    outShape: [...out.shape],
    redShape: lc.map((d) => lhs.aval.shape[d]),
    op: dt.isBool ? 'or' : 'add',
    body: product(lhs.at(li(outVars, redVars)), rhs.at(ri(outVars, redVars)), dt),
    epilogue: null,
    roundEach: realPart(dt) === float32,
  });
  return ctx.fromBuffer(buf, out);
}

/**
 * The stride that walks a group of dimensions as one flattened index, or null when the group
 * is not evenly spaced in memory. Size-1 dimensions are ignored.
 */
export function groupStride(
  shape: readonly number[],
  strides: readonly number[],
  dims: number[],
): number | null {
  const live = dims.filter((d) => shape[d] !== 1);
  if (live.length === 0) return 0;
  for (let i = 0; i + 1 < live.length; i++) {
    if (strides[live[i]] !== strides[live[i + 1]] * shape[live[i + 1]]) return null;
  }
  return strides[live[live.length - 1]];
}

/**
 * The buffer and per-dimension strides a value reads when it is one (a buffer, or a transpose,
 * broadcast or reshape of one that stays affine), else null. Probed with the output loop
 * variables, as `materialize` would read it, so the first lowering pass records no extra use.
 */
export function stridedView(x: Lazy): { buf: number; strides: number[] } | null {
  if (x.buf !== null) return { buf: x.buf, strides: stridesOf(x.aval.shape) };
  const rank = x.aval.ndim;
  const e = x.at(loopVars('i', rank));
  if (e.k !== 'load' || e.dt !== x.aval.dtype) return null;
  const lin = affine(e.idx, rank);
  // Offsets and negative strides (slices, rev) are copied: the library kernels take neither.
  if (lin?.c !== 0 || lin.coef.some((s) => s < 0)) return null;
  return { buf: e.buf, strides: lin.coef };
}

/** `x` with its dimensions in the order `perm`, as a lazy view (one copy where it is materialized). */
export function permutedLazy(x: Lazy, perm: readonly number[]): Lazy {
  const aval = new ShapedArray(
    perm.map((d) => x.aval.shape[d]),
    x.aval.dtype,
  );
  return new Lazy(
    aval,
    (idx) => {
      const inIdx: SExpr[] = new Array(perm.length);
      perm.forEach((d, i) => {
        inIdx[d] = idx[i];
      });
      return x.at(inIdx);
    },
    x.cost + 1,
  );
}

/**
 * An operand laid out so that each of its three dimension groups is one strided index: the
 * buffer it reads when it is one (transposes included), else a copy written in group order (the
 * copy is a map kernel, so a fused producer costs nothing extra).
 */
export function groupedOperand(
  ctx: LowerCtx,
  x: Lazy,
  groups: number[][],
): { buf: number; strides: number[] } {
  const view = stridedView(x);
  if (view) {
    const gs = groups.map((g) => groupStride(x.aval.shape, view.strides, g));
    if (gs.every((s) => s !== null)) return { buf: view.buf, strides: gs as number[] };
  }
  const perm = groups.flat();
  const permuted = permutedLazy(x, perm);
  const shape = permuted.aval.shape;
  const m = ctx.materialize(permuted);
  const st = stridesOf(shape);
  let o = 0;
  const strides = groups.map((g) => {
    const s = groupStride(
      shape,
      st,
      g.map((_, i) => o + i),
    );
    o += g.length;
    return s!;
  });
  return { buf: m.buf!, strides };
}

function lowerLib(ctx: LowerCtx, lhs: Lazy, rhs: Lazy, p: Params, out: ShapedArray): Lazy {
  const { lc, rc, lb, rb } = dimsOf(p);
  const lf = freeDims(lhs.aval.ndim, lc, lb);
  const rf = freeDims(rhs.aval.ndim, rc, rb);
  const size = (x: Lazy, ds: number[]) => ds.reduce((n, d) => n * x.aval.shape[d], 1);
  const a = groupedOperand(ctx, lhs, [lb, lf, lc]);
  const b = groupedOperand(ctx, rhs, [rb, rc, rf]);
  const buf = ctx.newBuffer(out, 'temp');
  ctx.kernels.push({
    kind: 'lib',
    op: 'matmul',
    ins: [a.buf, b.buf],
    outs: [buf],
    params: {
      batch: size(lhs, lb),
      m: size(lhs, lf),
      n: size(rhs, rf),
      k: size(lhs, lc),
      lhs: a.strides,
      rhs: b.strides,
    },
  });
  return ctx.fromBuffer(buf, out);
}

/**
 * A complex product on the GEMM: four real products of the parts, (ar br - ai bi) + i (ar bi + ai br),
 * each a `matmul` library kernel (the 3-multiplication form would save one at a cost in accuracy).
 */
function lowerComplexLib(ctx: LowerCtx, lhs: Lazy, rhs: Lazy, p: Params, out: ShapedArray): Lazy {
  const [ar, ai] = splitComplex(lhs);
  const [br, bi] = splitComplex(rhs);
  const real = new ShapedArray(out.shape, realPart(out.dtype));
  const prod = (a: Lazy, b: Lazy) => lowerLib(ctx, a, b, p, real);
  const [rr, ii, ri, ir] = [prod(ar, br), prod(ai, bi), prod(ar, bi), prod(ai, br)];
  const combine = (op: 'add' | 'sub', a: Lazy, b: Lazy) =>
    new Lazy(real, (idx) => bin(op, a.at(idx), b.at(idx)), 1);
  return joinComplex(combine('sub', rr, ii), combine('add', ri, ir), out.weakType);
}

function useLib(lhs: ShapedArray, rhs: ShapedArray, p: Params, out: ShapedArray): boolean {
  const dt = out.dtype;
  const part = realPart(dt);
  if ((part !== float32 && part !== float64) || lhs.dtype !== dt || rhs.dtype !== dt) return false;
  const { lc } = dimsOf(p);
  if (lc.length === 0) return false;
  const k = lc.reduce((n, d) => n * lhs.shape[d], 1);
  return k > 0 && out.size * k >= dotConfig.libMinWork;
}

export const dot_general = definePrimitive('dot_general', {
  ppParams(p: Params) {
    const { lc, rc, lb, rb } = dimsOf(p);
    const shown: Record<string, unknown> = {
      dimension_numbers: [
        [pyList(lc), pyList(rc)],
        [pyList(lb), pyList(rb)],
      ],
    };
    if (p.precision !== null && p.precision !== undefined) shown.precision = p.precision;
    if (p.preferred_element_type !== null && p.preferred_element_type !== undefined)
      shown.preferred_element_type = p.preferred_element_type;
    return shown;
  },
  abstractEval([l, r], p) {
    const shape = checkShapes(l, r, p);
    const pref = p.preferred_element_type ? toDType(p.preferred_element_type as DType) : null;
    const dt = resultDType(l.dtype, r.dtype, pref);
    return [new ShapedArray(shape, dt, l.weakType && r.weakType)];
  },
  lower: ((ctx, [lhs, rhs], p, [out]) => {
    if (useLib(lhs.aval, rhs.aval, p, out)) {
      if (out.dtype.isComplex) return [lowerComplexLib(ctx, lhs, rhs, p, out)];
      return [lowerLib(ctx, lhs, rhs, p, out)];
    }
    return [lowerReduce(ctx, lhs, rhs, p, out)];
  }) satisfies LowerRule,
});
