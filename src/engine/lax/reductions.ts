/**
 * @file lax's reductions: reduceSum reduceMax reduceMin reduceProd reduceAnd reduceOr (axes).
 */
import { toValue } from '../core/coerce.js';
import { bind1, type Value } from '../core/trace.js';
import * as R from '../primitives/reductions.js';

type In = Value | number | boolean;

export function reduceSum(x: In, axes: readonly number[]): Value {
  return bind1(R.reduce_sum, [toValue(x)], { axes: [...axes], out_sharding: null });
}
export function reduceProd(x: In, axes: readonly number[]): Value {
  return bind1(R.reduce_prod, [toValue(x)], { axes: [...axes] });
}
export function reduceMax(x: In, axes: readonly number[]): Value {
  return bind1(R.reduce_max, [toValue(x)], { axes: [...axes] });
}
export function reduceMin(x: In, axes: readonly number[]): Value {
  return bind1(R.reduce_min, [toValue(x)], { axes: [...axes] });
}
export function reduceAnd(x: In, axes: readonly number[]): Value {
  return bind1(R.reduce_and, [toValue(x)], { axes: [...axes] });
}
export function reduceOr(x: In, axes: readonly number[]): Value {
  return bind1(R.reduce_or, [toValue(x)], { axes: [...axes] });
}
