/**
 * @file jvp, transpose and batch rules of dot_general (primitives/dot.ts), after jax/_src/lax/lax.py:
 * the jvp is bilinear (one dot_general per operand tangent, same params); the transpose w.r.t. one
 * operand contracts the cotangent with the other operand over the other operand's free dims and
 * permutes the result back into the operand's dimension order (JAX's _dot_general_transpose_lhs,
 * with the rhs case by swapping roles); the batch rule turns a batch dim of both operands into a
 * dot_general batch dimension, or of one operand into a free dimension
 * (_dot_general_batch_dim_nums), so vmap of a matmul stays one contraction.
 */
import type { Params } from '../../core/primitive.js';
import { bind1, type Value } from '../../core/trace.js';
import { type DotDimensionNumbers, dot_general } from '../../primitives/dot.js';
import { transpose } from '../../primitives/structural.js';
import { instantiate } from '../jvp.js';
import { type TransposeRule, UndefPrimal } from '../transpose.js';
import type { BatchRule } from '../vmap.js';
import { defbilinear, setBatch } from './common.js';

type V = Value;

function dimsOf(p: Params): { lc: number[]; rc: number[]; lb: number[]; rb: number[] } {
  const [[lc, rc], [lb, rb]] = p.dimension_numbers as DotDimensionNumbers;
  return { lc: lc.map(Number), rc: rc.map(Number), lb: lb.map(Number), rb: rb.map(Number) };
}

function withDims(p: Params, lc: number[], rc: number[], lb: number[], rb: number[]): Params {
  return {
    ...p,
    dimension_numbers: [
      [lc, rc],
      [lb, rb],
    ],
  };
}

const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);
const remaining = (n: number, ...used: number[][]) =>
  range(0, n).filter((d) => !used.some((u) => u.includes(d)));
function argsort(xs: number[]): number[] {
  return xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
}

// ---- jvp -----------------------------------------------------------------------------------------

defbilinear(dot_general);

// ---- transpose -----------------------------------------------------------------------------------

/**
 * The cotangent of the lhs `x` (rank xNdim) of dot_general(x, y) given the output cotangent g.
 * With `swapAns` the output's free dims are (y free, x free): the rhs case calls this with the
 * operands' roles swapped.
 */
function transposeLhs(
  g: V,
  xNdim: number,
  y: V,
  dn: { lc: number[]; rc: number[]; lb: number[]; rb: number[] },
  p: Params,
  swapAns: boolean,
): V {
  const { lc: xc, rc: yc, lb: xb, rb: yb } = dn;
  const xKept = remaining(xNdim, xc, xb);
  const yKept = remaining(y.ndim, yc, yb);
  const ansBatch = range(0, xb.length);
  const ansY = swapAns ? range(xb.length, yKept.length) : range(xb.length + xKept.length, yKept.length);
  // g contracts with y over y's free dims; y's contracting dims come out in ascending order.
  const out = bind1(dot_general, [g, y], withDims(p, ansY, yKept, ansBatch, yb));
  const xcSortedByY = argsort(yc).map((i) => xc[i]);
  const perm = argsort([...xb, ...xKept, ...xcSortedByY]);
  if (perm.every((d, i) => d === i)) return out;
  return bind1(transpose, [out], { permutation: perm });
}

dot_general.rules.transpose = (([ct], [x, y], p) => {
  const g = instantiate(ct);
  const dn = dimsOf(p);
  // Params (precision, preferred_element_type) carry over as in JAX; the backward pass converts
  // the cotangent to the operand's dtype where they differ.
  const tp = p;
  if (x instanceof UndefPrimal) {
    if (y instanceof UndefPrimal) throw new Error('dot_general transpose: both operands are linear');
    return [transposeLhs(g, x.aval.ndim, y, dn, tp, false), null];
  }
  const swapped = { lc: dn.rc, rc: dn.lc, lb: dn.rb, rb: dn.lb };
  return [null, transposeLhs(g, (y as UndefPrimal).aval.ndim, x as V, swapped, tp, true)];
}) satisfies TransposeRule;

// ---- batch ---------------------------------------------------------------------------------------

/** Shift logical dims to physical ones around an inserted batch dim at `b`. */
const bump = (ds: number[], b: number) => ds.map((d) => (d >= b ? d + 1 : d));

setBatch(dot_general, (([x, y], [bx, by], p) => {
  const { lc, rc, lb, rb } = dimsOf(p);
  if (bx !== null && by !== null) {
    const out = bind1(
      dot_general,
      [x, y],
      withDims(p, bump(lc, bx), bump(rc, by), [bx, ...bump(lb, bx)], [by, ...bump(rb, by)]),
    );
    return [[out], [0]];
  }
  if (bx !== null) {
    // The batch dim becomes a free dim of x; its output position follows x's free dims before it.
    const xFree = remaining(x.ndim - 1, lc, lb);
    const outDim = lb.length + xFree.filter((d) => d < bx).length;
    const out = bind1(dot_general, [x, y], withDims(p, bump(lc, bx), rc, bump(lb, bx), rb));
    return [[out], [outDim]];
  }
  const b = by!;
  const yFree = remaining(y.ndim - 1, rc, rb);
  const outDim = x.ndim - lc.length + yFree.filter((d) => d < b).length;
  const out = bind1(dot_general, [x, y], withDims(p, lc, bump(rc, b), lb, bump(rb, b)));
  return [[out], [outDim]];
}) satisfies BatchRule);
