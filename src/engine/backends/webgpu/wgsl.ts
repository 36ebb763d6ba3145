/**
 * @file Render kernel IR (compile/kir.ts) to WGSL compute shaders: the shader scaffolding shared by
 * every kernel (bindings, workgroup dispatch, thread ids, loop nests) and map kernels, one thread
 * per output element. The structure mirrors the CPU renderer (backends/cpu/codegen.ts): only the
 * output loops become threads. Value types are in wgsl-dtype.ts, helper functions in
 * wgsl-helpers.ts, expressions in wgsl-expr.ts, reductions and scans in wgsl-reduce.ts.
 */

import type { MapKernel } from '../../compile/kir.js';
import type { DType } from '../../core/dtype.js';
import { checkDtype, stype } from './wgsl-dtype.js';
import { Emitter, renderStore } from './wgsl-expr.js';
import { Helpers } from './wgsl-helpers.js';

/** Threads per workgroup of elementwise-style kernels. */
export const WG = 64;
/** Threads per workgroup of tree reductions. */
export const RWG = 256;
/** Workgroups per dispatch dimension (WebGPU's default limit). */
const MAX_GROUPS = 65535;

/** One compute pass: a shader, its bindings (buffer ids or scratch names) and dispatch size. */
export interface Pass {
  name: string;
  code: string;
  /** Buffer ids (numbers) or kernel-local scratch buffers (strings), in binding order. */
  bindings: (number | string)[];
  groups: [number, number];
}

export interface RenderedKernel {
  passes: Pass[];
  /** Scratch buffers the passes use, by name, in bytes. */
  scratch: Record<string, number>;
}

export interface LibPass extends Pass {
  /** Uniform words for each dispatch of this pass (sort steps): one dispatch per entry. */
  uniforms?: Uint32Array[];
}

export interface RenderedLib extends Omit<RenderedKernel, 'passes'> {
  passes: (LibPass | CopyPass)[];
}

/** A buffer-to-buffer copy (scatter starts from a copy of its operand). */
export interface CopyPass {
  name: string;
  copy: { from: number; to: number; bytes: number };
}

export function indent(lines: string[], n: number): string[] {
  const pad = '  '.repeat(n);
  return lines.map((l) => pad + l);
}

/** Workgroups for `threads` threads of `wg` each, folded into 2-D past the per-dimension limit. */
export function groupsFor(threads: number, wg: number): [number, number] {
  const g = Math.max(1, Math.ceil(threads / wg));
  if (g <= MAX_GROUPS) return [g, 1];
  const y = Math.ceil(g / MAX_GROUPS);
  return [Math.ceil(g / y), y];
}

/** The flat thread id as `let name`, for a dispatch of `groups` workgroups of `wg` threads. */
export function flatId(groups: [number, number], wg: number, name = 'gid'): string {
  return groups[1] === 1
    ? `let ${name} = i32(wid.x) * ${wg}i + i32(lid.x);`
    : `let ${name} = (i32(wid.y) * ${groups[0]}i + i32(wid.x)) * ${wg}i + i32(lid.x);`;
}

/** The flat thread id, and the return of the threads past `total` (the dispatch rounds up). */
export function threadId(groups: [number, number], total: number): string[] {
  return [flatId(groups, WG), `if (gid >= ${total}i) { return; }`];
}

/**
 * The place of a thread among `total` (each one a tile of a blocked output), the flat id taken
 * apart innermost first: `bj` among `nb` column blocks, then `mid` among `nMid`, then `outer`.
 */
export function tileId(
  groups: [number, number],
  total: number,
  nb: number,
  mid: string,
  nMid: number,
  outer: string,
): string[] {
  return [
    ...threadId(groups, total),
    `let bj = gid % ${nb}i;`,
    `let t = gid / ${nb}i;`,
    `let ${mid} = t % ${nMid}i;`,
    `let ${outer} = t / ${nMid}i;`,
  ];
}

/** The least power of two >= n (1 for n <= 1). */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** `let i0 = ...; let i1 = ...;` from a flat index over `shape` (row-major). */
export function unflatten(flat: string, shape: readonly number[], prefix: string): string[] {
  const out: string[] = [];
  let stride = 1;
  const strides = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d];
  }
  shape.forEach((n, d) => {
    const q = strides[d] === 1 ? flat : `(${flat} / ${strides[d]}i)`;
    out.push(`let ${prefix}${d}: i32 = ${d === 0 ? q : `${q} % ${n}i`};`);
  });
  return out;
}

const ENTRY = '@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>';

/** Declarations of storage bindings, in the order of `bindings`. */
export function declareBindings(
  bindings: (number | string)[],
  typeOf: (b: number | string) => string,
  writable: ReadonlySet<number | string>,
): string[] {
  return bindings.map((b, i) => {
    const name = typeof b === 'number' ? `b${b}` : b;
    const access = writable.has(b) ? 'read_write' : 'read';
    return `@group(0) @binding(${i}) var<storage, ${access}> ${name}: array<${typeOf(b)}>;`;
  });
}

export function shader(
  bindingsDecl: string[],
  h: Helpers,
  extra: string[],
  wg: number,
  body: string[],
): string {
  return [
    ...bindingsDecl,
    ...extra,
    h.code(body.join('\n')),
    '',
    `@compute @workgroup_size(${wg})`,
    `fn main(${ENTRY}) {`,
    ...indent(body, 1),
    '}',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

export function bufDecl(
  em: Emitter,
  dtypeOf: (b: number) => DType,
  out: number,
): { bindings: number[]; decl: string[] } {
  const bindings = [...em.bufs].filter((b) => b !== out).sort((a, b) => a - b);
  bindings.push(out);
  return {
    bindings,
    decl: declareBindings(bindings, (b) => stype(dtypeOf(b as number)), new Set([out])),
  };
}

export interface Loop {
  v: string;
  extent: number;
  head?: string[];
}

export function loopNest(
  loops: Loop[],
  em: Emitter,
  inner: string[],
  around: Map<number, { before: string[]; after: string[] }> = new Map(),
  levelBase = 0,
): string[] {
  const build = (L: number): string[] => {
    if (L === loops.length) return inner;
    const { v, extent, head = [] } = loops[L];
    const wrapIt = around.get(L + 1);
    const innerPart = wrapIt ? [...wrapIt.before, ...build(L + 1), ...wrapIt.after] : build(L + 1);
    return [
      `for (var ${v}: i32 = 0i; ${v} < ${extent}i; ${v}++) {`,
      ...indent([...head, ...em.lines[L + levelBase + 1], ...innerPart], 1),
      '}',
    ];
  };
  const top = around.get(0);
  return top ? [...top.before, ...build(0), ...top.after] : build(0);
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function renderMap(k: MapKernel, dtypeOf: (b: number) => DType, name: string): RenderedKernel {
  const outDt = dtypeOf(k.out);
  checkDtype(outDt);
  const n = size(k.shape);
  const h = new Helpers();
  const vars = k.shape.map((_, i) => `i${i}`);
  // All output indices are known at level -1: a map kernel is straight-line code per thread.
  const em = new Emitter(h, new Map(vars.map((v) => [v, -1])), 0);
  const v = em.emit(k.expr);
  const groups = groupsFor(n, WG);
  const { bindings, decl } = bufDecl(em, dtypeOf, k.out);
  const body = [
    ...threadId(groups, n),
    ...unflatten('gid', k.shape, 'i'),
    ...em.lines[0],
    renderStore(outDt, `b${k.out}`, 'gid', v),
  ];
  return { passes: [{ name, code: shader(decl, h, [], WG, body), bindings, groups }], scratch: {} };
}

/** A library kernel's shader: `WG` threads per workgroup. */
export function libShader(decl: string[], h: Helpers, body: string[], extra: string[] = []): string {
  return shader(decl, h, extra, WG, body);
}
