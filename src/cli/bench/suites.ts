/**
 * @file The suites of `tjax bench`: what each measures, at which sizes and dtypes, and its figure
 * of merit. A suite prepares a case (inputs placed on the device, the function jitted) and hands
 * back one run that waits for its result; the runner (runner.ts) warms it up, times it and turns
 * the median into the suite's rate. Inputs are committed to the device (devicePut), so a timed run
 * moves no data unless moving data is what the suite measures (transfer).
 */
import * as engine from '../../engine/index.js';

const jnp = engine.numpy;
type V = engine.Value;

export interface Prepared {
  /** Before each repetition, untimed (fresh data for a transfer). */
  setup?(): Promise<void>;
  /** One repetition; resolves when its result is ready. */
  run(): Promise<void>;
}

export interface Suite {
  name: string;
  /** One line for --help. */
  about: string;
  /** What a size means for this suite (matrix side, elements, hidden width). */
  size: string;
  sizes: number[];
  /** Dtypes it can run, and those it runs unless --dtype says otherwise. */
  dtypes: string[];
  defaultDtypes: string[];
  /** Cases of one size and dtype, such as `rows`/`cols` or `eager`/`jit`. */
  variants?: string[];
  unit: string;
  better: 'higher' | 'lower';
  /** Why the suite does not run on this device, or null. */
  skip?(device: engine.Device): string | null;
  prepare(device: string, size: number, dtype: string, variant: string): Promise<Prepared> | Prepared;
  /** The figure of merit from the median time of one repetition. */
  rate(size: number, dtype: string, variant: string, ms: number): number;
  /** Relative work of a case, for the estimate of the time left. */
  work(size: number, dtype: string, variant: string): number;
}

const itemsize = (dtype: string) => (dtype === 'float16' ? 2 : 4);

/** Deterministic data in [-1, 1] of a shape and dtype, committed to the device. */
function filled(shape: number[], dtype: string, device: string, phase = 0): V {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = jnp.sin(jnp.arange(n, null, null, { dtype: 'float32' }).mul(0.7331).add(phase));
  return engine.devicePut(jnp.reshape(x, shape).astype(dtype), device);
}

/**
 * Waits for a run's results, then releases them, as Python's reference counting frees JAX's the
 * moment a timing loop drops them: otherwise each run's outputs would be fresh memory until V8's
 * next major garbage collection, and a page fault per 4 KiB of it would be timed too. The case's
 * inputs (`keep`) stay, should a function hand one back as it is.
 */
async function ready(v: unknown, keep: readonly unknown[] = []): Promise<void> {
  const inputs = new Set(engine.tree.leaves(keep));
  for (const leaf of engine.tree.leaves(v)) {
    if (!(leaf instanceof engine.Array) || inputs.has(leaf)) continue;
    await leaf.blockUntilReady();
    leaf.dispose();
  }
}

/** A jitted function of fixed inputs, as a case. */
function jitted(f: (...xs: V[]) => unknown, ...inputs: unknown[]): Prepared {
  const jf = engine.jit(f as (...xs: unknown[]) => unknown);
  return { run: () => ready(jf(...inputs), inputs) };
}

const gbps = (bytes: number, ms: number) => bytes / (ms * 1e6);

/** Devices whose buffers are host memory (the CPU, gpu.js) have nothing to transfer. */
function hostMemory(d: engine.Device): string | null {
  return d.backend.toHostSync ? `${d} keeps arrays in host memory: nothing to transfer` : null;
}

/** Rows of 1000 (at least one). */
const softmaxShape = (n: number) => [Math.max(1, Math.round(n / 1000)), 1000];

const CONV_BATCH = 8;
const CONV_CHANNELS = 64;
/** Multiply-adds of a SAME 3x3 convolution, twice. */
const convFlops = (n: number) => 2 * CONV_BATCH * n * n * CONV_CHANNELS * CONV_CHANNELS * 9;

const OPS = 100;
const BATCH = 256;

function mlpLoss(ps: { w: V; b: V }[], x: V, y: V): V {
  let h = x;
  for (const { w, b } of ps) h = jnp.tanh(jnp.dot(h, w).add(b));
  return jnp.mean(h.sub(y).pow(2));
}

/**
 * A suite as declared below: float32 only and higher-is-better unless it says otherwise. Every suite
 * runs float32 unless --dtype asks for float16: no device computes in float16 natively yet (the CPU
 * rounds every op, WebGPU stores float32), and on the CPU it is ~200x slower than float32.
 */
type SuiteSpec = Omit<Suite, 'name' | 'dtypes' | 'defaultDtypes' | 'better'> &
  Partial<Pick<Suite, 'dtypes' | 'better'>>;
const suite = (s: SuiteSpec & { name: string }): Suite => ({
  dtypes: ['float32'],
  better: 'higher',
  ...s,
  defaultDtypes: ['float32'],
});

/** A memory-bound suite: its rate is the GB/s of the bytes a case moves; float32 or float16. */
function bandwidth({ bytes, ...s }: Omit<SuiteSpec, 'unit' | 'rate'> & { bytes: Suite['work'] }): SuiteSpec {
  return {
    dtypes: ['float32', 'float16'],
    ...s,
    unit: 'GB/s',
    rate: (n, dt, v, ms) => gbps(bytes(n, dt, v), ms),
  };
}

/** The suites by name, in the order they run. */
const SPECS: Record<string, SuiteSpec> = {
  matmul: {
    about: 'square matrix products (GFLOP/s); float16 with --dtype f16 (emulated in float32 on every device)',
    size: 'matrix side',
    sizes: [128, 256, 512],
    dtypes: ['float32', 'float16'],
    unit: 'GFLOP/s',
    prepare: (d, n, dt) =>
      jitted((a, b) => jnp.matmul(a, b), filled([n, n], dt, d), filled([n, n], dt, d, 1)),
    rate: (n, _dt, _v, ms) => (2 * n ** 3) / (ms * 1e6),
    work: (n) => 2 * n ** 3,
  },
  conv: {
    about: `3x3 convolutions, NHWC x HWIO, stride 1, SAME padding, batch ${CONV_BATCH}, ${CONV_CHANNELS} channels in and out (GFLOP/s)`,
    size: 'image side',
    sizes: [16, 32],
    // float32 only: float16 convolutions take the reference kernel, rounding every op, far too slow to time.
    unit: 'GFLOP/s',
    prepare: (d, n, dt) =>
      jitted(
        (x, k) =>
          engine.lax.convGeneralDilated(x, k, [1, 1], 'SAME', { dimensionNumbers: ['NHWC', 'HWIO', 'NHWC'] }),
        filled([CONV_BATCH, n, n, CONV_CHANNELS], dt, d),
        filled([3, 3, CONV_CHANNELS, CONV_CHANNELS], dt, d, 1).mul(1 / 24),
      ),
    rate: (n, _dt, _v, ms) => convFlops(n) / (ms * 1e6),
    work: (n) => convFlops(n),
  },
  elementwise: bandwidth({
    about: 'a fused chain sin(x) * 2 + 1, one read and one write per element (GB/s)',
    size: 'elements',
    sizes: [1_000_000, 10_000_000],
    prepare: (d, n, dt) => jitted((x) => jnp.sin(x).mul(2).add(1), filled([n], dt, d)),
    bytes: (n, dt) => 2 * n * itemsize(dt),
    work: (n) => 20 * n,
  }),
  reduction: bandwidth({
    about: 'sums of an n x n matrix along its rows (axis 1) and its columns (axis 0) (GB/s read)',
    size: 'matrix side',
    sizes: [1024, 4096],
    variants: ['rows', 'cols'],
    prepare: (d, n, dt, v) =>
      jitted((x) => jnp.sum(x, { axis: v === 'rows' ? 1 : 0 }), filled([n, n], dt, d)),
    bytes: (n, dt) => n * n * itemsize(dt),
    work: (n) => 2 * n * n,
  }),
  softmax: bandwidth({
    about: 'nn.softmax over rows of 1000, one read and one write per element (GB/s)',
    size: 'elements (rows of 1000)',
    sizes: [1_000_000, 4_000_000],
    prepare: (d, n, dt) => jitted((x) => engine.nn.softmax(x, { axis: -1 }), filled(softmaxShape(n), dt, d)),
    bytes: (n, dt) => 2 * softmaxShape(n)[0] * 1000 * itemsize(dt),
    work: (n) => 30 * n,
  }),
  normal: {
    about: 'random.normal draws from a threefry key, jitted (millions of draws per second)',
    size: 'draws',
    sizes: [10_000_000],
    unit: 'M draws/s',
    prepare: (d, n) =>
      jitted((k) => engine.random.normal(k, [n]), engine.devicePut(engine.random.PRNGKey(0), d)),
    rate: (n, _dt, _v, ms) => n / (ms * 1e3),
    work: (n) => 60 * n,
  },
  grad: {
    about: `jit(valueAndGrad) of a 3-layer tanh MLP, batch ${BATCH} (GFLOP/s: 3x the forward matmuls)`,
    size: 'hidden width',
    sizes: [256, 512],
    unit: 'GFLOP/s',
    prepare: (d, w, dt) => {
      const params = [0, 1, 2].map((l) => ({
        w: filled([w, w], dt, d, l + 1).mul(1 / Math.sqrt(w)),
        b: filled([w], dt, d, l + 11).mul(0.1),
      }));
      return jitted(
        (ps, x, y) => engine.valueAndGrad(mlpLoss)(ps as never, x, y),
        params,
        filled([BATCH, w], dt, d, 21),
        filled([BATCH, w], dt, d, 22),
      );
    },
    rate: (w, _dt, _v, ms) => (3 * 3 * 2 * BATCH * w * w) / (ms * 1e6),
    work: (w) => 18 * BATCH * w * w,
  },
  transfer: bandwidth({
    about:
      'float32 data from the host to the device (h2d, waited for by a one-element read) and back (d2h) (GB/s)',
    size: 'elements',
    sizes: [1_000_000, 16_000_000],
    dtypes: ['float32'],
    variants: ['h2d', 'd2h'],
    skip: hostMemory,
    prepare(d, n, _dt, v) {
      const host = new Float32Array(n).map((_, i) => Math.sin(i));
      const device = engine.resolveDevice(d);
      // Uploads happen on first use, and a read keeps its host copy: each repetition gets fresh
      // arrays. An upload is waited for through a one-element read of it (a tiny kernel).
      const first = engine.jit((x: V) => engine.lax.slice(x, [0], [1]));
      const copy = engine.jit((x: V) => x.add(0));
      const resident = engine.fromHostData(host, [n], engine.dtypes.float32, device);
      let a: engine.Array;
      return {
        async setup() {
          if (v === 'h2d') a = engine.fromHostData(host, [n], engine.dtypes.float32, device);
          else {
            a = copy(resident) as engine.Array;
            await device.backend.synchronize();
          }
        },
        async run() {
          if (v === 'h2d') await ready(first(a));
          else await a.data();
        },
      };
    },
    bytes: (n) => 4 * n,
    work: (n) => 4 * n,
  }),
  dispatch: {
    about: `microseconds per small op (x + 1 on the size's elements), eager and jitted, ${OPS} ops per repetition`,
    size: 'elements',
    sizes: [16],
    variants: ['eager', 'jit'],
    unit: 'µs/op',
    better: 'lower',
    prepare(d, n, dt, v) {
      const x = filled([n], dt, d);
      const step = v === 'jit' ? engine.jit((y: V) => y.add(1)) : (y: V) => y.add(1);
      return {
        async run() {
          let y = x;
          for (let i = 0; i < OPS; i++) y = step(y) as V;
          await ready(y, [x]);
        },
      };
    },
    rate: (_n, _dt, _v, ms) => (ms * 1000) / OPS,
    work: () => OPS * 1e4,
  },
};

export const SUITES: Suite[] = Object.entries(SPECS).map(([name, s]) => suite({ name, ...s }));

export function suiteNamed(name: string): Suite | undefined {
  return SUITES.find((s) => s.name === name);
}

/** A case's label: its variant and, where the suite has dtypes to choose from, the dtype (`rows f32`). */
export function caseLabel(s: Suite, dtype: string, variant: string): string {
  const short = dtype === 'float16' ? 'f16' : dtype === 'float32' ? 'f32' : dtype;
  return [variant, s.variants && s.dtypes.length === 1 ? '' : short].filter(Boolean).join(' ');
}
