/**
 * @file optax's optimizers (optax/_src/alias.py), each a `chain` of the transformations it is built from, in
 * optax's order and with optax's defaults: `optax.adam(learningRate, { b1, b2, eps, epsRoot, ... })`. The
 * learning rate is positional (a number or a Schedule); every other argument is an option named as optax
 * names it, in camelCase.
 */
import type { DTypeLike } from '../core/dtype.js';
import { ema, trace } from './accumulation.js';
import { addDecayedWeights } from './adding.js';
import type { ArrayLike, GradientTransformation, ScalarOrSchedule } from './base.js';
import { identity } from './base.js';
import { clipByBlockRms } from './clipping.js';
import { chain } from './combining.js';
import { scaleByFactoredRms } from './factorized.js';
import { type Mask, masked } from './masking.js';
import {
  type ScaleByAdamOptions,
  type ScaleByNovogradOptions,
  scaleByAdadelta,
  scaleByAdam,
  scaleByAdamax,
  scaleByAmsgrad,
  scaleByBelief,
  scaleByLion,
  scaleByNovograd,
  scaleByRadam,
  scaleByRms,
  scaleByRss,
  scaleByStddev,
  scaleByYogi,
} from './moments.js';
import { scale, scaleByLearningRate, scaleByParamBlockRms, scaleBySign, scaleByTrustRatio } from './scale.js';

type GT = GradientTransformation<any>;

export type AdamOptions = ScaleByAdamOptions;
export interface WeightDecayOptions {
  weightDecay?: ScalarOrSchedule;
  /** Which params decay: a pytree of booleans (a prefix of the params) or a function of the params. */
  mask?: Mask | null;
}

/** The optimizer that is one scaling, `scaleBy(opts)`, followed by the learning rate. */
function scaledBy<O>(scaleBy: (opts?: O) => GT): (learningRate: ScalarOrSchedule, opts?: O) => GT {
  return (learningRate, opts) => chain(scaleBy(opts), scaleByLearningRate(learningRate));
}

/** Adam (Kingma & Ba 2014). */
export const adam = scaledBy<AdamOptions>(scaleByAdam);

/** NAdam: Adam with Nesterov momentum (optax.nadam = adam(nesterov=True)). */
export function nadam(learningRate: ScalarOrSchedule, opts: Omit<AdamOptions, 'nesterov'> = {}): GT {
  return adam(learningRate, { ...opts, nesterov: true });
}

/** AdamW: Adam with decoupled weight decay (default 1e-4), optionally masked. */
export function adamw(learningRate: ScalarOrSchedule, opts: AdamOptions & WeightDecayOptions = {}): GT {
  return chain(
    scaleByAdam(opts),
    addDecayedWeights(opts.weightDecay ?? 1e-4, opts.mask),
    scaleByLearningRate(learningRate),
  );
}

/** NAdamW: AdamW with Nesterov momentum. */
export function nadamw(
  learningRate: ScalarOrSchedule,
  opts: Omit<AdamOptions, 'nesterov'> & WeightDecayOptions = {},
): GT {
  return adamw(learningRate, { ...opts, nesterov: true });
}

/** AMSGrad. */
export const amsgrad = scaledBy<Omit<AdamOptions, 'nesterov'>>(scaleByAmsgrad);

/** Adamax: Adam with the infinity norm. */
export const adamax = scaledBy<{ b1?: ArrayLike; b2?: ArrayLike; eps?: ArrayLike }>(scaleByAdamax);

/** Adamax with decoupled weight decay (default 1e-4). */
export function adamaxw(
  learningRate: ScalarOrSchedule,
  opts: { b1?: ArrayLike; b2?: ArrayLike; eps?: ArrayLike } & WeightDecayOptions = {},
): GT {
  return chain(
    scaleByAdamax(opts),
    addDecayedWeights(opts.weightDecay ?? 1e-4, opts.mask),
    scaleByLearningRate(learningRate),
  );
}

/** RAdam (Liu et al. 2020). */
export const radam = scaledBy<Omit<AdamOptions, 'muDtype'> & { threshold?: ArrayLike }>(scaleByRadam);

/** AdaBelief (Zhuang et al. 2020). */
export const adabelief = scaledBy<{
  b1?: ArrayLike;
  b2?: ArrayLike;
  eps?: ArrayLike;
  epsRoot?: ArrayLike;
  nesterov?: boolean;
}>(scaleByBelief);

/** Yogi (Zaheer et al. 2018). */
export const yogi = scaledBy<{ b1?: ArrayLike; b2?: ArrayLike; eps?: ArrayLike }>(scaleByYogi);

/** Lion (Chen et al. 2023), with decoupled weight decay (default 1e-3). */
export function lion(
  learningRate: ScalarOrSchedule,
  opts: { b1?: ArrayLike; b2?: ArrayLike; muDtype?: DTypeLike | null } & WeightDecayOptions = {},
): GT {
  return chain(
    scaleByLion({ b1: opts.b1, b2: opts.b2, muDtype: opts.muDtype }),
    addDecayedWeights(opts.weightDecay ?? 1e-3, opts.mask),
    scaleByLearningRate(learningRate),
  );
}

export interface RmspropOptions {
  decay?: ArrayLike;
  eps?: ArrayLike;
  initialScale?: ArrayLike;
  epsInSqrt?: boolean;
  /** Divide by the running standard deviation (centered RMSProp) rather than the running RMS. */
  centered?: boolean;
  momentum?: ArrayLike | null;
  nesterov?: boolean;
  biasCorrection?: boolean;
}

/** RMSProp (Tieleman & Hinton 2012), plain or centered, with optional (Nesterov) momentum after the step. */
export function rmsprop(learningRate: ScalarOrSchedule, opts: RmspropOptions = {}): GT {
  const scaling = { ...opts };
  const momentum = opts.momentum ?? null;
  return chain(
    opts.centered ? scaleByStddev(scaling) : scaleByRms(scaling),
    scaleByLearningRate(learningRate),
    momentum === null ? identity() : trace(momentum, { nesterov: opts.nesterov ?? false }),
  );
}

/** Stochastic gradient descent, with optional (Nesterov) momentum. */
export function sgd(
  learningRate: ScalarOrSchedule,
  opts: { momentum?: ArrayLike | null; nesterov?: boolean; accumulatorDtype?: DTypeLike | null } = {},
): GT {
  const momentum = opts.momentum ?? null;
  return chain(
    momentum === null
      ? identity()
      : trace(momentum, { nesterov: opts.nesterov ?? false, accumulatorDtype: opts.accumulatorDtype }),
    scaleByLearningRate(learningRate),
  );
}

/** SignSGD: the sign of the gradient, times the learning rate. */
export function signSgd(learningRate: ScalarOrSchedule): GT {
  return chain(scaleBySign(), scaleByLearningRate(learningRate));
}

/** Adagrad (Duchi et al. 2011). */
export const adagrad = scaledBy<{ initialAccumulatorValue?: ArrayLike; eps?: ArrayLike }>(scaleByRss);

/**
 * Adadelta (Zeiler 2012). Without a learning rate the scaled step is applied as it is (optax's default, whose
 * scale_by_learning_rate(None) is the identity).
 */
export function adadelta(
  learningRate?: ScalarOrSchedule | null,
  opts: {
    rho?: ArrayLike;
    eps?: ArrayLike;
    weightDecay?: ScalarOrSchedule;
    weightDecayMask?: Mask | null;
  } = {},
): GT {
  return chain(
    addDecayedWeights(opts.weightDecay ?? 0.0, opts.weightDecayMask),
    scaleByAdadelta({ rho: opts.rho, eps: opts.eps }),
    scaleByLearningRate(learningRate),
  );
}

export interface AdafactorOptions {
  minDimSizeToFactor?: number;
  decayRate?: ArrayLike;
  decayOffset?: ArrayLike;
  multiplyByParameterScale?: boolean;
  clippingThreshold?: ArrayLike | null;
  momentum?: ArrayLike | null;
  dtypeMomentum?: DTypeLike;
  weightDecayRate?: ScalarOrSchedule | null;
  eps?: ArrayLike;
  factored?: boolean;
  weightDecayMask?: Mask | null;
}

/** Adafactor (Shazeer & Stern 2018): factored second moments, block-RMS clipping, parameter-scaled steps. */
export function adafactor(learningRate?: ScalarOrSchedule | null, opts: AdafactorOptions = {}): GT {
  const txs: GT[] = [
    scaleByFactoredRms({
      factored: opts.factored ?? true,
      decayRate: opts.decayRate ?? 0.8,
      stepOffset: opts.decayOffset ?? 0,
      minDimSizeToFactor: opts.minDimSizeToFactor ?? 128,
      epsilon: opts.eps ?? 1e-30,
    }),
  ];
  const clippingThreshold = opts.clippingThreshold === undefined ? 1.0 : opts.clippingThreshold;
  if (clippingThreshold !== null) txs.push(clipByBlockRms(clippingThreshold));
  if (learningRate !== null && learningRate !== undefined) {
    txs.push(scaleByLearningRate(learningRate, { flipSign: false }));
  }
  if (opts.multiplyByParameterScale ?? true) txs.push(scaleByParamBlockRms());
  if (opts.momentum !== null && opts.momentum !== undefined) {
    txs.push(ema(opts.momentum, { debias: false, accumulatorDtype: opts.dtypeMomentum ?? 'float32' }));
  }
  if (opts.weightDecayRate !== null && opts.weightDecayRate !== undefined) {
    txs.push(addDecayedWeights(opts.weightDecayRate, opts.weightDecayMask));
  }
  txs.push(scale(-1));
  return chain(...txs);
}

/** LAMB (You et al. 2019): Adam's step, weight decay, then the layerwise trust ratio. */
export function lamb(
  learningRate: ScalarOrSchedule,
  opts: { b1?: ArrayLike; b2?: ArrayLike; eps?: ArrayLike; epsRoot?: ArrayLike } & WeightDecayOptions = {},
): GT {
  return chain(
    scaleByAdam({ b1: opts.b1, b2: opts.b2, eps: opts.eps ?? 1e-6, epsRoot: opts.epsRoot }),
    addDecayedWeights(opts.weightDecay ?? 0.0, opts.mask),
    scaleByTrustRatio(),
    scaleByLearningRate(learningRate),
  );
}

export interface LarsOptions {
  weightDecay?: ScalarOrSchedule;
  weightDecayMask?: Mask;
  trustCoefficient?: ArrayLike;
  eps?: ArrayLike;
  trustRatioMask?: Mask;
  momentum?: ArrayLike;
  nesterov?: boolean;
}

/** LARS (You et al. 2017): weight decay, the trust ratio, the learning rate, then momentum. */
export function lars(learningRate: ScalarOrSchedule, opts: LarsOptions = {}): GT {
  return chain(
    addDecayedWeights(opts.weightDecay ?? 0.0, opts.weightDecayMask ?? true),
    masked(
      scaleByTrustRatio({ trustCoefficient: opts.trustCoefficient ?? 0.001, eps: opts.eps ?? 0.0 }),
      opts.trustRatioMask ?? true,
    ),
    scaleByLearningRate(learningRate),
    trace(opts.momentum ?? 0.9, { nesterov: opts.nesterov ?? false }),
  );
}

/** NovoGrad (Ginsburg et al. 2019). */
export function novograd(
  learningRate: ScalarOrSchedule,
  opts: Omit<ScaleByNovogradOptions, 'muDtype'> = {},
): GT {
  return chain(
    scaleByNovograd({
      b1: opts.b1,
      b2: opts.b2,
      eps: opts.eps ?? 1e-6,
      epsRoot: opts.epsRoot,
      weightDecay: opts.weightDecay,
    }),
    scaleByLearningRate(learningRate),
  );
}
