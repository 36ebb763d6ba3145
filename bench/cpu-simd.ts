/**
 * @file CPU kernels with and without WebAssembly SIMD, next to JAX (XLA:CPU) and NumPy in the same
 * run (issue 11: "SIMD for what is left in JavaScript"): `sin(x)*2+1` on 10M float32, sums over
 * the rows and over the columns of 4096x4096 float32, the whole sum, max over rows, argmax over
 * rows, softmax over the rows of 4096x1024, logsumexp over them, and the transpose of
 * 4096x4096. Each tjax case runs twice in one process, SIMD on and off (TJAX_CPU_SIMD's switch),
 * with fresh jitted functions; every timing waits for the result. Reported: the median and the
 * minimum of the repeats (the minimum is the steadier figure on a busy machine).
 *
 * Run: npx tsx bench/cpu-simd.ts   (TJAX_BENCH_PYTHON picks an interpreter with jax and numpy for
 * their columns, e.g. TJAX_BENCH_PYTHON=/tmp/jaxenv/bin/python; TJAX_BENCH_REPEAT sets the repeats)
 */
import { execFileSync } from 'node:child_process';
import { cpuSimd } from '../src/engine/backends/cpu/wasm/simd.js';
import type { Array as TArray, Value } from '../src/engine/index.js';
import { jit, numpy as jnp, nn } from '../src/engine/index.js';

const REPEAT = Number(process.env.TJAX_BENCH_REPEAT ?? 9);

interface Timing {
  median: number;
  min: number;
}

function stats(ts: number[]): Timing {
  const s = [...ts].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0] };
}

async function time(f: () => Value): Promise<Timing> {
  await (f() as TArray).blockUntilReady();
  const ts: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    const t0 = performance.now();
    await (f() as TArray).blockUntilReady();
    ts.push(performance.now() - t0);
  }
  return stats(ts);
}

const square = jnp.ones([4096, 4096]).add(jnp.arange(4096).astype('float32').div(4096));
const wide = jnp.ones([4096, 1024]).add(jnp.arange(1024).astype('float32').div(1024));
const line = jnp.linspace(-3, 3, 10_000_000) as TArray;

const CASES: [string, (v: Value) => Value, Value, string][] = [
  ['sin(x)*2+1, 10M f32', (v) => jnp.sin(v).mul(2).add(1), line, 'jnp.sin(v) * 2 + 1'],
  ['sum over rows, 4096^2 f32', (v) => jnp.sum(v, { axis: 1 }), square, 'jnp.sum(v, axis=1)'],
  ['sum over columns, 4096^2 f32', (v) => jnp.sum(v, { axis: 0 }), square, 'jnp.sum(v, axis=0)'],
  ['sum of all, 4096^2 f32', (v) => jnp.sum(v), square, 'jnp.sum(v)'],
  ['max over rows, 4096^2 f32', (v) => jnp.max(v, { axis: 1 }), square, 'jnp.max(v, axis=1)'],
  ['argmax over rows, 4096^2 f32', (v) => jnp.argmax(v, { axis: 1 }), square, 'jnp.argmax(v, axis=1)'],
  ['softmax over rows, 4096x1024', (v) => nn.softmax(v, { axis: -1 }), wide, 'jax.nn.softmax(v, axis=-1)'],
  [
    'logsumexp over rows, 4096x1024',
    (v) => nn.logsumexp(v, { axis: -1 }),
    wide,
    'jax.nn.logsumexp(v, axis=-1)',
  ],
  ['transpose, 4096^2 f32', (v) => jnp.transpose(v), square, 'v.T'],
];

const only = process.argv[2];
const cases = CASES.filter(([name]) => !only || name.includes(only));
const results: { name: string; simd: Timing; js: Timing }[] = [];
for (const [name, fn, arg] of cases) {
  cpuSimd.enabled = true;
  const on = jit(fn);
  const simd = await time(() => on(arg));
  cpuSimd.enabled = false;
  const off = jit(fn);
  const js = await time(() => off(arg));
  cpuSimd.enabled = true;
  results.push({ name, simd, js });
}

// JAX and NumPy in the same run (on the same machine, at the same load).
const python = process.env.TJAX_BENCH_PYTHON ?? 'python3';
let py: Record<string, { jax?: Timing; numpy?: Timing }> = {};
try {
  const script = `
import json, time, numpy as np
R = ${REPEAT}
def st(f):
    f(); ts = []
    for _ in range(R):
        t0 = time.perf_counter(); f(); ts.append((time.perf_counter() - t0) * 1000)
    ts.sort(); return {'median': ts[len(ts) // 2], 'min': ts[0]}
square = np.ones((4096, 4096), np.float32) + (np.arange(4096, dtype=np.float32) / 4096)
wide = np.ones((4096, 1024), np.float32) + (np.arange(1024, dtype=np.float32) / 1024)
line = np.linspace(-3, 3, 10_000_000, dtype=np.float32)
args = {'square': square, 'wide': wide, 'line': line}
cases = ${JSON.stringify(cases.map(([name, , arg, expr]) => [name, arg === square ? 'square' : arg === wide ? 'wide' : 'line', expr]))}
out = {}
for name, arg, expr in cases:
    out[name] = {}
    try:
        import jax, jax.numpy as jnp
        f = jax.jit(eval('lambda v: ' + expr))
        a = jnp.asarray(args[arg])
        out[name]['jax'] = st(lambda: f(a).block_until_ready())
    except ImportError:
        pass
    nexpr = expr.replace('jnp.', 'np.')
    if 'jax.' not in nexpr:
        g = eval('lambda v: ' + nexpr)
        out[name]['numpy'] = st(lambda: np.ascontiguousarray(g(args[arg])))
print(json.dumps(out))
`;
  py = JSON.parse(
    execFileSync(python, ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 20 })
      .trim()
      .split('\n')
      .pop()!,
  );
} catch {
  py = {};
}

const ms = (t?: Timing) =>
  t ? `${t.median.toFixed(1).padStart(7)} (${t.min.toFixed(1).padStart(6)})` : '      —         ';
console.log(`median (min) of ${REPEAT} runs, ms`);
console.log(
  `${'case'.padEnd(32)} ${'tjax SIMD'.padEnd(16)} ${'tjax JS'.padEnd(16)} ${'JAX'.padEnd(16)} ${'NumPy'.padEnd(16)} JS/SIMD  SIMD/JAX`,
);
for (const { name, simd, js } of results) {
  const p = py[name] ?? {};
  const ratio = (a: number, b?: number) => (b ? (a / b).toFixed(2).padStart(7) : '      —');
  console.log(
    `${name.padEnd(32)} ${ms(simd)} ${ms(js)} ${ms(p.jax)} ${ms(p.numpy)} ${ratio(js.median, simd.median)}  ${ratio(simd.median, p.jax?.median)}`,
  );
}
