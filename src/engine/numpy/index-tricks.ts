/**
 * @file Index arithmetic of jax.numpy: ravel_multi_index, unravel_index and ix_, as JAX
 * 0.10.2 writes them (jax/_src/numpy/lax_numpy.py, ufuncs.py): a flat index is the sum of each
 * coordinate times its stride (C or Fortran order) after the mode's treatment of out-of-range
 * coordinates; unravel_index divides by each dimension from the last, clamping out-of-range flat
 * indices; ix_ reshapes 1-d index arrays into an open mesh.
 */
import { type ArrayImpl, hostScalar } from '../core/array.js';
import { scalarArray } from '../core/coerce.js';
import { type DTypeLike, defaultInt, promoteTypes, requestDType } from '../core/dtype.js';
import { ConcretizationTypeError } from '../core/errors.js';
import { isTracer, type Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import { full } from '../lax/fill.js';
import { broadcastInDim } from '../lax/structural.js';
import { iinfo } from './dtypes.js';
import { NotImplementedError, ValueError } from './errors.js';
import { any } from './reductions.js';
import * as uf from './ufuncs.js';
import { asValue } from './util.js';

export type RavelMode = 'raise' | 'wrap' | 'clip' | 'ignore';

export interface RavelMultiIndexOptions {
  mode?: RavelMode;
  order?: 'C' | 'F';
  dtype?: DTypeLike | null;
}

const pyTuple = (xs: readonly number[]) => (xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(', ')})`);

/** jnp.ravel_multi_index(multiIndex, dims, {mode, order, dtype}): flat indices of coordinates. */
export function ravel_multi_index(
  multiIndex: readonly unknown[],
  dims: readonly number[],
  opts: RavelMultiIndexOptions = {},
): Value {
  const mode = opts.mode ?? 'raise';
  const order = opts.order ?? 'C';
  if (multiIndex.length !== dims.length) {
    throw new Error(`len(multi_index)=${multiIndex.length} != len(dims)=${dims.length}`);
  }
  let idx = multiIndex.map(asValue);
  const dtype =
    opts.dtype === undefined || opts.dtype === null
      ? promoteTypes({ dtype: defaultInt(), weakType: true }, ...idx).dtype
      : requestDType(opts.dtype, 'ravel_multi_index');
  if (!dtype.isInt) throw new ValueError(`dtype=dtype('${dtype.name}') is not an integer type.`);
  const size = dims.reduce((a, b) => a * b, 1);
  if (size - 1 > Number(iinfo(dtype).max)) {
    throw new ValueError(
      `jnp.ravel_multi_index: dtype=dtype('${dtype.name}') not large enough to hold flattened index for dims=${pyTuple(dims)}. Use the dtype argument to pass a suitable dtype (e.g. dtype=np.min_scalar_type(prod(dims))).`,
    );
  }
  for (const i of idx) {
    if (mode === 'raise' && isTracer(i)) {
      throw new ConcretizationTypeError(
        i.aval.toString(),
        "The error occurred because ravel_multi_index was jit-compiled with mode='raise'. Use mode='wrap' or mode='clip' instead.",
      );
    }
    if (!i.dtype.isInt) throw new TypeError('only int indices permitted');
  }
  if (mode === 'raise') {
    for (let k = 0; k < idx.length; k++) {
      const bad = any(uf.logical_or(uf.less(idx[k], 0), uf.greater_equal(idx[k], dims[k])));
      if (hostScalar(bad as ArrayImpl)) throw new ValueError('invalid entry in coordinates array');
    }
  } else if (mode === 'clip') idx = idx.map((i, k) => uf.clip(i, 0, dims[k] - 1));
  else if (mode === 'wrap') idx = idx.map((i, k) => uf.remainder(i, dims[k]));
  else if (mode !== 'ignore') {
    throw new ValueError(`invalid mode='${mode}'. Expected 'raise', 'wrap', 'clip', or 'ignore'.`);
  }
  let strides: number[];
  if (order === 'F') strides = dims.map((_, k) => dims.slice(0, k).reduce((a, b) => a * b, 1));
  else if (order === 'C') strides = dims.map((_, k) => dims.slice(k + 1).reduce((a, b) => a * b, 1));
  else throw new ValueError(`invalid order='${order}'. Expected 'C' or 'F'`);
  let result: Value = scalarArray(0, dtype);
  idx.forEach((i, k) => {
    result = uf.add(result, uf.multiply(convertElementType(i, dtype), strides[k]));
  });
  return result;
}
export const ravelMultiIndex = ravel_multi_index;

/** jnp.unravel_index(indices, shape): the coordinates of flat indices, as a list of arrays. */
export function unravel_index(indices: unknown, shape: number | readonly unknown[]): Value[] {
  let rest = asValue(indices);
  const dims = (typeof shape === 'number' ? [shape] : [...shape]) as unknown[];
  if (dims.some((s) => typeof s === 'object' && s !== null && (s as Value).ndim !== 0)) {
    throw new ValueError('unravel_index: shape should be a scalar or 1D sequence.');
  }
  const out: Value[] = new Array(dims.length);
  for (let i = dims.length - 1; i >= 0; i--) [rest, out[i]] = uf.divmod(rest, dims[i]);
  const oobPos = uf.greater(rest, 0);
  const oobNeg = rest.dtype.kind === 'u' ? asValue(false) : uf.less(rest, -1);
  return dims.map((s, i) => uf.where(oobPos, uf.subtract(s, 1), uf.where(oobNeg, 0, out[i])));
}
export const unravelIndex = unravel_index;

/** jnp.ix_(...args): 1-d index arrays reshaped to broadcast against each other (an open mesh). */
export function ix_(...args: unknown[]): Value[] {
  const n = args.length;
  return args.map((x, i) => {
    const a = asValue(x);
    if (a.ndim !== 1)
      throw new ValueError(`Arguments to jax.numpy.ix_ must be 1-dimensional, got shape ${pyTuple(a.shape)}`);
    if (a.dtype.isBool)
      throw new NotImplementedError('Boolean arguments to jax.numpy.ix_ are not implemented');
    const shape = new Array<number>(n).fill(1);
    shape[i] = a.shape[0];
    // NumPy uses an integer index type for empty arrays.
    if (a.size === 0) return full(shape, scalarArray(0, defaultInt()));
    return broadcastInDim(a, shape, [i]);
  });
}
