/**
 * @file Dispatch overhead on the CPU: an eager op on a 1-element array and a cached jitted call on
 * one, timed in batches of 2000 calls (each call's result read only at the end of its batch, as a
 * program that keeps dispatching would), by the clock and by CPU time per call (which moves less
 * when other work shares the cores). Medians of 15 batches, and the best batch's CPU time (the
 * least disturbed by other work and by garbage collection); with asynchronous dispatch (the
 * default: a light call on ready inputs still runs at once, after the executor check) and
 * synchronous, twice each in turn.
 *
 * Run: npx tsx bench/dispatch.ts
 */
import { setCpuAsync } from '../src/engine/backends/cpu/executor.js';
import type { Value } from '../src/engine/index.js';
import { jit, numpy as jnp } from '../src/engine/index.js';
import { loadNote, median } from './rounds.js';

const INNER = 2000;
const ROUNDS = 15;

function perCall(f: () => unknown): { wall: number; cpu: number; best: number } {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < 200; i++) f();
  for (let r = 0; r < ROUNDS; r++) {
    const u0 = process.cpuUsage();
    const t0 = performance.now();
    let last: unknown;
    for (let i = 0; i < INNER; i++) last = f();
    (last as { dataSync(): unknown }).dataSync();
    walls.push(((performance.now() - t0) / INNER) * 1000);
    const u = process.cpuUsage(u0);
    cpus.push((u.user + u.system) / INNER);
  }
  return { wall: median(walls), cpu: median(cpus), best: Math.min(...cpus) };
}

const one = jnp.ones([1]);
const cached = jit((x: Value) => x.add(1));
console.log(loadNote());
const fmt = (t: { wall: number; cpu: number; best: number }) =>
  `${t.wall.toFixed(2)} us (CPU ${t.cpu.toFixed(2)} us, best batch ${t.best.toFixed(2)} us)`;
// Asynchronous dispatch (the default) and synchronous (TJAX_CPU_ASYNC=0), one after the other.
for (const on of [true, false, true, false]) {
  setCpuAsync(on);
  const mode = on ? 'async' : 'sync ';
  console.log(`${mode} eager op dispatch (add, 1 element):    ${fmt(perCall(() => jnp.add(one, one)))}`);
  console.log(`${mode} jitted call overhead (cached, 1 elem): ${fmt(perCall(() => cached(one)))}`);
}
setCpuAsync(null);
