/**
 * @file `tjax bench --save FILE` and `--compare FILE`: a saved run is one JSON document with the
 * results and what they were measured on (CPU model and cores, memory, OS, each device's
 * description with its adapter, the versions of Node, V8, tjax and the device packages), so that a
 * later run, after a change or on another machine, can print its speedups against it.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type * as engine from '../../engine/index.js';
import type { BenchRow } from '../../tui/types.js';
import { UsageError } from '../errors.js';
import { rowKey } from './runner.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryBytes: number;
  os: string;
  devices: { device: string; description: string }[];
  versions: Record<string, string>;
}

export interface SavedRun {
  tjaxBench: 1;
  date: string;
  machine: Machine;
  repeat: number;
  results: BenchRow[];
}

function packageVersion(root: string, name: string): string | null {
  try {
    return (
      JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return null;
  }
}

export function machineInfo(root: string, version: string, devices: engine.Device[]): Machine {
  const versions: Record<string, string> = {
    tjax: version,
    node: process.versions.node,
    v8: process.versions.v8,
  };
  for (const p of ['webgpu', 'gpu.js']) {
    const v = packageVersion(root, p);
    if (v) versions[p] = v;
  }
  return {
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    devices: devices.map((d) => ({ device: String(d), description: d.description })),
    versions,
  };
}

export async function saveRun(path: string, run: SavedRun): Promise<void> {
  const { writeFileAtomic } = await import('../../format/atomic.js');
  await writeFileAtomic(path, `${JSON.stringify(run, null, 2)}\n`);
}

/** The rows of a saved run (or of `tjax bench --json` output), by case. */
export function loadBaseline(path: string): Map<string, BenchRow> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--compare ${path}: ${(e as Error).message}`);
  }
  const rows = Array.isArray(doc) ? doc : (doc as { results?: unknown })?.results;
  if (
    !Array.isArray(rows) ||
    !rows.every((r) => r && typeof r === 'object' && typeof r.medianMs === 'number')
  )
    throw new UsageError(
      `--compare ${path}: not a saved bench run (tjax bench --save FILE, or --json output)`,
    );
  return new Map((rows as BenchRow[]).map((r) => [rowKey(r), r]));
}
