/**
 * @file The WebAssembly SIMD128 ceiling of this machine (issue 11): register-only loops of f32x4
 * (and f64x2) multiply-adds on 12 independent accumulators, `acc = acc * c + d`, as mul + add and
 * as `relaxed_madd` (fused where the engine fuses it), on 1 and 2 threads at once. No loads or
 * stores in the loop: this is what the cores' SIMD units give a WebAssembly kernel at best, the
 * yardstick for the GEMM's rate (bench/matmul-wasm.ts).
 *
 * Run: npx tsx bench/simd-ceiling.ts
 */
import { Worker } from 'node:worker_threads';
import { FuncWriter, I32, OP, SIMD, V128 } from '../src/engine/backends/cpu/wasm/encode.js';
import { moduleOf, OP2, relaxedSimd, SIMD2 } from '../src/engine/backends/cpu/wasm/module.js';

const ACCS = 12;
const UNROLL = 4;

/** `(iters) -> void`: ACCS accumulators, UNROLL steps per loop iteration; flops = 2 * lanes * ACCS * UNROLL * iters. */
function ceilingModule(f64: boolean, fma: boolean): Uint8Array {
  const f = new FuncWriter(1);
  const acc = Array.from({ length: ACCS }, () => f.local(V128));
  const c = f.local(V128);
  const d = f.local(V128);
  for (const [i, a] of acc.entries()) (f64 ? f.f64x2(1 + i) : f.f32x4(1 + i)).set(a);
  (f64 ? f.f64x2(0.9999999) : f.f32x4(0.9999999)).set(c);
  (f64 ? f.f64x2(1e-7) : f.f32x4(1e-7)).set(d);
  f.op(OP.loop, 0x40);
  for (let u = 0; u < UNROLL; u++) {
    for (const a of acc) {
      if (fma)
        f.get(a)
          .get(c)
          .get(d)
          .simd(f64 ? SIMD2.f64x2RelaxedMadd : SIMD2.f32x4RelaxedMadd);
      else
        f.get(a)
          .get(c)
          .simd(f64 ? SIMD.f64x2Mul : SIMD.f32x4Mul)
          .get(d)
          .simd(f64 ? SIMD.f64x2Add : SIMD.f32x4Add);
      f.set(a);
    }
  }
  f.get(0).i32(1).op(OP2.i32Sub).op(OP.localTee, 0).op(OP.br_if, 0).op(OP.end);
  // Keep the results: their sum goes to memory.
  f.i32(0).get(acc[0]);
  for (const a of acc.slice(1)) f.get(a).simd(f64 ? SIMD.f64x2Add : SIMD.f32x4Add);
  f.mem(SIMD.store, 0, true);
  return moduleOf([{ name: 'k', params: [I32], results: [], body: f }], { pages: 1 });
}

// The same loop in each thread: compile, warm up (V8 tiers up to optimized code), then run on
// request. The worker waits on word 0 of `ctl` for a number of iterations to run (-1: exit) and
// counts its runs in word 1.
const runner = `
  const prepare = (bytes) => {
    const m = new WebAssembly.Memory({ initial: 1 });
    const k = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { m } }).exports.k;
    for (let i = 0; i < 20; i++) k(1000);
    return k;
  };`;
const workerLoop = `${runner}
  const { workerData } = require('node:worker_threads');
  const { bytes, ctl } = workerData;
  const k = prepare(bytes);
  Atomics.store(ctl, 2, 1);
  Atomics.notify(ctl, 2);
  for (;;) {
    Atomics.wait(ctl, 0, 0);
    const iters = Atomics.exchange(ctl, 0, 0);
    if (iters < 0) break;
    k(iters);
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  }`;

const prepare = new Function(`${runner} return prepare;`)() as (bytes: Uint8Array) => (iters: number) => void;

/** One ceiling loop, ready to run on this thread alone or on this thread and a worker at once. */
export class CeilingLoop {
  readonly flops: number;
  private readonly k: (iters: number) => void;
  private readonly ctl = new Int32Array(new SharedArrayBuffer(12));
  private readonly worker: Worker;

  constructor(
    readonly what: string,
    bytes: Uint8Array,
    lanes: number,
  ) {
    this.flops = 2 * lanes * ACCS * UNROLL;
    this.k = prepare(bytes);
    this.worker = new Worker(workerLoop, { eval: true, workerData: { bytes, ctl: this.ctl } });
    this.worker.unref();
  }

  static async make(f64: boolean, fma: boolean): Promise<CeilingLoop> {
    const l = new CeilingLoop(
      `${f64 ? 'f64x2' : 'f32x4'} ${fma ? 'relaxed_madd' : 'mul+add'}`,
      ceilingModule(f64, fma),
      f64 ? 2 : 4,
    );
    while (Atomics.load(l.ctl, 2) === 0) await new Promise((r) => setTimeout(r, 5));
    return l;
  }

  /** GFLOP/s of `iters` iterations on this thread. */
  one(iters: number): number {
    const t0 = performance.now();
    this.k(iters);
    return (this.flops * iters) / ((performance.now() - t0) * 1e6);
  }

  /** GFLOP/s of `iters` iterations on this thread per second of its CPU time. */
  oneCpu(iters: number): number {
    const t0 = process.cpuUsage();
    this.k(iters);
    const t = process.cpuUsage(t0);
    return (this.flops * iters) / ((t.user + t.system) * 1e3);
  }

  /** GFLOP/s of `iters` iterations on this thread and the worker at once. */
  two(iters: number): number {
    const runs = Atomics.load(this.ctl, 1);
    const t0 = performance.now();
    Atomics.store(this.ctl, 0, iters);
    Atomics.notify(this.ctl, 0);
    this.k(iters);
    while (Atomics.load(this.ctl, 1) === runs) Atomics.wait(this.ctl, 1, runs, 1000);
    return (2 * this.flops * iters) / ((performance.now() - t0) * 1e6);
  }

  close(): void {
    Atomics.store(this.ctl, 0, -1);
    Atomics.notify(this.ctl, 0);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const ITERS = 2_000_000;

export interface Ceiling {
  what: string;
  /** GFLOP/s on 1 thread and on 2 at once. */
  one: number;
  two: number;
}

/** The loops: f32x4 and f64x2, mul + add and (where the engine has it) relaxed_madd. */
export async function ceilingLoops(): Promise<CeilingLoop[]> {
  const out: CeilingLoop[] = [];
  for (const f64 of [false, true])
    for (const fma of relaxedSimd() ? [false, true] : [false]) out.push(await CeilingLoop.make(f64, fma));
  return out;
}

/** The ceilings, medians of `rounds`. */
export async function measureCeiling(rounds = 5): Promise<Ceiling[]> {
  const loops = await ceilingLoops();
  const out = loops.map((l) => {
    const one: number[] = [];
    const two: number[] = [];
    for (let r = 0; r < rounds; r++) {
      one.push(l.one(ITERS));
      two.push(l.two(ITERS));
    }
    l.close();
    return { what: l.what, one: median(one), two: median(two) };
  });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`SIMD128 ceiling: ${ACCS} accumulators, register-only; medians of 5`);
  for (const c of await measureCeiling()) {
    console.log(
      `${c.what.padEnd(20)} 1 thread ${c.one.toFixed(1).padStart(6)} GFLOP/s   2 threads ${c.two.toFixed(1).padStart(6)} GFLOP/s`,
    );
  }
}
