/**
 * @file `tjax bench`: benchmark the devices on the suites of src/cli/bench/suites.ts. On a
 * terminal the table fills in live on stdout (its result), with a spinner, a progress bar and the
 * time left, and ends with a bar chart per suite; piped, the same rows as plain text; with --json,
 * one JSON document of the results. `--save` keeps a run with the machine's description and
 * `--compare` prints speedups against a saved one.
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base.js';
import { parseDevices, parseDtypes, parseSizes, parseSuites, suitesForDtypes } from '../cli/bench/options.js';
import { planBench, runBench } from '../cli/bench/runner.js';
import { loadBaseline, machineInfo, saveRun } from '../cli/bench/saved.js';
import { SUITES } from '../cli/bench/suites.js';
import { UsageError } from '../cli/errors.js';
import { loadTui, tuiFlag, viewWanted } from '../cli/tui.js';
import { benchHeader, benchLine } from '../tui/text.js';
import type { BenchProgress, BenchRow } from '../tui/types.js';

export default class Bench extends BaseCommand {
  static override description =
    `Benchmark the devices, waiting for every result; medians over repetitions.\n\nSuites:\n${SUITES.map(
      (s) => `  ${s.name.padEnd(12)}${s.about}; size: ${s.size}`,
    ).join('\n')}`;
  static override examples = [
    '<%= config.bin %> bench',
    '<%= config.bin %> bench matmul --sizes 256,512 --repeat 5 --device cpu,webgpu',
    '<%= config.bin %> bench elementwise softmax --dtype f16',
    '<%= config.bin %> bench --save before.json',
    '<%= config.bin %> bench --compare before.json',
    '<%= config.bin %> bench matmul --json',
  ];
  static override enableJsonFlag = true;
  static override strict = false;
  static override args = {
    suite: Args.string({
      description: `Suites to run (${SUITES.map((s) => s.name).join(', ')}); default all`,
    }),
  };
  static override flags = {
    device: Flags.string({
      description: 'Devices, comma-separated (cpu,webgpu,gpujs), or all',
      default: 'all',
    }),
    sizes: Flags.string({
      description: 'Sizes for every suite, comma-separated (256,512 or 1M); see each suite',
    }),
    repeat: Flags.integer({
      description: 'Timed repetitions per case (median reported)',
      default: 7,
      min: 1,
    }),
    dtype: Flags.string({ description: 'Dtypes, comma-separated: float32 (f32), float16 (f16)' }),
    save: Flags.string({ description: 'Write the results with a description of the machine to this file' }),
    compare: Flags.string({
      description: 'Print speedups against a run saved with --save (or --json output)',
    }),
    tui: tuiFlag,
  };

  async run(): Promise<BenchRow[]> {
    const { argv, flags } = await this.parse(Bench);
    const named = argv as string[];
    let suites = parseSuites(named);
    const sizes = flags.sizes === undefined ? undefined : parseSizes(flags.sizes);
    const dtypes = flags.dtype === undefined ? undefined : parseDtypes(flags.dtype);
    const notes: string[] = [];
    if (dtypes) suites = suitesForDtypes(suites, dtypes, named.length > 0, notes);
    const baseline = flags.compare ? loadBaseline(flags.compare) : null;
    const devices = await parseDevices(flags.device);
    const plan = await planBench(suites, devices, { sizes, dtypes });
    plan.notes.unshift(...notes);
    if (plan.cases.length === 0)
      throw new UsageError(`nothing to run: ${plan.notes.join('; ') || 'no cases'}`);

    const json = this.jsonEnabled();
    let update: (p: BenchProgress) => void = () => {};
    let finish: (p: BenchProgress) => Promise<void> = async () => {};
    if (viewWanted(process.stdout, { json, tui: flags.tui })) {
      const view = (await loadTui()).mountBench(process.stdout, { ...emptyState(plan.cases.length), notes });
      update = (p) => view.update(p);
      finish = (p) => view.finish(p);
    } else if (!json) {
      let printed = 0;
      process.stdout.write(`${benchHeader(baseline !== null)}\n`);
      update = (p) => {
        for (; printed < p.rows.length; printed++)
          process.stdout.write(`${benchLine(p.rows[printed], p.compared)}\n`);
      };
      finish = async (p) => {
        update(p);
        for (const n of p.notes) process.stderr.write(`note: ${n}\n`);
      };
    }
    let last: BenchProgress | null = null;
    const { rows, failures } = await runBench(plan, flags.repeat, baseline, (p) => {
      last = p;
      update(p);
    });
    await finish(last!);
    if (flags.save) {
      await saveRun(flags.save, {
        tjaxBench: 1,
        date: new Date().toISOString(),
        machine: machineInfo(this.config.root, this.config.version, devices),
        repeat: flags.repeat,
        results: rows,
      });
      process.stderr.write(`saved ${rows.length} results to ${flags.save}\n`);
    }
    if (failures.length) {
      if (json) for (const f of failures) process.stderr.write(`failed: ${f}\n`);
      process.exitCode = 1;
    }
    return rows;
  }
}

function emptyState(total: number): BenchProgress {
  return {
    rows: [],
    current: null,
    total,
    done: 0,
    elapsedMs: 0,
    etaMs: null,
    notes: [],
    compared: false,
    finished: false,
  };
}
