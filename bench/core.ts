/**
 * @file Engine-core benchmarks (issue: foundation): eager dispatch overhead on a 1-element array,
 * jitted-call overhead on a cached function, and jit(x => sin(x)*2+1) on 10M float32 next to
 * the same expression in NumPy, measured in the same run. Medians; every timing waits for results.
 *
 * Run: npx tsx bench/core.ts   (python3 with numpy is used for the NumPy column when present)
 */
import { execFileSync } from 'node:child_process';
import type { Array as TArray, Value } from '../src/engine/index.js';
import { jit, numpy as jnp } from '../src/engine/index.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeEach(f: () => Promise<unknown> | unknown, repeat: number, inner = 1): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) await f();
    ts.push((performance.now() - t0) / inner);
  }
  return median(ts);
}

const one = jnp.ones([1]);
const eagerUs = (await timeEach(() => jnp.add(one, one), 15, 2000)) * 1000;
const cached = jit((x: Value) => x.add(1));
cached(one);
const jitUs = (await timeEach(() => cached(one), 15, 2000)) * 1000;

const n = 10_000_000;
const x = jnp.linspace(-3, 3, n) as TArray;
const f = jit((v: Value) => jnp.sin(v).mul(2).add(1));
const jitMs = await timeEach(async () => {
  await (f(x) as TArray).blockUntilReady();
}, 7);

let numpyMs: number | null = null;
try {
  const py = `
import numpy as np, time
x = np.linspace(-3, 3, ${n}, dtype=np.float32)
ts = []
for _ in range(8):
    t0 = time.perf_counter(); y = np.sin(x) * np.float32(2) + np.float32(1); ts.append(time.perf_counter() - t0)
print(sorted(ts[1:])[len(ts[1:]) // 2] * 1000)
`;
  numpyMs = Number(execFileSync('python3', ['-c', py], { encoding: 'utf8' }).trim());
} catch {
  numpyMs = null;
}

console.log(`eager op dispatch (add, 1 element):   ${eagerUs.toFixed(1)} us`);
console.log(`jitted call overhead (cached, 1 elem): ${jitUs.toFixed(1)} us`);
console.log(
  `jit(sin(x)*2+1), 10M float32:          ${jitMs.toFixed(1)} ms  (${((8 * n) / (jitMs * 1e6)).toFixed(2)} GB/s)`,
);
if (numpyMs !== null) {
  console.log(
    `numpy sin(x)*2+1, 10M float32:         ${numpyMs.toFixed(1)} ms  (${((8 * n) / (numpyMs * 1e6)).toFixed(2)} GB/s)`,
  );
  console.log(`ratio tjax/numpy:                      ${(jitMs / numpyMs).toFixed(2)}x`);
} else {
  console.log('numpy: not available (python3 with numpy not found)');
}
