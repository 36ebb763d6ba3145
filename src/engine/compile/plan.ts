/**
 * @file Kernel-graph passes after lowering: fold a reduction's sole elementwise consumer into it
 * as an epilogue, drop dead kernels, and plan temporary buffers so that temporaries whose
 * lifetimes do not overlap share memory.
 */
import { stridesOf } from '../core/shape.js';
import {
  acc,
  buffersRead,
  type Kernel,
  type KernelProgram,
  kernelInputs,
  kernelOutputs,
  linearIndex,
  loopVars,
  type ReduceKernel,
  rewrite,
  walk,
} from './kir.js';

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Merge `reduce -> map` pairs where the map is the reduction's only reader, at identity index. */
export function fuseEpilogues(p: KernelProgram): void {
  const outputs = new Set(p.outputs);
  for (let i = 0; i < p.kernels.length; i++) {
    const r = p.kernels[i];
    if (r.kind !== 'reduce' || r.epilogue || outputs.has(r.out)) continue;
    const readers = p.kernels.filter((k) => k !== r && kernelInputs(k).includes(r.out));
    if (readers.length !== 1) continue;
    const m = readers[0];
    if (m.kind !== 'map' || !sameShape(m.shape, r.outShape)) continue;
    const identity = linearIndex(loopVars('i', r.outShape.length), stridesOf(r.outShape));
    let ok = true;
    walk(m.expr, (e) => {
      if (e.k === 'load' && e.buf === r.out && e.idx !== identity) ok = false;
    });
    if (!ok) continue;
    const outDt = p.buffers[r.out].dtype;
    const epilogue = rewrite(m.expr, (e) => (e.k === 'load' && e.buf === r.out ? acc(outDt) : undefined));
    const merged: ReduceKernel = { ...r, out: m.out, epilogue };
    const j = p.kernels.indexOf(m);
    p.kernels[j] = merged;
    p.kernels.splice(i, 1);
    i--;
  }
}

/** Remove kernels whose outputs nobody reads (e.g. a materialized value fused elsewhere). */
export function dropDeadKernels(p: KernelProgram): void {
  const live = new Set(p.outputs);
  const keep: Kernel[] = [];
  for (let i = p.kernels.length - 1; i >= 0; i--) {
    const k = p.kernels[i];
    if (kernelOutputs(k).some((b) => live.has(b))) {
      keep.push(k);
      for (const b of kernelInputs(k)) live.add(b);
    }
  }
  p.kernels = keep.reverse();
}

/**
 * Give every temp buffer a slot; temps share a slot when one dies before the other is written and
 * they have the same dtype and size. Returns the number of slots.
 */
export function planBuffers(p: KernelProgram): number {
  const lastUse = new Map<number, number>();
  p.kernels.forEach((k, i) => {
    for (const b of kernelInputs(k)) lastUse.set(b, i);
  });
  const free = new Map<string, number[]>();
  let slots = 0;
  p.kernels.forEach((k, i) => {
    for (const b of kernelOutputs(k)) {
      const info = p.buffers[b];
      if (info.role !== 'temp') continue;
      const key = `${info.dtype.name}:${info.size}`;
      const list = free.get(key);
      info.slot = list?.length ? list.pop()! : slots++;
    }
    // Temps whose last reader is this kernel become free for later kernels.
    for (const b of kernelInputs(k)) {
      const info = p.buffers[b];
      if (info.role === 'temp' && lastUse.get(b) === i && info.slot !== undefined) {
        const key = `${info.dtype.name}:${info.size}`;
        if (!free.has(key)) free.set(key, []);
        free.get(key)!.push(info.slot);
      }
    }
  });
  return slots;
}

/** Plan temporaries again after a pass moved or dropped kernels (slots of unwritten temps go). */
export function replanBuffers(p: KernelProgram): number {
  for (const b of p.buffers) if (b.role === 'temp') b.slot = undefined;
  return planBuffers(p);
}

/** Bytes of temporary memory the plan needs (one buffer per slot). */
export function tempBytes(p: KernelProgram): number {
  const bySlot = new Map<number, number>();
  for (const b of p.buffers) {
    if (b.role === 'temp' && b.slot !== undefined) bySlot.set(b.slot, b.size * b.dtype.itemsize);
  }
  let n = 0;
  for (const v of bySlot.values()) n += v;
  return n;
}

export function optimize(p: KernelProgram): KernelProgram {
  fuseEpilogues(p);
  dropDeadKernels(p);
  planBuffers(p);
  return p;
}

export { buffersRead };
