/**
 * @file Side-by-side timing for the benchmarks on a shared, noisy machine: contenders run round by
 * round (one call each per round, in turn), each call timed by the clock and by CPU time (all of
 * the process's threads: process.cpuUsage here, time.process_time in Python), so that a burst of
 * other work hits every contender alike and CPU time still says what each used. JAX runs in one
 * persistent Python process that answers one call per line (no start-up or compile time in the
 * rounds). Reports medians and the load average around the run.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';

export interface Timing {
  wall: number;
  cpu: number;
}

export type Call = () => Promise<Timing>;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A call timed in this process (the clock and this process's CPU time, worker threads included). */
export function inProcess(f: () => unknown): Call {
  return async () => {
    const u0 = process.cpuUsage();
    const t0 = performance.now();
    await f();
    const wall = performance.now() - t0;
    const u = process.cpuUsage(u0);
    return { wall, cpu: (u.user + u.system) / 1000 };
  };
}

/**
 * A Python process (TJAX_BENCH_PYTHON) running `setup`, which fills a dict `fns` of
 * zero-argument callables that wait for their results; null without Python or on failure. Each
 * function is called twice before the first round (compiles).
 */
export async function pythonPeer(setup: string): Promise<{
  names: Set<string>;
  call(name: string): Call;
  /** The printed value of a Python expression, evaluated in the setup's globals. */
  value(expr: string): Promise<string>;
  close(): void;
} | null> {
  const python = process.env.TJAX_BENCH_PYTHON;
  if (!python) return null;
  const py = `
import sys, time
fns = {}
${setup}
for f in fns.values():
    f(); f()
print(' '.join(fns), flush=True)
for line in sys.stdin:
    if line.startswith('?'):
        print(eval(line[1:]), flush=True)
        continue
    f = fns[line.strip()]
    c0 = time.process_time(); t0 = time.perf_counter(); f()
    print((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000, flush=True)
`;
  const child = spawn(python, ['-c', py], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) {
    child.kill();
    return null;
  }
  return {
    names: new Set(String(first.value).trim().split(/\s+/)),
    call: (name) => async () => {
      child.stdin.write(`${name}\n`);
      const [wall, cpu] = String((await lines.next()).value)
        .split(/\s+/)
        .map(Number);
      return { wall, cpu };
    },
    value: async (expr) => {
      child.stdin.write(`?${expr}\n`);
      return String((await lines.next()).value).trim();
    },
    close: () => child.stdin.end(),
  };
}

/** Runs `rounds` rounds of every call in turn (after one untimed call each); timings by name. */
export async function alternate(
  calls: Record<string, Call>,
  rounds: number,
): Promise<Record<string, Timing[]>> {
  const out: Record<string, Timing[]> = {};
  for (const c of Object.values(calls)) await c();
  for (let r = 0; r < rounds; r++) {
    for (const [name, c] of Object.entries(calls)) (out[name] ??= []).push(await c());
  }
  return out;
}

/** Medians of the clock and of CPU time. */
export function medians(ts: Timing[]): Timing {
  return { wall: median(ts.map((t) => t.wall)), cpu: median(ts.map((t) => t.cpu)) };
}

/** The load average now, as a note for the report. */
export function loadNote(): string {
  const [a, b] = os.loadavg();
  return `load average ${a.toFixed(1)} (5 min ${b.toFixed(1)}) on ${os.availableParallelism()} cores`;
}
