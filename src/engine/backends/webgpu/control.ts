/// <reference types="@webgpu/types" />
/**
 * @file WebGPU execution of the kernel IR's control-flow kernels (cond, while, loop), the device
 * counterpart of backends/cpu/control.ts: nested programs are compiled with the outer one and
 * driven from the host, each run encoding into the same session (backend.ts) as the outer kernels.
 *
 * - loop (lax.scan): the trip count is static, so every iteration is encoded up front, without a
 *   read-back; the i-th slice of each xs buffer is copied into a temporary before the body (storage
 *   bindings need 256-byte aligned offsets, copies only 4-byte ones) and each y is copied to its
 *   offset in the ys buffer after it.
 * - cond: every branch runs and a small kernel per output copies the chosen branch's result, so
 *   a cond costs no read-back either (JAX on GPUs does the same to conds under vmap). The index is
 *   read instead when it is already on the host, or when a branch holds a while loop (which must
 *   not run on a branch not taken: it may never end).
 * - while: the predicate is read back (4 bytes) each iteration; the body and the next predicate
 *   go in one submission. Programs holding a while run asynchronously (backend.ts).
 *
 * Carries ping-pong between two sets of buffers, so an iteration never writes what it reads; body
 * outputs that are not fresh buffers (an input passed through, a duplicate) are copied into the
 * set. Nested programs never write their inputs, as on the CPU.
 */

import type { ControlKernel, KernelProgram } from '../../compile/kir.js';
import { memoOn } from '../../core/memo.js';
import type { ProgramHost, Session, Step, WebGpuProgram, WgBuffer } from './session.js';
import { flatId, groupsFor, WG } from './wgsl.js';

export interface ControlStep extends Step {
  /** Whether it waits for the device (a while loop, here or nested). */
  async: boolean;
  /** Nested programs, whose compile errors the outer program reports. */
  nested: WebGpuProgram[];
}

/** Iterations encoded per submission in a scan (keeps command buffers a reasonable size). */
const ITERS_PER_SUBMIT = 128;

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `//   ${l}`)
    .join('\n');
}

function names(bs: readonly number[]): string {
  return bs.map((b) => `b${b}`).join(', ');
}

/** Bytes of one 32-bit-word buffer of `size` elements. */
function bytesOf(prog: KernelProgram, b: number): number {
  return 4 * prog.buffers[b].size;
}

/**
 * Bind `inputs` to a nested program's inputs and, where `targets[j]` is given and output j is a
 * buffer the program writes, that output to the target itself.
 */
function bindIO(
  prog: KernelProgram,
  nb: WgBuffer[],
  inputs: readonly WgBuffer[],
  targets: (WgBuffer | null)[],
) {
  prog.inputs.forEach((b, i) => {
    nb[b] = inputs[i];
  });
  const seen = new Set<number>();
  return prog.outputs.map((b, j) => {
    const t = targets[j];
    if (!t || prog.buffers[b].role !== 'output' || seen.has(b)) return false;
    seen.add(b);
    nb[b] = t;
    return true;
  });
}

/** After a nested run: outputs not written in place are copied to their targets. */
function finishIO(
  s: Session,
  prog: KernelProgram,
  nb: WgBuffer[],
  targets: (WgBuffer | null)[],
  direct: boolean[],
): WgBuffer[] {
  return prog.outputs.map((b, j) => {
    const t = targets[j];
    if (!t || direct[j]) return nb[b];
    s.copy(nb[b], 0, t, 0, bytesOf(prog, b));
    return t;
  });
}

/** Run a nested program on `inputs`, outputs into `targets` where given; its results. */
function runNested(
  be: ProgramHost,
  s: Session,
  exe: WebGpuProgram,
  nb: WgBuffer[],
  inputs: readonly WgBuffer[],
  targets: (WgBuffer | null)[],
): WgBuffer[] | Promise<WgBuffer[]> {
  const direct = bindIO(exe.program, nb, inputs, targets);
  const r = be.runProgram(s, exe, nb);
  if (r) return r.then(() => finishIO(s, exe.program, nb, targets, direct));
  return finishIO(s, exe.program, nb, targets, direct);
}

// ---- cond's select kernel ---------------------------------------------------------------------

const selectCache = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

/** dst = src when the clamped index is `j`: one per branch and output. */
function selectPipeline(dev: GPUDevice, n: number, j: number, last: number): GPUComputePipeline {
  const groups = groupsFor(n, WG);
  const gid = flatId(groups, WG);
  const code = [
    '@group(0) @binding(0) var<storage, read> idx: array<i32>;',
    '@group(0) @binding(1) var<storage, read> src: array<u32>;',
    '@group(0) @binding(2) var<storage, read_write> dst: array<u32>;',
    `@compute @workgroup_size(${WG})`,
    'fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {',
    `  ${gid}`,
    `  if (gid >= ${n}i || clamp(idx[0], 0i, ${last}i) != ${j}i) { return; }`,
    '  dst[gid] = src[gid];',
    '}',
  ].join('\n');
  return memoOn(selectCache, dev, code, () => {
    const module = dev.createShaderModule({ code, label: 'cond_select' });
    return dev.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
      label: 'cond_select',
    });
  });
}

function encodeSelect(
  dev: GPUDevice,
  s: Session,
  p: GPUComputePipeline,
  n: number,
  idx: WgBuffer,
  src: WgBuffer,
  dst: WgBuffer,
): void {
  const [gx, gy] = groupsFor(n, WG);
  const cp = s.encoder().beginComputePass({ label: 'cond_select' });
  cp.setPipeline(p);
  cp.setBindGroup(
    0,
    dev.createBindGroup({
      layout: p.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: idx.mem!.buf, offset: 0, size: 4 } },
        { binding: 1, resource: { buffer: src.mem!.buf, offset: 0, size: src.bytes } },
        { binding: 2, resource: { buffer: dst.mem!.buf, offset: 0, size: dst.bytes } },
      ],
    }),
  );
  cp.dispatchWorkgroups(gx, gy);
  cp.end();
}

// ---- the steps ----------------------------------------------------------------------------------

/** Two sets of carry buffers shaped like `like` (the outer result buffers). */
function carrySets(s: Session, like: readonly WgBuffer[]): [WgBuffer[], WgBuffer[]] {
  return [like.map((b) => s.tempBuffer(b)), like.map((b) => s.tempBuffer(b))];
}

function copyAll(s: Session, from: readonly WgBuffer[], to: readonly WgBuffer[]): void {
  from.forEach((b, j) => {
    s.copy(b, 0, to[j], 0, 4 * to[j].size);
  });
}

export function controlStep(
  k: ControlKernel,
  program: KernelProgram,
  be: ProgramHost,
  name: string,
): ControlStep {
  const dev = be.ctx.device;
  switch (k.kind) {
    case 'cond': {
      const exes = k.branches.map((b, i) => be.compile(b, `${name} branch ${i}`));
      const last = exes.length - 1;
      const async = exes.some((e) => e.async);
      const sizes = k.outs.map((b) => program.buffers[b].size);
      const selects = async
        ? []
        : sizes.map((n) => exes.map((_, j) => (n > 0 ? selectPipeline(dev, n, j, last) : null)));
      const runBranch = (s: Session, i: number, ins: WgBuffer[], outs: WgBuffer[]) => {
        const e = exes[i];
        return runNested(be, s, e, be.buffers(s, e.program, ins), ins, outs);
      };
      return {
        name,
        async,
        nested: exes,
        source: `// ${name}: cond on b${k.index} (${names(k.ins)}) -> ${names(k.outs)}${async ? ' (index read back)' : ' (all branches, then select)'}\n${exes.map((e, i) => `// branch ${i}:\n${indent(e.source)}`).join('\n')}`,
        run: (s, bufs) => {
          const idx = bufs[k.index];
          const ins = k.ins.map((b) => bufs[b]);
          const outs = k.outs.map((b) => bufs[b]);
          const clampIdx = (raw: number) => Math.min(Math.max(raw, 0), last);
          if (idx.host) {
            const r = runBranch(s, clampIdx(Number(idx.host[0])), ins, outs);
            return r instanceof Promise ? r.then(() => undefined) : undefined;
          }
          if (!async) {
            exes.forEach((e, j) => {
              const res = runNested(
                be,
                s,
                e,
                be.buffers(s, e.program, ins),
                ins,
                e.program.outputs.map(() => null),
              );
              (res as WgBuffer[]).forEach((src, m) => {
                const p = selects[m][j];
                if (p) encodeSelect(dev, s, p, sizes[m], idx, src, outs[m]);
              });
            });
            return;
          }
          return (async () => {
            const raw = (await s.readWord(idx)) | 0;
            await runBranch(s, clampIdx(raw), ins, outs);
          })();
        },
      };
    }
    case 'while': {
      const cond = be.compile(k.cond, `${name} cond`);
      const body = be.compile(k.body, `${name} body`);
      return {
        name,
        async: true,
        nested: [cond, body],
        source: `// ${name}: while (${names(k.init)}) -> ${names(k.outs)}, predicate read back per iteration\n// cond:\n${indent(cond.source)}\n// body:\n${indent(body.source)}`,
        run: async (s, bufs) => {
          const cc = k.condConsts.map((b) => bufs[b]);
          const bc = k.bodyConsts.map((b) => bufs[b]);
          const outs = k.outs.map((b) => bufs[b]);
          let carry = k.init.map((b) => bufs[b]);
          const sets = carrySets(s, outs);
          const cb = be.buffers(s, cond.program, [...cc, ...carry]);
          const bb = be.buffers(s, body.program, [...bc, ...carry]);
          const predOut = [null];
          for (let it = 0; ; it++) {
            const [pred] = await runNested(be, s, cond, cb, [...cc, ...carry], predOut);
            if (!(await s.readWord(pred))) break;
            const next = sets[it % 2];
            carry = await runNested(be, s, body, bb, [...bc, ...carry], next);
          }
          copyAll(s, carry, outs);
        },
      };
    }
    case 'loop': {
      const body = be.compile(k.body, `${name} body`);
      const bp = body.program;
      const n = k.length;
      const nc = k.init.length;
      const nConsts = k.consts.length;
      // Body inputs: consts, carries, then one slice of each xs.
      const xInfo = k.xs.map((_, j) => bp.buffers[bp.inputs[nConsts + nc + j]]);
      const yBytes = k.ys.map((_, j) => bytesOf(bp, bp.outputs[nc + j]));
      return {
        name,
        async: body.async,
        nested: [body],
        source: `// ${name}: scan length=${n}${k.reverse ? ' reverse' : ''} (${names([...k.consts, ...k.init, ...k.xs])}) -> ${names([...k.outs, ...k.ys])}, all iterations encoded\n// body:\n${indent(body.source)}`,
        run: (s, bufs) => {
          const consts = k.consts.map((b) => bufs[b]);
          const xs = k.xs.map((b) => bufs[b]);
          const ys = k.ys.map((b) => bufs[b]);
          const outs = k.outs.map((b) => bufs[b]);
          let carry = k.init.map((b) => bufs[b]);
          const sets = carrySets(s, outs);
          const xTmp = xInfo.map((info) => s.tempBuffer(info));
          const nb = be.buffers(s, bp, [...consts, ...carry, ...xTmp]);
          const yTargets = k.ys.map(() => null);
          const before = (t: number) => {
            const i = k.reverse ? n - 1 - t : t;
            xTmp.forEach((x, j) => {
              s.copy(xs[j], 4 * i * x.size, x, 0, 4 * x.size);
            });
            return i;
          };
          const after = (i: number, res: WgBuffer[]) => {
            carry = res.slice(0, nc);
            for (let j = 0; j < ys.length; j++) s.copy(res[nc + j], 0, ys[j], i * yBytes[j], yBytes[j]);
          };
          const targets = (t: number) => [...sets[t % 2], ...yTargets];
          if (!body.async) {
            for (let t = 0; t < n; t++) {
              const i = before(t);
              after(i, runNested(be, s, body, nb, [...consts, ...carry, ...xTmp], targets(t)) as WgBuffer[]);
              if (t % ITERS_PER_SUBMIT === ITERS_PER_SUBMIT - 1) s.submit();
            }
            copyAll(s, carry, outs);
            return;
          }
          return (async () => {
            for (let t = 0; t < n; t++) {
              const i = before(t);
              after(i, await runNested(be, s, body, nb, [...consts, ...carry, ...xTmp], targets(t)));
            }
            copyAll(s, carry, outs);
          })();
        },
      };
    }
  }
}
