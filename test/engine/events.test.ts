/**
 * @file The engine's observer interface (src/engine/events.ts) and `progress()`: what an observer
 * hears for eager ops and jitted programs (traces, compiles, launches), kernel times with their
 * kind and bytes when it asks for them, nothing from the bodies of control flow, and progress
 * reports in order with scalar metrics, a metrics file, and errors for what is not a scalar.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { observing } from '../../src/engine/events.js';
import type { EngineEvent, KernelEvent, Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, lax, observe, progress } from '../../src/engine/index.js';

const f32 = (v: unknown) => jnp.array(v as number[], { dtype: 'float32' });

function listen(kernelTimes = false): { events: EngineEvent[]; stop: () => void } {
  const events: EngineEvent[] = [];
  const stop = observe({ kernelTimes, event: (e) => void events.push(e) });
  return { events, stop };
}

let stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops) s();
  stops = [];
  progress.configure({ metricsFile: null });
});

function kernels(events: EngineEvent[]): KernelEvent[] {
  return events.filter((e): e is KernelEvent => e.type === 'kernel');
}

describe('events', () => {
  it('reports a jitted program traced, compiled once and launched per call', () => {
    const { events, stop } = listen();
    stops.push(stop);
    const f = jit(function twice(x: Value) {
      return jnp.sin(x).mul(2).add(1);
    });
    const x = f32([1, 2, 3, 4]);
    f(x);
    f(x);
    const traces = events.filter((e) => e.type === 'trace');
    expect(traces).toEqual([{ type: 'trace', name: 'twice', ms: expect.any(Number) }]);
    const compiles = events.filter((e) => e.type === 'compile' && e.program.startsWith('jit('));
    expect(compiles).toHaveLength(1);
    expect(compiles[0]).toMatchObject({ device: 'cpu:0', program: 'jit(sin, mul, add)', kernels: 1 });
    const launches = events.filter((e) => e.type === 'launch' && e.program === 'jit(sin, mul, add)');
    expect(launches).toHaveLength(2);
    // No kernel times unless an observer asks for them.
    expect(kernels(events)).toEqual([]);
  });

  it('times kernels with their kind and the bytes they read and write', () => {
    const { events, stop } = listen(true);
    stops.push(stop);
    const a = jnp.ones([64, 128], { dtype: 'float32' });
    const b = jnp.ones([128, 32], { dtype: 'float32' });
    jit((x: Value, y: Value) => jnp.sum(jnp.matmul(jnp.tanh(x), y), { axis: 0 }))(a, b);
    const ks = kernels(events).filter((e) => e.program.startsWith('jit('));
    expect(ks.map((k) => [k.kernel, k.kind])).toEqual([
      ['map_0', 'fused map'],
      ['matmul_1', 'matmul'],
      ['reduce_2', 'reduce'],
    ]);
    expect(ks[0]).toMatchObject({ device: 'cpu:0', bytesIn: 64 * 128 * 4, bytesOut: 64 * 128 * 4 });
    expect(ks[1]).toMatchObject({ bytesIn: (64 * 128 + 128 * 32) * 4, bytesOut: 64 * 32 * 4 });
    expect(ks[2]).toMatchObject({ bytesIn: 64 * 32 * 4, bytesOut: 32 * 4 });
    for (const k of ks) expect(k.ms).toBeGreaterThanOrEqual(0);
  });

  it('times a loop as one control kernel, not its body per iteration', () => {
    const { events, stop } = listen(true);
    stops.push(stop);
    const f = jit((x: Value) => lax.foriLoop(0, 50, (_i: Value, c: Value) => jnp.sin(c).add(1), x));
    f(f32([1, 2]));
    const ks = kernels(events).filter((e) => e.program === 'scan');
    const control = ks.filter((k) => k.kind === 'control');
    expect(control).toHaveLength(1);
    expect(ks.length).toBeLessThan(5);
  });

  it('keeps the CPU quiet about transfers (its buffers are host memory)', () => {
    const { events, stop } = listen(true);
    stops.push(stop);
    const y = jnp.sin(f32([1, 2, 3]));
    y.dataSync();
    expect(events.filter((e) => e.type === 'transfer')).toEqual([]);
  });

  it('stops when unsubscribed', () => {
    const { events, stop } = listen(true);
    stop();
    expect(observing).toEqual({ any: false, kernelTimes: false });
    jnp.cos(f32([1]));
    expect(events).toEqual([]);
  });
});

describe('progress', () => {
  it('emits reports with scalar metrics read from arrays, in order', async () => {
    const { events, stop } = listen();
    stops.push(stop);
    await progress(1, 3, { loss: f32([0.5]).reshape([]), lr: 0.01 });
    await progress(2, 3, { loss: 0.25 });
    const ps = events.filter((e) => e.type === 'progress');
    expect(ps.map((p) => [p.step, p.total, p.metrics])).toEqual([
      [1, 3, { loss: 0.5, lr: 0.01 }],
      [2, 3, { loss: 0.25 }],
    ]);
  });

  it('waits for what observers return', async () => {
    let released = false;
    stops.push(
      observe({
        event: (e) =>
          e.type === 'progress'
            ? new Promise<void>((r) =>
                setTimeout(() => {
                  released = true;
                  r();
                }, 20),
              )
            : undefined,
      }),
    );
    await progress(0, null, {});
    expect(released).toBe(true);
  });

  it('writes a JSON line per report to the metrics file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tjax-progress-')), 'metrics.jsonl');
    progress.configure({ metricsFile: file });
    await progress(10, 100, { loss: 1.5 });
    await progress(20, null, { loss: 1.25, acc: 0.5 });
    expect(readFileSync(file, 'utf8')).toBe(
      '{"step":10,"total":100,"loss":1.5}\n{"step":20,"loss":1.25,"acc":0.5}\n',
    );
  });

  it('refuses tracers, non-scalars and bad steps with TypeErrors', () => {
    expect(() => progress(1, 2, { loss: f32([1, 2]) })).toThrow(
      "progress(): metric 'loss' must be a scalar, got shape (2)",
    );
    const reportInside = (x: Value) => {
      progress(1, 2, { loss: x });
      return x;
    };
    expect(() => jit(reportInside)(f32([1]))).toThrow("progress(): metric 'loss' is a tracer");
    expect(() => progress(-1)).toThrow('progress(): step must be a finite number >= 0, got -1');
    expect(() => progress(1, Number.NaN)).toThrow(TypeError);
    expect(() => progress(1, 2, { step: 3 })).toThrow("progress(): 'step' is not a metric name");
  });
});
