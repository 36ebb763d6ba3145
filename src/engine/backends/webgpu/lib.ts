/**
 * @file WGSL library kernels for what the map/reduce IR does not express, mirroring the CPU's
 * lib-*.ts with the same params (primitives/dot.ts, sorting.ts, indexing.ts):
 * - matmul: one thread per 4x4 output block, vec4 accumulators; operands read as vec4 when
 *   contiguous and 4-aligned (on llvmpipe this shape ran far faster than a shared-memory tiled
 *   one). Products and sums are float32 (the CPU sums in double: results agree to float32
 *   rounding, not bit for bit).
 * - sort / top_k: a bitonic sort of positions per line (lines padded to a power of two with a
 *   sentinel that sorts last), ties broken by position, so the result is the stable order; then
 *   one gather pass copies every operand. One pipeline, a uniform (k, j) per step.
 * - scatter: the output starts as a copy of the operand; updates apply in order of scatter
 *   position, one thread per window element when windows cannot partially overlap (each window
 *   dim has extent 1 or the full operand dim), else a single thread, which keeps XLA's "last
 *   update wins" and in-order combination exactly.
 */

import type { BufferInfo, LibKernel } from '../../compile/kir.js';
import { type ScatterParams, scatterLayout } from '../../compile/scatter-layout.js';
import { type DType, int32 } from '../../core/dtype.js';
import { type LineGeometry, lineGeometry, stridesOf } from '../../core/shape.js';
import { wgslConvKernels } from './lib-conv.js';
import { wgslFftKernels } from './lib-fft.js';
import { wgslLinalgKernels } from './lib-linalg.js';
import {
  type CopyPass,
  declareBindings,
  groupsFor,
  type LibPass,
  libShader,
  nextPow2,
  type RenderedLib,
  threadId,
  tileId,
  WG,
} from './wgsl.js';
import { checkDtype, literal, stype, wrap } from './wgsl-dtype.js';
import { Helpers } from './wgsl-helpers.js';

// ---- matmul -------------------------------------------------------------------------------------

function matmul(k: LibKernel, infos: BufferInfo[], name: string): RenderedLib {
  const p = k.params as { batch: number; m: number; n: number; k: number; lhs: number[]; rhs: number[] };
  const [a, b] = k.ins;
  const [c] = k.outs;
  const dt = infos[c].dtype;
  checkDtype(dt);
  if (dt.name !== 'float32') throw new Error(`webgpu matmul: unsupported dtype ${dt.name}`);
  const { batch, m, n, k: K } = p;
  const [sb, sm, sk] = p.lhs;
  const [tb, tk, tn] = p.rhs;
  const MB = Math.ceil(m / 4);
  const NB = Math.ceil(n / 4);
  const total = batch * MB * NB;
  const groups = groupsFor(total, WG);
  const vecA = sk === 1 && K % 4 === 0 && sm % 4 === 0 && sb % 4 === 0;
  const vecB = tn === 1 && n % 4 === 0 && tk % 4 === 0 && tb % 4 === 0;
  const vecC = n % 4 === 0;
  const bindings = [a, b, c];
  // The same buffer may be both operands: distinct binding names, both read-only.
  const decl = [
    `@group(0) @binding(0) var<storage, read> A: array<${vecA ? 'vec4<f32>' : 'f32'}>;`,
    `@group(0) @binding(1) var<storage, read> B: array<${vecB ? 'vec4<f32>' : 'f32'}>;`,
    `@group(0) @binding(2) var<storage, read_write> C: array<${vecC ? 'vec4<f32>' : 'f32'}>;`,
  ];
  const body = [
    ...tileId(groups, total, NB, 'bi', MB, 'bb'),
    'let i0 = bi * 4i;',
    'let j0 = bj * 4i;',
    `let ra0 = bb * ${sb}i + min(i0, ${m - 1}i) * ${sm}i;`,
    `let ra1 = bb * ${sb}i + min(i0 + 1i, ${m - 1}i) * ${sm}i;`,
    `let ra2 = bb * ${sb}i + min(i0 + 2i, ${m - 1}i) * ${sm}i;`,
    `let ra3 = bb * ${sb}i + min(i0 + 3i, ${m - 1}i) * ${sm}i;`,
    `let rb = bb * ${tb}i;`,
    'var c0 = vec4<f32>(0.0f);',
    'var c1 = vec4<f32>(0.0f);',
    'var c2 = vec4<f32>(0.0f);',
    'var c3 = vec4<f32>(0.0f);',
  ];
  const loadB = (kk: string) =>
    vecB
      ? `B[(rb + (${kk}) * ${tk}i) / 4i + bj]`
      : `vec4<f32>(${[0, 1, 2, 3].map((q) => `B[rb + (${kk}) * ${tk}i + min(j0 + ${q}i, ${n - 1}i) * ${tn}i]`).join(', ')})`;
  if (vecA) {
    body.push(
      `for (var kq: i32 = 0i; kq < ${K / 4}i; kq++) {`,
      '  let a0 = A[ra0 / 4i + kq];',
      '  let a1 = A[ra1 / 4i + kq];',
      '  let a2 = A[ra2 / 4i + kq];',
      '  let a3 = A[ra3 / 4i + kq];',
      `  let b0 = ${loadB('kq * 4i')};`,
      `  let b1 = ${loadB('kq * 4i + 1i')};`,
      `  let b2 = ${loadB('kq * 4i + 2i')};`,
      `  let b3 = ${loadB('kq * 4i + 3i')};`,
      '  c0 += a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;',
      '  c1 += a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;',
      '  c2 += a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;',
      '  c3 += a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;',
      '}',
    );
  } else {
    body.push(
      `for (var kk: i32 = 0i; kk < ${K}i; kk++) {`,
      `  let bv = ${loadB('kk')};`,
      `  c0 += A[ra0 + kk * ${sk}i] * bv;`,
      `  c1 += A[ra1 + kk * ${sk}i] * bv;`,
      `  c2 += A[ra2 + kk * ${sk}i] * bv;`,
      `  c3 += A[ra3 + kk * ${sk}i] * bv;`,
      '}',
    );
  }
  const cbase = `bb * ${m * n}i`;
  ['c0', 'c1', 'c2', 'c3'].forEach((cv, r) => {
    const row = `i0 + ${r}i`;
    if (vecC) body.push(`if (${row} < ${m}i) { C[(${cbase} + (${row}) * ${n}i) / 4i + bj] = ${cv}; }`);
    else {
      const comps = ['x', 'y', 'z', 'w'];
      body.push(
        `if (${row} < ${m}i) {`,
        ...comps.map(
          (q, j) => `  if (j0 + ${j}i < ${n}i) { C[${cbase} + (${row}) * ${n}i + j0 + ${j}i] = ${cv}.${q}; }`,
        ),
        '}',
      );
    }
  });
  return {
    passes: [{ name, code: libShader(decl, new Helpers(), body), bindings, groups }],
    scratch: {},
  };
}

// ---- sort / top_k -------------------------------------------------------------------------------

/**
 * Bitonic sort of positions. `less(x, y)` is WGSL deciding whether the element at position x
 * (a flat buffer index) orders strictly before the one at y, keys only; ties go by position.
 */
function bitonic(
  name: string,
  keyBufs: number[],
  infos: BufferInfo[],
  geom: LineGeometry,
  keyLess: (h: Helpers, x: string, y: string) => string,
  keyEq: (h: Helpers, x: string, y: string) => string,
): { passes: LibPass[]; P: number; lines: number } {
  const { outer, n, inner } = geom;
  const lines = outer * inner;
  const P = nextPow2(Math.max(n, 1));
  const total = lines * P;
  const groups = groupsFor(total, WG);
  const keyDecl = declareBindings(keyBufs, (b) => stype(infos[b as number].dtype), new Set());
  const permDecl = `@group(0) @binding(${keyBufs.length}) var<storage, read_write> perm: array<u32>;`;
  const lineBase = [
    `let line = gid / ${P}i;`,
    `let base = (line / ${inner}i) * ${n * inner}i + line % ${inner}i;`,
  ];
  const init: LibPass = {
    name: `${name}_init`,
    code: libShader([permDecl.replace(`binding(${keyBufs.length})`, 'binding(0)')], new Helpers(), [
      ...threadId(groups, total),
      `let j = gid % ${P}i;`,
      `perm[gid] = select(0xffffffffu, u32(j), j < ${n}i);`,
    ]),
    bindings: ['perm'],
    groups,
  };
  const h = new Helpers();
  const steps: Uint32Array[] = [];
  for (let kk = 2; kk <= P; kk *= 2)
    for (let j = kk / 2; j >= 1; j /= 2) steps.push(new Uint32Array([kk, j, 0, 0]));
  const stepCode = libShader(
    [...keyDecl, permDecl, `@group(0) @binding(${keyBufs.length + 1}) var<uniform> step: vec4<u32>;`],
    h,
    [
      ...threadId(groups, total),
      ...lineBase,
      `let i = u32(gid % ${P}i);`,
      'let l = i ^ step.y;',
      'if (l <= i) { return; }',
      `let ia = u32(line) * ${P}u + i;`,
      `let il = u32(line) * ${P}u + l;`,
      'let pa = perm[ia];',
      'let pl = perm[il];',
      // before(x, y): x orders strictly before y (the sentinel last, ties by position).
      'var lt: bool;',
      'if (pa == 0xffffffffu) { lt = false; } else if (pl == 0xffffffffu) { lt = true; } else {',
      `  let xa = base + i32(pa) * ${inner}i;`,
      `  let xl = base + i32(pl) * ${inner}i;`,
      `  lt = ${keyLess(h, 'xa', 'xl')} || (${keyEq(h, 'xa', 'xl')} && pa < pl);`,
      '}',
      'let up = (i & step.x) == 0u;',
      // Ascending halves want perm[ia] before perm[il]; swap when that is not so.
      'if (up != lt) { perm[ia] = pl; perm[il] = pa; }',
    ],
  );
  const stepPass: LibPass = {
    name: `${name}_steps`,
    code: stepCode,
    bindings: [...keyBufs, 'perm', 'step'],
    groups,
    uniforms: steps,
  };
  return { passes: P > 1 ? [init, stepPass] : [init], P, lines };
}

function sortKeyLess(infos: BufferInfo[], keys: number[]) {
  const cmp = (h: Helpers, x: string, y: string, eqOnly: boolean) => {
    // Lexicographic over the keys; floats: -0 == 0, NaN after every number, NaNs equal.
    let less = 'false';
    let eq = 'true';
    for (let t = keys.length - 1; t >= 0; t--) {
      const b = `b${keys[t]}`;
      const dt = infos[keys[t]].dtype;
      const va = `${b}[${x}]`;
      const vb = `${b}[${y}]`;
      let lt: string;
      let e: string;
      if (dt.isFloat) {
        const isnan = h.use('h_isnan');
        lt = `((!${isnan}(${va}) && ${isnan}(${vb})) || ${va} < ${vb})`;
        e = `((${isnan}(${va}) && ${isnan}(${vb})) || ${va} == ${vb})`;
      } else {
        lt = `(${va} < ${vb})`;
        e = `(${va} == ${vb})`;
      }
      less = `(${lt} || (${e} && ${less}))`;
      eq = `(${e} && ${eq})`;
    }
    return eqOnly ? eq : less;
  };
  return {
    less: (h: Helpers, x: string, y: string) => cmp(h, x, y, false),
    eq: (h: Helpers, x: string, y: string) => cmp(h, x, y, true),
  };
}

function sort(k: LibKernel, infos: BufferInfo[], name: string, maxStorage = 8): RenderedLib {
  const shape = k.params.shape as number[];
  const numKeys = k.params.numKeys as number;
  for (const b of [...k.ins, ...k.outs]) checkDtype(infos[b].dtype);
  const geom = lineGeometry(shape, k.params.dimension as number);
  const keys = k.ins.slice(0, numKeys);
  const { less, eq } = sortKeyLess(infos, keys);
  const { passes, P, lines } = bitonic(name, keys, infos, geom, less, eq);
  const { n, inner } = geom;
  const total = lines * n;
  const groups = groupsFor(total, WG);
  // The gather binds each operand, its output and the permutation: as many operands per pass as
  // the device lets one shader stage bind.
  const per = Math.max(1, Math.floor((maxStorage - 1) / 2));
  for (let c = 0; c < k.ins.length; c += per) {
    const ins = k.ins.slice(c, c + per);
    const outs = k.outs.slice(c, c + per);
    const bindings: (number | string)[] = [...ins, 'perm', ...outs];
    const decl = declareBindings(
      bindings,
      (b) => (b === 'perm' ? 'u32' : stype(infos[b as number].dtype)),
      new Set(outs),
    );
    const body = [
      ...lineThread(groups, total, n, geom),
      `let src = base + i32(perm[line * ${P}i + j]) * ${inner}i;`,
      `let dst = base + j * ${inner}i;`,
      ...ins.map((b, t) => `b${outs[t]}[dst] = b${b}[src];`),
    ];
    const part = k.ins.length > per ? `${name}_gather${c / per}` : name;
    passes.push({ name: part, code: libShader(decl, new Helpers(), body), bindings, groups });
  }
  return { passes, scratch: { perm: 4 * Math.max(lines * P, 1) } };
}

/**
 * A thread's place among `per` threads a line (`total` in all): `line`, its `j`, and `base`, the
 * line's first element (lines of n elements at stride `inner`).
 */
function lineThread(
  groups: [number, number],
  total: number,
  per: number,
  { n, inner }: LineGeometry,
): string[] {
  return [
    ...threadId(groups, total),
    `let line = gid / ${Math.max(per, 1)}i;`,
    `let j = gid % ${Math.max(per, 1)}i;`,
    `let base = (line / ${inner}i) * ${n * inner}i + line % ${inner}i;`,
  ];
}

/** The IEEE total-order key of a stored value as u32 (floats on the bits, ints offset). */
function totalKey(dt: DType, v: string): string {
  if (dt.isFloat) {
    return `select(bitcast<u32>(${v}) | 0x80000000u, ~bitcast<u32>(${v}), (bitcast<u32>(${v}) & 0x80000000u) != 0u)`;
  }
  if (dt.kind === 'u' || dt.isBool) return v;
  return `(bitcast<u32>(${v}) ^ 0x80000000u)`;
}

function topK(k: LibKernel, infos: BufferInfo[], name: string): RenderedLib {
  const shape = k.params.shape as number[];
  const K = k.params.k as number;
  const [src] = k.ins;
  const [vals, idxs] = k.outs;
  const dt = infos[src].dtype;
  checkDtype(dt);
  const geom = lineGeometry(shape, k.params.axis as number);
  const b = `b${src}`;
  // Descending in the total order: x before y when key(x) > key(y).
  const less = (_h: Helpers, x: string, y: string) =>
    `(${totalKey(dt, `${b}[${x}]`)} > ${totalKey(dt, `${b}[${y}]`)})`;
  const eq = (_h: Helpers, x: string, y: string) =>
    `(${totalKey(dt, `${b}[${x}]`)} == ${totalKey(dt, `${b}[${y}]`)})`;
  const { passes, P, lines } = bitonic(name, [src], infos, geom, less, eq);
  const { inner } = geom;
  const total = lines * K;
  const groups = groupsFor(total, WG);
  const bindings: (number | string)[] = [src, 'perm', vals, idxs];
  const decl = declareBindings(
    bindings,
    (x) => (x === 'perm' ? 'u32' : stype(infos[x as number].dtype)),
    new Set([vals, idxs]),
  );
  const idxDt = infos[idxs].dtype;
  const body = [
    ...lineThread(groups, total, K, geom),
    `let obase = (line / ${inner}i) * ${K * inner}i + line % ${inner}i;`,
    `let q = i32(perm[line * ${P}i + j]);`,
    `b${vals}[obase + j * ${inner}i] = b${src}[base + q * ${inner}i];`,
    `b${idxs}[obase + j * ${inner}i] = ${idxDt.kind === 'u' ? 'u32(q)' : 'q'};`,
  ];
  passes.push({ name, code: libShader(decl, new Helpers(), body), bindings, groups });
  return { passes, scratch: { perm: 4 * Math.max(lines * P, 1) } };
}

// ---- scatter ------------------------------------------------------------------------------------

function scatter(k: LibKernel, infos: BufferInfo[], name: string): RenderedLib {
  const p = k.params as unknown as ScatterParams;
  const operand = k.ins[0];
  let at = 1;
  const indices = p.indicesConst === null ? k.ins[at++] : null;
  const updates = p.updatesConst === null ? k.ins[at++] : null;
  const out = k.outs[0];
  const dt = infos[operand].dtype;
  checkDtype(dt);
  if (indices !== null) checkDtype(infos[indices].dtype);
  const h = new Helpers();
  const oShape = p.operandShape;
  const rank = oShape.length;
  const L = scatterLayout(p);
  const { oStrides, uStrides, iStrides, ivd, nIdx, batchShape, nBatch, uScatterDims, windowOperandDims } = L;
  const { windowShape, nWindow, extent } = L;
  const bytes = 4 * infos[operand].size;
  const copy: CopyPass = { name: `${name}_copy`, copy: { from: operand, to: out, bytes } };
  if (nWindow === 0 || nBatch === 0) return { passes: [copy], scratch: {} };
  // Threads on distinct window elements never collide when every window dim is 1 or full.
  const parallel = windowOperandDims.every((d) => extent[d] === 1 || extent[d] === oShape[d]);
  const threads = parallel ? nWindow : 1;
  const groups = groupsFor(threads, WG);

  const st = stype(dt);
  const readIdx = (e: string) => {
    if (indices === null) return literal(Number(p.indicesConst), int32);
    const idt = infos[indices].dtype;
    return idt.kind === 'u' || idt.isBool ? `i32(b${indices}[${e}])` : `b${indices}[${e}]`;
  };
  const updConst = (): string => {
    const v = Number(p.updatesConst);
    if (dt.isBool) return v ? '1u' : '0u';
    return literal(v, dt);
  };
  const readUpd = (e: string) => (updates === null ? updConst() : `b${updates}[${e}]`);
  const comb = (a: string, b: string): string => {
    if (p.kind === 'set') return b;
    if (dt.isBool) return p.kind === 'add' || p.kind === 'max' ? `(${a} | ${b})` : `(${a} & ${b})`;
    switch (p.kind) {
      case 'add':
        return wrap(dt, `(${a} + ${b})`);
      case 'mul':
        return wrap(dt, `(${a} * ${b})`);
      case 'min':
        return dt.isFloat ? `${h.use('h_fmin')}(${a}, ${b})` : `min(${a}, ${b})`;
      case 'max':
        return dt.isFloat ? `${h.use('h_fmax')}(${a}, ${b})` : `max(${a}, ${b})`;
    }
  };
  const clip = p.mode === 'CLIP';
  const body: string[] = threadId(groups, threads);
  body.push(`for (var bq: i32 = 0i; bq < ${nBatch}i; bq++) {`);
  const inner: string[] = [];
  // Batch multi-index, the index row base and the updates base of this scatter position.
  let rem = 'bq';
  const bStr = stridesOf(batchShape);
  inner.push('var ib: i32 = 0i;', 'var ub: i32 = 0i;');
  batchShape.forEach((_, q) => {
    inner.push(`let bi${q} = (${rem} / ${bStr[q]}i) % ${batchShape[q]}i;`);
    inner.push(`ib += bi${q} * ${iStrides[q]}i;`, `ub += bi${q} * ${uStrides[uScatterDims[q]]}i;`);
  });
  rem = '';
  inner.push('var ok = true;', 'var ob: i32 = 0i;');
  const starts = new Array<string>(rank).fill('0i');
  for (let q = 0; q < nIdx; q++) {
    const d = p.scatterDimsToOperandDims[q];
    const hi = oShape[d] - extent[d];
    inner.push(`var s${q}: i32 = ${readIdx(`ib + ${q * iStrides[ivd]}i`)};`);
    if (clip) inner.push(`s${q} = clamp(s${q}, 0i, ${hi}i);`);
    else inner.push(`if (s${q} < 0i || s${q} > ${hi}i) { ok = false; }`);
    starts[d] = `s${q}`;
  }
  p.operandBatchingDims.forEach((d, i) => {
    starts[d] = `bi${p.scatterIndicesBatchingDims[i]}`;
  });
  for (let d = 0; d < rank; d++) if (starts[d] !== '0i') inner.push(`ob += ${starts[d]} * ${oStrides[d]}i;`);
  const wStr = stridesOf(windowShape);
  const windowBody = (w: string): string[] => {
    const l: string[] = ['var o = ob;', 'var u = ub;'];
    windowShape.forEach((_, j) => {
      l.push(`let w${j} = (${w} / ${wStr[j]}i) % ${windowShape[j]}i;`);
      l.push(
        `o += w${j} * ${oStrides[windowOperandDims[j]]}i;`,
        `u += w${j} * ${uStrides[p.updateWindowDims[j]]}i;`,
      );
    });
    l.push(`b${out}[o] = ${comb(`b${out}[o]`, readUpd('u'))};`);
    return l;
  };
  inner.push('if (ok) {');
  if (parallel) inner.push(...windowBody('gid').map((l) => `  ${l}`));
  else {
    inner.push(
      `  for (var w: i32 = 0i; w < ${nWindow}i; w++) {`,
      ...windowBody('w').map((l) => `    ${l}`),
      '  }',
    );
  }
  inner.push('}');
  body.push(...inner.map((l) => `  ${l}`), '}');
  const bindings: (number | string)[] = [];
  if (indices !== null) bindings.push(indices);
  if (updates !== null) bindings.push(updates);
  bindings.push(out);
  const decl = declareBindings(
    bindings,
    (b) => (b === out ? st : stype(infos[b as number].dtype)),
    new Set([out]),
  );
  return {
    passes: [copy, { name, code: libShader(decl, h, body), bindings, groups }],
    scratch: {},
  };
}

export const wgslLibKernels: Record<
  string,
  /** `maxStorage`: storage buffers one shader stage may bind on the device. */
  (k: LibKernel, infos: BufferInfo[], name: string, maxStorage: number) => RenderedLib
> = {
  matmul,
  sort,
  top_k: topK,
  scatter,
  ...wgslLinalgKernels,
  ...wgslConvKernels,
  ...wgslFftKernels,
};
