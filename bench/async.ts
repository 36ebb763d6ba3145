/**
 * @file Asynchronous dispatch on the CPU (issue 11): host work overlapped with a large
 * computation. A step is a jitted 512x512 float32 computation (eight matmul + tanh layers) and a
 * stretch of host work of about the same length (a JavaScript loop); with dispatch synchronous
 * (setCpuAsync(false), as before) they run one after the other, with it asynchronous the call
 * returns at once and the host work runs while the executor computes. Also a chain of 8 dependent
 * jitted calls: how long dispatching them takes, and the whole chain. Round by round, medians.
 *
 * Run: npx tsx bench/async.ts
 */
import { setCpuAsync } from '../src/engine/backends/cpu/executor.js';
import type { Value } from '../src/engine/index.js';
import { jit, numpy as jnp, random } from '../src/engine/index.js';
import { alternate, inProcess, loadNote, median, medians } from './rounds.js';

const ROUNDS = Number(process.env.TJAX_BENCH_ROUNDS ?? 9);

const x = random.normal(random.key(0), [512, 512]);
const f = jit((a: Value) => {
  let y = a;
  for (let i = 0; i < 8; i++) y = jnp.tanh(jnp.matmul(y, a).mul(0.01));
  return y;
});
await f(x).blockUntilReady();

/** Host work: a loop of `n` iterations the engine has no part in. */
function hostWork(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + Math.sqrt(i)) % 1e9;
  return s;
}

// Host work as long as the computation (measured synchronously, by the clock).
setCpuAsync(false);
const computeTimes: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  await f(x).blockUntilReady();
  computeTimes.push(performance.now() - t0);
}
const tCompute = median(computeTimes);
let n = 1 << 20;
for (;;) {
  const t0 = performance.now();
  hostWork(n);
  if (performance.now() - t0 >= tCompute || n > 1 << 30) break;
  n *= 2;
}

const step = (on: boolean) =>
  inProcess(async () => {
    setCpuAsync(on);
    try {
      const y = f(x);
      hostWork(n);
      await y.blockUntilReady();
    } finally {
      setCpuAsync(null);
    }
  });

const dispatchTimes: Record<string, number[]> = { sync: [], async: [] };
const chain = (on: boolean) =>
  inProcess(async () => {
    setCpuAsync(on);
    try {
      const t0 = performance.now();
      let y = x;
      for (let i = 0; i < 8; i++) y = f(y);
      dispatchTimes[on ? 'async' : 'sync'].push(performance.now() - t0);
      await y.blockUntilReady();
    } finally {
      setCpuAsync(null);
    }
  });

const before = loadNote();
const res = await alternate(
  {
    'overlap sync': step(false),
    'overlap async': step(true),
    'chain sync': chain(false),
    'chain async': chain(true),
  },
  ROUNDS,
);
console.log(
  `host work overlapped with a jitted computation (~${tCompute.toFixed(0)} ms each); medians of ${ROUNDS} rounds`,
);
console.log(`${before}; after: ${loadNote()}`);
for (const [name, ts] of Object.entries(res)) {
  const t = medians(ts);
  console.log(`  ${name.padEnd(14)} ${t.wall.toFixed(1).padStart(8)} ms, CPU ${t.cpu.toFixed(1)} ms`);
}
const ratio = medians(res['overlap async']).wall / medians(res['overlap sync']).wall;
console.log(`  computation + host work: async takes ${ratio.toFixed(2)}x the synchronous time`);
console.log(
  `  dispatching the chain of 8 calls: ${median(dispatchTimes.sync).toFixed(1)} ms synchronous, ${median(dispatchTimes.async).toFixed(2)} ms asynchronous`,
);
