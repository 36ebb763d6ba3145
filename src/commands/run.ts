/**
 * @file `tjax run EXPR|FILE`: evaluate an expression or module on inputs, jitted by default.
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base.js';
import { checkOutputFlags, jitProgram, loadInputs, positional } from '../cli/inputs.js';
import { OUTPUT_FORMATS, type OutputFormat, writeResult } from '../cli/output.js';
import { programFlags } from '../cli/program-flags.js';
import * as engine from '../engine/index.js';

export default class Run extends BaseCommand {
  static override description =
    'Evaluate an array expression (jitted) or run a JS/TS module program (eagerly, as a JAX program runs) on inputs.';

  static override examples = [
    `<%= config.bin %> run 'sum(sin(x)**2)' --arg x='[1,2,3]'`,
    `<%= config.bin %> run 'x.T @ x' --arg x=data.npy --out gram.npy`,
    `cat x.npy | <%= config.bin %> run 'mean(x, axis=0)' --arg x=- --format json`,
    `<%= config.bin %> run model.ts --arg w=w.npz --arg x=x.csv`,
    `<%= config.bin %> run train.ts --set steps=200 --set out=runs/a --seed 0`,
  ];

  static override args = {
    program: Args.string({
      description: 'An expression, or a .js/.mjs/.ts module whose default export takes the named inputs',
      required: true,
    }),
  };

  static override flags = {
    ...programFlags,
    arg: Flags.string({
      char: 'a',
      description:
        'An input: name=SOURCE (file.npy, file.npz:key, file.csv[:cols], file.json, - for stdin, or inline JSON)',
      multiple: true,
    }),
    out: Flags.string({
      char: 'o',
      description: 'Write the result to this file (format from the extension) or - for stdout',
    }),
    format: Flags.string({ char: 'f', description: 'Output format', options: OUTPUT_FORMATS }),
    device: Flags.string({ description: 'Default device (cpu, webgpu, gpujs; see tjax devices)' }),
    jit: Flags.boolean({
      description:
        'Compile the whole program as one function. Default: on for expressions (--no-jit runs them op by op), off for modules, which run eagerly as a JAX program does and call jit themselves',
      allowNo: true,
    }),
    'empty-as-nan': Flags.boolean({ description: 'CSV: read empty cells as NaN', default: false }),
    x64: Flags.boolean({ description: 'Enable 64-bit dtypes (float64, int64)', default: false }),
    profile: Flags.boolean({ description: 'Print per-kernel device and timings to stderr', default: false }),
    delimiter: Flags.string({ description: 'CSV delimiter (default: sniffed)' }),
    json: Flags.boolean({ description: 'Write the result as JSON', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Run);
    checkOutputFlags(flags);
    const loaded = await loadInputs(args.program, flags);
    const f = positional(loaded);
    if (flags.profile) engine.cpuProfile.enabled = true;
    const t0 = performance.now();
    let result: unknown;
    let compiled: engine.Compiled | null = null;
    if (flags.jit ?? loaded.program.kind === 'expression') {
      const jf = jitProgram(f);
      result = jf.call(...loaded.values);
      // The same cache entry as the call: its executable holds the timings of the run.
      if (flags.profile) compiled = jf.lower(...loaded.values).compile();
    } else {
      result = await f(...loaded.values);
    }
    const format = (flags.json ? 'json' : flags.format) as OutputFormat | undefined;
    await writeResult(result, { out: flags.out, format });
    if (flags.profile) {
      const total = performance.now() - t0;
      const lines = [`profile: ${args.program}`];
      if (compiled) {
        lines.push(
          `  compiled ${compiled.kernelCount} kernel(s) in ${compiled.compileMs.toFixed(2)} ms, temporaries ${compiled.tempBytes} bytes`,
        );
        for (const t of compiled.executable.compiled.lastTimings ?? []) {
          lines.push(`  ${compiled.executable.device}  ${t.kernel.padEnd(16)} ${t.ms.toFixed(3)} ms`);
        }
      }
      lines.push(`  total ${total.toFixed(2)} ms`);
      process.stderr.write(`${lines.join('\n')}\n`);
    }
  }
}
