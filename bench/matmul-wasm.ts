/**
 * @file The WebAssembly tier's matmul (issue 11): wasmGemm's GFLOP/s at 256..2048, float32 and
 * float64, on 1 and 2 threads, next to the SIMD128 ceiling (bench/simd-ceiling.ts) measured in the
 * same run; then 1024x1024 float32 side by side, round after round, with jit(jnp.matmul) in tjax,
 * jax-js 0.1.25 (wasm backend), tfjs-backend-wasm 4.22 (XNNPACK) and JAX (XLA:CPU, the native
 * tier's yardstick). Medians, and ratios taken round by round (the machine is shared).
 *
 * The peers are not dependencies of tjax: install them anywhere and point TJAX_BENCH_PEERS there,
 *   npm install --prefix /tmp/peers @jax-js/jax@0.1.25 @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
 * and TJAX_BENCH_PYTHON at an interpreter with jax for the JAX column.
 *
 * Run: TJAX_BENCH_PEERS=/tmp/peers TJAX_BENCH_PYTHON=/tmp/jaxenv/bin/python npx tsx bench/matmul-wasm.ts
 *      (--quick: sizes up to 1024, fewer rounds)
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setCpuThreads } from '../src/engine/backends/cpu/threads.js';
import { defaultShapes, type GemmOperand, wasmGemm } from '../src/engine/backends/cpu/wasm/gemm.js';
import type { Array as TArray, Value } from '../src/engine/index.js';
import { jit, numpy as jnp } from '../src/engine/index.js';
import { ceilingLoops } from './simd-ceiling.js';

const quick = process.argv.includes('--quick');
const SIZES = quick ? [256, 512, 1024] : [256, 512, 1024, 2048];
const ROUNDS = quick ? 5 : 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const gflops = (n: number, ms: number) => (2 * n ** 3) / (ms * 1e6);

function operand(dtype: 'float32' | 'float64', n: number, seed: number): GemmOperand {
  const bytes = n * n * (dtype === 'float32' ? 4 : 8);
  const sab = new SharedArrayBuffer(bytes);
  const data = dtype === 'float32' ? new Float32Array(sab) : new Float64Array(sab);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 31 - 1;
  }
  return { data, offset: 0, strides: [0, n, 1] };
}

// 1. wasmGemm's rates: by the clock, and per second of CPU time (this process's, all threads),
// which holds still when other work shares the cores: it is the rate while running, and, next to
// the ceiling loop's rate measured the same way round by round, the share of the SIMD units the
// kernel uses. (CPU time leaves out time threads spend waiting on each other, so on 2 threads
// the clock is the measure of parallel speed.)
const loops = await ceilingLoops();
const loop = (what: string) => loops.find((l) => l.what === what);
const shapes = defaultShapes();
const kernel = (s: typeof shapes.f32, lanes: number) =>
  `${s.mr}x${s.nv * lanes} ${s.fma ? 'relaxed_madd' : 'mul+add'}`;
console.log(
  `wasmGemm: float32 kernel ${kernel(shapes.f32, 4)}, float64 ${kernel(shapes.f64, 2)}; medians of rounds`,
);
console.log('  (clock GFLOP/s; CPU-time GFLOP/s per core; that as a share of the ceiling loop per core)');
const CEILING_ITERS = 1_000_000;
for (const dtype of ['float32', 'float64'] as const) {
  const lanes = dtype === 'float32' ? 'f32x4' : 'f64x2';
  const ceilings = [loop(`${lanes} mul+add`), loop(`${lanes} relaxed_madd`)].filter((l) => l !== undefined);
  for (const n of SIZES) {
    const a = operand(dtype, n, 1);
    const b = operand(dtype, n, 2);
    const c = operand(dtype, n, 3);
    const row: string[] = [];
    for (const threads of [1, 2]) {
      setCpuThreads(threads);
      const gemm = () => {
        const t0 = performance.now();
        const u0 = process.cpuUsage();
        wasmGemm(dtype, 1, n, n, n, a, b, c);
        const u = process.cpuUsage(u0);
        return [
          gflops(n, performance.now() - t0),
          (threads * gflops(n, (u.user + u.system) / 1e3)) / threads,
        ];
      };
      for (let i = 0; i < 2; i++) gemm();
      const clock: number[] = [];
      const cpu: number[] = [];
      const shares = ceilings.map(() => [] as number[]);
      const reps = Math.max(3, Math.min(ROUNDS, Math.round(4e9 / (2 * n ** 3))));
      for (let r = 0; r < reps; r++) {
        const [w, u] = gemm();
        clock.push(w);
        cpu.push(u);
        for (const [i, l] of ceilings.entries()) shares[i].push(u / l.oneCpu(CEILING_ITERS));
      }
      const pct = ceilings
        .map((l, i) => `${(100 * median(shares[i])).toFixed(0)}% ${l.what.split(' ')[1]}`)
        .join(', ');
      row.push(
        `${threads}T ${median(clock).toFixed(1).padStart(5)} | ${median(cpu).toFixed(1).padStart(5)} (${pct})`,
      );
    }
    console.log(`  ${dtype} ${String(n).padStart(4)}: ${row.join('   ')}`);
  }
}
setCpuThreads(null);
console.log('SIMD128 ceilings (register-only loops, 12 accumulators), GFLOP/s, this run:');
for (const l of loops) {
  const one = median([1, 2, 3].map(() => l.one(CEILING_ITERS)));
  const two = median([1, 2, 3].map(() => l.two(CEILING_ITERS)));
  console.log(
    `  ${l.what.padEnd(20)} 1 thread ${one.toFixed(1).padStart(6)}   2 threads ${two.toFixed(1).padStart(6)}`,
  );
  l.close();
}

// 2. 1024x1024 float32, side by side.
const N = 1024;
const peersDir = process.env.TJAX_BENCH_PEERS;
type Runner = { name: string; run: () => Promise<unknown> | unknown };
const runners: Runner[] = [];
const x = jnp.ones([N, N]);
const y = jnp.ones([N, N]);
const mm = jit((p: Value, q: Value) => jnp.matmul(p, q));
for (const threads of [2, 1]) {
  runners.push({
    name: `tjax jit(jnp.matmul) ${threads}T`,
    run: () => {
      setCpuThreads(threads);
      return (mm(x, y) as TArray).blockUntilReady();
    },
  });
}
if (peersDir) {
  const req = createRequire(join(peersDir, 'node_modules', 'x.js'));
  try {
    const jax = await import(join(peersDir, 'node_modules/@jax-js/jax/dist/index.js'));
    await jax.init('wasm');
    jax.defaultDevice('wasm');
    const a = jax.numpy.ones([N, N]);
    const b = jax.numpy.ones([N, N]);
    const f = jax.jit((p: unknown, q: unknown) => jax.numpy.matmul(p, q));
    runners.push({
      name: 'jax-js 0.1.25 (wasm)',
      run: async () => {
        // jax-js counts references: pass new ones, drop the result.
        const c = f(a.ref, b.ref);
        await c.blockUntilReady();
        c.dispose();
      },
    });
  } catch (e) {
    console.log(`(jax-js not loaded: ${(e as Error).message})`);
  }
  try {
    const tf = req('@tensorflow/tfjs-core');
    req('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    await tf.ready();
    const a = tf.ones([N, N]);
    const b = tf.ones([N, N]);
    runners.push({
      name: 'tfjs-backend-wasm 4.22',
      run: () => {
        const c = tf.matMul(a, b);
        c.dataSync();
        c.dispose();
      },
    });
  } catch (e) {
    console.log(`(tfjs not loaded: ${(e as Error).message})`);
  }
}
// Clock and CPU time (all threads of this process: jax-js and tfjs-wasm run on one thread here).
const times = runners.map(() => [] as number[]);
const cpus = runners.map(() => [] as number[]);
for (const r of runners) for (let i = 0; i < 3; i++) await r.run();
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, r] of runners.entries()) {
    const t0 = performance.now();
    const u0 = process.cpuUsage();
    await r.run();
    const u = process.cpuUsage(u0);
    times[i].push(performance.now() - t0);
    cpus[i].push((u.user + u.system) / 1e3);
  }
}
setCpuThreads(null);
let jaxMs: number | null = null;
const python = process.env.TJAX_BENCH_PYTHON;
if (python) {
  try {
    const py = `
import jax, jax.numpy as jnp, time
f = jax.jit(lambda a, b: a @ b)
a = jnp.ones((${N}, ${N}), jnp.float32); b = jnp.ones((${N}, ${N}), jnp.float32)
for _ in range(3): f(a, b).block_until_ready()
ts = []
for _ in range(${ROUNDS}):
    t0 = time.perf_counter(); f(a, b).block_until_ready(); ts.append(time.perf_counter() - t0)
print(sorted(ts)[len(ts) // 2] * 1000)`;
    jaxMs = Number(
      execFileSync(python, ['-c', py], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
  } catch {
    jaxMs = null;
  }
}
console.log(`\n${N}x${N} float32 matmul, medians of ${ROUNDS} interleaved rounds (clock; CPU time):`);
const ratio = (xs: number[][], i: number, q: number) => median(xs[i].map((t, r) => t / xs[q][r])).toFixed(2);
for (const [i, r] of runners.entries()) {
  const ms = median(times[i]);
  const vs =
    i < 2
      ? ''
      : `   tjax 2T / this: ${ratio(times, 0, i)}x clock (best rounds ${(Math.min(...times[0]) / Math.min(...times[i])).toFixed(2)}x);  tjax 1T / this: ${ratio(cpus, 1, i)}x CPU time`;
  const best = Math.min(...times[i]);
  console.log(
    `  ${r.name.padEnd(24)} ${ms.toFixed(1).padStart(8)} ms (best ${best.toFixed(1)}); ${median(cpus[i]).toFixed(1).padStart(7)} ms CPU  ${gflops(N, ms).toFixed(1).padStart(6)} GFLOP/s${vs}`,
  );
}
if (jaxMs !== null)
  console.log(
    `  ${'JAX (XLA:CPU)'.padEnd(24)} ${jaxMs.toFixed(1).padStart(8)} ms ${gflops(N, jaxMs).toFixed(1).padStart(6)} GFLOP/s`,
  );
process.exit(0);
