/**
 * @file The CPU backend: buffers are typed arrays; kernels are JavaScript functions generated
 * from the kernel IR (codegen.ts), or WebAssembly SIMD for large map kernels that have an exact
 * SIMD form (wasm/simd.ts); library kernels are hand-written (lib.ts). A compiled program is a
 * description (program.ts: sources, library calls, nested programs) and its steps built on this
 * thread. Dispatch is asynchronous for programs worth it (executor.ts: they run on the executor
 * thread, in order, and reads wait), else a call runs here and its results are ready when
 * `execute` returns. Large kernels run in chunks, on worker threads when their buffers are shared
 * (threads.ts); large buffers are allocated shared.
 */
import os from 'node:os';
import { kernelName, kernelTimed } from '../../compile/kernel-info.js';
import type { ArgReduceKernel, Kernel, KernelProgram, MapKernel, ReduceKernel } from '../../compile/kir.js';
import { expandKernel } from '../../compile/libm/index.js';
import { foldMatmulTransposes } from '../../compile/matmul-layout.js';
import { replanBuffers, tempBytes } from '../../compile/plan.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { observing } from '../../events.js';
import { type Backend, type CompiledProgram, Device } from '../backend.js';
import { renderKernel, transposedDim } from './codegen.js';
import { busy, type Dispatchable, dispatch, drain, drainSync, wait, waitSync } from './executor.js';
import { heapFree } from './heap.js';
import { kernelKey, sharedKernel } from './kernel-cache.js';
import { libFills } from './lib.js';
import { buffersFor, instantiate, runInstance } from './program.js';
import { bufferDesc, type Instance, type ProgramDesc, type Step, type StepDesc } from './program-desc.js';
import { splitReductions } from './split-reduce.js';
import './libs.js';
import { type KernelFn, LARGE_WORK, shareable } from './threads.js';
import { cpuSimd, simdStats, type WasmKernel, wasmMapKernel } from './wasm/simd.js';
import { wasmArgReduceKernel } from './wasm/simd-argreduce.js';
import { wasmColumnsKernel } from './wasm/simd-columns.js';
import { wasmReduceKernel } from './wasm/simd-reduce.js';
import { wasmTransposeKernel } from './wasm/simd-transpose.js';

interface CpuProgram extends CompiledProgram, Dispatchable {
  desc: ProgramDesc;
  inst: Instance;
  /** This thread's steps with their sources (gpu.js's backend runs CPU steps one by one). */
  steps: (Step & { source: string; simd: boolean })[];
}

/** A program is worth the executor from this much work, or with any kernel that is. */
const HEAVY_WORK = 1 << 20;

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** A library kernel's work: multiply-adds where that is what it does, else elements moved. */
function libWork(k: Extract<Kernel, { kind: 'lib' }>, program: KernelProgram): number {
  const p = k.params as Record<string, number & number[]>;
  if (k.op === 'matmul') return p.batch * p.m * p.n * p.k;
  if (k.op === 'conv_gemm') return p.groups * p.outN * prod(p.outSp) * p.Cg * prod(p.kSp) * p.Og;
  return [...k.ins, ...k.outs].reduce((n, b) => n + program.buffers[b].size, 0);
}

interface Described {
  desc: ProgramDesc;
  /** Per step: its function compiled here (generated kernels), its source text, SIMD or not. */
  fns: (KernelFn | undefined)[];
  sources: string[];
  simd: boolean[];
  heavy: boolean;
}

function indent(s: string, by = '//   '): string {
  return s
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

let programs = 0;

/** Map kernels with libm expansions run as SIMD from this many elements on. */
const SIMD_LIBM_WORK = 256;
/**
 * Map and reduction kernels with an exact SIMD form run as SIMD from this much work on, well
 * below LARGE_WORK: a network's activations and their gradients (a batch of 256 by 128 units)
 * are kernels of tens of thousands of elements, which the scalar JavaScript loop runs 3 to 5
 * times slower; their buffers are in the heap from threads.ts `HEAP_MIN` on, read in place.
 */
const SIMD_WORK = 1 << 10;

type SimdFn = { fn: KernelFn; source: string; bytes: number } | null;

/** A SIMD kernel's wrapper source compiled (null: none, or no WebAssembly here). */
function compiled(w: WasmKernel | null): SimdFn {
  if (!w) return null;
  try {
    const fn = new Function(`return ${w.source}`)() as KernelFn;
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

export class CpuBackend implements Backend {
  readonly platform = 'cpu';
  /** Convolutions as GEMMs over gathered patches (lib-conv.ts). */
  readonly optionalLibs: ReadonlySet<string> = new Set(['conv_gemm']);
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

  /** The buffer, once the program that writes it is done (it may be queued: executor.ts). */
  async toHost(buf: unknown): Promise<TypedArray> {
    await wait(buf);
    return buf as TypedArray;
  }

  toHostSync(buf: unknown): TypedArray {
    waitSync(buf);
    return buf as TypedArray;
  }

  async synchronize(): Promise<void> {
    await drain();
  }

  /**
   * Array.dispose: the buffer's heap region is free for the next allocation now. Only while no
   * program is queued (a queued one may read it); otherwise garbage collection frees it later.
   */
  free(buf: unknown): void {
    if (ArrayBuffer.isView(buf) && !busy()) heapFree(buf as TypedArray);
  }

  /** A kernel program as a description (program.ts), its sources, and whether it is heavy. */
  private describe(program: KernelProgram): Described {
    // Products write transposed results themselves; the moved writes need a new buffer plan.
    if (foldMatmulTransposes(program)) replanBuffers(program);
    // Multi-axis reductions of broadcast operands: a SIMD map and a SIMD reduction (split-reduce.ts).
    if (cpuSimd.enabled && splitReductions(program)) replanBuffers(program);
    const dtypeOf = (b: number): DType => program.buffers[b].dtype;
    const fns: (KernelFn | undefined)[] = [];
    const sources: string[] = [];
    const simdFlags: boolean[] = [];
    let heavy = false;
    let work = 0;
    const steps = program.kernels.map((k0, i): StepDesc => {
      const name = kernelName(k0, i);
      // float32 transcendental functions become the libm's polynomials (JavaScript and SIMD alike).
      const k = expandKernel(k0);
      simdFlags.push(false);
      fns.push(undefined);
      if (k.kind === 'cond' || k.kind === 'while' || k.kind === 'loop') {
        const nested = (q: KernelProgram) => {
          const d = this.describe(q);
          heavy ||= d.heavy;
          return d;
        };
        if (k.kind === 'cond') {
          const branches = k.branches.map(nested);
          work += Math.max(0, ...branches.map((b) => b.desc.work));
          sources.push(
            `// ${name}: cond on b${k.index} (${k.ins.map((b) => `b${b}`).join(', ')}) -> ${k.outs.map((b) => `b${b}`).join(', ')}\n${branches.map((e, j) => `// branch ${j}:\n${indent(e.sources.join('\n\n'))}`).join('\n')}`,
          );
          return {
            kind: 'cond',
            name,
            index: k.index,
            ins: k.ins,
            outs: k.outs,
            branches: branches.map((b) => b.desc),
          };
        }
        if (k.kind === 'while') {
          const cond = nested(k.cond);
          const body = nested(k.body);
          // An unbounded loop: worth the executor whatever its body.
          heavy = true;
          work = Number.POSITIVE_INFINITY;
          sources.push(
            `// ${name}: while (${k.init.map((b) => `b${b}`).join(', ')}) -> ${k.outs.map((b) => `b${b}`).join(', ')}\n// cond:\n${indent(cond.sources.join('\n\n'))}\n// body:\n${indent(body.sources.join('\n\n'))}`,
          );
          return {
            kind: 'while',
            name,
            cond: cond.desc,
            body: body.desc,
            condConsts: k.condConsts,
            bodyConsts: k.bodyConsts,
            init: k.init,
            outs: k.outs,
          };
        }
        const body = nested(k.body);
        work += body.desc.work * k.length;
        sources.push(
          `// ${name}: scan length=${k.length}${k.reverse ? ' reverse' : ''} (${[...k.consts, ...k.init, ...k.xs].map((b) => `b${b}`).join(', ')}) -> ${[...k.outs, ...k.ys].map((b) => `b${b}`).join(', ')}\n// body:\n${indent(body.sources.join('\n\n'))}`,
        );
        return {
          kind: 'loop',
          name,
          body: body.desc,
          consts: k.consts,
          init: k.init,
          xs: k.xs,
          ys: k.ys,
          outs: k.outs,
          length: k.length,
          reverse: k.reverse,
        };
      }
      if (k.kind === 'lib') {
        const w = libWork(k, program);
        work += w;
        heavy ||= w >= HEAVY_WORK;
        sources.push(
          `// library kernel ${k.op}(${k.ins.map((b) => `b${b}`).join(', ')}) -> ${k.outs.map((b) => `b${b}`).join(', ')} ${JSON.stringify(k.params)}`,
        );
        return { kind: 'lib', name, op: k.op, ins: k.ins, outs: k.outs, params: k.params };
      }
      const r = renderKernel(k, dtypeOf);
      const large = r.extent > 1 && r.work >= LARGE_WORK;
      work += r.work;
      heavy ||= large;
      // A map or reduction kernel of SIMD_WORK or more with an exact SIMD form runs as WebAssembly
      // (wasm/simd.ts); so does a smaller map with libm polynomials in it, which cost JavaScript a
      // Math.fround per op.
      const expanded = k !== k0;
      // The same computation on other buffers (an unrolled loop's copies) shares one function.
      const key = kernelKey(r.source, r.params, program.buffers, `${cpuSimd.enabled}:${expanded}`);
      const c = sharedKernel(key, () => {
        const libm = expanded && r.work >= SIMD_LIBM_WORK;
        const medium = r.work >= SIMD_WORK;
        const simd =
          (medium || libm) && !r.carry && k.kind === 'map'
            ? (simdKernel(k, program) ?? (large ? simdTranspose(k, program, r.source) : null))
            : medium && (k.kind === 'reduce' || k.kind === 'argreduce')
              ? simdKernel(k, program)
              : null;
        if (simd) return { ...simd, simd: true };
        // Generated from the kernel IR only: names are fixed, numbers are formatted literals.
        return {
          fn: new Function(`return ${r.source}`)() as KernelFn,
          source: r.source,
          simd: false,
          bytes: 0,
        };
      });
      if (c.simd) simdStats.kernels++;
      fns[i] = c.fn;
      simdFlags[i] = c.simd;
      const note = c.simd ? ` (runs as WebAssembly SIMD, ${c.bytes} bytes; in JavaScript:)` : '';
      sources.push(`// ${name}${note}\nconst ${name} = ${r.source};`);
      return {
        kind: 'gen',
        name,
        source: c.source,
        params: r.params,
        extent: r.extent,
        work: r.work,
        carry: r.carry,
        large,
        out: r.params.indexOf((k as { out: number }).out),
      };
    });
    const buffers = program.buffers.map(bufferDesc);
    for (const k of program.kernels)
      if (k.kind === 'map' || k.kind === 'reduce' || k.kind === 'argreduce' || k.kind === 'scan')
        buffers[k.out].written = true;
      else if (k.kind === 'lib' && libFills[k.op]?.(k.params) === buffers[k.outs[0]].size)
        buffers[k.outs[0]].written = true;
    const desc: ProgramDesc = {
      buffers,
      inputs: program.inputs,
      outputs: program.outputs,
      steps,
      work,
    };
    return { desc, fns, sources, simd: simdFlags, heavy: heavy || work >= HEAVY_WORK };
  }

  compile(program: KernelProgram, label?: string): CpuProgram {
    const t0 = performance.now();
    const d = this.describe(program);
    const inst = instantiate(d.desc, d.fns);
    const steps = inst.steps.map((s, i) => ({ ...s, source: d.sources[i], simd: d.simd[i] }));
    const compileMs = performance.now() - t0;
    return {
      program,
      label,
      desc: d.desc,
      inst,
      id: ++programs,
      heavy: d.heavy,
      runInto: (ins, outs) => {
        const bufs = buffersFor(inst, ins, outs);
        for (const s of inst.steps) s.run(bufs);
      },
      steps,
      simdKernels: steps.filter((s) => s.simd).length,
      source: d.sources.join('\n\n'),
      compileMs,
      tempBytes: tempBytes(program),
    };
  }

  execute(exe: CompiledProgram, inputs: unknown[]): TypedArray[] {
    const p = exe as CpuProgram;
    if (observing.kernelTimes) {
      // Kernel times need each kernel run alone, here: after whatever is queued.
      drainSync();
      const bufs = buffersFor(p.inst, inputs);
      p.inst.steps.forEach((s, i) => {
        const t0 = performance.now();
        s.run(bufs);
        kernelTimed(this.devices[0], p, i, performance.now() - t0);
      });
      return p.desc.outputs.map((b) => bufs[b]);
    }
    return dispatch(p, inputs, () => runInstance(p.inst, inputs));
  }
}
