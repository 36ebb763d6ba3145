/**
 * @file The shared gate of device test files: start the GPU backends, and when `platform` is
 * unavailable, print why and how to fix it and skip (locally), or fail loudly (under CI, which
 * installs what the device needs). Returns whether the device is there.
 */
import { describe, it } from 'vitest';
import { backendStatus, initBackends } from '../src/engine/index.js';

export async function deviceAvailable(platform: 'webgpu' | 'gpujs', suite: string): Promise<boolean> {
  await initBackends();
  const status = backendStatus(platform);
  if (status.available) return true;
  const why = `${status.reason} (fix: ${status.fix})`;
  if (process.env.CI) {
    describe(suite, () => {
      it(`has the ${platform} device in CI`, () => {
        throw new Error(`the ${platform} backend is unavailable in CI: ${why}`);
      });
    });
  } else console.warn(`skipping ${suite}: ${why}`);
  return false;
}
