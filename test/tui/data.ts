/**
 * @file Made-up view data for the component tests: a bench part way through and finished, a
 * profile, a training run's progress. The views read nothing else.
 */
import type { BenchProgress, BenchRow, ProfileData, ProgressData } from '../../src/tui/types.js';

export function row(over: Partial<BenchRow>): BenchRow {
  return {
    suite: 'matmul',
    label: 'f32',
    dtype: 'float32',
    device: 'cpu:0',
    size: 256,
    medianMs: 10,
    minMs: 9.5,
    maxMs: 12,
    repeat: 5,
    rate: 3.36,
    unit: 'GFLOP/s',
    better: 'higher',
    ...over,
  };
}

export const ROWS: BenchRow[] = [
  row({}),
  row({ size: 512, medianMs: 80, minMs: 78, maxMs: 95, rate: 3.36 }),
  row({ device: 'webgpu:0', medianMs: 2.5, minMs: 2.1, maxMs: 3.9, rate: 13.4 }),
  row({ device: 'webgpu:0', size: 512, medianMs: 12, minMs: 11, maxMs: 14, rate: 22.4 }),
  row({
    suite: 'dispatch',
    label: 'eager',
    size: 16,
    medianMs: 0.9,
    minMs: 0.85,
    maxMs: 1.4,
    rate: 9,
    unit: 'µs/op',
    better: 'lower',
  }),
];

export function benchAt(done: number, finished = false): BenchProgress {
  return {
    rows: ROWS.slice(0, done),
    current: finished
      ? null
      : { suite: 'matmul', label: 'f32', dtype: 'float32', device: 'webgpu:0', size: 512 },
    total: ROWS.length,
    done,
    elapsedMs: 12_000,
    etaMs: finished ? 0 : 34_000,
    notes: finished ? ['transfer: cpu:0 keeps arrays in host memory: nothing to transfer'] : [],
    compared: false,
    finished,
  };
}

export const PROFILE: ProfileData = {
  title: 'sum(sin(x) @ w)',
  kernels: [
    {
      device: 'webgpu:0',
      program: 'jit(sin, dot_general, reduce_sum)',
      kernel: 'matmul_1',
      kind: 'matmul',
      calls: 1,
      ms: 3,
      bytesIn: 4096 + 16384,
      bytesOut: 4096,
    },
    {
      device: 'webgpu:0',
      program: 'jit(sin, dot_general, reduce_sum)',
      kernel: 'map_0',
      kind: 'fused map',
      calls: 1,
      ms: 1,
      bytesIn: 4096,
      bytesOut: 4096,
    },
  ],
  transfers: [
    { device: 'webgpu:0', direction: 'to-device', count: 2, bytes: 20480, ms: 0.5 },
    { device: 'webgpu:0', direction: 'to-host', count: 1, bytes: 4, ms: 2 },
  ],
  traceMs: 2,
  compileMs: 14,
  programsCompiled: 1,
  kernelMs: 4,
  totalMs: 25,
};

export const PROGRESS: ProgressData = {
  step: 50,
  total: 200,
  elapsedMs: 5_000,
  stepsPerSec: 10,
  metrics: [
    { name: 'loss', last: 0.125, history: [2, 1.5, 1, 0.7, 0.5, 0.3, 0.2, 0.125] },
    { name: 'acc', last: 0.91, history: [0.1, 0.4, 0.6, 0.8, 0.91] },
  ],
  placement: [{ device: 'cpu:0', launches: 120, kernels: 480 }],
  finished: false,
};
