/**
 * @file devicePut: place an array (or a pytree of them) on a device. With a device the result is
 * committed there; without one it goes to the default device uncommitted, as jax.device_put.
 */
import type { Device } from './backends/backend.js';
import { defaultDevice, resolveDevice } from './backends/registry.js';
import { transfer } from './compile/index.js';
import { ArrayImpl } from './core/array.js';
import { hostArray } from './core/coerce.js';
import { treeMap } from './core/pytree.js';
import { isTracer } from './core/trace.js';
import { NamedSharding, withSharding } from './sharding.js';

export function devicePut<T>(x: T, device?: Device | string | NamedSharding | null): T {
  // A NamedSharding splits each array over its mesh's devices (CPU devices share the data).
  if (device instanceof NamedSharding) {
    const s = device;
    return treeMap((leaf: unknown) => {
      if (isTracer(leaf)) return leaf;
      const a = leaf instanceof ArrayImpl ? leaf : hostArray(leaf);
      return withSharding(transfer(a, s.mesh.devices[0], false), s);
    }, x);
  }
  const committed = device !== undefined && device !== null;
  const dev = committed ? resolveDevice(device) : defaultDevice();
  return treeMap((leaf: unknown) => {
    if (isTracer(leaf)) return leaf;
    const a = leaf instanceof ArrayImpl ? leaf : hostArray(leaf);
    return transfer(a, dev, committed);
  }, x);
}
