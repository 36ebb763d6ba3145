/**
 * @file linen: flax.linen's module system and layers in TypeScript (`import { linen } from 'tjax'`).
 * module.ts says how modules are written, bound and called; scope.ts holds variables and random
 * streams; the layers and pooling follow flax 0.12.8's files of the same names.
 */
export * from './activation.js';
export { type Layer, Sequential } from './combinators.js';
export {
  Conv,
  type ConvBaseOptions,
  type ConvOptions,
  ConvTranspose,
  type ConvTransposeOptions,
  canonicalizePadding,
  type PaddingLike,
} from './conv.js';
export { canonicalizeDtype, promoteDtype } from './dtypes.js';
export * from './errors.js';
export * as initializers from './initializers.js';
export {
  addBias,
  Dense,
  type DenseOptions,
  defaultEmbedInit,
  defaultKernelInit,
  Embed,
  type EmbedOptions,
} from './linear.js';
export {
  type ApplyOptions,
  type DTypeOption,
  type InitOptions,
  Module,
  type ModuleOptions,
  mergeParam,
  type ParamInit,
} from './module.js';
export {
  BatchNorm,
  type BatchNormOptions,
  GroupNorm,
  type GroupNormOptions,
  InstanceNorm,
  type InstanceNormOptions,
  LayerNorm,
  type LayerNormOptions,
  NameError,
  type NormOptions,
  RMSNorm,
} from './normalization.js';
export * from './pooling.js';
export {
  type Collection,
  type CollectionFilter,
  DenyList,
  LazyRng,
  Scope,
  Variable,
  type Variables,
} from './scope.js';
export {
  flattenDict,
  loadVariables,
  saveVariables,
  unflattenDict,
  variablesFromNpz,
  variablesToNpz,
} from './serialization.js';
export { Dropout, type DropoutOptions } from './stochastic.js';
