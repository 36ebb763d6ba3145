/**
 * @file Running a compiled CPU program. The backend (backend.ts) turns a kernel program into a
 * `ProgramDesc` (program-desc.ts): per kernel, the JavaScript (or WebAssembly wrapper) source it
 * renders to, a library kernel's name and params, or a control-flow kernel's nested programs;
 * buffers by dtype name and size. A description is plain structured-clonable data, so the thread
 * that runs programs asynchronously (executor.ts) builds the same steps from it as the main
 * thread does: `instantiate` compiles the sources once per thread (as worker.ts compiles a
 * kernel's chunks), `runInstance` runs the steps on typed arrays. Each instance has its own
 * temporaries (the buffer plan's slots), so the main thread and the executor never share one.
 */
import type { BufferInfo } from '../../compile/kir.js';
import { type TypedArray, toDType, typedArrayFor } from '../../core/dtype.js';
import { runCarried } from './chunks.js';
import { controlStep } from './control.js';
import { sharedFunction } from './kernel-cache.js';
import { type LibKernelImpl, libKernels } from './lib.js';
import './libs.js';
import type { GenDesc, Instance, LibDesc, ProgramDesc, Step } from './program-desc.js';
import { runtime } from './runtime.js';
import { allocBuffer, type KernelFn, type RangedKernel, runLarge } from './threads.js';

function genStep(d: GenDesc, fn: KernelFn): Step['run'] {
  const params = d.params;
  const hi = d.extent;
  if (d.carry && d.large) {
    const k0 = { fn, calls: 0 };
    return (b) =>
      runCarried(
        k0,
        params.map((p) => b[p]),
        runtime,
        d.extent,
        d.work / d.extent,
      );
  }
  if (d.large) {
    const big: RangedKernel = {
      name: d.name,
      source: d.source,
      fn,
      extent: d.extent,
      inner: d.work / d.extent,
      out: d.out,
      calls: 0,
    };
    return (b) =>
      runLarge(
        big,
        params.map((p) => b[p]),
        runtime,
      );
  }
  switch (params.length) {
    case 1:
      return (b) => fn(runtime, b[params[0]], 0, hi);
    case 2:
      return (b) => fn(runtime, b[params[0]], b[params[1]], 0, hi);
    case 3:
      return (b) => fn(runtime, b[params[0]], b[params[1]], b[params[2]], 0, hi);
    default:
      return (b) => fn(runtime, ...params.map((p) => b[p]), 0, hi);
  }
}

function libStep(d: LibDesc, desc: ProgramDesc): Step['run'] {
  const impl: LibKernelImpl | undefined = libKernels[d.op];
  if (!impl) throw new Error(`the cpu backend has no library kernel ${d.op}`);
  const infos = [...d.ins, ...d.outs].map(
    (b): BufferInfo => ({
      id: b,
      dtype: toDType(desc.buffers[b].dtype),
      size: desc.buffers[b].size,
      role: desc.buffers[b].role,
    }),
  );
  return (bufs) =>
    impl(
      d.ins.map((b) => bufs[b]),
      d.outs.map((b) => bufs[b]),
      d.params,
      infos,
    );
}

/**
 * Compiles a description's steps on this thread. `fns` may hold functions the caller compiled
 * already, by step index (the main thread compiles each source once, as it renders it).
 */
export function instantiate(desc: ProgramDesc, fns: (KernelFn | undefined)[] = []): Instance {
  const steps = desc.steps.map((d, i): Step => {
    switch (d.kind) {
      case 'gen':
        return { name: d.name, run: genStep(d, fns[i] ?? sharedFunction(d.source)) };
      case 'lib':
        return { name: d.name, run: libStep(d, desc) };
      default:
        return { name: d.name, run: controlStep(d, desc, { instantiate, run: runInstance }) };
    }
  });
  const outs: Instance['outs'] = [];
  const slots: Instance['slots'] = [];
  desc.buffers.forEach((b, id) => {
    const zero = !b.written;
    if (b.role === 'output') outs.push({ id, dtype: toDType(b.dtype), size: b.size, zero });
    else if (b.role === 'temp' && b.slot !== undefined)
      slots.push({ id, dtype: toDType(b.dtype), size: b.size, slot: b.slot, zero });
  });
  return { desc, steps, temps: [], outs, slots };
}

/** Allocates the outputs (or takes them from `outputs`, by position among the output buffers). */
export function buffersFor(
  inst: Instance,
  inputs: readonly unknown[],
  outputs?: readonly TypedArray[],
): TypedArray[] {
  const d = inst.desc;
  const bufs: TypedArray[] = new Array(d.buffers.length);
  const ins = d.inputs;
  for (let i = 0; i < ins.length; i++) bufs[ins[i]] = inputs[i] as TypedArray;
  const outs = inst.outs;
  for (let o = 0; o < outs.length; o++) {
    const b = outs[o];
    bufs[b.id] = outputs ? outputs[o] : allocBuffer(b.dtype, b.size, b.zero);
  }
  for (const b of inst.slots) {
    let t = inst.temps[b.slot];
    if (!t || t.length !== b.size || t.constructor !== typedArrayFor(b.dtype, 0).constructor) {
      t = allocBuffer(b.dtype, b.size, b.zero);
      inst.temps[b.slot] = t;
    }
    bufs[b.id] = t;
  }
  return bufs;
}

/** Runs a program on this thread; its outputs (an output may be an input, passed through). */
export function runInstance(inst: Instance, inputs: readonly unknown[]): TypedArray[] {
  const bufs = buffersFor(inst, inputs);
  for (const s of inst.steps) s.run(bufs);
  return inst.desc.outputs.map((b) => bufs[b]);
}
