/**
 * @file `tjax grad EXPR|FILE`: derivatives at a point read from files: gradient, value and
 * gradient, Jacobians (forward or reverse), Hessian, JVP with a tangent, VJP with a cotangent.
 * The whole derivative computation is jitted by default.
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base.js';
import { derivative, MODES, type Mode } from '../cli/derivatives.js';
import { UsageError } from '../cli/errors.js';
import { checkOutputFlags, loadInputs } from '../cli/inputs.js';
import { type OutputFormat, writeResult } from '../cli/output.js';
import { Profile } from '../cli/profile.js';
import { programFlags, resultFlags } from '../cli/program-flags.js';
import * as engine from '../engine/index.js';

export default class Grad extends BaseCommand {
  static override description =
    'Differentiate an expression or module at a point: gradient, Jacobian, Hessian, JVP or VJP with respect to chosen inputs.';

  static override examples = [
    `<%= config.bin %> grad 'sum(sin(x)**2 * w)' --arg x='[0.5,1,2]' --arg w='[1,2,3]'`,
    `<%= config.bin %> grad 'sum(x**2)' --arg x=x.npy --mode value-and-grad --out g.npz`,
    `<%= config.bin %> grad 'tanh(A @ x)' --arg A=A.csv --arg x='[1,2]' --wrt x --mode jacobian`,
    `<%= config.bin %> grad 'sum(x**3)' --arg x='[1,2]' --mode hessian`,
    `<%= config.bin %> grad 'sin(x)' --arg x='[0,1]' --mode jvp --tangent x='[1,1]'`,
    `<%= config.bin %> grad 'x * y' --arg x='[1,2]' --arg y='[3,4]' --wrt x,y --mode vjp --cotangent '[1,1]'`,
  ];

  static override args = {
    program: Args.string({ description: 'An expression or a .js/.mjs/.ts module', required: true }),
  };

  static override flags = {
    ...programFlags,
    ...resultFlags,
    arg: Flags.string({ char: 'a', description: 'An input: name=SOURCE', multiple: true }),
    wrt: Flags.string({
      description: 'Inputs to differentiate with respect to, comma-separated (default: the first --arg)',
    }),
    mode: Flags.string({ description: 'What to compute', options: [...MODES], default: 'grad' }),
    tangent: Flags.string({
      description: 'For --mode jvp: a tangent per --wrt input, name=SOURCE',
      multiple: true,
    }),
    cotangent: Flags.string({ description: 'For --mode vjp: the output cotangent, SOURCE' }),
    out: Flags.string({
      char: 'o',
      description: 'Write the result to this file (.npy for one array, .npz by key)',
    }),
    device: Flags.string({ description: 'Default device' }),
    jit: Flags.boolean({
      description: 'Compile the derivative computation (--no-jit runs op by op)',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Grad);
    checkOutputFlags(flags);
    const loaded = await loadInputs(args.program, flags);
    if (loaded.names.length === 0)
      throw new UsageError('grad needs at least one --arg to differentiate with respect to');
    const compute = await derivative(loaded, flags.mode as Mode, flags);
    const profile = flags.profile ? new Profile(args.program) : null;
    const run = flags.jit ? engine.jit(compute) : compute;
    const result = run(...loaded.values);
    const format = (flags.json ? 'json' : flags.format) as OutputFormat | undefined;
    await writeResult(result, { out: flags.out, format });
    await profile?.report(flags);
  }
}
