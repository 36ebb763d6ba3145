/**
 * @file Matrix-product benchmarks (issue 11), side by side in one run: a 1024x1024 float32 matmul
 * of `jnp.ones` and value_and_grad of a 512-512-512-10 tanh MLP at batch 256 (mean squared error
 * loss), on tjax's CPU device with the native tier (tjax's own AVX-512 GEMM where the CPU has it,
 * and OpenBLAS alone, TJAX_CPU_GEMM=openblas, switched in-process) and with the portable tier
 * (TJAX_CPU_BLAS=off, switched in-process), next to JAX (jitted, XLA:CPU) and NumPy (`a @ b`).
 * Medians of repeated calls, every timing waiting for its results, by the clock and in CPU time
 * (all threads of each process: on a loaded machine CPU time still says what each used).
 *
 * Method: tjax's calls and JAX's/NumPy's (one Python process answers one timed call per request)
 * alternate in blocks of BLOCK calls (TJAX_BENCH_BLOCK, default 4), the first call of each block
 * untimed, so that the load of a shared machine weighs on both alike. Each side's results are
 * released once read (tjax's by dispose, as Python's reference counting frees JAX's).
 *
 * The Python process runs with OPENBLAS_THREAD_TIMEOUT=4. NumPy's OpenBLAS threads otherwise
 * busy-wait about 0.1 s after each product, taking a vCPU from whatever runs next. On a quiet
 * 2-vCPU Zen 5 guest, before that setting:
 * - JAX's 1024^2 matmul took 8.8-9.0 ms in blocks of 4 and 4.7 ms in blocks of 16;
 * - tjax's took 7.8 ms in blocks of 4 and 5.4-7.5 ms in blocks of 16;
 * - tjax alone took 4.8-5.2 ms.
 * This was the "process that resumes after the other one ran is slow for its first few calls"
 * that earlier versions of this header could not explain. With the setting, JAX takes 4.5 ms in
 * either block size, and tjax 5.2-5.6 ms. The portable tier is timed with fewer repeats.
 *
 * Run: TJAX_BENCH_PYTHON=/tmp/jaxenv/bin/python npx tsx bench/matmul.ts
 * (python3 with numpy, and jax when the interpreter has it, give the other columns)
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setCpuBlas, setCpuGemm } from '../src/engine/backends/cpu/blas.js';
import type { Array as TArray, Value } from '../src/engine/index.js';
import { cpuGemmStatus, jit, numpy as jnp, valueAndGrad } from '../src/engine/index.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A call's time until its results are read back, by the clock and in CPU time (all threads). */
type Timing = { wall: number; cpu: number };

/** One call's time until its results are read back (dispatch is asynchronous: a call returns at once). */
async function once(f: () => Promise<unknown>): Promise<Timing> {
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const wall = performance.now() - t0;
  const u = process.cpuUsage(u0);
  return { wall, cpu: (u.user + u.system) / 1000 };
}

const N = 1024;
const ones = jnp.ones([N, N]);
const mm = jit((a: Value, b: Value) => jnp.matmul(a, b));
// Results are released once read (dispose), as Python's reference counting frees JAX's when the
// loop drops them; without it every call's output is fresh heap memory until V8's next major
// collection, and its first touch costs a page fault per 4 KiB (about 1.5 ms for 4 MiB here).
const matmul = async () => (await (mm(ones, ones) as TArray).blockUntilReady()).dispose();

// The MLP: deterministic parameters (no RNG needed for timing), the same values in Python.
const SIZES = [512, 512, 512, 10];
const BATCH = 256;
function filled(shape: number[], seed: number, scale: number): Value {
  const n = shape.reduce((a, b) => a * b, 1);
  const i = jnp.arange(n, null, null, { dtype: 'float32' });
  return jnp.reshape(jnp.sin(i.mul(0.7331).add(seed)).mul(scale), shape);
}
type Params = { w: Value; b: Value }[];
const params: Params = SIZES.slice(1).map((out, l) => ({
  w: filled([SIZES[l], out], l + 1, 1 / Math.sqrt(SIZES[l])),
  b: filled([out], l + 11, 0.1),
}));
const x = filled([BATCH, SIZES[0]], 21, 1);
const y = filled([BATCH, SIZES[SIZES.length - 1]], 22, 1);
function loss(ps: Params, xb: Value, yb: Value): Value {
  let h = xb;
  ps.forEach(({ w, b }, i) => {
    h = jnp.dot(h, w).add(b);
    if (i < ps.length - 1) h = jnp.tanh(h);
  });
  return jnp.mean(h.sub(yb).pow(2));
}
const vg = jit(valueAndGrad(loss));
const mlp = async () => {
  const [v, g] = vg(params, x, y) as [TArray, { w: TArray; b: TArray }[]];
  await v.blockUntilReady();
  v.dispose();
  for (const p of g) {
    await p.w.blockUntilReady();
    await p.b.blockUntilReady();
    p.w.dispose();
    p.b.dispose();
  }
};

const status = cpuGemmStatus();

// NumPy and JAX in one Python process that times one call per request, so that each round of
// tjax's calls and theirs runs back to back: on a shared machine the load then weighs on both.
const python = process.env.TJAX_BENCH_PYTHON ?? 'python3';
const py = `
import sys, time, numpy as np
a = np.ones((${N}, ${N}), np.float32)
fns = {'numpy': lambda: a @ a}
try:
    import jax, jax.numpy as jnp
    o = jnp.ones((${N}, ${N}), jnp.float32)
    mm = jax.jit(lambda p, q: p @ q)
    fns['jax_matmul'] = lambda: mm(o, o).block_until_ready()
    sizes = ${JSON.stringify(SIZES)}
    def filled(shape, seed, scale):
        n = int(np.prod(shape))
        i = jnp.arange(n, dtype=jnp.float32)
        return jnp.reshape(jnp.sin(i * 0.7331 + seed) * scale, shape)
    params = [{'w': filled([sizes[l], o2], l + 1, 1 / np.sqrt(sizes[l])), 'b': filled([o2], l + 11, 0.1)}
              for l, o2 in enumerate(sizes[1:])]
    x = filled([${BATCH}, sizes[0]], 21, 1)
    y = filled([${BATCH}, sizes[-1]], 22, 1)
    def loss(ps, xb, yb):
        h = xb
        for i, p in enumerate(ps):
            h = jnp.dot(h, p['w']) + p['b']
            if i < len(ps) - 1:
                h = jnp.tanh(h)
        return jnp.mean((h - yb) ** 2)
    vg = jax.jit(jax.value_and_grad(loss))
    fns['jax_mlp'] = lambda: jax.block_until_ready(vg(params, x, y))
except ImportError:
    pass
for f in fns.values():
    f(); f()
print(' '.join(fns), flush=True)
for line in sys.stdin:
    f = fns[line.strip()]
    c0 = time.process_time(); t0 = time.perf_counter(); f()
    print((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000, flush=True)
`;
let ask: ((name: string) => Promise<Timing>) | null = null;
let have = new Set<string>();
let child: ReturnType<typeof spawn> | null = null;
try {
  // NumPy's OpenBLAS threads busy-wait for about 0.1 s after each product (2^28 cycles, its
  // default THREAD_TIMEOUT), which took a vCPU from whatever ran next: tjax's block, in this
  // order (1.51x JAX's time instead of 1.21x in one run each, blocks of 16). 2^4 cycles lets
  // them sleep at once, as tjax's and XLA's threads do.
  const env = { ...process.env, OPENBLAS_THREAD_TIMEOUT: process.env.OPENBLAS_THREAD_TIMEOUT ?? '4' };
  child = spawn(python, ['-c', py], { stdio: ['pipe', 'pipe', 'ignore'], env });
  // A missing interpreter: no reference columns (the error event would otherwise end the process).
  child.on('error', () => {});
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (!first.done) {
    have = new Set(String(first.value).split(' '));
    ask = async (name) => {
      child!.stdin!.write(`${name}\n`);
      const [wall, cpu] = String((await lines.next()).value)
        .split(' ')
        .map(Number);
      return { wall, cpu };
    };
  }
} catch {
  ask = null;
}

/** Medians (clock and CPU time apart) of a list of timings. */
function medians(ts: Timing[]): Timing {
  return { wall: median(ts.map((t) => t.wall)), cpu: median(ts.map((t) => t.cpu)) };
}

/** Calls per block, the first untimed (see the header). */
const BLOCK = Math.max(2, Number(process.env.TJAX_BENCH_BLOCK ?? 4));

/** Medians over about n timed calls each: blocks of tjax's calls, then of each reference's. */
async function rounds(
  tjax: () => Promise<unknown>,
  refs: string[],
  n: number,
): Promise<[Timing, Record<string, Timing>]> {
  const ours: Timing[] = [];
  const theirs: Record<string, Timing[]> = {};
  const live = refs.filter((name) => ask && have.has(name));
  for (let done = 0; done < n; done += BLOCK - 1) {
    await tjax();
    for (let i = 1; i < BLOCK; i++) ours.push(await once(tjax));
    for (const name of live) {
      await ask!(name);
      for (let i = 1; i < BLOCK; i++) (theirs[name] ??= []).push(await ask!(name));
    }
  }
  return [medians(ours), Object.fromEntries(Object.entries(theirs).map(([k, v]) => [k, medians(v)]))];
}

const [nativeMatmul, mmRef] = await rounds(matmul, ['jax_matmul', 'numpy'], 21);
const [nativeMlp, mlpRef] = await rounds(mlp, ['jax_mlp'], 30);
setCpuGemm('openblas');
const [openblasMatmul] = await rounds(matmul, [], 12);
const [openblasMlp] = await rounds(mlp, [], 15);
setCpuGemm(null);
setCpuBlas(false);
const [portableMatmul] = await rounds(matmul, [], 3);
const [portableMlp] = await rounds(mlp, [], 6);
setCpuBlas(null);
child?.stdin?.end();
const ref: Record<string, Timing> = { ...mmRef, ...mlpRef };

const fmt = (t: Timing | undefined) =>
  t === undefined ? '—' : `${t.wall.toFixed(2)} ms (CPU ${t.cpu.toFixed(2)} ms)`;
const ratio = (a: Timing, b: Timing | undefined) =>
  b === undefined ? '' : `  (${(a.wall / b.wall).toFixed(2)}x JAX; CPU time ${(a.cpu / b.cpu).toFixed(2)}x)`;
const gflops = (t: Timing) => `${((2 * N ** 3) / (t.wall * 1e6)).toFixed(0)} GFLOP/s`;
console.log(`CPU matmul tier: ${status.summary}`);
console.log(`matmul ${N}x${N} f32 (jnp.ones):`);
console.log(
  `  tjax native    ${fmt(nativeMatmul)}  ${gflops(nativeMatmul)}${ratio(nativeMatmul, ref.jax_matmul)}`,
);
console.log(
  `  tjax OpenBLAS  ${fmt(openblasMatmul)}  ${gflops(openblasMatmul)}${ratio(openblasMatmul, ref.jax_matmul)}`,
);
console.log(
  `  tjax portable  ${fmt(portableMatmul)}  ${gflops(portableMatmul)}${ratio(portableMatmul, ref.jax_matmul)}`,
);
console.log(`  JAX            ${fmt(ref.jax_matmul)}`);
console.log(`  NumPy          ${fmt(ref.numpy)}`);
console.log(`value_and_grad, ${SIZES.join('-')} tanh MLP, batch ${BATCH}:`);
console.log(`  tjax native    ${fmt(nativeMlp)}${ratio(nativeMlp, ref.jax_mlp)}`);
console.log(`  tjax OpenBLAS  ${fmt(openblasMlp)}${ratio(openblasMlp, ref.jax_mlp)}`);
console.log(`  tjax portable  ${fmt(portableMlp)}${ratio(portableMlp, ref.jax_mlp)}`);
console.log(`  JAX            ${fmt(ref.jax_mlp)}`);
