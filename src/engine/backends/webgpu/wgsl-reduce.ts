/**
 * @file Render reduce, argreduce and scan kernels of the kernel IR to WGSL. A reduce runs one thread
 * per output with loops over the reduced dims when there are many outputs or few reduced elements;
 * else a workgroup tree reduction per output, in two passes (partials, then a reduction of those
 * with the epilogue) when the reduced size is large. Argreduce and scan run one thread per output /
 * per line. Accumulators are wrapped or rounded once at the end, as the CPU renderer does.
 */

import type { ArgReduceKernel, ReduceKernel, ScanKernel } from '../../compile/kir.js';
import { type DType, INT_RANGE } from '../../core/dtype.js';
import {
  bufDecl,
  declareBindings,
  groupsFor,
  indent,
  loopNest,
  type Pass,
  type RenderedKernel,
  RWG,
  shader,
  size,
  threadId,
  unflatten,
  WG,
} from './wgsl.js';
import { checkDtype, literal, stype, vtype, wrap } from './wgsl-dtype.js';
import { Emitter, renderStore } from './wgsl-expr.js';
import { Helpers } from './wgsl-helpers.js';

// ---- reductions ---------------------------------------------------------------------------------

/** The accumulator's WGSL type: bools accumulate as 0/1 u32. */
function accType(dt: DType): string {
  return dt.isBool ? 'u32' : vtype(dt);
}

function reduceInit(op: string, dt: DType): string {
  const t = accType(dt);
  const lit = (v: number) => (t === 'f32' ? literal(v, dt) : t === 'u32' ? `${v >>> 0}u` : literal(v, dt));
  switch (op) {
    case 'add':
    case 'or':
      return t === 'f32' ? '0.0f' : t === 'u32' ? '0u' : '0i';
    case 'mul':
      return t === 'f32' ? '1.0f' : t === 'u32' ? '1u' : '1i';
    case 'max':
      if (dt.isFloat) return literal(Number.NEGATIVE_INFINITY, dt);
      if (dt.isBool) return '0u';
      return lit(INT_RANGE[dt.name][0]);
    case 'min':
      if (dt.isFloat) return literal(Number.POSITIVE_INFINITY, dt);
      if (dt.isBool) return '1u';
      return lit(INT_RANGE[dt.name][1]);
    case 'and':
      if (dt.isBool) return '1u';
      return t === 'u32' ? '0xffffffffu' : '-1i';
  }
  throw new Error(`unknown reduction ${op}`);
}

function combine(op: string, dt: DType, a: string, b: string, h: Helpers): string {
  if (dt.isBool) {
    if (op === 'add' || op === 'or' || op === 'max') return `(${a} | ${b})`;
    return `(${a} & ${b})`;
  }
  switch (op) {
    case 'add':
      return `(${a} + ${b})`;
    case 'mul':
      return `(${a} * ${b})`;
    case 'max':
      return dt.isFloat ? `${h.use('h_fmax')}(${a}, ${b})` : `max(${a}, ${b})`;
    case 'min':
      return dt.isFloat ? `${h.use('h_fmin')}(${a}, ${b})` : `min(${a}, ${b})`;
    case 'and':
      return `(${a} & ${b})`;
    case 'or':
      return `(${a} | ${b})`;
  }
  throw new Error(`unknown reduction ${op}`);
}

/** The body value as an accumulator operand. */
function toAcc(dt: DType, v: string): string {
  return dt.isBool ? `u32(${v})` : v;
}

/** The accumulated value as a value of `dt` (wrapped/rounded once, as the CPU does). */
function fromAcc(dt: DType, a: string): string {
  return dt.isBool ? `(${a} != 0u)` : wrap(dt, a);
}

/** Threshold above which a reduction runs as a workgroup tree (per output). */
const SERIAL_MAX_RED = 64;
const SERIAL_MIN_OUT = 1024;
/** Reduced elements per workgroup in the first pass of a two-pass reduction. */
const CHUNK = 8192;

export function renderReduce(k: ReduceKernel, dtypeOf: (b: number) => DType, name: string): RenderedKernel {
  const accDt = k.body.dt;
  const outDt = dtypeOf(k.out);
  checkDtype(accDt);
  checkDtype(outDt);
  const nOut = size(k.outShape);
  const nRed = size(k.redShape);
  const job = { k, accDt, outDt, name, dtypeOf };
  return nRed <= SERIAL_MAX_RED || nOut >= SERIAL_MIN_OUT ? serialReduce(job) : treeReduce(job);
}

/** A reduction to render: the kernel, its accumulator and output dtypes, and every buffer's dtype. */
interface ReduceJob {
  k: ReduceKernel;
  accDt: DType;
  outDt: DType;
  name: string;
  dtypeOf: (b: number) => DType;
}

function epilogueLines(
  k: ReduceKernel,
  h: Helpers,
  accDt: DType,
  outDt: DType,
  accExpr: string,
  oIdx: string,
  em0: Emitter,
): string[] {
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const epi = new Emitter(h, new Map(ovars.map((v) => [v, -1])), 0, 'e', 'accv', -1);
  const result = k.epilogue ? epi.emit(k.epilogue) : 'accv';
  for (const b of epi.bufs) em0.bufs.add(b);
  return [
    `let accv: ${vtype(accDt)} = ${fromAcc(accDt, accExpr)};`,
    ...epi.lines[0],
    renderStore(outDt, `b${k.out}`, oIdx, result),
  ];
}

function serialReduce({ k, accDt, outDt, name, dtypeOf }: ReduceJob): RenderedKernel {
  const h = new Helpers();
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const rvars = k.redShape.map((_, i) => `r${i}`);
  const levels = new Map<string, number>(ovars.map((v) => [v, -1]));
  rvars.forEach((v, i) => {
    levels.set(v, i);
  });
  const em = new Emitter(h, levels, rvars.length);
  const body = em.emit(k.body);
  const nOut = size(k.outShape);
  const groups = groupsFor(nOut, WG);
  const loops = rvars.map((v, i) => ({ v, extent: k.redShape[i] }));
  const twoSum = compensated(k, accDt);
  const inner = twoSum ? twoSumLines(body) : [`acc = ${combine(k.op, accDt, 'acc', toAcc(accDt, body), h)};`];
  const red = loopNest(loops, em, inner);
  const fin = epilogueLines(k, h, accDt, outDt, twoSum ? TWO_SUM_RESULT : 'acc', 'gid', em);
  const lines = [
    ...threadId(groups, nOut),
    ...unflatten('gid', k.outShape, 'i'),
    ...em.lines[0],
    `var acc: ${accType(accDt)} = ${reduceInit(k.op, accDt)};`,
    ...(twoSum ? ['var accl = 0.0f;'] : []),
    ...red,
    ...fin,
  ];
  const { bindings, decl } = bufDecl(em, (b) => (b === k.out ? outDt : dtypeOf(b)), k.out);
  return { passes: [{ name, code: shader(decl, h, [], WG, lines), bindings, groups }], scratch: {} };
}

/**
 * A float32 sum the CPU carries in float64 and rounds once (kir.ts ReduceKernel.roundEach unset):
 * serial reductions carry it as a double-float instead, acc + accl with each step's rounding error
 * from Knuth's TwoSum, so that the one rounding at the end gives the CPU's bits (those of the
 * exact sum, which float64 holds for the few-term sums of norms and normalizations).
 */
function compensated(k: ReduceKernel, accDt: DType): boolean {
  return k.op === 'add' && !k.roundEach && accDt.name === 'float32';
}

/**
 * One TwoSum step of acc + v into acc, its error into accl. The sums whose relation to their
 * operands matters pass through a select on a condition the compiler cannot decide (v's bits equal
 * to one NaN payload, where the sum is NaN anyway), or llvmpipe folds (s - bb) and (s - acc) away
 * (see compile/libm/guard.ts).
 */
function twoSumLines(body: string): string[] {
  return [
    `let tv: f32 = ${body};`,
    'let tg = bitcast<u32>(tv) == 0x7fa5a5a5u;',
    'let ts = select(acc + tv, tv, tg);',
    'let tb = select(ts - acc, tv, tg);',
    'accl = accl + ((acc - select(ts - tb, tv, tg)) + (tv - tb));',
    'acc = ts;',
  ];
}

/** acc + accl rounded once; acc itself once it is infinite or NaN (accl is then NaN). */
const TWO_SUM_RESULT = 'select(acc + accl, acc, (bitcast<u32>(acc) & 0x7f800000u) == 0x7f800000u)';

/** Tree-reduction code: `sh` holds each thread's partial; thread 0 ends with the total in sh[0]. */
function treeLines(op: string, accDt: DType, h: Helpers): string[] {
  const lines = ['sh[lid.x] = acc;', 'workgroupBarrier();'];
  for (let s = RWG / 2; s >= 1; s /= 2) {
    lines.push(
      `if (lid.x < ${s}u) { sh[lid.x] = ${combine(op, accDt, 'sh[lid.x]', `sh[lid.x + ${s}u]`, h)}; }`,
      'workgroupBarrier();',
    );
  }
  return lines;
}

function treeReduce({ k, accDt, outDt, name, dtypeOf }: ReduceJob): RenderedKernel {
  const nOut = size(k.outShape);
  const nRed = size(k.redShape);
  const at = accType(accDt);
  const parts = nRed > 2 * CHUNK ? Math.min(Math.ceil(nRed / CHUNK), 1024) : 1;
  const per = Math.ceil(nRed / parts);

  // Pass 1 (or the only pass): workgroup (o, p) reduces r in [p*per, min((p+1)*per, nRed)).
  const h = new Helpers();
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const rvars = k.redShape.map((_, i) => `r${i}`);
  const levels = new Map<string, number>(ovars.map((v) => [v, -1]));
  for (const v of rvars) levels.set(v, 0);
  const em = new Emitter(h, levels, 1);
  const body = em.emit(k.body);
  const groups1 = groupsFor(nOut * parts, 1);
  const wgId =
    groups1[1] === 1 ? 'let wg = i32(wid.x);' : `let wg = i32(wid.y) * ${groups1[0]}i + i32(wid.x);`;
  const loop = [
    `let lo = p * ${per}i;`,
    `let hi = min(lo + ${per}i, ${nRed}i);`,
    `for (var r = lo + i32(lid.x); r < hi; r += ${RWG}i) {`,
    ...indent(
      [
        ...unflatten('r', k.redShape, 'r'),
        ...em.lines[1],
        `acc = ${combine(k.op, accDt, 'acc', toAcc(accDt, body), h)};`,
      ],
      1,
    ),
    '}',
  ];
  const head = [
    wgId,
    `if (wg >= ${nOut * parts}i) { return; }`,
    `let o = wg / ${parts}i;`,
    `let p = wg % ${parts}i;`,
    ...unflatten('o', k.outShape, 'i'),
    ...em.lines[0],
    `var acc: ${at} = ${reduceInit(k.op, accDt)};`,
  ];
  const sh = `var<workgroup> sh: array<${at}, ${RWG}>;`;
  if (parts === 1) {
    const fin = epilogueLines(k, h, accDt, outDt, 'sh[0]', 'o', em);
    const lines = [
      ...head,
      ...loop,
      ...treeLines(k.op, accDt, h),
      'if (lid.x == 0u) {',
      ...indent(fin, 1),
      '}',
    ];
    const { bindings, decl } = bufDecl(em, (b) => (b === k.out ? outDt : dtypeOf(b)), k.out);
    return {
      passes: [{ name, code: shader(decl, h, [sh], RWG, lines), bindings, groups: groups1 }],
      scratch: {},
    };
  }
  // Two passes: partials in scratch `part` (accumulator words), then one workgroup per output.
  const lines1 = [...head, ...loop, ...treeLines(k.op, accDt, h), 'if (lid.x == 0u) { part[wg] = sh[0]; }'];
  const b1 = [...em.bufs].sort((a, b) => a - b);
  const bind1: (number | string)[] = [...b1, 'part'];
  const decl1 = declareBindings(
    bind1,
    (b) => (b === 'part' ? at : stype(dtypeOf(b as number))),
    new Set(['part']),
  );
  const pass1: Pass = {
    name: `${name}_partials`,
    code: shader(decl1, h, [sh], RWG, lines1),
    bindings: bind1,
    groups: groups1,
  };

  const h2 = new Helpers();
  const em2 = new Emitter(h2, new Map(ovars.map((v) => [v, -1])), 0);
  const groups2 = groupsFor(nOut, 1);
  const wgId2 =
    groups2[1] === 1 ? 'let o = i32(wid.x);' : `let o = i32(wid.y) * ${groups2[0]}i + i32(wid.x);`;
  const fin = epilogueLines(k, h2, accDt, outDt, 'sh[0]', 'o', em2);
  const lines2 = [
    wgId2,
    `if (o >= ${nOut}i) { return; }`,
    ...unflatten('o', k.outShape, 'i'),
    `var acc: ${at} = ${reduceInit(k.op, accDt)};`,
    `for (var p = i32(lid.x); p < ${parts}i; p += ${RWG}i) {`,
    `  acc = ${combine(k.op, accDt, 'acc', `part[o * ${parts}i + p]`, h2)};`,
    '}',
    ...treeLines(k.op, accDt, h2),
    'if (lid.x == 0u) {',
    ...indent(fin, 1),
    '}',
  ];
  const b2 = [...em2.bufs].filter((b) => b !== k.out).sort((a, b) => a - b);
  const bind2: (number | string)[] = ['part', ...b2, k.out];
  const decl2 = declareBindings(
    bind2,
    (b) => (b === 'part' ? at : stype(b === k.out ? outDt : dtypeOf(b as number))),
    new Set([k.out]),
  );
  const pass2: Pass = { name, code: shader(decl2, h2, [sh], RWG, lines2), bindings: bind2, groups: groups2 };
  return { passes: [pass1, pass2], scratch: { part: 4 * nOut * parts } };
}

export function renderArgReduce(
  k: ArgReduceKernel,
  dtypeOf: (b: number) => DType,
  name: string,
): RenderedKernel {
  const valDt = k.body.dt;
  const outDt = dtypeOf(k.out);
  checkDtype(valDt);
  checkDtype(outDt);
  const h = new Helpers();
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const levels = new Map<string, number>(ovars.map((v) => [v, -1]));
  levels.set('r0', 0);
  const em = new Emitter(h, levels, 1);
  const v = em.emit(k.body);
  const nOut = size(k.outShape);
  const groups = groupsFor(nOut, WG);
  const better = k.op === 'argmax' ? '>' : '<';
  const vv = valDt.isBool ? `u32(${v})` : v;
  const bt = valDt.isBool ? 'u32' : vtype(valDt);
  const bestNan = valDt.isFloat ? `!${h.use('h_isnan')}(best)` : 'true';
  const vNan = valDt.isFloat ? ` || ${h.use('h_isnan')}(${v})` : '';
  const lines = [
    ...threadId(groups, nOut),
    ...unflatten('gid', k.outShape, 'i'),
    ...em.lines[0],
    `var best: ${bt} = ${valDt.isFloat ? '0.0f' : bt === 'u32' ? '0u' : '0i'};`,
    'var bi: i32 = 0i;',
    `for (var r0: i32 = 0i; r0 < ${k.redSize}i; r0++) {`,
    ...indent(em.lines[1], 1),
    `  if (r0 == 0i || (${bestNan} && (${vv} ${better} best${vNan}))) { best = ${vv}; bi = r0; }`,
    '}',
    renderStore(outDt, `b${k.out}`, 'gid', outDt.kind === 'u' ? 'u32(bi)' : wrap(outDt, 'bi')),
  ];
  const { bindings, decl } = bufDecl(em, (b) => (b === k.out ? outDt : dtypeOf(b)), k.out);
  return { passes: [{ name, code: shader(decl, h, [], WG, lines), bindings, groups }], scratch: {} };
}

export function renderScan(k: ScanKernel, dtypeOf: (b: number) => DType, name: string): RenderedKernel {
  const dt = dtypeOf(k.out);
  checkDtype(dt);
  const h = new Helpers();
  const rank = k.shape.length;
  const others = [...Array(rank).keys()].filter((d) => d !== k.axis);
  const levels = new Map<string, number>(others.map((d) => [`i${d}`, -1]));
  levels.set(`i${k.axis}`, 0);
  const em = new Emitter(h, levels, 1);
  const v = em.emit(k.body);
  const lineShape = others.map((d) => k.shape[d]);
  const nLines = size(lineShape);
  const groups = groupsFor(nLines, WG);
  const strides: number[] = new Array(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = s;
    s *= k.shape[d];
  }
  const n = k.shape[k.axis];
  const un = unflatten('gid', lineShape, 'q').map((l, j) => l.replace(`let q${j}`, `let i${others[j]}`));
  const idx = [...Array(rank).keys()].map((d) => `i${d} * ${strides[d]}i`).join(' + ') || '0i';
  const at = accType(dt);
  const lines = [
    ...threadId(groups, nLines),
    ...un,
    ...em.lines[0],
    `var acc: ${at} = ${reduceInit(k.op, dt)};`,
    `for (var s: i32 = 0i; s < ${n}i; s++) {`,
    `  let i${k.axis}: i32 = ${k.reverse ? `${n - 1}i - s` : 's'};`,
    ...indent(em.lines[1], 1),
    `  acc = ${dt.isBool ? combine(k.op, dt, 'acc', toAcc(dt, v), h) : wrap(dt, combine(k.op, dt, 'acc', v, h))};`,
    `  ${renderStore(dt, `b${k.out}`, idx, fromAcc(dt, 'acc'))}`,
    '}',
  ];
  const { bindings, decl } = bufDecl(em, (b) => (b === k.out ? dt : dtypeOf(b)), k.out);
  return { passes: [{ name, code: shader(decl, h, [], WG, lines), bindings, groups }], scratch: {} };
}
