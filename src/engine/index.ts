/**
 * @file The engine's public API, and the package's library export:
 * `import { numpy as jnp, lax, jit, grad, makeJaxpr } from 'tjax'`.
 */
import './ir/printer.js';
import './compile/index.js';
import * as lax from './lax/index.js';
import * as numpy from './numpy/index.js';
import * as tree from './tree/index.js';
import './lax/parallel-take.js';
import './export/rules/lu-permutation.js';
import './export/rules/special.js';
import './export/rules/bessel.js';

export { Device } from './backends/backend.js';
export { cpuGemmStatus } from './backends/cpu/gemm.js';
export { backendStatus, defaultBackend, devices, initBackends, resolveDevice } from './backends/registry.js';
export { compileStats } from './compile/index.js';
export { ArrayImpl as Array } from './core/array.js';
export { ShapedArray } from './core/aval.js';
export { fromHostData } from './core/coerce.js';
export { config, withConfig } from './core/config.js';
export * as dtypes from './core/dtype.js';
export { DType } from './core/dtype.js';
export {
  ConcretizationTypeError,
  OverflowError,
  TracerBoolConversionError,
  TracerIntegerConversionError,
} from './core/errors.js';
export { primitives } from './core/primitive.js';
export type { Value } from './core/trace.js';
export { Tracer } from './core/trace.js';
export { devicePut } from './device-put.js';
export type {
  CompileEvent,
  EngineEvent,
  KernelEvent,
  KernelKind,
  LaunchEvent,
  Observer,
  ProgressEvent,
  TraceEvent,
  TransferEvent,
} from './events.js';
export { observe } from './events.js';
export * as io from './io/index.js';
export { ClosedJaxpr, Jaxpr } from './ir/jaxpr.js';
export * as linen from './linen/index.js';
export * as nn from './nn/index.js';
export * as optax from './optax/index.js';
export type { ProgressOptions } from './progress.js';
export { progress } from './progress.js';
export * as random from './random/index.js';
export * as scipy from './scipy/index.js';
export { Mesh, NamedSharding, P, PartitionSpec } from './sharding.js';
export * from './transforms/api.js';
export type { JitOptions, Jitted } from './transforms/jit.js';
export { Compiled, jit, Lowered, makeJaxpr } from './transforms/jit.js';
export { type PmapOptions, pmap } from './transforms/pmap.js';
export { shardMapFlat } from './transforms/shard-map.js';
export * as wgan from './wgan.js';
export { lax, numpy, tree };
