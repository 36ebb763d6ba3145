/**
 * @file CPU kernels with and without WebAssembly SIMD, next to JAX (XLA:CPU) and NumPy in the same
 * run (issue 11: "SIMD for what is left in JavaScript"): `sin(x)*2+1` on 10M float32, sums over
 * the rows and over the columns of 4096x4096 float32, the whole sum, max over rows, argmax over
 * rows, softmax over the rows of 4096x1024, logsumexp over them, the transpose of 4096x4096,
 * and 10M normals (random.normal; NumPy's own generator's standard_normal). Each tjax case runs with SIMD on and off (TJAX_CPU_SIMD's switch) in one process,
 * with fresh jitted functions, and the rounds interleave with JAX's and NumPy's (a Python process
 * timing one round per request), so that on a shared machine all see the same load; every timing
 * waits for the result. Reported: the median and the minimum of the repeats.
 *
 * Run: npx tsx bench/cpu-simd.ts   (TJAX_BENCH_PYTHON picks an interpreter with jax and numpy for
 * their columns, e.g. TJAX_BENCH_PYTHON=/tmp/jaxenv/bin/python; TJAX_BENCH_REPEAT sets the repeats)
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { cpuSimd } from '../src/engine/backends/cpu/wasm/simd.js';
import type { Array as TArray, Value } from '../src/engine/index.js';
import { jit, numpy as jnp, nn, random } from '../src/engine/index.js';

const REPEAT = Number(process.env.TJAX_BENCH_REPEAT ?? 9);

interface Timing {
  median: number;
  min: number;
}

function stats(ts: number[]): Timing {
  const s = [...ts].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0] };
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
  // (v is the key here; NumPy's column is its own generator's standard_normal.)
  [
    'random.normal, 10M f32',
    (k) => random.normal(k as unknown as random.PRNGKeyArray, [10_000_000]),
    random.key(0) as unknown as Value,
    'jax.random.normal(v, (10_000_000,)) | rng.standard_normal(10_000_000, dtype=np.float32)',
  ],
];

const only = process.argv[2];
const cases = CASES.filter(([name]) => !only || name.includes(only));

/**
 * JAX and NumPy in a Python process that times one case at a time on request, so that the
 * rounds of tjax (SIMD on, SIMD off), JAX and NumPy interleave: on a shared machine all four see
 * the same load.
 */
const PY = `
import sys, json, time, numpy as np
square = np.ones((4096, 4096), np.float32) + (np.arange(4096, dtype=np.float32) / 4096)
wide = np.ones((4096, 1024), np.float32) + (np.arange(1024, dtype=np.float32) / 1024)
line = np.linspace(-3, 3, 10_000_000, dtype=np.float32)
rng = np.random.default_rng(0)
args = {'square': square, 'wide': wide, 'line': line, 'key': None}
try:
    import jax, jax.numpy as jnp
except ImportError:
    jax = None
fns = {}
print(json.dumps({'jax': jax is not None}), flush=True)
for req in sys.stdin:
    name, arg, expr, lib = json.loads(req)
    key = (name, lib)
    if key not in fns:
        jexpr, _, nexpr = expr.partition(' | ')
        if lib == 'jax':
            f = jax.jit(eval('lambda v: ' + jexpr))
            a = jax.random.key(0) if arg == 'key' else jnp.asarray(args[arg])
            fns[key] = lambda f=f, a=a: f(a).block_until_ready()
        else:
            g = eval('lambda v: ' + (nexpr or jexpr.replace('jnp.', 'np.'))); a = args[arg]
            fns[key] = lambda g=g, a=a: np.ascontiguousarray(g(a))
        fns[key]()
    t0 = time.perf_counter(); fns[key](); ms = (time.perf_counter() - t0) * 1000
    print(json.dumps(ms), flush=True)
`;

class Python {
  private lines: string[] = [];
  private waiting: ((l: string) => void) | null = null;
  readonly proc: ChildProcessWithoutNullStreams;
  constructor(python: string) {
    this.proc = spawn(python, ['-c', PY]);
    let buf = '';
    this.proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const l = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (this.waiting) {
          const w = this.waiting;
          this.waiting = null;
          w(l);
        } else this.lines.push(l);
      }
    });
  }
  next(): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.proc.once('exit', () => reject(new Error('python exited')));
    });
  }
  async time(req: unknown[]): Promise<number> {
    this.proc.stdin.write(`${JSON.stringify(req)}\n`);
    return JSON.parse(await this.next());
  }
}

let py: Python | null = new Python(process.env.TJAX_BENCH_PYTHON ?? 'python3');
let hasJax = false;
try {
  hasJax = JSON.parse(await py.next()).jax;
} catch {
  py = null;
}

/** One timed call; its result is released once read, as Python's reference counting frees JAX's
 * (else each call's 40 MB output would be fresh memory, a page fault per 4 KiB, until a GC). */
async function once(f: () => Value): Promise<number> {
  const t0 = performance.now();
  const y = await (f() as TArray).blockUntilReady();
  const ms = performance.now() - t0;
  y.dispose();
  return ms;
}

const results: { name: string; simd: Timing; js: Timing; jax?: Timing; numpy?: Timing }[] = [];
for (const [name, fn, arg, expr] of cases) {
  cpuSimd.enabled = true;
  const on = jit(fn);
  await once(() => on(arg));
  cpuSimd.enabled = false;
  const off = jit(fn);
  await once(() => off(arg));
  const argName = arg === square ? 'square' : arg === wide ? 'wide' : arg === line ? 'line' : 'key';
  const numpy = expr.includes(' | ') || !expr.includes('jax.');
  const libs = py ? [...(hasJax ? ['jax'] : []), ...(numpy ? ['numpy'] : [])] : [];
  const t: Record<string, number[]> = { simd: [], js: [], jax: [], numpy: [] };
  for (let r = 0; r < REPEAT; r++) {
    cpuSimd.enabled = true;
    t.simd.push(await once(() => on(arg)));
    cpuSimd.enabled = false;
    t.js.push(await once(() => off(arg)));
    for (const lib of libs) t[lib].push(await py!.time([name, argName, expr, lib]));
  }
  cpuSimd.enabled = true;
  results.push({
    name,
    simd: stats(t.simd),
    js: stats(t.js),
    jax: t.jax.length ? stats(t.jax) : undefined,
    numpy: t.numpy.length ? stats(t.numpy) : undefined,
  });
}
py?.proc.stdin.end();

const ms = (t?: Timing) =>
  t ? `${t.median.toFixed(1).padStart(7)} (${t.min.toFixed(1).padStart(6)})` : '      —         ';
console.log(`median (min) of ${REPEAT} interleaved runs, ms`);
console.log(
  `${'case'.padEnd(32)} ${'tjax SIMD'.padEnd(16)} ${'tjax JS'.padEnd(16)} ${'JAX'.padEnd(16)} ${'NumPy'.padEnd(16)} JS/SIMD  SIMD/JAX`,
);
for (const { name, simd, js, jax, numpy } of results) {
  const ratio = (a: number, b?: number) => (b ? (a / b).toFixed(2).padStart(7) : '      —');
  console.log(
    `${name.padEnd(32)} ${ms(simd)} ${ms(js)} ${ms(jax)} ${ms(numpy)} ${ratio(js.median, simd.median)}  ${ratio(simd.median, jax?.median)}`,
  );
}
