/**
 * @file Accumulating transformations (optax/transforms/_accumulation.py): `trace` (momentum, optionally
 * Nesterov's), `ema` (optionally debiased), and `MultiSteps`, gradient accumulation over k mini-steps before
 * one inner update. MultiSteps is a class in optax and keeps that API here: `new MultiSteps(opt, k)` with
 * `init`, `update`, `hasUpdated` and `gradientTransformation()`. Whether a mini-step is skipped
 * (`shouldSkipUpdateFn`, e.g. `skipNotFinite`) is decided by a lax.cond, so it works under jit.
 */
import { type DTypeLike, toDType } from '../core/dtype.js';
import { treeLeaves, treeMap } from '../core/pytree.js';
import type { Value } from '../core/trace.js';
import { cond } from '../lax/control.js';
import * as jnp from '../numpy/namespace.js';
import { evalShape } from '../transforms/api.js';
import type {
  ArrayLike,
  ExtraArgs,
  GradientTransformation,
  OptState,
  Params,
  PyTree,
  Updates,
} from './base.js';
import { ValueError } from './base.js';
import { s, safeIncrement } from './numerics.js';
import * as tree from './tree.js';

const dtypeOrNull = (d?: DTypeLike | null) => (d === null || d === undefined ? null : toDType(d));

export interface TraceState {
  trace: Params;
}

/** Momentum: trace = g + decay * trace; the update is the trace, or g + decay * trace with nesterov (optax.trace). */
export function trace(
  decay: ArrayLike,
  opts: { nesterov?: boolean; accumulatorDtype?: DTypeLike | null } = {},
): GradientTransformation<TraceState> {
  const accDtype = dtypeOrNull(opts.accumulatorDtype);
  const f = (g: Value, t: Value): Value => jnp.add(g, jnp.multiply(decay, t));
  return {
    init: (params) => ({ trace: tree.zerosLike(params, accDtype) }),
    update(updates: Updates, state: TraceState) {
      const newTrace = treeMap(f, updates, state.trace);
      const out = opts.nesterov ? treeMap(f, updates, newTrace) : newTrace;
      return [out, { trace: tree.cast(newTrace, accDtype) }];
    },
  };
}

export interface EmaState {
  count: Value;
  ema: Params;
}

/** An exponential moving average of the updates, bias-corrected unless debias is false (optax.ema). */
export function ema(
  decay: ArrayLike,
  opts: { debias?: boolean; accumulatorDtype?: DTypeLike | null } = {},
): GradientTransformation<EmaState> {
  const accDtype = dtypeOrNull(opts.accumulatorDtype);
  return {
    init: (params) => ({ count: jnp.zeros([], { dtype: 'int32' }), ema: tree.zerosLike(params, accDtype) }),
    update(updates: Updates, state: EmaState) {
      const newEma = tree.updateMoment(updates, state.ema, decay, 1);
      const countInc = safeIncrement(state.count);
      const out = (opts.debias ?? true) ? tree.biasCorrection(newEma, decay, countInc) : newEma;
      return [out, { count: countInc, ema: tree.cast(newEma, accDtype) }];
    },
  };
}

/** Decides whether MultiSteps skips a mini-step: [a bool scalar, a pytree kept in the state]. */
export type ShouldSkipUpdateFunction = (
  updates: Updates,
  gradientStep: Value,
  params: Params | null | undefined,
) => [Value, PyTree];

/** Skips when any update is NaN or infinite (optax.skip_not_finite). */
export const skipNotFinite: ShouldSkipUpdateFunction = (updates) => {
  const counts = (treeLeaves(updates) as Value[]).map((p) => jnp.sum(jnp.logical_not(jnp.isfinite(p))));
  const numNotFinite = jnp.sum(counts.length ? jnp.stack(counts) : jnp.zeros([0], { dtype: 'int32' }));
  const shouldSkip = jnp.greater(numNotFinite, 0);
  return [shouldSkip, { should_skip: shouldSkip, num_not_finite: numNotFinite }];
};

/** Skips when the squared norm of the updates is not below maxSquaredNorm (optax.skip_large_updates). */
export function skipLargeUpdates(
  updates: Updates,
  _gradientStep: Value,
  _params: Params | null | undefined,
  maxSquaredNorm: ArrayLike,
): [Value, PyTree] {
  const sums = (treeLeaves(updates) as Value[]).map((p) => jnp.sum(jnp.power(p, 2)));
  const normSq = jnp.sum(sums.length ? jnp.stack(sums) : jnp.zeros([0]));
  const shouldSkip = jnp.logical_not(jnp.less(normSq, maxSquaredNorm));
  return [shouldSkip, { should_skip: shouldSkip, norm_squared: normSq }];
}

export interface MultiStepsState {
  mini_step: Value;
  gradient_step: Value;
  inner_opt_state: OptState;
  acc_grads: Updates;
  skip_state: PyTree;
}

export interface MultiStepsOptions {
  /** Average the accumulated gradients (default) rather than sum them. */
  useGradMean?: boolean;
  shouldSkipUpdateFn?: ShouldSkipUpdateFunction | null;
  accumulatorDtype?: DTypeLike;
}

/**
 * Gradient accumulation (optax.MultiSteps): every k-th call (k = everyKSchedule(gradient_step)) applies the
 * inner optimizer to the mean (or sum) of the last k gradients; the other calls return zero updates.
 */
export class MultiSteps {
  readonly #opt: GradientTransformation<any>;
  readonly #everyK: (step: Value) => ArrayLike;
  readonly #useGradMean: boolean;
  readonly #accDtype;
  readonly #shouldSkip: ShouldSkipUpdateFunction;

  constructor(
    opt: GradientTransformation<any>,
    everyKSchedule: number | ((step: Value) => ArrayLike),
    opts: MultiStepsOptions = {},
  ) {
    this.#opt = opt;
    this.#everyK = typeof everyKSchedule === 'number' ? () => everyKSchedule : everyKSchedule;
    this.#useGradMean = opts.useGradMean ?? true;
    this.#accDtype = toDType(opts.accumulatorDtype ?? 'float32');
    this.#shouldSkip = opts.shouldSkipUpdateFn ?? (() => [jnp.asarray(false), []]);
  }

  get innerOpt(): GradientTransformation<any> {
    return this.#opt;
  }

  #accUpdate(grad: Value, acc: Value, nAcc: Value): Value {
    if (!this.#useGradMean) return jnp.add(grad, acc);
    return jnp.add(acc, jnp.true_divide(jnp.subtract(grad, acc), jnp.add(nAcc, 1)));
  }

  init(params: Params): MultiStepsState {
    const updates = tree.zerosLike(params);
    const gradientStep = jnp.zeros([], { dtype: 'int32' });
    const [, skipState] = this.#shouldSkip(updates, gradientStep, params);
    return {
      mini_step: jnp.zeros([], { dtype: 'int32' }),
      gradient_step: gradientStep,
      inner_opt_state: this.#opt.init(params),
      acc_grads: tree.zerosLike(params, this.#accDtype),
      skip_state: skipState,
    };
  }

  update(
    updates: Updates,
    state: MultiStepsState,
    params?: Params | null,
    extraArgs?: ExtraArgs,
  ): [Updates, MultiStepsState] {
    const kSteps = this.#everyK(state.gradient_step);
    const [shouldSkip, skipState] = this.#shouldSkip(updates, state.gradient_step, params);
    if (!shouldSkip.dtype.isBool || shouldSkip.shape.length !== 0) {
      throw new ValueError(
        'The `should_skip_update_fn` function should return a boolean scalar array, but it returned an array of ' +
          `dtype ${shouldSkip.dtype.name} and shape (${shouldSkip.shape.join(', ')}${shouldSkip.shape.length === 1 ? ',' : ''})`,
      );
    }
    const p = params ?? null;
    const doUpdate = (upd: Updates, st: MultiStepsState, prm: Params | null): [Updates, MultiStepsState] => {
      const accGrads = treeMap(
        (u: Value, acc: Value) => this.#accUpdate(u, acc, st.mini_step),
        upd,
        st.acc_grads,
      );
      const [finalUpdates, newInner] = this.#opt.update(
        tree.castLike(accGrads, upd),
        st.inner_opt_state,
        prm,
        extraArgs,
      );
      const emit = jnp.equal(st.mini_step, s.sub(kSteps, 1));
      const notEmit = jnp.subtract(1, emit);
      const newState: MultiStepsState = {
        mini_step: jnp.remainder(safeIncrement(st.mini_step), kSteps),
        gradient_step: jnp.add(
          jnp.multiply(emit, safeIncrement(st.gradient_step)),
          jnp.multiply(notEmit, st.gradient_step),
        ),
        inner_opt_state: treeMap(
          (old: Value, nw: Value) => jnp.astype(jnp.where(emit, nw, old), old.dtype),
          st.inner_opt_state,
          newInner,
        ),
        acc_grads: treeMap((ga: Value) => jnp.astype(jnp.multiply(notEmit, ga), this.#accDtype), accGrads),
        skip_state: skipState,
      };
      return [treeMap((ga: Value) => jnp.multiply(emit, ga), finalUpdates), newState];
    };
    const skipUpdate = (
      upd: Updates,
      st: MultiStepsState,
      prm: Params | null,
    ): [Updates, MultiStepsState] => {
      const accGrads = tree.castLike(st.acc_grads, upd);
      const [shapes] = evalShape(
        (a: Updates, inner: OptState, pp: Params | null) => this.#opt.update(a, inner, pp, extraArgs),
        accGrads,
        st.inner_opt_state,
        prm,
      );
      const zeroUpdates = treeMap((a: Value) => jnp.zeros(a.shape, { dtype: a.dtype }), shapes);
      return [
        zeroUpdates,
        {
          mini_step: st.mini_step,
          gradient_step: st.gradient_step,
          inner_opt_state: st.inner_opt_state,
          acc_grads: st.acc_grads,
          skip_state: skipState,
        },
      ];
    };
    return cond(shouldSkip, skipUpdate, doUpdate, updates, state, p);
  }

  /** True when the last update applied the inner optimizer (mini_step wrapped to 0 after a gradient step). */
  hasUpdated(state: MultiStepsState): Value {
    return jnp.logical_and(jnp.equal(state.mini_step, 0), jnp.greater(state.gradient_step, 0));
  }

  /** The init/update pair (optax's gradient_transformation()). */
  gradientTransformation(): GradientTransformation<MultiStepsState> {
    return { init: (params) => this.init(params), update: (u, st, p, extra) => this.update(u, st, p, extra) };
  }
}
