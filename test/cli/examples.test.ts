/**
 * @file The example programs of fixtures/examples/ (issue: real programs and the WGAN end to end),
 * run as users run them (`tjax run FILE --set ...`) at small step counts: each writes what its
 * header promises, the same seed gives the same bits, a checkpoint resumes, and the results are
 * finite; on WebGPU the first steps match the CPU's to float32 tolerance. Their training goals are measured by full runs (README, bench/examples.ts), not here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { deviceAvailable } from '../device-available.js';
import { ROOT, tjax } from './run-cli.js';

const EX = 'fixtures/examples/';

function run(file: string, sets: Record<string, string | number>, extra: string[] = []) {
  const args = ['run', EX + file];
  for (const [k, v] of Object.entries(sets)) args.push('--set', `${k}=${v}`);
  const r = tjax([...args, ...extra, '--json', '--no-tui']);
  if (r.code !== 0) throw new Error(`tjax ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function tmp(name: string): string {
  return mkdtempSync(join(tmpdir(), `tjax-ex-${name}-`));
}

function npyFloats(path: string): { shape: number[]; data: Float32Array } {
  const b = readFileSync(path);
  const headerLen = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + headerLen).toString('latin1');
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .filter((s) => s.trim())
    .map(Number);
  const body = b.subarray(10 + headerLen);
  return {
    shape,
    data: new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)),
  };
}

function jsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('examples: wgan-gp-2d.ts', () => {
  it('writes samples, metrics, a scatter plot and a checkpoint; the same seed gives the same bits; resume continues', () => {
    const a = tmp('gp-a');
    const b = tmp('gp-b');
    const ra = run('wgan-gp-2d.ts', { steps: 3, seed: 7, out: a, every: 1 });
    run('wgan-gp-2d.ts', { steps: 3, seed: 7, out: b, every: 1 });
    expect(ra.steps).toBe(3);
    const sw = ra.sliced_wasserstein as { start: number; end: number };
    expect(Number.isFinite(sw.start) && Number.isFinite(sw.end)).toBe(true);

    const samples = npyFloats(join(a, 'samples.npy'));
    expect(samples.shape).toEqual([4000, 2]);
    expect(samples.data.every(Number.isFinite)).toBe(true);
    expect(readFileSync(join(a, 'samples.npy')).equals(readFileSync(join(b, 'samples.npy')))).toBe(true);

    const metrics = jsonl(join(a, 'metrics.jsonl'));
    expect(metrics.map((m) => m.step)).toEqual([0, 1, 2, 3]);
    for (const key of ['critic', 'generator', 'wasserstein', 'sliced_wasserstein'])
      expect(typeof metrics[3]![key]).toBe('number');

    const png = PNG.sync.read(readFileSync(join(a, 'samples.png')));
    expect(png.width).toBeGreaterThan(100);
    expect(existsSync(join(a, 'checkpoint.npz'))).toBe(true);

    // Resuming 2 more steps from the 3-step checkpoint equals running 5 steps at once.
    const c = tmp('gp-c');
    const d = tmp('gp-d');
    const rc = run('wgan-gp-2d.ts', { steps: 2, out: c, resume: join(a, 'checkpoint.npz'), seed: 7 });
    expect(rc.steps).toBe(5);
    run('wgan-gp-2d.ts', { steps: 5, seed: 7, out: d });
    expect(readFileSync(join(c, 'samples.npy')).equals(readFileSync(join(d, 'samples.npy')))).toBe(true);
  }, 240_000);
});

describe('examples: classifier.ts', () => {
  it('trains a few steps and reports train and test accuracy', () => {
    const out = tmp('cnn');
    const r = run('classifier.ts', { steps: 4, batch: 32, out });
    expect(r.steps).toBe(4);
    for (const k of ['train_accuracy', 'test_accuracy']) {
      const v = r[k] as number;
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(existsSync(join(out, 'variables.npz'))).toBe(true);
    expect(jsonl(join(out, 'metrics.jsonl')).at(-1)!.step).toBe(4);
  }, 240_000);
});

describe('examples: wgan-digits.ts', () => {
  it('writes a grid of generated digits and a checkpoint, with weight clipping and with the gradient penalty', () => {
    for (const gp of ['false', 'true']) {
      const out = tmp(`digits-${gp}`);
      const r = run('wgan-digits.ts', { steps: 2, batch: 8, every: 2, gp, out });
      expect(r.gp).toBe(gp === 'true');
      const png = PNG.sync.read(readFileSync(join(out, 'samples-00002.png')));
      expect(png.width).toBe(png.height);
      expect(png.width).toBeGreaterThanOrEqual(8 * 28);
      expect(existsSync(join(out, 'checkpoint.npz'))).toBe(true);
      const m = jsonl(join(out, 'metrics.jsonl')).at(-1)!;
      expect(Number.isFinite(m.wasserstein as number)).toBe(true);
    }
  }, 240_000);
});

const webgpu = await deviceAvailable('webgpu', 'the examples on --device webgpu');

describe.skipIf(!webgpu)('examples on --device webgpu', () => {
  it("wgan-gp-2d.ts: the first steps' losses and distances match the CPU's to float32 tolerance", () => {
    const steps = 20;
    const cpu = tmp('gp-cpu');
    const gpu = tmp('gp-gpu');
    run('wgan-gp-2d.ts', { steps, seed: 3, out: cpu, every: 1 });
    run('wgan-gp-2d.ts', { steps, seed: 3, out: gpu, every: 1 }, ['--device', 'webgpu']);
    const a = jsonl(join(cpu, 'metrics.jsonl'));
    const b = jsonl(join(gpu, 'metrics.jsonl'));
    expect(b.map((m) => m.step)).toEqual(a.map((m) => m.step));
    for (let i = 0; i < a.length; i++)
      for (const [k, v] of Object.entries(a[i]!)) {
        if (typeof v !== 'number' || k === 'step' || k === 'total') continue;
        // Twenty optimizer steps compound float32 rounding differences between devices.
        expect(Math.abs((b[i]![k] as number) - v), `step ${a[i]!.step} ${k}`).toBeLessThan(
          2e-3 * Math.max(1, Math.abs(v)),
        );
      }
  }, 600_000);
});

describe('examples: train-mlp.mjs (the README linen + optax example)', () => {
  it('runs with node as printed and fits sin(3x)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'fixtures/examples/train-mlp.mjs')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const losses = [...r.stdout.matchAll(/step (\d+): loss ([\d.]+)/g)].map((m) => Number(m[2]));
    expect(losses.length).toBe(4);
    expect(losses[3]!).toBeLessThan(0.02);
    const model = /model\s+: Array\(\[([^\]]+)\]/.exec(r.stdout)![1]!.split(',').map(Number);
    for (const [i, want] of [-0.997495, 0, 0.997495].entries())
      expect(Math.abs(model[i]! - want)).toBeLessThan(0.1);
  }, 120_000);
});
