/**
 * @file Running `tjax bench`: the plan (every suite x device x size x dtype x variant, less the
 * cases a device cannot run, with why), then each case prepared, warmed up once (compiling it) and
 * timed `repeat` times, each repetition waiting for its result. After every case the caller gets
 * the whole state (rows so far, the case running, an estimate of the time left), which the live
 * view draws and the plain output prints. The event loop gets a turn between repetitions so a
 * spinner can move; no timed region contains one.
 */
import * as engine from '../../engine/index.js';
import type { BenchCase, BenchProgress, BenchRow } from '../../tui/types.js';
import { caseLabel, type Suite } from './suites.js';

export interface PlannedCase extends BenchCase {
  s: Suite;
  variant: string;
  work: number;
}

export interface Plan {
  cases: PlannedCase[];
  notes: string[];
}

const turn = () => new Promise<void>((r) => setImmediate(r));

/** Why a device cannot run a dtype (a tiny program fails there), or null. */
async function dtypeProblem(device: string, dtype: string): Promise<string | null> {
  try {
    const x = engine.devicePut(engine.numpy.ones([4], { dtype }), device);
    await (engine.jit((v: engine.Value) => v.mul(2))(x) as engine.Array).blockUntilReady();
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

export async function planBench(
  suites: Suite[],
  devices: engine.Device[],
  opts: { sizes?: number[]; dtypes?: string[] },
): Promise<Plan> {
  const cases: PlannedCase[] = [];
  const notes: string[] = [];
  const problems = new Map<string, string | null>();
  for (const s of suites) {
    const dtypes = opts.dtypes ? s.dtypes.filter((d) => opts.dtypes!.includes(d)) : s.defaultDtypes;
    for (const dev of devices) {
      const device = String(dev);
      const skip = s.skip?.(dev) ?? null;
      if (skip) {
        notes.push(`${s.name}: ${skip}`);
        continue;
      }
      for (const dtype of dtypes) {
        const key = `${device}|${dtype}`;
        if (!problems.has(key)) problems.set(key, await dtypeProblem(device, dtype));
        const problem = problems.get(key);
        if (problem) {
          notes.push(`${s.name} ${dtype} on ${device} left out: ${problem}`);
          continue;
        }
        for (const size of opts.sizes ?? s.sizes)
          for (const variant of s.variants ?? ['']) {
            const label = caseLabel(s, dtype, variant);
            cases.push({
              suite: s.name,
              label,
              dtype,
              device,
              size,
              s,
              variant,
              work: s.work(size, dtype, variant),
            });
          }
      }
    }
  }
  return { cases, notes: [...new Set(notes)] };
}

/** Milliseconds per unit of work, from the finished cases most like `c` (same suite and device first). */
function estimate(c: PlannedCase, done: { c: PlannedCase; ms: number }[]): number | null {
  const same = done.filter((d) => d.c.suite === c.suite && d.c.device === c.device);
  const pool = same.length ? same : done.filter((d) => d.c.suite === c.suite);
  if (pool.length) {
    const last = pool[pool.length - 1];
    return (last.ms / last.c.work) * c.work;
  }
  if (!done.length) return null;
  return done.reduce((t, d) => t + d.ms, 0) / done.length;
}

function stats(ts: number[]): { median: number; min: number; max: number } {
  const s = [...ts].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

export const rowKey = (r: BenchCase) => `${r.suite}|${r.label}|${r.device}|${r.size}`;

export interface RunResult {
  rows: BenchRow[];
  /** Cases that failed, with the error. */
  failures: string[];
}

export async function runBench(
  plan: Plan,
  repeat: number,
  baseline: Map<string, BenchRow> | null,
  onUpdate: (p: BenchProgress) => void,
): Promise<RunResult> {
  const t0 = performance.now();
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  const done: { c: PlannedCase; ms: number }[] = [];
  const notes = [...plan.notes];
  const state = (current: BenchCase | null, finished: boolean): BenchProgress => {
    let eta: number | null = 0;
    for (const c of plan.cases.slice(done.length + failures.length)) {
      const e = estimate(c, done);
      if (e === null) {
        eta = null;
        break;
      }
      eta += e;
    }
    return {
      rows: [...rows],
      current,
      total: plan.cases.length,
      done: done.length + failures.length,
      elapsedMs: performance.now() - t0,
      etaMs: finished ? 0 : eta,
      notes,
      compared: baseline !== null,
      finished,
    };
  };
  for (const c of plan.cases) {
    const { suite, label, dtype, device, size } = c;
    const bc: BenchCase = { suite, label, dtype, device, size };
    onUpdate(state(bc, false));
    await turn();
    const start = performance.now();
    try {
      const prepared = await c.s.prepare(device, size, dtype, c.variant);
      await prepared.setup?.();
      await prepared.run(); // compile and warm up
      const ts: number[] = [];
      for (let i = 0; i < repeat; i++) {
        await prepared.setup?.();
        await turn();
        const t = performance.now();
        await prepared.run();
        ts.push(performance.now() - t);
      }
      const { median, min, max } = stats(ts);
      const row: BenchRow = {
        ...bc,
        medianMs: median,
        minMs: min,
        maxMs: max,
        repeat,
        rate: c.s.rate(size, dtype, c.variant, median),
        unit: c.s.unit,
        better: c.s.better,
      };
      const base = baseline?.get(rowKey(row));
      if (base) row.speedup = base.medianMs / row.medianMs;
      rows.push(row);
      done.push({ c, ms: performance.now() - start });
    } catch (e) {
      const msg = `${suite} ${label} on ${device}, size ${size}: ${(e as Error).message.split('\n')[0]}`;
      failures.push(msg);
      notes.push(`failed: ${msg}`);
    }
  }
  onUpdate(state(null, true));
  return { rows, failures };
}
