/**
 * @file `tjax jit-inspect EXPR|FILE`: what a program traces and compiles to: the jaxpr (JAX's
 * exact text), the lowered kernels with their generated code, compile facts, or the StableHLO
 * module `jax.jit(f).lower(*args).as_text()` prints (`--stage stablehlo`, `--out f.mlir`).
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base.js';
import { UsageError } from '../cli/errors.js';
import { loadInputs, positional } from '../cli/inputs.js';
import { programFlags } from '../cli/program-flags.js';
import * as engine from '../engine/index.js';

export default class JitInspect extends BaseCommand {
  static override description =
    'Show what a program traces and compiles to: its jaxpr, its fused kernels, or compile facts.';

  static override examples = [
    `<%= config.bin %> jit-inspect 'sin(x) * 2 + 1' --arg x='f32[1000]'`,
    `<%= config.bin %> jit-inspect 'exp(x) / sum(exp(x))' --arg x='f32[8]' --stage lowered`,
    `<%= config.bin %> jit-inspect 'x @ w' --arg x=x.npy --arg w='f32[3,4]' --stage compiled --json`,
    `<%= config.bin %> jit-inspect 'tanh(x @ w)' --arg x='f32[8,3]' --arg w='f32[3,4]' --stage stablehlo --out model.mlir`,
  ];

  static override args = {
    program: Args.string({ description: 'An expression or a .js/.mjs/.ts module', required: true }),
  };

  static override flags = {
    ...programFlags,
    arg: Flags.string({
      char: 'a',
      description: 'An input: name=SOURCE or name=SHAPE (e.g. f32[8,3])',
      multiple: true,
    }),
    stage: Flags.string({
      description: 'What to show',
      options: ['jaxpr', 'lowered', 'compiled', 'stablehlo'],
      default: 'jaxpr',
    }),
    out: Flags.string({
      char: 'o',
      description: 'Write the text to this file (atomically) instead of stdout',
    }),
    static: Flags.string({
      description: 'Treat this input as static (its value is part of the cache key)',
      multiple: true,
    }),
    device: Flags.string({ description: 'Device to lower for' }),
    x64: Flags.boolean({ description: 'Enable 64-bit dtypes', default: false }),
    json: Flags.boolean({ description: 'Machine-readable output', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(JitInspect);
    const loaded = await loadInputs(args.program, flags, true);
    const statics = flags.static ?? [];
    for (const s of statics)
      if (!loaded.names.includes(s)) throw new UsageError(`--static ${s}: no --arg named ${s}`);
    const staticArgnums = statics.map((s) => loaded.names.indexOf(s));
    const f = positional(loaded);
    const out: Record<string, unknown> = { stage: flags.stage };
    let textOut: string;
    if (flags.stage === 'jaxpr') {
      const jaxpr = engine.makeJaxpr(f, { staticArgnums })(...loaded.values);
      textOut = String(jaxpr);
      out.jaxpr = textOut;
    } else if (flags.stage === 'stablehlo') {
      const exported = engine
        .jit(f, { staticArgnums, device: flags.device })
        .lower(...loaded.values)
        .export();
      textOut = exported.text.replace(/\n$/, '');
      out.stablehlo = exported.text;
      // Which --arg inputs @main takes, in order (jit prunes unused ones, as JAX does).
      const dyn = loaded.names.filter((_, i) => !staticArgnums.includes(i));
      out.arguments = exported.keptArgs.map((i) => dyn[i]);
    } else {
      const lowered = engine.jit(f, { staticArgnums, device: flags.device }).lower(...loaded.values);
      const compiled = lowered.compile();
      const prog = compiled.executable.compiled.program;
      if (flags.stage === 'lowered') {
        const header = `// ${prog.kernels.length} kernel(s) for ${compiled.executable.device}\n`;
        textOut = header + compiled.asText();
        out.device = String(compiled.executable.device);
        out.kernels = prog.kernels.length;
        out.code = compiled.asText();
      } else {
        const facts = {
          device: String(compiled.executable.device),
          kernels: prog.kernels.length,
          kernelKinds: prog.kernels.map((k) => (k.kind === 'lib' ? `lib:${k.op}` : k.kind)),
          simdKernels: compiled.executable.compiled.simdKernels ?? 0,
          tempBytes: compiled.tempBytes,
          outputBytes: prog.outputs.reduce(
            (n, b) => n + prog.buffers[b].size * prog.buffers[b].dtype.itemsize,
            0,
          ),
          compileMs: Number(compiled.compileMs.toFixed(3)),
          cacheKey: lowered.cacheKey,
        };
        Object.assign(out, facts);
        textOut = [
          `device:        ${facts.device}`,
          `kernels:       ${facts.kernels} (${facts.kernelKinds.join(', ')})${facts.simdKernels ? `, ${facts.simdKernels} as WebAssembly SIMD` : ''}`,
          `temporaries:   ${facts.tempBytes} bytes`,
          `outputs:       ${facts.outputBytes} bytes`,
          `compile time:  ${facts.compileMs} ms`,
          `cache key:     ${facts.cacheKey}`,
        ].join('\n');
      }
    }
    const body = flags.json ? `${JSON.stringify(out, null, 2)}\n` : `${textOut}\n`;
    if (flags.out) {
      const { writeFileAtomic } = await import('../format/atomic.js');
      await writeFileAtomic(flags.out, body);
    } else process.stdout.write(body);
  }
}
