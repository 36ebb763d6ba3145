/**
 * @file The engine's public API, and the package's library export:
 * `import { numpy as jnp, lax, jit, grad, makeJaxpr } from 'tjax'`.
 */
import './ir/printer.js';
import './compile/index.js';
import './lax/parallel-take.js';
import './export/rules/lu-permutation.js';
import './export/rules/special.js';
import './export/rules/bessel.js';
import './export/rules/zeta.js';
import './export/rules/composed.js';

export { Device } from './backends/backend.js';
export { cpuGemmStatus } from './backends/cpu/gemm.js';
export { backendStatus, defaultBackend, devices, initBackends, resolveDevice } from './backends/registry.js';
export { compileStats } from './compile/index.js';
export { ArrayImpl as Array } from './core/array.js';
export { ShapedArray } from './core/aval.js';
export { fromHostData } from './core/coerce.js';
export { Complex, complex } from './core/complex.js';
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
export { Tracer, UnexpectedTracerError } from './core/trace.js';
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
// The namespaces and transformations with their arguments bound against JAX's signatures.
export { lax, linen, nn, numpy, random, scipy, tree } from './namespace-types.gen.js';
export {
  checkpoint,
  customJvp,
  customVjp,
  devicePut,
  evalShape,
  grad,
  hessian,
  jacfwd,
  jacobian,
  jacrev,
  jit,
  jvp,
  linearize,
  linearTranspose,
  makeJaxpr,
  pmap,
  remat,
  stopGradient,
  valueAndGrad,
  vjp,
  vmap,
} from './namespaces.js';
export * as optax from './optax/index.js';
export type { ProgressOptions } from './progress.js';
export { progress } from './progress.js';
export { Mesh, NamedSharding, P, PartitionSpec } from './sharding.js';
export * from './transforms/api.js';
export type { JitOptions, Jitted } from './transforms/jit.js';
export { Compiled, Lowered } from './transforms/jit.js';
export type { PmapOptions } from './transforms/pmap.js';
export { shardMapFlat } from './transforms/shard-map.js';
export * as wgan from './wgan.js';
