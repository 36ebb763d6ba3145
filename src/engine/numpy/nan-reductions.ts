/**
 * @file NumPy's NaN-ignoring reductions: nansum nanprod nanmin nanmax nanmean nanvar nanstd
 * nanargmin nanargmax, as JAX 0.10.2 writes them (jax/_src/numpy/reductions.py `_nan_reduction`,
 * `nanmean`, `_nanvar`; lax_numpy.py `_nanargmax`): NaNs are replaced by the reduction's identity
 * before reducing; nanmin/nanmax give NaN where every element is NaN (unless `initial` is given),
 * nanmean and nanvar divide by the count of numbers, nanargmin/nanargmax give -1 for an all-NaN
 * slice. Integer and bool inputs have no NaNs and reduce as the plain functions do. Each is
 * jitted under JAX's name with JAX's static arguments. (nancumsum and nancumprod are in sorting.ts,
 * nanmedian, nanpercentile and nanquantile in quantile.ts.)
 */
import { scalarArray } from '../core/coerce.js';
import { type DType, type DTypeLike, defaultFloat, toDType } from '../core/dtype.js';
import type { Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { jit, namedJit } from '../transforms/jit.js';
import { NotImplementedError } from './errors.js';
import { all, max, mean, min, prod, type ReduceOpts, sum } from './reductions.js';
import { argmax, argmin } from './sorting.js';
import * as uf from './ufuncs.js';
import { asValue, staticAxis } from './util.js';

type Axis = number | readonly number[] | null;

export interface NanReduceOptions {
  axis?: Axis;
  keepdims?: boolean;
  dtype?: DTypeLike | null;
  initial?: unknown;
  where?: unknown;
  out?: null;
}

const isnan = (x: Value) => lax.ne(x, x);
const isInexact = (d: DType) => d.isFloat;
const dtypeName = (d: DTypeLike | null | undefined) =>
  d === undefined || d === null ? null : toDType(d).name;

function notSupported(name: string, out: unknown): void {
  if (out !== undefined && out !== null) {
    throw new NotImplementedError(`The 'out' argument to jnp.${name} is not supported.`);
  }
}

type Reducer = (x: unknown, opts: ReduceOpts) => Value;

/** JAX's _nan_reduction: reduce with NaNs replaced by `init`; NaN where all were NaN if asked. */
function nanReduction(
  a: Value,
  reduce: Reducer,
  init: number,
  nanIfAllNan: boolean,
  opts: ReduceOpts,
): Value {
  if (!isInexact(a.dtype)) return reduce(a, opts);
  const out = reduce(uf.where(isnan(a), scalarArray(init, a.dtype), a), opts);
  if (!nanIfAllNan) return out;
  return uf.where(
    all(isnan(a), { axis: opts.axis, keepdims: opts.keepdims }),
    scalarArray(Number.NaN, a.dtype),
    out,
  );
}

function reduceOpts(axis: Axis, keepdims: boolean, dtype: string | null, initial: unknown, where: unknown) {
  const o: ReduceOpts = { axis, keepdims };
  if (dtype !== null) o.dtype = dtype;
  if (initial !== undefined && initial !== null) o.initial = initial as number;
  if (where !== undefined && where !== null) o.where = where;
  return o;
}

function nanFn(name: string, reduce: Reducer, init: number, kind: 'minmax' | 'sumprod') {
  const f = {
    [name]: (
      a: Value,
      initial: unknown,
      where: unknown,
      axis: Axis,
      keepdims: boolean,
      dtype: string | null,
    ) =>
      nanReduction(
        a,
        reduce,
        init,
        kind === 'minmax' && (initial === undefined || initial === null),
        reduceOpts(axis, keepdims, dtype, initial, where),
      ),
  }[name];
  const jf = jit(f, { staticArgnums: [3, 4, 5] });
  return (a: unknown, opts: NanReduceOptions = {}): Value => {
    notSupported(name, opts.out);
    return jf(
      asValue(a),
      opts.initial ?? null,
      opts.where ?? null,
      staticAxis(opts.axis),
      opts.keepdims ?? false,
      kind === 'minmax' ? null : dtypeName(opts.dtype),
    );
  };
}

/** jnp.nanmin(a, {axis, keepdims, initial, where}). */
export const nanmin = nanFn('nanmin', min, Number.POSITIVE_INFINITY, 'minmax');
/** jnp.nanmax(a, {axis, keepdims, initial, where}). */
export const nanmax = nanFn('nanmax', max, Number.NEGATIVE_INFINITY, 'minmax');
/** jnp.nansum(a, {axis, dtype, keepdims, initial, where}): NaNs count as zero. */
export const nansum = nanFn('nansum', sum, 0, 'sumprod');
/** jnp.nanprod(a, {axis, dtype, keepdims, initial, where}): NaNs count as one. */
export const nanprod = nanFn('nanprod', prod, 1, 'sumprod');

function toInexact(d: DType): DType {
  return d.isFloat ? d : defaultFloat();
}

const nanmeanJit = namedJit(
  'nanmean',
  function nanmean(
    a: Value,
    where: Value | null,
    axis: Axis,
    dtype: string | null,
    keepdims: boolean,
  ): Value {
    const w = where ?? undefined;
    if (a.dtype.isBool || a.dtype.isInt) return mean(a, { axis, dtype, keepdims, where: w });
    const dt = dtype === null ? toInexact(a.dtype) : toDType(dtype);
    const normalizer = sum(lax.bitwiseNot(isnan(a)), { axis, dtype: dt, keepdims, where: w });
    return lax.div(nansum(a, { axis, dtype: dt, keepdims, where: w }), normalizer);
  },
  { staticArgnums: [2, 3, 4] },
);

/** jnp.nanmean(a, {axis, dtype, keepdims, where}): the mean of the numbers, NaN if there are none. */
export function nanmean(a: unknown, opts: Omit<NanReduceOptions, 'initial'> = {}): Value {
  notSupported('nanmean', opts.out);
  return nanmeanJit(
    asValue(a),
    (opts.where ?? null) as Value | null,
    staticAxis(opts.axis),
    dtypeName(opts.dtype),
    opts.keepdims ?? false,
  );
}

export interface NanVarOptions extends Omit<NanReduceOptions, 'initial'> {
  ddof?: number;
  /** The mean along `axis` (keepdims), if already known. */
  mean?: unknown;
}

/** JAX's _var_promote_types for real dtypes: (computation dtype, result dtype). */
function varTypes(a: DType, dtype: string | null): [DType, DType] {
  let comp: DType;
  let res: DType;
  if (dtype !== null) {
    comp = toDType(dtype);
    res = comp;
  } else if (!a.isFloat) {
    res = defaultFloat();
    comp = res;
  } else {
    res = a;
    comp = a;
  }
  // float16 computes in float32, as JAX's _upcast_f16 does.
  return [comp.name === 'float16' ? toDType('float32') : comp, res];
}

/** The arguments of nanvar's and nanstd's jitted bodies (axis, dtype and keepdims static). */
type VarArgs = [
  a: Value,
  where: Value | null,
  aMean: Value | null,
  axis: Axis,
  dtype: string | null,
  ddof: number,
  keepdims: boolean,
];

function nanvarCore(...[a0, where, aMean, axis, dtype, ddof, keepdims]: VarArgs): Value {
  const [comp, res] = varTypes(a0.dtype, dtype);
  const w = where ?? undefined;
  const a = convertElementType(a0, comp);
  const m =
    aMean === null
      ? nanmean(a, { axis, dtype: comp, keepdims: true, where: w })
      : convertElementType(aMean, comp);
  // The double-where keeps NaN out of the gradient of the masked elements.
  const centered = lax.square(uf.where(isnan(a), 0, lax.sub(a, m)));
  let normalizer = sum(lax.bitwiseNot(isnan(a)), { axis, keepdims, where: w });
  normalizer = uf.subtract(normalizer, ddof);
  const mask = lax.le(normalizer, 0);
  let result = sum(centered, { axis, keepdims, where: w });
  result = uf.where(mask, Number.NaN, result);
  const divisor = uf.where(mask, 1, normalizer);
  result = lax.div(result, convertElementType(divisor, result.dtype));
  return convertElementType(result, res);
}

const nanvarJit = namedJit('nanvar', nanvarCore, { staticArgnums: [3, 4, 6] });

const nanstdJit = namedJit(
  'nanstd',
  function nanstd(...args: VarArgs): Value {
    return lax.sqrt(nanvarJit(...args));
  },
  { staticArgnums: [3, 4, 6] },
);

function varArgs(a: unknown, opts: NanVarOptions) {
  return [
    asValue(a),
    (opts.where ?? null) as Value | null,
    opts.mean === undefined || opts.mean === null ? null : asValue(opts.mean),
    staticAxis(opts.axis),
    dtypeName(opts.dtype),
    opts.ddof ?? 0,
    opts.keepdims ?? false,
  ] as const;
}

/** jnp.nanvar(a, {axis, dtype, ddof, keepdims, where, mean}): variance of the numbers. */
export function nanvar(a: unknown, opts: NanVarOptions = {}): Value {
  notSupported('nanvar', opts.out);
  return nanvarJit(...varArgs(a, opts));
}

/** jnp.nanstd(a, {axis, dtype, ddof, keepdims, where, mean}): standard deviation of the numbers. */
export function nanstd(a: unknown, opts: NanVarOptions = {}): Value {
  notSupported('nanstd', opts.out);
  return nanstdJit(...varArgs(a, opts));
}

export interface NanArgOptions {
  axis?: number | null;
  keepdims?: boolean | null;
  out?: null;
}

function nanArg(name: '_nanargmax' | '_nanargmin', fill: number, arg: typeof argmax) {
  const f = {
    [name]: (a: Value, axis: number | null, keepdims: boolean): Value => {
      if (!isInexact(a.dtype)) return arg(a, { axis, keepdims });
      const mask = isnan(a);
      const res = arg(uf.where(mask, fill, a), { axis, keepdims });
      return uf.where(all(mask, { axis, keepdims }), -1, res);
    },
  }[name];
  const jf = jit(f, { staticArgnums: [1, 2] });
  return (a: unknown, opts: NanArgOptions = {}): Value => {
    notSupported(name.slice(1), opts.out);
    return jf(asValue(a), opts.axis ?? null, Boolean(opts.keepdims));
  };
}

/** jnp.nanargmax(a, {axis, keepdims}): index of the largest number; -1 for an all-NaN slice. */
export const nanargmax = nanArg('_nanargmax', Number.NEGATIVE_INFINITY, argmax);
/** jnp.nanargmin(a, {axis, keepdims}): index of the smallest number; -1 for an all-NaN slice. */
export const nanargmin = nanArg('_nanargmin', Number.POSITIVE_INFINITY, argmin);
