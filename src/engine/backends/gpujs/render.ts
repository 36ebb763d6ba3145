/**
 * @file Render kernel IR to gpu.js kernel sources. gpu.js compiles a JavaScript subset to GLSL
 * (headless-gl) or WebAssembly and runs it once per output element, so a kernel becomes
 * `function (sp, b0, b3, ...) { ... return v; }` over a 1-D output of the kernel's size: the
 * flat thread index is split into the output multi-index by division with an exact correction,
 * reductions loop over the reduced extent inside the thread, scans loop along their axis.
 * Expressions are rendered by expr.ts; check.ts decides which kernels gpu.js can run at all.
 */
import {
  type ArgReduceKernel,
  type BufferInfo,
  byKind,
  type Kernel,
  type KernelTable,
  kernelOutputs,
  type LibKernel,
  type MapKernel,
  type ReduceKernel,
  type ScanKernel,
} from '../../compile/kir.js';
import type { MatmulParams } from '../../compile/matmul-layout.js';
import type { DType } from '../../core/dtype.js';
import { RANGE } from './check.js';
import { Emitter, INF, NINF } from './expr.js';

function threadIndex(shape: number[], names: string[]): string[] {
  const lines = ['const o = this.thread.x;'];
  let rest = 'o';
  let stride = shape.reduce((n, d) => n * d, 1);
  shape.forEach((d, k) => {
    stride /= d;
    if (d === 1) return;
    const v = names[k];
    if (stride === 1) {
      lines.push(`const ${v} = ${rest};`);
      return;
    }
    lines.push(
      `const ${v}q = Math.floor(${rest} / ${stride});`,
      `const ${v}r = ${rest} - ${v}q * ${stride};`,
      `const ${v} = ${v}r < 0 ? ${v}q - 1 : (${v}r >= ${stride} ? ${v}q + 1 : ${v}q);`,
    );
    if (k < shape.length - 1) {
      lines.push(`const ${v}m = ${rest} - ${v} * ${stride};`);
      rest = `${v}m`;
    }
  });
  return lines;
}

function outVars(shape: number[], prefix = 'i'): Map<string, { name: string; level: number }> {
  const m = new Map<string, { name: string; level: number }>();
  shape.forEach((d, k) => {
    if (d !== 1) m.set(`${prefix}${k}`, { name: `${prefix}${k}`, level: -1 });
  });
  return m;
}

function indent(lines: string[], n: number): string[] {
  const pad = '  '.repeat(n);
  return lines.map((l) => pad + l);
}

/** Loops with emitted lines at each level; `inner` in the innermost. */
function nest(loops: { v: string; extent: number }[], em: Emitter, inner: string[]): string[] {
  const build = (L: number): string[] => {
    if (L === loops.length) return inner;
    const { v, extent } = loops[L];
    return [
      `for (let ${v} = 0; ${v} < ${extent}; ${v}++) {`,
      ...indent([...em.lines[L + 1], ...build(L + 1)], 1),
      '}',
    ];
  };
  return build(0);
}

function renderMapK(k: MapKernel): string[] {
  const em = new Emitter(outVars(k.shape), 0);
  const v = em.emit(k.expr);
  return [
    ...threadIndex(
      k.shape,
      k.shape.map((_, i) => `i${i}`),
    ),
    ...em.lines[0],
    `return ${v};`,
  ];
}

function initOf(op: string, dt: DType): string {
  switch (op) {
    case 'add':
    case 'or':
      return '0';
    case 'mul':
      return '1';
    case 'and':
      return '1';
    case 'max':
      return dt.isFloat ? NINF : dt.isBool ? '0' : String(RANGE[dt.name]?.[0] ?? -(2 ** 31));
    case 'min':
      return dt.isFloat ? INF : dt.isBool ? '1' : String(RANGE[dt.name]?.[1] ?? 2 ** 31 - 1);
  }
  throw new Error(`gpujs: reduction ${op}`);
}

function combine(op: string, dt: DType, v: string): string {
  switch (op) {
    case 'add':
      return `acc = acc + ${v};`;
    case 'mul':
      return `acc = acc * ${v};`;
    case 'and':
      return `acc = Math.min(acc, ${v});`;
    case 'or':
      return `acc = Math.max(acc, ${v});`;
    case 'max':
      return dt.isFloat ? `if (${v} > acc || ${v} !== ${v}) { acc = ${v}; }` : `acc = Math.max(acc, ${v});`;
    case 'min':
      return dt.isFloat ? `if (${v} < acc || ${v} !== ${v}) { acc = ${v}; }` : `acc = Math.min(acc, ${v});`;
  }
  throw new Error(`gpujs: reduction ${op}`);
}

function renderReduceK(k: ReduceKernel): string[] {
  const vars = outVars(k.outShape);
  const loops = k.redShape.map((extent, i) => ({ v: `r${i}`, extent }));
  loops.forEach((l, i) => {
    vars.set(l.v, { name: l.v, level: i });
  });
  const em = new Emitter(vars, loops.length);
  const body = em.emit(k.body);
  const epi = new Emitter(outVars(k.outShape), 0, 'e', -1);
  const result = k.epilogue ? epi.emit(k.epilogue) : 'acc';
  return [
    ...threadIndex(
      k.outShape,
      k.outShape.map((_, i) => `i${i}`),
    ),
    ...em.lines[0],
    `let acc = ${initOf(k.op, k.body.dt)};`,
    ...nest(loops, em, [combine(k.op, k.body.dt, body)]),
    ...epi.lines[0],
    `return ${result};`,
  ];
}

function renderArgReduceK(k: ArgReduceKernel): string[] {
  const vars = outVars(k.outShape);
  vars.set('r0', { name: 'r0', level: 0 });
  const em = new Emitter(vars, 1);
  const v = em.emit(k.body);
  const better = k.op === 'argmax' ? '>' : '<';
  const nan = k.body.dt.isFloat ? ` || ${v} !== ${v}` : '';
  return [
    ...threadIndex(
      k.outShape,
      k.outShape.map((_, i) => `i${i}`),
    ),
    ...em.lines[0],
    'let best = 0;',
    'let bi = 0;',
    ...nest([{ v: 'r0', extent: k.redSize }], em, [
      `if (r0 === 0 || (best === best && (${v} ${better} best${nan}))) {`,
      `  best = ${v};`,
      '  bi = r0;',
      '}',
    ]),
    'return bi;',
  ];
}

function renderScanK(k: ScanKernel): string[] {
  const vars = outVars(k.shape);
  const n = k.shape[k.axis];
  // The thread's own position along the axis is i{axis}; the loop visits positions j in the
  // order the CPU accumulates them and stops contributing past the thread's position.
  const own = `i${k.axis}`;
  vars.set(own, { name: 'j', level: 0 });
  const em = new Emitter(vars, 1);
  const v = em.emit(k.body);
  const pos = n === 1 ? '0' : own;
  const names = k.shape.map((_, i) => `i${i}`);
  const dt = k.body.dt;
  return [
    ...threadIndex(k.shape, names),
    ...em.lines[0],
    `let acc = ${initOf(k.op, dt)};`,
    `for (let s = 0; s < ${n}; s++) {`,
    `  const j = ${k.reverse ? `${n - 1} - s` : 's'};`,
    `  if (${k.reverse ? `j >= ${pos}` : `j <= ${pos}`}) {`,
    ...indent(em.lines[1], 2),
    `    ${combine(k.op, dt, v)}`,
    '  }',
    '}',
    'return acc;',
  ];
}

function renderMatmulK(k: LibKernel): string[] {
  const p = k.params as unknown as MatmulParams;
  const [a, b] = k.ins;
  const lines = threadIndex([p.batch, p.m, p.n], ['bt', 'row', 'col']);
  const term = (v: string, s: number, d: number) => (d === 1 ? '0' : `${v} * ${s}`);
  lines.push(
    `const abase = ${term('bt', p.lhs[0], p.batch)} + ${term('row', p.lhs[1], p.m)};`,
    `const bbase = ${term('bt', p.rhs[0], p.batch)} + ${term('col', p.rhs[2], p.n)};`,
    'let acc = 0;',
    `for (let kk = 0; kk < ${p.k}; kk++) {`,
    `  acc = acc + b${a}[abase + kk * ${p.lhs[2]}] * b${b}[bbase + kk * ${p.rhs[1]}];`,
    '}',
    'return acc;',
  );
  return lines;
}

export interface GpuJsKernelSource {
  /** Buffer ids of the kernel's array arguments, after `sp`. */
  params: number[];
  /** The function gpu.js compiles. */
  source: string;
  /** Output elements (threads). */
  size: number;
  out: number;
}

/** The body of each kind of kernel gpu.js runs (its only library kernel is matmul). */
const RENDERERS: KernelTable<[], string[]> = {
  map: renderMapK,
  reduce: renderReduceK,
  argreduce: renderArgReduceK,
  scan: renderScanK,
  lib: renderMatmulK,
};

/** Render kernel `k` (which `cannotRender` accepted) for gpu.js. */
export function renderGpuJs(k: Kernel, buffers: BufferInfo[]): GpuJsKernelSource {
  const lines = byKind(RENDERERS, k);
  if (!lines) throw new Error(`gpujs: cannot render ${k.kind}`);
  const [out] = kernelOutputs(k);
  const used = new Set<number>();
  for (const l of lines) for (const m of l.matchAll(/\bb(\d+)\[/g)) used.add(Number(m[1]));
  const params = [...used].sort((a, b) => a - b);
  const source = [
    `function (${['sp', ...params.map((p) => `b${p}`)].join(', ')}) {`,
    ...indent(lines, 1),
    '}',
  ].join('\n');
  return { params, source, size: buffers[out].size, out };
}
