/**
 * @file `tjax run EXPR|FILE`: evaluate an expression or module on inputs, jitted by default.
 * A module's `progress()` reports are drawn live on stderr (src/cli/progress.ts); `--profile`
 * reports kernels, transfers and compile time (src/cli/profile.ts).
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base.js';
import { checkOutputFlags, jitProgram, loadInputs, positional } from '../cli/inputs.js';
import { type OutputFormat, writeResult } from '../cli/output.js';
import { Profile } from '../cli/profile.js';
import { programFlags, resultFlags } from '../cli/program-flags.js';
import { ProgressReporter } from '../cli/progress.js';

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
    ...resultFlags,
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
    device: Flags.string({ description: 'Default device (cpu, webgpu, gpujs; see tjax devices)' }),
    jit: Flags.boolean({
      description:
        'Compile the whole program as one function. Default: on for expressions (--no-jit runs them op by op), off for modules, which run eagerly as a JAX program does and call jit themselves',
      allowNo: true,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Run);
    checkOutputFlags(flags);
    const loaded = await loadInputs(args.program, flags);
    const f = positional(loaded);
    const profile = flags.profile ? new Profile(args.program) : null;
    // Only a module can call progress(); an expression never does.
    const progress = loaded.program.kind === 'module' ? new ProgressReporter(flags) : null;
    let result: unknown;
    try {
      result =
        (flags.jit ?? loaded.program.kind === 'expression')
          ? jitProgram(f).call(...loaded.values)
          : await f(...loaded.values);
    } finally {
      await progress?.finish();
    }
    const format = (flags.json ? 'json' : flags.format) as OutputFormat | undefined;
    await writeResult(result, { out: flags.out, format });
    await profile?.report(flags);
  }
}
