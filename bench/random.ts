/**
 * @file Random-number benchmarks (issue 4): 10M float32 uniforms and normals from
 * `random.uniform` / `random.normal` (threefry2x32, JAX's partitionable layout, jitted so bits,
 * the float conversion and erf_inv fuse into one kernel) next to NumPy's
 * `default_rng().random(n, dtype=float32)` / `standard_normal(n, dtype=float32)` measured in the
 * same run (and JAX's jitted samplers when the interpreter has JAX). Medians; every timing waits
 * for results. On the CPU the fused kernel runs as WebAssembly SIMD (backends/cpu/wasm/simd.ts).
 *
 * Run: npx tsx bench/random.ts   (python3 with numpy is used for the NumPy column when present;
 * TJAX_BENCH_PYTHON picks another interpreter, e.g. a virtualenv with jax for the JAX column)
 */
import { execFileSync } from 'node:child_process';
import type { Array as TArray } from '../src/engine/index.js';
import { jit, random } from '../src/engine/index.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(f: () => Promise<unknown>, repeat: number): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

const n = 10_000_000;
const key = random.key(0);
const uni = jit((k: random.PRNGKeyArray) => random.uniform(k, [n]));
const nor = jit((k: random.PRNGKeyArray) => random.normal(k, [n]));
const bitsF = jit((k: random.PRNGKeyArray) => random.bits(k, [n]));
// Each result is released once read, as Python's reference counting frees JAX's (else every call's
// 40 MB output is fresh memory, a page fault per 4 KiB, until a garbage collection).
const bitsMs = await time(async () => (await (bitsF(key) as TArray).blockUntilReady()).dispose(), 5);
const uniMs = await time(async () => (await (uni(key) as TArray).blockUntilReady()).dispose(), 5);
const norMs = await time(async () => (await (nor(key) as TArray).blockUntilReady()).dispose(), 5);

// NumPy (and JAX, when the interpreter has it: TJAX_BENCH_PYTHON=/path/to/python) in one run.
const python = process.env.TJAX_BENCH_PYTHON ?? 'python3';
let np: { u: number; n: number } | null = null;
let jx: { u: number; n: number } | null = null;
try {
  const py = `
import numpy as np, time
g = np.random.default_rng(0)
def med(f):
    ts = []
    for _ in range(6):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return sorted(ts[1:])[len(ts[1:]) // 2] * 1000
print(med(lambda: g.random(${n}, dtype=np.float32)), med(lambda: g.standard_normal(${n}, dtype=np.float32)))
try:
    import jax
    k = jax.random.key(0)
    u = jax.jit(lambda k: jax.random.uniform(k, (${n},)))
    z = jax.jit(lambda k: jax.random.normal(k, (${n},)))
    print(med(lambda: u(k).block_until_ready()), med(lambda: z(k).block_until_ready()))
except ImportError:
    pass
`;
  const lines = execFileSync(python, ['-c', py], { encoding: 'utf8' }).trim().split('\n');
  const pair = (l: string) => {
    const [u, m] = l.trim().split(/\s+/).map(Number);
    return { u, n: m };
  };
  np = pair(lines[0]);
  if (lines[1]) jx = pair(lines[1]);
} catch {
  np = null;
}

const rate = (ms: number) => `${((n / ms) * 1e-3).toFixed(1)} M/s`;
console.log(`random.bits, 10M uint32:        ${bitsMs.toFixed(1)} ms  (${rate(bitsMs)})`);
console.log(`random.uniform, 10M float32:    ${uniMs.toFixed(1)} ms  (${rate(uniMs)})`);
console.log(`random.normal, 10M float32:     ${norMs.toFixed(1)} ms  (${rate(norMs)})`);
if (np) {
  console.log(`numpy rng.random, 10M float32:  ${np.u.toFixed(1)} ms  (${rate(np.u)})`);
  console.log(`numpy standard_normal, 10M f32: ${np.n.toFixed(1)} ms  (${rate(np.n)})`);
  if (jx) {
    console.log(`jax jit uniform, 10M float32:   ${jx.u.toFixed(1)} ms  (${rate(jx.u)})`);
    console.log(`jax jit normal, 10M float32:    ${jx.n.toFixed(1)} ms  (${rate(jx.n)})`);
  }
  console.log(
    `ratio tjax/numpy: uniform ${(uniMs / np.u).toFixed(2)}x, normal ${(norMs / np.n).toFixed(2)}x`,
  );
} else {
  console.log('numpy: not available (python3 with numpy not found)');
}
