/**
 * @file The CPU backend: buffers are typed arrays; kernels are JavaScript functions generated
 * from the kernel IR (codegen.ts), or WebAssembly SIMD for large map kernels that have an exact
 * SIMD form (wasm/simd.ts); library kernels are hand-written (lib.ts). Execution is
 * synchronous; results are ready when `execute` returns. Large kernels run in chunks, on worker
 * threads when their buffers are shared (threads.ts); large buffers are allocated shared.
 */
import os from 'node:os';
import { kernelName, kernelTimed } from '../../compile/kernel-info.js';
import type { ArgReduceKernel, KernelProgram, MapKernel, ReduceKernel } from '../../compile/kir.js';
import { expandKernel } from '../../compile/libm/index.js';
import { foldMatmulTransposes } from '../../compile/matmul-layout.js';
import { replanBuffers, tempBytes } from '../../compile/plan.js';
import { type DType, type TypedArray, typedArrayFor } from '../../core/dtype.js';
import { observing } from '../../events.js';
import { type Backend, type CompiledProgram, Device } from '../backend.js';
import { renderKernel, transposedDim } from './codegen.js';
import { controlStep } from './control.js';
import { type LibKernelImpl, libKernels } from './lib.js';
import './libs.js';
import { runCarried } from './chunks.js';
import { runtime } from './runtime.js';
import { allocBuffer, type KernelFn, LARGE_WORK, type RangedKernel, runLarge, shareable } from './threads.js';
import { cpuSimd, simdStats, type WasmKernel, wasmMapKernel } from './wasm/simd.js';
import { wasmArgReduceKernel } from './wasm/simd-argreduce.js';
import { wasmColumnsKernel } from './wasm/simd-columns.js';
import { wasmReduceKernel } from './wasm/simd-reduce.js';
import { wasmTransposeKernel } from './wasm/simd-transpose.js';

interface Step {
  name: string;
  run: (bufs: TypedArray[]) => void;
  source: string;
  /** Runs as WebAssembly SIMD. */
  simd?: boolean;
}

interface CpuProgram extends CompiledProgram {
  steps: Step[];
  /** Buffers a generated kernel writes in full (they need not be zeroed first). */
  written: Set<number>;
  /** Per-slot temporary buffers, reused across calls. */
  temps: (TypedArray | undefined)[];
}

/** Map kernels with libm expansions run as SIMD from this many elements on. */
const SIMD_LIBM_WORK = 256;

type SimdFn = { fn: KernelFn; source: string; bytes: number } | null;

/** A SIMD kernel's wrapper source compiled (null: none, or no WebAssembly here). */
function compiled(w: WasmKernel | null): SimdFn {
  if (!w) return null;
  try {
    const fn = new Function(`return ${w.source}`)() as KernelFn;
    simdStats.kernels++;
    return { fn, source: w.source, bytes: w.bytes };
  } catch {
    return null;
  }
}

/** The SIMD form of a map or reduction kernel, compiled, or null (none, or off). */
function simdKernel(k: MapKernel | ReduceKernel | ArgReduceKernel, program: KernelProgram): SimdFn {
  if (!cpuSimd.enabled) return null;
  const dtypeOf = (b: number) => program.buffers[b].dtype;
  const sizeOf = (b: number) => program.buffers[b].size;
  return compiled(
    k.kind === 'map'
      ? wasmMapKernel(k, dtypeOf, sizeOf)
      : k.kind === 'argreduce'
        ? wasmArgReduceKernel(k, dtypeOf, sizeOf)
        : (wasmReduceKernel(k, dtypeOf, sizeOf) ?? wasmColumnsKernel(k, dtypeOf, sizeOf)),
  );
}

/** A transposing copy as WebAssembly SIMD (wasm/simd-transpose.ts), compiled, or null. */
function simdTranspose(k: MapKernel, program: KernelProgram, js: string): SimdFn {
  if (!cpuSimd.enabled) return null;
  return compiled(wasmTransposeKernel(k, transposedDim(k), (b) => program.buffers[b].dtype, js));
}

/**
 * Set while a timed program runs: control-flow bodies run through `execute` too (also under gpu.js's
 * CPU fallback), and only the outer program's kernels are timed.
 */
let timedDepth = 0;

export class CpuBackend implements Backend {
  readonly platform = 'cpu';
  readonly devices: Device[];
  constructor() {
    const cpu = os.cpus()[0]?.model?.trim() || 'unknown CPU';
    // TJAX_CPU_DEVICES=n: n CPU devices sharing the worker pool and memory (for pmap), as XLA's
    // --xla_force_host_platform_device_count; one by default, as JAX.
    const n = Math.max(1, Number.parseInt(process.env.TJAX_CPU_DEVICES ?? '1', 10) || 1);
    this.devices = Array.from(
      { length: n },
      (_, i) =>
        new Device(
          'cpu',
          i,
          'cpu',
          `${cpu} (${os.cpus().length} cores), JavaScript and WebAssembly SIMD kernels`,
          this,
        ),
    );
  }

  /** Host data as is, or, when large and threads are on, a copy on a SharedArrayBuffer (once,
   * so that kernels reading it can run on worker threads). */
  fromHost(data: TypedArray): TypedArray {
    return shareable(data);
  }

  async toHost(buf: unknown): Promise<TypedArray> {
    return buf as TypedArray;
  }

  toHostSync(buf: unknown): TypedArray {
    return buf as TypedArray;
  }

  async synchronize(): Promise<void> {}

  compile(program: KernelProgram, label?: string): CpuProgram {
    const t0 = performance.now();
    // Products write transposed results themselves; the moved writes need a new buffer plan.
    if (foldMatmulTransposes(program)) replanBuffers(program);
    const dtypeOf = (b: number): DType => program.buffers[b].dtype;
    const steps: Step[] = program.kernels.map((k0, i) => {
      const name = kernelName(k0, i);
      // float32 transcendental functions become the libm's polynomials (JavaScript and SIMD alike).
      const k = expandKernel(k0);
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
      const large = r.extent > 1 && r.work >= LARGE_WORK;
      // A large map kernel with an exact SIMD form runs as WebAssembly (wasm/simd.ts); so does a
      // smaller one with libm polynomials in it, which cost JavaScript a Math.fround per op.
      const libm = k !== k0 && r.work >= SIMD_LIBM_WORK;
      const simd =
        (large || libm) && !r.carry && k.kind === 'map'
          ? (simdKernel(k, program) ?? (large ? simdTranspose(k, program, r.source) : null))
          : large && (k.kind === 'reduce' || k.kind === 'argreduce')
            ? simdKernel(k, program)
            : null;
      // Generated from the kernel IR only: names are fixed, numbers are formatted literals.
      const fn = (simd?.fn ?? new Function(`return ${r.source}`)()) as KernelFn;
      const params = r.params;
      // The outermost loop's range: all of it (non-ranged kernels ignore it).
      const hi = r.extent;
      let run: (bufs: TypedArray[]) => void;
      if (r.carry && r.extent > 1 && r.work >= LARGE_WORK) {
        const k0 = { fn, calls: 0 };
        const { extent, work } = r;
        run = (b) =>
          runCarried(
            k0,
            params.map((p) => b[p]),
            runtime,
            extent,
            work / extent,
          );
      } else if (large) {
        const big: RangedKernel = {
          name,
          source: simd?.source ?? r.source,
          fn,
          extent: r.extent,
          inner: r.work / r.extent,
          out: params.indexOf((k as { out: number }).out),
          calls: 0,
        };
        run = (b) =>
          runLarge(
            big,
            params.map((p) => b[p]),
            runtime,
          );
      } else {
        switch (params.length) {
          case 1:
            run = (b) => fn(runtime, b[params[0]], 0, hi);
            break;
          case 2:
            run = (b) => fn(runtime, b[params[0]], b[params[1]], 0, hi);
            break;
          case 3:
            run = (b) => fn(runtime, b[params[0]], b[params[1]], b[params[2]], 0, hi);
            break;
          default:
            run = (b) => fn(runtime, ...params.map((p) => b[p]), 0, hi);
        }
      }
      const note = simd ? ` (runs as WebAssembly SIMD, ${simd.bytes} bytes; in JavaScript:)` : '';
      return { name, source: `// ${name}${note}\nconst ${name} = ${r.source};`, run, simd: simd !== null };
    });
    const compileMs = performance.now() - t0;
    const written = new Set(
      program.kernels
        .filter((k) => k.kind === 'map' || k.kind === 'reduce' || k.kind === 'argreduce' || k.kind === 'scan')
        .map((k) => (k as { out: number }).out),
    );
    return {
      program,
      label,
      steps,
      written,
      simdKernels: steps.filter((s) => s.simd).length,
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
      if (info.role === 'output') bufs[info.id] = allocBuffer(info.dtype, info.size, !p.written.has(info.id));
      else if (info.role === 'temp' && info.slot !== undefined) {
        let t = p.temps[info.slot];
        if (!t || t.length !== info.size || t.constructor !== typedArrayFor(info.dtype, 0).constructor) {
          t = allocBuffer(info.dtype, info.size, !p.written.has(info.id));
          p.temps[info.slot] = t;
        }
        bufs[info.id] = t;
      }
    }
    if (observing.kernelTimes && timedDepth === 0) {
      timedDepth++;
      try {
        p.steps.forEach((s, i) => {
          const t0 = performance.now();
          s.run(bufs);
          kernelTimed(this.devices[0], p, i, performance.now() - t0);
        });
      } finally {
        timedDepth--;
      }
    } else {
      for (const s of p.steps) s.run(bufs);
    }
    return prog.outputs.map((b) => bufs[b]);
  }
}
