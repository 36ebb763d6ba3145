/// <reference types="@webgpu/types" />
/**
 * @file The WebGPU backend: kernel programs rendered to WGSL (wgsl.ts, lib.ts) and run through
 * Dawn. Dispatch is asynchronous for real: `execute` encodes every kernel of a program into one
 * command buffer, submits it and returns buffers at once; only `toHost` waits (a staging buffer is
 * mapped), so chains of ops never read back in between. Errors the device reports (validation,
 * out of memory) are captured per submission with error scopes and surface at the read, naming
 * the operation; they also propagate to results computed from a failed one.
 *
 * Control flow (control.ts) keeps this where it can: a scan encodes all its iterations and a cond
 * runs every branch and selects on the device. A while loop must read its predicate, so a program
 * holding one runs asynchronously: its work, and every later submission, goes on a chain of
 * promises (`chain`) that keeps device order; results wait on it through their error promise.
 *
 * Buffers: host data stays on the host until a kernel needs it (0-d constants and literals are
 * uploaded, never read back); device memory comes from a pool of size-bucketed buffers, returned
 * when an Array is disposed or collected and after each program for temporaries. Values narrower
 * than 32 bits (bool, int8/16, uint8/16, float16) are widened to 32-bit words on the device.
 */

import { fitBindings } from '../../compile/bindings.js';
import { kernelName, kernelTimed } from '../../compile/kernel-info.js';
import { type BufferInfo, byKind, type KernelProgram, type KernelTable } from '../../compile/kir.js';
import { expandKernel, LIBM_UNARY_F32_ONLY } from '../../compile/libm/index.js';
import { tempBytes } from '../../compile/plan.js';
import { type DType, type TypedArray, typedArrayFor } from '../../core/dtype.js';
import { emit, observing } from '../../events.js';
import { type Backend, type CompiledProgram, Device } from '../backend.js';
import { f2h, h2f } from '../cpu/runtime.js';
import type { GpuContext } from './adapter.js';
import { controlStep } from './control.js';
import { wgslLibKernels } from './lib.js';
import {
  COPY_DST,
  COPY_SRC,
  MAP_READ,
  type Mem,
  MODE_READ,
  Session,
  STORAGE,
  type Step,
  UNIFORM,
  type WebGpuProgram,
  WgBuffer,
} from './session.js';
import { type CopyPass, type LibPass, type Pass, type RenderedKernel, renderMap } from './wgsl.js';
import { checkDtype } from './wgsl-dtype.js';
import { renderArgReduce, renderReduce, renderScan } from './wgsl-reduce.js';

/** Host typed array -> 32-bit words as stored on the device. */
function toWords(data: TypedArray, dt: DType): ArrayBufferView {
  switch (dt.name) {
    case 'float32':
    case 'int32':
    case 'uint32':
      // Dawn's writeBuffer takes no SharedArrayBuffer (large CPU results live on one).
      return data.buffer instanceof SharedArrayBuffer ? data.slice() : data;
    case 'float16': {
      const out = new Float32Array(data.length);
      for (let i = 0; i < data.length; i++) out[i] = h2f(data[i] as number);
      return out;
    }
    case 'int8':
    case 'int16':
      return Int32Array.from(data as Int8Array);
    default:
      return Uint32Array.from(data as Uint8Array);
  }
}

/** Device words -> the host typed array of `dt`. */
function fromWords(words: ArrayBuffer, dt: DType, n: number): TypedArray {
  switch (dt.name) {
    case 'float32':
      return new Float32Array(words, 0, n);
    case 'int32':
      return new Int32Array(words, 0, n);
    case 'uint32':
      return new Uint32Array(words, 0, n);
    case 'float16': {
      const f = new Float32Array(words, 0, n);
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) out[i] = f2h(f[i]);
      return out;
    }
    case 'int8':
    case 'int16': {
      const out = typedArrayFor(dt, n);
      out.set(new Int32Array(words, 0, n) as never);
      return out;
    }
    default: {
      const out = typedArrayFor(dt, n);
      out.set(new Uint32Array(words, 0, n) as never);
      return out;
    }
  }
}

/** The WGSL renderer of each kind of generated kernel (library and control kernels go their own ways). */
const RENDERERS: KernelTable<[(b: number) => DType, string], RenderedKernel> = {
  map: renderMap,
  reduce: renderReduce,
  argreduce: renderArgReduce,
  scan: renderScan,
};

/** Pool bucket size: powers of two up to 1 MiB, then whole MiBs. */
function bucket(bytes: number): number {
  const MiB = 1 << 20;
  if (bytes > MiB) return Math.ceil(bytes / MiB) * MiB;
  let b = 256;
  while (b < bytes) b *= 2;
  return b;
}

class Pool {
  private free = new Map<number, GPUBuffer[]>();
  private pooledBytes = 0;
  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number,
    private readonly maxPooled = 512 << 20,
  ) {}
  acquire(bytes: number): Mem {
    const b = bucket(bytes);
    const list = this.free.get(b);
    const buf = list?.pop();
    if (buf) {
      this.pooledBytes -= b;
      return { buf, bytes: b };
    }
    return { buf: this.device.createBuffer({ size: b, usage: this.usage }), bytes: b };
  }
  release(m: Mem): void {
    if (this.pooledBytes + m.bytes > this.maxPooled) {
      m.buf.destroy();
      return;
    }
    let list = this.free.get(m.bytes);
    if (!list) {
      list = [];
      this.free.set(m.bytes, list);
    }
    list.push(m.buf);
    this.pooledBytes += m.bytes;
  }
  clear(): void {
    for (const l of this.free.values()) for (const b of l) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}

/**
 * Generated kernels are split to fit (compile/bindings.ts); a hand-written one that binds more
 * storage buffers than the device allows is refused here, by name, rather than by Dawn at run time.
 */
export function checkBindings(name: string, bindings: readonly (number | string)[], limit: number): void {
  // The `step` uniform of a multi-step library pass is not a storage buffer.
  const n = bindings.filter((b) => b !== 'step').length;
  if (n > limit) {
    throw new Error(
      `webgpu: kernel ${name} binds ${n} storage buffers, more than the ${limit} per shader stage this device allows (maxStorageBuffersPerShaderStage); run it on the cpu`,
    );
  }
}

function firstError(ps: (Promise<string | null> | null)[]): Promise<string | null> | null {
  const live = ps.filter((p): p is Promise<string | null> => p !== null);
  if (live.length === 0) return null;
  if (live.length === 1) return live[0];
  return Promise.all(live).then((es) => es.find((e) => e !== null) ?? null);
}

export class WebGpuBackend implements Backend {
  readonly platform = 'webgpu';
  /** The tiled convolution (lib-conv.ts) beats the portable reduce kernel by far on GPUs. */
  readonly optionalLibs: ReadonlySet<string> = new Set(['conv']);
  /** Transfer and submission counters (tests check that chains of ops do not read back). */
  readonly stats = { uploads: 0, readbacks: 0, submits: 0 };
  readonly devices: Device[];
  private readonly device: GPUDevice;
  private readonly storage: Pool;
  private readonly staging: Pool;
  private readonly registry: FinalizationRegistry<{ mem: Mem | null }>;
  private lost: string | null = null;
  private closed = false;
  /** Asynchronous runs still to finish, in order; null when everything has been submitted. */
  private chain: Promise<void> | null = null;

  constructor(readonly ctx: GpuContext) {
    this.device = ctx.device;
    this.devices = [new Device('webgpu', 0, 'gpu', ctx.description, this)];
    this.storage = new Pool(this.device, STORAGE | COPY_SRC | COPY_DST);
    this.staging = new Pool(this.device, MAP_READ | COPY_DST, 64 << 20);
    this.registry = new FinalizationRegistry((held) => {
      if (held.mem && !this.closed) this.storage.release(held.mem);
      held.mem = null;
    });
    this.device.lost.then((info) => {
      if (!this.closed) this.lost = `the WebGPU device was lost (${info.reason}): ${info.message}`;
    });
  }

  /** Release the device (at exit, so that Dawn lets Node finish). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.storage.clear();
    this.staging.clear();
    this.device.destroy();
  }

  acquire(bytes: number): Mem {
    return this.storage.acquire(bytes);
  }
  release(m: Mem): void {
    if (!this.closed) this.storage.release(m);
  }
  acquireStaging(bytes: number): Mem {
    return this.staging.acquire(bytes);
  }
  releaseStaging(m: Mem): void {
    if (!this.closed) this.staging.release(m);
  }

  private checkAlive(): void {
    if (this.lost) throw new Error(this.lost);
    if (this.closed) throw new Error('the WebGPU device has been closed');
  }

  fromHost(data: TypedArray, dtype: DType): WgBuffer {
    checkDtype(dtype);
    const b = new WgBuffer(dtype, data.length);
    b.host = data;
    return b;
  }

  private track(b: WgBuffer, mem: Mem): void {
    const held = { mem };
    b.mem = mem;
    this.registry.register(b, held, b);
    (b as unknown as { held: typeof held }).held = held;
  }

  /** Upload a host-made buffer on first use. */
  private ensureDevice(b: WgBuffer): Mem {
    if (b.mem) return b.mem;
    if (!b.host) throw new Error('Array has been deleted.');
    const mem = this.storage.acquire(b.bytes);
    this.stats.uploads++;
    if (b.size > 0) {
      const t0 = performance.now();
      const words = toWords(b.host, b.dtype);
      this.device.queue.writeBuffer(mem.buf, 0, words.buffer, words.byteOffset, 4 * b.size);
      // Dawn copies the data into its staging memory here; the copy to the device is queued.
      if (observing.any) this.transferred('to-device', 4 * b.size, t0);
    }
    this.track(b, mem);
    return mem;
  }

  private newOutput(info: BufferInfo): WgBuffer {
    const b = new WgBuffer(info.dtype, info.size);
    this.track(b, this.storage.acquire(b.bytes));
    return b;
  }

  free(buf: unknown): void {
    const b = buf as WgBuffer;
    if (--b.refs > 0) return;
    // Work still to be submitted may read it: release once that is done.
    if (this.chain) this.chain.then(() => this.releaseBuffer(b));
    else this.releaseBuffer(b);
  }

  private releaseBuffer(b: WgBuffer): void {
    const held = (b as unknown as { held?: { mem: Mem | null } }).held;
    this.registry.unregister(b);
    if (held?.mem && !this.closed) this.storage.release(held.mem);
    if (held) held.mem = null;
    b.mem = null;
    b.host = null;
  }

  async toHost(buf: unknown, dtype: DType, size: number): Promise<TypedArray> {
    const b = buf as WgBuffer;
    if (b.error) {
      const e = await b.error;
      if (e) throw new Error(e);
    }
    if (b.host) return b.host;
    this.checkAlive();
    const mem = b.mem;
    if (!mem) throw new Error('Array has been deleted.');
    const bytes = 4 * size;
    if (size === 0) return typedArrayFor(dtype, 0);
    const t0 = performance.now();
    this.stats.readbacks++;
    const st = this.staging.acquire(bytes);
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(mem.buf, 0, st.buf, 0, bytes);
    this.device.queue.submit([enc.finish()]);
    try {
      await st.buf.mapAsync(MODE_READ, 0, bytes);
    } catch (e) {
      this.checkAlive();
      throw new Error(`webgpu: reading a result failed: ${(e as Error).message}`);
    }
    const words = st.buf.getMappedRange(0, bytes).slice(0);
    st.buf.unmap();
    this.staging.release(st);
    const host = fromWords(words, dtype, size);
    b.host = host;
    // The time includes waiting for the work that computes the buffer.
    if (observing.any) this.transferred('to-host', bytes, t0);
    return host;
  }

  private transferred(direction: 'to-device' | 'to-host', bytes: number, t0: number): void {
    emit({ type: 'transfer', direction, device: String(this.devices[0]), bytes, ms: performance.now() - t0 });
  }

  async synchronize(): Promise<void> {
    this.checkAlive();
    while (this.chain) await this.chain;
    await this.device.queue.onSubmittedWorkDone();
  }

  /** Storage buffers one shader stage may bind (the device's maxStorageBuffersPerShaderStage). */
  get maxStorageBuffers(): number {
    return this.device.limits.maxStorageBuffersPerShaderStage;
  }

  compile(lowered: KernelProgram, label?: string): WebGpuProgram {
    const t0 = performance.now();
    this.checkAlive();
    // Fusion does not count bindings: split kernels that read more buffers than a stage may bind
    // (a two-pass reduction binds one scratch buffer besides its inputs and output).
    const program = fitBindings(lowered, { limit: this.maxStorageBuffers, extra: { reduce: 1 } });
    for (const b of program.buffers) checkDtype(b.dtype);
    const dtypeOf = (b: number): DType => program.buffers[b].dtype;
    const dev = this.device;
    dev.pushErrorScope('validation');
    const steps: Step[] = [];
    const scratchBytes: Record<string, number> = {};
    const nestedErrors: Promise<string | null>[] = [];
    let async = false;
    program.kernels.forEach((k0, i) => {
      const name = kernelName(k0, i);
      // float32 transcendental functions: the libm's polynomials, as on the CPU (erf_inv too:
      // the CPU's float64 steps, emulated in float32, so that normal draws are the CPU's).
      const k = expandKernel(k0, LIBM_UNARY_F32_ONLY);
      const first = steps.length;
      const tag = () => {
        for (let j = first; j < steps.length; j++) steps[j].kernel = i;
      };
      if (k.kind === 'cond' || k.kind === 'while' || k.kind === 'loop') {
        const step = controlStep(k, program, this, name);
        for (const n of step.nested) nestedErrors.push(n.compileError);
        async ||= step.async;
        steps.push(step);
        tag();
        return;
      }
      let rendered: { passes: (Pass | LibPass | CopyPass)[]; scratch: Record<string, number> };
      if (k.kind === 'lib') {
        const impl = wgslLibKernels[k.op];
        if (!impl) throw new Error(`the webgpu backend has no library kernel ${k.op}; run this on the cpu`);
        rendered = impl(k, program.buffers, name, this.maxStorageBuffers);
      } else rendered = byKind(RENDERERS, k, dtypeOf, name)!;
      const outSize = k.kind === 'lib' ? 1 : program.buffers[k.out].size;
      if (outSize === 0) return;
      // Scratch names are local to a kernel; make them unique in the program.
      const local = (s: string) => `${name}.${s}`;
      for (const [s, bytes] of Object.entries(rendered.scratch)) scratchBytes[local(s)] = bytes;
      for (const pass of rendered.passes) steps.push(this.makeStep(pass, local));
      tag();
    });
    const own = dev.popErrorScope().then((e) => (e ? e.message : null));
    const compileError = firstError([own, ...nestedErrors])!;
    const names = program.kernels.map(kernelName);
    return {
      program,
      steps,
      label: label ?? names.join(', '),
      scratchBytes,
      scratch: null,
      compileError,
      async,
      source: steps.map((s) => s.source).join('\n\n'),
      compileMs: performance.now() - t0,
      tempBytes: tempBytes(program),
    };
  }

  private makeStep(pass: Pass | LibPass | CopyPass, local: (s: string) => string): Step {
    if (!('copy' in pass)) checkBindings(pass.name, pass.bindings, this.maxStorageBuffers);
    if ('copy' in pass) {
      const { from, to, bytes } = pass.copy;
      return {
        name: pass.name,
        source: `// ${pass.name}: copy b${from} -> b${to} (${bytes} bytes)`,
        encode: (enc, bufs) => {
          const src = bufs[from].mem!;
          enc.copyBufferToBuffer(src.buf, 0, bufs[to].mem!.buf, 0, Math.max(4, bytes));
        },
      };
    }
    const dev = this.device;
    const module = dev.createShaderModule({ code: pass.code, label: pass.name });
    const pipeline = dev.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
      label: pass.name,
    });
    const layout = pipeline.getBindGroupLayout(0);
    const uniforms = (pass as LibPass).uniforms;
    let ubuf: GPUBuffer | null = null;
    if (uniforms) {
      ubuf = dev.createBuffer({ size: Math.max(256, 256 * uniforms.length), usage: UNIFORM | COPY_DST });
      const all = new Uint32Array((256 / 4) * uniforms.length);
      uniforms.forEach((u, i) => {
        all.set(u, (256 / 4) * i);
      });
      dev.queue.writeBuffer(ubuf, 0, all);
    }
    const [gx, gy] = pass.groups;
    return {
      name: pass.name,
      source: `// ${pass.name}: dispatch (${gx}, ${gy})${uniforms ? ` x ${uniforms.length} steps` : ''}\n${pass.code}`,
      encode: (enc, bufs, scratch) => {
        const entriesFor = (u: number) =>
          pass.bindings.map((b, i) => {
            if (b === 'step') return { binding: i, resource: { buffer: ubuf!, offset: 256 * u, size: 16 } };
            if (typeof b === 'string') {
              const m = scratch.get(local(b))!;
              return { binding: i, resource: { buffer: m.buf } };
            }
            const wb = bufs[b];
            return { binding: i, resource: { buffer: wb.mem!.buf, offset: 0, size: wb.bytes } };
          });
        const cp = enc.beginComputePass({ label: pass.name });
        cp.setPipeline(pipeline);
        const n = uniforms ? uniforms.length : 1;
        for (let u = 0; u < n; u++) {
          cp.setBindGroup(0, dev.createBindGroup({ layout, entries: entriesFor(u) }));
          cp.dispatchWorkgroups(gx, gy);
        }
        cp.end();
      },
    };
  }

  /** The program's buffers for one run: `inputs` bound, outputs and temporaries from `s`. */
  buffers(s: Session, prog: KernelProgram, inputs: readonly WgBuffer[], outputs = true): WgBuffer[] {
    const bufs: WgBuffer[] = new Array(prog.buffers.length);
    prog.inputs.forEach((b, i) => {
      bufs[b] = inputs[i];
    });
    const slotMem = new Map<number, Mem>();
    for (const info of prog.buffers) {
      if (info.role === 'output' && outputs) bufs[info.id] = s.tempBuffer(info);
      else if (info.role === 'temp') {
        const key = info.slot ?? -1 - info.id;
        let m = slotMem.get(key);
        if (!m) {
          m = s.temp(Math.max(4, 4 * info.size));
          slotMem.set(key, m);
        }
        const wb = new WgBuffer(info.dtype, info.size);
        wb.mem = m;
        bufs[info.id] = wb;
      }
    }
    return bufs;
  }

  private scratchOf(p: WebGpuProgram): Map<string, Mem> {
    if (!p.scratch) {
      p.scratch = new Map();
      for (const [s, bytes] of Object.entries(p.scratchBytes)) {
        p.scratch.set(s, {
          buf: this.device.createBuffer({ size: Math.max(4, bytes), usage: STORAGE }),
          bytes,
        });
      }
    }
    return p.scratch;
  }

  /** Encode (and, for control flow, drive) a program's steps; a promise when it must wait. */
  runProgram(s: Session, p: WebGpuProgram, bufs: WgBuffer[]): void | Promise<void> {
    const scratch = this.scratchOf(p);
    if (!p.async) {
      for (const st of p.steps) {
        if (st.encode) st.encode(s.encoder(), bufs, scratch);
        else st.run!(s, bufs);
      }
      return;
    }
    return (async () => {
      for (const st of p.steps) {
        if (st.encode) st.encode(s.encoder(), bufs, scratch);
        else await st.run!(s, bufs);
      }
    })();
  }

  /** Kernel times for a profile: each kernel in its own submission, timed to its completion. */
  private async runTimed(s: Session, p: WebGpuProgram, bufs: WgBuffer[]): Promise<void> {
    const scratch = this.scratchOf(p);
    let i = 0;
    while (i < p.steps.length) {
      const kernel = p.steps[i].kernel!;
      const t0 = performance.now();
      // A kernel of several passes (two-pass reductions, sort steps) is timed as one.
      for (; i < p.steps.length && p.steps[i].kernel === kernel; i++) {
        const st = p.steps[i];
        if (st.encode) st.encode(s.encoder(), bufs, scratch);
        else await st.run!(s, bufs);
      }
      s.submit();
      await this.device.queue.onSubmittedWorkDone();
      kernelTimed(this.devices[0], p, kernel, performance.now() - t0);
    }
  }

  execute(exe: CompiledProgram, inputs: unknown[]): WgBuffer[] {
    this.checkAlive();
    const p = exe as WebGpuProgram;
    const prog = p.program;
    const inErrors: (Promise<string | null> | null)[] = [p.compileError];
    const ins = inputs.map((x) => {
      const wb = x as WgBuffer;
      if (!(wb instanceof WgBuffer)) throw new Error('webgpu: an input buffer is not on the webgpu device');
      this.ensureDevice(wb);
      inErrors.push(wb.error);
      return wb;
    });
    const outs = new Map<number, WgBuffer>();
    for (const info of prog.buffers) if (info.role === 'output') outs.set(info.id, this.newOutput(info));
    const label = p.label;
    const bind = (s: Session) => {
      const bufs = this.buffers(s, prog, ins, false);
      for (const [id, wb] of outs) bufs[id] = wb;
      return bufs;
    };
    let own: Promise<string | null>;
    if (!p.async && !this.chain && !observing.kernelTimes) {
      const s = new Session(this, this.device, label);
      try {
        this.runProgram(s, p, bind(s));
      } finally {
        s.submit();
        s.release();
      }
      own = s.error();
    } else {
      const prev = this.chain ?? Promise.resolve();
      const run = prev.then(async () => {
        const s = new Session(this, this.device, label);
        try {
          this.checkAlive();
          const bufs = bind(s);
          if (observing.kernelTimes) await this.runTimed(s, p, bufs);
          else await this.runProgram(s, p, bufs);
          s.submit();
        } catch (e) {
          s.submit();
          s.fail((e as Error).message);
        }
        s.release();
        return s.error();
      });
      const tail = run.then(() => undefined);
      this.chain = tail;
      tail.then(() => {
        if (this.chain === tail) this.chain = null;
      });
      own = run;
    }
    const err = firstError([
      ...inErrors,
      own.then((e) => (e ? `webgpu: ${label} failed on the device: ${e}` : null)),
    ]);
    const seen = new Set<WgBuffer>();
    return prog.outputs.map((b) => {
      const role = prog.buffers[b].role;
      const pos = prog.inputs.indexOf(b);
      const wb = role === 'output' ? outs.get(b)! : ins[pos];
      // An input passed through, or one buffer returned twice, is shared by several Arrays.
      if (role === 'input' || role === 'const' || seen.has(wb)) {
        wb.refs++;
        return wb;
      }
      seen.add(wb);
      wb.error = err;
      return wb;
    });
  }
}
