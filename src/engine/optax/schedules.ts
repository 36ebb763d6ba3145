/**
 * @file Schedules (optax/schedules/_schedule.py, _join.py): functions of the step count to a value. The count
 * is a JS number or an int32 array (what scaleBySchedule passes, traced under jit); every branch on it is a
 * jnp.where, so a schedule works inside jit. Arguments without defaults in optax are positional here, the
 * rest a trailing options object; hyperparameter arithmetic is done in doubles as optax's Python floats are.
 */
import type { Value } from '../core/trace.js';
import * as jnp from '../numpy/namespace.js';
import { type ArrayLike, type Schedule, ValueError } from './base.js';
import { s } from './numerics.js';

/** The same value at every step. */
export function constantSchedule(value: ArrayLike): Schedule {
  return () => value;
}

/**
 * (init - end) * (1 - t / transitionSteps)^power + end, with t = clip(count - transitionBegin, 0,
 * transitionSteps). transitionSteps <= 0 gives a constant init; a negative transitionBegin counts as 0.
 */
export function polynomialSchedule(
  initValue: ArrayLike,
  endValue: ArrayLike,
  power: ArrayLike,
  transitionSteps: number,
  opts: { transitionBegin?: number } = {},
): Schedule {
  if (transitionSteps <= 0) return () => initValue;
  const begin = Math.max(opts.transitionBegin ?? 0, 0);
  const span = s.sub(initValue, endValue);
  return (count) => {
    const t = jnp.clip(s.sub(count, begin), 0, transitionSteps);
    const frac = jnp.subtract(1, jnp.true_divide(t, transitionSteps));
    return jnp.add(jnp.multiply(span, jnp.power(frac, power)), endValue);
  };
}

/** Linear from initValue to endValue over transitionSteps steps after transitionBegin. */
export function linearSchedule(
  initValue: ArrayLike,
  endValue: ArrayLike,
  transitionSteps: number,
  opts: { transitionBegin?: number } = {},
): Schedule {
  return polynomialSchedule(initValue, endValue, 1, transitionSteps, opts);
}

/** Boundaries (steps) to scale factors, as optax's dict: a plain object, a Map or a list of pairs. */
export type BoundariesAndScales = Record<number, number> | Map<number, number> | [number, number][];

function sortedPairs(b: BoundariesAndScales | null | undefined): [number, number][] {
  if (!b) return [];
  const pairs: [number, number][] =
    b instanceof Map
      ? [...b.entries()]
      : Array.isArray(b)
        ? b.map(([k, v]) => [k, v] as [number, number])
        : Object.entries(b).map(([k, v]) => [Number(k), v] as [number, number]);
  return pairs.sort((x, y) => x[0] - y[0]);
}

/** initValue, multiplied by each boundary's scale once the count reaches that boundary. */
export function piecewiseConstantSchedule(
  initValue: ArrayLike,
  boundariesAndScales?: BoundariesAndScales | null,
): Schedule {
  const pairs = sortedPairs(boundariesAndScales);
  if (boundariesAndScales && !pairs.every(([, sc]) => sc >= 0.0)) {
    throw new ValueError('`piecewise_constant_schedule` expects non-negative scale factors');
  }
  return (count) => {
    let v: ArrayLike = initValue;
    for (const [threshold, scale] of pairs) {
      const indicator = jnp.maximum(0.0, jnp.sign(s.sub(threshold, count)));
      v = jnp.add(
        jnp.multiply(v, indicator),
        jnp.multiply(jnp.multiply(jnp.subtract(1, indicator), scale), v),
      );
    }
    return v;
  };
}

export interface ExponentialDecayOptions {
  transitionBegin?: number;
  /** Decay in whole transitionSteps intervals. */
  staircase?: boolean;
  /** A floor (decayRate < 1) or ceiling (decayRate > 1) on the value. */
  endValue?: ArrayLike | null;
}

/** initValue * decayRate^((count - transitionBegin) / transitionSteps), initValue before transitionBegin. */
export function exponentialDecay(
  initValue: ArrayLike,
  transitionSteps: number,
  decayRate: number,
  opts: ExponentialDecayOptions = {},
): Schedule {
  if (transitionSteps <= 0 || decayRate === 0) return () => initValue;
  const begin = Math.max(opts.transitionBegin ?? 0, 0);
  const endValue = opts.endValue ?? null;
  const clipFn = decayRate < 1.0 ? jnp.maximum : jnp.minimum;
  return (count) => {
    const decreased = s.sub(count, begin);
    let p: Value = jnp.true_divide(decreased, transitionSteps);
    if (opts.staircase) p = jnp.floor(p);
    let decayed = jnp.where(
      jnp.less_equal(decreased, 0),
      initValue,
      jnp.multiply(initValue, jnp.power(decayRate, p)),
    );
    if (endValue !== null) decayed = clipFn(decayed, endValue);
    return decayed;
  };
}

/** A count as optax's cosine schedule takes it: a Python int becomes a float; arrays stay as they are. */
const asFloatCount = (count: ArrayLike): Value =>
  typeof count === 'number' ? jnp.asarray(count, { dtype: 'float32' }) : (count as Value);

/** initValue * ((1 - alpha) * (0.5 * (1 + cos(pi * min(count, decaySteps) / decaySteps)))^exponent + alpha). */
export function cosineDecaySchedule(
  initValue: ArrayLike,
  decaySteps: number,
  opts: { alpha?: ArrayLike; exponent?: ArrayLike } = {},
): Schedule {
  if (!(decaySteps > 0)) {
    throw new ValueError(
      `The cosine_decay_schedule requires positive decay_steps, got decay_steps=${decaySteps}.`,
    );
  }
  const alpha = opts.alpha ?? 0.0;
  const exponent = opts.exponent ?? 1.0;
  return (count) => {
    const c = jnp.minimum(asFloatCount(count), decaySteps);
    const cosineDecay = jnp.multiply(
      0.5,
      jnp.add(1, jnp.cos(jnp.true_divide(jnp.multiply(Math.PI, c), decaySteps))),
    );
    const decayed = jnp.add(jnp.multiply(s.sub(1, alpha), jnp.power(cosineDecay, exponent)), alpha);
    return jnp.multiply(initValue, decayed);
  };
}

/** schedules[0] before boundaries[0], schedules[i] (of count - boundaries[i - 1]) after boundaries[i - 1]. */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  return (step) => {
    let output = schedules[0](step);
    boundaries.forEach((boundary, i) => {
      if (i + 1 >= schedules.length) return;
      output = jnp.where(jnp.less(step, boundary), output, schedules[i + 1](s.sub(step, boundary)));
    });
    return output;
  };
}

/** Linear warmup from initValue to peakValue over warmupSteps, then a cosine decay to endValue at decaySteps. */
export function warmupCosineDecaySchedule(
  initValue: ArrayLike,
  peakValue: number,
  warmupSteps: number,
  decaySteps: number,
  opts: { endValue?: number; exponent?: ArrayLike } = {},
): Schedule {
  const endValue = opts.endValue ?? 0.0;
  const alpha = peakValue === 0.0 ? 0.0 : endValue / peakValue;
  return joinSchedules(
    [
      linearSchedule(initValue, peakValue, warmupSteps),
      cosineDecaySchedule(peakValue, decaySteps - warmupSteps, { alpha, exponent: opts.exponent ?? 1.0 }),
    ],
    [warmupSteps],
  );
}

/** Linear warmup to peakValue, then an exponentialDecay from it. */
export function warmupExponentialDecaySchedule(
  initValue: ArrayLike,
  peakValue: ArrayLike,
  warmupSteps: number,
  transitionSteps: number,
  decayRate: number,
  opts: ExponentialDecayOptions = {},
): Schedule {
  return joinSchedules(
    [
      linearSchedule(initValue, peakValue, warmupSteps),
      exponentialDecay(peakValue, transitionSteps, decayRate, opts),
    ],
    [warmupSteps],
  );
}

/** Linear warmup from initValue to peakValue, constant after. */
export function warmupConstantSchedule(
  initValue: ArrayLike,
  peakValue: ArrayLike,
  warmupSteps: number,
): Schedule {
  return linearSchedule(initValue, peakValue, warmupSteps);
}

/**
 * Interpolates ('linear' or 'cosine') between initValue and its running products with the scales, reaching
 * each product at its boundary (optax.piecewise_interpolate_schedule).
 */
export function piecewiseInterpolateSchedule(
  interpolateType: 'linear' | 'cosine',
  initValue: number,
  boundariesAndScales?: BoundariesAndScales | null,
): Schedule {
  let interpolate: (start: Value, end: Value, pct: Value) => Value;
  if (interpolateType === 'linear') {
    interpolate = (start, end, pct) => jnp.add(jnp.multiply(jnp.subtract(end, start), pct), start);
  } else if (interpolateType === 'cosine') {
    interpolate = (start, end, pct) =>
      jnp.add(
        end,
        jnp.multiply(
          jnp.true_divide(jnp.subtract(start, end), 2.0),
          jnp.add(jnp.cos(jnp.multiply(Math.PI, pct)), 1),
        ),
      );
  } else throw new ValueError("`interpolate_type` must be either 'cosine' or 'linear'");
  const pairs = sortedPairs(boundariesAndScales);
  if (!pairs.every(([, sc]) => sc >= 0.0)) {
    throw new ValueError('`piecewise_interpolate_schedule` expects non-negative scale factors');
  }
  return (count) => {
    const bounds = jnp.array([0, ...pairs.map(([b]) => b)], { dtype: 'int32' });
    const values = jnp.cumprod(jnp.array([initValue, ...pairs.map(([, sc]) => sc)], { dtype: 'float32' }));
    const n = pairs.length + 1;
    const lo = jnp.getitem(bounds, jnp.sl(0, n - 1));
    const hi = jnp.getitem(bounds, jnp.sl(1, n));
    const intervalSizes = jnp.maximum(jnp.subtract(hi, lo), 1);
    const indicator = jnp.logical_and(jnp.less_equal(lo, count), jnp.less(count, hi));
    const pct = jnp.true_divide(jnp.subtract(count, lo), intervalSizes);
    const interp = interpolate(jnp.getitem(values, jnp.sl(0, n - 1)), jnp.getitem(values, jnp.sl(1, n)), pct);
    const last = jnp.getitem(values, n - 1);
    return jnp.add(
      jnp.dot(jnp.astype(indicator, 'float32'), interp),
      jnp.multiply(jnp.less_equal(jnp.getitem(bounds, n - 1), count), last),
    );
  };
}

/**
 * The 1cycle schedules' frame: from peakValue / divFactor (default 25) up to peakValue at pctStart
 * of the steps (default 0.3), then through the scales `rest` gives (optax's message names 'linear'
 * for both).
 */
function onecycle(
  kind: 'linear' | 'cosine',
  transitionSteps: number,
  peakValue: number,
  opts: { pctStart?: number; divFactor?: number },
  rest: (divFactor: number) => [number, number][],
): Schedule {
  if (transitionSteps <= 0)
    throw new ValueError('A linear onecycle schedule was set with a non-positive `transition_steps`');
  const divFactor = opts.divFactor ?? 25.0;
  return piecewiseInterpolateSchedule(
    kind,
    peakValue / divFactor,
    new Map([[Math.trunc((opts.pctStart ?? 0.3) * transitionSteps), divFactor], ...rest(divFactor)]),
  );
}

/** The 1cycle policy with linear pieces: up to peakValue, down to its initial value, then to ~0. */
export function linearOnecycleSchedule(
  transitionSteps: number,
  peakValue: number,
  opts: { pctStart?: number; pctFinal?: number; divFactor?: number; finalDivFactor?: number } = {},
): Schedule {
  return onecycle('linear', transitionSteps, peakValue, opts, (divFactor) => [
    [Math.trunc((opts.pctFinal ?? 0.85) * transitionSteps), 1.0 / divFactor],
    [transitionSteps, 1.0 / (opts.finalDivFactor ?? 1e4)],
  ]);
}

/** The 1cycle policy with cosine pieces. */
export function cosineOnecycleSchedule(
  transitionSteps: number,
  peakValue: number,
  opts: { pctStart?: number; divFactor?: number; finalDivFactor?: number } = {},
): Schedule {
  return onecycle('cosine', transitionSteps, peakValue, opts, (divFactor) => [
    [Math.trunc(transitionSteps), 1.0 / (divFactor * (opts.finalDivFactor ?? 1e4))],
  ]);
}

export interface WarmupCosineDecayArgs {
  initValue: ArrayLike;
  peakValue: number;
  warmupSteps: number;
  decaySteps: number;
  endValue?: number;
  exponent?: ArrayLike;
}

/** Warm restarts: warmupCosineDecaySchedules one after another (optax.sgdr_schedule). */
export function sgdrSchedule(cosineKwargs: readonly WarmupCosineDecayArgs[]): Schedule {
  const schedules: Schedule[] = [];
  const boundaries: number[] = [];
  let step = 0;
  for (const k of cosineKwargs) {
    schedules.push(
      warmupCosineDecaySchedule(k.initValue, k.peakValue, k.warmupSteps, k.decaySteps, {
        endValue: k.endValue,
        exponent: k.exponent,
      }),
    );
    boundaries.push(step + k.decaySteps);
    step += k.decaySteps;
  }
  return joinSchedules(schedules, boundaries.slice(0, -1));
}
