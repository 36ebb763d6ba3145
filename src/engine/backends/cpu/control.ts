/**
 * @file CPU execution of the kernel IR's control-flow kernels (cond, while, loop): the nested
 * programs are compiled once, with the outer program, and run from a JS loop. The predicate and
 * branch index are read straight from their (host) buffers between iterations; scan inputs are
 * zero-copy `subarray` views of the xs buffers and scan outputs are copied into the ys buffers
 * at their offsets. Nested programs never write their inputs, so carries are passed by reference
 * from one iteration to the next and copied once into the outer result buffers at the end.
 */

import type { ControlKernel, KernelProgram } from '../../compile/kir.js';
import type { TypedArray } from '../../core/dtype.js';
import type { CompiledProgram } from '../backend.js';

export interface ControlHost {
  compile(p: KernelProgram): CompiledProgram;
  execute(exe: CompiledProgram, inputs: unknown[]): TypedArray[];
}

export interface ControlStep {
  run: (bufs: TypedArray[]) => void;
  source: string;
}

function indent(s: string, by = '//   '): string {
  return s
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

function copyInto(bufs: TypedArray[], outs: readonly number[], vals: readonly TypedArray[]): void {
  for (let j = 0; j < outs.length; j++) (bufs[outs[j]] as any).set(vals[j]);
}

/** Elements per leading-axis slice of each buffer of a program's stacked operands. */
function sliceSizes(program: KernelProgram, ids: readonly number[], length: number): number[] {
  return ids.map((b) => (length === 0 ? 0 : program.buffers[b].size / length));
}

export function controlStep(
  k: ControlKernel,
  program: KernelProgram,
  host: ControlHost,
  name: string,
): ControlStep {
  switch (k.kind) {
    case 'cond': {
      const exes = k.branches.map((b) => host.compile(b));
      const last = exes.length - 1;
      return {
        source: `// ${name}: cond on b${k.index} (${k.ins.map((b) => `b${b}`).join(', ')}) -> ${k.outs.map((b) => `b${b}`).join(', ')}\n${exes.map((e, i) => `// branch ${i}:\n${indent(e.source)}`).join('\n')}`,
        run: (bufs) => {
          const raw = Number(bufs[k.index][0]);
          const i = Math.min(Math.max(raw, 0), last);
          const outs = host.execute(
            exes[i],
            k.ins.map((b) => bufs[b]),
          );
          copyInto(bufs, k.outs, outs);
        },
      };
    }
    case 'while': {
      const cond = host.compile(k.cond);
      const body = host.compile(k.body);
      return {
        source: `// ${name}: while (${k.init.map((b) => `b${b}`).join(', ')}) -> ${k.outs.map((b) => `b${b}`).join(', ')}\n// cond:\n${indent(cond.source)}\n// body:\n${indent(body.source)}`,
        run: (bufs) => {
          const cc = k.condConsts.map((b) => bufs[b]);
          const bc = k.bodyConsts.map((b) => bufs[b]);
          let carry = k.init.map((b) => bufs[b]);
          for (;;) {
            const [pred] = host.execute(cond, [...cc, ...carry]);
            if (!pred[0]) break;
            carry = host.execute(body, [...bc, ...carry]);
          }
          copyInto(bufs, k.outs, carry);
        },
      };
    }
    case 'loop': {
      const body = host.compile(k.body);
      const n = k.length;
      const xSizes = sliceSizes(program, k.xs, n);
      const ySizes = sliceSizes(program, k.ys, n);
      const nc = k.init.length;
      return {
        source: `// ${name}: scan length=${n}${k.reverse ? ' reverse' : ''} (${[...k.consts, ...k.init, ...k.xs].map((b) => `b${b}`).join(', ')}) -> ${[...k.outs, ...k.ys].map((b) => `b${b}`).join(', ')}\n// body:\n${indent(body.source)}`,
        run: (bufs) => {
          const consts = k.consts.map((b) => bufs[b]);
          const xs = k.xs.map((b) => bufs[b]);
          const ys = k.ys.map((b) => bufs[b]);
          let carry = k.init.map((b) => bufs[b]);
          for (let t = 0; t < n; t++) {
            const i = k.reverse ? n - 1 - t : t;
            const xi = xs.map((x, j) => x.subarray(i * xSizes[j], (i + 1) * xSizes[j]) as TypedArray);
            const res = host.execute(body, [...consts, ...carry, ...xi]);
            carry = res.slice(0, nc);
            for (let j = 0; j < ys.length; j++) (ys[j] as any).set(res[nc + j], i * ySizes[j]);
          }
          copyInto(bufs, k.outs, carry);
        },
      };
    }
  }
}
