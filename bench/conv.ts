/**
 * @file Convolution benchmark (issue 12): an NHWC 32x32x32x64 input with a 3x3x64x64 HWIO kernel,
 * 'SAME' padding, stride 1: the forward convolution, and jit(value_and_grad) of sum(conv**2)
 * w.r.t. both operands (one forward and the two transposed convolutions). tjax runs on the CPU
 * (and WebGPU when an adapter is there); in the same run, JAX on XLA's CPU when
 * TJAX_BENCH_PYTHON names a Python with jax, and tfjs with its WebAssembly backend when
 * TJAX_BENCH_PEERS names a folder where @tensorflow/tfjs-core and @tensorflow/tfjs-backend-wasm
 * are installed (npm install --prefix DIR ...; tfjs is not a dependency of tjax). Medians of
 * `TJAX_BENCH_REPEAT` runs (default 5) after a warm-up; every timing waits for the results.
 *
 * Run: npx tsx bench/conv.ts   (TJAX_BENCH_BATCH=N changes the batch of 32)
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
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

const B = Number(process.env.TJAX_BENCH_BATCH ?? 32);
const REPEAT = Number(process.env.TJAX_BENCH_REPEAT ?? 5);
const X_SHAPE = [B, 32, 32, 64];
const K_SHAPE = [3, 3, 64, 64];
const FLOPS = 2 * B * 32 * 32 * 64 * 3 * 3 * 64;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(f: () => Promise<unknown>): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

interface Row {
  who: string;
  fwd: number;
  vg: number;
}
const rows: Row[] = [];

// ---- tjax ---------------------------------------------------------------------------------------

const conv = (x: Value, k: Value) =>
  lax.convGeneralDilated(x, k, [1, 1], 'SAME', { dimensionNumbers: ['NHWC', 'HWIO', 'NHWC'] });
const loss = (x: Value, k: Value) => jnp.sum(jnp.square(conv(x, k)));

async function tjaxRow(device: 'cpu' | 'webgpu'): Promise<void> {
  const x = devicePut(random.normal(random.key(0), X_SHAPE), device);
  const k = devicePut(random.normal(random.key(1), K_SHAPE).mul(0.05), device);
  const fwd = jit(conv);
  const vg = jit(valueAndGrad(loss, { argnums: [0, 1] }));
  const fwdMs = await time(async () => fwd(x, k).blockUntilReady());
  const vgMs = await time(async () => {
    const [v, [gx, gk]] = vg(x, k) as [Value, Value[]];
    await Promise.all([v, gx, gk].map((a) => (a as any).blockUntilReady()));
  });
  rows.push({ who: `tjax ${device}`, fwd: fwdMs, vg: vgMs });
}

await tjaxRow('cpu');
await initBackends();
if (backendStatus('webgpu').available) await tjaxRow('webgpu');

// ---- JAX (XLA CPU) ------------------------------------------------------------------------------

const python = process.env.TJAX_BENCH_PYTHON;
if (python) {
  const py = `
import time, jax, jax.numpy as jnp
from jax import lax
x = jax.random.normal(jax.random.key(0), (${X_SHAPE.join(', ')}))
k = jax.random.normal(jax.random.key(1), (${K_SHAPE.join(', ')})) * 0.05
conv = lambda x, k: lax.conv_general_dilated(x, k, (1, 1), 'SAME', dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
fwd = jax.jit(conv)
vg = jax.jit(jax.value_and_grad(lambda x, k: jnp.sum(conv(x, k) ** 2), argnums=(0, 1)))
def med(f):
    f()
    ts = []
    for _ in range(${REPEAT}):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return sorted(ts)[len(ts) // 2] * 1000
print(med(lambda: fwd(x, k).block_until_ready()), med(lambda: jax.block_until_ready(vg(x, k))))
`;
  try {
    const [f, v] = execFileSync(python, ['-c', py], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    rows.push({ who: 'jax (xla cpu)', fwd: f, vg: v });
  } catch (e) {
    console.log(`jax: failed (${(e as Error).message.split('\n')[0]})`);
  }
}

// ---- tfjs-wasm ----------------------------------------------------------------------------------

const peers = process.env.TJAX_BENCH_PEERS;
if (peers) {
  try {
    const req = createRequire(join(peers, 'node_modules', 'x.js'));
    const tf = req('@tensorflow/tfjs-core');
    // The gradient functions live in a separate module of tfjs-core (the `tfjs` bundle loads it).
    req('@tensorflow/tfjs-core/dist/register_all_gradients');
    req('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    await tf.ready();
    const x = tf.randomNormal(X_SHAPE);
    const k = tf.mul(tf.randomNormal(K_SHAPE), 0.05);
    const f = (a: any, b: any) => tf.conv2d(a, b, 1, 'same', 'NHWC');
    const vg = tf.valueAndGrads((a: any, b: any) => tf.sum(tf.square(f(a, b))));
    const fwdMs = await time(async () => {
      const y = f(x, k);
      await y.data();
      y.dispose();
    });
    // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel: no value_and_grad there.
    let vgMs = Number.NaN;
    try {
      vgMs = await time(async () => {
        const { value, grads } = vg([x, k]);
        await Promise.all([value.data(), ...grads.map((g: any) => g.data())]);
        tf.dispose([value, ...grads]);
      });
    } catch (e) {
      console.log(`tfjs-wasm value_and_grad: ${(e as Error).message.split('\n')[0]}`);
    }
    rows.push({ who: `tfjs-wasm ${tf.version_core}`, fwd: fwdMs, vg: vgMs });
  } catch (e) {
    console.log(`tfjs-wasm: failed (${(e as Error).message.split('\n')[0]})`);
  }
}

// ---- report -------------------------------------------------------------------------------------

console.log(
  `conv NHWC ${X_SHAPE.join('x')} * HWIO ${K_SHAPE.join('x')}, SAME: ${(FLOPS / 1e9).toFixed(2)} GFLOP forward; medians of ${REPEAT}`,
);
const base = rows.find((r) => r.who.startsWith('jax')) ?? null;
const tf = rows.find((r) => r.who.startsWith('tfjs')) ?? null;
for (const r of rows) {
  const ratio = (ref: Row | null, w: 'fwd' | 'vg') =>
    ref && ref !== r && Number.isFinite(ref[w]) && Number.isFinite(r[w])
      ? ` ${(r[w] / ref[w]).toFixed(2)}x ${ref.who.split(' ')[0]}`
      : '';
  const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a').padStart(8);
  console.log(
    `${r.who.padEnd(22)} forward ${ms(r.fwd)} ms (${((FLOPS / r.fwd) * 1e-6).toFixed(2)} GFLOP/s)${ratio(base, 'fwd')}${ratio(tf, 'fwd')}` +
      `   value_and_grad ${ms(r.vg)} ms${ratio(base, 'vg')}${ratio(tf, 'vg')}`,
  );
}
