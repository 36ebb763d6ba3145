/**
 * @file The plain data the terminal views draw: bench results, a profile of kernels and transfers,
 * a program's progress. The CLI builds these from engine events and bench runs; the views (Ink
 * components) and the plain-text renderings (text.ts) read them and nothing else, so a view can
 * be tested with made-up data and never imports the engine.
 */

/** One case of a bench suite, before it runs. */
export interface BenchCase {
  suite: string;
  /** What distinguishes cases of a suite besides device and size: `f32`, `rows`, `eager`, `h2d`. */
  label: string;
  dtype: string;
  device: string;
  size: number;
}

/** A finished case: times in milliseconds over the timed repetitions. */
export interface BenchRow extends BenchCase {
  medianMs: number;
  minMs: number;
  maxMs: number;
  repeat: number;
  /** The figure of merit, in `unit`. */
  rate: number;
  unit: string;
  /** Whether a larger rate is better (GFLOP/s) or a smaller one (µs per op). */
  better: 'higher' | 'lower';
  /** Against a saved run (`--compare`): how many times faster this run is (>1 is faster). */
  speedup?: number;
}

export interface BenchProgress {
  rows: BenchRow[];
  /** The case running now, or null when none is. */
  current: BenchCase | null;
  /** Cases in the whole run, and how many have finished. */
  total: number;
  done: number;
  elapsedMs: number;
  /** Estimated time left, or null before there is anything to estimate from. */
  etaMs: number | null;
  /** Cases left out, with why (a device without float16, ...). */
  notes: string[];
  /** Whether `--compare` was given (the rows carry speedups). */
  compared: boolean;
  finished: boolean;
}

export interface ProfileKernel {
  device: string;
  /** The program it belongs to: `jit(sin, mul)`, or an eager op's primitive. */
  program: string;
  kernel: string;
  kind: string;
  calls: number;
  ms: number;
  bytesIn: number;
  bytesOut: number;
}

export interface ProfileTransfer {
  device: string;
  direction: 'to-device' | 'to-host';
  count: number;
  bytes: number;
  ms: number;
}

export interface ProfileData {
  /** What ran: the expression or the module's path. */
  title: string;
  kernels: ProfileKernel[];
  transfers: ProfileTransfer[];
  /** Tracing jitted functions to jaxprs. */
  traceMs: number;
  /** Lowering and compiling kernels for devices. */
  compileMs: number;
  programsCompiled: number;
  /** The sum of the kernels' times. */
  kernelMs: number;
  /** Wall time of the whole computation, from inputs loaded to result written. */
  totalMs: number;
}

export interface MetricSeries {
  name: string;
  last: number;
  /** Values over the run, oldest first, averaged into buckets when the run is long. */
  history: number[];
}

/** Programs and kernels dispatched per device while a program ran. */
export interface PlacementSummary {
  device: string;
  launches: number;
  kernels: number;
}

export interface ProgressData {
  step: number;
  total: number | null;
  elapsedMs: number;
  stepsPerSec: number | null;
  metrics: MetricSeries[];
  placement: PlacementSummary[];
  finished: boolean;
}
