/**
 * @file `tjax bench`: a first benchmark suite: matmul and a fused elementwise chain at a few sizes
 * on each available device. Every timing waits for the result; medians over repeats.
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base.js';
import { UsageError } from '../cli/errors.js';
import * as engine from '../engine/index.js';

const jnp = engine.numpy;

interface Result {
  suite: string;
  device: string;
  size: number;
  medianMs: number;
  rate: number;
  unit: 'GFLOP/s' | 'GB/s';
}

async function median(f: () => Promise<void>, repeat: number): Promise<number> {
  await f(); // compile and warm up
  const ts: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

const SUITES: Record<
  string,
  { sizes: number[]; run: (device: string, n: number, repeat: number) => Promise<Result> }
> = {
  matmul: {
    sizes: [128, 256, 512],
    async run(device, n, repeat) {
      const a = engine.devicePut(jnp.linspace(-1, 1, n * n).reshape(n, n), device);
      const b = engine.devicePut(jnp.linspace(1, -1, n * n).reshape(n, n), device);
      const f = engine.jit((x: engine.Value, y: engine.Value) => jnp.matmul(x, y));
      const ms = await median(async () => {
        await (f(a, b) as engine.Array).blockUntilReady();
      }, repeat);
      return {
        suite: 'matmul',
        device,
        size: n,
        medianMs: ms,
        rate: (2 * n ** 3) / (ms * 1e6),
        unit: 'GFLOP/s',
      };
    },
  },
  elementwise: {
    sizes: [1_000_000, 10_000_000],
    async run(device, n, repeat) {
      const x = engine.devicePut(jnp.linspace(-3, 3, n), device);
      const f = engine.jit((v: engine.Value) => jnp.sin(v).mul(2).add(1));
      const ms = await median(async () => {
        await (f(x) as engine.Array).blockUntilReady();
      }, repeat);
      // One read and one write of float32 per element.
      return {
        suite: 'elementwise',
        device,
        size: n,
        medianMs: ms,
        rate: (8 * n) / (ms * 1e6),
        unit: 'GB/s',
      };
    },
  },
};

export default class Bench extends BaseCommand {
  static override description =
    'Benchmark the devices: matmul (GFLOP/s) and a fused elementwise chain sin(x)*2+1 (GB/s).';
  static override examples = [
    '<%= config.bin %> bench',
    '<%= config.bin %> bench matmul --sizes 256,512 --repeat 5',
    '<%= config.bin %> bench --json',
  ];
  static override strict = false;
  static override args = {
    suite: Args.string({ description: `Suites to run (${Object.keys(SUITES).join(', ')}); default all` }),
  };
  static override flags = {
    device: Flags.string({ description: 'Devices: comma-separated, or all', default: 'all' }),
    sizes: Flags.string({
      description: 'Comma-separated sizes (matrix side for matmul, elements for elementwise)',
    }),
    repeat: Flags.integer({ description: 'Timed repetitions per case (median reported)', default: 7 }),
    json: Flags.boolean({ description: 'Machine-readable output', default: false }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Bench);
    const names = (argv as string[]).length ? (argv as string[]) : Object.keys(SUITES);
    for (const n of names)
      if (!SUITES[n]) throw new UsageError(`unknown suite '${n}' (have: ${Object.keys(SUITES).join(', ')})`);
    // Every available device: the GPU backends are discovered first (asynchronously).
    if (flags.device === 'all' || /webgpu|gpujs/.test(flags.device)) await engine.initBackends();
    const devs = flags.device === 'all' ? engine.devices().map(String) : flags.device.split(',');
    for (const d of devs) engine.resolveDevice(d);
    const results: Result[] = [];
    for (const name of names) {
      const suite = SUITES[name];
      const sizes = flags.sizes ? flags.sizes.split(',').map(Number) : suite.sizes;
      for (const device of devs) {
        for (const size of sizes) {
          const r = await suite.run(device, size, flags.repeat);
          results.push(r);
          if (!flags.json) {
            process.stdout.write(
              `${r.suite.padEnd(12)} ${r.device.padEnd(8)} ${String(r.size).padStart(9)}  ${r.medianMs.toFixed(3).padStart(10)} ms  ${r.rate.toFixed(2).padStart(8)} ${r.unit}\n`,
            );
          }
        }
      }
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  }
}
