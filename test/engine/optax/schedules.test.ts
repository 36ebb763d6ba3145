/**
 * @file optax schedules against optax 0.2.8 (fixtures/optax.json `schedules`, made by fixtures/make_optax.py):
 * the value at every int32 step 0..150, called eagerly with an int32 array, jitted, and with JS numbers;
 * and optax's errors for invalid arguments.
 */
import { describe, expect, it } from 'vitest';
import { jit, numpy as jnp, optax, type Value } from '../../../src/engine/index.js';
import { closeTo, fx } from './fixture.js';

const cases: Record<string, () => optax.Schedule> = {
  constant: () => optax.constantSchedule(0.3),
  polynomial: () => optax.polynomialSchedule(1.0, 0.01, 2, 50, { transitionBegin: 10 }),
  polynomial_frac_power: () => optax.polynomialSchedule(0.5, 1.5, 0.5, 80),
  linear: () => optax.linearSchedule(0.1, 0.0, 100),
  linear_begin: () => optax.linearSchedule(0.0, 1.0, 30, { transitionBegin: 20 }),
  exponential_decay: () => optax.exponentialDecay(0.1, 10, 0.9),
  exponential_decay_staircase: () =>
    optax.exponentialDecay(0.1, 7, 0.5, { transitionBegin: 5, staircase: true }),
  exponential_decay_end: () => optax.exponentialDecay(1.0, 5, 0.8, { endValue: 0.2 }),
  exponential_growth_end: () => optax.exponentialDecay(0.01, 5, 1.5, { endValue: 1.0 }),
  cosine_decay: () => optax.cosineDecaySchedule(0.1, 100),
  cosine_decay_alpha: () => optax.cosineDecaySchedule(1.0, 60, { alpha: 0.1, exponent: 2.0 }),
  warmup_cosine_decay: () => optax.warmupCosineDecaySchedule(0.0, 0.05, 10, 100, { endValue: 1e-3 }),
  warmup_cosine_decay_exp: () =>
    optax.warmupCosineDecaySchedule(0.01, 1.0, 20, 120, { endValue: 0.05, exponent: 0.5 }),
  warmup_exponential_decay: () =>
    optax.warmupExponentialDecaySchedule(0.0, 0.2, 15, 10, 0.7, {
      transitionBegin: 5,
      staircase: true,
      endValue: 0.01,
    }),
  piecewise_constant: () => optax.piecewiseConstantSchedule(0.1, { 20: 0.5, 50: 0.1, 90: 2.0 }),
  join: () =>
    optax.joinSchedules(
      [optax.constantSchedule(0.5), optax.linearSchedule(0.5, 0.0, 50), optax.constantSchedule(0.01)],
      [30, 80],
    ),
  piecewise_interpolate_linear: () => optax.piecewiseInterpolateSchedule('linear', 0.1, { 10: 2.0, 60: 0.1 }),
  piecewise_interpolate_cosine: () => optax.piecewiseInterpolateSchedule('cosine', 0.1, { 10: 2.0, 60: 0.1 }),
  warmup_constant: () => optax.warmupConstantSchedule(0.0, 0.5, 25),
  sgdr: () =>
    optax.sgdrSchedule([
      { initValue: 0.0, peakValue: 0.1, warmupSteps: 5, decaySteps: 50 },
      { initValue: 0.0, peakValue: 0.05, warmupSteps: 5, decaySteps: 60 },
    ]),
  linear_onecycle: () => optax.linearOnecycleSchedule(100, 0.5),
  cosine_onecycle: () => optax.cosineOnecycleSchedule(100, 0.5),
};

const value = async (v: unknown): Promise<number> =>
  typeof v === 'number' ? v : Number(await (jnp.asarray(v) as Value).item());

describe('optax schedules against optax 0.2.8', () => {
  it('covers every fixture schedule', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(fx.schedules).sort());
  });
  for (const [name, make] of Object.entries(cases)) {
    it(`${name}: int32 counts eager and jitted, and JS numbers`, async () => {
      const sched = make();
      const jitted = jit((c: Value) => jnp.asarray(sched(c)));
      const want: number[] = fx.schedules[name];
      // cos and pow may differ from XLA's by an ulp or two.
      const tol = (w: number) => 4e-7 * Math.max(1, Math.abs(w));
      for (let i = 0; i <= 150; i++) {
        const c = jnp.asarray(i, { dtype: 'int32' });
        closeTo(await value(sched(c)), want[i], 0, tol(want[i]), `${name}(${i})`);
        closeTo(await value(jitted(c)), want[i], 0, tol(want[i]), `jit ${name}(${i})`);
        if (i % 7 === 0)
          closeTo(await value(sched(i)), want[i], 0, tol(want[i]), `${name}(${i}) with a number`);
      }
    });
  }

  it('raises optax errors for invalid arguments', () => {
    expect(() => optax.cosineDecaySchedule(0.1, 0)).toThrow(
      'The cosine_decay_schedule requires positive decay_steps, got decay_steps=0.',
    );
    expect(() => optax.piecewiseConstantSchedule(0.1, { 10: -1 })).toThrow(
      '`piecewise_constant_schedule` expects non-negative scale factors',
    );
    expect(() => optax.piecewiseInterpolateSchedule('quadratic' as 'linear', 0.1)).toThrow(
      "`interpolate_type` must be either 'cosine' or 'linear'",
    );
  });

  it('degenerate arguments give constant schedules, as optax logs and does', async () => {
    expect(optax.polynomialSchedule(0.3, 0.0, 1, 0)(5)).toBe(0.3);
    expect(optax.exponentialDecay(0.3, 0, 0.5)(5)).toBe(0.3);
    expect(optax.exponentialDecay(0.3, 10, 0)(5)).toBe(0.3);
    // A negative transition_begin counts as 0.
    expect(await value(optax.linearSchedule(1.0, 0.0, 10, { transitionBegin: -5 })(5))).toBeCloseTo(0.5, 6);
  });
});
