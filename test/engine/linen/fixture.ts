/**
 * @file Shared by the linen tests: fixtures/linen.json (made by fixtures/make_linen.py with flax
 * 0.12.8 and JAX 0.10.2), variables rebuilt from its flattened form, and comparisons.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { numpy as jnp, linen, type Value } from '../../../src/engine/index.js';

export const fx = JSON.parse(readFileSync(new URL('../../../fixtures/linen.json', import.meta.url), 'utf8'));

/** A flattened variable as the fixture stores it. */
export interface FlatVar {
  dtype: string;
  shape: number[];
  value: unknown;
}

/** Variables from the fixture's `{'params/Dense_0/kernel': {dtype, shape, value}}`. */
export function varsFrom(flat: Record<string, FlatVar>): linen.Variables {
  const m = new Map<string, Value>();
  for (const [k, v] of Object.entries(flat)) m.set(k, jnp.array(v.value, { dtype: v.dtype }));
  return linen.unflattenDict(m);
}

export function input(values: unknown, dtype = 'float32'): Value {
  return jnp.array(values, { dtype });
}

/** Elementwise |got - want| <= tol * max(1, |want|). */
export function closeTo(got: unknown, want: unknown, tol: number, what = ''): void {
  const g = [got].flat(8) as number[];
  const w = [want].flat(8) as number[];
  expect(g.length, what).toBe(w.length);
  for (let i = 0; i < g.length; i++) {
    const bound = tol * Math.max(1, Math.abs(w[i]));
    if (!(Math.abs(g[i] - w[i]) <= bound)) expect(g[i], `${what}[${i}] (tolerance ${bound})`).toBe(w[i]);
  }
}

export async function expectArray(got: Value, want: unknown, tol: number, what = ''): Promise<void> {
  closeTo(await jnp.astype(got, 'float32').tolist(), want, tol, what);
}

/**
 * The variables equal flax's: the same paths in the same creation order (unless `ordered` is false:
 * jit's outputs come back with sorted keys, as JAX's pytrees sort dict keys), dtypes, shapes, values.
 */
export async function expectVars(
  got: linen.Variables,
  want: Record<string, FlatVar>,
  tol = 2e-6,
  ordered = true,
): Promise<void> {
  const flat = linen.flattenDict(got);
  if (ordered) expect([...flat.keys()]).toEqual(Object.keys(want));
  else expect([...flat.keys()].sort()).toEqual(Object.keys(want).sort());
  for (const [k, w] of Object.entries(want)) {
    const v = jnp.asarray(flat.get(k));
    expect(v.dtype.name, k).toBe(w.dtype);
    expect(v.shape, k).toEqual(w.shape);
    await expectArray(v, w.value, w.dtype === 'float16' ? 1e-3 : tol, k);
  }
}

/** The fixture's error class and message for `label` are what `f` throws. */
export function expectFlaxError(f: () => unknown, label: string): void {
  const [cls, msg] = fx.linen_errors[label] as [string, string];
  let err: Error | null = null;
  try {
    f();
  } catch (e) {
    err = e as Error;
  }
  expect(err, label).not.toBeNull();
  expect(err!.name, label).toBe(cls);
  expect(err!.message, label).toBe(msg);
}

/** The fixtures' MLP: [Dense, BatchNorm, relu, Dropout] blocks, then a Dense head. */
export class MLP extends linen.Module {
  constructor(
    readonly features: number[],
    opts?: linen.ModuleOptions,
  ) {
    super(opts);
  }

  call(x: Value, { train }: { train: boolean }): Value {
    for (const f of this.features.slice(0, -1)) {
      x = new linen.Dense(f).call(x);
      x = new linen.BatchNorm({ useRunningAverage: !train }).call(x);
      x = linen.relu(x);
      x = new linen.Dropout(0.2, { deterministic: !train }).call(x);
    }
    return new linen.Dense(this.features[this.features.length - 1]).call(x);
  }
}
