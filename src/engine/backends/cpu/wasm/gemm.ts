/**
 * @file The WebAssembly SIMD GEMM: c[b,i,j] = sum_p a[b,i,p] * b[b,p,j] for float32 and float64
 * operands addressed by (batch, row, column) strides, on this thread and the CPU worker pool.
 * gemm-kernels.ts holds the WebAssembly functions and the design of their loops, gemm-units.ts
 * the units of work every thread runs; this file plans a call and moves the data.
 *
 * A WebAssembly function sees only its own memory, so each operand is copied in once (one memcpy
 * of the range its strides cover, or a gather when that range is mostly gaps), packed there by
 * the threads, multiplied block by block, and each block of C is copied out by the thread that
 * computed it (by this thread at the end when the output is not on a SharedArrayBuffer). One
 * shared memory serves every thread; it grows to the largest call and stays.
 *
 * Micro-kernels and blocking were chosen by measurement on the project's 2-core AMD EPYC (Zen 5)
 * under Node 20 (single-thread GFLOP/s per second of CPU time, packing included): with relaxed
 * SIMD, float32 runs 5x8 tiles with `relaxed_madd` (~57, against ~45 for the best mul + add tile,
 * 4x8, used without it) and float64 3x6 tiles (~28, against ~23 for 4x4 mul + add). V8 keeps 15
 * vector registers and hoists a loop body's loads to its top, so the tiles that win hold few
 * loaded values: A's values are loaded as whole vectors and splat by shuffles (one splat load
 * per value ran at ~46 at best, spilling). kc = 512, mc = 240 gave a few percent over 256 / 64.
 */

import v8 from 'node:v8';
import type { Gemm, GemmOperand } from '../gemm-operand.js';
import { cpuThreads, ownsPool } from '../threads.js';
import { convFuncs } from './conv-kernels.js';
import { F32X4, F64X2, gemmFuncs, type MicroShape } from './gemm-kernels.js';
import { J, RUNNER_SOURCE } from './gemm-units.js';
import { ensureBytes, type JobState, jobState, runJob } from './jobs.js';
import { moduleOf, relaxedSimd, type WasmMemory, wasm } from './module.js';
import { winogradFuncs } from './winograd-kernels.js';

type Float = Float32Array | Float64Array;
type Dims = [number, number, number];

/** Blocking and micro-kernel shapes (tests and benchmarks may change them, then call retune()). */
export const gemmConfig = {
  /** null: chosen by what the engine supports (see defaultShapes). */
  f32: null as MicroShape | null,
  f64: null as MicroShape | null,
  /** k-values per block (rounded up to a multiple of the kernel's unroll). */
  kc: 512,
  /** Rows of C per block (rounded up to a multiple of mr). */
  mc: 240,
  /** Columns of C per block (rounded up to a multiple of nr). */
  nc: 1024,
  /**
   * Products of at least this many multiply-adds run on the worker pool too (128^3: a job on the
   * pool costs some 20 us, a 128^3 product about 80 us on one thread).
   */
  parallelMin: 1 << 21,
};

/** The micro-kernels used where gemmConfig leaves them null. */
export function defaultShapes(): { f32: MicroShape; f64: MicroShape } {
  const fma = relaxedSimd();
  return {
    f32: fma
      ? { mr: 5, nv: 2, ku: 1, fma: true, splat: 'shuffle' }
      : { mr: 4, nv: 2, ku: 1, fma: false, splat: 'shuffle' },
    f64: fma
      ? { mr: 3, nv: 3, ku: 1, fma: true, splat: 'shuffle' }
      : { mr: 4, nv: 2, ku: 1, fma: false, splat: 'shuffle' },
  };
}

const PAGE = 65536;
const MAX_PAGES = 65536;
/** A call's operands, packed copies and C take at most this much memory; batches go in groups. */
const MAX_BYTES = 1 << 30;

interface Engine extends JobState {
  id: number;
  module: object;
  memory: WasmMemory;
  f32: MicroShape;
  f64: MicroShape;
}

let engine: Engine | null = null;
let engines = 0;
/** The memory outlives a retune. */
let sharedMemory: WasmMemory | null = null;

/** Drops the compiled module (after gemmConfig changed). */
export function retune(): void {
  engine = null;
}

/** The compiled module (GEMM and convolution gathers: conv.ts), its shared memory and shapes. */
export function gemmEngine(): Pick<Engine, 'id' | 'module' | 'memory' | 'f32' | 'f64'> {
  return getEngine();
}

function getEngine(): Engine {
  if (engine) return engine;
  const shapes = defaultShapes();
  const f32 = gemmConfig.f32 ?? shapes.f32;
  const f64 = gemmConfig.f64 ?? shapes.f64;
  if ((f32.fma || f64.fma) && !relaxedSimd()) throw new Error('wasmGemm: relaxed SIMD is not available');
  const funcs = [...gemmFuncs(F32X4, f32, '32'), ...gemmFuncs(F64X2, f64, '64')];
  const bytes = moduleOf(
    [...funcs, ...convFuncs(F32X4, '32'), ...convFuncs(F64X2, '64'), ...winogradFuncs(f32.mr)],
    {
      pages: 1,
      maxPages: MAX_PAGES,
      shared: true,
    },
  );
  sharedMemory ??= new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  engine = {
    id: ++engines,
    module: compileOptimized(bytes),
    memory: sharedMemory,
    f32,
    f64,
    ...jobState('gemm', RUNNER_SOURCE, J, 2),
  };
  return engine;
}

/**
 * The module compiled straight to V8's optimizing tier: with its baseline (Liftoff) code first, a
 * first 1024^3 product took ~90 ms of CPU time instead of ~55 (~37 once warm), as dynamic tiering
 * swaps optimized code in for later calls only. (V8's flags are process-wide; the baseline
 * compiler is back on at once.)
 */
function compileOptimized(bytes: Uint8Array): object {
  if (process.execArgv.includes('--no-liftoff')) return new wasm.Module(bytes);
  try {
    v8.setFlagsFromString('--no-liftoff');
    return new wasm.Module(bytes);
  } finally {
    v8.setFlagsFromString('--liftoff');
  }
}

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;

/**
 * How a (batches, rows, cols) operand is copied in: its strides (0 along dimensions of size 1),
 * the element range they cover from `lo`, and whether that range is copied as it is (`compact`)
 * or gathered densely because it is mostly gaps; `size` is the elements it takes in memory.
 */
interface Span {
  s0: number;
  s1: number;
  s2: number;
  d0: number;
  d1: number;
  d2: number;
  lo: number;
  compact: boolean;
  size: number;
}

function spanOf(op: GemmOperand, d0: number, d1: number, d2: number): Span {
  const s0 = d0 === 1 ? 0 : op.strides[0];
  const s1 = d1 === 1 ? 0 : op.strides[1];
  const s2 = d2 === 1 ? 0 : op.strides[2];
  let lo = op.offset;
  let hi = op.offset;
  for (const span of [(d0 - 1) * s0, (d1 - 1) * s1, (d2 - 1) * s2]) {
    if (span < 0) lo += span;
    else hi += span;
  }
  const count = (s0 ? d0 : 1) * (s1 ? d1 : 1) * (s2 ? d2 : 1);
  const compact = hi - lo + 1 <= 2 * count + 1024;
  return { s0, s1, s2, d0, d1, d2, lo, compact, size: compact ? hi - lo + 1 : count };
}

/**
 * Copies an operand into the memory at element `at`: the range its strides cover, or a dense
 * gather. Returns where its element (0,0,0) lies (in elements) and its strides there.
 */
function place(op: GemmOperand, sp: Span, view: Float, at: number): { at: number; strides: Dims } {
  if (sp.compact) {
    view.set(op.data.subarray(sp.lo, sp.lo + sp.size), at);
    return { at: at + op.offset - sp.lo, strides: [sp.s0, sp.s1, sp.s2] };
  }
  const d0 = sp.s0 ? sp.d0 : 1;
  const d1 = sp.s1 ? sp.d1 : 1;
  const d2 = sp.s2 ? sp.d2 : 1;
  let o = at;
  for (let b = 0; b < d0; b++) {
    for (let i = 0; i < d1; i++) {
      const base = op.offset + b * sp.s0 + i * sp.s1;
      for (let q = 0; q < d2; q++) view[o++] = op.data[base + q * sp.s2];
    }
  }
  return { at, strides: [sp.s0 && d1 * d2, sp.s1 && d2, sp.s2 && 1] };
}

/** The operand's matrices transposed. */
const transposed = (op: GemmOperand): GemmOperand => ({
  data: op.data,
  offset: op.offset,
  strides: [op.strides[0], op.strides[2], op.strides[1]],
});

/** The operand's batches from `b0` on, as an operand of its own. */
const fromBatch = (op: GemmOperand, b0: number): GemmOperand => ({
  data: op.data,
  offset: op.offset + b0 * op.strides[0],
  strides: op.strides,
});

function fillZero(batch: number, m: number, n: number, c: GemmOperand): void {
  const [sb, sr, sc] = c.strides;
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c.data[c.offset + b * sb + i * sr + j * sc] = 0;
}

const isShared = (x: Float) => x.buffer instanceof SharedArrayBuffer;

let views: { buffer: ArrayBufferLike; f32: Float32Array; f64: Float64Array } | null = null;

/** Views of the memory, made again only when it has grown. */
export function viewOf(mem: WasmMemory, f32: boolean): Float {
  if (views?.buffer !== mem.buffer) {
    const buffer = mem.buffer;
    views = { buffer, f32: new Float32Array(buffer), f64: new Float64Array(buffer) };
  }
  return f32 ? views.f32 : views.f64;
}

/** c[b,i,j] = sum_p a[b,i,p] * b[b,p,j]; a is (batch,m,k), b is (batch,k,n), c is (batch,m,n); synchronous. */
export const wasmGemm: Gemm = (dtype, batch, m, n, k, a, b, c) => {
  if (batch === 0 || m === 0 || n === 0) return;
  if (k === 0) {
    fillZero(batch, m, n, c);
    return;
  }
  const eng = getEngine();
  const f32 = dtype === 'float32';
  const shape = f32 ? eng.f32 : eng.f64;
  const esz = f32 ? 4 : 8;
  const mr = shape.mr;
  const nr = shape.nv * (f32 ? 4 : 2);
  if (roundUp(n, mr) * roundUp(m, nr) < 0.75 * roundUp(m, mr) * roundUp(n, nr)) {
    // Far less padding the other way round (a vector times a matrix, say): C^T = B^T A^T, the
    // same sums in the same order.
    wasmGemm(dtype, batch, n, m, k, transposed(b), transposed(a), transposed(c));
    return;
  }
  const d: Sizes = { f32, esz, m, n, k, mr, nr, kPad: roundUp(k, shape.ku) };
  const aBcast = a.strides[0] === 0 || batch === 1;
  const bBcast = b.strides[0] === 0 || batch === 1;
  let group = batch;
  let lay = layout(group, a, b, aBcast, bBcast, d);
  while (group > 1 && lay.bytes > MAX_BYTES) {
    group = Math.ceil(group / 2);
    lay = layout(group, a, b, aBcast, bBcast, d);
  }
  if (lay.bytes > MAX_PAGES * PAGE) {
    throw new RangeError(
      `wasmGemm: a ${m}x${k} by ${k}x${n} product needs more than 4 GiB of WebAssembly memory`,
    );
  }
  for (let b0 = 0; b0 < batch; b0 += group) {
    const g = Math.min(group, batch - b0);
    if (g !== group) lay = layout(g, a, b, aBcast, bBcast, d);
    const job = plan(eng, g, d);
    run(eng, job, b0, g, aBcast ? a : fromBatch(a, b0), bBcast ? b : fromBatch(b, b0), c, lay);
  }
};

/** A call's precision and sizes, with the micro-kernel's tile (mr x nr) and k padded to its unroll. */
interface Sizes {
  f32: boolean;
  esz: number;
  m: number;
  n: number;
  k: number;
  mr: number;
  nr: number;
  kPad: number;
}

/**
 * Where `g` batches go in memory (in elements, each part 64-byte aligned): raw A and B (their
 * spans), their packed copies, C; and the bytes it all takes, with a vector of slack (the
 * shuffle-splat kernel loads a vector past a sliver's last values).
 */
interface Layout {
  spanA: Span;
  spanB: Span;
  rawB: number;
  packedA: number;
  packedB: number;
  cAt: number;
  bytes: number;
}

function layout(
  g: number,
  a: GemmOperand,
  b: GemmOperand,
  aBcast: boolean,
  bBcast: boolean,
  d: Sizes,
): Layout {
  const { m, n, k, mr, nr, kPad, esz } = d;
  const align = (x: number) => roundUp(x, 64 / esz);
  const ga = aBcast ? 1 : g;
  const gb = bBcast ? 1 : g;
  const spanA = spanOf(a, ga, m, k);
  const spanB = spanOf(b, gb, k, n);
  const rawB = align(spanA.size);
  const packedA = rawB + align(spanB.size);
  const packedB = packedA + align(ga * kPad * roundUp(m, mr));
  const cAt = packedB + align(gb * kPad * roundUp(n, nr));
  const end = cAt + align(g * roundUp(m, mr) * roundUp(n, nr));
  return { spanA, spanB, rawB, packedA, packedB, cAt, bytes: end * esz + 64 };
}

/** The job for `batch` batches (without the memory layout and the output, filled in by run). */
function plan(eng: Engine, batch: number, d: Sizes): Float64Array {
  const { f32, esz, m, n, k, mr, nr, kPad } = d;
  const shape = f32 ? eng.f32 : eng.f64;
  const mPad = roundUp(m, mr);
  const nPad = roundUp(n, nr);
  const threads = batch * m * n * k >= gemmConfig.parallelMin && ownsPool() ? cpuThreads() : 1;
  let mc = Math.min(roundUp(gemmConfig.mc, mr), mPad);
  let nc = Math.min(roundUp(gemmConfig.nc, nr), nPad);
  // Enough blocks of C to go round: narrower blocks first (down to 128 columns), then shorter.
  while (threads > 1 && batch * Math.ceil(mPad / mc) * Math.ceil(nPad / nc) < 4 * threads) {
    if (nc > 128) nc = roundUp(nc / 2, nr);
    else if (mc > 2 * mr) mc = roundUp(mc / 2, mr);
    else break;
  }
  // Blocks of even size (not 240 rows and then 20): as many, the work shared out evenly.
  mc = roundUp(Math.ceil(mPad / Math.ceil(mPad / mc)), mr);
  nc = roundUp(Math.ceil(nPad / Math.ceil(nPad / nc)), nr);
  // Packing: one unit per batch on one thread; else about 4 per thread in all.
  const aG = threads === 1 ? mPad / mr : Math.max(1, Math.ceil(((mPad / mr) * batch) / (4 * threads)));
  const bG = threads === 1 ? nPad / nr : Math.max(1, Math.ceil(((nPad / nr) * batch) / (4 * threads)));
  const job = eng.job;
  job[J.id] = eng.id;
  job[J.f32] = f32 ? 1 : 0;
  job[J.esz] = esz;
  job[J.m] = m;
  job[J.n] = n;
  job[J.k] = k;
  job[J.mPad] = mPad;
  job[J.nPad] = nPad;
  job[J.kPad] = kPad;
  job[J.kc] = roundUp(gemmConfig.kc, shape.ku);
  job[J.mr] = mr;
  job[J.nr] = nr;
  job[J.batch] = batch;
  job[J.aUnits] = Math.ceil(mPad / mr / aG);
  job[J.aG] = aG;
  job[J.bUnits] = Math.ceil(nPad / nr / bG);
  job[J.bG] = bG;
  job[J.mc] = mc;
  job[J.nc] = nc;
  job[J.mBlocks] = Math.ceil(mPad / mc);
  job[J.nBlocks] = Math.ceil(nPad / nc);
  job[J.threads] = threads;
  return job;
}

/** Copies the operands in, runs the job's units on the threads, and copies C out. */
function run(
  eng: Engine,
  job: Float64Array,
  b0: number,
  batch: number,
  a: GemmOperand,
  b: GemmOperand,
  c: GemmOperand,
  lay: Layout,
): void {
  const f32 = job[J.f32] === 1;
  const esz = job[J.esz];
  const [m, n, mPad, nPad] = [job[J.m], job[J.n], job[J.mPad], job[J.nPad]];
  const threads = job[J.threads];
  const mem = eng.memory;
  ensureBytes(mem, lay.bytes);
  const view = viewOf(mem, f32);
  const { packedA, packedB, cAt } = lay;
  const pa = place(a, lay.spanA, view, 0);
  const pb = place(b, lay.spanB, view, lay.rawB);
  const shared = threads > 1 && isShared(c.data);
  job[J.batchesA] = lay.spanA.d0;
  job[J.batchesB] = lay.spanB.d0;
  job[J.aAt] = pa.at * esz;
  job[J.aSb] = pa.strides[0] * esz;
  job[J.aRs] = pa.strides[1] * esz;
  job[J.aKs] = pa.strides[2] * esz;
  job[J.bAt] = pb.at * esz;
  job[J.bSb] = pb.strides[0] * esz;
  job[J.bKs] = pb.strides[1] * esz;
  job[J.bNs] = pb.strides[2] * esz;
  job[J.packedA] = packedA * esz;
  job[J.packedB] = packedB * esz;
  job[J.cAt] = cAt * esz;
  job[J.copyOut] = threads === 1 || shared ? 1 : 0;
  job[J.cOff] = c.offset;
  job[J.cSb] = c.strides[0];
  job[J.cSr] = c.strides[1];
  job[J.cSc] = c.strides[2];
  job[J.batch0] = b0;
  const ctl = eng.ctl;
  ctl[0] = 0;
  ctl[1] = 0;
  const args = [eng.module, mem, job, ctl, c.data];
  runJob(eng, args, threads);
  if (job[J.copyOut] === 1) return;
  const [sb, sr, sc] = c.strides;
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < m; i++) {
      const from = cAt + (bi * mPad + i) * nPad;
      const to = c.offset + (b0 + bi) * sb + i * sr;
      if (sc === 1) c.data.set(view.subarray(from, from + n), to);
      else for (let j = 0; j < n; j++) c.data[to + j * sc] = view[from + j];
    }
  }
}
