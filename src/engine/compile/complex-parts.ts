/**
 * @file Lowering helpers for complex values that a scalar rewrite cannot handle: splitting a
 * complex lazy value into its real and imaginary parts (so a library kernel that knows only real
 * numbers, such as the GEMM or scatter, runs once per part) and joining two parts back, and the
 * reductions whose combining step mixes the parts (product, lexicographic max/min), which run as a
 * tree of map kernels rather than a reduce kernel.
 */
import { ShapedArray } from '../core/aval.js';
import { complexOf, realPart } from '../core/dtype.js';
import { bin, constant, iconst, type ReduceOp, type SExpr, sel, un } from './kir.js';
import { Lazy, type LowerCtx } from './lower.js';

/** The real and imaginary parts of a complex lazy value, as lazy real values. */
export function splitComplex(x: Lazy): [Lazy, Lazy] {
  const aval = new ShapedArray(x.aval.shape, realPart(x.aval.dtype));
  return [
    new Lazy(aval, (idx) => un('real', x.at(idx), aval.dtype), x.cost + 1),
    new Lazy(aval, (idx) => un('imag', x.at(idx), aval.dtype), x.cost + 1),
  ];
}

/** The complex lazy value re + i im (parts of one float dtype and shape). */
export function joinComplex(re: Lazy, im: Lazy, weakType = false): Lazy {
  const aval = new ShapedArray(re.aval.shape, complexOf(re.aval.dtype), weakType);
  return new Lazy(aval, (idx) => bin('complex', re.at(idx), im.at(idx), aval.dtype), re.cost + im.cost + 1);
}

/** Operands combined per level of the reduction tree (each level is one map kernel). */
const FAN_IN = 8;

/**
 * A reduction of a complex value whose step mixes the parts (`mul`, or `max`/`min`, which order
 * complex numbers lexicographically): the reduced elements of each output element are combined
 * FAN_IN at a time by map kernels, log_FAN_IN(n) of them, each reading the previous level.
 */
export function treeReduce(
  ctx: LowerCtx,
  x: Lazy,
  axes: readonly number[],
  op: ReduceOp,
  out: ShapedArray,
): Lazy {
  const shape = x.aval.shape;
  const keep = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const red = axes.map((a) => shape[a]);
  let n = red.reduce((a, b) => a * b, 1);
  const outShape = keep.map((d) => shape[d]);
  const dt = x.aval.dtype;
  // level(i..., j): the j-th reduced element of output element i..., reduced dims unflattened.
  let level = new Lazy(
    new ShapedArray([...outShape, n], dt),
    (idx) => {
      const full: SExpr[] = new Array(shape.length);
      keep.forEach((d, k) => {
        full[d] = idx[k];
      });
      let rest = idx[outShape.length];
      for (let k = axes.length - 1; k >= 0; k--) {
        full[axes[k]] = bin('rem', rest, iconst(red[k]));
        rest = bin('div', rest, iconst(red[k]));
      }
      return x.at(full);
    },
    x.cost + 1,
  );
  const identity = op === 'mul' ? constant(1, dt) : null;
  const combine = (a: SExpr, b: SExpr): SExpr => bin(op, a, b, dt);
  if (n === 0) return new Lazy(out, () => identity ?? constant(Number.NaN, dt), 0);
  while (n > 1) {
    const prev = ctx.materialize(level);
    const m = Math.ceil(n / FAN_IN);
    const width = n;
    level = new Lazy(
      new ShapedArray([...outShape, m], dt),
      (idx) => {
        const head = idx.slice(0, outShape.length);
        const j = idx[outShape.length];
        let acc: SExpr | null = null;
        for (let t = 0; t < FAN_IN; t++) {
          const at = bin('add', bin('mul', j, iconst(FAN_IN)), iconst(t));
          // Past the end: the last element again, a no-op for max/min; the identity for mul.
          const v = prev.at([...head, bin('min', at, iconst(width - 1))]);
          const term = identity && t > 0 ? sel(bin('lt', at, iconst(width)), v, identity) : v;
          acc = acc === null ? term : combine(acc, term);
        }
        return acc!;
      },
      FAN_IN * 8,
    );
    n = m;
  }
  const last = level;
  return new Lazy(out, (idx) => last.at([...idx, iconst(0)]), last.cost);
}

/**
 * A cumulative `op` along `axis` by recursive doubling (Hillis & Steele 1986): after pass k each
 * element holds the combination of the 2^k elements ending at it. For the complex product and
 * max/min, whose step mixes the parts; one map kernel per pass.
 */
export function doublingScan(ctx: LowerCtx, x: Lazy, axis: number, reverse: boolean, op: ReduceOp): Lazy {
  const n = x.aval.shape[axis];
  let level = x;
  for (let span = 1; span < n; span *= 2) {
    const prev = ctx.materialize(level);
    const dt = x.aval.dtype;
    level = new Lazy(
      x.aval,
      (idx) => {
        const i = idx[axis];
        // The partner `span` elements back (forward in a reverse scan), clamped; used when in range.
        const j = reverse
          ? bin('min', bin('add', i, iconst(span)), iconst(n - 1))
          : bin('max', bin('sub', i, iconst(span)), iconst(0));
        const has = reverse ? bin('lt', bin('add', i, iconst(span)), iconst(n)) : bin('ge', i, iconst(span));
        const other = prev.at(idx.map((e, d) => (d === axis ? j : e)));
        const here = prev.at(idx);
        return sel(has, reverse ? bin(op, here, other, dt) : bin(op, other, here, dt), here);
      },
      8,
    );
  }
  return level;
}
