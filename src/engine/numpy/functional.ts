/**
 * @file jax.numpy's functions of functions: apply_along_axis, apply_over_axes, fromfunction and
 * piecewise, as JAX 0.10.2 writes them (jax/_src/numpy/lax_numpy.py): apply_along_axis and
 * fromfunction nest vmap over the other axes; apply_over_axes calls the function once per axis,
 * keeping the rank; piecewise picks a branch per element with lax.switch, vectorized.
 */
import { type DTypeLike, defaultFloat, requestDType } from '../core/dtype.js';
import { normalizeAxis } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { switch_ } from '../lax/control.js';
import { convertElementType } from '../lax/convert.js';
import { vmap } from '../transforms/api.js';
import { namedJit } from '../transforms/jit.js';
import { arange, array, zerosLike } from './creation.js';
import { ValueError } from './errors.js';
import { getitem, sl } from './indexing.js';
import { concatenate, expand_dims } from './shapes.js';
import { argmax, cumsum } from './sorting.js';
import { asValue } from './util.js';
import { vectorize } from './vectorize.js';

type Fn = (...args: any[]) => any;

/** jnp.apply_along_axis(func1d, axis, arr, ...args): func1d on every 1-d slice along `axis`. */
export function apply_along_axis(func1d: Fn, axis: number, arr: unknown, ...args: unknown[]): Value {
  const a = asValue(arr);
  const nd = a.ndim;
  const ax = normalizeAxis(axis, nd);
  let f: Fn = (x: Value) => func1d(x, ...args);
  for (let i = 1; i < nd - ax; i++) f = vmap(f, { inAxes: i, outAxes: -1 });
  for (let i = 0; i < ax; i++) f = vmap(f, { inAxes: 0, outAxes: 0 });
  return f(a);
}
export const applyAlongAxis = apply_along_axis;

/** jnp.apply_over_axes(func, a, axes): func(a, axis) for each axis in turn, keeping the rank. */
export function apply_over_axes(
  func: (a: Value, axis: number) => Value,
  a: unknown,
  axes: readonly number[],
): Value {
  let arr = asValue(a);
  for (const axis of axes) {
    const b = asValue(func(arr, axis));
    if (b.ndim === arr.ndim) arr = b;
    else if (b.ndim === arr.ndim - 1) arr = expand_dims(b, [axis]);
    else throw new ValueError('function is not returning an array of the correct shape');
  }
  return arr;
}
export const applyOverAxes = apply_over_axes;

/** jnp.fromfunction(fn, shape, {dtype}): fn applied to the index grid (vmapped per axis). */
export function fromfunction(
  fn: Fn,
  shape: readonly number[],
  opts: { dtype?: DTypeLike | null } = {},
): Value {
  const dtype = requestDType(opts.dtype ?? defaultFloat(), 'fromfunction');
  let f = fn;
  for (let i = 0; i < shape.length; i++) {
    const inAxes = shape.map((_, j) => (i === j ? 0 : null)).reverse();
    f = vmap(f, { inAxes });
  }
  return f(...shape.map((s) => arange(s, { dtype })));
}

type Piece = Fn | number | boolean | Value;

/**
 * jnp.piecewise(x, condlist, funclist, ...args): funclist[i](x) where condlist[i] holds (the last
 * true condition wins), a trailing extra function (or value) for where none does.
 */
export function piecewise(
  x: unknown,
  condlist: readonly unknown[] | Value,
  funclist: readonly Piece[],
  ...args: unknown[]
): Value {
  const xv = asValue(x);
  const conds = Array.isArray(condlist) ? condlist : [condlist];
  const nc = Array.isArray(condlist)
    ? conds.length
    : (condlist as Value).ndim === 0
      ? 1
      : (condlist as Value).shape[0];
  const nf = funclist.length;
  let fl: Piece[];
  if (nf === nc + 1) fl = [funclist[nf - 1], ...funclist.slice(0, -1)];
  else if (nf === nc) fl = [0, ...funclist];
  else
    throw new ValueError(
      `with ${nc} condition(s), either ${nc} or ${nc + 1} functions are expected; got ${nf}`,
    );
  const condArr = convertElementType(Array.isArray(condlist) ? array(conds) : asValue(condlist), 'bool');
  return piecewiseCore(xv, condArr, fl, args);
}

function piecewiseCore(x: Value, condlist: Value, funclist: Piece[], args: unknown[]): Value {
  // JAX jits _piecewise with the functions static (here: closed over); constants are traced.
  const inner = namedJit('_piecewise', function _piecewise(xx: Value, conds: Value, consts: Value[]): Value {
    let k = 0;
    const fl = funclist.map((f) => (typeof f === 'function' ? f : consts[k++]));
    const idx = argmax(
      cumsum(concatenate([zerosLike(getitem(conds, [sl(null, 1)])), conds], { axis: 0 }), { axis: 0 }),
      { axis: 0 },
    );
    const dtype = xx.dtype;
    const branches = fl.map((f) =>
      typeof f === 'function'
        ? (v: Value) => convertElementType(asValue(f(v, ...args)), dtype)
        : (_v: Value) => convertElementType(asValue(f), dtype),
    );
    return vectorize((i: Value, v: Value) => switch_(i, branches, v), {})(idx, xx);
  });
  const consts = funclist.filter((f) => typeof f !== 'function').map((f) => asValue(f));
  return inner(x, condlist, consts);
}
