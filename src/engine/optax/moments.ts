/**
 * @file The adaptive scalings that keep moment estimates (optax/_src/transform.py): scaleByRss (Adagrad),
 * scaleByRms and scaleByStddev (RMSProp, plain and centered), scaleByAdam (and its Nesterov form, NAdam),
 * scaleByAmsgrad, scaleByAdamax, scaleByLion, scaleByAdadelta, scaleByBelief (AdaBelief), scaleByYogi,
 * scaleByRadam and scaleByNovograd. Each follows optax's update line by line: which moments are bias
 * corrected, where `eps` sits (outside the square root) and where `eps_root` sits (inside it), and the int32
 * step counter, which saturates rather than wraps (safeIncrement). State fields carry optax's names.
 */
import { type DTypeLike, toDType } from '../core/dtype.js';
import { treeMap } from '../core/pytree.js';
import type { Value } from '../core/trace.js';
import { cond } from '../lax/control.js';
import * as jnp from '../numpy/namespace.js';
import {
  type ArrayLike,
  type GradientTransformation,
  type Params,
  requireParams,
  type Updates,
} from './base.js';
import { absSq, s, safeIncrement } from './numerics.js';
import * as tree from './tree.js';

const int32Zero = (): Value => jnp.zeros([], { dtype: 'int32' });
const dtypeOrNull = (d?: DTypeLike | null) => (d === null || d === undefined ? null : toDType(d));

/** Adam's defaults (b1 0.9, b2 0.999, eps 1e-8, epsRoot 0), shared by its variants. */
function adamDefaults(opts: ScaleByAdamOptions) {
  return {
    b1: opts.b1 ?? 0.9,
    b2: opts.b2 ?? 0.999,
    eps: opts.eps ?? 1e-8,
    epsRoot: opts.epsRoot ?? 0.0,
    muDtype: dtypeOrNull(opts.muDtype),
  };
}

/** The fresh { count, mu, nu } state of Adam and its variants. */
const adamInit = (params: Params, muDtype?: DTypeLike | null): ScaleByAdamState => ({
  count: int32Zero(),
  mu: tree.zerosLike(params, muDtype),
  nu: tree.zerosLike(params),
});

/** Adam's moment updates (EMA of g and of g^2) and the incremented count, in optax's order. */
function adamMoments(updates: Updates, state: ScaleByAdamState, b1: ArrayLike, b2: ArrayLike) {
  const mu = tree.updateMoment(updates, state.mu, b1, 1);
  const nu = tree.updateMomentPerElemNorm(updates, state.nu, b2, 2);
  return { mu, nu, countInc: safeIncrement(state.count) };
}

/** m / (sqrt(v + epsRoot) + eps), leafwise: Adam's step. */
function adamStep(muHat: Updates, nuHat: Updates, eps: ArrayLike, epsRoot: ArrayLike): Updates {
  return treeMap(
    (m: Value, v: Value) => jnp.true_divide(m, jnp.add(jnp.sqrt(jnp.add(v, epsRoot)), eps)),
    muHat,
    nuHat,
  );
}

/**
 * The bias-corrected first moment; with nesterov, NAdam's look-ahead b1 * mu_hat(t+1) + (1 - b1) * g_hat(t)
 * (optax's form: mu corrected with count + 1 and the gradient with count).
 */
function firstMomentHat(
  mu: Updates,
  updates: Updates,
  b1: ArrayLike,
  countInc: Value,
  nesterov: boolean,
): Updates {
  if (!nesterov) return tree.biasCorrection(mu, b1, countInc);
  const c = s.sub(1, b1);
  return treeMap(
    (m: Value, g: Value) => jnp.add(jnp.multiply(b1, m), jnp.multiply(c, g)),
    tree.biasCorrection(mu, b1, safeIncrement(countInc)),
    tree.biasCorrection(updates, b1, countInc),
  );
}

// ---- Adagrad --------------------------------------------------------------------------------------

export interface ScaleByRssState {
  sum_of_squares: Updates;
}

/** Adagrad's scaling: g / sqrt(sum of g^2 + eps), 0 where the sum is 0 (optax.scale_by_rss). */
export function scaleByRss(
  opts: { initialAccumulatorValue?: ArrayLike; eps?: ArrayLike } = {},
): GradientTransformation<ScaleByRssState> {
  const initial = opts.initialAccumulatorValue ?? 0.1;
  const eps = opts.eps ?? 1e-7;
  return {
    init: (params) => ({ sum_of_squares: tree.fullLike(params, initial) }),
    update(updates: Updates, state: ScaleByRssState) {
      const sumOfSquares = treeMap(
        (g: Value, t: Value) => jnp.add(absSq(g), t),
        updates,
        state.sum_of_squares,
      );
      const inv = treeMap(
        (t: Value) => jnp.where(jnp.greater(t, 0), jnp.rsqrt(jnp.add(t, eps)), 0.0),
        sumOfSquares,
      );
      return [tree.mul(inv, updates), { sum_of_squares: sumOfSquares }];
    },
  };
}

// ---- RMSProp --------------------------------------------------------------------------------------

export interface ScaleByRmsOptions {
  decay?: ArrayLike;
  eps?: ArrayLike;
  initialScale?: ArrayLike;
  /** eps inside the square root (rsqrt(nu + eps), the default) or outside it (1 / (sqrt(nu) + eps)). */
  epsInSqrt?: boolean;
  biasCorrection?: boolean;
}
export interface ScaleByRmsState {
  nu: Updates;
}
export interface ScaleByRmsWithCountState {
  count: Value;
  nu: Updates;
}

function rmsDefaults(opts: ScaleByRmsOptions) {
  return {
    decay: opts.decay ?? 0.9,
    eps: opts.eps ?? 1e-8,
    initialScale: opts.initialScale ?? 0.0,
    epsInSqrt: opts.epsInSqrt ?? true,
    biasCorrection: opts.biasCorrection ?? false,
  };
}

/** The shared tail of scaleByRms and scaleByStddev: the optional bias correction, then g times the scaling. */
function rmsScale(
  o: ReturnType<typeof rmsDefaults>,
  count: Value | undefined,
  moments: Updates[],
  updates: Updates,
  denom: (...hats: Value[]) => Value,
): [Updates, Value | undefined] {
  let countInc: Value | undefined;
  let hats = moments;
  if (o.biasCorrection) {
    countInc = safeIncrement(count!);
    hats = moments.map((m) => tree.biasCorrection(m, o.decay, countInc!));
  }
  const scaling = treeMap(
    (...hs: Value[]) =>
      o.epsInSqrt
        ? jnp.rsqrt(jnp.add(denom(...hs), o.eps))
        : jnp.true_divide(1, jnp.add(jnp.sqrt(denom(...hs)), o.eps)),
    hats[0],
    ...hats.slice(1),
  );
  return [treeMap((sc: Value, g: Value) => jnp.multiply(sc, g), scaling, updates), countInc];
}

/** RMSProp's scaling: g / sqrt(EMA of g^2 + eps) (optax.scale_by_rms). */
export function scaleByRms(
  opts: ScaleByRmsOptions = {},
): GradientTransformation<ScaleByRmsState | ScaleByRmsWithCountState> {
  const o = rmsDefaults(opts);
  return {
    init(params) {
      const nu = tree.fullLike(params, o.initialScale);
      return o.biasCorrection ? { count: int32Zero(), nu } : { nu };
    },
    update(updates: Updates, state: any) {
      const nu = tree.updateMomentPerElemNorm(updates, state.nu, o.decay, 2);
      const [out, countInc] = rmsScale(o, state.count, [nu], updates, (n) => n);
      return [out, o.biasCorrection ? { count: countInc!, nu } : { nu }];
    },
  };
}

export interface ScaleByRStdDevState {
  mu: Updates;
  nu: Updates;
}
export interface ScaleByRStdDevWithCountState {
  count: Value;
  mu: Updates;
  nu: Updates;
}

/** Centered RMSProp's scaling: g / sqrt(EMA of g^2 - (EMA of g)^2 + eps) (optax.scale_by_stddev). */
export function scaleByStddev(
  opts: ScaleByRmsOptions = {},
): GradientTransformation<ScaleByRStdDevState | ScaleByRStdDevWithCountState> {
  const o = rmsDefaults(opts);
  return {
    init(params) {
      const mu = tree.zerosLike(params);
      const nu = tree.fullLike(params, o.initialScale);
      return o.biasCorrection ? { count: int32Zero(), mu, nu } : { mu, nu };
    },
    update(updates: Updates, state: any) {
      const mu = tree.updateMoment(updates, state.mu, o.decay, 1);
      const nu = tree.updateMomentPerElemNorm(updates, state.nu, o.decay, 2);
      const [out, countInc] = rmsScale(o, state.count, [mu, nu], updates, (m, n) =>
        jnp.subtract(n, absSq(m)),
      );
      return [out, o.biasCorrection ? { count: countInc!, mu, nu } : { mu, nu }];
    },
  };
}

// ---- Adam and relatives -----------------------------------------------------------------------------

export interface ScaleByAdamOptions {
  b1?: ArrayLike;
  b2?: ArrayLike;
  eps?: ArrayLike;
  /** Added to the second moment inside the square root (eps is added outside it). */
  epsRoot?: ArrayLike;
  muDtype?: DTypeLike | null;
  nesterov?: boolean;
}
export interface ScaleByAdamState {
  count: Value;
  mu: Updates;
  nu: Updates;
}

/** Adam's scaling: mu_hat / (sqrt(nu_hat + epsRoot) + eps) (optax.scale_by_adam); nesterov gives NAdam. */
export function scaleByAdam(opts: ScaleByAdamOptions = {}): GradientTransformation<ScaleByAdamState> {
  const { b1, b2, eps, epsRoot, muDtype } = adamDefaults(opts);
  return {
    init: (params) => adamInit(params, muDtype),
    update(updates: Updates, state: ScaleByAdamState) {
      const { mu, nu, countInc } = adamMoments(updates, state, b1, b2);
      const muHat = firstMomentHat(mu, updates, b1, countInc, opts.nesterov ?? false);
      const nuHat = tree.biasCorrection(nu, b2, countInc);
      const out = adamStep(muHat, nuHat, eps, epsRoot);
      return [out, { count: countInc, mu: tree.cast(mu, muDtype), nu: tree.castLike(nu, state.nu) }];
    },
  };
}

export interface ScaleByAmsgradState {
  count: Value;
  mu: Updates;
  nu: Updates;
  nu_max: Updates;
}

/** AMSGrad: Adam with the running maximum of the (bias-corrected) second moment (optax.scale_by_amsgrad). */
export function scaleByAmsgrad(
  opts: Omit<ScaleByAdamOptions, 'nesterov'> & {
    biasCorrectionMu?: boolean;
    biasCorrectionNu?: boolean;
  } = {},
): GradientTransformation<ScaleByAmsgradState> {
  const { b1, b2, eps, epsRoot, muDtype } = adamDefaults(opts);
  return {
    init: (params) => ({ ...adamInit(params, muDtype), nu_max: tree.zerosLike(params) }),
    update(updates: Updates, state: ScaleByAmsgradState) {
      const { mu, nu, countInc } = adamMoments(updates, state, b1, b2);
      const muHat = (opts.biasCorrectionMu ?? true) ? tree.biasCorrection(mu, b1, countInc) : mu;
      const nuEff = (opts.biasCorrectionNu ?? true) ? tree.biasCorrection(nu, b2, countInc) : nu;
      const nuMax = treeMap((a: Value, b: Value) => jnp.maximum(a, b), state.nu_max, nuEff);
      const out = adamStep(muHat, nuMax, eps, epsRoot);
      return [out, { count: countInc, mu: tree.cast(mu, muDtype), nu, nu_max: nuMax }];
    },
  };
}

/** Adamax: the first moment over an infinity-norm moment, max(|g| + eps, b2 * nu) (optax.scale_by_adamax). */
export function scaleByAdamax(
  opts: { b1?: ArrayLike; b2?: ArrayLike; eps?: ArrayLike } = {},
): GradientTransformation<ScaleByAdamState> {
  const b1 = opts.b1 ?? 0.9;
  const b2 = opts.b2 ?? 0.999;
  const eps = opts.eps ?? 1e-8;
  return {
    init: (params) => adamInit(params),
    update(updates: Updates, state: ScaleByAdamState) {
      const countInc = safeIncrement(state.count);
      const mu = tree.updateMoment(updates, state.mu, b1, 1);
      const nu = tree.updateInfinityMoment(updates, state.nu, b2, eps);
      const muHat = tree.biasCorrection(mu, b1, countInc);
      return [tree.div(muHat, nu), { count: countInc, mu, nu }];
    },
  };
}

export interface ScaleByLionState {
  count: Value;
  mu: Updates;
}

/**
 * Lion: sign((1 - b1) * g + b1 * mu), with mu an EMA of g at rate b2 (optax.scale_by_lion); mode 'smooth'
 * uses tanh(smoothBeta * x) and 'refined' clips x to [-1, 1] instead of the sign.
 */
export function scaleByLion(
  opts: {
    b1?: ArrayLike;
    b2?: ArrayLike;
    muDtype?: DTypeLike | null;
    mode?: 'hard' | 'smooth' | 'refined';
    smoothBeta?: number;
  } = {},
): GradientTransformation<ScaleByLionState> {
  const b1 = opts.b1 ?? 0.9;
  const b2 = opts.b2 ?? 0.99;
  const mode = opts.mode ?? 'hard';
  const smoothBeta = opts.smoothBeta ?? 1.0;
  const muDtype = dtypeOrNull(opts.muDtype);
  const c = s.sub(1.0, b1);
  const comb = (g: Value, m: Value): Value => {
    const x = jnp.add(jnp.multiply(c, g), jnp.multiply(b1, m));
    switch (mode) {
      case 'hard':
        return jnp.sign(x);
      case 'smooth':
        return jnp.tanh(jnp.multiply(smoothBeta, x));
      case 'refined':
        return jnp.where(jnp.less(jnp.abs(x), 1.0), x, jnp.sign(x));
      default:
        throw new Error(`Unknown lion mode: ${mode}. It needs to be one of ["hard", "smooth", "refined"].`);
    }
  };
  return {
    init: (params) => ({ count: int32Zero(), mu: tree.zerosLike(params, muDtype) }),
    update(updates: Updates, state: ScaleByLionState) {
      const out = treeMap(comb, updates, state.mu);
      const mu = tree.cast(tree.updateMoment(updates, state.mu, b2, 1), muDtype);
      return [out, { count: safeIncrement(state.count), mu }];
    },
  };
}

export interface ScaleByAdaDeltaState {
  e_g: Updates;
  e_x: Updates;
}

/** Adadelta: g * sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) (optax.scale_by_adadelta). */
export function scaleByAdadelta(
  opts: { rho?: ArrayLike; eps?: ArrayLike } = {},
): GradientTransformation<ScaleByAdaDeltaState> {
  const rho = opts.rho ?? 0.9;
  const eps = opts.eps ?? 1e-6;
  return {
    init: (params) => ({ e_g: tree.zerosLike(params), e_x: tree.zerosLike(params) }),
    update(updates: Updates, state: ScaleByAdaDeltaState) {
      const eG = tree.updateMoment(updates, state.e_g, rho, 2);
      const out = treeMap(
        (g: Value, curEg: Value, prevEx: Value) =>
          jnp.multiply(jnp.true_divide(jnp.sqrt(jnp.add(prevEx, eps)), jnp.sqrt(jnp.add(curEg, eps))), g),
        updates,
        eG,
        state.e_x,
      );
      const eX = tree.updateMoment(out, state.e_x, rho, 2);
      return [out, { e_g: eG, e_x: eX }];
    },
  };
}

export type ScaleByBeliefState = ScaleByAdamState;

/**
 * AdaBelief: Adam whose second moment is that of the prediction error g - mu, plus epsRoot at every step
 * (optax.scale_by_belief).
 */
export function scaleByBelief(
  opts: { b1?: ArrayLike; b2?: ArrayLike; eps?: ArrayLike; epsRoot?: ArrayLike; nesterov?: boolean } = {},
): GradientTransformation<ScaleByBeliefState> {
  const b1 = opts.b1 ?? 0.9;
  const b2 = opts.b2 ?? 0.999;
  const eps = opts.eps ?? 1e-16;
  const epsRoot = opts.epsRoot ?? 1e-16;
  return {
    init: (params) => adamInit(params),
    update(updates: Updates, state: ScaleByBeliefState) {
      const mu = tree.updateMoment(updates, state.mu, b1, 1);
      const predictionError = tree.sub(updates, mu);
      let nu = tree.updateMomentPerElemNorm(predictionError, state.nu, b2, 2);
      nu = treeMap((v: Value) => jnp.add(v, epsRoot), nu);
      const countInc = safeIncrement(state.count);
      const muHat = firstMomentHat(mu, updates, b1, countInc, opts.nesterov ?? false);
      const nuHat = tree.biasCorrection(nu, b2, countInc);
      const out = treeMap(
        (m: Value, v: Value) => jnp.true_divide(m, jnp.add(jnp.sqrt(v), eps)),
        muHat,
        nuHat,
      );
      return [out, { count: countInc, mu, nu }];
    },
  };
}

/** Yogi: Adam with the additive second-moment update nu - (1 - b2) * sign(nu - g^2) * g^2 (optax.scale_by_yogi). */
export function scaleByYogi(
  opts: {
    b1?: ArrayLike;
    b2?: ArrayLike;
    eps?: ArrayLike;
    epsRoot?: ArrayLike;
    initialAccumulatorValue?: ArrayLike;
  } = {},
): GradientTransformation<ScaleByAdamState> {
  const b1 = opts.b1 ?? 0.9;
  const b2 = opts.b2 ?? 0.999;
  const eps = opts.eps ?? 1e-3;
  const epsRoot = opts.epsRoot ?? 0.0;
  const initial = opts.initialAccumulatorValue ?? 1e-6;
  const c = s.sub(1, b2);
  return {
    init: (params) => ({
      count: int32Zero(),
      mu: tree.fullLike(params, initial),
      nu: tree.fullLike(params, initial),
    }),
    update(updates: Updates, state: ScaleByAdamState) {
      const mu = tree.updateMoment(updates, state.mu, b1, 1);
      const nu = treeMap(
        (g: Value, v: Value) => {
          const g2 = absSq(g);
          return jnp.subtract(v, jnp.multiply(jnp.multiply(c, jnp.sign(jnp.subtract(v, g2))), g2));
        },
        updates,
        state.nu,
      );
      const countInc = safeIncrement(state.count);
      const out = adamStep(
        tree.biasCorrection(mu, b1, countInc),
        tree.biasCorrection(nu, b2, countInc),
        eps,
        epsRoot,
      );
      return [out, { count: countInc, mu, nu }];
    },
  };
}

/**
 * RAdam: Adam rectified by the variance of its adaptive rate; while the SMA length rho_t is below `threshold`
 * the update is the bias-corrected first moment alone (optax.scale_by_radam).
 */
export function scaleByRadam(
  opts: {
    b1?: ArrayLike;
    b2?: ArrayLike;
    eps?: ArrayLike;
    epsRoot?: ArrayLike;
    threshold?: ArrayLike;
    nesterov?: boolean;
  } = {},
): GradientTransformation<ScaleByAdamState> {
  const { b1, b2, eps, epsRoot } = adamDefaults(opts);
  const threshold = opts.threshold ?? 5.0;
  const roInf = s.sub(s.div(2.0, s.sub(1.0, b2)), 1.0);
  return {
    init: (params) => adamInit(params),
    update(updates: Updates, state: ScaleByAdamState) {
      const { mu, nu, countInc } = adamMoments(updates, state, b1, b2);
      const b2t = jnp.power(b2, countInc);
      const ro = jnp.subtract(
        roInf,
        jnp.true_divide(jnp.multiply(jnp.multiply(2, countInc), b2t), jnp.subtract(1, b2t)),
      );
      const muHat = firstMomentHat(mu, updates, b1, countInc, opts.nesterov ?? false);
      const nuHat = tree.biasCorrection(nu, b2, countInc);
      const r = jnp.sqrt(
        jnp.true_divide(
          jnp.multiply(jnp.multiply(jnp.subtract(ro, 4.0), jnp.subtract(ro, 2.0)), roInf),
          jnp.multiply(s.mul(s.sub(roInf, 4.0), s.sub(roInf, 2.0)), ro),
        ),
      );
      const rectified = treeMap(
        (m: Value, v: Value) =>
          jnp.true_divide(
            jnp.multiply(jnp.astype(r, m.dtype), m),
            jnp.add(jnp.sqrt(jnp.add(v, epsRoot)), eps),
          ),
        muHat,
        nuHat,
      );
      const ok = jnp.greater_equal(ro, threshold);
      const out = treeMap((t: Value, f: Value) => jnp.where(ok, t, f), rectified, muHat);
      return [out, { count: countInc, mu, nu }];
    },
  };
}

export type ScaleByNovogradState = ScaleByAdamState;

export interface ScaleByNovogradOptions {
  b1?: ArrayLike;
  b2?: ArrayLike;
  eps?: ArrayLike;
  epsRoot?: ArrayLike;
  weightDecay?: ArrayLike;
  muDtype?: DTypeLike | null;
}

/**
 * NovoGrad: a layerwise second moment (an EMA of each leaf's squared norm) and a first moment of the
 * normalized gradient plus weight decay; the first step initializes both (optax.scale_by_novograd, with its
 * lax.cond on count == 1).
 */
export function scaleByNovograd(
  opts: ScaleByNovogradOptions = {},
): GradientTransformation<ScaleByNovogradState> {
  const b1 = opts.b1 ?? 0.9;
  const b2 = opts.b2 ?? 0.25;
  const eps = opts.eps ?? 1e-8;
  const epsRoot = opts.epsRoot ?? 0.0;
  const weightDecay = opts.weightDecay ?? 0.0;
  const muDtype = dtypeOrNull(opts.muDtype);
  const nuAddition = (g: Value): Value => jnp.power(jnp.linalg.norm(g), 2);
  const muAddition = (g: Value, p: Value, nu: Value): Value =>
    jnp.add(jnp.true_divide(g, jnp.add(jnp.sqrt(jnp.add(nu, epsRoot)), eps)), jnp.multiply(weightDecay, p));
  const initNu = (grads: Updates, nu: Updates) =>
    treeMap((g: Value, n: Value) => jnp.astype(nuAddition(g), n.dtype), grads, nu);
  const updateNu = (grads: Updates, nu: Updates) => tree.updateMoment(treeMap(nuAddition, grads), nu, b2, 1);
  const initMu = (grads: Updates, params: Params, _mu: Updates, nu: Updates) =>
    treeMap(muAddition, grads, params, nu);
  const updateMu = (grads: Updates, params: Params, mu: Updates, nu: Updates) =>
    treeMap(
      (m: Value, u: Value) => jnp.add(jnp.multiply(b1, m), u),
      mu,
      treeMap(muAddition, grads, params, nu),
    );
  return {
    init: (params) => ({
      count: int32Zero(),
      mu: tree.zerosLike(params, muDtype),
      nu: treeMap((p: Value) => jnp.asarray(0.0, { dtype: jnp.asarray(p).dtype }), params),
    }),
    update(updates: Updates, state: ScaleByNovogradState, params?: Params | null) {
      const p = requireParams(params);
      const countInc = safeIncrement(state.count);
      const first = jnp.equal(countInc, 1);
      const nu = cond(first, initNu, updateNu, updates, state.nu);
      const mu = tree.cast(cond(first, initMu, updateMu, updates, p, state.mu, nu), muDtype);
      return [mu, { count: countInc, mu, nu }];
    },
  };
}
