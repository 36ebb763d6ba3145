/**
 * @file The `sort` and `top_k` CPU library kernels (primitives/sorting.ts). Both work line by line
 * along one axis of a row-major array: they sort the line's positions with a comparator and then
 * copy elements (raw storage, so float16 bits and BigInts move unchanged).
 *
 * Orders follow XLA as JAX uses it. sort: lexicographic over the key operands, floats with -0.0
 * equal to 0.0 and every NaN after every number, stable (Array.prototype.sort is). top_k: the
 * IEEE total order (-NaN < -inf < ... < -0.0 < 0.0 < ... < inf < NaN), computed on the bits,
 * descending, equal elements by ascending index.
 */

import type { DType, TypedArray } from '../../core/dtype.js';
import { lineGeometry } from '../../core/shape.js';
import { type LibKernelImpl, registerLibKernel } from './lib.js';
import { h2f } from './runtime.js';

type Key = ArrayLike<number> | BigInt64Array | BigUint64Array;

/** Values to compare as numbers (float16 decoded from its bits). */
function numericKey(data: TypedArray, dt: DType): Key {
  if (dt.name !== 'float16') return data as Key;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = h2f(data[i] as number);
  return out;
}

/**
 * One operand sorted by itself (jnp.sort): each line through the typed array's own numeric sort,
 * many times faster than a comparator over positions. That sort orders -0.0 before 0.0 and NaNs
 * last; XLA's order holds zeros equal and NaNs equal, stable, so the run of zeros and the run of
 * NaNs are written again with the line's own elements in their original order.
 */
function sortAlone(src: TypedArray, dst: TypedArray, outer: number, n: number, inner: number): void {
  const Ctor = src.constructor as new (n: number) => Float64Array;
  const line = new Ctor(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let j = 0; j < n; j++) line[j] = src[base + j * inner] as number;
      line.sort();
      let z = 0;
      while (z < n && line[z] < 0) z++;
      let nan = n;
      while (nan > z && Number.isNaN(line[nan - 1])) nan--;
      let zEnd = z;
      while (zEnd < nan && line[zEnd] === 0) zEnd++;
      if (zEnd - z > 1 || nan < n) {
        // Zeros of both signs and NaNs (any payload) as they came.
        let w = z;
        let q = nan;
        for (let j = 0; j < n; j++) {
          const x = src[base + j * inner] as number;
          if (x === 0) line[w++] = x;
          else if (Number.isNaN(x)) line[q++] = x;
        }
      }
      for (let j = 0; j < n; j++) dst[base + j * inner] = line[j];
    }
  }
}

/** Element types whose typed array sorts by the numeric value (not float16's bits, not BigInts). */
const NUMERIC_SORT = new Set([
  'float32',
  'float64',
  'int8',
  'int16',
  'int32',
  'uint8',
  'uint16',
  'uint32',
  'bool',
]);

const sortKernel: LibKernelImpl = (ins, outs, params, infos) => {
  const shape = params.shape as number[];
  const numKeys = params.numKeys as number;
  const { outer, n, inner } = lineGeometry(shape, params.dimension as number);
  if (ins.length === 1 && NUMERIC_SORT.has(infos[0].dtype.name)) {
    sortAlone(ins[0], outs[0], outer, n, inner);
    return;
  }
  const keys = ins.slice(0, numKeys).map((d, i) => numericKey(d, infos[i].dtype));
  const perm = new Array<number>(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let j = 0; j < n; j++) perm[j] = base + j * inner;
      perm.sort((a, b) => {
        for (const k of keys) {
          const x = k[a];
          const y = k[b];
          if (x < y) return -1;
          if (x > y) return 1;
          if (x === y) continue;
          // Unordered: at least one NaN; NaNs are equal to each other and after numbers.
          const xn = Number.isNaN(x);
          const yn = Number.isNaN(y);
          if (xn !== yn) return xn ? 1 : -1;
        }
        return 0;
      });
      for (let t = 0; t < ins.length; t++) {
        const src = ins[t];
        const dst = outs[t];
        for (let j = 0; j < n; j++) dst[base + j * inner] = src[perm[j]];
      }
    }
  }
};

/**
 * Keys in the IEEE total order, most significant first: an unsigned integer per float whose
 * order is the total order (sign bit set: all bits flipped; clear: sign bit set).
 */
function totalOrderKeys(data: TypedArray, dt: DType): Key[] {
  const n = data.length;
  switch (dt.name) {
    case 'float16': {
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) {
        const b = data[i] as number;
        out[i] = b & 0x8000 ? ~b & 0xffff : b | 0x8000;
      }
      return [out];
    }
    case 'float32': {
      const bits = new Uint32Array(data.buffer, data.byteOffset, n);
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const b = bits[i];
        out[i] = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
      }
      return [out];
    }
    case 'float64': {
      // Little-endian halves: [2i] low word, [2i + 1] high word.
      const bits = new Uint32Array(data.buffer, data.byteOffset, 2 * n);
      const hi = new Uint32Array(n);
      const lo = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const h = bits[2 * i + 1];
        const l = bits[2 * i];
        const neg = (h & 0x80000000) !== 0;
        hi[i] = neg ? ~h >>> 0 : (h | 0x80000000) >>> 0;
        lo[i] = neg ? ~l >>> 0 : l;
      }
      return [hi, lo];
    }
    default:
      return [data as Key];
  }
}

const topKKernel: LibKernelImpl = (ins, outs, params, infos) => {
  const shape = params.shape as number[];
  const k = params.k as number;
  const { outer, n, inner } = lineGeometry(shape, params.axis as number);
  const src = ins[0];
  const [vals, idxs] = outs;
  const keys = totalOrderKeys(src, infos[0].dtype);
  const perm = new Array<number>(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let j = 0; j < n; j++) perm[j] = j;
      perm.sort((a, b) => {
        const pa = base + a * inner;
        const pb = base + b * inner;
        for (const key of keys) {
          const x = key[pa];
          const y = key[pb];
          if (x > y) return -1;
          if (x < y) return 1;
        }
        return a - b;
      });
      const obase = o * k * inner + i;
      for (let j = 0; j < k; j++) {
        vals[obase + j * inner] = src[base + perm[j] * inner];
        idxs[obase + j * inner] = perm[j];
      }
    }
  }
};

registerLibKernel('sort', sortKernel);
registerLibKernel('top_k', topKKernel);
