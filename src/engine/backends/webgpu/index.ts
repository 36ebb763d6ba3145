/**
 * @file Entry point of the WebGPU backend, loaded on demand by the registry's initBackends():
 * discover an adapter, build the backend, and release the device when Node is about to exit so
 * that Dawn's instance does not keep the process alive.
 */
import { discover } from './adapter.js';
import { WebGpuBackend } from './backend.js';

let backend: WebGpuBackend | null = null;

export async function loadWebGpu(): Promise<WebGpuBackend> {
  if (backend) return backend;
  const ctx = await discover();
  const b = new WebGpuBackend(ctx);
  backend = b;
  process.once('beforeExit', () => b.close());
  process.once('exit', () => b.close());
  return b;
}

export { WebGpuUnavailable } from './adapter.js';
export { WebGpuBackend } from './backend.js';
