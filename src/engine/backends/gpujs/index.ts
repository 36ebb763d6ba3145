/**
 * @file Loading gpu.js for the `gpujs` device. gpu.js 2.24 is CommonJS and loads synchronously,
 * so the registry can start it on first use (`--device gpujs`) as well as from initBackends().
 * gpu.js chooses its mode itself: headless-gl (WebGL 1 through the optional `gl` addon, which
 * needs an X display: `xvfb-run` on a server) when a GL context can be made, else its
 * WebAssembly mode. `TJAX_GPUJS_MODE=headlessgl|webasm` forces one. Its own `webgpu@0.2.9`
 * dependency (macOS binaries only) is never loaded: gpu.js offers WebGPU in browsers only.
 */
import { createRequire } from 'node:module';
import { DeviceUnavailable } from '../unavailable.js';
import { GpuJsBackend, type GpuJsModule } from './backend.js';

export class GpuJsUnavailable extends DeviceUnavailable {
  override name = 'GpuJsUnavailable';
}

export const GL_PACKAGES = 'libxi-dev libglu1-mesa-dev libglew-dev pkg-config';

let backend: GpuJsBackend | null = null;

/** Why headless-gl is not in use (null when it is). */
function glNote(req: NodeJS.Require, mode: string): string | null {
  if (mode === 'headlessgl') return null;
  try {
    req('gl');
  } catch {
    return `the optional gl addon did not build (apt-get install -y ${GL_PACKAGES}, then npm rebuild gl)`;
  }
  if (!process.env.DISPLAY) return 'headless-gl needs an X display (run under xvfb-run)';
  return 'headless-gl could not create a context on this display';
}

/**
 * Start gpu.js once. `avoidGl` (why) keeps it off headless-gl: another GL stack in the process
 * (Dawn's OpenGL ES for webgpu) makes headless-gl's context fail with a fatal X error.
 */
export function loadGpuJs(avoidGl: string | null = null): GpuJsBackend {
  if (backend) return backend;
  let req: NodeJS.Require;
  let mod: GpuJsModule;
  let version = '?';
  try {
    req = createRequire(import.meta.url);
    const main = req.resolve('gpu.js');
    req = createRequire(main);
    mod = req('gpu.js') as GpuJsModule;
    version = (req('gpu.js/package.json') as { version: string }).version;
  } catch (e) {
    throw new GpuJsUnavailable(
      `the gpu.js package failed to load: ${(e as Error).message.split('\n')[0]}`,
      'run npm install (tjax depends on gpu.js@2.24.1), or use --device cpu',
    );
  }
  const pinned = process.env.TJAX_GPUJS_MODE;
  const forced = pinned || (avoidGl && process.env.DISPLAY ? 'webasm' : undefined);
  let gpu: InstanceType<GpuJsModule['GPU']>;
  try {
    gpu = new mod.GPU(forced ? { mode: forced } : {});
  } catch (e) {
    throw new GpuJsUnavailable(
      `gpu.js could not start${forced ? ` in mode ${forced}` : ''}: ${(e as Error).message}`,
      forced ? 'unset TJAX_GPUJS_MODE' : 'use --device cpu',
    );
  }
  const kernelName = (gpu.Kernel as { name?: string } | null)?.name ?? '';
  const mode = /HeadlessGL/.test(kernelName)
    ? 'headlessgl'
    : /WebAssembly/.test(kernelName)
      ? 'webasm'
      : gpu.mode;
  if (mode !== 'headlessgl' && mode !== 'webasm')
    throw new GpuJsUnavailable(
      `gpu.js found neither headless-gl nor WebAssembly (it chose ${mode})`,
      'use --device cpu',
    );
  const note =
    !pinned && avoidGl && process.env.DISPLAY && mode !== 'headlessgl'
      ? `headless-gl is not used: ${avoidGl} (TJAX_GPUJS_MODE=headlessgl picks it over webgpu)`
      : glNote(req, mode);
  backend = new GpuJsBackend(gpu, mode, version, note);
  return backend;
}

export { GpuJsBackend } from './backend.js';
