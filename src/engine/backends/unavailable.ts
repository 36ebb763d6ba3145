/**
 * @file The error a device's loader throws when the device cannot start (gpu.js, WebGPU through
 * Dawn): what went wrong and what the user can do about it. The registry keeps both and says them
 * when the device is named, and `tjax devices` lists them.
 */

export class DeviceUnavailable extends Error {
  constructor(
    readonly reason: string,
    readonly fix: string,
  ) {
    super(reason);
  }
}

/** Why a device failed to start and the fix: a DeviceUnavailable's own, else the error's message. */
export function unavailability(e: unknown): { reason: string; fix: string } {
  const err = e as Error & { reason?: string; fix?: string };
  return { reason: err.reason ?? err.message, fix: err.fix ?? 'use --device cpu' };
}
