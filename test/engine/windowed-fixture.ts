/**
 * @file The JAX/flax fixture of the windowed reductions (fixtures/windowed.json, written by
 * fixtures/make_windowed.py) and what the tests need to replay it: arrays with the fixture's exact
 * bits, the computations and pooling functions the Python script named, and a comparison that
 * is exact where JAX's result is (max, min, integers, selections) and float32-close for sums,
 * whose rounding order differs (XLA adds in float32 in window order; tjax's reduce kernel adds in
 * double and rounds once).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { h2f } from '../../src/engine/backends/cpu/runtime.js';
import { toDType, typedArrayFor } from '../../src/engine/core/dtype.js';
import type { Value } from '../../src/engine/index.js';
import { numpy as jnp, lax, linen } from '../../src/engine/index.js';
import { convertElementType } from '../../src/engine/lax/convert.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FX = JSON.parse(readFileSync(join(root, 'fixtures', 'windowed.json'), 'utf8'));

export interface Described {
  dtype: string;
  shape: number[];
  hex: string;
}

export type Init = { py: number | string } | { array: Described };

export interface WindowCase {
  name: string;
  x: Described[];
  init: Init[];
  computation: string;
  window_dimensions: number[];
  window_strides: number[] | null;
  padding: string | [number, number][];
  base_dilation: number[] | null;
  window_dilation: number[] | null;
  primitive: string;
  out: Described[];
}

export interface SelectCase {
  name: string;
  prim: 'select_and_scatter_add' | 'select_and_gather_add';
  select_prim: 'ge' | 'le';
  a: Described;
  x: Described;
  params: Record<string, unknown>;
  out: Described;
}

export interface GradCase {
  name: string;
  fn: string;
  x: Described;
  w: Described;
  t: Described;
  kw: Record<string, unknown>;
  grad: Described;
  jvp: Described;
}

const UINT_FOR: Record<number, string> = { 1: 'uint8', 2: 'uint16', 4: 'uint32' };

function bytesOf(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The host storage of a described array (float16 as bits, bool as 0/1 bytes). */
export function storage(d: Described) {
  const dt = toDType(d.dtype);
  const n = d.shape.reduce((a, b) => a * b, 1);
  const t = typedArrayFor(dt, n);
  new Uint8Array(t.buffer, t.byteOffset, t.byteLength).set(bytesOf(d.hex));
  return t;
}

/** The described values as JS numbers (float16 decoded). */
export function values(d: Described): number[] {
  const t = storage(d) as ArrayLike<number>;
  return Array.from(t, (v) => (d.dtype === 'float16' ? h2f(v) : Number(v)));
}

/** A tjax array with exactly the described bits (floats are bitcast from their bit patterns). */
export function build(d: Described): Value {
  const dt = toDType(d.dtype);
  const t = storage(d);
  let x: Value;
  if (dt.isFloat) {
    const Bits = typedArrayFor(toDType(UINT_FOR[dt.itemsize]), 0).constructor as any;
    const bits = new Bits(t.buffer, t.byteOffset, t.length);
    x = lax.bitcastConvertType(jnp.array(bits, { dtype: UINT_FOR[dt.itemsize] }), dt);
  } else x = jnp.array(t, { dtype: dt });
  return lax.reshape(x, d.shape);
}

/** A Python float is a weakly typed float32 scalar in JAX. */
export function pyFloat(v: number): Value {
  return convertElementType(jnp.array(v, { dtype: 'float32' }), 'float32', true);
}

/** JSON has no infinities: the script writes them as the strings 'inf' and '-inf'. */
function pyNumber(v: unknown): number {
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(v);
}

export function initOf(i: Init): Value {
  return 'py' in i ? pyFloat(pyNumber(i.py)) : build(i.array);
}

type Binary = (a: any, b: any) => any;
export const COMPUTATIONS: Record<string, Binary> = {
  add: lax.add,
  max: lax.max,
  min: lax.min,
  mul: lax.mul,
  horner: (a, b) => jnp.add(jnp.multiply(a, 2), b),
  logaddexp: (a, b) => jnp.logaddexp(a, b),
  sub: lax.sub,
  pair_max_add: (a, b) => [lax.max(a[0], b[0]), lax.add(a[1], b[1])],
  pair_argmax: (a, b) => {
    const which = jnp.greater_equal(a[0], b[0]);
    return [lax.select(which, a[0], b[0]), lax.select(which, a[1], b[1])];
  },
};

/** lax.reduceWindow for a fixture case (one operand, or a tuple of them). */
export function runWindow(c: WindowCase, xs: Value[], inits: Value[]): Value[] {
  const op = xs.length > 1 ? xs : xs[0];
  const init = inits.length > 1 ? inits : inits[0];
  const out = lax.reduceWindow(
    op,
    init,
    COMPUTATIONS[c.computation],
    c.window_dimensions,
    c.window_strides,
    c.padding,
    c.base_dilation,
    c.window_dilation,
  );
  return Array.isArray(out) ? out : [out];
}

function poolKw(kw: Record<string, any>) {
  return {
    strides: kw.strides ?? null,
    padding: kw.padding ?? 'VALID',
    countIncludePad: kw.count_include_pad,
  };
}

/** The pooling functions the script names, with its keyword arguments. */
export function callPool(fn: string, x: Value, kw: Record<string, any>): Value {
  switch (fn) {
    case 'max_pool':
      return linen.maxPool(x, kw.window_shape, poolKw(kw));
    case 'min_pool':
      return linen.minPool(x, kw.window_shape, poolKw(kw));
    case 'avg_pool':
      return linen.avgPool(x, kw.window_shape, poolKw(kw));
    case 'reduce_window':
      return lax.reduceWindow(
        x,
        pyFloat(pyNumber(kw.init)),
        COMPUTATIONS[kw.computation],
        kw.dims,
        kw.strides ?? null,
        kw.padding ?? 'VALID',
        kw.base ?? null,
        kw.wdil ?? null,
      );
  }
  throw new Error(`unknown pooling function ${fn}`);
}

/**
 * Compare an array with a described one: dtype and shape, then values (NaN equals NaN; -0.0 and
 * 0.0 differ when exact) exactly, or within `rtol` relative (and `rtol` absolute) error.
 */
export async function expectMatches(got: Value, want: Described, label: string, rtol = 0): Promise<void> {
  expect(got.dtype.name, label).toBe(want.dtype);
  expect([...got.shape], label).toEqual(want.shape);
  const g = Array.from((await got.data()) as ArrayLike<number>, (v) =>
    want.dtype === 'float16' ? h2f(v) : Number(v),
  );
  const w = values(want);
  const bad: string[] = [];
  for (let i = 0; i < w.length; i++) {
    const [a, b] = [g[i], w[i]];
    const same = Number.isNaN(b)
      ? Number.isNaN(a)
      : rtol === 0
        ? Object.is(a, b)
        : a === b || Math.abs(a - b) <= rtol * (1 + Math.abs(b));
    if (!same) bad.push(`[${i}] ${a} vs ${b}`);
  }
  expect(bad.slice(0, 8), label).toEqual([]);
}
