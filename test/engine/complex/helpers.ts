/**
 * @file Shared helpers of the complex-number tests: the JAX-made fixtures under fixtures/complex/
 * (fixtures/make_complex.py and make_fft.py, JAX 0.10.2), decoding their [re, im] pairs, and
 * comparing engine arrays with them to a tolerance scaled by the data's magnitude.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { complex, numpy as jnp, type Value } from '../../../src/engine/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(root, 'fixtures', 'complex', name), 'utf8')) as T;
}

export const fixturePath = (...parts: string[]) => join(root, 'fixtures', 'complex', ...parts);

/** The numbers of a host typed array (BigInt arrays included in the type). */
export const nums = (t: ArrayLike<number | bigint>): number[] => Array.from(t, Number);

/** A fixture number: NaN and infinities are strings there. */
export function num(v: number | string): number {
  if (v === 'nan') return Number.NaN;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  return v as number;
}

export interface FixtureArray {
  dtype: string;
  shape: number[];
  value: unknown;
}

/** The flat numbers of a fixture array in storage order ([re, im] pairs stay interleaved). */
export function flat(v: unknown): number[] {
  const out: number[] = [];
  const go = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(go);
    else out.push(typeof x === 'boolean' ? Number(x) : num(x as number | string));
  };
  go(v);
  return out;
}

/** An engine array of a fixture's complex64 data ([re, im] pairs, shape without the pair axis). */
export function complexArray(pairs: unknown, dtype = 'complex64'): Value {
  const f = flat(pairs);
  const shape: number[] = [];
  let probe: unknown = pairs;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  shape.pop();
  const items = [];
  for (let i = 0; i < f.length; i += 2) items.push(complex(f[i], f[i + 1]));
  return jnp.array(items, { dtype }).reshape(shape);
}

/** Compare an engine array with a fixture array: dtype, shape, values within atol + rtol |expected|. */
export async function expectClose(
  x: Value,
  want: FixtureArray,
  opts: { rtol?: number; atol?: number; scale?: boolean } = {},
): Promise<void> {
  expect(x.dtype.name).toBe(want.dtype);
  expect(x.shape).toEqual(want.shape);
  const got = Array.from((await (x as any).data()) as ArrayLike<number | bigint>, Number);
  const exp = flat(want.value);
  expect(got.length).toBe(exp.length);
  const rtol = opts.rtol ?? 1e-5;
  let atol = opts.atol ?? 1e-6;
  // Transforms and products: errors scale with the largest magnitude, not each element's.
  if (opts.scale) atol = Math.max(atol, rtol * Math.max(0, ...exp.filter(Number.isFinite).map(Math.abs)));
  const bad: string[] = [];
  exp.forEach((e, i) => {
    const g = got[i];
    if (Number.isNaN(e) || Number.isNaN(g)) {
      if (!(Number.isNaN(e) && Number.isNaN(g))) bad.push(`[${i}] ${g} != ${e}`);
    } else if (!Number.isFinite(e) || !Number.isFinite(g)) {
      if (e !== g) bad.push(`[${i}] ${g} != ${e}`);
    } else if (Math.abs(g - e) > atol + rtol * Math.abs(e)) bad.push(`[${i}] ${g} != ${e}`);
  });
  expect(bad.slice(0, 8)).toEqual([]);
}
