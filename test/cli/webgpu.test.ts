/**
 * @file The command line on the WebGPU device, end to end through the built binary: `run` with
 * NPY input and output (byte-identical to NumPy's), `grad`, `jit-inspect --stage lowered` showing
 * a fused chain as one @compute shader, and `--profile` naming the device of each kernel.
 *
 * Without an adapter the file skips with the reason; under CI it fails.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deviceAvailable } from '../device-available.js';
import { FIX, tjax } from './run-cli.js';

const status = { available: await deviceAvailable('webgpu', 'tjax --device webgpu') };
const d = describe.skipIf(!status.available);

/** Dawn prints adapter-limit warnings on stderr; they are not tjax's output. */
const stderrOf = (s: string) =>
  s
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('Warning: '))
    .join('\n');

d('tjax --device webgpu', () => {
  it('runs on NPY input and writes NPY byte for byte as numpy.save does', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tjax-')), 'y.npy');
    const r = tjax(['run', 'x + 1', '--arg', `x=${FIX}x.npy`, '--device', 'webgpu', '--out', out]);
    expect(stderrOf(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(out).equals(readFileSync(`${FIX}x_plus_1.npy`))).toBe(true);
  });

  it('runs a reduction and prints it', () => {
    const r = tjax(['run', 'sum(x * 2)', '--arg', 'x=[1,2,3]', '--device', 'webgpu']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('12\n');
  });

  it('differentiates', () => {
    const r = tjax([
      'grad',
      'sum(sin(x) * x)',
      '--arg',
      'x=[1.0, 2.0, 3.0]',
      '--device',
      'webgpu',
      '--format',
      'json',
    ]);
    expect(stderrOf(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout) as number[];
    [1, 2, 3].forEach((x, i) => {
      expect(got[i]).toBeCloseTo(Math.cos(x) * x + Math.sin(x), 5);
    });
  });

  it('differentiates a scalar function (0-d device constants)', () => {
    const r = tjax(['grad', 'sin(x) * x', '--arg', 'x=2.0', '--device', 'webgpu']);
    expect(r.code).toBe(0);
    expect(Number(r.stdout)).toBeCloseTo(Math.cos(2) * 2 + Math.sin(2), 5);
  });

  it('jit-inspect --stage lowered shows a fused chain as one @compute shader', () => {
    const r = tjax([
      'jit-inspect',
      'sin(x) * 2 + exp(x)',
      '--arg',
      'x=f32[1000]',
      '--stage',
      'lowered',
      '--device',
      'webgpu',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/webgpu:0/);
    expect(r.stdout.match(/@compute/g)?.length).toBe(1);
    // sin and exp are the libm's float32 polynomials, as on the CPU (sin's table of 2/pi).
    expect(r.stdout).toMatch(/T_two_over_pi_limbs/);
    expect(r.stdout).not.toMatch(/ exp\(/);
  });

  it('--profile names the device of each kernel', () => {
    const r = tjax(['run', 'sum(sin(x) * 2)', '--arg', 'x=[1,2,3,4]', '--device', 'webgpu', '--profile']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/profile: sum\(sin\(x\) \* 2\)/);
    expect(r.stderr).toMatch(/^webgpu:0 +reduce +jit\(.* reduce_0 +1 +\S+ (µs|ms) +16 B +4 B /m);
    expect(r.stderr).toMatch(/^ {2}host -> webgpu:0 +\d+ x +\d+ B /m);
    expect(r.stderr).toMatch(/^ {2}webgpu:0 -> host +1 x +4 B /m);
  });

  it('bench covers every available device by default', () => {
    const r = tjax(['bench', 'matmul', '--sizes', '32', '--repeat', '1', '--json']);
    expect(r.code).toBe(0);
    const devices = (JSON.parse(r.stdout) as { device: string }[]).map((x) => x.device);
    expect(devices).toContain('cpu:0');
    expect(devices).toContain('webgpu:0');
  });
});
