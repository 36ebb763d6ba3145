/**
 * @file `tjax bench`'s arguments checked and turned into what the runner needs: suites, devices,
 * sizes and dtypes. Every bad value is a one-line usage error (exit 2) naming what would work.
 */
import * as engine from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { SUITES, type Suite, suiteNamed } from './suites.js';

export function parseSuites(names: string[]): Suite[] {
  if (names.length === 0) return SUITES;
  return names.map((n) => {
    const s = suiteNamed(n);
    if (!s) throw new UsageError(`unknown suite '${n}' (suites: ${SUITES.map((x) => x.name).join(', ')})`);
    return s;
  });
}

const MULTIPLIERS: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6 };

/** `256,512`, `1M,10M`, `4k`: positive integers, with k and M for thousands and millions. */
export function parseSizes(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const sizes = parts.map((p) => {
    const m = /^(\d+)([kKM]?)$/.exec(p);
    const n = m ? Number(m[1]) * MULTIPLIERS[m[2]] : Number.NaN;
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new UsageError(
        `--sizes: expected comma-separated positive integers such as 256,512 or 1M, got '${text}'`,
      );
    return n;
  });
  return [...new Set(sizes)];
}

const DTYPES: Record<string, string> = {
  float32: 'float32',
  f32: 'float32',
  float16: 'float16',
  f16: 'float16',
};

export function parseDtypes(text: string): string[] {
  return text.split(',').map((p) => {
    const d = DTYPES[p.trim()];
    if (!d) throw new UsageError(`--dtype: unknown dtype '${p.trim()}' (float32 or f32, float16 or f16)`);
    return d;
  });
}

/**
 * The suites that run a requested dtype. A suite named on the command line that runs none of them
 * is an error; of the default suites, those are left out with a note.
 */
export function suitesForDtypes(suites: Suite[], dtypes: string[], named: boolean, notes: string[]): Suite[] {
  return suites.filter((s) => {
    if (s.dtypes.some((d) => dtypes.includes(d))) return true;
    const msg = `suite ${s.name} runs ${s.dtypes.join(', ')} only`;
    if (named) throw new UsageError(`--dtype ${dtypes.join(',')}: ${msg}`);
    notes.push(msg);
    return false;
  });
}

/** `all`, or a comma-separated list of devices (`cpu`, `webgpu:0`); GPU backends are discovered first. */
export async function parseDevices(text: string): Promise<engine.Device[]> {
  const names = text.split(',').map((p) => p.trim());
  for (const n of names)
    if (n !== 'all' && !/^(cpu|webgpu|gpujs)(:\d+)?$/.test(n))
      throw new UsageError(`--device: unknown device '${n}' (cpu, webgpu, gpujs, with :N, or all)`);
  if (names.includes('all') || names.some((n) => !n.startsWith('cpu'))) await engine.initBackends();
  if (names.includes('all')) return engine.devices();
  const devices = names.map((n) => {
    try {
      return engine.resolveDevice(n);
    } catch (e) {
      const have = engine.devices().map(String).join(', ');
      throw new UsageError(`--device ${n}: ${(e as Error).message.split('\n')[0]} (available: ${have})`);
    }
  });
  return [...new Set(devices)];
}
