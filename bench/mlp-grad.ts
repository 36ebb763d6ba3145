/**
 * @file Reverse-mode cost benchmark (issue: transformation rules): jit(valueAndGrad(loss)) against
 * jit(loss) for a 3-layer tanh MLP (batch 256, width 512, float32) on the CPU backend. Medians of
 * repeated calls, both measured in this one run; JAX's rule of thumb is that a gradient costs
 * about 3x the forward pass (one forward plus two matmuls per layer backward).
 *
 * With TJAX_BENCH_PEERS pointing at a folder where @jax-js/jax 0.1.25 is installed (see
 * bench/matmul-wasm.ts), jax-js's jit(valueAndGrad(loss)) on its wasm backend runs in the same
 * run, round by round with tjax's.
 *
 * Run: npx tsx bench/mlp-grad.ts
 */
import type { Array as TArray, Value } from '../src/engine/index.js';
import { cpuGemmStatus, jit, numpy as jnp, tree, valueAndGrad } from '../src/engine/index.js';

const BATCH = 256;
const WIDTH = 512;
const LAYERS = 3;
/**
 * TJAX_BENCH_OUT=10: issue 11's MLP instead, 512-512-512-10 with a linear last layer (as
 * bench/matmul.ts runs it against JAX), so that jax-js meets it on that one too.
 */
const OUT = Number(process.env.TJAX_BENCH_OUT ?? WIDTH);
const SIZES = [WIDTH, ...Array.from({ length: LAYERS - 1 }, () => WIDTH), OUT];
const lastTanh = process.env.TJAX_BENCH_OUT === undefined;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeEach(f: () => Promise<unknown>, repeat: number): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/** Deterministic values in [-scale, scale] (no RNG needed for timing). */
function filled(shape: number[], seed: number, scale: number): Value {
  const n = shape.reduce((a, b) => a * b, 1);
  const i = jnp.arange(n, null, null, { dtype: 'float32' });
  return jnp.reshape(jnp.sin(i.mul(0.7331).add(seed)).mul(scale), shape);
}

type Params = { w: Value; b: Value }[];
const params: Params = Array.from({ length: LAYERS }, (_, l) => ({
  w: filled([SIZES[l], SIZES[l + 1]], l + 1, 1 / Math.sqrt(WIDTH)),
  b: filled([SIZES[l + 1]], l + 11, 0.1),
}));
const x = filled([BATCH, WIDTH], 21, 1);
const y = filled([BATCH, OUT], 22, 1);

function loss(ps: Params, xb: Value, yb: Value): Value {
  let h = xb;
  ps.forEach(({ w, b }, l) => {
    h = jnp.dot(h, w).add(b);
    if (lastTanh || l < ps.length - 1) h = jnp.tanh(h);
  });
  return jnp.mean(h.sub(yb).pow(2));
}

const fwd = jit(loss);
const both = jit(valueAndGrad(loss));

/** Waits for a result, then releases it, as jax-js's step below disposes its own (and as Python
 * frees JAX's): otherwise every step's gradients are fresh memory, a page fault per 4 KiB. */
const ready = async (v: unknown) => {
  for (const l of tree.leaves(v)) {
    await (l as TArray).blockUntilReady();
    (l as TArray).dispose();
  }
};

const fwdMs = await timeEach(() => ready(fwd(params, x, y)), 9);
const gradMs = await timeEach(() => ready(both(params, x, y)), 9);

const flops = 2 * BATCH * SIZES.slice(1).reduce((t, o, l) => t + SIZES[l] * o, 0);
console.log(
  `MLP ${SIZES.join('-')}, batch ${BATCH}, float32, tanh${lastTanh ? '' : ' (linear last layer)'} (CPU)`,
);
console.log(`CPU matmul tier: ${cpuGemmStatus().summary}`);
console.log(
  `jit(loss):               ${fwdMs.toFixed(1)} ms  (${(flops / (fwdMs * 1e6)).toFixed(2)} GFLOP/s)`,
);
console.log(`jit(valueAndGrad(loss)): ${gradMs.toFixed(1)} ms`);
console.log(`ratio grad / forward:    ${(gradMs / fwdMs).toFixed(2)}x  (JAX's rule of thumb: about 3x)`);

const peers = process.env.TJAX_BENCH_PEERS;
if (peers) {
  const jax = await import(`${peers}/node_modules/@jax-js/jax/dist/index.js`);
  await jax.init('wasm');
  jax.defaultDevice('wasm');
  const np = jax.numpy;
  const jsFilled = (shape: number[], seed: number, scale: number) => {
    const d = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < d.length; i++) d[i] = Math.fround(Math.sin(Math.fround(i * 0.7331) + seed)) * scale;
    return np.array(d).reshape(shape);
  };
  const jp = Array.from({ length: LAYERS }, (_, l) => ({
    w: jsFilled([SIZES[l], SIZES[l + 1]], l + 1, 1 / Math.sqrt(WIDTH)),
    b: jsFilled([SIZES[l + 1]], l + 11, 0.1),
  }));
  const jx = jsFilled([BATCH, WIDTH], 21, 1);
  const jy = jsFilled([BATCH, OUT], 22, 1);
  // jax-js moves its arrays into calls: a value used twice takes a new reference (.ref).
  const jsLoss = (ps: { w: any; b: any }[], xb: any, yb: any) => {
    let h = xb;
    ps.forEach(({ w, b }, l) => {
      h = np.dot(h, w).add(b);
      if (lastTanh || l < ps.length - 1) h = np.tanh(h);
    });
    const d = h.sub(yb);
    return np.mean(d.ref.mul(d));
  };
  const jsBoth = jax.jit(jax.valueAndGrad(jsLoss));
  const jsStep = async () => {
    const out = jsBoth(jax.tree.ref(jp), jx.ref, jy.ref);
    await jax.blockUntilReady(out);
    jax.tree.dispose(out);
  };
  for (let i = 0; i < 3; i++) await jsStep();
  // Clock time, and CPU time (all threads of the process), which other work on the machine
  // does not inflate: jax-js's wasm backend runs on one thread, tjax on TJAX_CPU_THREADS. Each
  // side runs in blocks of BLOCK steps, the first untimed, as bench/matmul.ts times tjax against
  // JAX: step by step, every tjax step followed jax-js's 23 ms on one thread, after which tjax's
  // sleeping threads wake late (12-15 ms a step, against 9-10.5 in blocks).
  const BLOCK = Math.max(2, Number(process.env.TJAX_BENCH_BLOCK ?? 4));
  const clock = [[] as number[], [] as number[]];
  const cpu = [[] as number[], [] as number[]];
  const steps = [() => ready(both(params, x, y)), jsStep];
  for (let r = 0; r < 9; r++) {
    for (const [i, step] of steps.entries()) {
      await step();
      for (let s = 1; s < BLOCK; s++) {
        const t0 = performance.now();
        const u0 = process.cpuUsage();
        await step();
        const u = process.cpuUsage(u0);
        clock[i].push(performance.now() - t0);
        cpu[i].push((u.user + u.system) / 1e3);
      }
    }
  }
  const ratio = (xs: number[][]) => median(xs[0].map((t, i) => t / xs[1][i])).toFixed(2);
  console.log(
    `jax-js 0.1.25 (wasm), jit(valueAndGrad(loss)): ${median(clock[1]).toFixed(1)} ms (CPU ${median(cpu[1]).toFixed(1)} ms); ` +
      `tjax ${median(clock[0]).toFixed(1)} ms (CPU ${median(cpu[0]).toFixed(1)} ms); ` +
      `tjax / jax-js ${ratio(clock)}x by the clock, ${ratio(cpu)}x in CPU time (in blocks of ${BLOCK}, paired call by call)`,
  );
}
