/**
 * @file The gpu.js backend (`gpujs:0`): each kernel of a program that gpu.js can express
 * (render.ts) becomes one gpu.js kernel; the others (library kernels other than matmul, control
 * flow, 64-bit or bit-level integer work) run through the CPU backend's code for that one
 * kernel. Placement is visible: the compiled source heads each kernel with `on gpujs (mode)` or
 * `on cpu (fallback: why)`, and profiles name the device of each kernel.
 *
 * Buffers are host typed arrays, as on the CPU: gpu.js takes arrays and returns them, uploading
 * its arguments to textures (headless-gl) or wasm memory on every call, so a program pays a
 * round trip per kernel. Everything inside a gpu.js kernel is float32: arguments are converted
 * to Float32Array once per run, results are written back into the output's dtype (integer and
 * bool results are exact by render.ts's checks).
 */
import os from 'node:os';
import { fitBindings } from '../../compile/bindings.js';
import { kernelName, kernelTimed } from '../../compile/kernel-info.js';
import { type Kernel, type KernelProgram, kernelOutputs } from '../../compile/kir.js';
import { tempBytes } from '../../compile/plan.js';
import { type TypedArray, typedArrayFor } from '../../core/dtype.js';
import { observing } from '../../events.js';
import { type Backend, type CompiledProgram, Device } from '../backend.js';
import { CpuBackend } from '../cpu/backend.js';
import { cannotRender, renderGpuJs } from './render.js';

/** The parts of gpu.js's API the backend uses. */
export interface GpuJsKernelFn {
  (...args: Float32Array[]): Float32Array | unknown;
  destroy?(removeCanvasReferences?: boolean): void;
}
export interface GpuJsInstance {
  mode: string;
  Kernel: unknown;
  createKernel(source: string, settings: Record<string, unknown>): GpuJsKernelFn;
  destroy?(): Promise<void> | void;
}
export interface GpuJsModule {
  GPU: new (settings?: Record<string, unknown>) => GpuJsInstance;
}

type Bufs = TypedArray[];

interface Step {
  name: string;
  /** Where the kernel runs: 'gpujs' or 'cpu'. */
  device: 'gpujs' | 'cpu';
  source: string;
  run(bufs: Bufs, f32: Map<number, Float32Array>): void;
}

interface GpuJsProgram extends CompiledProgram {
  steps: Step[];
  temps: (TypedArray | undefined)[];
  /** Kernel names and where each runs, in order. */
  placement: { kernel: string; device: 'gpujs' | 'cpu'; reason?: string }[];
}

/** WebGL's enum for the number of textures one fragment shader may sample. */
const MAX_TEXTURE_IMAGE_UNITS = 0x8872;

/** Infinity, -Infinity, NaN: GLSL has no literals for them (render.ts reads them as sp[k]). */
const SPECIALS = new Float32Array([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]);

interface CpuStepsProgram extends CompiledProgram {
  steps: { run(bufs: Bufs): void; source: string }[];
}

export class GpuJsBackend implements Backend {
  readonly platform = 'gpujs';
  readonly devices: Device[];
  /** Kernels run on each device by the last `execute`s (tests check placement with it). */
  readonly stats = { gpujsKernels: 0, cpuKernels: 0 };
  private readonly cpu = new CpuBackend();

  constructor(
    readonly gpu: GpuJsInstance,
    /** 'headlessgl' or 'webasm'. */
    readonly mode: string,
    readonly version: string,
    /** Why headless-gl is not used, when it is not. */
    readonly note: string | null,
  ) {
    const how =
      mode === 'headlessgl'
        ? 'headless-gl (WebGL 1 on the X display)'
        : `WebAssembly on the CPU (${os.cpus().length} cores)`;
    this.devices = [new Device('gpujs', 0, 'gpu', `gpu.js ${version}, ${how}`, this)];
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

  /**
   * Under headless-gl every array argument of a kernel is a texture, and a fragment shader may
   * sample only MAX_TEXTURE_IMAGE_UNITS of them (WebAssembly mode has no such limit).
   */
  textureUnits(): number | null {
    if (this.mode !== 'headlessgl') return null;
    const gl = (this.gpu.Kernel as { testContext?: { getParameter(p: number): unknown } } | null)
      ?.testContext;
    const n = gl?.getParameter(MAX_TEXTURE_IMAGE_UNITS);
    return typeof n === 'number' && n > 0 ? n : 8;
  }

  compile(lowered: KernelProgram, label?: string): GpuJsProgram {
    const t0 = performance.now();
    // Textures: the kernel's inputs and the specials array (which takes the output's place in
    // fitBindings's count of inputs + outputs).
    const units = this.textureUnits();
    const program = units === null ? lowered : fitBindings(lowered, { limit: units });
    const placement: GpuJsProgram['placement'] = [];
    const steps: Step[] = [];
    program.kernels.forEach((k, i) => {
      const name = kernelName(k, i);
      const why = cannotRender(k, program.buffers);
      if (why === null) {
        steps.push(this.gpuStep(k, program, name, label));
        placement.push({ kernel: name, device: 'gpujs' });
      } else {
        steps.push(this.cpuStep(k, program, name, why));
        placement.push({ kernel: name, device: 'cpu', reason: why });
      }
    });
    return {
      program,
      label,
      steps,
      temps: [],
      placement,
      source: steps.map((s) => s.source).join('\n\n'),
      compileMs: performance.now() - t0,
      tempBytes: tempBytes(program),
    };
  }

  private gpuStep(k: Kernel, program: KernelProgram, name: string, label?: string): Step {
    const r = renderGpuJs(k, program.buffers);
    const size = r.size;
    let fn: GpuJsKernelFn | null = null;
    const out = r.out;
    const params = r.params;
    return {
      name,
      device: 'gpujs',
      source: `// ${name} on gpujs (${this.mode}), ${size} threads\nconst ${name} = ${r.source};`,
      run: (bufs, f32) => {
        if (size === 0) return;
        fn ??= this.gpu.createKernel(r.source, { output: [size], precision: 'single', tactic: 'precision' });
        const args = [SPECIALS, ...params.map((p) => asF32(bufs[p], p, f32))];
        let res: Float32Array;
        try {
          res = fn(...args) as Float32Array;
        } catch (e) {
          throw new Error(
            `gpujs: kernel ${name}${label ? ` of ${label}` : ''} failed in gpu.js (${this.mode}): ${(e as Error).message}`,
          );
        }
        const dst = bufs[out];
        dst.set((res.length === size ? res : res.subarray(0, size)) as never);
        f32.delete(out);
      },
    };
  }

  private cpuStep(k: Kernel, program: KernelProgram, name: string, why: string): Step {
    const exe = this.cpu.compile({ ...program, kernels: [k] }) as CpuStepsProgram;
    const inner = exe.steps[0];
    const outs = kernelOutputs(k);
    return {
      name,
      device: 'cpu',
      source: `// ${name} on cpu (fallback: ${why})\n${inner.source}`,
      run: (bufs, f32) => {
        inner.run(bufs);
        for (const b of outs) f32.delete(b);
      },
    };
  }

  execute(exe: CompiledProgram, inputs: unknown[]): TypedArray[] {
    const p = exe as GpuJsProgram;
    const prog = p.program;
    const bufs: TypedArray[] = new Array(prog.buffers.length);
    prog.inputs.forEach((b, i) => {
      bufs[b] = inputs[i] as TypedArray;
    });
    for (const info of prog.buffers) {
      if (info.role === 'output') bufs[info.id] = typedArrayFor(info.dtype, info.size);
      else if (info.role === 'temp') {
        if (info.slot === undefined) {
          bufs[info.id] = typedArrayFor(info.dtype, info.size);
          continue;
        }
        let t = p.temps[info.slot];
        if (!t || t.length !== info.size || t.constructor !== typedArrayFor(info.dtype, 0).constructor) {
          t = typedArrayFor(info.dtype, info.size);
          p.temps[info.slot] = t;
        }
        bufs[info.id] = t;
      }
    }
    const f32 = new Map<number, Float32Array>();
    const timed = observing.kernelTimes;
    p.steps.forEach((s, i) => {
      const t0 = timed ? performance.now() : 0;
      s.run(bufs, f32);
      if (s.device === 'gpujs') this.stats.gpujsKernels++;
      else this.stats.cpuKernels++;
      // A kernel gpu.js cannot render runs on the CPU, and the profile says so.
      if (timed) kernelTimed(s.device === 'gpujs' ? this.devices[0] : 'cpu:0', p, i, performance.now() - t0);
    });
    return prog.outputs.map((b) => bufs[b]);
  }
}

/** A buffer as gpu.js's float32 argument (converted once per run; non-empty for gpu.js). */
function asF32(b: TypedArray, id: number, cache: Map<number, Float32Array>): Float32Array {
  if (b instanceof Float32Array && b.length > 0) return b;
  let f = cache.get(id);
  if (!f) {
    f = new Float32Array(Math.max(1, b.length));
    for (let i = 0; i < b.length; i++) f[i] = Number(b[i]);
    cache.set(id, f);
  }
  return f;
}

/** Where each kernel of a compiled gpujs program runs (for tests and `jit-inspect`). */
export function placementOf(exe: CompiledProgram): GpuJsProgram['placement'] | null {
  return (exe as Partial<GpuJsProgram>).placement ?? null;
}
