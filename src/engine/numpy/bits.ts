/**
 * @file jnp.packbits and unpackbits, as JAX 0.10.2 writes them (jax/_src/numpy/lax_numpy.py): the
 * nonzero-ness of elements packed eight to a uint8 along an axis (big- or little-endian bit
 * order, the last byte zero-padded), and back.
 */
import type { Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import * as lax from '../lax/elementwise.js';
import { pad as laxPad } from '../lax/structural.js';
import { namedJit } from '../transforms/jit.js';
import { arange } from './creation.js';
import { ValueError } from './errors.js';
import { getitem, sl } from './indexing.js';
import { pad } from './pad.js';
import { sum } from './reductions.js';
import { expand_dims, ravel, reshape, swapaxes } from './shapes.js';
import * as uf from './ufuncs.js';
import { asValue } from './util.js';

export interface PackbitsOptions {
  axis?: number | null;
  bitorder?: 'big' | 'little';
}

const bitValues = (bitorder: string) => {
  const bits = arange(8, { dtype: 'uint8' });
  return bitorder === 'big' ? getitem(bits, [sl(null, null, -1)]) : bits;
};

function checkOrder(bitorder: string): void {
  if (bitorder !== 'little' && bitorder !== 'big')
    throw new ValueError("'order' must be either 'little' or 'big'");
}

const packbitsJit = namedJit(
  'packbits',
  function packbits(a: Value, axis0: number | null, bitorder: string): Value {
    if (!(a.dtype.isInt || a.dtype.isBool))
      throw new TypeError('Expected an input array of integer or boolean data type');
    checkOrder(bitorder);
    let arr = convertElementType(lax.ne(a, convertElementType(0, a.dtype)), 'uint8');
    let bits = bitValues(bitorder);
    let axis = axis0;
    if (axis === null) {
      arr = ravel(arr);
      axis = 0;
    }
    arr = swapaxes(arr, axis, -1);
    const n = arr.shape[arr.ndim - 1];
    const rem = n % 8;
    if (rem) {
      const cfg = arr.shape.map((): [number, number, number] => [0, 0, 0]);
      cfg[cfg.length - 1] = [0, 8 - rem, 0];
      arr = laxPad(arr, convertElementType(0, 'uint8'), cfg);
    }
    arr = reshape(arr, [...arr.shape.slice(0, -1), arr.shape[arr.ndim - 1] / 8, 8]);
    bits = expand_dims(bits, [...Array(arr.ndim - 1).keys()]);
    const packed = convertElementType(sum(uf.left_shift(arr, bits), { axis: -1 }), 'uint8');
    return swapaxes(packed, axis, -1);
  },
  { staticArgnums: [1, 2] },
);

/** jnp.packbits(a, {axis, bitorder}): elements' truth packed into uint8 bytes. */
export function packbits(a: unknown, opts: PackbitsOptions = {}): Value {
  return packbitsJit(asValue(a), opts.axis ?? null, opts.bitorder ?? 'big');
}

export interface UnpackbitsOptions extends PackbitsOptions {
  count?: number | null;
}

const unpackbitsJit = namedJit(
  'unpackbits',
  function unpackbits(a: Value, axis0: number | null, count: number | null, bitorder: string): Value {
    if (a.dtype.name !== 'uint8') throw new TypeError('Expected an input array of unsigned byte data type');
    checkOrder(bitorder);
    let bits = uf.left_shift(asValue(1), arange(8, { dtype: 'uint8' }));
    if (bitorder === 'big') bits = getitem(bits, [sl(null, null, -1)]);
    let arr = a;
    let axis = axis0;
    if (axis === null) {
      arr = ravel(arr);
      axis = 0;
    }
    arr = swapaxes(arr, axis, -1);
    let unpacked = convertElementType(
      uf.greater(
        uf.bitwise_and(getitem(arr, ['...', null]), expand_dims(bits, [...Array(arr.ndim).keys()])),
        0,
      ),
      'uint8',
    );
    unpacked = reshape(unpacked, [...unpacked.shape.slice(0, -2), -1]);
    if (count !== null) {
      const have = unpacked.shape[unpacked.ndim - 1];
      if (count > have) {
        const widths = unpacked.shape.map((): [number, number] => [0, 0]);
        widths[widths.length - 1] = [0, count - have];
        unpacked = pad(unpacked, widths);
      } else unpacked = getitem(unpacked, ['...', sl(null, count)]);
    }
    return swapaxes(unpacked, axis, -1);
  },
  { staticArgnums: [1, 2, 3] },
);

/** jnp.unpackbits(a, {axis, count, bitorder}): the bits of uint8 bytes as 0/1 uint8 elements. */
export function unpackbits(a: unknown, opts: UnpackbitsOptions = {}): Value {
  return unpackbitsJit(asValue(a), opts.axis ?? null, opts.count ?? null, opts.bitorder ?? 'big');
}
