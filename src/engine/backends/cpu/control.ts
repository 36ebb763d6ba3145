/**
 * @file CPU execution of the kernel IR's control-flow kernels (cond, while, loop): the nested
 * programs are compiled once, with the outer program (their descriptions, program-desc.ts, are part of
 * its description), and run from a JS loop. The predicate and
 * branch index are read straight from their (host) buffers between iterations; scan inputs are
 * zero-copy `subarray` views of the xs buffers and scan outputs are copied into the ys buffers
 * at their offsets. Nested programs never write their inputs, so carries are passed by reference
 * from one iteration to the next and copied once into the outer result buffers at the end.
 */

import type { TypedArray } from '../../core/dtype.js';
import type { CondDesc, Instance, LoopDesc, ProgramDesc, Step, WhileDesc } from './program-desc.js';

/** What a control step needs from program.ts, passed in (program.ts builds control steps). */
export interface ControlHost {
  instantiate(d: ProgramDesc): Instance;
  run(inst: Instance, inputs: unknown[]): TypedArray[];
}

function copyInto(bufs: TypedArray[], outs: readonly number[], vals: readonly TypedArray[]): void {
  for (let j = 0; j < outs.length; j++) (bufs[outs[j]] as any).set(vals[j]);
}

/** Elements per leading-axis slice of each buffer of a program's stacked operands. */
function sliceSizes(desc: ProgramDesc, ids: readonly number[], length: number): number[] {
  return ids.map((b) => (length === 0 ? 0 : desc.buffers[b].size / length));
}

export function controlStep(
  k: CondDesc | WhileDesc | LoopDesc,
  desc: ProgramDesc,
  host: ControlHost,
): Step['run'] {
  switch (k.kind) {
    case 'cond': {
      const exes = k.branches.map((b) => host.instantiate(b));
      const last = exes.length - 1;
      return (bufs) => {
        const raw = Number(bufs[k.index][0]);
        const i = Math.min(Math.max(raw, 0), last);
        const outs = host.run(
          exes[i],
          k.ins.map((b) => bufs[b]),
        );
        copyInto(bufs, k.outs, outs);
      };
    }
    case 'while': {
      const cond = host.instantiate(k.cond);
      const body = host.instantiate(k.body);
      return (bufs) => {
        const cc = k.condConsts.map((b) => bufs[b]);
        const bc = k.bodyConsts.map((b) => bufs[b]);
        let carry = k.init.map((b) => bufs[b]);
        for (;;) {
          const [pred] = host.run(cond, [...cc, ...carry]);
          if (!pred[0]) break;
          carry = host.run(body, [...bc, ...carry]);
        }
        copyInto(bufs, k.outs, carry);
      };
    }
    case 'loop': {
      const body = host.instantiate(k.body);
      const n = k.length;
      const xSizes = sliceSizes(desc, k.xs, n);
      const ySizes = sliceSizes(desc, k.ys, n);
      const nc = k.init.length;
      return (bufs) => {
        const consts = k.consts.map((b) => bufs[b]);
        const xs = k.xs.map((b) => bufs[b]);
        const ys = k.ys.map((b) => bufs[b]);
        let carry = k.init.map((b) => bufs[b]);
        for (let t = 0; t < n; t++) {
          const i = k.reverse ? n - 1 - t : t;
          const xi = xs.map((x, j) => x.subarray(i * xSizes[j], (i + 1) * xSizes[j]) as TypedArray);
          const res = host.run(body, [...consts, ...carry, ...xi]);
          carry = res.slice(0, nc);
          for (let j = 0; j < ys.length; j++) (ys[j] as any).set(res[nc + j], i * ySizes[j]);
        }
        copyInto(bufs, k.outs, carry);
      };
    }
  }
}
