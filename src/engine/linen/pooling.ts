/**
 * @file flax.linen's pooling functions (flax/linen/pooling.py, flax 0.12.8): pool, maxPool,
 * avgPool (countIncludePad) and minPool, on lax.reduceWindow. Inputs are (batch..., window
 * dims..., features); without a batch dimension one is added for the reduction and removed after,
 * as flax does. Padding is 'SAME', 'VALID' or one `[lo, hi]` pair per window dimension. flax's
 * argument checks are Python asserts; they raise AssertionError here with flax's texts.
 *
 * minPool is flax.linen.pooling.min_pool (flax.linen does not re-export it under its own name).
 */
import { toValue } from '../core/coerce.js';
import type { Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import type { WindowPadding } from '../lax/windowed.js';
import * as jnp from '../numpy/index.js';

/** Python's AssertionError, which flax's argument checks raise. */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

/** Python's text of a tuple of ints or of pairs: `(2, 2)`, `((1, 1),)`. */
function pyTuple(xs: readonly unknown[]): string {
  const item = (x: unknown): string => (Array.isArray(x) ? pyTuple(x) : String(x));
  return xs.length === 1 ? `(${item(xs[0])},)` : `(${xs.map(item).join(', ')})`;
}

export interface PoolOptions {
  /** Inter-window strides (default 1 in every window dimension). */
  strides?: readonly number[] | null;
  /** 'VALID' (default), 'SAME', or `[lo, hi]` per window dimension. */
  padding?: WindowPadding;
}

export interface AvgPoolOptions extends PoolOptions {
  /** Whether padded elements count in the average's divisor (default true). */
  countIncludePad?: boolean;
}

type Reducer = (a: Value, b: Value) => Value;

/**
 * flax.linen.pool: reduce `inputs` over windows of `windowShape` with `reduceFn` from `init`,
 * the batch and feature dimensions taking windows of size 1.
 */
export function pool(
  inputs: Value | number | readonly unknown[],
  init: unknown,
  reduceFn: Reducer,
  windowShape: readonly number[],
  strides?: readonly number[] | null,
  padding: WindowPadding = 'VALID',
): Value {
  let x = toValue(inputs);
  const nWin = windowShape.length;
  const nBatch = x.ndim - (nWin + 1);
  const s = strides ?? windowShape.map(() => 1);
  if (nWin !== s.length)
    throw new AssertionError(`len(${pyTuple(windowShape)}) must equal len(${pyTuple(s)})`);
  const lead = Array<number>(Math.max(nBatch, 0)).fill(1);
  let allStrides = [...lead, ...s, 1];
  let dims = [...lead, ...windowShape, 1];
  const single = nBatch === 0;
  if (single) {
    // lax.reduce_window always needs a batch dimension.
    x = lax.expandDims(x, [0]);
    allStrides = [1, ...allStrides];
    dims = [1, ...dims];
  }
  if (x.ndim !== dims.length) throw new AssertionError(`len(${pyTuple(x.shape)}) != len(${pyTuple(dims)})`);
  let pads: WindowPadding = padding;
  if (typeof padding !== 'string') {
    const pairs = padding.map((p) => [...p]);
    if (pairs.length !== nWin)
      throw new AssertionError(
        `padding ${pyTuple(pairs)} must specify pads for same number of dims as window_shape ${pyTuple(windowShape)}`,
      );
    if (!pairs.every((p) => p.length === 2))
      throw new AssertionError(`each entry in padding ${pyTuple(pairs)} must be length 2`);
    pads = [[0, 0], ...(pairs as [number, number][]), [0, 0]];
  }
  const y = lax.reduceWindow(x, init, reduceFn, dims, allStrides, pads) as Value;
  return single ? lax.squeeze(y, [0]) : y;
}

/**
 * Python-style calls pass strides and padding positionally (`max_pool(x, (2, 2), (2, 2))`); the
 * library form passes an options object.
 */
function poolArgs<T extends PoolOptions>(
  optsOrStrides: T | readonly number[] | null | undefined,
  padding: WindowPadding | undefined,
  extra: Partial<T>,
): T {
  if (optsOrStrides === null || optsOrStrides === undefined || Array.isArray(optsOrStrides))
    return { strides: optsOrStrides ?? null, padding, ...extra } as T;
  return optsOrStrides as T;
}

type ExtremumPool = (
  inputs: Value | readonly unknown[],
  windowShape: readonly number[],
  opts?: PoolOptions | readonly number[] | null,
  padding?: WindowPadding,
) => Value;

/** A pool over `reducer` from its identity (maxPool, minPool). */
function extremumPool(init: number, reducer: Reducer): ExtremumPool {
  return (inputs, windowShape, opts, padding) => {
    const o = poolArgs<PoolOptions>(opts, padding, {});
    return pool(inputs, init, reducer, windowShape, o.strides, o.padding ?? 'VALID');
  };
}

/** flax.linen.max_pool(inputs, windowShape, { strides, padding }): the maximum of each window. */
export const maxPool: ExtremumPool = extremumPool(Number.NEGATIVE_INFINITY, lax.max);

/** flax.linen.pooling.min_pool(inputs, windowShape, { strides, padding }): the minimum of each window. */
export const minPool: ExtremumPool = extremumPool(Number.POSITIVE_INFINITY, lax.min);

/**
 * flax.linen.avg_pool: the mean of each window. With `countIncludePad: false` the divisor is the
 * number of real (unpadded) elements in the window, a windowed sum of ones.
 */
export function avgPool(
  inputs: Value | readonly unknown[],
  windowShape: readonly number[],
  opts?: AvgPoolOptions | readonly number[] | null,
  padding?: WindowPadding,
  countIncludePad?: boolean,
): Value {
  const o = poolArgs<AvgPoolOptions>(opts, padding, { countIncludePad });
  const x = toValue(inputs);
  const strides = o.strides;
  const pads = o.padding ?? 'VALID';
  const y = pool(x, 0, lax.add, windowShape, strides, pads);
  if (o.countIncludePad ?? true)
    return jnp.true_divide(
      y,
      windowShape.reduce((a, b) => a * b, 1),
    );
  let divShape = [...x.shape.slice(0, -1), 1];
  if (divShape.length - 2 === windowShape.length) divShape = [1, ...divShape.slice(1)];
  return jnp.true_divide(y, pool(jnp.ones(divShape), 0, lax.add, windowShape, strides, pads));
}
