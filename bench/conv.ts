/**
 * @file Convolution benchmark (issues 11 and 12): an NHWC 32x32x32x64 input with a 3x3x64x64 HWIO
 * kernel, 'SAME' padding, stride 1: the forward convolution, and jit(value_and_grad) of
 * sum(conv**2) w.r.t. both operands (one forward and the two transposed convolutions). tjax runs on
 * the CPU's native tier (OpenBLAS) and its portable one (WebAssembly SIMD), round by round with JAX
 * on XLA's CPU (TJAX_BENCH_PYTHON names a Python with jax) and tfjs with its WebAssembly backend
 * (TJAX_BENCH_PEERS names a folder where @tensorflow/tfjs-core and @tensorflow/tfjs-backend-wasm
 * are installed: npm install --prefix DIR ...; tfjs is not a dependency of tjax). Medians of
 * TJAX_BENCH_ROUNDS rounds (default 7), clock and CPU time; every timing waits for the results.
 * TJAX_BENCH_WEBGPU=1 adds tjax's WebGPU device.
 *
 * Run: npx tsx bench/conv.ts   (TJAX_BENCH_BATCH=N changes the batch of 32)
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setCpuBlas } from '../src/engine/backends/cpu/blas.js';
import { cpuGemmStatus } from '../src/engine/backends/cpu/gemm.js';
import type { Value } from '../src/engine/index.js';
import {
  backendStatus,
  devicePut,
  initBackends,
  jit,
  numpy as jnp,
  lax,
  random,
  valueAndGrad,
} from '../src/engine/index.js';
import { alternate, type Call, inProcess, loadNote, medians, pythonPeer } from './rounds.js';

const B = Number(process.env.TJAX_BENCH_BATCH ?? 32);
const ROUNDS = Number(process.env.TJAX_BENCH_ROUNDS ?? 7);
const X_SHAPE = [B, 32, 32, 64];
const K_SHAPE = [3, 3, 64, 64];
const FLOPS = 2 * B * 32 * 32 * 64 * 3 * 3 * 64;

const calls: Record<string, Call> = {};

// ---- tjax ---------------------------------------------------------------------------------------

const conv = (x: Value, k: Value) =>
  lax.convGeneralDilated(x, k, [1, 1], 'SAME', { dimensionNumbers: ['NHWC', 'HWIO', 'NHWC'] });
const loss = (x: Value, k: Value) => jnp.sum(jnp.square(conv(x, k)));

function tjaxCalls(device: 'cpu' | 'webgpu', label: string, tier?: boolean): void {
  const x = devicePut(random.normal(random.key(0), X_SHAPE), device);
  const k = devicePut(random.normal(random.key(1), K_SHAPE).mul(0.05), device);
  const fwd = jit(conv);
  const vg = jit(valueAndGrad(loss, { argnums: [0, 1] }));
  const onTier = (f: () => Promise<unknown>) => async () => {
    if (tier !== undefined) setCpuBlas(tier);
    try {
      await f();
    } finally {
      setCpuBlas(null);
    }
  };
  calls[`${label} fwd`] = inProcess(onTier(async () => fwd(x, k).blockUntilReady()));
  calls[`${label} vg`] = inProcess(
    onTier(async () => {
      const [v, [gx, gk]] = vg(x, k) as [Value, Value[]];
      await Promise.all([v, gx, gk].map((a) => (a as any).blockUntilReady()));
    }),
  );
}

const status = cpuGemmStatus();
if (status.tier === 'native') tjaxCalls('cpu', 'tjax native', true);
tjaxCalls('cpu', 'tjax wasm', false);
if (process.env.TJAX_BENCH_WEBGPU === '1') {
  await initBackends();
  if (backendStatus('webgpu').available) tjaxCalls('webgpu', 'tjax webgpu');
}

// ---- JAX (XLA CPU) ------------------------------------------------------------------------------

const jax = await pythonPeer(`
import jax, jax.numpy as jnp
from jax import lax
x = jax.random.normal(jax.random.key(0), (${X_SHAPE.join(', ')}))
k = jax.random.normal(jax.random.key(1), (${K_SHAPE.join(', ')})) * 0.05
conv = lambda x, k: lax.conv_general_dilated(x, k, (1, 1), 'SAME', dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
fwd = jax.jit(conv)
vg = jax.jit(jax.value_and_grad(lambda x, k: jnp.sum(conv(x, k) ** 2), argnums=(0, 1)))
fns['fwd'] = lambda: fwd(x, k).block_until_ready()
fns['vg'] = lambda: jax.block_until_ready(vg(x, k))
`);
if (jax) for (const w of ['fwd', 'vg']) calls[`jax ${w}`] = jax.call(w);

// ---- tfjs-wasm ----------------------------------------------------------------------------------

const peers = process.env.TJAX_BENCH_PEERS;
if (peers) {
  try {
    const req = createRequire(join(peers, 'node_modules', 'x.js'));
    const tf = req('@tensorflow/tfjs-core');
    req('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    await tf.ready();
    const x = tf.randomNormal(X_SHAPE);
    const k = tf.mul(tf.randomNormal(K_SHAPE), 0.05);
    // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel: forward only.
    calls['tfjs-wasm fwd'] = inProcess(async () => {
      const y = tf.conv2d(x, k, 1, 'same', 'NHWC');
      await y.data();
      y.dispose();
    });
  } catch (e) {
    console.log(`tfjs-wasm: failed (${(e as Error).message.split('\n')[0]})`);
  }
}

// ---- rounds and report --------------------------------------------------------------------------

const before = loadNote();
const res = await alternate(calls, ROUNDS);
jax?.close();
console.log(
  `conv NHWC ${X_SHAPE.join('x')} * HWIO ${K_SHAPE.join('x')}, SAME: ${(FLOPS / 1e9).toFixed(2)} GFLOP forward; medians of ${ROUNDS} rounds`,
);
console.log(`CPU GEMM: ${status.summary}`);
console.log(`${before}; after: ${loadNote()}`);
const med = Object.fromEntries(Object.entries(res).map(([k, v]) => [k, medians(v)]));
for (const w of ['fwd', 'vg']) {
  console.log(w === 'fwd' ? 'forward' : 'value_and_grad (w.r.t. both operands)');
  for (const [name, t] of Object.entries(med)) {
    if (!name.endsWith(` ${w}`)) continue;
    const who = name.slice(0, -w.length - 1);
    const ratio = (ref: string) => {
      const r = med[`${ref} ${w}`];
      return r && !name.startsWith(ref) ? `  ${(t.wall / r.wall).toFixed(2)}x ${ref}` : '';
    };
    const rate = w === 'fwd' ? ` (${((FLOPS / t.wall) * 1e-6).toFixed(1)} GFLOP/s)` : '';
    console.log(
      `  ${who.padEnd(12)} ${t.wall.toFixed(1).padStart(8)} ms${rate}, CPU ${t.cpu.toFixed(1)} ms${ratio('jax')}${ratio('tfjs-wasm')}`,
    );
  }
}
