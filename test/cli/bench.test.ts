/**
 * @file `tjax bench` without a terminal: one-line usage errors with exit 2 for bad suites,
 * devices, sizes, repeats and dtypes; the plain table with no escape codes; --json as one document
 * of results; --save with the machine's description and --compare against it. Tiny sizes and
 * --repeat 2 keep it quick; the live view is tested under tmux (tui.test.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tjax } from './run-cli.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: escape codes are what is looked for
const ESC = /\u001b/;

describe('tjax bench: usage errors', () => {
  const cases: [string[], RegExp][] = [
    [['nosuch'], /^error: unknown suite 'nosuch' \(suites: matmul, conv, elementwise, .*dispatch\)$/],
    [['--repeat', '0'], /^error: --repeat: Expected an integer greater than or equal to 1 but received: 0$/],
    [
      ['--sizes', 'abc'],
      /^error: --sizes: expected comma-separated positive integers such as 256,512 or 1M, got 'abc'$/,
    ],
    [['--sizes', ''], /^error: --sizes: expected .* got ''$/],
    [['--sizes', '2.5'], /^error: --sizes: expected .* got '2.5'$/],
    [['--sizes', '128,-4'], /^error: --sizes: expected .* got '128,-4'$/],
    [['--device', 'tpu'], /^error: --device: unknown device 'tpu' \(cpu, webgpu, gpujs, with :N, or all\)$/],
    [['--dtype', 'f64'], /^error: --dtype: unknown dtype 'f64' \(float32 or f32, float16 or f16\)$/],
    [['normal', '--dtype', 'f16'], /^error: --dtype float16: suite normal runs float32 only$/],
  ];
  for (const [args, message] of cases)
    it(`${args.join(' ')} -> exit 2`, () => {
      // As users run it: under NODE_ENV=test (vitest's) oclif adds a warning that a failed parse
      // left the command unparsed.
      const r = tjax(['bench', ...args], { env: { NODE_ENV: 'production' } });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(message);
    });
});

describe('tjax bench: output', () => {
  it('prints a header and a row per case, with no escape codes, when stdout is not a terminal', () => {
    const r = tjax(['bench', 'reduction', 'dispatch', '--device', 'cpu', '--sizes', '64', '--repeat', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(ESC);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^suite +case +device +size +median +min–max +rate$/);
    expect(lines.slice(1).map((l) => l.split(/ {2,}/).slice(0, 4))).toEqual([
      ['reduction', 'rows f32', 'cpu:0', '64'],
      ['reduction', 'cols f32', 'cpu:0', '64'],
      ['dispatch', 'eager', 'cpu:0', '64'],
      ['dispatch', 'jit', 'cpu:0', '64'],
    ]);
    expect(lines[1]).toMatch(/ \d\S* GB\/s$/);
    expect(lines[3]).toMatch(/ \d\S* µs\/op$/);
  });

  it('--json prints one JSON document of the results', () => {
    const r = tjax([
      'bench',
      'matmul',
      'softmax',
      '--device',
      'cpu',
      '--sizes',
      '32',
      '--repeat',
      '2',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows.map((x) => [x.suite, x.label, x.device, x.size, x.unit])).toEqual([
      ['matmul', 'f32', 'cpu:0', 32, 'GFLOP/s'],
      ['softmax', 'f32', 'cpu:0', 32, 'GB/s'],
    ]);
    for (const x of rows) {
      expect(x.repeat).toBe(2);
      expect(x.minMs as number).toBeLessThanOrEqual(x.medianMs as number);
      expect(x.medianMs as number).toBeLessThanOrEqual(x.maxMs as number);
      expect(x.rate as number).toBeGreaterThan(0);
    }
    // The rate follows from the median: 2 n^3 flops for a matmul.
    expect(rows[0].rate as number).toBeCloseTo((2 * 32 ** 3) / ((rows[0].medianMs as number) * 1e6), 6);
  });

  it('times 3x3 NHWC convolutions (2 x batch 8 x side^2 x 64 x 64 x 9 flops)', () => {
    const r = tjax(['bench', 'conv', '--device', 'cpu', '--sizes', '4', '--repeat', '2', '--json']);
    expect(r.code).toBe(0);
    const [c] = JSON.parse(r.stdout);
    expect(c).toMatchObject({ suite: 'conv', label: 'f32', size: 4, unit: 'GFLOP/s' });
    expect(c.rate).toBeCloseTo((2 * 8 * 16 * 64 * 64 * 9) / (c.medianMs * 1e6), 6);
  });

  it('runs float16 when asked, and leaves out the suites that have none', () => {
    const r = tjax([
      'bench',
      '--dtype',
      'f16',
      '--device',
      'cpu',
      '--sizes',
      '16',
      '--repeat',
      '2',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { suite: string; dtype: string }[];
    expect([...new Set(rows.map((x) => x.suite))]).toEqual(['matmul', 'elementwise', 'reduction', 'softmax']);
    expect(rows.every((x) => x.dtype === 'float16')).toBe(true);
  });

  it('--save writes the results with the machine; --compare prints speedups against them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tjax-bench-'));
    const saved = join(dir, 'base.json');
    const args = ['bench', 'elementwise', '--device', 'cpu', '--sizes', '1000', '--repeat', '2'];
    const s = tjax([...args, '--save', saved]);
    expect(s.code).toBe(0);
    expect(s.stderr).toMatch(`saved 1 results to ${saved}`);
    const doc = JSON.parse(readFileSync(saved, 'utf8'));
    expect(doc.tjaxBench).toBe(1);
    expect(doc.machine.cores).toBeGreaterThan(0);
    expect(doc.machine.cpu).toMatch(/\S/);
    expect(doc.machine.devices[0]).toMatchObject({ device: 'cpu:0' });
    expect(doc.machine.versions).toMatchObject({ node: process.versions.node, tjax: expect.any(String) });
    expect(doc.results).toHaveLength(1);

    // A saved run twice as slow: this one is about twice as fast against it.
    doc.results[0].medianMs *= 1000;
    writeFileSync(saved, JSON.stringify(doc));
    const c = tjax([...args, '--compare', saved]);
    expect(c.code).toBe(0);
    const lines = c.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/ vs saved$/);
    expect(lines[1]).toMatch(/^elementwise +f32 +cpu:0 +1000 .* \d+(\.\d)?x$/);
    const j = JSON.parse(tjax([...args, '--compare', saved, '--json']).stdout);
    expect(j[0].speedup).toBeGreaterThan(10);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"results": 3}');
    const e = tjax([...args, '--compare', bad]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/^error: --compare .*bad\.json: not a saved bench run/);
  });
});
