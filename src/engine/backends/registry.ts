/**
 * @file The device registry: which backends exist, the default device, and lookups by name
 * (`cpu`, `cpu:0`, `webgpu`).
 */
import { config } from '../core/config.js';
import type { Backend, Device } from './backend.js';
import { CpuBackend } from './cpu/backend.js';

const backends = new Map<string, Backend>();
backends.set('cpu', new CpuBackend());

export function registerBackend(b: Backend): void {
  backends.set(b.platform, b);
}

export function getBackend(platform: string): Backend {
  const b = backends.get(platform);
  if (!b) {
    throw new Error(
      `Unknown backend: '${platform}' requested, but no platforms that are instances of ${platform} are present. ` +
        `Platforms present are: ${[...backends.keys()].join(',')}`,
    );
  }
  return b;
}

export function devices(platform?: string): Device[] {
  if (platform) return [...getBackend(platform).devices];
  return [...backends.values()].flatMap((b) => b.devices);
}

/** `cpu`, `cpu:0` or a Device -> Device. */
export function resolveDevice(d: string | Device | undefined | null): Device {
  if (d === undefined || d === null) return defaultDevice();
  if (typeof d !== 'string') return d;
  const [platform, idx = '0'] = d.split(':');
  const list = getBackend(platform).devices;
  const dev = list[Number(idx)];
  if (!dev) throw new Error(`no device ${d}: ${platform} has ${list.length} device(s)`);
  return dev;
}

export function defaultDevice(): Device {
  return resolveDevice(config.defaultDevice);
}

export function defaultBackend(): string {
  return defaultDevice().platform;
}
