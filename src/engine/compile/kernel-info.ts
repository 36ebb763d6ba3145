/**
 * @file What a profile says about a kernel of a program, whatever backend ran it: its name
 * (`map_0`, `matmul_2`), its kind for placement tables (events.ts), and the bytes it reads and
 * writes. Backends time kernels while an observer asks for it and report through `kernelTimed`.
 */
import type { KernelKind } from '../events.js';
import { emit } from '../events.js';
import type { Kernel, KernelProgram } from './kir.js';
import { kernelInputs, kernelOutputs } from './kir.js';

/** `map_0`, `reduce_1`, `matmul_2`: the kind (or library op) and the index in its program. */
export function kernelName(k: Kernel, i: number): string {
  return k.kind === 'lib' ? `${k.op}_${i}` : `${k.kind}_${i}`;
}

export function kernelKind(k: Kernel): KernelKind {
  switch (k.kind) {
    case 'map':
      return 'fused map';
    case 'reduce':
    case 'argreduce':
      return 'reduce';
    case 'scan':
      return 'scan';
    case 'lib':
      return k.op === 'matmul' ? 'matmul' : k.op.startsWith('conv') ? 'conv' : 'library';
    default:
      return 'control';
  }
}

function bytesOf(program: KernelProgram, ids: number[]): number {
  let n = 0;
  for (const b of new Set(ids)) {
    const info = program.buffers[b];
    n += info.size * info.dtype.itemsize;
  }
  return n;
}

/** Bytes of the buffers a kernel reads and of those it writes. */
export function kernelBytes(program: KernelProgram, k: Kernel): { bytesIn: number; bytesOut: number } {
  return { bytesIn: bytesOf(program, kernelInputs(k)), bytesOut: bytesOf(program, kernelOutputs(k)) };
}

/** A backend's report of one timed kernel of a compiled program. */
export function kernelTimed(
  device: { toString(): string },
  exe: { program: KernelProgram; label?: string },
  index: number,
  ms: number,
): void {
  const k = exe.program.kernels[index];
  emit({
    type: 'kernel',
    device: String(device),
    program: exe.label ?? '',
    kernel: kernelName(k, index),
    kind: kernelKind(k),
    ms,
    ...kernelBytes(exe.program, k),
  });
}
