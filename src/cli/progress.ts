/**
 * @file What the CLI does with a program's `progress(step, total, metrics)` reports (the engine
 * only emits them). On a terminal: the live progress view on stderr, with a sparkline per metric
 * and where the program's kernels ran; it is loaded on the first report, and the program sees the
 * view once it awaits a report. Otherwise: one JSON object per report on stderr, so stdout still
 * carries the result (`2> log.jsonl`).
 */
import * as engine from '../engine/index.js';
import { progressJson } from '../engine/progress.js';
import type { LiveView } from '../tui/index.js';
import type { MetricSeries, PlacementSummary, ProgressData } from '../tui/types.js';
import { loadTui, viewWanted } from './tui.js';

/** Points kept per metric: past this, neighbours are averaged and each point covers twice the steps. */
const HISTORY = 40;
/** Steps per second over the last reports. */
const RATE_WINDOW = 20;

class Series {
  values: number[] = [];
  private bucket = 1;
  private acc = 0;
  private n = 0;
  last = Number.NaN;
  push(v: number): void {
    this.last = v;
    this.acc += v;
    if (++this.n < this.bucket) return;
    this.values.push(this.acc / this.n);
    this.acc = 0;
    this.n = 0;
    if (this.values.length > HISTORY) {
      const merged: number[] = [];
      for (let i = 0; i + 1 < this.values.length; i += 2)
        merged.push((this.values[i] + this.values[i + 1]) / 2);
      if (this.values.length % 2) merged.push(this.values[this.values.length - 1]);
      this.values = merged;
      this.bucket *= 2;
    }
  }
  history(): number[] {
    return this.n ? [...this.values, this.acc / this.n] : this.values;
  }
}

export class ProgressReporter {
  private readonly series = new Map<string, Series>();
  private readonly placement = new Map<string, PlacementSummary>();
  private readonly recent: { step: number; time: number }[] = [];
  private step = 0;
  private total: number | null = null;
  private readonly t0 = performance.now();
  private view: LiveView<ProgressData> | null = null;
  private mounting: Promise<void> | null = null;
  private readonly live: boolean;
  private readonly stop: () => void;

  constructor(opts: { json?: boolean; tui?: boolean }) {
    this.live = viewWanted(process.stderr, opts);
    this.stop = engine.observe({ event: (e) => this.event(e) });
  }

  private event(e: engine.EngineEvent): void | Promise<void> {
    if (e.type === 'launch') {
      if (!this.live) return;
      const p = this.placement.get(e.device) ?? { device: e.device, launches: 0, kernels: 0 };
      p.launches++;
      p.kernels += e.kernels;
      this.placement.set(e.device, p);
      return;
    }
    if (e.type !== 'progress') return;
    if (!this.live) {
      process.stderr.write(`${progressJson(e)}\n`);
      return;
    }
    this.step = e.step;
    this.total = e.total;
    this.recent.push({ step: e.step, time: e.time });
    if (this.recent.length > RATE_WINDOW) this.recent.shift();
    for (const [name, v] of Object.entries(e.metrics)) {
      let s = this.series.get(name);
      if (!s) this.series.set(name, (s = new Series()));
      s.push(v);
    }
    if (this.view) {
      this.view.update(this.data(false));
      return;
    }
    this.mounting ??= loadTui().then((tui) => {
      this.view = tui.mountProgress(process.stderr, this.data(false), { patchConsole: process.stdout.isTTY });
      // Steps per second from here on: loading the view is not the program's time.
      this.recent.length = 0;
    });
    return this.mounting;
  }

  private data(finished: boolean): ProgressData {
    const a = this.recent[0];
    const b = this.recent[this.recent.length - 1];
    const stepsPerSec = a && b && b.time > a.time ? ((b.step - a.step) * 1000) / (b.time - a.time) : null;
    const metrics: MetricSeries[] = [...this.series].map(([name, s]) => ({
      name,
      last: s.last,
      history: s.history(),
    }));
    return {
      step: this.step,
      total: this.total,
      elapsedMs: performance.now() - this.t0,
      stepsPerSec,
      metrics,
      placement: [...this.placement.values()],
      finished,
    };
  }

  /** Stop listening; leave the view's last frame on the terminal. */
  async finish(): Promise<void> {
    this.stop();
    if (this.mounting) await this.mounting.catch(() => undefined);
    if (this.view) await this.view.finish(this.data(true));
  }
}
