/**
 * @file The optax namespace (`import { optax } from 'tjax'`): optax 0.2.8's gradient transformations,
 * optimizers, schedules and losses, with optax's semantics and numbers. An optimizer is a pair of pure
 * functions, `init(params) -> state` and `update(grads, state, params?) -> [updates, state]`; `chain`
 * composes them; `applyUpdates(params, updates)` takes the step. States are pytrees of arrays, so a whole
 * training step can be jitted.
 */

export {
  type EmaState,
  ema,
  MultiSteps,
  type MultiStepsOptions,
  type MultiStepsState,
  type ShouldSkipUpdateFunction,
  skipLargeUpdates,
  skipNotFinite,
  type TraceState,
  trace,
} from './accumulation.js';
export { addDecayedWeights, type WeightDecaySchedule } from './adding.js';
export {
  type AdafactorOptions,
  type AdamOptions,
  adabelief,
  adadelta,
  adafactor,
  adagrad,
  adam,
  adamax,
  adamaxw,
  adamw,
  amsgrad,
  type LarsOptions,
  lamb,
  lars,
  lion,
  nadam,
  nadamw,
  novograd,
  type RmspropOptions,
  radam,
  rmsprop,
  sgd,
  signSgd,
  type WeightDecayOptions,
  yogi,
} from './alias.js';
export {
  type ArrayLike,
  type EmptyState,
  type ExtraArgs,
  type GradientTransformation,
  type GradientTransformationExtraArgs,
  gradientTransformation,
  identity,
  initEmptyState,
  NO_PARAMS_MSG,
  type OptState,
  type Params,
  type ScalarOrSchedule,
  type Schedule,
  setToZero,
  stateless,
  statelessWithTreeMap,
  type TransformInitFn,
  type TransformUpdateFn,
  type Updates,
  ValueError,
  withExtraArgsSupport,
} from './base.js';
export { clip, clipByBlockRms, clipByGlobalNorm, globalNorm } from './clipping.js';
export {
  chain,
  type MultiTransformState,
  multiTransform,
  namedChain,
  type PartitionState,
  partition,
} from './combining.js';
export { type ApplyIfFiniteState, applyIfFinite } from './conditionality.js';
export {
  decayRatePow,
  type FactoredState,
  type ScaleByFactoredRmsOptions,
  scaleByFactoredRms,
} from './factorized.js';
export * as losses from './losses/index.js';
export * from './losses/index.js';
export { type Mask, MaskedNode, type MaskedState, masked } from './masking.js';
export * from './moments.js';
export { safeIncrement, safeInt32Increment, safeNorm, safeRootMeanSquares } from './numerics.js';
export {
  type ApplyEveryState,
  applyEvery,
  centralize,
  normalizeByUpdateNorm,
  type ScaleByScheduleState,
  type ScaleByTrustRatioOptions,
  scale,
  scaleByLearningRate,
  scaleByParamBlockNorm,
  scaleByParamBlockRms,
  scaleBySchedule,
  scaleBySign,
  scaleByTrustRatio,
} from './scale.js';
export {
  type BoundariesAndScales,
  constantSchedule,
  cosineDecaySchedule,
  cosineOnecycleSchedule,
  type ExponentialDecayOptions,
  exponentialDecay,
  joinSchedules,
  linearOnecycleSchedule,
  linearSchedule,
  piecewiseConstantSchedule,
  piecewiseInterpolateSchedule,
  polynomialSchedule,
  sgdrSchedule,
  type WarmupCosineDecayArgs,
  warmupConstantSchedule,
  warmupCosineDecaySchedule,
  warmupExponentialDecaySchedule,
} from './schedules.js';
export * as tree from './tree.js';
export {
  biasCorrection,
  updateInfinityMoment,
  updateMoment,
  updateMomentPerElemNorm,
} from './tree.js';
export { applyUpdates, incrementalUpdate, periodicUpdate } from './update.js';
