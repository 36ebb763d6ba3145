/// <reference types="@webgpu/types" />
/**
 * @file WebGPU adapter discovery through Dawn (the `webgpu` npm package). The platform's native
 * backend is tried first (Vulkan on Linux when a hardware Vulkan driver is installed, Metal,
 * D3D12); then Dawn's OpenGL ES backend on Mesa's EGL (surfaceless: no display needed), which on a
 * machine without a GPU is llvmpipe, in WebGPU's compatibility mode. Lavapipe (Vulkan on the CPU)
 * is never used: Dawn crashes on it, so its driver is disabled for the Vulkan loader and CPU
 * Vulkan adapters are refused. `TJAX_WEBGPU_BACKEND=vulkan|metal|d3d12|opengles` forces one.
 */

import fs from 'node:fs';
import { dynamicImport } from '../../dynamic-import.js';
import { DeviceUnavailable } from '../unavailable.js';

export interface GpuContext {
  /** Dawn's instance. It must stay reachable: dawn.node keeps polling it for events, and a
   * collected instance crashes the process (CallbackTaskManager::Flush on freed memory). */
  gpu: GPU;
  adapter: GPUAdapter;
  device: GPUDevice;
  /** Which Dawn backend: vulkan, metal, d3d12 or opengles. */
  backend: string;
  /** Human-readable adapter description for `tjax devices`. */
  description: string;
  /** True when the adapter runs on the CPU (llvmpipe). */
  software: boolean;
}

export class WebGpuUnavailable extends DeviceUnavailable {
  override name = 'WebGpuUnavailable';
}

export const MESA_PACKAGES = 'libegl1 libegl-mesa0 libgl1-mesa-dri libegl-dev';
const FIX = `install Mesa's EGL (apt-get install -y ${MESA_PACKAGES}) or a GPU driver, or use --device cpu`;

const CPU_ADAPTER = /llvmpipe|lavapipe|swiftshader|softpipe/i;

interface DawnModule {
  create(options: string[]): GPU;
  globals: object;
}

/** Whether the Vulkan loader and a non-CPU Vulkan driver are installed (Linux). */
function hardwareVulkan(): boolean {
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, 'libvulkan.so.1');
  } catch (e) {
    // A loadable library that is not a Node addon says so; a missing one cannot be opened.
    if (/cannot open shared object|No such file/i.test((e as Error).message)) return false;
  }
  const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
  for (const d of dirs) {
    let files: string[] = [];
    try {
      files = fs.readdirSync(d);
    } catch {
      continue;
    }
    if (files.some((f) => f.endsWith('.json') && !/lvp|swiftshader/i.test(f))) return true;
  }
  return false;
}

function describe(info: GPUAdapterInfo, backend: string): string {
  const parts = [info.vendor, info.architecture, info.device, info.description].filter(
    (s) => s && s.length > 0,
  );
  const what = [...new Set(parts)].join(' ').replace(/-+$/, '') || 'unknown adapter';
  return `${what} via Dawn ${backend === 'opengles' ? 'OpenGL ES (compatibility mode)' : backend}`;
}

async function tryBackend(dawn: DawnModule, backend: string): Promise<GpuContext | string> {
  const compat = backend === 'opengles';
  const gpu = dawn.create(compat ? ['backend=opengles'] : [`backend=${backend}`]);
  instances.push(gpu);
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter(
      compat ? ({ featureLevel: 'compatibility' } as GPURequestAdapterOptions) : {},
    );
  } catch (e) {
    return `${backend}: ${(e as Error).message}`;
  }
  if (!adapter) return `${backend}: no adapter`;
  const info = adapter.info;
  const software = CPU_ADAPTER.test(`${info.device} ${info.description} ${info.vendor}`);
  if (software && !compat)
    return `${backend}: only a CPU adapter (${info.device || info.description}), which Dawn does not support`;
  // Ask for the adapter's own limits: the defaults (e.g. 8 storage buffers) are lower.
  const l = adapter.limits;
  const want = [
    'maxStorageBuffersPerShaderStage',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX',
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxBindingsPerBindGroup',
  ] as const;
  const requiredLimits: Record<string, number> = {};
  for (const k of want) if (typeof l[k] === 'number') requiredLimits[k] = l[k];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits });
  } catch (e) {
    return `${backend}: requestDevice failed: ${(e as Error).message}`;
  }
  return { gpu, adapter, device, backend, description: describe(info, backend), software };
}

let cached: Promise<GpuContext> | null = null;
/** Every Dawn instance created, kept alive for the life of the process (see GpuContext.gpu). */
const instances: GPU[] = [];

/** Find an adapter and open a device once per process; rejects with WebGpuUnavailable. */
export function discover(): Promise<GpuContext> {
  cached ??= discoverOnce();
  return cached;
}

async function discoverOnce(): Promise<GpuContext> {
  let dawn: DawnModule;
  try {
    dawn = await dynamicImport<DawnModule>('webgpu');
  } catch (e) {
    throw new WebGpuUnavailable(
      `the webgpu package (Dawn) failed to load: ${(e as Error).message}`,
      'run npm install (tjax depends on webgpu@0.6.2), or use --device cpu',
    );
  }
  const forced = process.env.TJAX_WEBGPU_BACKEND;
  const order: string[] = [];
  if (forced) order.push(forced);
  else {
    if (process.platform === 'darwin') order.push('metal');
    else if (process.platform === 'win32') order.push('d3d12');
    else if (hardwareVulkan()) order.push('vulkan');
    order.push('opengles');
  }
  // Never let the Vulkan loader pick lavapipe: Dawn crashes on it.
  process.env.VK_LOADER_DRIVERS_DISABLE ??= '*lvp*';
  // Mesa's EGL without a display server.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const tried: string[] = [];
  for (const b of order) {
    const r = await tryBackend(dawn, b);
    if (typeof r !== 'string') return r;
    tried.push(r);
  }
  if (!order.includes('vulkan') && process.platform === 'linux')
    tried.unshift('vulkan: no hardware Vulkan driver');
  throw new WebGpuUnavailable(`no WebGPU adapter (${tried.join('; ')})`, FIX);
}
