/**
 * @file The device registry: which backends exist, the default device, and lookups by name
 * (`cpu`, `cpu:0`, `webgpu`). The CPU is always there. WebGPU needs an asynchronous adapter
 * discovery, so it joins only after `await initBackends()` (the CLI calls it for
 * `--device webgpu` and `tjax devices`); until then naming it says so, and when discovery failed
 * naming it gives the reason and the fix. Dawn is loaded only then, so a CPU-only run never
 * touches it. gpu.js (`gpujs`) loads synchronously: initBackends() or the first lookup by name
 * starts it.
 */
import { config } from '../core/config.js';
import type { Backend, Device } from './backend.js';
import { CpuBackend } from './cpu/backend.js';
import { loadGpuJs } from './gpujs/index.js';
import { unavailability } from './unavailable.js';

const backends = new Map<string, Backend>();
backends.set('cpu', new CpuBackend());

export function registerBackend(b: Backend): void {
  backends.set(b.platform, b);
}

/** Platforms whose initialisation failed, with why and what to do. */
const unavailable = new Map<string, { reason: string; fix: string }>();
const LAZY = new Set(['webgpu', 'gpujs']);
let initialising: Promise<void> | null = null;

/**
 * Discover the asynchronous backends (WebGPU). Never rejects: a platform that cannot start is
 * recorded with its reason (`backendStatus`). Idempotent.
 */
export function initBackends(): Promise<void> {
  initialising ??= (async () => {
    // headless-gl (GLX) and Dawn's OpenGL ES (EGL) cannot share a process: whichever starts
    // second fails, headless-gl fatally. WebGPU goes first unless gpu.js is pinned to headless-gl.
    if (process.env.TJAX_GPUJS_MODE === 'headlessgl') startGpuJs();
    try {
      const { loadWebGpu } = await import('./webgpu/index.js');
      const wg = await loadWebGpu();
      registerBackend(wg);
      if (wg.ctx.backend === 'opengles')
        avoidGl = "Dawn's OpenGL ES context (webgpu) holds this process's GL";
    } catch (e) {
      unavailable.set('webgpu', unavailability(e));
    }
    startGpuJs();
  })();
  return initialising;
}

let avoidGl: string | null = null;

/** gpu.js loads synchronously, so naming `gpujs` starts it without initBackends(). */
function startGpuJs(): void {
  if (backends.has('gpujs') || unavailable.has('gpujs')) return;
  try {
    registerBackend(loadGpuJs(avoidGl));
  } catch (e) {
    unavailable.set('gpujs', unavailability(e));
  }
}

/** Whether a platform is usable, and if not, why and the fix (after initBackends). */
export function backendStatus(
  platform: string,
): { available: true } | { available: false; reason: string; fix: string } {
  if (backends.has(platform)) return { available: true };
  const u = unavailable.get(platform);
  if (u) return { available: false, ...u };
  if (LAZY.has(platform)) {
    return { available: false, reason: `${platform} is not initialised`, fix: 'call await initBackends()' };
  }
  return { available: false, reason: `unknown platform ${platform}`, fix: 'use --device cpu' };
}

export function getBackend(platform: string): Backend {
  if (platform === 'gpujs') startGpuJs();
  const b = backends.get(platform);
  if (!b && LAZY.has(platform)) {
    const u = unavailable.get(platform);
    if (u) throw new Error(`${platform} is unavailable: ${u.reason}; fix: ${u.fix}`);
    throw new Error(`${platform} is not initialised: call await initBackends()`);
  }
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
