/**
 * @file Shared by the optax tests: fixtures/optax.json (made by fixtures/make_optax.py with optax 0.2.8 and
 * JAX 0.10.2), its pytrees turned into arrays, and a comparison of pytrees of arrays against it that also
 * checks dtypes and structure (state field names, MaskedNode, empty states).
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { numpy as jnp, optax, type Value } from '../../../src/engine/index.js';

export const fx = JSON.parse(readFileSync(new URL('../../../fixtures/optax.json', import.meta.url), 'utf8'));

const num = (v: unknown): unknown =>
  v === 'nan'
    ? Number.NaN
    : v === 'inf'
      ? Number.POSITIVE_INFINITY
      : v === '-inf'
        ? Number.NEGATIVE_INFINITY
        : v;
const decode = (d: unknown): unknown => (Array.isArray(d) ? d.map(decode) : num(d));

/** Plain nested lists with the fixture's 'nan' / 'inf' strings as numbers. */
export function plain(d: unknown): any {
  return decode(d);
}

function isArrayJson(t: unknown): t is { dtype: string; data: unknown } {
  return typeof t === 'object' && t !== null && !Array.isArray(t) && 'dtype' in t && 'data' in t;
}

/** A fixture pytree ({dtype, data} leaves) as a pytree of arrays. */
export function fromJson(t: any): any {
  if (t === 'MaskedNode') return new optax.MaskedNode();
  if (isArrayJson(t)) return jnp.array(decode(t.data), { dtype: t.dtype });
  if (Array.isArray(t)) return t.map(fromJson);
  if (t && typeof t === 'object')
    return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, fromJson(v)]));
  return t;
}

/** |got - want| <= atol + rtol * |want| for every element, NaN matching NaN; returns the largest ratio. */
export function closeTo(got: unknown, want: unknown, rtol: number, atol: number, path: string): number {
  if (Array.isArray(want)) {
    expect(Array.isArray(got), `${path}: expected a list`).toBe(true);
    expect((got as unknown[]).length, `${path}: length`).toBe(want.length);
    return want.reduce(
      (m: number, w, i) => Math.max(m, closeTo((got as unknown[])[i], w, rtol, atol, `${path}[${i}]`)),
      0,
    );
  }
  const w = num(want) as number | boolean;
  const g = got as number | boolean;
  if (typeof w === 'boolean' || typeof g === 'boolean') {
    expect(g, path).toBe(w);
    return 0;
  }
  if (Number.isNaN(w)) {
    expect(Number.isNaN(g), `${path}: expected NaN, got ${g}`).toBe(true);
    return 0;
  }
  if (!Number.isFinite(w)) {
    expect(g, path).toBe(w);
    return 0;
  }
  const err = Math.abs(g - w);
  const bound = atol + rtol * Math.abs(w);
  if (!(err <= bound)) expect.fail(`${path}: got ${g}, want ${w} (|diff| ${err} > ${bound})`);
  return bound > 0 ? err / bound : 0;
}

export interface Tolerance {
  rtol: number;
  atol: number;
  /** Adds scale * max |want| over the leaf to atol: errors relative to the leaf's magnitude. */
  scale?: number;
}

function maxAbs(d: unknown): number {
  if (Array.isArray(d)) return d.reduce((m: number, x) => Math.max(m, maxAbs(x)), 0);
  const v = num(d);
  return typeof v === 'number' && Number.isFinite(v) ? Math.abs(v) : 0;
}

/**
 * Compares a pytree of arrays with a fixture pytree: same dict keys, list lengths, MaskedNodes and dtypes,
 * values within the tolerance.
 */
export async function expectTree(got: any, want: any, tol: Tolerance, path = ''): Promise<void> {
  if (want === 'MaskedNode') {
    expect(got, path).toBeInstanceOf(optax.MaskedNode);
    return;
  }
  if (isArrayJson(want)) {
    const g = jnp.asarray(got) as Value;
    expect(g.dtype.name, `${path}: dtype`).toBe(want.dtype);
    const atol = tol.atol + (tol.scale ?? 0) * maxAbs(want.data);
    closeTo(await g.tolist(), want.data, tol.rtol, atol, path);
    return;
  }
  if (Array.isArray(want)) {
    expect(Array.isArray(got), `${path}: expected a list`).toBe(true);
    expect(got.length, `${path}: length`).toBe(want.length);
    for (let i = 0; i < want.length; i++) await expectTree(got[i], want[i], tol, `${path}[${i}]`);
    return;
  }
  expect(typeof got, `${path}: expected a dict`).toBe('object');
  expect(Object.keys(got).sort(), `${path}: keys`).toEqual(Object.keys(want).sort());
  for (const k of Object.keys(want)) await expectTree(got[k], want[k], tol, `${path}.${k}`);
}

/** The starting params and the step-t gradients of the fixture. */
export const params0 = (): { b: Value; w: Value } => fromJson(fx.params);
export function gradsAt(t: number, nan = false): { b: Value; w: Value } {
  if (nan)
    return { b: jnp.array(plain(fx.grads_nan.b.data[t])), w: jnp.array(plain(fx.grads_nan.w.data[t])) };
  return { b: jnp.array(fx.grads.b[t]), w: jnp.array(fx.grads.w[t]) };
}
