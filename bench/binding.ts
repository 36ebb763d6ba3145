/**
 * @file The argument binder's cost (src/engine/signature): first the binder alone, wrapping a
 * function that does nothing under real signatures (so the figure is the binder's, free of dispatch
 * noise), then eager dispatch of the same calls through the public, bound namespace and through the
 * raw functions the engine uses, side by side in one run (medians of interleaved rounds), on
 * 1-element arrays where dispatch is all there is.
 *
 * Run: npx tsx bench/binding.ts
 */
import { numpy as jnp, type Value } from '../src/engine/index.js';
import * as raw from '../src/engine/numpy/namespace.js';
import { bindFunction } from '../src/engine/signature/index.js';

const x = jnp.ones([1]);
const m = jnp.ones([2, 2]);

const cases: [string, () => unknown, () => unknown][] = [
  ['add(x, x)', () => jnp.add(x, x), () => raw.add(x, x)],
  ['sin(x)', () => jnp.sin(x), () => raw.sin(x)],
  ['sum(m)', () => jnp.sum(m), () => raw.sum(m)],
  ['sum(m, {axis: 0})', () => jnp.sum(m, { axis: 0 }), () => raw.sum(m, { axis: 0 })],
  ['x.add(x) (method)', () => (x as Value).add(x), () => raw.add(x, x)],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function perCall(f: () => unknown, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  return ((performance.now() - t0) / n) * 1000;
}

// The binder alone: a no-op under numpy.add's, numpy.sum's and random.normal's signatures.
const noop = (..._a: unknown[]) => undefined;
const alone: [string, () => unknown][] = [
  ['add(x, x)', () => bindFunction('numpy.add', noop)],
  ['sum(m)', () => bindFunction('numpy.sum', noop)],
  ['sum(m, {axis: 0})', () => bindFunction('numpy.sum', noop)],
];
console.log('binder alone (ns per call, wrapper around a no-op)');
for (const [name, make] of alone) {
  const f = make() as (...a: unknown[]) => unknown;
  const args: unknown[] = name.startsWith('add') ? [x, x] : name.includes('axis') ? [m, { axis: 0 }] : [m];
  const call = () => f(...args);
  const base = () => noop(...args);
  const ns = (g: () => unknown) => {
    const t: number[] = [];
    for (let r = 0; r < 9; r++) t.push(perCall(g, 200_000) * 1000);
    return median(t);
  };
  ns(call);
  ns(base);
  console.log(`  ${name.padEnd(22)} ${(ns(call) - ns(base)).toFixed(0).padStart(5)} ns`);
}

const N = 3000;
const ROUNDS = 15;
console.log('call                     bound us   raw us   overhead');
for (const [name, bound, unbound] of cases) {
  perCall(bound, N);
  perCall(unbound, N);
  const b: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    b.push(perCall(bound, N));
    r.push(perCall(unbound, N));
  }
  const [mb, mr] = [median(b), median(r)];
  console.log(
    `${name.padEnd(24)} ${mb.toFixed(2).padStart(8)} ${mr.toFixed(2).padStart(8)} ${(mb - mr).toFixed(2).padStart(8)} us (${(((mb - mr) / mr) * 100).toFixed(1)}%)`,
  );
}
