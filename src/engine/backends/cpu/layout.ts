/**
 * @file How a reduction walks memory, decided once for both CPU renderers (codegen-reduce.ts and
 * wasm/simd-reduce.ts), since it fixes the order in which floats are added:
 * - `rows`: the body reads memory contiguously along the innermost reduced loop (sum over the
 *   last axis, softmax's sums, full reductions). float32 sums and products accumulate in 8 lanes,
 *   element r of the innermost reduced loop into lane r mod 8, each lane in float64, combined as
 *   ((l0 + l2) + (l4 + l6)) + ((l1 + l3) + (l5 + l7)) (LANE_ORDER): independent chains for
 *   JavaScript, two f64x2 accumulators per f32x4 for WebAssembly SIMD, the same bits in both.
 * - `columns`: the body reads memory contiguously along the last output loop instead (sum over a
 *   leading axis): the loops are interchanged, so that the innermost one walks a row of outputs
 *   with an accumulator each; every output still adds its elements in order, one by one.
 * The strides come from the loads' index expressions, which the lowering builds as sums of
 * variables times constant strides (kir.linearIndex).
 */
import type { ReduceKernel, SExpr } from '../../compile/kir.js';
import { children, walk } from '../../compile/kir.js';
import type { DType } from '../../core/dtype.js';

export type ReduceLayout = 'rows' | 'columns';

/** Lanes of a `rows` float accumulation, and the pairs the combining tree adds, level by level. */
export const LANES = 8;

/** The coefficient of loop variable `v` in `e` when `e` is affine in it, else null. */
export function strideOf(e: SExpr, v: string, memo = new Map<number, number | null>()): number | null {
  const hit = memo.get(e.id);
  if (hit !== undefined) return hit;
  let s: number | null;
  switch (e.k) {
    case 'var':
      s = e.name === v ? 1 : 0;
      break;
    case 'const':
      s = 0;
      break;
    case 'bin': {
      const a = strideOf(e.a, v, memo);
      const b = strideOf(e.b, v, memo);
      if (a === null || b === null) s = null;
      else if (a === 0 && b === 0) s = 0;
      else if (e.op === 'add') s = a + b;
      else if (e.op === 'sub') s = a - b;
      else if (e.op === 'mul' && e.b.k === 'const' && a !== 0) s = a * Number(e.b.v);
      else if (e.op === 'mul' && e.a.k === 'const' && b !== 0) s = b * Number(e.a.v);
      else s = null;
      break;
    }
    default:
      s = children(e).every((c) => strideOf(c, v, memo) === 0) ? 0 : null;
  }
  memo.set(e.id, s);
  return s;
}

/** Whether some load of `e` reads consecutive elements as `v` counts up. */
function contiguousIn(e: SExpr, v: string): boolean {
  let found = false;
  const memo = new Map<number, number | null>();
  walk(e, (n) => {
    if (n.k === 'load' && strideOf(n.idx, v, memo) === 1) found = true;
  });
  return found;
}

export function reduceLayout(k: ReduceKernel): ReduceLayout {
  const nOut = k.outShape.length;
  const nRed = k.redShape.length;
  if (nOut === 0 || nRed === 0) return 'rows';
  if (contiguousIn(k.body, `r${nRed - 1}`)) return 'rows';
  return contiguousIn(k.body, `i${nOut - 1}`) ? 'columns' : 'rows';
}

/**
 * Whether a `rows` reduction accumulates in lanes: sums and products of float32 (and float16)
 * values. float64 keeps its one accumulator, and so do contractions (a product of two loads:
 * dot_general's reduce kernels, which the GEMMs follow in k order, bit for bit) and kernels that
 * round to float32 after every add (`roundEach`).
 */
export function laneSplit(k: ReduceKernel, accDt: DType): boolean {
  if (!accDt.isFloat || accDt.name === 'float64' || (k.op !== 'add' && k.op !== 'mul')) return false;
  if (k.roundEach) return false;
  if (isContraction(k.body)) return false;
  return k.redShape.length > 0 && reduceLayout(k) === 'rows';
}

/** A product of two loads (through casts): a dot_general's reduce body. */
export function isContraction(e: SExpr): boolean {
  const loadOf = (x: SExpr): boolean => x.k === 'load' || (x.k === 'cast' && loadOf(x.x));
  return e.k === 'bin' && e.op === 'mul' && loadOf(e.a) && loadOf(e.b);
}

/** The combining tree of the lanes, as JavaScript over `L[0..7]` with `op` (+ or *). */
export function laneCombine(op: '+' | '*', lane: (j: number) => string): string {
  const p = (a: string, b: string) => `(${a} ${op} ${b})`;
  return p(p(p(lane(0), lane(2)), p(lane(4), lane(6))), p(p(lane(1), lane(3)), p(lane(5), lane(7))));
}
