/**
 * @file The CPU backend: buffers are typed arrays; kernels are JavaScript functions generated
 * from the kernel IR (codegen.ts), library kernels are hand-written (lib.ts). Execution is
 * synchronous; results are ready when `execute` returns.
 */
import os from 'node:os';
import type { Kernel, KernelProgram } from '../../compile/kir.js';
import { tempBytes } from '../../compile/plan.js';
import { type DType, type TypedArray, typedArrayFor } from '../../core/dtype.js';
import { type Backend, type CompiledProgram, Device } from '../backend.js';
import { renderKernel } from './codegen.js';
import { controlStep } from './control.js';
import { type LibKernelImpl, libKernels } from './lib.js';
import './libs.js';
import { type Runtime, runtime } from './runtime.js';

type KernelFn = (rt: Runtime, ...bufs: TypedArray[]) => void;

interface Step {
  name: string;
  run: (bufs: TypedArray[]) => void;
  source: string;
}

interface CpuProgram extends CompiledProgram {
  steps: Step[];
  /** Per-slot temporary buffers, reused across calls. */
  temps: (TypedArray | undefined)[];
}

/** Profiling switch for `--profile`: per-kernel timings are recorded when on. */
export const cpuProfile = { enabled: false };

function kernelName(k: Kernel, i: number): string {
  return k.kind === 'lib' ? `${k.op}_${i}` : `${k.kind}_${i}`;
}

export class CpuBackend implements Backend {
  readonly platform = 'cpu';
  readonly devices: Device[];
  constructor() {
    const cpu = os.cpus()[0]?.model?.trim() || 'unknown CPU';
    this.devices = [
      new Device('cpu', 0, 'cpu', `${cpu} (${os.cpus().length} cores), JavaScript kernels`, this),
    ];
  }

  fromHost(data: TypedArray): TypedArray {
    return data;
  }

  async toHost(buf: unknown): Promise<TypedArray> {
    return buf as TypedArray;
  }

  toHostSync(buf: unknown): TypedArray {
    return buf as TypedArray;
  }

  async synchronize(): Promise<void> {}

  compile(program: KernelProgram): CpuProgram {
    const t0 = performance.now();
    const dtypeOf = (b: number): DType => program.buffers[b].dtype;
    const steps: Step[] = program.kernels.map((k, i) => {
      const name = kernelName(k, i);
      if (k.kind === 'cond' || k.kind === 'while' || k.kind === 'loop') {
        return { name, ...controlStep(k, program, this, name) };
      }
      if (k.kind === 'lib') {
        const impl: LibKernelImpl | undefined = libKernels[k.op];
        if (!impl) throw new Error(`the cpu backend has no library kernel ${k.op}`);
        const infos = [...k.ins, ...k.outs].map((b) => program.buffers[b]);
        return {
          name,
          source: `// library kernel ${k.op}(${k.ins.map((b) => `b${b}`).join(', ')}) -> ${k.outs.map((b) => `b${b}`).join(', ')} ${JSON.stringify(k.params)}`,
          run: (bufs) =>
            impl(
              k.ins.map((b) => bufs[b]),
              k.outs.map((b) => bufs[b]),
              k.params,
              infos,
            ),
        };
      }
      const r = renderKernel(k, dtypeOf);
      // Generated from the kernel IR only: names are fixed, numbers are formatted literals.
      const fn = new Function(`return ${r.source}`)() as KernelFn;
      const params = r.params;
      let run: (bufs: TypedArray[]) => void;
      switch (params.length) {
        case 1:
          run = (b) => fn(runtime, b[params[0]]);
          break;
        case 2:
          run = (b) => fn(runtime, b[params[0]], b[params[1]]);
          break;
        case 3:
          run = (b) => fn(runtime, b[params[0]], b[params[1]], b[params[2]]);
          break;
        default:
          run = (b) => fn(runtime, ...params.map((p) => b[p]));
      }
      return { name, source: `// ${name}\nconst ${name} = ${r.source};`, run };
    });
    const compileMs = performance.now() - t0;
    return {
      program,
      steps,
      temps: [],
      source: steps.map((s) => s.source).join('\n\n'),
      compileMs,
      tempBytes: tempBytes(program),
    };
  }

  execute(exe: CompiledProgram, inputs: unknown[]): TypedArray[] {
    const p = exe as CpuProgram;
    const prog = p.program;
    const bufs: TypedArray[] = new Array(prog.buffers.length);
    prog.inputs.forEach((b, i) => {
      bufs[b] = inputs[i] as TypedArray;
    });
    for (const info of prog.buffers) {
      if (info.role === 'output') bufs[info.id] = typedArrayFor(info.dtype, info.size);
      else if (info.role === 'temp' && info.slot !== undefined) {
        let t = p.temps[info.slot];
        if (!t || t.length !== info.size || t.constructor !== typedArrayFor(info.dtype, 0).constructor) {
          t = typedArrayFor(info.dtype, info.size);
          p.temps[info.slot] = t;
        }
        bufs[info.id] = t;
      }
    }
    if (cpuProfile.enabled) {
      const timings: { kernel: string; ms: number }[] = [];
      for (const s of p.steps) {
        const t0 = performance.now();
        s.run(bufs);
        timings.push({ kernel: s.name, ms: performance.now() - t0 });
      }
      p.lastTimings = timings;
    } else {
      for (const s of p.steps) s.run(bufs);
    }
    return prog.outputs.map((b) => bufs[b]);
  }
}
