/**
 * @file `tjax sample DIST`: draw from any of jax.random's samplers (or take `bits`/`split`) on
 * the command line, with JAX's distribution and parameter names, so the same key gives JAX's
 * numbers. Parameters are flags (`--lam 3`, `--logits '[0.1,2]'`, `--cov cov.npy`), the key is
 * `--seed N` or `--key K0,K1`, and results go out as `tjax run` writes them; `--stats` prints a
 * summary and a text histogram instead. The distributions are a table in src/cli/sample/, and what
 * the command does between parsing and writing is src/cli/sample/draw.ts.
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base.js';
import { applyEngineFlags } from '../cli/inputs.js';
import { OUTPUT_FORMATS, type OutputFormat, writeResult } from '../cli/output.js';
import { checkFlags, draw, listing, lookupDist, writeStats } from '../cli/sample/draw.js';
import { paramHelp } from '../cli/sample/params.js';
import { DISTRIBUTIONS, PARAM_FLAGS } from '../cli/sample/table.js';
import * as engine from '../engine/index.js';

const paramFlags = Object.fromEntries(
  PARAM_FLAGS.map((f) => [
    f,
    Flags.string({ description: paramHelp(f, DISTRIBUTIONS.values()), helpGroup: 'PARAMETER' }),
  ]),
);

export default class Sample extends BaseCommand {
  static override description =
    `Draw samples from a jax.random distribution; the same key gives JAX's numbers.

DIST is JAX's name (- and _ are interchangeable): ${[...DISTRIBUTIONS.keys()].join(', ')}. 'tjax sample list' shows each one's parameters. Parameters are flags with JAX's names; array-valued ones take inline JSON or a SOURCE as --arg does. The key is --seed N (default 0) or --key K0,K1.`;

  static override examples = [
    {
      description: 'Three standard normals from key(0)',
      command: '<%= config.bin %> sample normal --shape 3 --seed 0',
    },
    {
      description: 'A 2x3 table of Poisson counts',
      command: '<%= config.bin %> sample poisson --lam 4 --shape 2,3 --seed 1',
    },
    {
      description: 'Summary and histogram of 10000 truncated normals',
      command: '<%= config.bin %> sample truncated-normal --lower -1 --upper 2 --shape 10000 --stats',
    },
    {
      description: 'Categorical draws from logits, written to NPY',
      command: "<%= config.bin %> sample categorical --logits '[0.1,1,2]' --shape 100 --out c.npy",
    },
    {
      description: 'Four keys, then a draw from one of them',
      command: '<%= config.bin %> sample split --num 4 --seed 0',
    },
    { description: '', command: '<%= config.bin %> sample uniform --key 1797259609,2579123966 --shape 2' },
    { description: 'Random bytes', command: '<%= config.bin %> sample bits --dtype uint8 --shape 8' },
  ];

  static override args = {
    dist: Args.string({ description: "Distribution (JAX's name), or 'list'", required: true }),
  };

  static override flags = {
    shape: Flags.string({ char: 's', description: "Result shape: 3,4 (or '' for a scalar)" }),
    seed: Flags.string({ description: 'Integer seed of the key (jax.random.key(seed)); default 0' }),
    key: Flags.string({ description: 'A key as its two uint32 words K0,K1', exclusive: ['seed'] }),
    dtype: Flags.string({ char: 't', description: 'Result dtype (float32, int32, uint8, ...)' }),
    ...paramFlags,
    'legacy-prng': Flags.boolean({
      description:
        "Use JAX's older non-partitionable threefry counter layout (jax_threefry_partitionable=False)",
      default: false,
    }),
    stats: Flags.boolean({
      description: 'Print count, mean, std, quantiles and a histogram instead',
      default: false,
    }),
    out: Flags.string({
      char: 'o',
      description: 'Write the result to this file (format from the extension)',
    }),
    format: Flags.string({ char: 'f', description: 'Output format', options: OUTPUT_FORMATS }),
    json: Flags.boolean({ description: 'Write the result (or --stats) as JSON', default: false }),
    device: Flags.string({ description: 'Default device (cpu, webgpu; see tjax devices)' }),
    x64: Flags.boolean({ description: 'Enable 64-bit dtypes (float64, int64, uint64)', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Sample);
    if (args.dist === 'list') {
      process.stdout.write(listing());
      return;
    }
    const dist = lookupDist(args.dist);
    await applyEngineFlags(flags);
    if (flags['legacy-prng']) engine.config.threefryPartitionable = false;
    checkFlags(dist, flags);
    const result = await draw(dist, flags);
    if (flags.stats) return writeStats(result, flags);
    const format = (flags.json ? 'json' : flags.format) as OutputFormat | undefined;
    await writeResult(result, { out: flags.out, format });
  }
}
