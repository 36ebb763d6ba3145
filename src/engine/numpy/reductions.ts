/**
 * @file NumPy reductions: sum prod max min all any mean var std (axis, keepdims, dtype, where,
 * initial, ddof), decomposed as jax/_src/numpy/reductions.py writes them, so their jaxprs print
 * as JAX's: `_reduction` (preprocessing, a typed init value, `_where` for the mask, the reduce
 * primitive, `initial` applied after, keepdims as expand_dims), `_mean` (count, then sum, then
 * div), and the jitted `_var` and `_std` with the correction as a traced argument.
 */
import { scalarArray } from '../core/coerce.js';
import {
  bool,
  type DType,
  type DTypeLike,
  defaultFloat,
  defaultInt,
  defaultUint,
  float16,
  float32,
  realPart,
} from '../core/dtype.js';
import type { Primitive } from '../core/primitive.js';
import { normalizeAxis } from '../core/shape.js';
import { bind1, type Value } from '../core/trace.js';
import * as lxc from '../lax/complex.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { expandDims } from '../lax/structural.js';
import * as R from '../primitives/reductions.js';
import { ValueError } from '../transforms/api.js';
import { namedJit } from '../transforms/jit.js';
import * as uf from './ufuncs.js';
import { asValue, broadcastTo, constantLike, dtypeOpt } from './util.js';

export interface ReduceOpts {
  axis?: number | readonly number[] | null;
  keepdims?: boolean;
  dtype?: DTypeLike | null;
  where?: unknown;
  initial?: number;
}

/** JAX's check_where: the mask must be boolean. */
function checkWhere(name: string, where: unknown): Value | null {
  if (where === undefined || where === null) return null;
  const w = asValue(where);
  if (!w.dtype.isBool)
    throw new ValueError(
      `jnp.${name}: where must be None or a boolean array; got where.dtype=dtype('${w.dtype.name}').`,
    );
  return w;
}

/** JAX's _reduction_dims: axes canonicalized in the order given. */
function reductionDims(axis: ReduceOpts['axis'], ndim: number): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const dims = (typeof axis === 'number' ? [axis] : [...axis]).map((a) => normalizeAxis(a, ndim));
  if (new Set(dims).size !== dims.length) throw new ValueError(`duplicate value in 'axis': ${String(axis)}`);
  return dims;
}

function upcastF16(d: DType): DType {
  return d === float16 ? float32 : d;
}

function promoteIntegerDtype(d: DType): DType {
  if (d.isBool) return defaultInt();
  if (d.kind === 'u' && d.itemsize < defaultUint().itemsize) return defaultUint();
  if (d.kind === 'i' && d.itemsize < defaultInt().itemsize) return defaultInt();
  return d;
}

/** promote_dtypes_numeric of one operand: bool becomes the default int. */
function toNumeric(a: Value): Value {
  return a.dtype.isBool ? convertElementType(a, defaultInt(), a.weakType) : a;
}

/** JAX's _reduction_init_val: the identity as a typed constant of a's dtype (ints saturate). */
function initVal(dtype: DType, v: number): Value {
  if (dtype.isBool) return scalarArray(v > 0, dtype);
  if (!dtype.isFloat && !Number.isFinite(v)) {
    const bits = dtype.itemsize * 8;
    const max = dtype.kind === 'u' ? 2 ** bits - 1 : 2 ** (bits - 1) - 1;
    const min = dtype.kind === 'u' ? 0 : -(2 ** (bits - 1));
    return scalarArray(v < 0 ? min : max, dtype);
  }
  return scalarArray(v, dtype);
}

interface Reduction {
  name: string;
  prim: Primitive;
  /** The primitive for boolean operands (sum/prod of bools are or/and, as lax.reduce picks). */
  boolPrim?: Primitive;
  op: (x: Value, y: Value) => Value;
  init: number;
  hasIdentity: boolean;
  preproc?: 'numeric' | 'bool';
  upcastF16?: boolean;
  promoteIntegers?: boolean;
}

/** JAX's `_reduction`. */
function reduction(x: unknown, r: Reduction, opts: ReduceOpts): Value {
  let a = asValue(x);
  const where = checkWhere(r.name, opts.where);
  const initial = opts.initial;
  if (initial === undefined && !r.hasIdentity && where)
    throw new ValueError(
      `reduction operation ${r.name} does not have an identity, so to use a where mask one has to specify 'initial'`,
    );
  if (r.preproc === 'numeric') a = toNumeric(a);
  else if (r.preproc === 'bool') a = convertElementType(a, bool);
  const dims = reductionDims(opts.axis, a.ndim);
  if (initial === undefined && !r.hasIdentity && dims.some((d) => a.shape[d] < 1))
    throw new ValueError(`zero-size array to reduction operation ${r.name} which has no identity`);
  const dtype = dtypeOpt(opts.dtype, r.name);
  let resultDtype = dtype ?? a.dtype;
  if (!dtype && r.promoteIntegers) resultDtype = promoteIntegerDtype(resultDtype);
  const computation = r.upcastF16 && !dtype && resultDtype.isFloat ? upcastF16(resultDtype) : resultDtype;
  a = convertElementType(a, computation);
  const prim = computation.isBool && r.boolPrim ? r.boolPrim : r.prim;
  const init = initVal(a.dtype, r.init);
  if (where) a = uf.where(where, a, init);
  let result = bind1(prim, [a], prim === R.reduce_sum ? { axes: dims, out_sharding: null } : { axes: dims });
  if (initial !== undefined) result = r.op(convertElementType(initial, a.dtype), result);
  if (opts.keepdims) result = expandDims(result, dims);
  return convertElementType(result, dtype ?? resultDtype);
}

const SUM: Reduction = {
  name: 'sum',
  prim: R.reduce_sum,
  boolPrim: R.reduce_or,
  op: lax.add,
  init: 0,
  hasIdentity: true,
  preproc: 'numeric',
  upcastF16: true,
  promoteIntegers: true,
};
const PROD: Reduction = {
  name: 'prod',
  prim: R.reduce_prod,
  boolPrim: R.reduce_and,
  op: lax.mul,
  init: 1,
  hasIdentity: true,
  preproc: 'numeric',
  upcastF16: true,
  promoteIntegers: true,
};

export function sum(x: unknown, opts: ReduceOpts = {}): Value {
  return reduction(x, SUM, opts);
}

export function prod(x: unknown, opts: ReduceOpts = {}): Value {
  return reduction(x, PROD, opts);
}

const MAX: Reduction = { name: 'max', prim: R.reduce_max, op: lax.max, init: -Infinity, hasIdentity: false };
const MIN: Reduction = { name: 'min', prim: R.reduce_min, op: lax.min, init: Infinity, hasIdentity: false };

export function max(x: unknown, opts: ReduceOpts = {}): Value {
  return reduction(x, MAX, opts);
}
export const amax = max;

export function min(x: unknown, opts: ReduceOpts = {}): Value {
  return reduction(x, MIN, opts);
}
export const amin = min;

export function all(x: unknown, opts: ReduceOpts = {}): Value {
  const r: Reduction = { name: 'all', prim: R.reduce_and, op: lax.bitwiseAnd, init: 1, hasIdentity: true };
  return reduction(x, { ...r, preproc: 'bool' }, opts);
}

export function any(x: unknown, opts: ReduceOpts = {}): Value {
  const r: Reduction = { name: 'any', prim: R.reduce_or, op: lax.bitwiseOr, init: 0, hasIdentity: true };
  return reduction(x, { ...r, preproc: 'bool' }, opts);
}

/** JAX's _count: the number of elements reduced (a constant), or the sum of the mask. */
function count(
  a: Value,
  axis: ReduceOpts['axis'],
  keepdims: boolean,
  where: Value | null,
  dtype: DType,
): Value {
  if (where === null) {
    const n = reductionDims(axis, a.ndim).reduce((k, d) => k * a.shape[d], 1);
    return convertElementType(n, dtype);
  }
  return sum(broadcastTo(where, a.shape), { axis, dtype, keepdims });
}

function inexact(d: DType): DType {
  return d.isInexact ? d : defaultFloat();
}

export function mean(x: unknown, opts: ReduceOpts = {}): Value {
  const a = asValue(x);
  const where = checkWhere('mean', opts.where);
  const dtype = dtypeOpt(opts.dtype, 'mean');
  const resultDtype = dtype ?? inexact(a.dtype);
  const computation = dtype ? resultDtype : upcastF16(resultDtype);
  const keepdims = opts.keepdims ?? false;
  const normalizer = count(a, opts.axis, keepdims, where, computation);
  const s = sum(a, { axis: opts.axis, dtype: computation, keepdims, where });
  return convertElementType(lax.div(s, normalizer), resultDtype);
}

/** JAX's _var_promote_types: (computation dtype, result dtype). */
function varTypes(aDtype: DType, dtype: DType | undefined): [DType, DType] {
  if (dtype) {
    if (!dtype.isComplex && aDtype.isComplex)
      throw new ValueError(
        'jax.numpy.var does not yet support real dtype parameters when computing the variance of an ' +
          'array of complex values. The semantics of numpy.var seem unclear in this case. Please ' +
          'comment on https://github.com/jax-ml/jax/issues/2283 if this behavior is important to you.',
      );
    return [upcastF16(dtype), dtype];
  }
  if (!aDtype.isInexact) return [upcastF16(defaultFloat()), defaultFloat()];
  // A complex variance is real: the result is the part dtype, the computation stays complex.
  return [upcastF16(aDtype), realPart(aDtype)];
}

/** The arguments of var's and std's jitted bodies (axis, dtype and keepdims static). */
type VarArgs = [
  x: Value,
  correction: Value,
  where: Value | null,
  axis: ReduceOpts['axis'],
  dtype: string | null,
  keepdims: boolean,
];

const varJit = namedJit(
  '_var',
  function _var(...[x, correction, where, axis, dtype, keepdims]: VarArgs): Value {
    let [computation, resultDtype] = varTypes(x.dtype, dtypeOpt(dtype, 'var'));
    const a = convertElementType(x, computation);
    const aMean = mean(a, { axis, dtype: computation, keepdims: true, where });
    const diff = lax.sub(a, aMean);
    // JAX: a complex centred value is real(c * conj(c)), and the sums then run in its real dtype.
    const centered = diff.dtype.isComplex ? lxc.real(lax.mul(diff, lxc.conj(diff))) : lax.square(diff);
    computation = centered.dtype;
    let normalizer = count(a, axis, keepdims, where, computation);
    normalizer = lax.sub(normalizer, convertElementType(correction, computation));
    let result = sum(centered, { axis, dtype: computation, keepdims, where });
    result = convertElementType(lax.div(result, normalizer), resultDtype);
    return uf.where(uf.greater(normalizer, 0), result, Number.NaN);
  },
  { staticArgnums: [3, 4, 5] },
);

export interface VarOpts extends ReduceOpts {
  ddof?: number;
  correction?: number;
}

function correctionOf(opts: VarOpts): number {
  if (opts.correction === undefined || opts.correction === null) return opts.ddof ?? 0;
  if (opts.ddof !== undefined && opts.ddof !== 0)
    throw new ValueError("ddof and correction can't be provided simultaneously.");
  return opts.correction;
}

function dtypeName(d: DTypeLike | null | undefined, name: string): string | null {
  return dtypeOpt(d, name)?.name ?? null;
}

/** The jitted arguments of var and std: x, correction, where, axis, dtype, keepdims. */
function varArgs(name: 'var' | 'std', x: unknown, opts: VarOpts) {
  return [
    asValue(x),
    correctionOf(opts),
    checkWhere(name, opts.where),
    opts.axis ?? null,
    dtypeName(opts.dtype, name),
    opts.keepdims ?? false,
  ] as const;
}

export function var_(x: unknown, opts: VarOpts = {}): Value {
  return varJit(...varArgs('var', x, opts));
}

const stdJit = namedJit(
  '_std',
  function _std(...args: VarArgs): Value {
    const dtype = args[4];
    if (dtype !== null && !dtypeOpt(dtype, 'std')!.isInexact)
      throw new ValueError(`dtype argument to jnp.std must be inexact; got ${dtype}`);
    return lax.sqrt(varJit(...args));
  },
  { staticArgnums: [3, 4, 5] },
);

export function std(x: unknown, opts: VarOpts = {}): Value {
  return stdJit(...varArgs('std', x, opts));
}

// `var` is a reserved word in JS but a fine export name: jnp.var(x) works as in NumPy.
export { var_ as var };

/** jnp.count_nonzero, jitted as JAX's (static axis and keepdims). */
export function count_nonzero(
  a: unknown,
  opts: { axis?: number | readonly number[] | null; keepdims?: boolean } = {},
): Value {
  const axis = opts.axis ?? null;
  return countNonzeroJit(
    asValue(a),
    axis === null || typeof axis === 'number' ? axis : [...axis],
    opts.keepdims ?? false,
  );
}

const countNonzeroJit = namedJit(
  'count_nonzero',
  function count_nonzero(v: Value, axis: number | number[] | null, keepdims: boolean): Value {
    const nz = lax.ne(v, constantLike(v, 0));
    return sum(nz, { axis, keepdims, dtype: defaultInt() });
  },
  { staticArgnums: [1, 2] },
);
export const countNonzero = count_nonzero;
