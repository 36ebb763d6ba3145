/**
 * @file `progress(step, total, metrics)`: a program's report of how far it has come, for long
 * programs such as training loops. The engine only emits a `progress` event (events.ts) and, when
 * configured, appends the report to a JSON-lines metrics file; the CLI draws (a live view on a
 * terminal, JSON lines on stderr otherwise). Metrics are JS numbers or scalar arrays; an array that
 * cannot be read synchronously (WebGPU) is awaited, and reports are delivered in order.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { type ArrayImpl, hostReadable, hostScalar, isArray } from './core/array.js';
import { isTracer } from './core/trace.js';
import { emit, type ProgressEvent } from './events.js';

export interface ProgressOptions {
  /** Append every report to this file as one JSON object per line (the file is started afresh). */
  metricsFile?: string | null;
}

const settings: { metricsFile: string | null } = { metricsFile: null };
/** Reports waiting for a device read; later reports queue behind them to keep the order. */
let pending: Promise<void> | null = null;

function checkStep(name: string, v: unknown, nullable: boolean): void {
  if (nullable && (v === null || v === undefined)) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new TypeError(`progress(): ${name} must be a finite number >= 0, got ${String(v)}`);
}

/** A metric's value now, or a promise of it when it lives on a device that reads asynchronously. */
function readMetric(name: string, v: unknown): number | Promise<number> {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return Number(v);
  if (isTracer(v))
    throw new TypeError(
      `progress(): metric '${name}' is a tracer: report progress outside jit, with concrete values`,
    );
  if (!isArray(v)) throw new TypeError(`progress(): metric '${name}' must be a number or a scalar array`);
  const a = v as ArrayImpl;
  if (a.size !== 1)
    throw new TypeError(`progress(): metric '${name}' must be a scalar, got shape (${a.shape.join(', ')})`);
  return hostReadable(a) ? Number(hostScalar(a)) : a.item().then(Number);
}

function deliver(e: ProgressEvent): Promise<void> {
  if (settings.metricsFile) appendFileSync(settings.metricsFile, `${progressJson(e)}\n`);
  const waits = emit(e);
  return waits.length ? Promise.all(waits).then(() => undefined) : Promise.resolve();
}

/** The JSON line of a report: `{"step":10,"total":100,"loss":0.25}` (no total when unknown). */
export function progressJson(e: {
  step: number;
  total: number | null;
  metrics: Record<string, number>;
}): string {
  return JSON.stringify({ step: e.step, ...(e.total === null ? {} : { total: e.total }), ...e.metrics });
}

/**
 * Report progress: step `step` of `total` (null when open-ended), with scalar metrics such as
 * `{ loss }`. Returns a promise that settles when the report is delivered: awaiting it lets a live
 * view draw from the first step while the program runs.
 */
export function progress(
  step: number,
  total: number | null = null,
  metrics: Record<string, unknown> = {},
): Promise<void> {
  checkStep('step', step, false);
  checkStep('total', total, true);
  const names = Object.keys(metrics);
  for (const n of names)
    if (n === 'step' || n === 'total') throw new TypeError(`progress(): '${n}' is not a metric name`);
  const values = names.map((n) => readMetric(n, metrics[n]));
  const time = performance.now();
  const event = (vs: number[]): ProgressEvent => ({
    type: 'progress',
    step,
    total: total ?? null,
    metrics: Object.fromEntries(names.map((n, i) => [n, vs[i]])),
    time,
  });
  if (!pending && values.every((v) => typeof v === 'number')) return deliver(event(values as number[]));
  const after = pending ?? Promise.resolve();
  const done = after.then(async () => deliver(event(await Promise.all(values))));
  const tail = done.catch(() => undefined);
  pending = tail;
  tail.then(() => {
    if (pending === tail) pending = null;
  });
  return done;
}

/** Settings for later reports: `progress.configure({ metricsFile: 'out/metrics.jsonl' })`. */
progress.configure = (opts: ProgressOptions): void => {
  if (opts.metricsFile !== undefined) {
    settings.metricsFile = opts.metricsFile;
    if (opts.metricsFile) writeFileSync(opts.metricsFile, '');
  }
};
