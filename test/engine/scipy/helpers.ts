/**
 * @file Shared helpers of the scipy tests: the fixture (fixtures/scipy.json, written by
 * fixtures/make_scipy.py from SciPy and JAX 0.10.2) and ulp distances.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fx = JSON.parse(readFileSync(join(root, 'fixtures', 'scipy.json'), 'utf8'));

export const dec = (l: (number | string)[]): number[] =>
  l.map((v) =>
    v === 'nan'
      ? Number.NaN
      : v === 'inf'
        ? Number.POSITIVE_INFINITY
        : v === '-inf'
          ? Number.NEGATIVE_INFINITY
          : (v as number),
  );

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
function ord32(x: number): number {
  f32[0] = x;
  return i32[0] < 0 ? -(i32[0] & 0x7fffffff) : i32[0];
}
function ord64(x: number): bigint {
  f64[0] = x;
  return i64[0] < 0n ? -(i64[0] & 0x7fffffffffffffffn) : i64[0];
}

/**
 * Distance in ulps of the dtype between `got` and the float64 reference rounded to the dtype.
 * Non-finite references must match exactly (0 or Infinity); references below the smallest normal
 * (XLA flushes them, SciPy does not) only need to be tiny.
 */
export function ulps(got: number, ref: number, is64 = false): number {
  const r = is64 ? ref : Math.fround(ref);
  if (Number.isNaN(r)) return Number.isNaN(got) ? 0 : Number.POSITIVE_INFINITY;
  if (!Number.isFinite(r)) return got === r ? 0 : Number.POSITIVE_INFINITY;
  if (Number.isNaN(got)) return Number.POSITIVE_INFINITY;
  const tiny = is64 ? 2.2250738585072014e-308 : 1.1754943508222875e-38;
  if (Math.abs(r) < tiny) return Math.abs(got) < tiny * 2 ? 0 : Number.POSITIVE_INFINITY;
  if (is64) {
    const d = ord64(got) - ord64(r);
    return Number(d < 0n ? -d : d);
  }
  return Math.abs(ord32(got) - ord32(r));
}

export function maxUlps(got: ArrayLike<number>, ref: number[], is64 = false, skip?: (i: number) => boolean) {
  let m = 0;
  let at = -1;
  for (let i = 0; i < ref.length; i++) {
    if (skip?.(i)) continue;
    const u = ulps(got[i], ref[i], is64);
    if (u > m) {
      m = u;
      at = i;
    }
  }
  return { max: m, at };
}
