/**
 * @file `--profile` for `tjax run` and `tjax grad`: listens to the engine's events while the
 * computation runs (kernels timed one by one, transfers, traces and compiles) and reports where
 * each kernel ran and how long it took. On a terminal it is the profile view on stderr; piped, the
 * same data as text on stderr, or as one JSON document on stderr with --json (stdout carries the
 * result either way).
 */
import * as engine from '../engine/index.js';
import { profileText } from '../tui/text.js';
import type { ProfileData, ProfileKernel, ProfileTransfer } from '../tui/types.js';
import { loadTui, viewWanted } from './tui.js';

export class Profile {
  private readonly kernels = new Map<string, ProfileKernel>();
  private readonly transfers = new Map<string, ProfileTransfer>();
  private traceMs = 0;
  private compileMs = 0;
  private programs = 0;
  private readonly t0 = performance.now();
  private readonly stop: () => void;

  constructor(private readonly title: string) {
    this.stop = engine.observe({ kernelTimes: true, event: (e) => this.add(e) });
  }

  private add(e: engine.EngineEvent): void {
    switch (e.type) {
      case 'trace':
        this.traceMs += e.ms;
        break;
      case 'compile':
        this.compileMs += e.ms;
        this.programs++;
        break;
      case 'kernel': {
        const key = `${e.device}\0${e.program}\0${e.kernel}`;
        const k = this.kernels.get(key);
        if (k) {
          k.calls++;
          k.ms += e.ms;
        } else {
          const { device, program, kernel, kind, ms, bytesIn, bytesOut } = e;
          this.kernels.set(key, { device, program, kernel, kind, calls: 1, ms, bytesIn, bytesOut });
        }
        break;
      }
      case 'transfer': {
        const key = `${e.device}\0${e.direction}`;
        const t = this.transfers.get(key);
        if (t) {
          t.count++;
          t.bytes += e.bytes;
          t.ms += e.ms;
        } else
          this.transfers.set(key, {
            device: e.device,
            direction: e.direction,
            count: 1,
            bytes: e.bytes,
            ms: e.ms,
          });
        break;
      }
    }
  }

  /** Stop listening; the kernels slowest first. */
  data(): ProfileData {
    this.stop();
    const kernels = [...this.kernels.values()].sort((a, b) => b.ms - a.ms);
    return {
      title: this.title,
      kernels,
      transfers: [...this.transfers.values()],
      traceMs: this.traceMs,
      compileMs: this.compileMs,
      programsCompiled: this.programs,
      kernelMs: kernels.reduce((s, k) => s + k.ms, 0),
      totalMs: performance.now() - this.t0,
    };
  }

  /** Stop and report on stderr: the view on a terminal, else text, or JSON with --json. */
  async report(opts: { json?: boolean; tui?: boolean }): Promise<void> {
    const data = this.data();
    if (viewWanted(process.stderr, opts)) {
      const tui = await loadTui();
      await tui.showProfile(process.stderr, data);
    } else if (opts.json) {
      process.stderr.write(`${JSON.stringify(data)}\n`);
    } else {
      process.stderr.write(`${profileText(data).join('\n')}\n`);
    }
  }
}
