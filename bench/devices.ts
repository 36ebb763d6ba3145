/**
 * @file Device benchmarks (issue: devices): float32 matmul 512 and 1024 (GFLOP/s) and the fused
 * elementwise chain jit(x => sin(x)*2+1) on 10M float32 (GB/s of input + output), on the cpu and
 * on webgpu (llvmpipe on a machine without a GPU) and on gpujs (gpu.js in the mode it picked:
 * WebAssembly without a display, headless-gl under xvfb-run with TJAX_GPUJS_MODE=headlessgl),
 * measured in one run. Medians; webgpu timings wait for the queue (synchronize) rather than reading
 * results back, so they time the device work; gpujs results are host arrays, ready on return.
 *
 * Run: EGL_PLATFORM=surfaceless npx tsx bench/devices.ts
 *      xvfb-run -a env TJAX_GPUJS_MODE=headlessgl npx tsx bench/devices.ts   (gpujs on headless-gl)
 */
import type { Array as TArray, Value } from '../src/engine/index.js';
import {
  backendStatus,
  devicePut,
  initBackends,
  jit,
  numpy as jnp,
  resolveDevice,
} from '../src/engine/index.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeIt(f: () => Promise<unknown>, repeat: number): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

await initBackends();
const platforms = ['cpu'];
const st = backendStatus('webgpu');
if (st.available) platforms.push('webgpu');
else console.log(`webgpu unavailable: ${st.reason} (fix: ${st.fix})`);
const gj = backendStatus('gpujs');
if (gj.available) {
  platforms.push('gpujs');
  console.log(`gpujs mode: ${(resolveDevice('gpujs').backend as unknown as { mode: string }).mode}`);
} else console.log(`gpujs unavailable: ${gj.reason} (fix: ${gj.fix})`);

const rows: string[][] = [['benchmark', ...platforms]];
const mm = jit((a: Value, b: Value) => jnp.matmul(a, b));
const chain = jit((v: Value) => jnp.sin(v).mul(2).add(1));

async function run(p: string, f: () => Value): Promise<number> {
  const be = resolveDevice(p).backend;
  return timeIt(
    async () => {
      const y = f() as TArray;
      if (p === 'cpu' || p === 'gpujs') await y.data();
      else await be.synchronize();
    },
    p === 'webgpu' ? 5 : 3,
  );
}

for (const n of [512, 1024]) {
  const row = [`matmul ${n} f32 (GFLOP/s)`];
  for (const p of platforms) {
    const a = devicePut(jnp.sin(jnp.arange(n * n).astype('float32')).reshape([n, n]), p);
    const b = devicePut(jnp.cos(jnp.arange(n * n).astype('float32')).reshape([n, n]), p);
    const ms = await run(p, () => mm(a, b));
    row.push(((2 * n ** 3) / (ms * 1e6)).toFixed(2));
  }
  rows.push(row);
}

const n = 10_000_000;
const row = ['sin(x)*2+1 10M f32 (GB/s)'];
for (const p of platforms) {
  const x = devicePut(jnp.linspace(-3, 3, n).astype('float32'), p);
  const ms = await run(p, () => chain(x));
  row.push(((8 * n) / (ms * 1e6)).toFixed(2));
}
rows.push(row);

for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(28) : c.padStart(10))).join(' '));
