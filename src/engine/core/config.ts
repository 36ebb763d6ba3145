/**
 * @file Global engine configuration, as jax.config is: x64 mode and friends.
 * Values may also come from the environment (JAX_ENABLE_X64), like JAX's.
 */

function envFlag(name: string): boolean {
  const v = process.env[name];
  return v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());
}

export interface Config {
  /** Enable 64-bit dtypes (float64, int64, uint64). Off by default, as in JAX. */
  enableX64: boolean;
  /** Threefry key layout: partitionable (JAX >= 0.5 default) or the legacy one. */
  threefryPartitionable: boolean;
  /** Name of the default device platform ('cpu', 'webgpu', 'gpujs'). */
  defaultDevice: string;
  /** Disable jit: jitted functions run op by op (jax.disable_jit). */
  disableJit: boolean;
}

export const config: Config = {
  enableX64: envFlag('JAX_ENABLE_X64'),
  threefryPartitionable: true,
  defaultDevice: process.env.JAX_PLATFORMS?.split(',')[0] || 'cpu',
  disableJit: envFlag('JAX_DISABLE_JIT'),
};

/** Run `f` with some config values changed, restoring them afterwards (also on throw). */
export function withConfig<T>(changes: Partial<Config>, f: () => T): T {
  const saved = { ...config };
  Object.assign(config, changes);
  try {
    return f();
  } finally {
    Object.assign(config, saved);
  }
}
