/**
 * @file `tjax grad EXPR|FILE`: derivatives at a point read from files: gradient, value and
 * gradient, Jacobians (forward or reverse), Hessian, JVP with a tangent, VJP with a cotangent.
 * The whole derivative computation is jitted by default.
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base.js';
import { UsageError } from '../cli/errors.js';
import { checkOutputFlags, loadInputs, positional } from '../cli/inputs.js';
import { OUTPUT_FORMATS, type OutputFormat, writeResult } from '../cli/output.js';
import { programFlags } from '../cli/program-flags.js';
import { loadSource, parseArgFlag } from '../cli/sources.js';
import * as engine from '../engine/index.js';
import { clip } from '../format/quote.js';

const MODES = ['grad', 'value-and-grad', 'jacobian', 'jacfwd', 'jacrev', 'hessian', 'jvp', 'vjp'] as const;
type Mode = (typeof MODES)[number];

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
    format: Flags.string({ char: 'f', description: 'Output format', options: OUTPUT_FORMATS }),
    device: Flags.string({ description: 'Default device' }),
    jit: Flags.boolean({
      description: 'Compile the derivative computation (--no-jit runs op by op)',
      default: true,
      allowNo: true,
    }),
    delimiter: Flags.string({ description: 'CSV delimiter (default: sniffed)' }),
    'empty-as-nan': Flags.boolean({ description: 'CSV: read empty cells as NaN', default: false }),
    x64: Flags.boolean({ description: 'Enable 64-bit dtypes', default: false }),
    json: Flags.boolean({ description: 'Write the result as JSON', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Grad);
    checkOutputFlags(flags);
    const loaded = await loadInputs(args.program, flags);
    if (loaded.names.length === 0)
      throw new UsageError('grad needs at least one --arg to differentiate with respect to');
    const wrt = flags.wrt === undefined ? [loaded.names[0]] : flags.wrt.split(',').map((s) => s.trim());
    if (wrt.some((w) => w === ''))
      throw new UsageError(`--wrt expects input names separated by commas, got '${clip(flags.wrt ?? '')}'`);
    for (const w of wrt)
      if (!loaded.names.includes(w)) throw new UsageError(`--wrt ${clip(w)}: no --arg named ${clip(w)}`);
    const argnums = wrt.map((w) => loaded.names.indexOf(w));
    for (const i of argnums)
      loaded.values[i] = differentiable(loaded.names[i]!, loaded.values[i], loaded.typed[i]!);
    const f = positional(loaded);
    const mode = flags.mode as Mode;
    const keyed = (r: unknown) =>
      wrt.length === 1 ? r : Object.fromEntries(wrt.map((w, i) => [w, (r as unknown[])[i]]));
    const an = wrt.length === 1 ? argnums[0] : argnums;

    let compute: (...xs: unknown[]) => unknown;
    switch (mode) {
      case 'grad':
        compute = (...xs) => keyed(engine.grad(f, { argnums: an })(...xs));
        break;
      case 'value-and-grad':
        compute = (...xs) => {
          const [value, g] = engine.valueAndGrad(f, { argnums: an })(...xs);
          return { value, grad: keyed(g) };
        };
        break;
      case 'jacobian':
      case 'jacrev':
        compute = (...xs) => keyed(engine.jacrev(f, { argnums: an })(...xs));
        break;
      case 'jacfwd':
        compute = (...xs) => keyed(engine.jacfwd(f, { argnums: an })(...xs));
        break;
      case 'hessian':
        compute = (...xs) => keyed(engine.hessian(f, { argnums: an })(...xs));
        break;
      case 'jvp': {
        const given = new Map(
          (flags.tangent ?? []).map((t) => {
            const a = parseArgFlag(t);
            return [a.name, a.spec] as const;
          }),
        );
        for (const w of wrt)
          if (!given.has(w))
            throw new UsageError(`--mode jvp needs --tangent ${w}=SOURCE for each --wrt input`);
        for (const k of given.keys())
          if (!wrt.includes(k)) throw new UsageError(`--tangent ${k}: ${k} is not a --wrt input`);
        const tangents: unknown[] = [];
        for (const w of wrt)
          tangents.push(likePrimal(await loadSource(given.get(w)!), loaded.values[loaded.names.indexOf(w)]));
        compute = (...xs) => {
          const g = (...ws: unknown[]) =>
            f(...xs.map((x, i) => (argnums.includes(i) ? ws[argnums.indexOf(i)] : x)));
          const [primal, tangent] = engine.jvp(
            g,
            argnums.map((i) => xs[i]),
            tangents,
          );
          return { primal, tangent };
        };
        break;
      }
      case 'vjp': {
        if (!flags.cotangent)
          throw new UsageError('--mode vjp needs --cotangent SOURCE (shaped like the output)');
        const ct = await loadSource(flags.cotangent);
        compute = (...xs) => {
          const g = (...ws: unknown[]) =>
            f(...xs.map((x, i) => (argnums.includes(i) ? ws[argnums.indexOf(i)] : x)));
          const [primal, pullback] = engine.vjp(g, ...argnums.map((i) => xs[i]));
          const cts = pullback(likePrimal(ct, primal)) as unknown[];
          return { primal, cotangent: wrt.length === 1 ? cts[0] : keyed(cts) };
        };
        break;
      }
    }
    const run = flags.jit ? engine.jit(compute) : compute;
    const result = run(...loaded.values);
    const format = (flags.json ? 'json' : flags.format) as OutputFormat | undefined;
    await writeResult(result, { out: flags.out, format });
  }
}

/**
 * An input to differentiate: integers read from text (an inline `[1,2,3]`, JSON, CSV) are promoted
 * to the default float dtype, since text does not say 1 from 1.0; an integer array from a typed
 * source (NPY, NPZ) keeps JAX's error.
 */
function differentiable(name: string, value: unknown, typed: boolean): unknown {
  return engine.tree.map((v: unknown) => {
    if (!(v instanceof engine.Array) || v.dtype.isFloat) return v;
    if (!typed && v.dtype.isInt) return v.astype(engine.config.enableX64 ? 'float64' : 'float32');
    throw new UsageError(
      `cannot differentiate with respect to '${name}': it is ${v.dtype.name}, and derivatives need floating-point inputs ` +
        '(write 1.0 rather than 1 in JSON, or use a float NPY file)',
    );
  }, value);
}

/** A tangent or cotangent cast leaf by leaf to the float dtype of the primal it goes with. */
function likePrimal(t: unknown, primal: unknown): unknown {
  return engine.tree.map(
    (x: unknown, p: unknown) =>
      x instanceof engine.Array &&
      p &&
      typeof p === 'object' &&
      'dtype' in p &&
      x.dtype !== (p as engine.Array).dtype
        ? x.astype((p as engine.Array).dtype)
        : x,
    t,
    primal,
  );
}
